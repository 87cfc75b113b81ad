"""Event writers (JSONL, CSV, SQLite) with atomic output and ``--resume``, plus the error log.

Protocol: ``write_document(doc, events)`` once per processed document — also for documents
with no events, because that is how a resumed run knows they are done — then ``close()`` to
commit, or ``abort()`` on interruption. Writers are context managers: leaving the block with
an exception aborts, otherwise closes.

File outputs (JSONL, CSV) — atomic and resumable
------------------------------------------------
While a run is going, nothing exists at ``OUT``. Two sidecar files hold the run's state:

* ``OUT.partial`` — the data written so far: JSONL event lines (for CSV: one JSON object per
  CSV row, see below), appended and flushed after every document;
* ``OUT.progress`` — one line per finished document, ``["<doc id>", <size of OUT.partial
  after it>]``, appended and flushed right *after* that document's data.

The first line of ``OUT.progress`` may be the run's header, ``{"eventx_run": {...}}``: the
rules version, mention mode and inputs it was started with (see :func:`read_run_info`), so that
``--resume`` can refuse to mix runs.

``close()`` fsyncs and turns the partial into ``OUT`` with ``os.replace`` (JSONL), or renders
the CSV into ``.OUT.tmp-<pid>`` and replaces ``OUT`` with it; then both sidecars are deleted.
``abort()`` just closes the sidecars, and a crash (no ``abort``) leaves them in the same
state — which is why the data goes straight to a fixed, visible name instead of a pid-named
temp file: a killed process cannot rename anything.

Resume (``open_writer(..., resume=True)`` / :func:`done_doc_ids`): the done documents are
those listed in ``OUT.progress`` whose recorded size fits in ``OUT.partial``; the partial is
truncated to the last recorded size (dropping a document cut off mid-write) and appending
continues. Provided the corpus is read in the same order and done documents are skipped,
the final ``OUT`` is byte-identical to that of an uninterrupted run. Without a partial, a
completed ``OUT`` is the starting point of a writer opened with ``resume`` (its documents are
the ones that had events; the others are simply re-processed, producing nothing) — but
``eventx run --resume`` never gets there: it leaves a finished output alone (see
:func:`output_state`). ``resume=False`` starts afresh and discards any stale partial.

CSV columns depend on the argument roles seen, known only at the end, so the partial holds
flattened rows (``eventx.io.records.flatten_event``) as JSON lines and ``close()`` renders
the CSV in two streaming passes (collect roles; write rows). Roles are sorted.

SQLite
------
The database is built aside, in ``OUT.partial``, and renamed to ``OUT`` on close, so that an
existing complete database stays whole until the new one is. Each document (its row, its
events, their arguments) is one transaction, so the partial database is always consistent
and its ``documents`` table is the progress record; resume skips the documents in it
(``OUT.progress`` holds only the run header). WAL journaling keeps per-document commits cheap;
it is switched back off on close so that no ``-wal``/``-shm`` files remain.

Streams
-------
``-``/no output is JSONL on stdout. An output path that is not a regular file — a FIFO, a
character device, ``/dev/stdout``, anything under ``/dev`` or ``/proc`` — is opened and written
as a stream (JSONL, or CSV rendered at the end from a temporary file), never renamed over and
never resumed.

Locking
-------
:class:`OutputLock` takes an exclusive lock on ``OUT`` (a hidden ``.OUT.lock`` beside it) for the
whole run, so a second run writing the same output is refused instead of interleaving with it.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, Any, BinaryIO, Callable, Iterator, Mapping, Protocol, Sequence, TextIO, cast

import orjson

from eventx.errors import InputError, did_you_mean
from eventx.io.readers import ReadProblem
from eventx.io.records import (
    ARG_FIELDS,
    EVENT_FIELDS,
    arg_values,
    csv_header,
    event_values,
    flatten_event,
    role_of_column,
)
from eventx.text.model import Document

__all__ = [
    "EventWriter",
    "ErrorLog",
    "FORMATS",
    "OutputLock",
    "done_doc_ids",
    "infer_format",
    "is_stream",
    "open_writer",
    "output_format",
    "output_state",
    "read_run_info",
    "sidecars",
]

FORMATS = ("jsonl", "csv", "sqlite")
_EXTENSIONS = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".sqlite": "sqlite", ".sqlite3": "sqlite", ".db": "sqlite"}


class EventWriter(Protocol):
    def write_document(self, doc: Document, events: Sequence[Mapping[str, Any]]) -> None:
        """Record one processed document and its events (:class:`eventx.record.Event` records, in order)."""

    def close(self) -> None:
        """Commit the output (for files: the atomic rename)."""

    def abort(self) -> None:
        """Stop without committing; keep what was written for ``--resume``."""


def _is_stdout(path: str | None) -> bool:
    return path is None or path == "-"


def is_stream(path: str | None) -> bool:
    """Whether ``-o path`` is written as a stream: stdout, or anything that is not a regular
    file (a FIFO, a device, ``/dev/stdout``): renaming over those would replace them."""
    if _is_stdout(path):
        return True
    assert path is not None
    if _special_path(path):
        return True
    try:
        return not stat.S_ISREG(os.stat(path).st_mode) and not stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def _special_path(path: str) -> bool:
    """Whether ``path``, or a symlink it goes through, is under /dev or /proc: ``/dev/stdout``
    names whatever stdout is, a regular file included, and must never be renamed over."""
    current = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on symlink hops
        if current.startswith(("/dev/", "/proc/")):
            return True
        if not os.path.islink(current):
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), os.readlink(current)))
    return False


def infer_format(path: str | None, fmt: str | None) -> str:
    """``fmt`` if given (validated), else from the extension, else ``"jsonl"`` (for reading
    event logs; what a run writes is decided by the stricter :func:`output_format`)."""
    if fmt is not None:
        name = fmt.strip().lower()
        if name not in FORMATS:
            raise InputError(f"unknown output format {fmt!r} (expected jsonl, csv or sqlite){did_you_mean(name, FORMATS)}")
        return name
    if _is_stdout(path):
        return "jsonl"
    return _EXTENSIONS.get(Path(path).suffix.lower(), "jsonl")  # type: ignore[arg-type]


def output_format(path: str | None, fmt: str | None) -> str:
    """The format a run writes: ``fmt`` if given, else from the output's extension
    (``.jsonl``/``.json``, ``.csv``, ``.sqlite``/``.sqlite3``/``.db``), JSONL for streams. Any
    other extension is an InputError: ``-o x.parquet`` must not quietly get JSONL."""
    if fmt is not None or is_stream(path):
        return infer_format(path, fmt)
    suffix = Path(path).suffix.lower()  # type: ignore[arg-type]
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    what = f"extension {suffix!r}" if suffix else "no extension"
    raise InputError(
        f"{path}: cannot tell the output format from {what}: name it .jsonl, .csv or .sqlite,"
        " or give --format jsonl|csv|sqlite"
    )


def open_writer(
    path: str | None,
    fmt: str | None = None,
    *,
    resume: bool = False,
    run_info: Mapping[str, Any] | None = None,
    csv_safe: bool = False,
) -> EventWriter:
    """The writer for ``-o path`` / ``--format fmt``; ``None`` or ``"-"`` means JSONL on stdout.
    ``csv_safe``: CSV cells that spreadsheets would run as formulas are neutralised.

    ``run_info`` (rules version, mention mode, inputs) is recorded in a fresh run's progress
    file, for :func:`read_run_info`."""
    kind = output_format(path, fmt)
    if is_stream(path):
        if resume:
            raise InputError("--resume needs an output file (-o)" if _is_stdout(path) else f"{path}: --resume needs a regular output file, not a stream")
        if _is_stdout(path):
            if kind != "jsonl":
                raise InputError(f"--format {kind} needs an output file (-o)")
            return StdoutWriter(sys.stdout.buffer)
        if kind == "sqlite":
            raise InputError(f"{path}: SQLite needs a regular output file, not a stream")
        try:
            stream = cast(BinaryIO, open(cast(str, path), "wb"))  # no O_TRUNC effect on a FIFO or device
        except OSError as exc:
            raise InputError(f"{path}: cannot open for writing: {exc.strerror or exc}") from None
        return StreamWriter(stream) if kind == "jsonl" else CsvStreamWriter(stream, safe=csv_safe)
    assert path is not None
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise InputError(f"{path}: the output directory does not exist")
    if kind == "sqlite":
        return SqliteWriter(path, resume=resume, run_info=run_info)
    if kind == "csv":
        return CsvWriter(path, resume=resume, run_info=run_info, safe=csv_safe)
    return JsonlWriter(path, resume=resume, run_info=run_info)


def sidecars(path: str) -> list[str]:
    """Every file a run writes besides ``path`` itself: partial data, progress, lock, and the
    SQLite journal files (a second writer must never touch them, no input may be one)."""
    directory, name = os.path.split(path)
    partial, progress = _sidecars(path)
    return [partial, progress, os.path.join(directory, f".{name}.lock")] + [
        partial + suffix for suffix in ("-wal", "-shm", "-journal")
    ]


def output_state(path: str) -> str:
    """``"partial"`` (an interrupted run to resume), ``"finished"`` (a complete output and no
    partial) or ``"none"``."""
    if os.path.exists(_sidecars(path)[0]):
        return "partial"
    return "finished" if os.path.exists(path) else "none"


def read_run_info(path: str) -> dict[str, Any] | None:
    """The header an interrupted run recorded (rules version, mentions, inputs), or None
    (no partial, or one written before headers existed)."""
    try:
        with open(_sidecars(path)[1], "rb") as fh:
            first = fh.readline()
    except FileNotFoundError:
        return None
    try:
        header = orjson.loads(first)
    except orjson.JSONDecodeError:
        return None
    return header.get(_HEADER_KEY) if isinstance(header, dict) else None


def _header_line(run_info: Mapping[str, Any] | None) -> bytes:
    return orjson.dumps({_HEADER_KEY: dict(run_info)}) + b"\n" if run_info is not None else b""


_HEADER_KEY = "eventx_run"


class OutputLock:
    """An exclusive, non-blocking lock on an output for one run: ``.OUT.lock`` beside it,
    holding the pid of the run. A second run on the same output gets an InputError.

    The lock file is removed on release; a run that opens it just before it is removed
    would lock a deleted file, so after locking we check that the path still names the
    file we hold, and retry otherwise."""

    def __init__(self, path: str) -> None:
        self.output = path
        directory, name = os.path.split(os.path.abspath(path))
        self.path = os.path.join(directory, f".{name}.lock")
        self._fd: int | None = None

    def acquire(self) -> OutputLock:
        import fcntl

        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise InputError(f"{self.output}: cannot create the lock file {self.path}: {exc.strerror or exc}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 64).decode("ascii", "replace").strip()
                os.close(fd)
                raise InputError(
                    f"{self.output}: another eventx run is writing this output"
                    + (f" (pid {holder})" if holder else "")
                    + "; wait for it to finish, or write elsewhere"
                ) from None
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self._fd = fd
                return self
            os.close(fd)

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.remove(self.path)
        except FileNotFoundError:
            pass
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutputLock:
        return self.acquire()

    def __exit__(self, *_: Any) -> None:
        self.release()


def done_doc_ids(path: str, fmt: str) -> set[str]:
    """Ids of the documents an earlier (interrupted or finished) run already wrote to ``path``."""
    kind = infer_format(path, fmt)
    if kind == "sqlite":
        partial = _sidecars(path)[0]
        return _sqlite_done(partial if os.path.exists(partial) else path)
    data, progress = _sidecars(path)
    if os.path.exists(data):
        return _read_progress(progress, os.path.getsize(data))[0]
    if os.path.exists(path):
        return {doc_id for doc_id, _ in _SEEDS[kind](path)}
    return set()


class _WriterBase:
    """Context-manager behaviour shared by all writers."""

    def write_document(self, doc: Document, events: Sequence[Mapping[str, Any]]) -> None:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def abort(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def __enter__(self) -> _WriterBase:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def _event_line(event: Mapping[str, Any]) -> bytes:
    """One JSONL line; orjson keeps the dict's key order (eventx.record.EVENT_KEYS), never sorts."""
    return orjson.dumps(event) + b"\n"


