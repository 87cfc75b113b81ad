"""The local engine: stream a corpus through an :class:`~eventx.api.Extractor`, in one process
or in worker processes, and write events in input order.

Worker processes split the *rules*, not the documents: building a rule's regexes is most of
the start-up of a run (the ``regex`` module parses in Python, and most rules meet their
trigger within the first megabyte of news), and a worker that saw every document would build
every regex. So the rules are grouped by event type into one group per worker, balanced by
the size of their regex source; every worker gets every document, builds (lazily, after the
fork) only its own rules' regexes, and returns its events. Events of different types never
interact (overlaps are resolved within a type), so the union of the workers' events, in the
canonical order, is exactly what one process finds. When the types cannot be balanced (one
type holds most of the pack) the documents are split instead, after compiling every rule once.

Memory stays flat: documents are read lazily, a few chunks are in flight, and results are
written as soon as the chunk at the head of the queue is done. The parent reads and writes
while the workers extract. A problem with one document (unreadable, too slow, a bug) becomes
one error record; the run goes on.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time
from pathlib import Path
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

from eventx.api import Extractor
from eventx.extract.events import sort_events
from eventx.match.matcher import RulePack
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
    events: list[dict]
    error: str | None = None


_WORKER_EXTRACTOR: Extractor | None = None


def _extract_one(extractor: Extractor, doc: Document) -> DocResult:
    try:
        return DocResult(doc, extractor.extract(doc))
    except Exception as err:  # one bad document must never stop the run
        reason = str(err) or type(err).__name__
        return DocResult(doc, [], f"{type(err).__name__}: {reason}" if not str(err) else reason)


def _extract_chunk(docs: list[Document]) -> list[tuple[list[dict], str | None]]:
    """Worker side: only events and errors travel back; the parent still holds the documents."""
    assert _WORKER_EXTRACTOR is not None
    results = (_extract_one(_WORKER_EXTRACTOR, doc) for doc in docs)
    return [(r.events, r.error) for r in results]


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
                report({"doc_id": result.doc.id, "error": result.error})
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
    groups = rule_groups(extractor.pack, jobs)
    if groups is not None:
        yield from _results_by_rules(docs, extractor, groups)
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
            for doc, (events, error) in zip(chunk, future.result()):
                yield DocResult(doc, events, error)


MAX_GROUP_SHARE = 0.7  # split the rules only when no worker gets more than this share of them
IN_FLIGHT = 4  # chunks sent to the workers and not yet written


def rule_groups(pack: RulePack, jobs: int) -> list[list[int]] | None:
    """Rule indices of ``pack`` in ``jobs`` groups of whole event types, balanced by regex size
    (what building them costs); None when that cannot be done evenly enough.

    Greedy: the largest type goes to the group with the least so far. The largest group must
    stay under ``MAX_GROUP_SHARE`` of the whole, else splitting the rules would leave one worker
    with most of the work (a pack of one type, for instance) and the documents are split instead.
    """
    cost: Counter = Counter()
    members: dict[str, list[int]] = {}
    for index, rule in enumerate(pack.rules):
        cost[rule.type] += len(rule.pattern.source) + len(rule.pattern.suffix_source or "") + 1
        members.setdefault(rule.type, []).append(index)
    if len(cost) < jobs:
        return None
    groups: list[tuple[int, list[int]]] = [(0, []) for _ in range(jobs)]
    for event_type, size in sorted(cost.items(), key=lambda item: (-item[1], item[0])):
        least = min(range(jobs), key=lambda g: groups[g][0])
        total, indices = groups[least]
        groups[least] = (total + size, indices + members[event_type])
    if max(total for total, _ in groups) > MAX_GROUP_SHARE * sum(cost.values()):
        return None
    return [sorted(indices) for _, indices in groups]


def _sub_extractor(extractor: Extractor, indices: list[int]) -> Extractor:
    """An extractor with only the rules at ``indices`` (same lexicons, version and settings)."""
    pack = extractor.pack
    sub = RulePack(
        [pack.rules[i] for i in indices],
        pack.lexicons,
        pack.atoms,
        version=pack.version,
        ruleset=pack.ruleset,
        used_vars=pack.used_vars,
        used_lexicons=pack.used_lexicons,
    )
    return Extractor(sub, time_budget=extractor.time_budget, prefilter=extractor.prefilter)


def _rules_worker(extractor: Extractor, inbox, outbox) -> None:  # noqa: ANN001 - multiprocessing queues
    """Worker side of :func:`_results_by_rules`: chunks in, (events, error) per document out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        chunk = inbox.get()
        if chunk is None:
            return
        results = (_extract_one(extractor, doc) for doc in chunk)
        outbox.put([(r.events, r.error) for r in results])


def _results_by_rules(docs: Iterable[Document], extractor: Extractor, groups: list[list[int]]) -> Iterator[DocResult]:
    context = multiprocessing.get_context("fork")
    workers = []
    try:
        for indices in groups:
            inbox, outbox = context.Queue(), context.Queue()
            process = context.Process(
                target=_rules_worker, args=(_sub_extractor(extractor, indices), inbox, outbox), daemon=True
            )
            process.start()
            workers.append((process, inbox, outbox))
        iterator = iter(docs)
        pending: deque[list[Document]] = deque()
        while True:
            while len(pending) < IN_FLIGHT:
                chunk = list(islice(iterator, CHUNK_SIZE))
                if not chunk:
                    break
                for _, inbox, _ in workers:
                    inbox.put(chunk)
                pending.append(chunk)
            if not pending:
                break
            chunk = pending.popleft()
            parts = [_receive(process, outbox) for process, _, outbox in workers]
            for i, doc in enumerate(chunk):
                outcomes = [part[i] for part in parts]
                error = next((error for _, error in outcomes if error is not None), None)
                if error is not None:
                    yield DocResult(doc, [], error)
                else:
                    yield DocResult(doc, sort_events([event for events, _ in outcomes for event in events]))
        for _, inbox, _ in workers:
            inbox.put(None)
        for process, _, _ in workers:
            process.join(timeout=10)
    finally:
        for process, inbox, outbox in workers:
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)
            inbox.cancel_join_thread()
            inbox.close()
            outbox.close()


def _receive(process: multiprocessing.process.BaseProcess, outbox) -> list:  # noqa: ANN001
    """The worker's next result, or an error if it died."""
    while True:
        try:
            return outbox.get(timeout=1.0)
        except queue.Empty:
            if not process.is_alive():
                raise RuntimeError(f"a worker process died (exit code {process.exitcode})") from None


SMALL_INPUT_BYTES = 4_000_000  # below this, one process is the safe default (see default_jobs)


def default_jobs(inputs: list[str] | None = None) -> int:
    """The number of cores; 1 for stdin or inputs under ``SMALL_INPUT_BYTES`` in total.

    On a small input the run is mostly building the regexes of the rules met. Workers split
    that between them only when the pack's event types can be balanced (see
    :func:`rule_groups`); otherwise they need the whole pack compiled before forking, which
    one process that builds only the rules it meets beats on a small input.
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
