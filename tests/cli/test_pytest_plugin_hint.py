"""The pytest plugin's golden-file failure says how to accept the new output, with the pack it
ran (``-r``): following the hint makes the test pass."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from eventx.cli import app

HOSTILE_RULES = Path(__file__).parent.parent / "hostile" / "rules"


def pytest_in(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "corp"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_update_hint_names_the_rules_and_works(tmp_path: Path) -> None:
    shutil.copytree(HOSTILE_RULES, tmp_path / "myrules")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\neventx_rules = "myrules"\neventx_corpora = ["corp"]\n', encoding="utf-8"
    )
    docs = tmp_path / "corp" / "docs"
    docs.mkdir(parents=True)
    (docs / "a.txt").write_text("The army sent 300 soldiers to the border.", encoding="utf-8")
    (tmp_path / "corp" / "golden").mkdir()
    (tmp_path / "corp" / "golden" / "a.events.jsonl").write_text("", encoding="utf-8")  # stale: no events
    failed = pytest_in(tmp_path)
    assert failed.returncode == 1, failed.stdout
    # The hint is in the failure report and, where pytest does not truncate its short summary
    # (CI=1), once more there: every copy must be the same command.
    hints = {line.split("accept the new output with: ", 1)[1] for line in failed.stdout.splitlines() if "accept the new output with: " in line}
    assert len(hints) == 1, failed.stdout
    [hint] = hints
    argv = shlex.split(hint)
    assert argv[:4] == ["eventx", "test", "-r", str((tmp_path / "myrules").resolve())], hint
    updated = CliRunner().invoke(app, argv[1:])
    assert updated.exit_code == 0, updated.output
    passed = pytest_in(tmp_path)
    assert passed.returncode == 0, passed.stdout
