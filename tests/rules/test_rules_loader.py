"""Loading valid rule trees: model contents, positions, imports, lexicons, root confinement."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from typing import Callable

from eventx.errors import Diagnostic
from eventx.rules import Pos, load_rule_files

WriteTree = Callable[[dict[str, str]], Path]
LoadErrors = Callable[..., list[Diagnostic]]

DEPLOYMENT = """\
imports: [common.yml]
lexicons:
  force: lexicons/forces.txt
vars:
  deploy_verb: "[lemma=deploy|send]"
rules:
  - id: deployment.send-forces
    type: deployment
    priority: 2
    description: An actor sends forces somewhere.
    pattern: |
      (?<agent> @actor)? ${deploy_verb}=trigger
        []{0,3} (?<force> @force)
    norms: {agent: lexicon}
    examples:
      - text: Poland is sending extra troops.
        expect:
          - {type: deployment, args: {agent: Poland, force: extra troops}, modality: asserted}
      - text: The deployment of software.
        expect: []
        todo: true
  - id: deployment.station
    type: deployment
    modality: possible
    pattern: '[lemma=station] @force'
"""

COMMON = """\
lexicons:
  actor: [Poland => POL, "NATO", Russia => RUS]
  place: {file: lexicons/places.txt, entries: [Kabul => AFG], case: sensitive}
