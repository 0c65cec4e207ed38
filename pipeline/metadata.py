"""Read a document's title, publication date and publishing organisation from its normalized text.

Works on the NORMALIZED text (Simplified, half-width digits) and never looks at
the clock: a document with no date in it has `published=None`. The cue words
(labels such as 发布时间/来源, dateline words, organisation-name endings) are
data in `lexicons/metadata_cues.tsv` and `lexicons/metadata_org_suffixes.tsv`.

Publication date, first rule that fires wins:

1. a labelled date anywhere (`发布时间:2020-09-23 19:42`, `发布日期：2023年5月6日`);
2. a bare `时间：`/`日期：` label or a page-header line (`2023-05-06 来源：…`) in the head;
3. a dateline (`本报讯（记者 张三）2023年5月6日`, `…2023年3月5日电`); month/day only is not enough;
4. a signature at the end: an organisation line followed by a date line (also the
   damaged `202268` when it is the very last line);
5. else the latest full date in the text, with `published_inferred=True`.

>>> m = extract_metadata("某市招商新进展\\n发布时间:2023-05-06 09:47 来源:某市商务局\\n正文。")
>>> m.title, m.published, m.source_org
('某市招商新进展', datetime.date(2023, 5, 6), '某市商务局')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

import regex
from govfacts.lexicons import load_table

__all__ = ["Metadata", "Words", "extract_metadata", "published_from_url", "parse_date"]

HEAD_LINES = 15  # non-empty lines of the page head where bare labels and header lines count
DATELINE_LINES = 4  # non-empty lines (after the title) where a dateline may open the story
TAIL_LINES = 6  # last non-empty lines searched for a signature
MAX_TITLE = 60  # longest line taken as a headline, in characters
MIN_TITLE = 4
MAX_ORG = 30  # longest organisation name
MIN_ORG = 4
MAX_NAV_SKIP = 3  # breadcrumb lines skipped before the headline
MIN_YEAR, MAX_YEAR = 1949, 2100
# The dateline lines after the headline lie within the head, which is all that is read of it.
assert MAX_NAV_SKIP + 1 + DATELINE_LINES <= HEAD_LINES

# The digits of a date written out in Chinese numerals (二〇二三年六月十二日).
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}

# A fully specified Gregorian date in running text.
_FULL_DATE = regex.compile(
    r"""
    (?<![\d.])                               # not the tail of a longer number
    (?P<y>(?:19|20)\d{2}) \s*                # four-digit year
    (?:
        年 \s* (?P<m1>\d{1,2}) \s* 月         # 2023年5月
        \s* (?P<d1>\d{1,2}) \s* [日号]        # 6日 / 6号
      | (?P<sep>[-/.])                       # 2023-05-06, 2023/5/6, 2023.5.6
        (?P<m2>\d{1,2}) (?P=sep)             # month, same separator twice
        (?P<d2>\d{1,2}) (?![\d%])            # day, not followed by more digits
        (?!\.\d)                             # nor by a decimal part
    )
    """,
    regex.VERBOSE,
)

# A date written out in Chinese numerals, as on signed official documents.
_CN_DATE = regex.compile(
    r"""
    (?P<y>[〇零一二三四五六七八九]{4}) 年      # 二〇二三年
    (?P<m>[一二三四五六七八九十]{1,2}) 月      # 六月 / 十二月
    (?P<d>[一二三四五六七八九十]{1,3}) [日号]  # 十二日 / 三十一日
    """,
    regex.VERBOSE,
)

# A signature date whose separators were lost (202268 = 2022-6-8).
_COMPACT_DATE = regex.compile(
    r"""
    (?P<y>(?:19|20)\d{2})                   # year
    (?P<md>\d{2,4})                          # month and day run together
    """,
    regex.VERBOSE,
)

# A date field given as a whole value (manifest cell, table row, HTML meta).
_DATE_VALUE = regex.compile(
    r"""
    \s* (?P<y>\d{4}) \s*                     # year
    [-/.年] \s* (?P<m>\d{1,2}) \s*           # month after - / . or 年
    [-/.月] \s* (?P<d>\d{1,2}) \s* [日号]?   # day after - / . or 月
    (?: [\sT] .* )?                          # an optional time or zone
    """,
    regex.VERBOSE | regex.DOTALL,
)

# Dates in URL paths, most specific first.
_URL_DATES: tuple[regex.Pattern[str], ...] = (
    regex.compile(
        r"""
        [/_]t (?P<y>(?:19|20)\d{2}) (?P<m>\d{2}) (?P<d>\d{2})   # /202410/t20241021_…
        (?=[_./])                                               # ends the token
        """,
        regex.VERBOSE,
    ),
    regex.compile(
        r"""
        (?<=[/_-]) (?P<y>(?:19|20)\d{2}) (?P<m>\d{2}) (?P<d>\d{2})   # /20240206/
        (?=[/_.-])                                                  # a whole path token
        """,
        regex.VERBOSE,
    ),
    regex.compile(
        r"""
        / (?P<y>(?:19|20)\d{2}) - (?P<m>\d{1,2})                # /2024-10
        / (?P<d>\d{1,2}) /                                      # /21/
        """,
        regex.VERBOSE,
    ),
    regex.compile(
        r"""
        / (?P<y>(?:19|20)\d{2}) / (?P<m>\d{1,2})                # /art/2023/5
        / (?P<d>\d{1,2}) /                                      # /22/
        """,
        regex.VERBOSE,
    ),
)

# A line made only of Han characters (and brackets): the shape of an organisation name.
_ORG_SHAPE = regex.compile(r"[\p{Han}（）()·]+")
# What a headline never has: a full stop or semicolon, a clause-final mark, a subtitle dash.
_NOT_HEADLINE = regex.compile(
    r"""
    [。；;]                # a sentence or clause inside
    | [：:，,、] \Z        # a line that goes on
    | \A (?:——|--)         # a subtitle (——访…)
    """,
    regex.VERBOSE,
)
# A speaker turn (`主持人：`, `记者:`) opening a line.
_SPEAKER_TURN = regex.compile(r"\A[\p{Han}A-Za-z·]{1,10}[：:]")
_HAN = regex.compile(r"\p{Han}")


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a document's text says about itself."""

    title: str | None = None
    published: date | None = None
    published_inferred: bool = False  # True when `published` is only the latest date in the text
    source_org: str | None = None
    published_span: tuple[int, int] | None = None  # span of the date in the text


