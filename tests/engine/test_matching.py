"""Matching semantics of compiled patterns, through the public Extractor API."""

from __future__ import annotations

import pytest

from tests.engine.conftest import args_text


def test_trigger_default_is_first_required_literal_token(extract):
    events = extract("[lower=the]? [lemma=deploy] (?<force> [lemma=troop])", "They deployed troops.")
    assert [e["trigger"]["text"] for e in events] == ["deployed"]
    assert args_text(events[0]) == {"force": "troops"}


def test_lemma_values_match_british_and_american_spellings(extract):
    text = "Serbia mobilised reservists. Chile mobilized reservists."
    events = extract("[lemma=mobilise]", text)
    assert [e["trigger"]["text"] for e in events] == ["mobilised", "mobilized"]


def test_optional_capture_that_does_not_take_part_gives_no_argument(extract):
    events = extract("(?<who> [word=NATO])? [lemma=send]", "They will send ships.")
    assert events and events[0]["args"] == {}


def test_greedy_and_lazy_quantifiers(extract):
    text = "send a b c troops troops"
    greedy = extract("[lemma=send] (?<x> []+) [lower=troops]", text)
    lazy = extract("[lemma=send] (?<x> []+?) [lower=troops]", text)
    assert args_text(greedy[0])["x"] == "a b c troops"
    assert args_text(lazy[0])["x"] == "a b c"


def test_lookaround_constrains_without_consuming(extract):
    text = "the army moved. a band moved."
    events = extract("(?<= [lower=army]) [lemma=move]", text)
    assert len(events) == 1 and events[0]["span"]["text"] == "moved"
    events = extract("[lemma=move] (?! [lower=.])", text)
    assert events == []


def test_anchors_are_sentence_boundaries(extract):
    events = extract("^ [lemma=alert]", "Alert issued. The alert was lifted.")
    assert [e["sentence"]["index"] for e in events] == [0]


def test_field_regex_is_a_full_match_on_one_field(extract):
    # /[A-Z]+/ must match the whole word; it can never run into the next field
    events = extract("[word=/[A-Z]+/] [lemma=deploy]", "NATO deployed. Nato deployed.")
    assert len(events) == 1 and events[0]["span"]["text"] == "NATO deployed"


def test_num_and_constraint_combinations(extract):
    events = extract("(?<q> [num]) [lower=troops | lower=soldiers & !word=Soldiers]", "1,200 troops and 300 Soldiers and 5 soldiers")
    assert [args_text(e)["q"] for e in events] == ["1,200", "5"]


def test_lexicon_longest_match_with_backtracking_and_norm(extract):
    lexicons = "  place: ['South Sudan => SSD', 'Sudan => SDN', 'South => S']"
    events = extract("[lemma=send] [lower=aid] [lower=to] (?<where> @place)", "They sent aid to South Sudan.", lexicons=lexicons)
    assert events[0]["args"]["where"]["text"] == "South Sudan"
    assert events[0]["args"]["where"]["norm"] == "SSD"
    # backtracking: @place gives up its longest phrase when the rest of the pattern needs it
    events = extract("[lemma=send] [lower=to] (?<where> @place) [lower=sudan]", "sent to South Sudan", lexicons=lexicons)
    assert events[0]["args"]["where"]["text"] == "South"


def test_case_sensitive_lexicon(extract):
    lexicons = "  abbr: {entries: ['US => USA'], case: sensitive}"
    events = extract("(?<who> @abbr) [lemma=send]", "US sends. us sends.", lexicons=lexicons)
    assert [e["args"]["who"]["text"] for e in events] == ["US"]


def test_quantity_argument_is_normalised(extract):
    events = extract("[lemma=send] (?<quantity> [lower=more] [lower=than] [num]) [lower=troops]", "They sent more than 3,000 troops.")
    quantity = events[0]["args"]["quantity"]
    assert (quantity["value"], quantity["qualifier"]) == (3000, "at_least")


def test_offsets_index_the_original_text(extract):
    text = "Headline\n\n  The army’s units  deployed   fast."
    events = extract("[lemma=deploy]", text)
    for key in ("trigger", "span"):
        part = events[0][key]
        assert text[part["start"] : part["end"]] == part["text"]


def test_overlapping_matches_of_same_type_resolved_by_priority_then_length(make_pack):
    from eventx.api import Extractor

    pack = make_pack(
        {
            "r.yml": """
            rules:
              - id: short-high
                type: t
                priority: 5
                pattern: "[lemma=send]"
              - id: long-low
                type: t
                pattern: "[lemma=send] [lower=troops]"
              - id: other-type
                type: u
                pattern: "[lemma=send] [lower=troops]"
              - id: long-same-priority
                type: v
                pattern: "[lemma=send] [lower=troops]"
              - id: short-same-priority
                type: v
                pattern: "[lemma=send]"
            """
        }
    )
    events = Extractor(pack).extract("They send troops.")
    assert sorted((e["type"], e["rule"]) for e in events) == [
        ("t", "short-high"),
        ("u", "other-type"),
        ("v", "long-same-priority"),
    ]


def test_output_is_deterministic_with_stable_ids(extract):
    text = "They sent troops. They sent more troops."
    first = extract("[lemma=send] [lower=more]? [lower=troops]", text)
    second = extract("[lemma=send] [lower=more]? [lower=troops]", text)
    assert first == second
    assert len({e["id"] for e in first}) == 2


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "no trigger words here"])
def test_documents_without_matches_give_no_events(extract, text):
    assert extract("[lemma=deploy]", text) == []
