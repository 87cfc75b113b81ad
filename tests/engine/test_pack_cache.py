"""The compiled-pack cache: a pack whose files are unchanged is read back, anything else is
compiled afresh, and the events are the same either way."""

from __future__ import annotations

import os

import pytest

from eventx import cache
from eventx.api import Extractor, load_rules

TEXT = "Poland is sending 2,000 troops to Lithuania. The embassy ordered staff to leave."


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("EVENTX_CACHE_DIR", str(folder))
    monkeypatch.delenv("EVENTX_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def pack_dir(make_pack):
    return make_pack({
        "common.yml": "lexicons:\n  force: lexicons/forces.txt\n",
        "lexicons/forces.txt": "troops\nsoldiers\n",
        "events.yml": "imports: [common.yml]\nrules:\n  - id: d\n    type: deployment\n"
                      "    pattern: \"[lemma=send]=trigger [num]? (?<force> @force)\"\n",
    })


def test_an_unchanged_pack_is_read_back_and_gives_the_same_events(cache_dir, pack_dir, monkeypatch):
    first = Extractor(load_rules(pack_dir), merge_mentions=False).extract(TEXT)
    assert list(cache_dir.glob("pack-*.pickle"))
    compiled = []
    monkeypatch.setattr("eventx.api.compile_rules", lambda ruleset: compiled.append(1))
    again = Extractor(load_rules(pack_dir), merge_mentions=False).extract(TEXT)
    assert compiled == [] and again == first and first[0]["args"]["force"]["text"] == "troops"


@pytest.mark.parametrize("change", ["lexicon", "import", "new rule file"])
def test_any_changed_file_compiles_the_pack_again(cache_dir, pack_dir, change):
    load_rules(pack_dir)
    if change == "lexicon":
        (pack_dir / "lexicons/forces.txt").write_text("soldiers\n")
    elif change == "import":
        (pack_dir / "common.yml").write_text("lexicons:\n  force: [troops, marines]\n")
    else:
        (pack_dir / "more.yml").write_text("rules:\n  - id: e\n    type: evacuation_order\n"
                                           "    pattern: \"[lemma=order]=trigger [lower=staff]\"\n")
    events = Extractor(load_rules(pack_dir), merge_mentions=False).extract(TEXT)
    types = sorted(e["type"] for e in events)
    forces = [e["args"]["force"]["text"] for e in events if e["type"] == "deployment"]
    assert forces == ([] if change == "lexicon" else ["troops"])
    assert types.count("evacuation_order") == (1 if change == "new rule file" else 0)


def test_a_cache_others_can_write_is_not_read(cache_dir, pack_dir):
    load_rules(pack_dir)
    [entry] = cache_dir.glob("pack-*.pickle")
    os.chmod(entry, 0o666)
    assert cache.cached_pack(pack_dir) is None
    os.chmod(entry, 0o600)
    assert cache.cached_pack(pack_dir) is not None


def test_a_damaged_entry_is_a_miss_and_no_cache_turns_it_off(cache_dir, pack_dir, monkeypatch):
    load_rules(pack_dir)
    [entry] = cache_dir.glob("pack-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert cache.cached_pack(pack_dir) is None
    assert load_rules(pack_dir).rules[0].id == "d"  # compiled again, and kept again
    assert cache.cached_pack(pack_dir) is not None
    monkeypatch.setenv("EVENTX_NO_CACHE", "1")
    assert cache.cached_pack(pack_dir) is None


def test_the_pack_read_back_has_the_same_rule_set(cache_dir, pack_dir, monkeypatch):
    """Lexicons are pickled as columns: their entries, norms and positions come back equal."""
    (pack_dir / "lexicons/forces.txt").write_text("troops\nsoldiers => soldier\n\nmarines\n")
    fresh = load_rules(pack_dir)
    again = cache.cached_pack(pack_dir)
    assert again is not None and again.ruleset == fresh.ruleset
    entries = again.ruleset.lexicons["force"].entries
    assert [(e.phrase, e.norm, e.pos.line) for e in entries] == [("troops", None, 1), ("soldiers", "soldier", 2), ("marines", None, 4)]
    monkeypatch.setenv("EVENTX_NO_CACHE", "1")
    assert load_rules(pack_dir).ruleset == again.ruleset
