"""The typer app and what every command shares: option types and error reporting.

Every command parses options and calls the library. Errors are turned into messages and
exit codes in one place, the app's group (:class:`_Group`): an
:class:`~eventx.errors.EventxError` raised anywhere below a command becomes its message on
stderr and exit 2 (rule errors: one ``file:line:col`` line per problem) — never a traceback.
Exit 1 means test or diff failures (and warnings under ``check --strict``).
"""

from __future__ import annotations

import copy
import gc
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperGroup, TyperOption

from eventx.errors import EventxError, RuleError

if TYPE_CHECKING:  # typer carries its own click (typer._click); click itself is no dependency
    from typer._click import core as click

_METAVARS = {"str": "TEXT", "int": "INTEGER", "int range": "INTEGER", "float": "FLOAT"}


def _metavar(param: TyperOption) -> str:
    """``PATH``, ``TEXT``, ``INTEGER``, ``[merge|separate]``; nothing for flags."""
    if param.is_flag or param.count:
        return ""
    kind = param.type
    choices = getattr(kind, "choices", None)
    if choices is not None:
        return "[" + "|".join(str(choice) for choice in choices) + "]"
    if kind.name == "path":
        return "PATH"
    return _METAVARS.get(kind.name, kind.name.upper())


def _tidy(param: click.Parameter, ctx: click.Context) -> click.Parameter:
    """Conventional metavars (``eventx run [OPTIONS] INPUTS...``, ``-o TEXT``, ``[local|dask]``)
    instead of typer's own placeholders (``{inputs}...``, ``<str>``, ``<int range>``)."""
    if getattr(param, "_eventx_tidy", False):
        return param
    if isinstance(param, TyperArgument) and param.name:
        name = param.name.upper() + ("..." if param.nargs != 1 else "")
        in_usage = name if param.required else f"[{name}]"
        param.metavar = name

        def make_metavar(ctx: click.Context, usage: bool = False) -> str:
            return in_usage if usage else name

        param.make_metavar = make_metavar  # type: ignore[method-assign]
        param.type = copy.copy(param.type)  # the help's type column: nothing (the name says it)
        param.type.get_metavar = lambda param, ctx: ""  # type: ignore[method-assign]
    elif isinstance(param, TyperOption) and param.metavar is None:
        param.metavar = _metavar(param)
    param._eventx_tidy = True  # type: ignore[attr-defined]
    return param


class _Group(TyperGroup):
    """The eventx command group: errors to exit codes, conventional metavars in every help screen."""

    def invoke(self, ctx: click.Context) -> Any:
        """Every EventxError below a command becomes its message and exit code here, once."""
        try:
            return super().invoke(ctx)
        except EventxError as err:
            raise fail(err) from None

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return [_tidy(p, ctx) for p in super().get_params(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None and not getattr(command, "_eventx_tidy", False):
            get_params = command.get_params
            command.get_params = lambda ctx: [_tidy(p, ctx) for p in get_params(ctx)]  # type: ignore[method-assign]
            command._eventx_tidy = True  # type: ignore[attr-defined]
        return command


app = typer.Typer(
    name="eventx",
    cls=_Group,
    help="Rule-based event extraction: YAML token patterns over news text -> a structured event log.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
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
    """Messages and summaries on stderr; like :func:`stdout_console`, never wrapped when
    stderr is not a terminal (a log file keeps whole paths)."""
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if console.is_terminal:
        return console
    return _PipedConsole(stderr=True, highlight=False, soft_wrap=True, width=PIPED_WIDTH)


PIPED_WIDTH = 1_000_000  # "never wrap": wider than any line a command prints
RULE_WIDTH = 80


class _PipedConsole(Console):
    """Stdout that is not a terminal: nothing wraps (a table row, a rule id, a path stays on
    one line, so ``grep`` and ``cut`` work), and rules (section lines) keep 80 columns."""

    def rule(self, *args, **kwargs) -> None:
        from rich.rule import Rule

        self.print(Rule(*args, **kwargs), width=RULE_WIDTH)


def stdout_console() -> Console:
    """The console for a command's output: the terminal's width on a terminal, and on a pipe
    or file one record per line, never wrapped (see :class:`_PipedConsole`)."""
    console = Console(highlight=False, soft_wrap=True)
    if console.is_terminal:
        return console
    return _PipedConsole(highlight=False, soft_wrap=True, width=PIPED_WIDTH)


_LIST = r"(?<=[=|])((?:[^\s|\]`]+\|){%d})((?:[^\s|\]`]+\|)*[^\s|\]`]+)"
_QUOTED = re.compile(r"`([^`\n]*)`")


def elide_lists(text: str, keep: int = 8, quoted: int = 200) -> str:
    """Long lists elided with a count, so that a near miss does not print a whole lexicon:
    ``[lower=a|b|c|...|z]`` with more than ``keep`` values keeps the first ``keep``
    (``[lower=a|...|h|… (+18 more)]``), and a quoted pattern longer than ``quoted``
    characters keeps its start (``…(+1234 characters)``)."""

    def shorten(match: re.Match) -> str:
        rest = match.group(2).count("|") + 1
        return f"{match.group(1)}… (+{rest} more)" if rest > 1 else match.group(0)

    def cut(match: re.Match) -> str:
        body = match.group(1)
        return match.group(0) if len(body) <= quoted else f"`{body[:quoted]}… (+{len(body) - quoted} characters)`"

    return _QUOTED.sub(cut, re.sub(_LIST % keep, shorten, text))


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


ONE_COMMAND_PROCESS = False  # set by :func:`main`: the process ends with the command


def main() -> None:
    """The ``eventx`` executable: one command, then the process ends."""
    global ONE_COMMAND_PROCESS
    ONE_COMMAND_PROCESS = True
    app()


def keep_until_exit() -> None:
    """In the ``eventx`` executable, move every object alive now (a loaded pack, a serve
    session: ~100,000 objects that live until the process ends) out of the cyclic garbage
    collector's sight (``gc.freeze``): its passes otherwise walk them again and again (a sixth
    of ``eventx explain``'s time; full collections landing on ``serve`` edits); CPython's docs
    also advise it before forking workers. Not when the app runs inside another program
    (tests, notebooks), whose garbage it would keep."""
    if ONE_COMMAND_PROCESS:
        gc.freeze()


def load_extractor(rules: Path | None, **kwargs: Any) -> Any:
    """The Extractor for ``--rules`` (default pack); rule errors reach the app's handler."""
    from eventx.api import Extractor

    if not ONE_COMMAND_PROCESS:
        return Extractor(rules, **kwargs)
    # the collector stays off until the pack is frozen: once on, its first young-generation
    # pass would walk the ~100,000 objects just unpickled (0.03 s, a tenth of `eventx explain`)
    enabled = gc.isenabled()
    gc.disable()
    try:
        extractor = Extractor(rules, **kwargs)
        keep_until_exit()
    finally:
        if enabled:
            gc.enable()
    return extractor


def _print_version(value: bool) -> None:
    if value:
        from eventx import __version__

        typer.echo(f"eventx {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_print_version, is_eager=True, help="Print the eventx version and exit."),
    ] = False,
) -> None:
    """Rule-based event extraction: YAML token patterns over news text -> a structured event log."""
