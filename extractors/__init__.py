"""Extractors: pure functions from a normalized `Document` to a list of `Mention`s.

`EXTRACTORS` names them; `extract` runs them all, settles overlaps by one
policy (`resolve_overlaps`: the longer span wins, then the earlier kind in
`KIND_PRIORITY`), and links each rate or bare investment figure to the quantity
it qualifies. Period, city and speaker are the resolve stage's business.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import replace

from govfacts.extractors import grammar
from govfacts.extractors.amounts import extract_amounts
from govfacts.extractors.counts import extract_counts
from govfacts.extractors.dates import extract_dates
from govfacts.extractors.projects import extract_projects
from govfacts.extractors.rates import extract_rates
from govfacts.extractors.tables import extract_tables
from govfacts.pipeline.records import Document, Mention

__all__ = ["EXTRACTORS", "KIND_PRIORITY", "extract", "resolve_overlaps"]

Extractor = Callable[[Document], list[Mention]]

KIND_PRIORITY = ("project", "amount", "growth", "share", "count", "date")


# The extractors, in the order they run (the order does not change the result).
EXTRACTORS: dict[str, Extractor] = {
    "amount": extract_amounts,
    "count": extract_counts,
    "rate": extract_rates,
    "date": extract_dates,
    "table": extract_tables,
    "project": extract_projects,
}



def resolve_overlaps(mentions: list[Mention]) -> list[Mention]:
    """Keep non-overlapping mentions: longer spans first, then by `KIND_PRIORITY`.

    A project mention may contain quantities (its name holds 年产6万吨): projects
    never compete with the others.
    """
    rank = {k: i for i, k in enumerate(KIND_PRIORITY)}
    kept: list[Mention] = []
    others = [m for m in mentions if m.kind != "project"]
    # The kept spans do not overlap, so sorted by start they are sorted by end too: the
    # only one that can overlap a span is the last kept starting before its end (bisect).
    # An empty span would break that order; none is extracted, but keep the plain scan for it.
    if any(m.char_start >= m.char_end for m in others):
        taken: list[tuple[int, int]] = []
        for m in sorted(others, key=lambda m: (-(m.char_end - m.char_start), rank[m.kind], m.char_start)):
            if any(m.char_start < b and a < m.char_end for a, b in taken):
                continue
            kept.append(m)
            taken.append((m.char_start, m.char_end))
    else:
        starts: list[int] = []
        ends: list[int] = []
        for m in sorted(others, key=lambda m: (-(m.char_end - m.char_start), rank[m.kind], m.char_start)):
            a, b = m.char_start, m.char_end
            k = bisect.bisect_left(starts, b)
            if k and ends[k - 1] > a:
                continue
            kept.append(m)
            starts.insert(k, a)
            ends.insert(k, b)
    kept += [m for m in mentions if m.kind == "project"]
    kept.sort(key=lambda m: (m.char_start, rank[m.kind]))
    return kept


def _link_subjects(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """Give a rate or a generic figure (总投资…) the subject and metric of the quantity before it.

    `新签约项目137个，总投资305.94亿元，同比增长12%`: the amount is the signed
    projects' investment, the growth is that investment's growth.
    """
    from govfacts.extractors import context

    out: list[Mention] = []
    last: Mention | None = None
    last_sentence = None
    for m in mentions:
        sentence = context.sentence_at(doc, m.char_start)
        if sentence is not last_sentence:
            last, last_sentence = None, sentence
        if m.kind in ("growth", "share") and last is not None and (m.subject is None or _is_generic(m.subject)):
            m = replace(m, subject=last.subject, metric=last.metric)
        elif m.kind in ("growth", "share") and m.metric is None and last is not None:
            m = replace(m, metric=last.metric)
        elif m.kind == "amount" and m.role == "fact" and last is not None and last.kind == "count":
            subject = (last.subject or "") + (m.subject or "")
            if m.subject is None or _is_generic(m.subject):
                m = replace(m, subject=subject, metric=context.metric_of("amount", subject))
        if m.kind in ("count", "amount") and m.role == "fact":
            last = m
        out.append(m)
    return out


def _is_generic(subject: str) -> bool:
    return subject in grammar.subject_words()["generic"] or len(subject) <= 1


def extract(doc: Document) -> list[Mention]:
    """All mentions of `doc`: every extractor, one overlap policy, subjects linked."""
    found: list[Mention] = []
    for extractor in EXTRACTORS.values():
        found.extend(extractor(doc))
    return _link_subjects(doc, resolve_overlaps(found))
