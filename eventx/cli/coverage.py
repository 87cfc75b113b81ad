"""``eventx coverage``: events per rule over a corpus, rules that never fired first."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from eventx.cli.app import JsonOption, RulesOption, app, load_extractor, stderr_console, stdout_console


def _shown(file: str) -> str:
    """A rule file path relative to the working directory when it is below it (shorter columns)."""
    try:
        return str(Path(file).resolve().relative_to(Path.cwd()))
    except ValueError:
        return file


@app.command()
def coverage(
    inputs: Annotated[list[str], typer.Argument(help="Documents: .txt files, directories, .jsonl/.csv (optionally .gz), or - for stdin.")],
    rules: RulesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Count the events of every rule over a corpus; list the rules that never fired first.

    Example: eventx coverage corpora/sample -r rules/
    """
    from eventx.coverage import measure_coverage

    extractor = load_extractor(rules)
    console = stderr_console()
    result = measure_coverage(
        inputs,
        extractor,
        stdin=sys.stdin.buffer if "-" in inputs else None,
        on_problem=lambda line: console.print(f"warning: {line}", markup=False),
    )
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    from rich.table import Table

    out = stdout_console()
    table = Table(title=f"rule coverage: {result.documents} documents, {result.events} events")
    columns: tuple[tuple[str, Literal["left", "right"]], ...] = (("rule", "left"), ("type", "left"), ("events", "right"), ("docs", "right"),
                            ("+ex", "right"), ("-ex", "right"), ("defined at", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify, overflow="fold")
    for rule in result.rules:
        table.add_row(
            rule.id, rule.type, str(rule.events), str(rule.documents), str(rule.positive_examples),
            str(rule.negative_examples), f"{_shown(rule.file)}:{rule.line}",
            style="red" if not rule.events else None,
        )
    out.print(table)
    never = result.never_fired
    summary = f"{len(never)} of {len(result.rules)} rules never fired"
    if result.errors:
        summary += f"; {result.errors} document(s) could not be processed"
    console.print(summary, markup=False)
