"""The regex store: a pattern built from stored opcodes behaves exactly like one compiled by
``regex.compile``; a damaged, foreign or switched-off store only means compiling afresh."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eventx import regexstore
from eventx.regexstore import compile_regex

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EVENTX_NO_CACHE", raising=False)
    monkeypatch.setattr(regexstore, "_recent", {})
    return tmp_path / "cache"


def _entries(folder: Path) -> list[Path]:
    return [p for p in folder.glob("regex-*/*") if p.is_file()]


def _no_fresh_compiles(monkeypatch) -> None:
    regexstore._the_builder()  # found before regex.compile is taken away
    regexstore._recent.clear()  # what this process built: read from the store again

    def refuse(*args, **kwargs):
        raise AssertionError("compiled afresh instead of read from the store")

    monkeypatch.setattr(regexstore.regex, "compile", refuse)


def _outcome(rx, text: str) -> list:
    return [(m.span(), m.groups(), sorted(m.groupdict().items())) for m in rx.finditer(text, overlapped=True)]


# pieces of the shapes eventx's compiler emits: flag lookaheads, lookbehinds, named groups,
# lazy and bounded repeats, conditionals, alternations
_ATOMS = st.sampled_from([
    "a", "b", "\n", ".", "[ab]", "(?=.*a)", "(?!.*b)", "(?<![^\n])", r"\Z", "(?:a|bb)", "[^\n]",
])


@st.composite
def _patterns(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        atom = draw(_ATOMS)
        shape = draw(st.sampled_from(["", "*", "+?", "?", "{1,3}", "group", "alt"]))
        if shape == "group":
            atom = f"(?P<g{len(parts)}>{atom})"
        elif shape == "alt":
            atom = f"(?:{atom}|{draw(_ATOMS)})"
        else:
            atom = f"(?:{atom}){shape}"
        parts.append(atom)
    return "".join(parts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pattern=_patterns(), posix=st.booleans(), text=st.text(alphabet="ab\n", max_size=12))
def test_a_stored_pattern_matches_exactly_like_a_fresh_one(store, monkeypatch, pattern, posix, text):
    flags = regex.POSIX if posix else 0
    fresh = regex.compile(pattern, flags)
    first = compile_regex(pattern, flags)  # compiled and kept (or read back: examples repeat)
    with monkeypatch.context() as patch:
        _no_fresh_compiles(patch)
        stored = compile_regex(pattern, flags)
    for rx in (first, stored):
        assert (rx.pattern, rx.flags, rx.groups, rx.groupindex) == (fresh.pattern, fresh.flags, fresh.groups, fresh.groupindex)
        assert _outcome(rx, text) == _outcome(fresh, text)


def test_a_broken_pattern_raises_what_regex_raises(store):
    with pytest.raises(regex.error) as ours:
        compile_regex("(?P<a>x")
    with pytest.raises(regex.error) as theirs:
        regex.compile("(?P<a>x")
    assert str(ours.value) == str(theirs.value)


def test_damaged_foreign_or_switched_off_entries_are_compiled_afresh(store, monkeypatch):
    source = "(?<![^\n])(?P<trigger>(?=.*a).*\n)"
    compile_regex(source)
    [entry] = _entries(store)
    with monkeypatch.context() as patch:
        _no_fresh_compiles(patch)
        assert compile_regex(source).match("xa\n").span() == (0, 3)
    real = regex.compile
    for damage in ("flip", "truncate", "foreign"):
        data = entry.read_bytes()
        if damage == "flip":
            entry.write_bytes(data[:-3] + bytes([data[-3] ^ 1]) + data[-2:])
        elif damage == "truncate":
            entry.write_bytes(data[: len(data) // 2])
        else:
            os.chmod(entry, 0o666)
        calls = []
        regexstore._recent.clear()
        monkeypatch.setattr(regexstore.regex, "compile", lambda *a: calls.append(1) or real(*a))
        assert compile_regex(source).match("xa\n").span() == (0, 3)
        assert calls == [1], damage
        os.chmod(entry, 0o600)
    monkeypatch.setattr(regexstore.regex, "compile", real)
    with monkeypatch.context() as patch:
        _no_fresh_compiles(patch)
        calls_before = compile_regex(source)  # kept in memory after a read from the store
        assert compile_regex(source) is calls_before
    monkeypatch.setenv("EVENTX_NO_CACHE", "1")
    compile_regex("(?P<other>b)")
    assert len(_entries(store)) == 1


def _run(env: dict[str, str], out: Path) -> bytes:
    command = [sys.executable, "-c", "from eventx.cli import main; main()", "run", str(ROOT / "corpora" / "sample"), "-o", str(out), "-q"]
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
    return out.read_bytes()


def test_runs_with_a_cold_a_warm_and_no_store_write_the_same_events(tmp_path):
    env = dict(os.environ, EVENTX_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("EVENTX_NO_CACHE", None)
    cold = _run(env, tmp_path / "cold.jsonl")
    assert len(_entries(tmp_path / "cache")) > 10
    warm = _run(env, tmp_path / "warm.jsonl")
    off = _run(dict(env, EVENTX_NO_CACHE="1"), tmp_path / "off.jsonl")
    assert cold == warm == off and cold.count(b"\n") > 0


_WORDS = ["Poland", "sent", "2,000", "troops", "to", "Lithuania", "the", "embassy", "ordered", "staff", "leave",
          "Texas", "will", "deploy", "National", "Guard", "members", "border", "talks", "in", "Geneva", "on",
          "Monday", "warships", "evacuate", "citizens", "sanctions", "against", "Russia", ",", "."]


@contextlib.contextmanager
def _env(**values: str | None):
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def three_packs(tmp_path_factory):
    """The shipped pack built eagerly (every regex before matching), lazily without the store
    (each regex compiled by ``regex`` on first use) and lazily from the stored programs."""
    from eventx.api import load_rules

    folder = str(tmp_path_factory.mktemp("store"))
    with _env(EVENTX_CACHE_DIR=folder, EVENTX_NO_CACHE=None):
        regexstore._recent.clear()
        eager = load_rules()
        eager.compile_all()  # compiles and stores every program
        stored = load_rules()  # read back from the pack cache: no regex built yet
    with _env(EVENTX_NO_CACHE="1"):
        lazy = load_rules()
    return eager, lazy, stored, folder


_KNOWN = "Poland sent 2,000 troops to Lithuania .".split()


@settings(max_examples=40, deadline=None)
@given(words=st.lists(st.sampled_from(_WORDS), min_size=3, max_size=25))
@example(words=_KNOWN)
def test_lazy_stored_and_eager_builds_give_the_same_events(three_packs, words):
    from eventx.api import Extractor

    text = " ".join(words)
    eager_pack, lazy_pack, stored_pack, folder = three_packs
    eager = Extractor(eager_pack, merge_mentions=False).extract(text)
    with _env(EVENTX_NO_CACHE="1"):  # regex.compile itself, no store
        lazy = Extractor(lazy_pack, merge_mentions=False).extract(text)
    with _env(EVENTX_CACHE_DIR=folder, EVENTX_NO_CACHE=None):
        regexstore._recent.clear()  # each regex from the stored programs
        stored = Extractor(stored_pack, merge_mentions=False).extract(text)
    assert lazy == eager == stored
    assert eager or words != _KNOWN


def test_a_pattern_not_kept_is_read_from_the_store_again_not_held_in_memory(store, monkeypatch):
    source = "(?<![^\n])(?P<trigger>(?=.*b).*\n)"
    fresh = regex.compile(source)
    first = compile_regex(source, keep=False)
    assert _entries(store)  # stored for the next process all the same
    with monkeypatch.context() as patch:
        _no_fresh_compiles(patch)
        again = compile_regex(source, keep=False)
        assert again is not first  # built again from the stored program: nothing held it
        assert _outcome(again, "ab\nb\n") == _outcome(first, "ab\nb\n") == _outcome(fresh, "ab\nb\n")
        kept = compile_regex(source)
        assert compile_regex(source) is kept


# files written within one clock tick share their mtime (once a TypeError: the entries were
# sorted as (mtime, DirEntry) pairs)
def test_trimming_a_full_store_whose_entries_share_an_mtime(store, monkeypatch):
    assert compile_regex("a+b").match("aab")  # creates the store's folder
    folder = next(store.glob("regex-*"))
    for i in range(10):  # more entries than the (lowered) limit, all with one mtime
        entry = folder / f"entry-{i}"
        entry.write_bytes(b"")
        os.utime(entry, ns=(1, 1))
    monkeypatch.setattr(regexstore, "MAX_ENTRIES", 4)
    monkeypatch.setattr(regexstore.os, "urandom", lambda n: b"\x00" * n)  # this write trims
    assert compile_regex("c+d").match("ccd")
    assert len([p for p in folder.iterdir() if p.is_file()]) <= 4



_PROGRAMS = """
import copyreg, json, marshal, sys
import regex
if sys.argv[1] == "plain":
    from eventx import regexstore
    regexstore._plain_flags()
    assert type(regex._regex_core.IGNORECASE) is int
