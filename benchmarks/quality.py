#!/usr/bin/env python
"""Extraction quality of the rule pack on the labelled data in ``../shared/data/``.

Usage (from the repository root)::

    .venv/bin/python benchmarks/quality.py                  # print the tables
    .venv/bin/python benchmarks/quality.py --write-readme   # ... and update benchmarks/README.md
    .venv/bin/python benchmarks/quality.py --errors deployment [--dataset agnews]
    .venv/bin/python benchmarks/quality.py --data DIR --rules rules/

Data sets (each skipped with a message when its files are absent):

- ``agnews/dev_gold.jsonl``: documents labelled completely for the three core types. The
  extractor runs on the labelled documents of ``agnews/corpus.jsonl``; a prediction matches a
  gold event of the same document with the same type and an overlapping trigger span,
  one-to-one. Precision counts predictions on the labelled documents only.
- ``bbc/dev_gold.jsonl``: labelled sentence windows. Only predictions whose trigger lies inside
  a labelled window count; matching is as above, within the window.
- ``modern/dev_gold.jsonl``: modern web news passages (2010s-2020s), each labelled completely;
  scored per passage exactly as AG News (overlapping triggers, one-to-one).
- ``plover_gsr/dev.jsonl`` and ``plovigy_petrarch2/dev.jsonl``: sentence-level labels. A
  labelled type is found when a core-type event is predicted in the sentence whose type is in
  the line's ``label_scope`` (``deployment|alert_status`` for PLOVER MOBILIZE) or, without a
  scope, equals the label; a predicted type that no label of the line covers is a false
  positive. plovigy is machine-coded, upper-case PTB text: indicative only.
- The golden corpora under ``corpora/``: ``eventx test`` pass/fail counts (golden logs and the
  inline rule examples).

On matched pairs the script reports modality accuracy and, per argument role, how many gold
arguments the prediction has with the same role and an overlapping span.

Halves: every span-scored set is split in two by a hash of the document id (half A when the
last hex digit of its SHA-1 is even, else B; for ``modern`` the id of the source page, so that
passages of one page stay together). Rules are tuned on half A only; half B shows whether a
change generalises. ``--half A`` restricts scoring and ``--errors`` to one half.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parent.parent
# ../shared/data beside the checkout, or beside a folder holding it (a git worktree in wt/)
DEFAULT_DATA = next(
    (p / "shared" / "data" for p in REPO.parents if (p / "shared" / "data").is_dir()), REPO.parent / "shared" / "data"
)
README = REPO / "benchmarks" / "README.md"
START_MARK, END_MARK = "<!-- quality:start -->", "<!-- quality:end -->"
CORE_TYPES = ("deployment", "evacuation_order", "alert_status")


# ---- records ------------------------------------------------------------------------------


@dataclass(slots=True)
class Ev:
    """An event reduced to what scoring needs (gold or predicted)."""

    type: str
    trigger: tuple[int, int]
    modality: str | None = None
    args: dict[str, tuple[int, int]] = field(default_factory=dict)
    text: str = ""  # trigger text
    rule: str | None = None
    mentions: tuple[tuple[int, int], ...] = ()  # triggers of the later mentions merged into it


@dataclass(slots=True)
class Unit:
    """A span-scored unit: one labelled document or one labelled window of a document."""

    key: str
    text: str  # the document text (offsets index into it)
    window: tuple[int, int] | None
    gold: list[Ev]
    pred: list[Ev]
    half: str = "A"  # development half: see :func:`half_of`


def half_of(key: str) -> str:
    """The development half of a document: "A" when the last hex digit of SHA-1(key) is even."""
    return "A" if int(hashlib.sha1(key.encode("utf-8")).hexdigest()[-1], 16) % 2 == 0 else "B"


@dataclass(slots=True)
class SentenceUnit:
    """A sentence-scored unit: gold types, the types that count as hits, predicted types.

    ``labelled`` are the types the source labels at all (predictions of other types are
    neither right nor wrong there: PLOVER and plovigy have no evacuation label).
    """

    key: str
    text: str
    labels: list[str]
    scope: frozenset[str]
    pred: list[Ev]
    labelled: frozenset[str] = frozenset(CORE_TYPES)


def gold_event(raw: dict) -> Ev:
    return Ev(
        type=raw["type"],
        trigger=(raw["trigger"][0], raw["trigger"][1]),
        modality=raw.get("modality"),
        args={role: (a["span"][0], a["span"][1]) for role, a in (raw.get("args") or {}).items()},
        text=raw.get("trigger_text", ""),
    )


def predicted_event(record: dict) -> Ev:
    return Ev(
        type=record["type"],
        trigger=(record["trigger"]["start"], record["trigger"]["end"]),
        modality=record.get("modality"),
        args={role: (a["start"], a["end"]) for role, a in record["args"].items()},
        text=record["trigger"]["text"],
        rule=record.get("rule"),
        mentions=tuple((m["trigger"]["start"], m["trigger"]["end"]) for m in record.get("mentions") or ()),
    )


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _norm_text(text: str) -> str:
    words = text.lower().split()
    while words and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)


def same_argument(text: str, gold: tuple[int, int], pred: tuple[int, int] | None) -> bool:
    """Whether a predicted argument agrees with a gold one: overlapping spans, or the same
    words elsewhere in the text (gold arguments mark the entity's first occurrence, a rule may
    take a later one: "Iraq" in the headline vs "Iraq" in the lead)."""
    if pred is None:
        return False
    if overlaps(gold, pred):
        return True
    return bool(text) and _norm_text(text[gold[0] : gold[1]]) == _norm_text(text[pred[0] : pred[1]])


# ---- matching and scores ------------------------------------------------------------------


def match_events(gold: Sequence[Ev], pred: Sequence[Ev]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, pred index): same type and overlapping triggers.

    A merged prediction (one record per event, its later mentions in ``mentions``) has the
    trigger of its first mention, the gold that of the first *clear* mention (GUIDELINES,
    "Spans"); when the two differ it matches through the mention the gold labels. Its own
    trigger is preferred: candidates through a later mention come after all direct ones.

    Greedy on the best candidates first (direct before through a mention, largest trigger
    overlap, then nearest start, then text order), which is deterministic and optimal
    whenever a trigger overlaps at most one trigger of the other side, the normal case.
    """
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if g.type != p.type:
                continue
            for via, trigger in enumerate((p.trigger, *p.mentions)):
                if overlaps(g.trigger, trigger):
                    inter = min(g.trigger[1], trigger[1]) - max(g.trigger[0], trigger[0])
                    candidates.append((via > 0, -inter, abs(g.trigger[0] - trigger[0]), gi, pi))
                    break
    used_g, used_p, pairs = set(), set(), []
    for _, _, _, gi, pi in sorted(candidates):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return sorted(pairs)


