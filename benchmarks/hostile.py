"""Costs that must grow linearly with the input: times at size n and 2n, side by side.

A linear step shows a ratio near 2; a quadratic one near 4. Cases: a run-on document (no
sentence punctuation: one sentence of every token), modality of every event in it, and a
lexicon file of n and 2n entries.

    .venv/bin/python benchmarks/hostile.py [--tokens 4000] [--entries 20000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from eventx.api import Extractor
from eventx.extract.modality import detect_modality
from eventx.text.model import Sentence
from eventx.text.pipeline import tokens_for

# cue words (no, possibly, denied, whether) and triggers, but no clause boundary: one clause
WORDS = "troops police no plans possibly denied whether residents soldiers deploy send evacuate".split()


def run_on(tokens: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(tokens))


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def modality_all(text: str) -> None:
    tokens = tokens_for(text, 0, len(text))
    sentence = Sentence(0, 0, len(text), tokens)
    for i, token in enumerate(tokens):
        if token.lower in ("deploy", "send", "evacuate"):
            detect_modality(sentence, (i, i + 1), (i, i + 1))


def lexicon_file(entries: int, folder: Path) -> Path:
    rng = random.Random(entries)
    words = "\n".join(" ".join(rng.choice(WORDS) + str(rng.randrange(10**6)) for _ in range(2)) for _ in range(entries))
    path = folder / f"lex{entries}"
    (path / "lexicons").mkdir(parents=True)
    (path / "lexicons" / "big.txt").write_text(words + "\n", encoding="utf-8")
    (path / "rules.yml").write_text(
        "lexicons:\n  big: {file: lexicons/big.txt}\nrules:\n  - id: r\n    type: t\n"
        "    pattern: \"[lemma=deploy]=trigger (?<x> @big)\"\n",
        encoding="utf-8",
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # 2n tokens of ~7 characters stay under MAX_SENTENCE_CHARS (a longer "sentence" is skipped)
    parser.add_argument("--tokens", type=int, default=4000)
    parser.add_argument("--entries", type=int, default=20_000)  # 2n stays under the 5 MB lexicon limit
    args = parser.parse_args()
    n = args.tokens
    extractor = Extractor(time_budget=None)
    extractor.extract("warm up: the army deployed troops.")
    rows = [
        ("run-on document, whole extract", lambda k: (lambda: extractor.extract(run_on(k)))),
        ("modality of every trigger", lambda k: (lambda: modality_all(run_on(k)))),
    ]
    print(f"{'case':36} {'n':>8} {'t(n) s':>9} {'t(2n) s':>9} {'ratio':>6}")
    for name, make in rows:
        small, large = timed(make(n)), timed(make(2 * n))
        print(f"{name:36} {n:>8} {small:>9.3f} {large:>9.3f} {large / small:>6.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        m = args.entries
        one, two = lexicon_file(m, Path(tmp)), lexicon_file(2 * m, Path(tmp))
        from eventx.api import load_rules

        small, large = timed(lambda: load_rules(one)), timed(lambda: load_rules(two))
        print(f"{'lexicon load':36} {m:>8} {small:>9.3f} {large:>9.3f} {large / small:>6.2f}")


if __name__ == "__main__":
    main()