class StdoutWriter(_WriterBase):
    """JSONL on a byte stream (stdout), flushed per document so pipes see results early."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def write_document(self, doc: Document, events: Sequence[Mapping[str, Any]]) -> None:
        if events:
            self._stream.write(b"".join(_event_line(e) for e in events))
            self._stream.flush()

    def close(self) -> None:
        self._stream.flush()

    abort = close


class StreamWriter(StdoutWriter):
    """JSONL on an output path that is a stream (a FIFO, a device): closed at the end."""

    def close(self) -> None:
        try:
            self._stream.close()
        except BrokenPipeError:
            pass

    abort = close


class CsvStreamWriter(_WriterBase):
    """CSV on a stream: rows are kept in a temporary file (the columns are known only at the
    end) and rendered to the stream on close."""

    def __init__(self, stream: BinaryIO, *, safe: bool = False) -> None:
        self._stream = stream
        self._rows = tempfile.TemporaryFile()
        self.safe = safe

    def write_document(self, doc: Document, events: Sequence[Mapping[str, Any]]) -> None:
        self._rows.write(b"".join(orjson.dumps(flatten_event(e)) + b"\n" for e in events))

    def close(self) -> None:
        if self._stream.closed:
            return
        self._rows.seek(0)
        text = io.TextIOWrapper(self._stream, encoding="utf-8", newline="")
        render_csv(self._rows, text, safe=self.safe)
        text.close()
        self._rows.close()

    def abort(self) -> None:
        self._rows.close()
        self._stream.close()


# --- resumable file outputs ----------------------------------------------------------


def _read_progress(progress_path: str, data_size: int) -> tuple[set[str], int, int]:
    """(done ids, data bytes to keep, progress bytes to keep) from a progress file.

    Reading stops at the first torn or inconsistent line (a crash mid-append, or data that
    was not flushed), so what is kept is always a prefix both files agree on.
    """
    done: set[str] = set()
    data_end = progress_end = 0
    try:
        with open(progress_path, "rb") as fh:
            for line in fh:
                if progress_end == 0 and line.startswith(b"{"):  # the run header
                    progress_end += len(line)
                    continue
                try:
                    doc_id, size = orjson.loads(line) if line.endswith(b"\n") else (None, None)
                except (orjson.JSONDecodeError, TypeError, ValueError):
                    break
                if not isinstance(doc_id, str) or not isinstance(size, int) or not data_end <= size <= data_size:
                    break
                done.add(doc_id)
                data_end = size
                progress_end += len(line)
    except FileNotFoundError:
        pass
    return done, data_end, progress_end


def _sidecars(final: str) -> tuple[str, str]:
    """(partial data, progress) paths of a file output."""
    return final + ".partial", final + ".progress"


class _Journal:
    """``OUT.partial`` + ``OUT.progress``: the resumable state of a file output."""

    def __init__(
        self,
        final: str,
        *,
        resume: bool,
        seed: Callable[[str], Iterator[tuple[str, bytes]]],
        run_info: Mapping[str, Any] | None = None,
    ) -> None:
        self.data_path, self.progress_path = _sidecars(final)
        self.done: set[str] = set()
        if resume and os.path.exists(self.data_path):
            self.done, data_end, progress_end = _read_progress(self.progress_path, os.path.getsize(self.data_path))
            self._data = _open_at(self.data_path, data_end)
            self._progress = _open_at(self.progress_path, progress_end)
            return
        self._data = open(self.data_path, "wb")
        self._progress = open(self.progress_path, "wb")
        self._progress.write(_header_line(run_info))
        if resume and os.path.exists(final):  # continue a finished output
            for doc_id, line in seed(final):
                self._data.write(line)
                self.done.add(doc_id)
            self._data.flush()
            size = self._data.tell()
            self._progress.write(b"".join(orjson.dumps([d, size]) + b"\n" for d in sorted(self.done)))
            self._progress.flush()

    def append(self, doc_id: str, lines: list[bytes]) -> None:
        """Data first, then the progress line: a crash in between only loses this document."""
        if lines:
            self._data.write(b"".join(lines))
            self._data.flush()
        self._progress.write(orjson.dumps([doc_id, self._data.tell()]) + b"\n")
        self._progress.flush()

    def commit(self) -> str:
        """Close the data file durably and return its path; the caller moves it into place."""
        self._data.flush()
        os.fsync(self._data.fileno())
        self._data.close()
        self._progress.close()
        return self.data_path

    def discard(self) -> None:
        """After a successful commit: remove whatever sidecar is left."""
        for path in (self.data_path, self.progress_path):
            try:
                os.remove(path)
            except FileNotFoundError:
                pass

    def abort(self) -> None:
        for fh in (self._data, self._progress):
            if not fh.closed:
                try:
                    fh.flush()
                except OSError:  # a full disk: what reached the file is kept, the rest is redone on resume
                    pass
                try:
                    fh.close()
                except OSError:
                    pass


def _open_at(path: str, size: int) -> BinaryIO:
    """Open for appending after truncating to ``size`` bytes (creating the file if needed)."""
    fh = open(path, "r+b" if os.path.exists(path) else "w+b")
    fh.truncate(size)
    fh.seek(size)
    return fh


class _JournalWriter(_WriterBase):
    """A file output built on a journal; subclasses say what a line is and how to finish."""

    seed: Callable[[str], Iterator[tuple[str, bytes]]]

    def __init__(self, path: str, *, resume: bool = False, run_info: Mapping[str, Any] | None = None) -> None:
        self.path = path
        self._journal = _Journal(path, resume=resume, seed=type(self).seed, run_info=run_info)
        self._finished = False

    @property
    def done(self) -> set[str]:
        """Documents the output held when a resumed run opened it (skipped if written again).
        This run's own documents are not added: each comes once (the protocol above), and a
        set of every id written would grow with the input."""
        return self._journal.done

    def _lines(self, events: Sequence[Mapping[str, Any]]) -> list[bytes]:
        raise NotImplementedError

    def _finish(self, data_path: str) -> None:
        raise NotImplementedError

    def write_document(self, doc: Document, events: Sequence[Mapping[str, Any]]) -> None:
        if self._finished:
            raise ValueError(f"{self.path}: writer is closed")
        if doc.id not in self._journal.done:
            self._journal.append(doc.id, self._lines(events))

    def close(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._finish(self._journal.commit())
        self._journal.discard()

    def abort(self) -> None:
        self._finished = True
        self._journal.abort()


def _seed_jsonl(path: str) -> Iterator[tuple[str, bytes]]:
    """(doc_id, line) of a finished JSONL output; lines are kept byte for byte."""
    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                doc_id = orjson.loads(line)["doc_id"]
            except (orjson.JSONDecodeError, TypeError, KeyError) as exc:
                raise InputError(f"{path}:{lineno}: cannot resume: not an event record ({exc})") from None
            yield str(doc_id), line if line.endswith(b"\n") else line + b"\n"


def _seed_csv(path: str) -> Iterator[tuple[str, bytes]]:
    """(doc_id, journal line) of a finished CSV output; CSV cells are strings either way,
    so re-rendering them gives the same bytes."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if "doc_id" not in (reader.fieldnames or ["doc_id"]):
            raise InputError(f"{path}: cannot resume: no doc_id column")
        for row in reader:
            cells = {k: v for k, v in row.items() if k is not None and v}
            yield row.get("doc_id") or "", orjson.dumps(cells) + b"\n"


