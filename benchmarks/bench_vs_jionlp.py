"""Throughput and accuracy of govfacts' full extract beside JioNLP's money and time extractors.

Throughput: one in-memory corpus of at least --mb MB (default 5) built from the
bundled documents, each copy with its numbers varied (same digit count, calendar
numbers before 年/月/日/号/季/时/点/分/秒 kept so both tools see valid dates). In
one process, on one core, each round runs govfacts' `normalize + extract +
resolve` (the calls of `govfacts.pipeline.stages.process`, timed per stage) and
then `jionlp.ner.extract_money(text)` + `jionlp.ner.extract_time(text,
time_base=2023-07-01)` over the same raw texts; the median of --rounds rounds is
reported. Both are warmed up first; their cold start-up (import + first call) is
measured separately, in fresh subprocesses.

Accuracy: both systems over the normalized dev set (`tests/devset`) and the five
samples (`tests/gold/samples.jsonl` with `corpus/`), kinds amount and date, scored
by `govfacts.evaluate.evaluate` (strict: same text) and by `lenient_score` (one
prediction per gold row, same doc and kind, either text contains the other).

Run in the bench venv (JioNLP is not a runtime dependency):
    python3 -m venv /work/venv-bench && /work/venv-bench/bin/pip install -e '.[bench]'
    /work/venv-bench/bin/python benchmarks/bench_vs_jionlp.py [--mb 5] [--rounds 3]
Figures are reported, never asserted.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import regex
from govfacts.extractors import extract
from govfacts.pipeline.normalize import normalize
from govfacts.pipeline.read import bundled_corpus
from govfacts.pipeline.records import DocError, RawDocument
from govfacts.pipeline.resolve import resolve
from govfacts.pipeline.stages import run

from govfacts.evaluate import evaluate, load_gold, mention_row

__all__ = ["build_corpus", "jionlp_rows", "lenient_score", "main"]

ROOT = Path(__file__).resolve().parents[1]
DEVSET = (ROOT / "tests/devset/docs", ROOT / "tests/devset/gold.jsonl")
SAMPLES = (ROOT / "corpus", ROOT / "tests/gold/samples.jsonl")
KINDS = ("amount", "date")
FIXED_BASE = date(2023, 7, 1)  # JioNLP's time base when a document has no known publication date
# JioNLP money `case` → the gold's currency codes (others are kept as written).
CURRENCY = {
    "元": "CNY",
    "人民币": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "港元": "HKD",
    "港币": "HKD",
}
# JioNLP money `definition` → the gold's qualifiers (`blur+span` etc. are ranges: no qualifier).
QUALIFIER = {"accurate": "eq", "blur": "approx", "blur+": "ge", "blur-": "le"}
# JioNLP time types that are dates or periods; `time_delta` (durations, 3年) is not a date row.
DATE_TYPES = frozenset({"time_point", "time_span", "time_period"})

# A run of digits, unless it is a calendar number (a year, month, day, quarter or clock time).
_VARIABLE_NUMBER = regex.compile(
    r"""
    (?<!\d)\d+                       # a whole run of ASCII digits
    (?![\d年月日号季时点分秒])       # not followed by a calendar unit (nor cut inside the run)
    """,
    regex.VERBOSE,
)


def build_corpus(target_mb: float, seed: int = 7) -> list[RawDocument]:
    """The bundled documents repeated until `target_mb` MB, each copy with its figures varied.

    Every varied number keeps its digit count, so each copy has its source's size.
    """
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted(bundled_corpus().glob("*.txt"))]

    def vary(m: regex.Match[str]) -> str:
        n = len(m[0])
        return str(rng.randint(10 ** (n - 1) if n > 1 else 0, 10**n - 1))

    docs: list[RawDocument] = []
    size = 0
    while size < target_mb * 1e6:
        text = _VARIABLE_NUMBER.sub(vary, texts[len(docs) % len(texts)])
        docs.append(RawDocument(f"bench-{len(docs)}", text, "bench"))
        size += len(text.encode("utf-8"))
    return docs


def _jionlp() -> Any:
    try:
        import jionlp
    except ImportError:
        sys.exit("JioNLP is not installed: pip install -e '.[bench]' (in a separate venv)")
    logging.disable(logging.ERROR)  # JioNLP logs a traceback for each time string it cannot parse
    return jionlp


def _base(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


# ---------------------------------------------------------------- throughput


def _govfacts_pass(docs: Sequence[RawDocument]) -> dict[str, float]:
    spent = {"normalize": 0.0, "extract": 0.0, "resolve": 0.0}
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for raw in docs:
        t0 = time.process_time()
        doc = normalize(raw)
        t1 = time.process_time()
        mentions = extract(doc)
        t2 = time.process_time()
        tuple(resolve(doc, mentions))
        t3 = time.process_time()
        spent["normalize"] += t1 - t0
        spent["extract"] += t2 - t1
        spent["resolve"] += t3 - t2
    spent["cpu"], spent["wall"] = time.process_time() - cpu0, time.perf_counter() - wall0
    return spent


def _jionlp_pass(jio: Any, docs: Sequence[RawDocument]) -> dict[str, float]:
    spent = {"extract_money": 0.0, "extract_time": 0.0, "errors": 0.0}
    base = _base(FIXED_BASE)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for raw in docs:
        t0 = time.process_time()
        try:
            jio.ner.extract_money(raw.text)
        except Exception:  # a library failure is counted, not fatal
            spent["errors"] += 1
        t1 = time.process_time()
        try:
            jio.ner.extract_time(raw.text, time_base=base)
        except Exception:
            spent["errors"] += 1
        t2 = time.process_time()
        spent["extract_money"] += t1 - t0
        spent["extract_time"] += t2 - t1
    spent["cpu"], spent["wall"] = time.process_time() - cpu0, time.perf_counter() - wall0
    return spent


_STARTUP = {
    "govfacts": (
        "from govfacts.pipeline.records import RawDocument\n"
        "from govfacts.pipeline.stages import process\n"
        "process(RawDocument('s', {text!r}, 's'))\n"
    ),
    "jionlp": (
        "import jionlp\n"
        "jionlp.ner.extract_money({text!r})\n"
        "jionlp.ner.extract_time({text!r}, time_base={base!r})\n"
    ),
}
_STARTUP_TEXT = "今年1-6月，全市新签约项目52个，总投资约386.5亿元，其中亿元以上项目21个。"


def startup(system: str, repeats: int) -> float:
    """Median seconds, in a fresh interpreter, for importing `system` and its first call."""
    code = _STARTUP[system].format(text=_STARTUP_TEXT, base=_base(FIXED_BASE))
    timer = f"import time\n_t = time.perf_counter()\n{code}print(time.perf_counter() - _t)\n"
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", timer], check=True, capture_output=True, text=True
        )
        runs.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(runs)


def throughput(docs: Sequence[RawDocument], rounds: int) -> dict[str, dict[str, float]]:
    """Median per-stage seconds of each system over `docs`, alternating systems each round."""
    jio = _jionlp()
    warm = build_corpus(0.05, seed=1)  # every bundled source once: lazy data and regex caches
    _govfacts_pass(warm)
    _jionlp_pass(jio, warm)
    runs: dict[str, list[dict[str, float]]] = {"govfacts": [], "jionlp": []}
    for _ in range(rounds):
        runs["govfacts"].append(_govfacts_pass(docs))
        runs["jionlp"].append(_jionlp_pass(jio, docs))
    return {s: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for s, rs in runs.items()}


# ---------------------------------------------------------------- accuracy


def _day(stamp: Any) -> str | None:
    """A JioNLP time bound ('2023-06-30 23:59:59', 'inf', or a periodic dict) as an ISO day."""
    return stamp[:10] if isinstance(stamp, str) and regex.match(r"\d{4}-\d\d-\d\d", stamp) else None


def _decimal(num: Any) -> Decimal | None:
    try:
        return Decimal(num) if isinstance(num, str) else None  # a range comes as a list: no value
    except InvalidOperation:
        return None


def jionlp_rows(jio: Any, doc_id: str, text: str, published: date | None) -> list[dict[str, Any]]:
    """JioNLP's money and time entities of one text as mention rows (`kind`, `text`, `doc_id`, …).

    Amount rows carry `value`, `unit` and `qualifier` from JioNLP's parse; date
    rows carry `period_start`/`period_end` from its time span, resolved against
    `published` (or `FIXED_BASE`).
    """
    rows: list[dict[str, Any]] = []
    for ent in jio.ner.extract_money(text):
        detail = ent.get("detail") or {}
        value = _decimal(detail.get("num"))
        rows.append({
            "doc_id": doc_id, "kind": "amount", "text": ent["text"], "char_start": ent["offset"][0],
            "value": None if value is None else str(value),
            "unit": CURRENCY.get(detail.get("case"), detail.get("case")),
            "qualifier": QUALIFIER.get(detail.get("definition")),
        })  # fmt: skip
    for ent in jio.ner.extract_time(text, time_base=_base(published or FIXED_BASE)):
        if ent["type"] not in DATE_TYPES:
            continue
        bounds = (ent.get("detail") or {}).get("time")
        start, end = (
            (_day(bounds[0]), _day(bounds[1])) if isinstance(bounds, list) else (None, None)
        )
        rows.append({
            "doc_id": doc_id, "kind": "date", "text": ent["text"], "char_start": ent["offset"][0],
            "period_start": start, "period_end": end,
        })  # fmt: skip
    rows.sort(key=lambda r: r["char_start"])
    return rows


def lenient_score(
    gold: Iterable[Mapping[str, Any]],
    predicted: Iterable[Mapping[str, Any]],
    *,
    kinds: Iterable[str] = KINDS,
) -> dict[str, dict[str, float]]:
    """Precision/recall/F1 per kind when a prediction's text contains the gold text or vice versa.

    Same document and kind are required, and each gold row takes at most one
    prediction and the reverse: a maximum one-to-one matching, so a prediction
    spanning two figures counts once. Predictions in documents with no gold
    row are ignored, as in `evaluate`.

    >>> g = [{"doc_id": "a", "kind": "amount", "text": "3亿元"}]
    >>> p = [dict(g[0], text="约3亿元"), dict(g[0], text="3亿")]
    >>> s = lenient_score(g, p, kinds=["amount"])["amount"]
    >>> s["recall"], s["precision"]
    (1.0, 0.5)
    """
    kinds = tuple(kinds)
    g_by: dict[tuple[str, str], list[str]] = defaultdict(list)
    p_by: dict[tuple[str, str], list[str]] = defaultdict(list)
    for g in gold:
        if g["kind"] in kinds:
            g_by[(g["doc_id"], g["kind"])].append(g["text"])
    docs = {d for d, _ in g_by}
    for p in predicted:
        if p["kind"] in kinds and p["doc_id"] in docs:
            p_by[(p["doc_id"], p["kind"])].append(p["text"])
    out: dict[str, dict[str, float]] = {}
    for kind in kinds:
        n_gold = sum(len(v) for (_, k), v in g_by.items() if k == kind)
        n_pred = sum(len(v) for (_, k), v in p_by.items() if k == kind)
        hits = sum(_max_matching(g_by[key], p_by.get(key, [])) for key in g_by if key[1] == kind)
        prec = hits / n_pred if n_pred else 0.0
        rec = hits / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[kind] = {"precision": prec, "recall": rec, "f1": f1, "support": n_gold}
    return out


def _max_matching(gold: Sequence[str], pred: Sequence[str]) -> int:
    """Size of a maximum one-to-one matching of gold to predicted texts under containment (Kuhn)."""
    edges = [[j for j, p in enumerate(pred) if g in p or p in g] for g in gold]
    owner: dict[int, int] = {}  # predicted index → gold index

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(gold)))


def accuracy(folder: Path, gold_path: Path) -> dict[str, dict[str, dict[str, float]]]:
    """Strict and lenient scores, and attribute accuracy, of both systems on one gold file."""
    jio = _jionlp()
    gold = load_gold(gold_path)
    published = {
        g["doc_id"]: date.fromisoformat(g["published"]) for g in gold if g.get("published")
    }
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for item in run([folder]):
        if isinstance(item, DocError):
            print(item.line(), file=sys.stderr)
            continue
        doc = item.document
        ours += [mention_row(m) for m in item.mentions]
        theirs += jionlp_rows(jio, doc.doc_id, doc.text, published.get(doc.doc_id) or doc.published)
    result: dict[str, dict[str, dict[str, float]]] = {}
    for system, rows in (("govfacts", ours), ("jionlp", theirs)):
        strict = evaluate(gold, rows, kinds=KINDS).per_kind
        lenient = lenient_score(gold, rows, kinds=KINDS)
        for kind in KINDS:
            attrs = evaluate(gold, rows, kinds=(kind,)).accuracy
            keep = ("value", "qualifier") if kind == "amount" else ("period",)
            result[f"{system}/{kind}"] = {
                "strict": strict.get(kind, {"precision": 0.0, "recall": 0.0, "f1": 0.0}),
                "lenient": lenient[kind],
                "attrs": {a: attrs[a] for a in keep if a in attrs},
            }
    return result


# ---------------------------------------------------------------- report


def _print_throughput(figures: dict[str, dict[str, float]], n_docs: int, mb: float) -> None:
    print(f"\n{'system':<34} {'docs/s':>9} {'MB/s':>7} {'CPU s':>7} {'wall s':>7}")
    parts = {
        "govfacts": ("normalize", "extract", "resolve"),
        "jionlp": ("extract_money", "extract_time"),
    }
    for system, f in figures.items():
        label = (
            "govfacts normalize+extract+resolve"
            if system == "govfacts"
            else "jionlp extract_money+extract_time"
        )
        print(
            f"{label:<34} {n_docs / f['cpu']:9.1f} {mb / f['cpu']:7.3f}"
            f" {f['cpu']:7.2f} {f['wall']:7.2f}"
        )
        for part in parts[system]:  # per-part rates from CPU time
            print(f"  {part:<32} {n_docs / f[part]:9.1f} {mb / f[part]:7.3f} {f[part]:7.2f}")
        if f.get("errors"):
            print(f"  ({f['errors']:.0f} calls raised)")
    ratio = figures["jionlp"]["cpu"] / figures["govfacts"]["cpu"]
    print(f"throughput ratio govfacts / jionlp (per core, CPU time): {ratio:.2f}x")
    g = figures["govfacts"]
    no_norm = figures["jionlp"]["cpu"] / (g["extract"] + g["resolve"])
    print(f"ratio without govfacts' normalize (extract+resolve only, CPU time): {no_norm:.2f}x")


def _print_accuracy(name: str, scores: dict[str, dict[str, dict[str, float]]]) -> None:
    print(f"\n{name}")
    print(
        f"{'system/kind':<16} {'gold':>5} {'strict P':>9} {'R':>6} {'F1':>6}"
        f" {'lenient P':>10} {'R':>6} {'F1':>6}  attributes (strict matches)"
    )
    for key, s in scores.items():
        st, le = s["strict"], s["lenient"]
        attrs = " ".join(f"{a}={v:.3f}" for a, v in s["attrs"].items())
        print(
            f"{key:<16} {le['support']:>5}"
            f" {st['precision']:9.3f} {st['recall']:6.3f} {st['f1']:6.3f}"
            f" {le['precision']:10.3f} {le['recall']:6.3f} {le['f1']:6.3f}  {attrs}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--mb", type=float, default=5.0, help="corpus size for the throughput run")
    ap.add_argument(
        "--rounds", type=int, default=3, help="timed rounds per system (median reported)"
    )
    ap.add_argument("--startup-repeats", type=int, default=3)
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-accuracy", action="store_true")
    args = ap.parse_args()
    jio = _jionlp()
    print(f"Python {sys.version.split()[0]}, jionlp {jio.__version__}, one process, one core")
    if not args.skip_throughput:
        for system in ("govfacts", "jionlp"):
            print(
                f"start-up {system:<9} {startup(system, args.startup_repeats):6.2f} s"
                f" (import + first call, fresh interpreter, median of {args.startup_repeats})"
            )
        docs = build_corpus(args.mb)
        mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
        print(f"corpus: {len(docs)} documents, {mb:.2f} MB UTF-8, {args.rounds} rounds, median")
        _print_throughput(throughput(docs, args.rounds), len(docs), mb)
    if not args.skip_accuracy:
        for name, (folder, gold) in (("dev set (30 docs)", DEVSET), ("samples (5 docs)", SAMPLES)):
            _print_accuracy(name, accuracy(folder, gold))


if __name__ == "__main__":
    main()
