"""``eventx run``: extract events from a corpus into an event log."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from enum import Enum
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from eventx.cli.app import FormatOption, RulesOption, app, load_extractor, stderr_console
from eventx.errors import InputError


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
    fmt: FormatOption = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes (default: number of cores; 1 for inputs under 4 MB).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run into the same output.")] = False,
    errors: Annotated[Optional[str], typer.Option("--errors", help="Errors file (default: <output>.errors.jsonl).")] = None,
    time_budget: Annotated[float, typer.Option("--time-budget", min=0.01, help="Seconds of matching per document before it is reported and skipped.")] = 10.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
    engine: Annotated[Engine, typer.Option("--engine", help="local: worker processes here; dask: a Dask cluster (see docs/analysis.md).")] = Engine.local,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786 (default: a local Dask cluster of --jobs workers).")] = None,
    mentions: Annotated[Mentions, typer.Option("--mentions", help="merge: one record per event of a document, later mentions (a lead repeating its headline) in its 'mentions'; separate: one record per sentence mention.")] = Mentions.merge,
) -> None:
    """Extract events from a corpus and write the event log.

    Example: eventx run corpora/sample -o events.jsonl
    """
    from eventx.engines.local import default_jobs, run_corpus

    console = stderr_console()
    if resume and (output is None or output == "-"):
        raise InputError("--resume needs an output file (-o)")
    if scheduler and engine is not Engine.dask:
        raise InputError("--scheduler needs --engine dask")
    merge = mentions is Mentions.merge
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
                code = f" [{record['code']}]" if record.get("code") else ""
                console.print(f"warning: {label}: {record['error']}{code}" if label else f"warning: {record['error']}{code}", markup=False)

            common: dict[str, Any] = dict(
                output=output,
                fmt=fmt,
                resume=resume,
                errors_path=errors,
                stdin=sys.stdin.buffer if "-" in inputs else None,
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
        if output and output != "-":
            console.print(f"resume with: eventx run {' '.join(inputs)} -o {output} --resume", markup=False)
        raise typer.Exit(130)
    if not quiet:
        _print_summary(console, summary)
    if summary.documents == 0 and summary.errors > 0:
        raise typer.Exit(1)


def _print_summary(console: Console, summary) -> None:
    data = summary.to_dict()
    table = Table(title="eventx run", show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("documents", str(data["documents"]) + (f" (+{data['resumed']} already done)" if data["resumed"] else ""))
    table.add_row("events", str(data["events"]))
    for event_type, count in data["events_by_type"].items():
        table.add_row(f"  {event_type}", str(count))
    errors = str(data["errors"])
    if data["errors"] and data["errors_file"]:
        errors += f" (see {data['errors_file']})"
    table.add_row("errors", errors)
    if data["seconds"]:
        table.add_row(
            "throughput",
            f"{data['docs_per_s']} docs/s, {data['mb_per_s']} MB/s ({data['seconds']} s)",
        )
    if data["output"]:
        table.add_row("output", data["output"])
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
