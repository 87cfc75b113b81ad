"""``eventx coverage``: which rules fire how often on a corpus, and which never do.

A rule that never fires on a representative corpus is dead weight or broken; one that fires
on every document is suspicious. Both are easier to see beside each rule's example counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from eventx.api import Extractor
from eventx.errors import EventxError
from eventx.io.readers import ReadProblem, iter_corpus


@dataclass(slots=True)
class RuleCoverage:
    id: str
    type: str
    file: str
    line: int
    events: int = 0  # sentence mentions the rule produced (after overlap resolution; merged or not)
    documents: int = 0  # documents with at least one of them
    positive_examples: int = 0
    negative_examples: int = 0

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "file": self.file,
            "line": self.line,
            "events": self.events,
            "documents": self.documents,
            "positive_examples": self.positive_examples,
            "negative_examples": self.negative_examples,
        }


@dataclass(slots=True)
class Coverage:
    rules: list[RuleCoverage] = field(default_factory=list)  # rules that never fired first, then pack order
    documents: int = 0
    events: int = 0
    errors: int = 0  # documents that could not be read or matched

    @property
    def never_fired(self) -> list[RuleCoverage]:
        return [r for r in self.rules if not r.events]

    def to_dict(self) -> dict:
        return {
            "documents": self.documents,
            "events": self.events,
            "errors": self.errors,
            "never_fired": [r.id for r in self.never_fired],
            "rules": [r.to_dict() for r in self.rules],
        }


def measure_coverage(
    inputs: Sequence[str],
    extractor: Extractor,
    *,
    stdin: TextIO | BinaryIO | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> Coverage:
    """Run ``extractor`` over every document of ``inputs`` and count events per rule (one per
    sentence mention: a later mention merged into an earlier record counts for its own rule).

    ``on_problem`` receives one rendered line per unreadable document or per document that
    could not be matched (a time-out); the run goes on. Raises InputError for unusable inputs.
    """
    per_rule: dict[str, RuleCoverage] = {}
    for compiled in extractor.pack.rules:
        rule = compiled.source
        assert rule is not None  # a pack compiled from rule files knows them
        positive = sum(any(w.get("type") == rule.type for w in e.expect) for e in rule.examples)
        per_rule[rule.id] = RuleCoverage(
            rule.id, rule.type, rule.pos.file, rule.pos.line,
            positive_examples=positive, negative_examples=len(rule.examples) - positive,
        )
    result = Coverage()
    for item in iter_corpus(inputs, stdin=stdin):
        if isinstance(item, ReadProblem):
            if item.severity == "error":
                result.errors += 1
            if on_problem:
                on_problem(item.render())
            continue
        try:
            events = extractor.extract(item)
        except EventxError as err:  # a document over the time budget
            result.errors += 1
            if on_problem:
                on_problem(f"document {item.id!r}: {err}")
            continue
        result.documents += 1
        # a rule fires once per sentence mention, also where merging folded it into an
        # earlier mention's record (its ``mentions``): coverage counts those firings
        counts = Counter(e["rule"] for e in events)
        counts.update(m["rule"] for e in events for m in e.get("mentions") or ())
        result.events += sum(counts.values())
        for rule_id, count in counts.items():
            per_rule[rule_id].events += count
            per_rule[rule_id].documents += 1
    order = list(per_rule.values())
    result.rules = [r for r in order if not r.events] + [r for r in order if r.events]
    return result
