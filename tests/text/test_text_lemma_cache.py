"""The lemma tables are kept in a cache file between processes: the same tables, and a cache
that is missing, corrupt or unwritable only costs time."""

from __future__ import annotations

import importlib.util
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
