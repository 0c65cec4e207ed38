"""Find the time expressions of a normalized text and resolve each to an ISO period."""

from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Literal

import regex
from govfacts.lexicons import LexiconError, load_table
from govfacts.pipeline.records import Document, Mention

__all__ = ["TimeKind", "TimeExpr", "find_time_expressions", "extract_dates", "infer_reference_year", "document_time_expressions"]

TimeKind = Literal[
    "day",
    "days",
    "month",
    "months",
    "quarter",
    "half",
    "year",
    "ytd",
    "cutoff",
    "since",
    "relative_year",
    "year_ago",
]

_WORDS = "period_words.tsv"
_NUMERALS = "date_numerals.tsv"

# A sentence end closes the scope of 去年 (unless inside a title or an expression).
_SENTENCE_ENDS = "。！？!?；;\n"
_SENTENCE_END = re.compile(f"[{_SENTENCE_ENDS}]")

# After these a qualifier word (2019年度, 当年) still reads as a date row: a pause, or the end.
_PAUSES = frozenset("，,、：:；;。！？!?）)”\n ")

# A bare month or day this far after publication is last year's (12月28日 in a January paper).
_NEAREST_YEAR_SLACK = timedelta(days=183)


@dataclass(frozen=True, slots=True)
class TimeExpr:
    """A time expression of a text and the period it denotes.

    `text == source[char_start:char_end]`. `period_start`/`period_end` are None when the
    expression cannot be resolved without guessing (a relative word and no date to anchor it).
    """

    text: str
    char_start: int
    char_end: int
    period_start: date | None
    period_end: date | None
    kind: TimeKind
    cumulative: bool  # a year-to-date window: 1-8月, 前三季度, 截至X月底, 今年以来
    explicit_year: int | None  # the year written in the expression, if any


# ---------------------------------------------------------------- lexicon


@dataclass(frozen=True, slots=True)
class _Vocab:
    """The lexicon rows the pattern and the resolver need, indexed."""

    by_class: dict[str, tuple[str, ...]]
    value: dict[str, str]
    needs_pause: frozenset[str]
    numerals: dict[str, int]
    count_only: frozenset[str]
    year_digits: dict[str, int]


@cache
def _vocab() -> _Vocab:
    """Load `period_words.tsv` and `date_numerals.tsv` once."""
    rows = load_table(_WORDS, ("word", "class", "value", "pause", "note"), key="word")
    by_class: dict[str, list[str]] = {}
    for row in rows:
        by_class.setdefault(row["class"], []).append(row["word"])
        if row["class"] in ("rel_year", "rel_day") and not _ANCHOR.fullmatch(row["value"]):
            raise LexiconError(
                f"{_WORDS}: {row['word']!r} has value {row['value']!r}, not ANCHOR±N"
            )
    nums = load_table(_NUMERALS, ("numeral", "value", "use"), key="numeral")
    return _Vocab(
        by_class={k: tuple(v) for k, v in by_class.items()},
        value={r["word"]: r["value"] for r in rows},
        needs_pause=frozenset(r["word"] for r in rows if r["pause"] == "yes"),
        numerals={r["numeral"]: int(r["value"]) for r in nums if r["use"] in ("any", "count")},
        count_only=frozenset(r["numeral"] for r in nums if r["use"] == "count"),
        year_digits={
            r["numeral"]: int(r["value"])
            for r in nums
            if len(r["numeral"]) == 1 and int(r["value"]) < 10
        },
    )


_ANCHOR = regex.compile(r"(published|context|mentioned)([+-]\d+)")


