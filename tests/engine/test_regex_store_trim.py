"""Trimming the regex store when files share a modification time.

``regexstore._trim`` sorts ``(st_mtime_ns, DirEntry)`` pairs; two files written in the same
clock tick make the sort compare the ``DirEntry`` objects, which raises ``TypeError`` (seen as
a traceback from ``eventx check`` while several packs were being compiled). The trim runs on
about every 256th write to a full store, so it is reached here directly. Known bug, reported
for the engine's owners: strict xfail until it is fixed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eventx import regexstore


@pytest.mark.xfail(strict=True, raises=TypeError, reason="_trim sorts DirEntry objects on an mtime tie")
def test_trim_survives_files_with_the_same_mtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regexstore, "MAX_ENTRIES", 4)
    for i in range(8):
        entry = tmp_path / f"entry-{i}"
        entry.write_bytes(b"x")
        os.utime(entry, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    regexstore._trim(tmp_path)
    assert len(list(tmp_path.iterdir())) == 4 * 3 // 4
