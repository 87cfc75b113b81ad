"""The flat view of an event record (:mod:`eventx.record`), shared by the CSV and SQLite
writers and the log reader.

The event dict is nested (``trigger``, ``span``, ``args`` ...); tabular outputs need one
value per column. Keeping the column list and the flattening here means the CSV header and
the SQLite ``events``/``arguments`` tables cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

import orjson

from eventx.record import ARG_KEYS

#: Fixed per-event columns, in output order. A dot walks into a nested object.
EVENT_FIELDS: tuple[str, ...] = (
    "doc_id",
    "id",
    "type",
    "rule",
    "trigger.text",
    "trigger.start",
    "trigger.end",
    "span.text",
    "span.start",
    "span.end",
    "sentence.index",
    "modality",
    "attribution.text",
    "mentions",
    "rules_version",
)

#: Fields whose value is a list or object, kept in one column as compact JSON text
#: (``mentions``: the later mentions of a merged event, ``[]`` for none).
JSON_FIELDS: frozenset[str] = frozenset({"mentions"})

#: Fields of one argument, in output order (only ``text``/``start``/``end`` are always set).
ARG_FIELDS: tuple[str, ...] = ARG_KEYS

_PATHS = tuple(tuple(name.split(".")) for name in EVENT_FIELDS)


def event_values(event: Mapping[str, Any]) -> tuple[Any, ...]:
    """Values of :data:`EVENT_FIELDS` in order; ``None`` where a field or its parent is absent
    (e.g. ``attribution`` is ``null`` for unattributed events); :data:`JSON_FIELDS` as JSON text."""
    values = []
    for name, path in zip(EVENT_FIELDS, _PATHS):
        value: Any = event
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if name in JSON_FIELDS and value is not None:
            value = orjson.dumps(value).decode()
        values.append(value)
    return tuple(values)


def arg_values(event: Mapping[str, Any]) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """``(role, values of ARG_FIELDS)`` for each argument, in the event's role order."""
    for role, arg in (event.get("args") or {}).items():
        yield role, tuple(arg.get(field) for field in ARG_FIELDS)


def arg_column(role: str, field: str) -> str:
    """CSV column name of one argument field: ``arg.<role>.<field>``."""
    return f"arg.{role}.{field}"


def role_of_column(column: str) -> str | None:
    """Inverse of :func:`arg_column` for the role part; ``None`` for fixed columns."""
    if not column.startswith("arg."):
        return None
    return column[4:].rpartition(".")[0] or None


def flatten_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """One CSV row: the fixed columns plus ``arg.<role>.<field>`` for the fields each argument has."""
    row = dict(zip(EVENT_FIELDS, event_values(event)))
    for role, arg in (event.get("args") or {}).items():
        for field in ARG_FIELDS:
            if field in arg:
                row[arg_column(role, field)] = arg[field]
    return row


def csv_header(roles: set[str]) -> list[str]:
    """Fixed columns, then every argument field of every role, roles sorted for determinism."""
    return [*EVENT_FIELDS, *(arg_column(r, f) for r in sorted(roles) for f in ARG_FIELDS)]
