"""``eventx schema``: the JSON Schema of rule files, for editors (completion, inline errors)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from eventx.cli.app import app
from eventx.errors import InputError


@app.command()
def schema(
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the schema to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of the rule file format.

    Example: eventx schema -o .vscode/eventx-rules.schema.json
    """
    from eventx.rules.schema import rule_file_json_schema

    text = json.dumps(rule_file_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise InputError(f"{output}: cannot write: {err.strerror or err}") from None
    typer.echo(f"wrote {output}", err=True)
