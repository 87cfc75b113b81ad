// eventx serve: the page. Edits stay in the page (`buffers`) until saved; every edit is sent,
// debounced, to /api/analyse, whose answer fills the panels. Text from files, documents and
// the server is only ever put in the page with textContent, never parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 250;
const state = {
  files: [], current: null,
  disk: {},     // path -> text as on disk (last loaded or saved)
  buffers: {},  // path -> text in the page
  diagnostics: [], errors: 0, analysis: null,
  sent: 0, shown: 0, timer: null, tryTimer: null, trySent: 0,
  types: {},    // event type -> palette index
};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) {
    const err = new Error(data.error || `HTTP ${response.status}`);
    err.data = data;
    err.status = response.status;
    throw err;
  }
  return data;
}

function setStatus(text, bad) {
  $("status").textContent = text;
  $("status").classList.toggle("bad", !!bad);
}

function changed() {
  const out = {};
  for (const [path, text] of Object.entries(state.buffers)) if (text !== state.disk[path]) out[path] = text;
  return out;
}

// --- editor -----------------------------------------------------------------------------------

// one pass per line: a comment, a quoted string, =trigger, @lexicon, ${var}, pattern punctuation
const TOKENS = /((?<=^|\s)#.*)|((?<=^|[\s\[{,])(?:"(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?))|(=trigger\b)|(@[\w.-]+)|(\$\{[^}]*\}?)|([\[\]()|&!])/g;
const CLASSES = [null, "y-comment", "y-string", "y-trigger", "y-lexicon", "y-var", "y-bracket"];

function highlightLine(line) {
  const frag = document.createDocumentFragment();
  let rest = line;
  const head = /^(\s*)(- )?([\w.-]+:)(?=\s|$)/.exec(rest) || /^(\s*)(- )/.exec(rest);
  if (head) {  // "key:" and list dashes
    frag.append(head[1]);
    if (head[2]) frag.append(el("span", { class: "y-dash", text: head[2] }));
    if (head[3]) frag.append(el("span", { class: "y-key", text: head[3] }));
    rest = rest.slice(head[0].length);
  }
  let at = 0;
  for (const m of rest.matchAll(TOKENS)) {
    if (m.index > at) frag.append(rest.slice(at, m.index));
    const group = m.findIndex((g, i) => i > 0 && g !== undefined);
    frag.append(el("span", { class: CLASSES[group], text: m[0] }));
    at = m.index + m[0].length;
  }
  if (at < rest.length) frag.append(rest.slice(at));
  return frag;
}

function renderEditor() {
  const text = $("text").value;
  const lines = text.split("\n");
  const marks = {};
  for (const d of state.diagnostics) {
    if (d.path !== state.current || !d.line) continue;
    if (marks[d.line] !== "err") marks[d.line] = d.severity === "error" ? "err" : "warn";
  }
  const gutter = document.createDocumentFragment();
  const code = document.createDocumentFragment();
  lines.forEach((line, i) => {
    const mark = marks[i + 1];
    gutter.append(mark ? el("span", { class: mark, text: String(i + 1) }) : String(i + 1), "\n");
    const span = el("span", mark ? { class: `line-${mark}` } : {});
    span.append(highlightLine(line));
    code.append(span, "\n");
  });
  $("gutter").replaceChildren(gutter);
  $("highlight").replaceChildren(code);
  syncScroll();
  $("dirty").hidden = !(state.current in changed());
}

function renderSoon() {
  // one render per frame: pasting or filling a long text can fire an input event per line
  if (state.renderPending) return;
  state.renderPending = true;
  requestAnimationFrame(() => { state.renderPending = false; renderEditor(); });
}

function syncScroll() {
  const t = $("text");
  $("highlight").scrollTop = t.scrollTop;
  $("highlight").scrollLeft = t.scrollLeft;
  $("gutter").scrollTop = t.scrollTop;
}

async function openFile(path) {
  if (state.current !== null) state.buffers[state.current] = $("text").value;
  if (!(path in state.buffers)) {
    const data = await api("GET", `/api/file?path=${encodeURIComponent(path)}`);
    state.disk[path] = data.text;
    state.buffers[path] = data.text;
  }
  state.current = path;
  $("file").value = path;
  $("text").value = state.buffers[path];
  $("text").scrollTop = 0;
  renderEditor();
}

function jumpTo(path, line, col) {
  const go = () => {
    const t = $("text");
    const lines = t.value.split("\n");
    let offset = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
    offset += Math.max(0, (col || 1) - 1);
    t.focus();
    t.setSelectionRange(offset, Math.min(offset + 1, t.value.length));
    const lineHeight = parseFloat(getComputedStyle(t).lineHeight) || 19;
    t.scrollTop = Math.max(0, (line - 4) * lineHeight);
    syncScroll();
  };
  if (path && path !== state.current) openFile(path).then(go); else go();
}

// --- analysis ---------------------------------------------------------------------------------

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(analyse, DEBOUNCE_MS);
  $("save").disabled = true;
  setStatus("editing…");
}

