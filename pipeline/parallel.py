"""Archive runner: the per-document stages in worker processes, input streamed, output in batches.

One machine, many cores. The parent reads documents (`read.iter_documents`,
streaming) and hands them to worker processes in small chunks, never more than
`AHEAD` chunks per worker at a time, so memory does not grow with the archive.
Each worker loads jieba and the lexicons once (`_init_worker`), then runs
`stages.process` and, for a store, `store.prepare` (the rows, MinHash
fingerprint included). Results come back in input order, so a parallel run
loads exactly what a serial one does, in the same order.

- `run_into_store`: skips documents already loaded (same doc_id and content
  hash: the resume after a kill), loads the rest with `Store.load_batch` (one
  transaction per batch, at least every `FLUSH_SECONDS`), then rebuilds facts.
- `extract_parts`: writes mentions as Parquet part files of `PART_DOCS`
  documents each, written by the workers themselves; a part already on disk
  is not redone (resume).

Inputs of fewer than `SMALL` documents run in the calling process: starting
workers would cost more than it saves.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

from govfacts.pipeline.read import iter_documents
from govfacts.pipeline.records import DocError, RawDocument
from govfacts.pipeline.stages import Processed, process
from govfacts.pipeline.store import Prepared, Store, prepare

__all__ = [
    "RunSummary",
    "Loaded",
    "default_workers",
    "count_documents",
    "process_many",
    "run_into_store",
    "extract_parts",
]

log = logging.getLogger(__name__)

CHUNK = 8  # documents per task sent to a worker
AHEAD = 16  # tasks queued per worker: bounds memory, and keeps workers busy while a batch loads
# Each batch's lookups read the whole documents table (neither engine takes an index for
# them), so batches are large: that read is paid once per LOAD_BATCH or SKIP_BATCH documents.
LOAD_BATCH = 1024  # documents per store transaction
FIRST_BATCH = 32  # documents in a run's first store transaction
FLUSH_SECONDS = 5.0  # a store batch is written at least this often (less lost on a kill)
SKIP_BATCH = 1024  # documents per "already loaded?" query
SMALL = 32  # fewer documents than this run in the calling process
PART_DOCS = 256  # documents per Parquet part file of `extract_parts`
MAX_RESTARTS = 3  # worker pools rebuilt after a worker died, before giving up
KEEP_ERRORS = 100  # errors kept in a summary (the store keeps them all)
PART_NAME = "part-{:06d}.parquet"
ERRORS_NAME = "_errors-{:06d}.jsonl"  # a leading underscore: Parquet readers skip it
WARM_UP = RawDocument(
    "warm-up",
    "2023年1至6月，合肥市新签约亿元以上项目12个，总投资58.6亿元，同比增长9.5%。",
    "warm-up",
)


@dataclass(frozen=True, slots=True)
class Loaded:
    """What happened to one document of a run."""

    doc_id: str
    outcome: str  # inserted, replaced, copy, skipped, failed (store); written, failed (parts)
    prepared: Prepared | None = None  # its rows, when it went through the stages into a store
    error: DocError | None = None


@dataclass
class RunSummary:
    """Counts of a run; `errors` keeps the first `KEEP_ERRORS` failures."""

    ok: int = 0
    failed: int = 0
    skipped: int = 0  # already loaded (or already in a part file): not processed again
    mentions: int = 0
    facts: int = 0
    bytes: int = 0  # UTF-8 bytes of the documents processed
    seconds: float = 0.0
    outcomes: Counter = field(default_factory=Counter)
    errors: list[DocError] = field(default_factory=list)

    @property
    def documents(self) -> int:
        """Documents seen so far: ok, failed and skipped."""
        return self.ok + self.failed + self.skipped

    def count(self, outcome: str, error: DocError | None = None) -> None:
        """Add one document's outcome."""
        self.outcomes[outcome] += 1
        if outcome == "skipped":
            self.skipped += 1
        elif outcome == "failed":
            self.failed += 1
            if error is not None and len(self.errors) < KEEP_ERRORS:
                self.errors.append(error)
        else:
            self.ok += 1


Progress = Callable[[RunSummary, Sequence[Loaded]], None]


