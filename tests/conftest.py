"""Session-wide test set-up: eventx's caches (compiled packs, lemma tables) live in a folder
of this test session, inherited by the CLI processes tests start, never the user's own."""

from __future__ import annotations

import os
import tempfile


def pytest_configure(config) -> None:  # noqa: ARG001 - pytest's hook signature
    if "EVENTX_CACHE_DIR" not in os.environ:
        os.environ["EVENTX_CACHE_DIR"] = tempfile.mkdtemp(prefix="eventx-test-cache-")