else:
    assert type(regex._regex_core.IGNORECASE) is not int
out = []
for source, flags in json.load(sys.stdin):
    compiled = regex.compile(source, flags, cache_pattern=False)
    out.append(copyreg.dispatch_table[type(compiled)](compiled)[1])
sys.stdout.buffer.write(marshal.dumps(out))
"""


def test_plain_int_flags_give_the_programs_of_an_untouched_regex_module():
    """compile_regex parses with regex's flag constants as plain ints (faster): the regexes of
    the shipped pack's rules and mention rules (plain and POSIX), and patterns with inline,
    case, verbose, version and fuzzy flags, get the very programs ``regex`` builds when nothing
    was replaced. (In two processes with one hash seed: a set in a program may come out in
    another order under another seed, or for some patterns, such as ``(?i)s|ǅ``, whatever the
    seed — with ``regex`` untouched too.)"""
    import json
    import marshal

    from eventx.api import load_rules

    pack = load_rules()
    sources: dict[tuple[str, int], None] = {}
    for rule in pack.rules:
        for source in (rule.pattern.source, *(guard.source for guard in rule.unless)):
            sources[source, 0] = None
    for mention in pack.mention_rules:
        sources[mention.pattern.source, 0] = None
        sources[mention.pattern.source, int(regex.POSIX)] = None
    for source, flags in [("(?i)straße", 0), ("Straße", int(regex.IGNORECASE | regex.FULLCASE)),
                          ("(?x) a b # c", 0), ("(?V1)[[a-z]--[aeiou]]+", 0), ("(?:kitten){e<=1}", int(regex.BESTMATCH)),
                          (r"(?iu)\bé\w+(?-i:X)", 0), ("a+b", int(regex.VERSION1 | regex.WORD))]:
        sources[source, flags] = None
    items = json.dumps(list(sources)).encode()
    assert len(sources) > 150
    env = dict(os.environ, PYTHONHASHSEED="0")
    plain, untouched = (
        marshal.loads(subprocess.run([sys.executable, "-c", _PROGRAMS, how], input=items, env=env, cwd=ROOT,
                                     capture_output=True, check=True).stdout)
        for how in ("plain", "untouched")
    )
    for item, mine, other in zip(sources, plain, untouched, strict=True):
        assert mine == other, item