def default_workers() -> int:
    """The machine's cores (the CPUs this process may run on)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# ---------------------------------------------------------------- in a worker


def _init_worker() -> None:
    """Load jieba, OpenCC and the lexicons once per worker process."""
    logging.getLogger("jieba").setLevel(logging.WARNING)
    process(WARM_UP)


def _failure(doc_id: str, stage: str, exc: Exception, source: str | None) -> DocError:
    reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]  # as `Store.load_item` words it
    return DocError(doc_id, stage, reason, source)  # type: ignore[arg-type]


def _one(raw: RawDocument | DocError, rows: bool) -> Processed | Prepared | DocError:
    """One document through the stages, and into its store rows when `rows`."""
    if isinstance(raw, DocError):
        return raw
    item = process(raw)
    if not rows or isinstance(item, DocError):
        return item
    try:
        return prepare(item)
    except Exception as exc:  # the edge: the store would fail it the same way, stage load
        return _failure(raw.doc_id, "load", exc, raw.source)


def _work(chunk: list[RawDocument | DocError], rows: bool) -> list[Processed | Prepared | DocError]:
    return [_one(raw, rows) for raw in chunk]


def _write_part(
    index: int, chunk: list[RawDocument | DocError], out_dir: str
) -> tuple[int, int, int, list[DocError]]:
    """Process one part's documents and write their mentions; returns (index, ok, mentions, errors).

    The file appears whole or not at all (written aside, then renamed).
    """
    from govfacts.pipeline.export import write_mentions

    done, errors = [], []
    for raw in chunk:
        item = _one(raw, rows=False)
        (errors if isinstance(item, DocError) else done).append(item)
    final = Path(out_dir) / PART_NAME.format(index)
    tmp = final.with_name("." + final.stem + ".tmp.parquet")  # hidden: readers skip it
    n = write_mentions(tmp, (m for p in done for m in p.mentions))
    errors_path = Path(out_dir) / ERRORS_NAME.format(index)
    if errors:
        errors_tmp = errors_path.with_name("." + errors_path.name + ".tmp")
        errors_tmp.write_text(
            "".join(
                json.dumps(
                    {"doc_id": e.doc_id, "stage": e.stage, "reason": e.reason, "source": e.source},
                    ensure_ascii=False,
                )
                + "\n"
                for e in errors
            ),
            encoding="utf-8",
        )
        os.replace(errors_tmp, errors_path)
    os.replace(tmp, final)  # last: a part file on disk means the part is complete
    return index, len(done), n, errors


# ---------------------------------------------------------------- in the parent


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class _Pool:
    """Worker processes fed in order, at most `AHEAD` tasks per worker, rebuilt if one dies."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.restarts = 0
        self.pending: deque[tuple[tuple, Future]] = deque()
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent holds a database connection and its threads.
        ctx = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker)

    @property
    def full(self) -> bool:
        return len(self.pending) >= self.workers * AHEAD

    def submit(self, fn: Callable, *args) -> None:
        try:
            fut = self.executor.submit(fn, *args)
        except BrokenProcessPool as exc:  # a worker died since the last result: restart in order
            fut = Future()
            fut.set_exception(exc)
        self.pending.append(((fn, *args), fut))

    def next_result(self):
        """The result of the oldest task (input order); resubmits everything if a worker died."""
        while True:
            task, fut = self.pending[0]
            try:
                result = fut.result()
            except BrokenProcessPool:
                self.restarts += 1
                if self.restarts > MAX_RESTARTS:
                    raise
                log.warning("a worker process died; restarting the workers (%d)", self.restarts)
                self.executor.shutdown(wait=False, cancel_futures=True)
                self.executor = self._start()
                tasks = [t for t, _ in self.pending]
                self.pending.clear()
                for t in tasks:
                    self.submit(*t)
                continue
            self.pending.popleft()
            return result

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _small(items: Iterable) -> tuple[list, Iterator, bool]:
    """The first `SMALL` items, the rest, and whether that was all of them."""
    it = iter(items)
    head = list(islice(it, SMALL))
    return head, it, len(head) < SMALL


