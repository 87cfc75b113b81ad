"""Pattern parser: syntax accepted, syntax rejected with the right offset, and robustness."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventx.match.ast import (
    Alt,
    And,
    FieldEquals,
    FieldRegex,
    Group,
    IsNumber,
    LexiconRef,
    Not,
    Or,
    PatternError,
    Repeat,
    Seq,
    TokenNode,
    VarRef,
)
from eventx.match.parser import parse_pattern


def test_field_alternatives_and_constraint_alternatives():
    node = parse_pattern("[lower=to|into]")
    assert node.constraint == FieldEquals("lower", ("to", "into"), 1)
    node = parse_pattern("[word=NATO | lower=alliance]")
    assert isinstance(node.constraint, Or)
    assert [c.field for c in node.constraint.operands] == ["word", "lower"]


def test_precedence_not_and_or():
    node = parse_pattern("[lower=troop|soldier & !word=/[A-Z].*/]")
    c = node.constraint
    assert isinstance(c, And)
    assert c.operands[0] == FieldEquals("lower", ("troop", "soldier"), 1)
    assert isinstance(c.operands[1], Not) and isinstance(c.operands[1].operand, FieldRegex)
    c = parse_pattern("[!(lemma=a | lemma=b) & num]").constraint
    assert isinstance(c, And) and isinstance(c.operands[0], Not) and isinstance(c.operands[1], IsNumber)


def test_quoted_values_and_regex_escapes():
    assert parse_pattern('[word="]"]').constraint.values == ("]",)
    assert parse_pattern(r'[word="a\"b"]').constraint.values == ('a"b',)
    assert parse_pattern(r"[word=/a\/b|c]/]").constraint.regex == "a/b|c]"


def test_sequence_groups_quantifiers_and_trigger():
    node = parse_pattern("(?<agent> @actor)? [lemma=deploy]=trigger []{0,3}? (?<force> @force)+")
    assert isinstance(node, Seq)
    agent, trigger, gap, force = node.items
    assert isinstance(agent, Repeat) and (agent.min, agent.max) == (0, 1)
    assert isinstance(agent.body, Group) and agent.body.name == "agent"
    assert isinstance(agent.body.body, LexiconRef)
    assert isinstance(trigger, TokenNode) and trigger.trigger
    assert (gap.min, gap.max, gap.mode) == (0, 3, "lazy")
    assert force.min == 1 and force.max is None


def test_lookaround_alternation_vars_and_comments():
    node = parse_pattern("(?<= [lower=the]) ${verb} # a comment\n | (?! [num]) [] $")
    assert isinstance(node, Alt)
    first, second = node.branches
    assert first.items[0].kind == "behind" and isinstance(first.items[1], VarRef)
    assert second.items[0].kind == "not_ahead"


@pytest.mark.parametrize(
    "pattern, offset, fragment",
    [
        ("[lemma=deploy", 0, "never closed"),
        ("(?<x> [lemma=a]", 0, "never closed"),
        ("[lemma=a])", 9, "unbalanced ')'"),
        ("[lemmma=a]", 1, "did you mean 'lemma'?"),
        ("[word=/(/]", 6, "bad regex"),
        ("[lemma=a]{3,1}", 9, "maximum is below"),
        ("* [lemma=a]", 0, "nothing to repeat"),
        ("[lemma=a]=trigger?", 0, "required token"),
        ("(?= [lemma=a])*", 0, "lookaround cannot be quantified"),
        ("[lemma=a] ]", 10, "unbalanced ']'"),
        ("@", 1, "lexicon name"),
    ],
)
def test_syntax_errors_point_at_the_problem(pattern, offset, fragment):
    with pytest.raises(PatternError) as info:
        parse_pattern(pattern)
    assert info.value.offset == offset
    assert fragment in info.value.message


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("[]()|&!=?*+{},/@$#<>: \"\\") + ["lemma=a", "word", "num", "x"]), max_size=30))
def test_parser_raises_only_pattern_errors(pieces):
    text = "".join(pieces)
    try:
        parse_pattern(text)
    except PatternError:
        pass
