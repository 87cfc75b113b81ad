"""``eventx run``: extract events from a corpus into an event log."""

from __future__ import annotations

import math
import os
import shlex
import signal
import sys
from contextlib import contextmanager, nullcontext
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Iterator, Optional

import typer
from rich.console import Console

from eventx.cli.app import FormatOption, RulesOption, app, load_extractor, stderr_console
from eventx.errors import InputError, escape_controls
from eventx.io.limits import DEFAULT_MAX_DOC_BYTES

MAX_TIME_BUDGET = 3600.0  # an hour of matching for one document is a hang, not a budget


class Engine(str, Enum):
    local = "local"
    dask = "dask"


class Mentions(str, Enum):
    merge = "merge"
    separate = "separate"


class InputFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    txt = "txt"


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled exactly like Ctrl-C: stop, keep what is written, say how to resume."""


@app.command()
def run(
    inputs: Annotated[list[str], typer.Argument(help="Documents: .txt files, directories, .jsonl/.csv (optionally .gz), or - for stdin.")],
    rules: RulesOption = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Event log to write: .jsonl, .csv or .sqlite (default: JSONL on stdout).")] = None,
    fmt: FormatOption = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: number of cores; 1 for inputs under 4 MB).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run into the same output.")] = False,
    errors: Annotated[Optional[str], typer.Option("--errors", help="Errors file (default: <output>.errors.jsonl).")] = None,
    time_budget: Annotated[str, typer.Option("--time-budget", metavar="SECONDS|none", help=f"Seconds of extraction per document before it is reported and skipped (at most {MAX_TIME_BUDGET:g}); 'none' for no limit.")] = "10",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
    engine: Annotated[Engine, typer.Option("--engine", help="local: worker processes here; dask: a Dask cluster (see docs/analysis.md).")] = Engine.local,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786 (default: a local Dask cluster of --jobs workers).")] = None,
    mentions: Annotated[Mentions, typer.Option("--mentions", help="merge: one record per event of a document, later mentions (a lead repeating its headline) in its 'mentions'; separate: one record per sentence mention.")] = Mentions.merge,
    input_format: Annotated[Optional[InputFormat], typer.Option("--input-format", help="Read stdin and the files named (whatever their extension) as jsonl, csv or txt (default: from the extension; stdin: JSONL when it starts with '{', else text).")] = None,
    max_doc_bytes: Annotated[int, typer.Option("--max-doc-bytes", min=1, help="Largest document (characters of text) read; a longer one is reported and skipped.")] = DEFAULT_MAX_DOC_BYTES,
    csv_safe: Annotated[bool, typer.Option("--csv-safe", help="CSV output: prefix cells starting with = + - @ with ' so that spreadsheets do not run them as formulas.")] = False,
) -> None:
    """Extract events from a corpus and write the event log.

    Example: eventx run corpora/sample -o events.jsonl
    """
    import sqlite3
    from concurrent.futures import BrokenExecutor

    from eventx.engines.local import default_jobs, run_corpus

    console = stderr_console()
    if resume and (output is None or output == "-"):
        raise InputError("--resume needs an output file (-o)")
    if scheduler and engine is not Engine.dask:
        raise InputError("--scheduler needs --engine dask")
    budget = _time_budget(time_budget)
    merge = mentions is Mentions.merge
    if errors and os.path.isdir(errors):
        raise InputError(f"--errors {errors}: is a directory (give a file name)")
    read_as = input_format.value if input_format else None
    hint = _resume_command(inputs, rules, output, fmt, errors, time_budget, mentions, read_as, engine, scheduler, jobs)
    if hint and (max_doc_bytes != DEFAULT_MAX_DOC_BYTES or csv_safe):
        extra = (["--max-doc-bytes", str(max_doc_bytes)] if max_doc_bytes != DEFAULT_MAX_DOC_BYTES else []) + (["--csv-safe"] if csv_safe else [])
        hint = hint.removesuffix(" --resume") + " " + shlex.join([*extra, "--resume"])
    extractor = load_extractor(rules, time_budget=budget, merge_mentions=merge) if engine is Engine.local else None
    try:
        with _sigterm_as_interrupt():
            total = None if quiet else _input_size(inputs)
            progress = None if quiet or not console.is_terminal else _progress(console, total)
            with progress or nullcontext():
                task = progress.add_task("extracting", total=total, documents=0) if progress else None

                def on_document(summary) -> None:
                    if progress is not None:
                        done = summary.documents + summary.resumed
                        read = min(summary.read_bytes, total) if total else None
                        progress.update(task, completed=read if total else done, documents=done, description=f"{summary.events} events")

                def on_problem(record: dict) -> None:
                    where = record.get("source") or ""
                    line = record.get("line")
                    where = f"{where}:{line}" if where and line else where
                    doc = record.get("doc_id")
                    label = ", ".join(p for p in (where, f"document {doc}" if doc else "") if p)
                    code = f" [{record['code']}]" if record.get("code") else ""
                    message = f"warning: {label}: {record['error']}{code}" if label else f"warning: {record['error']}{code}"
                    console.print(escape_controls(message), markup=False)  # ids and texts come from the input

                common: dict[str, Any] = dict(
                    output=output,
                    fmt=fmt,
                    resume=resume,
                    errors_path=errors,
                    stdin=getattr(sys.stdin, "buffer", None) if "-" in inputs else None,  # None: stdin closed
                    input_format=read_as,
                    max_doc_bytes=max_doc_bytes,
                    csv_safe=csv_safe,
                    on_document=on_document,
                    on_problem=on_problem,
                )
                if extractor is None:  # the dask engine compiles the rules itself and ships them
                    from eventx.engines.dask import run_corpus_dask

                    summary = run_corpus_dask(
                        inputs, rules, scheduler=scheduler, workers=jobs, time_budget=budget, merge_mentions=merge, **common
                    )
                else:
                    summary = run_corpus(inputs, extractor, jobs=jobs or default_jobs(inputs), **common)
    except KeyboardInterrupt as stop:
        console.print("interrupted: what was done is kept.", markup=False)
        if hint:
            console.print(f"resume with: {hint}", markup=False)
        raise typer.Exit(128 + signal.SIGTERM if isinstance(stop, Terminated) else 130)
    except (OSError, sqlite3.Error, BrokenExecutor) as err:  # a full disk, a killed worker
        what = "a worker process died (killed, or out of memory?)" if isinstance(err, BrokenExecutor) else "cannot write"
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        name = getattr(err, "filename", None) or (output if isinstance(err, sqlite3.Error) else None)
        console.print(escape_controls(f"error: {what}: {f'{name}: ' if name else ''}{reason}; the run stopped, what was written is kept."), markup=False)
        if hint:
            console.print(escape_controls(f"resume with: {hint}"), markup=False)
        raise typer.Exit(1)
    if summary.complete:
        console.print(f"{output} is already complete: nothing to resume (run without --resume to redo it).", markup=False)
        return
    if not quiet:
        _print_summary(console, summary)
    if summary.documents == 0 and summary.resumed == 0:
        what = " ".join(inputs)
        if summary.errors:
            where = f" (see {summary.errors_path})" if summary.errors_path else ""
            console.print(f"error: no document of {what} could be read: {summary.errors} error(s){where}", markup=False)
        else:
            console.print(f"error: no documents in {what}: nothing to extract from", markup=False)
        raise typer.Exit(1)


def _time_budget(value: str) -> float | None:
    """``--time-budget``: seconds in (0, MAX_TIME_BUDGET], or ``none`` for no budget at all."""
    if value.strip().lower() in ("none", "off"):
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0.01 <= seconds <= MAX_TIME_BUDGET):
        raise InputError(f"--time-budget {value}: expected seconds from 0.01 to {MAX_TIME_BUDGET:g}, or 'none' for no limit")
    return seconds


def _resume_command(
    inputs, rules, output, fmt, errors, time_budget, mentions, input_format, engine, scheduler, jobs
) -> str | None:
    """The full command that resumes this run: every option that shapes the output, and the
    same inputs; None when the output is not a file (nothing to resume)."""
    from eventx.io.writers import is_stream

    if output is None or is_stream(output):
        return None
    parts = ["eventx", "run", *inputs]
    if rules is not None:
        parts += ["-r", str(rules)]
    if fmt:
        parts += ["-f", fmt]
    if errors:
        parts += ["--errors", errors]
    if input_format:
        parts += ["--input-format", input_format]
    if time_budget != "10":
        parts += ["--time-budget", time_budget]
    if mentions is not Mentions.merge:
        parts += ["--mentions", mentions.value]
    if engine is not Engine.local:
        parts += ["--engine", engine.value]
    if scheduler:
        parts += ["--scheduler", scheduler]
    if jobs:
        parts += ["--jobs", str(jobs)]
    return shlex.join([*parts, "-o", output, "--resume"])


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (``kill PID``, a scheduler stopping a job) stops the run as Ctrl-C does."""

    def handler(signum, frame) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM must not cut the clean-up short
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (embedded use): leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _input_size(inputs: list[str]) -> int | None:
    """Bytes of text in the input files (uncompressed size of .gz files), for the progress
    bar; None for stdin."""
    from eventx.io.readers import KINDS

    total = 0
    for name in inputs:
        if name == "-":
            return None
        path = Path(name)
        files = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        for file in files:
            lower = file.name.lower()
            if not file.is_file() or not lower.removesuffix(".gz").endswith(tuple("." + k for k in KINDS)):
                continue
            total += _gzip_size(file) if lower.endswith(".gz") else file.stat().st_size
    return total or None


