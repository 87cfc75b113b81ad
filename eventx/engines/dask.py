"""The Dask engine: the local engine's run, with extraction spread over a Dask cluster.

Reading, ``--resume``, error records, writing and the summary are the local engine's
(:func:`eventx.engines.local.write_results`), so the output is byte-identical to a local run:
only where ``Extractor.extract`` runs changes.

* Partitioning: the client reads the corpus (the same reader, so the same ids, order and
  read problems) and submits blocks of up to ``block_size`` documents / ``BLOCK_CHARS``
  characters as tasks, at most two per worker thread at a time, and writes results in input order
  as the block at the head of the queue completes. Memory stays flat on both sides, and
  workers need no access to the input files.
* Rules: the client loads and validates the pack (rule errors are reported before any
  cluster starts), then ships the *source files* it was loaded from (rule files and
  lexicons, ~200 KB) to every worker once, by ``scatter(broadcast=True)``. Each worker
  process writes them to a temporary directory, compiles them once and caches the
  Extractor by ``rules_version``; it checks that it compiled the same version as the client
  (the version hashes every file, so this proves the shipped copy is complete). Workers
  therefore need eventx installed, but no shared rules path. Source files rather than a
  pickled compiled pack: they are small, do not depend on the compiled objects being
  picklable, and workers on other machines compile with their own (equal) eventx.
* Failures: a document that fails is an error record, as in the local engine; a task that
  fails (a worker died repeatedly, a version mismatch) stops the run with a message; what was
  written so far is kept for ``--resume``.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import Any

import eventx
from eventx.api import DEFAULT_TIME_BUDGET, Extractor, default_rules_path, load_rules
from eventx.engines.local import DocResult, RunSummary, _extract_one, default_jobs, run_info, write_results
from eventx.errors import EventxError, InputError
from eventx.io.readers import DEFAULT_MAX_DOC_BYTES, check_inputs
from eventx.io.writers import output_format
from eventx.match.matcher import RulePack
from eventx.record import Event
from eventx.text.model import Document

BLOCK_DOCS = 256  # documents per task: smaller blocks cost the client more CPU (benchmarks/README.md)
BLOCK_CHARS = 1_000_000  # ... and a cap on characters, so that a block of long documents stays small
CONNECT_TIMEOUT = 30.0  # seconds to reach a scheduler / to wait for its first worker
_CACHE_SIZE = 4  # compiled packs kept per worker process (a long-lived worker serves many runs)

INSTALL_HINT = (
    "the dask engine needs Dask's distributed: pip install 'dask[distributed]>=2024.1'"
    " (or, in an eventx checkout: pip install '.[dask]')"
)


class DaskEngineError(EventxError):
    """The cluster could not be used (not installed, unreachable, a task failed)."""


@dataclass(frozen=True, slots=True)
class RuleBundle:
    """The source files of a rule pack, shipped to workers so that they need no shared path."""

    entry: str  # what to load inside the bundle: "." (a directory) or a rule file's path
    files: tuple[tuple[str, bytes], ...]  # (root-relative POSIX path, content), sorted
    version: str  # the client's rules_version
    eventx_version: str

    @classmethod
    def from_pack(cls, pack: RulePack, path: str | Path) -> RuleBundle:
        """Collect every file ``pack`` was loaded from (rule files and lexicon files)."""
        ruleset = pack.ruleset
        if ruleset is None:
            raise DaskEngineError("the dask engine needs a rule pack loaded from files")
        root = Path(ruleset.root)
        names = set(ruleset.files) | {lex.source for lex in ruleset.lexicons.values() if lex.source}
        files = []
        for name in sorted(names):
            rel = os.path.relpath(os.path.abspath(name), os.path.abspath(root))
            try:
                content = Path(name).read_bytes()
            except OSError as exc:
                raise InputError(f"{name}: cannot read rule file to ship it to workers: {exc.strerror or exc}") from None
            files.append((_checked_rel(rel), content))
        path = Path(path)
        entry = "." if path.is_dir() else _checked_rel(os.path.relpath(os.path.abspath(path), os.path.abspath(root)))
        return cls(entry, tuple(sorted(files)), pack.version, eventx.__version__)

    def compile(self, time_budget: float | None, merge_mentions: bool = True) -> Extractor:
        """Worker side: write the files to a temporary directory, compile, check the version."""
        if self.eventx_version != eventx.__version__:
            raise DaskEngineError(
                f"worker runs eventx {eventx.__version__}, the client {self.eventx_version}: install the same version"
            )
        with tempfile.TemporaryDirectory(prefix="eventx-rules-") as tmp:
            for rel, content in self.files:
                target = Path(tmp, _checked_rel(rel))
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            extractor = Extractor(load_rules(Path(tmp, self.entry)), time_budget=time_budget, merge_mentions=merge_mentions)
        if extractor.pack.version != self.version:
            raise DaskEngineError(f"worker compiled rules {extractor.pack.version}, the client {self.version}")
        return extractor


def _checked_rel(rel: str) -> str:
    """A root-relative POSIX path that cannot leave the directory it is written into."""
    posix = PurePosixPath(rel.replace(os.sep, "/"))
    if posix.is_absolute() or ".." in posix.parts:
        raise InputError(f"{rel}: rule file outside the rule root cannot be shipped to workers")
    return posix.as_posix()


# --- worker side ----------------------------------------------------------------------------

_EXTRACTORS: dict[tuple[str, float | None, bool], Extractor] = {}
_EXTRACTORS_LOCK = threading.Lock()  # a worker may run several threads: compile once


def _worker_extractor(bundle: RuleBundle, time_budget: float | None, merge_mentions: bool = True) -> Extractor:
    key = (bundle.version, time_budget, merge_mentions)
    with _EXTRACTORS_LOCK:
        extractor = _EXTRACTORS.get(key)
        if extractor is None:
            if len(_EXTRACTORS) >= _CACHE_SIZE:
                _EXTRACTORS.pop(next(iter(_EXTRACTORS)))
            extractor = _EXTRACTORS[key] = bundle.compile(time_budget, merge_mentions)
        return extractor


def _extract_block(
    bundle: RuleBundle, time_budget: float | None, docs: list[Document], merge_mentions: bool = True
) -> list[tuple[list[Event], str | None, str | None]]:
    """One task: events (or the error) of each document; the client still holds the documents."""
    extractor = _worker_extractor(bundle, time_budget, merge_mentions)
    results = (_extract_one(extractor, doc) for doc in docs)
    return [(r.events, r.error, r.code) for r in results]


# --- client side ----------------------------------------------------------------------------


def _import_distributed() -> ModuleType:
    try:
        import distributed
    except ImportError:
        raise DaskEngineError(INSTALL_HINT) from None
    return distributed


def run_corpus_dask(
    inputs: list[str],
    rules_path: str | Path | None = None,
    *,
    output: str | None = None,
    fmt: str | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    errors_path: str | None = None,
    stdin=None,
    input_format: str | None = None,
    time_budget: float | None = DEFAULT_TIME_BUDGET,
    merge_mentions: bool = True,
    block_size: int = BLOCK_DOCS,
    on_document: Callable[[RunSummary], None] | None = None,
    on_problem: Callable[[dict], None] | None = None,
    max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES,
    csv_safe: bool = False,
) -> RunSummary:
    """Extract events from ``inputs`` on a Dask cluster into ``output`` (as ``run_corpus``).

    ``scheduler``: address of a running scheduler (``tcp://host:8786``); without it a
    ``LocalCluster`` of ``workers`` processes (default: the number of cores) is started on
    127.0.0.1, without a dashboard, and shut down at the end. ``merge_mentions`` as for
    :class:`~eventx.api.Extractor` (merging is per document, so it runs on the workers).
    """
    distributed = _import_distributed()
    check_inputs(inputs, input_format)  # usage errors before a cluster is started or a rule compiled
    output_format(output, fmt)
    path = Path(rules_path) if rules_path is not None else default_rules_path()
    bundle = RuleBundle.from_pack(load_rules(path), path)
    with _connect(distributed, scheduler, workers) as client:
        shipped = client.scatter(bundle, broadcast=True, hash=False)
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        in_flight = 2 * max(1, threads)  # two blocks per worker thread: one running, one queued

        def results(docs: Iterator[Document]) -> Iterator[DocResult]:
            return _ordered_results(client, shipped, time_budget, _blocks(docs, block_size), in_flight, merge_mentions)

        return write_results(
            inputs,
            results,
            output=output,
            fmt=fmt,
            resume=resume,
            errors_path=errors_path,
            stdin=stdin,
            input_format=input_format,
            run_info=run_info(bundle.version, merge_mentions),
            on_document=on_document,
            on_problem=on_problem,
            max_doc_bytes=max_doc_bytes,
            csv_safe=csv_safe,
        )


def local_cluster(workers: int) -> Any:
    """A LocalCluster of ``workers`` single-threaded processes, reachable from this machine only:
    scheduler and workers listen on 127.0.0.1, no dashboard, and the scheduler's small HTTP
    endpoint (health, metrics) on a free port instead of 8787, which another cluster may hold."""
    import distributed

    return distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
    )


@contextmanager
def _connect(distributed: ModuleType, scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A client of ``scheduler``, or of a private LocalCluster; closed (and shut down) on exit."""
    cluster = None
    try:
        if scheduler:
            try:
                client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as exc:
                raise DaskEngineError(f"cannot connect to the Dask scheduler at {scheduler}: {exc}") from None
        else:
            cluster = local_cluster(workers or default_jobs())
            client = distributed.Client(cluster)
    except DaskEngineError:
        raise
    except Exception as exc:  # a cluster that cannot start is a usage problem, not a crash
        if cluster is not None:
            cluster.close()
        raise DaskEngineError(f"cannot start a local Dask cluster: {exc}") from None
    try:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (TimeoutError, OSError) as exc:
            raise DaskEngineError(f"no Dask worker joined the scheduler at {scheduler} within {CONNECT_TIMEOUT:g} s ({exc})") from None
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _blocks(docs: Iterable[Document], block_size: int) -> Iterator[list[Document]]:
    block: list[Document] = []
    chars = 0
    for doc in docs:
        block.append(doc)
        chars += len(doc.text)
        if len(block) >= block_size or chars >= BLOCK_CHARS:
            yield block
            block, chars = [], 0
    if block:
        yield block


def _ordered_results(
    client: Any,
    shipped: Any,
    time_budget: float | None,
    blocks: Iterator[list[Document]],
    in_flight: int,
    merge_mentions: bool = True,
) -> Iterator[DocResult]:
    """Submit blocks (at most ``in_flight`` pending) and yield their results in input order."""
    pending: deque[tuple[list[Document], Any]] = deque()
    try:
        while True:
            while len(pending) < in_flight:
                block = next(blocks, None)
                if block is None:
                    break
                pending.append(
                    (block, client.submit(_extract_block, shipped, time_budget, block, merge_mentions, pure=False))
                )
            if not pending:
                return
            block, future = pending.popleft()
            try:
                out = future.result()
            except EventxError:
                raise
            except Exception as exc:  # infrastructure, not a document: per-document errors are results
                first, last = block[0].id, block[-1].id
                raise DaskEngineError(
                    f"a Dask task failed on documents {first!r}..{last!r}: {type(exc).__name__}: {exc}"
                ) from None
            for doc, (events, error, code) in zip(block, out):
                yield DocResult(doc, events, error, code)
    finally:
        if pending:
            client.cancel([future for _, future in pending])
