"""Corpus readers: INPUT paths → a stream of documents and read problems.

:func:`iter_corpus` yields :class:`~eventx.text.model.Document` objects and, interleaved,
:class:`ReadProblem` records for input items that are wrong. A bad item never stops the
run: the caller logs the problem (see :class:`eventx.io.writers.ErrorLog`) and goes on.
Only inputs that cannot be used at all (a path that does not exist, an unsupported file
type) raise :class:`~eventx.errors.InputError`, and they do so before anything is read.

Choices worth knowing:

* Streaming: JSONL and CSV are read line by line (a corpus may not fit in memory); a
  ``.txt`` file is one document and is read whole. ``.gz`` input is inflated as a stream,
  member after member; bytes after the last member are reported and ignored.
* Size: a document (a ``.txt`` file, a JSONL line, a CSV record) longer than
  ``max_doc_bytes`` characters (``--max-doc-bytes``) is reported and skipped without being
  read into memory (a gzip bomb costs the time to inflate the limit, not the memory).
* Decoding: UTF-8 (a BOM is stripped), or UTF-16/UTF-32 when the file starts with a BOM.
  Invalid bytes do not cost the document: they are replaced by U+FFFD and reported once per
  document as a ReadProblem naming the file and line, with the document still yielded.
  (Skipping would lose a whole document for one stray byte; silent replacement would hide
  a wrong encoding.) UTF-16 without a BOM is not guessed: it is reported as binary.
* A .txt or .csv file with NUL characters in its first 8 KB is binary: one ReadProblem,
  skipped. JSONL is judged line by line: a line with NUL bytes is one bad line.
* JSONL: CR, LF and CRLF all end a line; a JSON escape of a lone surrogate (``"\\ud800"``,
  which is no character) is replaced by U+FFFD and the document kept, with a warning.
* CSV: a record whose quote never closes (it would run to the end of the file) or whose
  field passes the size limit is reported from the line where it starts, and reading goes on
  at the next line, so one stray quote costs one record, not the rest of the file.
* Fields: ``id``, ``text`` (required, a string), optional ``date`` (ISO date or datetime;
  the YYYY-MM-DD part is kept; ``YYYY-MM`` and ``YYYY`` are kept at their precision),
  ``title`` and ``meta`` (an object; values nested deeper than ``MAX_META_DEPTH`` are kept
  as their JSON text, with a warning). Any other JSONL key or
  CSV column goes into ``meta`` too, so no input data is dropped. A missing ``id`` becomes
  ``<file stem>:<line>`` (inside a directory the stem is the path relative to it). A bad
  date keeps the document with ``date=None`` plus a ReadProblem, so nothing is lost silently.
* Ids are unique per run: a repeated id is a ReadProblem and the later document is skipped.
  A generated id never collides: if ``<stem>:<line>`` was taken, ``~2``, ``~3``, ... is added.
* File names that are not UTF-8 are shown (and make ids) with ``\\xNN`` escapes; a symlink
  loop or a broken symlink in a directory is reported, not followed.
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
import re
import sys
import zlib
from array import array
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Mapping, Sequence, TextIO, Union

import orjson

from eventx import codes
from eventx.errors import Diagnostic, InputError
from eventx.io.limits import DEFAULT_MAX_DOC_BYTES
from eventx.io.own import is_eventx_output
from eventx.text.model import Document

__all__ = ["ReadProblem", "check_inputs", "iter_corpus", "read_as_document", "CSV_FIELD_LIMIT", "DEFAULT_MAX_DOC_BYTES"]

KINDS = ("txt", "jsonl", "csv")
CSV_FIELD_LIMIT = 256 * 1024 * 1024  # a field of an event log (CSV) may hold a whole long document
MAX_META_DEPTH = 32  # deeper meta values are kept as JSON text (pickling deep nests recurses)
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


# A document, where it came from (for duplicate-id problems), and whether its id was generated.
_Located = tuple[Document, str, Union[int, None], bool]
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


def printable_path(path: str) -> str:
    """``path`` with the bytes of a file name that is not UTF-8 as ``\\xNN`` escapes.

    Python hands such names over as lone surrogates (``surrogateescape``), which no output
    format can write; the escaped form is readable, deterministic and UTF-8.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


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
                try:
                    os.stat(inp)
                except FileNotFoundError:
                    raise InputError(
                        f"{printable_path(inp)}: dangling symbolic link (its target {printable_path(os.readlink(inp))} does not exist)"
                    ) from None
                except OSError as exc:  # ELOOP: a link to itself
                    raise InputError(f"{printable_path(inp)}: {exc.strerror or exc}") from None
            raise InputError(f"{printable_path(inp)}: no such file or directory")
        if not path.is_dir() and _kind(path.name) is None and input_format is None:
            raise InputError(
                f"{printable_path(inp)}: unsupported input type (expected a directory or a .txt, .jsonl"
                " or .csv file, optionally .gz; or give --input-format jsonl|csv|txt)"
            )


