"""Corpus readers and event writers: INPUT paths in, event logs out."""

from eventx.io.readers import ReadProblem, check_inputs, iter_corpus
from eventx.io.writers import ErrorLog, EventWriter, done_doc_ids, infer_format, open_writer

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
