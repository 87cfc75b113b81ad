"""Corpus readers: INPUT paths → a stream of documents and read problems.

:func:`iter_corpus` yields :class:`~eventx.text.model.Document` objects and, interleaved,
:class:`ReadProblem` records for input items that are wrong. A bad item never stops the
run: the caller logs the problem (see :class:`eventx.io.writers.ErrorLog`) and goes on.
Only inputs that cannot be used at all (a path that does not exist, an unsupported file
type) raise :class:`~eventx.errors.InputError`, and they do so before anything is read.

Choices worth knowing:

* Streaming: JSONL and CSV are read line by line (a corpus may not fit in memory); a
  ``.txt`` file is one document and is read whole.
* Decoding: UTF-8 (a BOM is stripped), or UTF-16/UTF-32 when the file starts with a BOM.
  Invalid bytes do not cost the document: they are replaced by U+FFFD and reported once per
  document as a ReadProblem naming the file and line, with the document still yielded.
  (Skipping would lose a whole document for one stray byte; silent replacement would hide
  a wrong encoding.) UTF-16 without a BOM is not guessed: it is reported as binary.
* A file with NUL characters in its first 8 KB is binary: one ReadProblem, skipped.
* Fields: ``id``, ``text`` (required, a string), optional ``date`` (ISO date or datetime;
  the YYYY-MM-DD part is kept), ``title`` and ``meta`` (an object). Any other JSONL key or
  CSV column goes into ``meta`` too, so no input data is dropped. A missing ``id`` becomes
  ``<file stem>:<line>`` (inside a directory the stem is the path relative to it). A bad
  date keeps the document with ``date=None`` plus a ReadProblem, so nothing is lost silently.
* Ids are unique per run: a repeated id is a ReadProblem and the later document is skipped.
* Problems that keep the document (bad date, replaced bytes, ...) have ``severity
  "warning"`` and are yielded just before their document; the others are ``"error"``.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import os
import sys
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Mapping, Sequence, TextIO, Union

import orjson

from eventx import codes
from eventx.errors import Diagnostic, InputError
from eventx.io.own import is_eventx_output
from eventx.text.model import Document

__all__ = ["ReadProblem", "check_inputs", "iter_corpus", "read_as_document", "CSV_FIELD_LIMIT"]

KINDS = ("txt", "jsonl", "csv")
CSV_FIELD_LIMIT = 256 * 1024 * 1024  # one CSV field may hold a whole long document
_SNIFF = 8192  # characters inspected for NULs (binary detection)
_SKIPPED_SUFFIXES = (".events.jsonl", ".errors.jsonl")  # our own outputs, never documents
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Undecodable input is first decoded to a lone surrogate, which no valid UTF-8/16/32 input
# can produce, so each line/document can tell whether (and where) it had bad bytes; the
# marker is then replaced by U+FFFD before anything leaves this module.
_MARK = "\udfff"
_MARK_ERRORS = "eventx.mark"


def _mark_undecodable(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return _MARK, exc.end


codecs.register_error(_MARK_ERRORS, _mark_undecodable)


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """One bad input item (a file, a line, a row); the run goes on."""

    source: str  # file path, or "<stdin>"
    line: int | None  # 1-based line (first line of a CSV record) where relevant
    doc_id: str | None
    error: str  # human sentence: what is wrong
    severity: str = "error"  # "error": item skipped | "warning": document kept
    code: str = ""  # catalogue code; by default E301 (a file), E302 (a line or row), W351 (a warning)

    def __post_init__(self) -> None:
        if not self.code:
            code = codes.DOCUMENT_KEPT if self.severity == "warning" else codes.BAD_RECORD if self.line else codes.UNREADABLE_INPUT
            object.__setattr__(self, "code", code)

    def to_record(self) -> dict[str, Any]:
        """The record for the errors file."""
        return {"doc_id": self.doc_id, "source": self.source, "line": self.line, "error": self.error, "code": self.code}

    def render(self) -> str:
        """``file:line: error: message`` like every other eventx diagnostic."""
        message = f"document {self.doc_id!r}: {self.error}" if self.doc_id else self.error
        return Diagnostic(self.source, self.line or 0, 0, message, self.code, self.severity).render()


# A document together with where it came from (for duplicate-id problems).
_Located = tuple[Document, str, Union[int, None]]
_Item = Union[_Located, ReadProblem]


def _kind(name: str) -> str | None:
    """"txt" | "jsonl" | "csv" from a file name (optionally .gz), else None."""
    lower = name.lower().removesuffix(".gz")
    return next((k for k in KINDS if lower.endswith("." + k)), None)


def _strip_ext(name: str) -> str:
    """Name without its input extension: ``a/b.txt.gz`` → ``a/b``."""
    lower = name.lower()
    if lower.endswith(".gz"):
        name, lower = name[:-3], lower[:-3]
    kind = _kind(name)
    return name[: -len(kind) - 1] if kind else name


def check_inputs(inputs: Sequence[str], input_format: str | None = None) -> None:
    """Raise InputError for any input that cannot be read at all, before the run starts.

    ``input_format`` (``jsonl``, ``csv`` or ``txt``) is how stdin and files given by name are
    read, whatever their extension; directories are still read by extension."""
    if isinstance(inputs, str):
        raise TypeError("inputs must be a sequence of paths, not a single string")
    if not inputs:
        raise InputError("no input given")
    if sum(1 for i in inputs if i == "-") > 1:
        raise InputError("'-' (stdin) given more than once")
    if input_format is not None and input_format not in KINDS:
        raise InputError(f"unknown input format {input_format!r} (expected jsonl, csv or txt)")
    for inp in inputs:
        if inp == "-":
            continue
        path = Path(inp)
        if not path.exists():
            if path.is_symlink():
                raise InputError(f"{inp}: dangling symbolic link (its target {os.readlink(inp)} does not exist)")
            raise InputError(f"{inp}: no such file or directory")
        if not path.is_dir() and _kind(path.name) is None and input_format is None:
            raise InputError(
                f"{inp}: unsupported input type (expected a directory or a .txt, .jsonl or"
                " .csv file, optionally .gz; or give --input-format jsonl|csv|txt)"
            )


def iter_corpus(
    inputs: Sequence[str], *, stdin: TextIO | BinaryIO | None = None, input_format: str | None = None
) -> Iterator[Document | ReadProblem]:
    """Documents and problems from every input, in order (directories sorted by name).

    Inputs are validated eagerly (InputError is raised by this call, not on first ``next``);
    reading is lazy. ``stdin`` replaces ``sys.stdin`` for the ``-`` input. ``input_format``
    as for :func:`check_inputs`.
    """
    check_inputs(inputs, input_format)
    return _iter_checked(list(inputs), stdin, input_format)


def _iter_checked(
    inputs: list[str], stdin: TextIO | BinaryIO | None, input_format: str | None = None
) -> Iterator[Document | ReadProblem]:
    seen: set[str] = set()
    for inp in inputs:
        for item in _iter_input(inp, stdin, input_format):
            if isinstance(item, ReadProblem):
                yield item
                continue
            doc, source, line = item
            if doc.id in seen:
                yield ReadProblem(source, line, doc.id, codes.message(codes.DUPLICATE_DOCUMENT), code=codes.DUPLICATE_DOCUMENT)
                continue
            seen.add(doc.id)
            yield doc


def _iter_input(inp: str, stdin: TextIO | BinaryIO | None, input_format: str | None = None) -> Iterator[_Item]:
    if inp == "-":
        if input_format is not None:
            yield from _read_stdin_as(stdin if stdin is not None else sys.stdin, input_format)
            return
        yield from _read_stdin(stdin if stdin is not None else sys.stdin)
    elif os.path.isdir(inp):
        for entry in _walk(inp):
            if isinstance(entry, ReadProblem):
                yield entry
            else:
                rel = os.path.relpath(entry, inp).replace(os.sep, "/")
                yield from _read_file(entry, _strip_ext(rel))
    else:
        yield from _read_file(inp, _strip_ext(os.path.basename(inp)), input_format)


def _walk(directory: str) -> Iterator[str | ReadProblem]:
    """Input files under ``directory``, recursively, sorted by name at each level.

    Hidden entries, ``golden/`` folders and our own outputs are skipped; symlinked
    directories are not followed (like ``os.walk``), which rules out cycles.
    """
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield ReadProblem(directory, None, None, f"cannot list directory: {exc.strerror or exc}")
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            if name != "golden":
                yield from _walk(entry.path)
        elif entry.is_symlink() and not os.path.exists(entry.path):
            yield _dangling(entry.path)
        elif _kind(name) and not name.lower().removesuffix(".gz").endswith(_SKIPPED_SUFFIXES):
            if entry.is_file() and not is_eventx_output(entry.path):
                yield entry.path


def _dangling(path: str) -> ReadProblem:
    """A symlink in an input directory whose target does not exist: reported, not silently skipped."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return ReadProblem(path, None, None, f"dangling symbolic link (its target {target} does not exist): skipped")