def _alt(words: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _numerals(v: _Vocab, low: int, high: int, *, counts: bool = False) -> str:
    """An alternation of the Chinese numerals whose value lies in [low, high]."""
    return _alt(
        [n for n, x in v.numerals.items() if low <= x <= high and (counts or n not in v.count_only)]
    )


@cache
def _pattern() -> re.Pattern[str]:
    """The one pattern scanned over a text: titles, time expressions, vague words.

    Nothing in it starts at a sentence end, so `find_time_expressions` finds those apart.

    It uses only what the standard `re` supports, and `re` scans it over two times
    faster than `regex` (this scan is most of the date extractor's time).
    """
    v = _vocab()
    w = v.by_class
    numchars = "".join(sorted({c for n in v.numerals for c in n} | set(v.year_digits)))
    month = rf"(?:1[0-2]|0?[1-9]|{_numerals(v, 1, 12)})"
    day = rf"(?:3[01]|[12][0-9]|0?[1-9]|{_numerals(v, 1, 31)})"
    quarter = rf"(?:[1-4]|{_numerals(v, 1, 4, counts=True)})"
    count = rf"(?:1[0-2]|[1-9]|{_numerals(v, 1, 12, counts=True)})"
    ydigit = "".join(sorted(v.year_digits))
    year = rf"(?:(?:19|20)[0-9]{{2}}|[一二][{ydigit}]{{3}})"
    dash = _alt(w["range"])
    lst = _alt(w["list"])
    dayw = f"[{''.join(w['day_word'])}]"
    base = {"《", "年", "第", *"0123456789", *numchars}
    words = {x for c in ("cutoff", "rel_year", "rel_day", "first", "half", "full_year", "vague", "blocker") for x in w[c]}
    starters = base | {x[0] for x in words}
    if not starters.isdisjoint(_SENTENCE_ENDS):
        raise LexiconError(f"{_WORDS}: a word starts with a sentence end ({_SENTENCE_ENDS!r})")
    first = regex.escape("".join(sorted(starters)), special_only=False)
    # Where a match starts with a word, the text holds the word's first two characters:
    # 目 (of 目前) is everywhere, 目前 seldom, and each try of the whole pattern is dear.
    openings = _alt(sorted({x[:2] for x in words if x[0] not in base}))
    base_chars = regex.escape("".join(sorted(base)), special_only=False)
    # Every alternative that starts with a digit looks behind it for no digit: a digit after
    # a digit (inside 2023, 52.9) starts nothing unless a lexicon word begins with a digit.
    if any(x[0].isascii() and x[0].isdigit() for x in words):
        raise LexiconError(f"{_WORDS}: a word starts with a digit")
    return re.compile(
        rf"""
        (?=[{first}])                                     # cheap test: only these can start a match
        (?!(?<=[0-9])[0-9])                               # inside a number: no match starts
        (?=[{base_chars}]|{openings})                     # a finer one: a number, or a word's opening
        (?:
          (?P<title>《[^《》\n]{{1,80}}》)                  # a book or document title: a name
        | (?P<skip>{_alt(w["vague"] + w["blocker"])})     # vague words and look-alikes: dropped,
          (?!{dayw})                                      #   unless a day follows (一月一日)
        | (?P<expr>
            (?P<cut>{_alt(w["cutoff"])})?                 # 截至: 1 Jan to the end of what follows
            (?:
              (?<![0-9.])(?P<iso_y>(?:19|20)[0-9]{{2}})   # an ISO-like date: year
              (?P<iso_sep>[-/.])(?P<iso_m>1[0-2]|0?[1-9]) #   separator, month
              (?P=iso_sep)(?P<iso_d>3[01]|[12][0-9]|0?[1-9])(?![0-9])  # same separator, day
            |
              (?P<ypart>
                (?<![0-9.{numchars}])(?P<y1>{year})       # a written year: 2023, 二〇二三
                (?:年?(?:{dash})(?P<y2>{year}))?          #   or a span of years: 2021-2025年
                年(?P<yq>{_alt(w["year_qualifier"])})?    #   年, maybe 年度
              | (?P<rel>{_alt(w["rel_year"])})            # a relative year: 今年, 去年, 当年
              )?
              (?P<body>
                (?<![0-9.{numchars}第每])                 # a month number starts here
                (?P<dm>{month})月(?P<dd>{day}){dayw}      # a day: 9月9日
                (?:(?:{dash})                             #   maybe a range of days:
                   (?:(?P<dy2>{year})年)?                 #     to a year,
                   (?:(?P<dm2>{month})月)?                #     a month,
                   (?P<dd2>{day}){dayw})?                 #     and a day: 9月9日-10日
              | (?<![0-9.{numchars}第每])                 # a month number starts here
                (?P<mm>{month})                           # a month: 6月
                (?:月?(?:{dash}|{lst})                    #   maybe a range of months:
                   (?:(?P<my2>{year})年)?                 #     to a year
                   (?P<mm2>{month}))?                     #     and a month: 1-6月, 1至9月
                月(?:{_alt(w["month_suffix"])})?          #   月, maybe 月份
                (?P<xun>{_alt(w["xun"])})?                #   maybe 上旬/中旬/下旬
              | {_alt(w["first"])}(?P<fn>{count})个?月    # the first N months: 前10个月
                (?:{_alt(w["month_suffix"])})?
              | (?P<qfirst>{_alt(w["first"])})?第?        # a quarter, or the first N: 前三季度
                (?<![0-9{numchars}])(?P<q1>{quarter})     #   its number: 一季度, 第4季度
                (?:(?:{dash}|{lst})第?(?P<q2>{quarter}))? #   maybe a range: 一至三季度, 一、二季度
                个?{_alt(w["quarter"])}                   #   季度
              | (?P<half>{_alt(w["half"])})               # a half year: 上半年, 下半年
              | (?P<full>{_alt(w["full_year"])})          # the whole year in context: 全年
              | (?<![0-9{numchars}])                      # a bare year edge, not after a number:
                年(?P<yedge>{_alt(w["edge"])})            #   年底, 年末, 年初
              | (?P<relday>{_alt(w["rel_day"])})          # a relative day: 昨日
              )?
              (?(ypart)|(?(body)|(?!)))                   # a year or a body must be there
              (?:
                (?P<edge>{_alt(w["edge"])})               # its end or start: 6月底, 3月初
              | (?P<since>{_alt(w["since"])})             # from it to publication: 今年以来
              | (?P<ago>{_alt(w["year_ago"])})            # the same window that year: 去年同期
              )?
            )
          )
        )
        """,
        re.VERBOSE,
    )


# ---------------------------------------------------------------- calendar helpers


def _month_end(y: int, m: int) -> date:
    """The last day of a month."""
    return date(y, m, calendar.monthrange(y, m)[1])


def _day(y: int, m: int, d: int) -> date | None:
    """A date, or None when the day does not exist (2月30日)."""
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _move_year(d: date, y: int) -> date:
    """The same calendar day in year `y`, keeping a month end a month end (29 Feb ↔ 28 Feb)."""
    if d == _month_end(d.year, d.month):
        return _month_end(y, d.month)
    return date(y, d.month, d.day)


def _num(s: str) -> int:
    """The value of an Arabic or Chinese numeral."""
    return int(s) if s.isascii() else _vocab().numerals[s]


def _year_num(s: str) -> int:
    """The value of a year written in Arabic digits or in characters (二〇二三)."""
    if s.isascii():
        return int(s)
    digits = _vocab().year_digits
    return int("".join(str(digits[c]) for c in s))


# ---------------------------------------------------------------- resolution


@dataclass(slots=True)
class _Context:
    """What the text has said about years so far (local to one call)."""

    published: date | None
    # the year a bare 6月/全年/一季度 belongs to
    context_year: int | None
    # whether that year was written or named in the text (not taken from publication)
    from_text: bool
    # the last year written in digits: anchors 今年 when there is no publication date
    explicit_year: int | None
    mentioned_year: int | None = None  # the last year named in any way (anchors 新的一年)
    reference_year: int | None = None  # the year of writing inferred from the text, when unpublished
    scoped_year: int | None = None  # a 去年 of the current sentence
    last_window: tuple[date, date] | None = None  # the last resolved period (for 去年同期)

    def bare_year(self) -> int | None:
        """The year of an expression that does not name one."""
        return self.scoped_year if self.scoped_year is not None else self.context_year


def _relative_year(word: str, ctx: _Context) -> int | None:
    """The year a relative year word denotes."""
    anchor, offset = _ANCHOR.fullmatch(_vocab().value[word]).groups()  # type: ignore[union-attr]
    n = int(offset)
    if anchor == "published":
        base = ctx.published.year if ctx.published else (ctx.reference_year or ctx.explicit_year)
    elif anchor == "context":
        base = ctx.bare_year()
    elif ctx.published:  # 新的一年: the year of publication, the next one for a December paper
        base, n = ctx.published.year, (1 if ctx.published.month == 12 else 0)
    elif ctx.reference_year is not None:  # the new year is the year of writing, inferred
        base, n = ctx.reference_year, 0
    else:  # without a publication date: the year after the last year named
        base = ctx.mentioned_year
    return None if base is None else base + n


def _edge(start: date, end: date, kind: TimeKind, which: str) -> tuple[date, date, TimeKind]:
    """The end (底/末) or the start (初) of a window."""
    if which == "last":
        return end, end, "day"
    if kind in ("month", "months"):
        return start, start + timedelta(days=9), "days"
    return start, _month_end(start.year, start.month), "month"


def _body(m: re.Match[str], y: int) -> tuple[date | None, date | None, TimeKind, bool]:
    """Resolve the body of an expression within year `y`: (start, end, kind, cumulative)."""
    v = _vocab()
    if m.group("dm"):
        mo, d = _num(m.group("dm")), _num(m.group("dd"))
        start = _day(y, mo, d)
        if not m.group("dd2"):
            return start, start, "day", False
        y2 = _year_num(m.group("dy2")) if m.group("dy2") else y
        m2 = _num(m.group("dm2")) if m.group("dm2") else mo
        end = _day(y2, m2, _num(m.group("dd2")))
        if start and end and end < start and not m.group("dy2"):
            end = _day(y + 1, m2, end.day)
        return start, end, "days", False
    if m.group("mm"):
        m1 = _num(m.group("mm"))
        if m.group("xun"):
            lo, _, hi = v.value[m.group("xun")].partition("-")
            first = date(y, m1, int(lo))
            last = date(y, m1, int(hi)) if hi else _month_end(y, m1)
            return first, last, "days", False
        if not m.group("mm2"):
            return date(y, m1, 1), _month_end(y, m1), "month", False
        m2 = _num(m.group("mm2"))
        y2 = _year_num(m.group("my2")) if m.group("my2") else (y + 1 if m2 < m1 else y)
        ytd = m1 == 1 and y2 == y
        return date(y, m1, 1), _month_end(y2, m2), ("ytd" if ytd else "months"), ytd
    if m.group("fn"):
        return date(y, 1, 1), _month_end(y, min(_num(m.group("fn")), 12)), "ytd", True
    if m.group("q1"):
        q1, q2 = _num(m.group("q1")), _num(m.group("q2")) if m.group("q2") else None
        if m.group("qfirst"):
            q1, q2 = 1, q1
        q2 = q2 or q1
        if not 1 <= q1 <= q2 <= 4:
            return None, None, "quarter", False
        ytd = q1 == 1 and q2 > 1
        return date(y, 3 * q1 - 2, 1), _month_end(y, 3 * q2), ("ytd" if ytd else "quarter"), ytd
    if m.group("half"):
        first = v.value[m.group("half")] == "1"
        return date(y, 1 if first else 7, 1), _month_end(y, 6 if first else 12), "half", False
    if m.group("yedge"):
        first_day, last_day, kind = _edge(
            date(y, 1, 1), date(y, 12, 31), "year", v.value[m.group("yedge")]
        )
        return first_day, last_day, kind, False
    return date(y, 1, 1), date(y, 12, 31), "year", False  # 全年


def _resolve(m: re.Match[str], ctx: _Context) -> TimeExpr:
    """Resolve one matched expression against the context, then update the context."""
    v = _vocab()
    start: date | None = None
    end: date | None = None
    kind: TimeKind
    cumulative = False
    explicit: int | None = None
    year: int | None = None
    sets_context = scoped = False
    rel = m.group("rel")
    if m.group("iso_y"):
        explicit = int(m.group("iso_y"))
        start = end = _day(explicit, int(m.group("iso_m")), int(m.group("iso_d")))
        kind, sets_context = "day", True
    else:
        if m.group("y1"):
            explicit = year = _year_num(m.group("y1"))
            sets_context = True
        elif rel:
            year = _relative_year(rel, ctx)
            anchor, offset = _ANCHOR.fullmatch(v.value[rel]).groups()  # type: ignore[union-attr]
            sets_context = anchor != "context" and int(offset) >= 0
            scoped = anchor == "published" and int(offset) < 0
        else:
            year = ctx.bare_year()
        if m.group("relday"):
            kind = "day"
            if ctx.published:
                start = end = ctx.published + timedelta(
                    days=int(_ANCHOR.fullmatch(v.value[m.group("relday")])[2])
                )
        elif m.group("body") is not None:
            if year is not None:
                start, end, kind, cumulative = _body(m, year)
            else:  # the kind is known even when the year is not (a leap year keeps 2月29日 valid)
                _, _, kind, cumulative = _body(m, 2000)
            if m.group("full") and not m.group("ypart"):
                kind = "relative_year"
            # a month-level date (not 年底 or 全年) with only the publication year to go by
            near = bool(m.group("dm") or m.group("mm") or m.group("fn"))
            if (
                near
                and end
                and not m.group("ypart")
                and ctx.scoped_year is None
                and not ctx.from_text
                and ctx.published
                and end > ctx.published + _NEAREST_YEAR_SLACK
            ):
                start, end = (
                    _move_year(start, start.year - 1) if start else None,
                    _move_year(end, end.year - 1),
                )
        else:
            kind = "year" if explicit is not None else "relative_year"
            if year is not None:
                last = _year_num(m.group("y2")) if m.group("y2") else year
                start, end = date(year, 1, 1), date(last, 12, 31)
        if m.group("edge") and start and end:
            start, end, kind = _edge(start, end, kind, v.value[m.group("edge")])
        elif m.group("since"):
            kind, sets_context, scoped = "since", False, False
            end = ctx.published
            cumulative = bool(
                start and end and (start.month, start.day) == (1, 1) and start.year == end.year
            )
        elif m.group("ago"):
            kind, sets_context, scoped = "year_ago", False, False
            if m.group("body") is None:
                if year is not None and ctx.last_window is not None:
                    first_day, last_day = ctx.last_window
                    shift = year - first_day.year
                    start = _move_year(first_day, first_day.year + shift)
                    end = _move_year(last_day, last_day.year + shift)
                else:
                    start = end = None
    if m.group("cut"):
        start, kind, cumulative = (date(end.year, 1, 1) if end else None), "cutoff", True
    if m.group("yq") and not _before_pause(m.string, m.end("expr")):
        sets_context = False  # 2019年度考核: a qualifier of a name, not the year in context
    # update the context for what follows
    if year is not None or explicit is not None:
        named = explicit if explicit is not None else year
        if sets_context:
            ctx.context_year, ctx.from_text, ctx.scoped_year = named, True, None
            ctx.mentioned_year = named
        elif scoped:
            ctx.scoped_year = ctx.mentioned_year = named
    if explicit is not None and kind not in ("since", "year_ago"):
        ctx.explicit_year = explicit
    if start and end and kind != "year_ago":
        ctx.last_window = (start, end)
    a, b = m.span("expr")
    return TimeExpr(m.group("expr"), a, b, start, end, kind, cumulative, explicit)


_YEAR_WRITTEN = regex.compile(r"(?<![\d〔\[（(])((?:19|20)\d{2})(?![\d〕\]])(年以来)?")
_TITLE = regex.compile(r"《[^》]{0,80}》")


def infer_reference_year(text: str) -> int | None:
    """The year a text without a publication date was written in, read from the years it names.

    The latest year written is taken as the year of writing, except that `Y年以来`
    (since Y) is said after Y: a writer inside Y says 今年以来. Years inside 《》
    titles and document numbers (〔2020〕) do not count. None when no year is written.

    >>> infer_reference_year("2021年以来，开发区…去年…新的一年")
    2022
    >>> infer_reference_year("在2022中国（濉溪）铝基新材料论坛上签约") is None
    False
    """
    best: tuple[int, bool] | None = None
    for m in _YEAR_WRITTEN.finditer(_TITLE.sub(lambda t: " " * len(t.group()), text)):
        year, since = int(m.group(1)), bool(m.group(2))
        if best is None or year > best[0] or (year == best[0] and since):
            best = (year, since)
    if best is None:
        return None
    return best[0] + 1 if best[1] else best[0]


def find_time_expressions(
    text: str, *, published: date | None, anchor_year: int | None = None, reference_year: int | None = None
) -> list[TimeExpr]:
    """Every time expression of a normalized text, longest first, resolved to a period.

    Relative words (今年, 去年, 今年以来, 昨日) resolve against `published`; when it is None,
    against the last year written earlier in the text (or `anchor_year`). A bare month,
    quarter or 全年 takes the year in context: the last year written or named (去年 only for
    the rest of its sentence), else `anchor_year`, else the year of `published`. Nothing is
    ever resolved against the wall clock: what cannot be anchored stays None.

    Expressions inside 《》 titles, vague words (目前, 近年来, 今天) and look-alikes
    (提前三个月, 以上年产值) are skipped.

    Args:
        text: the normalized (Simplified, half-width) text.
        published: the publication date, if known.
        anchor_year: a year the caller knows the text is about, used before any year is written.
        reference_year: with no `published`, the year of writing (see `infer_reference_year`):
            relative words (今年, 去年, 新的一年) resolve against it.

    Returns:
        The expressions in text order.

    >>> [(e.text, str(e.period_start), str(e.period_end)) for e in
    ...  find_time_expressions("今年1-5月，增长5%。", published=date(2023, 6, 12))]
    [('今年1-5月', '2023-01-01', '2023-05-31')]
    """
    start_year = anchor_year if anchor_year is not None else (published.year if published else None)
    ctx = _Context(published, start_year, anchor_year is not None, anchor_year)
    ctx.reference_year = None if published else reference_year
    out: list[TimeExpr] = []
    ends = [e.start() for e in _SENTENCE_END.finditer(text)]
    k = 0  # the first sentence end not yet passed
    for m in _pattern().finditer(text):
        a, b = m.span()
        if k < len(ends) and ends[k] < a:
            ctx.scoped_year = None  # a sentence end between the last match and this one
        k = bisect.bisect_left(ends, b, k)  # those inside a title or an expression count for nothing
        if m.lastgroup == "expr":  # the alternative that matched: its group closes last
            out.append(_resolve(m, ctx))
    return out


@cache
def _pause_words() -> tuple[str, ...]:
    """Endings of expressions that are date rows only before a pause: 2019年度, 当年."""
    v = _vocab()
    qualifiers = set(v.by_class["year_qualifier"])
    return tuple(("年" + w) if w in qualifiers else w for w in sorted(v.needs_pause))


def _before_pause(text: str, at: int) -> bool:
    """Whether `text[at]` is a pause or the end of the text."""
    return at >= len(text) or text[at] in _PAUSES


def _is_date_row(e: TimeExpr, text: str) -> bool:
    """Whether an expression is a date row: 2019年度 and 当年 glued to a metric name are not."""
    if e.explicit_year is not None:
        return True  # 2019年度招商引资工作: a written year is a date whatever follows
    v = _vocab()
    if e.text in v.value and e.text not in v.needs_pause:
        return True  # 下年度, 新一年度: a relative year word of its own
    return not e.text.endswith(_pause_words()) or _before_pause(text, e.char_end)


@lru_cache(maxsize=8)  # extract and resolve ask for the same document in turn
def _document_times(text: str, published: date | None) -> tuple[TimeExpr, ...]:
    ref = None if published else infer_reference_year(text)
    return tuple(find_time_expressions(text, published=published, anchor_year=ref, reference_year=ref))


def document_time_expressions(doc: Document) -> list[TimeExpr]:
    """The time expressions of a document, resolved against its publication date or,
    when it has none, against the year of writing its text implies."""
    return list(_document_times(doc.text, doc.published))


def extract_dates(doc: Document) -> list[Mention]:
    """The date rows of a document: one mention per time expression, in text order."""
    text = doc.text
    out: list[Mention] = []
    for e in document_time_expressions(doc):
        if not _is_date_row(e, text):
            continue
        orig_start, orig_end = doc.aligned.orig_span(e.char_start, e.char_end)
        out.append(
            Mention(
                doc_id=doc.doc_id,
                kind="date",
                text=e.text,
                value=None,
                unit="date",
                period_start=e.period_start,
                period_end=e.period_end,
                published=doc.published,
                char_start=e.char_start,
                char_end=e.char_end,
                orig_start=orig_start,
                orig_end=orig_end,
            )
        )
    return out