class JsonlWriter(_JournalWriter):
    """One event per line, keys in the record's order."""

    seed = staticmethod(_seed_jsonl)

    def _lines(self, events: Sequence[Mapping[str, Any]]) -> list[bytes]:
        return [_event_line(e) for e in events]

    def _finish(self, data_path: str) -> None:
        os.replace(data_path, self.path)


class CsvWriter(_JournalWriter):
    """One row per event; ``arg.<role>.<field>`` columns for every role seen. ``safe``: see
    :func:`render_csv`."""

    seed = staticmethod(_seed_csv)

    def __init__(
        self, path: str, *, resume: bool = False, run_info: Mapping[str, Any] | None = None, safe: bool = False
    ) -> None:
        super().__init__(path, resume=resume, run_info=run_info)
        self.safe = safe

    def _lines(self, events: Sequence[Mapping[str, Any]]) -> list[bytes]:
        return [orjson.dumps(flatten_event(e)) + b"\n" for e in events]

    def _finish(self, data_path: str) -> None:
        directory, name = os.path.split(os.path.abspath(self.path))
        tmp = os.path.join(directory, f".{name}.tmp-{os.getpid()}")
        try:
            with open(data_path, "rb") as rows, open(tmp, "w", encoding="utf-8", newline="") as out:
                render_csv(rows, out, safe=self.safe)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so is a formula to spreadsheets


