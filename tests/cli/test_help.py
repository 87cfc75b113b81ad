"""First contact: ``--version``, ``-h`` and help screens with the conventional metavars."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

import eventx
from eventx.cli import app

COMMANDS = ["run", "test", "check", "explain", "coverage", "diff", "schema", "stats", "report"]


def test_version() -> None:
    for flag in ("--version", "-V"):
        result = CliRunner().invoke(app, [flag])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == f"eventx {eventx.__version__}"


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=["eventx", *COMMANDS])
def test_dash_h_is_help_with_conventional_metavars(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "-h"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Usage: eventx" in result.stdout
    # typer's own placeholders: {inputs}..., <str>, <bool>, <list[str]>, <int range>
    assert re.search(r"\{\w+|<(str|bool|int|float|path|list)\b[^>]*>", result.stdout) is None, result.stdout


def test_run_help_reads_like_a_unix_command() -> None:
    result = CliRunner().invoke(app, ["run", "-h"], env={"COLUMNS": "200"})
    assert "Usage: eventx run [OPTIONS] INPUTS..." in result.stdout
    assert re.search(r"--rules\s+-r\s+PATH", result.stdout)
    assert re.search(r"--jobs\s+-j\s+INTEGER", result.stdout)
    assert re.search(r"--mentions\s+\[merge\|separate\]", result.stdout)
    assert re.search(r"--resume\s+Continue", result.stdout)  # a flag takes no value
