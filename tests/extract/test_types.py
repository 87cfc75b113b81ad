"""The ``types:`` section of a rule pack: role kinds and the merge policy, through the API and CLI."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eventx.api import Extractor
from eventx.cli import app
from eventx.errors import RuleError
from eventx.extract.mentions import merge_mentions
from eventx.text.model import Document

runner = CliRunner()

ATTACKS = """\
rules:
  - id: attack.by
    type: attack
    pattern: "(?<perpetrator> [shape=Xxxxx]) [lemma=attack]=trigger (?<count> [num])? [lower=villages]?"
"""


def pack(tmp_path: Path, rules: str, types: str = "") -> Extractor:
    (tmp_path / "rules.yml").write_text(textwrap.dedent(rules) + textwrap.dedent(types), encoding="utf-8")
    return Extractor(tmp_path / "rules.yml")


def test_a_pack_that_declares_nothing_gets_one_record_per_match(tmp_path: Path) -> None:
    rules = "rules:\n  - id: n\n    type: number\n    pattern: '[lower=zero|one|two]=trigger'\n"
    assert len(pack(tmp_path, rules).extract("zero one two")) == 3
    merging = pack(tmp_path, rules, "types:\n  number: {merge: true}\n")
    (event,) = merging.extract("zero one two")  # bare mentions in one sentence: one event
    assert [m["trigger"]["text"] for m in event["mentions"]] == ["one", "two"]


def test_role_kinds_choose_the_normaliser(tmp_path: Path) -> None:
    text = "Rebels attacked 12 villages."
    (undeclared,) = pack(tmp_path, ATTACKS).extract(text)
    assert "value" not in undeclared["args"]["count"]
    declared = pack(tmp_path, ATTACKS, "types:\n  attack:\n    roles: {perpetrator: actor, count: quantity}\n")
    (event,) = declared.extract(text)
    assert (event["args"]["count"]["value"], event["args"]["count"]["qualifier"]) == (12, "exact")


def test_an_actor_role_of_any_name_ties_and_separates_mentions(tmp_path: Path) -> None:
    two_actors = "Rebels attacked. Soldiers attacked."
    same_actor = "Rebels attacked. Rebels attacked again."
    # a role the pack does not declare is nothing to the merge: two bare mentions of one event word
    merged = pack(tmp_path, ATTACKS, "types:\n  attack: {merge: true}\n")
    assert len(merged.extract(two_actors)) == 1
    actors = pack(tmp_path, ATTACKS, "types:\n  attack:\n    merge: true\n    roles: {perpetrator: actor}\n")
    assert len(actors.extract(two_actors)) == 2  # two different actors: two events
    assert len(actors.extract(same_actor)) == 1  # the same actor ties them


def test_ties_limit_which_roles_tie_two_mentions(tmp_path: Path) -> None:
    text = "Rebels attacked 12 villages. Rebels attacked 12 villages."
    types = "types:\n  attack:\n    merge: true\n    roles: {perpetrator: actor, count: quantity}\n"
    assert len(pack(tmp_path, ATTACKS, types).extract(text)) == 1
    # the count alone ties nothing once ties name only a role the mentions lack
    only = types + "    ties: [place]\n"
    assert len(pack(tmp_path, ATTACKS, only).extract(text)) == 2


def test_generic_force_words_never_keep_two_mentions_apart(tmp_path: Path) -> None:
    rules = """\
    rules:
      - id: d
        type: deployment
        pattern: "(?<agent> [shape=Xxxxx]) [lemma=send]=trigger (?<force> [lower=more]? [lower=troops|frigates|soldiers])"
    """
    text = "Spain sent frigates. Spain sent more troops."
    kinds = "types:\n  deployment:\n    merge: true\n    roles: {agent: actor, force: force}\n"
    assert len(pack(tmp_path, rules, kinds).extract(text)) == 2  # "frigate" / "troop": two kinds of force
    generic = kinds + "    generic: [troop, soldier]\n"
    assert len(pack(tmp_path, rules, generic).extract(text)) == 1


def test_the_shipped_pack_declares_every_role_its_rules_capture() -> None:
    extractor = Extractor()
    ruleset = extractor.pack.ruleset
    for rule in extractor.pack.rules:
        decl = ruleset.types.get(rule.type)
        assert decl is not None and decl.merge, rule.type
        assert set(rule.pattern.arg_names) <= decl.roles.keys(), (rule.id, set(rule.pattern.arg_names) - decl.roles.keys())


def test_type_declarations_are_validated(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("types:\n  attack:\n    roles: {perpetrator: villain}\n    merge: yes please\n", encoding="utf-8")
    (tmp_path / "b.yml").write_text("types:\n  attack: {merge: true}\n", encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        Extractor(tmp_path)
    rendered = str(caught.value).replace(f"{tmp_path}/", "")
    assert "a.yml:3:26: error: role 'perpetrator' must be one of actor, party, force, place, topic, quantity, date, label, other, got 'villain' [E108]" in rendered
    assert "a.yml:4:12: error: 'merge' must be a boolean (true/false), got string [E105]" in rendered
    assert "b.yml:2:3: error: duplicate event type 'attack' (first defined at a.yml:2:3) [E111]" in rendered


def test_the_editor_schema_describes_types() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    types = json.loads(result.stdout)["properties"]["types"]
    kinds = types["additionalProperties"]["properties"]["roles"]["additionalProperties"]["enum"]
    assert kinds == ["actor", "party", "force", "place", "topic", "quantity", "date", "label", "other"]


def test_merging_stops_at_its_deadline() -> None:
    extractor = Extractor()
    doc = Document("d", "Poland sent troops to Lithuania. " * 40)
    separate = Extractor(extractor.pack, merge_mentions=False).extract(doc)
    assert len(separate) == 40
    assert len(merge_mentions(separate, types=extractor.pack.ruleset.type_decl)) == 1
    with pytest.raises(TimeoutError):
        merge_mentions(separate, types=extractor.pack.ruleset.type_decl, deadline=time.monotonic() - 1)


REPORTED = """\
lexicons:
  country: [Norway => NOR, Sweden => SWE, Norwegian => NOR, Swedish => SWE]
mentions:
  - id: actor.country
    label: Actor
    pattern: "@country"
    examples:
      - text: Norway said so.
        expect: [{label: Actor, text: Norway}]
rules:
  - id: d.passive
    type: deployment
    pattern: "(?<force> @country? [lower=troops]) [lower=were] [lower=sent]=trigger ( [lower=by] (?<agent> @Actor) )?"
"""


def test_reported_actor_gives_an_actorless_event_the_actor_that_reports_it(tmp_path: Path) -> None:
    roles = "types:\n  deployment:\n    roles: {agent: actor, force: force}\n"
    text = "Norway said Norwegian troops were sent."
    (plain,) = pack(tmp_path, REPORTED, roles).extract(text)
    assert "agent" not in plain["args"] and plain["attribution"]["text"] == "Norway"
    declared = pack(tmp_path, REPORTED, roles + "    reported_actor: true\n")
    (event,) = declared.extract(text)
    assert (event["args"]["agent"]["text"], event["args"]["agent"].get("norm")) == ("Norway", "NOR")
    # the reporter's party differs from the force's: someone else's deployment
    (other,) = declared.extract("Norway said Swedish troops were sent.")
    assert "agent" not in other["args"]
