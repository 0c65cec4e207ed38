"""Write a synthetic archive of N documents made by recombining sentences of the bundled corpus.

Each document takes 6–30 sentences of the five sample texts (their damage
included), with every number varied (same digit count; years 2015–2024, months
1–12, days 1–28), some units swapped for a unit of the same kind (亿元/万元,
个/家/项), the sample cities replaced by prefecture-level cities of the
gazetteer, and a publication line with a random date. A share of documents is
converted to Traditional script (OpenCC s2t), and a share carries artefacts of
scraped pages: pinyin glosses, doubled punctuation, full-width digits and
boilerplate lines. Output, deterministic for a given --seed:

- `txt`: one UTF-8 `.txt` file per document in sharded folders (`000/000123.txt`,
  1000 per folder), so the folder reader streams them;
- `jsonl`: `docs-000.jsonl`, … with 10 000 rows each (`id`, `text`, `published`);
- `parquet`: `docs-000.parquet`, … likewise.

Run: `python benchmarks/make_archive.py OUT [-n 100000] [--format txt|jsonl|parquet]`.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import regex
from govfacts.lexicons import load_table
from govfacts.pipeline import gazetteer
from govfacts.pipeline.read import bundled_corpus

__all__ = ["documents", "write_archive", "main"]

SHARD = 1000  # .txt files per folder
ROWS_PER_FILE = 10_000  # rows per JSONL/Parquet file
SENTENCES = (6, 30)  # sentences per document (inclusive)
TRADITIONAL_SHARE = 0.3
ARTEFACT_SHARE = 0.3
SAMPLE_CITIES = ("淮北市", "淮南市", "安庆市")  # the cities the sample texts are about
# Units swapped for another of the same kind (a test fixture, not a lexicon).
UNIT_SWAPS = (("亿元", "万元"), ("万元", "亿元"), ("个", "家"), ("家", "个"), ("个", "项"))
# Lines of scraped pages the normalizer should strip (a test fixture).
BOILERPLATE = (
    "【字体：大 中 小】",
    "打印本页 关闭窗口",
    "分享到：微信 微博",
    "点击数：1024",
    "返回顶部",
)
PINYIN = {"经济": "jīng jì", "项目": "xiàng mù", "投资": "tóu zī", "发展": "fā zhǎn"}

_SENTENCE = regex.compile(
    r"""
    [^。！？\n]+ [。！？]?   # a sentence up to its end mark
    """,
    regex.VERBOSE,
)
_NUMBER = regex.compile(
    r"""
    (?P<year> (?:19|20)\d\d (?=年) )   # a year before 年
    | (?P<month> \d{1,2} (?=月) )       # a month before 月
    | (?P<day> \d{1,2} (?=[日号]) )     # a day before 日/号
    | (?P<digits> \d+ )                 # any other digit run
    """,
    regex.VERBOSE,
)
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _sentences() -> list[str]:
    """Sentences of the bundled corpus (at least four characters each)."""
    out = []
    for path in sorted(bundled_corpus().glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out += [m.group().strip() for m in _SENTENCE.finditer(text) if len(m.group().strip()) >= 4]
    return out


def _cities() -> list[str]:
    rows = load_table("gazetteer.tsv", gazetteer._GAZETTEER_COLUMNS, key="code")  # noqa: SLF001
    return sorted(
        r["name"] for r in rows if r["level"] == "prefecture" and r["name"].endswith("市")
    )


def _vary_numbers(text: str, rng: random.Random) -> str:
    def repl(m: regex.Match[str]) -> str:
        if m["year"]:
            return str(rng.randint(2015, 2024))
        if m["month"]:
            return str(rng.randint(1, 12))
        if m["day"]:
            return str(rng.randint(1, 28))
        n = len(m["digits"])
        return str(rng.randint(10 ** (n - 1) if n > 1 else 0, 10**n - 1))

    return _NUMBER.sub(repl, text)


def _artefacts(paragraphs: list[str], rng: random.Random) -> list[str]:
    out = []
    for p in paragraphs:
        if rng.random() < 0.3:
            word = rng.choice(sorted(PINYIN))
            p = p.replace(word, f"{word}({PINYIN[word]})", 1)
        if rng.random() < 0.3:
            p = p.replace("，", "，，", 1).replace("。", "。。", 1)
        if rng.random() < 0.2:
            p = p.translate(_FULL_WIDTH)
        out.append(p)
    head, tail = rng.sample(BOILERPLATE, 2)
    return [head, *out, tail]


def documents(n: int, *, seed: int = 7) -> Iterator[dict[str, str]]:
    """The archive's documents as dicts with `id`, `text` and `published` (ISO date)."""
    import opencc

    rng = random.Random(seed)
    pool, cities = _sentences(), _cities()
    s2t = opencc.OpenCC("s2t")
    for i in range(n):
        city = rng.choice(cities)
        picked = [rng.choice(pool) for _ in range(rng.randint(*SENTENCES))]
        body = []
        for s in picked:
            s = _vary_numbers(s, rng)
            for sample in SAMPLE_CITIES:
                s = s.replace(sample, city)
            if rng.random() < 0.2:
                old, new = rng.choice(UNIT_SWAPS)
                s = s.replace(old, new, 1)
            body.append(s)
        paragraphs, k = [], 0
        while k < len(body):
            step = rng.randint(1, 4)
            paragraphs.append("".join(body[k : k + step]))
            k += step
        published = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
        paragraphs.insert(0, f"发布时间：{published.isoformat()} 来源：{city}人民政府")
        if rng.random() < ARTEFACT_SHARE:
            paragraphs = _artefacts(paragraphs, rng)
        text = "\n\n".join(paragraphs) + "\n"
        if rng.random() < TRADITIONAL_SHARE:
            text = s2t.convert(text)
        yield {"id": f"doc{i:07d}", "text": text, "published": published.isoformat()}


def write_archive(out: Path, n: int, *, fmt: str = "txt", seed: int = 7) -> int:
    """Write `n` documents under `out` as `fmt` (txt, jsonl or parquet); returns their bytes."""
    out.mkdir(parents=True, exist_ok=True)
    size = 0
    if fmt == "txt":
        for i, doc in enumerate(documents(n, seed=seed)):
            folder = out / f"{i // SHARD:03d}"
            if i % SHARD == 0:
                folder.mkdir(exist_ok=True)
            data = doc["text"].encode("utf-8")
            (folder / f"{i:06d}.txt").write_bytes(data)
            size += len(data)
        return size
    rows: list[dict[str, str]] = []
    part = 0

    def flush() -> None:
        nonlocal part
        path = out / f"docs-{part:03d}.{fmt}"
        if fmt == "jsonl":
            with path.open("w", encoding="utf-8") as fh:
                fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.Table.from_pylist(rows), path)
        part += 1
        rows.clear()

    for doc in documents(n, seed=seed):
        rows.append(doc)
        size += len(doc["text"].encode("utf-8"))
        if len(rows) >= ROWS_PER_FILE:
            flush()
    if rows:
        flush()
    return size


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=100_000, help="documents (default 100000)")
    ap.add_argument("--format", choices=("txt", "jsonl", "parquet"), default="txt")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    size = write_archive(args.out, args.n, fmt=args.format, seed=args.seed)
    print(f"{args.n} documents, {size / 1e6:.1f} MB of text → {args.out} ({args.format})")


if __name__ == "__main__":
    main()
