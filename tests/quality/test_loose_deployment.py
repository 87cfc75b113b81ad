"""The fallback deployment rule (``deployment.loose``), through the shipped pack.

It catches a sending verb and a force in one clause in word orders no specific rule spells
out, and must never take a sentence from a specific rule (it has the lowest priority) nor
reach across a clause. Invented sentences, none from the labelled data.
"""

from __future__ import annotations

import pytest

from eventx.api import Extractor


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _deployments(extractor: Extractor, text: str) -> list[dict]:
    return [e for e in extractor.extract(text) if e["type"] == "deployment"]


@pytest.mark.parametrize("text, force, destination", [
    ("Moscow has quietly amassed along the frontier more than 40,000 soldiers.", "soldiers", None),
    ("The navy said it had dispatched earlier this week two frigates to the strait.", "frigates", "the strait"),
    ("Two frigates will almost certainly be dispatched within days to the strait.", "frigates", "the strait"),
    ("Roughly 900 Belgian paratroopers are expected to deploy early next year into the disputed province.",
     "Belgian paratroopers", "the disputed province"),
])
def test_word_orders_no_specific_rule_spells_out(extractor: Extractor, text: str, force: str,
                                                 destination: str | None) -> None:
    [event] = _deployments(extractor, text)
    assert event["rule"] == "deployment.loose"
    assert event["args"]["force"]["text"] == force
    assert event["args"].get("destination", {}).get("text") == destination


@pytest.mark.parametrize("text, rule", [
    ("Poland sent 300 troops to Lithuania on Monday.", "deployment.active"),
    ("Hundreds of extra police officers were rushed to the city centre.", "deployment.passive"),
])
def test_specific_rules_win(extractor: Extractor, text: str, rule: str) -> None:
    [event] = _deployments(extractor, text)
    assert event["rule"] == rule


@pytest.mark.parametrize("text", [
    "With 5,000 soldiers currently deployed in the south, the army has few reserves.",  # presence
    "Soldiers stationed in the region for a decade say little has changed.",  # presence
    "Officials sent a letter while troops waited at the border.",  # another clause
    "The ministry sent aid, and troops guarded the convoy.",  # another clause
    "The winger contributed to the Rangers' third straight win.",  # "to" + a team
    "He said he would send him in the army as soon as possible.",  # a pronoun object
    "The firm will deploy its cash reserves to buy back shares.",  # no force
    "Analysts at Mass. Mutual Division expect higher rates.",  # Massachusetts
])
def test_not_a_deployment(extractor: Extractor, text: str) -> None:
    assert _deployments(extractor, text) == []
