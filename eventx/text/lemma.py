"""Lemmas for matching: one context-free, lower-case, American-spelled lemma per word.

Rules say ``[lemma=mobilize]`` once and match "mobilised", "Mobilizing" and "mobilises". There
is no tagger, so the lemma is chosen by a fixed part-of-speech preference (VERB first: event
triggers are mostly verbs, and "left" must be "leave"), then British spellings are mapped to
American ones so a rule pack needs only one spelling.
"""

from __future__ import annotations

import atexit
import gzip
import hashlib
import importlib.abc
import importlib.util
import marshal
import sys
import zlib
from typing import Any
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from eventx.regexstore import compile_regex

__all__ = ["lemmatize", "lemma_forms", "normalise_spelling"]

_CACHE_LIMIT = 50_000  # distinct lower-case words remembered (cleared when full; see tokenize)
_cache: dict[str, tuple[str, bool]] = {}  # lower -> (lemma, known to the lexicon)

# VERB first (see module docstring); "others" (AUX, PROPN...) come after the open classes.
_POS_ORDER = ("VERB", "NOUN", "ADJ", "ADV")

# Alphabetic words, optionally hyphenated ("cease-fire"); everything else is its own lemma.
_LEMMATIZABLE = compile_regex(r"\p{L}+(?:-\p{L}+)*")

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
_BRITISH_RE = compile_regex("|".join(sorted(_BRITISH_STEMS, key=len, reverse=True)))
_AMERICAN_STEMS = {american: british for british, american in _BRITISH_STEMS.items()}
_AMERICAN_RE = compile_regex("|".join(sorted(_AMERICAN_STEMS, key=len, reverse=True)))
_ISE_RE = compile_regex(r"(?<=\p{L}{2})(is|ys)(e|ation)$")
_IZE_RE = compile_regex(r"(?<=\p{L}{2})(iz|yz)(e[sd]?|ing|ation)")


def _is_known_lemma(word: str) -> bool:
    """``bool(lemminflect.getAllInflections(word))``: the word heads an inflection table entry."""
    return word.lower() in _tables().inflected


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


class _NoSpacy(importlib.abc.MetaPathFinder):
    """Makes ``import spacy`` fail while lemminflect is imported.

    lemminflect's ``__init__`` imports spaCy when it is installed, only to register token
    extensions eventx never uses; that import costs memory in every process (and in every
    worker: benchmarks/README.md). When spaCy is already imported, lemminflect registers its extensions as usual.
    """

    def find_spec(self, name, path=None, target=None):  # noqa: ANN001 - importlib's signature
        if name == "spacy" or name.startswith("spacy."):
            raise ImportError("spaCy is not needed by eventx's lemmatizer")
        return None


_lemminflect: ModuleType | None = None


def _lemminflect_module() -> ModuleType:
    """lemminflect, imported on first use: its rules for unknown words, and lemma_forms."""
    global _lemminflect
    if _lemminflect is None:
        blocker = None if "spacy" in sys.modules else _NoSpacy()
        if blocker:
            sys.meta_path.insert(0, blocker)
        try:
            import lemminflect
        finally:
            if blocker:
                sys.meta_path.remove(blocker)
        _lemminflect = lemminflect
    return _lemminflect


