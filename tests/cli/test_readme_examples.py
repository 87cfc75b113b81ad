"""The README's example records are what `eventx run` prints for their texts (ids and the
rules version, shown as "…", aside)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"
CASES = {
    "China has deployed about 2,000 soldiers": "China has deployed about 2,000 soldiers to the disputed border region, state media reported.\n",
    "Poland sends troops to Lithuania": "Poland sends troops to Lithuania\n\nPoland is sending about 2,000 soldiers to Lithuania, the defence ministry said.",
}


def readme_records() -> list[dict]:
    blocks = re.findall(r"```json\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return [json.loads(block.replace("…", "")) for block in blocks if block.lstrip().startswith('{"doc_id"')]


def without_volatile(record: dict) -> dict:
    return dict(record, rules_version="sha256:")


@pytest.mark.parametrize("key", list(CASES))
def test_readme_example_matches_the_real_output(key: str) -> None:
    [shown] = [r for r in readme_records() if r["span"]["text"].startswith(key)]
    result = CliRunner().invoke(app, ["run", "-", "-q"], input=CASES[key])
    assert result.exit_code == 0, result.output
    [actual] = [json.loads(line) for line in result.stdout.splitlines()]
    if shown["id"] == "ev-":
        actual["id"] = "ev-"
    assert without_volatile(actual) == without_volatile(shown)
