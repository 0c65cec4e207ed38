"""Growth rates and shares: a percentage, multiple (倍) or tenths (成) and the cue that says which.

`同比增长147.7%` and `下降5.2%` (→ −5.2) are growth; `占80.29%`, `占比18.6%` and
`完成年度目标任务的41.5%` are shares. The nearest cue before the number in its
clause decides (then the sentence); the cues live in `lexicons/rate_cues.tsv`.
"""

from __future__ import annotations

from decimal import Decimal

from govfacts.extractors import context, grammar
from govfacts.extractors.numbers import parse_number
from govfacts.pipeline.records import Document, Mention

__all__ = ["extract_rates", "rate_kind"]

_TENTHS = Decimal(10)
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def rate_kind(text: str, start: int, floor: int) -> tuple[str, int]:
    """(growth|share, sign) from the nearest cue before `start`, clause first, then sentence."""
    for lo in (context.clause_start(text, start, floor), floor):
        best_end, best_len, best = -1, 0, None
        for cue in grammar.rate_cues():
            for m in cue.pattern.finditer(text, lo, start):
                if m.end() > best_end or (m.end() == best_end and m.end() - m.start() > best_len):
                    best_end, best_len, best = m.end(), m.end() - m.start(), cue
        if best is not None:
            return best.kind, best.sign
    return ("share", 1) if text[max(0, start - 1) : start] in ("的", "占") else ("growth", 1)


def extract_rates(doc: Document) -> list[Mention]:
    """Every growth rate and share in `doc`, in document order."""
    text = doc.text
    out: list[Mention] = []
    for m in grammar.scan(grammar.rate_pattern(), grammar.rate_runs(), text):
        start, end = m.span()
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            continue
        if grammar.in_slogan(text, start):
            continue  # 百分之百的热情
        if m.group("frac"):
            out.extend(_fraction(doc, m))
            continue
        num = m.group("num")
        unit = m.group("unit") or "%"
        raw = num.replace("−", "-")
        negative = raw.startswith("-")
        value = parse_number(raw.lstrip("-"))
        if value is None:
            continue
        if unit == "成":
            value, unit = value * _TENTHS, "%"
        if negative:
            value = -value
        sentence = context.sentence_at(doc, start)
        s_start = sentence.char_start if sentence else 0
        c_start = context.clause_start(text, start, s_start)
        kind, sign = rate_kind(text, start, s_start)
        if unit == "倍" and kind == "share":
            kind = "growth"
        if sign < 0 and value > 0:
            value = -value
        out.append(
            Mention(
                doc_id=doc.doc_id,
                kind=kind,  # type: ignore[arg-type]
                text=text[start:end],
                value=value,
                unit=unit,
                qualifier=context.qualifier_of(text, start, end),  # type: ignore[arg-type]
                role="fact",
                status=context.status_at(text, start, s_start, c_start),  # type: ignore[arg-type]
                subject=context.clause_subject(text[c_start:start]) or None,
                char_start=start,
                char_end=end,
            )
        )
    return out


def _fraction(doc: Document, m) -> list[Mention]:
    """`三分之一以上的时间`: a fraction is a share, in percent rounded to two places."""
    text = doc.text
    start, end = m.span()
    value = parse_number(m.group("frac"))
    if value is None:
        return []
    sentence = context.sentence_at(doc, start)
    s_start = sentence.char_start if sentence else 0
    return [
        Mention(
            doc_id=doc.doc_id,
            kind="share",
            text=text[start:end],
            value=(value * _HUNDRED).quantize(_CENT),
            unit="%",
            qualifier=context.qualifier_of(text, start, end),  # type: ignore[arg-type]
            status=context.status_of(text, start, s_start),  # type: ignore[arg-type]
            subject=context.subject_before(text, start, s_start) or None,
            char_start=start,
            char_end=end,
        )
    ]
