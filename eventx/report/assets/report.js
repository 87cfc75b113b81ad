/* eventx report: builds the document view from the embedded JSON and filters it.
   Data is only ever put into the page with textContent / createTextNode: never as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("eventx-data").textContent);
  var KNOWN_MODALITIES = ["asserted", "negated", "possible", "hypothetical"];
  var typeClass = {};
  data.types.forEach(function (t, i) { typeClass[t] = "t" + i; });
  var state = { types: new Set(data.types), modalities: new Set(data.modalities) };
  var marks = [];
  var items = [];
  var sections = [];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function modalityClass(m) {
    return "m-" + (KNOWN_MODALITIES.indexOf(m) >= 0 ? m : "other");
  }

  /* segments: [[text, [annotation ids, outermost first]], ...]; anns: [[event, kind, role], ...] */
  function highlighted(container, segments, anns) {
    segments.forEach(function (segment) {
      var node = document.createTextNode(segment[0]);
      var ids = segment[1];
      for (var i = ids.length - 1; i >= 0; i--) {
        var ann = anns[ids[i]];
        var ev = data.events[ann[0]];
        var kind = ann[1] === "trigger" || ann[1] === "arg" ? ann[1] : "attribution";
        var mark = el("mark", "ann " + kind + " " + typeClass[ev.type] + " " + modalityClass(ev.modality));
        mark.setAttribute("data-e", String(ann[0]));
        mark.title = ev.type + " \u00b7 " + ev.modality + " \u00b7 " + (ann[2] || kind);
        mark.appendChild(node);
        marks.push(mark);
        node = mark;
      }
      container.appendChild(node);
    });
  }

  function eventItem(k, anns) {
    var ev = data.events[k];
    var li = el("li", "event " + typeClass[ev.type]);
    li.setAttribute("data-e", String(k));
    li.setAttribute("data-type", ev.type);
    li.setAttribute("data-modality", ev.modality);
    li.appendChild(el("span", "badge " + typeClass[ev.type], ev.type));
    li.appendChild(el("span", "mod " + modalityClass(ev.modality), ev.modality));
    li.appendChild(el("span", "trig", "\u201c" + ev.trigger + "\u201d"));
    li.appendChild(el("span", "rule", ev.rule));
    var args = el("div", "args");
    ev.args.forEach(function (arg, i) {
      if (i) args.appendChild(document.createTextNode(" \u00b7 "));
      args.appendChild(el("span", "role", arg[0] + ": "));
      args.appendChild(document.createTextNode(arg[1]));
      if (arg[2]) args.appendChild(el("span", "norm", " (" + arg[2] + ")"));
    });
    if (ev.attribution) {
      if (ev.args.length) args.appendChild(document.createTextNode(" \u00b7 "));
      args.appendChild(el("span", "role", "according to: "));
      args.appendChild(document.createTextNode(ev.attribution));
    }
    li.appendChild(args);
    if (ev.snippet) {
      var snippet = el("div", "snippet");
      highlighted(snippet, ev.snippet, anns);
      li.appendChild(snippet);
    }
    if (ev.misplaced) {
      li.appendChild(el("div", "note warn", "Some offsets of this event do not match the text: was the corpus changed after the run?"));
    }
    items.push(li);
    return li;
  }

  function documentSection(doc) {
    var section = el("article", "doc");
    var h = el("h3");
    h.appendChild(el("span", "doc-id", doc.id));
    var meta = [doc.date, doc.title].filter(Boolean).join(" \u00b7 ");
    if (meta) h.appendChild(el("span", "meta", meta));
    section.appendChild(h);
    if (doc.segments) {
      var text = el("div", "text");
      highlighted(text, doc.segments, doc.anns);
      section.appendChild(text);
    }
    var list = el("ol", "events");
    doc.events.forEach(function (k) { list.appendChild(eventItem(k, doc.anns)); });
    section.appendChild(list);
    section.eventKeys = doc.events;
    sections.push(section);
    return section;
  }

  function filterGroup(name, values, selected, label) {
    var fieldset = el("fieldset", "filter-" + name);
    fieldset.appendChild(el("legend", null, label));
    values.forEach(function (value) {
      var count = data.events.filter(function (ev) { return (name === "type" ? ev.type : ev.modality) === value; }).length;
      var lab = el("label", name === "type" ? typeClass[value] : null);
      var box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.setAttribute("data-" + name, value);
      box.addEventListener("change", function () {
        if (box.checked) selected.add(value); else selected.delete(value);
        apply();
      });
      lab.appendChild(box);
      if (name === "type") {
        var swatch = el("span", "swatch");
        swatch.style.background = "var(--c)";
        lab.appendChild(swatch);
      }
      lab.appendChild(document.createTextNode(value));
      lab.appendChild(el("span", "n", "(" + count + ")"));
      fieldset.appendChild(lab);
    });
    return fieldset;
  }

  function apply() {
    var visible = data.events.map(function (ev) {
      return state.types.has(ev.type) && state.modalities.has(ev.modality);
    });
    var shown = visible.filter(Boolean).length;
    items.forEach(function (li) { li.hidden = !visible[+li.getAttribute("data-e")]; });
    marks.forEach(function (m) { m.classList.toggle("off", !visible[+m.getAttribute("data-e")]); });
    var docs = 0;
    sections.forEach(function (s) {
      s.hidden = !s.eventKeys.some(function (k) { return visible[k]; });
      if (!s.hidden) docs++;
    });
    document.getElementById("counter").textContent =
      shown + " of " + data.events.length + " events shown, in " + docs + " of " + sections.length + " documents";
  }

  var filters = document.getElementById("filters");
  filters.appendChild(filterGroup("type", data.types, state.types, "Type"));
  filters.appendChild(filterGroup("modality", data.modalities, state.modalities, "Modality"));
  filters.appendChild(el("p", "key-help",
    "Triggers are filled with their type's colour (struck through when negated, dashed when possible, dotted when hypothetical); arguments are underlined."));
  var root = document.getElementById("documents");
  data.docs.forEach(function (doc) { root.appendChild(documentSection(doc)); });
  apply();
})();
