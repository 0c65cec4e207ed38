"""The quantity grammar built from `lexicons/`: units, currencies, measure words, qualifiers, cues.

Every vocabulary is data; this module only turns it into compiled patterns
(once per process, on first use: importing it reads nothing).
"""

from __future__ import annotations

import re
import re._constants as _sre  # the parse-tree vocabulary of the standard `re` parser
import re._parser as _sre_parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import regex
from govfacts.extractors import numbers
from govfacts.lexicons import load_table

__all__ = [
    "alternation",
    "currencies",
    "measure_words",
    "not_counts",
    "qualifier_words",
    "RateCue",
    "rate_cues",
    "StatusCue",
    "status_cues",
    "status_blocks",
    "Metric",
    "metrics",
    "MULTIPLIER",
    "subject_words",
    "slogans",
    "in_slogan",
    "stock_metrics",
    "metric_takes_unit",
    "amount_pattern",
    "count_pattern",
    "rate_pattern",
    "amount_runs",
    "count_runs",
    "rate_runs",
    "scan",
    "required_chars",
    "may_match",
    "ways_table",
]

# Multipliers that may stand between a number and its unit (3000多万元). Longest first.
MULTIPLIER = r"(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千|百)"


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first so the longest surface wins."""
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@cache
def currencies() -> dict[str, str]:
    """Currency surface → ISO 4217 code."""
    return {r["surface"]: r["iso"] for r in load_table("currencies.tsv", ("surface", "iso", "note"), key="surface")}


@cache
def subject_words() -> dict[str, frozenset[str]]:
    """role (head, tail, generic) → words of `lexicons/subject_words.tsv`."""
    out: dict[str, set[str]] = {"head": set(), "tail": set(), "generic": set()}
    for r in load_table("subject_words.tsv", ("word", "role")):
        out[r["role"]].add(r["word"])
    return {k: frozenset(v) for k, v in out.items()}


@cache
def measure_words() -> dict[str, str]:
    """Measure word → what it counts (item, firm, event, person, team, land, capacity)."""
    rows = load_table("measure_words.tsv", ("word", "family", "note"), key="word")
    return {r["word"]: r["family"] for r in rows}


@cache
def not_counts() -> tuple[str, ...]:
    """Surfaces that begin with a measure word but make no count (个月, 个百分点)."""
    return tuple(r["surface"] for r in load_table("not_counts.tsv", ("surface", "reason"), key="surface"))


@cache
def qualifier_words() -> dict[str, dict[str, str]]:
    """position (before/after/infix/link) → word → qualifier (approx/ge/le/eq), in file order."""
    out: dict[str, dict[str, str]] = {"before": {}, "after": {}, "infix": {}, "link": {}}
    for r in load_table("qualifiers.tsv", ("word", "position", "qualifier", "not_after", "note")):
        if r["position"] not in out:
            raise ValueError(f"qualifiers.tsv: unknown position {r['position']!r}")
        out[r["position"]][r["word"]] = r["qualifier"]
    return out


@cache
def qualifier_not_after() -> dict[str, str]:
    """word → characters that, before it, make it part of another word (签约, 通过)."""
    rows = load_table("qualifiers.tsv", ("word", "position", "qualifier", "not_after", "note"))
    return {r["word"]: r["not_after"] for r in rows if r["not_after"]}


@dataclass(frozen=True, slots=True)
class RateCue:
    """A cue before a percentage: growth or share, and the sign it gives."""

    pattern: regex.Pattern[str]
    kind: str
    sign: int


@cache
def rate_cues() -> tuple[RateCue, ...]:
    rows = load_table("rate_cues.tsv", ("pattern", "kind", "sign", "note"))
    return tuple(RateCue(regex.compile(r["pattern"]), r["kind"], int(r["sign"])) for r in rows)


@dataclass(frozen=True, slots=True)
class StatusCue:
    """A cue word that makes a quantity a target, plan, or (re)sets it actual."""

    pattern: regex.Pattern[str]
    status: str
    scope: str  # clause | sentence


@cache
def status_cues() -> tuple[StatusCue, ...]:
    rows = load_table("status_cues.tsv", ("pattern", "status", "scope", "note"))
    return tuple(StatusCue(regex.compile(r["pattern"]), r["status"], r["scope"]) for r in rows)


@cache
def status_blocks() -> regex.Pattern[str]:
    """Phrases right before a quantity that keep it actual (计划总投资)."""
    rows = load_table("status_blocks.tsv", ("pattern", "note"))
    return regex.compile("(?:" + "|".join(r["pattern"] for r in rows) + r")[^，。；]{0,3}$")


@dataclass(frozen=True, slots=True)
class Metric:
    """A canonical metric id with its labels and the subject pattern that selects it."""

    id: str
    kinds: frozenset[str]
    label_zh: str
    label_en: str
    stock: bool  # a standing resource: dated only by its own clause
    units: frozenset[str]  # measure-word families a count may have; empty for any
    pattern: regex.Pattern[str]


@cache
def metrics() -> tuple[Metric, ...]:
    rows = load_table("metrics.tsv", ("id", "kinds", "label_zh", "label_en", "stock", "units", "pattern"), key="id")
    return tuple(
        Metric(
            r["id"], frozenset(r["kinds"].split("|")), r["label_zh"], r["label_en"],
            r["stock"] == "yes", frozenset(u for u in r["units"].split("|") if u), regex.compile(r["pattern"]),
        )
        for r in rows
    )


def metric_takes_unit(metric_id: str, measure_word: str) -> bool:
    """Whether a count in `measure_word` can measure `metric_id` (land in 亩, not in 家)."""
    m = _metrics_by_id().get(metric_id)
    if m is None or not m.units:
        return True
    return measure_words().get(measure_word) in m.units


@cache
def _metrics_by_id() -> dict[str, Metric]:
    return {m.id: m for m in metrics()}


@cache
def stock_metrics() -> frozenset[str]:
    """Metric ids of standing resources (teams, people, land)."""
    return frozenset(m.id for m in metrics() if m.stock)


@dataclass(frozen=True, slots=True)
class Slogan:
    """A set phrase whose number is no quantity, matched at the number or at the quote before it."""

    pattern: regex.Pattern[str]
    where: str  # at | quote


@cache
def slogans() -> tuple[Slogan, ...]:
    rows = load_table("slogans.tsv", ("pattern", "where", "note"))
    return tuple(Slogan(regex.compile(r["pattern"]), r["where"]) for r in rows)


def in_slogan(text: str, start: int) -> bool:
    """Whether the number starting at `start` belongs to a slogan or set phrase."""
    for s in slogans():
        if s.where == "at" and s.pattern.match(text, start):
            return True
        if s.where == "quote" and start > 0 and text[start - 1] == "“" and s.pattern.match(text, start - 1):
            return True
    return False


@cache
def amount_pattern() -> regex.Pattern[str]:
    """NUMBER [余|多] [MULTIPLIER] CURRENCY, or a bare MULTIPLIER CURRENCY (亿元以上)."""
    infix = alternation(qualifier_words()["infix"])
    return regex.compile(
        rf"""
        (?P<num>{numbers.NUMBER_PATTERN})?   # 52.9 / 3.6万 / 四十五亿 / none in 亿元以上
        (?P<infix>{infix})?          # 3000多万元: a rounded figure
        (?P<mult>{MULTIPLIER})?      # 万 亿 万亿 left after the number
        (?P<cur>{alternation(currencies())})
        """,
        regex.VERBOSE,
    )


@cache
def count_pattern() -> regex.Pattern[str]:
    """NUMBER [余|多] [万] MEASURE-WORD, not followed into a duration or ordinal."""
    infix = alternation(qualifier_words()["infix"])
    return regex.compile(
        rf"""
        (?P<num>{numbers.NUMBER_PATTERN})
        (?P<infix>{infix})?
        (?P<mult>万|亿)?
        (?P<mw>{alternation(measure_words())})
        """,
        regex.VERBOSE,
    )


# The units a rate ends with: percent, multiple, tenths (`rate_pattern` and `rate_runs` share them).
RATE_UNITS = ("%", "倍", "成")


@cache
def rate_pattern() -> regex.Pattern[str]:
    """A percentage, a multiple (倍) or tenths (成)."""
    return regex.compile(
        rf"""
        (?P<pct>百分之)(?P<num>{numbers.NUMBER_PATTERN})        # 百分之五十
        | (?P<num>[-−]?{numbers.NUMBER_PATTERN})(?P<unit>{RATE_UNITS[0]}|{RATE_UNITS[1]})  # 147.7% -3.17% 2倍
        | (?P<num>[一二两三四五六七八九十])(?P<unit>{RATE_UNITS[2]})  # 三成 = 30%
        | (?P<frac>[一二两三四五六七八九十百千]+分之[一二两三四五六七八九十]+)  # 三分之一: a share
        """,
        regex.VERBOSE,
    )


# A match of the amount, count or rate pattern starting inside a run of number
# characters reads at most this far past the run's end (a currency, measure or unit
# word and the multipliers' look-ahead guards); `_runs_before` checks the words.
_REACH = 16


def _runs_before(words: Iterable[str], extra: str = "") -> re.Pattern[str]:
    """Maximal runs of number characters (and `extra`) that end right where one of `words` goes on.

    A word may begin with number characters (万吨, 千瓦): its first other character
    must follow the run. A word made of number characters only could end inside a
    run, so then every run is taken. (A left-to-right scan meets a run at its first
    character; where the run fails there, it fails at the next ones too: no look-behind
    is needed to keep runs whole, and none slows the scan.)
    """
    chars = numbers.number_chars() + re.escape(extra)
    in_run = re.compile(f"[{chars}]")
    follow: set[str] = set()
    for w in words:
        if len(w) >= _REACH:
            raise ValueError(f"{w!r} is longer than the anchored scan reaches ({_REACH})")
        rest = [c for c in w if not in_run.match(c)]
        if not rest:
            return re.compile(f"[{chars}][{chars}]*+")
        follow.add(rest[0])
    # [c][c]*+ is [c]++, but its leading class lets `re` skip to the runs (a possessive
    # repeat first gives it no character to look for).
    return re.compile(f"[{chars}][{chars}]*+(?=[{re.escape(''.join(sorted(follow)))}])")


@cache
def amount_runs() -> re.Pattern[str]:
    """The runs of number characters where an amount (but a bare 元) can start: before a currency."""
    return _runs_before(currencies(), "".join(qualifier_words()["infix"]))


@cache
def count_runs() -> re.Pattern[str]:
    """The runs of number characters where a count can start: before a measure word."""
    return _runs_before(measure_words(), "".join(qualifier_words()["infix"]))


@cache
def rate_runs() -> re.Pattern[str]:
    """The runs of number characters where a rate can start: before %, 倍 or 成, or holding 分之."""
    chars = numbers.number_chars()  # the words are those of `rate_pattern`
    # A leading character class lets `re` skip to the runs; (?<=分)之 finds a 分之 at the run's start too.
    units = re.escape("".join(RATE_UNITS))
    return re.compile(rf"[{chars}](?:[{chars}]*+(?=[{units}])|[{chars}]*?(?<=分)之[{chars}]*+)")


def scan(pattern: regex.Pattern[str], runs: re.Pattern[str], text: str) -> Iterator[regex.Match[str]]:
    """The matches `pattern.finditer(text)` gives, when every match starts inside a run `runs` finds.

    Each match starting in a run reads at most `_REACH` characters past the run, so
    the pattern is tried only there: the regex engine's cost per position is paid on
    the few runs before a unit word instead of on the whole text.
    """
    pos = 0
    for run in runs.finditer(text):
        lo, end = max(pos, run.start()), run.end()
        while lo < end:
            m = pattern.search(text, lo, end + _REACH)
            if m is None or m.start() >= end:
                break
            yield m
            pos = lo = m.end()



def required_chars(source: str) -> tuple[frozenset[str], ...] | None:
    """For each way the regex `source` can match, characters every such match holds; None
    when some way needs no particular character.

    A window of text that holds all the characters of none of the ways holds no
    match, so a lexicon pattern need not be tried there. Look-arounds consume nothing
    and are passed over; what the standard parser does not know gives None.

    >>> required_chars(r"(?<!完成)(?:年度|全年)?目标") == (frozenset("目标"),)
    True
    >>> required_chars("签约|合同") == (frozenset("签约"), frozenset("合同")), required_chars("[^，]{0,3}的|约?")
    (True, None)
    """
    if "[:" in source or re.search(r"\{[eids]", source):
        return None  # POSIX classes and fuzzy matching, which `re` reads as literals
    try:
        parsed = _sre_parse.parse(source)
    except re.error:
        return None  # syntax of `regex` only
    if parsed.state.flags & re.IGNORECASE:
        return None
    items = list(parsed)
    ways = [items]
    at = next((i for i, (op, _) in enumerate(items) if op is _sre.BRANCH), None)
    if at is not None:  # each alternative of the first branch is a way of its own
        ways = [items[:at] + list(b) + items[at + 1 :] for b in items[at][1][1]]
    found = tuple(frozenset(_required(w)) for w in ways)
    return None if not all(found) else found


def _required(items: list) -> set[str]:
    """The characters every match of a parsed sequence holds."""
    out: set[str] = set()
    for op, av in items:
        if op is _sre.LITERAL:
            out.add(chr(av))
        elif op is _sre.ATOMIC_GROUP or (op is _sre.SUBPATTERN and not av[1] & re.IGNORECASE):
            out |= _required(list(av[-1]))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            out |= _required(list(av[2]))
        elif op is _sre.BRANCH:
            out |= set.intersection(*(_required(list(b)) for b in av[1]))
    return out


def may_match(ways: tuple[frozenset[str], ...] | None, seen: set[str] | frozenset[str]) -> bool:
    """Whether a pattern with these `required_chars` may match in a text of characters `seen`."""
    return ways is None or any(way <= seen for way in ways)


def ways_table(patterns: Iterable[regex.Pattern[str]]) -> tuple[tuple[frozenset[str], int], ...]:
    """(characters needed, index) for each way of matching of each pattern, in pattern order.

    The indices of the patterns that may match in a text of characters `seen` are
    those of the rows whose set is `<= seen` (one comprehension: C-speed subset tests);
    a pattern that may match anywhere has a row with the empty set.
    """
    rows: list[tuple[frozenset[str], int]] = []
    for i, p in enumerate(patterns):
        ways = required_chars(p.pattern)
        rows += [(w, i) for w in ways] if ways is not None else [(frozenset(), i)]
    return tuple(rows)
