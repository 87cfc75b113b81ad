"""`--engine dask`: same bytes, errors and summary as the local engine; rules shipped to workers."""

from __future__ import annotations

import dataclasses
import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.api import Extractor, load_rules
from eventx.cli import app
from eventx.engines.local import run_corpus
from eventx.errors import InputError, RuleError

distributed = pytest.importorskip("distributed")

from eventx.engines import dask as dask_engine  # noqa: E402
from eventx.engines.dask import DaskEngineError, RuleBundle, local_cluster, run_corpus_dask  # noqa: E402

from analysis_inputs import CORPUS, RULES  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = str(ROOT / "corpora")
runner = CliRunner()


@pytest.fixture(scope="module")
def scheduler() -> str:
    """One two-worker cluster for the module: starting one costs seconds."""
    with local_cluster(2) as cluster:
        yield cluster.scheduler_address


def _comparable(summary) -> dict:
    data = summary.to_dict()
    for volatile in ("seconds", "mb_per_s", "docs_per_s", "output", "errors_file"):
        data.pop(volatile)
    return data


def _content(path: Path, fmt: str):
    if fmt != "sqlite":
        return path.read_bytes()
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "sqlite"])
def test_dask_output_is_the_local_output_on_the_sample_corpora(tmp_path: Path, scheduler: str, fmt: str) -> None:
    local_out, dask_out = tmp_path / f"local.{fmt}", tmp_path / f"dask.{fmt}"
    local = run_corpus([SAMPLE], Extractor(), output=str(local_out))
    # small blocks: many tasks in flight, finishing out of order on two workers
    remote = run_corpus_dask([SAMPLE], None, output=str(dask_out), scheduler=scheduler, block_size=3)
    assert local.events > 0
    assert _comparable(remote) == _comparable(local)
    assert _content(dask_out, fmt) == _content(local_out, fmt)


def test_errors_and_summary_match_on_a_corpus_with_bad_lines(tmp_path: Path, scheduler: str) -> None:
    corpus = tmp_path / "mixed.jsonl"
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    lines[1:1] = ['{"id": "broken", "text": ', '{"id": "wire-001", "text": "A duplicate id."}', '{"id": "x", "text": 5}']
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    local = run_corpus([str(corpus)], Extractor(RULES), output=str(tmp_path / "local.jsonl"))
    remote = run_corpus_dask([str(corpus)], RULES, output=str(tmp_path / "dask.jsonl"), scheduler=scheduler, block_size=2)
    assert local.errors == 3
    assert _comparable(remote) == _comparable(local)
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "dask.jsonl.errors.jsonl").read_bytes() == (tmp_path / "local.jsonl.errors.jsonl").read_bytes()


def test_resume_continues_a_local_run(tmp_path: Path, scheduler: str) -> None:
    out = tmp_path / "events.jsonl"

    def stop_after_two(summary) -> None:
        if summary.documents == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_corpus([str(CORPUS)], Extractor(RULES), output=str(out), on_document=stop_after_two)
    assert not out.exists()
    summary = run_corpus_dask([str(CORPUS)], RULES, output=str(out), scheduler=scheduler, resume=True)
    run_corpus([str(CORPUS)], Extractor(RULES), output=str(tmp_path / "full.jsonl"))
    assert summary.resumed == 2
    assert out.read_bytes() == (tmp_path / "full.jsonl").read_bytes()


def test_workers_compile_the_rules_once(tmp_path: Path, scheduler: str) -> None:
    version = load_rules(RULES).version

    def compiled() -> dict[str, int]:
        from eventx.engines.dask import _EXTRACTORS

        return {v: id(extractor) for (v, _, _), extractor in _EXTRACTORS.items() if v == version}

    seen = []
    for n in range(2):
        run_corpus_dask([str(CORPUS)], RULES, output=str(tmp_path / f"{n}.jsonl"), scheduler=scheduler, block_size=1)
        with distributed.Client(scheduler) as client:
            seen.append(client.run(compiled))
    warm = {worker: ids for worker, ids in seen[0].items() if ids}
    assert warm  # some worker compiled the pack ...
    assert {worker: seen[1][worker] for worker in warm} == warm  # ... and the next run reused it


