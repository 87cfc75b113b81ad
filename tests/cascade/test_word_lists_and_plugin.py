"""Word lists inside constraints, and mention examples collected by the pytest plugin."""

from __future__ import annotations

import subprocess
import sys

from eventx.api import Extractor
from eventx.match.parser import parse_pattern


def test_word_list_values_parse_beside_literal_values():
    token = parse_pattern("[lower=@force_head|guardsmen & !word=/[A-Z].*/]")
    equals = token.constraint.operands[0]
    assert equals.values == ("guardsmen",) and equals.lists == (("force_head", 7),)


def test_a_lone_at_sign_is_a_literal_value():
    assert parse_pattern("[word=@]").constraint.values == ("@",)
    assert parse_pattern('[word="@user"]').constraint.values == ("@user",)


def test_lemma_lists_compare_lemmas_and_are_trigger_words(make_pack):
    pack = make_pack({"r.yml": """\
        lexicons:
          send_verb: [deploy, send, mobilise]
          force_head: [troops, reservists]
        rules:
          - id: d
            type: deployment
            pattern: "[lemma=@send_verb]=trigger (?<force> [lower=@force_head|guardsmen & !word=/[A-Z].*/])"
        """})
    extractor = Extractor(pack, merge_mentions=False)
    assert [e["args"]["force"]["text"] for e in extractor.extract("They mobilized reservists.")] == ["reservists"]
    assert [e["trigger"]["text"] for e in extractor.extract("He sends guardsmen.")] == ["sends"]
    assert extractor.extract("He sends Troops.") == []  # excluded by !word=/[A-Z].*/
    assert extractor.pack.trigger_lemmas >= {"deploy", "send", "mobilize"}


def test_pytest_collects_mention_examples(cascade_pack, tmp_path):
    (tmp_path / "pytest.ini").write_text(f"[pytest]\neventx_rules = {cascade_pack}\ntestpaths = {cascade_pack}\n")
    layers = cascade_pack / "layers.yml"
    layers.write_text(layers.read_text().replace('text: "the border"', 'text: "border"'))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "place.the-border[1]" in result.stdout
    assert "PASSED pack/layers.yml::force.np[1]" in result.stdout
    assert "expected Place 'border'" in result.stdout
    assert "1 failed, 6 passed" in result.stdout