@dataclass(frozen=True, slots=True)
class _Line:
    text: str  # stripped
    char_start: int  # offset of `text` in the document


@dataclass(frozen=True, slots=True)
class _Patterns:
    published_label: regex.Pattern[str]
    head_label: regex.Pattern[str]
    source_label: regex.Pattern[str]
    meta_label: regex.Pattern[str]
    meta_word: regex.Pattern[str]
    nav_line: regex.Pattern[str]
    dateline_open: regex.Pattern[str]
    dateline_close: regex.Pattern[str]
    org_suffix: regex.Pattern[str]
    # The label words alone: a text without one cannot match `published_label`/`source_label`.
    published_word: Words
    source_word: Words
    head_word: Words
    # All of them as one `re` literal alternation (2x a `regex` pass): with a dozen last
    # characters, `Words` would cost more on a long line.
    label_word: re.Pattern[str]


class Words:
    """A set of literal words, asked only whether one of them occurs in a stretch of text.

    Each word is looked for through its last two characters (the anchor): a
    `str.find` of two characters runs ~7x a `re` pass over an alternation of Han
    words (which tests every character against the words' first characters), and
    the places it stops at are checked with `startswith`. Labels share a few
    endings (发布时间/发表时间, 信息来源/来源), and an ending is rarer in text than
    a single character of it (期 and 间 alone stop at every 一期, 期间), so the
    search takes a few passes that stop at few places.
    """

    __slots__ = ("anchors",)

    def __init__(self, words: list[str]) -> None:
        by_end: dict[str, list[tuple[int, str]]] = {}
        for w in sorted(set(words)):
            by_end.setdefault(w[-2:], []).append((len(w) - len(w[-2:]), w))
        self.anchors = tuple((end, tuple(found)) for end, found in by_end.items())

    def found(self, text: str, pos: int = 0, endpos: int | None = None) -> bool:
        """One of the words lies wholly inside `text[pos:endpos]`."""
        end = len(text) if endpos is None else endpos
        find, startswith = text.find, text.startswith
        for anchor, words in self.anchors:
            i = find(anchor, pos, end)
            while i >= 0:
                for j, w in words:
                    if i - j >= pos and startswith(w, i - j, end):
                        return True
                i = find(anchor, i + 1, end)
        return False


