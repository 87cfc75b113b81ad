"""``eventx diff``: semantic diff of two event logs (exit 0 equal, 1 different, 2 unreadable)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from eventx.cli.app import app, fail, stdout_console
from eventx.cli.test import _STYLES
from eventx.errors import InputError


def _problem(event: object) -> str:
    """What makes a JSON value unusable as an event record for the diff, or ''."""
    if not isinstance(event, dict):
        return "not a JSON object"
    for key in ("doc_id", "type", "rule"):
        if not isinstance(event.get(key), str):
            return f"'{key}' is missing or not a string"
    for key in ("trigger", "span"):
        value = event.get(key)
        if not isinstance(value, dict) or not all(isinstance(value.get(k), int) for k in ("start", "end")):
            return f"'{key}' must be an object with integer 'start' and 'end'"
    if not isinstance(event["trigger"].get("text"), str):
        return "'trigger' has no 'text'"
    mentions = event.get("mentions", [])
    if not isinstance(mentions, list) or not all(
        isinstance(m, dict) and isinstance(m.get("trigger"), dict) for m in mentions
    ):
        return "'mentions' must be a list of objects with a 'trigger'"
    args = event.get("args", {})
    if not isinstance(args, dict) or not all(isinstance(a, dict) and isinstance(a.get("text"), str) for a in args.values()):
        return "'args' must map roles to objects with a 'text'"
    return ""


def load_event_log(path: Path) -> list[dict]:
    """Every event of a JSONL event log; InputError naming file:line for anything else."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from None
    events = []
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            raise InputError(f"{path}:{number}: not valid JSON: {err}") from None
        problem = _problem(event)
        if problem:
            raise InputError(f"{path}:{number}: not an event record: {problem}")
        events.append(event)
    return events


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The reference event log (JSONL).")],
    new: Annotated[Path, typer.Argument(help="The event log to compare with it (JSONL).")],
) -> None:
    """Show events added, removed and changed per document, and counts by type.

    Events are paired by document, type and trigger offsets; ids and rules_version are ignored.
    Exit 0 when equal, 1 when different, 2 when a log cannot be read.

    Example: eventx diff before.jsonl after.jsonl
    """
    from eventx.golden import diff_events, render_diff

    try:
        old_events, new_events = load_event_log(old), load_event_log(new)
    except InputError as err:
        raise fail(err)
    diffs = diff_events(old_events, new_events)
    out = stdout_console()
    for document in diffs:
        for line, style in render_diff(document):
            out.print(line, style=_STYLES[style], markup=False)
    out.print(_summary(old_events, new_events, diffs))
    if diffs:
        documents = len(diffs)
        out.print(f"{documents} document(s) differ", markup=False)
        raise typer.Exit(1)
    out.print("no differences", markup=False)


def _summary(old_events: list[dict], new_events: list[dict], diffs) -> Table:
    old_count = Counter(e["type"] for e in old_events)
    new_count = Counter(e["type"] for e in new_events)
    added, removed, changed = Counter(), Counter(), Counter()
    for document in diffs:
        added.update(e["type"] for e in document.added)
        removed.update(e["type"] for e in document.removed)
        changed.update(old["type"] for old, _new, _changes in document.changed)
    table = Table(title="events by type")
    table.add_column("type")
    for column in ("old", "new", "added", "removed", "changed"):
        table.add_column(column, justify="right")
    totals = [0] * 5
    for event_type in sorted(set(old_count) | set(new_count)):
        row = [old_count[event_type], new_count[event_type], added[event_type], removed[event_type], changed[event_type]]
        totals = [t + v for t, v in zip(totals, row)]
        table.add_row(event_type, *map(str, row))
    table.add_row("total", *map(str, totals), style="bold")
    return table