async function analyse() {
  state.buffers[state.current] = $("text").value;
  const number = ++state.sent;
  const started = performance.now();
  setStatus("analysing…");
  let data;
  try {
    data = await api("POST", "/api/analyse", { files: changed(), focus: state.current });
  } catch (err) {
    if (number === state.sent) setStatus(`error: ${err.message}`, true);
    return;
  }
  if (number < state.shown || number !== state.sent) return; // a later edit is on its way
  state.shown = number;
  state.analysis = data;
  state.diagnostics = data.diagnostics;
  state.errors = data.errors;
  const ms = Math.round(performance.now() - started);
  setStatus(data.errors ? `${data.errors} error(s): not saved` : `up to date (${ms} ms)`, data.errors > 0);
  $("save").disabled = data.errors > 0;
  renderEditor();
  renderDiagnostics();
  renderExamples();
  renderDiff();
  renderSample();
  if ($("try").value.trim()) explainSoon(0);
}

function renderDiagnostics() {
  const list = $("diagnostics");
  const items = state.diagnostics.map((d) =>
    el("li", { class: d.severity, title: "jump to it", onclick: () => jumpTo(d.path, d.line, d.col) },
      el("span", { class: "where", text: `${d.path}:${d.line}:${d.col}` }), " ",
      el("span", { class: "code", text: d.code }), ` ${d.severity}: ${d.message}`));
  if (!items.length) items.push(el("li", { class: "none", text: "no problems" }));
  list.replaceChildren(...items);
  const warnings = state.diagnostics.length - state.errors;
  $("problem-count").textContent = `${state.errors} error(s), ${warnings} warning(s)`;
}

function staleNotice(container) {
  if (state.analysis && state.analysis.stale) {
    container.prepend(el("p", { class: "notice", text: "The pack has errors: showing the last results without them." }));
    container.classList.add("stale");
  } else container.classList.remove("stale");
}

function renderExamples() {
  const examples = state.analysis.examples;
  const items = examples.map((e) => {
    const cls = e.status === "failed" ? "failed" : e.status.startsWith("todo") ? "todo" : "passed";
    const li = el("li", { class: cls, onclick: () => jumpTo(e.path, e.line, 1) },
      el("span", { class: "status", text: e.status }), el("span", { text: `${e.rule}: ${e.text}` }));
    for (const p of e.problems) li.append(el("div", { class: "problem", text: p }));
    return li;
  });
  const list = $("examples");
  list.replaceChildren(...items);
  const failed = examples.filter((e) => e.status === "failed").length;
  $("example-count").textContent = `${examples.length - failed} of ${examples.length} passing`;
  staleNotice(list);
}

function renderDiff() {
  const diff = state.analysis.diff;
  const out = $("diff");
  out.replaceChildren(...diff.lines.map((l) => el("span", { class: l.style, text: l.text + "\n" })));
  if (!diff.lines.length) out.textContent = "no differences";
  $("diff-count").textContent = `+${diff.gained} gained, −${diff.lost} lost, ~${diff.changed} changed (${diff.saved} → ${diff.now} events)`;
  staleNotice(out);
}

