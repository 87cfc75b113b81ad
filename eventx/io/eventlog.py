"""Read an event log back — JSONL, CSV or SQLite as :mod:`eventx.io.writers` writes them —
as event records (:class:`eventx.record.Event`), so that ``diff``, ``stats``, ``report`` and
``test`` read every format alike.

The tabular formats hold the flattened record (:mod:`eventx.io.records`), so events read
from CSV/SQLite have the fields those columns keep: ``sentence`` has only ``index``,
``attribution`` only ``text``, and CSV argument roles come in column (sorted) order. The
SQLite log also knows every processed document and its date (:func:`read_documents`).

Every record is checked by :func:`eventx.record.validate`. A log that is not what it claims to
be is an :class:`~eventx.record.EventLogError` (E307) naming the file and line (or the event),
never a traceback.
"""

from __future__ import annotations

import csv
import os
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from eventx.errors import InputError
from eventx.io.readers import CSV_FIELD_LIMIT
from eventx.io.records import ARG_FIELDS, EVENT_FIELDS, JSON_FIELDS, arg_values, event_values, role_of_column
from eventx.io.writers import infer_format
from eventx.record import EVENT_KEYS, Event, EventLogError, loads, validate

__all__ = ["DocInfo", "iter_events", "read_documents", "tabular_view", "unflatten_event"]

_INT_FIELDS = frozenset(name for name in EVENT_FIELDS if name.endswith((".start", ".end", ".index")))
_INT_ARG_FIELDS = frozenset({"start", "end"})
_SQLITE_MAGIC = b"SQLite format 3\x00"
_OPTIONAL_COLUMNS = frozenset(JSON_FIELDS)  # absent from logs written before they existed


@dataclass(frozen=True, slots=True)
class DocInfo:
    """What a log knows about one processed document."""

    date: str | None = None
    title: str | None = None


def log_format(path: str, fmt: str | None = None) -> str:
    """``jsonl`` | ``csv`` | ``sqlite``: ``fmt`` if given, else from the extension."""
    return infer_format(path, fmt)


def tabular_view(event: Mapping[str, Any]) -> Event:
    """What a CSV or SQLite log keeps of ``event`` (e.g. ``sentence`` only its index), so that a
    JSONL log can be compared field by field with a tabular one."""
    args = {role: {f: v for f, v in zip(ARG_FIELDS, values) if v is not None} for role, values in arg_values(event)}
    return unflatten_event(dict(zip(EVENT_FIELDS, event_values(event))), args)  # type: ignore[return-value]


def _check_file(path: str) -> None:
    if path == "-":
        raise InputError("reading an event log from stdin is not supported: give a file")
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, not an event log")


def iter_events(path: str, fmt: str | None = None) -> Iterator[Event]:
    """Every event of the log at ``path``, in log order. Raises EventLogError on a bad log
    (InputError when it is missing, a directory or of the wrong format)."""
    kind = log_format(path, fmt)
    _check_file(path)
    if kind != "sqlite":
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if head == _SQLITE_MAGIC:
            raise EventLogError(f"{path}: this is a SQLite database, not {kind.upper()}: use --format sqlite")
    return {"jsonl": _jsonl_events, "csv": _csv_events, "sqlite": _sqlite_events}[kind](path)


def read_documents(path: str, fmt: str | None = None) -> dict[str, DocInfo]:
    """Documents the log records with their dates: all processed ones for SQLite (also those
    without events); JSONL and CSV logs hold events only, so ``{}``."""
    if log_format(path, fmt) != "sqlite":
        return {}
    _check_file(path)
    with _sqlite(path) as conn:
        try:
            rows = conn.execute('SELECT "doc_id", "date", "title" FROM documents ORDER BY rowid').fetchall()
        except sqlite3.DatabaseError as exc:
            raise EventLogError(f"{path}: not an eventx SQLite event log ({exc})") from None
    return {doc_id: DocInfo(date, title) for doc_id, date, title in rows}


def unflatten_event(flat: Mapping[str, Any], args: dict[str, dict], where: str = "") -> dict[str, Any]:
    """Inverse of :func:`~eventx.io.records.flatten_event` for the fixed columns: a nested event
    dict (a nested object whose fields are all empty, like a missing attribution, is ``None``)."""
    event: dict[str, Any] = {"args": args}
    for name in EVENT_FIELDS:
        head, _, field = name.partition(".")
        value = flat.get(name)
        if not field:
            if name in JSON_FIELDS and isinstance(value, str):
                try:
                    value = orjson.loads(value)
                except orjson.JSONDecodeError as exc:
                    raise EventLogError(f"{where or 'event log'}: column {name!r}: invalid JSON at column {exc.colno}: {exc.msg}") from None
            if name in JSON_FIELDS and value is None:
                continue  # a log written before the column existed: the key stays absent
            event[name] = value
            continue
        nested = event.get(head)
        if value is not None:
            nested = nested or {}
            nested[field] = value
        event[head] = nested
    return {key: event[key] for key in EVENT_KEYS if key in event}


