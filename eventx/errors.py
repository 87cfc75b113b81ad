"""Error types and the catalogue of diagnostic codes.

Every problem a user can cause (a broken rule file, an unreadable document, a bad option)
is reported as a :class:`Diagnostic` that names the place (file:line:col or document) and
what is wrong. Library code raises :class:`EventxError` subclasses; the CLI turns them into
messages and exit codes at the edge, never into tracebacks.

Every code (E1xx loading, E2xx compiling, E3xx running, W4xx lint) is catalogued, with its
message template, in :mod:`eventx.codes` and documented in ``docs/errors.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from eventx import codes


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem at one place. ``line``/``col`` are 1-based; 0 means unknown."""

    file: str
    line: int
    col: int
    message: str
    code: str = ""
    severity: str = "error"  # "error" | "warning"

    def render(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        suffix = f" [{self.code}]" if self.code else ""
        return f"{where}: {self.severity}: {self.message}{suffix}"

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


class EventxError(Exception):
    """Base class of every error eventx reports to users.

    ``code`` is its catalogue code (``""`` for errors that carry diagnostics with their own).
    """

    exit_code = 2
    code = ""


class RuleError(EventxError):
    """One or more problems in rule files; carries every diagnostic found, not just the first."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.file, d.line, d.col, d.message))
        super().__init__("\n".join(d.render() for d in self.diagnostics))


class InputError(EventxError):
    """An input (corpus file, event log, option value) that cannot be used at all."""

    code = codes.BAD_INPUT


def did_you_mean(name: str, candidates: Iterable[str], fmt: str = "{}") -> str:
    """Return ' (did you mean X?)' for the closest candidate, or '' when none is close.

    ``fmt`` renders the suggestion the way the user writes it: "@{}" for a lexicon,
    "${{{}}}" for a var, "'{}'" for a YAML key.
    """
    import difflib

    best = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean {fmt.format(best[0])}?)" if best else ""


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (ESC sequences that clear the
    screen or set the title, bidirectional overrides) become ``\\x1b``-style escapes.
    Newlines and tabs are kept."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
