"""Amounts of money: a number, a multiplier and a currency word, in exact base units.

`52.9亿元` → 5290000000 CNY; `9000万美元` → 90000000 USD; `亿元以上项目` → the
size class 100000000 CNY (role threshold); `10亿-50亿元` and `10亿50亿元` (the
separator lost) → two amounts.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from functools import cache

import regex
from govfacts.extractors import context, grammar, numbers
from govfacts.extractors.numbers import parse_number
from govfacts.pipeline.records import Document, Mention

__all__ = ["extract_amounts"]



@cache
def _range_head() -> regex.Pattern[str]:
    """A number (and multiplier) ending right before an amount: the head of a range."""
    return regex.compile(
        rf"(?P<num>{numbers.NUMBER_PATTERN})(?P<mult>{grammar.MULTIPLIER})?(?P<sep>[-—–~～至到]?)$", regex.VERBOSE
    )

_BOUND_BEFORE = ("超过", "超", "过", "逾", "突破", "近", "约", "上")
_BARE_MULTIPLIER = regex.compile(r"[十百千万亿]+")
_TRAILING_MULT = regex.compile(r"(?<=\d)(?:万亿|亿|千万|百万|十万|万)$")
_LIST_JOIN = regex.compile(r"(?:以上)?(?:、|和|及|或|与|[-—–~～至到])?")


def _value(num: str | None, mult: str | None) -> Decimal | None:
    if num is None:
        return numbers.multiplier_value(mult) if mult else None
    base = parse_number(num)
    if base is None:
        return None
    if mult:
        factor = numbers.multiplier_value(mult)
        return None if factor is None else base * factor
    return base


# The project extractor reads the same document's amounts right after `extract` did:
# remember the last document's (by identity; a Document is immutable).
_last: tuple[Document, tuple[Mention, ...]] | None = None


def extract_amounts(doc: Document) -> list[Mention]:
    """Every amount of money in `doc`, in document order."""
    global _last
    if _last is None or _last[0] is not doc:
        _last = (doc, tuple(_amounts(doc)))
    return list(_last[1])


def _amounts(doc: Document) -> list[Mention]:
    text = doc.text
    out: list[Mention] = []
    for m in grammar.scan(grammar.amount_pattern(), grammar.amount_runs(), text):
        num, mult, cur = m.group("num"), m.group("mult"), m.group("cur")
        if num is None and mult is None:
            continue  # a bare 元 is no amount
        start = m.start("num") if num is not None else (m.start("infix") if m.group("infix") else m.start("mult"))
        end = m.end()
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            continue  # inside a longer number the pattern could not take whole
        size_class = context.is_size_class(text, end)
        bare = num is None or _BARE_MULTIPLIER.fullmatch(num) is not None
        if bare and not (size_class or text[max(0, start - 2) : start].endswith(_BOUND_BEFORE)):
            continue  # 亿元 alone (单位：亿元) is a unit word, not an amount; 超百亿元 is one
        iso = grammar.currencies()[cur]
        value = _value(num, mult)
        if value is None and num is not None and (split := _split_lost_separator(num)):
            # `10亿50亿元`: a range whose separator was lost; the head takes this currency.
            head_end = start + split
            out.append(_mention(doc, start, head_end, _value(num[:split], None), iso, None))  # type: ignore[arg-type]
            start, num = head_end, num[split:]
            value = _value(num, mult)
        if value is None:
            continue
        # A range `10亿-50亿元`, `3-5亿元`: the head takes this amount's multiplier and
        # currency; as a fact the head is a lower bound and the tail an upper one.
        head = _range_head().search(text, max(0, start - 16), start) if _may_end_head(text, start) else None
        if head and head.group("num") and (head.group("sep") or head.group("mult")):
            head_mult = head.group("mult")
            if head_mult is None and _trailing_multiplier(head.group("num")) is None:
                head_mult = mult or _trailing_multiplier(num)  # 3-5亿元: the head shares the tail's 亿
            head_value = _value(head.group("num"), head_mult)
            if head_value is not None:
                head_end = head.end("mult") if head.group("mult") else head.end("num")
                bounds = not size_class and bool(head.group("sep"))
                head_m = _mention(doc, head.start(), head_end, head_value, iso, None)
                out.append(replace(head_m, qualifier="ge") if bounds and head_m.qualifier == "eq" else head_m)
                if bounds:
                    tail = _mention(doc, start, end, value, iso, m.group("infix"))
                    out.append(replace(tail, qualifier="le") if tail.qualifier == "eq" else tail)
                    continue
        out.append(_mention(doc, start, end, value, iso, m.group("infix"), size_class=size_class))
    return _propagate_thresholds(text, out)


def _may_end_head(text: str, start: int) -> bool:
    """Whether the character before `start` could end a range head: a number character,
    a range separator, or the newline before which `$` also matches."""
    return start > 0 and _head_end().match(text, start - 1) is not None


@cache
def _head_end() -> regex.Pattern[str]:
    return regex.compile(rf"[{numbers.number_chars()}—–~～至到\n]")


def _trailing_multiplier(num: str | None) -> str | None:
    """The multiplier written at the end of a number (`5亿` → `亿`), if any."""
    m = _TRAILING_MULT.search(num or "")
    return m.group() if m else None


def _split_lost_separator(num: str) -> int | None:
    """Where `10亿50亿` splits into two numbers that each parse, or None."""
    for i, ch in enumerate(num[:-1]):
        if ch in "万亿" and num[i + 1].isdigit():
            if parse_number(num[: i + 1]) is not None and parse_number(num[i + 1 :]) is not None:
                return i + 1
    return None


def _mention(
    doc: Document, start: int, end: int, value: Decimal, iso: str, infix: str | None, *, size_class: bool = False
) -> Mention:
    text = doc.text
    sentence = context.sentence_at(doc, start)
    s_start = sentence.char_start if sentence else 0
    qualifier = context.qualifier_of(text, start, end, infix)
    role = "threshold" if size_class else "fact"
    if size_class and qualifier == "eq":
        qualifier = "ge"  # 首个百亿元工业项目: the class is "at least"
    c_start = context.clause_start(text, start, s_start)
    subject = context.clause_subject(text[c_start:start])
    status = "actual" if role == "threshold" else context.status_at(text, start, s_start, c_start)
    return Mention(
        doc_id=doc.doc_id,
        kind="amount",
        text=text[start:end],
        value=value,
        unit=iso,
        qualifier=qualifier,  # type: ignore[arg-type]
        role=role,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        subject=subject or None,
        metric=None if role != "fact" else context.metric_of("amount", subject),
        char_start=start,
        char_end=end,
    )


def _propagate_thresholds(text: str, mentions: list[Mention]) -> list[Mention]:
    """`50亿元、100亿元产业大项目`: an amount listed before a size class is one too."""
    out = list(mentions)
    for i in range(len(out) - 2, -1, -1):
        a, b = out[i], out[i + 1]
        if a.role == "fact" and b.role == "threshold" and _LIST_JOIN.fullmatch(text[a.char_end : b.char_start]):
            out[i] = _as_threshold(a)
    return out


def _as_threshold(m: Mention) -> Mention:
    return replace(m, role="threshold", status="actual", metric=None, qualifier="ge" if m.qualifier == "eq" else m.qualifier)