# --- JSONL --------------------------------------------------------------------------------


def _jsonl_events(path: str) -> Iterator[Event]:
    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.strip():
                yield loads(line, f"{path}:{lineno}")


# --- CSV ----------------------------------------------------------------------------------


def _cell(value: str, column: str, where: str) -> Any:
    """A CSV cell back to its JSON type: offsets are ints, an argument value int or float if it looks so."""
    if value == "":
        return None
    field = column.rpartition(".")[2]
    is_arg = column.startswith("arg.")
    if (not is_arg and column in _INT_FIELDS) or (is_arg and field in _INT_ARG_FIELDS):
        try:
            return int(value)
        except ValueError:
            raise EventLogError(f"{where}: column {column!r}: expected an integer, got {value!r}") from None
    if is_arg and field == "value":
        for kind in (int, float):
            try:
                return kind(value)
            except ValueError:
                pass
    return value


def _csv_events(path: str) -> Iterator[Event]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                return
            missing = [name for name in ("doc_id", "type") if name not in header]
            if missing:
                raise EventLogError(f"{path}:1: not an eventx CSV event log (no {missing[0]!r} column)")
            roles = {column: role_of_column(column) for column in header}
            line_start = reader.line_num + 1
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise EventLogError(f"{path}:{line_start}: malformed CSV: {exc}") from None
                where = f"{path}:{line_start}"
                line_start = reader.line_num + 1
                if not any(row):
                    continue
                if len(row) != len(header):
                    raise EventLogError(f"{where}: row has {len(row)} fields but the header has {len(header)}")
                flat: dict[str, Any] = {}
                args: dict[str, dict] = {}
                for column, value in zip(header, row):
                    cell = _cell(value, column, where)
                    if cell is None:
                        continue
                    role = roles[column]
                    if role is None:
                        flat[column] = cell
                    else:
                        args.setdefault(role, {})[column.rpartition(".")[2]] = cell
                yield validate(unflatten_event(flat, args, where), where)
    except UnicodeDecodeError as exc:
        raise EventLogError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


# --- SQLite -------------------------------------------------------------------------------


class _sqlite:
    """A read-only connection that turns "not a database" into EventLogError."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.conn = sqlite3.connect(f"file:{_uri_path(self.path)}?mode=ro", uri=True)
            self.conn.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        except sqlite3.DatabaseError as exc:
            raise EventLogError(f"{self.path}: not a SQLite database ({exc})") from None
        return self.conn

    def __exit__(self, *_: Any) -> None:
        self.conn.close()


def _uri_path(path: str) -> str:
    from urllib.parse import quote

    return quote(os.path.abspath(path))


def _sqlite_events(path: str) -> Iterator[Event]:
    arg_columns = ", ".join(f'a."{field}"' for field in ("role", *ARG_FIELDS))
    # One pass, events in rowid (= output) order, each with its arguments in insertion order.
    query_template = (
        f"SELECT {{columns}}, {arg_columns} FROM events e"
        ' LEFT JOIN arguments a ON a."event_id" = e."id" ORDER BY e.rowid, a.rowid'
    )
    with _sqlite(path) as conn:
        try:
            have = {row[1] for row in conn.execute('PRAGMA table_info("events")')}
            # a log written before a column existed (``mentions``) reads it as NULL
            columns = ", ".join(
                f'e."{c}"' if c in have or c not in _OPTIONAL_COLUMNS else "NULL"
                for c in (name.replace(".", "_") for name in EVENT_FIELDS)
            )
            query = query_template.format(columns=columns)
            cursor = conn.execute(query)
        except sqlite3.DatabaseError as exc:
            raise EventLogError(f"{path}: not an eventx SQLite event log ({exc})") from None
        n = len(EVENT_FIELDS)
        current: tuple | None = None
        args: dict[str, dict] = {}
        for row in cursor:
            head = row[:n]
            if head != current:
                if current is not None:
                    where = f"{path}: event {current[1]}"
                    yield validate(unflatten_event(dict(zip(EVENT_FIELDS, current)), args, where), where)
                current, args = head, {}
            role = row[n]
            if role is not None:
                args[role] = {field: value for field, value in zip(ARG_FIELDS, row[n + 1 :]) if value is not None}
        if current is not None:
            where = f"{path}: event {current[1]}"
            yield validate(unflatten_event(dict(zip(EVENT_FIELDS, current)), args, where), where)
