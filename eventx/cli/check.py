"""``eventx check``: lint a rule pack (errors exit 2; warnings exit 1 with --strict)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from eventx.cli.app import JsonOption, app, stderr_console, stdout_console


@app.command()
def check(
    rules: Annotated[Optional[Path], typer.Argument(help="Rule file or directory (default: the shipped pack).", show_default=False)] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when there are warnings.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Report every error and likely mistake in rule files as file:line:col lines.

    Exit 2 on errors, 1 on warnings with --strict, else 0. --json prints one object for
    editors and CI.

    Example: eventx check rules/ --strict
    """
    from eventx.findings import read_back
    from eventx.rules.files import default_rules_path

    path = rules if rules is not None else default_rules_path()
    result = read_back(path)  # a pack checked before: its findings, without importing the engine
    if result is None:
        from eventx.lint import lint

        result = lint(path)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        out = stdout_console()
        for diagnostic in result.diagnostics:
            out.print(diagnostic.render(), markup=False)
        console = stderr_console()
        if result.diagnostics:
            console.print(f"{result.errors} error(s), {result.warnings} warning(s)", markup=False)
        else:
            console.print(f"{result.rules} rules, {result.lexicons} lexicons: no problems", markup=False)
    if result.errors:
        raise typer.Exit(2)
    if strict and result.warnings:
        raise typer.Exit(1)
