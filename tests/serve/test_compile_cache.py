"""compile_rules with a CompileCache (what `eventx serve` does after every edit) gives the same
pack as compiling from scratch: the same events on a corpus, the same used vars and lexicons,
while compiling only the rules that changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eventx.api import Extractor
from eventx.io.readers import iter_corpus
from eventx.rules.compile import CompileCache, compile_rules
from eventx.rules.loader import load_rule_files
from eventx.text.model import Document

ROOT = Path(__file__).resolve().parents[2]
DOCS = [d for d in iter_corpus([str(ROOT / "corpora")]) if isinstance(d, Document)]


def _events(pack) -> list[dict]:
    extractor = Extractor(pack)
    return [e for doc in DOCS for e in extractor.extract(doc)]


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cache") / "rules"
    shutil.copytree(ROOT / "rules", folder)
    return folder


EDITS = {
    "a word in one rule": ("deployment.yml", "[lemma=send|dispatch|rush|airlift|", "[lemma=dispatch|rush|airlift|"),
    "a shared var": ("deployment.yml", 'verb_not_noun: "(?<! [lower=the|a|an|its|', 'verb_not_noun: "(?<! [lower=the|an|its|'),
    "a new token test": ("deployment.yml", "[lemma=send|dispatch|rush|airlift|", "[lemma=send|dispatch|rush|airlift|zqqx|"),
    # a var of the mention layers: the labels it shapes are used by event rules that never expand it
    "a mention rules' var": ("layers/force.yml", "| [lower=@military_modifiers|@force_determiner]",
                             "| [lower=@military_modifiers|@force_determiner|zqqy]"),
    # inside a mention, away from its edges: the label looks the same to event rules
    "a mention rule": ("layers/force.yml", "[lower=,]? [lower=and|plus] (?: @Quantity", "[lower=,]? [lower=and|plus|zqqz] (?: @Quantity"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_cached_compile_equals_a_fresh_one(rules: Path, edit: str) -> None:
    cache = CompileCache()
    compile_rules(load_rule_files(rules), cache=cache)  # the saved pack
    name, old, new = EDITS[edit]
    target = rules / name
    original = target.read_text()
    assert old in original
    try:
        target.write_text(original.replace(old, new, 1))
        ruleset = load_rule_files(rules)
        kept = {k: v[0] for rules in cache.contexts.values() for k, v in rules.items()}
        cached = compile_rules(ruleset, cache=cache)
        fresh = compile_rules(ruleset)
        # compiled afresh with the same token atoms: the very same patterns, whatever was reused
        same_atoms = compile_rules(ruleset, cache=CompileCache(atoms=cache.atoms))
    finally:
        target.write_text(original)
    old_patterns = {id(v[0]) for v in kept.values()}
    recompiled = [r.id for r in cached.rules if id(r.pattern) not in old_patterns]
    if edit == "a shared var":  # the rules that expand it (through other vars too), no other
        users = [rule.source.id for rule in cached.rules
                 if "verb_not_noun" in kept[(rule.source.pattern.text, tuple(t.text for t in rule.source.unless),
                                             rule.source.file)][2]]
        assert recompiled == users and 0 < len(users) < len(cached.rules)
    elif edit == "a mention rule":
        assert recompiled == []
    elif edit == "a mention rules' var":
        # a new word where a Force mention may start changes the label's first flags: every rule again
        assert len(recompiled) == len(cached.rules)
    else:
        assert recompiled == ["deployment.reduced-passive"]
    assert [(r.pattern, r.unless) for r in cached.rules] == [(r.pattern, r.unless) for r in same_atoms.rules]
    assert [m.pattern for m in cached.mention_rules] == [m.pattern for m in same_atoms.mention_rules]
    assert cached.used_vars == fresh.used_vars and cached.used_lexicons == fresh.used_lexicons
    assert [r.id for r in cached.rules] == [r.id for r in fresh.rules]
    assert _events(cached) == _events(fresh)
    # undoing the edit finds the saved pack's rules again, even after an edit of a var
    undone = compile_rules(load_rule_files(rules), cache=cache)
    assert {id(r.pattern) for r in undone.rules} <= old_patterns


def test_a_removed_rule_takes_its_vars_with_it(tmp_path: Path) -> None:
    """Per-rule usage is complete even when another rule expanded a var first."""
    (tmp_path / "r.yml").write_text(
        "lexicons:\n  forces: [troops]\nvars:\n  inner: '@forces'\n  outer: '${inner}'\n"
        "rules:\n"
        "  - {id: a, type: t, pattern: '[lemma=send]=trigger ${outer}'}\n"
        "  - {id: b, type: t, pattern: '[lemma=move]=trigger ${outer}'}\n"
    )
    cache = CompileCache()
    compile_rules(load_rule_files(tmp_path), cache=cache)
    text = (tmp_path / "r.yml").read_text()
    (tmp_path / "r.yml").write_text(text.replace("  - {id: a, type: t, pattern: '[lemma=send]=trigger ${outer}'}\n", ""))
    pack = compile_rules(load_rule_files(tmp_path), cache=cache)
    assert pack.used_vars == {"outer", "inner"} and pack.used_lexicons == {"forces"}


CASCADE = """\
mentions:
  - id: force.np
    label: Force
    pattern: "(?<quantity> [num])? [lower=elite]? [lower=troops|soldiers]"
