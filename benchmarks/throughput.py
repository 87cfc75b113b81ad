#!/usr/bin/env python
"""Throughput, rule-count scaling, parallelism, memory and compile time, measured side by side.

Usage (from the repository root; spaCy and ahocorasick-rs come with ``pip install -e .[bench]``)::

    .venv/bin/python benchmarks/throughput.py                 # every section, print the table
    .venv/bin/python benchmarks/throughput.py --write-readme  # ... and update benchmarks/README.md
    .venv/bin/python benchmarks/throughput.py --only e2e,rules --mb 2 --repeat 3

Input: the first ``--mb`` MB of ``reuters21578/corpus.jsonl`` and of ``agnews/corpus.jsonl``
under ``--data`` (default ``../shared/data`` beside the repository). Without that data the
script says so and exits 0: it is a benchmark, not a test.

Every figure is the median of ``--repeat`` runs, and the runs of the approaches compared in
one table alternate, so that the noise of a shared machine hits them alike: only the ratios
mean something across machines. Sections (see README.md for what each one measures):

- ``e2e``: (a) the raw floor, (b) eventx end to end, (c) spaCy blank English + Matcher +
  PhraseMatcher with patterns equivalent to the shipped rules, on the same JSONL input;
- ``rules``: (d) the match stage with 10, 100 and 1,000 synthetic rules: eventx, a naive loop
  over every compiled rule, and spaCy's Matcher with the same patterns; plus the lexicon lookup
  of 10,000 phrases against an Aho-Corasick automaton;
- ``jobs``: (e) ``eventx run --jobs 1`` against ``--jobs 2``, whole CLI runs incl. start-up, on
  the first ``--jobs-mb`` MB (default 10) of reuters21578: several MB, where the ratio means
  something (on less, start-up dominates whatever the workers do);
- ``memory``: (f) peak RSS (VmHWM) of a fresh ``eventx run`` at about 10 MB and 25 MB of input;
- ``compile``: (g) load + compile time of the shipped pack and of the 1,000-rule set, in three
  parts: loading and validating, regex sources, building the regexes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import orjson
import regex

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from eventx.api import Extractor, load_rules  # noqa: E402
from eventx.engines.local import run_corpus  # noqa: E402
from eventx.match.matcher import RulePack  # noqa: E402
from eventx.text.lemma import lemma_forms  # noqa: E402
from eventx.text.model import Document, Sentence  # noqa: E402
from eventx.text.pipeline import analyse  # noqa: E402

README = REPO / "benchmarks" / "README.md"
START_MARK, END_MARK = "<!-- throughput:start -->", "<!-- throughput:end -->"
SECTIONS = ("e2e", "rules", "jobs", "memory", "compile")
SOURCES = ("reuters21578", "agnews")
RULE_COUNTS = (10, 100, 1000)


# ---- helpers --------------------------------------------------------------------------------


class Timed(float):
    """Returned by a run that timed itself (in another process): its seconds replace the wall
    time of the call."""


def median_times(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Seconds of each named callable, ``repeat`` times, interleaved (a, b, c, a, b, c, ...),
    after one untimed warm-up run of each (caches, regexes compiled on first use)."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for run in runs.values():
        run()
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            result = run()
            times[name].append(result if isinstance(result, Timed) else time.perf_counter() - started)
    return times


# A warm end-to-end run of another checkout (engine and pack), in a process of its own: a
# warm-up run, then one timed run, as median_times does in this process.
_CHECKOUT_CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
from eventx.api import Extractor, load_rules
from eventx.engines.local import run_corpus
extractor = Extractor(load_rules(sys.argv[1] + "/rules"))
extractor.pack.compile_all()
run_corpus([sys.argv[2]], extractor, output=sys.argv[3], jobs=1)
started = time.perf_counter()
run_corpus([sys.argv[2]], extractor, output=sys.argv[3], jobs=1)
print(time.perf_counter() - started, len(extractor.pack))
"""


def checkout_run(checkout: Path, corpus: Path, output: Path) -> tuple[Timed, int]:
    """(seconds of a warm run, rule count) of ``checkout``'s engine and pack on ``corpus``."""
    env = {**os.environ, "EVENTX_NO_CACHE": "1"}
    done = subprocess.run([sys.executable, "-c", _CHECKOUT_CHILD, str(checkout), str(corpus), str(output)],
                          check=True, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    seconds, rules = done.stdout.split()
    return Timed(float(seconds)), int(rules)


def med(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], scale: float = 1.0) -> str:
    """``median (min–max)`` of rates ``scale / seconds``."""
    rates = sorted(scale / v for v in values)
    return f"{statistics.median(rates):.2f} ({rates[0]:.2f}–{rates[-1]:.2f})"


