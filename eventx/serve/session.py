"""What ``eventx serve`` keeps in memory between edits, and the work behind each request.

A :class:`Session` holds the rule root, the pack as saved on disk (compiled once, and again
after each save) with its events on the corpus sample, and the sample itself. An analysis
loads the pack with the page's unsaved buffers laid over the files on disk (nothing is
written), so its diagnostics carry the same file:line:col as ``eventx check`` would give for
those texts; then it runs the sample, the edited file's inline examples and the diff against
the saved pack's events.

Speed comes from four things: the sample's documents stay in memory, tokenised, with their
results; only edited rules are compiled again (a :class:`~eventx.rules.compile.CompileCache`
keeps the others, and the token atoms, so their regexes are not rebuilt either), and their
regexes are built only as far as matching needs them; only the sentences and examples an edit
can change are run again (see :meth:`Session._run_sample`; for a rule whose edit changed only
token tests, only those where a changed test answers otherwise on some token, see
:class:`_Retested`); and the last analysed pack is
reused as long as the buffers are the same (``explain`` after an analysis, or a save of what
was just analysed).

Writing is confined: :meth:`Session.save` writes only an existing rule or lexicon file of
the pack, named relative to the rule root, after resolving symlinks, atomically, and only
when the pack with the new text has no errors.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, TypeVar

from eventx.record import Event
from eventx.api import DocumentTimeout, DocumentTrace, Extractor, default_rules_path, with_rules_version
from eventx.errors import Diagnostic, EventxError, InputError, RuleError
from eventx.match.ast import And, Constraint, FieldEquals, FieldRegex, IsNumber, Node, Not, Or, TokenNode
from eventx.match.atoms import TokenAtoms
from eventx.match.compiler import CompiledPattern, normalise_value
from eventx.match.matcher import CompiledRule, RulePack
from eventx.rules import loader as _loader
from eventx.rules.compile import CompileCache, compile_rules
from eventx.rules.model import RuleSet
from eventx.text.model import Document, Sentence, Token
from eventx.text.pipeline import analyse as _analyse

__all__ = ["Analysis", "SaveRefused", "Session"]

_T = TypeVar("_T")

DEFAULT_SAMPLE = 200
DOCUMENT_BUDGET = 1.0  # seconds of matching per sample document or example (runs allow 10)
MAX_TEXT = 2_000_000  # characters of one buffer or try-a-sentence text the page may send
LEXICON_SUFFIXES = (".txt",)
PARSED_KEPT = 300  # parsed rule and lexicon files kept by text (the pack's ~100, and versions of edited ones)


class SaveRefused(EventxError):
    """A save that would leave the rule root, write an unknown file or break the pack."""

    def __init__(self, message: str, status: int = 400, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.status = status
        self.diagnostics = diagnostics or []


class _OverlayLoader(_loader._Loader):
    """The rule loader, reading some files from memory (the editor's unsaved buffers) instead
    of disk: every check, path confinement included, runs exactly as for the files on disk.

    What it parses (a rule file's YAML checked against the format, a lexicon file's entries)
    is kept in ``parsed`` by file and text, with the problems found, and taken from there when
    the same text comes again: an edit parses only the files it changed."""

    def __init__(self, root: Path, overlay: dict[str, str], parsed: dict[tuple, tuple]):
        super().__init__(root)
        self.overlay = overlay
        self.parsed = parsed

    def _kept(self, kind: str, display: str, text: str, parse):
        key = (kind, display, text)
        found = self.parsed.get(key)
        if found is None:
            errors_before = len(self.errors)
            result = parse(display, text)
            found = (result, tuple(self.errors[errors_before:]))
            if len(self.parsed) >= PARSED_KEPT:
                del self.parsed[next(iter(self.parsed))]  # the oldest
            self.parsed[key] = found
        else:
            self.errors += found[1]
        return found[0]

    def _parse_rule_file(self, display, text):
        return self._kept("rules", display, text, super()._parse_rule_file)

    def _parse_lexicon_file(self, display, text):
        parse = super()._parse_lexicon_file
        return list(self._kept("lexicon", display, text, lambda d, t: tuple(parse(d, t))))

    def _read(self, file, what, pos):
        text = self.overlay.get(file.rel)
        if text is None:
            return super()._read(file, what, pos)
        self.contents[file.rel] = text.encode("utf-8", "surrogatepass")
        return text


@dataclass(slots=True)
class _Built:
    """One load of the pack with one set of buffers: its ruleset, diagnostics and, when it
    has no errors, its extractor."""

    key: tuple
    ruleset: RuleSet | None
    diagnostics: list[Diagnostic]
    extractor: Extractor | None

    @property
    def errors(self) -> int:
        return sum(d.severity == "error" for d in self.diagnostics)


@dataclass(slots=True)
class Analysis:
    """The live results of one set of buffers (see :meth:`Session.analyse`)."""

    diagnostics: list[dict]
    errors: int
    warnings: int
    stale: bool  # the pack has errors: events, examples and diff are the last good ones
    documents: list[dict]  # sample documents with events: id, title, text segments, events
    rules: list[dict]  # rule id -> events on the sample, for the filter
    examples: list[dict]
    diff: dict
    timings: dict[str, float] = field(default_factory=dict)
    skipped: int = 0  # sample documents over the time budget (a slow pattern)

    def to_dict(self) -> dict:
        return {
            "diagnostics": self.diagnostics,
            "errors": self.errors,
            "warnings": self.warnings,
            "stale": self.stale,
            "documents": self.documents,
            "rules": self.rules,
            "examples": self.examples,
            "diff": self.diff,
            "timings": self.timings,
            "skipped": self.skipped,
        }


class Session:
    """A rule pack open for editing, with a corpus sample to run it on."""

    def __init__(self, rules: str | Path | None = None, corpus: list[str] | None = None, *, sample: int = DEFAULT_SAMPLE):
        self.target = Path(rules) if rules is not None else default_rules_path()
        if not self.target.exists():
            raise InputError(f"{self.target}: no such rule file or directory")
        self.root = self.target if self.target.is_dir() else self.target.parent
        self.root_real = self.root.resolve()
        self.lock = threading.RLock()  # one analysis, explanation or save at a time
        self.documents = self._read_sample(corpus or [], sample)
        self.corpus = list(corpus or [])
        self.compile_cache = CompileCache()  # only edited rules are compiled again
        self._parsed: dict[tuple, tuple] = {}  # see _OverlayLoader
        self.skipped = 0
        # the sample's sentences with their tokens, and the keys (words, lemmas) of the tokens of
        # each document and sentence: where an edited rule may fire (only those sentences are
        # run again); and the keys of each example text met
        self._sentences = [_analyse(doc) for doc in self.documents]
        self._keys = [_token_keys(sentences) for sentences in self._sentences]
        self._sentence_keys = [[_token_keys([sentence]) for sentence in sentences] for sentences in self._sentences]
        self._example_keys: dict[str, tuple[frozenset[tuple[str, str]], list[Token]]] = {}
        self._tests = _TokenTests()  # where a rule's old and new token tests differ (see _Retested)
        # the results of the last good pack and of the saved one: what the next edit is run against
        self._results: _Results | None = None
        self._saved_results: _Results | None = None
        self._last: _Built | None = None
        self._last_good: Analysis | None = None
        self.saved: _Built | None = None
        self.saved = self._build({})
        self.saved.key = ((), self._disk_stamp())  # the first key was made before the file list was known
        if self.saved.extractor is None:
            # an error on disk is shown in the editor like any other; the diff has no base then
            self.saved_events: list[Event] = []
        else:
            # every regex built now, once (~2 s for the shipped pack), not on the first edits:
            # edited packs reuse the compiled patterns of the rules they did not change
            self.saved.extractor.pack.compile_all()
            self._saved_results = self._run_sample(self.saved.extractor)
            self.saved_events = self._saved_results.events()

    # --- files -----------------------------------------------------------------------------

    def _read_sample(self, corpus: list[str], size: int) -> list[Document]:
        if not corpus or size <= 0:
            return []
        from eventx.io.readers import iter_corpus

        items = iter_corpus(corpus)
        return [d for d in itertools.islice((i for i in items if isinstance(i, Document)), size)]

    def rel(self, display: str) -> str:
        """A path as the loader shows it (``root`` joined with the path inside it) -> relative to the root."""
        return PurePosixPath(os.path.relpath(display, self.root)).as_posix()

    def files(self) -> list[str]:
        """The editable files: rule files and lexicon files of the pack (root-relative, sorted;
        the given rule file first when the pack is one file)."""
        found: set[str] = set()
        if self.target.is_dir():
            for folder, subfolders, names in os.walk(self.root):
                subfolders[:] = sorted(s for s in subfolders if not s.startswith("."))
                for name in names:
                    if name.endswith(_loader.RULE_SUFFIXES + LEXICON_SUFFIXES) and not name.endswith(_loader.TEST_SUFFIXES):
                        found.add(self.rel(os.path.join(folder, name)))
        ruleset = self.saved.ruleset if self.saved is not None else None
        if ruleset is not None:
            found.update(self.rel(f) for f in ruleset.files)
            found.update(self.rel(lex.source) for lex in ruleset.lexicons.values() if lex.source)
        first = [] if self.target.is_dir() else [self.rel(str(self.target))]
        return first + sorted(f for f in found if f not in first and not f.startswith("../"))

    def main_file(self) -> str:
        """The file the page opens first: the given rule file, else that of the pack's first rule."""
        if not self.target.is_dir():
            return self.rel(str(self.target))
        ruleset = self.saved.ruleset if self.saved is not None else None
        if ruleset is not None and ruleset.rules:
            return self.rel(ruleset.rules[0].pos.file)
        rule_files = [f for f in self.files() if f.endswith(_loader.RULE_SUFFIXES)]
        return (rule_files or [""])[0]

    def confine(self, rel: str) -> Path:
        """The real path of an editable file named relative to the root; SaveRefused otherwise."""
        if not isinstance(rel, str) or not rel or "\x00" in rel:
            raise SaveRefused("a file path (relative to the rule root) is required")
        pure = PurePosixPath(rel)
        if pure.is_absolute() or os.path.isabs(rel) or "\\" in rel:
            raise SaveRefused(f"'{rel}' is an absolute path; paths are relative to the rule root", 403)
        if ".." in pure.parts:
            raise SaveRefused(f"'{rel}' leaves the rule root ('..' is not allowed)", 403)
        lexical = self.root / pure
        real = lexical.resolve()
        if not real.is_relative_to(self.root_real):
            raise SaveRefused(f"'{rel}' resolves (through a symlink) outside the rule root", 403)
        if rel not in self.files() or not real.is_file():
            raise SaveRefused(f"'{rel}' is not a rule or lexicon file of this pack", 404)
        return real

    def read(self, rel: str) -> str:
        try:
            return self.confine(rel).read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            raise SaveRefused(f"'{rel}' is not valid UTF-8 ({err.reason})", 422) from None

    # --- loading ------------------------------------------------------------------------------

    def _overlay(self, buffers: dict[str, str]) -> dict[str, str]:
        """The page's unsaved buffers, checked (unknown paths and oversized texts are refused)."""
        overlay = {}
        for rel, text in buffers.items():
            if not isinstance(text, str) or len(text) > MAX_TEXT:
                raise SaveRefused(f"the text of '{rel}' is not a string of at most {MAX_TEXT:,} characters", 413)
            self.confine(rel)
            overlay[rel] = text
        return overlay

    def _build(self, overlay: dict[str, str]) -> _Built:
        """Load and compile the pack with ``overlay`` over the disk (reusing the last build when
        neither the buffers nor the files on disk changed)."""
        key = (tuple(sorted(overlay.items())), self._disk_stamp())
        if self._last is not None and self._last.key == key:
            return self._last
        loader = _OverlayLoader(self.root, overlay, self._parsed)
        loader.run(self.target)
        ruleset = loader.ruleset(partial=True)
        diagnostics = [*loader.errors, *loader.warnings]
        extractor = None
        try:
            pack = compile_rules(ruleset, cache=self.compile_cache)
        except RuleError as err:
            diagnostics += err.diagnostics
        else:
            if not any(d.severity == "error" for d in diagnostics):
                extractor = Extractor(pack, time_budget=DOCUMENT_BUDGET)
        unique = dict.fromkeys(diagnostics)
        diagnostics = sorted(unique, key=lambda d: (d.severity != "error", d.file, d.line, d.col, d.code, d.message))
        built = _Built(key, ruleset, diagnostics, extractor)
        self._last = built
        return built

    def _disk_stamp(self) -> tuple:
        """Size and modification time of every file of the pack: a change on disk (another
        editor, a git checkout) makes the next analysis reload."""
        stamp = []
        for rel in self.files():
            try:
                st = (self.root / rel).stat()
            except OSError:
                continue
            stamp.append((rel, st.st_size, st.st_mtime_ns))
        return tuple(stamp)

    # --- running ------------------------------------------------------------------------------

    def _run_sample(self, extractor: Extractor) -> _Results:
        """The sample's events with ``extractor``'s pack; a document over its time budget gives
        none, as in a run, and is counted in ``self.skipped`` (a pattern that backtracks must
        not freeze the page).

        Incremental: against the last pack run or the saved one, whichever leaves fewer
        sentences to run (see :func:`_changes`), only the sentences in which one of the event
        rules that changed (in either version) may fire are run again, and those where a rule
        that changed only in token tests may fire and one of those tests answers otherwise on
        one of their tokens (see :class:`_Retested`)
        (:meth:`~eventx.api.Extractor.retrace`: the document's other sentences keep their
        matches, then its events are merged again), or every sentence when more than rules
        changed; a document where no such rule may fire keeps its events, which are what a run
        would give (nothing else a document's events depend on has changed). The examples'
        results carried over are those the changes cannot touch either.
        """
        bases = []
        for candidate in dict.fromkeys(b for b in (self._results, self._saved_results) if b is not None):
            changes = _changes(candidate.extractor.pack, extractor.pack)
            if changes is not None:
                again = [self._to_run(index, trace, changes) for index, trace in enumerate(candidate.traces)]
                cost = sum(len(self._sentences[i]) if a is None else len(a) for i, a in enumerate(again))
                bases.append((cost, candidate, changes, again))
        bases.sort(key=lambda b: b[0])
        base = bases[0][1] if bases else None
        rerun: list[list[Sentence] | None] = bases[0][3] if bases else [None] * len(self.documents)
        documents: list[list[Event] | None] = []
        traces: list[DocumentTrace | None] = []
        self.skipped = 0
        self.documents_run = self.sentences_run = 0
        version = extractor.pack.version
        for index, doc in enumerate(self.documents):
            sentences = rerun[index]
            trace = None if base is None else base.traces[index]
            found = None if base is None else base.documents[index]
            if sentences is None or sentences:
                self.documents_run += 1
                self.sentences_run += len(self._sentences[index]) if sentences is None else len(sentences)
                try:
                    if sentences is None or trace is None:
                        trace = _on_first_use(extractor.pack, extractor.trace, doc)
                    else:
                        trace = _on_first_use(extractor.pack, extractor.retrace, trace, sentences)
                except EventxError:
                    trace = found = None
                    self.skipped += 1
                else:
                    found = trace.events
            if found:
                found = with_rules_version(found, version)
            documents.append(found)
            traces.append(trace)
        examples: dict[tuple, tuple[str, list[str]]] = {}
        for _, candidate, changes, _ in reversed(bases):  # the chosen base's last: its results win
            examples.update((key, result) for key, result in candidate.examples.items() if self._still(key, changes))
        self._results = _Results(extractor, documents, traces, examples, [(b[1], b[2]) for b in bases])
        for candidate, _ in self._results.bases:
            candidate.bases = []  # only the current results fill in their bases' examples: no chain to keep
        return self._results

    def _to_run(self, index: int, trace: DocumentTrace | None, changes: _Changes) -> list[Sentence] | None:
        """The sentences of sample document ``index`` to run again after ``changes`` (see
        :meth:`_run_sample`): those where a changed rule may fire; None for all of them (the
        document was over its time budget, so it has no trace to start from)."""
        if trace is None:
            return None
        keys = self._keys[index]
        retested = [group for group in changes.retested if _may_fire(group.patterns, keys)]
        if not retested and not _may_fire(changes.patterns, keys):
            return []
        return [sentence for sentence, keys in zip(self._sentences[index], self._sentence_keys[index])
                if _may_fire(changes.patterns, keys) or self._differs(retested, keys, sentence.tokens)]

    def _differs(self, retested: list[_Retested], keys: frozenset[tuple[str, str]], tokens: list[Token]) -> bool:
        """Whether a rule of ``retested`` may fire in a text with token ``keys`` and ``tokens``,
        and there its old and new versions can differ: one of its changed token tests gives
        another answer on one of the tokens (else both versions match the same there)."""
        return any(_may_fire(group.patterns, keys) and self._tests.differ(group, tokens) for group in retested)

    def _still(self, key: tuple, changes: _Changes) -> bool:
        """Whether an example's result (see :func:`_example_key`) holds after ``changes``."""
        kind, rule_id, text = key[:3]
        if kind == "mention":
            if changes.labels:
                return False
            return not changes.mention_tests or not any(
                self._tests.differ(group, self._text_keys(text)[1]) for group in changes.mention_tests)
        if rule_id in changes.rules:
            return False
        keys, tokens = self._text_keys(text)
        return not _may_fire(changes.patterns, keys) and not self._differs(list(changes.retested), keys, tokens)

    def _text_keys(self, text: str) -> tuple[frozenset[tuple[str, str]], list[Token]]:
        """The token keys and the tokens of an example's text."""
        found = self._example_keys.get(text)
        if found is None:
            sentences = _analyse(Document(id="example", text=text))
            found = self._example_keys[text] = (_token_keys(sentences), [t for s in sentences for t in s.tokens])
        return found

    def analyse(self, buffers: dict[str, str], focus: str | None = None) -> Analysis:
        """Diagnostics of the pack with ``buffers`` (root-relative path -> text) over the disk;
        when it has no errors, its events on the sample, the inline examples of ``focus`` (a
        file) and the diff against the saved pack's events."""
        with self.lock:
            overlay = self._overlay(buffers)
            assert self.saved is not None  # built when the session opens
            if self._disk_stamp() != self.saved.key[1]:  # changed on disk (another editor, git): a new base
                self.saved = self._build({})
                self._saved_results = self._run_sample(self.saved.extractor) if self.saved.extractor else None
                self.saved_events = self._saved_results.events() if self._saved_results else []
            started = time.perf_counter()
            built = self._build(overlay)  # the last build again when nothing changed
            timings = {"load": round(time.perf_counter() - started, 3)}
            diagnostics = [self.diagnostic_dict(d) for d in built.diagnostics]
            warnings = sum(d.severity == "warning" for d in built.diagnostics)
            if built.extractor is None:
                last = self._last_good
                return Analysis(
                    diagnostics, built.errors, warnings, True,
                    last.documents if last else [], last.rules if last else [],
                    last.examples if last else [], last.diff if last else _empty_diff(), timings,
                )
            started = time.perf_counter()
            results = self._run_sample(built.extractor)
            events = results.events()
            timings["sample"] = round(time.perf_counter() - started, 3)
            timings["documents run"] = self.documents_run
            timings["sentences run"] = self.sentences_run
            started = time.perf_counter()
            examples = self._examples(results, focus)
            timings["examples"] = round(time.perf_counter() - started, 3)
            started = time.perf_counter()
            diff = self._diff(events)
            timings["diff"] = round(time.perf_counter() - started, 3)
            documents = self._documents(events)
            rules = [{"rule": rule, "events": n} for rule, n in sorted(Counter(e["rule"] for e in events).items())]
            analysis = Analysis(diagnostics, 0, warnings, False, documents, rules, examples, diff, timings, self.skipped)
            self._last_good = analysis
            return analysis

    def sample_events(self) -> list[Event]:
        """The sample's events with the pack last analysed without errors (the saved pack's
        before any analysis): what ``eventx run`` of the sample with that pack gives."""
        with self.lock:
            return self._results.events() if self._results is not None else []

    def diagnostic_dict(self, d: Diagnostic) -> dict:
        data = d.to_dict()
        data["path"] = self.rel(d.file) if d.file else ""
        data["rendered"] = d.render()
        return data

    def _examples(self, sample: _Results, focus: str | None) -> list[dict]:
        """Pass/fail of the inline examples of the rules in ``focus`` (every rule when None);
        those the edits since they were run cannot change are not run again."""
        from eventx.examples import run_example

        extractor = sample.extractor
        results = []
        for compiled in extractor.pack.rules:
            rule = compiled.source
            if rule is None or (focus is not None and self.rel(rule.pos.file) != focus):
                continue
            for example in rule.examples:
                key = _example_key(rule, example)
                known = sample.examples.get(key)
                if known is None:
                    try:
                        result = _on_first_use(extractor.pack, run_example, extractor, rule, example)
                    except EventxError as err:  # over the time budget: not kept
                        known = ("failed", [str(err)])
                    else:
                        known = sample.examples[key] = (result.status, result.problems)
                        for base, changes in sample.bases:
                            if self._still(key, changes):
                                base.examples.setdefault(key, known)
                status, problems = known
                results.append({
                    "rule": rule.id, "line": example.pos.line, "path": self.rel(example.pos.file), "text": example.text,
                    "status": status, "problems": list(problems),
                })
        return results

    def _diff(self, events: list[Event]) -> dict:
        """Gained, lost and changed events against the saved pack, as ``eventx diff`` shows them."""
        from eventx.golden import diff_events, render_diff

        diffs = diff_events(self.saved_events, events)
        gained = sum(len(d.added) for d in diffs)
        lost = sum(len(d.removed) for d in diffs)
        changed = sum(len(d.changed) for d in diffs)
        lines = [{"text": text, "style": style} for d in diffs for text, style in render_diff(d)]
        return {"gained": gained, "lost": lost, "changed": changed, "documents": len(diffs),
                "saved": len(self.saved_events), "now": len(events), "lines": lines}

    def _documents(self, events: list[Event]) -> list[dict]:
        """The sample documents with events, text cut at every highlight (see :func:`eventx.report.segments`)."""
        from eventx.report import segments

        by_doc: dict[str, list[Event]] = {}
        for event in events:
            by_doc.setdefault(event["doc_id"], []).append(event)
        out = []
        for doc in self.documents:
            mine = by_doc.get(doc.id)
            if not mine:
                continue
            spans = []
            shown = []
            for number, event in enumerate(mine):
                trigger = event["trigger"]
                spans.append((trigger["start"], trigger["end"], number))
                shown.append({
                    "n": number, "type": event["type"], "rule": event["rule"], "modality": event["modality"],
                    "trigger": trigger["text"], "sentence": event["sentence"]["index"],
                    "args": {role: arg["text"] for role, arg in event["args"].items()},
                    "mentions": len(event.get("mentions") or ()),
                })
            out.append({"id": doc.id, "title": doc.title or "", "segments": segments(doc.text, spans), "events": shown})
        return out

    # --- try a sentence -----------------------------------------------------------------------

    def explain(self, text: str, buffers: dict[str, str]) -> dict:
        """``eventx explain`` of ``text`` with the edited pack (the saved one while it has errors)."""
        from eventx.explain import Explainer

        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise SaveRefused(f"the text must be a string of at most {MAX_TEXT:,} characters", 413)
        with self.lock:
            built = self._build(self._overlay(buffers))
            assert self.saved is not None  # built when the session opens
            extractor = built.extractor or self.saved.extractor
            if extractor is None:
                return {"sentences": [], "pack": "none", "message": "the pack has errors: fix them to explain a text"}
            started = time.perf_counter()
            try:
                reports = Explainer(extractor).explain(text)
            except EventxError as err:
                return {"sentences": [], "pack": "edited", "message": str(err)}
            return {
                "sentences": [r.to_dict() for r in reports],
                "pack": "edited" if built.extractor is not None else "saved",
                "message": "" if reports else "the text has no tokens",
                "seconds": round(time.perf_counter() - started, 3),
            }

    # --- saving -------------------------------------------------------------------------------

    def save(self, rel: str, text: str) -> dict:
        """Write ``text`` to the pack's file ``rel`` (root-relative) atomically, if the pack with
        it loads without errors; the saved pack becomes the diff's new base."""
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise SaveRefused(f"the text must be a string of at most {MAX_TEXT:,} characters", 413)
        with self.lock:
            real = self.confine(rel)
            built = self._build({rel: text})
            if built.extractor is None:
                errors = [d for d in built.diagnostics if d.severity == "error"]
                raise SaveRefused(f"not saved: the pack would have {len(errors)} error(s)", 409, errors)
            _write_atomically(real, text)
            built.key = ((), self._disk_stamp())  # the pack on disk now
            self.saved = self._last = built
            self._saved_results = self._run_sample(built.extractor)
            self.saved_events = self._saved_results.events()
            return {"saved": rel, "bytes": len(text.encode("utf-8")), "events": len(self.saved_events)}


# --- incremental results ------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _Results:
    """A pack without errors and its results on the sample: per document its events (None: over
    the time budget), and the inline examples' results computed with it (see :func:`_example_key`)."""

    extractor: Extractor
    documents: list[list[Event] | None]
    traces: list[DocumentTrace | None]  # how each document's events came about (what a re-run starts from)
    examples: dict[tuple, tuple[str, list[str]]] = field(default_factory=dict)
    # the results this one was made from, and what changed since: an example's result holds
    # for them too when those changes cannot touch it
    bases: list[tuple[_Results, _Changes]] = field(default_factory=list)

    def events(self) -> list[Event]:
        return [event for found in self.documents if found for event in found]


@dataclass(frozen=True, slots=True)
class _Retested:
    """Event rules whose old and new versions differ only in token tests (the constraints
    inside ``[...]``; an edit of a var of token tests used by many rules, a word added to a
    list), the same changed tests for each: in a text where none of those tests gives another
    answer, old and new version on any token, both versions match exactly alike (the same
    tree, the same trigger token, the same labels and lexicons), so the text needs no new run
    for them."""

    patterns: tuple[CompiledPattern, ...]  # old and new versions of the rules
    rules: frozenset[str]  # their ids
    pairs: tuple[tuple[Constraint | None, Constraint | None], ...]  # (old test, new test) that differ
    key: frozenset  # the pairs, as _test_key gives them


@dataclass(frozen=True, slots=True)
class _Changes:
    """What differs between two packs as far as extraction goes, when only rules do: the event
    rules whose matches may differ (their old and new patterns, by id), the mention labels
    whose rules differ, and the event rules that differ only in token tests (see
    :class:`_Retested`). ``None`` stands for "anything": every document is run again."""

    patterns: tuple[CompiledPattern, ...]  # old and new versions of the changed event rules
    rules: frozenset[str]  # their ids
    labels: frozenset[int]  # mention labels whose rules changed (added, removed or edited), but ...
    retested: tuple[_Retested, ...] = ()
    # ... those whose rules changed only in token tests: their changed tests (a mention example
    # holds where none of them answers otherwise; the event rules needing them are retested)
    mention_tests: tuple[_Retested, ...] = ()


def _rule_signature(rule: CompiledRule) -> tuple:
    """All of a compiled event rule that extraction may depend on, but its load order (of which
    only the relative order counts) and position."""
    return (rule.type, rule.priority, rule.description, rule.pattern, rule.modality,
            tuple(sorted(rule.norms.items())), rule.unless)


def _mention_signatures(pack: RulePack) -> dict[int, tuple]:
    """Label id -> what its mention rules are, in order (their position aside)."""
    found: dict[int, list[tuple]] = {}
    for m in pack.mention_rules:
        found.setdefault(m.label_id, []).append(
            (m.id, m.label, m.layer, m.priority, m.pattern, tuple(sorted(m.norms.items()))))
    return {label: tuple(signatures) for label, signatures in found.items()}


def _same_context(old: RulePack, new: RulePack) -> bool:
    """Whether everything of two packs besides their event and mention rules that extraction
    depends on is the same: the lexicons and labels (ids, phrases, norms), the types, the scopes."""
    a, b = old.ruleset, new.ruleset
    assert a is not None and b is not None  # the session's packs are loaded from files
    if old.lexicons.names != new.lexicons.names or a.lexicons.keys() != b.lexicons.keys():
        return False
    for name, lexicon in a.lexicons.items():
        other = b.lexicons[name]
        if lexicon.case_sensitive != other.case_sensitive:
            return False
        # the entries are the very same objects when the lexicon's text was not edited
        if lexicon.entries != other.entries and (
                [(e.phrase, e.norm) for e in lexicon.entries] != [(e.phrase, e.norm) for e in other.entries]):
            return False
    return a.types == b.types and a.scopes == b.scopes


def _changes(old: RulePack, new: RulePack) -> _Changes | None:
    """What changed from ``old`` to ``new`` (see :class:`_Changes`), or None when something
    else than rules did (a lexicon, a type, a scope) or unchanged rules changed their order."""
    if old is new:
        return _Changes((), frozenset(), frozenset())
    if not _same_context(old, new):
        return None
    old_mentions, new_mentions = _mention_signatures(old), _mention_signatures(new)
    edited = [label for label in old_mentions.keys() | new_mentions.keys()
              if old_mentions.get(label) != new_mentions.get(label)]
    # labels whose rules changed only in token tests: their tests, else the label has changed
    retested_labels = {label: tests for label in edited if (tests := _changed_mention_tests(old, new, label))}
    labels = frozenset(label for label in edited if label not in retested_labels)
    before = {rule.id: rule for rule in old.rules}
    after = {rule.id: rule for rule in new.rules}
    if len(before) != len(old.rules) or len(after) != len(new.rules):
        return None  # a duplicate id (a pack with errors never gets here)
    changed = set(before.keys() ^ after.keys())
    retested: dict[frozenset, tuple[list[CompiledRule], list[str], dict]] = {}
    for rule_id in before.keys() & after.keys():
        a, b = before[rule_id], after[rule_id]
        needed = _labels(old, a) | _labels(new, b)
        if needed & labels:
            changed.add(rule_id)
            continue
        # a label whose rules changed only in token tests: where none of those answers
        # otherwise, its mentions, hence the rule's matches, are the same
        pairs: dict[tuple, tuple[Constraint | None, Constraint | None]] = {}
        for label in sorted(needed & retested_labels.keys()):
            pairs.update(retested_labels[label])
        if _rule_signature(a) != _rule_signature(b):
            own = _changed_tests(a, b)
            # the same trees yet another compiled form, with no label retested: no change of tests
            if own is None or not (own or pairs):
                changed.add(rule_id)
                continue
            pairs.update(own)
        if pairs:
            group = retested.setdefault(frozenset(pairs), ([], [], pairs))
            group[0].extend((a, b))
            group[1].append(rule_id)
    # ties between overlapping matches go to the rule loaded first: the others keep their order
    if [r.id for r in old.rules if r.id not in changed] != [r.id for r in new.rules if r.id not in changed]:
        return None
    patterns = [rule.pattern for pack in (old, new) for rule in pack.rules if rule.id in changed]
    groups = tuple(_Retested(tuple(r.pattern for r in rules), frozenset(ids), tuple(pairs.values()), key)
                   for key, (rules, ids, pairs) in retested.items())
    mention_tests = tuple(_Retested((), frozenset(), tuple(tests.values()), frozenset(tests))
                          for tests in retested_labels.values())
    return _Changes(tuple(patterns), frozenset(changed), labels, groups, mention_tests)


def _changed_mention_tests(old: RulePack, new: RulePack, label: int) -> dict[tuple, tuple[Constraint | None, Constraint | None]] | None:
    """The token tests that differ between the mention rules of ``label`` in two packs (see
    :func:`_changed_tests`), when the rules are the same, in the same order, but for them."""
    mine = [[m for m in pack.mention_rules if m.label_id == label] for pack in (old, new)]
    if len(mine[0]) != len(mine[1]):
        return None
    pairs: dict[tuple, tuple[Constraint | None, Constraint | None]] = {}
    for a, b in zip(*mine):
        if (a.id, a.label, a.layer, a.priority, a.norms) != (b.id, b.label, b.layer, b.priority, b.norms):
            return None
        if a.pattern.tree is None or b.pattern.tree is None or not _same_but_tests(a.pattern.tree, b.pattern.tree, pairs):
            return None
    return pairs or None


def _changed_tests(old: CompiledRule, new: CompiledRule) -> dict[tuple, tuple[Constraint | None, Constraint | None]] | None:
    """The token tests that differ between two versions of an event rule — (key of the old
    test, of the new) -> (old, new), see :func:`_test_key` — when nothing else of the rules
    does (their patterns and ``unless`` patterns have the same trees but for the constraints
    of some tokens, and the same type, priority, modality, norms); None otherwise."""
    if (old.type, old.priority, old.description, old.modality, old.norms) != (
            new.type, new.priority, new.description, new.modality, new.norms) or len(old.unless) != len(new.unless):
        return None
    pairs: dict[tuple, tuple[Constraint | None, Constraint | None]] = {}
    for a, b in zip((old.pattern, *old.unless), (new.pattern, *new.unless)):
        if a.tree is None or b.tree is None or not _same_but_tests(a.tree, b.tree, pairs):
            return None
    return pairs


def _same_but_tests(a: Node, b: Node, pairs: dict) -> bool:
    """Whether two expanded trees are the same but for token constraints (positions in the
    pattern texts aside); the constraints that differ are added to ``pairs``."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, TokenNode):
        assert isinstance(b, TokenNode)
        if a.trigger != b.trigger:
            return False
        if a.constraint != b.constraint:  # the same test, offsets included, in most tokens
            old, new = _test_key(a.constraint), _test_key(b.constraint)
            if old != new:
                pairs[old, new] = (a.constraint, b.constraint)
        return True
    for name in a.__slots__:
        if name == "offset":
            continue
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, tuple):
            if not isinstance(y, tuple) or len(x) != len(y) or not all(_same_but_tests(i, j, pairs) for i, j in zip(x, y)):
                return False
        elif name == "body":
            if not _same_but_tests(x, y, pairs):
                return False
        elif x != y:
            return False
    return True


_values_keys: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}


def _test_key(c: Constraint | None) -> tuple:
    """What a token constraint tests, its positions aside (values normalised, as the compiler does)."""
    if c is None:
        return ("any",)
    if isinstance(c, FieldEquals):
        values = _values_keys.get((c.field, c.values))
        if values is None:
            if len(_values_keys) >= 10_000:
                _values_keys.clear()
            values = _values_keys[c.field, c.values] = frozenset(normalise_value(c.field, v) for v in c.values)
        return ("equals", c.field, values)
    if isinstance(c, FieldRegex):
        return ("regex", c.field, c.regex)
    if isinstance(c, IsNumber):
        return ("num",)
    if isinstance(c, Not):
        return ("not", _test_key(c.operand))
    return ("and" if isinstance(c, And) else "or", tuple(_test_key(o) for o in c.operands))


class _TokenTests:
    """Token constraints evaluated on tokens by the engine's own token tests: a
    :class:`~eventx.match.atoms.TokenAtoms` of its own gives a token's record (the flags of the
    atomic tests it passes), and a constraint combines them as its regex does (``!`` the flag
    is absent, ``&`` all, ``|`` one). Answers are kept per set of changed tests and token."""

    LIMIT = 200  # sets of changed tests whose answers are kept

    def __init__(self) -> None:
        self.atoms = TokenAtoms()
        self._flags: dict[tuple, str] = {}
        self._answers: dict[frozenset, dict[tuple[str, str], bool]] = {}

    def differ(self, group: _Retested, tokens: list[Token]) -> bool:
        """Whether one of ``group``'s (old, new) tests gives two answers on one of ``tokens``."""
        answers = self._answers.get(group.key)
        if answers is None:
            for old, new in group.pairs:  # every atom first: adding one forgets the records
                self._flag_all(old)
                self._flag_all(new)
            if len(self._answers) >= self.LIMIT:
                self._answers.clear()
            answers = self._answers[group.key] = {}
        for token in tokens:
            key = (token.word, token.lemma)
            differs = answers.get(key)
            if differs is None:
                self.atoms.time_left = DOCUMENT_BUDGET  # a field regex that backtracks: say "differs"
                try:
                    record = self.atoms.record(token)
                    differs = any(self._holds(old, record) != self._holds(new, record) for old, new in group.pairs)
                except TimeoutError:
                    differs = True
                finally:
                    self.atoms.time_left = None
                answers[key] = differs
            if differs:
                return True
        return False

    def _flag_all(self, c: Constraint | None) -> None:
        if isinstance(c, Not):
            self._flag_all(c.operand)
        elif isinstance(c, (And, Or)):
            for operand in c.operands:
                self._flag_all(operand)
        elif c is not None:
            self._flag(c)

    def _flag(self, c: FieldEquals | FieldRegex | IsNumber) -> str:
        key = _test_key(c)
        flag = self._flags.get(key)
        if flag is None:
            if isinstance(c, FieldEquals):
                flag = self.atoms.equals(c.field, key[2])
            elif isinstance(c, FieldRegex):
                flag = self.atoms.matches(c.field, c.regex)
            else:
                flag = self.atoms.number()
            self._flags[key] = flag
        return flag

    def _holds(self, c: Constraint | None, record: str) -> bool:
        if c is None:
            return True
        if isinstance(c, Not):
            return not self._holds(c.operand, record)
        if isinstance(c, And):
            return all(self._holds(o, record) for o in c.operands)
        if isinstance(c, Or):
            return any(self._holds(o, record) for o in c.operands)
        return self._flag(c) in record


