"""Costs an input or a rule can force on `eventx run`: the time budget bounds a document's
whole extraction, long sentences cost linear time, and `eventx check` warns of field regexes
that backtrack exponentially. Real subprocesses with a timeout: before these fixes the cases
ran for minutes."""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from eventx.cli import app

EVENT = "The army deployed troops to the border."
EVENTX = str(Path(sys.executable).with_name("eventx"))


def eventx(*args: str | Path, timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    proc = subprocess.run([EVENTX, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc, time.monotonic() - started


def child_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_field_regex_is_bounded_by_the_time_budget(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        'rules:\n  - id: r.deploy\n    type: deployment\n    pattern: "[lemma=deploy]=trigger (?<x> [word=/(a|a)+/])"\n',
        encoding="utf-8",
    )
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "a.txt").write_text("They deployed " + "a" * 29 + "b today.", encoding="utf-8")
    (docs / "b.txt").write_text("They deployed aaa today.", encoding="utf-8")
    out, errors = tmp_path / "events.jsonl", tmp_path / "errors.jsonl"
    proc, seconds = eventx("run", docs, "-r", rules, "-o", out, "--errors", errors, "--time-budget", "1", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert seconds < 30
    assert [e["doc_id"] for e in records(out)] == ["b"]
    assert [(r["doc_id"], "longer than 1 s" in r["error"]) for r in records(errors)] == [("a", True)]


def test_check_warns_of_catastrophic_field_regexes(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "rules:\n"
        '  - id: r.one\n    type: t\n    pattern: "[lemma=deploy]=trigger [word=/(a|a)+/]"\n'
        '  - id: r.two\n    type: t\n    pattern: "[lemma=send]=trigger [lower=/(x+)+y/]"\n'
        '  - id: r.fine\n    type: t\n    pattern: "[lemma=move]=trigger [word=/[A-Z][a-z]+(-[A-Z][a-z]+)*/] [word=/(a|b)+/]"\n'
        # the parser factors the "a" out of "aa|a": only its time on a long token shows it
        '  - id: r.three\n    type: t\n    pattern: "[lemma=fly]=trigger [lower=/x(aa|a)+/]"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["check", str(rules)])
    lines = [line for line in result.output.splitlines() if "W414" in line]
    assert len(lines) == 3, result.output
    assert "rules.yml:4:" in lines[0] and "(a|a)+" in lines[0]
    assert "rules.yml:7:" in lines[1] and "(x+)+y" in lines[1]
    assert "rules.yml:13:" in lines[2] and "x(aa|a)+" in lines[2]


def run_on(tokens: int) -> str:
    """A "sentence" of modality cues and triggers without any clause boundary."""
    rng = random.Random(7)
    words = "troops police no plans possibly denied whether residents soldiers deploy send evacuate".split()
    return " ".join(rng.choice(words) for _ in range(tokens))


def test_run_on_document_costs_linear_time(tmp_path: Path) -> None:
    # 84 KB without sentence punctuation: minutes of modality search before (cubic). The
    # bound is on the child's CPU time (about 12 s here), which a loaded machine does not
    # stretch as it stretches the wall clock; the budget only keeps a regression from hanging.
    doc = tmp_path / "in" / "run-on.txt"
    doc.parent.mkdir()
    doc.write_text(run_on(12_000), encoding="utf-8")
    out, errors = tmp_path / "events.jsonl", tmp_path / "errors.jsonl"
    cpu_before = child_cpu_seconds()
    proc, _ = eventx("run", doc.parent, "-o", out, "--errors", errors, "--time-budget", "300", "--jobs", "1", timeout=600)
    cpu_seconds = child_cpu_seconds() - cpu_before
    assert proc.returncode == 0, proc.stderr
    assert records(errors) == []
    assert len(records(out)) > 10
    assert cpu_seconds < 60, cpu_seconds


def test_a_sentence_over_the_limit_costs_only_itself(tmp_path: Path) -> None:
    docs = tmp_path / "in"
    docs.mkdir()
    (docs / "d.txt").write_text(EVENT + "\n\n" + "and the army deployed troops " * 5_000 + "\n\n" + EVENT, encoding="utf-8")
    out, errors = tmp_path / "events.jsonl", tmp_path / "errors.jsonl"
    result = CliRunner().invoke(app, ["run", str(docs), "-o", str(out), "--errors", str(errors), "--jobs", "1", "--mentions", "separate"])
    assert result.exit_code == 0, result.output
    events = records(out)
    assert len(events) == 2 and {e["doc_id"] for e in events} == {"d"}
    problems = records(errors)
    assert len(problems) == 1 and "sentence skipped" in problems[0]["error"] and "100,000" in problems[0]["error"]


def test_the_budget_bounds_the_whole_document_not_only_matching(tmp_path: Path) -> None:
    # 3,000 event sentences: matching takes about a second, building and merging the events
    # many more; either the whole document fits its budget or it is reported as too slow
    docs = tmp_path / "in"
    docs.mkdir()
    sentences = [f"Officials said the army deployed {i} troops to the border on Monday." for i in range(3000)]
    (docs / "many.txt").write_text(" ".join(sentences), encoding="utf-8")
    out, errors = tmp_path / "events.jsonl", tmp_path / "errors.jsonl"
    proc, seconds = eventx("run", docs, "-o", out, "--errors", errors, "--time-budget", "3", "--jobs", "1", timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    reported = [r for r in records(errors) if "longer than 3 s" in r["error"]]
    assert reported or seconds < 3 + 10, (seconds, records(errors))


def test_a_huge_lexicon_is_refused_at_once(tmp_path: Path) -> None:
    (tmp_path / "lexicons").mkdir()
    with open(tmp_path / "lexicons" / "big.txt", "w", encoding="utf-8") as fh:
        for i in range(400_000):  # 6 MB: minutes to load before
            fh.write(f"phrase number {i}\n")
    rules = tmp_path / "rules.yml"
    rules.write_text(
        'lexicons:\n  big: {file: lexicons/big.txt}\nrules:\n  - id: r\n    type: t\n    pattern: "[lemma=deploy]=trigger @big"\n',
        encoding="utf-8",
    )
    started = time.monotonic()
    result = CliRunner().invoke(app, ["check", str(rules)])
    assert time.monotonic() - started < 20
    assert result.exit_code == 2, result.output
    assert "E119" in result.output and "over the limit of 5 MB" in result.output and "big.txt:1:1" in result.output
