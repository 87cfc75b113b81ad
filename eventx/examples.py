"""Inline rule examples as tests.

An example runs through the whole pack, like any document. It passes when every expected
event is found — same type, the listed argument texts and modality, when given — and no
other event of the rule's type is produced (events of other types are ignored, so an
example only speaks for its own rule's type). An example of a mention rule passes when every
expected mention is one of the longest mentions of its label (not inside another mention of
that label) and the rule's label has no other longest mention in the text. ``todo: true`` marks a known miss: it is
reported apart and does not fail, and it is flagged when it starts passing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eventx.text.model import Document


@dataclass(slots=True)
class ExampleResult:
    rule_id: str
    file: str
    line: int
    text: str
    todo: bool
    problems: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def status(self) -> str:
        if self.todo:
            return "todo-passing" if self.passed else "todo"
        return "passed" if self.passed else "failed"


def _satisfies(event: Mapping[str, Any], expected: dict) -> bool:
    if event["type"] != expected.get("type"):
        return False
    if "modality" in expected and event["modality"] != expected["modality"]:
        return False
    for role, text in (expected.get("args") or {}).items():
        arg = event["args"].get(role)
        if arg is None or arg["text"] != str(text):
            return False
    return True


def _explain_miss(events: list[dict], expected: dict) -> str:
    same_type = [e for e in events if e["type"] == expected.get("type")]
    want = ", ".join(f"{k}={v!r}" for k, v in (expected.get("args") or {}).items())
    modality = f" [{expected['modality']}]" if "modality" in expected else ""
    message = f"expected {expected.get('type')}{modality}" + (f" with {want}" if want else "")
    if not same_type:
        return message + ": no such event found"
    found = "; ".join(
        f"[{e['modality']}] " + ", ".join(f"{r}={a['text']!r}" for r, a in e["args"].items()) for e in same_type
    )
    return message + f"; found {found}"


def run_mention_example(extractor, rule, example) -> ExampleResult:
    """Check one example of a mention rule against the whole pack of ``extractor``."""
    expected = list(example.expect)
    labels = sorted({rule.label, *(label for label, _ in expected)})
    found = extractor.mentions(Document(id="example", text=example.text), labels, longest=True)
    unique = list({(m["label"], m["start"], m["end"]): m for m in found}.values())
    result = ExampleResult(rule.id, example.pos.file, example.pos.line, example.text, example.todo)
    unmatched = list(unique)
    for label, text in expected:
        match = next((m for m in unmatched if m["label"] == label and m["text"] == text), None)
        if match is None:
            same = [m["text"] for m in unique if m["label"] == label]
            result.problems.append(f"expected {label} {text!r}" + (f"; found {same}" if same else ": no such mention found"))
        else:
            unmatched.remove(match)
    for extra in unmatched:
        if extra["label"] == rule.label:
            result.problems.append(f"unexpected {extra['label']} {extra['text']!r} from {extra['rule']}")
    return result


def run_example(extractor, rule, example) -> ExampleResult:
    """Check one example of ``rule`` (a loaded rule) against the whole pack of ``extractor``."""
    if hasattr(rule, "label"):
        return run_mention_example(extractor, rule, example)
    events = extractor.extract(Document(id="example", text=example.text))
    result = ExampleResult(rule.id, example.pos.file, example.pos.line, example.text, example.todo, events=events)
    expected = list(example.expect or [])
    # the rule's own type, and any other type the example lists ("put on standby and could be
    # flown to ..." expects an alert too): events of other types are not the example's concern
    checked_types = {rule.type, *(want.get("type") for want in expected)}
    unmatched = [e for e in events if e["type"] in checked_types]
    for want in expected:
        match = next((e for e in unmatched if _satisfies(e, want)), None)
        if match is None:
            result.problems.append(_explain_miss(events, want))
        else:
            unmatched.remove(match)
    for extra in unmatched:
        args = ", ".join(f"{r}={a['text']!r}" for r, a in extra["args"].items())
        result.problems.append(
            f"unexpected {extra['type']} [{extra['modality']}] from {extra['rule']}"
            f" on {extra['trigger']['text']!r}" + (f" ({args})" if args else "")
        )
    return result


def run_examples(extractor) -> list[ExampleResult]:
    """Every example of every rule in the extractor's pack, in rule order."""
    results = []
    for compiled in [*extractor.pack.mention_rules, *extractor.pack.rules]:
        rule = compiled.source
        for example in rule.examples:
            results.append(run_example(extractor, rule, example))
    return results
