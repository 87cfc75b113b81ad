"""The typer app and what every command shares: option types and error reporting.

Every command parses options and calls the library. Errors are turned into messages and
exit codes in one place, the app's group (:class:`_Group`): an
:class:`~eventx.errors.EventxError` raised anywhere below a command becomes its message on
stderr and exit 2 (rule errors: one ``file:line:col`` line per problem) — never a traceback.
Exit 1 means test or diff failures (and warnings under ``check --strict``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from typer.core import TyperGroup

from eventx.errors import EventxError, RuleError


class _Group(TyperGroup):
    """The root command group: converts EventxError to a message and an exit code, once."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except EventxError as err:
            raise fail(err) from None


app = typer.Typer(
    name="eventx",
    cls=_Group,
    help="Rule-based event extraction: YAML token patterns over news text -> a structured event log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# --- options shared by several commands: one name, one meaning --------------------------------

RulesOption = Annotated[
    Optional[Path],
    typer.Option("--rules", "-r", help="Rule file or directory (default: the shipped pack).", show_default=False),
]
#: The format of an event log, read or written: never anything else.
FormatOption = Annotated[
    Optional[str],
    typer.Option("--format", "-f", help="Event log format: jsonl, csv or sqlite (default: from the file's extension)."),
]
CorpusOption = Annotated[
    Optional[list[str]],
    typer.Option("--corpus", "-c", help="The corpus the log was made from (repeatable): document dates, and text for the report."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text and tables.")]

#: Styles of the lines of a rendered event diff (``eventx diff``, ``eventx test --update``).
DIFF_STYLES = {"added": "green", "removed": "red", "changed": "yellow", "": "bold"}


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
        suffix = f" [{err.code}]" if err.code else ""
        console.print(f"error: {err}{suffix}", markup=False)
    return typer.Exit(err.exit_code)


def load_extractor(rules: Path | None, **kwargs: Any) -> Any:
    """The Extractor for ``--rules`` (default pack); rule errors reach the app's handler."""
    from eventx.api import Extractor

    return Extractor(rules, **kwargs)


@app.callback()
def _root() -> None:
    """Rule-based event extraction: YAML token patterns over news text -> a structured event log."""
