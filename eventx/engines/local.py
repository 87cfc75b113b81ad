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

import multiprocessing
import os
import time
from pathlib import Path
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

from eventx import codes
from eventx.api import Extractor
from eventx.record import Event
from eventx.errors import EventxError
from eventx.io.readers import ReadProblem, check_inputs, iter_corpus
from eventx.io.writers import ErrorLog, done_doc_ids, infer_format, open_writer
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
        return DocResult(doc, extractor.extract(doc))
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
    on_document: Callable[[RunSummary], None] | None = None,
    on_problem: Callable[[dict], None] | None = None,
) -> RunSummary:
    """Extract events from every document of ``inputs`` into ``output`` (stdout JSONL when None)."""
    return write_results(
        inputs,
        lambda docs: _results(docs, extractor, jobs),
        output=output,
        fmt=fmt,
        resume=resume,
        errors_path=errors_path,
        stdin=stdin,
        on_document=on_document,
        on_problem=on_problem,
    )


def write_results(
    inputs: list[str],
    results: Callable[[Iterator[Document]], Iterable[DocResult]],
    *,
    output: str | None = None,
    fmt: str | None = None,
    resume: bool = False,
    errors_path: str | None = None,
    stdin=None,
    on_document: Callable[[RunSummary], None] | None = None,
    on_problem: Callable[[dict], None] | None = None,
) -> RunSummary:
    """Read ``inputs``, pass the documents through ``results`` and write what comes back.

    Shared by every engine, so that reading, resume, error records and the summary are the
    same whichever engine extracts: ``results`` must yield one DocResult per document, in order.
    """
    check_inputs(inputs)
    fmt = infer_format(output, fmt)
    summary = RunSummary(output=output)
    done: set[str] = set()
    if resume and output and output != "-":
        done = done_doc_ids(output, fmt)
    writer = open_writer(output, fmt, resume=resume)
    error_log = ErrorLog.for_output(output, errors_path, resume=resume)
    summary.errors_path = error_log.path
    started = time.perf_counter()

    def report(record: dict) -> None:
        summary.errors += 1
        error_log.write(record)
        if on_problem:
            on_problem(record)

    def documents() -> Iterator[Document]:
        for item in iter_corpus(inputs, stdin=stdin):
            if isinstance(item, ReadProblem):
                report(item.to_record())
                continue
            if item.id in done:
                summary.resumed += 1
                continue
            yield item

    try:
        for result in results(documents()):
            if result.error is not None:
                report({"doc_id": result.doc.id, "error": result.error, "code": result.code or codes.EXTRACTION_FAILED})
            writer.write_document(result.doc, result.events)
            summary.documents += 1
            summary.characters += len(result.doc.text)
            summary.events_by_type.update(e["type"] for e in result.events)
            if on_document:
                on_document(summary)
    except BaseException:
        writer.abort()
        error_log.close()
        summary.seconds = time.perf_counter() - started
        raise
    writer.close()
    error_log.close()
    summary.seconds = time.perf_counter() - started
    return summary


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
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
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
            for doc, (events, error, code) in zip(chunk, future.result()):
                yield DocResult(doc, events, error, code)


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