def _gzip_size(path: Path) -> int:
    """The uncompressed size a gzip file records in its last four bytes (modulo 4 GiB)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(-4, os.SEEK_END)
            return int.from_bytes(fh.read(4), "little")
    except OSError:
        return 0


def _print_summary(console: Console, summary) -> None:
    from rich.table import Table

    data = summary.to_dict()
    table = Table(title="eventx run", show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("documents", str(data["documents"]) + (f" (+{data['resumed']} already done)" if data["resumed"] else ""))
    table.add_row("events", str(data["events"]))
    for event_type, count in data["events_by_type"].items():
        table.add_row(f"  {escape_controls(event_type)}", str(count))
    errors = str(data["errors"])
    if data["errors"] and data["errors_file"]:
        errors += f" (see {escape_controls(data['errors_file'])})"
    table.add_row("errors", errors)
    if data["seconds"]:
        table.add_row(
            "throughput",
            f"{data['docs_per_s']} docs/s, {data['mb_per_s']} MB/s ({data['seconds']} s)",
        )
    if data["output"]:
        table.add_row("output", escape_controls(data["output"]))
    console.print(table)


def _progress(console: Console, total: int | None):
    """A bar with percentage and time left when the input size is known, else a spinner."""
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    counts = (TextColumn("{task.fields[documents]} documents"), TextColumn("{task.description}"))
    columns: tuple[Any, ...]
    if total is None:
        columns = (SpinnerColumn(), *counts, TimeElapsedColumn())
    else:
        columns = (BarColumn(), TaskProgressColumn(), *counts, TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    return Progress(*columns, console=console, transient=True)