@dataclass
class Scores:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    modality_ok: Counter = field(default_factory=Counter)
    modality_n: Counter = field(default_factory=Counter)
    arg_ok: Counter = field(default_factory=Counter)
    arg_n: Counter = field(default_factory=Counter)
    remention: Counter = field(default_factory=Counter)  # false positives that are probable re-mentions
    via_mention: Counter = field(default_factory=Counter)  # matches through a later mention's trigger
    units: int = 0
    has_modality: bool = True

    def merged_precision(self, t: str | None = None) -> float:
        """Precision when probable re-mentions (see :func:`is_remention`) are not counted."""
        types = [t] if t else list(CORE_TYPES)
        tp = sum(self.tp[x] for x in types)
        fp = sum(self.fp[x] - self.remention[x] for x in types)
        return tp / (tp + fp) if tp + fp else 0.0

    def prf(self, t: str | None = None) -> tuple[int, int, int, float, float, float]:
        """(gold, predicted, matched, precision, recall, F1) of one type or of all."""
        types = [t] if t else list(CORE_TYPES)
        tp = sum(self.tp[x] for x in types)
        fp = sum(self.fp[x] for x in types)
        fn = sum(self.fn[x] for x in types)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return tp + fn, tp + fp, tp, p, r, f


def counted_predictions(unit: Unit) -> list[Ev]:
    """Core-type predictions that count: all of a document, or those with a mention (the
    trigger or a later mention's) inside the window."""
    preds = [p for p in unit.pred if p.type in CORE_TYPES]
    if unit.window is not None:
        s, e = unit.window
        preds = [p for p in preds if any(s <= t[0] and t[1] <= e for t in (p.trigger, *p.mentions))]
    return preds


