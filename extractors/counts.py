"""Counts: a number with a measure word and the thing counted (`签约工业项目322个`, `8个招商项目`).

Also the count whose measure word was lost after the counted noun
(`新签约工业项目310(其中…)`): a bare integer right after 项目/企业 takes the
noun's usual measure word.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import regex
from govfacts.extractors import context, grammar, numbers
from govfacts.extractors.numbers import parse_number
from govfacts.pipeline.records import Document, Mention

__all__ = ["extract_counts"]

# A counted noun followed by a bare integer: the measure word was lost in layout.
_LOST_MEASURE = regex.compile(r"(?P<noun>项目|企业)(?P<num>[1-9]\d{0,5})(?![\d.%‰万亿元个家次名年月日号届期批])")
_LOST_MEASURE_UNIT = {"项目": "个", "企业": "家"}
_LABEL_BEFORE = regex.compile(r"(?:年产|年加工|年处理|产能|日产|装机)[^，。；、]{0,6}$")
_LABEL_AFTER_NAME = regex.compile(r"^[^，。；、]{0,20}?项目")
_CHINESE_ONE = ("一", "壹")


def extract_counts(doc: Document) -> list[Mention]:
    """Every count in `doc`, in document order."""
    text = doc.text
    out: list[Mention] = []
    skip = grammar.not_counts()
    for m in grammar.scan(grammar.count_pattern(), grammar.count_runs(), text):
        num, mw = m.group("num"), m.group("mw")
        start, end = m.start("num"), m.end()
        if text.startswith(skip, m.start("mw")):
            continue  # 个月, 个工作日, 个百分点
        if start > 0 and (text[start - 1] in "第.-" or text[start - 1].isdigit()):
            continue  # ordinals (第4个) and pieces of longer numbers
        if start > 0 and text[start - 1] in "数几上" and not num[0].isdigit():
            continue  # 数百家, 几十个: vague
        if start > 0 and text[start - 1] == "前" and mw in ("位", "名"):
            continue  # 前两位, 前10名: a ranking
        if num in _CHINESE_ONE and not text.startswith("次会议", m.start("mw")):
            continue  # 一家, 一批: an article or a vague quantity (but 一次会议 is a session)
        if grammar.in_slogan(text, start):
            continue  # “两个确立”, 三位一体, 五个百亿产业
        if not num[0].isdigit() and numbers.inside_stop_word(text, start, m.end("num")):
            continue  # 四个意识, 千家万户: the numeral belongs to a set phrase
        if num in ("万", "亿"):
            continue  # 单位：万吨: a unit word, not a number
        value = parse_number(num)
        if value is None:
            continue
        if m.group("mult"):
            factor = numbers.multiplier_value(m.group("mult"))
            value = value * factor if factor is not None else value
        head = context.range_head(text, start)
        if head is not None and (head_value := parse_number(head[2])) is not None:
            # 3至5条: a range gives its bounds, the head at least, the tail at most
            out.append(replace(_mention(doc, head[0], head[1], head_value, mw, None), qualifier="ge"))
            out.append(replace(_mention(doc, start, end, value, mw, m.group("infix")), qualifier="le"))
            continue
        out.append(_mention(doc, start, end, value, mw, m.group("infix")))
    for m in _LOST_MEASURE.finditer(text):
        start, end = m.span("num")
        if any(c.char_start <= start < c.char_end for c in out):
            continue
        unit = _LOST_MEASURE_UNIT[m.group("noun")]
        out.append(_mention(doc, start, end, Decimal(m.group("num")), unit, None, noun_before=True))
    out.sort(key=lambda x: x.char_start)
    return out


def _mention(
    doc: Document, start: int, end: int, value: Decimal, unit: str, infix: str | None, *, noun_before: bool = False
) -> Mention:
    text = doc.text
    sentence = context.sentence_at(doc, start)
    s_start = sentence.char_start if sentence else 0
    c_start = context.clause_start(text, start, s_start)
    clause_head = text[c_start:start]
    after = "" if noun_before else context.subject_after(text, end)
    subject = after or context.clause_subject(clause_head)
    role = "fact"
    if _LABEL_BEFORE.search(text, max(0, start - 10), start) and _LABEL_AFTER_NAME.match(text[end : end + 24]):
        role = "label"  # 年产6万吨…项目: a capacity inside a project's name
    elif unit == "次" and text.startswith("会议", end):
        role = "label"  # 三次会议: a session number
    # The tail names the thing counted only when the noun follows the measure word (8个招商项目…签约).
    clause_tail = text[end : context.clause_end(text, end)] if after and role == "fact" else ""
    metric = context.metric_near("count", clause_head, clause_tail) if role == "fact" else None
    if metric is not None and not grammar.metric_takes_unit(metric, unit):
        metric = None  # 闲置用地10家: land is counted in 亩, not in 家
    return Mention(
        doc_id=doc.doc_id,
        kind="count",
        text=text[start:end],
        value=value,
        unit=unit,
        qualifier=context.qualifier_of(text, start, end, infix),  # type: ignore[arg-type]
        role=role,  # type: ignore[arg-type]
        status=context.status_at(text, start, s_start, c_start),  # type: ignore[arg-type]
        subject=subject or None,
        metric=metric,
        char_start=start,
        char_end=end,
    )
