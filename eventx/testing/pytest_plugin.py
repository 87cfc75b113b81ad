"""pytest plugin: inline rule examples and golden corpora as test items.

Registered through the ``pytest11`` entry point, and active only in projects that name
their rules and corpora in the pytest configuration, so installing eventx does not make
pytest collect unrelated YAML files elsewhere::

    [tool.pytest.ini_options]
    testpaths = ["tests", "rules", "corpora"]
    eventx_rules = "rules"          # the pack: every example of every rule in it is an item
    eventx_corpora = ["corpora"]    # every docs/ file with a golden log is an item

Failures show the rule file and line and the same semantic diff as ``eventx test``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eventx.errors import EventxError, RuleError
from eventx.examples import run_example
from eventx.golden import find_golden_cases, render_diff, run_case

_EXTRACTOR = pytest.StashKey[object]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("eventx_rules", "eventx rule pack whose examples are collected as tests", default="")
    parser.addini("eventx_corpora", "folders of golden corpora collected as tests", type="paths", default=[])


def _rules_root(config: pytest.Config) -> Path | None:
    value = config.getini("eventx_rules")
    return (config.rootpath / value).resolve() if value else None


def _extractor(config: pytest.Config):
    if _EXTRACTOR not in config.stash:
        from eventx.api import Extractor

        root = _rules_root(config)
        try:
            config.stash[_EXTRACTOR] = Extractor(root)
        except EventxError as err:
            config.stash[_EXTRACTOR] = err
    value = config.stash[_EXTRACTOR]
    if isinstance(value, EventxError):
        raise _PackError(value)
    return value


class _PackError(Exception):
    def __init__(self, error: EventxError):
        self.error = error
        lines = [d.render() for d in error.diagnostics] if isinstance(error, RuleError) else [str(error)]
        super().__init__("\n".join(lines))


def _under(path: Path, root: Path) -> bool:
    path = path.resolve()
    return path == root or root in path.parents


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    config = parent.config
    rules_root = _rules_root(config)
    if rules_root and file_path.suffix in (".yml", ".yaml") and _under(file_path, rules_root):
        return RuleExamplesFile.from_parent(parent, path=file_path)
    for corpus in config.getini("eventx_corpora"):
        if _under(file_path, Path(corpus).resolve()):
            cases = find_golden_cases([file_path])
            if cases:
                return GoldenFile.from_parent(parent, path=file_path)
    return None


class RuleExamplesFile(pytest.File):
    def collect(self):
        try:
            extractor = _extractor(self.config)
        except _PackError as err:
            raise self.CollectError(str(err)) from None
        me = self.path.resolve()
        for compiled in [*extractor.pack.mention_rules, *extractor.pack.rules]:
            rule = compiled.source
            if Path(rule.file).resolve() != me:
                continue
            for number, example in enumerate(rule.examples, 1):
                yield RuleExampleItem.from_parent(self, name=f"{rule.id}[{number}]", rule=rule, example=example)


class RuleExampleItem(pytest.Item):
    def __init__(self, *, rule, example, **kwargs):
        super().__init__(**kwargs)
        self.rule = rule
        self.example = example
        if example.todo:
            self.add_marker(pytest.mark.xfail(reason="todo: known miss", strict=False))

    def runtest(self) -> None:
        result = run_example(_extractor(self.config), self.rule, self.example)
        if not result.passed:
            raise ExampleFailure(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ExampleFailure):
            result = excinfo.value.result
            lines = [f"{result.file}:{result.line}: example of {result.rule_id} failed", f"  text: {result.text}"]
            lines += [f"  {problem}" for problem in result.problems]
            return "\n".join(lines)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.example.pos.line - 1, f"example of {self.rule.id}"


class ExampleFailure(Exception):
    def __init__(self, result):
        super().__init__(result.problems)
        self.result = result


def _update_command(config: pytest.Config, path: Path) -> str:
    """``eventx test -r RULES --update PATH``: with the pack this plugin runs (``eventx_rules``),
    so that following the hint regenerates the golden log with the same rules."""
    import shlex

    root = _rules_root(config)
    rules = ["-r", str(root)] if root is not None else []
    return shlex.join(["eventx", "test", *rules, "--update", str(path)])


class GoldenFile(pytest.File):
    def collect(self):
        for case in find_golden_cases([self.path]):
            yield GoldenItem.from_parent(self, name="golden", case=case)


class GoldenItem(pytest.Item):
    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        try:
            extractor = _extractor(self.config)
        except _PackError as err:
            raise GoldenFailure([str(err)]) from None
        try:
            result = run_case(self.case, extractor)
        except EventxError as err:  # a corrupt golden file: its file and line, no traceback
            raise GoldenFailure([str(err)]) from None
        if result.missing_golden:
            raise GoldenFailure([f"no golden file {result.case.golden}: create it with `{_update_command(self.config, self.path)}`"])
        if not result.passed:
            lines = [f"{self.case.golden}: events differ from the golden log"]
            lines += result.problems
            for diff in result.diffs:
                lines += [line for line, _style in render_diff(diff)]
            lines.append(f"accept the new output with: {_update_command(self.config, self.path)}")
            raise GoldenFailure(lines)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, GoldenFailure):
            return "\n".join(excinfo.value.lines)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"golden {self.case.golden.name}"


class GoldenFailure(Exception):
    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines
