"""A small cascaded pack (Quantity, Force on @Quantity, Place; an event rule on them) in files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.conftest import make_pack  # noqa: F401  (a fixture: rule files under tmp_path)

LAYERS = """\
lexicons:
  force_head: [troops, soldiers, members, personnel, marines]
  number_word: [hundreds, thousands, dozens]
  country: ["Texas => US-TX", "Poland => POL", "Lithuania => LTU", "Freedonia => FRE", "Sylvania => SYL"]
mentions:
  - id: quantity.number
    label: Quantity
    pattern: "([lower=more|over|about|some] [lower=than]?)? ([num] | [lower=@number_word])"
    examples:
      - text: more than 300 tents
        expect: [{label: Quantity, text: "more than 300"}]
  - id: force.np
    label: Force
    description: A noun phrase headed by a force noun.
    pattern: "(?<quantity> @Quantity)? [lower=of]? [shape=/X.*/ & !lower=@force_head]{0,3} [lower=@force_head]"
    examples:
      - text: Freedonia sent 40 Coastal Rifle members home.
        expect: [{label: Force, text: "40 Coastal Rifle members"}]
      - text: The new software was rolled out.
        expect: []
  - id: place.country
    label: Place
    pattern: "@country ([lower='s] [lower=northern|southern|eastern|western]? [lower=border])?"
    examples:
      - text: near Sylvania's western border
        expect: [{label: Place, text: "Sylvania's western border"}]
  - id: place.the-border
    label: Place
    pattern: "[lower=the] [lower=border]"
    examples:
      - text: They went to the border.
        expect: [{label: Place, text: "the border"}]
"""

EVENTS = """\
imports: [layers.yml]
lexicons:
  send_verb: [deploy, send, dispatch, amass, rush]
types:
  deployment:
    roles: {agent: actor, force: force, quantity: quantity, destination: place}
rules:
  - id: deployment.send
    type: deployment
    description: An actor sends a force to a place.
    pattern: "(?<agent> @country)? [lower=will|has|is]? [lemma=@send_verb]=trigger (?<force> @Force) ( [lower=to|into|on] (?<destination> @Place) )?"
    examples:
      - text: Sylvania will send 300 Mountain Guard soldiers to the border.
        expect: [{type: deployment, args: {agent: Sylvania, force: "300 Mountain Guard soldiers", quantity: "300", destination: the border}}]
      - text: Sylvania will send a letter to the border.
        expect: []
"""


@pytest.fixture
def cascade_pack(tmp_path: Path) -> Path:
    root = tmp_path / "pack"
    root.mkdir()
    (root / "layers.yml").write_text(LAYERS, encoding="utf-8")
    (root / "events.yml").write_text(EVENTS, encoding="utf-8")
    return root
