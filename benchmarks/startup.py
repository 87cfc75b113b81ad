#!/usr/bin/env python
"""Wall time of the interactive commands from process start to exit, before and after.

Usage (from the repository root)::

    .venv/bin/python benchmarks/startup.py                    # baseline: the `main` branch
    .venv/bin/python benchmarks/startup.py --baseline 569dc84 --repeat 7

The baseline commit is exported with ``git archive`` into a temporary folder; both versions run
in fresh processes of the same interpreter (so the same installed dependencies), each with its
own source tree first on ``sys.path`` and the same rule pack (this checkout's ``rules/``, through
``EVENTX_RULES``). Runs alternate baseline/current for every command, so the noise of a shared
machine hits both alike; the table gives the median seconds (wall, and CPU: user + system,
which other processes on a busy machine disturb less) and the ratios, and whether the two
versions printed the same output (stdout, stderr and exit code) — they must.

Both versions share a fresh cache folder (``EVENTX_CACHE_DIR``; each version's entries are its
own, keyed by its code) and run every command once before timing, so the times are those of a
user's second run: compiled pack, lemma tables, and whatever else a version keeps, warm.
``--cold`` instead empties the folder before every run (the first run after an install or an
edit of eventx). Python writes bytecode (``PYTHONDONTWRITEBYTECODE`` is dropped), as in a
normal installation.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = "--python"  # a command that is Python code run with the version's tree first on sys.path
SENTENCE = "Poland is sending troops to Lithuania."
GUARD = "Ohio will deploy 600 National Guard members to the flooded river towns."
BROKEN = ROOT / "tests" / "fixtures" / "lint" / "broken" / "rules.yml"
DOCUMENT = "one.txt"  # written into the run's folder: one news sentence
COMMANDS = {
    "explain": ["explain", SENTENCE],
    "explain --json": ["explain", SENTENCE, "--json"],
    "explain (Guard)": ["explain", GUARD],
    "check": ["check"],
    "check (broken)": ["check", str(BROKEN)],
    "run (1 doc)": ["run", DOCUMENT, "-q"],
    "schema": ["schema"],  # the floor: start-up, imports and one small command
    # the serial part of a whole `eventx run`: imports, loading the pack, building every regex
    # (what happens before the workers fork)
    "run's serial part": [PYTHON, "from eventx.cli import main; from eventx.engines.local import run_corpus;"
                          " from eventx.api import load_rules; load_rules().compile_all()"],
}
# the version's folders (its tree, then any --baseline-site) go first on sys.path
PATHS = "import os, sys; sys.path[0:0] = sys.argv.pop(1).split(os.pathsep);"
LAUNCH = PATHS + " from eventx.cli import main; sys.argv[0] = 'eventx'; main()"


def export(rev: str, into: Path) -> str:
    """Write the tree of ``rev`` into ``into``; return its full commit id."""
    commit = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
    with tempfile.TemporaryFile() as tmp:
        tmp.write(archive)
        tmp.seek(0)
        with tarfile.open(fileobj=tmp) as tar:
            tar.extractall(into, filter="data")
    return commit


def run(tree: str, args: list[str], cache: Path, cold: bool = False) -> tuple[float, float, tuple[str, str, int]]:
    """(wall seconds, CPU seconds of the process: user + system, output) of one command."""
    env = dict(os.environ, EVENTX_RULES=str(ROOT / "rules"), COLUMNS="120", NO_COLOR="1", TERM="dumb",
               EVENTX_CACHE_DIR=str(cache))
    for name in ("PYTHONDONTWRITEBYTECODE", "EVENTX_NO_CACHE"):
        env.pop(name, None)
    if cold:
        shutil.rmtree(cache, ignore_errors=True)
    command = [sys.executable, "-c", LAUNCH, tree, *args]
    if args[0] == PYTHON:
        command = [sys.executable, "-c", f"{PATHS} {args[1]}", tree]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=cache.parent)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, (done.stdout, done.stderr, done.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="main", help="git revision to compare with (default: main)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command and version (default: 5)")
    parser.add_argument("--only", help="comma-separated commands of: " + ", ".join(COMMANDS))
    parser.add_argument("--cold", action="store_true", help="empty the cache folder before every run")
    parser.add_argument("--baseline-site", metavar="DIR",
                        help="packages for the baseline only, after its tree on sys.path (to compare dependency"
                             " versions: pip install --no-deps --target DIR typer==0.29.2)")
    options = parser.parse_args()
    names = options.only.split(",") if options.only else list(COMMANDS)
    with tempfile.TemporaryDirectory() as tmp:
        baseline = Path(tmp) / "baseline"
        commit = export(options.baseline, baseline)
        cache = Path(tmp) / "work" / "cache"
        cache.mkdir(parents=True)
        (cache.parent / DOCUMENT).write_text("Poland sent 2,000 troops to Lithuania on Monday, the defence ministry said.\n")
        current = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        trees = {"baseline": os.pathsep.join(filter(None, [str(baseline), options.baseline_site])), "current": str(ROOT)}
        for tree in trees.values():  # warm the OS file cache, each tree's bytecode and its cache entries
            run(tree, ["--help"], cache)  # (and, for `check`, its findings)
            for name in names:
                run(tree, COMMANDS[name], cache)
        times: dict[tuple[str, str], list[float]] = {}
        cpu: dict[tuple[str, str], list[float]] = {}
        outputs: dict[tuple[str, str], tuple[str, str, int]] = {}
        for _ in range(options.repeat):
            for name in names:
                for version, tree in trees.items():
                    seconds, cpu_seconds, output = run(tree, COMMANDS[name], cache, options.cold)
                    times.setdefault((name, version), []).append(seconds)
                    cpu.setdefault((name, version), []).append(cpu_seconds)
                    outputs[name, version] = output
    load = os.getloadavg()[0]
    site = f" with {options.baseline_site} first" if options.baseline_site else ""
    print(f"baseline {options.baseline} = {commit[:10]}{site}, current {current}; {'cold' if options.cold else 'warm'} cache;"
          f" median of {options.repeat} runs, seconds; load average {load:.1f}")
    # CPU time (user + system) is less disturbed by other processes than wall time on a busy machine
    print(f"{'command':<16} {'baseline':>9} {'current':>9} {'ratio':>7} {'cpu base':>9} {'cpu cur':>8} {'ratio':>7}"
          f"  same output")
    for name in names:
        old, new = (statistics.median(times[name, v]) for v in ("baseline", "current"))
        old_cpu, new_cpu = (statistics.median(cpu[name, v]) for v in ("baseline", "current"))
        same = outputs[name, "baseline"] == outputs[name, "current"]
        print(f"{name:<16} {old:>9.2f} {new:>9.2f} {old / new:>6.2f}x {old_cpu:>9.2f} {new_cpu:>8.2f}"
              f" {old_cpu / new_cpu:>6.2f}x  {'yes' if same else 'NO'}")
        if not same:
            for label, (a, b) in zip(("stdout", "stderr", "exit"), zip(outputs[name, "baseline"], outputs[name, "current"])):
                if a != b:
                    print(f"  {label} differs: {str(a)[-300:]!r} vs {str(b)[-300:]!r}")


if __name__ == "__main__":
    main()
