"""SourceText.position: offsets inside a YAML scalar map back to the exact file place."""

from __future__ import annotations

import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from eventx.rules import Pos, SourceText
from eventx.rules.yamlpos import YamlSource


def scalar(document: str, key: str = "pattern") -> SourceText:
    source = YamlSource("r.yml", document)
    node, problems = source.compose()
    assert not problems and node is not None
    [value] = [v for k, v in node.value if k.value == key]
    return source.source_text(value)


def char_at(document: str, pos: Pos) -> str:
    line = document.split("\n")[pos.line - 1] + "\n"
    return line[pos.col - 1]


def test_plain() -> None:
    doc = "x: 1\npattern: (?<agent> @actor)? [lemma=send]\n"
    text = scalar(doc)
    assert text.pos == Pos("r.yml", 2, 10) and text.style == ""
    assert text.position(text.text.index("[lemma")) == Pos("r.yml", 2, 29)
    assert text.position(len(text.text)) == Pos("r.yml", 2, 41)


def test_plain_multi_line_folds() -> None:
    doc = "pattern: (?<agent> @actor)\n  [lemma=send]\n\n  @force\n"
    text = scalar(doc)
    assert text.text == "(?<agent> @actor) [lemma=send]\n@force"
    assert text.position(text.text.index("[lemma")) == Pos("r.yml", 2, 3)
    assert text.position(text.text.index("@force")) == Pos("r.yml", 4, 3)
    assert text.position(text.text.index(" [lemma")) == Pos("r.yml", 1, 27)  # the folded break


def test_single_quoted_with_doubled_quote() -> None:
    doc = "pattern: '[word=\"''s\"] [lower=to]'\n"
    text = scalar(doc)
    assert text.text == "[word=\"'s\"] [lower=to]" and text.style == "'"
    assert text.position(0) == Pos("r.yml", 1, 11)
    assert text.position(text.text.index("s")) == Pos("r.yml", 1, 20)
    assert text.position(text.text.index("[lower")) == Pos("r.yml", 1, 24)


def test_double_quoted_with_escapes_best_effort() -> None:
    doc = 'pattern: "[word=/\\\\d+/] \\"x\\" [lower=to]"\n'
    text = scalar(doc)
    assert text.text == '[word=/\\d+/] "x" [lower=to]'
    assert text.position(text.text.index("d+")) == Pos("r.yml", 1, 20)
    assert text.position(text.text.index("x")) == Pos("r.yml", 1, 27)
    assert text.position(text.text.index("[lower")) == Pos("r.yml", 1, 31)
    assert text.position(text.text.index('"x')) == Pos("r.yml", 1, 25)  # the escape's backslash


def test_literal_block_multi_line() -> None:
    doc = (
        "rules:\n"
        "  - id: a\n"
        "    pattern: |\n"
        "      (?<agent> @actor)? [lemma=send]=trigger\n"
        "        []{0,3} (?<force> @force)\n"
        "\n"
        "      ( [lower=to] (?<destination> @place) )?\n"
        "    type: t\n"
    )
    source = YamlSource("r.yml", doc)
    rule = source.compose()[0].value[0][1].value[0]
    text = source.source_text(dict((k.value, v) for k, v in rule.value)["pattern"])
    assert text.style == "|" and text.pos == Pos("r.yml", 4, 7)
    assert text.position(text.text.index("[lemma")) == Pos("r.yml", 4, 26)
    assert text.position(text.text.index("[]")) == Pos("r.yml", 5, 9)
    assert text.position(text.text.index("  []")) == Pos("r.yml", 5, 7)  # kept indentation
    assert text.position(text.text.index("@force")) == Pos("r.yml", 5, 27)
    assert text.position(text.text.index("( [lower")) == Pos("r.yml", 7, 7)
    assert text.position(text.text.index("\n\n") + 1) == Pos("r.yml", 6, 1)  # the blank line
    assert text.position(len(text.text)) == Pos("r.yml", 8, 1)


def test_folded_block() -> None:
    doc = "pattern: >-\n  [lemma=send]\n  @force\n\n  [lower=to]\n"
    text = scalar(doc)
    assert text.text == "[lemma=send] @force\n[lower=to]"
    assert text.position(text.text.index("@force")) == Pos("r.yml", 3, 3)
    assert text.position(text.text.index("[lower")) == Pos("r.yml", 5, 3)


def test_tags_anchors_and_crlf() -> None:
    text = scalar("pattern: &p !!str (?<x> @force) [lemma=send]\r\n")
    assert text.position(0) == Pos("r.yml", 1, 19)
    assert text.position(text.text.index("@force")) == Pos("r.yml", 1, 25)
    text = scalar("pattern: |\r\n  [lemma=send]\r\n  @force\r\n")
    assert text.position(text.text.index("@force")) == Pos("r.yml", 3, 3)


def test_hand_built_source_text_is_verbatim() -> None:
    text = SourceText("[lemma=a]\n  @b", Pos("x.yml", 3, 5))
    assert text.position(1) == Pos("x.yml", 3, 6)
    assert text.position(12) == Pos("x.yml", 4, 3)
    assert text.position(99) == text.position(len(text.text))


PATTERN_TEXT = st.text(alphabet="ab [=]|@$?<>()'\"\\#:-\n", min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(text=PATTERN_TEXT, style=st.sampled_from([None, "'", '"', "|", ">"]), width=st.integers(8, 40))
def test_every_character_maps_to_itself(text: str, style: str | None, width: int) -> None:
    """Whatever style pyyaml picks for a text, each character's position holds that character.

    Escapes in double-quoted scalars are best effort: there the place may be the backslash.
    """
    document = yaml.dump({"x": 1, "pattern": text}, default_style=style, width=width, allow_unicode=True)
    source_text = scalar(document)
    assume(source_text.text == text)  # pyyaml's emitter does not round-trip every folded text
    for offset, ch in enumerate(text):
        if ch.isspace():
            continue
        found = char_at(document, source_text.position(offset))
        assert found == ch or (source_text.style == '"' and found == "\\"), (offset, ch, found)
