"""Golden diagnostics for the broken rule files in tests/rules_bad/.

Each ``NAME.yml`` is loaded on its own with tests/rules_bad as working directory, so paths in
diagnostics are relative to it; the rendered diagnostics must equal ``NAME.expected`` line for
line. Regenerate after a deliberate message change with ``EVENTX_UPDATE_GOLDEN=1 pytest``
and review the diff. (``*.yaml`` files there are helpers imported by the cases.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eventx.errors import RuleError
from eventx.rules import load_rule_files
from eventx.codes import CATALOGUE

BAD = Path(__file__).resolve().parent.parent / "rules_bad"
CASES = sorted(BAD.glob("*.yml"))


def render_diagnostics(name: str) -> str:
    try:
        rule_set = load_rule_files(name)
    except RuleError as error:
        diagnostics = error.diagnostics
    else:
        diagnostics = list(rule_set.warnings)
    return "".join(d.render() + "\n" for d in diagnostics)


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_bad_rule_file(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    actual = render_diagnostics(case.name)
    expected_file = case.with_suffix(".expected")
    if os.environ.get("EVENTX_UPDATE_GOLDEN"):
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")
    assert " error: " in actual, "every file in rules_bad must have at least one error"


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 12
    assert not [c.name for c in CASES if not c.with_suffix(".expected").exists()]


def test_every_code_in_the_corpus_is_catalogued() -> None:
    rendered = "".join(c.with_suffix(".expected").read_text(encoding="utf-8") for c in CASES)
    used = {line.rsplit("[", 1)[1].rstrip("]") for line in rendered.splitlines()}
    assert used <= CATALOGUE.keys()
