"""Property tests of the extraction invariants on random documents and random rules.

- Every event's offsets index the original text: ``text[start:end]`` is the recorded text of
  its trigger, span, arguments and attribution, and all of them lie inside its sentence.
- Output is deterministic, and the speed-ups do not change it: the sentence prefilter
  (``Extractor(prefilter=False)`` is the reference) and the matcher's trigger windows (plain
  ``finditer`` over each sentence's encoded stream is the reference).
- The tokens of a text are those of its whitespace-delimited chunks (what the prefilter
  relies on), and the pattern parser fails only with its own error type.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventx.api import Extractor, load_rules
from eventx.errors import RuleError
from eventx.match.ast import PatternError
from eventx.match.parser import parse_pattern
from eventx.text.model import Document
from eventx.text.pipeline import analyse, sentence_spans, tokens_for
from eventx.text import tokenize as tokenize_module
from eventx.text.tokenize import lowers_and_lemmas, tokenize

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# News-like words around the shipped pack's triggers, plus what breaks naive code.
WORDS = (
    "China Poland Russia NATO the a of to in on troops soldiers police warships 2,000 thousands "
    "deployed sent sending dispatched ordered told urged residents staff evacuate leave evacuated "
    "alert placed high raised level threat withdrew pulled attacked sanctions imposed embargo "
    "said would could not no plans border region capital Khartoum Sunday U.S. Gen. don't Japan's"
).split()
ODD = [
    "\u2019s", "\u201cquoted\u201d", "\x00", "\x07", "\u200b", "\ufeff", "\ud800", "\u0301", "e\u0301", "\U0001F600",
    "\u03a3\u039f\u03a3", "\u0130stanbul", "\u212a", "-", "--", "...", "?", "!", "(", ")", "\t", "\r\n", "\n\n", "\x1c",
    "x" * 300, "deployed" * 40, "1" * 120, "a-b-c-d", "n't", "'", "\u00a0",
]
PIECE = st.one_of(st.sampled_from(WORDS), st.sampled_from(ODD), st.text(max_size=6))
SEPARATOR = st.sampled_from([" ", " ", " ", ". ", ", ", "\n", ". The ", "! ", "\n\n", ""])
TEXT = st.lists(st.tuples(PIECE, SEPARATOR), max_size=60).map(lambda parts: "".join(p + s for p, s in parts))


def check_offsets(text: str, events: list[dict]) -> None:
    for event in events:
        sentence = event["sentence"]
        assert 0 <= sentence["start"] <= sentence["end"] <= len(text)
        spans = [event["trigger"], event["span"], *event["args"].values()]
        if event["attribution"]:
            spans.append(event["attribution"])
        for span in spans:
            assert text[span["start"] : span["end"]] == span["text"]
        for span in (event["trigger"], event["span"], *event["args"].values()):
            assert sentence["start"] <= span["start"] < span["end"] <= sentence["end"], (span, sentence)


@pytest.fixture(scope="module")
def shipped() -> tuple[Extractor, Extractor]:
    pack = load_rules()
    return Extractor(pack), Extractor(pack, prefilter=False)


@SETTINGS
@given(TEXT)
def test_random_documents_with_the_shipped_pack(shipped: tuple[Extractor, Extractor], text: str) -> None:
    fast, reference = shipped
    doc = Document(id="d", text=text)
    events = fast.extract(doc)
    check_offsets(text, events)
    assert fast.extract(doc) == events
    assert reference.extract(doc) == events


def test_prose_with_events_keeps_every_event(shipped: tuple[Extractor, Extractor]) -> None:
    """The property above must not pass only because random text has no events."""
    fast, reference = shipped
    text = (
        "China has deployed about 2,000 soldiers to the disputed border region, state media reported.\n\n"
        "The embassy ordered all non-essential staff to leave Khartoum on Sunday. Markets were calm."
    )
    events = fast.extract(Document(id="p", text=text))
    assert {e["type"] for e in events} >= {"deployment", "evacuation_order"}
    check_offsets(text, events)
    assert reference.extract(Document(id="p", text=text)) == events


# ---- random rules from a small grammar ------------------------------------------------------

TOKENS = [
    "[]", "[lower=the]", "[lower=to|in|on]", "[lemma=troop|soldier]", "[num]", "[shape=Xxxxx]",
    "[word=/[A-Z].*/]", "[!word=/[.,]/]", "[lower=the & !word=The]", "@places", "@forces",
]
TRIGGERS = ["[lemma=deploy|send]=trigger", "[lower=said]=trigger", "@forces=trigger", "[lemma=be]=trigger", "[lower=the]=trigger"]


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    """A pattern element without a trigger mark (so that the trigger stays required)."""
    kind = draw(st.integers(0, 9 if depth < 2 else 1))
    if kind <= 1:
        return draw(st.sampled_from(TOKENS))
    inner = " ".join(draw(st.lists(element(depth + 1), min_size=1, max_size=3)))
    if kind == 2:
        return f"( {inner} )?"
    if kind == 3:
        return f"( {inner} ){draw(st.sampled_from(['{0,2}', '*', '+?', '{1,3}?', '?+']))}"
    if kind == 4:
        other = " ".join(draw(st.lists(element(depth + 1), min_size=1, max_size=2)))
        return f"( {inner} | {other} )"
    if kind == 5:
        return f"(?= {inner} )" if draw(st.booleans()) else f"(?! {inner} )"
    if kind == 6:
        return f"(?<= {inner} )" if draw(st.booleans()) else f"(?<! {inner} )"
    return f"(?<ARG> {inner} )"


@st.composite
def pattern(draw: st.DrawFn) -> str:
    before = draw(st.lists(element(), max_size=3))
    after = draw(st.lists(element(), max_size=3))
    anchors = draw(st.sampled_from([("", ""), ("^", ""), ("", "$")]))
    trigger = draw(st.sampled_from(TRIGGERS))
    text = " ".join(p for p in (anchors[0], *before, trigger, *after, anchors[1]) if p)
    for i in range(text.count("(?<ARG>")):
        text = text.replace("(?<ARG>", f"(?<a{i}>", 1)
    return text


RULE_TEXT = st.lists(
    st.tuples(st.sampled_from(WORDS + ["Lithuania", "Baltic", "states", "marines", "was", "were", "is"]), SEPARATOR),
    min_size=3,
    max_size=40,
).map(lambda parts: "".join(p + s for p, s in parts))


def write_pack(root: Path, patterns: list[str]) -> Path:
    rules = "\n".join(f"  - id: r{i}\n    type: t{i % 2}\n    pattern: {p!r}" for i, p in enumerate(patterns))
    root.mkdir(parents=True, exist_ok=True)
    (root / "r.yml").write_text(
        textwrap.dedent(
            """\
            lexicons:
              places: [Lithuania, the Baltic states, Poland, Khartoum]
              forces: [troops, soldiers, marines, warships, police, coast guard]
            rules:
            """
        )
        + rules
        + "\n",
        encoding="utf-8",
    )
    return root


def reference_matches(pack, tokens) -> list[tuple[str, int, int]]:
    """Every rule's regex over the whole encoded stream, no prefilter and no windows."""
    stream, offsets = pack.encoder.stream(tokens, pack.lexicons.annotate(tokens))
    return [(rule.id, offsets[m.start()], offsets[m.end()]) for rule in pack.rules for m in rule.pattern.regex.finditer(stream)]


