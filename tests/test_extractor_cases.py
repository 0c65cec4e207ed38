"""The quantity extractors against hand-written case tables (`tests/cases/*.jsonl`): one runner.

Each case file holds one JSON object per line::

    {"id": "...", "text": "...", "published": "2023-07-21" | null,
     "expect": [{"kind": ..., "text": ..., "value": "5290000000", "unit": ..., ...}],
     "xfail": "reason"}          # optional: a known failure, run as xfail(strict=True)

The text goes through the real pipeline (normalize → extract → resolve). The
output is filtered to the kinds the file covers (`FILE_KINDS`) and compared
with `expect` in document order: same number of mentions, and for each one
exactly the fields the case lists (`value` as a `Decimal`, periods as ISO
dates). `negatives.jsonl` must yield no mention of any quantity kind.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from govfacts.extractors import extract
from govfacts.pipeline.normalize import normalize
from govfacts.pipeline.records import MENTION_FIELDS, Mention, RawDocument
from govfacts.pipeline.resolve import resolve

CASES = Path(__file__).resolve().parent / "cases"

# Which mention kinds each case file speaks about; other kinds are ignored.
QUANTITY_KINDS = frozenset({"amount", "count", "growth", "share"})
FILE_KINDS: dict[str, frozenset[str]] = {
    "amounts": frozenset({"amount"}),
    "counts": frozenset({"count"}),
    "rates": frozenset({"growth", "share"}),
    "negatives": QUANTITY_KINDS,
}
MIN_CASES = {"amounts": 35, "counts": 35, "rates": 35, "negatives": 30}
CASE_KEYS = frozenset({"id", "text", "published", "expect", "xfail", "note"})
EXPECT_KEYS = frozenset(MENTION_FIELDS) - {
    "doc_id",
    "sentence",
    "char_start",
    "char_end",
    "orig_start",
    "orig_end",
}


def load_cases(stem: str) -> list[dict[str, Any]]:
    """The cases of `tests/cases/<stem>.jsonl`, checked for shape (ids unique, known keys)."""
    cases: list[dict[str, Any]] = []
    seen: set[str] = set()
    path = CASES / f"{stem}.jsonl"
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        case = json.loads(line)
        where = f"{path.name}:{lineno}"
        assert set(case) <= CASE_KEYS and {"id", "text", "expect"} <= set(case), (
            f"{where}: keys {sorted(case)}"
        )
        assert case["id"] not in seen, f"{where}: duplicate id {case['id']!r}"
        seen.add(case["id"])
        for row in case["expect"]:
            assert set(row) <= EXPECT_KEYS and "kind" in row, f"{where}: expect keys {sorted(row)}"
            assert row["kind"] in FILE_KINDS[stem], (
                f"{where}: kind {row['kind']!r} not covered by {stem}"
            )
        if stem == "negatives":
            assert case["expect"] == [], f"{where}: a negative expects nothing"
        cases.append(case)
    return cases


def run_case(text: str, published: str | None) -> list[Mention]:
    """Every mention the pipeline finds in `text`, resolved, in document order."""
    raw = RawDocument(
        "case", text, "case", published=date.fromisoformat(published) if published else None
    )
    doc = normalize(raw)
    return resolve(doc, extract(doc))


def _comparable(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field == "value":
        return Decimal(str(value))
    if isinstance(value, date):
        return value.isoformat()
    return value


def project(
    mentions: list[Mention], expect: list[dict[str, Any]], kinds: frozenset[str]
) -> list[dict[str, Any]]:
    """The found mentions of `kinds`, each cut down to the fields its expected row lists.

    A mention beyond the expected rows is shown with the fields of the first row
    (or kind, text, value), so a surplus is visible in the diff.
    """
    found = [m for m in mentions if m.kind in kinds]
    default = list(expect[0]) if expect else ["kind", "text", "value", "unit"]
    out = []
    for i, m in enumerate(found):
        fields = list(expect[i]) if i < len(expect) else default
        out.append({f: _comparable(f, getattr(m, f)) for f in fields})
    return out


def _params() -> list[Any]:
    params = []
    for stem in FILE_KINDS:
        for case in load_cases(stem):
            marks = (
                [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
            )
            params.append(pytest.param(stem, case, id=f"{stem}:{case['id']}", marks=marks))
    return params


@pytest.mark.parametrize(("stem", "case"), _params())
def test_case(stem: str, case: dict[str, Any]) -> None:
    mentions = run_case(case["text"], case.get("published"))
    expected = [{f: _comparable(f, v) for f, v in row.items()} for row in case["expect"]]
    assert project(mentions, case["expect"], FILE_KINDS[stem]) == expected


@pytest.mark.parametrize("stem", list(FILE_KINDS))
def test_case_files_are_large_enough(stem: str) -> None:
    cases = load_cases(stem)
    assert len(cases) >= MIN_CASES[stem]
    texts = [c["text"] for c in cases]
    assert len(texts) == len(set(texts)), "two cases share a text"


def test_expected_texts_occur_in_their_normalized_case() -> None:
    """Every expected `text` is a substring of the normalized case text (the contract of `text`)."""
    for stem in FILE_KINDS:
        for case in load_cases(stem):
            normalized = normalize(RawDocument("case", case["text"], "case")).text
            for row in case["expect"]:
                assert row["text"] in normalized, (
                    f"{stem}:{case['id']}: {row['text']!r} not in {normalized!r}"
                )
