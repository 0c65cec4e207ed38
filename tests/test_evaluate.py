"""Accuracy gates: `govfacts evaluate` on the sample gold set and the development set.

The thresholds are issue 3's and 4's: on the five hand-annotated samples F1 >= 0.95
for each quantity kind and >= 0.90 for projects, status/role/period accuracy >= 0.95
and city accuracy >= 0.98 on matched mentions; on the 30-document dev set F1 >= 0.90
for each kind. The figures themselves are printed by `govfacts evaluate`.
"""

from pathlib import Path

import pytest

from govfacts.evaluate import evaluate, load_gold, mention_row
from govfacts.pipeline.stages import Processed, run

ROOT = Path(__file__).resolve().parent.parent
QUANTITY_KINDS = ("amount", "count", "growth", "share", "date")


def _score(gold: Path, inputs: list[Path]):
    predicted = [mention_row(m) for p in run(inputs) if isinstance(p, Processed) for m in p.mentions]
    return evaluate(load_gold(gold), predicted)


@pytest.fixture(scope="module")
def samples():
    return _score(ROOT / "tests/gold/samples.jsonl", [ROOT / "corpus"])


@pytest.fixture(scope="module")
def devset():
    return _score(ROOT / "tests/devset/gold.jsonl", [ROOT / "tests/devset/docs"])


@pytest.mark.parametrize("kind", QUANTITY_KINDS)
def test_samples_f1_per_kind(samples, kind):
    assert samples.per_kind[kind]["f1"] >= 0.95, samples.per_kind[kind]


def test_samples_projects(samples):
    assert samples.per_kind["project"]["f1"] >= 0.90, samples.per_kind["project"]


@pytest.mark.parametrize("attribute,threshold", [("status", 0.95), ("role", 0.95), ("period", 0.95), ("city", 0.98), ("value", 0.99)])
def test_samples_attribute_accuracy(samples, attribute, threshold):
    assert samples.accuracy[attribute] >= threshold, samples.wrong[attribute][:5]


@pytest.mark.parametrize("kind", QUANTITY_KINDS + ("project",))
def test_devset_f1_per_kind(devset, kind):
    assert devset.per_kind[kind]["f1"] >= 0.90, devset.per_kind[kind]


def test_evaluate_counts_misses_and_extras():
    gold = [
        {"doc_id": "a", "kind": "amount", "text": "5亿元", "value": 500000000, "status": "actual"},
        {"doc_id": "a", "kind": "amount", "text": "5亿元", "value": 500000000, "status": "target"},
        {"doc_id": "a", "kind": "count", "text": "3个", "value": 3, "status": "actual"},
    ]
    predicted = [
        {"doc_id": "a", "kind": "amount", "text": "5亿元", "value": "500000000", "status": "actual"},
        {"doc_id": "a", "kind": "count", "text": "3个", "value": "3", "status": "plan"},
        {"doc_id": "a", "kind": "count", "text": "4个", "value": "4", "status": "actual"},
        {"doc_id": "b", "kind": "count", "text": "9个", "value": "9", "status": "actual"},  # no gold for b
    ]
    score = evaluate(gold, predicted)
    assert score.per_kind["amount"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3), "support": 2}
    assert score.per_kind["count"]["precision"] == 0.5 and score.per_kind["count"]["recall"] == 1.0
    assert score.accuracy["status"] == 0.5  # the count's status is wrong
    assert score.accuracy["value"] == 1.0
    assert [m["text"] for m in score.misses] == ["5亿元"]
    assert [m["text"] for m in score.extras] == ["4个"]