def trie_regex(words: Iterable[str]) -> str:
    """A trie-shaped alternation (``de(?:ploy(?:ed)?|mand)``) of ``words``."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [regex.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        if "" in node:
            return "(?:" + "|".join(branches) + ")?"
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie)


def eventx_cli() -> list[str]:
    exe = Path(sys.executable).with_name("eventx")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "eventx.cli"]


def read_slice(path: Path, limit_bytes: int) -> list[bytes]:
    """Whole JSONL lines from the start of ``path``, up to ``limit_bytes``."""
    lines, size = [], 0
    with open(path, "rb") as fh:
        for line in fh:
            if size + len(line) > limit_bytes:
                break
            lines.append(line)
            size += len(line)
    return lines


class Corpus:
    """The benchmark input: JSONL lines of both sources, written to one temp file."""

    def __init__(self, data: Path, mb: float, workdir: Path):
        self.lines: list[bytes] = []
        for source in SOURCES:
            self.lines += read_slice(data / source / "corpus.jsonl", int(mb * 1e6))
        self.path = workdir / "input.jsonl"
        self.path.write_bytes(b"".join(self.lines))
        self.records = [orjson.loads(line) for line in self.lines]
        self.texts = [r["text"] for r in self.records]
        self.docs = [Document(id=r["id"], text=r["text"]) for r in self.records]
        self.mb = sum(len(t.encode("utf-8")) for t in self.texts) / 1e6  # text MB, as everywhere


# ---- (a)(b)(c) end to end -----------------------------------------------------------------


def surface_forms(pack: RulePack) -> set[str]:
    """Every lower-case word form that can carry one of the pack's trigger keys."""
    forms = set(pack.trigger_words)
    for lemma in pack.trigger_lemmas:
        forms |= lemma_forms(lemma) | {lemma}
    return forms


def lexicon_phrases(pack: RulePack) -> dict[str, list[str]]:
    """Phrases (as written in the rule files) of every lexicon of the pack, by name."""
    ruleset = pack.ruleset
    return {name: [e.phrase for e in lex.entries] for name, lex in ruleset.lexicons.items()}


def spacy_rule_patterns(pack: RulePack, forms_of: Callable[[str], set[str]]) -> list[tuple[str, list[list[dict]]]]:
    """spaCy Matcher patterns approximating the pack: per rule, its trigger (lemma keys expanded
    to their surface forms, lower keys as they are) followed within 0–4 tokens by the first word
    of a force phrase, or preceded within 0–4 tokens by a place/actor word."""
    phrases = lexicon_phrases(pack)
    forces = sorted({p.split()[0].lower() for p in phrases.get("forces", []) if p.strip()})
    actors = sorted({p.split()[0].lower() for name in ("countries", "capitals", "organisations") for p in phrases.get(name, []) if p.strip()})
    patterns = []
    for rule in pack.rules:
        keys = rule.pattern.trigger_keys or frozenset()
        trigger = sorted(set().union(*(forms_of(v) if f == "lemma" else {v} for f, v in keys))) if keys else []
        if not trigger:
            continue
        t = {"LOWER": {"IN": trigger}}
        patterns.append(
            (
                rule.id,
                [
                    [t, {"IS_PUNCT": False, "OP": "{0,4}"}, {"LOWER": {"IN": forces}}],
                    [{"LOWER": {"IN": actors}}, {"IS_PUNCT": False, "OP": "{0,4}"}, t],
                ],
            )
        )
    return patterns


