"""Mention rules and ``@Label`` references through the public API and the CLI."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from eventx.api import Extractor
from eventx.cli import app

runner = CliRunner()


def events(pack, text: str) -> list[dict]:
    return Extractor(pack, merge_mentions=False).extract(text)


def test_force_mention_gives_force_and_quantity_with_value(cascade_pack):
    [event] = events(cascade_pack, "Texas will deploy 1,200 Coastal Guard members to the border.")
    args = event["args"]
    assert event["type"] == "deployment"
    assert args["agent"]["text"] == "Texas" and args["agent"]["norm"] == "US-TX"
    assert args["force"]["text"] == "1,200 Coastal Guard members"
    assert args["quantity"] == {"text": "1,200", "start": 18, "end": 23, "value": 1200, "qualifier": "exact"}
    assert args["destination"]["text"] == "the border"


def test_place_mention_takes_the_norm_of_its_country(cascade_pack):
    [event] = events(cascade_pack, "Poland has amassed over 40,000 soldiers on Lithuania's northern border.")
    args = event["args"]
    assert args["quantity"]["value"] == 40000 and args["quantity"]["qualifier"] == "at_least"
    assert args["destination"]["text"] == "Lithuania's northern border"
    assert args["destination"]["norm"] == "LTU"


def test_an_event_rule_that_captures_the_role_itself_wins_over_the_part(make_pack):
    pack = make_pack({"r.yml": """\
        mentions:
          - id: force.np
            label: Force
            pattern: "(?<quantity> [num])? [lower=troops]"
        rules:
          - id: d
            type: deployment
            pattern: "(?<quantity> [lower=some]) [lemma=send]=trigger (?<force> @Force)"
        """})
    [event] = events(pack, "some sent 200 troops")
    assert event["args"]["quantity"]["text"] == "some"
    assert event["args"]["force"]["text"] == "200 troops"


def test_label_reference_backtracks_to_a_shorter_mention(make_pack):
    # the longest Force is "troops home troops"? no: mentions end at a force word; the rule needs
    # a following "home", so it must take the shorter mention
    pack = make_pack({"r.yml": """\
        mentions:
          - id: force.np
            label: Force
            pattern: "[lower=elite]? [lower=troops] ([lower=and] [lower=troops])?"
        rules:
          - id: d
            type: deployment
            pattern: "[lemma=send]=trigger (?<force> @Force) [lower=and]"
        """})
    [event] = events(pack, "they sent elite troops and tanks")
    assert event["args"]["force"]["text"] == "elite troops"


def test_mentions_api_lists_every_label_with_parts_and_layer(cascade_pack):
    found = Extractor(cascade_pack).mentions("Freedonia will send 500 Lancer troops to the border.")
    longest = {(m["label"], m["text"]) for m in found}
    assert ("Force", "500 Lancer troops") in longest
    assert ("Quantity", "500") in longest
    assert ("Place", "the border") in longest
    force = next(m for m in found if m["text"] == "500 Lancer troops")
    assert force["parts"]["quantity"]["text"] == "500"
    assert force["layer"] == 2 and force["rule"] == "force.np"


def test_no_mention_no_event(cascade_pack):
    assert events(cascade_pack, "Sylvania will send a letter to the border.") == []


def test_mention_examples_run_in_eventx_test(cascade_pack):
    result = runner.invoke(app, ["test", "-r", str(cascade_pack), str(cascade_pack)])
    assert result.exit_code == 0, result.output
    assert "7 passed" in result.output


def test_a_failing_mention_example_is_reported(cascade_pack):
    layers = cascade_pack / "layers.yml"
    layers.write_text(layers.read_text().replace('text: "40 Coastal Rifle members"', 'text: "Coastal Rifle members"'))
    result = runner.invoke(app, ["test", "-r", str(cascade_pack), str(cascade_pack)])
    assert result.exit_code == 1
    assert "expected Force 'Coastal Rifle members'" in result.output
    assert "40 Coastal Rifle members" in result.output


def test_explain_shows_mentions_by_layer(cascade_pack):
    result = runner.invoke(app, ["explain", "-r", str(cascade_pack), "Texas will deploy 1,200 Coastal Guard members."])
    assert result.exit_code == 0, result.output
    assert "mentions, layer 1:" in result.output and "mentions, layer 2:" in result.output
    assert "@Force '1,200 Coastal Guard members'" in result.output
    assert "parts: quantity='1,200'" in result.output


def test_explain_json_has_layers_and_mention_near_misses(cascade_pack):
    result = runner.invoke(app, ["explain", "-r", str(cascade_pack), "--json", "Texas will deploy the convoy."])
    assert result.exit_code == 0, result.output
    [sentence] = json.loads(result.output)["sentences"]
    assert [m["label"] for m in sentence["layers"]] == ["Place"]
    missed = {m["rule"]: m["message"] for m in sentence["near_misses"]}
    assert "finds no Force mention" in missed["force.np"]
    assert "finds no Quantity mention" in missed["quantity.number"]


def test_explain_rule_option_takes_a_mention_rule(cascade_pack):
    result = runner.invoke(app, ["explain", "-r", str(cascade_pack), "--rule", "force.np", "They sent tanks."])
    assert result.exit_code == 0, result.output
    assert "force.np: finds no Force mention" in result.output


def test_check_warns_about_unused_labels(make_pack):
    pack = make_pack({"r.yml": """\
        mentions:
          - id: unit.np
            label: Unit
            pattern: "[lower=brigade]"
            examples:
              - {text: a brigade, expect: [{label: Unit, text: brigade}]}
        rules:
          - id: d
            type: deployment
            pattern: "[lemma=send]=trigger [lower=troops]"
            examples:
              - {text: they send troops, expect: [{type: deployment}]}
              - {text: they send tanks, expect: []}
        """})
    result = runner.invoke(app, ["check", str(pack)])
    assert "r.yml:2:5: warning: mention label @Unit is never used [W411]" in result.output


def test_the_json_schema_accepts_mention_sections():
    import pytest
    import yaml

    from eventx.rules.schema import rule_file_json_schema
    from tests.cascade.conftest import EVENTS, LAYERS

    jsonschema = pytest.importorskip("jsonschema")
    for text in (LAYERS, EVENTS):
        jsonschema.validate(yaml.safe_load(text), rule_file_json_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"mentions": [{"id": "f", "label": "force", "pattern": "[]"}]}, rule_file_json_schema())