def iter_corpus(
    inputs: Sequence[str],
    *,
    stdin: TextIO | BinaryIO | None = None,
    input_format: str | None = None,
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES,
) -> Corpus:
    """Documents and problems from every input, in order (directories sorted by name).

    Inputs are validated eagerly (InputError is raised by this call, not on first ``next``);
    reading is lazy. ``stdin`` replaces ``sys.stdin`` for the ``-`` input. ``input_format``
    as for :func:`check_inputs`. A document longer than ``max_doc_bytes`` characters is
    reported and skipped.
    """
    check_inputs(inputs, input_format)
    if max_doc_bytes < 1:
        raise InputError(f"the document size limit must be positive, got {max_doc_bytes}")
    return Corpus(list(inputs), stdin, input_format, max_doc_bytes)


class _Ids:
    """The document ids read so far, exactly (a repeated id is an error, so a new id must never
    be taken for one), in about a third of a ``set``'s memory: a run over 40,000 news documents
    held 4.4 MiB of id strings and set table, growing with the input (benchmarks/README.md,
    "Eighth session"). Each id's UTF-8 bytes go end to end into one bytearray (id ``i`` is
    ``blob[ends[i]:ends[i + 1]]``), and an open-addressing table of 4-byte indexes, at most
    half full, finds them by the id's ``hash``: a slot is compared by its bytes, so two ids
    with the same hash stay two ids."""

    __slots__ = ("_blob", "_ends", "_table", "_mask")

    def __init__(self) -> None:
        self._blob = bytearray()
        self._ends = array("Q", [0])
        self._table = array("I", bytes(array("I").itemsize * 8))  # index + 1 of the id in a slot; 0: free
        self._mask = len(self._table) - 1

    def _slot(self, code: int, data: bytes) -> int:
        """The slot holding the id of ``data`` (hash ``code``), or the free one where it goes."""
        table, ends, blob, mask = self._table, self._ends, self._blob, self._mask
        i = code & mask
        while index := table[i]:
            if blob[ends[index - 1]:ends[index]] == data:
                return i
            i = (i + 1) & mask
        return i

    def __contains__(self, key: str) -> bool:
        return self._table[self._slot(hash(key), key.encode("utf-8", "surrogatepass"))] != 0

    def __len__(self) -> int:
        return len(self._ends) - 1

    def add(self, key: str) -> bool:
        """Add ``key``; False if it was there already."""
        data = key.encode("utf-8", "surrogatepass")  # any str, lone surrogates too, both ways
        slot = self._slot(hash(key), data)
        if self._table[slot]:
            return False
        self._blob += data
        self._ends.append(len(self._blob))
        self._table[slot] = len(self._ends) - 1
        if 2 * len(self._ends) > len(self._table):
            self._grow()
        return True

    def _grow(self) -> None:
        size = 2 * len(self._table)
        typecode = "I" if size <= 2**32 else "Q"  # room for the indexes
        table = array(typecode, bytes(array(typecode).itemsize * size))
        mask = self._mask = size - 1
        ends, blob = self._ends, self._blob
        for index in range(1, len(ends)):
            i = hash(blob[ends[index - 1]:ends[index]].decode("utf-8", "surrogatepass")) & mask
            while table[i]:
                i = (i + 1) & mask
            table[i] = index
        self._table = table


