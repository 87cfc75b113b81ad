"""Document-level merging of repeated mentions, through the public API and the CLI.

The texts are written for these tests (wire style, made-up events).
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from eventx.api import Extractor
from eventx.cli import app
from eventx.io.eventlog import iter_events
from eventx.text.model import Document

HEADLINE_AND_LEAD = (
    "Poland sends troops to Lithuania\n\n"
    "WARSAW, May 3 - Poland is sending about 2,000 soldiers to Lithuania, the defence ministry said on Tuesday."
)
TWO_COUNTRIES = (
    "Poland is sending 2,000 troops to Lithuania, the ministry said. "
    "Germany is sending 500 troops to Lithuania as well, officials in Berlin said."
)
NEGATED_AND_ASSERTED = (
    "Canada has deployed police trainers to Haiti. "
    "The prime minister said Canada has no plans to send combat troops to Haiti."
)
RAISED_AND_LIFTED = (
    "Chile's navy raised a tsunami alert for the whole coastline on Monday. "
    "The alert was lifted early on Tuesday when sea levels returned to normal."
)
COORDINATED = "Envoys of Egypt and Jordan will attend the Gaza talks and the Arab summit."

KEYS = ["doc_id", "id", "type", "rule", "trigger", "span", "sentence", "args", "modality", "attribution", "mentions", "rules_version"]


@pytest.fixture(scope="module")
def merging() -> Extractor:
    return Extractor()


@pytest.fixture(scope="module")
def separate(merging: Extractor) -> Extractor:
    return Extractor(merging.pack, merge_mentions=False)


def of_type(events: list[dict], event_type: str) -> list[dict]:
    return [e for e in events if e["type"] == event_type]


def test_headline_and_lead_are_one_event_with_the_first_mention_kept(merging: Extractor, separate: Extractor) -> None:
    mentions = of_type(separate.extract(HEADLINE_AND_LEAD), "deployment")
    assert len(mentions) == 2
    (event,) = of_type(merging.extract(HEADLINE_AND_LEAD), "deployment")
    first, later = mentions
    # the first mention stays as it is: id, trigger, span, rule, sentence
    for key in ("id", "trigger", "span", "rule", "sentence", "modality"):
        assert event[key] == first[key]
    assert event["trigger"]["text"] == "sends"
    assert event["mentions"] == [
        {
            "id": later["id"],
            "rule": later["rule"],
            "trigger": later["trigger"],
            "span": later["span"],
            "sentence": later["sentence"],
            "modality": "asserted",
            "contributed": ["quantity"],
        }
    ]


def test_an_argument_the_first_mention_lacks_comes_from_a_later_one(merging: Extractor) -> None:
    (event,) = of_type(merging.extract(HEADLINE_AND_LEAD), "deployment")
    quantity = event["args"]["quantity"]
    assert (quantity["text"], quantity["value"], quantity["qualifier"]) == ("about 2,000", 2000, "approx")
    # with the offsets of where it was found: the lead, outside the kept record's span
    assert HEADLINE_AND_LEAD[quantity["start"] : quantity["end"]] == "about 2,000"
    assert quantity["start"] > event["span"]["end"]
    # roles the first mention has keep its own text
    assert event["args"]["agent"]["start"] == 0


def test_deployments_by_two_countries_stay_two_events(merging: Extractor) -> None:
    events = of_type(merging.extract(TWO_COUNTRIES), "deployment")
    assert [e["args"]["agent"]["norm"] for e in events] == ["POL", "DEU"]
    assert all(e["mentions"] == [] for e in events)


ACTOR_ELSEWHERE = (
    "Estonia accused Russia of preparing an attack after images showed armoured vehicles massing near the border. "
    "Finland said it had reinforced its eastern border with about 300 soldiers and armoured vehicles."
)
SOURCE_NAMED = "Russia is massing troops near the border. Troops were massing near the border, Ukraine said."


def test_an_actor_the_other_sentence_leaves_out_keeps_them_apart(merging: Extractor, separate: Extractor) -> None:
    """The first mention has no agent, but its sentence names two other parties: Finland's
    reinforcement is not that build-up. One other party (a source) is not enough to tell."""
    assert len(of_type(separate.extract(ACTOR_ELSEWHERE), "deployment")) == 2
    assert len(of_type(merging.extract(ACTOR_ELSEWHERE), "deployment")) == 2
    assert len(of_type(separate.extract(SOURCE_NAMED), "deployment")) == 2
    (event,) = of_type(merging.extract(SOURCE_NAMED), "deployment")
    assert event["args"]["agent"]["norm"] == "RUS" and len(event["mentions"]) == 1


OPEN_QUANTITY = (
    "Officials said a possible deployment of up to 4,000 marines to Estonia was being discussed. "
    "Estonia's prime minister said the country could deploy 600 more soldiers to its northern coast."
)
SAME_SIZE = (
    "A possible deployment of up to 4,000 marines to Estonia was being discussed. "
    "Officials said 4,000 marines could be deployed to Estonia."
)


def test_an_open_quantity_ties_only_a_number_of_its_size(merging: Extractor, separate: Extractor) -> None:
    """"up to 4,000" allows 600, but two mentions that share nothing else than that are two
    events; "4,000" stated again ties them."""
    assert len(of_type(merging.extract(OPEN_QUANTITY), "deployment")) == 2
    assert len(of_type(separate.extract(SAME_SIZE), "deployment")) == 2
    (event,) = of_type(merging.extract(SAME_SIZE), "deployment")
    assert len(event["mentions"]) == 1


def test_a_negated_mention_never_merges_with_an_asserted_one(merging: Extractor) -> None:
    events = of_type(merging.extract(NEGATED_AND_ASSERTED), "deployment")
    assert [e["modality"] for e in events] == ["asserted", "negated"]


def test_raising_and_lifting_an_alert_are_two_events(merging: Extractor) -> None:
    events = of_type(merging.extract(RAISED_AND_LIFTED), "alert_status")
    assert [e["trigger"]["text"] for e in events] == ["raised", "lifted"]


@pytest.mark.parametrize("later", ["Some 300 other troops were sent to Estonia in May.",
                                   "Another 300 troops were sent to Estonia in May."])
def test_other_or_another_force_starts_an_event_of_its_own(merging: Extractor, later: str) -> None:
    text = "Britain sent troops to Estonia in March, the ministry said. " + later
    assert len(of_type(merging.extract(text), "deployment")) == 2
    # a force without "other" is a re-mention, and one with it may have re-mentions of its own
    same = "Britain sent troops to Estonia in March, the ministry said. The troops were sent to Estonia by air."
    assert len(of_type(merging.extract(same), "deployment")) == 1
    again = later + " The 300 troops were sent to Estonia by sea."
    assert len(of_type(merging.extract(again), "deployment")) == 1
    # ... and a headline's "additional 2,000" is the lead's "another 2,000"
    lead = "Chad deploys additional 2,000 gendarmes in the east\n\nChad has deployed another 2,000 gendarmes in the east."
    assert len(of_type(merging.extract(lead), "deployment")) == 1


def test_coordinated_mentions_in_one_sentence_are_different_events(merging: Extractor) -> None:
    events = of_type(merging.extract(COORDINATED), "diplomatic_talks")
    assert [e["trigger"]["text"] for e in events] == ["talks", "summit"]


def test_two_verbs_of_one_subject_are_two_events_with_its_actor(merging: Extractor) -> None:
    """The second verb takes the first one's subject, and a time before "and" still lists the
    two (the shared actor ties them, the coordination keeps them apart)."""
    text = (
        "The ministry ordered the departure of families of diplomats in Lima on Friday and "
        "authorized the voluntary departure of non-essential staff."
    )
    events = of_type(merging.extract(text), "evacuation_order")
    assert [(e["args"]["authority"]["text"], e["args"]["affected"]["text"]) for e in events] == [
        ("The ministry", "families of diplomats"), ("The ministry", "non-essential staff")
    ]


def test_every_record_has_mentions_in_the_fixed_key_order(merging: Extractor, separate: Extractor) -> None:
    for extractor in (merging, separate):
        for event in extractor.extract(HEADLINE_AND_LEAD + "\n\n" + TWO_COUNTRIES):
            assert list(event) == KEYS
    assert all(e["mentions"] == [] for e in separate.extract(HEADLINE_AND_LEAD))


# --- CLI ---------------------------------------------------------------------------------------


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, ["run", *args], input=input)


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_run_merges_by_default_and_separate_gives_one_record_per_mention() -> None:
    merged = run("-", input=HEADLINE_AND_LEAD)
    separate = run("-", "--mentions", "separate", input=HEADLINE_AND_LEAD)
    assert merged.exit_code == 0 and separate.exit_code == 0, merged.output + separate.output
    merged_events, separate_events = of_type(lines(merged.stdout), "deployment"), of_type(lines(separate.stdout), "deployment")
    assert len(merged_events) == 1 and len(merged_events[0]["mentions"]) == 1
    assert len(separate_events) == 2 and all(e["mentions"] == [] for e in separate_events)
    assert merged_events[0]["mentions"][0]["id"] == separate_events[1]["id"]


def test_unknown_mentions_mode_is_a_usage_error() -> None:
    result = run("-", "--mentions", "join", input=HEADLINE_AND_LEAD)
    assert result.exit_code == 2


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("mentions") / "wire.jsonl"
    texts = [HEADLINE_AND_LEAD, TWO_COUNTRIES, NEGATED_AND_ASSERTED, RAISED_AND_LIFTED, COORDINATED, "Nothing happened."]
    rows = [{"id": f"d{i:02d}", "text": texts[i % len(texts)]} for i in range(24)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["csv", "sqlite"])
def test_mentions_round_trip_through_csv_and_sqlite(corpus: Path, tmp_path: Path, fmt: str) -> None:
    jsonl, other = tmp_path / "events.jsonl", tmp_path / f"events.{fmt}"
    assert run(str(corpus), "-o", str(jsonl), "-q", "--jobs", "1").exit_code == 0
    assert run(str(corpus), "-o", str(other), "-q", "--jobs", "1").exit_code == 0
    expected = [e["mentions"] for e in iter_events(str(jsonl))]
    assert any(expected)
    assert [e["mentions"] for e in iter_events(str(other))] == expected


def test_jobs_1_and_2_give_identical_merged_logs(corpus: Path, tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert run(str(corpus), "-o", str(one), "-q", "--jobs", "1").exit_code == 0
    assert run(str(corpus), "-o", str(two), "-q", "--jobs", "2").exit_code == 0
    assert one.read_bytes() == two.read_bytes()
    assert any(orjson.loads(line)["mentions"] for line in one.read_bytes().splitlines())


def test_diff_says_which_record_became_a_mention(corpus: Path, tmp_path: Path) -> None:
    merged, separate = tmp_path / "merged.jsonl", tmp_path / "separate.jsonl"
    assert run(str(corpus), "-o", str(merged), "-q").exit_code == 0
    assert run(str(corpus), "-o", str(separate), "-q", "--mentions", "separate").exit_code == 0
    result = CliRunner().invoke(app, ["diff", str(separate), str(merged)])
    assert result.exit_code == 1
    assert "now a mention of deployment 'sends'@7" in result.stdout


def test_explain_shows_a_later_mention_in_its_sentence() -> None:
    result = CliRunner().invoke(app, ["explain", HEADLINE_AND_LEAD, "--json"])
    assert result.exit_code == 0, result.output
    sentences = json.loads(result.stdout)["sentences"]
    lead = next(s for s in sentences if s["mentions"])
    assert lead["mentions"][0]["trigger"]["text"] == "sending"
    assert lead["mentions"][0]["of_sentence"] == 0


def test_stats_counts_merged_mentions(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    assert run(str(corpus), "-o", str(out), "-q").exit_code == 0
    result = CliRunner().invoke(app, ["stats", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["merged_mentions"] == 4  # one per copy of the headline-and-lead text


# --- properties --------------------------------------------------------------------------------

SENTENCES = (
    "Poland sends troops to Lithuania.",
    "Poland is sending about 2,000 soldiers to Lithuania, the ministry said.",
    "Germany is sending 500 troops to Lithuania.",
    "The embassy ordered all non-essential staff to leave the capital.",
    "Non-essential embassy staff were told to leave the country on Sunday.",
    "Japan's coast guard was placed on high alert.",
    "The alert was lifted on Friday.",
    "Canada has no plans to send combat troops to Haiti.",
    "The deployment of 300 police officers began on Monday.",
    "Officials said more troops could be sent if the fighting continued.",
    "Nothing else happened.",
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=6))
def test_merging_only_folds_records_together(merging: Extractor, separate: Extractor, picked: list[str]) -> None:
    doc = Document(id="prop", text=" ".join(picked))
    merged, apart = merging.extract(doc), separate.extract(doc)
    assert len(merged) <= len(apart)
    assert {e["type"] for e in merged} == {e["type"] for e in apart}
    kept = {(e["type"], e["trigger"]["start"]) for e in merged}
    folded = {(e["type"], m["trigger"]["start"]) for e in merged for m in e["mentions"]}
    # every sentence-level record is either kept or a mention of a kept one, exactly once
    assert sorted(kept | folded) == sorted((e["type"], e["trigger"]["start"]) for e in apart)
    assert not kept & folded and len(kept) + len(folded) == len(apart)
    by_id = {e["id"]: e for e in apart}
    for event in merged:
        first = by_id[event["id"]]
        assert {k: v for k, v in event.items() if k not in ("args", "mentions")} == {
            k: v for k, v in first.items() if k not in ("args", "mentions")
        }
        assert event["args"].items() >= first["args"].items()  # the first mention's own arguments stay
        for mention in event["mentions"]:
            assert by_id[mention["id"]]["modality"] == mention["modality"]
            for role in mention["contributed"]:
                assert event["args"][role] == by_id[mention["id"]]["args"][role]


def test_a_sqlite_log_from_before_mentions_is_read_and_resumed(merging: Extractor, tmp_path: Path) -> None:
    import sqlite3

    from eventx.io import open_writer

    docs = [Document("a", HEADLINE_AND_LEAD), Document("b", TWO_COUNTRIES)]
    path = tmp_path / "old.sqlite"
    writer = open_writer(str(path), resume=False)
    writer.write_document(docs[0], merging.extract(docs[0]))
    writer.close()
    with sqlite3.connect(path) as conn:  # the shape of a log written before the column existed
        conn.execute('ALTER TABLE events DROP COLUMN "mentions"')
    assert all("mentions" not in e for e in iter_events(str(path)))
    writer = open_writer(str(path), resume=True)
    writer.write_document(docs[1], merging.extract(docs[1]))
    writer.close()
    events = list(iter_events(str(path)))
    assert [("mentions" in e) for e in events if e["doc_id"] == "a"] == [False] * sum(e["doc_id"] == "a" for e in events)
    assert all(e["mentions"] == [] for e in events if e["doc_id"] == "b")