def section_e2e(
    corpus: Corpus, rules: Path, repeat: int, workdir: Path, baseline: Path | None = None, checkout: Path | None = None
) -> list[list[str]]:
    import spacy
    from spacy.matcher import Matcher, PhraseMatcher

    pack = load_rules(rules)
    extractor = Extractor(pack)
    forms = surface_forms(pack)
    floor = regex.compile(r"(?i)\b(?:" + trie_regex(forms) + r")\b")
    out = workdir / "events.jsonl"

    def run_floor() -> int:
        return sum(len(floor.findall(t)) for t in corpus.texts)

    def run_eventx() -> None:
        run_corpus([str(corpus.path)], extractor, output=str(out), jobs=1)

    runs: dict[str, Callable[[], object]] = {"floor": run_floor, "eventx": run_eventx}
    if baseline is not None:  # another pack (an earlier version of the shipped one), same engine
        baseline_extractor = Extractor(load_rules(baseline))
        baseline_extractor.pack.compile_all()
        extractor.pack.compile_all()
        runs["baseline"] = lambda: run_corpus([str(corpus.path)], baseline_extractor, output=str(workdir / "baseline.jsonl"), jobs=1)
    checkout_rules: list[int] = []
    if checkout is not None:  # an earlier version of engine and pack (a git worktree), in its own process
        def run_checkout() -> Timed:
            seconds, count = checkout_run(checkout, corpus.path, workdir / "checkout.jsonl")
            checkout_rules[:] = [count]
            return seconds

        runs["checkout"] = run_checkout
        # this checkout the same way (its own process): in this process eventx shares the
        # garbage collector with spaCy's objects, which made (b) up to 1.2x slower than the
        # same code run alone; the engine-and-pack ratio compares like with like
        runs["own"] = lambda: checkout_run(REPO, corpus.path, workdir / "own.jsonl")[0]

    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    cache: dict[str, set[str]] = {}
    for rule_id, patterns in spacy_rule_patterns(pack, lambda l: cache.setdefault(l, lemma_forms(l) | {l})):
        matcher.add(rule_id, patterns)
    phrase_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for name, phrases in lexicon_phrases(pack).items():
        phrase_matcher.add(name, list(nlp.tokenizer.pipe(phrases)))
    spacy_out = workdir / "spacy.jsonl"

    def run_spacy() -> None:
        with open(corpus.path, "rb") as fh, open(spacy_out, "wb") as sink:
            records = (orjson.loads(line) for line in fh)
            for record in records:
                doc = nlp.make_doc(record["text"])
                found = matcher(doc)
                if found:
                    lexicon_hits = phrase_matcher(doc)
                    for key, start, end in found:
                        sink.write(orjson.dumps({"doc_id": record["id"], "rule": nlp.vocab.strings[key], "start": doc[start].idx, "end": doc[end - 1].idx + len(doc[end - 1]), "lexicon_hits": len(lexicon_hits)}) + b"\n")

    times = median_times({**runs, "spacy": run_spacy}, repeat)
    events = sum(1 for _ in open(out, "rb"))
    rows = [
        ["(a) floor: trie regex of the pack's trigger word forms (count)", spread(times["floor"], corpus.mb), f"{len(forms)} forms, {run_floor()} hits"],
        ["(b) eventx end to end, 1 process (JSONL in → events JSONL out)", spread(times["eventx"], corpus.mb), f"{len(pack)} rules, {events} events"],
        ["(c) spaCy blank('en') make_doc + Matcher + PhraseMatcher (JSONL in → spans out)", spread(times["spacy"], corpus.mb), f"{len(matcher)} rules, {sum(len(p) for p in lexicon_phrases(pack).values())} phrases"],
        ["ratio eventx / spaCy (aim ≥ 15×)", f"**{med(times['spacy']) / med(times['eventx']):.1f}×**", ""],
        ["ratio floor / eventx (aim ≤ 4×)", f"{med(times['eventx']) / med(times['floor']):.1f}×", ""],
    ]
    if baseline is not None:
        base_events = sum(1 for _ in open(workdir / "baseline.jsonl", "rb"))
        rows[2:2] = [[f"(b0) eventx end to end with the baseline pack `{baseline}`", spread(times["baseline"], corpus.mb),
                      f"{len(baseline_extractor.pack)} rules, {base_events} events"]]
        rows.append(["ratio pack time / baseline pack time", f"{med(times['eventx']) / med(times['baseline']):.2f}×", ""])
    if checkout is not None:
        check_events = sum(1 for _ in open(workdir / "checkout.jsonl", "rb"))
        rows.insert(2, [f"(b1) eventx end to end at the checkout `{checkout}` (its engine and pack, own process)",
                        spread(times["checkout"], corpus.mb), f"{checkout_rules[0]} rules, {check_events} events"])
        rows.insert(3, ["(b2) eventx end to end, this checkout in its own process as (b1)",
                        spread(times["own"], corpus.mb), f"{len(pack)} rules"])
        rows.append(["ratio eventx time / checkout time (engine and pack; (b2) / (b1), both in their own process)",
                     f"{med(times['own']) / med(times['checkout']):.2f}×", ""])
    return rows