class Corpus(Iterator[Union[Document, ReadProblem]]):
    """What :func:`iter_corpus` returns: its items, and ``bytes_read``, the bytes of input files
    read so far (decompressed, counted as the 64 KiB reads happen), which a progress bar sets
    against the files' total size: counting documents' characters instead leaves it short by
    the JSON and CSV syntax and by every multi-byte character."""

    def __init__(self, inputs: list[str], stdin: TextIO | BinaryIO | None, input_format: str | None,
                 max_chars: int) -> None:
        self.bytes_read = 0
        self._items = self._checked(inputs, stdin, input_format, max_chars)

    def __next__(self) -> Document | ReadProblem:
        return next(self._items)

    def count(self, size: int) -> None:
        self.bytes_read += size

    def _checked(
        self, inputs: list[str], stdin: TextIO | BinaryIO | None, input_format: str | None, max_chars: int
    ) -> Iterator[Document | ReadProblem]:
        seen = _Ids()
        for inp in inputs:
            for item in _iter_input(inp, stdin, input_format, max_chars, self.count):
                if isinstance(item, ReadProblem):
                    yield item
                    continue
                doc, source, line, generated = item
                if generated and doc.id in seen:  # another document has this name: find a free one
                    base = doc.id
                    doc = next(
                        replace(doc, id=f"{base}~{n}") for n in itertools.count(2) if f"{base}~{n}" not in seen
                    )
                if not seen.add(doc.id):
                    yield ReadProblem(source, line, doc.id, codes.message(codes.DUPLICATE_DOCUMENT), code=codes.DUPLICATE_DOCUMENT)
                    continue
                yield doc


def _iter_input(inp: str, stdin: TextIO | BinaryIO | None, input_format: str | None, max_chars: int,
                count: Callable[[int], None]) -> Iterator[_Item]:
    if inp == "-":
        yield from _read_stdin(stdin if stdin is not None else sys.stdin, max_chars, input_format)
    elif os.path.isdir(inp):
        for entry in _walk(inp):
            if isinstance(entry, ReadProblem):
                yield entry
            else:
                rel = os.path.relpath(entry, inp).replace(os.sep, "/")
                yield from _read_file(entry, printable_path(_strip_ext(rel)), max_chars, count)
    else:
        yield from _read_file(inp, printable_path(_strip_ext(os.path.basename(inp))), max_chars, count, input_format)


def _walk(directory: str) -> Iterator[str | ReadProblem]:
    """Input files under ``directory``, recursively, sorted by name at each level.

    Hidden entries, ``golden/`` folders and our own outputs are skipped; symlinked
    directories are not followed (like ``os.walk``), which rules out cycles. A symlink that
    loops or points nowhere is reported.
    """
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield ReadProblem(printable_path(directory), None, None, f"cannot list directory: {exc.strerror or exc}")
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            if name != "golden":
                yield from _walk(entry.path)
        elif _is_dangling(entry.path):
            yield _dangling(entry.path)
        elif _kind(name) and not name.lower().removesuffix(".gz").endswith(_SKIPPED_SUFFIXES):
            try:
                is_file = entry.is_file()
            except OSError as exc:  # ELOOP: a symlink to itself
                yield ReadProblem(printable_path(entry.path), None, None, f"cannot read file: {exc.strerror or exc}: skipped")
                continue
            if is_file and not is_eventx_output(entry.path):
                yield entry.path


def _is_dangling(path: str) -> bool:
    """A symlink whose target does not exist (a loop is reported when the file is read)."""
    if not os.path.islink(path):
        return False
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def _dangling(path: str) -> ReadProblem:
    """A symlink in an input directory whose target does not exist: reported, not silently skipped."""
    try:
        target = printable_path(os.readlink(path))
    except OSError:
        target = "?"
    return ReadProblem(printable_path(path), None, None, f"dangling symbolic link (its target {target} does not exist): skipped")


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


