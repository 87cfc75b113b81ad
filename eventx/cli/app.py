"""The typer app and what every command shares: option types and error reporting.

Every command parses options, calls one library function and turns
:class:`~eventx.errors.EventxError` into a message on stderr and an exit code
(0 ok, 1 test/diff failures, 2 usage or rule errors) — never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from eventx.errors import EventxError, RuleError

app = typer.Typer(
    name="eventx",
    help="Rule-based event extraction: YAML token patterns over news text -> a structured event log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

RulesOption = Annotated[
    Optional[Path],
    typer.Option("--rules", "-r", help="Rule file or directory (default: the shipped pack).", show_default=False),
]


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(err: EventxError) -> typer.Exit:
    """Print an error the way users should see it and return the Exit to raise."""
    console = stderr_console()
    if isinstance(err, RuleError):
        for diagnostic in err.diagnostics:
            console.print(diagnostic.render(), markup=False)
        errors = sum(1 for d in err.diagnostics if d.severity == "error")
        console.print(f"{errors} error(s) in rule files", markup=False)
    else:
        console.print(f"error: {err}", markup=False)
    return typer.Exit(err.exit_code)


def load_extractor(rules: Path | None, **kwargs):
    """The Extractor for ``--rules`` (default pack); rule errors exit 2 with file:line:col lines."""
    from eventx.api import Extractor

    try:
        return Extractor(rules, **kwargs)
    except EventxError as err:
        raise fail(err)


@app.callback()
def _root() -> None:
    """Rule-based event extraction: YAML token patterns over news text -> a structured event log."""
