"""`eventx explain`: tokens, prefilter, events and near misses naming the failing constraint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app

runner = CliRunner()

PACK = """\
lexicons:
  forces: [troops, soldiers, marines]
  countries: [Poland => POL, Latvia => LVA]
rules:
  - id: deploy.send
    type: deployment
    pattern: |
      (?<agent> @countries)? [lemma=send]=trigger [lower=more|extra]
      (?<force> @forces) [lower=to] (?<destination> @countries)
  - id: deploy.station
    type: deployment
    pattern: "[lemma=station]=trigger (?<force> [lemma=troop & !word=Troops])"
  - id: deploy.alt
    type: deployment
    pattern: "[lemma=dispatch]=trigger [lower=frigates] | [lemma=rush]=trigger [lower=ships]"
"""


@pytest.fixture
def rules(tmp_path: Path) -> str:
    path = tmp_path / "rules.yml"
    path.write_text(PACK, encoding="utf-8")
    return str(path)


def explain_json(rules: str, text: str, *extra: str) -> list[dict]:
    result = runner.invoke(app, ["explain", text, "-r", rules, "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["sentences"]


def test_near_miss_names_the_failing_token_constraint(rules: str) -> None:
    result = runner.invoke(app, ["explain", "Poland sent more fresh troops to Latvia.", "-r", rules])
    assert result.exit_code == 0, result.output
    assert (
        "deploy.send: matched items 1..3 (tokens 0..2: 'Poland sent more'), then item 4 `(?<force> @forces)` "
        "failed at token 3 'fresh'"
    ) in " ".join(result.stdout.split())
    assert "prefilter selected: deploy.send" in result.stdout


def test_a_trigger_without_its_required_words_is_studied_too(rules: str) -> None:
    """The prefilter skips deploy.send (no 'more' or 'extra'), explain still says how far it got."""
    [sentence] = explain_json(rules, "Poland sent fresh troops to Latvia.")
    assert sentence["candidates"] == []
    [miss] = sentence["near_misses"]
    assert miss["rule"] == "deploy.send" and miss["selected"] is False
    assert miss["message"].startswith("not selected by the prefilter: no token is one of the words it requires: extra, more; ")
    assert miss["message"].endswith("failed at token 2 'fresh' (lemma 'fresh'): lower is 'fresh', not more|extra")


def test_near_miss_inside_a_capture_and_a_conjunction(rules: str) -> None:
    [sentence] = explain_json(rules, "They stationed Troops there.")
    [miss] = sentence["near_misses"]
    assert miss["rule"] == "deploy.station" and miss["outcome"] == "partial"
    assert (miss["matched_items"], miss["failed_at"], miss["failed_item"]) == (1, 2, "(?<force> [lemma=troop & !word=Troops])")
    assert miss["reason"] == "`!word=Troops` fails: word=Troops holds"


def test_lexicon_item_that_does_not_start_at_the_token(rules: str) -> None:
    [sentence] = explain_json(rules, "Poland sent more letters to Latvia.")
    [miss] = sentence["near_misses"]
    assert miss["failed_item"] == "(?<force> @forces)"
    assert miss["reason"] == "no phrase of @forces starts at 'letters'"


def test_best_branch_of_a_top_level_alternation(rules: str) -> None:
    [sentence] = explain_json(rules, "They rushed boats.")
    [miss] = sentence["near_misses"]
    assert miss["branch"] == 2 and miss["reason"] == "lower is 'boats', not ships"


def test_rule_option_explains_a_rule_the_prefilter_skipped(rules: str) -> None:
    [sentence] = explain_json(rules, "Poland sent more troops to Latvia.", "--rule", "deploy.station")
    assert sentence["candidates"] == ["deploy.send"]
    [miss] = sentence["near_misses"]
    assert miss["rule"] == "deploy.station" and miss["selected"] is False
    assert miss["message"].startswith("not selected by the prefilter: its trigger words do not occur")
    assert "no token satisfies [lemma=station]" in miss["message"]


def test_tokens_lexicon_hits_and_events(rules: str) -> None:
    [sentence] = explain_json(rules, "Poland sent more troops to Latvia.", "--rule", "deploy.send")
    words = [(t["index"], t["word"], t["lemma"]) for t in sentence["tokens"]]
    assert words[:3] == [(0, "Poland", "poland"), (1, "sent", "send"), (2, "more", "more")]
    assert sentence["tokens"][0]["lexicons"] == ["@countries=POL"]
    [event] = sentence["events"]
    assert (event["rule"], event["args"]["destination"]["norm"]) == ("deploy.send", "LVA")
    assert sentence["near_misses"][0]["outcome"] == "event"
    table = runner.invoke(app, ["explain", "Poland sent more troops to Latvia.", "-r", rules])
    assert "deploy.send" in table.stdout and "@countries=POL" in table.stdout and "events: none" not in table.stdout


def test_text_from_stdin_split_into_sentences(rules: str) -> None:
    result = runner.invoke(app, ["explain", "-", "-r", rules, "--json"], input="They rushed boats. They stationed troops.")
    sentences = json.loads(result.stdout)["sentences"]
    assert [s["text"] for s in sentences] == ["They rushed boats.", "They stationed troops."]
    assert sentences[1]["events"][0]["rule"] == "deploy.station"


def test_unknown_rule_is_exit_2_with_a_suggestion(rules: str) -> None:
    result = runner.invoke(app, ["explain", "Anything.", "-r", rules, "--rule", "deploy.sent"])
    assert result.exit_code == 2
    assert "no rule 'deploy.sent' in the pack (did you mean deploy.send?)" in result.output


def test_near_miss_reports_the_widest_partial_match_not_the_leftmost(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(
        "rules:\n  - id: boom\n    type: attack\n    pattern: '[lower=the]? [lower=big]? [lemma=boom]=trigger'\n",
        encoding="utf-8",
    )
    [sentence] = explain_json(str(path), "The cat saw the big dog.", "--rule", "boom")
    [miss] = sentence["near_misses"]
    assert (miss["matched_items"], miss["tokens"], miss["failed_at"]) == (2, [3, 5], 5)
    assert "matched items 1..2 (tokens 3..4: 'the big'), then item 3 `[lemma=boom]=trigger` failed at token 5 'dog'" in miss["message"]

