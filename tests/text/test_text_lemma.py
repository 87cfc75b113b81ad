"""Lemmas: VERB-first lexicon lookup, OOV suffix rules, British -> American spelling."""

from __future__ import annotations

import pytest

from eventx.text.lemma import lemma_forms, lemmatize, normalise_spelling


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("deploying", "deploy"),
        ("mobilized", "mobilize"),
        ("mobilised", "mobilize"),
        ("mobilising", "mobilize"),
        ("troops", "troop"),
        ("evacuees", "evacuee"),
        ("sent", "send"),
        ("warships", "warship"),  # not in the lexicon: OOV plural rule
        ("forces", "force"),
        ("ordered", "order"),
        ("evacuated", "evacuate"),
        ("children", "child"),
        ("was", "be"),
        ("left", "leave"),
        ("defence", "defense"),
        ("defences", "defense"),
        ("organisation", "organization"),
        ("authorised", "authorize"),
        ("analysed", "analyze"),
        ("armoured", "armored"),
        ("kilometres", "kilometer"),
        ("programmes", "program"),
        ("manoeuvres", "maneuver"),
        ("travelled", "travel"),
        ("cancelled", "cancel"),
        ("self-defence", "self-defense"),
        ("cease-fires", "cease-fire"),
        ("redeployed", "redeploy"),
        ("n't", "not"),
        ("'re", "be"),
        ("u.s.", "u.s."),
        ("1,200", "1,200"),
        (".", "."),
        ("the", "the"),
        ("news", "news"),
        ("gas", "gas"),
        ("status", "status"),
        ("xyzzy", "xyzzy"),
    ],
)
def test_lemmatize(word: str, lemma: str) -> None:
    assert lemmatize(word) == lemma


@pytest.mark.parametrize("word", ["rise", "promise", "exercise", "advise", "surprise", "compromise", "supervise", "wise"])
def test_standard_ise_words_are_kept(word: str) -> None:
    assert normalise_spelling(word) == word
    assert lemmatize(word) == word


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("mobilise", "mobilize"),
        ("authorise", "authorize"),
        ("organisation", "organization"),
        ("paralyse", "paralyze"),
        ("armour", "armor"),
        ("harbour", "harbor"),
        ("labour", "labor"),
        ("honour", "honor"),
        ("colour", "color"),
        ("favour", "favor"),
        ("neighbour", "neighbor"),
        ("behaviour", "behavior"),
        ("rumour", "rumor"),
        ("defence", "defense"),
        ("offence", "offense"),
        ("licence", "license"),
        ("pretence", "pretense"),
        ("centre", "center"),
        ("theatre", "theater"),
        ("metre", "meter"),
        ("fibre", "fiber"),
        ("calibre", "caliber"),
        ("programme", "program"),
        ("manoeuvre", "maneuver"),
    ],
)
def test_normalise_spelling(british: str, american: str) -> None:
    assert normalise_spelling(british) == american


def test_lemma_forms() -> None:
    assert lemma_forms("mobilize") >= {
        "mobilize", "mobilizes", "mobilized", "mobilizing",
        "mobilise", "mobilises", "mobilised", "mobilising",
    }
    assert lemma_forms("troop") >= {"troop", "troops"}
    assert lemma_forms("defense") >= {"defense", "defence", "defences", "defenses"}
    assert lemma_forms("be") >= {"be", "is", "was", "were", "been", "being", "am", "are"}
    assert "warships" in lemma_forms("warship")


@pytest.mark.parametrize("lemma", ["mobilize", "troop", "defense", "leave", "send", "evacuate", "warship", "child"])
def test_lemma_forms_round_trip(lemma: str) -> None:
    forms = lemma_forms(lemma)
    assert lemma in forms
    assert all(lemmatize(form) == lemma for form in forms)


def test_a_word_that_is_its_own_lemma_is_returned_itself() -> None:
    """The memo keeps the word's own string as its lemma (one object fewer per entry). Words
    no other test looks up: the memo keeps the string of the first caller of a word."""
    for word in ("".join(["blorp", "tak"]), "".join(["quazzle", "ville"]), "".join(["frindo", "mar"])):
        assert lemmatize(word) == word
        assert lemmatize(word) is word