@SETTINGS
@given(st.lists(pattern(), min_size=1, max_size=4), st.lists(RULE_TEXT, min_size=1, max_size=4))
def test_random_rules_match_like_finditer_and_keep_offsets(tmp_path_factory, patterns: list[str], texts: list[str]) -> None:
    root = write_pack(tmp_path_factory.mktemp("rules"), patterns)
    try:
        pack = load_rules(root)
    except RuleError as error:  # the grammar only builds valid patterns
        pytest.fail(f"{patterns}: {error}")
    fast, reference = Extractor(pack), Extractor(pack, prefilter=False)
    for i, text in enumerate(texts):
        doc = Document(id=f"d{i}", text=text)
        for sentence in analyse(doc):
            found = pack.match_sentence(sentence.tokens)
            assert [(m.rule.id, m.start, m.end) for m in found.matches] == reference_matches(pack, sentence.tokens)
        events = fast.extract(doc)
        check_offsets(text, events)
        assert reference.extract(doc) == events == fast.extract(doc)


def test_random_rule_grammar_finds_matches(tmp_path: Path) -> None:
    """The grammar's rules do match text (so the property above compares real matches)."""
    pack = load_rules(write_pack(tmp_path, ["( [lemma=troop|soldier] )? [lemma=deploy|send]=trigger []{0,2} (?<place> @places)"]))
    events = Extractor(pack).extract("Poland sent troops to the Baltic states.")
    assert [e["args"]["place"]["text"] for e in events] == ["the Baltic states"]


