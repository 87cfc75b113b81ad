"""The prefilter's requirements of an alternation: any union of one requirement per branch.

A rule whose branches each start with a common word ("more", "for") but also need a rarer one
(a force noun) must not make every sentence with the common word a candidate."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventx.api import load_rules
from eventx.text.tokenize import tokenize

RULES = """\
lexicons:
  forces: [troops, soldiers, marines]
rules:
  - id: more
    type: deployment
    pattern: "[lemma=approve]=trigger [lower=more] [lower=@forces] | [lemma=seek] [lower=more]=trigger [lower=@forces] | [lower=for] [lower=@forces]=trigger [lower=to]"
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("prefilter")
    (root / "r.yml").write_text(RULES, encoding="utf-8")
    return load_rules(root)


@pytest.mark.parametrize("text, candidate, matches", [
    ("Parliament approved more troops.", True, 1),
    ("The general seeks more marines.", True, 1),
    ("They asked for soldiers to help.", True, 1),
    ("Investors want more for their money.", False, 0),  # "more" and "for", but no force noun
    ("Shares of the company rose more than expected.", False, 0),
])
def test_a_sentence_without_any_branchs_rarer_word_is_no_candidate(pack, text, candidate, matches):
    assert pack.prefilter.may_fire(text)[0] is candidate
    tokens = tokenize(text)
    assert len(pack.match_sentence(tokens).matches) == matches
    # the rules named, the prefilter skipped: the same matches
    assert len(pack.match_sentence(tokens, rule_ids=[0]).matches) == matches