def process_many(
    items: Iterable[RawDocument | DocError], *, workers: int = 1, rows: bool = False
) -> Iterator[Processed | Prepared | DocError]:
    """Run `stages.process` over documents in `workers` processes; results in input order.

    Args:
        items: raw documents (a `DocError` passes through in its place).
        workers: processes; 1 runs in the calling process.
        rows: yield each document's store rows (`store.Prepared`) instead of `Processed`.
    """
    head, rest, small = _small(items)
    if workers <= 1 or small:
        for raw in chain(head, rest):
            yield _one(raw, rows)
        return
    pool = _Pool(workers)
    try:
        for chunk in _chunks(chain(head, rest), CHUNK):
            while pool.full:
                yield from pool.next_result()
            pool.submit(_work, chunk, rows)
        while pool.pending:
            yield from pool.next_result()
    finally:
        pool.close()


def _unloaded(
    raws: Iterable[RawDocument | DocError],
    store: Store,
    summary: RunSummary,
    on_progress: Progress | None,
) -> Iterator[RawDocument | DocError]:
    """The documents the store does not hold yet (same doc_id and text): the resume."""
    for batch in _chunks(raws, SKIP_BATCH):
        docs = [r for r in batch if isinstance(r, RawDocument)]
        loaded = store.hashes_of(r.doc_id for r in docs)
        skipped: list[Loaded] = []
        for raw in batch:
            if isinstance(raw, RawDocument) and loaded.get(raw.doc_id) == _hash(raw):
                summary.count("skipped")
                skipped.append(Loaded(raw.doc_id, "skipped"))
                continue
            if isinstance(raw, RawDocument):
                summary.bytes += len(raw.text.encode("utf-8"))
            yield raw
        if skipped and on_progress is not None:
            on_progress(summary, skipped)


def _hash(raw: RawDocument) -> str:
    from govfacts.pipeline.store import content_hash

    return content_hash(raw.text)


def _counted(raws: Iterable[RawDocument | DocError], summary: RunSummary) -> Iterator:
    for raw in raws:
        if isinstance(raw, RawDocument):
            summary.bytes += len(raw.text.encode("utf-8"))
        yield raw


def to_process(
    inputs: Sequence[Path | str],
    store: Store,
    summary: RunSummary,
    *,
    manifest: Path | None = None,
    force: bool = False,
    on_progress: Progress | None = None,
) -> Iterator[RawDocument | DocError]:
    """The input's documents, streamed, less those `store` holds already unless `force`."""
    raws = iter_documents(list(inputs), manifest=manifest)
    return _counted(raws, summary) if force else _unloaded(raws, store, summary, on_progress)


def _walk_names(folder: Path) -> Iterator[Path]:
    """Files under `folder` as the reader sees them (hidden entries and the manifest skipped)."""
    from govfacts.pipeline.read import MANIFEST_NAME

    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith(".") and name != MANIFEST_NAME:
                yield Path(root) / name


def count_documents(inputs: Sequence[Path | str]) -> int | None:
    """How many documents the inputs hold, from names and Parquet metadata; None if unknown.

    Folders are walked without reading a file; a JSONL or CSV file makes the
    count unknown (it would have to be read through).
    """
    import pyarrow.parquet as pq
    from govfacts.pipeline.read import HTML_SUFFIXES, TEXT_SUFFIXES

    def one(path: Path) -> int | None:
        suffix = path.suffix.lower()
        if suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES:
            return 1
        if suffix == ".parquet":
            try:
                return pq.ParquetFile(path).metadata.num_rows
            except Exception:  # noqa: BLE001 - the reader reports it; one error row
                return 1
        return None if suffix in (".jsonl", ".csv") else 0

    total = 0
    for item in inputs:
        path = Path(item)
        files = _walk_names(path) if path.is_dir() else (path,)
        for f in files:
            n = one(f)
            if n is None:
                return None
            total += n
    return total


def load_items(
    store: Store,
    batch: Sequence[Prepared | DocError],
    summary: RunSummary,
    *,
    force: bool = False,
    on_progress: Progress | None = None,
) -> None:
    """Load one batch with `Store.load_batch` and count its outcomes."""
    loaded = []
    for item, (outcome, err) in zip(batch, store.load_batch(batch, force=force), strict=True):
        summary.count(outcome, err)
        if isinstance(item, Prepared):
            if outcome not in ("failed", "skipped"):
                summary.mentions += len(item.mentions)
            loaded.append(Loaded(item.doc_id, outcome, item, err))
        else:
            loaded.append(Loaded(item.doc_id, outcome, None, err))
    if on_progress is not None:
        on_progress(summary, loaded)


