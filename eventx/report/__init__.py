"""``eventx report``: one self-contained HTML file — charts and a filterable document view.

Self-contained means offline-safe: CSS, JS and the SVG charts are inline, nothing is fetched,
and a Content-Security-Policy forbids any load and any script but the report's own (by hash).

Text safety, by construction rather than by care at each call site:

* What Python writes as HTML (header, chart labels) goes through :func:`html.escape`.
* Document text and event data are embedded once as JSON in a
  ``<script type="application/json">`` block, with ``<``, ``>`` and ``&`` written as
  ``\\u003c``/``\\u003e``/``\\u0026`` so no ``</script>`` can end the block; the report's
  script builds the document view with ``textContent`` and never parses data as HTML.
* The CSP hash means that even a markup injection that slipped through would not run.

Highlights are cut in Python (:func:`segments`), where event offsets are defined (Python
string indices; JavaScript counts UTF-16 units, which differ on characters outside the BMP).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from typing import Any

from eventx.errors import InputError
from eventx.io.eventlog import DocInfo, iter_events
from eventx.report.charts import bar_chart, bucket_of, date_buckets, legend, time_chart
from eventx.stats import TOP, EventStats, ProblemHandler, TypeLookup, compute_stats, corpus_documents, log_documents

__all__ = ["ReportSummary", "build_report", "report_from_log", "segments"]

MAX_DOCS = 200  # documents in the document view; the charts always count every event
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac")
MODALITIES = ("asserted", "negated", "possible", "hypothetical")
_PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")


@dataclass(frozen=True, slots=True)
class ReportSummary:
    path: str
    events: int
    documents_with_events: int
    documents_shown: int
    with_text: int  # documents shown with their full text (from --corpus)


def type_colours(types: Iterable[str]) -> dict[str, str]:
    """A colour per event type, stable for the same set of types (sorted, then the palette)."""
    return {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(sorted(set(types)))}


def segments(text: str, spans: Sequence[tuple[int, int, int]]) -> list[list[Any]]:
    """Cut ``text`` at every span boundary: ``[[piece, [ids of the spans covering it]], ...]``.

    ``spans`` are ``(start, end, id)`` within ``text``; covering ids are listed outermost
    (longest span) first, so that nesting one mark per id gives valid, consistent HTML.
    """
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    order = sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0], s[2]))
    pieces: list[list[Any]] = []
    for start, end in zip(cuts, cuts[1:]):
        if start < end:
            pieces.append([text[start:end], [i for s, e, i in order if s <= start and end <= e]])
    return pieces


def _parts(event: Mapping[str, Any]) -> Iterable[tuple[str, str | None, Any]]:
    """(kind, role, part) of what an event marks in the text: trigger, arguments, attribution."""
    yield "trigger", None, event.get("trigger")
    for role, arg in (event.get("args") or {}).items():
        yield "arg", role, arg
    yield "attribution", None, event.get("attribution")


def _located(part: Any, text: str, base: int) -> tuple[int, int] | None:
    """``part``'s offsets relative to ``text`` (which starts at ``base``), if they fit it."""
    if not isinstance(part, Mapping):
        return None
    start, end = part.get("start"), part.get("end")
    if not (isinstance(start, int) and isinstance(end, int) and base <= start < end <= base + len(text)):
        return None
    start, end = start - base, end - base
    written = part.get("text")
    if isinstance(written, str) and text[start:end] != written:
        return None
    return start, end


def _arg_detail(arg: Mapping[str, Any]) -> str:
    """What normalisation made of an argument: its norm, or value and qualifier."""
    if arg.get("norm") is not None:
        return str(arg["norm"])
    if arg.get("value") is not None:
        qualifier = arg.get("qualifier")
        return f"{arg['value']}" + (f" ({qualifier})" if qualifier and qualifier != "exact" else "")
    return ""


def _text_of(part: Any) -> str | None:
    return part.get("text") if isinstance(part, Mapping) and isinstance(part.get("text"), str) else None


