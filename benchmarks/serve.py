#!/usr/bin/env python
"""How long `eventx serve` takes to show the results of an edit, against the command-line loop
it replaces, side by side.

Usage (from the repository root)::

    .venv/bin/python benchmarks/serve.py                        # corpora/ as the sample
    .venv/bin/python benchmarks/serve.py --corpus PATH --sample 200 --repeat 5

A :class:`eventx.serve.Session` is opened on the shipped pack and the first ``--sample``
documents of ``--corpus``; then edits of ``deployment.yml`` an author makes are analysed
(diagnostics, the sample's events, the file's 116 inline examples, the diff against the saved
pack — what the page shows). Each edit is new every time (a made-up word is added to a list,
numbered), so no result is reused from a previous repeat; before them, the session analyses
the unedited pack once, as the page does when it opens:

- ``example``: an example's text changes (no pattern does);
- ``one rule``: a word is added to one rule's trigger list (its regex is rebuilt);
- ``shared var``: a word is excluded by the ``in_clause`` var of ``common.yml``, which 51 rules
  of several files use (every rule using it is compiled again; the made-up word is in no text,
  so no sentence or example needs a new run);
- ``var, 'but'``: the same with "but" excluded too, a word the sample and the examples have
  (the sentences and examples where a rule using the var may fire and "but" occurs run again);
- ``var, structure``: the same var becomes a token followed by a negative lookahead (its tree
  changes, not only a token test: every sentence and example where a rule using it may fire
  runs again, the worst case of an edit);
- ``mention rule``: a word is added to a list in the ``Force`` mention rule of
  ``layers/force.yml`` (the label most event rules use; only a token test changes, and the
  made-up word is in no text, so nothing needs a new run);
- ``broken``: a pattern loses a ``]`` (the diagnostic only);

The session's objects are frozen out of the cyclic garbage collector's sight once it opens, as
``eventx serve`` does (``gc.freeze``), so a full collection does not land on an edit.

Against ``cli loop``: what the same check took before, in fresh processes, as an author runs it:
``eventx check`` on the pack, ``eventx run`` of the sample, and ``eventx diff`` with the saved
pack's events (``eventx test`` would come on top). Runs alternate; medians in seconds.

``--baseline REV`` instead compares two versions of eventx side by side: ``REV`` is exported
with ``git archive``, and each repeat opens one session with each version (in turn, each in a
fresh process with its own empty cache folder, the shipped pack of this checkout), so the
table gives, per edit, the median seconds of both and their ratio, in wall time and in CPU time
(the session's process; other processes on a busy machine disturb it less than wall time).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVENTX = [sys.executable, "-c", "from eventx.cli import main; import sys; sys.argv[0] = 'eventx'; main()"]


def edits(text: str, common: str, n: int, force: str) -> dict[str, tuple[str, str]]:
    """Edit name -> (file, its edited text); every edit must change its file."""
    word = f"zq{n}x"
    found = {
        "example": ("deployment.yml", text.replace("Poland is sending thousands", f"Poland{n} is sending thousands", 1)),
        "one rule": ("deployment.yml", text.replace("[lemma=send|dispatch|rush|airlift|",
                                                    f"[lemma=send|dispatch|rush|airlift|{word}|", 1)),
        # a var used by 51 rules across the pack's files
        "shared var": ("common.yml", common.replace('in_clause: "[!word=/[.;:!?]/]"',
                                                    f'in_clause: "[!word=/[.;:!?]/ & !lower={word}]"', 1)),
        "var, 'but'": ("common.yml", common.replace('in_clause: "[!word=/[.;:!?]/]"',
                                                    f'in_clause: "[!word=/[.;:!?]/ & !lower=but|{word}]"', 1)),
        # the same var's structure changes: every sentence and example a rule using it may fire in runs again
        "var, structure": ("common.yml", common.replace('in_clause: "[!word=/[.;:!?]/]"',
                                                        f'in_clause: "(?: [!word=/[.;:!?]/] (?! [lower={word}] ) )"', 1)),
        # a mention rule of the Force label, which most event rules use
        "mention rule": ("layers/force.yml", force.replace("[lower=,]? [lower=and|plus] (?: @Quantity",
                                                           f"[lower=,]? [lower=and|plus|{word}] (?: @Quantity", 1)),
        "broken": ("deployment.yml", text.replace("[lemma=send|dispatch|rush|airlift|", f"[lemma=send|{word}|dispatch|rush|airlift|", 1).replace(
            "| lower=deployed]=trigger", "| lower=deployed=trigger", 1)),
    }
    for name, (file, edited) in found.items():
        original = {"deployment.yml": text, "common.yml": common, "layers/force.yml": force}[file]
        assert edited != original, f"the {name} edit no longer applies to the pack"
    assert "lower=deployed=trigger" in found["broken"][1], "the broken edit no longer applies to the pack"
    return found


def compare(options: argparse.Namespace) -> None:
    """Sessions of the baseline and of this checkout, alternating, each in a fresh process."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from startup import export

    runs: dict[str, list[dict]] = {"baseline": [], "current": []}
    with tempfile.TemporaryDirectory() as tmp:
        commit = export(options.baseline, Path(tmp) / "baseline")
        trees = {"baseline": Path(tmp) / "baseline", "current": ROOT}
        for n in range(options.repeat):
            for version, tree in trees.items():
                cache = Path(tmp) / f"cache-{version}-{n}"
                env = dict(os.environ, EVENTX_CACHE_DIR=str(cache))
                env.pop("EVENTX_NO_CACHE", None)
                command = [sys.executable, __file__, "--corpus", options.corpus, "--sample", str(options.sample),
                           "--repeat", "1", "--first-edit", str(n), "--tree", str(tree), "--json"]
                done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
                runs[version].append(json.loads(done.stdout.splitlines()[-1]))
    first = runs["current"][0]
    print(f"sample: {first['documents']} documents ({first['mb']:.2f} MB) of {options.corpus}; baseline "
          f"{options.baseline} = {commit[:10]}; median of {options.repeat} sessions per version, seconds;"
          f" load average {os.getloadavg()[0]:.1f}")
    print(f"{'edit':<12} {'baseline':>9} {'current':>8} {'ratio':>7} {'CPU base':>9} {'current':>8} {'ratio':>7}"
          f" {'load':>6} {'sample':>7} {'examples':>9} {'docs run':>9} {'sentences':>10}  (current)")
    for name in first["times"]:
        old, new = (statistics.median(run["times"][name][0] for run in runs[v]) for v in ("baseline", "current"))
        old_cpu, new_cpu = (statistics.median(run["cpu"][name][0] for run in runs[v]) for v in ("baseline", "current"))
        part = {key: statistics.median(run["parts"][name][0].get(key, 0.0) for run in runs["current"])
                for key in ("load", "sample", "examples")}
        ran = [run["parts"][name][0].get("documents run") for run in runs["current"]]
        shown = "" if None in ran else f"{statistics.median(ran):.0f}"  # counted since the sample is incremental
        ran = [run["parts"][name][0].get("sentences run") for run in runs["current"]]
        sentences = "" if None in ran else f"{statistics.median(ran):.0f}"  # counted since sentences are run again
        print(f"{name:<12} {old:>9.2f} {new:>8.2f} {old / new:>6.2f}x {old_cpu:>9.2f} {new_cpu:>8.2f}"
              f" {old_cpu / new_cpu:>6.2f}x {part['load']:>6.2f} {part['sample']:>7.2f} {part['examples']:>9.2f} {shown:>9}"
              f" {sentences:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT / "corpora"), help="corpus file or directory (default: corpora/)")
    parser.add_argument("--sample", type=int, default=200, help="documents in the sample (default: 200)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", help="git revision to compare this checkout with (see above)")
    parser.add_argument("--tree", help=argparse.SUPPRESS)  # internal: the eventx source tree to measure
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # internal: the edits' times as JSON
    parser.add_argument("--first-edit", type=int, default=0, help=argparse.SUPPRESS)  # internal: numbers the edits
    options = parser.parse_args()
    if options.baseline:
        compare(options)
        return
    if options.tree:
        sys.path.insert(0, options.tree)

    from eventx.io.readers import iter_corpus
    from eventx.serve import Session
    from eventx.text.model import Document

    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules"
        shutil.copytree(ROOT / "rules", rules)
        sample = Path(tmp) / "sample.jsonl"
        docs = [d for d in itertools.islice((d for d in iter_corpus([options.corpus]) if isinstance(d, Document)), options.sample)]
        import orjson

        sample.write_bytes(b"".join(orjson.dumps({"id": d.id, "text": d.text}) + b"\n" for d in docs))
        started = time.perf_counter()
        session = Session(rules, [str(sample)], sample=options.sample)
        opened = time.perf_counter() - started
        gc.freeze()  # as `eventx serve` does once the session is open (eventx.cli.app.keep_until_exit)
        session.analyse({}, "deployment.yml")  # what the page asks for when it opens, before any edit
        text = (rules / "deployment.yml").read_text()
        common = (rules / "common.yml").read_text()
        force = (rules / "layers" / "force.yml").read_text()
        saved_log = Path(tmp) / "saved.jsonl"
        if not options.json:
            subprocess.run([*EVENTX, "run", str(sample), "-r", str(rules), "-o", str(saved_log), "-q"], check=True)
        times: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        parts: dict[str, list[dict]] = {}
        for n in range(options.first_edit, options.first_edit + options.repeat):
            for name, (file, edited) in edits(text, common, n, force).items():
                started, cpu = time.perf_counter(), time.process_time()
                result = session.analyse({file: edited}, "deployment.yml")
                times.setdefault(name, []).append(time.perf_counter() - started)
                cpus.setdefault(name, []).append(time.process_time() - cpu)
                parts.setdefault(name, []).append(result.timings)
                assert (result.errors > 0) == (name == "broken"), (name, result.diagnostics[:1])
            if options.json:
                continue
            # the loop it replaces, on the saved pack
            started = time.perf_counter()
            subprocess.run([*EVENTX, "check", str(rules)], capture_output=True)
            new_log = Path(tmp) / "new.jsonl"
            subprocess.run([*EVENTX, "run", str(sample), "-r", str(rules), "-o", str(new_log), "-q"], check=True)
            subprocess.run([*EVENTX, "diff", str(saved_log), str(new_log)], capture_output=True)
            times.setdefault("cli loop", []).append(time.perf_counter() - started)
    if options.json:
        print(json.dumps({"documents": len(docs), "mb": sum(len(d.text) for d in docs) / 1e6, "times": times,
                          "cpu": cpus, "parts": parts}))
        return
    print(f"sample: {len(docs)} documents ({sum(len(d.text) for d in docs) / 1e6:.2f} MB) of {options.corpus}; "
          f"session opened in {opened:.2f} s; median of {options.repeat}, seconds")
    loop = statistics.median(times["cli loop"])
    print(f"{'edit':<12} {'total':>6} {'load':>6} {'sample':>7} {'examples':>9} {'docs run':>9} {'vs cli loop':>12}")
    for name, values in times.items():
        total = statistics.median(values)
        if name == "cli loop":
            print(f"{name:<12} {total:>6.2f}")
            continue
        part = {key: statistics.median(p.get(key, 0.0) for p in parts[name]) for key in ("load", "sample", "examples")}
        ran = statistics.median(p.get("documents run", 0) for p in parts[name])
        print(f"{name:<12} {total:>6.2f} {part['load']:>6.2f} {part['sample']:>7.2f} {part['examples']:>9.2f} {ran:>9.0f}"
              f" {loop / total:>11.1f}x")


if __name__ == "__main__":
    main()
