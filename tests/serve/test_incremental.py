"""An analysis after an edit runs again only the sample documents and examples the edit can
change (eventx/serve/session.py); its results must be exactly those of a fresh run of the
edited pack, whatever the edits and their order."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventx.api import Extractor
from eventx.examples import run_example
from eventx.io.readers import iter_corpus
from eventx.match.atoms import TokenAtoms
from eventx.rules.compile import CompileCache, compile_rules
from eventx.rules.loader import load_rule_files
from eventx.serve import Session
from eventx.text.model import Document

ROOT = Path(__file__).resolve().parents[2]
CORPUS = str(ROOT / "corpora")
DOCS = [d for d in iter_corpus([CORPUS]) if isinstance(d, Document)]
FOCUS = "deployment.yml"

# name -> (file, text, replacement): each but the "no text has" ones changes what the pack
# finds in corpora/ or its examples; several change only token tests (see _Retested in
# eventx/serve/session.py), some on tokens the sample has, one on none
EDITS = {
    "a rule's trigger word": (FOCUS, "[lemma=send|dispatch|rush|airlift|", "[lemma=dispatch|rush|airlift|"),
    "an example's text": (FOCUS, "Poland is sending thousands", "Poland is sending hundreds"),
    "a var of many rules": ("common.yml", 'in_clause: "[!word=/[.;:!?]/]"', 'in_clause: "[!word=/[.;:!?]/ & !lower=and]"'),
    "a field regex in a var": ("common.yml", "[word=/,|-|--|–|—|\\\\(/] [!word=/[.;:!?]/]{1,14}?",
                               "[word=/,|-|--|–|—|\\\\(/] [!word=/[.;!?]/]{1,14}?"),
    "a word no text has, in a var": ("common.yml", "[lower=into|to|from|in|at|on|near|", "[lower=into|to|from|in|at|qzxv|on|near|"),
    "a word no text has, in a mention rule's var": ("layers/force.yml", "[lower=members|elements|contingents]",
                                                    "[lower=members|elements|qzxw|contingents]"),
    "a mention rule": ("layers/force.yml", "[lower=,]? [lower=and|plus] (?: @Quantity", "[lower=,]? [lower=plus] (?: @Quantity"),
    "a lexicon file": ("lexicons/send-verbs.txt", "\ndeploy\n", "\n"),
    "a type": ("types.yml", "  deployment:\n    merge: true", "  deployment:\n    merge: false"),
    "a priority": (FOCUS, "    priority: 3\n", "    priority: 1\n"),
    "a rule's id": (FOCUS, "id: deployment.reduced-passive\n", "id: deployment.reduced-passive-2\n"),
}
BROKEN = (FOCUS, "[lemma=send|dispatch|rush|airlift|", "[lemma=send|dispatch|(rush|airlift|")


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("incremental") / "rules"
    shutil.copytree(ROOT / "rules", folder)
    return folder


@pytest.fixture(scope="module")
def session(pack: Path) -> Session:
    return Session(pack, [CORPUS], sample=len(DOCS))


def _texts(pack: Path, active: list[str]) -> dict[str, str]:
    """The buffers of the edited files with the ``active`` edits applied."""
    buffers: dict[str, str] = {}
    for name in active:
        file, old, new = EDITS[name]
        text = buffers.get(file) or (pack / file).read_text(encoding="utf-8")
        assert old in text, f"the edit '{name}' no longer applies to {file}"
        buffers[file] = text.replace(old, new, 1)
    return buffers


_fresh: dict[frozenset[str], tuple[list, list]] = {}
# the fresh runs share their token atoms (which flag stands for which token test), so that
# their regexes come from the regex store's memory; nothing else of one compile is reused
_ATOMS = TokenAtoms()


def _fresh_run(pack: Path, active: list[str], tmp: Path) -> tuple[list, list]:
    """Events on the sample and the focus file's example results of the edited pack, loaded,
    compiled and run from scratch from a copy of the pack with the edits written."""
    key = frozenset(active)
    if key not in _fresh:
        copy = tmp / f"fresh-{len(_fresh)}"
        shutil.copytree(pack, copy)
        for file, text in _texts(pack, active).items():
            (copy / file).write_text(text, encoding="utf-8")
        extractor = Extractor(compile_rules(load_rule_files(copy), cache=CompileCache(atoms=_ATOMS)), time_budget=None)
        events = [e for doc in DOCS for e in extractor.extract(doc)]
        examples = []
        for compiled in extractor.pack.rules:
            rule = compiled.source
            if Path(rule.pos.file).name == FOCUS:
                for example in rule.examples:
                    result = run_example(extractor, rule, example)
                    examples.append((rule.id, example.pos.line, example.text, result.status, result.problems))
        _fresh[key] = (events, examples)
    return _fresh[key]


def _check(session: Session, pack: Path, active: list[str], tmp: Path) -> None:
    analysis = session.analyse(_texts(pack, active), FOCUS)
    assert analysis.errors == 0 and not analysis.stale
    events, examples = _fresh_run(pack, active, tmp)
    assert session.sample_events() == events
    assert [(e["rule"], e["line"], e["text"], e["status"], e["problems"]) for e in analysis.examples] == examples
    assert analysis.diff["now"] == len(events)


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_gives_what_a_fresh_run_of_the_edited_pack_gives(session: Session, pack: Path, edit: str,
                                                                   tmp_path: Path) -> None:
    _check(session, pack, [edit], tmp_path)
    assert session.analyse({}, FOCUS).timings["documents run"] < len(DOCS) or edit in ("a lexicon file", "a type")


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from([*EDITS, "broken"]), min_size=2, max_size=3))
def test_any_sequence_of_edits_and_undos_gives_a_fresh_runs_results(session: Session, pack: Path, steps: list[str],
                                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each step toggles an edit (applies it, or undoes it if applied); a broken pattern in
    between leaves the results alone; each analysis starts from whatever the last one left."""
    tmp = tmp_path_factory.mktemp("sequence")
    active: list[str] = []
    for step in steps:
        if step == "broken":
            file, old, new = BROKEN
            buffers = _texts(pack, active)
            text = buffers.get(file) or (pack / file).read_text(encoding="utf-8")
            assert session.analyse({**buffers, file: text.replace(old, new, 1)}, FOCUS).stale
            continue
        active = [a for a in active if a != step] if step in active else [*active, step]
        _check(session, pack, active, tmp)


