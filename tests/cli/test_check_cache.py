"""`eventx check` of an unchanged pack reads its findings back; any edited, added or removed
file is checked again, and the output is always what a run without the cache prints."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "lint"
CLI = [sys.executable, "-c", "from eventx.cli import main; main()"]

PACK = {
    "common.yml": "lexicons:\n  forces: lexicons/forces.txt\n  spare: [tanks]\n",
    "lexicons/forces.txt": "troops\nsoldiers\n",
    "events.yml": (
        "imports: [common.yml]\nrules:\n  - id: deploy.send\n    type: deployment\n"
        "    pattern: \"[lemma=send]=trigger (?<force> @forces)\"\n"
        "    examples:\n      - text: Poland sent troops.\n        expect: [{type: deployment}]\n"
    ),
}


def _check(args: list[str], cache: Path, *, off: bool = False, cwd: Path = ROOT) -> tuple[str, str, int]:
    env = dict(os.environ, EVENTX_CACHE_DIR=str(cache))
    env.pop("EVENTX_NO_CACHE", None)
    if off:
        env["EVENTX_NO_CACHE"] = "1"
    done = subprocess.run([*CLI, "check", *args], env=env, cwd=cwd, capture_output=True, text=True)
    return done.stdout, done.stderr, done.returncode


def _same_with_and_without_cache(args: list[str], cache: Path, cwd: Path = ROOT) -> tuple[str, str, int]:
    cached = _check(args, cache, cwd=cwd)
    assert cached == _check(args, cache, off=True, cwd=cwd)
    return cached


@pytest.mark.parametrize("pack", ["clean", "warnings/rules.yml", "broken/rules.yml"])
@pytest.mark.parametrize("json", [False, True])
def test_the_fixture_packs_print_the_same_cold_warm_and_without_cache(tmp_path, pack, json):
    args = [str(FIXTURES / pack), "--strict"] + (["--json"] if json else [])
    cold = _check(args, tmp_path)
    warm = _check(args, tmp_path)
    assert cold == warm == _check(args, tmp_path, off=True)
    assert cold[2] == {"clean": 0, "warnings/rules.yml": 1, "broken/rules.yml": 2}[pack]
    kept = list(tmp_path.glob("lint-*.marshal"))
    assert len(kept) == (0 if pack.startswith("broken") else 1)  # a pack that does not load is not kept


def test_every_kind_of_edit_is_seen(tmp_path):
    root = tmp_path / "pack"
    for name, text in PACK.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    cache = tmp_path / "cache"
    first = _same_with_and_without_cache([str(root)], cache)
    assert "lexicon @spare is never used" in first[0] and "no negative example" in first[0]
    assert _check([str(root)], cache) == first and list(cache.glob("lint-*.marshal"))

    # an imported file: the unused lexicon goes
    (root / "common.yml").write_text("lexicons:\n  forces: lexicons/forces.txt\n")
    edited = _same_with_and_without_cache([str(root)], cache)
    assert "@spare" not in edited[0]
    # a lexicon file: a duplicate entry
    (root / "lexicons/forces.txt").write_text("troops\nsoldiers\nTroops\n")
    edited = _same_with_and_without_cache([str(root)], cache)
    assert "duplicate entry 'Troops'" in edited[0]
    # a new rule file, then an error in it
    (root / "more.yml").write_text("rules:\n  - id: other\n    type: deployment\n    pattern: \"[lemma=move]=trigger\"\n")
    edited = _same_with_and_without_cache([str(root)], cache)
    assert "rule other has no positive example" in edited[0]
    (root / "more.yml").write_text("rules:\n  - id: other\n    type: deployment\n    pattern: \"[lemma=move]=trigger @nope\"\n")
    broken = _same_with_and_without_cache([str(root)], cache)
    assert broken[2] == 2 and "undefined lexicon @nope" in broken[0]
    # removed again: the findings before it, read back
    (root / "more.yml").unlink()
    again = _same_with_and_without_cache([str(root)], cache)
    assert "rule other" not in again[0] and "duplicate entry 'Troops'" in again[0]


def test_a_pack_named_differently_keeps_its_own_paths(tmp_path):
    shutil.copytree(FIXTURES / "warnings", tmp_path / "w")
    cache = tmp_path / "cache"
    absolute = _same_with_and_without_cache([str(tmp_path / "w" / "rules.yml")], cache)
    relative = _same_with_and_without_cache(["w/rules.yml"], cache, cwd=tmp_path)
    assert str(tmp_path) in absolute[0] and str(tmp_path) not in relative[0]
    assert relative[0].startswith("w/rules.yml:") or "\nw/rules.yml:" in relative[0]