def _labels(pack: RulePack, rule: CompiledRule) -> frozenset[int]:
    """The mention labels a rule needs (its patterns' and, transitively, their rules')."""
    if not rule.pattern.labels and not any(guard.labels for guard in rule.unless):
        return frozenset()
    return pack.label_closure(rule.pattern.labels.union(*(guard.labels for guard in rule.unless)))


def _example_key(rule, example) -> tuple:
    """What an example's result depends on besides the pack: its kind, rule, text and expectations."""
    kind = "mention" if hasattr(rule, "label") else "event"
    return (kind, rule.id, example.text, repr(example.expect), example.todo)


def _on_first_use(pack: RulePack, run: Callable[..., _T], *args: object) -> _T:
    """``run(*args)`` (an extraction with ``pack``) with each regex of the pack built when
    matching first needs it, not every regex of each candidate rule before matching: after an
    edit, the rules it changed are built again, and many candidates of a sentence fail before
    their regex or their whole sketch is needed (after an edit of a var used by 51 rules, a
    third of the regexes built were never used). Building then counts against the document's
    time budget: if the document runs over it, it is run again with the regexes built
    beforehand (as in a run, where building is not matching time), so the result is what a
    run gives."""
    pack.prebuild = False
    try:
        return run(*args)
    except DocumentTimeout:
        pass
    finally:
        pack.prebuild = True
    return run(*args)


