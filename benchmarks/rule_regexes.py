#!/usr/bin/env python
"""Size and build time of the rule pack's regexes per event type, before and after.

Usage (from the repository root)::

    .venv/bin/python benchmarks/rule_regexes.py                    # baseline: `main`'s rules/
    .venv/bin/python benchmarks/rule_regexes.py --baseline 17b6152 --repeat 5

Both packs (the baseline commit's ``rules/``, exported with ``git archive``, and this checkout's)
are loaded by this checkout's code without the compile cache. For each event type the table
gives the characters of its rules' regex sources, its largest rule, and the time to compile them
(each rule's pattern and its ``unless`` patterns: what building the pack costs at start-up);
mention labels get one row per label (regex and its POSIX twin). Each measurement runs in a
fresh process (the ``regex`` module caches compiled patterns), alternating baseline/current, and
the table gives the median milliseconds and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEASURE = r"""
import gc, json, sys, time, regex
from eventx.api import load_rules
pack = load_rules(sys.argv[1])
gc.collect(); gc.disable()  # no collection of the loader's garbage inside a timed compile
rows = {}
for rule in pack.rules:
    sources = [rule.pattern.source, *(u.source for u in rule.unless or ())]
    started = time.perf_counter()
    for source in sources:
        regex.compile(source)
    row = rows.setdefault(rule.type, {"ms": 0.0, "chars": 0, "largest": [0, ""]})
    row["ms"] += (time.perf_counter() - started) * 1000
    row["chars"] += len(rule.pattern.source)
    row["largest"] = max(row["largest"], [len(rule.pattern.source), rule.id])
for mention in pack.mention_rules:
    started = time.perf_counter()
    regex.compile(mention.pattern.source)
    regex.compile(mention.pattern.source, flags=regex.POSIX)
    row = rows.setdefault("@" + mention.label, {"ms": 0.0, "chars": 0, "largest": [0, ""]})
    row["ms"] += (time.perf_counter() - started) * 1000
    row["chars"] += len(mention.pattern.source)
    row["largest"] = max(row["largest"], [len(mention.pattern.source), mention.id])
print(json.dumps(rows))
"""


def export_rules(rev: str, into: Path) -> Path:
    """Write ``rev``'s ``rules/`` into ``into``; return the folder."""
    archive = subprocess.run(["git", "archive", rev, "rules"], cwd=ROOT, check=True, capture_output=True).stdout
    with tempfile.TemporaryFile() as tmp:
        tmp.write(archive)
        tmp.seek(0)
        with tarfile.open(fileobj=tmp) as tar:
            tar.extractall(into, filter="data")
    return into / "rules"


def measure(rules: Path) -> dict:
    env = dict(os.environ, EVENTX_NO_CACHE="1")
    done = subprocess.run([sys.executable, "-c", MEASURE, str(rules)], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="main", help="commit whose rules/ is the baseline (default: main)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per pack (default: 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base_rules = export_rules(args.baseline, Path(tmp))
        runs: dict[str, list[dict]] = {"base": [], "now": []}
        for _ in range(args.repeat):
            runs["base"].append(measure(base_rules))
            runs["now"].append(measure(ROOT / "rules"))
    names = sorted(set(runs["base"][0]) | set(runs["now"][0]), key=lambda n: (n.startswith("@"), n))
    print(f"rules/ of {args.baseline} (base) and of this checkout (now); median of {args.repeat} fresh processes\n")
    print("| type or @label | chars base | chars now | largest base | largest now | ms base | ms now | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    totals = {"base": 0.0, "now": 0.0}
    parts = {("types", side): 0.0 for side in runs} | {("labels", side): 0.0 for side in runs}
    for name in names:
        cells = []
        for side in ("base", "now"):
            row = runs[side][0].get(name)
            cells.append(row)
        ms = {side: statistics.median(r[name]["ms"] for r in runs[side]) if name in runs[side][0] else 0.0 for side in runs}
        for side in ms:
            totals[side] += ms[side]
            parts[("labels" if name.startswith("@") else "types", side)] += ms[side]
        base, now = cells

        def largest(row: dict | None) -> str:
            return f"{row['largest'][0]} {row['largest'][1]}" if row else "–"

        ratio = f"{ms['base'] / ms['now']:.1f}×" if ms["now"] and ms["base"] else "–"
        print(f"| {name} | {base['chars'] if base else '–'} | {now['chars'] if now else '–'} | {largest(base)} | {largest(now)} "
              f"| {ms['base']:.1f} | {ms['now']:.1f} | {ratio} |")
    for part in ("types", "labels"):
        base, now = parts[(part, "base")], parts[(part, "now")]
        print(f"| **all {part}** | | | | | {base:.1f} | {now:.1f} | {base / now:.1f}× |")
    print(f"| **all** | | | | | {totals['base']:.1f} | {totals['now']:.1f} | {totals['base'] / totals['now']:.1f}× |")


if __name__ == "__main__":
    main()
