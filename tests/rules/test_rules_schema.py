"""The declarative format: JSON Schema export and the error-code catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from eventx.rules import load_rule_files, rule_file_json_schema
from eventx.codes import CATALOGUE
from eventx.rules.schema import RULE, RULE_FILE

VALID = """\
imports: [common.yml]
lexicons:
  force: lexicons/forces.txt
  actor: [Poland => POL, NATO]
  place: {file: places.txt, entries: [Kabul => AFG], case: sensitive}
vars:
  verb: "[lemma=deploy|send]"
rules:
  - id: deployment.send-forces
    type: deployment
    priority: 2
    pattern: ${verb} @force
    norms: {agent: lexicon}
    examples:
      - text: Poland sent troops.
        expect: [{type: deployment, args: {agent: Poland}, modality: asserted}]
      - {text: Nothing., expect: [], todo: true}
"""


def walk(schema: dict) -> Iterator[dict]:
    yield schema
    for key in ("properties", "$defs"):
        for sub in schema.get(key, {}).values():
            yield from walk(sub)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from walk(schema[key])
    for sub in schema.get("oneOf", []):
        yield from walk(sub)


def test_json_schema_shape() -> None:
    schema = rule_file_json_schema()
    json.dumps(schema)  # plain JSON data
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == {"imports", "lexicons", "vars", "mentions", "rules", "types"}
    mention = schema["properties"]["mentions"]["items"]
    assert mention["required"] == ["id", "label", "pattern"]
    assert mention["properties"]["label"]["pattern"] == "^[A-Z][A-Za-z0-9_]*$"
    expected = mention["properties"]["examples"]["items"]["properties"]["expect"]["items"]
    assert expected["required"] == ["label", "text"]
    rule = schema["properties"]["rules"]["items"]
    assert rule["required"] == ["id", "type", "pattern"]
    assert rule["properties"]["priority"] == {"title": "Priority", "description": RULE.fields["priority"].spec.description,
                                              "type": "integer", "default": 0}
    assert rule["properties"]["modality"]["enum"] == ["asserted", "negated", "possible", "hypothetical"]
    for node in walk(schema):
        assert node.get("title"), node
        if "properties" in node:
            assert node["additionalProperties"] is False
    assert all(n.get("description") for n in walk(schema) if "properties" in n)


def test_spec_and_schema_agree_on_keys() -> None:
    schema = rule_file_json_schema()
    assert list(schema["properties"]) == list(RULE_FILE.fields)
    assert list(schema["properties"]["rules"]["items"]["properties"]) == list(RULE.fields)


def test_valid_documents_pass_json_schema_too(tmp_path: Path) -> None:
    (tmp_path / "common.yml").write_text("", encoding="utf-8")
    (tmp_path / "places.txt").write_text("Lithuania => LTU\n", encoding="utf-8")
    (tmp_path / "lexicons").mkdir()
    (tmp_path / "lexicons/forces.txt").write_text("troops\n", encoding="utf-8")
    (tmp_path / "r.yml").write_text(VALID, encoding="utf-8")
    assert len(load_rule_files(tmp_path / "r.yml").rules) == 1  # our validator accepts it ...
    jsonschema: Any = pytest.importorskip("jsonschema")  # ... and so does the JSON Schema

    jsonschema.validate(yaml.safe_load(VALID), rule_file_json_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"rules": [{"id": "a", "type": "t", "pattern": "x", "priotity": 1}]},
                            rule_file_json_schema())


def test_catalogue() -> None:
    assert all(code[0] in "EW" and code[1:].isdigit() and len(code) == 4 for code in CATALOGUE)
    assert all(entry.code == code and entry.summary and entry.template for code, entry in CATALOGUE.items())
