"""Validate the hand-annotated gold set of the five sample documents (tests/gold/samples.jsonl).

Run: /work/venv/bin/python tests/gold/check_gold.py   (exit code 0 means clean)

Checks, per row: the field list and order, the vocabularies (kind, qualifier, role, status, unit,
metric), that ``text`` is a substring of the normalised document and that rows are in document
order, that ``value`` agrees with ``text`` wherever it can be recomputed, the role/period rules of
the dev-set conventions, and the per-document city and publication date.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from decimal import Decimal
from pathlib import Path

import opencc

__all__ = ["normalize", "expected_value", "check", "main"]

HERE = Path(__file__).resolve().parent
GOLD = HERE / "samples.jsonl"
CORPUS = HERE.parent.parent / "corpus"

FIELDS = ["doc_id", "kind", "text", "value", "unit", "qualifier", "role", "status", "subject",
          "metric", "city", "area", "period_start", "period_end", "published", "speaker"]
KINDS = {"amount", "count", "growth", "share", "date", "project"}
QUALIFIERS = {"eq", "approx", "ge", "le"}
ROLES = {"fact", "threshold", "label"}
STATUSES = {"actual", "target", "plan"}
CURRENCIES = {"美元": "USD", "欧元": "EUR", "港元": "HKD", "元": "CNY"}
MEASURE_WORDS = {"个", "家", "次", "批次", "亩", "名", "场", "支", "户", "人", "条", "项", "辆", "吨",
                 "千瓦", "平方米", "吨标准煤"}
# Metric ids: the brief's vocabulary plus the ids this gold set adds (see README.md).
METRICS = {
    "projects_signed", "projects_started", "projects_completed", "projects_in_production",
    "projects_negotiating", "projects_planned", "projects_introduced", "projects_under_construction",
    "investment_signed", "investment_started", "investment_planned", "project_investment",
    "funds_in_place", "outside_province_funds", "foreign_investment", "fixed_asset_investment",
    "enterprises_contacted", "investor_visits", "promotion_events", "projects_negotiated",
    "land_area", "teams", "people", "enterprises_new",
    # added by this gold set
    "share_industrial_projects", "share_industrial_investment", "share_time_on_investment",
    "industry_chains", "units_assigned_targets", "enterprises_incubating", "investment_negotiating",
    "investment_key_projects", "projects_key", "projects_preparing_start", "investment_funds",
    "fund_invested_enterprises", "fund_investment", "idle_land_disposed",
}
# Per document: home city and the gold publication date (null when the text gives none).
DOCS = {
    "000_f15e10e4591fdf19": ("淮北市", None),
    "001_b4a38f34b9bab76d": ("淮南市", "2020-09-23"),
    "002_2abdf53516f4d64d": ("淮北市", "2022-06-20"),
    "003_463e1746216b272e": ("淮北市", None),
    "004_07daf677df8added": ("安庆市", None),
}
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ]+\)")
# Doubled punctuation left by the crawler (sample 004): pair -> the single mark it stands for.
PUNCT_REPAIRS = ((",,", "，"), (",。", "。"), ("。,", "。"), (",、", "、"))
MULT = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, "": Decimal(1)}
CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
FRACTION_TOLERANCE = Decimal("0.01")  # 三分之一 is written as 33.33

T2S = opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Return the document as the gold ``text`` fields see it.

    Pinyin brackets removed, Traditional -> Simplified, full-width digits to ASCII, spaces inside
    numbers removed (as the dev set's validate.py), then doubled punctuation repaired and a
    year's lead digit lost to mojibake restored.
    """
    text = PINYIN.sub("", text)
    text = T2S.convert(text)
    text = "".join(unicodedata.normalize("NFKC", c) if c in "０１２３４５６７８９％．－" else c for c in text)
    text = re.sub(r"(?<=\d)[ \u3000\u00a0](?=\d{3}(?!\d))", "", text)
    text = re.sub(r"(?<=\d)[ \u3000\u00a0]+(?=[%万亿千百元美欧港个家次批亩名项场支户人条吨月日年])", "", text)
    for bad, good in PUNCT_REPAIRS:
        text = text.replace(bad, good)
    return re.sub(r"[?\ufffd](?=0\d\d年)", "2", text)  # a year's lost lead digit (004: ?025年)


