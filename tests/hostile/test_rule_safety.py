"""Hostile rule files through the CLI: YAML tags never run code, and imports and lexicon files
cannot leave the rule root (by ``..``, an absolute path or a symlink). ``eventx check`` and
``eventx run -r`` both refuse with file:line:col diagnostics and exit 2, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app

RULE = "rules:\n  - id: r\n    type: t\n    pattern: '[lemma=deploy]=trigger @force'\n"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def assert_refused(root: Path, path_in_message: str, tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("They deployed troops.", encoding="utf-8")
    for result in (invoke("check", str(root)), invoke("run", str(doc), "-r", str(root), "-q")):
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        lines = [line for line in result.output.splitlines() if path_in_message in line and "error" in line]
        assert lines, result.output
        file_part = lines[0].split(": ")[0]
        assert file_part.count(":") >= 2, lines[0]  # file:line:col


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!!python/name:os.system",
    ],
)
def test_python_yaml_tags_never_run_code(tmp_path: Path, tagged: str) -> None:
    """The loader composes YAML nodes and never calls a constructor: a tag is not code."""
    marker = tmp_path / "pwned"
    root = tmp_path / "rules"
    root.mkdir()
    (root / "r.yml").write_text(f"lexicons:\n  force: {tagged.format(marker=marker)}\n" + RULE, encoding="utf-8")
    doc = tmp_path / "doc.txt"
    doc.write_text("They deployed troops.", encoding="utf-8")
    for result in (invoke("check", str(root)), invoke("run", str(doc), "-r", str(root), "-q")):
        assert result.exit_code in (0, 2) and "Traceback" not in result.output, result.output
    assert not marker.exists()


@pytest.mark.parametrize("reference", ["../outside.yml", "/etc/passwd", "sub/../../outside.yml"])
def test_imports_cannot_leave_the_rule_root(tmp_path: Path, reference: str) -> None:
    (tmp_path / "outside.yml").write_text("vars: {v: '[]'}\n", encoding="utf-8")
    root = tmp_path / "rules"
    (root / "sub").mkdir(parents=True)
    (root / "r.yml").write_text(f"imports: [{reference!r}]\nlexicons:\n  force: [troops]\n" + RULE, encoding="utf-8")
    assert_refused(root, "r.yml", tmp_path)


@pytest.mark.parametrize("reference", ["../words.txt", "/etc/hostname"])
def test_lexicon_files_cannot_leave_the_rule_root(tmp_path: Path, reference: str) -> None:
    (tmp_path / "words.txt").write_text("troops\n", encoding="utf-8")
    root = tmp_path / "rules"
    root.mkdir()
    (root / "r.yml").write_text(f"lexicons:\n  force: {reference!r}\n" + RULE, encoding="utf-8")
    assert_refused(root, "r.yml", tmp_path)


def test_symlinks_out_of_the_rule_root_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "words.txt").write_text("troops\n", encoding="utf-8")
    (outside / "common.yml").write_text("vars: {v: '[]'}\n", encoding="utf-8")
    root = tmp_path / "rules"
    root.mkdir()
    os.symlink(outside / "words.txt", root / "words.txt")
    os.symlink(outside / "common.yml", root / "common.yml")
    (root / "r.yml").write_text("imports: [common.yml]\nlexicons:\n  force: words.txt\n" + RULE, encoding="utf-8")
    assert_refused(root, "r.yml", tmp_path)


def test_the_same_pack_inside_the_root_is_fine(tmp_path: Path) -> None:
    """The refusals above are about where files are, not about the rule itself."""
    root = tmp_path / "rules"
    root.mkdir()
    (root / "words.txt").write_text("troops\n", encoding="utf-8")
    (root / "common.yml").write_text("vars: {v: '[]'}\n", encoding="utf-8")
    (root / "r.yml").write_text("imports: [common.yml]\nlexicons:\n  force: words.txt\n" + RULE, encoding="utf-8")
    doc = tmp_path / "doc.txt"
    doc.write_text("They deployed troops.", encoding="utf-8")
    assert invoke("check", str(root)).exit_code == 0
    result = invoke("run", str(doc), "-r", str(root), "-q")
    assert result.exit_code == 0 and '"type":"t"' in result.stdout