class _Tables:
    """What lookups need from lemminflect's lexicon, compactly.

    ``entries``: word -> (the first spelling of its lemma for the preferred part of speech, as
    lower case: the choice :func:`_lookup` used to make from lemminflect's word -> {upos:
    lemmas} table with its overrides applied; its parts of speech as a bit set; its noun
    lemma or None); ``inflected``: the lemmas that have an inflection table entry. Read
    straight from lemminflect's resource files: about a fifth of the memory of its own tables
    (which hold every part of speech and spelling of ~70,000 words in nested dicts and tuples), and lemminflect itself is not even imported unless an unknown word
    needs its rules.
    """

    def __init__(self, resources: Path):
        overrides = _read_overrides(resources / "lemma_overrides.csv")
        self.entries: dict[str, tuple[str, int, str | None]] = {}
        lines = gzip.open(resources / "lemma_lu.csv.gz", "rt", encoding="utf-8", newline="\n")
        with lines:
            if not self._read_grouped(lines, overrides):  # not grouped by word: read it all first
                lines.seek(0)
                self.entries.clear()
                table: dict[str, dict[str, str]] = {}
                for line in lines:
                    word, category, forms = line.strip().split(",")
                    table.setdefault(word, {})[_category_upos(category)] = forms.split("/", 1)[0]
                for word, lemmas in table.items():
                    self._add(word, {**lemmas, **overrides.get(word, {})})
        for word, override in overrides.items():
            if word not in self.entries:
                self._add(word, override)
        inflected = {line.split(",", 1)[0]
                     for line in gzip.open(resources / "infl_lu.csv.gz", "rt", encoding="utf-8", newline="\n")}
        inflected |= set(_read_overrides(resources / "infl_overrides.csv"))
        inflected |= {"can", "may", "will", "shall", "must", "ought", "dare", "be"}  # lemminflect's aux/modals
        # Every lookup is by the lower-case word: entries with capitals ("Armenia") are never read.
        # Equal values are one object (marshal keeps that, in the cache file and in each shard):
        # most inflected lemmas are words of the entries too, and the inflections of a lemma
        # mostly share one entry ("deploys", "deployed"): ~3 MiB less of a process's tables.
        entry_of: dict[tuple[str, int, str | None], tuple[str, int, str | None]] = {}
        self.entries = {word: entry_of.setdefault(entry, entry)
                        for word, entry in self.entries.items() if word == word.lower()}
        word_of = {word: word for word in self.entries}
        self.inflected = frozenset(word_of.get(word, word) for word in inflected if word == word.lower())

    def _read_grouped(self, lines: Iterable[str], overrides: dict[str, dict[str, str]]) -> bool:
        """One pass over lemminflect's word,category,lemmas lines, which come grouped by word;
        False (stopping) when a word comes back after another one."""
        word: str | None = None
        lemmas: dict[str, Any] = {}
        for line in lines:
            new_word, category, forms = line.strip().split(",")
            if new_word != word:
                if word is not None:
                    self._add(word, {**lemmas, **overrides.get(word, {})})
                if new_word in self.entries:
                    return False
                word, lemmas = new_word, {}
            # as lemminflect's dict: a part of speech keeps its first place and its last value
            lemmas[_category_upos(category)] = forms.split("/", 1)[0]
        if word is not None:
            self._add(word, {**lemmas, **overrides.get(word, {})})
        return True

    def _add(self, word: str, lemmas: dict[str, str]) -> None:
        """Record ``word``'s (lemma of the preferred part of speech, parts of speech, noun lemma)."""
        upos = next((p for p in _POS_ORDER if p in lemmas), next(iter(lemmas)))
        mask = 0
        for name in lemmas:
            mask |= _upos_bit(name)
        noun = lemmas.get("NOUN")
        self.entries[word] = (_shared(word, lemmas[upos]), mask, None if noun is None else _shared(word, noun))


def _shared(word: str, lemma: str) -> str:
    """``lemma.lower()``, as the word itself or an interned string: one object per distinct lemma."""
    lemma = lemma.lower()
    return word if lemma == word else sys.intern(lemma)


_UPOS_BITS: dict[str, int] = {}
_CLASS_SETS: dict[int, frozenset[str]] = {0: frozenset()}


def _upos_bit(upos: str) -> int:
    return _UPOS_BITS.setdefault(upos, 1 << len(_UPOS_BITS))


def word_classes(word: str) -> frozenset[str]:
    """The parts of speech lemminflect's lexicon has for ``word`` (``set(getAllLemmas(word))``)."""
    entry = _tables().entries.get(word.lower())
    mask = entry[1] if entry else 0
    found = _CLASS_SETS.get(mask)
    if found is None:
        found = _CLASS_SETS[mask] = frozenset(upos for upos, bit in _UPOS_BITS.items() if mask & bit)
    return found


def noun_lemma(word: str) -> str | None:
    """The NOUN lemma of ``word`` in lemminflect's lexicon, lower case
    (``getAllLemmas(word)["NOUN"][0].lower()``), or None."""
    entry = _tables().entries.get(word.lower())
    return entry[2] if entry else None


def _category_upos(category: str) -> str:
    upos = category.upper()
    return "AUX" if upos == "MODAL" else upos


