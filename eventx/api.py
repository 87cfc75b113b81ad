"""The Python API; the CLI is a thin layer over these functions.

Example::

    from eventx.api import Extractor, load_rules
    extractor = Extractor(load_rules())          # the shipped pack
    for event in extractor.extract("Poland is sending 2,000 troops to Lithuania."):
        print(event["type"], event["args"])
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from eventx import codes
from eventx.cache import cached_pack, keep_pack
from eventx.errors import EventxError, InputError, RuleError
from eventx.extract.events import EventBuilder, resolve_overlaps
from eventx.extract.mentions import PARTY_CODE, merge_mentions
from eventx.match.matcher import Match, RulePack, SentenceMatches, longest_mentions
from eventx.record import Event, sorted_events
from eventx.rules.compile import compile_rules
from eventx.rules.files import default_rules_path  # noqa: F401 (part of this API; defined where it is light to import)
from eventx.text.model import Document, Sentence
from eventx.text.pipeline import analyse, iter_sentences, tokens_for

DEFAULT_TIME_BUDGET = 10.0  # seconds of extraction per document before it is reported and skipped


def load_rules(path: str | Path | None = None) -> RulePack:
    """Load, validate and compile a rule file or directory (default: the shipped pack).

    Raises :class:`~eventx.errors.RuleError` listing every problem as file:line:col. A pack
    whose files have not changed since it was last compiled is read from the cache
    (:mod:`eventx.cache`).
    """
    path = Path(path) if path is not None else default_rules_path()
    if not path.exists():
        raise InputError(f"{path}: no such rule file or directory")
    pack = cached_pack(path)
    if pack is not None:
        return pack
    from eventx.rules.loader import load_rule_files_partial  # YAML and the schema: not for a cached pack

    ruleset, diagnostics = load_rule_files_partial(path)
    try:
        pack = compile_rules(ruleset)
    except RuleError as err:  # report schema and pattern errors together
        raise RuleError([*diagnostics, *err.diagnostics]) from None
    if any(d.severity == "error" for d in diagnostics):
        raise RuleError(diagnostics)
    keep_pack(path, pack)
    return pack


class DocumentTimeout(EventxError):
    """Matching one document took longer than the time budget."""

    code = codes.TIME_BUDGET


MAX_SENTENCE_CHARS = 100_000  # far above any sentence of news copy (benchmarks/README.md)


class _Clock:
    """The time budget of one document: every step of its extraction counts (tokenising,
    matching, building events, modality, attribution, merging mentions), except building
    regexes on their first use (a one-off cost of the pack, not of the document)."""

    def __init__(self, budget: float | None, pack: RulePack) -> None:
        self.budget = budget
        self._pack = pack
        self._started = time.monotonic()
        self._compiled = pack.compile_seconds

    def left(self) -> float | None:
        if self.budget is None:
            return None
        spent = time.monotonic() - self._started - (self._pack.compile_seconds - self._compiled)
        return self.budget - spent

    def check(self) -> None:
        left = self.left()
        if left is not None and left <= 0:
            raise TimeoutError

    def error(self) -> DocumentTimeout:
        return DocumentTimeout(codes.message(codes.TIME_BUDGET, seconds=self.budget))


@dataclass(slots=True)
class SentenceTrace:
    """One sentence through the pipeline (see :meth:`Extractor.trace`)."""

    sentence: Sentence
    found: SentenceMatches  # raw matches, lexicon hits, mentions (by layer), vetoes
    kept: list[Match]  # the matches overlap resolution kept
    events: list[Event]  # their records, before mentions of one event are merged
    seconds: float  # matching time (regex building excluded)


@dataclass(slots=True)
class DocumentTrace:
    doc: Document
    sentences: list[SentenceTrace]
    events: list[Event]  # the document's records, as extract() returns them
    warnings: list[str] = field(default_factory=list)  # parts skipped: a sentence over MAX_SENTENCE_CHARS


class Extractor:
    """Extracts event records from documents with one compiled rule pack."""

    def __init__(
        self,
        rules: RulePack | str | Path | None = None,
        *,
        time_budget: float | None = DEFAULT_TIME_BUDGET,
        prefilter: bool = True,
        merge_mentions: bool = True,
    ):
        """``prefilter=False`` tokenises every sentence instead of only those where a trigger
        word occurs; the events are the same (tests check it), only slower.

        ``merge_mentions=True`` (the default) gives one record per event of a document: later
        mentions of the same event (a lead repeating its headline) are folded into the first
        one's ``mentions`` (see :mod:`eventx.extract.mentions`); ``False`` gives one record
        per sentence-level mention, each with ``mentions: []``.
        """
        self.pack = rules if isinstance(rules, RulePack) else load_rules(rules)
        self.builder = EventBuilder(self.pack)
        self.time_budget = time_budget
        self.prefilter = prefilter
        self.merge_mentions = merge_mentions

    def extract(self, doc: Document | str) -> list[Event]:
        """Event records of one document (a plain string becomes a document with id "text")."""
        return self.trace(doc).events

    def extract_document(self, doc: Document | str) -> tuple[list[Event], list[str]]:
        """(event records, warnings) of one document. A warning names a part of the document
        that was skipped (a sentence longer than ``MAX_SENTENCE_CHARS``); the rest of it is
        extracted. Past the time budget, :class:`DocumentTimeout` is raised."""
        traced = self.trace(doc)
        return traced.events, traced.warnings

    def trace(self, doc: Document | str, *, every_sentence: bool = False) -> DocumentTrace:
        """What happened to each sentence of a document, and the document's event records.

        The one pipeline behind :meth:`extract`, ``eventx explain``, ``eventx check``'s match
        tallies and ``eventx coverage``: per sentence the rules the prefilter selected, the
        lexicon hits and mentions, the raw matches, those kept by overlap resolution, the
        vetoes, the records built and the matching time. Only sentences where a rule can fire
        are traced unless ``every_sentence`` (then each sentence with tokens is, with its
        candidates and matches as the pipeline sees them).
        """
        if isinstance(doc, str):
            doc = Document(id="text", text=doc)
        # the budget counts the document's whole extraction (see _Clock)
        clock = _Clock(self.time_budget, self.pack)
        traced: list[SentenceTrace] = []
        warnings: list[str] = []
        try:
            for sentence in self._candidate_sentences(doc.text, warnings, every_sentence=every_sentence):
                traced.append(self._trace_sentence(doc, sentence, clock, every_sentence))
            events = self._document_events(doc, traced, clock)
        except TimeoutError:
            raise clock.error() from None
        finally:
            self.pack.atoms.time_left = None
        return DocumentTrace(doc, traced, events, warnings)

    def retrace(self, previous: DocumentTrace, sentences: list[Sentence]) -> DocumentTrace:
        """What :meth:`trace` gives for ``previous.doc``, from ``previous`` (its trace with
        another pack): only ``sentences`` (of :func:`~eventx.text.pipeline.analyse`, tokens
        included) are traced again, the other sentences keep their traces and records.

        Exact when the packs differ only in rules (added, removed or changed event rules, and
        those needing a mention label whose rules changed; lexicons, types and the order of
        the rules they share are the same) and none of those rules, in either pack, can fire
        in a sentence of the document outside ``sentences`` — or, for a rule whose versions
        differ only in token tests, none of those tests answers otherwise on a token of such a
        sentence, so both versions match alike there: ``eventx serve`` runs an edited pack this
        way. The time budget counts only this work.
        """
        doc = previous.doc
        clock = _Clock(self.time_budget, self.pack)
        pack = self.pack
        again = {sentence.index for sentence in sentences}
        version = pack.version
        kept = [_with_version(t, version) for t in previous.sentences if t.sentence.index not in again]
        traced: list[SentenceTrace] = []
        try:
            if sentences and (not self.prefilter or pack.prefilter.may_fire(doc.text)[0]):
                for sentence in sentences:  # as _candidate_sentences selects them (an over-long
                    # sentence's warning is among previous.warnings)
                    if self._selects(doc.text, sentence.start, sentence.end, self.prefilter)[0]:
                        traced.append(self._trace_sentence(doc, sentence, clock, False))
            traced = sorted([*kept, *traced], key=lambda t: t.sentence.index)
            events = self._document_events(doc, traced, clock)
        except TimeoutError:
            raise clock.error() from None
        finally:
            pack.atoms.time_left = None
        return DocumentTrace(doc, traced, events, list(previous.warnings))

    def _trace_sentence(self, doc: Document, sentence: Sentence, clock: _Clock, every_sentence: bool) -> SentenceTrace:
        """One sentence through matching, overlap resolution and records (TimeoutError past the budget)."""
        pack = self.pack
        clock.check()
        left = clock.left()
        pack.atoms.time_left = left  # field regexes run on what is left of it
        started = time.monotonic()
        compiled_before = pack.compile_seconds
        found = pack.match_sentence(
            sentence.tokens, deadline=None if left is None else started + left, sketch=not every_sentence
        )
        seconds = time.monotonic() - started - (pack.compile_seconds - compiled_before)
        kept = resolve_overlaps(found.matches) if found.matches else []
        records = self.builder.records(doc, sentence, kept, found.hits) if kept else []
        return SentenceTrace(sentence, found, kept, records, seconds)

    def _document_events(self, doc: Document, traced: list[SentenceTrace], clock: _Clock) -> list[Event]:
        """The document's records from its sentences' (sorted, mentions of one event merged)."""
        clock.check()
        events = sorted_events([event for t in traced for event in t.events])
        if self.merge_mentions and len(events) > 1:
            left = clock.left()  # merging counts against what is left of the budget
            types = self.pack.ruleset.type_decl if self.pack.ruleset is not None else None
            events = merge_mentions(events, self._party_finder(doc.text), doc.text, types=types,
                                    deadline=None if left is None else time.monotonic() + left)
            clock.check()
        return events

    def mentions(self, doc: Document | str, labels: list[str] | None = None, *, longest: bool = False) -> list[dict]:
        """The mentions of every label of the pack (or of ``labels``, as written in the rules)
        in each sentence of a document, in sentence order, then by layer, label and position;
        with ``longest``, only those not inside another mention of their label.

        Each is ``{"label", "text", "start", "end", "rule", "layer", "norm", "parts":
        {name: {"text", "start", "end"}}, "sentence"}`` with character offsets.
        """
        if isinstance(doc, str):
            doc = Document(id="text", text=doc)
        pack = self.pack
        wanted = frozenset(
            m.label_id for m in pack.mention_rules if labels is None or m.label in labels
        )
        found: list[dict] = []
        if not wanted:
            return found
        for sentence in analyse(doc):
            tokens = sentence.tokens
            hits = pack.lexicons.annotate(tokens)
            mentions, _ = pack.find_mentions(tokens, hits, pack.label_closure(wanted))
            if longest:
                mentions = longest_mentions(mentions)
            for m in mentions:
                if m.label_id not in wanted:
                    continue
                start, end = tokens[m.start].start, tokens[m.end - 1].end
                parts = {}
                for name, (first, last) in m.parts.items():
                    p_start, p_end = tokens[first].start, tokens[last - 1].end
                    parts[name] = {"text": doc.text[p_start:p_end], "start": p_start, "end": p_end}
                found.append({"label": m.label, "text": doc.text[start:end], "start": start, "end": end,
                              "rule": m.rule.id, "layer": m.rule.layer, "norm": m.norm, "parts": parts,
                              "sentence": sentence.index})
        return found

    def _party_finder(self, text: str):
        """``parties(start, end)``: the party codes (upper-case lexicon norms: countries,
        demonyms, capitals, organisations) of the longest lexicon phrases in ``text[start:end]``."""
        lexicons = self.pack.lexicons
        cache: dict[tuple[int, int], frozenset[str]] = {}

        def parties(start: int, end: int) -> frozenset[str]:
            if (start, end) not in cache:
                hits = lexicons.annotate(tokens_for(text, start, end))
                spans = [(h.start, h.start + h.length) for h in hits]
                cache[start, end] = frozenset(
                    h.norm
                    for h, (s, e) in zip(hits, spans)
                    if h.norm and PARTY_CODE.fullmatch(h.norm)
                    and not any(s2 <= s and e <= e2 and (s2, e2) != (s, e) for s2, e2 in spans)
                )
            return cache[start, end]

        return parties

    def _candidate_sentences(self, text: str, warnings: list[str], *, every_sentence: bool = False) -> Iterator[Sentence]:
        """The sentences of :func:`eventx.text.pipeline.analyse` in which a rule can fire.

        Most news sentences hold no trigger word, and tokenising is the costliest step, so
        :meth:`Prefilter.may_fire` rules sentences out from their raw text first (and whole
        documents, before they are even split). A sentence over the length limit is skipped,
        with a message in ``warnings``.
        """
        pack = self.pack
        prefilter = self.prefilter and not every_sentence
        if prefilter and not pack.prefilter.may_fire(text)[0]:
            return
        yield from iter_sentences(text, lambda start, end: self._selects(text, start, end, prefilter, warnings))

    def _selects(self, text: str, start: int, end: int, prefilter: bool,
                 warnings: list[str] | None = None) -> tuple[bool, bool]:
        """(a rule may fire in the sentence ``text[start:end]``, it has tokens): never in one over
        the length limit (checked before the prefilter: same outcome either way; a message for
        it in ``warnings``)."""
        if end - start > MAX_SENTENCE_CHARS:
            if warnings is not None:
                warnings.append(codes.message(
                    codes.SENTENCE_TOO_LONG, start=start, end=end, length=end - start, limit=MAX_SENTENCE_CHARS
                ))
            return False, True
        return self.pack.prefilter.may_fire(text, start, end) if prefilter else (True, True)


def _with_version(traced: SentenceTrace, version: str) -> SentenceTrace:
    """``traced`` with its records naming the pack ``version``."""
    events = with_rules_version(traced.events, version)
    if events is traced.events:
        return traced
    return SentenceTrace(traced.sentence, traced.found, traced.kept, events, traced.seconds)


def with_rules_version(events: list[Event], version: str) -> list[Event]:
    """``events`` naming the pack ``version`` (the one field of a record that names the pack):
    the same list when they do already, for records carried over from a run of another pack."""
    if not events or events[0]["rules_version"] == version:
        return events
    return [cast(Event, {**event, "rules_version": version}) for event in events]