def cn_int(s: str) -> int | None:
    """Value of a small Chinese numeral (一, 十二, 三百五十), or None.

    >>> cn_int("十二"), cn_int("两"), cn_int("三百五十")
    (12, 2, 350)
    """
    if not s or any(c not in CN_DIGITS and c not in CN_UNITS for c in s):
        return None
    total, digit = 0, None
    for c in s:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        else:
            total += (1 if digit is None else digit) * CN_UNITS[c]
            digit = None
    return total + (digit or 0)


def expected_value(row: dict) -> Decimal | None:
    """Value recomputed from ``text`` (None when it cannot be, e.g. dates and projects)."""
    text, kind = row["text"], row["kind"]
    if kind == "amount":
        m = re.fullmatch(r"([\d.]*|[一二两三四五六七八九十百千]*)(万亿|亿|万)?(美元|欧元|港元|元)?", text)
        if m and (m[2] or m[3]):
            num = m[1]
            base = Decimal(num) if num and num[0].isdigit() else Decimal(cn_int(num) if num else 1)
            return base * MULT[m[2] or ""]
    if kind == "count":
        m = re.fullmatch(r"([\d.]+)(余|多)?(万)?\D*", text)
        if m:
            return Decimal(m[1]) * (MULT["万"] if m[3] else 1)
        m = re.fullmatch(r"([一二两三四五六七八九十百千]+)(余|多)?\D+", text)
        if m and cn_int(m[1]) is not None:
            return Decimal(cn_int(m[1]))
    if kind in ("growth", "share"):
        m = re.fullmatch(r"(-?[\d.]+)(%|倍)", text)
        if m:
            return Decimal(m[1])
        m = re.fullmatch(r"([一二三四五六七八九十]+)分之([一二三四五六七八九十]+)", text)
        if m:
            return Decimal(cn_int(m[2])) / Decimal(cn_int(m[1])) * 100
        m = re.fullmatch(r"([一二三四五六七八九十])成", text)
        if m:
            return Decimal(cn_int(m[1]) * 10)
    return None


def _unit_errors(r: dict) -> list[str]:
    k, v, u, text = r["kind"], r["value"], r["unit"], r["text"]
    errors = []
    if k == "amount":
        if u not in CURRENCIES.values() or not isinstance(v, int) or v <= 0:
            errors.append(f"amount value/unit {v!r} {u!r}")
        suffix = next((code for word, code in CURRENCIES.items() if text.endswith(word)), "CNY")
        if u != suffix:
            errors.append(f"amount unit {u!r} but text {text!r} says {suffix}")
    elif k == "count":
        if not isinstance(v, int) or u not in MEASURE_WORDS:
            errors.append(f"count value/unit {v!r} {u!r}")
        word = re.sub(r"^[\d.一二两三四五六七八九十百千]+[余多]?万?", "", text)
        if word and word != u:
            errors.append(f"count unit {u!r} but text {text!r}")
    elif k in ("growth", "share"):
        if u not in ("%", "倍") or not isinstance(v, (int, Decimal)):
            errors.append(f"{k} value/unit {v!r} {u!r}")
    elif k == "date":
        if v is not None or u != "date":
            errors.append(f"date value/unit {v!r} {u!r}")
    elif k == "project":
        if not ((v is None and u is None) or (isinstance(v, int) and v > 0 and u == "CNY")):
            errors.append(f"project value/unit {v!r} {u!r}")
    return errors


