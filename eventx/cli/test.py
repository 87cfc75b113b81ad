"""``eventx test``: inline rule examples and golden corpora, with an --update workflow."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from eventx.cli.app import DIFF_STYLES, RulesOption, app, load_extractor, stdout_console
from eventx.errors import InputError


@app.command()
def test(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Rule files/dirs (their examples) and corpora (their golden logs). Default: the rule pack and corpora/.", show_default=False)] = None,
    rules: RulesOption = None,
    update: Annotated[bool, typer.Option("--update", help="Rewrite golden files that changed (or are missing) and show what changed.")] = False,
) -> None:
    """Run rule examples and golden-file regression tests; exit 1 on failures.

    Example: eventx test corpora/sample --update
    """
    from eventx.api import default_rules_path
    from eventx.golden import find_golden_cases, render_diff
    from eventx.testing.runner import is_rule_path, run_suite

    if rules is None and paths:
        # `eventx test my_rules/`: test that pack, not the shipped one (which holds none of its rules)
        shipped = default_rules_path().resolve()
        outside = [p for p in paths if p.exists() and is_rule_path(p) and not find_golden_cases([p])
                   and shipped not in (p.resolve(), *p.resolve().parents)]
        if len(outside) == 1:
            rules = outside[0]
    extractor = load_extractor(rules)
    if not paths:
        paths = [Path(rules) if rules else default_rules_path(), Path("corpora")]
        paths = [p for p in paths if p.exists()]
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
    suite = run_suite(paths, extractor, update=update)
    out = stdout_console()  # never break file:line lines

    for result in suite.examples:
        if result.status == "failed":
            out.print(f"FAIL {result.file}:{result.line}: example of {result.rule_id}", style="red", markup=False)
            out.print(f"  text: {result.text}", markup=False)
            for problem in result.problems:
                out.print(f"  {problem}", markup=False)
    for updated in suite.updated:
        out.print(f"updated {updated.case.golden}", style="yellow", markup=False)
        for diff in updated.diffs:
            for line, style in render_diff(diff):
                out.print(line, style=DIFF_STYLES[style], markup=False)
        if updated.missing_golden:
            out.print(f"  created with {len(updated.actual)} event(s)", markup=False)
    for case in suite.cases:
        if case.passed:
            continue
        if case.missing_golden:
            out.print(f"FAIL {case.case.input}: no golden file {case.case.golden} (create it with --update)", style="red", markup=False)
            continue
        out.print(f"FAIL {case.case.input}: events differ from {case.case.golden}", style="red", markup=False)
        for problem in case.problems:
            out.print(f"  {problem}", markup=False)
        for diff in case.diffs:
            for line, style in render_diff(diff):
                out.print(line, style=DIFF_STYLES[style], markup=False)

    todo = [r for r in suite.examples if r.todo]
    if todo:
        out.print(f"{len(todo)} known miss(es) marked todo:", style="yellow", markup=False)
        for result in todo:
            state = "now passes: remove todo" if result.passed else "still missed"
            out.print(f"  {result.file}:{result.line}: {result.rule_id}: {state}", markup=False)
    summary = f"{suite.passed} passed, {suite.failed} failed"
    if suite.todo:
        summary += f", {suite.todo} todo"
    out.print(summary, markup=False)
    if suite.failed:
        raise typer.Exit(1)