# ---- (d) rule-count scaling ----------------------------------------------------------------

_STOP = frozenset("the of and for in on to a an at by de la le el al du des von van der".split())


def synthetic_vocabulary(pack: RulePack, seed: int = 7) -> tuple[list[str], dict[str, list[str]]]:
    """(trigger words, single-word phrases per lexicon) drawn from the pack's lexicons."""
    phrases = lexicon_phrases(pack)
    words: set[str] = set()
    singles: dict[str, list[str]] = {}
    for name, entries in sorted(phrases.items()):
        one = sorted({p.strip().lower() for p in entries if p.strip().isalpha() and len(p.strip()) > 3})
        if len(one) >= 20:
            singles[name] = one
        for p in entries:
            words.update(w.lower() for w in p.split() if w.isalpha() and len(w) > 3 and w.lower() not in _STOP)
    triggers = sorted(words)
    random.Random(seed).shuffle(triggers)
    return triggers, singles


def write_synthetic_rules(directory: Path, count: int, triggers: list[str], singles: dict[str, list[str]]) -> list[tuple[str, str, list[str]]]:
    """``count`` rules ``[lower=W]=trigger []{0,2} (?<object> [lower=V1|...|V20])``, as a rule file;
    returns (id, W, Vs) for the same patterns in spaCy."""
    names = sorted(singles)
    rng = random.Random(count)
    specs, lines = [], ["rules:"]
    for k in range(count):
        objects = rng.sample(singles[names[k % len(names)]], 20)
        rule_id = f"synthetic.r{k:04d}"
        specs.append((rule_id, triggers[k], objects))
        lines.append(f"  - id: {rule_id}\n    type: synthetic\n    pattern: '[lower={triggers[k]}]=trigger []{{0,2}} (?<object> [lower={'|'.join(objects)}])'")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "synthetic.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return specs


