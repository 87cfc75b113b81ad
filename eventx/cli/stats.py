"""``eventx stats``: counts over an event log (JSONL, CSV or SQLite) as tables or JSON."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Optional

import orjson
import typer
from rich.console import Console
from rich.text import Text

from eventx.cli.app import CorpusOption, FormatOption, JsonOption, RulesOption, app, stderr_console, stdout_console

if TYPE_CHECKING:
    from rich.table import Table


def corpus_warning(problem) -> None:
    """Corpus read problems do not stop stats or report; they are shown, like in ``eventx run``."""
    stderr_console().print(problem.render(), markup=False)


@app.command()
def stats(
    events: Annotated[str, typer.Argument(help="Event log: .jsonl, .csv or .sqlite/.db as written by eventx run.")],
    fmt: FormatOption = None,
    corpus: CorpusOption = None,
    rules: RulesOption = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many actors and places to list.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Count events by type, modality and rule; top actors, places and dates.

    Actors, places and date arguments are the roles the rule pack declares of those kinds.

    Example: eventx stats events.sqlite --top 20
    """
    from eventx.stats import log_stats, pack_types

    result = log_stats(events, fmt, corpus, types=pack_types(rules), on_problem=corpus_warning)
    data = result.to_dict(top)
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
        return
    _print_tables(stdout_console(), data, top)


def _counts(title: str, column: str, rows: list[tuple], *extra: str) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_edge=False)
    table.add_column(column)
    for name in extra:
        table.add_column(name)
    table.add_column("events", justify="right")
    for row in rows:
        table.add_row(*(Text(str(cell)) for cell in row))  # data is never markup
    return table


def _print_tables(console: Console, data: dict, top: int) -> None:
    documents = data["documents_with_events"]
    known = f" of {data['documents']}" if data["documents"] is not None else ""
    merged = f" (+{data['merged_mentions']} later mentions merged into them)" if data.get("merged_mentions") else ""
    console.print(f"{data['source']}: {data['events']} events{merged} in {documents}{known} documents", markup=False)
    if data["events_not_in_corpus"]:
        console.print(
            f"warning: {data['events_not_in_corpus']} events name documents that are not in the corpus"
            " (ids are paths relative to the INPUT given to eventx run)",
            markup=False,
        )
    tables = [
        _counts("by type", "type", list(data["by_type"].items())),
        _counts("by modality", "modality", list(data["by_modality"].items())),
        _counts("by rule", "rule", [(r["rule"], r["type"], r["events"]) for r in data["by_rule"]], "type"),
        _counts(f"top {top} actors", "actor", [(a["name"], a["events"]) for a in data["top_actors"]]),
        _counts(f"top {top} places", "place", [(p["name"], p["events"]) for p in data["top_places"]]),
    ]
    if data["doc_dates"]:
        undated = f" ({data['undated_events']} events undated)" if data["undated_events"] else ""
        tables.append(_counts(f"by document date{undated}", "date", list(data["doc_dates"].items())))
    if data["event_dates"]:
        tables.append(_counts("by date argument", "date", list(data["event_dates"].items())))
    for table in tables:
        console.print()
        console.print(table)
    if not data["doc_dates"]:
        console.print()
        console.print("no document dates: a SQLite log or --corpus gives them", markup=False)
