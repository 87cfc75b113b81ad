"""Cascade errors: each exits 2 with file:line:col and no traceback, from `check` and `run`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from eventx.cli import app

runner = CliRunner()


def check(pack) -> tuple[int, str]:
    result = runner.invoke(app, ["check", str(pack)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_a_cycle_of_labels_names_the_rules_on_it(make_pack):
    pack = make_pack({"a.yml": """\
        mentions:
          - id: force.np
            label: Force
            pattern: "[lower=the]? @Unit"
          - id: unit.np
            label: Unit
            pattern: "@Force [lower=unit]"
        rules:
          - id: d
            type: deployment
            pattern: "[lemma=send]=trigger @Force"
        """})
    code, output = check(pack)
    assert code == 2
    assert "a.yml:4:28: error: mention labels form a cycle: Force (rule force.np, " in output
    assert "-> Unit (rule unit.np, " in output and "[E217]" in output


def test_a_label_that_refers_to_itself_is_a_cycle(make_pack):
    pack = make_pack({"a.yml": """\
        mentions:
          - id: force.np
            label: Force
            pattern: "[lower=troops] | @Force [lower=and] [lower=troops]"
        """})
    code, output = check(pack)
    assert code == 2 and "a.yml:4:32: error: mention labels form a cycle: Force (rule force.np" in output


def test_a_lexicon_and_a_label_of_one_name_clash(make_pack):
    pack = make_pack({
        "a.yml": """\
            imports: [b.yml]
            lexicons:
              Force: [troops]
            rules:
              - id: d
                type: deployment
                pattern: "[lemma=send]=trigger @Force"
            """,
        "b.yml": """\
            mentions:
              - id: force.np
                label: Force
                pattern: "[lower=soldiers]"
            """,
    })
    code, output = check(pack)
    assert code == 2
    assert ("b.yml:3:12: error: 'Force' is defined as a mention label here and as a lexicon at "
            in output) and "a.yml:3:3" in output and "[E118]" in output


def test_an_undefined_word_list(make_pack):
    pack = make_pack({"a.yml": """\
        lexicons:
          send_verbs: [send, deploy]
        rules:
          - id: d
            type: deployment
            pattern: "[lemma=@send_verb]=trigger [lower=troops]"
        """})
    code, output = check(pack)
    assert code == 2
    assert "a.yml:6:22: error: word list @send_verb is undefined (did you mean @send_verbs?) [E216]" in output


def test_a_word_list_must_hold_single_words(make_pack):
    pack = make_pack({"a.yml": """\
        lexicons:
          verbs: [send, "put up"]
        rules:
          - id: d
            type: deployment
            pattern: "[lemma=@verbs]=trigger [lower=troops]"
        """})
    code, output = check(pack)
    assert code == 2 and "word list @verbs: 'put up'" in output and "is not a single word" in output


def test_run_reports_rule_errors_with_exit_2(make_pack, tmp_path):
    pack = make_pack({"a.yml": """\
        rules:
          - id: d
            type: deployment
            pattern: "[lemma=send]=trigger @Forcez"
        """})
    doc = tmp_path / "doc.txt"
    doc.write_text("They send troops.")
    result = runner.invoke(app, ["run", str(doc), "-r", str(pack)])
    assert result.exit_code == 2
    assert "a.yml:4:36: error: undefined label @Forcez [E211]" in result.output


# --- scoped names ------------------------------------------------------------------------------

@pytest.mark.parametrize("importing", [True, False])
def test_a_file_sees_only_what_it_imports(make_pack, importing):
    pack = make_pack({
        "common.yml": "lexicons:\n  force: [troops]\n",
        "events.yml": ("imports: [common.yml]\n" if importing else "")
        + "rules:\n  - id: d\n    type: deployment\n    pattern: \"[lemma=send]=trigger @force\"\n",
    })
    code, output = check(pack)
    if importing:
        assert code == 0, output
    else:
        assert code == 2 and "events.yml:4:36: error: undefined lexicon @force [E211]" in output


def test_imports_are_transitive(make_pack):
    pack = make_pack({
        "base.yml": "lexicons:\n  force: [troops]\n",
        "middle.yml": "imports: [base.yml]\n",
        "events.yml": "imports: [middle.yml]\nrules:\n  - id: d\n    type: deployment\n"
                      "    pattern: \"[lemma=send]=trigger @force\"\n",
    })
    assert check(pack)[0] == 0


def test_files_that_do_not_see_each_other_may_reuse_a_name(make_pack):
    from eventx.api import Extractor

    pack = make_pack({
        "a.yml": "vars:\n  verb: \"[lemma=send]\"\nrules:\n  - id: a\n    type: deployment\n"
                 "    pattern: \"${verb}=trigger [lower=troops]\"\n",
        "b.yml": "vars:\n  verb: \"[lemma=evacuate]\"\nrules:\n  - id: b\n    type: evacuation_order\n"
                 "    pattern: \"${verb}=trigger [lower=residents]\"\n",
    })
    extractor = Extractor(pack, merge_mentions=False)
    assert [e["type"] for e in extractor.extract("They send troops.")] == ["deployment"]
    assert [e["type"] for e in extractor.extract("They evacuate residents.")] == ["evacuation_order"]
    code, output = check(pack)
    assert "b.yml:2:10: warning: var 'verb' is also defined at " in output and "[W412]" in output


def test_two_imports_defining_one_name_is_an_error_naming_both(make_pack):
    pack = make_pack({
        "one.yml": "lexicons:\n  force: [troops]\n",
        "two.yml": "lexicons:\n  force: [soldiers]\n",
        "events.yml": "imports: [one.yml, two.yml]\nrules:\n  - id: d\n    type: deployment\n"
                      "    pattern: \"[lemma=send]=trigger @force\"\n",
    })
    code, output = check(pack)
    assert code == 2
    assert "two.yml:2:3: error: duplicate lexicon 'force' (first defined at " in output and "one.yml:2:3" in output
