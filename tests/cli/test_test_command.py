"""`eventx test`: rule examples and golden corpora, the --update workflow, on a tmp pack."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app

runner = CliRunner()

PACK = """\
lexicons:
  forces: [troops, soldiers]
rules:
  - id: deploy.send
    type: deployment
    pattern: "[lemma=send]=trigger (?<force> @forces)"
    examples:
      - text: They sent troops.
        expect: [{type: deployment, args: {force: troops}}]
      - text: They sent word.
        expect: []
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "deploy.yml").write_text(PACK, encoding="utf-8")
    docs = tmp_path / "corpus" / "docs"
    docs.mkdir(parents=True)
    # negated vs asserted: two events even for a pack that captures no agent (no merging)
    (docs / "one.txt").write_text("Poland sent troops. Latvia did not send soldiers.", encoding="utf-8")
    return tmp_path


def test_golden_fails_then_update_then_passes(project: Path) -> None:
    rules, corpus = str(project / "rules"), str(project / "corpus")
    golden = project / "corpus" / "golden" / "one.events.jsonl"

    missing = runner.invoke(app, ["test", corpus, "-r", rules])
    assert missing.exit_code == 1
    assert "no golden file" in missing.stdout and "--update" in missing.stdout

    created = runner.invoke(app, ["test", corpus, "-r", rules, "--update"])
    assert created.exit_code == 0, created.output
    assert f"updated {golden}" in created.stdout and "created with 2 event(s)" in created.stdout
    assert runner.invoke(app, ["test", corpus, "-r", rules]).exit_code == 0

    # the rules change: the second event's force is no longer found
    (project / "rules" / "deploy.yml").write_text(PACK.replace("[troops, soldiers]", "[troops]"), encoding="utf-8")
    failing = runner.invoke(app, ["test", corpus, "-r", rules])
    assert failing.exit_code == 1
    assert "FAIL" in failing.stdout and "events differ" in failing.stdout
    assert "- missing  deployment 'send'@35" in failing.stdout

    updated = runner.invoke(app, ["test", corpus, "-r", rules, "--update"])
    assert updated.exit_code == 0, updated.output
    assert "- missing  deployment 'send'@35" in updated.stdout
    assert len(golden.read_text(encoding="utf-8").splitlines()) == 1
    passing = runner.invoke(app, ["test", corpus, "-r", rules])
    assert passing.exit_code == 0 and "1 passed, 0 failed" in passing.stdout


def test_failing_example_names_file_and_line(project: Path) -> None:
    rule_file = project / "rules" / "deploy.yml"
    rule_file.write_text(PACK.replace("expect: []", "expect: [{type: deployment}]"), encoding="utf-8")
    result = runner.invoke(app, ["test", str(project / "rules"), "-r", str(project / "rules")])
    assert result.exit_code == 1
    assert f"FAIL {rule_file}:10: example of deploy.send" in result.stdout
    assert "expected deployment: no such event found" in result.stdout
    assert "1 passed, 1 failed" in result.stdout


def test_a_rule_directory_alone_is_tested_as_the_pack(project: Path) -> None:
    """`eventx test my_rules/` runs my_rules' examples with my_rules, not with the shipped pack."""
    result = runner.invoke(app, ["test", str(project / "rules")])
    assert result.exit_code == 0, result.output
    assert "2 passed, 0 failed" in result.stdout


def test_a_corrupt_golden_file_is_exit_2_naming_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "docs").mkdir(parents=True)
    (corpus / "docs" / "a.txt").write_text("Poland is sending troops to Lithuania.\n", encoding="utf-8")
    (corpus / "golden").mkdir()
    golden = corpus / "golden" / "a.events.jsonl"
    golden.write_text('{"doc_id": "a.txt", "type": "deployment"\n', encoding="utf-8")
    result = runner.invoke(app, ["test", str(corpus)])
    assert result.exit_code == 2, result.output
    assert f"golden file {golden}:1: invalid JSON" in result.stderr
    assert "Traceback" not in result.output

    golden.write_text('{"doc_id": "a.txt", "type": "deployment"}\n', encoding="utf-8")  # valid JSON, not a record
    result = runner.invoke(app, ["test", str(corpus)])
    assert result.exit_code == 2
    assert f"golden file {golden}:1: not an event record (no 'rule' string) [E307]" in result.stderr


ALERT_RULE = """\
  - id: alert.standby
    type: alert_status
    pattern: "(?<force> @forces) [lemma=be] [lower=on] [lower=standby]=trigger"
"""


@pytest.mark.parametrize(
    ("expect", "outcome"),
    [
        ("[{type: deployment}, {type: alert_status, args: {force: Troops}}]", "1 passed, 0 failed"),
        ("[{type: deployment}]", "1 passed, 0 failed"),
        ("[{type: deployment}, {type: alert_status, args: {force: soldiers}}]",
         "expected alert_status with force='soldiers'; found [asserted] force='Troops'"),
    ],
)
def test_an_example_checks_the_other_types_it_lists(tmp_path: Path, expect: str, outcome: str) -> None:
    """Listing an event of another type checks it; without one, that type is still ignored."""
    pack = PACK.replace(
        "      - text: They sent troops.\n        expect: [{type: deployment, args: {force: troops}}]\n"
        "      - text: They sent word.\n        expect: []\n",
        f"      - text: Troops were on standby and they sent troops.\n        expect: {expect}\n",
    ) + ALERT_RULE
    (tmp_path / "deploy.yml").write_text(pack, encoding="utf-8")
    result = runner.invoke(app, ["test", str(tmp_path / "deploy.yml"), "-r", str(tmp_path / "deploy.yml")])
    assert outcome in result.stdout, result.output
    assert result.exit_code == (0 if "passed" in outcome else 1)
