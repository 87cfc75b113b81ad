"""A pack's token records (the flags of the token tests a token passes) are memoised by word and
lemma; equal records are one string, so the memo costs one string per distinct record."""

from __future__ import annotations

from eventx.api import load_rules
from eventx.text.tokenize import tokenize


def test_equal_records_of_different_words_are_one_string() -> None:
    pack = load_rules("rules")
    first, second, other = pack.atoms.records(tokenize("zorblax quimbel 1,200"))
    assert first == second and first is second  # two unknown lower-case words: the same tests pass
    assert other != first  # a number passes others
