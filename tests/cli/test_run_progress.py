"""On a terminal, `eventx run` shows a progress bar with a percentage and the time left when
the input size is known (files), and a spinner with counts otherwise (stdin)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

RULES = Path(__file__).parent.parent / "hostile" / "rules"
CLI = [sys.executable, "-c", "from eventx.cli import main; main()"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def frames(args: list[str], tmp_path: Path, stdin: bytes | None = None) -> list[str]:
    env = dict(os.environ, FORCE_COLOR="1", COLUMNS="160")  # rich draws its live display as on a terminal
    result = subprocess.run([*CLI, "run", *args, "-r", str(RULES)], input=stdin, capture_output=True, env=env, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return [ANSI.sub("", line) for line in re.split(r"[\r\n]", result.stderr.decode()) if "documents" in line]


def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "news.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(400):
            fh.write(json.dumps({"id": f"d{i}", "text": f"The ministry deployed {i} troops to sector {i}. " * 30}) + "\n")
    return path


def test_file_input_shows_a_bar_with_percentage_and_eta(tmp_path: Path) -> None:
    shown = frames([str(corpus(tmp_path)), "-o", "out.jsonl", "--jobs", "1"], tmp_path)
    assert any(re.search(r"\d+%.*\d+ documents.*ETA", line) for line in shown), shown[-3:]


def test_stdin_shows_counts_without_a_total(tmp_path: Path) -> None:
    shown = frames(["-", "-o", "out.jsonl", "--jobs", "1"], tmp_path, stdin=corpus(tmp_path).read_bytes())
    assert any(re.search(r"\d+ documents", line) for line in shown)
    assert not any("ETA" in line or "%" in line for line in shown)


def test_the_bar_of_a_finished_jsonl_file_ends_at_100_percent(tmp_path: Path) -> None:
    # the file is larger than its documents' text: JSON syntax, ids, multi-byte characters
    path = tmp_path / "news.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(400):
            text = f"Die Ministerin schickte {i} Soldaten nach Süden — „sofort“. " * 30
            fh.write(json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n")
    shown = frames([str(path), "-o", "out.jsonl", "--jobs", "1"], tmp_path)
    last = [line for line in shown if "%" in line][-1]
    assert re.search(r"\b100% 400 documents", last), shown[-3:]
