"""Place documents and mentions: the city and area of a figure, and where its investment comes from.

Reads a normalized `Document` (and its mentions); writes nothing. `document_city`
finds the document's own city and, for a county or zone news item, its area;
`mention_place` finds each mention's city, area and source region. Cue words
(destinations, sources, venues, home markers, head words, named regions) are data
in `lexicons/place_cues.tsv`; place names come from `govfacts.pipeline.gazetteer`.

Rules of the language used here:

* A place counts as the subject of a clause when it opens the clause (after head
  words such as 其中/比如 and time words), modifies a noun (…的濉溪XX项目), or
  follows a locative (在杜集经济开发区下线) inside the document's city.
* A place after a destination (赴, 驻), source (来自, 引进, 与) or venue cue
  (在上海举行) never moves the fact: the fact stays home; a source is reported
  as `source_region`.
* A clause headed by a home marker (全市, 我市, 全区) is the document's own place.
* A clause with no subject takes the subject of the nearest earlier clause of
  its sentence; a bare time clause (上半年，…) the subject of the next clause; a
  sentence opening with 其中 the previous sentence's; any other sentence the
  county or zone that opens its paragraph.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

import regex
from govfacts.extractors import context
from govfacts.lexicons import LexiconError, load_table
from govfacts.pipeline.gazetteer import (
    Place,
    PlaceSpan,
    find_places,
    is_within,
    lookup,
    name_chars,
)
from govfacts.pipeline.records import Document, Mention

__all__ = ["DocPlace", "document_city", "mention_place"]

_PlaceRole = Literal["destination", "source", "venue", "locative", "investor", "name", "free"]

_ROLES = frozenset(
    {
        "destination",
        "source",
        "locative",
        "venue_verb",
        "investor",
        "home",
        "home_abbrev_before",
        "home_abbrev_next",
        "home_abbrev_after",
        "region",
        "region_suffix",
        "head",
        "continue",
        "list",
        "investment_noun",
        "invest_verb",
    }
)
_CUE_WINDOW = 6  # characters before a place searched for a cue ending right before it
_VENUE_WINDOW = 14  # characters after a place searched for a venue verb (在上海…举行)
_TITLE_FIRST, _TITLE_OTHER, _ORG_WEIGHT = 6, 2, 8  # vote weights of document evidence
_HOME_SENTENCE = 2  # body vote of a place in a sentence with a home marker
_NAME_JOINERS = "·•"  # 绍兴柯桥·上海周: parts of an event name, not places of fact

# Numeric time words a clause may open with (2023年, 1-6月份, 11月5日, 3月31日上午).
_TIME_HEAD = regex.compile(
    r"""
    (?: \d{4} \s* 年 (?:度)?                               # 2023年, 2023年度
      | \d{1,2} \s* (?:[-—–~～至到] \s* \d{1,2} \s*)? 月 份? # 5月, 1-6月份, 1—11 月份
      | \d{1,2} \s* [日号]                                 # 5日
      | 前 \d{1,2} 个月                                    # 前10个月
    )
    """,
    regex.VERBOSE,
)
# Leading punctuation, bullets and enumerators before a clause's first word.
_LEAD = regex.compile(
    r"""
    (?: [\s\u3000“”"'‘’「」『』《》、·•●■◆\-—–]          # quotes, dashes, bullets
      | [（(] [一二三四五六七八九十\d]{1,3} [）)]          # （三） (2)
      | [一二三四五六七八九十]{1,3} 、                     # 三、
      | \d{1,2} [.．、] (?!\d)                             # 1.  2、
    )+
    """,
    regex.VERBOSE,
)
# The distributive 分别 that pairs listed places with listed figures.
_EACH = regex.compile(r"分别")
# A figure after 分别 (to count which of the listed figures a mention is).
_NUMBER = regex.compile(
    r"""
    \d+ (?:\.\d+)?                          # 63, 186.2
    | [零〇一二两三四五六七八九十百千万]+       # 六十三
      (?=[个家项亿万元%])                    # … followed by a unit
    """,
    regex.VERBOSE,
)
# A generic zone word standing for the document's own zone (2022年，高新区将…).
_GENERIC_ZONE = regex.compile(
    r"""
    (?<!\p{Han})                  # not the tail of a named zone (宝鸡高新区)
    [市县区]?                      # 市高新区, 县经开区
    (?P<zone>高新区|经开区|开发区|新区)
    (?!路)                        # not a street (高新区路)
    """,
    regex.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class DocPlace:
    """Where a document is from.

    Attributes:
        city: full name of the prefecture-level city, or None when unknown.
        area: the county/district/zone the whole document is about, as the text writes it
            (full county name, zone surface such as 盐城经开区), else None.
        evidence: what decided the city (`manifest`, `source_org:…`, `title:…`, `text:…`).
        unit: canonical name of `area` (county full name or zone full name), for matching
            other surfaces of the same area; None when `area` is None.
    """

    city: str | None
    area: str | None
    evidence: str
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class _Cues:
    """The cue words by role, each alternation longest first."""

    words: dict[str, tuple[str, ...]]
    region: re.Pattern[str]
    head: regex.Pattern[str]
    region_suffix: regex.Pattern[str]
    list_gap: regex.Pattern[str]
    home_abbrev: regex.Pattern[str]
    projects_after: regex.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Region:
    """A named multi-place region in a text (长三角, 沪苏浙), read like a place that names none."""

    char_start: int
    char_end: int
    surface: str
    kind: Literal["region"] = "region"
    places: tuple[Place, ...] = ()
    zone: None = None


_Span = PlaceSpan | _Region  # a place (kind full, short, abbrev, zone) or a region


@dataclass(frozen=True, slots=True)
class _Group:
    """A list of adjacent places (北京、上海、深圳等地) sharing one role."""

    spans: tuple[_Span, ...]
    role: _PlaceRole

    @property
    def char_start(self) -> int:
        return self.spans[0].char_start

    @property
    def char_end(self) -> int:
        return self.spans[-1].char_end


@dataclass(frozen=True, slots=True)
class _Unit:
    """A county or zone inside the home city, as a clause names it."""

    unit: str  # canonical: county full name or zone full name
    area: str  # as written: county full name or the zone surface


@dataclass(frozen=True, slots=True)
class _Finding:
    """What one clause says about where its figures are."""

    kind: Literal["unit", "units", "home", "city", "foreign"]
    city: str | None = None
    unit: _Unit | None = None
    units: tuple[_Unit, ...] = ()
    each_after: int = -1  # offset of 分别 after a listed subject, else -1


def _alternatives(words: tuple[str, ...]) -> str:
    """`words` as one alternation, longest first (its escapes suit `re` and `regex` alike)."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@cache
def _cues() -> _Cues:
    """The cue lexicon, compiled on first use."""
    rows = load_table("place_cues.tsv", ("cue", "role", "note"))
    words: dict[str, list[str]] = {role: [] for role in _ROLES}
    seen: set[tuple[str, str]] = set()
    for row in rows:
        if row["role"] not in _ROLES:
            raise LexiconError(f"place_cues.tsv: unknown role {row['role']!r} for {row['cue']!r}")
        if (row["cue"], row["role"]) in seen:
            raise LexiconError(f"place_cues.tsv: duplicate {row['cue']!r} as {row['role']}")
        seen.add((row["cue"], row["role"]))
        words[row["role"]].append(row["cue"])
    by_role = {role: tuple(sorted(ws, key=lambda w: (-len(w), w))) for role, ws in words.items()}
    return _Cues(
        words=by_role,
        # plain words: the standard library's engine scans a document for them ~3x faster
        region=re.compile(_alternatives(by_role["region"])),
        head=regex.compile(
            rf"""
            (?: {_alternatives(by_role["head"])}     # 其中, 比如, 今年, 上半年 …
              | {_TIME_HEAD.pattern}                  # 2023年, 1-6月份, 5日
            ) [，,\s]*                                # an optional comma after it
            """,
            regex.VERBOSE,
        ),
        region_suffix=regex.compile(rf"(?:{_alternatives(by_role['region_suffix'])})*"),
        list_gap=regex.compile(
            rf"""
            (?:{_alternatives(by_role["region_suffix"])})*  # 长三角地区、珠三角
            (?:{_alternatives(by_role["list"])})            # 、 和 及 以及 或
            \Z
            """,
            regex.VERBOSE,
        ),
        home_abbrev=regex.compile(
            rf"""
            (?<=(?:{_alternatives(by_role["home_abbrev_before"])}))  # 来 / 驻 / 在
            (?P<abbrev>\p{{Han}})                                   # 淮
            (?=(?:{_alternatives(by_role["home_abbrev_next"])}))    # 考察 / 投资 / 媒体
            | (?<![\p{{Han}}]{{2}}) (?P<abbrev2>\p{{Han}})          # 宜 (not inside a word)
            (?=(?:{_alternatives(by_role["home_abbrev_after"])}))   # 籍 / 商大会
            """,
            regex.VERBOSE,
        ),
        projects_after=regex.compile(
            rf"""
            (?:{_alternatives(by_role["region_suffix"])})*   # 地区, 等地
            的? \p{{Han}}{{0,4}}?                              # 的, 产业, 电子信息
            (?:{_alternatives(by_role["investment_noun"])})  # 项目, 企业, 资金
            """,
            regex.VERBOSE,
        ),
    )


# ---------------------------------------------------------------- spans, groups, roles


@dataclass(frozen=True, slots=True)
class _Places:
    """The places and named regions of a text, sorted by start, with their starts for bisection."""

    spans: tuple[_Span, ...]
    starts: tuple[int, ...]

    def any_within(self, lo: int, hi: int) -> bool:
        """Whether a span lies inside `[lo, hi)`."""
        spans = self.spans
        for i in range(bisect.bisect_left(self.starts, lo), len(spans)):
            s = spans[i]
            if s.char_start >= hi:
                return False
            if s.char_end <= hi:
                return True
        return False

    def within(self, lo: int, hi: int) -> list[_Span]:
        """The spans lying inside `[lo, hi)`."""
        spans = self.spans
        out = []
        for i in range(bisect.bisect_left(self.starts, lo), len(spans)):
            s = spans[i]
            if s.char_start >= hi:
                break
            if s.char_end <= hi:
                out.append(s)
        return out


def _spans(text: str) -> _Places:
    """Places and named regions of `text`; a region wins over the places inside it."""
    regions = [_Region(m.start(), m.end(), m.group()) for m in _cues().region.finditer(text)]
    found = find_places(text)
    out: list[_Span] = list(found)
    if regions:
        # both lists are in text order without overlaps: walk them together
        out = []
        j, n = 0, len(regions)
        for s in found:
            while j < n and regions[j].char_end <= s.char_start:
                j += 1  # regions ending before this place end before the later ones too
            if j == n or regions[j].char_start >= s.char_end:
                out.append(s)  # no region overlaps it
        out = sorted([*regions, *out], key=lambda s: s.char_start)
    return _Places(tuple(out), tuple(s.char_start for s in out))


@cache
def _name_chars() -> frozenset[str]:
    """Characters a place or region name may contain or be cut short by (see `name_chars`)."""
    return name_chars() | frozenset("".join(_cues().words["region"]))


def _ends_with(text: str, words: tuple[str, ...]) -> str | None:
    """The longest of `words` that `text` ends with."""
    if not text.endswith(words):
        return None
    for w in words:
        if text.endswith(w):
            return w
    return None


def _groups(
    text: str, spans: _Places, lo: int, hi: int, *, home: str | None, cut: bool = False
) -> list[_Group]:
    """Lists of places in `text[lo:hi]` (one clause) with the role their cues give them.

    With `cut`, `text[lo:hi]` is read as a text of its own (a sentence voting for the
    document's city): a name's brackets and joiners are looked for inside it only.
    """
    cues = _cues()
    inside = spans.within(lo, hi)
    raw: list[list[_Span]] = []
    list_ends, reach = _list_ends(), _after_reach()
    for s in inside:
        gap = s.char_start - raw[-1][-1].char_end if raw else 0
        if (
            gap > 0
            and text[s.char_start - 1] in list_ends  # a gap that ends in no list word is none
            and cues.list_gap.match(text[raw[-1][-1].char_end : s.char_start])
        ):
            raw[-1].append(s)
        else:
            raw.append([s])
    out: list[_Group] = []
    for members in raw:
        first, last = members[0], members[-1]
        before = text[max(lo, first.char_start - _CUE_WINDOW) : first.char_start]
        after_start = last.char_end + len(cues.region_suffix.match(text, last.char_end, hi).group())
        after = text[after_start : min(hi, after_start + reach)]  # as far as a cue below looks
        role: _PlaceRole = "free"
        name_lo, name_hi = (lo, hi) if cut else (0, len(text))
        if _is_name(text, first.char_start, last.char_end, name_lo, name_hi):
            role = "name"
        elif _ends_with(before, cues.words["source"]):
            role = "source"
        elif _ends_with(before, cues.words["destination"]):
            role = "destination"
        elif _ends_with(before, cues.words["locative"]):
            verb = any(v in after[:_VENUE_WINDOW] for v in cues.words["venue_verb"])
            inside_home = home is not None and all(_in_city(s, home) for s in members)
            role = "venue" if verb or not inside_home else "locative"
        elif after.startswith(cues.words["investor"]):
            role = "investor"
        out.append(_Group(tuple(members), role))
    return out


@cache
def _list_ends() -> frozenset[str]:
    """The last characters of the list words (、, 和): a list gap ends in one of them."""
    return frozenset(w[-1] for w in _cues().words["list"])


@cache
def _after_reach() -> int:
    """How far after a group of places `_groups` looks for a cue (a venue verb, an investor)."""
    return max(_VENUE_WINDOW, max((len(w) for w in _cues().words["investor"]), default=0))


def _is_name(text: str, start: int, end: int, lo: int, hi: int) -> bool:
    """Whether a place is part of a name: 中国（濉溪）论坛, 洛阳·长三角对接会 (in `text[lo:hi]`)."""
    left = text[start - 1] if start > lo else "^"
    right = text[end] if end < hi else "$"
    return (left in "（(" and right in "）)") or left in _NAME_JOINERS or right in _NAME_JOINERS


# ---------------------------------------------------------------- places and the home city


@cache
def _city_place(city: str) -> Place | None:
    """The unit acting as the city `city` (a prefecture, municipality or province-direct county)."""
    for p in lookup(city):
        if p.name == city and p.city == city:
            return p
    return None


def _in_city(span: _Span, city: str) -> bool:
    """Whether any reading of `span` is the city or lies in it."""
    home = _city_place(city)
    return home is not None and any(is_within(p, home) for p in span.places)


def _reading(span: _Span, city: str | None) -> Place | None:
    """The reading of `span` inside `city` when there is one, else its most likely reading."""
    if not span.places:
        return None
    home = _city_place(city) if city else None
    if home is not None:
        for p in span.places:
            if is_within(p, home):
                return p
    return span.places[0]


def _unit_of(span: _Span, city: str | None) -> _Unit | None:
    """The county or zone `span` names inside `city` (None for the city itself or outside it)."""
    if span.kind == "zone" and span.zone:
        if city is None or _in_city(span, city):
            return _Unit(span.zone, span.surface)
        return None
    p = _reading(span, city)
    if p is None or p.level != "county" or p.city == p.name:
        return None
    if city is not None and p.city != city:
        return None
    return _Unit(p.name, p.name)


def _lift(name: str) -> tuple[str | None, _Unit | None]:
    """A manifest city name as (prefecture-level city, county unit): 昆山市 → 苏州市, 昆山市."""
    places = lookup(name)
    exact = [p for p in places if p.name == name] or list(places)
    if not exact:
        return name, None
    p = exact[0]
    if p.level == "county" and p.city and p.city != p.name:
        return p.city, _Unit(p.name, p.name)
    return (p.city or name), None


# ---------------------------------------------------------------- one document's state


class _DocState:
    """What the place rules read of one document, computed once and kept while it is resolved.

    The places of the whole text are scanned once; a sentence or clause takes the
    ones inside it (`cut_ok` says when that equals scanning it alone). Clause
    findings, clause lists, source regions and carried units are kept per
    document, so a clause is read once however many mentions ask about it.
    """

    __slots__ = (
        "doc",
        "text",
        "places",
        "stops",
        "sentence_starts",
        "home",
        "_of_strings",
        "_clauses",
        "_has_places",
        "_findings",
        "_sources",
        "_carried",
        "_read",
        "_sentences",
    )

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.text = doc.text
        self.places = _spans(doc.text)
        self.stops = context.clause_stops(doc.text)
        self.sentence_starts = context.sentence_starts(doc)
        self.home: DocPlace | None = None
        self._of_strings: dict[str, _Places] = {}
        self._clauses: dict[tuple[int, int], list[tuple[int, int]]] = {}
        self._has_places: dict[tuple[int, int], bool] = {}
        self._findings: dict[tuple[int, int, tuple[int, int] | None], _Finding | None] = {}
        self._sources: dict[tuple[int, int, int], str | None] = {}
        self._carried: dict[int, _Unit | None] = {}
        self._read: dict[tuple[int, int], tuple[int, list[_Group]]] = {}
        self._sentences: dict[tuple[int, int], _Sentence] = {}

    def for_home(self, home: DocPlace) -> _DocState:
        """This state with `home` as the document's place (what depends on it is recomputed)."""
        if self.home is not home:
            self.home = home
            self._findings.clear()
            self._sources.clear()
            self._carried.clear()
            self._read.clear()
            self._sentences.clear()
        return self

    def spans_of(self, s: str) -> _Places:
        """The places of a string of this document (its title, source organisation, a sentence)."""
        places = self._of_strings.get(s)
        if places is None:
            for sent in self.doc.sentences[:2]:  # the title and lead sentences are in the text
                lo, hi = sent.char_start, sent.char_end
                if hi - lo == len(s) and self.cut_ok(lo, hi) and self.text.startswith(s, lo):
                    places = _shifted(self.places.within(lo, hi), lo)
                    break
            else:
                places = _spans(s)
            self._of_strings[s] = places
        return places

    def cut_ok(self, lo: int, hi: int) -> bool:
        """Whether `text[lo:hi]` has exactly the places of the whole text inside it.

        So it has when no name can run across either cut: one of the two characters
        beside each cut is no name character (a sentence ends in 。, a clause at ，).
        """
        text, chars = self.text, _name_chars()
        if hi <= lo:
            return True
        return (lo <= 0 or text[lo - 1] not in chars or text[lo] not in chars) and (
            hi >= len(text) or text[hi - 1] not in chars or text[hi] not in chars
        )

    def has_places(self, lo: int, hi: int) -> bool:
        """Whether `text[lo:hi]`, read alone, names a place or region."""
        if self.cut_ok(lo, hi):
            return self.places.any_within(lo, hi)
        key = (lo, hi)
        found = self._has_places.get(key)
        if found is None:
            found = self._has_places[key] = bool(_spans(self.text[lo:hi]).spans)
        return found

    def clause_start(self, pos: int, floor: int) -> int:
        """`context.clause_start(text, pos, floor)` from the stops found once."""
        if pos <= floor:
            return pos
        return context.start_after_stop(self.stops, pos, max(floor, 0))

    def clause_end(self, pos: int) -> int:
        """`context.clause_end(text, pos)` from the stops found once."""
        return context.end_at_stop(self.stops, len(self.text), pos)

    def clauses(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The clauses of `text[lo:hi]` (a sentence) as (start, end) spans."""
        key = (lo, hi)
        out = self._clauses.get(key)
        if out is None:
            out = self._clauses[key] = _clauses(self.stops, len(self.text), lo, hi)
        return out

    def read(self, lo: int, hi: int) -> tuple[int, list[_Group]]:
        """The head position and the groups (with the home city) of the clause `text[lo:hi]`.

        Its finding and its source region both read them: they are found once.
        """
        key = (lo, hi)
        found = self._read.get(key)
        if found is None:
            city = self.home.city if self.home else None
            found = self._read[key] = (
                _head_pos(self.text, lo, hi, self.places),
                _groups(self.text, self.places, lo, hi, home=city),
            )
        return found

    def sentence(self, lo: int, hi: int) -> _Sentence:
        """The clauses of the sentence `text[lo:hi]` with what is read of them (kept per sentence)."""
        key = (lo, hi)
        found = self._sentences.get(key)
        if found is None:
            placeless = not self.places.any_within(lo, hi)
            found = self._sentences[key] = _Sentence(
                self.clauses(lo, hi) or [(lo, hi)],
                placeless and _names_nothing(self, lo, hi),
                placeless and self.cut_ok(lo, hi),
            )
        return found

    def placed(self, sent: _Sentence) -> list[int]:
        """The indexes of the clauses of `sent` that name a place (`has_places`)."""
        if sent.placed is None:
            spans, starts = sent.spans, sent.starts
            found = set()
            # a clause cut at a stop is cut as the whole text is (no stop is a name character):
            # the places inside it are those of the whole text
            for s in self.places.within(spans[0][0], spans[-1][1]):
                j = bisect.bisect_right(starts, s.char_start) - 1
                if j >= 0 and s.char_end <= spans[j][1]:
                    found.add(j)
            for j in {0, len(spans) - 1}:  # … but the sentence's own edges may cut a name
                found.discard(j)
                if self.has_places(*spans[j]):
                    found.add(j)
            sent.placed = sorted(found)
        return sent.placed

    def clause(self, sent: _Sentence, i: int) -> _Finding | None:
        """The finding of the `i`th clause of `sent` alone (`finding` with no mention inside)."""
        f = sent.own[i]
        if f is _UNREAD:
            a, b = sent.spans[i]
            f = sent.own[i] = self.finding(a, b)
        return f

    def earlier(self, sent: _Sentence, i: int) -> _Finding | None:
        """The finding of the nearest clause of `sent` before the `i`th that has one."""
        f = sent.earlier[i]
        if f is _UNREAD:
            f = None
            for j in range(i - 1, -1, -1):
                f = self.clause(sent, j)
                if f is not None:
                    break
                f = sent.earlier[j]
                if f is not _UNREAD:  # what lies before j was read for an earlier mention
                    break
                f = None
            sent.earlier[i] = f
        return f

    def finding(self, lo: int, hi: int, own: tuple[int, int] | None = None) -> _Finding | None:
        """`_clause_finding` of the clause `text[lo:hi]`, read once."""
        if own is not None and not self.places.any_within(own[0], own[1]):
            own = None  # no place inside the mention: the finding is the clause's own
        key = (lo, hi, own)
        try:
            return self._findings[key]
        except KeyError:
            f = self._findings[key] = _clause_finding(self, lo, hi, own=own)
            return f


_UNREAD: object = object()  # a finding not asked for yet (None: the clause names no place)


class _Sentence:
    """A sentence's clauses, and the findings read of them so far.

    Mentions of one sentence share these: a mention's own clause, the next one and
    the nearest earlier clause with a finding are each looked up once per sentence.
    In a `blank` sentence (no place, home word or zone word) no clause finds anything;
    in a `sourceless` one (no place, and it cuts no name) no clause has a source.
    """

    __slots__ = ("spans", "starts", "own", "earlier", "blank", "sourceless", "placed")

    def __init__(self, spans: list[tuple[int, int]], blank: bool, sourceless: bool) -> None:
        self.spans = spans
        self.starts = [a for a, _ in spans]
        self.blank = blank
        self.sourceless = sourceless
        unread: object = None if blank else _UNREAD
        self.own: list[object] = [unread] * len(spans)  # `_clause_finding` of clause i
        self.earlier: list[object] = [unread] * len(spans)  # nearest finding before clause i
        self.placed: list[int] | None = None  # the clauses that name a place, once asked


def _shifted(spans: list[_Span], lo: int) -> _Places:
    """`spans` (of a cut the whole text's places hold exactly, from `lo`) as the cut's own places."""
    out = tuple(
        _Region(s.char_start - lo, s.char_end - lo, s.surface)
        if isinstance(s, _Region)
        else PlaceSpan(s.char_start - lo, s.char_end - lo, s.surface, s.kind, s.places, s.zone)
        for s in spans
    )
    return _Places(out, tuple(s.char_start for s in out))


_last_state: _DocState | None = None


def _state(doc: Document) -> _DocState:
    """The state of `doc` (kept for the last document asked about only, so memory stays flat)."""
    global _last_state
    if _last_state is None or _last_state.doc is not doc:
        _last_state = _DocState(doc)
    return _last_state


# ---------------------------------------------------------------- document city


@cache
def _home_marker() -> regex.Pattern[str]:
    """A home word that marks a sentence as the document's own (我市, 全市; not 我们)."""
    words = tuple(w for w in _cues().words["home"] if len(w) > 1 and w != "我们")
    return regex.compile(_alternatives(words) or "(?!)")


@cache
def _abbrev_follower() -> tuple[re.Pattern[str], frozenset[str]]:
    """A word that may follow a single-character home abbreviation (考察, 籍), and the words
    another may start inside (客商: 商回归).

    Plain words: the standard library's engine scans a document for them ~2x faster.
    """
    words = _cues().words
    followers = (*words["home_abbrev_next"], *words["home_abbrev_after"])
    prefixes = {w[:i] for w in followers for i in range(1, len(w) + 1)}
    overlapped = frozenset(w for w in followers if any(w[i:] in prefixes for i in range(1, len(w))))
    return re.compile(_alternatives(followers)), overlapped


def _follower_starts(text: str) -> set[int]:
    """Every offset where a follower word starts, overlapping ones included (客商回归: 客商, 商回归).

    A scan without overlaps misses only words starting inside a word it found.
    """
    follower, overlapped = _abbrev_follower()
    starts = set()
    for m in follower.finditer(text):
        starts.add(m.start())
        if m.group() in overlapped:
            starts.update(p for p in range(m.start() + 1, m.end()) if follower.match(text, p))
    return starts


def _home_abbrevs(text: str) -> Iterator[regex.Match[str]]:
    """The matches of `home_abbrev` in `text`, tried only right before a word that may follow one.

    Each match is one character, so trying every such position finds what
    `finditer` finds, without running the lookbehinds at every character.
    """
    pattern = _cues().home_abbrev
    for pos in sorted(start - 1 for start in _follower_starts(text)):
        if pos >= 0 and (m := pattern.match(text, pos)):
            yield m


def _votes_of(
    text: str,
    spans: _Places,
    lo: int,
    hi: int,
    weight_first: int,
    weight_other: int,
    votes: Counter[str],
    ambiguous: list[_Span],
) -> None:
    """Add the votes of the places of `text[lo:hi]` (read alone) outside destination, source
    and venue roles.

    The first place gets `weight_first`, later ones `weight_other`; a name with
    readings in several cities is kept in `ambiguous` for later.
    """
    first = True
    for g in _groups(text, spans, lo, hi, home=None, cut=True):
        if g.role not in ("free", "locative"):
            continue
        for s in g.spans:
            if s.kind in ("abbrev", "region"):
                continue
            cities = {p.city for p in s.places if p.city}
            if len(cities) == 1:
                votes[cities.pop()] += weight_first if first else weight_other
                first = False
            elif len(cities) > 1:
                ambiguous.append(s)


def document_city(doc: Document) -> DocPlace:
    """The document's prefecture-level city and, for a county or zone news item, its area.

    Evidence in order: the manifest city (`doc.raw.city`); else votes from the
    source organisation, the title and the body, where each place outside a
    destination/source/venue role counts for its city (a county for its
    prefecture), more in a title, an organisation name or a sentence with
    我市/全市; ambiguous names (来淮, 淮南/淮北) go to the reading other evidence
    supports. The area is the county or zone that opens the title (else the
    source organisation, else the first sentence when it dominates the body).
    """
    st = _state(doc)
    text = doc.text
    org = doc.source_org or doc.raw.source_org
    city: str | None = None
    evidence = ""
    area_hint: _Unit | None = None
    if doc.raw.city:
        city, area_hint = _lift(doc.raw.city)
        evidence = "manifest"
    else:
        votes: Counter[str] = Counter()
        ambiguous: list[_Span] = []
        if org:
            _votes_of(org, st.spans_of(org), 0, len(org), _ORG_WEIGHT, 0, votes, ambiguous)
        if doc.title:
            title = doc.title
            weights = (_TITLE_FIRST, _TITLE_OTHER)
            _votes_of(title, st.spans_of(title), 0, len(title), *weights, votes, ambiguous)
        marker, starts, chars, size = _home_marker(), st.places.starts, _name_chars(), len(text)
        for sent in doc.sentences:
            lo, hi = sent.char_start, sent.char_end
            # st.cut_ok(lo, hi), written out: it is asked of every sentence
            if hi <= lo or (
                (lo <= 0 or text[lo - 1] not in chars or text[lo] not in chars)
                and (hi >= size or text[hi - 1] not in chars or text[hi] not in chars)
            ):
                i = bisect.bisect_left(starts, lo)
                if i == len(starts) or starts[i] >= hi:
                    continue  # no place in it
                weight = _HOME_SENTENCE if marker.search(text, lo, hi) else 1
                _votes_of(text, st.places, lo, hi, weight, weight, votes, ambiguous)
            else:
                weight = _HOME_SENTENCE if marker.search(text, lo, hi) else 1
                s_text = text[lo:hi]
                _votes_of(s_text, _spans(s_text), 0, len(s_text), weight, weight, votes, ambiguous)
        for m in _home_abbrevs(text):
            char = m.group("abbrev") or m.group("abbrev2")
            cities = {p.city for p in lookup(char) if p.city and p.level != "province"}
            if len(cities) == 1:
                votes[cities.pop()] += 1
            elif cities:
                ambiguous.append(PlaceSpan(m.start(), m.end(), char, "abbrev", lookup(char)))
        for s in ambiguous:  # 淮 → 淮南 or 淮北: the reading other evidence supports
            cities = {p.city for p in s.places if p.city}
            best = max(cities, key=lambda c: votes[c])
            if votes[best] > 0 and sum(votes[c] == votes[best] for c in cities) == 1:
                votes[best] += 1
        if votes:
            city, score = votes.most_common(1)[0]
            evidence = _evidence(st, org, city, score)
    unit = area_hint or _doc_unit(st, org, city)
    if unit is None:
        return DocPlace(city, None, evidence or "none")
    return DocPlace(city, _area_surface(st, unit), evidence, unit.unit)


def _evidence(st: _DocState, org: str | None, city: str, score: int) -> str:
    for label, text in (("source_org", org), ("title", st.doc.title)):
        if text and any(_in_city(s, city) for s in st.spans_of(text).spans):
            return f"{label}:{text}"
    return f"text:{score}"


def _head_unit(text: str, spans: _Places, city: str | None) -> _Unit | None:
    """The county or zone opening `text` (a title or a lead sentence), if any."""
    pos = _head_pos(text, 0, len(text), spans)
    for g in _groups(text, spans, 0, len(text), home=city):
        if g.char_start != pos or g.role not in ("free", "investor"):
            continue
        s = g.spans[0]
        if len(g.spans) > 1:
            # 绍兴市柯桥区: a city directly followed by its county names the county
            nxt = g.spans[1]
            if s.char_end == nxt.char_start and _unit_of(nxt, city):
                return _unit_of(nxt, city)
            return None
        after = [x for x in spans.spans if x.char_start == s.char_end]
        if after and _unit_of(after[0], city) and _unit_of(s, city) is None:
            return _unit_of(after[0], city)
        return _unit_of(s, city)
    return None


def _doc_unit(st: _DocState, org: str | None, city: str | None) -> _Unit | None:
    if city is None:
        return None
    title = st.doc.title
    if title:
        spans = st.spans_of(title)
        return _head_unit(title, spans, city) if spans.spans else _lead_unit(st, city, org)
    return _lead_unit(st, city, org)


def _lead_unit(st: _DocState, city: str, org: str | None) -> _Unit | None:
    """The area from the source organisation, else a lead sentence whose unit dominates the body."""
    if org and (unit := _head_unit(org, st.spans_of(org), city)):
        return unit
    text = st.text
    for sent in st.doc.sentences[:2]:
        lead = text[sent.char_start : sent.char_end]
        unit = _head_unit(lead, st.spans_of(lead), city)
        if unit is None:
            continue
        counts = Counter(u.unit for s in st.places.spans if (u := _unit_of(s, city)))
        generic = _GENERIC_ZONE.finditer(text)
        counts[unit.unit] += sum(1 for g in generic if unit.area.endswith(g["zone"]))
        if counts[unit.unit] >= 2 and counts[unit.unit] * 2 > sum(counts.values()):
            return unit
        return None
    return None


def _area_surface(st: _DocState, unit: _Unit) -> str:
    """How the body writes an area: a county by full name, a zone by its most frequent surface."""
    text, spans = st.text, st.places.spans
    if unit.area == unit.unit and not any(s.zone == unit.unit for s in spans):
        return unit.unit
    surfaces = Counter(s.surface for s in spans if s.zone == unit.unit)
    if not surfaces:
        return unit.area
    return max(surfaces, key=lambda k: (surfaces[k], -text.find(k)))


# ---------------------------------------------------------------- one clause


def _head_pos(text: str, lo: int, hi: int, spans: _Places) -> int:
    """Where a clause's subject starts: after bullets, head words and time words."""
    cues = _cues()
    starts = {s.char_start for s in spans.within(lo, hi)}
    pos = lo
    while pos < hi:
        if pos in starts:
            return pos
        m = _LEAD.match(text, pos, hi) or cues.head.match(text, pos, hi)
        if not m or m.end() == pos:
            return pos
        pos = m.end()
    return pos


def _clause_finding(
    st: _DocState, lo: int, hi: int, *, own: tuple[int, int] | None = None
) -> _Finding | None:
    """What the clause `text[lo:hi]` says about its place, or None when it names none."""
    cues = _cues()
    text, spans, home = st.text, st.places, st.home
    assert home is not None
    if _names_nothing(st, lo, hi):
        return None  # no place, no home word, no zone word: nothing below can find one
    pos, groups = st.read(lo, hi)
    city = home.city
    head_home = text.startswith(cues.words["home"], pos)
    units: list[_Unit] = []
    head_units: list[_Unit] = []
    names_city = False
    foreign: list[tuple[str, _Unit | None]] = []
    each = -1
    for g in groups:
        at_head = g.char_start == pos
        modifier = g.char_start > lo and text[g.char_start - 1] == "的"
        in_own = own is not None and own[0] <= g.char_start and g.char_end <= own[1]
        subject = g.role == "locative" or (
            g.role in ("free", "investor") and (at_head or modifier or in_own)
        )
        if not subject:
            continue
        for s in g.spans:
            if s.kind in ("region", "abbrev"):
                continue
            unit = _unit_of(s, city)
            if unit is not None:
                if unit not in units:
                    units.append(unit)
                if at_head and unit not in head_units:
                    head_units.append(unit)
                continue
            p = _reading(s, city)
            if p is None or not p.city:
                continue
            if city is not None and p.city == city:
                names_city = True
            elif at_head and (g.role == "free" or _counted_there(text, g.char_end, hi)):
                foreign.append((p.city, _unit_of(s, p.city)))
        if at_head and len(head_units) > 1 and (m := _EACH.search(text, g.char_end, hi)):
            each = m.end()
    if len(head_units) > 1 and each >= 0:
        return _Finding("units", city, units=tuple(head_units), each_after=each)
    if len(units) == 1:
        return _Finding("unit", city, unit=units[0])
    if units:
        return _Finding("units", city, units=tuple(units))
    if head_home:
        return _Finding("home", city)
    if names_city:
        return _Finding("city", city)
    if foreign and len({c for c, _ in foreign}) == 1:
        return _Finding("foreign", foreign[0][0], unit=foreign[0][1])
    generic = _GENERIC_ZONE.match(text, pos, hi)
    if generic and home.unit and home.area and home.area.endswith(generic["zone"]):
        return _Finding("unit", city, unit=_Unit(home.unit, home.area))  # 高新区将继续…
    return None


def _names_nothing(st: _DocState, lo: int, hi: int) -> bool:
    """Whether `text[lo:hi]` holds no place, home word or zone word (then neither it nor any
    clause inside it has a finding)."""
    home = st.home
    assert home is not None
    return (
        not st.places.any_within(lo, hi)
        and not _home_word().search(st.text, lo, hi + _home_word_length())
        and not (home.unit and home.area and _GENERIC_ZONE.search(st.text, lo, hi))
    )


@cache
def _home_word() -> regex.Pattern[str]:
    """A home word (全市, 我们) anywhere: a clause without one cannot be headed by one."""
    return regex.compile(_alternatives(_cues().words["home"]) or "(?!)")


@cache
def _home_word_length() -> int:
    return max((len(w) for w in _cues().words["home"]), default=0)


def _counted_there(text: str, pos: int, hi: int) -> bool:
    """Whether a clause opened by `X企业` counts X's firms (杭州企业超过9000家).

    Firms that invest, sign or settle (北京企业投资…, 上海企业在我市…) are a source.
    """
    cues = _cues()
    rest = text[pos:hi]
    return not any(w in rest for w in (*cues.words["invest_verb"], *cues.words["home"]))


def _source_region(st: _DocState, lo: int, hi: int, city: str | None) -> str | None:
    """The places or region a clause says investment comes from (来自沪苏浙的项目 → 沪苏浙)."""
    text, spans = st.text, st.places
    if not spans.any_within(lo, hi):
        return None  # no group, no source
    if city != (st.home.city if st.home else None):
        head, groups = _head_pos(text, lo, hi, spans), _groups(text, spans, lo, hi, home=city)
    else:
        head, groups = st.read(lo, hi)
    for g in groups:
        foreign = [s for s in g.spans if not (city and _in_city(s, city))]
        is_region = all(s.kind in ("region", "abbrev") for s in g.spans)
        counted = not is_region and g.char_start == head and _counted_there(text, g.char_end, hi)
        if not foreign or counted:  # 杭州企业超过9000家 counts 杭州's firms
            continue
        names_projects = bool(_cues().projects_after.match(text, g.char_end, hi))
        if g.role in ("source", "investor") or (is_region and g.role == "free" and names_projects):
            return _surface_of(text, g)
    return None


def _surface_of(text: str, g: _Group) -> str:
    """A group's places as written, without the suffixes after the last one (等地, 地区)."""
    return text[g.char_start : g.char_end]


# ---------------------------------------------------------------- one mention


def _clauses(stops: list[int], size: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """The clauses of `text[lo:hi]` (a sentence) as (start, end) spans.

    `stops` are the offsets of the text's clause stops (`context.CLAUSE_STOPS`), `size` its length.
    """
    i, n = bisect.bisect_left(stops, lo), len(stops)
    if hi <= size:  # the clauses run from stop to stop, the last one to `hi`
        j = bisect.bisect_left(stops, hi, i)
        starts = [lo, *(s + 1 for s in stops[i:j])]
        ends = [*stops[i:j], hi]
        return [(a, b) for a, b in zip(starts, ends) if b > a]
    out = []
    pos = lo
    while pos < hi:
        while i < n and stops[i] < pos:
            i += 1
        end = min(stops[i] if i < n else max(pos, size), hi)  # context.clause_end
        if end > pos:
            out.append((pos, end))
        pos = end + 1
    return out


def _bare(text: str, lo: int, hi: int, m: Mention) -> bool:
    """Whether a clause holds only the mention and head/time words (上半年，…)."""
    other = _other_han()
    if other.search(text, lo, m.char_start) or other.search(text, m.char_end, hi):
        return False  # a character no head or time word has stays whatever is removed
    cues = _cues()
    rest = text[lo : m.char_start] + "，" + text[m.char_end : hi]
    rest = cues.head.sub("", _LEAD.sub("", rest))
    return not _ANY_HAN.search(rest)


_ANY_HAN = regex.compile(r"\p{Han}")


@cache
def _other_han() -> regex.Pattern[str]:
    """A Han character that neither `_LEAD` nor the head pattern can match.

    They match Han characters only as literals (no \\p{Han}, \\w or . in them), so the
    characters written in their patterns are all they can remove.
    """
    written = "".join(sorted(set(_ANY_HAN.findall(_LEAD.pattern + _cues().head.pattern))))
    return regex.compile(rf"(?![{regex.escape(written)}])\p{{Han}}")


def _governing(st: _DocState, sent: _Sentence, m: Mention) -> _Finding | None:
    """The finding governing a mention in its sentence `sent`.

    The mention's own clause first; for a bare time clause the next clause; then
    the earlier clauses of the sentence, nearest first.
    """
    if sent.blank:
        return None  # neither the mention's clause nor any other names a place
    clauses = sent.spans
    start, end = m.char_start, m.char_end
    # the first clause holding `start` (clauses are disjoint and in order), else the last
    k = bisect.bisect_right(sent.starts, start) - 1
    if k < 0 or start > clauses[k][1]:
        k = len(clauses) - 1
    own = clauses[k]
    if st.places.any_within(start, end):
        f = st.finding(own[0], own[1], (start, end))
    else:
        f = st.clause(sent, k)  # no place inside the mention: the finding is the clause's own
    if f is not None:
        return f
    if k + 1 < len(clauses):
        f = st.clause(sent, k + 1)
        if f is not None and _bare(st.text, own[0], own[1], m):
            return f
    return st.earlier(sent, k)


def _opening(st: _DocState, lo: int, hi: int, *, last: bool = False) -> _Unit | None:
    """The county or zone of the first clause naming a place (of the last with `last`)."""
    clauses = st.clauses(lo, hi)
    for c in reversed(clauses) if last else clauses:
        f = st.finding(*c)
        if f is not None:
            return f.unit if f.kind == "unit" else None
    return None


def _carried(st: _DocState, k: int) -> _Unit | None:
    """The unit a sentence naming no place inherits.

    After 其中 it continues the previous sentence; otherwise it stays with the
    county or zone that opened its paragraph.
    """
    if k <= 0:
        return None
    if k in st._carried:
        return st._carried[k]
    unit = st._carried[k] = _carried_unit(st, k)
    return unit


def _carried_unit(st: _DocState, k: int) -> _Unit | None:
    text, sentences = st.text, st.doc.sentences
    sent = sentences[k]
    lead = _LEAD.match(text, sent.char_start, sent.char_end)
    if text.startswith(_cues().words["continue"], lead.end() if lead else sent.char_start):
        prev = sentences[k - 1]
        return _opening(st, prev.char_start, prev.char_end, last=True)
    first = k
    while first > 0 and sentences[first - 1].paragraph == sent.paragraph:
        first -= 1
    if first == k:
        return None
    opener = sentences[first]
    return _opening(st, opener.char_start, opener.char_end)


def _source(st: _DocState, lo: int, hi: int, c_start: int, c_end: int) -> str | None:
    """The source region of a mention's clause `text[c_start:c_end]` in the sentence `text[lo:hi]`."""
    key = (lo, c_start, c_end)
    try:
        return st._sources[key]
    except KeyError:
        pass
    city = st.home.city if st.home else None
    source = _source_region(st, c_start, c_end, city)
    if source is None and not st.has_places(c_start, c_end):
        # 来自长三角的项目71个，到位资金128.4亿元: the figure shares the clause before.
        # `c_start` is `lo` or follows a stop, so the clauses of `text[lo:c_start]` are
        # the sentence's clauses that start before it.
        sent = st.sentence(lo, hi)
        placed = st.placed(sent)
        j = bisect.bisect_left(placed, bisect.bisect_left(sent.starts, c_start)) - 1
        if j >= 0:
            source = _source_region(st, *sent.spans[placed[j]], city)
    st._sources[key] = source
    return source


def _resolve(f: _Finding, m: Mention, text: str, home: DocPlace) -> tuple[str | None, str | None]:
    """(city, area) of a mention given the finding that governs it.

    A date follows a county or zone but never another city, and an explicit
    mention of the home city does not take it out of the document's area.
    """
    is_date = m.kind == "date"
    if f.kind == "home" or (is_date and f.kind in ("city", "foreign")):
        return home.city, home.area
    if f.kind == "city":
        return home.city, None
    if f.kind == "foreign":
        return f.city, f.unit.area if f.unit else None
    if f.kind == "unit" and f.unit is not None:
        return home.city, _as_home(f.unit, home)
    if f.each_after >= 0 and m.char_start >= f.each_after:  # 寿光市、诸城市…分别达到63个和52个
        i = len(_NUMBER.findall(text, f.each_after, m.char_start))
        if i < len(f.units):
            return home.city, _as_home(f.units[i], home)
    return home.city, None


def _as_home(unit: _Unit, home: DocPlace) -> str:
    """A unit as the document writes its own area (盐城经济技术开发区 → the area 盐城经开区)."""
    return home.area if home.area and unit.unit == home.unit else unit.area


def mention_place(
    doc: Document, mention: Mention, home: DocPlace
) -> tuple[str | None, str | None, str | None]:
    """The city, area and source region of one mention.

    Args:
        doc: the normalized document the mention was found in.
        mention: the mention (its `char_start`/`char_end` index `doc.text`).
        home: `document_city(doc)`.

    Returns:
        (city, area, source_region): the prefecture-level city the figure is about
        (another city only when that city is the subject of the figure's clause),
        its county/district/zone as the text writes it or None for a city-level
        figure, and the place investment comes from (沪苏浙, 长三角) or None.
    """
    st = _last_state if _last_state is not None and _last_state.doc is doc else _state(doc)
    if st.home is not home:
        st.for_home(home)
    text = st.text
    start, end = mention.char_start, mention.char_end
    k = bisect.bisect_right(st.sentence_starts, start) - 1
    lo, hi = 0, len(text)
    if k >= 0:
        s = doc.sentences[k]
        lo, hi = s.char_start, max(s.char_end, end)
    sent = st.sentence(lo, hi)
    f = _governing(st, sent, mention)
    c_end = st.clause_end(end)
    if sent.sourceless and c_end <= hi:
        source = None  # the clause and those before it are cut as in the whole text: no place
    else:
        source = _source(st, lo, hi, st.clause_start(start, lo), c_end)
    if f is not None:
        city, area = _resolve(f, mention, text, home)
        return city, area, source
    carried = _carried(st, k)
    if carried is not None:
        return home.city, _as_home(carried, home), source
    return home.city, home.area, source
