"""Corpus readers and event writers: INPUT paths in, event logs out.

The names below are imported on first use: a command that reads no corpus (``eventx
explain``, ``eventx check``) does not pay for the readers and writers.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eventx.io.readers import ReadProblem, check_inputs, iter_corpus
    from eventx.io.writers import ErrorLog, EventWriter, done_doc_ids, infer_format, open_writer

_LAZY = {
    "ReadProblem": "eventx.io.readers",
    "check_inputs": "eventx.io.readers",
    "iter_corpus": "eventx.io.readers",
    "ErrorLog": "eventx.io.writers",
    "EventWriter": "eventx.io.writers",
    "done_doc_ids": "eventx.io.writers",
    "infer_format": "eventx.io.writers",
    "open_writer": "eventx.io.writers",
}

__all__ = [
    "ErrorLog",
    "EventWriter",
    "ReadProblem",
    "check_inputs",
    "done_doc_ids",
    "infer_format",
    "iter_corpus",
    "open_writer",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'eventx.io' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
