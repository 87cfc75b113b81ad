"""Trimming a full regex store: files written within one clock tick share their mtime (once a
TypeError: the entries were sorted as (mtime, DirEntry) pairs)."""

from __future__ import annotations

import os

import pytest

from eventx import regexstore
from eventx.regexstore import compile_regex


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EVENTX_NO_CACHE", raising=False)
    monkeypatch.setattr(regexstore, "_recent", {})
    return tmp_path / "cache"


def test_trimming_a_full_store_whose_entries_share_an_mtime(store, monkeypatch):
    assert compile_regex("a+b").match("aab")  # creates the store's folder
    folder = next(store.glob("regex-*"))
    for i in range(10):  # more entries than the (lowered) limit, all with one mtime
        entry = folder / f"entry-{i}"
        entry.write_bytes(b"")
        os.utime(entry, ns=(1, 1))
    monkeypatch.setattr(regexstore, "MAX_ENTRIES", 4)
    monkeypatch.setattr(regexstore.os, "urandom", lambda n: b"\x00" * n)  # this write trims
    assert compile_regex("c+d").match("ccd")
    assert len([p for p in folder.iterdir() if p.is_file()]) <= 4