class _Counted(io.RawIOBase):
    """A binary stream that tells ``count`` the size of every read."""

    def __init__(self, raw: Any, count: Callable[[int], None]) -> None:
        self._raw = raw
        self._count = count

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self._count(len(data))
        return len(data)


class _GzipStream(io.RawIOBase):
    """Inflates a gzip file as a stream, member after member (``gzip.open`` gives up on the
    whole file when bytes that are not a gzip member follow the last one; here they are
    counted in ``trailing`` and ignored, and what came before is kept)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._inflate = zlib.decompressobj(wbits=31)
        self._started = False  # a member has begun (its first bytes were fed)
        self._done = False
        self.trailing = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        while not self._done:
            inflate = self._inflate
            if inflate.eof:  # a member ended: another one follows, or garbage, or nothing
                rest = inflate.unused_data
                while len(rest) < 2:
                    more = self._raw.read(1 << 16)
                    if not more:
                        break
                    rest += more
                if not rest:
                    self._done = True
                    break
                if not rest.startswith(b"\x1f\x8b"):
                    self.trailing = len(rest) + sum(len(c) for c in iter(lambda: self._raw.read(1 << 20), b""))
                    self._done = True
                    break
                self._inflate = zlib.decompressobj(wbits=31)
                out = self._inflate.decompress(rest, size)
            elif inflate.unconsumed_tail:  # input held back by the output size limit of the last call
                out = inflate.decompress(inflate.unconsumed_tail, size)
            else:
                data = self._raw.read(1 << 16)
                if not data:
                    if not self._started:  # an empty file
                        self._done = True
                        break
                    raise EOFError("compressed file ended before the end-of-stream marker was reached")
                self._started = True
                out = inflate.decompress(data, size)
            if out:
                buffer[: len(out)] = out
                return len(out)
        return 0


def _read_file(path: str, stem: str, max_chars: int, count: Callable[[int], None],
               input_format: str | None = None) -> Iterator[_Item]:
    """One input file; I/O and decompression failures become a ReadProblem for the file.
    ``count`` is told the size of every read of its (decompressed) bytes."""
    kind = input_format or _kind(path)
    source = printable_path(path)
    gz: _GzipStream | None = None
    try:
        with open(path, "rb") as raw:
            if path.lower().endswith(".gz"):
                gz = _GzipStream(raw)
            # JSONL: any line end (a CR inside a JSON string is always escaped)
            newline = {"txt": "\n", "jsonl": None, "csv": ""}[kind or "txt"]
            stream = _open_text(_Counted(gz or raw, count), newline=newline)
            if kind == "txt":
                yield from _read_txt(stream, source, stem, max_chars)
            elif kind == "jsonl":
                yield from _read_jsonl(stream, source, stem, max_chars)
            else:
                head, lines = _head_and_lines(stream, max_chars)
                if "\0" in head:
                    yield _binary(source)
                else:
                    yield from _read_csv(lines, source, stem, max_chars)
    except (OSError, EOFError, zlib.error) as exc:
        yield ReadProblem(source, None, None, f"cannot read file: {getattr(exc, 'strerror', None) or exc}")
        return
    if gz is not None and gz.trailing:
        yield ReadProblem(
            source, None, None, f"{gz.trailing:,} bytes after the last gzip member are not gzip data: ignored", "warning"
        )


def _read_stdin(stdin: TextIO | BinaryIO | None, max_chars: int, kind: str | None = None) -> Iterator[_Item]:
    """``-``: read as ``kind`` (``--input-format``) if given; else JSONL when the first
    non-blank character is ``{``, else one document "stdin"."""
    source = "<stdin>"
    if stdin is None or getattr(stdin, "closed", False):  # `eventx run - <&-`
        yield ReadProblem(source, None, None, "standard input is closed: nothing read")
        return
    try:
        if isinstance(stdin, io.TextIOBase) and getattr(stdin, "buffer", None) is None:
            stream: TextIO = stdin  # already text (e.g. StringIO)
        else:
            raw = getattr(stdin, "buffer", stdin)  # decode bytes ourselves: BOMs, bad bytes
            stream = _open_text(raw, newline="" if kind == "csv" else "\n")
        if kind == "txt":
            yield from _read_txt(stream, source, "stdin", max_chars)
            return
        if kind == "csv":
            yield from _read_csv(stream, source, "stdin", max_chars)
            return
        head, lines = _head_and_lines(stream, max_chars, until_nonblank=kind is None)
        if kind is None and not head.strip():  # nothing but blanks (e.g. an empty pipe): no document at all
            return
        if kind == "jsonl" or head.lstrip().startswith("{"):
            yield from _read_jsonl(lines, source, "stdin", max_chars)
        else:
            yield from _read_txt(lines, source, "stdin", max_chars)
    except OSError as exc:
        yield ReadProblem(source, None, None, f"cannot read standard input: {exc.strerror or exc}")


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


def _open_text(raw: Any, *, newline: str | None) -> TextIO:  # a binary stream: a file, GzipFile or stdin's buffer
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


class _Chained:
    """A text stream that first returns ``head`` (already read for sniffing), then the rest."""

    def __init__(self, head: str, stream: TextIO) -> None:
        self._parts: list[Any] = [io.StringIO(head, newline=""), stream]

    def readline(self, size: int = -1) -> str:
        out = ""
        while self._parts:
            piece = self._parts[0].readline(size - len(out) if size >= 0 else -1)
            out += piece
            if out.endswith(("\n", "\r")) or (size >= 0 and len(out) >= size) or len(self._parts) == 1:
                return out
            self._parts.pop(0)  # the head is used up (or ended mid-line): go on in the stream
        return out

    def read(self, size: int = -1) -> str:
        out = ""
        while self._parts and (size < 0 or len(out) < size):
            piece = self._parts[0].read(size - len(out) if size >= 0 else -1)
            out += piece
            if size >= 0 and len(out) >= size:
                break
            if len(self._parts) == 1:
                break
            self._parts.pop(0)
        return out

    def __iter__(self) -> Iterator[str]:
        return iter(self.readline, "")


def _head_and_lines(stream: TextIO, max_chars: int, *, until_nonblank: bool = False) -> tuple[str, _Chained]:
    """Read a head for sniffing and return it with a stream that starts over from the beginning.

    With ``until_nonblank`` more is read until the head holds a non-blank character (stdin sniff).
    """
    head = stream.read(_SNIFF)
    while until_nonblank and head and not head.strip() and len(head) < max_chars:
        chunk = stream.read(_SNIFF)
        if not chunk:
            break
        head += chunk
    return head, _Chained(head, stream)


def _bounded_lines(stream: Any, max_chars: int) -> Iterator[tuple[str, bool]]:
    """(line, fits) for every line of ``stream``; a line longer than ``max_chars`` is
    returned cut short, with ``fits`` False, and the rest of it is skipped, never held whole."""
    while True:
        line = stream.readline(max_chars + 1)
        if not line:
            return
        if len(line) > max_chars and not line.endswith(("\n", "\r")):
            while True:
                rest = stream.readline(1 << 20)
                if not rest or rest.endswith(("\n", "\r")):
                    break
            yield line, False
        else:
            yield line, True


def _binary(source: str) -> ReadProblem:
    return ReadProblem(source, None, None, "binary file (NUL bytes in the first 8 KB): skipped")


def _too_long(max_chars: int) -> str:
    return f"longer than the document size limit ({max_chars:,} characters, --max-doc-bytes): skipped"


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


def _read_txt(stream: Any, source: str, doc_id: str, max_chars: int) -> Iterator[_Item]:
    """A plain-text document, read whole (its text is needed whole for extraction anyway),
    but never more than ``max_chars`` + 1 characters of it."""
    text = stream.read(max_chars + 1)
    if "\0" in text[:_SNIFF]:
        yield _binary(source)
        return
    if len(text) > max_chars:
        yield ReadProblem(source, None, doc_id, f"document is {_too_long(max_chars)}")
        return
    text, problem = _unmark(text, source, None, doc_id)
    if problem:
        yield problem
    yield Document(id=doc_id, text=text), source, None, False


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


# a JSON string escape: a surrogate pair, a lone surrogate (group 1), or any other escape
_ESCAPE = re.compile(r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|(u[dD][89a-fA-F][0-9a-fA-F]{2})|.)", re.S)


def _replace_lone_surrogates(line: str) -> tuple[str, int]:
    """``line`` with every JSON escape of a lone surrogate replaced by ``\\ufffd``, and their count."""
    count = 0

    def fix(match: "re.Match[str]") -> str:
        nonlocal count
        if match.group(1) is None:
            return match.group(0)
        count += 1
        return "\\ufffd"

    return _ESCAPE.sub(fix, line), count


def _jsonl_lines(stream: Any, max_chars: int) -> Iterator[tuple[str, bool]]:
    """Lines of a JSONL stream, also split at a lone CR (stdin is read with LF line ends)."""
    for line, fits in _bounded_lines(stream, max_chars):
        body = line.rstrip("\r\n")
        if fits and "\r" in body:
            yield from ((part, True) for part in re.split(r"\r\n?", body))
        else:
            yield line, fits


def _read_jsonl(stream: Any, source: str, stem: str, max_chars: int) -> Iterator[_Item]:
    """One document per JSON object line; a bad line is reported and skipped."""
    for lineno, (line, fits) in enumerate(_jsonl_lines(stream, max_chars), 1):
        if not fits:
            yield ReadProblem(source, lineno, None, f"line is {_too_long(max_chars)}")
            continue
        if not line.strip():
            continue
        if "\0" in line:
            yield ReadProblem(source, lineno, None, "binary data (NUL bytes): line skipped")
            continue
        line, decode_problem = _unmark(line, source, lineno, None)
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            fixed, count = _replace_lone_surrogates(line) if "\\" in line else (line, 0)
            try:
                if not count:
                    raise exc
                obj = orjson.loads(fixed)
            except orjson.JSONDecodeError as exc:
                yield ReadProblem(source, lineno, None, f"invalid JSON at column {exc.colno}: {exc.msg}: line skipped")
                continue
            what = "escape of a lone surrogate" if count == 1 else "escapes of lone surrogates"
            decode_problem = ReadProblem(source, lineno, None, f"{count} JSON {what} replaced by U+FFFD (document kept)", "warning")
        if not isinstance(obj, dict):
            yield ReadProblem(source, lineno, None, f"expected a JSON object, got {_json_type(obj)}: line skipped")
            continue
        yield from _make_document(obj, source, lineno, f"{stem}:{lineno}", decode_problem)


class _LineTooLong(Exception):
    pass


class _CsvLines:
    """The physical lines a ``csv.reader`` reads, numbered, keeping those of the record being
    read so that a broken record can be read again from its second line."""

    def __init__(self, lines: Iterator[tuple[str, bool]]) -> None:
        self._lines = lines
        self._replay: list[tuple[int, str]] = []
        self.record: list[tuple[int, str]] = []
        self.exhausted = False
        self._next = 1

    def __iter__(self) -> "_CsvLines":
        return self

    def __next__(self) -> str:
        if self._replay:
            item = self._replay.pop()
        else:
            try:
                text, fits = next(self._lines)
            except StopIteration:
                self.exhausted = True
                raise
            item = (self._next, text)
            self._next += 1
            if not fits:
                self.record.append(item)
                raise _LineTooLong()
        self.record.append(item)
        return item[1]

    def start(self) -> int:
        """First line of the record being read (or of the next one)."""
        return self.record[0][0] if self.record else (self._replay[-1][0] if self._replay else self._next)

    def restart_after_first(self) -> None:
        """Forget the record being read; its lines after the first will be read again."""
        self._replay.extend(reversed(self.record[1:]))
        self.record = []
        self.exhausted = False


def _read_csv(lines: Any, source: str, stem: str, max_chars: int) -> Iterator[_Item]:
    """One document per CSV record (header row required, with a ``text`` column)."""
    csv.field_size_limit(max_chars)
    feed = _CsvLines(_bounded_lines(lines, max_chars))
    reader = csv.reader(feed)
    header: list[str] | None = None
    while True:
        feed.record = []
        try:
            row = next(reader)
        except StopIteration:
            return
        except _LineTooLong:
            yield ReadProblem(source, feed.start(), None, f"record is {_too_long(max_chars)}")
            feed.record = []
            reader = csv.reader(feed)
            continue
        except csv.Error as exc:
            start = feed.start()
            if "field limit" in str(exc):
                yield ReadProblem(
                    source, start, None,
                    f"a field of the record starting here is {_too_long(max_chars)[:-9]} (an unbalanced quote?):"
                    f" record skipped, reading goes on at line {start + 1}",
                )
                feed.restart_after_first()
                reader = csv.reader(feed)
            else:
                yield ReadProblem(source, start, None, f"malformed CSV: {exc}: record skipped")
            continue
        lineno = feed.start()
        if feed.exhausted:  # the reader needed the end of the file to end this record
            yield ReadProblem(
                source, lineno, None,
                f"unbalanced quote: the record starting here runs to the end of the file: record skipped,"
                f" reading goes on at line {lineno + 1}",
            )
            feed.restart_after_first()
            reader = csv.reader(feed)
            continue
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


def _depth(value: Any) -> int:
    """How deeply ``value`` nests objects and arrays (iterative: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is not None:
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children)
    return deepest


def _cut(value: Any, levels: int) -> Any:
    """``value`` with what lies below ``levels`` levels of nesting replaced by its JSON text."""
    if not isinstance(value, (dict, list)):
        return value
    if levels <= 1:
        return _dumps(value)
    if isinstance(value, dict):
        return {key: _cut(child, levels - 1) for key, child in value.items()}
    return [_cut(child, levels - 1) for child in value]


def _dumps(value: Any) -> str:
    """Compact JSON text of ``value`` at any depth (``orjson`` and ``json`` stop at a few hundred)."""
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):  # text to emit as is (JSON values are never tuples)
            out.append(item[0])
        elif isinstance(item, dict):
            parts: list[Any] = [("{",)]
            for i, (key, child) in enumerate(item.items()):
                parts += [(("," if i else "") + orjson.dumps(key).decode() + ":",), child]
            stack.extend(reversed([*parts, ("}",)]))
        elif isinstance(item, list):
            parts = [("[",)]
            for i, child in enumerate(item):
                parts += [(",",), child] if i else [child]
            stack.extend(reversed([*parts, ("]",)]))
        else:
            out.append(orjson.dumps(item).decode())
    return "".join(out)


_REDUCED_DATE = re.compile(r"(\d{4})(?:-(0[1-9]|1[0-2]))?")


def _norm_date(raw: Any) -> tuple[str | None, str | None]:
    """(date or None, problem or None) from an ISO 8601 date or datetime: YYYY-MM-DD, or
    YYYY-MM / YYYY for a date given at that reduced precision."""
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, str):
        text = raw.strip()
        if _REDUCED_DATE.fullmatch(text):
            return text, None
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
    generated = doc_id is None
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
    if meta is not None and _depth(meta) > MAX_META_DEPTH:
        meta = _cut(meta, MAX_META_DEPTH)
        warnings.append(f"'meta' is nested deeper than {MAX_META_DEPTH} levels: the deeper values are kept as JSON text")

    if decode_problem:
        yield ReadProblem(decode_problem.source, line, doc_id, decode_problem.error, "warning")
    for warning in warnings:
        yield ReadProblem(source, line, doc_id, warning, "warning")
    yield Document(id=doc_id, text=text, date=date, title=title, meta=meta), source, line, generated
