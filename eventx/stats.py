"""Counts over an event log (any format): by type, modality and rule, top actors and places,
and events over time — what ``eventx stats`` prints and ``eventx report`` charts.

Dates. An event record does not carry its document's date (:mod:`eventx.record`), so "over time" means:

* ``doc_dates`` — events per *document* date, known from a SQLite log (it stores each
  document's date) or from ``corpus=`` (the corpus the log was made from, joined on
  ``doc_id``; it wins over the log's). With neither, this count is empty.
* ``event_dates`` — events per normalised date *argument* (roles of kind ``date``: when the
  text says the event happened), always available, usually sparse.

Actors are the arguments whose role is of kind ``actor``, places those of kind ``place``, as the
rule pack's ``types:`` declare them (:func:`pack_types`); each is counted by its ``norm``
(``POL``) when it has one, else by its text. Forces are not actors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventx.io.eventlog import DocInfo, iter_events, read_documents
from eventx.io.readers import ReadProblem, iter_corpus
from eventx.rules.model import TypeDecl

TOP = 10

ProblemHandler = Callable[[ReadProblem], None]
#: The declaration of an event type by name (``RuleSet.type_decl``).
TypeLookup = Callable[[str], TypeDecl]


def pack_types(rules: str | Path | None = None) -> TypeLookup:
    """The ``types:`` declarations of a rule pack (default: the shipped one), loaded without
    compiling its patterns."""
    from eventx.api import default_rules_path
    from eventx.errors import InputError
    from eventx.rules.loader import load_rule_files

    path = Path(rules) if rules is not None else default_rules_path()
    if not path.exists():
        raise InputError(f"{path}: no such rule file or directory")
    return load_rule_files(path).type_decl


@dataclass(slots=True)
class EventStats:
    """Counts over one event log; ``to_dict`` is the ``--json`` output."""

    source: str
    events: int = 0
    merged_mentions: int = 0  # later mentions folded into the events' records (their ``mentions``)
    documents: int | None = None  # documents known to the log or corpus (None: the log only holds events)
    documents_with_events: int = 0
    by_type: Counter = field(default_factory=Counter)
    by_modality: Counter = field(default_factory=Counter)
    by_rule: Counter = field(default_factory=Counter)
    rule_types: dict[str, str] = field(default_factory=dict)
    actors: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)
    doc_dates: Counter = field(default_factory=Counter)
    event_dates: Counter = field(default_factory=Counter)
    undated: int = 0  # events whose document date is unknown
    unmatched: int = 0  # events whose document is not among the known documents
    types: TypeLookup = field(default=TypeDecl, repr=False)  # role kinds by event type

    def add(self, event: Mapping[str, Any], documents: Mapping[str, DocInfo]) -> None:
        """Count one event; ``documents`` gives document dates (may be empty)."""
        self.events += 1
        mentions = event.get("mentions")
        self.merged_mentions += len(mentions) if isinstance(mentions, list) else 0
        self.by_type[event["type"]] += 1
        self.by_modality[event.get("modality") or "unknown"] += 1
        rule = event.get("rule") or "unknown"
        self.by_rule[rule] += 1
        self.rule_types.setdefault(rule, event["type"])
        args = event.get("args") or {}
        decl = self.types(event["type"])
        roles = {kind: [role for role in args if decl.kind(role) == kind] for kind in ("actor", "place", "date")}
        self.actors.update(argument_keys(args, roles["actor"]))
        self.places.update(argument_keys(args, roles["place"]))
        for role in sorted(roles["date"]):
            norm = args[role].get("norm")
            if isinstance(norm, str) and norm:
                self.event_dates[norm] += 1
        info = documents.get(event["doc_id"])
        if documents and info is None:
            self.unmatched += 1
        if info is not None and info.date:
            self.doc_dates[info.date] += 1
        else:
            self.undated += 1

    def to_dict(self, top: int = TOP) -> dict[str, Any]:
        def ranked(counter: Counter, limit: int | None = None) -> list[dict[str, Any]]:
            return [{"name": name, "events": n} for name, n in _most_common(counter, limit)]

        return {
            "source": self.source,
            "events": self.events,
            "merged_mentions": self.merged_mentions,
            "documents": self.documents,
            "documents_with_events": self.documents_with_events,
            "by_type": dict(_most_common(self.by_type)),
            "by_modality": dict(_most_common(self.by_modality)),
            "by_rule": [{"rule": r, "type": self.rule_types[r], "events": n} for r, n in _most_common(self.by_rule)],
            "top_actors": ranked(self.actors, top),
            "top_places": ranked(self.places, top),
            "doc_dates": dict(sorted(self.doc_dates.items())),
            "event_dates": dict(sorted(self.event_dates.items())),
            "undated_events": self.undated,
            "events_not_in_corpus": self.unmatched,
        }


def _most_common(counter: Counter, limit: int | None = None) -> list[tuple[str, int]]:
    """Highest count first, ties by name: deterministic, unlike Counter.most_common on ties."""
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return ranked if limit is None else ranked[:limit]


def argument_keys(args: Mapping[str, Any], roles: Sequence[str]) -> Iterator[str]:
    """The counting key (norm, else text) of each argument in ``roles``."""
    for role in roles:
        arg = args.get(role)
        if isinstance(arg, Mapping):
            key = arg.get("norm") or arg.get("text")
            if isinstance(key, str) and key.strip():
                yield key.strip()


def compute_stats(
    events: Iterable[Mapping[str, Any]],
    documents: Mapping[str, DocInfo],
    *,
    source: str = "",
    types: TypeLookup | None = None,
) -> EventStats:
    """Count ``events`` (streamed: one pass, memory independent of the log's size); ``types``
    gives the role kinds (default: none declared, so no actors, places or date arguments)."""
    stats = EventStats(source, documents=len(documents) or None, types=types or TypeDecl)
    with_events: set[str] = set()
    for event in events:
        stats.add(event, documents)
        with_events.add(event["doc_id"])
    stats.documents_with_events = len(with_events)
    return stats


def corpus_documents(
    inputs: Sequence[str],
    *,
    texts_for: Container[str] = (),
    on_problem: ProblemHandler | None = None,
) -> tuple[dict[str, DocInfo], dict[str, str]]:
    """(date/title of every document, texts of the documents in ``texts_for``) of a corpus.

    Only the wanted texts are kept, so a large corpus can be joined to a small log.
    """
    infos: dict[str, DocInfo] = {}
    texts: dict[str, str] = {}
    for item in iter_corpus(inputs):
        if isinstance(item, ReadProblem):
            if on_problem:
                on_problem(item)
            continue
        infos[item.id] = DocInfo(item.date, item.title)
        if item.id in texts_for:
            texts[item.id] = item.text
    return infos, texts


def log_documents(
    path: str, fmt: str | None = None, corpus: Sequence[str] | None = None, *, on_problem: ProblemHandler | None = None
) -> dict[str, DocInfo]:
    """Document dates for a log: from ``corpus`` when given, else what the log itself records."""
    if corpus:
        return corpus_documents(corpus, on_problem=on_problem)[0]
    return read_documents(path, fmt)


def log_stats(
    path: str,
    fmt: str | None = None,
    corpus: Sequence[str] | None = None,
    *,
    types: TypeLookup | None = None,
    on_problem: ProblemHandler | None = None,
) -> EventStats:
    """Stats of the event log at ``path`` (the one call ``eventx stats`` makes)."""
    events = iter_events(path, fmt)  # checks the log before a corpus is read
    return compute_stats(events, log_documents(path, fmt, corpus, on_problem=on_problem), source=path, types=types)
