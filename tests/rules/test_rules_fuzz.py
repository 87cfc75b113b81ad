"""The loader never fails with anything but RuleError, whatever the file holds."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventx.errors import RuleError
from eventx.rules import load_rule_files

FRAGMENTS = [
    "imports:", "lexicons:", "vars:", "rules:", "- id:", "  - id: a", "type:", "pattern:", "priority:",
    "examples:", "- text:", "expect:", "todo:", "args:", "modality:", "norms:", "case:", "file:",
    "entries:", "common.yml", "../x.yml", "/etc/passwd", "words.txt", "[", "]", "{", "}", "- ", ": ",
    ", ", "\n", "\n  ", "\n    ", "\t", "|", ">", "'", '"', "&a", "*a", "!!str", "!!int", "!x", "~",
    "null", "yes", "0x1f", "1.5", "--- ", "...", "#", "=>", "@force", "${v}", "\\", "\u00e9", "\x00",
]
YAMLISH = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=40).map("".join)


def load_must_not_crash(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "common.yml").write_text("vars: {v: '[]'}\nlexicons: {force: [troops]}\n", encoding="utf-8")
        (root / "words.txt").write_text("a\n", encoding="utf-8")
        (root / "r.yml").write_bytes(content)
        try:
            load_rule_files(root / "r.yml")
        except RuleError as error:
            assert error.diagnostics
            for diagnostic in error.diagnostics:
                assert diagnostic.code and diagnostic.render()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_random_yamlish_text(text: str) -> None:
    load_must_not_crash(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes(content: bytes) -> None:
    load_must_not_crash(content)


@settings(max_examples=200, deadline=None)
@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8),
              st.sampled_from(["imports", "rules", "id", "type", "pattern", "expect", "args", "file"])),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["imports", "lexicons", "vars", "rules", "id",
                                                                "type", "pattern", "examples", "text", "expect",
                                                                "args", "entries", "case", "file", "norms", "x"]),
                                               children, max_size=5)),
    max_leaves=20,
))
def test_random_well_formed_documents(document: object) -> None:
    import yaml

    load_must_not_crash(yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))
