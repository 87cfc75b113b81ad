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
numbered), so no result is reused from a previous repeat:

- ``example``: an example's text changes (no pattern does);
- ``one rule``: a word is added to one rule's trigger list (its regex is rebuilt);
- ``shared var``: a word is added to the ``send_verb`` var (every rule using it is rebuilt);
- ``broken``: a pattern loses a ``]`` (the diagnostic only);

against ``cli loop``: what the same check took before, in fresh processes, as an author runs it:
``eventx check`` on the pack, ``eventx run`` of the sample, and ``eventx diff`` with the saved
pack's events (``eventx test`` would come on top). Runs alternate; medians in seconds.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVENTX = [sys.executable, "-c", "from eventx.cli import main; import sys; sys.argv[0] = 'eventx'; main()"]


def edits(text: str, n: int) -> dict[str, str]:
    word = f"zq{n}x"
    return {
        "example": text.replace("Poland is sending thousands", f"Poland{n} is sending thousands", 1),
        "one rule": text.replace("[lemma=send|dispatch|rush|airlift|", f"[lemma=send|dispatch|rush|airlift|{word}|", 1),
        "shared var": text.replace("send_verb: \"[lemma=deploy|send|", f"send_verb: \"[lemma=deploy|send|{word}|", 1),
        "broken": text.replace("[lemma=send|dispatch|rush|airlift|", f"[lemma=send|{word}|dispatch|rush|airlift|", 1).replace(
            "|despatch | lower=deployed]=trigger", "|despatch | lower=deployed=trigger", 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(ROOT / "corpora"), help="corpus file or directory (default: corpora/)")
    parser.add_argument("--sample", type=int, default=200, help="documents in the sample (default: 200)")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()

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
        text = (rules / "deployment.yml").read_text()
        saved_log = Path(tmp) / "saved.jsonl"
        subprocess.run([*EVENTX, "run", str(sample), "-r", str(rules), "-o", str(saved_log), "-q"], check=True)
        times: dict[str, list[float]] = {}
        parts: dict[str, list[dict]] = {}
        for n in range(options.repeat):
            for name, edited in edits(text, n).items():
                started = time.perf_counter()
                result = session.analyse({"deployment.yml": edited}, "deployment.yml")
                times.setdefault(name, []).append(time.perf_counter() - started)
                parts.setdefault(name, []).append(result.timings)
                assert (result.errors > 0) == (name == "broken"), (name, result.diagnostics[:1])
            # the loop it replaces, on the saved pack
            started = time.perf_counter()
            subprocess.run([*EVENTX, "check", str(rules)], capture_output=True)
            new_log = Path(tmp) / "new.jsonl"
            subprocess.run([*EVENTX, "run", str(sample), "-r", str(rules), "-o", str(new_log), "-q"], check=True)
            subprocess.run([*EVENTX, "diff", str(saved_log), str(new_log)], capture_output=True)
            times.setdefault("cli loop", []).append(time.perf_counter() - started)
    print(f"sample: {len(docs)} documents ({sum(len(d.text) for d in docs) / 1e6:.2f} MB) of {options.corpus}; "
          f"session opened in {opened:.2f} s; median of {options.repeat}, seconds")
    loop = statistics.median(times["cli loop"])
    print(f"{'edit':<12} {'total':>6} {'load':>6} {'sample':>7} {'examples':>9} {'vs cli loop':>12}")
    for name, values in times.items():
        total = statistics.median(values)
        if name == "cli loop":
            print(f"{name:<12} {total:>6.2f}")
            continue
        part = {key: statistics.median(p.get(key, 0.0) for p in parts[name]) for key in ("load", "sample", "examples")}
        print(f"{name:<12} {total:>6.2f} {part['load']:>6.2f} {part['sample']:>7.2f} {part['examples']:>9.2f} {loop / total:>11.1f}x")


if __name__ == "__main__":
    main()
