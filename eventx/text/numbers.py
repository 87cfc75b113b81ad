"""Quantity normalisation: "more than 3,000 troops" -> Quantity(3000, "at_least", "troop").

Conventions (the event record's ``value``/``qualifier``, :class:`eventx.record.Argument`):

- Qualifiers: "more than", "over", "at least", "upwards of" ... -> ``at_least``; "about", "some",
  "around", "roughly", "nearly", "almost", "an estimated" ... -> ``approx``; "up to", "fewer
  than", "less than", "no more than", "at most", "as many as" ... -> ``at_most``; else ``exact``.
- Vague plurals are lower bounds: "hundreds" -> 100, "thousands" -> 1000, "millions" ->
  1,000,000, "tens of thousands" -> 10,000, "hundreds of thousands" -> 100,000 (the scale word's
  own value, as "thousands" -> 1000); "dozens" -> 24 and "scores" -> 40 (two of them:
  a lone dozen is only 12, and "dozens" clearly means more), all ``at_least``.
- "several" and "a few" mean at least two: "several hundred" -> 200, "a few thousand" ->
  2000, "several battalions" -> 2, all ``at_least``; "a couple of" -> 2 ``approx``.
- An explicit qualifier wins over the vague one ("up to thousands" -> 1000 ``at_most``).
- Decimals are rounded to an int after scaling ("1.5 million" -> 1,500,000); "half a
  million" -> 500,000. Abbreviated scales glued to digits ("2m", "3bn") are not read.
- ``unit`` is the singular of the head noun that follows the number ("2,000 soldiers" ->
  "soldier", "two battalions of paratroopers" -> "battalion", "thousands of extra troops" ->
  "troop"), or None when no noun follows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from eventx.regexstore import compile_regex
from eventx.text.lemma import lemmatize, noun_lemma, word_classes

__all__ = ["Quantity", "parse_quantity"]


@dataclass(frozen=True)
class Quantity:
    value: int | None
    qualifier: str  # exact | at_least | at_most | approx
    unit: str | None


_UNITS = {
    w: i
    for i, w in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
        fifteen sixteen seventeen eighteen nineteen""".split()
    )
}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 10**12}
_VAGUE_PLURALS = {
    "dozens": 24, "scores": 40, "tens": 10, "hundreds": 100, "thousands": 1_000,
    "millions": 1_000_000, "billions": 1_000_000_000,
}
_QUALIFIERS = {
    "at_least": """more than|over|at least|upwards of|in excess of|no fewer than|no less than|
        just over|well over|above|beyond|a minimum of|not less than""",
    "approx": """about|some|around|roughly|approximately|an estimated|estimated|nearly|almost|
        close to|approx|circa|some estimated|an approximate""",
    "at_most": """up to|fewer than|less than|no more than|at most|as many as|under|just under|
        below|not more than|a maximum of""",
}
_QUALIFIER_OF = {
    " ".join(phrase.split()): qualifier
    for qualifier, phrases in _QUALIFIERS.items()
    for phrase in phrases.split("|")
}
_MAX_QUALIFIER_WORDS = max(len(p.split()) for p in _QUALIFIER_OF)
_CURRENCIES = {"$": "dollar", "\u00a3": "pound", "\u20ac": "euro", "\u00a5": "yen"}

# Words that end the noun phrase after a number.
_STOP_WORDS = frozenset(
    """of to in into on at for from with by and or but as than that which who were was are is
    be been have has had will would could should may might can did do does said says say the
    a an this these those their his her its our per each while when after before during
    over under across near against including""".split()
)
_DETERMINERS = frozenset("the these those their its his her our".split())

# Digits glued to letters ("3rd", "1990s", "2bn") are words, not numbers.
_WORD_RE = compile_regex(
    r"(?:\p{L}\.){2,}|[0-9]+(?:[.,][0-9]+)*\p{L}*|\p{L}+(?:'\p{L}+)?|[^\s\p{L}\p{N}]"
)
_DIGITS_RE = compile_regex(r"[0-9]+(?:[.,][0-9]+)*")
_THOUSANDS_RE = compile_regex(r"[0-9]{1,3}([.,])[0-9]{3}(?:\1[0-9]{3})*")


