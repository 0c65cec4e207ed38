"""Score extracted mentions against a gold file: P/R/F1 per kind, attribute accuracy on matches.

A predicted mention matches a gold one when document, kind and text agree; the
n-th prediction of a (doc, kind, text) is paired with the n-th gold row of it,
so a figure repeated in a document must be found each time. Scores come from
scikit-learn's metrics over the aligned label sequences.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, precision_recall_fscore_support

__all__ = ["Score", "evaluate", "load_gold", "mention_row"]

KINDS = ("amount", "count", "growth", "share", "date", "project")
ATTRIBUTES = ("value", "status", "role", "qualifier", "period", "city", "area", "speaker")
NONE = "∅"


@dataclass
class Score:
    """The result of one evaluation."""

    per_kind: dict[str, dict[str, float]] = field(default_factory=dict)  # kind → precision/recall/f1/support
    accuracy: dict[str, float] = field(default_factory=dict)  # attribute → accuracy on matched mentions
    matched: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)  # gold rows not found
    extras: list[dict[str, Any]] = field(default_factory=list)  # predictions not in gold
    wrong: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = field(default_factory=dict)

    def table(self) -> list[dict[str, Any]]:
        """Rows for printing: one per kind, then one per attribute."""
        rows: list[dict[str, Any]] = [{"what": k, **v} for k, v in self.per_kind.items()]
        rows += [{"what": f"{a} accuracy", "accuracy": v} for a, v in self.accuracy.items()]
        return rows


def load_gold(path: Path) -> list[dict[str, Any]]:
    """Gold rows from a JSONL file (one mention per line)."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def mention_row(m: Any) -> dict[str, Any]:
    """A `Mention` as a JSON-ready dict (exact values as strings, dates ISO)."""
    from dataclasses import asdict

    row = asdict(m)
    for k, v in row.items():
        if isinstance(v, Decimal):
            row[k] = _decimal_str(v)
        elif hasattr(v, "isoformat"):
            row[k] = v.isoformat()
    return row


def _decimal_str(v: Decimal) -> str:
    s = format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def _norm_value(v: Any) -> str | None:
    if v is None:
        return None
    try:
        return _decimal_str(Decimal(str(v)))
    except ArithmeticError:
        return str(v)


def _attr(row: Mapping[str, Any], name: str) -> Any:
    if name == "period":
        return (row.get("period_start"), row.get("period_end"))
    if name == "value":
        return _norm_value(row.get("value"))
    return row.get(name)


def evaluate(gold: Iterable[Mapping[str, Any]], predicted: Iterable[Mapping[str, Any]], *, kinds: Iterable[str] = KINDS) -> Score:
    """Align predictions with gold rows and score them."""
    kinds = tuple(kinds)
    g_groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
    p_groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for g in gold:
        if g["kind"] in kinds:
            g_groups[(g["doc_id"], g["kind"], g["text"])].append(g)
    gold_docs = {k[0] for k in g_groups}
    for p in predicted:
        if p["kind"] in kinds and p["doc_id"] in gold_docs:
            p_groups[(p["doc_id"], p["kind"], p["text"])].append(p)
    y_true: list[str] = []
    y_pred: list[str] = []
    pairs: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
    score = Score()
    for key in sorted(set(g_groups) | set(p_groups)):
        gs, ps = g_groups.get(key, []), p_groups.get(key, [])
        for g, p in zip(gs, ps, strict=False):
            pairs.append((g, p))
            y_true.append(key[1])
            y_pred.append(key[1])
        for g in gs[len(ps) :]:
            score.misses.append(dict(g))
            y_true.append(key[1])
            y_pred.append(NONE)
        for p in ps[len(gs) :]:
            score.extras.append(dict(p))
            y_true.append(NONE)
            y_pred.append(key[1])
    present = [k for k in kinds if k in y_true or k in y_pred]
    if present:
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present, zero_division=0)
        for i, k in enumerate(present):
            score.per_kind[k] = {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])}
    score.matched = len(pairs)
    for attr in ATTRIBUTES:
        relevant = [(g, q) for g, q in pairs if attr in g or (attr == "period" and "period_start" in g)]
        if attr == "value":
            relevant = [(g, q) for g, q in relevant if g["kind"] != "date"]
        if not relevant:
            continue
        truth = [repr(_attr(g, attr)) for g, _ in relevant]
        guess = [repr(_attr(q, attr)) for _, q in relevant]
        score.accuracy[attr] = float(accuracy_score(truth, guess))
        score.wrong[attr] = [(dict(g), dict(q)) for (g, q), t, u in zip(relevant, truth, guess, strict=True) if t != u]
    return score


def save_predictions(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write prediction rows as JSONL (used by `govfacts extract -o x.jsonl`)."""
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