def read_as_document(path: str, directory: str) -> bool:
    """Whether reading ``directory`` reads the existing file ``path`` (inside it) as documents,
    as :func:`_walk` decides: not hidden, not under ``golden/``, an input extension, and not one
    of eventx's own outputs."""
    parts = os.path.relpath(path, directory).split(os.sep)
    if any(p.startswith(".") for p in parts) or "golden" in parts[:-1]:
        return False
    name = parts[-1]
    if not _kind(name) or name.lower().removesuffix(".gz").endswith(_SKIPPED_SUFFIXES):
        return False
    return os.path.isfile(path) and not is_eventx_output(path)


def _read_file(path: str, stem: str, input_format: str | None = None) -> Iterator[_Item]:
    """One input file; I/O and decompression failures become a ReadProblem for the file."""
    kind = input_format or _kind(path)
    try:
        with gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb") as raw:
            stream = _open_text(raw, newline="" if kind == "csv" else "\n")
            if kind == "txt":
                yield from _read_txt(stream, path, stem)
            else:
                head, lines = _head_and_lines(stream, "" if kind == "csv" else "\n")
                if "\0" in head:
                    yield _binary(path)
                elif kind == "jsonl":
                    yield from _read_jsonl(lines, path, stem)
                else:
                    yield from _read_csv(lines, path, stem)
    except (OSError, EOFError, zlib.error) as exc:
        yield ReadProblem(path, None, None, f"cannot read file: {getattr(exc, 'strerror', None) or exc}")