def load_stream(
    results: Iterable[Prepared | DocError],
    store: Store,
    summary: RunSummary,
    *,
    force: bool = False,
    on_progress: Progress | None = None,
) -> None:
    """Load results into `store` in batches (`LOAD_BATCH` documents or `FLUSH_SECONDS`)."""
    batch: list = []
    last = 0.0
    size = FIRST_BATCH  # a small first batch: the progress shows loaded documents at once
    for item in results:
        if not batch:
            last = time.monotonic()  # the clock starts with a batch's first document
        batch.append(item)
        if len(batch) >= size or time.monotonic() - last >= FLUSH_SECONDS:
            size = LOAD_BATCH
            load_items(store, batch, summary, force=force, on_progress=on_progress)
            batch = []
    if batch:
        load_items(store, batch, summary, force=force, on_progress=on_progress)


def run_into_store(
    inputs: Sequence[Path | str],
    store: Store,
    *,
    manifest: Path | None = None,
    workers: int = 1,
    force: bool = False,
    on_progress: Progress | None = None,
) -> RunSummary:
    """Process an archive into `store` with `workers` processes; resumable; rebuilds facts.

    Documents already loaded under the same doc_id with the same text are skipped
    unless `force`. Everything else is loaded with `Store.load_batch`, so a
    parallel run leaves the same rows as a serial `stages.run` + `Store.load_item`.
    """
    t0 = time.perf_counter()
    summary = RunSummary()
    todo = to_process(
        inputs, store, summary, manifest=manifest, force=force, on_progress=on_progress
    )
    results = process_many(todo, workers=workers, rows=True)
    load_stream(results, store, summary, force=force, on_progress=on_progress)  # type: ignore[arg-type]
    summary.facts = store.build_facts()
    summary.seconds = time.perf_counter() - t0
    return summary


def extract_parts(
    inputs: Sequence[Path | str],
    out_dir: Path,
    *,
    manifest: Path | None = None,
    workers: int = 1,
    on_progress: Progress | None = None,
) -> RunSummary:
    """Write every mention under `out_dir` as Parquet part files, `PART_DOCS` documents each.

    Part k holds the mentions of the input's documents k·PART_DOCS … in input
    order (read the folder in name order for the serial order). A part already
    on disk is skipped, so a killed run resumes; failures go to `_errors-k.jsonl`.
    """
    t0 = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = RunSummary()
    parts = enumerate(_chunks(iter_documents(list(inputs), manifest=manifest), PART_DOCS))

    def done(chunk: list, result: tuple[int, int, int, list[DocError]]) -> None:
        _, ok, n, errors = result
        summary.mentions += n
        failed = {e.doc_id for e in errors}
        loaded = []
        for e in errors:
            summary.count("failed", e)
            loaded.append(Loaded(e.doc_id, "failed", None, e))
        for raw in chunk:
            if raw.doc_id not in failed and isinstance(raw, RawDocument):
                summary.count("written")
                loaded.append(Loaded(raw.doc_id, "written"))
        if on_progress is not None:
            on_progress(summary, loaded)

    def todo() -> Iterator[tuple[int, list]]:
        for k, chunk in parts:
            if (out_dir / PART_NAME.format(k)).exists():
                for _ in chunk:
                    summary.count("skipped")
                if on_progress is not None:
                    on_progress(summary, [Loaded(r.doc_id, "skipped") for r in chunk])
                continue
            summary.bytes += sum(
                len(r.text.encode("utf-8")) for r in chunk if isinstance(r, RawDocument)
            )
            yield k, chunk

    pending = todo()
    first = next(pending, None)
    second = next(pending, None)
    if workers <= 1 or second is None:
        for k, chunk in (x for x in (first, second) if x is not None):
            done(chunk, _write_part(k, chunk, str(out_dir)))
        for k, chunk in pending:
            done(chunk, _write_part(k, chunk, str(out_dir)))
    else:
        pool = _Pool(workers)
        pool_ahead = max(2, workers * 2)
        chunks: deque[list] = deque()
        try:
            for k, chunk in chain((first, second), pending):
                while len(pool.pending) >= pool_ahead:
                    done(chunks.popleft(), pool.next_result())
                chunks.append(chunk)
                pool.submit(_write_part, k, chunk, str(out_dir))
            while pool.pending:
                done(chunks.popleft(), pool.next_result())
        finally:
            pool.close()
    summary.seconds = time.perf_counter() - t0
    return summary