rules:
  - id: d
    type: deployment
    pattern: "[lemma=send]=trigger (?<force> @Force)"
  - id: e
    type: evacuation_order
    pattern: "[lemma=order]=trigger [lower=the]? [lemma=evacuation]"
"""


@pytest.mark.parametrize(("old", "new"), [
    ("[lemma=order]=trigger", "[lemma=order|tell]=trigger"),  # an event rule: only it again
    ("[lower=troops|soldiers]", "[lower=troops|soldiers|marines]"),  # a mention rule: all again
])
def test_cached_compile_with_mention_rules(tmp_path: Path, old: str, new: str) -> None:
    texts = ["Rome will send 300 elite troops.", "They sent marines.", "He ordered the evacuation."]
    (tmp_path / "r.yml").write_text(CASCADE)
    cache = CompileCache()
    compile_rules(load_rule_files(tmp_path), cache=cache)
    (tmp_path / "r.yml").write_text(CASCADE.replace(old, new))
    ruleset = load_rule_files(tmp_path)
    cached, fresh = compile_rules(ruleset, cache=cache), compile_rules(ruleset)
    assert [Extractor(cached).extract(t) for t in texts] == [Extractor(fresh).extract(t) for t in texts]
    assert cached.used_lexicons == fresh.used_lexicons and cached.used_vars == fresh.used_vars
    assert bool(Extractor(cached).extract("They sent marines.")) == ("marines" in new)  # the edit took


VAR_CASCADE = """\
vars:
  troop_word: "[lower=troops|soldiers]"
  send: "[lemma=send]"
mentions:
  - id: force.np
    label: Force
    pattern: "(?<quantity> [num])? ${troop_word}"
rules:
  - id: d
    type: deployment
    pattern: "${send}=trigger (?<force> @Force)"
  - id: e
    type: evacuation_order
    pattern: "[lemma=order]=trigger [lower=the]? [lemma=evacuation]"
"""


@pytest.mark.parametrize(("old", "new", "again"), [
    ('troop_word: "[lower=troops|soldiers]"', 'troop_word: "[lower=troops|soldiers|marines]"', ["d", "e"]),  # labels
    ('send: "[lemma=send]"', 'send: "[lemma=send|ship]"', ["d"]),  # only the rule expanding it
])
def test_an_edited_var_compiles_the_rules_it_can_change(tmp_path: Path, old: str, new: str, again: list[str]) -> None:
    texts = ["Rome will send 300 troops.", "They sent marines.", "They shipped soldiers.", "He ordered the evacuation."]
    (tmp_path / "r.yml").write_text(VAR_CASCADE)
    cache = CompileCache()
    before = compile_rules(load_rule_files(tmp_path), cache=cache)
    (tmp_path / "r.yml").write_text(VAR_CASCADE.replace(old, new))
    ruleset = load_rule_files(tmp_path)
    cached, fresh = compile_rules(ruleset, cache=cache), compile_rules(ruleset)
    assert [Extractor(cached).extract(t) for t in texts] == [Extractor(fresh).extract(t) for t in texts]
    assert [Extractor(cached).extract(t) for t in texts] != [Extractor(before).extract(t) for t in texts]
    kept = {id(r.pattern) for r in before.rules}
    assert [r.id for r in cached.rules if id(r.pattern) not in kept] == again
