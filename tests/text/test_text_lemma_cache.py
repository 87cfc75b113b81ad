"""The lemma tables are kept in a cache file between processes: the same tables, and a cache
that is missing, corrupt or unwritable only costs time."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eventx.text import lemma

RESOURCES = Path(next(iter(importlib.util.find_spec("lemminflect").submodule_search_locations))) / "resources"


@pytest.fixture(scope="module")
def fresh() -> lemma._Tables:
    return lemma._Tables(RESOURCES)


def test_the_cached_tables_are_the_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh) -> None:
    monkeypatch.setenv("EVENTX_CACHE_DIR", str(tmp_path))
    first = lemma._cached_tables(RESOURCES)  # reads lemminflect's files, writes the cache
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].name.startswith("lemma-tables-") and files[0].suffix == ".marshal"
    second = lemma._cached_tables(RESOURCES)  # from the cache
    for tables in (first, second):
        assert tables.entries == fresh.entries
        assert tables.inflected == fresh.inflected


def test_a_corrupt_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh) -> None:
    monkeypatch.setenv("EVENTX_CACHE_DIR", str(tmp_path))
    path = lemma._cache_file(RESOURCES)
    path.write_bytes(b"\x00garbage")
    assert lemma._cached_tables(RESOURCES).entries == fresh.entries
    assert lemma._cached_tables(RESOURCES).entries == fresh.entries  # rewritten, readable


def test_an_unwritable_cache_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("EVENTX_CACHE_DIR", str(blocker / "cache"))
    assert lemma._cached_tables(RESOURCES).inflected == fresh.inflected


_OOV_PROBE = """
import sys
from eventx.text.lemma import lemmatize
print(" ".join(lemmatize(w) for w in sys.argv[1:]), "lemminflect" in sys.modules)
"""
_UNKNOWN = ["texas", "humvees", "un-sponsored", "gurkhas"]  # rule-made lemmas (not in the lexicon)


def _probe(cache: Path) -> list[str]:
    env = dict(os.environ, EVENTX_CACHE_DIR=str(cache))
    done = subprocess.run([sys.executable, "-c", _OOV_PROBE, *_UNKNOWN], env=env, capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_rule_made_lemmas_are_kept_between_processes(tmp_path: Path) -> None:
    import lemminflect

    expected = [lemma.normalise_spelling(lemminflect.getAllLemmasOOV(w, "VERB" if w.endswith("ed") else "NOUN")
                                         ["VERB" if w.endswith("ed") else "NOUN"][0].lower()) for w in _UNKNOWN]
    first = _probe(tmp_path)
    assert first == [*expected, "True"]  # lemminflect's rules ran, and their lemmas were kept
    assert list(tmp_path.glob("lemma-oov-*.marshal"))
    assert _probe(tmp_path) == [*expected, "False"]  # read back: lemminflect not even imported
    [kept] = tmp_path.glob("lemma-oov-*.marshal")
    kept.write_bytes(b"\x00garbage")
    assert _probe(tmp_path) == [*expected, "True"]  # a damaged file is only slower


def test_the_sharded_tables_give_every_entry_of_the_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh) -> None:
    monkeypatch.setenv("EVENTX_CACHE_DIR", str(tmp_path))
    whole = lemma._sharded_tables(RESOURCES)  # reads the tables, writes the shards
    lazy = lemma._sharded_tables(RESOURCES)  # reads shards on demand
    assert isinstance(lazy, lemma._LazyTables) and not isinstance(whole, lemma._LazyTables)
    for word, entry in fresh.entries.items():
        assert lazy.entries.get(word) == entry
    assert all(word in lazy.inflected for word in fresh.inflected)
    unknown = ["texas", "zzzq", "mobilise", "", "Troops", "naïve"]
    assert [lazy.entries.get(w) for w in unknown] == [fresh.entries.get(w) for w in unknown]
    assert [w in lazy.inflected for w in unknown] == [w in fresh.inflected for w in unknown]
    # a shard gone: the whole tables, same answers
    damaged = lemma._sharded_tables(RESOURCES)
    folder = lemma._cache_file(RESOURCES).with_suffix(".shards")
    for shard in folder.glob("*.marshal"):
        shard.write_bytes(b"\x00garbage")
    assert [damaged.entries.get(w) for w in ("troops", "texas")] == [fresh.entries.get(w) for w in ("troops", "texas")]
    assert ("send" in damaged.inflected) == ("send" in fresh.inflected)


def _shares_equal_values(entries: dict, inflected: frozenset) -> None:
    """One object per distinct entry, and an inflected lemma that is a word of the entries is
    that word's very string (what keeps the tables ~2 MiB smaller in every process)."""
    assert len({id(entry) for entry in entries.values()}) == len(set(entries.values()))
    words = {id(word) for word in entries}
    both = [word for word in inflected if word in entries]
    assert both and all(id(word) in words for word in both)


def test_the_tables_hold_each_value_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVENTX_CACHE_DIR", str(tmp_path))
    for tables in (lemma._cached_tables(RESOURCES), lemma._cached_tables(RESOURCES)):  # made, then read back
        _shares_equal_values(tables.entries, tables.inflected)
    lemma._sharded_tables(RESOURCES)  # writes the shards
    lazy = lemma._sharded_tables(RESOURCES)
    assert isinstance(lazy, lemma._LazyTables)
    lazy.entries.get("deployed")
    [shard] = [shard for shard in lazy.entries._shards if shard is not None]
    _shares_equal_values(shard, shard.inflected)