function colour(type) {
  if (!(type in state.types)) state.types[type] = Object.keys(state.types).length % 10;
  return `t${state.types[type]}`;
}

function renderSample() {
  const filter = $("rule-filter");
  const chosen = filter.value;
  filter.replaceChildren(el("option", { value: "", text: "all rules" }),
    ...state.analysis.rules.map((r) => el("option", { value: r.rule, text: `${r.rule} (${r.events})` })));
  filter.value = state.analysis.rules.some((r) => r.rule === chosen) ? chosen : "";
  const rule = filter.value;
  const docs = $("documents");
  const children = [];
  let shown = 0;
  for (const doc of state.analysis.documents) {
    const events = doc.events.filter((e) => !rule || e.rule === rule);
    if (!events.length) continue;
    const visible = new Set(events.map((e) => e.n));
    const text = el("div", { class: "text" });
    for (const [piece, ids] of doc.segments) {
      const id = ids.find((i) => visible.has(i));
      if (id === undefined) { text.append(piece); continue; }
      const event = doc.events[id];
      text.append(el("mark", { class: `trigger ${colour(event.type)}`, title: `${event.type} (${event.rule})`, text: piece }));
    }
    const list = el("ol", { class: "matches" });
    for (const e of events) {
      const li = el("li", { class: `match ${colour(e.type)}`, "data-testid": "match", "data-rule": e.rule, "data-type": e.type },
        el("span", { class: "type", text: e.type }), " ", el("q", { text: e.trigger }),
        el("span", { class: "mod", text: `[${e.modality}]` }));
      for (const [role, value] of Object.entries(e.args)) li.append(el("span", { class: "role" }, el("b", { text: `${role}=` }), value));
      if (e.mentions) li.append(el("span", { class: "rule", text: `+${e.mentions} mention(s)` }));
      li.append(el("span", { class: "rule", text: e.rule }));
      list.append(li);
      shown += 1;
    }
    children.push(el("div", { class: "doc" }, el("h3", { text: doc.title ? `${doc.id} — ${doc.title}` : doc.id }), text, list));
  }
  docs.replaceChildren(...children);
  if (state.analysis.skipped) {
    docs.prepend(el("p", { class: "notice", text: `${state.analysis.skipped} document(s) took over 1 s to match and were skipped: does a pattern backtrack?` }));
  }
  if (!children.length) docs.append(el("p", { class: "muted", text: state.sampleSize ? "no events in the sample" : "no corpus sample: start eventx serve with RULES CORPUS..." }));
  $("match-count").textContent = `${shown} event(s) in ${children.length} of ${state.sampleSize} document(s)`;
  staleNotice(docs);
}

// --- try a sentence ---------------------------------------------------------------------------

function explainSoon(delay) {
  clearTimeout(state.tryTimer);
  state.tryTimer = setTimeout(explain, delay === undefined ? DEBOUNCE_MS : delay);
}

async function explain() {
  const text = $("try").value;
  const number = ++state.trySent;
  if (!text.trim()) { $("explain").replaceChildren(); return; }
  let data;
  try {
    data = await api("POST", "/api/explain", { text, files: changed() });
  } catch (err) {
    if (number === state.trySent) $("explain").replaceChildren(el("p", { class: "notice", text: err.message }));
    return;
  }
  if (number !== state.trySent) return;
  const out = [];
  if (data.message) out.push(el("p", { class: "notice", text: data.message }));
  if (data.pack === "saved") out.push(el("p", { class: "notice", text: "The edited pack has errors: explained with the saved pack." }));
  for (const s of data.sentences) out.push(renderSentence(s));
  $("explain").replaceChildren(...out);
}

const KNOWN = new Set(["index", "start", "end", "text", "tokens", "candidates", "events", "mentions", "layers", "near_misses"]);