def test_regexes_built_on_first_use_never_cost_a_document_its_events(pack: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """After an edit the session builds each regex when matching first needs it, and that time
    counts against a document's budget; a document that runs over the budget while building is
    run again with its regexes built beforehand (as a run does), so none is skipped. Here every
    regex takes 0.3 s to build and a document or example has 0.5 s."""
    import eventx.api
    import eventx.match.compiler
    import eventx.serve.session

    session = Session(pack, [CORPUS], sample=len(DOCS))  # opened (every regex built) at full speed
    real_compile = eventx.match.compiler.compile_regex
    timeouts = []
    real_error = eventx.api._Clock.error

    def slow_compile(*args, **kwargs):
        time.sleep(0.3)
        return real_compile(*args, **kwargs)

    def counted_error(self):
        timeouts.append(1)
        return real_error(self)

    monkeypatch.setattr(eventx.match.compiler, "compile_regex", slow_compile)
    monkeypatch.setattr(eventx.api._Clock, "error", counted_error)
    monkeypatch.setattr(eventx.serve.session, "DOCUMENT_BUDGET", 0.5)
    edit = ["a rule's trigger word"]
    analysis = session.analyse(_texts(pack, edit), FOCUS)
    assert timeouts, "no document ran over its budget while building: the test proves nothing"
    assert analysis.skipped == 0
    monkeypatch.undo()
    events, examples = _fresh_run(pack, edit, tmp_path)
    assert session.sample_events() == events
    assert [(e["rule"], e["line"], e["text"], e["status"], e["problems"]) for e in analysis.examples] == examples


def test_retrace_of_every_sentence_is_a_trace_and_of_none_keeps_the_events(pack: Path, tmp_path: Path) -> None:
    """Extractor.retrace, what the session re-runs sentences with: given every sentence of a
    document it gives exactly trace()'s records with the new pack; given none (nothing changed
    where the rules may fire), the old pack's records with the new pack's version."""
    from eventx.text.pipeline import analyse

    copy = tmp_path / "edited"
    shutil.copytree(pack, copy)
    for file, text in _texts(pack, ["a mention rule", "a rule's trigger word"]).items():
        (copy / file).write_text(text, encoding="utf-8")
    cache = CompileCache()
    old = Extractor(compile_rules(load_rule_files(pack), cache=cache))
    new = Extractor(compile_rules(load_rule_files(copy), cache=cache))
    assert old.pack.version != new.pack.version
    changed = 0
    for doc in DOCS:
        before = old.trace(doc)
        after = new.trace(doc)
        changed += before.events != [{**e, "rules_version": old.pack.version} for e in after.events]
        assert new.retrace(before, analyse(doc)).events == after.events
        assert old.retrace(before, []).events == before.events
        assert new.retrace(after, []).events == after.events
    assert changed  # the edits change some document's events


@pytest.mark.parametrize("file, old, new", [
    ("common.yml", 'in_clause: "[!word=/[.;:!?]/]"', 'in_clause: "[!word=/[.;:!?]/ & !lower=qzxv]"'),
    ("layers/force.yml", "[lower=,]? [lower=and|plus] (?: @Quantity", "[lower=,]? [lower=and|qzxv|plus] (?: @Quantity"),
])
def test_an_edit_of_token_tests_no_text_has_runs_nothing_again(session: Session, pack: Path, tmp_path: Path,
                                                                file: str, old: str, new: str) -> None:
    """A word that no sample sentence or example has, excluded by a var that 70 patterns use,
    or added to a list of the Force mention rule, which most event rules need: the rules
    using it are compiled again, but in no text do the old and new token tests differ, so no
    sentence and no example is run again; the results are a fresh run's. A word the texts
    have ("and", in EDITS) runs the sentences that have it (tests above)."""
    edit = {file: (pack / file).read_text(encoding="utf-8").replace(old, new, 1)}
    assert edit[file] != (pack / file).read_text(encoding="utf-8")
    session.analyse({}, FOCUS)
    analysis = session.analyse(edit, FOCUS)
    assert (analysis.timings["documents run"], analysis.timings["sentences run"]) == (0, 0)
    copy = tmp_path / "edited"
    shutil.copytree(pack, copy)
    (copy / file).write_text(edit[file], encoding="utf-8")
    extractor = Extractor(compile_rules(load_rule_files(copy), cache=CompileCache(atoms=_ATOMS)), time_budget=None)
    assert session.sample_events() == [e for doc in DOCS for e in extractor.extract(doc)]
    results = {(e["rule"], e["line"]): (e["status"], e["problems"]) for e in analysis.examples}
    for compiled in extractor.pack.rules:
        if Path(compiled.source.pos.file).name == FOCUS:
            for example in compiled.source.examples:
                result = run_example(extractor, compiled.source, example)
                assert results[compiled.id, example.pos.line] == (result.status, result.problems)
