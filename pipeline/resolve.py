"""Resolve stage: give every mention its evidence, period, speaker and place.

Reads a `Document` and the extractors' mentions; writes the same mentions with
`sentence`, `orig_start`/`orig_end`, `published`, `period_start`/`period_end`,
`speaker` and `city` filled in. Cross-mention work happens here and only here.

Period scoping: a quantity takes the nearest time expression before it in its
sentence; failing that, the expression at the head of an earlier sentence of
its paragraph (it governs until another replaces it). A target covers the year
it is set for. Size classes and labels have no period.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from datetime import date

import regex

from govfacts.extractors import context
from govfacts.extractors.dates import TimeExpr, find_time_expressions
from govfacts.pipeline.records import Document, Mention

__all__ = ["resolve", "speaker_turns", "Turn"]

_TURN = regex.compile(
    r"(?m)^(?P<label>(?:[\p{Han}]{1,12}记者|主持人|记者|[\p{Han}·]{2,4}))[ \t]*[:：](?=[ \t]*$|[ \t]*[\p{Han}“])"
)
_NOT_SPEAKERS = frozenset({"注", "单位", "来源", "发布时间", "关键词", "附件", "电话", "地址", "时间", "地点", "备注", "说明", "标题", "作者", "编辑", "责任编辑", "信息来源"})
_STOCK = regex.compile(r"累计|在谈|达到|总数|共有|现有|储备|存量|在建|在库")
_SINCE_TODAY = frozenset({"since"})


@dataclass(frozen=True, slots=True)
class Turn:
    """A speaker's turn in a transcript: from `char_start` on, `speaker` talks."""

    char_start: int
    speaker: str


def speaker_turns(text: str) -> list[Turn]:
    """Turn labels (`王莉：`, `主持人:`, `工商导报记者:`) in transcript-shaped text.

    A document is a transcript only when it has at least two turn labels and
    two different speakers; a lone `高斌委员:` is a letter's salutation.
    """
    turns = [
        Turn(m.start(), m.group("label"))
        for m in _TURN.finditer(text)
        if m.group("label") not in _NOT_SPEAKERS and "、" not in m.group("label")
    ]
    if len(turns) < 2 or len({t.speaker for t in turns}) < 2:
        return []
    return turns


def _speaker_at(turns: list[Turn], starts: list[int], pos: int) -> str | None:
    k = bisect.bisect_right(starts, pos) - 1
    return turns[k].speaker if k >= 0 else None


def _year_of(expr: TimeExpr) -> int | None:
    d = expr.period_end or expr.period_start
    return d.year if d else None


def _period(doc: Document, m: Mention, times: list[TimeExpr], heads: dict[int, list[TimeExpr]]) -> tuple[date | None, date | None]:
    if m.kind in ("date", "project") or m.role != "fact":
        return (m.period_start, m.period_end)
    sentence = context.sentence_at(doc, m.char_start)
    governing: TimeExpr | None = None
    if sentence is not None:
        before = [t for t in times if sentence.char_start <= t.char_start and t.char_end <= m.char_start]
        if before:
            governing = before[-1]
        else:
            for t in reversed(heads.get(sentence.paragraph, [])):
                if t.char_end <= m.char_start:
                    governing = t
                    break
    if m.status == "target":
        year = _year_of(governing) if governing else None
        if year is None and doc.published:
            year = doc.published.year
        return (date(year, 1, 1), date(year, 12, 31)) if year else (None, None)
    if governing is None:
        return (None, None)
    start, end = governing.period_start, governing.period_end
    if governing.kind == "cutoff" and sentence is not None:
        clause = doc.text[context.clause_start(doc.text, m.char_start, sentence.char_start) : m.char_start]
        if _STOCK.search(clause):
            start = None  # a stock at the cutoff day, not a flow since 1 January
    return (start, end)


def _paragraph_heads(doc: Document, times: list[TimeExpr]) -> dict[int, list[TimeExpr]]:
    """Time expressions standing at the head of a sentence (they govern what follows)."""
    heads: dict[int, list[TimeExpr]] = {}
    for s in doc.sentences:
        for t in times:
            if s.char_start <= t.char_start < s.char_start + 6 and t.char_end <= s.char_end:
                heads.setdefault(s.paragraph, []).append(t)
                break
    return heads


def resolve(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """Fill evidence, period, speaker and city on every mention of `doc`."""
    text = doc.text
    times = find_time_expressions(text, published=doc.published)
    heads = _paragraph_heads(doc, times)
    turns = speaker_turns(text)
    turn_starts = [t.char_start for t in turns]
    out: list[Mention] = []
    for m in mentions:
        sentence = context.sentence_at(doc, m.char_start)
        orig_start, orig_end = doc.aligned.orig_span(m.char_start, m.char_end)
        period_start, period_end = _period(doc, m, times, heads)
        out.append(
            replace(
                m,
                sentence=text[sentence.char_start : sentence.char_end] if sentence else None,
                orig_start=orig_start,
                orig_end=orig_end,
                published=doc.published,
                period_start=period_start,
                period_end=period_end,
                speaker=_speaker_at(turns, turn_starts, m.char_start) if turns else None,
                city=m.city or doc.raw.city,
            )
        )
    return out