def _token_keys(sentences: list[Sentence]) -> frozenset[tuple[str, str]]:
    """The (field, value) keys rule triggers and requirements are made of, of every token."""
    keys: set[tuple[str, str]] = set()
    for sentence in sentences:
        for token in sentence.tokens:
            keys.add(("lower", token.lower))
            keys.add(("lemma", token.lemma))
    return frozenset(keys)


def _may_fire(patterns: tuple[CompiledPattern, ...], keys: frozenset[tuple[str, str]]) -> bool:
    """Whether one of ``patterns`` may match in a text whose tokens carry ``keys``: the test of
    :class:`~eventx.match.prefilter.Prefilter`, a necessary condition for a rule to be tried."""
    for pattern in patterns:
        if pattern.trigger_keys is not None and keys.isdisjoint(pattern.trigger_keys):
            continue
        if all(not keys.isdisjoint(required) for required in pattern.requirements):
            return True
    return False


def _write_atomically(path: Path, text: str) -> None:
    """Replace ``path``'s content in one step: a temporary file in the same folder, flushed to
    disk, then renamed over it (keeping its permissions); a crash leaves the old file or the new."""
    data = text.encode("utf-8")
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _empty_diff() -> dict:
    return {"gained": 0, "lost": 0, "changed": 0, "documents": 0, "saved": 0, "now": 0, "lines": []}
