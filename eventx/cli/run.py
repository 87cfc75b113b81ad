"""``eventx run``: extract events from a corpus into an event log."""

from __future__ import annotations

import os
import sqlite3
import sys
from concurrent.futures import BrokenExecutor
from contextlib import nullcontext
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from eventx.cli.app import RulesOption, app, fail, load_extractor, stderr_console
from eventx.errors import EventxError, escape_controls
from eventx.io.readers import DEFAULT_MAX_DOC_BYTES


class Engine(str, Enum):
    local = "local"
    dask = "dask"


class Mentions(str, Enum):
    merge = "merge"
    separate = "separate"


@app.command()
def run(
    inputs: Annotated[list[str], typer.Argument(help="Documents: .txt files, directories, .jsonl/.csv (optionally .gz), or - for stdin.")],
    rules: RulesOption = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Event log to write (default: JSONL on stdout).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="jsonl, csv or sqlite (default: from the output's extension).")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: number of cores; 1 for inputs under 4 MB).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run into the same output.")] = False,
    errors: Annotated[Optional[str], typer.Option("--errors", help="Errors file (default: <output>.errors.jsonl).")] = None,
    time_budget: Annotated[float, typer.Option("--time-budget", min=0.01, help="Seconds of matching per document before it is reported and skipped.")] = 10.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
    engine: Annotated[Engine, typer.Option("--engine", help="local: worker processes here; dask: a Dask cluster (see docs/analysis.md).")] = Engine.local,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786 (default: a local Dask cluster of --jobs workers).")] = None,
    mentions: Annotated[Mentions, typer.Option("--mentions", help="merge: one record per event of a document, later mentions (a lead repeating its headline) in its 'mentions'; separate: one record per sentence mention.")] = Mentions.merge,
    max_doc_bytes: Annotated[int, typer.Option("--max-doc-bytes", min=1, help="Largest document (characters of text) read; a longer one is reported and skipped.")] = DEFAULT_MAX_DOC_BYTES,
    csv_safe: Annotated[bool, typer.Option("--csv-safe", help="CSV output: prefix cells starting with = + - @ with ' so that spreadsheets do not run them as formulas.")] = False,
) -> None:
    """Extract events from a corpus and write the event log.

    Example: eventx run corpora/sample -o events.jsonl
    """
    from eventx.engines.local import default_jobs, run_corpus

    console = stderr_console()
    if resume and (output is None or output == "-"):
        raise fail(EventxError("--resume needs an output file (-o)"))
    if scheduler and engine is not Engine.dask:
        raise fail(EventxError("--scheduler needs --engine dask"))
    merge = mentions is Mentions.merge
    if errors and os.path.isdir(errors):
        raise fail(EventxError(f"--errors {errors}: is a directory (give a file name)"))
    extractor = load_extractor(rules, time_budget=time_budget, merge_mentions=merge) if engine is Engine.local else None
    try:
        progress = None if quiet or not console.is_terminal else _progress(console)
        with progress or nullcontext():
            task = progress.add_task("extracting", total=None) if progress else None

            def on_document(summary) -> None:
                if progress is not None:
                    progress.update(task, completed=summary.documents, description=f"{summary.events} events")

            def on_problem(record: dict) -> None:
                where = record.get("source") or ""
                line = record.get("line")
                where = f"{where}:{line}" if where and line else where
                doc = record.get("doc_id")
                label = ", ".join(p for p in (where, f"document {doc}" if doc else "") if p)
                message = f"warning: {label}: {record['error']}" if label else f"warning: {record['error']}"
                console.print(escape_controls(message), markup=False)  # ids and texts come from the input

            common = dict(
                output=output,
                fmt=fmt,
                resume=resume,
                errors_path=errors,
                stdin=getattr(sys.stdin, "buffer", None) if "-" in inputs else None,  # None: stdin closed
                max_doc_bytes=max_doc_bytes,
                csv_safe=csv_safe,
                on_document=on_document,
                on_problem=on_problem,
            )
            if extractor is None:  # the dask engine compiles the rules itself and ships them
                from eventx.engines.dask import run_corpus_dask

                summary = run_corpus_dask(
                    inputs, rules, scheduler=scheduler, workers=jobs, time_budget=time_budget, merge_mentions=merge, **common
                )
            else:
                summary = run_corpus(inputs, extractor, jobs=jobs or default_jobs(inputs), **common)
    except KeyboardInterrupt:
        console.print("interrupted: what was done is kept.", markup=False)
        _resume_hint(console, inputs, output)
        raise typer.Exit(130)
    except EventxError as err:
        raise fail(err)
    except (OSError, sqlite3.Error, BrokenExecutor) as err:  # a full disk, a killed worker
        what = "a worker process died (killed, or out of memory?)" if isinstance(err, BrokenExecutor) else "cannot write"
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        name = getattr(err, "filename", None) or (output if isinstance(err, sqlite3.Error) else None)
        console.print(escape_controls(f"error: {what}: {f'{name}: ' if name else ''}{reason}; the run stopped, what was written is kept."), markup=False)
        _resume_hint(console, inputs, output)
        raise typer.Exit(1)
    if not quiet:
        _print_summary(console, summary)
    if summary.documents == 0 and summary.errors > 0:
        raise typer.Exit(1)


def _resume_hint(console: Console, inputs: list[str], output: str | None) -> None:
    if output and output != "-":
        console.print(escape_controls(f"resume with: eventx run {' '.join(inputs)} -o {output} --resume"), markup=False)


def _print_summary(console: Console, summary) -> None:
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


def _progress(console: Console):
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.completed} documents"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
