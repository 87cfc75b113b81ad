"""A run killed mid-way (SIGKILL) or interrupted (SIGINT, as Ctrl-C sends it to the whole
process group) leaves no output file, only its resumable state; ``--resume`` then ends with an
event log and an errors file byte-identical to those of an uninterrupted run. Real processes,
with worker processes (``--jobs 2``), because that is where interruption goes wrong."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.cli import app

RULES = Path(__file__).parent.parent / "hostile" / "rules"
DOCS = 3000
CLI = [sys.executable, "-c", "from eventx.cli import main; main()"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "news.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(DOCS):
            if i % 997 == 5:
                fh.write("{not json\n")  # a problem for the errors file, every so often
            body = " ".join(f"Paragraph {k} of report {i} says the ministry deployed {i + k} troops to sector {k}." for k in range(6))
            fh.write(json.dumps({"id": f"doc-{i:05d}", "text": body if i % 3 else "Nothing to report today."}) + "\n")
    return path


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    out = tmp_path_factory.mktemp("reference") / "events.jsonl"
    result = CliRunner().invoke(app, ["run", str(corpus), "-r", str(RULES), "-o", str(out), "--jobs", "1", "-q"])
    assert result.exit_code == 0, result.output
    return out.read_bytes(), Path(f"{out}.errors.jsonl").read_bytes()


def start(corpus: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, "run", str(corpus), "-r", str(RULES), "-o", str(out), "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a shell job
    )


def wait_for_progress(process: subprocess.Popen, out: Path, documents: int) -> None:
    """Until ``documents`` are recorded as done (the run must still be going then)."""
    progress = Path(f"{out}.progress")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if progress.exists() and progress.read_bytes().count(b"\n") >= documents:
            assert process.poll() is None, "the run ended before it could be interrupted"
            return
        time.sleep(0.01)
    process.kill()
    pytest.fail("no progress")


def resume(corpus: Path, out: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(corpus), "-r", str(RULES), "-o", str(out), "--jobs", "2", "--resume"])
    assert result.exit_code == 0, result.output
    assert "already done" in result.stderr


def test_sigkill_then_resume_is_byte_identical(corpus: Path, reference: tuple[bytes, bytes], tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    process = start(corpus, out)
    wait_for_progress(process, out, 200)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert not out.exists()  # atomic: nothing at OUT until the run completes
    assert Path(f"{out}.partial").exists()
    resume(corpus, out)
    assert (out.read_bytes(), Path(f"{out}.errors.jsonl").read_bytes()) == reference
    assert not Path(f"{out}.partial").exists() and not Path(f"{out}.progress").exists()


def test_sigint_flushes_says_how_to_resume_and_resumes(corpus: Path, reference: tuple[bytes, bytes], tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    process = start(corpus, out)
    wait_for_progress(process, out, 200)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert f"-o {out} --resume" in stderr
    assert not out.exists()
    done = Path(f"{out}.progress").read_bytes().count(b"\n")
    assert 200 <= done < DOCS
    resume(corpus, out)
    assert (out.read_bytes(), Path(f"{out}.errors.jsonl").read_bytes()) == reference