def _read_overrides(path: Path) -> dict[str, dict[str, str]]:
    """lemminflect's overrides file: word -> {pos: first spelling}, in file order."""
    table: dict[str, dict[str, str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, pos, out = line.split(",")
            table.setdefault(word, {})[pos] = out
    return table


_loaded: _Tables | _LazyTables | None = None
_TABLES_FORMAT = 3  # bump when _Tables changes what it holds (or how its objects are shared)


def _cache_file(resources: Path) -> Path | None:
    """Where the tables read from ``resources`` are kept between processes: a file named after
    what they are made of (the resource files' sizes and times, this format, Python's marshal),
    in ``$EVENTX_CACHE_DIR``, else ``$XDG_CACHE_HOME/eventx`` or ``~/.cache/eventx``."""
    from eventx.cache import cache_dir

    digest = hashlib.sha256(f"{_TABLES_FORMAT} {sys.version_info[:2]} {marshal.version}".encode())
    try:
        for name in _RESOURCES:
            st = (resources / name).stat()
            digest.update(f"{resources / name} {st.st_size} {st.st_mtime_ns}".encode())
    except OSError:
        return None
    return cache_dir() / f"lemma-tables-{digest.hexdigest()[:16]}.marshal"


_RESOURCES = ("lemma_lu.csv.gz", "lemma_overrides.csv", "infl_lu.csv.gz", "infl_overrides.csv")


def _cached_tables(resources: Path) -> _Tables:
    """The tables of ``resources``: from the cache file when there is one (a fifth of the time
    of reading lemminflect's files, in every process that tokenises), else read and cached.
    A cache that cannot be read or written is only slower, never an error."""
    path = _cache_file(resources)
    if path is not None:
        try:
            entries, inflected = marshal.loads(path.read_bytes())
            if not isinstance(entries, dict) or not isinstance(inflected, frozenset):
                raise ValueError("not the tables")
            tables = _Tables.__new__(_Tables)
            tables.entries, tables.inflected = entries, inflected
            return tables
        except (OSError, ValueError, EOFError, TypeError):
            pass
    tables = _Tables(resources)
    if path is not None:
        from eventx.cache import write_atomically

        try:
            write_atomically(path, marshal.dumps((tables.entries, tables.inflected)))
        except OSError:
            pass
    return tables


_SHARDS = 64


def _shard_of(word: str) -> int:
    return zlib.crc32(word.encode("utf-8", "surrogatepass")) % _SHARDS


class _Shard(dict):
    """The entries of one shard, and its share of the inflected lemmas."""

    __slots__ = ("inflected",)
    inflected: frozenset[str]


class _ShardedEntries:
    """``entries.get`` and ``in inflected`` of :class:`_Tables`, each shard of the cache read
    on first use: a command that lemmatises a sentence reads a few kilobytes instead of the
    whole tables (a tenth of a second). Any shard that cannot be read means the whole tables."""

    def __init__(self, folder: Path, resources: Path):
        self._folder = folder
        self._resources = resources
        self._shards: list[_Shard | None] = [None] * _SHARDS
        self._whole: _Tables | None = None

    def _shard(self, word: str) -> _Shard | None:
        index = _shard_of(word)
        shard = self._shards[index]
        if shard is None and self._whole is None:
            try:
                entries, inflected = marshal.loads((self._folder / f"{index}.marshal").read_bytes())
                if not isinstance(entries, dict) or not isinstance(inflected, frozenset):
                    raise ValueError("not a shard")
                shard = self._shards[index] = _Shard(entries)
                shard.inflected = inflected
            except (OSError, ValueError, EOFError, TypeError):
                self._whole = _cached_tables(self._resources)
        return shard

    def get(self, word: str) -> tuple[str, int, str | None] | None:
        shard = self._shard(word)
        return shard.get(word) if shard is not None else self._whole.entries.get(word)  # type: ignore[union-attr]

    def __contains__(self, word: object) -> bool:
        assert isinstance(word, str)
        shard = self._shard(word)
        return word in (shard.inflected if shard is not None else self._whole.inflected)  # type: ignore[union-attr]


class _LazyTables:
    """:class:`_Tables` read shard by shard (``entries`` and ``inflected`` are one object)."""

    def __init__(self, folder: Path, resources: Path):
        self.entries = self.inflected = _ShardedEntries(folder, resources)


def _sharded_tables(resources: Path) -> _Tables | _LazyTables:
    """The tables, from shard files in the cache folder when they are there (written, after
    the whole tables are read, by the first process that needs them)."""
    path = _cache_file(resources)
    if path is None:
        return _cached_tables(resources)
    folder = path.with_suffix(".shards")
    if (folder / "complete").is_file():
        return _LazyTables(folder, resources)
    tables = _cached_tables(resources)
    from eventx.cache import write_atomically

    shards: list[tuple[dict, set]] = [({}, set()) for _ in range(_SHARDS)]
    for word, entry in tables.entries.items():
        shards[_shard_of(word)][0][word] = entry
    for word in tables.inflected:
        shards[_shard_of(word)][1].add(word)
    try:
        for index, (entries, inflected) in enumerate(shards):
            write_atomically(folder / f"{index}.marshal", marshal.dumps((entries, frozenset(inflected))))
        write_atomically(folder / "complete", b"")
    except OSError:
        pass
    return tables


def _tables() -> _Tables | _LazyTables:
    global _loaded
    if _loaded is None:
        spec = importlib.util.find_spec("lemminflect")  # finds the package without importing it
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("lemminflect is not installed")
        _loaded = _sharded_tables(Path(next(iter(spec.submodule_search_locations))) / "resources")
    return _loaded


def _lookup(lower: str) -> tuple[str, bool]:
    """(lemma, whether lemminflect's lexicon knows the word)."""
    if lower in _CLITIC_LEMMAS:
        return _CLITIC_LEMMAS[lower], True
    if not _LEMMATIZABLE.fullmatch(lower):
        return lower, False
    entry = _tables().entries.get(lower)
    if entry is not None:
        return normalise_spelling(entry[0]), True
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")):
        lemma = _oov_lemma(lower, "NOUN")
    elif lower.endswith(("ed", "ing")):
        lemma = _oov_lemma(lower, "VERB")
    else:
        lemma = lower
    return normalise_spelling(lemma.lower()), False


_OOV_LIMIT = 20_000  # rule-made lemmas kept between processes (and in memory: a few MB)
_oov: dict[str, str] | None = None  # "UPOS word" -> lemminflect's rule-made lemma
_oov_new: dict[str, str] = {}  # those this process made, to add to the cache file at exit


def lemminflect_fingerprint() -> str:
    """Names lemminflect's data and lemmatizer code (their files' sizes and times), this
    module's cache format and Python's marshal: what lemmas depend on beyond eventx's code."""
    spec = importlib.util.find_spec("lemminflect")
    if spec is None or not spec.submodule_search_locations:
        return ""
    package = Path(next(iter(spec.submodule_search_locations)))
    tables = _cache_file(package / "resources")
    if tables is None:
        return ""
    digest = hashlib.sha256(tables.name.encode())
    try:
        for path in (package / "resources" / "model_lemma.pkl.gz", package / "core" / "Lemmatizer.py",
                     package / "core" / "LemmatizerRules.py", package / "kmodels" / "KInfer.py"):
            st = path.stat()
            digest.update(f"{path} {st.st_size} {st.st_mtime_ns}".encode())
    except OSError:
        return ""
    return digest.hexdigest()[:16]


def _oov_file() -> Path | None:
    """Where rule-made lemmas are kept between processes, beside the tables' cache file."""
    fingerprint = lemminflect_fingerprint()
    if not fingerprint:
        return None
    from eventx.cache import cache_dir

    return cache_dir() / f"lemma-oov-{fingerprint}.marshal"


def _read_oov(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        memo = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(memo, dict) or not all(type(k) is str and type(v) is str for k, v in memo.items()):
        return {}
    return memo


def _oov_lemma(lower: str, upos: str) -> str:
    """lemminflect's rule-made lemma of an unknown word (``getAllLemmasOOV``), remembered between
    processes: its rules run a small neural model, and importing lemminflect and numpy for it
    costs more than a short command's whole run. A cache that cannot be read or written only
    costs that time again."""
    global _oov
    if _oov is None:
        _oov = _read_oov(_oov_file())
    key = f"{upos} {lower}"
    lemma = _oov.get(key)
    if lemma is None:
        lemma = _lemminflect_module().getAllLemmasOOV(lower, upos)[upos][0]
        if len(_oov) < _OOV_LIMIT:
            if not _oov_new:
                atexit.register(_keep_oov)
            _oov[key] = _oov_new[key] = lemma
    return lemma


def _keep_oov() -> None:
    """Add this process's rule-made lemmas to the cache file (merged with what others added)."""
    path = _oov_file()
    if path is None or not _oov_new:
        return
    memo = _read_oov(path)
    if len(memo) >= _OOV_LIMIT:
        return
    memo.update(_oov_new)
    from eventx.cache import write_atomically

    try:
        write_atomically(path, marshal.dumps(memo))
    except (OSError, ValueError):
        pass
    _oov_new.clear()


def _entry(lower: str) -> tuple[str, bool]:
    entry = _cache.get(lower)
    if entry is None:
        if len(_cache) > _CACHE_LIMIT:
            _cache.clear()
        lemma, known = _lookup(lower)
        # the word itself when it is its own lemma (most are): one string object fewer per entry
        entry = _cache[lower] = (lower if lemma == lower else lemma, known)
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
    lemminflect = _lemminflect_module()
    known = lemminflect.getAllInflections(lemma)
    sources = [known] if known else [lemminflect.getAllInflectionsOOV(lemma, p) for p in ("VERB", "NOUN")]
    for table in sources:
        for forms in table.values():
            candidates.update(form.lower() for form in forms)
    for form in list(candidates):
        candidates |= _british_variants(form)
    return {form for form in candidates if lemmatize(form) == lemma}