def _read_stdin(stdin: TextIO | BinaryIO) -> Iterator[_Item]:
    """``-``: JSONL when the first non-blank character is ``{``, else one document "stdin"."""
    source = "<stdin>"
    if isinstance(stdin, io.TextIOBase) and getattr(stdin, "buffer", None) is None:
        stream: TextIO = stdin  # already text (e.g. StringIO)
    else:
        raw = getattr(stdin, "buffer", stdin)  # decode bytes ourselves: BOMs, bad bytes
        stream = _open_text(raw, newline="\n")
    head, lines = _head_and_lines(stream, "\n", until_nonblank=True)
    if not head.strip():  # nothing but blanks (e.g. an empty pipe): no document at all
        return
    if head.lstrip().startswith("{"):
        yield from _read_jsonl(lines, source, "stdin")
    else:
        yield from _read_txt(stream, source, "stdin", head=head)


def _read_stdin_as(stdin: TextIO | BinaryIO, kind: str) -> Iterator[_Item]:
    """``-`` with ``--input-format``: read as that kind, whatever it starts with."""
    source = "<stdin>"
    if isinstance(stdin, io.TextIOBase) and getattr(stdin, "buffer", None) is None:
        stream: TextIO = stdin
    else:
        stream = _open_text(getattr(stdin, "buffer", stdin), newline="" if kind == "csv" else "\n")
    if kind == "txt":
        yield from _read_txt(stream, source, "stdin")
        return
    head, lines = _head_and_lines(stream, "" if kind == "csv" else "\n")
    yield from (_read_jsonl if kind == "jsonl" else _read_csv)(lines, source, "stdin")