def _digits_value(word: str) -> float:
    """Value of "1,200", "2.5" or "1.200.000" (European thousands: repeated 3-digit groups)."""
    match = _THOUSANDS_RE.fullmatch(word)
    if match and (match.group(1) == "," or word.count(".") > 1):
        return float(word.replace(match.group(1), ""))
    return float(word.replace(",", ""))


def _parse_number(words: list[str], i: int) -> tuple[float, str | None, int] | None:
    """Read a number phrase at ``words[i]``: (value, vague qualifier or None, end index)."""
    total = 0.0
    current = 0.0
    seen = False
    vague: str | None = None
    n = len(words)
    while i < n:
        w = words[i]
        nxt = words[i + 1] if i + 1 < n else ""
        if not seen and _DIGITS_RE.fullmatch(w):
            current = _digits_value(w)
        elif w in _UNITS and (current % 100 == 0 or (current % 10 == 0 and _UNITS[w] < 10)):
            current += _UNITS[w]  # "three", "twenty five", "three hundred (and) five"
        elif w in _TENS and current % 100 == 0:
            current += _TENS[w]
        elif not seen and w in ("a", "an") and nxt in ("dozen", "hundred", "score", *_SCALES):
            current = 1
        elif not seen and w == "half" and nxt in ("a", "an"):
            current, i = 0.5, i + 1
        elif not seen and (w == "several" or (w == "few" and i > 0 and words[i - 1] == "a")):
            current, vague = 2, "at_least"
        elif not seen and w == "couple":
            current, vague = 2, "approx"
            if nxt == "of":
                i += 1
        elif w == "dozen":
            current = (current or 1) * 12
        elif seen and w == "score":
            current *= 20
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in _SCALES:
            total += (current or 1) * _SCALES[w]
            current = 0
        elif w in _VAGUE_PLURALS:
            value = _VAGUE_PLURALS[w]
            if nxt == "of" and i + 2 < n and words[i + 2] in _VAGUE_PLURALS:
                current = (current or 1) * value  # "tens of thousands": scale what follows
                i += 1
            else:
                total += (current or 1) * value
                current = 0
            vague = "at_least"
        elif seen and w == "and" and (nxt in _UNITS or nxt in _TENS):
            pass  # "three hundred and fifty"
        else:
            break
        seen = True
        i += 1
    if not seen:
        return None
    return total + current, vague, i


def _qualifier_before(words: list[str], i: int) -> str | None:
    for size in range(min(_MAX_QUALIFIER_WORDS, i), 0, -1):
        qualifier = _QUALIFIER_OF.get(" ".join(words[i - size : i]))
        if qualifier is not None:
            return qualifier
    return None


def _unit_after(words: list[str], i: int) -> str | None:
    """Head noun after the number: the last noun-like word of the run up to a stop word.

    Adjectives may come first ("extra troops"); a verb ends the search ("300 died").
    """
    if i < len(words) and words[i] == "of":
        i += 1
    while i < len(words) and words[i] in _DETERMINERS:
        i += 1
    head = None
    while i < len(words) and words[i] not in _STOP_WORDS and words[i][0].isalpha():
        classes = word_classes(words[i])
        if not classes or "NOUN" in classes:
            head = words[i]
        elif head is not None or "ADJ" not in classes:
            break
        i += 1
    if head is None:
        return None
    noun = noun_lemma(head)
    return noun if noun is not None else lemmatize(head)


def parse_quantity(text: str) -> Quantity | None:
    """Value, qualifier and unit of a quantity phrase; None when it holds no number.

    Example: ``parse_quantity("more than 3,000 troops") == Quantity(3000, "at_least", "troop")``
    """
    lowered = text.lower().replace("\u2019", "'").replace("-", " ")
    words = _WORD_RE.findall(lowered)
    for i in range(len(words)):
        parsed = _parse_number(words, i)
        if parsed is None:
            continue
        value, vague, end = parsed
        qualifier = _qualifier_before(words, i) or vague or "exact"
        if end < len(words) and words[end] in ("%", "percent"):
            unit: str | None = "percent"
        elif end < len(words) - 1 and words[end] == "per" and words[end + 1] == "cent":
            unit = "percent"
        elif i > 0 and words[i - 1] in _CURRENCIES:
            unit = _CURRENCIES[words[i - 1]]
        else:
            unit = _unit_after(words, end)
        return Quantity(math.floor(value + 0.5), qualifier, unit)
    return None
