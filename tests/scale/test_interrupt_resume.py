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
# Ctrl-C's SIGINT as in a terminal: a program started in the background by a non-interactive
# shell (`pytest ... &` in a script) inherits SIGINT ignored, and Python then keeps ignoring it
SIGINT_AS_IN_A_TERMINAL = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
CLI = [sys.executable, "-c", SIGINT_AS_IN_A_TERMINAL + "from eventx.cli import main; main()"]


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


def children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != b"Z":
                found.add(int(entry))
    return found


def alive(pids: set[int]) -> set[int]:
    left = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                if fh.read().rsplit(b")", 1)[1].split()[0] != b"Z":
                    left.add(pid)
        except OSError:
            pass
    return left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_the_parent_leaves_no_worker_behind(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    process = start(corpus, out)
    wait_for_progress(process, out, 200)
    workers = children(process.pid)
    assert len(workers) >= 2
    process.kill()  # the parent only, as `kill -9 PID` does; not its process group
    process.wait(timeout=30)
    deadline = time.monotonic() + 20
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = alive(workers)
    for pid in left:  # clean up before failing
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived their parent"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_stops_like_ctrl_c_and_its_resume_command_gives_identical_output(
    corpus: Path, reference: tuple[bytes, bytes], tmp_path: Path
) -> None:
    import shlex

    out = tmp_path / "events.jsonl"
    process = start(corpus, out)
    wait_for_progress(process, out, 200)
    workers = children(process.pid)
    process.terminate()  # SIGTERM to the parent only, as `kill PID` sends it
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert "interrupted: what was done is kept." in stderr
    [hint] = [line.removeprefix("resume with: ") for line in stderr.splitlines() if line.startswith("resume with: ")]
    argv = shlex.split(hint)
    assert argv == ["eventx", "run", str(corpus), "-r", str(RULES), "--jobs", "2", "-o", str(out), "--resume"]
    assert not out.exists() and 200 <= Path(f"{out}.progress").read_bytes().count(b"\n") < DOCS + 1
    deadline = time.monotonic() + 10
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(workers)
    result = CliRunner().invoke(app, argv[1:])
    assert result.exit_code == 0, result.output
    assert (out.read_bytes(), Path(f"{out}.errors.jsonl").read_bytes()) == reference


def test_the_resume_hint_carries_every_option(corpus: Path, tmp_path: Path) -> None:
    """Interrupted with -r, --mentions separate, --errors, --time-budget and -f: the printed
    command resumes to the output of an uninterrupted run with those options."""
    import shlex

    options = ["-r", str(RULES), "--mentions", "separate", "--time-budget", "5", "-f", "jsonl", "--jobs", "1"]
    reference = tmp_path / "reference.log"
    result = CliRunner().invoke(app, ["run", str(corpus), *options, "-o", str(reference), "--errors", str(tmp_path / "ref-problems.jsonl"), "-q"])
    assert result.exit_code == 0, result.output
    out, problems = tmp_path / "events.log", tmp_path / "problems.jsonl"
    process = subprocess.Popen(
        [*CLI, "run", str(corpus), *options, "--errors", str(problems), "-o", str(out)],
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    wait_for_progress(process, out, 200)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    [hint] = [line.removeprefix("resume with: ") for line in stderr.splitlines() if line.startswith("resume with: ")]
    argv = shlex.split(hint)
    for option in ("-r", "--mentions", "--time-budget", "-f", "--errors", "--jobs"):
        assert option in argv, hint
    result = CliRunner().invoke(app, argv[1:])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == reference.read_bytes()
    assert problems.read_bytes() == (tmp_path / "ref-problems.jsonl").read_bytes()