class _Prepended(io.RawIOBase):
    """A raw stream that first replays bytes already read (the BOM sniff), then the rest.

    Works for unseekable inputs (pipes, stdin) and never closes the underlying stream.
    """

    def __init__(self, head: bytes, raw: BinaryIO) -> None:
        self._head = head
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._head[: len(buffer)] if self._head else self._raw.read(len(buffer))
        self._head = self._head[len(data) :]
        buffer[: len(data)] = data
        return len(data)


def _open_text(raw: Any, *, newline: str) -> TextIO:  # a binary stream: a file, GzipFile or stdin's buffer
    """Decode ``raw`` by its BOM (default UTF-8), marking undecodable bytes with ``_MARK``."""
    head = b""
    while len(head) < 4:
        chunk = raw.read(4 - len(head))
        if not chunk:
            break
        head += chunk
    encoding = next((enc for bom, enc in _BOMS if head.startswith(bom)), "utf-8-sig")
    buffered = io.BufferedReader(_Prepended(head, raw), buffer_size=1 << 16)
    return io.TextIOWrapper(buffered, encoding=encoding, errors=_MARK_ERRORS, newline=newline)


def _head_and_lines(stream: TextIO, newline: str, *, until_nonblank: bool = False) -> tuple[str, Iterator[str]]:
    """Read a head for sniffing and return it with an iterator over *all* lines.

    The head is completed to a line boundary so that no line is split in two. With
    ``until_nonblank`` more is read until the head holds a non-blank character (stdin sniff).
    """
    head = stream.read(_SNIFF)
    while until_nonblank and head and not head.strip():
        chunk = stream.read(_SNIFF)
        if not chunk:
            break
        head += chunk
    if head and not head.endswith("\n"):
        head += stream.readline()
    return head, itertools.chain(io.StringIO(head, newline=newline), stream)


def _binary(source: str) -> ReadProblem:
    return ReadProblem(source, None, None, "binary file (NUL bytes in the first 8 KB): skipped")


def _unmark(text: str, source: str, line: int | None, doc_id: str | None) -> tuple[str, ReadProblem | None]:
    """Replace decode markers by U+FFFD; one warning naming the first bad line, if any."""
    count = text.count(_MARK)
    if not count:
        return text, None
    if line is None:  # a whole document: point at the line of the first bad byte
        line = text.count("\n", 0, text.index(_MARK)) + 1
    what = "byte sequence" if count == 1 else "byte sequences"
    problem = ReadProblem(
        source, line, doc_id, f"{count} undecodable {what} replaced by U+FFFD (document kept)", "warning"
    )
    return text.replace(_MARK, "\ufffd"), problem


def _read_txt(stream: TextIO, source: str, doc_id: str, *, head: str | None = None) -> Iterator[_Item]:
    """A plain-text document, read whole (its text is needed whole for extraction anyway)."""
    if head is None:
        head = stream.read(_SNIFF)
    if "\0" in head[:_SNIFF]:
        yield _binary(source)
        return
    text, problem = _unmark(head + stream.read(), source, None, doc_id)
    if problem:
        yield problem
    yield Document(id=doc_id, text=text), source, None


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _read_jsonl(lines: Iterable[str], source: str, stem: str) -> Iterator[_Item]:
    """One document per JSON object line; a bad line is reported and skipped."""
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        line, decode_problem = _unmark(line, source, lineno, None)
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield ReadProblem(source, lineno, None, f"invalid JSON at column {exc.colno}: {exc.msg}: line skipped")
            continue
        if not isinstance(obj, dict):
            yield ReadProblem(source, lineno, None, f"expected a JSON object, got {_json_type(obj)}: line skipped")
            continue
        yield from _make_document(obj, source, lineno, f"{stem}:{lineno}", decode_problem)


