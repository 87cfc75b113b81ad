"""The event record: its types and its one codec.

An event log is a sequence of :class:`Event` records. This module is the only place that
knows their shape: the extractor builds them with :func:`make_event`, the writers serialise
them with :func:`dumps` (JSONL) or the flat view of :mod:`eventx.io.records` (CSV, SQLite),
the log reader (:mod:`eventx.io.eventlog`) checks every record it reads with :func:`validate`,
goldens store :func:`canonical` records, and every list of events is sorted by
:func:`sort_key`.

Records are plain dicts typed as :class:`~typing.TypedDict`: they are what ``json`` and
``orjson`` read and write, they pickle cheaply to worker processes, and the key order of a
record built here is the order of its JSONL line, which must not change between releases.

A record that is not an event record (a foreign or corrupt log) is a :class:`EventLogError`
naming the file, the line (or the event) and what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NotRequired, TypedDict

import orjson

from eventx import codes
from eventx.errors import InputError

__all__ = [
    "ARG_KEYS",
    "Argument",
    "Event",
    "EventLogError",
    "EVENT_KEYS",
    "Mention",
    "SentenceRef",
    "TextSpan",
    "canonical",
    "dumps",
    "loads",
    "make_event",
    "mention_of",
    "sort_key",
    "sorted_events",
    "validate",
]


class TextSpan(TypedDict):
    """A stretch of the document: its text and character offsets (``end`` exclusive)."""

    text: str
    start: int
    end: int


class SentenceRef(TypedDict):
    """The sentence an event was found in: its index among the document's sentences and offsets."""

    index: int
    start: int
    end: int


class Argument(TypedDict):
    """One argument: its text and offsets, plus what normalisation found."""

    text: str
    start: int
    end: int
    value: NotRequired[int | float]  # a quantity's number
    qualifier: NotRequired[str]  # exact | approx | at_least | at_most
    unit: NotRequired[str]
    norm: NotRequired[str]  # a date (ISO) or a lexicon norm


class Mention(TypedDict):
    """A later mention of an event, folded into the first mention's record."""

    id: str  # the record this mention has in a log written with merging off
    rule: str
    trigger: TextSpan
    span: TextSpan
    sentence: SentenceRef
    modality: str | None
    contributed: list[str]  # argument roles the kept record took from this mention


class Event(TypedDict):
    """One event record, keys in the order of its JSONL line."""

    doc_id: str
    id: str
    type: str
    rule: str
    trigger: TextSpan
    span: TextSpan
    sentence: SentenceRef
    args: dict[str, Argument]
    modality: str
    attribution: TextSpan | None
    mentions: list[Mention]
    rules_version: str


#: Top-level keys of a record, in output order.
EVENT_KEYS: tuple[str, ...] = tuple(Event.__annotations__)
#: Keys of an argument (and of the other nested objects), in output order.
ARG_KEYS: tuple[str, ...] = ("text", "start", "end", "value", "qualifier", "unit", "norm")
_NESTED_KEYS = ("text", "start", "end", "index", "value", "qualifier", "unit", "norm")
#: Fields a golden file leaves out: they change with every edit of the rules.
VOLATILE = frozenset({"rules_version"})


class EventLogError(InputError):
    """A log (or golden file) holds something that is not an event record."""

    code = codes.BAD_EVENT_LOG


# --- building ---------------------------------------------------------------------------------


def make_event(
    *,
    doc_id: str,
    id: str,
    type: str,
    rule: str,
    trigger: TextSpan,
    span: TextSpan,
    sentence: SentenceRef,
    args: dict[str, Argument],
    modality: str,
    attribution: TextSpan | None,
    rules_version: str,
) -> Event:
    """A new record (``mentions`` empty: :mod:`eventx.extract.mentions` fills it)."""
    return {
        "doc_id": doc_id,
        "id": id,
        "type": type,
        "rule": rule,
        "trigger": trigger,
        "span": span,
        "sentence": sentence,
        "args": args,
        "modality": modality,
        "attribution": attribution,
        "mentions": [],
        "rules_version": rules_version,
    }


def mention_of(event: Mapping[str, Any], contributed: Iterable[str] = ()) -> Mention:
    """The entry of ``event`` in another record's ``mentions`` list."""
    return {
        "id": event["id"],
        "rule": event["rule"],
        "trigger": dict(event["trigger"]),  # type: ignore[typeddict-item]
        "span": dict(event["span"]),  # type: ignore[typeddict-item]
        "sentence": dict(event["sentence"]),  # type: ignore[typeddict-item]
        "modality": event.get("modality"),
        "contributed": list(contributed),
    }


