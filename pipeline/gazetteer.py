"""Look up China's administrative units and development zones by name, short name or abbreviation.

Data: `lexicons/gazetteer.tsv` (34 provincial, 333 prefecture-level and 2,843 county-level units
with codes, parents, short names and single-character abbreviations), `lexicons/zones.tsv`
(development and high-tech zones filed under their city) and `lexicons/place_stop.tsv` (surfaces
that are common words). Built by `tools/build_gazetteer.py`; see the file headers for sources and
policy. The tables are read on first use (not at import) and kept.

Conventions:
    * Direct-administered municipalities (北京市, 上海市, 天津市, 重庆市) are one `Place` of level
      ``province`` whose `city` is itself; their districts are ``county`` places with that city.
    * County-level units directly under a province (仙桃市, 济源市, Hainan's 琼海市 ...) have the
      province as parent and themselves as `city`. Prefectures have themselves as `city`.
    * A zone is not a `Place`: lookups and spans of a zone give the county it lies in when known,
      else its city.
    * Generic relative zone forms (市经开区, 市高新区, 县经开区, 区经开区) are not stored per city:
      the resolve stage maps them against the document's city (and county); nothing here
      matches them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal, cast

import ahocorasick_rs
from govfacts.lexicons import LexiconError, load_table

__all__ = ["Place", "PlaceSpan", "lookup", "city_of", "find_places", "is_within", "name_chars"]

Level = Literal["province", "prefecture", "county"]
SpanKind = Literal["full", "short", "abbrev", "zone"]

_GAZETTEER_COLUMNS = (
    "code",
    "name",
    "level",
    "parent_code",
    "province",
    "city",
    "short_names",
    "abbrev",
)
_ZONE_COLUMNS = ("name", "short_names", "city", "county", "kind", "source")
_STOP_COLUMNS = ("surface", "scope", "reason")
_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}
_KIND_RANK = {"full": 0, "short": 1, "zone": 2}

# A short name followed by one of these is part of a street or village name (淮北路, 北京街).
_STREET_CHARS = frozenset("路街巷弄村")
_STREET_WORDS = ("大道", "大街", "大桥")
# A two-character full name (寿县, 和县, 高县) followed by one of these is the generic 县 of
# 县域, 县城, 县级, 县长, 县委 ... straddling another word (提高县域, 代县长, 新县城).
_GENERIC_COUNTY_NEXT = frozenset("域城级长委区乡里内外直")


@dataclass(frozen=True, slots=True)
class Place:
    """One administrative unit of the gazetteer.

    `city` is the prefecture-level full name the unit belongs to ('' for provinces other than the
    four municipalities); `parent_code` is '' for provinces.
    """

    code: str
    name: str
    level: Level
    parent_code: str
    province: str
    city: str


@dataclass(frozen=True, slots=True)
class PlaceSpan:
    """A place name found in a text.

    Attributes:
        char_start: offset of the first character in the scanned text.
        char_end: offset after the last character.
        surface: ``text[char_start:char_end]``.
        kind: ``full`` name, ``short`` name, single-character ``abbrev``, or ``zone``.
        places: every unit the surface may denote, most likely first (full-name readings before
            short-name ones, higher levels first); narrowed to the units inside the place
            directly before it when there are such (北京市朝阳区 → 北京's 朝阳区 only).
        zone: the zone's full name for kind ``zone``, else None.
    """

    char_start: int
    char_end: int
    surface: str
    kind: SpanKind
    places: tuple[Place, ...]
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    """What a surface means for the scanner."""

    kind: SpanKind
    places: tuple[Place, ...]
    zone: str | None = None


@dataclass(frozen=True, slots=True)
class _Tables:
    """The loaded gazetteer and its indexes."""

    by_code: dict[str, Place]
    by_surface: dict[str, tuple[Place, ...]]
    scan: dict[str, _Entry]
    stop_names: frozenset[str]
    stop_runs: tuple[str, ...]
    stop_starts: frozenset[str]
    run_chars: frozenset[str]
    # Every surface of >= 2 characters (names and stop words) in one automaton: a text is scanned
    # once in compiled code, and Python only looks at the positions where something starts.
    # A contiguous NFA (~0.5 MB): a DFA (~14 MB) scans 1.5x faster while it stays in the CPU
    # cache, but between two documents the extractors evict it, and then it scans 1.5x slower.
    automaton: ahocorasick_rs.AhoCorasick
    # maximal runs of province-abbreviation characters: a run of 2 or more may start at any
    # of them but its last (found by the standard library's engine, faster than `regex` here)
    run_start: re.Pattern[str]


def _ordered(cands: list[tuple[int, Place]]) -> tuple[Place, ...]:
    """Distinct places ordered by reading kind, level and code."""
    out: dict[str, Place] = {}
    for _, place in sorted(cands, key=lambda c: (c[0], _LEVEL_RANK[c[1].level], c[1].code)):
        out.setdefault(place.code, place)
    return tuple(out.values())


@cache
def _tables() -> _Tables:
    """Read the three lexicons once and build the indexes."""
    rows = load_table("gazetteer.tsv", _GAZETTEER_COLUMNS, key="code")
    by_code: dict[str, Place] = {}
    readings: dict[str, list[tuple[int, Place]]] = {}  # surface -> (kind rank, place)
    abbrevs: dict[str, list[tuple[int, Place]]] = {}
    run_chars: set[str] = set()
    for row in rows:
        if row["level"] not in _LEVEL_RANK:
            raise LexiconError(f"gazetteer.tsv: unknown level {row['level']!r} for {row['code']}")
        place = Place(
            row["code"],
            row["name"],
            cast(Level, row["level"]),
            row["parent_code"],
            row["province"],
            row["city"],
        )
        by_code[place.code] = place
        readings.setdefault(place.name, []).append((_KIND_RANK["full"], place))
        for short in filter(None, row["short_names"].split("|")):
            readings.setdefault(short, []).append((_KIND_RANK["short"], place))
        for char in filter(None, row["abbrev"].split("|")):
            abbrevs.setdefault(char, []).append((_LEVEL_RANK[place.level], place))
            if place.level == "province":
                run_chars.add(char)
    scan: dict[str, _Entry] = {}
    for surface, cands in readings.items():
        kind: SpanKind = "full" if any(rank == 0 for rank, _ in cands) else "short"
        scan[surface] = _Entry(kind, _ordered(cands))
    cities = {p.name: p for p in by_code.values() if p.city == p.name}
    in_city = {(p.name, p.city): p for p in by_code.values()}
    for zone in load_table("zones.tsv", _ZONE_COLUMNS, key="name"):
        home = in_city.get((zone["county"], zone["city"])) or cities.get(zone["city"])
        if home is None or (zone["county"] and home.name != zone["county"]):
            raise LexiconError(
                f"zones.tsv: {zone['name']}: unknown {zone['city']} {zone['county']}"
            )
        for surface in (zone["name"], *filter(None, zone["short_names"].split("|"))):
            readings.setdefault(surface, []).append((_KIND_RANK["zone"], home))
            scan.setdefault(surface, _Entry("zone", (home,), zone["name"]))
    by_surface = {s: _ordered(c) for s, c in readings.items()}
    for char, cands in abbrevs.items():
        by_surface[char] = _ordered(cands)
    stops = load_table("place_stop.tsv", _STOP_COLUMNS, key="surface")
    stop_names = frozenset(r["surface"] for r in stops if r["scope"] == "name")
    stop_runs = tuple(r["surface"] for r in stops if r["scope"] == "abbrev_run")
    stop_starts = frozenset(r["surface"] for r in stops if r["scope"] == "abbrev_start")
    surfaces = sorted({s for s in (*scan, *stop_names) if len(s) >= 2})
    automaton = ahocorasick_rs.AhoCorasick(
        surfaces, implementation=ahocorasick_rs.Implementation.ContiguousNFA
    )
    run_class = f"[{re.escape(''.join(sorted(run_chars)))}]"
    run_start = re.compile(run_class + run_class + "+")  # {2,}: the same runs, ~2.5x slower
    return _Tables(
        by_code,
        by_surface,
        scan,
        stop_names,
        stop_runs,
        stop_starts,
        frozenset(run_chars),
        automaton,
        run_start,
    )


@cache
def name_chars() -> frozenset[str]:
    """Every character `find_places` reads as part of a name or right after one.

    A text cut where one of the two characters beside each cut is none of these is
    scanned as the whole text would be: `find_places(text[lo:hi])` are the spans of
    `find_places(text)` inside `[lo, hi)`, shifted by `lo` (no name, stop word or
    abbreviation run can cross the cut, and no boundary rule sees past it).
    """
    tables = _tables()
    chars = set(_STREET_CHARS) | set(_GENERIC_COUNTY_NEXT) | set("".join(_STREET_WORDS))
    chars.update(tables.run_chars, "".join(tables.stop_starts), "".join(tables.stop_runs))
    chars.update("".join(s for s in (*tables.scan, *tables.stop_names) if len(s) >= 2))
    return frozenset(chars)


def lookup(name_or_short: str) -> tuple[Place, ...]:
    """Every unit a full name, short name, abbreviation or zone name may denote.

    >>> [p.name for p in lookup("淮")]
    ['淮南市', '淮北市']
    >>> lookup("不是地名")
    ()
    """
    return _tables().by_surface.get(name_or_short.strip(), ())


def city_of(name: str) -> str | None:
    """The prefecture-level full name of a place when every reading of `name` agrees, else None.

    Context-free: for an ambiguous name (朝阳, 鼓楼区) narrow the readings of `lookup` with
    `is_within` against the document's city instead.

    >>> city_of("濉溪")
    '淮北市'
    >>> city_of("朝阳") is None  # 朝阳市, and 朝阳区 in 北京 and 长春
    True
    """
    cities = {p.city for p in lookup(name)}
    if len(cities) != 1:
        return None
    city = cities.pop()
    return city or None


def is_within(place: Place, city: str | Place) -> bool:
    """Whether `place` is `city` or lies inside it.

    Args:
        place: a unit from `lookup` or `find_places`.
        city: a unit, or any name `lookup` knows (any level; True if any of its readings
            contains `place`).
    """
    tables = _tables()
    containers = {city.code} if isinstance(city, Place) else {p.code for p in lookup(city)}
    node: Place | None = place
    while node is not None:
        if node.code in containers:
            return True
        node = tables.by_code.get(node.parent_code)
    return False


def _longest_at(text: str, tables: _Tables) -> dict[int, int]:
    """Start offset -> length of the longest surface starting there, for the whole text."""
    longest: dict[int, int] = {}
    for _, start, end in tables.automaton.find_matches_as_indexes(text, overlapping=True):
        if end - start > longest.get(start, 0):
            longest[start] = end - start
    return longest


def _match_at(
    text: str, i: int, tables: _Tables, longest: dict[int, int]
) -> tuple[int, _Entry | None]:
    """Length and meaning of the longest surface at `i` (entry None: a stop word; 0: nothing)."""
    length = longest.get(i, 0)
    if not length:
        return 0, None
    surface = text[i : i + length]
    if surface in tables.stop_names:
        return length, None
    return length, tables.scan[surface]


def _street_follows(text: str, j: int) -> bool:
    """Whether the text at `j` continues a name into a street or village name."""
    return (j < len(text) and text[j] in _STREET_CHARS) or text.startswith(_STREET_WORDS, j)


def _bad_boundary(text: str, i: int, length: int, entry: _Entry) -> bool:
    """Whether a short name or a two-character full name runs on into a longer word."""
    j = i + length
    if entry.kind == "short":
        return _street_follows(text, j)
    if entry.kind == "full" and length == 2:
        return _street_follows(text, j) or (j < len(text) and text[j] in _GENERIC_COUNTY_NEXT)
    return False


def _crossed(
    text: str, i: int, length: int, entry: _Entry, tables: _Tables, longest: dict[int, int]
) -> bool:
    """Whether a short name at `i` loses to a stronger name crossing its end (更新安庆: not 新安).

    The crossing name wins when it is a full or zone name, or names a higher level.
    """
    best = _LEVEL_RANK[entry.places[0].level]
    for j in range(i + 1, i + length):
        other_length, other = _match_at(text, j, tables, longest)
        if (
            other is not None
            and j + other_length > i + length
            and (other.kind != "short" or _LEVEL_RANK[other.places[0].level] < best)
        ):
            return True
    return False


def _inside(places: tuple[Place, ...], spans: list[PlaceSpan], i: int) -> tuple[Place, ...]:
    """The places strictly inside a place of the span that ends right at `i`."""
    if not spans or spans[-1].char_end != i:
        return ()
    return tuple(p for p in places if any(p != q and is_within(p, q) for q in spans[-1].places))


def _abbrev_run(text: str, i: int, tables: _Tables, longest: dict[int, int]) -> int:
    """Length of a valid run of >= 2 distinct province abbreviations starting at `i`, else 0."""
    if text[i] in tables.stop_starts:
        return 0
    j = i
    while (
        j < len(text)
        and text[j] in tables.run_chars
        and (j == i or j not in longest)
    ):
        j += 1
    run = text[i:j]
    if len(run) < 2 or len(set(run)) != len(run) or any(stop in run for stop in tables.stop_runs):
        return 0
    return len(run)


def find_places(text: str) -> list[PlaceSpan]:
    """Place names in `text`, scanned left to right taking the longest surface at each position.

    Full names and zone names match anywhere, except a two-character one (寿县) followed by
    县域/县城/县级-like characters; short names (>= 2 characters) match unless a street or
    village name follows (淮北路) or a full name, zone name or higher-level short name
    crosses their end (更新安庆 gives 安庆, not 新安); stop words (`place_stop.tsv`: 和平, 城区)
    yield nothing unless they directly follow their parent (天津市和平区). Single-character
    abbreviations count only in a run of >= 2 distinct province abbreviations (沪苏浙, 京津冀)
    that neither contains an `abbrev_run` stop (新台阶) nor starts with an `abbrev_start` one (新).

    Returns:
        Non-overlapping spans in text order; [] when there are none.
    """
    tables = _tables()
    longest = _longest_at(text, tables)
    starts = set(longest)
    starts.update(i for m in tables.run_start.finditer(text) for i in range(m.start(), m.end() - 1))
    spans: list[PlaceSpan] = []
    i = 0
    for start in sorted(starts):  # nothing can begin anywhere else
        if start < i:
            continue
        i = start
        length, entry = _match_at(text, i, tables, longest)
        if length:
            surface = text[i : i + length]
            if entry is None:  # a stop word, unless it is a place right after its parent
                entry = tables.scan.get(surface)
                if entry is not None and not _inside(entry.places, spans, i):
                    entry = None
            if (
                entry is not None
                and entry.kind == "short"
                and _crossed(text, i, length, entry, tables, longest)
            ):
                i += 1  # let the crossing name match
                continue
            if entry is not None and not _bad_boundary(text, i, length, entry):
                places = _inside(entry.places, spans, i) or entry.places
                spans.append(PlaceSpan(i, i + length, surface, entry.kind, places, entry.zone))
            i += length
            continue
        run = _abbrev_run(text, i, tables, longest)
        for k in range(i, i + run):
            spans.append(PlaceSpan(k, k + 1, text[k], "abbrev", tables.by_surface[text[k]]))
        i += run or 1
    return spans
