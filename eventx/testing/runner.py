"""The regression suite behind ``eventx test`` and the pytest plugin: inline rule examples plus
golden corpora, run with one compiled pack.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from eventx.examples import ExampleResult, run_example
from eventx.golden import CaseResult, find_golden_cases, run_case, write_golden


@dataclass(slots=True)
class SuiteResult:
    examples: list[ExampleResult] = field(default_factory=list)
    cases: list[CaseResult] = field(default_factory=list)
    updated: list[CaseResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(r.status == "passed" for r in self.examples) + sum(c.passed for c in self.cases)

    @property
    def failed(self) -> int:
        return sum(r.status == "failed" for r in self.examples) + sum(not c.passed for c in self.cases)

    @property
    def todo(self) -> int:
        return sum(r.todo for r in self.examples)


def is_rule_path(path: Path) -> bool:
    if path.is_file():
        return path.suffix in (".yml", ".yaml")
    return any(path.rglob("*.yml")) or any(path.rglob("*.yaml"))


def rule_examples_under(extractor, paths: Iterable[Path]) -> list[ExampleResult]:
    """Run the examples of every rule of the pack defined in a file under ``paths``."""
    roots = [p.resolve() for p in paths]
    results = []
    for compiled in [*extractor.pack.mention_rules, *extractor.pack.rules]:
        rule = compiled.source
        file = Path(rule.file).resolve() if hasattr(rule, "file") else None
        if file is None or not any(file == root or root in file.parents for root in roots):
            continue
        for example in rule.examples:
            results.append(run_example(extractor, rule, example))
    return results


def run_suite(paths: Iterable[Path], extractor, *, update: bool = False) -> SuiteResult:
    """Examples of rules under the YAML paths, golden corpora under the others."""
    paths = [Path(p) for p in paths]
    suite = SuiteResult()
    rule_paths = [p for p in paths if is_rule_path(p) and not find_golden_cases([p])]
    corpus_paths = [p for p in paths if p not in rule_paths]
    suite.examples = rule_examples_under(extractor, rule_paths)
    for case in find_golden_cases(corpus_paths):
        result = run_case(case, extractor)
        if update and (result.diffs or result.missing_golden):
            if write_golden(result):
                suite.updated.append(result)
            result = run_case(case, extractor)
        suite.cases.append(result)
    return suite