# --- order ------------------------------------------------------------------------------------


def sort_key(event: Mapping[str, Any]) -> tuple[str, int, int, int, str, str]:
    """The one order of events: by document, position (span, then trigger), type and rule."""
    return (
        event["doc_id"],
        event["span"]["start"],
        event["span"]["end"],
        event["trigger"]["start"],
        event["type"],
        event["rule"],
    )


def sorted_events(events: Iterable[Event]) -> list[Event]:
    return sorted(events, key=sort_key)


# --- JSON -------------------------------------------------------------------------------------


def dumps(event: Mapping[str, Any]) -> bytes:
    """One JSONL line (with its newline); orjson keeps the record's key order, never sorts."""
    return orjson.dumps(event) + b"\n"


def loads(line: bytes | str, where: str) -> Event:
    """One JSONL line back to a checked record; ``where`` (``file:line``) names it in errors."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise EventLogError(f"{where}: invalid JSON at column {exc.colno}: {exc.msg}") from None
    return validate(value, where)


def _ordered(value: Mapping[str, Any]) -> dict[str, Any]:
    known = [k for k in _NESTED_KEYS if k in value]
    return {k: value[k] for k in known + sorted(k for k in value if k not in _NESTED_KEYS)}


def canonical(event: Mapping[str, Any]) -> dict[str, Any]:
    """The golden form of a record: fixed key order (arguments by role), no volatile fields."""
    out: dict[str, Any] = {}
    for key in EVENT_KEYS:
        if key not in event or key in VOLATILE:
            continue
        value = event[key]
        if key == "args":
            value = {role: _ordered(arg) for role, arg in sorted(value.items())}
        elif isinstance(value, dict):
            value = _ordered(value)
        out[key] = value
    for key in sorted(event):
        if key not in out and key not in VOLATILE:
            out[key] = event[key]
    return out


# --- validation -------------------------------------------------------------------------------


def _problem(event: object) -> str:
    """What makes ``event`` not an event record, or ''.

    Required: ``doc_id``, ``type``, ``rule`` strings, ``trigger`` and ``span`` with integer
    offsets (and a text for the trigger). The rest is checked when present, so that the
    records of a CSV or SQLite log (whose ``sentence`` keeps only its index) and of logs
    written before a field existed (``mentions``) are records too.
    """
    if not isinstance(event, dict):
        return "expected a JSON object"
    for key in ("doc_id", "type", "rule"):
        if not isinstance(event.get(key), str):
            return f"no {key!r} string"
    for key in ("trigger", "span"):
        value = event.get(key)
        if not isinstance(value, dict) or not all(_is_int(value.get(k)) for k in ("start", "end")):
            return f"{key!r} must be an object with integer 'start' and 'end'"
    if not isinstance(event["trigger"].get("text"), str):
        return "'trigger' has no 'text'"
    if "id" in event and not isinstance(event["id"], str):
        return "'id' must be a string"
    sentence = event.get("sentence")
    if sentence is not None and not (isinstance(sentence, dict) and _is_int(sentence.get("index"))):
        return "'sentence' must be an object with an integer 'index'"
    args = event.get("args", {})
    if not isinstance(args, dict):
        return "'args' must be an object"
    for role, arg in args.items():
        if not isinstance(arg, dict) or not isinstance(arg.get("text"), str):
            return f"argument {role!r} must be an object with a 'text'"
    attribution = event.get("attribution")
    if attribution is not None and not (isinstance(attribution, dict) and isinstance(attribution.get("text"), str)):
        return "'attribution' must be null or an object with a 'text'"
    mentions = event.get("mentions", [])
    if not isinstance(mentions, list) or not all(
        isinstance(m, dict) and isinstance(m.get("trigger"), dict) for m in mentions
    ):
        return "'mentions' must be a list of objects with a 'trigger'"
    return ""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate(event: object, where: str) -> Event:
    """``event`` as a record, or :class:`EventLogError` saying at ``where`` what is wrong."""
    problem = _problem(event)
    if problem:
        raise EventLogError(f"{where}: not an event record ({problem})")
    return event  # type: ignore[return-value]