# ---- building blocks ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_tokens_are_those_of_whitespace_chunks(text: str) -> None:
    """What Prefilter.may_fire relies on: tokenising each chunk alone gives the same tokens."""
    expected = [(t.start, t.end, t.word, t.lemma) for s, e in sentence_spans(text) for t in tokens_for(text, s, e)]
    from_chunks = []
    position = 0
    for chunk in text.split():
        position = text.index(chunk, position)
        from_chunks += [(t.start + position, t.end + position, t.word, t.lemma) for t in tokenize(chunk)]
        position += len(chunk)
    assert from_chunks == expected


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_chunk_keys_are_those_of_the_chunks_tokens(text: str) -> None:
    """The prefilter's keys of a chunk (``lowers_and_lemmas``, which builds no tokens) are the
    lower-case forms and lemmas of the chunk's tokens, whether or not the token cache knows
    the chunk's words (cleared first: computed; after tokenising: read from the cache)."""
    for chunk in text.split():
        tokenize_module._info_cache.clear()
        computed = lowers_and_lemmas(chunk)
        expected = [(t.lower, t.lemma) for t in tokenize(chunk)]
        assert computed == expected
        assert lowers_and_lemmas(chunk) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXT, st.data())
def test_lexicon_hits_of_some_lexicons_are_those_of_all_filtered(shipped: tuple[Extractor, Extractor], text: str, data) -> None:
    """``annotate(only=...)`` skips tokens that start no phrase of a wanted lexicon: the hits it
    gives must be exactly the full annotation's hits of those lexicons, in the same order."""
    lexicons = shipped[0].pack.lexicons
    only = data.draw(st.sets(st.integers(0, len(lexicons.names) - 1)))
    for s, e in sentence_spans(text):
        tokens = tokens_for(text, s, e)
        assert lexicons.annotate(tokens, only) == [h for h in lexicons.annotate(tokens) if h.lexicon in only]


def test_lexicon_hits_of_some_lexicons_on_news(shipped: tuple[Extractor, Extractor]) -> None:
    """The same on prose where lexicons of every kind (function words, countries) have hits."""
    lexicons = shipped[0].pack.lexicons
    text = ("Russian troops and tanks of the 1st Guards Tank Army attacked the town of Bakhmut in eastern "
            "Ukraine on Sunday, and NATO said it would send more forces to Poland's border.")
    tokens = tokens_for(text)
    every = lexicons.annotate(tokens)
    assert {h.lexicon for h in every} - lexicons.normed and lexicons.normed & {h.lexicon for h in every}
    for only in ({h.lexicon for h in every if h.norm}, {h.lexicon for h in every if not h.norm}, set(range(0, 200, 3))):
        assert lexicons.annotate(tokens, only) == [h for h in every if h.lexicon in only]


def _assert_candidates_meet_requirements(pack, tokens) -> None:
    prefilter = pack.prefilter
    candidates = set(prefilter.candidates(tokens))
    for index in prefilter.triggered(tokens):
        # missing_requirement() tests every requirement against all of the tokens' keys at once
        assert (index in candidates) == (prefilter.missing_requirement(index, tokens) is None), pack.rules[index].id


@SETTINGS
@given(TEXT)
def test_candidate_rules_are_those_whose_requirements_are_met(shipped: tuple[Extractor, Extractor], text: str) -> None:
    """The candidates of a sentence (its lemma keys added only when a requirement naming a
    lemma is not met by its words) are the triggered rules with no requirement missing."""
    for s, e in sentence_spans(text):
        _assert_candidates_meet_requirements(shipped[0].pack, tokens_for(text, s, e))


def test_candidate_rules_on_news(shipped: tuple[Extractor, Extractor]) -> None:
    pack = shipped[0].pack
    text = ("Russia has deployed thousands of troops to the border and said it was sending more. "
            "The minister held talks with his Chinese counterpart. Police evacuated residents. "
            "Rebels attacked the town, and the government imposed sanctions on the group.")
    checked = 0
    for s, e in sentence_spans(text):
        tokens = tokens_for(text, s, e)
        _assert_candidates_meet_requirements(pack, tokens)
        checked += len(pack.prefilter.triggered(tokens))
    assert checked > 10


PATTERN_FRAGMENTS = [
    "[", "]", "(", ")", "(?<", ">", "(?=", "(?!", "(?<=", "(?<!", "(?:", "|", "&", "!", "=", "/", "\\", '"',
    "lower", "lemma", "word", "shape", "num", "=trigger", "@", "${", "}", "{", ",", "?", "*", "+", "^", "$",
    " ", "a", "X", "0", "9", ".", "\u00e9", "\x00", "\n",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PATTERN_FRAGMENTS), st.text(max_size=3)), max_size=30).map("".join))
def test_parser_fails_only_with_pattern_error(text: str) -> None:
    try:
        parse_pattern(text)
    except PatternError as error:
        assert str(error)
