"""The local engine: stream a corpus through an :class:`~eventx.api.Extractor`, in one process
or in worker processes, and write events in input order.

Worker processes split the *documents*: the parent builds every rule's regexes once, then
forks; the workers share them and each extracts whole
chunks of documents with the complete pack, exactly as one process would (the time budget of a
document included). Splitting the rules instead was measured too (benchmarks/README.md): every worker then tokenises
every document, and one event type (deployment, with the commonest triggers) costs nearly as
much as all the others together, so it scaled worse at two workers and cannot scale past a few.

Memory stays flat: documents are read lazily, a few chunks are in flight, and results are
written as soon as the chunk at the head of the queue is done. The parent reads and writes
while the workers extract. A problem with one document (unreadable, too slow, a bug) becomes
one error record; the run goes on.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import sys
import time
from pathlib import Path
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from eventx import codes
from eventx.api import Extractor
from eventx.errors import EventxError, InputError
from eventx.io.guards import check_run_paths
from eventx.io.readers import DEFAULT_MAX_DOC_BYTES, ReadProblem, check_inputs, iter_corpus
from eventx.record import Event
from eventx.io.writers import (
    ErrorLog,
    OutputLock,
    done_doc_ids,
    is_stream,
    open_writer,
    output_format,
    output_state,
    read_run_info,
)
from eventx.text.model import Document

CHUNK_SIZE = 32


@dataclass(slots=True)
class RunSummary:
    documents: int = 0
    resumed: int = 0  # documents skipped because an earlier run already wrote them
    events_by_type: Counter = field(default_factory=Counter)
    errors: int = 0
    characters: int = 0
    seconds: float = 0.0
    output: str | None = None
    errors_path: str | None = None
    complete: bool = False  # --resume found the output finished: nothing was done
    read_bytes: int = 0  # of the input files, resumed documents included (progress)

    @property
    def events(self) -> int:
        return sum(self.events_by_type.values())

    def to_dict(self) -> dict:
        return {
            "documents": self.documents,
            "resumed": self.resumed,
            "events": self.events,
            "events_by_type": dict(sorted(self.events_by_type.items())),
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "mb_per_s": round(self.characters / 1e6 / self.seconds, 3) if self.seconds else None,
            "docs_per_s": round(self.documents / self.seconds, 1) if self.seconds else None,
            "output": self.output,
            "errors_file": self.errors_path,
        }


@dataclass(slots=True)
class DocResult:
    doc: Document
    events: list[Event]
    error: str | None = None
    code: str | None = None  # the error's catalogue code (E304 time budget, E306 a failure ...)


_WORKER_EXTRACTOR: Extractor | None = None


def _extract_one(extractor: Extractor, doc: Document) -> DocResult:
    try:
        events, warnings = extractor.extract_document(doc)
        # warnings (a sentence skipped): the events are kept
        return DocResult(doc, events, "; ".join(warnings) or None, codes.SENTENCE_TOO_LONG if warnings else None)
    except Exception as err:  # one bad document must never stop the run
        reason = str(err) or type(err).__name__
        code = getattr(err, "code", "") if isinstance(err, EventxError) else ""
        return DocResult(doc, [], f"{type(err).__name__}: {reason}" if not str(err) else reason, code or codes.EXTRACTION_FAILED)


def _extract_chunk(docs: list[Document]) -> list[tuple[list[Event], str | None, str | None]]:
    """Worker side: only events and errors travel back; the parent still holds the documents."""
    assert _WORKER_EXTRACTOR is not None
    results = (_extract_one(_WORKER_EXTRACTOR, doc) for doc in docs)
    return [(r.events, r.error, r.code) for r in results]


def run_corpus(
    inputs: list[str],
    extractor: Extractor,
    *,
    output: str | None = None,
    fmt: str | None = None,
    jobs: int = 1,
    resume: bool = False,
    errors_path: str | None = None,
    stdin=None,
    input_format: str | None = None,
    on_document: Callable[[RunSummary], None] | None = None,
    on_problem: Callable[[dict], None] | None = None,
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES,
    csv_safe: bool = False,
) -> RunSummary:
    """Extract events from every document of ``inputs`` into ``output`` (stdout JSONL when None)."""
    with run_cache_limits():
        return _run_corpus(inputs, extractor, output=output, fmt=fmt, jobs=jobs, resume=resume, errors_path=errors_path,
                           stdin=stdin, input_format=input_format, on_document=on_document, on_problem=on_problem,
                           max_doc_bytes=max_doc_bytes, csv_safe=csv_safe)


# Entries of the per-process caches during a run (tokens, lemmas, atom records; chunks and key
# sets of the prefilter), each cleared when full: smaller than the defaults that long-lived
# sessions (``eventx serve``) keep, so that a run reaches its memory peak within its first few
# MB of news instead of growing with the input (benchmarks/README.md, peak memory).
RUN_CACHE_LIMITS = {
    ("eventx.text.tokenize", "_CACHE_LIMIT"): 20_000,
    ("eventx.text.lemma", "_CACHE_LIMIT"): 20_000,
    ("eventx.match.atoms", "_CACHE_LIMIT"): 20_000,
    ("eventx.match.prefilter", "_CHUNK_CACHE_LIMIT"): 50_000,
}


@contextmanager
def run_cache_limits() -> Iterator[None]:
    """The caches bounded by :data:`RUN_CACHE_LIMITS` while a run lasts (worker processes
    forked meanwhile inherit them); the previous limits afterwards."""
    saved = {}
    try:
        for (module_name, name), limit in RUN_CACHE_LIMITS.items():
            module = importlib.import_module(module_name)
            saved[module, name] = getattr(module, name)
            setattr(module, name, min(limit, saved[module, name]))
        yield
    finally:
        for (module, name), value in saved.items():
            setattr(module, name, value)


def _run_corpus(inputs: list[str], extractor: Extractor, *, jobs: int, **options: Any) -> RunSummary:
    return write_results(
        inputs,
        lambda docs: _results(docs, extractor, jobs),
        run_info=run_info(extractor.pack.version, extractor.merge_mentions),
        **options,
    )


def run_info(rules_version: str, merge_mentions: bool) -> dict[str, Any]:
    """What a resumed run must share with the run it continues (besides its inputs)."""
    return {"rules_version": rules_version, "mentions": "merge" if merge_mentions else "separate"}


class ResumeMismatch(InputError):
    """``--resume`` with other rules, another mention mode or other inputs than the run it
    would continue: the log would mix two runs."""


_WHAT = {
    "rules_version": "rules version",
    "mentions": "mention mode (--mentions)",
    "format": "output format (--format)",
    "inputs": "inputs",
}


def _check_resumable(output: str, started: dict[str, Any] | None, now: dict[str, Any]) -> None:
    if started is None:
        return  # a partial from before run headers: nothing to compare
    differ = [
        f"{_WHAT[key]}: {_show(started.get(key))} then, {_show(now[key])} now"
        for key in _WHAT
        if key in started and started.get(key) != now.get(key)
    ]
    if differ:
        raise ResumeMismatch(
            f"cannot resume {output}: this run differs from the one that started it ("
            + "; ".join(differ)
            + "). Resume with the same rules, --mentions, --format and inputs, or start afresh without --resume."
        )


def _show(value: Any) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)


def write_results(
    inputs: list[str],
    results: Callable[[Iterator[Document]], Iterable[DocResult]],
    *,
    output: str | None = None,
    fmt: str | None = None,
    resume: bool = False,
    errors_path: str | None = None,
    stdin=None,
    input_format: str | None = None,
    run_info: dict[str, Any] | None = None,
    on_document: Callable[[RunSummary], None] | None = None,
    on_problem: Callable[[dict], None] | None = None,
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES,
    csv_safe: bool = False,
) -> RunSummary:
    """Read ``inputs``, pass the documents through ``results`` and write what comes back.

    Shared by every engine, so that reading, resume, error records and the summary are the
    same whichever engine extracts: ``results`` must yield one DocResult per document, in order.

    Before anything is written: the paths are checked (:mod:`eventx.io.guards`), the output is
    locked against a second run, and a resume is checked against the run it continues
    (``run_info``: rules version and mention mode; plus the inputs). A resume of a finished
    output does nothing (``summary.complete``).
    """
    check_inputs(inputs, input_format)
    fmt = output_format(output, fmt)
    stream = is_stream(output)
    if resume and stream:
        raise InputError("--resume needs an output file (-o)" if output in (None, "-") else f"{output}: --resume needs a regular output file, not a stream")
    errors_path = errors_path if errors_path is not None or stream else ErrorLog.default_path(output)
    check_run_paths(inputs, output, errors_path)
    info = dict(run_info or {}, format=fmt, inputs=[i if i == "-" else os.path.abspath(i) for i in inputs])
    summary = RunSummary(output=output)
    lock = OutputLock(output).acquire() if not stream else None  # type: ignore[arg-type]
    try:
        done: set[str] = set()
        if resume:
            state = output_state(output)  # type: ignore[arg-type]
            if state == "finished":
                summary.complete = True
                return summary
            if state == "partial":
                _check_resumable(output, read_run_info(output), info)  # type: ignore[arg-type]
                done = done_doc_ids(output, fmt)  # type: ignore[arg-type]
        writer = open_writer(output, fmt, resume=resume, run_info=info, csv_safe=csv_safe)
        error_log = ErrorLog(errors_path, resume=resume)
        summary.errors_path = error_log.path
        started = time.perf_counter()

        def report(record: dict) -> None:
            summary.errors += 1
            error_log.write(record)
            if on_problem:
                on_problem(record)

        def documents() -> Iterator[Document]:
            corpus = iter_corpus(inputs, stdin=stdin, input_format=input_format, max_doc_bytes=max_doc_bytes)
            for item in corpus:
                summary.read_bytes = corpus.bytes_read
                if isinstance(item, ReadProblem):
                    report(item.to_record())
                    continue
                if item.id in done:
                    summary.resumed += 1
                    continue
                yield item

        produced = results(documents())
        try:
            for result in produced:
                if result.error is not None:
                    report({"doc_id": result.doc.id, "error": result.error, "code": result.code or codes.EXTRACTION_FAILED})
                writer.write_document(result.doc, result.events)
                summary.documents += 1
                summary.characters += len(result.doc.text)
                summary.events_by_type.update(e["type"] for e in result.events)
                if on_document:
                    on_document(summary)
        except BaseException:
            _close(produced)  # stop the workers now, not when the generator is collected
            writer.abort()
            error_log.close()
            summary.seconds = time.perf_counter() - started
            raise
        writer.close()
        error_log.close()
        summary.seconds = time.perf_counter() - started
        return summary
    finally:
        if lock is not None:
            lock.release()


def _close(produced: Iterable[DocResult]) -> None:
    close = getattr(produced, "close", None)
    if close is not None:
        try:
            close()
        except BaseException:  # a second interruption while stopping: the first one wins
            pass


def _results(docs: Iterable[Document], extractor: Extractor, jobs: int) -> Iterator[DocResult]:
    if jobs <= 1:
        for doc in docs:
            yield _extract_one(extractor, doc)
        return
    global _WORKER_EXTRACTOR
    extractor.pack.compile_all()  # regexes are built lazily: build them once, before forking
    _WORKER_EXTRACTOR = extractor  # inherited by the forked workers: compiled once
    context = multiprocessing.get_context("fork")
    iterator = iter(docs)
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_init, initargs=(os.getpid(),))
    broken = False
    try:
        pending: deque[tuple[list[Document], Future]] = deque()
        while True:
            while len(pending) < 2 * jobs:
                chunk = list(islice(iterator, CHUNK_SIZE))
                if not chunk:
                    break
                pending.append((chunk, pool.submit(_extract_chunk, chunk)))
            if not pending:
                break
            chunk, future = pending.popleft()
            try:
                extracted = _result(future, pool)
            except BrokenExecutor:  # a worker died (killed, out of memory): the caller says so
                broken = True
                raise
            for doc, (events, error, code) in zip(chunk, extracted):
                yield DocResult(doc, events, error, code)
    finally:
        if broken:  # the others are stopped, not waited for: the dead one's pipe may never drain
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()
            # the pool's manager thread (shutdown() forgets it) closes its wake-up pipe as it
            # ends; at interpreter exit concurrent.futures writes to that pipe, and a close racing
            # with the write printed "OSError: Bad file descriptor" with a traceback (CPython
            # 3.11): let the thread end now, and mark the pipe closed if it has not in 5 s
            manager = getattr(pool, "_executor_manager_thread", None)
            wakeup = getattr(pool, "_executor_manager_thread_wakeup", None)
            pool.shutdown(wait=False, cancel_futures=True)
            if manager is not None:
                manager.join(timeout=5.0)
                if manager.is_alive() and wakeup is not None:
                    wakeup._closed = True
        else:
            # Interrupted: queued chunks are cancelled and the workers finish the chunk they are
            # on (bounded by the time budget). Killing them instead can leave the pool's result
            # pipe with half a message, and the pool's shutdown then waits for the rest forever.
            pool.shutdown(wait=True, cancel_futures=True)


def _result(future: Future, pool: ProcessPoolExecutor) -> list[tuple[list[Event], str | None, str | None]]:
    """``future.result()``, but a worker found dead is a BrokenProcessPool at once: killed while
    sending its results, it leaves half a message in the pool's pipe, and the pool itself may
    then wait for the rest (and never say it is broken)."""
    while True:
        try:
            return future.result(timeout=1.0)
        except FutureTimeout:
            processes = (getattr(pool, "_processes", None) or {}).values()
            dead = [p.exitcode for p in list(processes) if p.exitcode not in (None, 0)]
            if dead:
                raise BrokenProcessPool(f"a worker process exited with code {dead[0]}") from None


def _worker_init(parent: int) -> None:
    """A worker dies with its parent and leaves signals to it.

    Linux's parent-death signal kills the worker when the parent dies, even by ``kill -9``
    (elsewhere the pool notices a dead parent only when it next talks to it). Ctrl-C and
    SIGTERM are ignored: the parent handles them, keeps what is written and stops the
    workers itself; a worker dying first would only turn a clean stop into a broken pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


SMALL_INPUT_BYTES = 4_000_000  # below this, one process is the safe default (see default_jobs)


def default_jobs(inputs: list[str] | None = None) -> int:
    """The number of cores; 1 for stdin or inputs under ``SMALL_INPUT_BYTES`` in total.

    On a small input the run is mostly start-up: workers need every regex built before the
    fork, where one process builds only those of the rules it meets.
    """
    cores = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    if inputs is None or cores == 1:
        return cores
    total = 0
    for name in inputs:
        if name == "-":
            return 1
        path = Path(name)
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else []
        total += sum(f.stat().st_size for f in files)
        if total >= SMALL_INPUT_BYTES:
            return cores
    return 1
