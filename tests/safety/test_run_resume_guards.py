"""`--resume` continues only the run it was started as: other rules, another mention mode or
other inputs are refused (exit 2, saying what differs); a finished output is left alone; a
resume that finds every document done finishes cleanly. The resume hint carries every option."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.api import Extractor
from eventx.cli import app
from eventx.engines.local import run_corpus

from conftest import write_corpus


def run(*args: str):
    return CliRunner().invoke(app, ["run", *args, "-q"])


def interrupted(corpus: Path, rules: Path, out: Path, *, after: int, merge: bool = True, **kwargs) -> None:
    """A run stopped (as by Ctrl-C) after ``after`` documents: its partial is left behind."""

    def stop(summary) -> None:
        if summary.documents == after:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_corpus([str(corpus)], Extractor(rules, merge_mentions=merge), output=str(out), on_document=stop, **kwargs)
    assert not out.exists() and Path(f"{out}.partial").exists()


def test_resume_with_other_rules_is_refused(corpus: Path, rules: Path, other_rules: Path) -> None:
    out = corpus.parent / "out.jsonl"
    interrupted(corpus, rules, out, after=3)
    partial = Path(f"{out}.partial").read_bytes()
    result = run(str(corpus), "-r", str(other_rules), "-o", str(out), "--resume")
    assert result.exit_code == 2, result.output
    assert "cannot resume" in result.stderr and "rules version" in result.stderr
    assert Path(f"{out}.partial").read_bytes() == partial and not out.exists()
    # the same rules resume fine
    assert run(str(corpus), "-r", str(rules), "-o", str(out), "--resume").exit_code == 0


def test_resume_with_another_mention_mode_is_refused(corpus: Path, rules: Path) -> None:
    out = corpus.parent / "out.jsonl"
    interrupted(corpus, rules, out, after=3, merge=False)
    result = run(str(corpus), "-r", str(rules), "-o", str(out), "--resume")
    assert result.exit_code == 2, result.output
    assert "--mentions" in result.stderr and "separate then, merge now" in result.stderr
    assert run(str(corpus), "-r", str(rules), "-o", str(out), "--resume", "--mentions", "separate").exit_code == 0


def test_resume_with_other_inputs_is_refused(corpus: Path, rules: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    interrupted(corpus, rules, out, after=3)
    other = write_corpus(tmp_path / "other.jsonl", 5)
    result = run(str(other), "-r", str(rules), "-o", str(out), "--resume")
    assert result.exit_code == 2, result.output
    assert "inputs" in result.stderr and str(other) in result.stderr and str(corpus) in result.stderr


def test_resume_of_a_finished_output_leaves_it_alone(corpus: Path, rules: Path) -> None:
    out = corpus.parent / "out.jsonl"
    assert run(str(corpus), "-r", str(rules), "-o", str(out)).exit_code == 0
    before, mtime = out.read_bytes(), out.stat().st_mtime_ns
    result = CliRunner().invoke(app, ["run", str(corpus), "-r", str(rules), "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert "already complete" in result.stderr
    assert (out.read_bytes(), out.stat().st_mtime_ns) == (before, mtime)
    assert sorted(p.name for p in corpus.parent.iterdir()) == ["news.jsonl", "out.jsonl", "rules"]


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "sqlite"])
def test_resume_that_finds_every_document_done_exits_0_and_cleans_up(corpus: Path, rules: Path, suffix: str) -> None:
    with open(corpus, "a", encoding="utf-8") as fh:
        fh.write("{not json\n")  # a problem, met again by the resume: still not a failure
    out = corpus.parent / f"out.{suffix}"
    reference = corpus.parent / f"reference.{suffix}"
    assert run(str(corpus), "-r", str(rules), "-o", str(reference), "--errors", str(corpus.parent / "ref-errors.jsonl")).exit_code == 0
    interrupted(corpus, rules, out, after=12)  # every document written, the output not committed
    result = CliRunner().invoke(app, ["run", str(corpus), "-r", str(rules), "-o", str(out), "--resume"])
    assert result.exit_code == 0, result.output
    assert "+12 already done" in result.stderr
    assert sorted(p.name for p in corpus.parent.iterdir()) == sorted(
        ["news.jsonl", out.name, f"{out.name}.errors.jsonl", reference.name, "ref-errors.jsonl", "rules"]
    )
    if suffix != "sqlite":
        assert out.read_bytes() == reference.read_bytes()


def test_a_new_sqlite_run_keeps_the_old_database_whole_until_it_is_done(corpus: Path, rules: Path) -> None:
    out = corpus.parent / "out.sqlite"
    assert run(str(corpus), "-r", str(rules), "-o", str(out)).exit_code == 0

    def documents() -> int:
        with sqlite3.connect(out) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]

    seen = []

    def stop(summary) -> None:
        seen.append(documents())  # the complete database, while the new one is being built
        if summary.documents == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_corpus([str(corpus)], Extractor(rules), output=str(out), on_document=stop)
    assert seen == [12] * 4 and documents() == 12
    assert run(str(corpus), "-r", str(rules), "-o", str(out), "--resume").exit_code == 0
    assert documents() == 12
    assert sorted(p.name for p in corpus.parent.iterdir()) == ["news.jsonl", "out.sqlite", "rules"]


def test_resume_in_another_format_is_refused(corpus: Path, rules: Path) -> None:
    out = corpus.parent / "out.log"
    interrupted(corpus, rules, out, after=3, fmt="csv")
    result = run(str(corpus), "-r", str(rules), "-o", str(out), "--resume", "-f", "jsonl")
    assert result.exit_code == 2, result.output
    assert "output format (--format): csv then, jsonl now" in result.stderr
    assert run(str(corpus), "-r", str(rules), "-o", str(out), "--resume", "-f", "csv").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("doc_id,id,type")
