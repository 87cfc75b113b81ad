"""Tokens with offsets: the units rules are written against (docs/writing-rules.md).

One compiled pattern finds every token span in a single ``findall`` pass; everything derived
from the token text (straightened word, lower, lemma, shape, is_num) is computed once per
distinct string and cached, because news repeats a small vocabulary and per-token Python work
is what limits throughput.

Conventions beyond the contract:

- Apostrophes inside a word that do not start a clitic stay inside it ("O'Brien", "Qur'an"),
  as in spaCy and the Penn Treebank.
- A number with internal ``,``/``.`` may continue with hyphenated parts ("2,000-strong" is one
  token, like "10-year"); letters glued to it form the next token ("2.5bn" -> "2.5" "bn").
- A sign is never part of a token ("-4" -> "-" "4"), though :func:`is_number` accepts one.
- A single letter followed by a period is an initial even at a sentence end ("World War I."
  gives "I."); the sentence splitter makes the same call.
- Any other character is a token of its own, with the combining marks that follow it (an
  emoji and its variation selector stay together).
- Whitespace, control and format characters (Cc, Cf) and lone surrogates (Cs) are skipped.
"""

from __future__ import annotations

import regex

from eventx.regexstore import compile_regex
from eventx.text.lemma import is_known_word, lemmatize
from eventx.text.model import Token

__all__ = [
    "ABBREVIATIONS",
    "TITLE_ABBREVIATIONS",
    "is_abbreviation",
    "is_number",
    "lowers_and_lemmas",
    "token_words",
    "tokenize",
    "word_shape",
]

# Abbreviations that precede a name and so never end a sentence.
TITLE_ABBREVIATIONS = frozenset(
    f"{a}."
    for a in """Mr Mrs Ms Messrs Mmes Dr Drs Prof Gen Lt Col Maj Capt Cmdr Cdr Adm Sgt Cpl Pvt Brig
    Gov Sen Sens Rep Reps Rev Hon Pres Supt Insp Det Fr Gens""".split()
)
# Other known abbreviations (case-sensitive: "no." ends sentences, "No. 1" does not).
ABBREVIATIONS = TITLE_ABBREVIATIONS | frozenset(
    f"{a}."
    for a in """Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Tue Tues Wed Thu Thur Thurs Fri
    Jr Sr Inc Corp Co Ltd Bros Dept Univ Assn Ave Blvd Rd St Mt Ft No Nos Vol Vols Fig vs etc
    approx est al cf Ala Ariz Ark Calif Colo Conn Del Fla Ga Ill Ind Kan Kans Ky La Md Mass
    Mich Minn Miss Mo Mont Neb Nebr Nev Okla Ore Pa Penn Tenn Tex Va Vt Wash Wis Wisc Wyo""".split()
)

_W = r"[\p{L}\p{M}\p{N}]"  # a word character: letter, combining mark or digit
_HYPHEN = r"[\-\u2010\u2011]"
_APOS = r"['\u2018\u2019]"
_CLITIC = r"(?i:s|m|d|ll|re|ve|t)(?!" + _W + ")"
_ABBREV_STEMS = "|".join(regex.escape(a[:-1]) for a in sorted(ABBREVIATIONS, key=len, reverse=True))