def score_units(units: Iterable[Unit]) -> Scores:
    scores = Scores()
    for unit in units:
        scores.units += 1
        gold = [g for g in unit.gold if g.type in CORE_TYPES]
        pred = counted_predictions(unit)
        pairs = match_events(gold, pred)
        matched_g = {gi for gi, _ in pairs}
        matched_p = {pi for _, pi in pairs}
        for gi, pi in pairs:
            g, p = gold[gi], pred[pi]
            scores.tp[g.type] += 1
            scores.via_mention[g.type] += not overlaps(g.trigger, p.trigger)
            if g.modality is not None:
                scores.modality_n[g.type] += 1
                scores.modality_ok[g.type] += g.modality == p.modality
            for role, span in g.args.items():
                scores.arg_n[role] += 1
                scores.arg_ok[role] += same_argument(unit.text, span, p.args.get(role))
        for gi, g in enumerate(gold):
            if gi not in matched_g:
                scores.fn[g.type] += 1
        for pi, p in enumerate(pred):
            if pi not in matched_p:
                scores.fp[p.type] += 1
                scores.remention[p.type] += is_remention(gold, matched_g, p.type)
    return scores


def is_remention(unit_gold: Sequence[Ev], matched_g: set[int], event_type: str) -> bool:
    """Whether an unmatched prediction of ``event_type`` is a probable re-mention: its unit has
    gold events of that type and every one of them is matched by another prediction.

    The labels follow "one event per real-world event per document" (a headline and a lead
    describing the same event are one event), while eventx extracts every mention; such a
    prediction is a false positive by the official scoring, but usually the same event again.
    """
    same = [gi for gi, g in enumerate(unit_gold) if g.type == event_type]
    return bool(same) and all(gi in matched_g for gi in same)


def sentence_outcome(unit: SentenceUnit) -> tuple[list[str], list[str], list[str]]:
    """(found labels, missed labels, false-positive types) of one sentence-labelled unit."""
    predicted = {p.type for p in unit.pred if p.type in CORE_TYPES and p.type in unit.labelled}
    found, missed = [], []
    for label in unit.labels:
        ok = predicted & (unit.scope or {label})
        (found if ok else missed).append(label)
    covered = set(unit.scope) | set(unit.labels)
    false_pos = sorted(t for t in predicted if t not in covered)
    return found, missed, false_pos


def score_sentences(units: Iterable[SentenceUnit]) -> Scores:
    scores = Scores(has_modality=False)
    for unit in units:
        scores.units += 1
        found, missed, false_pos = sentence_outcome(unit)
        for t in found:
            scores.tp[t] += 1
        for t in missed:
            scores.fn[t] += 1
        for t in false_pos:
            scores.fp[t] += 1
    return scores


# ---- data sets ----------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    with path.open("rb") as fh:
        return [orjson.loads(line) for line in fh if line.strip()]


