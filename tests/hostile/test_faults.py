"""Faults while `eventx run` writes: a full disk (simulated with RLIMIT_FSIZE, so that every
write past the limit fails with EFBIG exactly as ENOSPC does) and a worker killed mid-run.
Each must end with a clear message, a non-zero exit and the resume command, and resuming
must give the output a clean run gives."""

from __future__ import annotations

import os
import resource
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EVENTX = str(Path(sys.executable).with_name("eventx"))
SENTENCE = "The army deployed {n} troops to the border, officials said."


def corpus(folder: Path, docs: int) -> Path:
    folder.mkdir()
    with open(folder / "docs.jsonl", "w", encoding="utf-8") as fh:
        for i in range(docs):
            fh.write('{"id": "d%d", "text": "%s"}\n' % (i, " ".join(SENTENCE.format(n=i * 10 + k) for k in range(3))))
    return folder


def _hint(stderr: str) -> list[str]:
    """The resume command the run printed, as arguments (with this environment's eventx)."""
    line = next(line for line in stderr.splitlines() if line.startswith("resume with: "))
    args = shlex.split(line.removeprefix("resume with: "))
    assert args[:2] == ["eventx", "run"] and args[-1] == "--resume", line
    return [EVENTX, *args[1:]]


def limited(limit: int):
    def preexec() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


@pytest.mark.parametrize(("name", "errors_file"), [("events.jsonl", False), ("events.csv", False), ("events.sqlite", False), ("events.jsonl", True)])
def test_full_disk(tmp_path: Path, name: str, errors_file: bool) -> None:
    inputs = corpus(tmp_path / "in", 300)
    if errors_file:  # every document has a problem: the errors file is what fills the disk
        with open(inputs / "docs.jsonl", "a", encoding="utf-8") as fh:
            fh.writelines('{"id": "bad%d", "text": 1}\n' % i for i in range(3000))
    out = tmp_path / "out" / name
    out.parent.mkdir()
    args = [EVENTX, "run", str(inputs), "-o", str(out), "--jobs", "1", "-q"]
    limit = 20_000 if errors_file else 300_000 if name.endswith(".sqlite") else 60_000
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, preexec_fn=limited(limit))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    assert f"error: cannot write: {out if name.endswith('.sqlite') else ''}" in proc.stderr
    assert ("disk I/O error" if name.endswith(".sqlite") else "File too large") in proc.stderr
    assert not [p.name for p in out.parent.iterdir() if ".tmp-" in p.name or p.name.endswith(("-shm",))]
    # resumed as the hint says, with room to write, the output is that of a clean run
    resumed = subprocess.run(_hint(proc.stderr), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    clean = tmp_path / "clean" / name
    clean.parent.mkdir()
    subprocess.run([EVENTX, "run", str(inputs), "-o", str(clean), "--jobs", "1", "-q"], check=True, timeout=300)
    assert sorted(p.name for p in out.parent.iterdir() if "errors" not in p.name) == [name]
    if name.endswith(".sqlite"):
        import sqlite3

        def rows(path: Path) -> list:
            with sqlite3.connect(path) as db:
                return sorted(db.execute("SELECT * FROM events").fetchall())

        assert rows(out) == rows(clean)
    else:
        assert out.read_bytes() == clean.read_bytes()


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs /proc to find the workers")
def test_worker_killed_mid_run(tmp_path: Path) -> None:
    inputs = corpus(tmp_path / "in", 2500)
    out = tmp_path / "events.jsonl"
    args = [EVENTX, "run", str(inputs), "-o", str(out), "--jobs", "2", "-q"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and proc.poll() is None:
        workers = _children(proc.pid)
        started = any(p.name.endswith(".partial") and p.stat().st_size > 0 for p in tmp_path.iterdir())
        if len(workers) >= 2 and started:  # some documents written, more to come
            break
        time.sleep(0.05)
    assert workers, "no worker process seen"
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr, stderr
    assert "a worker process died" in stderr
    resumed = subprocess.run(_hint(stderr), capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    clean = tmp_path / "clean.jsonl"
    subprocess.run([EVENTX, "run", str(inputs), "-o", str(clean), "--jobs", "1", "-q"], check=True, timeout=300)
    assert out.read_bytes() == clean.read_bytes()