# Branch order matters: numbers before words, clitics before the catch-all. A word takes a
# following period only when the word is a known abbreviation or a single letter (then more
# letter-period pairs may follow: "U.S.", "a.m."). The period is matched before the
# lookbehind that checks the word, so the check only runs at the rare word-period junctions;
# a separate abbreviation branch tried at every token start was three times slower overall.
_TOKEN_RE = compile_regex(
    "|".join(
        [
            r"(?>[0-9]+(?:[.,][0-9]+)*)%",  # 20%  3.5% (atomic: long digit runs fail fast)
            rf"[0-9]+(?:[.,][0-9]+)+(?:{_HYPHEN}{_W}+)*",  # 1,200  2.5  2,000-strong
            rf"{_W}+(?:{_HYPHEN}{_W}+|{_APOS}(?!{_CLITIC}){_W}+)*"  # cease-fire  O'Brien
            rf"(?:\.(?<=(?<!{_W})(?:{_ABBREV_STEMS}|\p{{L}})\.)(?:\p{{L}}\.)*)?",  # Gen.  U.S.
            rf"(?<={_W}){_APOS}{_CLITIC}",  # 's  'll  't (becomes n't below)
            r"[^\s\p{Cc}\p{Cf}\p{Cs}]\p{M}*",  # any other character, with its marks (emoji+VS16)
        ]
    )
)
# The same, preceded by the skipped characters before the token: findall() of (skipped, token)
# pairs gives the offsets by adding up lengths, without a Match object per token (~20% faster).
_SKIP_TOKEN_RE = compile_regex(rf"([\s\p{{Cc}}\p{{Cf}}\p{{Cs}}]*)({_TOKEN_RE.pattern})")
# "don't" is matched as "don" "'t"; tokenize() then moves the "n" ("do" "n't").
_NT_RE = compile_regex(rf"[nN]{_APOS}[tT](?!{_W})")
_NT_HOSTS = {"ca": "can", "wo": "will", "sha": "shall", "ai": "be"}  # ca|n't, wo|n't

_NUMBER_RE = compile_regex(r"[+-]?[0-9]++(?:[.,][0-9]++)*+%?")  # possessive: linear time
_ABBREVIATION_RE = compile_regex(r"(?:\p{L}\.)+")
_STRAIGHTEN = str.maketrans("\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f", "''''\"\"\"\"")
_CURLY = frozenset("\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f")

# Distinct token strings remembered (~500 bytes each; cleared when full). News repeats a small
# vocabulary, so the cache rarely fills, and when it does the frequent words are back in it
# within a few documents.
_CACHE_LIMIT = 50_000
_TokenInfo = tuple[str, str, str, str, bool]  # word, lower, lemma, shape, is_num
_info_cache: dict[str, _TokenInfo] = {}
_shape_cache: dict[str, str] = {}


def is_number(word: str) -> bool:
    """Digits with optional sign, internal ``,``/``.`` and trailing ``%`` ("1,200", "-4", "20%")."""
    return _NUMBER_RE.fullmatch(word) is not None


def is_abbreviation(word: str) -> bool:
    """A known abbreviation ("Gen.") or letters each followed by a period ("U.S.", "J.")."""
    return word in ABBREVIATIONS or _ABBREVIATION_RE.fullmatch(word) is not None


def _shape(word: str) -> str:
    if len(word) >= 100:
        return "LONG"  # spaCy's convention for very long strings
    out: list[str] = []
    last = ""
    run = 0
    for char in word:
        if char.isalpha():
            kind = "X" if char.isupper() else "x"
        elif char.isdigit():
            kind = "d"
        else:
            kind = char
        if kind == last:
            run += 1
        else:
            run = 0
            last = kind
        if run < 4:
            out.append(kind)
    return "".join(out)


def word_shape(word: str) -> str:
    """spaCy-style shape: X upper, x lower, d digit, others kept, runs capped at 4 ("Xxxxx")."""
    shape = _shape_cache.get(word)
    if shape is None:
        if len(_shape_cache) > _CACHE_LIMIT:
            _shape_cache.clear()
        shape = _shape_cache[word] = _shape(word)
    return shape


def _straight(raw: str) -> str:
    """``raw`` with curly quotes and apostrophes made straight (a token's ``word``)."""
    return raw.translate(_STRAIGHTEN) if not _CURLY.isdisjoint(raw) else raw


def _token_lemma(word: str, lower: str) -> str:
    # A capitalised "-ed"/"-ing" word unknown to the lexicon is most likely a name: keep it
    # whole rather than let the verb suffix rules turn "Beijing" into "beij" or "Ahmed" into
    # "ahm". (Unknown capitalised plurals still lose their "s": "Warships" -> "warship".)
    if word[:1].isupper() and lower.endswith(("ed", "ing")) and not is_known_word(lower):
        return lower
    return lemmatize(lower)


