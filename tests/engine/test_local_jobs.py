"""Worker processes split the documents; the output equals one process's, errors included."""

from __future__ import annotations

from pathlib import Path

import orjson

from eventx.api import Extractor
from eventx.engines.local import run_corpus

RULES = """\
rules:
  - id: deploy.verb
    type: deployment
    pattern: "(?<agent> [shape=Xxxxx])? [lemma=deploy|send]=trigger []{0,2} (?<force> [lemma=troop|soldier])"
  - id: deploy.noun
    type: deployment
    priority: 2
    pattern: "[lemma=deployment]=trigger [lower=of] (?<force> [lemma=troop])"
  - id: alert.raise
    type: alert_status
    pattern: "[lemma=put|place]=trigger []{0,3} [lower=on] [lower=alert]"
  - id: evac.order
    type: evacuation_order
    pattern: "[lemma=order]=trigger [lower=the]? [lemma=evacuation]"
  - id: slow
    type: pathological
    pattern: "[lower=slowpoke]=trigger ( [] (?<= [lower=slowpoke] []* ) )* [lower=never] [lower=ever]"
"""
TEXTS = [
    "Poland sent 300 troops to the border. The deployment of troops began on Monday.",
    "The army was put on high alert. Officials ordered the evacuation of the town.",
    "Nothing happened here today.",
    "France is sending soldiers; troops were placed on alert and the mayor ordered evacuation.",
]


def _pack(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir(parents=True)
    (rules / "r.yml").write_text(RULES, encoding="utf-8")
    return rules


def test_jobs_give_the_same_events_and_errors(tmp_path: Path) -> None:
    corpus = tmp_path / "docs.jsonl"
    lines = [{"id": f"d{i}", "text": TEXTS[i % len(TEXTS)] + f" Unit {i}."} for i in range(150)]
    # "never" and "ever" both occur (the prefilter requires them), just not in a row
    lines.insert(77, {"id": "slow", "text": "The slowpoke " + "word " * 12_000 + "never ends, ever."})
    corpus.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    outputs = {}
    for jobs in (1, 2, 3):
        Extractor(_pack(tmp_path / f"j{jobs}")).extract(TEXTS[3])  # lemma tables and regexes built
        extractor = Extractor(tmp_path / f"j{jobs}" / "rules", time_budget=0.2)  # before any 0.2 s budget
        out = tmp_path / f"out{jobs}.jsonl"
        summary = run_corpus([str(corpus)], extractor, output=str(out), jobs=jobs)
        errors = Path(summary.errors_path).read_bytes() if summary.errors else b""
        outputs[jobs] = (out.read_bytes(), errors, summary.documents, summary.errors)
    assert outputs[1][0].count(b"\n") > 100
    assert outputs[1][3] == 1 and b"slow" in outputs[1][1]
    assert outputs[2] == outputs[1] and outputs[3] == outputs[1]


def test_a_run_bounds_its_caches_and_gives_the_same_events(tmp_path: Path, monkeypatch) -> None:
    """During a run the token cache holds at most the run's limit (then the limit is restored);
    a run whose caches are cleared over and over writes what a run with large caches writes."""
    from eventx.engines import local
    from eventx.text import tokenize

    corpus = tmp_path / "docs.jsonl"
    words = [f"w{n:04d}x" for n in range(600)]  # distinct tokens, far more than the limit below
    lines = [{"id": f"d{i}", "text": TEXTS[i % len(TEXTS)] + " " + " ".join(words[i * 6 : i * 6 + 60]) + "."}
             for i in range(90)]
    corpus.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    default = tokenize._CACHE_LIMIT
    seen: list[int] = []
    outputs = []
    for limit in (40, default):
        monkeypatch.setitem(local.RUN_CACHE_LIMITS, ("eventx.text.tokenize", "_CACHE_LIMIT"), limit)
        extractor = Extractor(_pack(tmp_path / f"l{limit}"))
        out = tmp_path / f"out{limit}.jsonl"
        run_corpus([str(corpus)], extractor, output=str(out),
                   on_document=lambda summary: seen.append(len(tokenize._info_cache)) if limit == 40 else None)
        outputs.append(out.read_bytes())
        assert tokenize._CACHE_LIMIT == default
    assert seen and max(seen) <= 41
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") > 60
