"""Paths of the analysis tests' inputs (a module, not conftest, so tests can import it)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
RULES = DATA / "rules"  # a tiny, stable pack: the shipped one changes as it is developed
CORPUS = DATA / "dated.jsonl"  # dated documents, one hostile, one with characters outside the BMP
HOSTILE_ID = "</script><script>window.__pwned=3</script>"
