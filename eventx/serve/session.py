"""What ``eventx serve`` keeps in memory between edits, and the work behind each request.

A :class:`Session` holds the rule root, the pack as saved on disk (compiled once, and again
after each save) with its events on the corpus sample, and the sample itself. An analysis
loads the pack with the page's unsaved buffers laid over the files on disk (nothing is
written), so its diagnostics carry the same file:line:col as ``eventx check`` would give for
those texts; then it runs the sample, the edited file's inline examples and the diff against
the saved pack's events.

Speed comes from three things: the sample's documents stay in memory; only edited rules are
compiled again (a :class:`~eventx.rules.compile.CompileCache` keeps the others, and the token
atoms, so their regexes are not rebuilt either); and the last analysed pack is reused as long as
the buffers are the same (``explain`` after an analysis, or a save of what was just analysed).

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

from eventx.record import Event
from eventx.api import Extractor, default_rules_path
from eventx.errors import Diagnostic, EventxError, InputError, RuleError
from eventx.rules import loader as _loader
from eventx.rules.compile import CompileCache, compile_rules
from eventx.rules.model import RuleSet
from eventx.text.model import Document

__all__ = ["Analysis", "SaveRefused", "Session"]

DEFAULT_SAMPLE = 200
DOCUMENT_BUDGET = 1.0  # seconds of matching per sample document or example (runs allow 10)
MAX_TEXT = 2_000_000  # characters of one buffer or try-a-sentence text the page may send
LEXICON_SUFFIXES = (".txt",)


class SaveRefused(EventxError):
    """A save that would leave the rule root, write an unknown file or break the pack."""

    def __init__(self, message: str, status: int = 400, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.status = status
        self.diagnostics = diagnostics or []


class _OverlayLoader(_loader._Loader):
    """The rule loader, reading some files from memory (the editor's unsaved buffers) instead
    of disk: every check, path confinement included, runs exactly as for the files on disk."""

    def __init__(self, root: Path, overlay: dict[str, str]):
        super().__init__(root)
        self.overlay = overlay

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
        self.skipped = 0
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
            self.saved_events = self._run_sample(self.saved.extractor)

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
        loader = _OverlayLoader(self.root, overlay)
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

    def _run_sample(self, extractor: Extractor) -> list[Event]:
        """The sample's events; a document over its time budget gives none, as in a run, and
        is counted in ``self.skipped`` (a pattern that backtracks must not freeze the page)."""
        events = []
        self.skipped = 0
        for doc in self.documents:
            try:
                events += extractor.extract(doc)
            except EventxError:
                self.skipped += 1
        return events

    def analyse(self, buffers: dict[str, str], focus: str | None = None) -> Analysis:
        """Diagnostics of the pack with ``buffers`` (root-relative path -> text) over the disk;
        when it has no errors, its events on the sample, the inline examples of ``focus`` (a
        file) and the diff against the saved pack's events."""
        with self.lock:
            overlay = self._overlay(buffers)
            assert self.saved is not None  # built when the session opens
            if self._disk_stamp() != self.saved.key[1]:  # changed on disk (another editor, git): a new base
                self.saved = self._build({})
                self.saved_events = self._run_sample(self.saved.extractor) if self.saved.extractor else []
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
            events = self._run_sample(built.extractor)
            timings["sample"] = round(time.perf_counter() - started, 3)
            started = time.perf_counter()
            examples = self._examples(built.extractor, focus)
            timings["examples"] = round(time.perf_counter() - started, 3)
            started = time.perf_counter()
            diff = self._diff(events)
            timings["diff"] = round(time.perf_counter() - started, 3)
            documents = self._documents(events)
            rules = [{"rule": rule, "events": n} for rule, n in sorted(Counter(e["rule"] for e in events).items())]
            analysis = Analysis(diagnostics, 0, warnings, False, documents, rules, examples, diff, timings, self.skipped)
            self._last_good = analysis
            return analysis

    def diagnostic_dict(self, d: Diagnostic) -> dict:
        data = d.to_dict()
        data["path"] = self.rel(d.file) if d.file else ""
        data["rendered"] = d.render()
        return data

    def _examples(self, extractor: Extractor, focus: str | None) -> list[dict]:
        """Pass/fail of the inline examples of the rules in ``focus`` (every rule when None)."""
        from eventx.examples import run_example

        results = []
        for compiled in extractor.pack.rules:
            rule = compiled.source
            if rule is None or (focus is not None and self.rel(rule.pos.file) != focus):
                continue
            for example in rule.examples:
                try:
                    result = run_example(extractor, rule, example)
                except EventxError as err:
                    results.append({"rule": rule.id, "line": example.pos.line, "path": self.rel(example.pos.file),
                                    "text": example.text, "status": "failed", "problems": [str(err)]})
                    continue
                results.append({
                    "rule": rule.id, "line": result.line, "path": self.rel(result.file), "text": result.text,
                    "status": result.status, "problems": result.problems,
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
            self.saved_events = self._run_sample(built.extractor)
            return {"saved": rel, "bytes": len(text.encode("utf-8")), "events": len(self.saved_events)}


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
