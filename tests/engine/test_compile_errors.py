"""Pattern problems are reported together, each at its file:line:col, never as a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from eventx.api import load_rules
from eventx.cli import app
from eventx.errors import RuleError

BROKEN = """\
lexicons:
  force: [troops, soldiers]
vars:
  verb: "[lemma=deploy|send]"
  loop: "${loop}"
rules:
  - id: a
    type: t
    pattern: "[lemma=send] @forcez"
  - id: b
    type: t
    pattern: |
      [lemma=send]
      ${verbb}
  - id: c
    type: t
    pattern: "[word=/(/]"
  - id: d
    type: t
    pattern: "[lemma=send]? [num]*"
  - id: e
    type: t
    pattern: "[shape=Xxxx] [num]"
  - id: f
    type: t
    pattern: "[lemma=send]=trigger [lower=to]=trigger"
  - id: g
    type: t
    pattern: "${loop} [lemma=send]"
  - id: h
    type: t
    pattern: '[lemma=send] [lower="non essential"]'
"""


def messages(tmp_path) -> list[str]:
    (tmp_path / "x.yml").write_text(BROKEN, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_rules(tmp_path)
    return [d.render().replace(str(tmp_path) + "/", "") for d in info.value.diagnostics]


def test_every_problem_is_reported_with_its_position(tmp_path):
    found = messages(tmp_path)
    expected_fragments = [
        "x.yml:9:28: error: undefined lexicon @forcez (did you mean @force?) [E211]",
        "x.yml:14:7: error: undefined variable ${verbb} (did you mean ${verb}?) [E212]",
        "x.yml:17:21: error: bad regex /(/ for word",
        "x.yml:20:15: error: no trigger",
        "x.yml:20:15: error: pattern can match the empty sequence of tokens [E207]",
        "x.yml:23:15: error: no trigger",
        "x.yml:26:36: error: more than one trigger in the pattern [E210]",
        "x.yml:5:10: error: variable cycle: loop -> loop [E213]",
        "x.yml:32:29: error: lower='non essential' can never match",
    ]
    for fragment in expected_fragments:
        assert any(line.startswith(fragment) for line in found), (fragment, found)
    assert len(found) == len(expected_fragments)


def test_cli_prints_one_line_per_problem_and_exits_2(tmp_path):
    (tmp_path / "x.yml").write_text(BROKEN, encoding="utf-8")
    doc = tmp_path / "doc.txt"
    doc.write_text("They sent troops.", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(doc), "-r", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if ": error: " in line]
    assert len(lines) == 9
    assert all(line.startswith(str(tmp_path / "x.yml") + ":") for line in lines)