def _same(derived: str, source: str) -> str:
    """``source`` itself when ``derived`` equals it: a cached token's lower-case form and lemma
    are most often its word again, and one string object instead of three is ~100 bytes less
    per entry of the token cache (and per token made from it)."""
    return source if derived == source else derived


def _info(raw: str) -> _TokenInfo:
    """Compute and cache everything a token derives from its text (on a cache miss)."""
    if len(_info_cache) > _CACHE_LIMIT:
        _info_cache.clear()
    word = _straight(raw)
    lower = _same(word.lower(), word)
    info = (word, lower, _same(_token_lemma(word, lower), lower), _shape(word), is_number(word))  # cached here, not twice
    _info_cache[raw] = info
    return info


def _token(text: str, start: int, end: int) -> Token:
    raw = text[start:end]
    info = _info_cache.get(raw) or _info(raw)
    return Token(start, end, *info)


def _split_nt(text: str, tokens: list[Token]) -> None:
    """Re-split "don" "'t" as "do" "n't" (Penn Treebank), in place; a lone "n" "'t" is merged."""
    for i in range(len(tokens) - 1, 0, -1):
        clitic, host = tokens[i], tokens[i - 1]
        if host.end != clitic.start or not _NT_RE.match(text, host.end - 1, clitic.end):
            continue
        nt = _token(text, clitic.start - 1, clitic.end)
        if host.end - host.start == 1:
            tokens[i - 1 : i + 1] = [nt]
            continue
        host = _token(text, host.start, host.end - 1)
        if host.lower in _NT_HOSTS:
            host.lemma = _NT_HOSTS[host.lower]
        tokens[i - 1 : i + 1] = [host, nt]


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` with offsets into the full ``text``.

    ``Token.word`` is the original slice with curly quotes and apostrophes made straight (same
    length), so ``text[t.start:t.end]`` is always the token as written.
    """
    if end is None:
        end = len(text)
    cache = _info_cache
    tokens: list[Token] = []
    append = tokens.append
    # The hot loop: inlined cache lookup and positional Token arguments (measurably faster).
    pos = start
    for skipped, raw in _SKIP_TOKEN_RE.findall(text, start, end):
        s = pos + len(skipped)
        pos = s + len(raw)
        info = cache.get(raw) or _info(raw)
        append(Token(s, pos, info[0], info[1], info[2], info[3], info[4]))
    if _NT_RE.search(text, start, end):
        _split_nt(text, tokens)
    return tokens


def lowers_and_lemmas(text: str) -> list[tuple[str, str]]:
    """``(lower, lemma)`` of each token of ``text``, as :func:`tokenize` gives them, without
    building tokens: the prefilter's keys of a whitespace-delimited chunk (see
    :meth:`~eventx.match.prefilter.Prefilter.may_fire`). Most chunks it sees are never
    tokenised as part of a sentence, so their shapes and number tests are not computed, and
    nothing is added to the token cache (its entries are whole tokens' fields)."""
    if _NT_RE.search(text):  # the clitic re-split: tokenize's own way
        return [(t.lower, t.lemma) for t in tokenize(text)]
    cache = _info_cache
    out = []
    for _skipped, raw in _SKIP_TOKEN_RE.findall(text):
        info = cache.get(raw)
        if info is not None:
            out.append((info[1], info[2]))
            continue
        word = _straight(raw)
        lower = word.lower()
        out.append((lower, _token_lemma(word, lower)))
    return out


def token_words(text: str) -> list[tuple[str, str]]:
    """``(word, lower)`` of each token of ``text``, as :func:`tokenize` gives them, without the
    lemmas: lexicon phrases need none, and lemmatizing their unknown words would load
    lemminflect's model (a quarter of a second) in every process that only loads a pack."""
    if _NT_RE.search(text):  # the clitic re-split: tokenize's own way
        return [(t.word, t.lower) for t in tokenize(text)]
    out = []
    for _skipped, raw in _SKIP_TOKEN_RE.findall(text):
        word = _straight(raw)
        out.append((word, word.lower()))
    return out
