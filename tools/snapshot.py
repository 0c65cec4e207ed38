"""Snapshot of the per-document stages' output, to keep speed work honest.

Writes everything `process` returns (normalized text, offsets, sentences, metadata,
mentions, projects, errors) for the bundled corpus, the development set, the
table-driven cases and the first N documents of an archive, one JSON line per
document; `--check REF` compares a fresh run with a saved snapshot and prints the
first differences. A speed change is kept only when the snapshot is unchanged.

    python tools/snapshot.py -o /tmp/ref.jsonl.gz [--archive DIR --limit 500]
    python tools/snapshot.py --check /tmp/ref.jsonl.gz [--archive DIR --limit 500]
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import sys
import time
from itertools import islice
from pathlib import Path

from govfacts.pipeline.read import bundled_corpus, iter_documents
from govfacts.pipeline.records import DocError, RawDocument
from govfacts.pipeline.stages import process

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "devset"
CASES = ROOT / "tests" / "cases"


def _inputs(archive: str | None, limit: int):
    yield from iter_documents([bundled_corpus()])
    if DEVSET.exists():
        yield from iter_documents([DEVSET])
    for path in sorted(CASES.glob("*.jsonl")):  # every case sentence as a one-line document
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            case = json.loads(line)
            text = case.get("text") or case.get("sentence")
            if text:
                yield RawDocument(f"{path.stem}-{i}", text, str(path))
    if archive:
        yield from islice(iter_documents([archive]), limit)


def _plain(obj):
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, str):
        return obj.replace(str(ROOT), "<repo>")  # sources are paths: the same in any checkout
    if obj is None or isinstance(obj, (int, float, bool)):
        return obj
    return str(obj)


def snapshot(archive: str | None, limit: int):
    for raw in _inputs(archive, limit):
        if isinstance(raw, DocError):
            yield {"error": _plain(raw)}
            continue
        out = process(raw)
        if isinstance(out, DocError):
            yield {"error": _plain(out)}
            continue
        doc = out.document
        yield {
            "doc_id": doc.doc_id,
            "text": doc.aligned.text,
            "starts": list(doc.aligned.starts),
            "ends": list(doc.aligned.ends),
            "sentences": _plain(doc.sentences),
            "meta": [doc.script, doc.title, str(doc.published), doc.published_inferred,
                     doc.source_org, _plain(doc.repairs)],
            "mentions": _plain(out.mentions),
            "projects": _plain(out.projects),
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--out")
    ap.add_argument("--check")
    ap.add_argument("--archive")
    ap.add_argument("--limit", type=int, default=500)
    args = ap.parse_args()
    t0 = time.process_time()
    rows = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in snapshot(args.archive, args.limit)]
    took = time.process_time() - t0
    if args.out:
        with gzip.open(args.out, "wt", encoding="utf-8") as f:
            f.write("\n".join(rows) + "\n")
        print(f"{len(rows)} documents written to {args.out} ({took:.1f} s CPU)")
        return 0
    with gzip.open(args.check, "rt", encoding="utf-8") as f:
        ref = f.read().splitlines()
    bad = 0
    for a, b in zip(ref, rows, strict=False):  # a count mismatch is reported below
        if a != b:
            bad += 1
            if bad <= 5:
                ra, rb = json.loads(a), json.loads(b)
                print(f"DIFF in {ra.get('doc_id')}:")
                for key in ra:
                    if ra[key] != rb.get(key):
                        va, vb = ra[key], rb.get(key)
                        if isinstance(va, list) and isinstance(vb, list):
                            for x, y in zip(va, vb, strict=False):
                                if x != y:
                                    print(f"  {key}: {x}\n  now: {y}")
                                    break
                            else:
                                print(f"  {key}: {len(va)} items, now {len(vb)}")
                        else:
                            print(f"  {key}: {str(va)[:300]}\n  now: {str(vb)[:300]}")
    if len(ref) != len(rows):
        print(f"document count {len(ref)} → {len(rows)}")
        bad += 1
    print(f"{len(rows)} documents, {bad} differ ({took:.1f} s CPU)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
