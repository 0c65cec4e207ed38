"""Period scoping of quantities, against the hand-written mini-documents of `cases/periods.jsonl`.

Each line of the case file is one JSON object::

    {"id": "...", "text": "...", "published": "2023-08-15" | null,
     "expect": [{"text": "214个", "status": "actual",
                 "period_start": "2023-01-01" | null, "period_end": "2023-07-31" | null}],
     "note": "why, when not obvious",     # optional
     "xfail": "precise reason"}           # optional: a known failure, run as xfail(strict=True)

The expectations are derived by hand from the dev set conventions
(`shared/devset/README.md`, "Periods") and the scoping rules of
`govfacts.pipeline.resolve`, never copied from the program's output. Each case
goes through the real pipeline (normalize → extract → resolve); the quantity
mentions (amount, count, growth, share) are compared, in document order, as
exact `(text, status, period_start, period_end)` lists.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from govfacts.extractors import extract
from govfacts.pipeline.normalize import normalize
from govfacts.pipeline.records import RawDocument
from govfacts.pipeline.resolve import resolve

CASES = Path(__file__).resolve().parent / "cases" / "periods.jsonl"
QUANTITY_KINDS = frozenset({"amount", "count", "growth", "share"})
CASE_KEYS = frozenset({"id", "text", "published", "expect", "note", "xfail"})
ROW_KEYS = ("text", "status", "period_start", "period_end")
MIN_CASES = 40

Row = tuple[str, str, str | None, str | None]


def load_cases() -> list[dict[str, Any]]:
    """The cases of the file, checked for shape: unique ids and texts, known keys, ISO dates."""
    cases: list[dict[str, Any]] = []
    ids: set[str] = set()
    for lineno, line in enumerate(CASES.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        case = json.loads(line)
        where = f"{CASES.name}:{lineno}"
        assert set(case) <= CASE_KEYS and {"id", "text", "published", "expect"} <= set(case), where
        assert case["id"] not in ids, f"{where}: duplicate id {case['id']!r}"
        ids.add(case["id"])
        for row in case["expect"]:
            assert tuple(row) == ROW_KEYS, f"{where}: expect keys {list(row)}"
            assert row["status"] in ("actual", "target", "plan"), where
            for key in ("period_start", "period_end"):
                if row[key] is not None:
                    date.fromisoformat(row[key])
        cases.append(case)
    return cases


def periods_of(text: str, published: str | None) -> list[Row]:
    """The quantity mentions the pipeline finds in `text`: (text, status, start, end), in order."""
    day = date.fromisoformat(published) if published else None
    raw = RawDocument("case", text, "case", published=day)
    doc = normalize(raw)
    return [
        (
            m.text,
            m.status,
            m.period_start.isoformat() if m.period_start else None,
            m.period_end.isoformat() if m.period_end else None,
        )
        for m in resolve(doc, extract(doc))
        if m.kind in QUANTITY_KINDS
    ]


def _params() -> list[Any]:
    return [
        pytest.param(
            case,
            id=case["id"],
            marks=[pytest.mark.xfail(strict=True, reason=case["xfail"])]
            if case.get("xfail")
            else [],
        )
        for case in load_cases()
    ]


@pytest.mark.parametrize("case", _params())
def test_periods(case: dict[str, Any]) -> None:
    expected = [tuple(row[k] for k in ROW_KEYS) for row in case["expect"]]
    assert periods_of(case["text"], case["published"]) == expected


def test_case_file_is_large_and_varied() -> None:
    cases = load_cases()
    assert len(cases) >= MIN_CASES
    texts = [c["text"] for c in cases]
    assert len(texts) == len(set(texts)), "two cases share a text"
    assert any(c["published"] is None for c in cases), "no case without a publication date"


def test_expected_texts_occur_in_their_normalized_case() -> None:
    """Every expected `text` is a substring of the normalized case text (the contract of `text`)."""
    for case in load_cases():
        normalized = normalize(RawDocument("case", case["text"], "case")).text
        for row in case["expect"]:
            assert row["text"] in normalized, f"{case['id']}: {row['text']!r} not in {normalized!r}"
