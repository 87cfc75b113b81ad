"""Fixtures of the analysis tests: the test corpus run through the test pack in every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis_inputs import CORPUS, RULES

from eventx.api import Extractor
from eventx.engines.local import run_corpus


@pytest.fixture(scope="session")
def logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The dated corpus through the test pack, as JSONL, CSV and SQLite logs."""
    out = tmp_path_factory.mktemp("logs")
    extractor = Extractor(RULES)
    paths = {}
    for fmt in ("jsonl", "csv", "sqlite"):
        path = out / f"events.{fmt}"
        run_corpus([str(CORPUS)], extractor, output=str(path))
        paths[fmt] = path
    return paths
