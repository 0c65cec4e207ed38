"""Throughput of normalization, segmentation and extraction on one core, and CLI start-up time.

Builds an in-memory corpus of at least --mb MB (default 10) from the bundled
documents (each copy with its numbers varied so no cache helps), then times
each stage separately. Run: `python benchmarks/bench_normalize.py [--mb 10]`.
Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import subprocess
import sys
import time

from govfacts.extractors import extract
from govfacts.pipeline.normalize import normalize
from govfacts.pipeline.read import bundled_corpus
from govfacts.pipeline.records import RawDocument
from govfacts.pipeline.segment import segment, tokenizer


def build_corpus(target_mb: float, seed: int = 7) -> list[RawDocument]:
    rng = random.Random(seed)
    sources = sorted(bundled_corpus().glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in sources]
    docs: list[RawDocument] = []
    size = 0
    i = 0
    while size < target_mb * 1e6:
        base = texts[i % len(texts)]
        varied = re.sub(r"\d+", lambda m: str(rng.randint(1, 999)), base)
        docs.append(RawDocument(f"bench-{i}", varied, "bench"))
        size += len(varied.encode("utf-8"))
        i += 1
    return docs


def timed(label: str, fn, docs, mb: float) -> float:
    t0 = time.perf_counter()
    for d in docs:
        fn(d)
    dt = time.perf_counter() - t0
    print(f"{label:<28} {mb / dt:8.2f} MB/s  {len(docs) / dt:9.1f} docs/s  ({dt:.2f} s)")
    return dt


def cli_startup(repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "govfacts", "--version"], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=10.0)
    args = ap.parse_args()
    docs = build_corpus(args.mb)
    mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    print(f"corpus: {len(docs)} documents, {mb:.1f} MB (UTF-8), one core")
    tokenizer()  # load the dictionary outside the timings
    normalized = [normalize(d) for d in docs[:5]]
    timed("normalize", normalize, docs, mb)
    normalized = [normalize(d) for d in docs]
    timed("segment (jieba, HMM off)", lambda d: segment(d.text), normalized, mb)
    timed("extract (all extractors)", extract, normalized, mb)
    print(f"{'CLI start-up (--version)':<28} {cli_startup():8.3f} s (median of 5)")


if __name__ == "__main__":
    main()