class _View:
    """The document view's data: events, and per document its highlighted text or snippets."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.docs: list[dict[str, Any]] = []

    def add_document(self, doc_id: str, events: list[Mapping[str, Any]], info: DocInfo | None, text: str | None) -> None:
        anns: list[list[Any]] = []  # [event index, kind, role]
        doc_spans: list[tuple[int, int, int]] = []
        keys = []
        for event in events:
            k = len(self.events)
            keys.append(k)
            view = {
                "type": event["type"],
                "modality": event.get("modality") or "unknown",
                "rule": event.get("rule") or "",
                "trigger": _text_of(event.get("trigger")) or "",
                "args": [[role, _text_of(arg) or "", _arg_detail(arg) if isinstance(arg, Mapping) else ""]
                         for role, arg in (event.get("args") or {}).items()],
                "attribution": _text_of(event.get("attribution")),
                "snippet": None,
                "misplaced": False,
            }
            # With the document text, marks go into it; without, into the event's span text.
            span: Mapping[str, Any] = event.get("span") if isinstance(event.get("span"), Mapping) else {}  # type: ignore[assignment]
            shown, base = (text, 0) if text is not None else (_text_of(span), span.get("start"))
            local: list[tuple[int, int, int]] = []
            if shown is not None and isinstance(base, int):
                for kind, role, part in _parts(event):
                    where = _located(part, shown, base)
                    if where is None:
                        # an attribution outside the span (or without offsets, from CSV/SQLite) is normal
                        view["misplaced"] |= part is not None and kind != "attribution"
                        continue
                    anns.append([k, kind, role])
                    local.append((*where, len(anns) - 1))
            else:
                view["misplaced"] = text is not None
            if text is None:
                view["snippet"] = segments(shown, local) if shown is not None else None
            else:
                doc_spans += local
            self.events.append(view)
        self.docs.append({
            "id": doc_id,
            "date": info.date if info else None,
            "title": info.title if info else None,
            "segments": segments(text, doc_spans) if text is not None else None,
            "anns": anns,
            "events": keys,
        })


def _json_block(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&`` left raw
    (they only occur inside strings, where ``\\u003c`` etc. mean the same)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _asset(name: str) -> str:
    return files("eventx.report").joinpath("assets", name).read_text(encoding="utf-8")


def build_report(
    events: Sequence[Mapping[str, Any]],
    *,
    documents: Mapping[str, DocInfo] | None = None,
    texts: Mapping[str, str] | None = None,
    source: str = "",
    title: str | None = None,
    max_docs: int = MAX_DOCS,
    top: int = TOP,
    types: TypeLookup | None = None,
) -> str:
    """The report as one HTML string.

    ``documents`` gives document dates (the time chart) and titles; ``texts`` full texts for
    the document view (else each event shows its span). The first ``max_docs`` documents
    with events (in log order) are in the document view.
    """
    documents = documents or {}
    texts = texts or {}
    stats = compute_stats(events, documents, source=source, types=types)
    event_types = sorted(stats.by_type)
    colours = type_colours(event_types)

    by_doc: dict[str, list[Mapping[str, Any]]] = {}
    for event in events:
        by_doc.setdefault(event["doc_id"], []).append(event)
    view = _View()
    for doc_id in list(by_doc)[:max_docs]:
        view.add_document(doc_id, by_doc[doc_id], documents.get(doc_id), texts.get(doc_id))

    granularity, buckets = date_buckets(stats.doc_dates)
    per_bucket: Counter = Counter()
    for event in events:
        info = documents.get(event["doc_id"])
        bucket = bucket_of(info.date, granularity) if info and info.date else None
        if bucket is not None:
            per_bucket[(bucket, event["type"])] += 1
    undated = f"; {stats.undated} events without a document date" if stats.undated and buckets else ""
    modalities = [m for m in MODALITIES if m in stats.by_modality] + sorted(set(stats.by_modality) - set(MODALITIES))
    charts = [
        _figure("Events by type", bar_chart("Events by type", sorted(stats.by_type.items(), key=lambda i: (-i[1], i[0])), colours=colours, kind="types")),
        _figure("Modality", bar_chart("Modality", [(m, stats.by_modality[m]) for m in modalities], kind="modality")),
        _figure(
            f"Events over time (by document date, per {granularity}{undated})" if buckets else "Events over time",
            time_chart("Events over time", buckets, per_bucket, event_types, colours, granularity) + legend(event_types, colours)
            if buckets else '<p class="empty">No document dates: a SQLite log, or --corpus with dated documents, gives them.</p>',
            wide=True,
        ),
        _figure(f"Top {top} actors", bar_chart("Top actors", [(a, n) for a, n in _ranked(stats.actors, top)], kind="actors")),
        _figure(f"Top {top} places", bar_chart("Top places", [(p, n) for p, n in _ranked(stats.places, top)], kind="places")),
    ]
    data = {
        "types": event_types,
        "modalities": modalities,
        "events": view.events,
        "docs": view.docs,
        "documentsWithEvents": len(by_doc),
    }
    title = title or (f"eventx report: {os.path.basename(source)}" if source else "eventx report")
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    values = {
        "title": escape(title),
        "csp": escape(
            f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:;"
            " base-uri 'none'; form-action 'none'"
        ),
        "css": _asset("report.css"),
        "type_css": "".join(f".t{i}{{--c:{colours[t]};--cl:{colours[t]}38}}" for i, t in enumerate(event_types)),
        "summary": _summary(stats, len(by_doc), len(view.docs), source),
        "charts": "".join(charts),
        "data": _json_block(data),
        "js": script,
    }
    return _PLACEHOLDER.sub(lambda m: values[m[1]], _asset("report.html"))


def _ranked(counter: Counter, top: int) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda i: (-i[1], i[0]))[:top]


def _figure(caption: str, body: str, *, wide: bool = False) -> str:
    return f'<figure class="card{" wide" if wide else ""}"><figcaption>{escape(caption)}</figcaption>{body}</figure>'


def _summary(stats: EventStats, with_events: int, shown: int, source: str) -> str:
    known = f" of {stats.documents}" if stats.documents else ""
    parts = [
        f"<strong>{stats.events}</strong> events",
        f"<strong>{with_events}</strong>{escape(known)} documents with events",
        f"<strong>{len(stats.by_type)}</strong> types",
    ]
    if source:
        parts.append(f"from <code>{escape(source)}</code>")
    note = ""
    if shown < with_events:
        note = f'<p class="note">The document view shows the first {shown} of {with_events} documents with events; the charts count them all.</p>'
    if stats.unmatched:
        note += f'<p class="note warn">{stats.unmatched} events name documents that are not in the corpus given with --corpus.</p>'
    return f'<p class="summary">{" · ".join(parts)}</p>{note}'


def write_text_atomic(path: str, content: str) -> None:
    """Write ``content`` to ``path`` via a temporary file and a rename: never a half report."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise InputError(f"{path}: the output directory does not exist")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory")
    tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8", errors="replace") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise InputError(f"{path}: cannot write the report: {exc.strerror or exc}") from None


def report_from_log(
    path: str,
    output: str,
    fmt: str | None = None,
    corpus: Sequence[str] | None = None,
    *,
    title: str | None = None,
    max_docs: int = MAX_DOCS,
    top: int = TOP,
    types: TypeLookup | None = None,
    on_problem: ProblemHandler | None = None,
) -> ReportSummary:
    """Read the event log at ``path`` (and ``corpus``, for dates and texts) and write the report."""
    events = list(iter_events(path, fmt))
    if corpus:
        wanted = set(list(dict.fromkeys(e["doc_id"] for e in events))[:max_docs])  # texts of shown documents only
        documents, texts = corpus_documents(corpus, texts_for=wanted, on_problem=on_problem)
    else:
        documents, texts = log_documents(path, fmt), {}
    html = build_report(
        events, documents=documents, texts=texts, source=path, title=title, max_docs=max_docs, top=top, types=types
    )
    write_text_atomic(output, html)
    with_events = len({e["doc_id"] for e in events})
    shown = min(with_events, max_docs)
    return ReportSummary(output, len(events), with_events, shown, len(texts))