def section_rules(corpus: Corpus, rules: Path, repeat: int, workdir: Path) -> list[list[str]]:
    import spacy
    from spacy.matcher import Matcher

    shipped = load_rules(rules)
    triggers, singles = synthetic_vocabulary(shipped)
    sentences: list[Sentence] = [s for doc in corpus.docs for s in analyse(doc)]
    nlp = spacy.blank("en")
    # the same sentences, pre-tokenised by spaCy (its tokens, its boundaries: whole documents)
    spacy_docs = [nlp.make_doc(t) for t in corpus.texts]
    rows: list[list[str]] = []
    results: dict[int, dict[str, list[float]]] = {}
    naive_share: dict[int, float] = {}
    for count in RULE_COUNTS:
        directory = workdir / f"rules{count}"
        specs = write_synthetic_rules(directory, count, triggers, singles)
        pack = load_rules(directory)
        matcher = Matcher(nlp.vocab)
        for rule_id, word, objects in specs:
            matcher.add(rule_id, [[{"LOWER": word}, {"OP": "{0,2}"}, {"LOWER": {"IN": objects}}]])
        # the naive loop is slow at 1,000 rules: it runs on a share of the sentences
        share = max(1, len(sentences) * 10 // count // 10) if count > 10 else len(sentences)
        naive_share[count] = share / len(sentences)
        naive_sentences = sentences[:share]

        def run_gated(pack: RulePack = pack) -> None:
            for s in sentences:
                pack.match_sentence(s.tokens)

        def run_naive(pack: RulePack = pack, sents: list[Sentence] = naive_sentences) -> None:
            for s in sents:
                hits = pack.lexicons.annotate(s.tokens)
                stream, _ = pack.encoder.stream(s.tokens, hits)
                for rule in pack.rules:
                    for _m in rule.pattern.regex.finditer(stream):
                        pass

        def run_spacy(matcher: Matcher = matcher) -> None:
            for d in spacy_docs:
                matcher(d)

        results[count] = median_times({"eventx": run_gated, "naive": run_naive, "spacy": run_spacy}, repeat)
        matches = sum(len(pack.match_sentence(s.tokens).matches) for s in sentences)
        rows.append([f"{count} rules", spread(results[count]["eventx"], corpus.mb), spread(results[count]["naive"], corpus.mb * naive_share[count]), spread(results[count]["spacy"], corpus.mb), f"{matches} matches"])
    e = {c: med(results[c]["eventx"]) for c in RULE_COUNTS}
    naive = {c: med(results[c]["naive"]) / naive_share[c] for c in RULE_COUNTS}
    sp = {c: med(results[c]["spacy"]) for c in RULE_COUNTS}
    rows.append(["eventx vs spaCy Matcher (aim ≥ 30× @100, ≥ 50× @1000)", *(f"**{sp[c] / e[c]:.0f}×** @{c}" for c in RULE_COUNTS), ""])
    rows.append(["eventx vs naive loop (aim ≥ 15× @1000)", *(f"**{naive[c] / e[c]:.1f}×** @{c}" for c in RULE_COUNTS), ""])
    rows.append(["cost of 1,000 rules vs 10 (aim ≤ 2×)", f"**{e[1000] / e[10]:.2f}×**", f"naive {naive[1000] / naive[10]:.0f}×", f"spaCy {sp[1000] / sp[10]:.1f}×", ""])
    rows.extend(lexicon_rows(corpus, sentences, shipped, repeat))
    return rows


def lexicon_rows(corpus: Corpus, sentences: list[Sentence], pack: RulePack, repeat: int) -> list[list[str]]:
    """LexiconIndex.annotate with 10,000 phrases against ahocorasick-rs on the same text."""
    import ahocorasick_rs

    from eventx.match.lexicon import LexiconIndex

    phrases = sorted({p.strip() for entries in lexicon_phrases(pack).values() for p in entries if p.strip()})
    # pad to 10,000 with word pairs of the corpus vocabulary (deterministic)
    vocabulary = sorted({t.lower for s in sentences[:20000] for t in s.tokens if t.lower.isalpha() and len(t.lower) > 3})
    rng = random.Random(10_000)
    while len(phrases) < 10_000:
        phrases.append(f"{rng.choice(vocabulary)} {rng.choice(vocabulary)}")
    phrases = sorted(set(phrases))[:10_000]
    index = LexiconIndex()
    index.add("big", [(p, None) for p in phrases], case_sensitive=False)
    automaton = ahocorasick_rs.AhoCorasick([p.lower() for p in phrases], matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    lowered = [s.tokens and " ".join(t.lower for t in s.tokens) for s in sentences]
    boundary = regex.compile(r"\w")

    def run_index() -> int:
        return sum(len(index.annotate(s.tokens)) for s in sentences)

    def run_aho() -> int:
        found = 0
        for text in lowered:
            for _, start, end in automaton.find_matches_as_indexes(text):
                if (start == 0 or not boundary.match(text, start - 1)) and (end == len(text) or not boundary.match(text, end)):
                    found += 1
        return found

    times = median_times({"index": run_index, "aho": run_aho}, repeat)
    return [
        [
            "lexicon lookup, 10,000 phrases: LexiconIndex.annotate on tokens vs ahocorasick-rs leftmost-longest + word-boundary filter on the same (joined) tokens (aim ≥ 0.5×)",
            f"{spread(times['index'], corpus.mb)} MB/s",
            f"{spread(times['aho'], corpus.mb)} MB/s",
            f"**{med(times['aho']) / med(times['index']):.2f}×**",
            f"{run_index()} vs {run_aho()} hits",
        ]
    ]


# ---- (e) jobs, (f) memory, (g) compile -------------------------------------------------------


def cli_seconds(args: list[str], cpu: list[float] | None = None) -> float:
    """Wall-clock seconds of an ``eventx`` CLI run; appends its CPU seconds (user + system, with
    its worker processes) to ``cpu`` when given."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(eventx_cli() + args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return seconds


def section_jobs(data: Path, mb: float, rules: Path, repeat: int, workdir: Path, whole_mb: float = 6.0) -> list[list[str]]:
    """Whole CLI runs, ``--jobs 1``, ``--jobs 2`` and the Dask engine with two workers,
    interleaved, on the first ``mb`` MB of reuters21578 (``--jobs-mb``): several MB, so that
    extraction, not start-up, is what the workers share (every regex is built once, before the
    workers fork). Also a whole ``eventx run`` with its default ``--jobs`` on the first
    ``whole_mb`` MB against the floor (the trie regex of the pack's trigger word forms, in this
    process, over the same texts already in memory)."""
    path = workdir / "jobs-input.jsonl"
    lines = read_slice(data / "reuters21578" / "corpus.jsonl", int(mb * 1e6))
    path.write_bytes(b"".join(lines))
    text_mb = sum(len(orjson.loads(line)["text"].encode()) for line in lines) / 1e6
    whole_path = workdir / "whole-input.jsonl"
    whole_lines = read_slice(data / "reuters21578" / "corpus.jsonl", int(whole_mb * 1e6))
    whole_path.write_bytes(b"".join(whole_lines))
    whole_texts = [orjson.loads(line)["text"] for line in whole_lines]
    whole_text_mb = sum(len(t.encode()) for t in whole_texts) / 1e6
    from eventx.engines.local import default_jobs

    whole_jobs = default_jobs([str(whole_path)])
    floor = regex.compile(r"(?i)\b(?:" + trie_regex(surface_forms(load_rules(rules))) + r")\b")
    configs = {"1": ["--jobs", "1"], "2": ["--jobs", "2"], "dask": ["--engine", "dask", "--jobs", "2"]}
    outputs = {name: workdir / f"jobs-{name}.jsonl" for name in configs}
    times: dict[str, list[float]] = {name: [] for name in [*configs, "whole", "floor"]}
    cpu: dict[str, list[float]] = {name: [] for name in [*configs, "whole"]}
    for _ in range(repeat):
        for name, options in configs.items():
            args = ["run", str(path), "-r", str(rules), "-o", str(outputs[name]), "-q", *options]
            times[name].append(cli_seconds(args, cpu[name]))
        times["whole"].append(cli_seconds(["run", str(whole_path), "-r", str(rules), "-o", str(workdir / "whole.jsonl"), "-q"], cpu["whole"]))
        started = time.perf_counter()
        sum(len(floor.findall(t)) for t in whole_texts)
        times["floor"].append(time.perf_counter() - started)
    reference = outputs["1"].read_bytes()
    same = {name: "identical output" if outputs[name].read_bytes() == reference else "OUTPUT DIFFERS from --jobs 1" for name in configs}
    # On a shared machine the wall-clock ratio also measures the neighbours: CPU seconds show
    # whether the workers split the work (same total) or repeat it.
    return [
        [f"eventx run --jobs 1 (whole CLI run incl. start-up; {mb:g} MB of reuters21578 JSONL, {text_mb:.1f} MB of text)", spread(times["1"], text_mb), f"{med(times['1']):.1f} s; {med(cpu['1']):.1f} CPU s"],
        ["eventx run --jobs 2", spread(times["2"], text_mb), f"{med(times['2']):.1f} s; {med(cpu['2']):.1f} CPU s (parent and workers); {same['2']}"],
        ["eventx run --engine dask --jobs 2 (a private two-worker cluster, its start-up included)", spread(times["dask"], text_mb), f"{med(times['dask']):.1f} s; {med(cpu['dask']):.1f} CPU s; {same['dask']}"],
        ["speed-up --jobs 2 vs 1 (aim ≥ 1.8×)", f"**{med(times['1']) / med(times['2']):.2f}×**", f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the end"],
        ["speed-up dask --jobs 2 vs local --jobs 1", f"{med(times['1']) / med(times['dask']):.2f}×", ""],
        [f"eventx run, default --jobs ({whole_jobs}), whole CLI run incl. start-up; {whole_mb:g} MB of reuters21578 JSONL, {whole_text_mb:.1f} MB of text",
         spread(times["whole"], whole_text_mb), f"{med(times['whole']):.1f} s; {med(cpu['whole']):.1f} CPU s"],
        ["floor on the same texts: trie regex of the pack's trigger word forms (in memory, one process)", spread(times["floor"], whole_text_mb), f"{med(times['floor']):.2f} s"],
        ["whole run time vs the floor's (aim ≤ 8×)", f"**{med(times['whole']) / med(times['floor']):.1f}×**", ""],
    ]


_MEMORY_CHILD = """
import resource, sys, time
from eventx.api import Extractor
from eventx.engines.local import run_corpus
def hwm():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024
extractor = Extractor(sys.argv[1])
setup = hwm()
started = time.perf_counter()
run_corpus([sys.argv[2]], extractor, output=sys.argv[3], jobs=int(sys.argv[4]))
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(setup, hwm(), children, time.perf_counter() - started)
"""


def section_memory(data: Path, rules: Path, workdir: Path) -> list[list[str]]:
    """Peak RSS of fresh runs at ~4 MB, ~10 MB and ~25 MB of JSONL (reuters21578, then agnews,
    bbc): issue 17 asks for 6× the input, the 10 MB point shows where the peak settles."""
    paths = {}
    for label, size in (("4 MB", 4e6), ("10 MB", 10e6), ("25 MB", 25e6)):
        lines: list[bytes] = []
        for source in ("reuters21578", "agnews", "bbc"):
            path = data / source / "corpus.jsonl"
            if path.exists():
                lines += read_slice(path, int(size - sum(map(len, lines))))
        paths[label] = workdir / f"memory-{int(size)}.jsonl"
        paths[label].write_bytes(b"".join(lines))
    rows, peaks = [], {}
    # Untimed first: a run over the larger input fills the cache folder (the compiled pack, the
    # regex programs of every rule either input meets), so that both measured runs are a
    # user's second run. Otherwise whichever run comes first pays for compiling from source.
    for label, jobs in (("warm-up", 1), ("4 MB", 1), ("10 MB", 1), ("25 MB", 1), ("25 MB", 2)):
        result = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD, str(rules), str(paths.get(label, paths["25 MB"])), str(workdir / "memory-out.jsonl"), str(jobs)],
            check=True, capture_output=True, text=True, cwd=REPO,
        )
        if label == "warm-up":
            continue
        setup, peak, children, seconds = map(float, result.stdout.split())
        text_mb = sum(len(orjson.loads(line)["text"].encode()) for line in paths[label].read_bytes().splitlines()) / 1e6
        if jobs == 1:
            peaks[label] = peak
            rows.append([f"{label} of JSONL ({text_mb:.1f} MB of text), --jobs 1", f"{setup:.0f} MiB", f"{peak:.0f} MiB", f"{seconds:.0f} s"])
        else:
            rows.append([f"{label}, --jobs 2: parent / largest worker", f"{setup:.0f} MiB", f"{peak:.0f} / {children:.0f} MiB", f"{seconds:.0f} s"])
    rows.append(["peak at 6.25× the input (25 MB vs 4 MB; aim ≤ 1.1×)", "", f"**{peaks['25 MB'] / peaks['4 MB']:.2f}×**", ""])
    rows.append(["peak at 2.5× the input (25 MB vs 10 MB; < 150 MiB per worker)", "", f"**{peaks['25 MB'] / peaks['10 MB']:.2f}×**", ""])
    return rows


_COMPILE_CHILD = """
import sys, time
import regex
from eventx.text.pipeline import analyse
from eventx.text.model import Document
analyse(Document('warm', 'Troops were deployed.'))  # load the lemma tables first
from eventx.rules.compile import compile_rules
from eventx.rules.loader import load_rule_files
started = time.perf_counter()
ruleset = load_rule_files(sys.argv[1])  # read, compose, validate; lexicon files
loaded = time.perf_counter()
pack = compile_rules(ruleset)  # parse patterns, emit regex sources (what load_rules does)
emitted = time.perf_counter()
pack.compile_all()  # build the regexes (otherwise on first use, during the run)
built = time.perf_counter()
print(loaded - started, emitted - loaded, built - emitted, len(pack))
"""


def section_compile(rules: Path, repeat: int, workdir: Path, triggers_singles: tuple[list[str], dict[str, list[str]]]) -> list[list[str]]:
    """Load + compile in a fresh process, in three parts: loading and validating the rule files
    (``load_rule_files``), parsing the patterns into regex sources (``compile_rules``; the two
    are ``load_rules``), and building the regexes with the ``regex`` module (``compile_all``)."""
    directory = workdir / "compile1000"
    write_synthetic_rules(directory, 1000, *triggers_singles)
    rows = []
    for label, path in (("shipped pack", rules), ("1,000 synthetic rules (aim ≤ 0.5 s)", directory)):
        parts: list[list[float]] = [[], [], [], []]
        count = "0"
        for _ in range(repeat):
            result = subprocess.run([sys.executable, "-c", _COMPILE_CHILD, str(path)], check=True, capture_output=True, text=True, cwd=REPO)
            *times, count = result.stdout.split()
            for part, value in zip(parts, [*map(float, times), sum(map(float, times))]):
                part.append(value)
        load, emit, build, total = parts
        rows.append([
            f"load + compile, {label}",
            f"**{med(total):.2f} s** ({min(total):.2f}–{max(total):.2f})",
            f"{count} rules",
            f"loading and validating {med(load):.2f} s + regex sources {med(emit):.2f} s + building the regexes {med(build):.2f} s; fresh process, lemma tables preloaded",
        ])
    return rows


# ---- main -----------------------------------------------------------------------------------


def table(title: str, header: list[str], rows: list[list[str]]) -> str:
    width = max(len(header), *(len(r) for r in rows))
    header = header + [""] * (width - len(header))
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r + [""] * (width - len(r))) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "eventx"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        return out.stdout.strip() + (" (+ uncommitted changes under eventx/)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def replace_section(readme: str, block: str) -> str:
    block = f"{START_MARK}\n{block.rstrip()}\n{END_MARK}"
    start, end = readme.find(START_MARK), readme.find(END_MARK)
    if start >= 0 and end > start:
        return readme[:start] + block + readme[end + len(END_MARK) :]
    return readme.rstrip() + ("\n\n" if readme.strip() else "") + block + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--rules", type=Path, default=REPO / "rules")
    parser.add_argument("--baseline-checkout", type=Path, default=None,
                        help="e2e: also time another checkout's engine and pack in a process of its own "
                             "(e.g. git worktree add --detach DIR REV)")
    parser.add_argument("--baseline-rules", type=Path, default=None,
                        help="e2e: also time this pack (e.g. an earlier version: git archive REV rules | tar -x -C DIR)")
    parser.add_argument("--mb", type=float, default=1.5, help="MB of each source (reuters21578, agnews) to read")
    parser.add_argument("--jobs-mb", type=float, default=10.0, help="MB of reuters21578 JSONL for the jobs section")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    parser.add_argument("--write-readme", action="store_true", help="write the tables into benchmarks/README.md")
    args = parser.parse_args(argv)
    missing = [s for s in SOURCES if not (args.data / s / "corpus.jsonl").exists()]
    if missing:
        print(f"skipped: no {', '.join(s + '/corpus.jsonl' for s in missing)} under {args.data} (research-only data, not in the repository)")
        return 0
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}")
    started = time.perf_counter()
    commit = git_commit()  # at the start: in-process sections run the code imported then
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="eventx-bench-") as tmp:
        workdir = Path(tmp)
        corpus = Corpus(args.data, args.mb, workdir)
        intro = f"Input: {corpus.mb:.2f} MB of text, {len(corpus.docs)} documents ({args.mb:g} MB of JSONL from each of {', '.join(SOURCES)}); median (min–max) of {args.repeat} interleaved runs; MB/s of UTF-8 text."
        print(intro, file=sys.stderr)
        if "e2e" in sections:
            out.append(table("End to end", ["approach", "MB/s", "note"], section_e2e(corpus, args.rules, args.repeat, workdir, args.baseline_rules, args.baseline_checkout)))
            print(out[-1], file=sys.stderr)
        if "rules" in sections:
            out.append(table("Match stage by rule count (pre-tokenised sentences)", ["", "eventx MB/s", "naive loop MB/s", "spaCy Matcher MB/s", "note"], section_rules(corpus, args.rules, args.repeat, workdir)))
            print(out[-1], file=sys.stderr)
        if "jobs" in sections:
            out.append(table("Worker processes", ["run", "MB/s", "note"], section_jobs(args.data, args.jobs_mb, args.rules, max(3, args.repeat // 2), workdir)))
            print(out[-1], file=sys.stderr)
        if "memory" in sections:
            out.append(table("Peak memory (VmHWM of a fresh process)", ["input", "after setup", "peak", "time"], section_memory(args.data, args.rules, workdir)))
            print(out[-1], file=sys.stderr)
        if "compile" in sections:
            shipped = load_rules(args.rules)
            out.append(table("Load and compile", ["what", "seconds (median, min–max)", "rules", "note"], section_compile(args.rules, max(3, args.repeat // 2), workdir, synthetic_vocabulary(shipped))))
            print(out[-1], file=sys.stderr)
    body = f"Measured at commit {commit} on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, in {time.perf_counter() - started:.0f} s.\n{intro}\n\n" + "\n".join(out)
    print(body)
    if args.write_readme:
        old = README.read_text(encoding="utf-8") if README.exists() else ""
        README.write_text(replace_section(old, body), encoding="utf-8")
        print(f"wrote the throughput section of {README.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
