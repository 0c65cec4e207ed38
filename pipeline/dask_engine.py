"""Dask engine: the per-document stages on a dask.distributed cluster, through Parquet part files.

The client streams the input (`read.iter_documents`, less what the store already
holds) in partitions of `PART_DOCS` documents and submits one task per
partition, never more than `AHEAD` per worker in flight. A task runs
`stages.process` and `store.prepare` on each document and writes the rows as
Parquet part files, one per table: `OUT/documents/part-k.parquet`,
`OUT/mentions/…`, `OUT/projects/…`, `OUT/errors/…` (documents last: its file
marks the part complete). The client loads the parts into the store in
partition order with `Store.load_batch`, so the store ends up row for row as
after a single-process run. `extract_dask` writes mention part files only, in
`extract_parts`'s layout.

Workers must see `OUT` at the same path as the client (a shared file system on
a real cluster). The tasks are submitted as futures, not as one bag graph, so
the client never holds the archive's partition list: memory stays flat however
many documents stream through.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from govfacts.pipeline import parallel
from govfacts.pipeline.parallel import Progress, RunSummary
from govfacts.pipeline.records import DocError, RawDocument
from govfacts.pipeline.store import Prepared, Store, _arrow_schema, _columns

__all__ = ["dask_client", "run_dask", "extract_dask", "TABLE_PARTS"]

PART_DOCS = 256  # documents per partition
AHEAD = 2  # partitions in flight per worker
TABLE_PARTS = ("errors", "mentions", "projects", "documents")  # written in this order
ERROR_COLUMNS = ("doc_id", "stage", "reason", "source")


@contextmanager
def dask_client(scheduler: str | None = None, *, workers: int | None = None) -> Iterator:
    """A `dask.distributed.Client` of `scheduler`, or of a new `LocalCluster` on loopback.

    Args:
        scheduler: `tcp://HOST:PORT` of a running scheduler; None starts a LocalCluster
            of `workers` single-threaded worker processes (closed on exit).
        workers: LocalCluster size (default: the machine's cores).
    """
    from dask.distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(
        n_workers=workers or parallel.default_workers(),
        threads_per_worker=1,  # the stages hold the GIL: one process per core
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _worker_count(client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def _part(out_dir: Path, table: str, k: int) -> Path:
    return out_dir / table / parallel.PART_NAME.format(k)


def _write_table(path: Path, rows: list[dict], schema) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = path.with_name("." + path.name + ".tmp")
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp)
    os.replace(tmp, path)


def _schema(table: str, extra: Sequence[str] = ("_seq",)):
    import pyarrow as pa

    if table == "errors":
        base = pa.schema([(c, pa.string()) for c in ERROR_COLUMNS])
    else:
        base = _arrow_schema(table, _columns(table))
    for name in extra:
        base = base.append(pa.field(name, pa.int64()))
    return base


def rows_part(k: int, chunk: list[RawDocument | DocError], out_dir: str) -> tuple[int, int]:
    """A task: one partition's documents into their store rows as Parquet parts; (k, documents)."""
    out = Path(out_dir)
    tables: dict[str, list[dict]] = {t: [] for t in TABLE_PARTS}
    for seq, raw in enumerate(chunk):
        item = parallel._one(raw, rows=True)
        if isinstance(item, DocError):
            tables["errors"].append(
                {
                    "doc_id": item.doc_id,
                    "stage": item.stage,
                    "reason": item.reason,
                    "source": item.source,
                    "_seq": seq,
                }
            )
            continue
        tables["documents"].append({**item.document, "_seq": seq, "_sentences": item.n_sentences})
        tables["mentions"] += [{**m, "_seq": seq} for m in item.mentions]
        tables["projects"] += [{**p, "_seq": seq} for p in item.projects]
    for table in TABLE_PARTS:  # documents last: its file means the part is complete
        extra = ("_seq", "_sentences") if table == "documents" else ("_seq",)
        _write_table(_part(out, table, k), tables[table], _schema(table, extra))
    return k, len(chunk)


def read_rows_part(out_dir: Path, k: int) -> list[Prepared | DocError]:
    """A partition's documents back from its part files, in input order."""
    import pyarrow.parquet as pq

    def rows(table: str) -> list[dict]:
        return pq.read_table(_part(out_dir, table, k)).to_pylist()

    by_seq: dict[int, Prepared | DocError] = {}
    mentions: dict[int, list[dict]] = {}
    projects: dict[int, list[dict]] = {}
    for m in rows("mentions"):
        mentions.setdefault(m.pop("_seq"), []).append(m)
    for p in rows("projects"):
        projects.setdefault(p.pop("_seq"), []).append(p)
    for e in rows("errors"):
        by_seq[e["_seq"]] = DocError(e["doc_id"], e["stage"], e["reason"], e["source"])
    for d in rows("documents"):
        seq, n_sentences = d.pop("_seq"), d.pop("_sentences")
        by_seq[seq] = Prepared(
            doc_id=d["doc_id"],
            content_hash=d["content_hash"],
            document=d,
            mentions=tuple(mentions.get(seq, ())),
            projects=tuple(projects.get(seq, ())),
            n_sentences=n_sentences,
        )
    return [by_seq[s] for s in sorted(by_seq)]


def _drive(client, tasks: Iterator[tuple], fn, on_done) -> None:
    """Submit `fn(*task)` for every task, at most `AHEAD` per worker in flight; `on_done(result)`
    in submission order."""
    from dask.distributed import wait

    limit = AHEAD * _worker_count(client)
    pending: list = []

    def drain(keep: int) -> None:
        while len(pending) > keep:
            head = pending.pop(0)
            on_done(head.result())
            head.release()

    for task in tasks:
        if len(pending) >= limit:
            wait(pending[:1])
            drain(limit - 1)
        pending.append(client.submit(fn, *task, pure=False))
    drain(0)


def run_dask(
    inputs: Sequence[Path | str],
    store: Store,
    client,
    *,
    out_dir: Path | None = None,
    manifest: Path | None = None,
    force: bool = False,
    part_docs: int = PART_DOCS,
    on_progress: Progress | None = None,
) -> RunSummary:
    """Process an archive on a Dask cluster into `store`; resumable like `parallel.run_into_store`.

    Args:
        out_dir: where the part files go (must be visible to every worker); None
            uses a temporary folder, removed afterwards (fine for a LocalCluster).
        part_docs: documents per partition.
    """
    t0 = time.perf_counter()
    summary = RunSummary()
    temporary = out_dir is None
    out = Path(tempfile.mkdtemp(prefix="govfacts-parts-")) if temporary else Path(out_dir)
    try:
        for table in TABLE_PARTS:
            (out / table).mkdir(parents=True, exist_ok=True)
        todo = parallel.to_process(
            inputs, store, summary, manifest=manifest, force=force, on_progress=on_progress
        )
        tasks = ((k, chunk, str(out)) for k, chunk in enumerate(parallel._chunks(todo, part_docs)))

        def load(result: tuple[int, int]) -> None:
            k, _ = result
            items = read_rows_part(out, k)
            parallel.load_items(store, items, summary, force=force, on_progress=on_progress)

        _drive(client, tasks, rows_part, load)
        summary.facts = store.build_facts()
    finally:
        if temporary:
            shutil.rmtree(out, ignore_errors=True)
    summary.seconds = time.perf_counter() - t0
    return summary


def extract_dask(
    inputs: Sequence[Path | str],
    out_dir: Path,
    client,
    *,
    manifest: Path | None = None,
    on_progress: Progress | None = None,
) -> RunSummary:
    """Write every mention under `out_dir` as Parquet parts on a Dask cluster (`extract_parts`'s
    layout and resume: a part already on disk is not redone)."""
    t0 = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = RunSummary()
    chunks: dict[int, list] = {}
    raws = parallel.iter_documents(list(inputs), manifest=manifest)

    def tasks() -> Iterator[tuple]:
        for k, chunk in enumerate(parallel._chunks(raws, parallel.PART_DOCS)):
            if (out_dir / parallel.PART_NAME.format(k)).exists():
                for _ in chunk:
                    summary.count("skipped")
                continue
            summary.bytes += sum(
                len(r.text.encode("utf-8")) for r in chunk if isinstance(r, RawDocument)
            )
            chunks[k] = chunk
            yield k, chunk, str(out_dir)

    def done(result: tuple[int, int, int, list[DocError]]) -> None:
        k, _, n, errors = result
        chunk = chunks.pop(k)
        summary.mentions += n
        failed = {e.doc_id for e in errors}
        loaded = [parallel.Loaded(e.doc_id, "failed", None, e) for e in errors]
        loaded += [parallel.Loaded(r.doc_id, "written") for r in chunk if r.doc_id not in failed]
        for x in loaded:
            summary.count(x.outcome, x.error)
        if on_progress is not None:
            on_progress(summary, loaded)

    _drive(client, tasks(), parallel._write_part, done)
    summary.seconds = time.perf_counter() - t0
    return summary
