"""Recognise eventx's own outputs, so that they are never read back as documents.

An event log, an errors file or a run's partial/progress/lock files can end up inside a
corpus folder (``eventx run corpus -o corpus/events.jsonl``); the next ``eventx run corpus``
must not read them as 114 bad documents. Names cannot tell (``-o`` and ``--errors`` take any
name), so the first record decides: an event record has ``doc_id``, ``id``, ``type``, ``rule``
and ``trigger`` and no ``text``; an errors record has ``doc_id`` and ``error`` and no
``text``; a CSV event log starts with the fixed event columns. A document always has a
``text``, so no corpus file is mistaken for an output.
"""

from __future__ import annotations

import gzip
import zlib

import orjson

from eventx.io.records import EVENT_FIELDS

_SIDECAR_SUFFIXES = (".partial", ".progress", ".lock")
_EVENT_KEYS = frozenset({"doc_id", "id", "type", "rule", "trigger"})
_ERROR_KEYS = frozenset({"doc_id", "error"})
_CSV_HEADER = ",".join(EVENT_FIELDS[:5])
_HEAD = 1 << 20  # a first record longer than 1 MB is a document, not one of our records


def is_eventx_output(path: str) -> bool:
    """Whether the file at ``path`` is an event log, errors file or run sidecar of eventx."""
    lower = path.lower()
    if lower.endswith(_SIDECAR_SUFFIXES):
        return True
    if not lower.removesuffix(".gz").endswith((".jsonl", ".json", ".csv")):
        return False  # eventx writes no other kind of text file
    try:
        with gzip.open(path, "rb") if lower.endswith(".gz") else open(path, "rb") as fh:
            first = fh.readline(_HEAD)
            while first and not first.strip() and len(first) < _HEAD:  # blank lines before the first record
                first = fh.readline(_HEAD)
    except (OSError, EOFError, zlib.error):
        return False  # the reader will report what is wrong with it
    first = first.lstrip(b"\xef\xbb\xbf \t").rstrip(b"\r\n")
    if lower.removesuffix(".gz").endswith(".csv"):
        return first.decode("utf-8", "replace").startswith(_CSV_HEADER)
    try:
        record = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    if not isinstance(record, dict) or "text" in record:
        return False
    return _EVENT_KEYS <= record.keys() or _ERROR_KEYS <= record.keys()