def _read_csv(lines: Iterable[str], source: str, stem: str) -> Iterator[_Item]:
    """One document per CSV record (header row required, with a ``text`` column)."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(lines)
    header: list[str] | None = None
    start = 1  # first physical line of the next record
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ReadProblem(source, start, None, f"malformed CSV: {exc}: record skipped")
            start = reader.line_num + 1
            continue
        lineno, start = start, reader.line_num + 1
        if not any(row):
            continue  # blank line
        if header is None:
            header = [name.strip() for name in row]
            if "text" not in header:
                yield ReadProblem(source, lineno, None, "no 'text' column in the CSV header: file skipped")
                return
            continue
        _, decode_problem = _unmark("".join(row), source, lineno, None)
        if decode_problem:
            row = [value.replace(_MARK, "\ufffd") for value in row]
        if len(row) > len(header):
            yield ReadProblem(source, lineno, None, f"record has {len(row)} fields but the header has {len(header)}: record skipped")
            continue
        fields: dict[str, Any] = dict(zip(header, row))
        if "text" not in fields:
            yield ReadProblem(source, lineno, None, f"record has {len(row)} fields and no 'text' value: record skipped")
            continue
        for key in ("id", "date", "title", "meta"):
            if fields.get(key) == "":
                del fields[key]
        meta = fields.get("meta")
        if meta is not None:  # a JSON object in a meta column is the meta; other text is kept as is
            try:
                parsed = orjson.loads(meta)
            except orjson.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict):
                fields["meta"] = parsed
            else:
                fields["meta"] = {"meta": meta}
        yield from _make_document(fields, source, lineno, f"{stem}:{lineno}", decode_problem)


def _norm_date(raw: Any) -> tuple[str | None, str | None]:
    """(YYYY-MM-DD or None, problem or None) from an ISO 8601 date or datetime."""
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, str):
        text = raw.strip()
        if text[-1:] in ("Z", "z"):  # Python < 3.11 does not read the Z suffix
            text = text[:-1] + "+00:00"
        try:
            return datetime.fromisoformat(text).date().isoformat(), None
        except ValueError:
            pass
    return None, f"unparseable date {raw!r} (expected ISO 8601): document kept without a date"


def _make_document(
    fields: Mapping[str, Any], source: str, line: int, default_id: str, decode_problem: ReadProblem | None
) -> Iterator[_Item]:
    """Validate the fields of one JSONL object / CSV record and build its Document."""
    text = fields.get("text")
    raw_id = fields.get("id")
    if isinstance(raw_id, str) and raw_id:
        doc_id: str | None = raw_id
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool):
        doc_id = str(raw_id)
    else:
        doc_id = None
    if text is None:
        yield ReadProblem(source, line, doc_id, "missing 'text' field: skipped")
        return
    if not isinstance(text, str):
        yield ReadProblem(source, line, doc_id, f"'text' must be a string, got {_json_type(text)}: skipped")
        return
    warnings: list[str] = []
    if doc_id is None:
        if raw_id not in (None, ""):
            warnings.append(f"'id' must be a string or an integer, got {_json_type(raw_id)}: using {default_id!r}")
        doc_id = default_id
    date, date_problem = _norm_date(fields.get("date"))
    if date_problem:
        warnings.append(date_problem)
    title = fields.get("title")
    if title is not None and not isinstance(title, str):
        warnings.append(f"'title' must be a string, got {_json_type(title)}: ignored")
        title = None
    meta_field = fields.get("meta")
    if meta_field is not None and not isinstance(meta_field, dict):
        warnings.append(f"'meta' must be an object, got {_json_type(meta_field)}: ignored")
        meta_field = None
    extras = {k: v for k, v in fields.items() if k not in ("id", "text", "date", "title", "meta")}
    meta = {**extras, **(meta_field or {})} or None

    if decode_problem:
        yield ReadProblem(decode_problem.source, line, doc_id, decode_problem.error, "warning")
    for warning in warnings:
        yield ReadProblem(source, line, doc_id, warning, "warning")
    yield Document(id=doc_id, text=text, date=date, title=title, meta=meta), source, line
