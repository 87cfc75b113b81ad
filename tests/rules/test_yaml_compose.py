"""libyaml composes rule files only where it gives exactly what pyyaml's Python composer gives."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventx.rules import yamlpos
from eventx.rules.yamlpos import YamlSource

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "rules").glob("*.yml")) + sorted((REPO / "tests" / "rules_bad").glob("*.y*ml"))


def _tree(node, seen=None):
    """Everything of a node tree the loader reads: tags, values, scalar styles and marks."""
    seen = {} if seen is None else seen
    if node is None:
        return None
    if id(node) in seen:
        return ("alias", seen[id(node)])
    seen[id(node)] = len(seen)
    mark = (node.start_mark.index, node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        end = (node.end_mark.index, node.end_mark.line, node.end_mark.column)
        return ("scalar", node.tag, node.value, node.style or "", mark, end)
    if isinstance(node, yaml.MappingNode):
        return ("map", node.tag, mark, [(_tree(k, seen), _tree(v, seen)) for k, v in node.value])
    return ("seq", node.tag, mark, [_tree(item, seen) for item in node.value])


def _compose_both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple:
    fast = YamlSource("r.yml", text).compose()
    with monkeypatch.context() as patch:
        patch.setattr(yamlpos, "_compose_fast", lambda text: yamlpos._SLOW)
        slow = YamlSource("r.yml", text).compose()
    return (_tree(fast[0]), [str(d) for d in fast[1]]), (_tree(slow[0]), [str(d) for d in slow[1]])


@pytest.mark.parametrize("text", [
    "lexicons:\n  forces: [troops, police offic?ers]\n",  # pyyaml: '?' ends a flow plain scalar
    "rules: [{id: a, args: }]\n",  # an empty value in a flow mapping: placed differently
    "!\n", "a: !x b\n", "a: &x !!str b\n",  # explicit tags
    "a: |#\n  b\n", "a: >#\n",  # block scalar header directly followed by '#'
    "a: \tb\n", "a: b\r\n", "a: b\u2028c: d\n", "a: \ufeffb\n", "a: b",  # left to pyyaml
    "rules:\n  - id: a\n    pattern: |\n      [lemma=deploy]=trigger\n      (?<force> @force)\n",
])
def test_corner_cases_compose_alike(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _compose_both(text, monkeypatch)
    assert fast == slow


def test_shipped_rule_files_take_the_fast_path() -> None:
    for path in sorted((REPO / "rules").glob("*.yml")):
        assert yamlpos._compose_fast(path.read_text(encoding="utf-8")) is not yamlpos._SLOW, path


_INSERTS = list(" \n-:#|>'\"[]{},&*!?%@\\é") + ["  ", "\n  ", ": ", "- ", "!!int ", "|#", "&a ", "*a", "\t"]


@st.composite
def _mutated_rule_file(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SAMPLES)).read_text(encoding="utf-8", errors="replace")
    lines = text.split("\n")
    first = draw(st.integers(0, len(lines) - 1))
    text = "\n".join(lines[first : first + draw(st.integers(1, 30))]) + "\n"
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(_INSERTS)) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 3)) :]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_mutated_rule_file())
def test_mutated_rule_files_compose_alike(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    fast, slow = _compose_both(text, monkeypatch)
    assert fast == slow