def render_csv(rows: IO[bytes], out: TextIO, *, safe: bool = False) -> None:
    """Render flattened rows (JSON lines, seekable) as CSV: pass 1 collects roles, pass 2 writes.

    A value holding a CR is quoted (the csv module quotes only the line terminator, LF, and
    a bare CR would end the row for many readers). ``safe`` (``--csv-safe``) prefixes text
    cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR at
    the start) with ``'``: CSV injection.
    """
    roles: set[str] = set()
    for line in rows:
        roles.update(r for r in map(role_of_column, orjson.loads(line)) if r)
    header = csv_header(roles)
    writer = csv.DictWriter(out, header, restval="", extrasaction="ignore", lineterminator="\n")
    quoted = csv.DictWriter(out, header, restval="", extrasaction="ignore", lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    rows.seek(0)
    for line in rows:
        row = orjson.loads(line)
        if safe:
            row = {k: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for k, v in row.items()}
        has_cr = any(isinstance(v, str) and "\r" in v for v in row.values())
        (quoted if has_cr else writer).writerow(row)


_SEEDS: dict[str, Callable[[str], Iterator[tuple[str, bytes]]]] = {"jsonl": _seed_jsonl, "csv": _seed_csv}


# --- SQLite -------------------------------------------------------------------------------

_EVENT_COLUMNS = [name.replace(".", "_") for name in EVENT_FIELDS] + ["doc_date"]
_INTEGER_SUFFIXES = ("_start", "_end", "_index")


def _q(name: str) -> str:
    return f'"{name}"'  # "end" is an SQL keyword; quote every column name alike


def _schema() -> str:
    """DDL derived from the shared field lists, so it cannot drift from the CSV columns."""
    event_cols = ",\n  ".join(
        f"{_q(c)} {'INTEGER' if c.endswith(_INTEGER_SUFFIXES) else 'TEXT'}"
        + (" PRIMARY KEY" if c == "id" else " NOT NULL REFERENCES documents(doc_id)" if c == "doc_id" else "")
        for c in _EVENT_COLUMNS
    )
    arg_types = {"start": "INTEGER", "end": "INTEGER", "value": ""}  # value: int or text as given
    arg_cols = ",\n  ".join(f"{_q(f)} {arg_types.get(f, 'TEXT')}".rstrip() for f in ARG_FIELDS)
    return f"""
CREATE TABLE IF NOT EXISTS documents (
  "doc_id" TEXT PRIMARY KEY,
  "date" TEXT,
  "title" TEXT,
  "n_events" INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  {event_cols}
);
CREATE TABLE IF NOT EXISTS arguments (
  "event_id" TEXT NOT NULL REFERENCES events(id),
  "role" TEXT NOT NULL,
  {arg_cols},
  PRIMARY KEY ("event_id", "role")
);
CREATE INDEX IF NOT EXISTS events_type ON events("type");
CREATE INDEX IF NOT EXISTS events_doc_id ON events("doc_id");
CREATE INDEX IF NOT EXISTS events_doc_date ON events("doc_date");
"""


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Resuming into a log written before a column existed (``mentions``): add it, empty."""
    have = {row[1] for row in conn.execute('PRAGMA table_info("events")')}
    for column in _EVENT_COLUMNS:
        if column not in have:
            conn.execute(f"ALTER TABLE events ADD COLUMN {_q(column)} TEXT")


_INSERT_DOCUMENT = 'INSERT INTO documents ("doc_id", "date", "title", "n_events") VALUES (?, ?, ?, ?)'
_INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(map(_q, _EVENT_COLUMNS))}) VALUES ({', '.join('?' * len(_EVENT_COLUMNS))})"
)
_INSERT_ARG = (
    f'INSERT INTO arguments ("event_id", "role", {", ".join(map(_q, ARG_FIELDS))})'
    f" VALUES ({', '.join('?' * (len(ARG_FIELDS) + 2))})"
)


def _remove_database(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def _sqlite_done(path: str) -> set[str]:
    if not os.path.exists(path):
        return set()
    try:
        conn = sqlite3.connect(path)  # it exists, so this does not create a file
        try:
            return {row[0] for row in conn.execute("SELECT doc_id FROM documents")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: not an eventx SQLite output ({exc})") from exc


class SqliteWriter(_WriterBase):
    """Tables ``documents``, ``events``, ``arguments``; one transaction per document, in
    ``OUT.partial`` until ``close()`` renames it to ``OUT``."""

    def __init__(self, path: str, *, resume: bool = False, run_info: Mapping[str, Any] | None = None) -> None:
        self.path = path
        self.partial, progress = _sidecars(path)
        if not resume or not os.path.exists(self.partial):
            _remove_database(self.partial)
            if resume and os.path.exists(path):  # continue a finished output: a copy, never the original
                shutil.copyfile(path, self.partial)
            with open(progress, "wb") as fh:
                fh.write(_header_line(run_info))
        try:
            self._conn = sqlite3.connect(self.partial)
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.executescript(_schema())
            _add_missing_columns(self._conn)
            self.done: set[str] = {row[0] for row in self._conn.execute("SELECT doc_id FROM documents")}
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{path}: not an eventx SQLite output ({exc})") from exc

    def write_document(self, doc: Document, events: Sequence[Mapping[str, Any]]) -> None:
        if doc.id in self.done:
            return
        with self._conn:  # commit on success, roll back on error: all of a document or nothing
            self._conn.execute(_INSERT_DOCUMENT, (doc.id, doc.date, doc.title, len(events)))
            self._conn.executemany(_INSERT_EVENT, [(*event_values(e), doc.date) for e in events])
            self._conn.executemany(
                _INSERT_ARG, [(e["id"], role, *values) for e in events for role, values in arg_values(e)]
            )

    def _disconnect(self) -> None:
        try:
            self._conn.execute("PRAGMA journal_mode = DELETE")  # checkpoint; no -wal/-shm left behind
        finally:  # on a full disk the checkpoint fails: the -wal keeps the committed documents
            self._conn.close()
            self._conn = None  # type: ignore[assignment]

    def close(self) -> None:
        if self._conn is None:
            return
        self._disconnect()
        os.replace(self.partial, self.path)
        try:
            os.remove(_sidecars(self.path)[1])
        except FileNotFoundError:
            pass

    def abort(self) -> None:
        if self._conn is not None:
            self._conn.rollback()
            self._disconnect()


# --- errors -------------------------------------------------------------------------------


class ErrorLog:
    """Where read/extraction problems go: a JSONL errors file, one record per line, flushed
    per record so that a crash keeps them; optionally also a rendered line on ``echo``.

    ``echo`` is off by default because the CLI already prints every problem on stderr (its
    own format, next to the progress bar); with stdout output there is no file and stderr is
    the only channel. The file is created at the first record, so a clean run leaves none;
    a stale one from an earlier run is removed, except with ``resume``: then it is appended
    to, without repeating records already in it (a resumed run reads its inputs again and
    meets the same problems).
    """

    def __init__(self, path: str | None, *, resume: bool = False, echo: TextIO | None = None) -> None:
        self.path = path
        self.count = 0
        self._echo = echo
        self._file: BinaryIO | None = None
        self._seen: set[bytes] = set()
        if path is None:
            return
        if resume and os.path.exists(path):
            with open(path, "rb") as fh:
                self._seen = {line.rstrip(b"\n") for line in fh}
        elif os.path.exists(path):
            os.remove(path)

    @staticmethod
    def default_path(out: str | None) -> str | None:
        """``<out>.errors.jsonl`` beside a file output; none (stderr only) for stdout."""
        return None if _is_stdout(out) else f"{out}.errors.jsonl"

    @classmethod
    def for_output(
        cls, out: str | None, errors: str | None = None, *, resume: bool = False, echo: TextIO | None = None
    ) -> ErrorLog:
        """The log for ``-o out [--errors errors]``; pass ``resume`` with ``--resume``."""
        return cls(errors or cls.default_path(out), resume=resume, echo=echo)

    def write(self, problem: ReadProblem | Mapping[str, Any]) -> None:
        """Record one problem (a ReadProblem or any ``{"doc_id", "error", ...}`` dict)."""
        self.count += 1
        record = problem.to_record() if isinstance(problem, ReadProblem) else dict(problem)
        echo = self._echo
        if echo is not None:
            if isinstance(problem, ReadProblem):
                text = problem.render()
            else:
                text = f"{record.get('source') or record.get('doc_id') or '<unknown>'}: error: {record.get('error')}"
            print(text, file=echo)
        if self.path is None:
            return
        line = orjson.dumps(record)
        if line in self._seen:  # already logged by the run this one resumes
            return
        if self._file is None:
            self._file = open(self.path, "ab")
        self._file.write(line + b"\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> ErrorLog:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()