def read_corpus(path: Path, ids: set[str]) -> dict[str, dict]:
    out = {}
    with path.open("rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = orjson.loads(line)
            if row["id"] in ids:
                out[row["id"]] = row
    return out


class Runner:
    """Runs the extractor, caching documents by (id, text)."""

    def __init__(self, rules: Path | None, *, merge_mentions: bool = True):
        from eventx.api import Extractor

        self.extractor = Extractor(rules, time_budget=None, merge_mentions=merge_mentions)
        self.cache: dict[tuple[str, str], list[Ev]] = {}

    def events(self, doc_id: str, text: str) -> list[Ev]:
        from eventx.text.model import Document

        key = (doc_id, text)
        if key not in self.cache:
            self.cache[key] = [predicted_event(r) for r in self.extractor.extract(Document(id=doc_id, text=text))]
        return self.cache[key]


def load_labelled(data: Path, source: str, runner: Runner) -> list[Unit] | str:
    """Units of ``source``'s dev_gold.jsonl: whole documents (agnews, modern passages) or
    labelled windows of them (bbc, whose rows carry a ``window``). A unit's half is that of its
    document, or of its source page when the corpus row names one (modern)."""
    gold_path, corpus_path = data / source / "dev_gold.jsonl", data / source / "corpus.jsonl"
    if not gold_path.exists() or not corpus_path.exists():
        return f"skipped: {gold_path} or {corpus_path} not found"
    rows = read_jsonl(gold_path)
    docs = read_corpus(corpus_path, {r["doc_id"] for r in rows})
    units = []
    for row in rows:
        text = docs[row["doc_id"]]["text"]
        window = (row["window"][0], row["window"][1]) if "window" in row else None
        key = row["doc_id"] if window is None else f"{row['doc_id']}@{window[0]}-{window[1]}"
        half = half_of(docs[row["doc_id"]].get("source") or row["doc_id"])
        gold = [gold_event(e) for e in row["events"]]
        units.append(Unit(key, text, window, gold, runner.events(row["doc_id"], text), half))
    return units


# the core types each sentence-level source labels (see its README): neither has evacuations
SENTENCE_LABELLED = frozenset({"deployment", "alert_status"})


def load_sentences(path: Path, runner: Runner, labelled: frozenset[str] = SENTENCE_LABELLED) -> list[SentenceUnit] | str:
    if not path.exists():
        return f"skipped: {path} not found"
    units = []
    for row in read_jsonl(path):
        scope = frozenset(s for s in (row.get("label_scope") or "").split("|") if s)
        events = runner.events(row["id"], row["text"])
        units.append(SentenceUnit(row["id"], row["text"], list(row["labels"]), scope, events, labelled))
    return units


def golden_counts(rules: Path | None) -> dict | str:
    """``eventx test`` results: golden documents passing/failing per corpus, and rule examples."""
    corpora = REPO / "corpora"
    if not corpora.exists():
        return f"skipped: {corpora} not found"
    from eventx.api import Extractor
    from eventx.testing.runner import run_suite

    extractor = Extractor(rules)
    per_corpus = {}
    for corpus in sorted(p for p in corpora.iterdir() if (p / "docs").is_dir()):
        suite = run_suite([corpus], extractor)
        per_corpus[corpus.name] = (sum(c.passed for c in suite.cases), sum(not c.passed for c in suite.cases))
    examples = run_suite([rules or REPO / "rules"], extractor)
    return {
        "corpora": per_corpus,
        "examples_passed": sum(r.status == "passed" for r in examples.examples),
        "examples_failed": sum(r.status == "failed" for r in examples.examples),
        "examples_todo": sum(r.todo for r in examples.examples),
    }


# ---- tables -------------------------------------------------------------------------------


def _pct(ok: int, n: int) -> str:
    return f"{ok / n:.2f} ({ok}/{n})" if n else "–"


def prf_table(scores: Scores, labelled: frozenset[str] = frozenset(CORE_TYPES)) -> list[str]:
    head = "| type | gold | pred | matched | precision | recall | F1 |"
    if scores.has_modality:
        head += " modality | FP re-mentions | P w/o re-mentions |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for t in (*CORE_TYPES, None):
        gold, pred, tp, p, r, f = scores.prf(t)
        name = t or "**overall**"
        if t is not None and t not in labelled:
            lines.append(f"| {name} | not labelled in this source |" + " |" * (head.count("|") - 3))
            continue
        if gold == 0 and pred == 0:
            row = f"| {name} | 0 | 0 | 0 | – | – | – |" + (" – | – | – |" if scores.has_modality else "")
            lines.append(row)
            continue
        row = f"| {name} | {gold} | {pred} | {tp} | {p:.2f} | {r:.2f} | {f:.2f} |"
        if scores.has_modality:
            types = [t] if t else list(CORE_TYPES)
            rem = sum(scores.remention[x] for x in types)
            row += f" {_pct(sum(scores.modality_ok[x] for x in types), sum(scores.modality_n[x] for x in types))} |"
            row += f" {rem} | {scores.merged_precision(t):.2f} |"
        lines.append(row)
    return lines


def args_table(scores: Scores) -> list[str]:
    if not scores.arg_n:
        return []
    cells = ", ".join(f"{role} {_pct(scores.arg_ok[role], scores.arg_n[role])}" for role in sorted(scores.arg_n))
    lines = [f"Arguments on matched events (same role, overlapping span or same words): {cells}."]
    via = sum(scores.via_mention.values())
    if via:
        lines.append(
            f"Matched through a later mention's trigger (the gold labels another mention of the event "
            f"than the first, which the merged record keeps): {via} of {sum(scores.tp.values())}."
        )
    return lines


# issue 4 targets on AG News dev: F1 per type, precision per type, modality on matched events
TARGET_F1, TARGET_P, TARGET_MODALITY = 0.80, 0.85, 0.90


def targets_line(scores: Scores) -> str:
    """Which targets hold, strictly and with probable re-mentions left out of precision."""

    def check(merged: bool) -> list[str]:
        failed = []
        for t in CORE_TYPES:
            _, _, _, p, r, f = scores.prf(t)
            if merged:
                p = scores.merged_precision(t)
                f = 2 * p * r / (p + r) if p + r else 0.0
            if f < TARGET_F1:
                failed.append(f"F1 {t} {f:.2f}")
            if p < TARGET_P:
                failed.append(f"P {t} {p:.2f}")
        n = sum(scores.modality_n.values())
        if n and sum(scores.modality_ok.values()) / n < TARGET_MODALITY:
            failed.append("modality")
        return failed

    parts = []
    for label, merged in (("strict scoring", False), ("re-mentions left out", True)):
        failed = check(merged)
        parts.append(f"{label}: " + ("all met" if not failed else "missed " + ", ".join(failed)))
    return (
        f"Targets (F1 ≥ {TARGET_F1:.2f} and precision ≥ {TARGET_P:.2f} per type, modality ≥ "
        f"{TARGET_MODALITY:.0%} of matched events) — " + "; ".join(parts) + "."
    )


def _f1_cell(scores: Scores, t: str | None) -> str:
    gold, pred, _, p, r, f = scores.prf(t)
    if gold == 0 and pred == 0:
        return "–"
    return f"{f:.2f} ({p:.2f}/{r:.2f}, {gold})"


def _overall_cells(scores: Scores) -> tuple[str, str]:
    """Modality accuracy and argument hits over all matched events."""
    mod = _pct(sum(scores.modality_ok.values()), sum(scores.modality_n.values()))
    args = _pct(sum(scores.arg_ok.values()), sum(scores.arg_n.values()))
    return mod, args


HALVES_HEAD = [
    "| set | half | units | deployment F1 (P/R, gold) | evacuation_order F1 | alert_status F1 | overall F1 | modality | argument hits |",
    "|---|---|---|---|---|---|---|---|---|",
]


def halves_rows(name: str, units: list[Unit]) -> list[str]:
    """One row per development half (A, B) and one for the whole set."""
    rows = []
    for half in ("A", "B", "all"):
        part = [u for u in units if half in ("all", u.half)]
        if not part:
            continue
        scores = score_units(part)
        mod, args = _overall_cells(scores)
        cells = " | ".join(_f1_cell(scores, t) for t in (*CORE_TYPES, None))
        label = f"**{half}**" if half == "all" else half
        rows.append(f"| {name} | {label} | {scores.units} | {cells} | {mod} | {args} |")
    return rows


def halves_table(loaded: dict[str, object]) -> list[str]:
    """The per-half summary of every span-scored set (empty when none was loaded)."""
    rows = []
    for name, units in loaded.items():
        if isinstance(units, list) and units and isinstance(units[0], Unit):
            rows.extend(halves_rows(name, units))
    if not rows:
        return []
    return [
        "**Development halves** (A = tuned on, B = checked: SHA-1 of the document id, or of the "
        "source page for `modern`, last hex digit even = A; F1 with precision/recall and the gold count)",
        "",
        *HALVES_HEAD,
        *rows,
        "",
    ]


def render(results: dict[str, tuple[str, object]], golden: dict | str, halves: list[str] | None = None) -> list[str]:
    out: list[str] = list(halves or [])
    for name, (title, res) in results.items():
        out.append(f"**{title}**")
        out.append("")
        if isinstance(res, str):
            out.append(res)
        else:
            out.extend(prf_table(res, SENTENCE_LABELLED if not res.has_modality else frozenset(CORE_TYPES)))
            extra = args_table(res)
            if extra:
                out.append("")
                out.extend(extra)
            if name == "agnews":
                out.append("")
                out.append(targets_line(res))
        out.append("")
    out.append("**Golden corpora (`eventx test`)**")
    out.append("")
    if isinstance(golden, str):
        out.append(golden)
    else:
        out.append("| corpus | golden documents passing | failing |")
        out.append("|---|---|---|")
        for name, (ok, bad) in golden["corpora"].items():
            out.append(f"| corpora/{name} | {ok} | {bad} |")
        out.append("")
        out.append(
            f"Inline rule examples: {golden['examples_passed']} pass, {golden['examples_failed']} fail"
            + (f", {golden['examples_todo']} todo." if golden["examples_todo"] else ".")
        )
    out.append("")
    return out


# ---- error listing ------------------------------------------------------------------------


def _context(text: str, span: tuple[int, int], window: tuple[int, int] | None, width: int = 160) -> str:
    if window is not None:
        s, e = window
    else:
        s, e = max(0, span[0] - width), min(len(text), span[1] + width)
    snippet = text[s : span[0]] + "[[" + text[span[0] : span[1]] + "]]" + text[span[1] : e]
    return " ".join(snippet.split())


def _args_text(text: str, args: dict[str, tuple[int, int]]) -> str:
    return ", ".join(f"{r}={text[s:e]!r}" for r, (s, e) in sorted(args.items()))


def list_errors(units: list[Unit], wanted: str) -> list[str]:
    lines = []
    for unit in units:
        gold = [g for g in unit.gold if g.type in CORE_TYPES]
        pred = counted_predictions(unit)
        pairs = match_events(gold, pred)
        mg, mp = {gi for gi, _ in pairs}, {pi for _, pi in pairs}
        for pi, p in enumerate(pred):
            if pi not in mp and wanted in ("all", p.type):
                tag = "FP(re-mention?)" if is_remention(gold, mg, p.type) else "FP"
                lines.append(f"{tag} {unit.key} {p.type} [{p.modality}] {p.rule} {_args_text(unit.text, p.args)}")
                lines.append("   " + _context(unit.text, p.trigger, unit.window))
        for gi, g in enumerate(gold):
            if gi not in mg and wanted in ("all", g.type):
                lines.append(f"FN {unit.key} {g.type} [{g.modality}] {_args_text(unit.text, g.args)}")
                lines.append("   " + _context(unit.text, g.trigger, unit.window))
        for gi, pi in pairs:
            g, p = gold[gi], pred[pi]
            if wanted not in ("all", g.type):
                continue
            if g.modality is not None and g.modality != p.modality:
                lines.append(f"MOD {unit.key} {g.type} gold={g.modality} pred={p.modality} {p.rule}")
                lines.append("   " + _context(unit.text, p.trigger, unit.window))
            bad = [
                f"{role}: gold {unit.text[s:e]!r} pred "
                + (repr(unit.text[p.args[role][0] : p.args[role][1]]) if role in p.args else "-")
                for role, (s, e) in sorted(g.args.items())
                if not same_argument(unit.text, (s, e), p.args.get(role))
            ]
            if bad:
                lines.append(f"ARG {unit.key} {g.type} {p.rule} " + "; ".join(bad))
    return lines


def list_sentence_errors(units: list[SentenceUnit], wanted: str) -> list[str]:
    lines = []
    for unit in units:
        _, missed, false_pos = sentence_outcome(unit)
        for t in false_pos:
            if wanted in ("all", t):
                rules = ",".join(sorted({p.rule for p in unit.pred if p.type == t and p.rule}))
                lines.append(f"FP {unit.key} {t} {rules}\n   {unit.text}")
        for t in missed:
            if wanted in ("all", t):
                lines.append(f"FN {unit.key} {t}\n   {unit.text}")
    return lines


# ---- README -------------------------------------------------------------------------------


def git_version() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def replace_section(readme: str, section: str) -> str:
    """``readme`` with the text between the quality markers replaced (markers appended when absent)."""
    block = f"{START_MARK}\n{section.rstrip()}\n{END_MARK}"
    start, end = readme.find(START_MARK), readme.find(END_MARK)
    if start != -1 and end != -1 and end > start:
        return readme[:start] + block + readme[end + len(END_MARK) :]
    sep = "" if not readme or readme.endswith("\n\n") else ("\n" if readme.endswith("\n") else "\n\n")
    return readme + sep + block + "\n"


def readme_section(body: list[str]) -> str:
    today = _dt.date.today().isoformat()
    intro = [
        "## Quality",
        "",
        f"Measured by `benchmarks/quality.py` at commit `{git_version()}` on {today} "
        "(regenerate with `.venv/bin/python benchmarks/quality.py --write-readme`; list the errors "
        "of one type with `--errors TYPE`, of one half with `--half A`). Data: `../shared/data/` "
        "(development sets only). Only the three core types are scored; "
        "precision on AG News counts the labelled documents only, on BBC only predictions inside "
        "labelled windows. PLOVER and plovigy are sentence-level (a MOBILIZE line is a hit when "
        "deployment or alert_status is predicted); plovigy is machine-coded upper-case text, "
        "indicative only. Modality = share of matched events with the gold modality; arguments = "
        "share of the gold arguments of matched events that the prediction has with the same role "
        "and an overlapping span (or the same words at another mention: gold marks the first). "
        "Predictions are the merged event log `eventx run` writes (one record per event, later "
        "mentions in `mentions`; `--mentions separate` scores one record per sentence mention); "
        "a merged record matches a gold event through its trigger or a later mention's. "
        "FP re-mentions = false positives in a document (or window) where every gold event of "
        "that type is matched: mostly a repeated mention that was not merged (or, with "
        "`--mentions separate`, a lead repeating its headline); the last column leaves them out.",
        "",
    ]
    return "\n".join(intro + body)


# ---- main ---------------------------------------------------------------------------------

DATASETS = {
    "agnews": "AG News dev (`agnews/dev_gold.jsonl`, document level)",
    "bbc": "BBC dev (`bbc/dev_gold.jsonl`, labelled windows)",
    "modern": "Modern news dev (`modern/dev_gold.jsonl`, 2010s-2020s web passages, per passage)",
    "plover": "PLOVER GSR dev (`plover_gsr/dev.jsonl`, sentence level)",
    "plovigy": "plovigy PETRARCH-2 dev (`plovigy_petrarch2/dev.jsonl`, sentence level, machine-coded)",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled data root (default: ../shared/data)")
    parser.add_argument("--rules", type=Path, default=None, help="rule file or directory (default: the shipped pack)")
    parser.add_argument("--write-readme", action="store_true", help="write the tables into benchmarks/README.md")
    parser.add_argument("--errors", metavar="TYPE", help="list false positives/negatives of TYPE (or 'all')")
    parser.add_argument("--dataset", choices=sorted(DATASETS), action="append", help="restrict to these data sets")
    parser.add_argument("--half", choices=("A", "B"), help="score (and list errors of) one development half only")
    parser.add_argument(
        "--mentions",
        choices=("merge", "separate"),
        default="merge",
        help="score the merged event log (default, what `eventx run` writes) or one record per sentence mention",
    )
    args = parser.parse_args(argv)

    if args.errors and args.errors != "all" and args.errors not in CORE_TYPES:
        parser.error(f"--errors takes one of {', '.join(CORE_TYPES)} or 'all'")
    wanted = args.dataset or list(DATASETS)
    if not args.data.exists():
        print(f"quality: no labelled data at {args.data}; nothing to score.", file=sys.stderr)
        if not args.write_readme:
            return 0

    from eventx.errors import EventxError

    try:
        runner = Runner(args.rules, merge_mentions=args.mentions == "merge")
    except EventxError as err:  # a rule pack that does not load: say so, no traceback
        print(f"quality: the rule pack does not load:\n{err}", file=sys.stderr)
        return 2
    loaded: dict[str, object] = {}
    for name in wanted:
        if name in ("agnews", "bbc", "modern"):
            units = load_labelled(args.data, name, runner)
            if args.half and not isinstance(units, str):
                units = [u for u in units if u.half == args.half]
            loaded[name] = units
        elif name == "plover":
            loaded[name] = load_sentences(args.data / "plover_gsr" / "dev.jsonl", runner)
        elif name == "plovigy":
            loaded[name] = load_sentences(args.data / "plovigy_petrarch2" / "dev.jsonl", runner)

    if args.errors:
        for name, units in loaded.items():
            print(f"== {name}")
            if isinstance(units, str):
                print(units)
            elif units and isinstance(units[0], SentenceUnit):
                print("\n".join(list_sentence_errors(units, args.errors)))
            else:
                print("\n".join(list_errors(units, args.errors)))
        return 0

    results: dict[str, tuple[str, object]] = {}
    for name, units in loaded.items():
        if isinstance(units, str):
            results[name] = (DATASETS[name], units)
        elif name in ("plover", "plovigy"):
            results[name] = (DATASETS[name], score_sentences(units))
        else:
            results[name] = (DATASETS[name], score_units(units))
    golden = golden_counts(args.rules)
    body = render(results, golden, halves_table(loaded))
    print("\n".join(body))
    if args.write_readme:
        old = README.read_text(encoding="utf-8") if README.exists() else ""
        README.write_text(replace_section(old, readme_section(body)), encoding="utf-8")
        print(f"wrote the quality section of {README.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
