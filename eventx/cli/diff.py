"""``eventx diff``: semantic diff of two event logs (exit 0 equal, 1 different, 2 unreadable)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.text import Text

from eventx.cli.app import DIFF_STYLES, FormatOption, app, stdout_console

if TYPE_CHECKING:
    from rich.table import Table


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The reference event log: .jsonl, .csv or .sqlite/.db as written by eventx run.")],
    new: Annotated[str, typer.Argument(help="The event log to compare with it (any of those formats).")],
    fmt: FormatOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as one JSON object.")] = False,
) -> None:
    """Show events added, removed and changed per document, and counts by type.

    Events are paired by document, type and trigger offsets; ids and rules_version are ignored.
    The two logs may be of different formats (then only what both keep is compared). Exit 0 when equal, 1 when different, 2 when a
    log cannot be read.

    Example: eventx diff before.jsonl after.sqlite
    """
    from eventx.golden import counts_by_type, diff_events, diff_to_dict, render_diff
    from eventx.io.eventlog import iter_events, log_format, tabular_view

    old_events, new_events = list(iter_events(old, fmt)), list(iter_events(new, fmt))
    kinds = {log_format(old, fmt), log_format(new, fmt)}
    if "jsonl" in kinds and len(kinds) > 1:  # compare what both formats keep
        old_events, new_events = ([tabular_view(e) for e in events] for events in (old_events, new_events))
    diffs = diff_events(old_events, new_events)
    by_type = counts_by_type(old_events, new_events, diffs)
    if as_json:
        data = {"equal": not diffs, "documents": [diff_to_dict(d) for d in diffs], "by_type": by_type}
        sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
    else:
        out = stdout_console()
        for document in diffs:
            for line, style in render_diff(document):
                out.print(line, style=DIFF_STYLES[style], markup=False)
        out.print(_summary(by_type))
        out.print(f"{len(diffs)} document(s) differ" if diffs else "no differences", markup=False)
    if diffs:
        raise typer.Exit(1)


def _summary(by_type: dict[str, dict[str, int]]) -> Table:
    from rich.table import Table

    columns = ("old", "new", "added", "removed", "changed")
    table = Table(title="events by type")
    table.add_column("type")
    for column in columns:
        table.add_column(column, justify="right")
    totals = dict.fromkeys(columns, 0)
    for event_type, row in by_type.items():
        for column in columns:
            totals[column] += row[column]
        table.add_row(Text(event_type), *(str(row[c]) for c in columns))  # a type is never markup
    table.add_row("total", *(str(totals[c]) for c in columns), style="bold")
    return table