"""

FORCES = "# armed forces\ntroops\n  extra troops\n\nwarships   # not a comment\nTroops\n"
PLACES = "\ufeffLithuania => LTU\nLatvia=>LVA\n# Estonia => EST\n"


@pytest.fixture
def pack(write_tree: WriteTree) -> Path:
    return write_tree({"deployment.yml": DEPLOYMENT, "common.yml": COMMON,
                       "lexicons/forces.txt": FORCES, "lexicons/places.txt": PLACES})


def test_rules_carry_fields_and_positions(pack: Path) -> None:
    rule_set = load_rule_files(pack / "deployment.yml")
    first, second = rule_set.rules
    shown = (pack / "deployment.yml").as_posix()
    assert (first.id, first.type, first.priority, first.order) == ("deployment.send-forces", "deployment", 2, 0)
    assert first.description == "An actor sends forces somewhere."
    assert first.pos == Pos(shown, 7, 5) and first.file == shown
    assert first.norms == {"agent": "lexicon"} and first.modality is None
    assert (second.priority, second.modality, second.norms, second.examples, second.order) == (0, "possible", {}, (), 1)
    assert first.pattern.pos == Pos(shown, 12, 7)
    assert first.pattern.text.startswith("(?<agent> @actor)? ${deploy_verb}=trigger\n  []{0,3}")
    assert second.pattern.text == "[lemma=station] @force" and second.pattern.pos == Pos(shown, 25, 15)


def test_examples(pack: Path) -> None:
    sent, software = load_rule_files(pack / "deployment.yml").rules[0].examples
    assert sent.text == "Poland is sending extra troops."
    assert sent.expect == ({"type": "deployment", "args": {"agent": "Poland", "force": "extra troops"},
                            "modality": "asserted"},)
    assert (sent.todo, sent.pos.line, sent.pos.col) == (False, 16, 9)
    assert (software.expect, software.todo, software.pos.line) == ((), True, 19)


def test_lexicons_from_lists_files_and_mappings(pack: Path) -> None:
    rule_set = load_rule_files(pack / "deployment.yml")
    actor, place, force = (rule_set.lexicons[name] for name in ("actor", "place", "force"))
    assert [(e.phrase, e.norm) for e in actor.entries] == [("Poland", "POL"), ("NATO", None), ("Russia", "RUS")]
    assert actor.source is None and not actor.case_sensitive
    assert actor.pos == Pos((pack / "common.yml").as_posix(), 2, 3)
    assert actor.entries[1].pos.col == 27  # inside the quotes
    assert [(e.phrase, e.norm) for e in place.entries] == [("Lithuania", "LTU"), ("Latvia", "LVA"), ("Kabul", "AFG")]
    assert place.case_sensitive and place.source == (pack / "lexicons/places.txt").as_posix()
    # comment and blank lines skipped, indentation stripped, case-folded duplicate dropped with a warning
    assert [e.phrase for e in force.entries] == ["troops", "extra troops", "warships   # not a comment"]
    assert [(e.pos.line, e.pos.col) for e in force.entries] == [(2, 1), (3, 3), (5, 1)]
    [warning] = rule_set.warnings
    assert (warning.code, warning.severity, warning.line) == ("W150", "warning", 6)
    assert "first at line 2" in warning.message


def test_vars_are_source_texts(pack: Path) -> None:
    verb = load_rule_files(pack / "deployment.yml").vars["deploy_verb"]
    assert verb.text == "[lemma=deploy|send]"
    assert verb.pos == Pos((pack / "deployment.yml").as_posix(), 5, 17)
    assert verb.position(7) == Pos(verb.pos.file, 5, 24)


def test_files_version_and_display_paths(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(pack.parent)
    rule_set = load_rule_files("rules")
    assert rule_set.files == ("rules/common.yml", "rules/deployment.yml")
    assert rule_set.root == "rules"
    assert rule_set.rules[0].pattern.pos.file == "rules/deployment.yml"
    assert rule_set.lexicons["force"].entries[0].pos.file == "rules/lexicons/forces.txt"
    assert rule_set.version.startswith("sha256:") and len(rule_set.version) == 7 + 64
    # the version depends on content only, and on lexicon files too
    assert load_rule_files(pack).version == rule_set.version
    (pack / "lexicons/forces.txt").write_text(FORCES + "tanks\n", encoding="utf-8")
    assert load_rule_files("rules").version != rule_set.version


def test_directory_load_is_sorted_and_skips_test_files(write_tree: WriteTree) -> None:
    rule = "rules:\n  - {{id: {0}, type: t, pattern: '[lemma={0}]'}}\n"
    root = write_tree({"b.yml": rule.format("b"), "a/z.yaml": rule.format("z"), "a.yml": rule.format("a"),
                       "a.test.yaml": "not: [a rule file", "c.test.yml": "-", ".hidden/x.yml": "-",
                       "notes.txt": "-"})
    rule_set = load_rule_files(root)
    assert [r.id for r in rule_set.rules] == ["a", "z", "b"]  # by path string: a.yml < a/z.yaml < b.yml
    assert [r.order for r in rule_set.rules] == [0, 1, 2]


def test_imports_are_loaded_once_and_may_cycle(write_tree: WriteTree) -> None:
    root = write_tree({
        "main.yml": "imports: [shared/a.yml, shared/b.yml]\nrules: [{id: m, type: t, pattern: x}]\n",
        "shared/a.yml": "imports: [b.yml, ../main.yml]\nvars: {a: x}\n",
        "shared/b.yml": "imports: [a.yml]\nlexicons: {b: [x]}\nrules: [{id: b, type: t, pattern: x}]\n",
    })
    rule_set = load_rule_files(root / "main.yml")
    assert [Path(f).name for f in rule_set.files] == ["main.yml", "a.yml", "b.yml"]
    assert [r.id for r in rule_set.rules] == ["m", "b"]
    assert set(rule_set.vars) == {"a"} and set(rule_set.lexicons) == {"b"}


def test_explicit_root_allows_imports_above_the_file(write_tree: WriteTree, load_errors: LoadErrors) -> None:
    root = write_tree({"common.yml": "vars: {v: x}\n", "sub/r.yml": "imports: [../common.yml]\n"})
    assert set(load_rule_files(root / "sub/r.yml", root=root).vars) == {"v"}
    [error] = load_errors(root / "sub/r.yml")  # root defaults to sub/
    assert (error.code, error.line, error.col) == ("E113", 1, 11)


def test_file_outside_explicit_root(write_tree: WriteTree, load_errors: LoadErrors) -> None:
    root = write_tree({"r.yml": "vars: {v: x}\n", "inner/keep.txt": ""})
    [error] = load_errors(root / "r.yml", root=root / "inner")
    assert error.code == "E113"


def test_symlinks_escaping_the_root(tmp_path: Path, write_tree: WriteTree, load_errors: LoadErrors) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.yml").write_text("vars: {stolen: x}\n", encoding="utf-8")
    (outside / "words.txt").write_text("secret\n", encoding="utf-8")
    root = write_tree({"main.yml": "imports: [evil.yml, linked/evil.yml]\nlexicons: {w: words.txt}\n"})
    os.symlink(outside / "evil.yml", root / "evil.yml")
    os.symlink(outside, root / "linked")
    os.symlink(outside / "words.txt", root / "words.txt")
    errors = load_errors(root / "main.yml")
    assert [(e.code, e.line, e.col) for e in errors] == [("E113", 1, 11), ("E113", 1, 21), ("E113", 2, 15)]
    assert all("outside the rule root" in e.message for e in errors)
    # a directory load meets the escaping symlink as a rule file, and refuses it as well
    assert any(e.code == "E113" and "evil.yml" in e.message for e in load_errors(root))


def test_symlinks_inside_the_root_are_fine(write_tree: WriteTree) -> None:
    root = write_tree({"real/common.yml": "vars: {v: x}\n", "main.yml": "imports: [common.yml]\n"})
    os.symlink(root / "real/common.yml", root / "common.yml")
    rule_set = load_rule_files(root / "main.yml")
    assert set(rule_set.vars) == {"v"}


def test_dotdot_import_escaping_the_root(write_tree: WriteTree, load_errors: LoadErrors) -> None:
    root = write_tree({"main.yml": "imports: [../x.yml]\n"})
    (root.parent / "x.yml").write_text("vars: {v: x}\n", encoding="utf-8")
    [error] = load_errors(root / "main.yml")
    assert error.code == "E113" and "'../x.yml'" in error.message


def test_missing_path_and_empty_directory(tmp_path: Path, load_errors: LoadErrors) -> None:
    [missing] = load_errors(tmp_path / "nope")
    assert missing.code == "E112" and missing.line == 0
    [empty] = load_errors(tmp_path)
    assert empty.code == "E116"


def test_lexicon_file_that_is_not_utf8(write_tree: WriteTree, load_errors: LoadErrors) -> None:
    root = write_tree({"main.yml": "lexicons: {w: words.txt}\n"})
    (root / "words.txt").write_bytes(b"caf\xc3\xa9\nna\xefve\n")
    [error] = load_errors(root / "main.yml")
    assert (error.code, Path(error.file).name, error.line, error.col) == ("E114", "words.txt", 2, 3)


def test_empty_and_comment_only_files_are_fine(write_tree: WriteTree) -> None:
    root = write_tree({"a.yml": "", "b.yml": "# nothing yet\n", "c.yml": "---\n"})
    rule_set = load_rule_files(root)
    assert rule_set.rules == () and len(rule_set.files) == 3


def test_errors_across_files_are_reported_together(write_tree: WriteTree, load_errors: LoadErrors) -> None:
    root = write_tree({"a.yml": "rules: [{id: x, type: t}]\n", "b.yml": "rulez: []\n", "c.yml": "a: [\n"})
    assert [(Path(e.file).name, e.code) for e in load_errors(root)] == [
        ("a.yml", "E104"), ("b.yml", "E103"), ("c.yml", "E100")]
