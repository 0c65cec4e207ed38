"""Archive throughput: docs/s, MB/s and peak memory of `run_into_store` with 1 and 2 workers.

For each archive size (--docs, default 10000) it writes a synthetic archive with
`make_archive.py` (kept under --dir for the next run), then for each worker count
(--workers, default 1 2) runs `parallel.run_into_store` into a fresh DuckDB file
in a child process, while this process samples the resident memory of the child
and its workers (psutil, every 0.2 s). Reported per run:

- wall time of the processing + loading phase and of the closing facts rebuild;
- docs/s and MB/s (UTF-8 bytes of text) over the processing + loading phase;
- peak RSS of the whole process tree (parent + workers) in each phase;
- the parent's time inside `Store.load_batch` (the serial part of a parallel run).

Then, on --profile-docs documents of the archive (default 300), in this process
and one core, the CPU-time share of each stage: normalize, segment (jieba, wherever
it is called), extract, resolve, load (`store.prepare` + `Store.load_batch`).

Run: `python benchmarks/bench_archive.py [--docs 10000 100000] [--workers 1 2]`.
Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _archive(root: Path, n: int) -> tuple[Path, int]:
    """The archive of `n` documents under `root` (written once), and its bytes of text."""
    sys.path.insert(0, str(HERE))
    import make_archive

    path = root / f"archive-{n}"
    marker = path / ".bytes"
    if not marker.exists():
        size = make_archive.write_archive(path, n)
        marker.write_text(str(size))
    return path, int(marker.read_text())


def _one(archive: str, workers: int, db: str) -> None:
    """In a child process: one run; prints the phase times as JSON on stdout."""
    from govfacts.pipeline.parallel import run_into_store
    from govfacts.pipeline.store import Store, open_store

    load_time = 0.0
    original = Store.load_batch

    def timed(self, *args, **kwargs):
        nonlocal load_time
        t = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            load_time += time.perf_counter() - t

    Store.load_batch = timed  # type: ignore[method-assign]
    facts_start = 0.0
    original_facts = Store.build_facts

    def facts(self):
        nonlocal facts_start
        facts_start = time.time()
        print(json.dumps({"facts_start": facts_start}), flush=True)
        return original_facts(self)

    Store.build_facts = facts  # type: ignore[method-assign]
    t0 = time.time()
    with open_store(db) as store:
        s = run_into_store([archive], store, workers=workers)
    t1 = time.time()
    print(
        json.dumps(
            {
                "start": t0,
                "facts_start": facts_start,
                "end": t1,
                "ok": s.ok,
                "failed": s.failed,
                "bytes": s.bytes,
                "mentions": s.mentions,
                "facts": s.facts,
                "load": load_time,
            }
        ),
        flush=True,
    )


def _measure(archive: Path, workers: int) -> dict:
    import psutil

    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--one", str(archive), str(workers), f"{tmp}/bench.duckdb"],
            stdout=subprocess.PIPE,
            text=True,
        )
        samples: list[tuple[float, int]] = []
        stop = threading.Event()

        def sample() -> None:
            root = psutil.Process(proc.pid)
            while not stop.is_set():
                try:
                    tree = [root, *root.children(recursive=True)]
                    rss = sum(p.memory_info().rss for p in tree if p.is_running())
                    samples.append((time.time(), rss))
                except psutil.Error:
                    pass
                time.sleep(0.2)

        thread = threading.Thread(target=sample, daemon=True)
        thread.start()
        lines = [json.loads(line) for line in proc.stdout]
        proc.wait()
        stop.set()
        thread.join()
    out = {k: v for line in lines for k, v in line.items()}
    run_s = out["facts_start"] - out["start"]
    out["run_s"] = run_s
    out["facts_s"] = out["end"] - out["facts_start"]
    out["docs_s"] = (out["ok"] + out["failed"]) / run_s
    out["mb_s"] = out["bytes"] / 1e6 / run_s
    out["rss_run"] = max((r for t, r in samples if t < out["facts_start"]), default=0) / 2**20
    out["rss_facts"] = max((r for t, r in samples if t >= out["facts_start"]), default=0) / 2**20
    return out


def _profile(archive: Path, n: int) -> dict[str, float]:
    """CPU seconds per stage over the first `n` documents, one core, in this process."""
    from itertools import islice

    import govfacts.extractors.projects as projects
    import govfacts.pipeline.mojibake as mojibake
    from govfacts.extractors import extract
    from govfacts.pipeline.normalize import normalize
    from govfacts.pipeline.read import iter_documents
    from govfacts.pipeline.records import DocError
    from govfacts.pipeline.parallel import LOAD_BATCH
    from govfacts.pipeline.resolve import resolve
    from govfacts.pipeline.stages import Processed, process
    from govfacts.pipeline.store import open_store, prepare

    clock = time.process_time
    seg = [0.0]

    def timing(fn):
        def wrapped(*args, **kwargs):
            t = clock()
            try:
                out = fn(*args, **kwargs)
                return list(out) if not isinstance(out, list) else out
            finally:
                seg[0] += clock() - t

        return wrapped

    projects.word_spans = timing(projects.word_spans)
    mojibake.segment = timing(mojibake.segment)
    raws = [r for r in islice(iter_documents([archive]), n) if not isinstance(r, DocError)]
    shares = dict.fromkeys(("normalize", "segment", "extract", "resolve", "load"), 0.0)
    with tempfile.TemporaryDirectory() as tmp, open_store(f"{tmp}/p.duckdb") as store:
        with open_store(f"{tmp}/warm-up.duckdb") as scratch:  # dictionaries, lexicons, pyarrow
            scratch.load_batch([prepare(process(raws[0]))])
        batch = []
        for raw in raws:
            s0, t = seg[0], clock()
            doc = normalize(raw)
            t1 = clock()
            s1 = seg[0]
            mentions = extract(doc)
            t2 = clock()
            s2 = seg[0]
            resolved = resolve(doc, mentions)
            from govfacts.extractors.projects import project_register

            p = Processed(doc, tuple(resolved), tuple(project_register(doc, resolved)))
            t3 = clock()
            batch.append(prepare(p))
            if len(batch) >= LOAD_BATCH:
                store.load_batch(batch)
                batch = []
            t4 = clock()
            shares["normalize"] += (t1 - t) - (s1 - s0)
            shares["extract"] += (t2 - t1) - (s2 - s1)
            shares["segment"] += seg[0] - s0
            shares["resolve"] += t3 - t2
            shares["load"] += t4 - t3
        t = clock()
        store.load_batch(batch)
        shares["load"] += clock() - t
    return shares


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--docs", type=int, nargs="+", default=[10_000])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "govfacts-bench")
    ap.add_argument("--profile-docs", type=int, default=300)
    ap.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        _one(args.one[0], int(args.one[1]), args.one[2])
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    print(
        "| docs | MB | workers | docs/s | MB/s | speed-up | run s | facts s | parent load s "
        "| peak RSS run MiB | peak RSS facts MiB |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    archive = None
    for n in args.docs:
        archive, size = _archive(args.dir, n)
        base = None
        for w in args.workers:
            r = _measure(archive, w)
            base = base or r["docs_s"]
            print(
                f"| {n} | {size / 1e6:.1f} | {w} | {r['docs_s']:.1f} | {r['mb_s']:.3f} | "
                f"{r['docs_s'] / base:.2f}× | {r['run_s']:.0f} | {r['facts_s']:.1f} | "
                f"{r['load']:.1f} | "
                f"{r['rss_run']:.0f} | {r['rss_facts']:.0f} |",
                flush=True,
            )
    if archive is not None and args.profile_docs:
        shares = _profile(archive, args.profile_docs)
        total = sum(shares.values())
        print(f"\nstage CPU share over {args.profile_docs} documents (one core, {total:.1f} s):")
        for stage, secs in shares.items():
            print(f"| {stage} | {secs:.2f} s | {100 * secs / total:.1f}% |")


if __name__ == "__main__":
    main()
