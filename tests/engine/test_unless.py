"""``unless``: sentence-wide vetoes of a rule, through the API, the CLI and ``eventx explain``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.api import Extractor, load_rules
from eventx.cli import app
from eventx.errors import RuleError

RULES = """\
lexicons:
  business: [merger, takeover, wage deal, trade union]
vars:
  biz: "@business"
rules:
  - id: talks.list
    type: diplomatic_talks
    pattern: "[lower=peace]? [lower=talks]=trigger"
    unless:
      - ${biz}
      - "[lower=contract] [lower=talks]"
  - id: talks.scalar
    type: other
    pattern: "[lower=talks]=trigger [lower=resumed]"
    unless: "[lower=merger]"
"""


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    (tmp_path / "r.yml").write_text(RULES, encoding="utf-8")
    return tmp_path


def events(rules: Path, text: str) -> list[tuple[str, str]]:
    return [(e["rule"], e["trigger"]["text"]) for e in Extractor(load_rules(rules)).extract(text)]


def test_a_match_anywhere_in_the_sentence_vetoes_the_rule(rules: Path) -> None:
    assert events(rules, "Peace talks resumed in Geneva.") == [("talks.list", "talks"), ("talks.scalar", "talks")]
    # before the trigger, after it, and a multi-token lexicon phrase
    assert events(rules, "Merger talks resumed.") == []
    assert events(rules, "Talks resumed on the takeover.") == [("talks.scalar", "Talks")]
    assert events(rules, "Talks on a wage deal went on.") == []
    # the second pattern of the list; the scalar form vetoes its own rule only
    assert events(rules, "Contract talks resumed.") == [("talks.scalar", "talks")]


def test_the_veto_is_per_sentence(rules: Path) -> None:
    text = "Merger talks resumed. Peace talks ended."
    assert events(rules, text) == [("talks.list", "talks")]


def test_explain_says_which_unless_pattern_vetoed(rules: Path) -> None:
    result = CliRunner().invoke(app, ["explain", "Merger talks resumed.", "-r", str(rules), "--json"])
    assert result.exit_code == 0, result.output
    [sentence] = json.loads(result.output)["sentences"]
    misses = {m["rule"]: m for m in sentence["near_misses"]}
    assert misses["talks.list"]["outcome"] == "unless"
    assert "'${biz}'" in misses["talks.list"]["message"]
    assert misses["talks.scalar"]["message"].endswith("unless pattern '[lower=merger]' matches in this sentence")


def test_run_from_the_cli(rules: Path, tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("Merger talks resumed. Peace talks ended.", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(doc), "-r", str(rules)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(r["rule"], r["sentence"]["index"]) for r in records] == [("talks.list", 1)]


@pytest.mark.parametrize(
    ("unless", "message"),
    [
        ('"@nothing"', "r.yml:5:14: error: undefined lexicon @nothing"),
        ('"[lower=x]?"', "r.yml:5:14: error: pattern can match the empty sequence of tokens [E207]"),
        ('"[lower=x"', "r.yml:5:14: error: unbalanced '['"),
        ("3", "r.yml:5:13: error:"),
    ],
)
def test_bad_unless_patterns_are_reported_at_their_place(tmp_path: Path, unless: str, message: str) -> None:
    (tmp_path / "r.yml").write_text(
        f"rules:\n  - id: r\n    type: t\n    pattern: '[lower=talks]'\n    unless: {unless}\n", encoding="utf-8"
    )
    with pytest.raises(RuleError) as info:
        load_rules(tmp_path)
    rendered = [d.render().replace(str(tmp_path) + "/", "") for d in info.value.diagnostics]
    assert any(line.startswith(message) for line in rendered), rendered
