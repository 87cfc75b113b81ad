"""Lemmas for matching: one context-free, lower-case, American-spelled lemma per word.

Rules say ``[lemma=mobilize]`` once and match "mobilised", "Mobilizing" and "mobilises". There
is no tagger, so the lemma is chosen by a fixed part-of-speech preference (VERB first: event
triggers are mostly verbs, and "left" must be "leave"), then British spellings are mapped to
American ones so a rule pack needs only one spelling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import regex
from lemminflect import getAllInflections, getAllInflectionsOOV, getAllLemmas, getAllLemmasOOV
from lemminflect.core.Lemmatizer import Lemmatizer

__all__ = ["lemmatize", "lemma_forms", "normalise_spelling"]

_CACHE_LIMIT = 500_000
_cache: dict[str, tuple[str, bool]] = {}  # lower -> (lemma, known to the lexicon)

# VERB first (see module docstring); "others" (AUX, PROPN...) come after the open classes.
_POS_ORDER = ("VERB", "NOUN", "ADJ", "ADV")

# Alphabetic words, optionally hyphenated ("cease-fire"); everything else is its own lemma.
_LEMMATIZABLE = regex.compile(r"\p{L}+(?:-\p{L}+)*")

# Penn Treebank clitics: their lemma is the full word they stand for, when unambiguous.
_CLITIC_LEMMAS = {"n't": "not", "'m": "be", "'re": "be", "'ve": "have", "'ll": "will"}

# -ise words that are standard American spelling too; lemminflect knows archaic "-ize"
# spellings of several of them ("exercize", "surprize"), so the lexicon check alone is not enough.
_KEEP_ISE = frozenset(
    """advise apprise arise chastise circumcise comprise compromise concise demise despise devise
    disguise enterprise excise exercise expertise franchise improvise incise merchandise noise
    otherwise paradise poise praise precise premise promise raise reprise revise rise supervise
    surprise televise treatise wise likewise""".split()
)

# British -> American stems, replaced anywhere in the lemma ("kilometre", "self-defence",
# "armoured", "favourite").
_BRITISH_STEMS = {
    "armour": "armor", "harbour": "harbor", "labour": "labor", "honour": "honor",
    "colour": "color", "favour": "favor", "neighbour": "neighbor", "behaviour": "behavior",
    "rumour": "rumor", "vapour": "vapor", "valour": "valor", "endeavour": "endeavor",
    "defence": "defense", "offence": "offense", "licence": "license", "pretence": "pretense",
    "centre": "center", "theatre": "theater", "metre": "meter", "fibre": "fiber",
    "calibre": "caliber", "sabre": "saber", "spectre": "specter", "litre": "liter",
    "programme": "program", "manoeuvre": "maneuver", "manoeuvring": "maneuvering",
    "traveller": "traveler", "jewellery": "jewelry", "catalogue": "catalog",
}
_BRITISH_RE = regex.compile("|".join(sorted(_BRITISH_STEMS, key=len, reverse=True)))
_AMERICAN_STEMS = {american: british for british, american in _BRITISH_STEMS.items()}
_AMERICAN_RE = regex.compile("|".join(sorted(_AMERICAN_STEMS, key=len, reverse=True)))
_ISE_RE = regex.compile(r"(?<=\p{L}{2})(is|ys)(e|ation)$")
_IZE_RE = regex.compile(r"(?<=\p{L}{2})(iz|yz)(e[sd]?|ing|ation)")


def _is_known_lemma(word: str) -> bool:
    return bool(getAllInflections(word))


def normalise_spelling(lemma: str) -> str:
    """Map a British-spelled lemma to the American one ("mobilise" -> "mobilize").

    "-ise"/"-isation" (and "-yse") become "-ize"/"-ization" only when the -ize word is a known
    lemma and the -ise word is not standard American too ("rise", "promise" stay).
    """
    if lemma.endswith(("ise", "isation", "yse")) and lemma not in _KEEP_ISE:
        candidate = _ISE_RE.sub(lambda m: m.group(1)[0] + "z" + m.group(2), lemma)
        base = candidate[:-5] + "e" if candidate.endswith("ation") else candidate
        if candidate != lemma and _is_known_lemma(base):
            lemma = candidate
    if _BRITISH_RE.search(lemma):
        lemma = _BRITISH_RE.sub(lambda m: _BRITISH_STEMS[m.group()], lemma)
    return lemma


def _load_lexicon() -> Callable[[str], Mapping[str, tuple[str, ...]]]:
    """lemminflect's word -> {upos: lemmas} lookup without the defensive deep copies.

    ``getAllLemmas`` deep-copies its tables on every call, which was a third of the time of a
    first pass over a corpus; we only read them. Falls back to the public function if the
    internals (stable since lemminflect 0.2) ever change.
    """
    try:
        lemmatizer = Lemmatizer()
        table = lemmatizer._getLemmaDict()
        overrides = lemmatizer._getOverridesDict()
    except Exception:  # pragma: no cover - depends on the installed lemminflect
        return getAllLemmas

    def lookup(lower: str) -> Mapping[str, tuple[str, ...]]:
        lemmas = table.get(lower, _NO_LEMMAS)
        override = overrides.get(lower)
        return {**lemmas, **override} if override else lemmas

    return lookup


_NO_LEMMAS: Mapping[str, tuple[str, ...]] = {}
_lexicon: Callable[[str], Mapping[str, tuple[str, ...]]] | None = None


def _lexicon_lemmas(lower: str) -> Mapping[str, tuple[str, ...]]:
    global _lexicon
    if _lexicon is None:
        _lexicon = _load_lexicon()
    return _lexicon(lower)


def _lookup(lower: str) -> tuple[str, bool]:
    """(lemma, whether lemminflect's lexicon knows the word)."""
    if lower in _CLITIC_LEMMAS:
        return _CLITIC_LEMMAS[lower], True
    if not _LEMMATIZABLE.fullmatch(lower):
        return lower, False
    lemmas = _lexicon_lemmas(lower)
    if lemmas:
        pos = next((p for p in _POS_ORDER if p in lemmas), next(iter(lemmas)))
        return normalise_spelling(lemmas[pos][0].lower()), True
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        lemma = getAllLemmasOOV(lower, "NOUN")["NOUN"][0]
    elif lower.endswith(("ed", "ing")):
        lemma = getAllLemmasOOV(lower, "VERB")["VERB"][0]
    else:
        lemma = lower
    return normalise_spelling(lemma.lower()), False


def _entry(lower: str) -> tuple[str, bool]:
    entry = _cache.get(lower)
    if entry is None:
        if len(_cache) > _CACHE_LIMIT:
            _cache.clear()
        entry = _cache[lower] = _lookup(lower)
    return entry


def lemmatize(lower: str) -> str:
    """Lower-case, American-spelled lemma of a lower-cased word ("mobilised" -> "mobilize").

    Known words use lemminflect's lexicon with the VERB > NOUN > ADJ > ADV preference; unknown
    ones use its rules only for plausible inflections ("-s" plurals, "-ed"/"-ing" verbs).
    Numbers, punctuation and abbreviations with periods are returned unchanged. Memoised.
    """
    return _entry(lower)[0]


def is_known_word(lower: str) -> bool:
    """True when lemminflect's lexicon knows ``lower`` (lets callers spare names the OOV rules)."""
    return _entry(lower)[1]


def _british_variants(form: str) -> set[str]:
    variants = {_IZE_RE.sub(lambda m: m.group(1)[0] + "s" + m.group(2), form)}
    variants.add(_AMERICAN_RE.sub(lambda m: _AMERICAN_STEMS[m.group()], form))
    return variants


def lemma_forms(lemma: str) -> set[str]:
    """All lower-case surface forms that :func:`lemmatize` maps to ``lemma``.

    Generated from lemminflect's inflection table (or, for lemmas its lexicon lacks, its VERB
    and NOUN rules) plus British spellings, then filtered through :func:`lemmatize` so the set
    is exact. A lemma that :func:`lemmatize` never produces ("defence", "mobilise") gets an
    empty set, which is how lint can tell a rule is written against a non-lemma.
    """
    lemma = lemma.lower()
    candidates = {lemma}
    # Rule-made inflections only for words the lexicon lacks: for known ones they add junk
    # ("bing" for "be").
    known = getAllInflections(lemma)
    sources = [known] if known else [getAllInflectionsOOV(lemma, p) for p in ("VERB", "NOUN")]
    for table in sources:
        for forms in table.values():
            candidates.update(form.lower() for form in forms)
    for form in list(candidates):
        candidates |= _british_variants(form)
    return {form for form in candidates if lemmatize(form) == lemma}