def test_cli_engine_dask_with_a_scheduler_equals_local_run(tmp_path: Path, scheduler: str) -> None:
    args = ["run", str(CORPUS), "-r", str(RULES), "-q"]
    assert runner.invoke(app, [*args, "-o", str(tmp_path / "local.csv")]).exit_code == 0
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "dask.csv"), "--engine", "dask", "--scheduler", scheduler])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "local.csv").read_bytes()


def test_cli_engine_dask_starts_a_local_cluster(tmp_path: Path) -> None:
    """The one test that pays for a private LocalCluster: the path users take without --scheduler."""
    args = ["run", SAMPLE, "-q"]
    assert runner.invoke(app, [*args, "-o", str(tmp_path / "local.jsonl")]).exit_code == 0
    result = runner.invoke(app, [*args, "-o", str(tmp_path / "dask.jsonl"), "--engine", "dask", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()


def test_without_dask_installed_the_error_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    result = runner.invoke(app, ["run", str(CORPUS), "-o", str(tmp_path / "e.jsonl"), "--engine", "dask"])
    assert result.exit_code == 2
    assert "pip install 'dask[distributed]" in result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_scheduler_needs_the_dask_engine(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(CORPUS), "--scheduler", "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2
    assert "--scheduler needs --engine dask" in result.output


def test_unknown_engine_is_a_usage_error() -> None:
    result = runner.invoke(app, ["run", str(CORPUS), "--engine", "spark"])
    assert result.exit_code == 2
    assert "spark" in result.output


def test_unreachable_scheduler_is_a_clear_error_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", 1.0)
    with pytest.raises(DaskEngineError, match=r"cannot connect to the Dask scheduler at tcp://127\.0\.0\.1:9"):
        run_corpus_dask([str(CORPUS)], RULES, output=str(tmp_path / "e.jsonl"), scheduler="tcp://127.0.0.1:9")
    assert list(tmp_path.iterdir()) == []


def test_rule_errors_are_reported_before_any_cluster_starts(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("rules:\n  - id: x.y\n    type: t\n    pattern: '[lemma=send]=trigger @nope'\n", encoding="utf-8")
    with pytest.raises(RuleError):
        run_corpus_dask([str(CORPUS)], bad, output=str(tmp_path / "e.jsonl"), scheduler="tcp://127.0.0.1:9")
    result = runner.invoke(app, ["run", str(CORPUS), "-r", str(bad), "--engine", "dask", "-o", str(tmp_path / "e.jsonl")])
    assert result.exit_code == 2
    assert f"{bad}:4:" in result.output


def test_the_bundle_ships_every_file_of_the_pack_and_compiles_to_the_same_version() -> None:
    pack = load_rules(RULES)
    bundle = RuleBundle.from_pack(pack, RULES)
    assert [name for name, _ in bundle.files] == ["common.yml", "events.yml", "lexicons/countries.txt", "types.yml"]
    assert bundle.entry == "."
    assert bundle.compile(None).pack.version == pack.version


def test_a_single_rule_file_is_shipped_with_its_imports() -> None:
    path = RULES / "events.yml"
    bundle = RuleBundle.from_pack(load_rules(path), path)
    assert bundle.entry == "events.yml"
    assert bundle.compile(None).extract("Poland is sending troops to Lithuania.")[0]["type"] == "deployment"


def test_a_worker_refuses_a_bundle_that_does_not_compile_to_the_client_version() -> None:
    bundle = RuleBundle.from_pack(load_rules(RULES), RULES)
    files = tuple((name, content + b"\n# edited\n" if name == "common.yml" else content) for name, content in bundle.files)
    with pytest.raises(DaskEngineError, match="worker compiled rules"):
        dataclasses.replace(bundle, files=files).compile(None)
    with pytest.raises(DaskEngineError, match="install the same version"):
        dataclasses.replace(bundle, eventx_version="0.0.0").compile(None)
    with pytest.raises(InputError, match="outside the rule root"):
        dataclasses.replace(bundle, files=(("../evil.yml", b""),)).compile(None)