function renderSentence(s) {
  const box = el("div", { class: "sentence" }, el("div", { text: `sentence ${s.index}: ${s.text}` }));
  const table = el("table", {}, el("tr", {}, ...["#", "word", "lemma", "shape", "lexicons"].map((h) => el("th", { text: h }))));
  for (const t of s.tokens) {
    table.append(el("tr", {}, ...[String(t.index), t.word, t.lemma, t.shape, (t.lexicons || []).join(" ")].map((v) => el("td", { text: v }))));
  }
  box.append(table);
  // mentions found by the pack's mention rules, layer by layer (@Label in later patterns)
  const layers = {};
  for (const m of s.layers || []) (layers[m.layer] = layers[m.layer] || []).push(m);
  for (const [layer, found] of Object.entries(layers)) {
    box.append(el("div", { class: "layer", text: `layer ${layer}: ` + found.map((m) =>
      `@${m.label} ${JSON.stringify(m.text)}${m.norm ? "=" + m.norm : ""} (${m.rule})`).join("; ") }));
  }
  box.append(el("div", { text: `prefilter selected: ${s.candidates.length ? s.candidates.join(", ") : "none (no trigger word occurs)"}` }));
  for (const e of s.events) {
    const args = Object.entries(e.args).map(([role, a]) => `${role}=${JSON.stringify(a.text)}`).join("; ");
    box.append(el("div", { class: `event ${colour(e.type)}` }, el("span", { class: "type", text: e.type }),
      ` ${JSON.stringify(e.trigger.text)} [${e.modality}] (${e.rule}) ${args}`));
  }
  if (!s.events.length && !(s.mentions || []).length) box.append(el("div", { class: "muted", text: "events: none" }));
  for (const m of s.mentions || []) {
    box.append(el("div", { text: `mention: ${m.of_type} ${JSON.stringify(m.trigger.text)} [${m.modality}] (${m.rule}) is merged into the event of sentence ${m.of_sentence}` }));
  }
  for (const miss of s.near_misses) {
    box.append(el("div", { class: `miss ${miss.outcome}` }, el("b", { text: `${miss.rule}: ` }), miss.message));
  }
  // whatever else explain reports (new kinds of results) is shown as it comes
  for (const [key, value] of Object.entries(s)) {
    if (KNOWN.has(key) || value == null || (Array.isArray(value) && !value.length)) continue;
    box.append(el("details", {}, el("summary", { text: key.replace(/_/g, " ") }), el("pre", { text: JSON.stringify(value, null, 1) })));
  }
  return box;
}

// --- saving -----------------------------------------------------------------------------------

async function save() {
  if ($("save").disabled) return;
  const path = state.current;
  const text = $("text").value;
  $("save").disabled = true;
  setStatus("saving…");
  try {
    await api("POST", "/api/save", { path, text });
    state.disk[path] = text;
    state.buffers[path] = text;
    setStatus(`saved ${path}`);
    renderEditor();
    analyse();
  } catch (err) {
    setStatus(`not saved: ${err.message}`, true);
    if (err.data && err.data.diagnostics) { state.diagnostics = err.data.diagnostics; renderDiagnostics(); renderEditor(); }
  }
}

// --- start ------------------------------------------------------------------------------------

async function start() {
  const info = await api("GET", "/api/state");
  state.files = info.files;
  state.sampleSize = info.sample.documents;
  $("where").textContent = `${info.target} · sample of ${info.sample.documents} document(s)`;
  $("file").replaceChildren(...info.files.map((f) => el("option", { value: f, text: f })));
  $("file").addEventListener("change", () => openFile($("file").value).then(analyse));
  const t = $("text");
  t.addEventListener("input", () => { state.buffers[state.current] = t.value; renderSoon(); schedule(); });
  t.addEventListener("scroll", syncScroll);
  t.addEventListener("keydown", (ev) => {
    if (ev.key === "Tab" && !ev.shiftKey) { // indent with two spaces, as YAML wants
      ev.preventDefault();
      t.setRangeText("  ", t.selectionStart, t.selectionEnd, "end");
      t.dispatchEvent(new Event("input"));
    }
  });
  document.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "s") { ev.preventDefault(); save(); }
  });
  $("save").addEventListener("click", save);
  $("rule-filter").addEventListener("change", renderSample);
  $("try").addEventListener("input", () => explainSoon());
  await openFile(info.main);
  await analyse();
}

start().catch((err) => setStatus(`cannot start: ${err.message}`, true));
