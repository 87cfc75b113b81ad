"""What ``eventx check`` reports (:class:`LintResult`), and the findings of an unchanged pack
read back from the cache (:func:`read_back`) without importing the engine: ``eventx check`` of
a pack checked before needs neither the pattern compiler nor the matcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from eventx.cache import cached_lint
from eventx.errors import Diagnostic


@dataclass(slots=True)
class LintResult:
    """What ``eventx check`` reports; ``rules``/``lexicons`` are counts (0 when loading failed)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    rules: int = 0
    lexicons: int = 0

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity == "warning" for d in self.diagnostics)

    def to_dict(self) -> dict:
        return {
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "errors": self.errors,
            "warnings": self.warnings,
        }


def given_files(path: Path) -> set[Path]:
    """The rule files named on the command line, as opposed to files they import: a lexicon of
    a shared file that the checked file does not use is not that file's problem."""
    if path.is_dir():
        return {p.resolve() for p in path.rglob("*") if p.suffix in (".yml", ".yaml")}
    return {path.resolve()}


def read_back(path: Path) -> LintResult | None:
    """What :func:`eventx.lint.lint` found in ``path`` before, if every file it read is
    unchanged (see :func:`eventx.cache.cached_lint`); None otherwise."""
    if not path.exists():
        return None
    found = cached_lint(path, sorted(str(p) for p in given_files(path)))
    if found is None:
        return None
    diagnostics, rules, lexicons = found
    return LintResult([Diagnostic(*d) for d in diagnostics], rules, lexicons)
