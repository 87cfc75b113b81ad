"""The Python API; the CLI is a thin layer over these functions.

Example::

    from eventx.api import Extractor, load_rules
    extractor = Extractor(load_rules())          # the shipped pack
    for event in extractor.extract("Poland is sending 2,000 troops to Lithuania."):
        print(event["type"], event["args"])
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from eventx import codes
from eventx.errors import EventxError, InputError, RuleError
from eventx.extract.events import EventBuilder
from eventx.extract.mentions import PARTY_CODE, merge_mentions
from eventx.match.matcher import RulePack
from eventx.record import Event, sorted_events
from eventx.rules.compile import compile_rules
from eventx.rules.loader import load_rule_files_partial
from eventx.text.model import Document, Sentence
from eventx.text.pipeline import sentence_spans, tokens_for

DEFAULT_TIME_BUDGET = 10.0  # seconds of matching per document before it is reported and skipped


def default_rules_path() -> Path:
    """The shipped rule pack: ``$EVENTX_RULES`` if set; else the pack installed inside the
    package (``eventx/pack``, a wheel install); else ``rules/`` of the source checkout."""
    env = os.environ.get("EVENTX_RULES")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parent
    installed = package / "pack"
    return installed if installed.is_dir() else package.parent / "rules"


def load_rules(path: str | Path | None = None) -> RulePack:
    """Load, validate and compile a rule file or directory (default: the shipped pack).

    Raises :class:`~eventx.errors.RuleError` listing every problem as file:line:col.
    """
    path = Path(path) if path is not None else default_rules_path()
    if not path.exists():
        raise InputError(f"{path}: no such rule file or directory")
    ruleset, diagnostics = load_rule_files_partial(path)
    try:
        pack = compile_rules(ruleset)
    except RuleError as err:  # report schema and pattern errors together
        raise RuleError([*diagnostics, *err.diagnostics]) from None
    if any(d.severity == "error" for d in diagnostics):
        raise RuleError(diagnostics)
    return pack


class DocumentTimeout(EventxError):
    """Matching one document took longer than the time budget."""

    code = codes.TIME_BUDGET


MAX_SENTENCE_CHARS = 100_000  # far above any sentence of news copy (benchmarks/README.md)


class SentenceTooLong(EventxError):
    """A "sentence" so long that it is not prose (a dump, a table without punctuation):
    tokenising and matching it would take memory and time out of proportion."""

    code = codes.SENTENCE_TOO_LONG


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
        if isinstance(doc, str):
            doc = Document(id="text", text=doc)
        budget = self.time_budget
        events: list[Event] = []
        pack = self.pack
        for sentence in self._candidate_sentences(doc.text):
            # the budget counts matching only, not reading or splitting a long document
            started = time.monotonic()
            compiled_before = pack.compile_seconds
            try:
                found = pack.match_sentence(sentence.tokens, deadline=None if budget is None else started + budget)
            except TimeoutError:
                raise DocumentTimeout(codes.message(codes.TIME_BUDGET, seconds=self.time_budget)) from None
            if budget is not None:
                budget -= time.monotonic() - started - (pack.compile_seconds - compiled_before)
            if found.matches:
                events.extend(self.builder.build(doc, sentence, found.matches, found.hits))
        events = sorted_events(events)
        if self.merge_mentions and len(events) > 1:
            # merging counts against what is left of the budget
            deadline = None if budget is None else time.monotonic() + max(budget, 0.0)
            try:
                events = merge_mentions(
                    events, self._party_finder(doc.text), doc.text, types=pack.ruleset.type_decl, deadline=deadline
                )
            except TimeoutError:
                raise DocumentTimeout(codes.message(codes.TIME_BUDGET, seconds=self.time_budget)) from None
        return events

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

    def _candidate_sentences(self, text: str) -> Iterator[Sentence]:
        """The sentences of :func:`eventx.text.pipeline.analyse` in which a rule can fire.

        Most news sentences hold no trigger word, and tokenising is the costliest step, so
        :meth:`RulePack.may_fire` rules sentences out from their raw text first (and whole
        documents, before they are even split). Indices count every sentence with tokens,
        as ``analyse`` does, so they do not depend on the prefilter.
        """
        pack = self.pack
        if self.prefilter and not pack.may_fire(text)[0]:
            return
        index = 0
        for start, end in sentence_spans(text):
            if end - start > MAX_SENTENCE_CHARS:  # checked before the prefilter: same outcome either way
                raise SentenceTooLong(codes.message(
                    codes.SENTENCE_TOO_LONG, start=start, end=end, length=end - start, limit=MAX_SENTENCE_CHARS
                ))
            if self.prefilter:
                fires, has_tokens = pack.may_fire(text, start, end)
                if not fires:
                    index += has_tokens
                    continue
            tokens = tokens_for(text, start, end)
            if tokens:
                yield Sentence(index, start, end, tokens)
                index += 1
