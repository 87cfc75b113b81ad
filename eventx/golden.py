"""Golden event logs and inline rule examples: run, compare semantically, update.

Layout: a corpus is a folder with documents under ``docs/`` and golden logs
under ``golden/``; every input file ``docs/NAME.txt|.jsonl|.csv`` has one golden file
``golden/NAME.events.jsonl`` holding the events of all its documents. Golden files are
canonical JSONL — fixed key order, events sorted by document and position, volatile fields
(``rules_version``) dropped — so that their git diffs are readable and only real changes
rewrite them.

Comparison is semantic: events are paired by (document, type, trigger offsets), then their
fields are compared; volatile and derived fields (``rules_version``, ``id``) are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventx.io.eventlog import iter_events
from eventx.io.readers import ReadProblem, iter_corpus
from eventx.record import Event, EventLogError, canonical, dumps, sort_key

IGNORED_IN_DIFF = frozenset({"rules_version", "id"})
DOC_SUFFIXES = (".txt", ".jsonl", ".csv", ".txt.gz", ".jsonl.gz", ".csv.gz")


class GoldenFileError(EventLogError):
    """A golden file that is not a JSONL event log."""


def dumps_events(events: Iterable[Mapping[str, Any]]) -> bytes:
    """Canonical JSONL bytes for a list of events."""
    return b"".join(dumps(e) for e in sorted((canonical(e) for e in events), key=sort_key))


def load_events(path: Path) -> list[Event]:
    """The events of a golden file; GoldenFileError naming the file and line if it holds anything else."""
    try:
        return list(iter_events(str(path), "jsonl"))
    except EventLogError as err:
        raise GoldenFileError(f"golden file {err}") from None


# --- semantic diff ------------------------------------------------------------------------


@dataclass(slots=True)
class Change:
    field: str
    old: object
    new: object


@dataclass(slots=True)
class EventDiff:
    doc_id: str
    added: list[Mapping[str, Any]] = field(default_factory=list)
    removed: list[Mapping[str, Any]] = field(default_factory=list)
    changed: list[tuple[Mapping[str, Any], Mapping[str, Any], list[Change]]] = field(default_factory=list)
    #: added or removed events that are a mention of an event on the other side, by id():
    #: a record that merging folded into another (or that no longer is), not a lost event
    notes: dict[int, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _flatten(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, inner in value.items():
            if not prefix and key in IGNORED_IN_DIFF:
                continue
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: value}


def _mention_summary(mentions: object) -> list[str]:
    """A later-mentions list as short comparable lines (a missing list is an empty one, as in
    logs written before merging existed)."""
    if not isinstance(mentions, list):
        return []
    out = []
    for m in mentions:
        if not isinstance(m, dict):
            out.append(repr(m))
            continue
        trigger = m.get("trigger") or {}
        line = f"{m.get('rule')} {trigger.get('text')!r}@{trigger.get('start')} [{m.get('modality')}]"
        if m.get("contributed"):
            line += " gave " + ",".join(m["contributed"])
        out.append(line)
    return out


def compare_events(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    flat_old, flat_new = _flatten(old), _flatten(new)
    for flat in (flat_old, flat_new):
        flat["mentions"] = _mention_summary(flat.get("mentions"))
    return [
        Change(key, flat_old.get(key), flat_new.get(key))
        for key in sorted(set(flat_old) | set(flat_new))
        if flat_old.get(key) != flat_new.get(key)
    ]


def _pair_key(event: Mapping[str, Any]) -> tuple:
    return (event["type"], event["trigger"]["start"], event["trigger"]["end"])


def diff_events(expected: Iterable[Mapping[str, Any]], actual: Iterable[Mapping[str, Any]]) -> list[EventDiff]:
    """Per-document differences between two event logs (documents with none are left out)."""
    by_doc: dict[str, tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]] = {}
    for event in expected:
        by_doc.setdefault(event["doc_id"], ([], []))[0].append(event)
    for event in actual:
        by_doc.setdefault(event["doc_id"], ([], []))[1].append(event)
    diffs = []
    for doc_id in sorted(by_doc):
        old_events, new_events = by_doc[doc_id]
        diff = EventDiff(doc_id)
        unmatched: dict[tuple, list[Mapping[str, Any]]] = {}
        for event in old_events:
            unmatched.setdefault(_pair_key(event), []).append(event)
        for event in sorted(new_events, key=sort_key):
            candidates = unmatched.get(_pair_key(event))
            if candidates:
                old = candidates.pop(0)
                changes = compare_events(old, event)
                if changes:
                    diff.changed.append((old, event, changes))
            else:
                diff.added.append(event)
        diff.removed = sorted((e for events in unmatched.values() for e in events), key=sort_key)
        _note_mentions(diff, diff.removed, new_events, "now a mention of")
        _note_mentions(diff, diff.added, old_events, "was a mention of")
        if not diff.empty:
            diffs.append(diff)
    return diffs


def _note_mentions(diff: EventDiff, events: list[Mapping[str, Any]], others: list[Mapping[str, Any]], label: str) -> None:
    """Note the ``events`` that appear as a later mention of one of ``others``."""
    hosts: dict[tuple, Mapping[str, Any]] = {}
    for other in others:
        for mention in other.get("mentions") or ():
            trigger = mention.get("trigger") or {}
            hosts.setdefault((other["type"], trigger.get("start"), trigger.get("end")), other)
    for event in events:
        host = hosts.get(_pair_key(event))
        if host is not None:
            diff.notes[id(event)] = f"{label} {host['type']} {host['trigger']['text']!r}@{host['trigger']['start']}"


def describe_event(event: Mapping[str, Any]) -> str:
    args = ", ".join(f"{role}={arg['text']!r}" for role, arg in event.get("args", {}).items())
    mentions = len(event.get("mentions") or ())
    return (
        f"{event['type']} {event['trigger']['text']!r}@{event['trigger']['start']} "
        f"[{event.get('modality')}] ({event['rule']})" + (f" {args}" if args else "")
        + (f" +{mentions} mention{'s' if mentions > 1 else ''}" if mentions else "")
    )


def render_diff(diff: EventDiff) -> list[tuple[str, str]]:
    """Lines of a readable diff, each with a style name: "added", "removed", "changed" or ""."""
    lines: list[tuple[str, str]] = [(f"document {diff.doc_id}:", "")]
    for event in diff.removed:
        note = diff.notes.get(id(event))
        lines.append((f"  - missing  {describe_event(event)}" + (f" ({note})" if note else ""), "removed"))
    for event in diff.added:
        note = diff.notes.get(id(event))
        lines.append((f"  + new      {describe_event(event)}" + (f" ({note})" if note else ""), "added"))
    for old, _new, changes in diff.changed:
        lines.append((f"  ~ changed  {describe_event(old)}", "changed"))
        for change in changes:
            lines.append((f"      {change.field}: {change.old!r} -> {change.new!r}", "changed"))
    return lines


def counts_by_type(old: Iterable[Mapping[str, Any]], new: Iterable[Mapping[str, Any]], diffs: Iterable[EventDiff]) -> dict[str, dict[str, int]]:
    """Per event type: events in each log, and how many were added, removed and changed."""
    columns = ("old", "new", "added", "removed", "changed")
    table: dict[str, dict[str, int]] = {}

    def count(event_type: str, column: str) -> None:
        table.setdefault(event_type, dict.fromkeys(columns, 0))[column] += 1

    for event in old:
        count(event["type"], "old")
    for event in new:
        count(event["type"], "new")
    for diff in diffs:
        for event in diff.added:
            count(event["type"], "added")
        for event in diff.removed:
            count(event["type"], "removed")
        for before, _after, _changes in diff.changed:
            count(before["type"], "changed")
    return dict(sorted(table.items()))


def diff_to_dict(diff: EventDiff) -> dict[str, Any]:
    """One document's differences as JSON-ready data (``eventx diff --json``)."""

    def noted(event: Mapping[str, Any]) -> dict[str, Any]:
        note = diff.notes.get(id(event))
        return {"event": event, **({"note": note} if note else {})}

    return {
        "doc_id": diff.doc_id,
        "removed": [noted(e) for e in diff.removed],
        "added": [noted(e) for e in diff.added],
        "changed": [
            {"old": old, "new": new, "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in changes]}
            for old, new, changes in diff.changed
        ],
    }


# --- golden corpora ----------------------------------------------------------------------


@dataclass(slots=True)
class GoldenCase:
    """One input file of a corpus and its golden file."""

    input: Path
    golden: Path

    @property
    def name(self) -> str:
        return str(self.input)


def golden_path_for(input_file: Path) -> Path:
    corpus = input_file.parent
    while corpus.name != "docs" and corpus.parent != corpus:
        corpus = corpus.parent
    relative = input_file.relative_to(corpus)
    stem = str(relative)
    for suffix in DOC_SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return corpus.parent / "golden" / f"{stem}.events.jsonl"


def find_golden_cases(paths: Iterable[Path]) -> list[GoldenCase]:
    """Every document file under a ``docs/`` folder below ``paths`` (or a corpus folder itself)."""
    cases: list[GoldenCase] = []
    for path in paths:
        path = Path(path)
        if path.is_file():
            if path.parent.name == "docs" or "docs" in path.parts:
                cases.append(GoldenCase(path, golden_path_for(path)))
            continue
        for docs in sorted(p for p in path.rglob("docs") if p.is_dir()):
            for file in sorted(docs.rglob("*")):
                if file.is_file() and file.name.endswith(DOC_SUFFIXES) and not file.name.startswith("."):
                    cases.append(GoldenCase(file, golden_path_for(file)))
    return cases


@dataclass(slots=True)
class CaseResult:
    case: GoldenCase
    actual: list[Mapping[str, Any]]
    diffs: list[EventDiff]
    missing_golden: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.diffs and not self.missing_golden and not self.problems


def run_case(case: GoldenCase, extractor) -> CaseResult:
    """Extract events from one golden input file and compare with its golden file."""
    actual: list[Mapping[str, Any]] = []
    problems: list[str] = []
    for item in iter_corpus([str(case.input)]):
        if isinstance(item, ReadProblem):
            problems.append(item.error)
            continue
        actual.extend(canonical(e) for e in extractor.extract(item))
    if not case.golden.exists():
        return CaseResult(case, actual, [], missing_golden=True, problems=problems)
    expected = load_events(case.golden)
    return CaseResult(case, actual, diff_events(expected, actual), problems=problems)


def write_golden(result: CaseResult) -> bool:
    """Rewrite the golden file if its content would change; return whether it did."""
    content = dumps_events(result.actual)
    golden = result.case.golden
    if golden.exists() and golden.read_bytes() == content:
        return False
    golden.parent.mkdir(parents=True, exist_ok=True)
    golden.write_bytes(content)
    return True
