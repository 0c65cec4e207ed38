"""Cost of building spaCy Docs per MB, against running the extractors alone, on one core.

The question (issue 3): should the extractors run inside spaCy? They read a
`Document` and need no spaCy tokens, so running them as a spaCy component would
add the Doc build to every document. This measures each piece separately over
the same in-memory corpus as `bench_normalize.py` (bundled documents with their
numbers varied), already normalized:

- extract + resolve: what the pipeline does today, no spaCy involved;
- make_doc: the blank `zh` char tokenizer alone;
- to_spacy: tokenizer + one span per mention + span/doc attributes;
- DocBin: to_spacy + adding to a DocBin + serializing it to bytes;
- render_html: displaCy span HTML of an already built Doc.

Run: `python benchmarks/bench_spacy.py [--mb 5]`. Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_normalize import build_corpus  # noqa: E402
from govfacts.extractors import extract  # noqa: E402
from govfacts.pipeline.normalize import normalize  # noqa: E402
from govfacts.pipeline.resolve import resolve  # noqa: E402
from govfacts.pipeline.segment import tokenizer  # noqa: E402
from govfacts.pipeline.spacy_doc import DOCBIN_ATTRS, blank_zh, render_html, to_spacy  # noqa: E402


def timed(label: str, fn, items, mb: float, base: float | None = None) -> float:
    """Run `fn` over `items`, print MB/s and s/MB (and the ratio to `base`), return seconds."""
    t0 = time.perf_counter()
    for item in items:
        fn(item)
    dt = time.perf_counter() - t0
    ratio = f"  {dt / base:5.2f}x extract" if base else ""
    print(f"{label:<32} {mb / dt:7.2f} MB/s  {dt / mb:6.3f} s/MB{ratio}")
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mb", type=float, default=5.0)
    args = ap.parse_args()
    raws = build_corpus(args.mb)
    mb = sum(len(d.text.encode("utf-8")) for d in raws) / 1e6
    chars = sum(len(d.text) for d in raws)
    print(f"corpus: {len(raws)} documents, {mb:.1f} MB (UTF-8), {chars / 1e6:.2f} M chars")
    tokenizer()  # load jieba outside the timings
    nlp = blank_zh()
    from spacy.tokens import DocBin

    documents = [normalize(d) for d in raws]
    pairs = [(d, tuple(resolve(d, extract(d)))) for d in documents]
    to_spacy(*pairs[0])  # register extensions, warm the vocab
    n_mentions = sum(len(ms) for _, ms in pairs)
    print(f"mentions: {n_mentions} ({n_mentions / mb:.0f} per MB)")

    base = timed("extract + resolve (no spaCy)", lambda d: resolve(d, extract(d)), documents, mb)
    timed("make_doc (char tokenizer)", lambda d: nlp.make_doc(d.text), documents, mb, base)
    timed("to_spacy (tokens+spans+attrs)", lambda p: to_spacy(*p), pairs, mb, base)

    sizes = []

    def docbin(batch):
        db = DocBin(attrs=list(DOCBIN_ATTRS), store_user_data=True)
        for p in batch:
            db.add(to_spacy(*p))
        sizes.append(len(db.to_bytes()))

    timed("to_spacy + DocBin.to_bytes", docbin, [pairs], mb, base)
    print(f"{'DocBin size':<32} {sizes[0] / 1e6 / mb:7.2f} MB per MB of text")
    docs = [to_spacy(*p) for p in pairs]
    timed("render_html (built Doc)", render_html, docs, mb, base)


if __name__ == "__main__":
    main()