def _alternatives(words: list[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@cache
def _patterns() -> _Patterns:
    """The cue patterns, built from the lexicons on first use."""
    cues = load_table("metadata_cues.tsv", ("cue", "role", "note"), key="cue")
    by_role: dict[str, list[str]] = {}
    for row in cues:
        by_role.setdefault(row["role"], []).append(row["cue"])
    suffixes = [
        r["suffix"]
        for r in load_table("metadata_org_suffixes.tsv", ("suffix", "note"), key="suffix")
    ]
    labels = _alternatives(
        by_role["source_label"] + by_role["meta_label"] + by_role["published_label"]
    )
    return _Patterns(
        published_label=regex.compile(
            rf"""
            (?:{_alternatives(by_role["published_label"])})   # 发布时间, 发布日期, …
            \s* [:：]? \s*                                    # optional colon
            """,
            regex.VERBOSE,
        ),
        head_label=regex.compile(
            rf"""
            (?<![\p{{Han}}])                                  # a label of its own (not 活动时间)
            (?:{_alternatives(by_role["published_label_head"])})  # 时间, 日期
            \s* [:：] \s*                                     # colon required
            """,
            regex.VERBOSE,
        ),
        source_label=regex.compile(
            rf"""
            (?<![\p{{Han}}])                                  # not 资金来源
            (?:{_alternatives(by_role["source_label"])})      # 信息来源, 来源, …
            \s* [:：] [ \t\u3000]*                            # colon, then the name
            (?P<org>[^\s:：|｜【】\[\]]+)                     # up to a space or the next field
            """,
            regex.VERBOSE,
        ),
        meta_label=regex.compile(
            rf"""
            (?:{labels}) \s* [:：]                            # any header field label
            """,
            regex.VERBOSE,
        ),
        meta_word=regex.compile(labels),  # a label glued to the value before it
        nav_line=regex.compile(
            rf"""
            \A (?:{_alternatives(by_role["nav_label"])})      # 当前位置：首页 > …
            | \S \s* (?:>|»|＞|→) \s* \S                      # 首页 > 政务公开 > …
            """,
            regex.VERBOSE,
        ),
        dateline_open=regex.compile(
            rf"""
            (?:{_alternatives(by_role["dateline_open"])})     # 本报讯
            \s* (?:[（(] [^）)\n]{{0,30}} [）)])? \s*           # (记者 张三)
            """,
            regex.VERBOSE,
        ),
        dateline_close=regex.compile(
            rf"""
            \s* (?:{_alternatives(by_role["dateline_close"])})  # 电 / 讯 right after the date
            """,
            regex.VERBOSE,
        ),
        org_suffix=regex.compile(
            rf"""
            (?:{_alternatives(suffixes)}) \Z                  # 中心, 局, 人民政府办公室, …
            """,
            regex.VERBOSE,
        ),
        published_word=Words(by_role["published_label"]),
        source_word=Words(by_role["source_label"]),
        head_word=Words(by_role["published_label_head"]),
        label_word=re.compile(labels),
    )


def _valid(y: int, m: int, d: int) -> date | None:
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _cn_number(s: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 三十一 → 31."""
    if "十" not in s:
        return _CN_DIGITS[s] if len(s) == 1 else -1
    tens, _, units = s.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return -1
    return 10 * (_CN_DIGITS[tens] if tens else 1) + (_CN_DIGITS[units] if units else 0)


def _cn_date(m: regex.Match[str]) -> date | None:
    year = int("".join(str(_CN_DIGITS[c]) for c in m["y"]))
    return _valid(year, _cn_number(m["m"]), _cn_number(m["d"]))


def _full_date(m: regex.Match[str]) -> date | None:
    month, day = (m["m1"], m["d1"]) if m["m1"] else (m["m2"], m["d2"])
    return _valid(int(m["y"]), int(month), int(day))


def _date_at(text: str, pos: int) -> tuple[date, tuple[int, int]] | None:
    """A full date starting exactly at `pos`, with its span."""
    for pattern, convert in ((_FULL_DATE, _full_date), (_CN_DATE, _cn_date)):
        m = pattern.match(text, pos)
        if m and (d := convert(m)):
            return d, m.span()
    return None


def _all_dates(
    text: str, pos: int = 0, endpos: int | None = None
) -> Iterator[tuple[date, tuple[int, int]]]:
    """Every full date in `text[pos:endpos]`, in text order."""
    end = len(text) if endpos is None else endpos
    found: list[tuple[int, date, tuple[int, int]]] = []
    for pattern, convert in ((_FULL_DATE, _full_date), (_CN_DATE, _cn_date)):
        if pattern is _CN_DATE and text.find("年", pos, end) < 0:
            continue  # a date in numerals has its 年 (a one-character `str` search)
        for m in pattern.finditer(text, pos, end):
            if d := convert(m):
                found.append((m.start(), d, m.span()))
    for _, d, span in sorted(found, key=lambda t: t[0]):
        yield d, span


def _compact_date(digits: str) -> date | None:
    """`202268` → 2022-06-08; `20220608` → 2022-06-08; ambiguous runs (`2022112`) → None."""
    m = _COMPACT_DATE.fullmatch(digits)
    if not m:
        return None
    y, md = int(m["y"]), m["md"]
    readings = {
        d
        for cut in range(1, len(md))
        if len(md[:cut]) <= 2
        and len(md[cut:]) <= 2  # 8 digits read only as YYYYMMDD
        and (d := _valid(y, int(md[:cut]), int(md[cut:])))
    }
    return readings.pop() if len(readings) == 1 else None


def _lines(text: str, limit: int | None = None) -> list[_Line]:
    """Non-empty lines, stripped, with their offsets (the first `limit` of them if given)."""
    out: list[_Line] = []
    a, n = 0, len(text)
    while a < n and (limit is None or len(out) < limit):  # str.find: 3x the `[^\n]+` matches
        b = text.find("\n", a)
        if b < 0:
            b = n
        raw = text[a:b]
        stripped = raw.strip()
        if stripped:
            out.append(_Line(stripped, a + (len(raw) - len(raw.lstrip()))))
        a = b + 1
    return out


def _last_lines(text: str, count: int) -> list[_Line]:
    """The last `count` non-empty lines, as `_lines(text)[-count:]` gives them."""
    out: list[_Line] = []
    b = len(text)
    while b >= 0 and len(out) < count:
        a = text.rfind("\n", 0, b) + 1
        raw = text[a:b]
        stripped = raw.strip()
        if stripped:
            out.append(_Line(stripped, a + (len(raw) - len(raw.lstrip()))))
        b = a - 1
    out.reverse()
    return out


def _is_org(line: str) -> bool:
    """True for a line shaped like an organisation name (淮北市投资促进中心)."""
    return (
        MIN_ORG <= len(line) <= MAX_ORG
        and _ORG_SHAPE.fullmatch(line) is not None
        and _patterns().org_suffix.search(line) is not None
    )


def _title(lines: list[_Line]) -> tuple[str | None, int]:
    """The headline and the index of the first line after it."""
    p = _patterns()
    i = 0
    while i < min(len(lines), MAX_NAV_SKIP) and p.nav_line.search(lines[i].text):
        i += 1
    if i >= len(lines):
        return None, i
    line = lines[i].text
    if (
        MIN_TITLE <= len(line) <= MAX_TITLE
        and _HAN.search(line)
        and not _NOT_HEADLINE.search(line)
        and not _SPEAKER_TURN.match(line)
        and not p.meta_label.search(line)
        and not p.dateline_open.match(line)
        and not _FULL_DATE.match(line)
    ):
        return line, i + 1
    return None, i


def _labelled_date(text: str, head: list[_Line]) -> tuple[date, tuple[int, int]] | None:
    p = _patterns()
    if p.published_word.found(text):
        for m in p.published_label.finditer(text):
            if found := _date_at(text, m.end()):
                return found
    # Both head patterns need a colon and their label word: other lines are passed over.
    head = [line for line in head if _has_colon(text, line)]
    for line in head:
        end = line.char_start + len(line.text)
        if not p.head_word.found(text, line.char_start, end):
            continue
        for m in p.head_label.finditer(text, line.char_start, end):
            if found := _date_at(text, m.end()):
                return found
    for line in head:  # a header line: `2023-05-06 09:47 来源：某市商务局`
        end = line.char_start + len(line.text)
        has_word = p.label_word.search(text, line.char_start, end)
        if has_word and p.meta_label.search(text, line.char_start, end):
            for found in _all_dates(text, line.char_start, end):
                return found
    return None


def _has_colon(text: str, line: _Line) -> bool:
    end = line.char_start + len(line.text)
    return text.find("：", line.char_start, end) >= 0 or text.find(":", line.char_start, end) >= 0


def _dateline_date(text: str, lines: list[_Line]) -> tuple[date, tuple[int, int]] | None:
    p = _patterns()
    for line in lines[:DATELINE_LINES]:
        end = line.char_start + len(line.text)
        m = p.dateline_open.match(text, line.char_start, end)
        if m and (found := _date_at(text, m.end())):
            return found
        for d, span in _all_dates(text, line.char_start, end):
            if p.dateline_close.match(text, span[1], end):
                return d, span
    return None


def _signature(
    text: str, lines: list[_Line]
) -> tuple[str, tuple[date, tuple[int, int]] | None] | None:
    """The organisation signing at the end, with the date under it if any."""
    tail = lines[-TAIL_LINES:]
    for k in range(len(tail) - 2, -1, -1):
        org, when = tail[k], tail[k + 1]
        if not _is_org(org.text):
            continue
        end = when.char_start + len(when.text)
        for pattern, convert in ((_FULL_DATE, _full_date), (_CN_DATE, _cn_date)):
            m = pattern.fullmatch(text, when.char_start, end)
            if m and (d := convert(m)):
                return org.text, (d, m.span())
        if k + 2 == len(tail) and (d := _compact_date(when.text)):  # the very last line
            return org.text, (d, (when.char_start, end))
    for line in reversed(lines[-3:]):
        if _is_org(line.text):
            return line.text, None
    return None


def _source_label(text: str) -> str | None:
    p = _patterns()
    if not p.source_word.found(text):
        return None
    for m in p.source_label.finditer(text):
        org = m["org"]
        cut = p.meta_word.search(org)  # `某市商务局点击数:` with no space
        org = org[: cut.start()] if cut else org
        org = org.strip("()（）,，.。;；")
        if org and len(org) <= MAX_ORG and _HAN.search(org):
            return org
    return None


def extract_metadata(text: str) -> Metadata:
    """Title, publication date and publishing organisation of a normalized text.

    Args:
        text: the normalized document text (Simplified, half-width digits).

    Returns:
        A `Metadata`; fields the text does not give are None.
    """
    # Only the head and the tail are read: the lines between are never made.
    head = _lines(text, HEAD_LINES)
    title, body_from = _title(head)  # the headline is among the first MAX_NAV_SKIP + 1 lines
    signature = _signature(text, head if len(head) < HEAD_LINES else _last_lines(text, TAIL_LINES))
    found = _labelled_date(text, head) or _dateline_date(text, head[body_from:])
    if found is None and signature and signature[1]:
        found = signature[1]
    inferred = False
    if found is None:
        dates = list(_all_dates(text))
        if dates:
            latest = max(d for d, _ in dates)
            found = next(item for item in dates if item[0] == latest)
            inferred = True
    source = _source_label(text)
    signed = signature[0] if signature else None
    if source is None or (signed and len(signed) > len(source) and signed.endswith(source)):
        source = signed or source
    return Metadata(
        title=title,
        published=found[0] if found else None,
        published_inferred=inferred,
        source_org=source,
        published_span=found[1] if found else None,
    )


def published_from_url(url: str) -> date | None:
    """The publication date written in a URL path, if any.

    >>> published_from_url("http://www.example.gov.cn/xxgk/202410/t20241021_123.html")
    datetime.date(2024, 10, 21)
    >>> published_from_url("http://www.example.gov.cn/html/1/2/12/7/11617896.html") is None
    True
    """
    if not url:
        return None
    for pattern in _URL_DATES:
        for m in pattern.finditer(url):
            if d := _valid(int(m["y"]), int(m["m"]), int(m["d"])):
                return d
    return None


def parse_date(value: object) -> date | None:
    """A date from a metadata field: `2022-06-20`, `2022-06-20 16:27`, `2022/6/20`, `2022年6月20日`.

    Accepts `date`/`datetime` objects too; anything unparseable gives None.

    >>> parse_date("2022年6月20日"), parse_date("not a date")
    (datetime.date(2022, 6, 20), None)
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    s = unicodedata.normalize("NFKC", value).strip()
    if m := _DATE_VALUE.fullmatch(s):
        return _valid(int(m["y"]), int(m["m"]), int(m["d"]))
    if regex.fullmatch(r"\d{8}", s):
        return _valid(int(s[:4]), int(s[4:6]), int(s[6:]))
    return None