def check(lines: list[str], texts: dict[str, str]) -> tuple[list[str], list[dict]]:
    """Check gold lines against normalised documents; return (errors, rows)."""
    errors: list[str] = []
    rows: list[dict] = []
    cursor: dict[str, int] = {}
    for n, line in enumerate(lines, 1):
        where = f"samples.jsonl:{n}"
        r = json.loads(line, parse_float=Decimal)
        if list(r) != FIELDS:
            errors.append(f"{where}: fields {list(r)}")
            continue
        rows.append(r)
        doc = r["doc_id"]
        if doc not in texts or doc not in DOCS:
            errors.append(f"{where}: unknown doc {doc}")
            continue
        k, role = r["kind"], r["role"]
        if k not in KINDS or r["qualifier"] not in QUALIFIERS or role not in ROLES \
                or r["status"] not in STATUSES:
            errors.append(f"{where}: bad vocabulary {k}/{r['qualifier']}/{role}/{r['status']}")
        norm = texts[doc]
        pos = norm.find(r["text"], cursor.get(doc, 0)) if r["text"] else -1
        if pos >= 0:
            cursor[doc] = pos
        elif r["text"] and r["text"] in norm:
            errors.append(f"{where}: text {r['text']!r} is out of document order")
            cursor[doc] = norm.find(r["text"])  # resynchronise so one slip is reported once
        else:
            errors.append(f"{where}: text {r['text']!r} not in the normalised {doc}")
        errors += [f"{where}: {e}" for e in _unit_errors(r)]
        exp = expected_value(r)
        if exp is not None and r["value"] is not None:
            tol = FRACTION_TOLERANCE if "分之" in r["text"] else Decimal(0)
            if abs(abs(Decimal(r["value"])) - abs(exp)) > tol:
                errors.append(f"{where}: value {r['value']} but text {r['text']!r} gives {exp}")
        for f in ("period_start", "period_end", "published"):
            if r[f] is not None and not ISO.fullmatch(r[f]):
                errors.append(f"{where}: {f} {r[f]!r}")
        if r["period_start"] and r["period_end"] and r["period_start"] > r["period_end"]:
            errors.append(f"{where}: period {r['period_start']} > {r['period_end']}")
        if k == "date" and r["period_start"] is None and r["period_end"] is None:
            errors.append(f"{where}: date row without period")
        if role != "fact" and (r["period_start"] or r["period_end"]):
            errors.append(f"{where}: {role} row with a period")
        if role == "threshold" and (k != "amount" or r["qualifier"] != "ge" or r["status"] != "actual"):
            errors.append(f"{where}: threshold must be an amount, ge, actual")
        if r["metric"] is not None:
            if k in ("date", "project") or role != "fact":
                errors.append(f"{where}: metric on a {k}/{role} row")
            elif r["metric"] not in METRICS:
                errors.append(f"{where}: unknown metric {r['metric']!r}")
        city, published = DOCS[doc]
        if r["city"] != city:
            errors.append(f"{where}: city {r['city']!r} != {city}")
        if r["published"] != published:
            errors.append(f"{where}: published {r['published']!r} != {published!r}")
        if not r["subject"]:
            errors.append(f"{where}: empty subject")
        if r["speaker"] is not None and not r["speaker"]:
            errors.append(f"{where}: empty speaker (use null)")
    missing = set(DOCS) - {r["doc_id"] for r in rows}
    if missing:
        errors.append(f"documents without rows: {sorted(missing)}")
    return errors, rows


def main() -> int:
    """Run the checks, print errors and per-document counts, return the exit code."""
    texts = {p.stem: normalize(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt"))}
    errors, rows = check(GOLD.read_text(encoding="utf-8").splitlines(), texts)
    for e in errors:
        print(e)
    for doc in DOCS:
        mine = [r for r in rows if r["doc_id"] == doc]
        print(f"{doc}: {len(mine)} rows | "
              + " ".join(f"{k}={v}" for k, v in sorted(Counter(r["kind"] for r in mine).items())) + " | "
              + " ".join(f"{k}={v}" for k, v in sorted(Counter(r["role"] for r in mine).items())) + " | "
              + " ".join(f"{k}={v}" for k, v in sorted(Counter(r["status"] for r in mine).items())))
    print(f"{len(rows)} rows, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
