"""Named projects: each project, park, base or complex a text names, with investment, stage, date.

A name is found two ways. A *head word* (项目, 产业园, 基地, 综合体…; `lexicons/project_heads.tsv`)
ending a noun phrase gives a name whose left boundary is found on jieba's tokens: it stops at
punctuation, 的, prepositions, pronouns, stop words, stage verbs, another 项目 and numbers (a
capacity after 年产 stays inside: 年产6万吨…项目). A *list* `A、B、C等一批项目…` /
`等N个项目` gives one name per item, with or without a head word (恒大新能源电池). Generic
classes (工业项目, 重大项目, 智能物流中心; `project_generic.tsv`), zones and platforms
(海东工业园区) and names counted as a class (稀土新材料项目34个, 8个招商项目) are never names.

A head-word name needs evidence that one project is meant: a stage word around it, an investment
figure, a `——` list item or a `其中`/`包括：` list under a counted stage. The stage comes from
`project_stages.tsv`: first the 的-modifier (`5月签约的X`), then the name's clause (`X已于4月开工`),
the verb governing a list (`引进了A、B等项目`), the following clauses of its sentence, then the
counted parent (`集中开工项目12个。其中，X…`); a stage after a future cue (计划于5月开工) is
`planned` and used last. The period is the one the resolve stage gives a fact written at the
stage word (its own clause first, then the sentence and paragraph head).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

import regex
from govfacts.extractors import context, grammar
from govfacts.extractors.amounts import extract_amounts
from govfacts.extractors.dates import TimeExpr, document_time_expressions
from govfacts.lexicons import LexiconError, load_table
from govfacts.pipeline.gazetteer import PlaceSpan, find_places
from govfacts.pipeline.records import Document, Mention, Project, Sentence
from govfacts.pipeline.segment import tag_of, word_spans

__all__ = ["extract_projects", "project_register", "StageWord", "stage_words"]

# Order of advance: the register keeps the most advanced stage a project is named at.
STAGE_ORDER = (
    "planned",
    "negotiating",
    "signed",
    "started",
    "under_construction",
    "completed",
    "in_production",
)
_MAX_NAME = 40  # characters: a longer run is no name
_HEAD_SLACK = 4  # characters a sentence may carry before its opening time expression (其中，在)
_NON_GOVERNING = frozenset({"year_ago"})  # 去年同期 compares, it dates nothing
_ALLOWED_MARKS = frozenset("（）()·•")  # punctuation that may stand inside a name
_NUMBER_CHARS = frozenset("0123456789个批家项亿万元千百月日年号次季度%％")
_NUMBER_TAGS = frozenset(("m", "mq", "t", "x"))  # a word of number characters is a number so tagged
_LATIN = frozenset(map(chr, range(ord("A"), ord("z") + 1)))  # 5G, COVID-19: no number

# `A、B、C等一批项目` / `等33个项目` / `等25个优质项目` / `等项目`: the tail of a list of projects.
_LIST_TAIL = regex.compile(
    r"""
    等
    (?:[\d一二三四五六七八九十两百千几多余]+(?:个|项|家|批)   # 等33个 / 等十余个
      | 一大批 | 一批 | 多个 | 诸多 | 众多 )?                  # 等一批
    (?P<mod>[^\W\d的]{0,8}?)                                 # 大 / 优质 / 相关产业链
    项目
    """,
    regex.VERBOSE,
)
# A list item line: `——X项目，总投资48亿元；`.
_LIST_ITEM_LINE = regex.compile(
    r"\s*(?:——|—|－|-|·|•|\d+[.、．]|[（(][一二三四五六七八九十\d]+[)）])"
)
# A header before a colon that introduces the projects listed after it (签约项目包括：).
_HEADER = regex.compile(r"(?:包括|有|为|如下|分别是|主要有)\s*[：:]\s*$")
# 其中 before a name: the name is one of the counted projects of the sentence before.
_AMONG = regex.compile(r"其中")
# What joins coordinated names: `A、B`, `A和B`.
_JOINED = regex.compile(r"\s*(?:、|和|及|与|以及)\s*")
# What may stand between a clause start and a name that is the clause's subject.
_CLAUSE_OPENING = regex.compile(r"^\s*(?:——|—|－|-|·|•)?\s*(?:其中|另外|此外|同时)?\s*$")
# A following clause that goes on about the same subject (`…项目总投资12.8亿元，于10月竣工投产`).
_CONTINUES = regex.compile(
    r"""\s*(?:
        已经|已于|已|于|并|目前|现已|现|正在|正|将|预计|计划|拟|均   # adverbs: no new subject
      | 总投资|协议投资|拟投资|计划总投资|投资                      # its investment
    )""",
    regex.VERBOSE,
)
# A period before a class name: 第一季度重大项目, 2023年度重点项目.
_PERIOD_PREFIX = regex.compile(
    r"^(?:\d{4}年)?(?:第?[一二三四1-4]季度|[上下]半年|全年|年度|今年|明年|去年)"
)
# A count right after a name: `稀土新材料及应用项目34个` names a class.
# Measure words that count things a project list is made of: items, firms, batches
# (lexicons/measure_words.tsv families item, firm, event), not people, land or capacity.
_COUNTING_FAMILIES = ("item", "firm", "event")


_COUNT_BOUNDS = ("超过", "超", "逾", "近", "约", "达到", "达", "共", "突破")  # 项目超过80个
_COUNT_NUMERALS = "一二三四五六七八九十两百千"


@cache
def _count_after() -> regex.Pattern[str]:
    """A count right after a class name (项目34个, 企业超过80家)."""
    return regex.compile(
        rf"""\s*
        (?:{"|".join(_COUNT_BOUNDS)})?           # a bound or copula (项目超过80个)
        (?:\d+|[{_COUNT_NUMERALS}]+)            # the number
        (?:多|余)?(?:{_counting_words()})      # a rounding infix and the measure word
        """,
        regex.VERBOSE,
    )


@cache
def _count_after_firsts() -> frozenset[str]:
    """The letters (Han) a `_count_after` match may start with: a bound's first or a numeral."""
    return frozenset(w[0] for w in _COUNT_BOUNDS) | frozenset(_COUNT_NUMERALS)


@cache
def _count_before() -> regex.Pattern[str]:
    """A count right before a class name (8个招商项目)."""
    return regex.compile(rf"[\d{_COUNT_NUMERALS}几](?:{_counting_words()})$")


@cache
def _counting_words() -> str:
    return grammar.alternation(_counting_list())


@cache
def _counting_list() -> tuple[str, ...]:
    return tuple(
        w for w, family in grammar.measure_words().items() if family in _COUNTING_FAMILIES
    )


@cache
def _counting_lasts() -> frozenset[str]:
    """The last characters of the counting measure words: a `_count_before` match ends in one."""
    return frozenset(w[-1] for w in _counting_list())


# An investment word right before an amount (总投资约50亿元, 拟投资18亿元, 由X投资12亿港元).
_INVESTMENT_WORD = regex.compile(
    r"""(?:总投资额|总投资|计划总投资|计划投资|协议投资额?|拟投资|意向投资|投资额|投资)   # the word
    (?:约|近|超过|超|逾|达到|达|为|共|合计)?\s*$   # a qualifier or copula before the figure
    """,
    regex.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class StageWord:
    """A stage word of `project_stages.tsv`."""

    word: str
    subject: str
    stage: str
    status: str
    event: bool  # reached on a day (签约, 开工), not a state (建设, 在谈)
    names_class: bool  # `<word>项目` is a class (签约项目)


@cache
def stage_words() -> dict[str, StageWord]:
    """Stage surface → its subject, canonical stage and status."""
    columns = ("word", "subject", "stage", "status", "dated", "class", "note")
    rows = load_table("project_stages.tsv", columns, key="word")
    for r in rows:
        if (
            r["stage"] not in STAGE_ORDER
            or r["dated"] not in ("event", "state")
            or r["class"] not in ("yes", "no")
        ):
            raise LexiconError(f"project_stages.tsv: bad row for {r['word']!r}")
    return {
        r["word"]: StageWord(
            r["word"],
            r["subject"],
            r["stage"],
            r["status"],
            r["dated"] == "event",
            r["class"] == "yes",
        )
        for r in rows
    }


@cache
def _roles() -> dict[str, frozenset[str]]:
    """project_heads.tsv role → words."""
    out: dict[str, set[str]] = {}
    for r in load_table("project_heads.tsv", ("word", "role", "note")):
        out.setdefault(r["role"], set()).add(r["word"])
    return {k: frozenset(v) for k, v in out.items()}


@cache
def _generic() -> dict[str, frozenset[str]]:
    """project_generic.tsv role → words."""
    out: dict[str, set[str]] = {}
    for r in load_table("project_generic.tsv", ("word", "role", "note")):
        out.setdefault(r["role"], set()).add(r["word"])
    return {k: frozenset(v) for k, v in out.items()}


@cache
def _heads_by_length() -> tuple[tuple[str, str], ...]:
    """(word, role) of heads and platforms, longest first, for suffix tests."""
    roles = _roles()
    pairs = [(w, "head") for w in roles["head"]] + [(w, "platform") for w in roles["platform"]]
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0])))


@cache
def _stage_pattern() -> regex.Pattern[str]:
    """A stage word not made a noun by what follows it (签约额, 开工率, 签约仪式)."""
    return regex.compile(
        rf"""
        (?P<w>{grammar.alternation(stage_words())})   # the stage word, longest first
        (?!{grammar.alternation(_generic()["not_stage"])})  # not 签约额 / 开工率 / 签约仪式
        """,
        regex.VERBOSE,
    )


@cache
def _future_before() -> regex.Pattern[str]:
    """A future cue shortly before a stage word: 计划于5月开工, 将开工, 预计年底投产."""
    return regex.compile(rf"(?:{grammar.alternation(_generic()['future'])})[^，,；;。]{{0,8}}$")


@cache
def _generic_name() -> regex.Pattern[str]:
    """Modifiers only: what stands before the head of a generic class name."""
    return regex.compile(rf"(?:{grammar.alternation(_generic()['modifier'])})*")


@cache
def _sector_words() -> regex.Pattern[str]:
    """A sector word in a list tail (`等产业项目`); not 产业链 (`等相关产业链项目`)."""
    return regex.compile(rf"(?:{grammar.alternation(_generic()['sector_tail'])})(?!链)")


@cache
def _prefilter() -> re.Pattern[str]:
    """Clauses worth cutting: they hold a head word (every name and every list tail has one).

    A literal alternation, longest first, in the standard engine: it is searched some ten
    thousand times per megabyte, and `re` costs a third of `regex` per search.
    """
    words = sorted(_roles()["head"], key=lambda w: (-len(w), w))
    return re.compile("|".join(map(re.escape, words)))




class _Words(NamedTuple):
    """jieba's words of some clauses of a sentence, in order: word k is `starts[k]:ends[k]`.

    Parallel lists rather than one tagged token per word: a sentence has some twenty
    words for each head word, and only the words around a head are ever tagged (`tag_of`).
    """

    words: list[str]
    starts: list[int]
    ends: list[int]
    classes: dict[str, int]  # word → `_word_class`, shared by a document's sentences
    heads: list[int]  # the words ending in a head or platform word's last character


# Ends a clause cut without its stop (a sentence ending in none) as a stop would: a word alone.
_SEPARATOR = "。"


def _head_clause_words(
    text: str, sentences: Sequence[Sentence], keep: Callable[[int, int], bool]
) -> list[_Words]:
    """jieba's words of each sentence's clauses that hold a head word (jieba is slow).

    A sentence holding a head word whose span `keep` refuses gets no words.

    A clause is cut with the stop that ends it. jieba cuts each run of Han, Latin and digits
    apart and every other character alone, so no word crosses a stop: one cut of all the
    clauses strung together gives each clause's words, and saves a call per clause (a call
    on a cold dictionary costs more than the characters). A clause is found from its head
    words; a head word holds no clause stop, so each match lies in one clause.
    """
    search = _prefilter().search
    stops = context.clause_stops(text)
    n_stops = len(stops)
    pieces: list[str] = []
    runs: list[list[int]] = []  # [sentence, start, length, where in pieces]: adjacent clauses
    at = 0
    for n, sent in enumerate(sentences):
        start, end = sent.char_start, sent.char_end
        m = search(text, start, end)
        if m is not None and not keep(start, end):
            continue  # (its words are not cut: no mention can come of them)
        while m is not None:
            # the clause's bounds from the stops around the match (`context.clause_start`)
            k = bisect_left(stops, m.start())
            a = stops[k - 1] + 1 if k and stops[k - 1] >= start else start
            b = stops[k] if k < n_stops and stops[k] < end else end
            piece = text[a : b + 1 if b < end else b]
            if runs and runs[-1][0] == n and runs[-1][1] + runs[-1][2] == a:
                runs[-1][2] += len(piece)  # right after the last clause: one run, one shift
            else:
                runs.append([n, a, len(piece), at])
            pieces.append(piece)
            at += len(piece)
            if b >= end:
                pieces.append(_SEPARATOR)
                at += 1
                m = None
            else:
                m = search(text, b + 1, end)
    classes: dict[str, int] = {}
    out = [_Words([], [], [], classes, [])] * len(sentences)  # one empty for the sentences without
    if not runs:
        return out
    cut = "".join(pieces)
    words, bounds = word_spans(cut)
    # The words ending in a head word's last character: one search of the string of the
    # words' last characters (character k ends word k) rather than a test of every word.
    lasts = "".join(map(itemgetter(-1), words))
    heads = [m.start() for m in _head_end_chars().finditer(lasts)]
    h, n_heads = 0, len(heads)
    last_n = -1
    ws = out[0]
    for n, a, length, at in runs:
        first = bisect_left(bounds, at)
        last = bisect_left(bounds, at + length, first)
        shift = (a - at).__add__  # from the string cut to the text
        hi = h
        while hi < n_heads and heads[hi] < last:
            hi += 1
        if n != last_n:  # a sentence's first run: its lists are slices
            ws = out[n] = _Words(
                words[first:last],
                list(map(shift, bounds[first:last])),
                list(map(shift, bounds[first + 1 : last + 1])),
                classes,
                [k - first for k in heads[h:hi]],
            )
            last_n = n
        else:
            base = len(ws.words) - first  # from an index of `words` to one of `ws.words`
            ws.heads.extend([k + base for k in heads[h:hi]])
            ws.words.extend(words[first:last])
            ws.starts.extend(map(shift, bounds[first:last]))
            ws.ends.extend(map(shift, bounds[first + 1 : last + 1]))
        h = hi
    return out


def _may_yield(text: str, start: int, end: int, invested: Sequence[int]) -> bool:
    """Whether the sentence `text[start:end]` can give a project mention.

    A mention needs evidence that one project is meant (see `extract_projects`), all of it
    written inside its sentence: a stage word, an amount after an investment word (its
    start in `invested`, sorted), a list tail (`等…项目`), or a parent: 其中, a header
    (`包括：`), a list item line. A sentence with none of these gives nothing whatever its
    head words.
    """
    k = bisect_left(invested, start)
    return (
        (k < len(invested) and invested[k] < end)
        or (text.find("等", start, end) >= 0 and _LIST_TAIL.search(text, start, end) is not None)
        or _any_stage().search(text, start, end) is not None
        or _AMONG.search(text, start, end) is not None
        or _has_header(text, start, end)
        or _LIST_ITEM_LINE.match(text, text.rfind("\n", 0, start) + 1) is not None
    )


def _has_header(text: str, start: int, end: int) -> bool:
    """Whether a colon of `text[start:end]` ends a `_HEADER` (签约项目包括：)."""
    for colon in ("：", ":"):
        c = text.find(colon, start, end)
        while c >= 0:
            if _HEADER.search(text, start, c + 1):
                return True
            c = text.find(colon, c + 1, end)
    return False


def _invested(text: str, amounts: list[Mention]) -> list[int]:
    """The starts of the amounts written after an investment word, sorted (`_investment`)."""
    return sorted(
        m.char_start
        for m in amounts
        if _INVESTMENT_WORD.search(text, max(0, m.char_start - 8), m.char_start)
    )


@cache
def _any_stage() -> re.Pattern[str]:
    """Any stage word, even one a longer word or what follows makes no stage (a prefilter)."""
    return re.compile("|".join(map(re.escape, sorted(stage_words(), key=lambda w: (-len(w), w)))))


class _Candidate(NamedTuple):
    """A possible project name in a sentence (a tuple: thousands are made per megabyte)."""

    item_start: int  # start of its 的-modifier, or of the name
    start: int
    end: int
    in_list: bool  # an item of `A、B等…项目`
    list_tail: tuple[int, int] | None  # span of the list's `等…项目` tail
    list_start: int | None  # start of the list's first item


class _Stage(NamedTuple):
    word: StageWord
    pos: int  # where the stage word is
    planned: bool  # after a future cue


# ---------------------------------------------------------------- tokens


def _is_punct(word: str) -> bool:
    if word[0].isalnum():
        return False  # most words: a Han, Latin or digit first character
    return not any(map(str.isalnum, word)) and not _ALLOWED_MARKS.issuperset(word)


def _is_number(word: str) -> bool:
    """A digit run, an amount, a count or a date word (not 5G, not a bare 九 in 碳九)."""
    if not _LATIN.isdisjoint(word):
        return False
    if any(map(str.isdigit, word)):
        return True
    return not _NUMBER_CHARS.isdisjoint(word) and tag_of(word) in _NUMBER_TAGS


_PLAIN, _NUMBER, _STOP = 0, 1, 2  # what a word is to the left boundary of a name


@cache
def _stop_words() -> frozenset[str]:
    """Words the left boundary never crosses, whatever their tag."""
    # 论坛暨签约仪式: two events, not one name
    return _roles()["stop"] | {"暨"}


def _word_class(word: str) -> int:
    """_NUMBER, _STOP or _PLAIN (a word that may stand inside a name).

    A number: `_is_number`. A stop: a stop word, punctuation, a word ending in 项目 (首个百亿元
    工业项目金浦…项目: a name starts after the class before it), a particle, preposition or
    pronoun, a stage verb. The tag is looked up once, and only when a test needs it.
    """
    tag = None
    if _LATIN.isdisjoint(word):
        if any(map(str.isdigit, word)):
            return _NUMBER
        if not _NUMBER_CHARS.isdisjoint(word):
            tag = tag_of(word)
            if tag in _NUMBER_TAGS:
                return _NUMBER
    if word in _stop_words() or word.endswith("项目") or _is_punct(word):
        return _STOP
    if tag is None:
        tag = tag_of(word)
    if tag[0] in "upr":
        return _STOP
    return _STOP if tag == "v" and word in stage_words() else _PLAIN


def _class_of(ws: _Words, word: str) -> int:
    """`_word_class`, looked up once per document (a name's words recur)."""
    c = ws.classes.get(word)
    if c is None:
        c = ws.classes[word] = _word_class(word)
    return c


@cache
def _head_ends() -> frozenset[str]:
    """The last characters of the head and platform words: other words end no name."""
    return frozenset(w[-1] for w, _ in _heads_by_length())


@cache
def _head_end_chars() -> re.Pattern[str]:
    """One of `_head_ends`."""
    return re.compile(f"[{re.escape(''.join(sorted(_head_ends())))}]")


@lru_cache(maxsize=65536)  # words repeat: look each up once
def _head_of(word: str) -> tuple[str, str] | None:
    """(head, role) when a token ends in a head or platform word."""
    for w, role in _heads_by_length():
        if word.endswith(w):
            return w, role
    return None


def _left_boundary(ws: _Words, i: int, floor: int) -> int:
    """Start of the name whose last word is word `i`, not before character `floor`."""
    capacity = _roles()["capacity"]
    words, starts, classes = ws.words, ws.starts, ws.classes
    start = starts[i]
    too_far = ws.ends[i] - _MAX_NAME  # a word starting before this makes the name too long
    k = i - 1
    while k >= 0 and starts[k] >= floor:
        word = words[k]
        c = classes.get(word)  # `_class_of`, inline: it runs once per word looked at
        if c is None:
            c = classes[word] = _word_class(word)
        if c == _NUMBER:
            j = k
            while j - 1 >= 0 and _class_of(ws, words[j - 1]) == _NUMBER:
                j -= 1
            if j - 1 >= 0 and words[j - 1] in capacity and starts[j - 1] >= floor:
                start = starts[j - 1]  # 年产6万吨: a capacity inside the name
                k = j - 2
                continue
            break
        if c == _STOP:
            break
        if starts[k] < too_far:
            break
        start = starts[k]
        k -= 1
    return start


def _balanced_start(text: str, start: int, end: int) -> int:
    """Move `start` past an opening bracket left unclosed in the name."""
    if text.find("（", start, end) < 0 and text.find("(", start, end) < 0:
        return start  # nothing opened
    depth: list[int] = []
    for p in range(start, end):
        if text[p] in "（(":
            depth.append(p)
        elif text[p] in "）)" and depth:
            depth.pop()
    return depth[0] + 1 if depth else start


# ---------------------------------------------------------------- candidates


@cache
def _phrase_goes_on() -> tuple[str, ...]:
    """What may follow a head that ends a noun phrase: followers, parts and future cues."""
    roles = _roles()
    return tuple(roles["follower"] | roles["part"] | _generic()["future"])


@cache
def _stage_firsts() -> frozenset[str]:
    """The first characters of the stage words: a stage pattern match starts with one."""
    return frozenset(w[0] for w in stage_words())


@cache
def _stage_first_re() -> re.Pattern[str]:
    """One of `_stage_firsts`."""
    return re.compile(f"[{re.escape(''.join(sorted(_stage_firsts())))}]")


def _np_ends(text: str, ws: _Words, i: int) -> bool:
    """Whether the head word `i` ends a noun phrase (not 项目领导, 项目履约率)."""
    words = ws.words
    if i + 1 >= len(words) or _is_punct(words[i + 1]):
        return True  # nothing or punctuation follows (no stage word, no noun)
    end = ws.ends[i]
    rest = text[end : end + 6]
    if rest.startswith(_phrase_goes_on()) or (
        rest[:1] in _stage_firsts() and _stage_pattern().match(rest)
    ):
        return True
    nxt = words[i + 1]
    if nxt in stage_words() and not _stage_pattern().match(text, ws.starts[i + 1]):
        return False  # 项目签约仪式: a noun compound
    if nxt in _roles()["stop"]:
        return True
    c = ws.classes.get(nxt)  # known when a name's left boundary has looked at it
    if c == _NUMBER or (c is None and _is_number(nxt)):
        return True
    pos = tag_of(nxt)
    return not (pos.startswith("n") or pos in ("vn", "j", "l", "eng", "zg"))


def _headed(text: str, ws: _Words, floor: int) -> list[_Candidate]:
    """Names ending in a head word at the end of a noun phrase."""
    parts = tuple(_roles()["part"])
    out: list[_Candidate] = []
    words, ends = ws.words, ws.ends
    for i in ws.heads:
        head = _head_of(words[i])
        if head is None or head[1] != "head" or not _np_ends(text, ws, i):
            continue
        end = ends[i]
        if text.endswith(parts, 0, end):
            continue  # …基地主体工程: the part, not a name
        start = _balanced_start(text, _left_boundary(ws, i, floor), end)
        item_start = start
        if text[start - 1 : start] == "的":
            item_start = _modifier_start(text, start - 1, floor)
        out.append(_Candidate(item_start, start, end, False, None, None))
    return out


def _modifier_start(text: str, de: int, floor: int) -> int:
    """Start of the 的-modifier ending at `de`: after the clause stop or list 、 before it."""
    i = de - 1
    while i >= floor and text[i] not in context.CLAUSE_STOPS and text[i] != "、":
        i -= 1
    return i + 1


@cache
def _sector_item() -> regex.Pattern[str]:
    """An item made of industry words only (汽车零部件, 精细化工)."""
    return regex.compile(rf"(?:重点|引进|招引|发展|培育|积极|大力|聚焦)*(?:{grammar.alternation(_generic()['sector'])})+")


def _is_sector(item: str) -> bool:
    return bool(item) and _sector_item().fullmatch(item) is not None


def _listed(text: str, ws: _Words, s_start: int, s_end: int) -> list[_Candidate]:
    """One name per item of `A、B、C等一批项目` (items need no head word)."""
    out: list[_Candidate] = []
    if text.find("等", s_start, s_end) < 0:
        return out  # every list tail starts with 等
    sectors = _sector_words()
    for tail in _LIST_TAIL.finditer(text, s_start, s_end):
        mod = tail.group("mod")
        if (
            _count_after().match(text, tail.end())
            or not _generic_name().fullmatch(mod)
            or sectors.search(mod)
        ):
            continue  # `A、B等产业项目87个`: a list of sectors or classes
        t = tail.start()
        items: list[tuple[int, int]] = []  # the clause up to the tail, cut at each 、
        a = context.clause_start(text, t, s_start)
        p = text.find("、", a, t)
        while p >= 0:
            items.append((a, p))
            a = p + 1
            p = text.find("、", a, t)
        items.append((a, t))
        if items and all(_is_sector(text[a:b].strip()) for a, b in items):
            continue  # 引进汽车零部件、精细化工、食品加工等项目: industries, not projects
        first_start: int | None = None
        for n, (a, b) in enumerate(items):
            while a < b and text[a].isspace():
                a += 1
            if a >= b:
                continue
            de = text.rfind("的", a, b)
            if de >= 0:
                item_start, start = a, de + 1
            elif n == 0 and (k := _word_ending(ws, b)) is not None:
                item_start = start = _left_boundary(ws, k, a)
            else:
                item_start = start = a
            if first_start is None:
                first_start = item_start
            if b - start >= 2:
                out.append(
                    _Candidate(item_start, start, b, True, (tail.start(), tail.end()), first_start)
                )
    return out


def _word_ending(ws: _Words, end: int) -> int | None:
    """The index of the word ending at character `end`, if one does."""
    k = bisect_left(ws.ends, end)
    return k if k < len(ws.ends) and ws.ends[k] == end else None


def _merge(listed: list[_Candidate], headed: list[_Candidate]) -> list[_Candidate]:
    """List items win over head-word names they overlap; document order."""
    if not listed and len(headed) < 2:
        return headed  # nothing to overlap
    out = list(listed)
    for h in sorted(headed, key=lambda c: c.start - c.end):
        if not any(h.start < x.end and x.start < h.end for x in out):
            out.append(h)  # 码头 inside 码头三期工程: the longer name wins
    return sorted(out, key=lambda c: c.start)


# ---------------------------------------------------------------- filters


_Places = Callable[[str], list[PlaceSpan]]  # find_places, remembering a document's names


def _place_finder() -> _Places:
    """`find_places` for one document: a name is looked up by several filters, and recurs."""
    seen: dict[str, list[PlaceSpan]] = {}

    def places(name: str) -> list[PlaceSpan]:
        spans = seen.get(name)
        if spans is None:
            spans = seen[name] = find_places(name)
        return spans

    return places


def _strip_places(name: str, places: _Places) -> str:
    """The name without the place and zone names it starts with."""
    while True:
        spans = places(name)
        if not spans or spans[0].char_start != 0 or spans[0].char_end >= len(name):
            return name
        name = name[spans[0].char_end :]


@cache
def _class_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Head words (longest first) and the words that make `…项目` a class (重点, 签约)."""
    heads = tuple(sorted(_roles()["head"] | _generic()["head"], key=len, reverse=True))
    class_ends = tuple(w for w, sw in stage_words().items() if sw.names_class) + tuple(
        _generic()["class_end"]
    )
    return heads, class_ends


@cache
def _class_head_lengths() -> tuple[frozenset[str], tuple[int, ...]]:
    """The class head words and their lengths, longest first."""
    heads, _ = _class_words()
    return frozenset(heads), tuple(sorted({len(h) for h in heads}, reverse=True))


def _is_generic(name: str, places: _Places) -> bool:
    """工业项目, 三江新区重点项目, 第一季度重大项目, 集中签约项目: a class, not a name."""
    heads, lengths = _class_head_lengths()
    if not any(name[-n:] in heads for n in lengths):
        return False  # the rest below is a suffix of the name: it ends in no head either
    rest = _PERIOD_PREFIX.sub("", _strip_places(name, places))
    for n in lengths:  # the longest head the rest ends in
        if len(rest) >= n and rest[-n:] in heads:
            h = rest[-n:]
            body = rest[:-n]
            return _generic_name().fullmatch(body) is not None or (
                h == "项目" and body.endswith(_class_words()[1])
            )
    return False


def _quoted(text: str, cand: _Candidate) -> bool:
    """`“制造名城”建设`: a quoted phrase is a slogan or a programme, not a project."""
    return text[cand.start - 1 : cand.start] in ("“", '"', "「") and text[
        cand.end : cand.end + 1
    ] in ("”", '"', "」")


def _verb_object(ws: _Words, cand: _Candidate) -> bool:
    """`促进项目落地`, `健全项目洽谈`: a verb and its object 项目, not a name."""
    # the words inside the name: starts and ends both rise, so they are one run
    first = bisect_left(ws.starts, cand.start)
    return (
        bisect_right(ws.ends, cand.end) - first == 2
        and ws.words[first + 1] == "项目"
        and tag_of(ws.words[first]) == "v"
    )


def _is_platform(name: str, places: _Places) -> bool:
    """A zone of the gazetteer or a name ending in a platform word (…工业园区, …新区)."""
    if name.endswith(_platform_words()):
        return True
    spans = places(name)
    return bool(spans) and spans[-1].kind == "zone" and spans[-1].char_end == len(name)


@cache
def _platform_words() -> tuple[str, ...]:
    return tuple(_roles()["platform"])


def _counted(text: str, cand: _Candidate) -> bool:
    """`项目34个` or `8个招商项目`: a class with its count."""
    c = text[cand.end : cand.end + 1]
    # (a letter that starts no bound or numeral starts no count: the pattern is not tried)
    may_count = c in _count_after_firsts() or not c.isalpha()
    if c and may_count and _count_after().match(text, cand.end):
        return True
    before = text[max(0, cand.start - 3) : cand.start]
    last = before[-2:-1] if before.endswith("\n") else before[-1:]  # ($ stands before a last \n)
    return last in _counting_lasts() and bool(_count_before().search(before))




# ---------------------------------------------------------------- attributes


def _stages_in(text: str, a: int, b: int) -> list[_Stage]:
    """Stage words in `text[a:b]`, each marked planned when a future cue precedes it."""
    out: list[_Stage] = []
    if not _stage_first_re().search(text, a, b):
        return out  # no stage word starts here
    words = stage_words()
    for m in _stage_pattern().finditer(text, a, b):
        c = context.clause_start(text, m.start(), a)
        planned = bool(_future_before().search(text, c, m.start()))
        out.append(_Stage(words[m.group("w")], m.start(), planned))
    return out


def _first_actual(stages: list[_Stage]) -> _Stage | None:
    return next((s for s in stages if not s.planned), None)


def _parent_text(doc: Document, cand: _Candidate, s_start: int) -> tuple[int, int] | None:
    """The counted parent a listed or 其中-introduced name belongs to, as a span."""
    text = doc.text
    sentence_head = text[s_start : cand.item_start]
    colon = max(sentence_head.rfind("："), sentence_head.rfind(":"))
    if colon >= 0 and _HEADER.search(sentence_head[: colon + 1]):
        return s_start, s_start + colon
    sent = context.sentence_at(doc, s_start)
    if sent is None:
        return None
    among = _AMONG.search(text, s_start, cand.item_start)
    if among:
        para = [
            s for s in doc.sentences if s.paragraph == sent.paragraph and s.char_start <= s_start
        ]
        lo = para[0].char_start if para else s_start
        return lo, among.start()
    line_start = text.rfind("\n", 0, s_start) + 1
    if _LIST_ITEM_LINE.match(text, line_start):
        # walk back over list lines to the header line ending in a colon
        p = line_start
        while p > 0:
            prev_start = text.rfind("\n", 0, p - 1) + 1
            line = text[prev_start : p - 1]
            if line.strip() and not _LIST_ITEM_LINE.match(line):
                return (prev_start, p - 1) if line.rstrip().endswith(("：", ":")) else None
            p = prev_start
    return None


def _find_stage(
    doc: Document, cand: _Candidate, limit: int, s_start: int, s_end: int, ws: _Words
) -> tuple[_Stage | None, str | None]:
    """The stage of a candidate and where it was found: local, parent, planned (or None)."""
    text = doc.text
    planned: list[_Stage] = []
    c_end = context.clause_end(text, cand.end)
    regions: list[tuple[int, int]] = []
    if cand.item_start < cand.start:
        regions.append((cand.item_start, cand.start))  # 5月签约的X
    if cand.list_tail is not None:
        regions.append(
            (cand.list_tail[0], context.clause_end(text, cand.list_tail[1]))
        )  # …等一批项目开工建设
    else:
        regions.append((cand.end, min(c_end, limit)))  # X已于4月开工
    for a, b in regions:
        found = _stages_in(text, a, b)
        if (s := _first_actual(found)) is not None:
            return s, "local"
        planned += [s for s in found if s.planned]
    if cand.in_list and cand.list_start is not None:
        verb = _governing_verb(ws, cand.list_start)
        if verb is not None:
            return verb, "local"
    p = context.clause_end(text, cand.list_tail[1]) if cand.list_tail else c_end
    end = min(limit, s_end)
    while p < end and _CONTINUES.match(text, p + 1):
        q = min(context.clause_end(text, p + 1), end)
        found = _stages_in(text, p + 1, q)
        if (s := _first_actual(found)) is not None:
            return s, "local"
        planned += [s for s in found if s.planned]
        p = q
    parent = _parent_text(doc, cand, s_start)
    if parent is not None:
        found = [s for s in _stages_in(text, *parent) if not s.planned]
        if found:
            return found[-1], "parent"
    return (planned[0], "planned") if planned else (None, None)


def _governing_verb(ws: _Words, list_start: int) -> _Stage | None:
    """The stage verb governing a list: `引进了A、B等项目`, `对接A、B等25个项目`."""
    k = bisect_right(ws.ends, list_start)  # the words before the list
    while k and ws.words[k - 1] != "的" and tag_of(ws.words[k - 1]).startswith("u"):
        k -= 1  # 了 / 过
    if not k:
        return None
    sw = stage_words().get(ws.words[k - 1])
    return _Stage(sw, ws.starts[k - 1], False) if sw else None


def _investment(
    doc: Document, amounts: list[Mention], regions: Iterable[tuple[int, int]]
) -> Mention | None:
    """The first amount in `regions` written after an investment word (总投资约50亿元)."""
    text = doc.text
    for a, b in regions:
        for m in amounts:
            if (
                a <= m.char_start
                and m.char_end <= b
                and _INVESTMENT_WORD.search(text, max(a, m.char_start - 8), m.char_start)
            ):
                return m
    return None


def _area(name: str, places: _Places) -> str | None:
    """The county or zone a name starts with in full (沾益区年产…项目 → 沾益区); None for a city."""
    spans = places(name)
    if not spans or spans[0].char_start != 0:
        return None
    span = spans[0]
    if span.kind == "zone":
        return span.surface
    if span.kind == "full" and span.places and span.places[0].level == "county":
        return span.surface  # a short name may be a brand (天元, 东湖): full names only
    return None


# ---------------------------------------------------------------- extraction


def extract_projects(doc: Document) -> list[Mention]:
    """Every named project of `doc`, one mention per occurrence, in document order.

    `value` is the investment in CNY when stated in 元 (else None), `qualifier` its
    qualifier, `subject` the stage word, `status` plan for talks and plans,
    `period_start`/`period_end` the period of the stage.
    """
    text = doc.text
    amounts = [m for m in extract_amounts(doc) if m.role == "fact"]
    places = _place_finder()
    named: dict[str, bool] = {}
    # (the mention's fields but its period, where its period is read, stage is an event)
    found: list[tuple[dict[str, Any], int, bool]] = []
    invested = _invested(text, amounts)
    words = _head_clause_words(
        text, doc.sentences, lambda start, end: _may_yield(text, start, end, invested)
    )
    for sent, ws in zip(doc.sentences, words, strict=True):
        s_start, s_end = sent.char_start, sent.char_end
        if not ws.words:
            continue
        cands = _merge(_listed(text, ws, s_start, s_end), _headed(text, ws, s_start))
        kept = [c for c in cands if _is_name(text, ws, c, places, named)]
        staged = []
        for k, cand in enumerate(kept):
            nxt = kept[k + 1].item_start if k + 1 < len(kept) else s_end
            limit = min(nxt, _next_stop(text, cand.end, s_end))
            if cand.list_tail is not None:
                limit = min(limit, cand.list_tail[0])
            stage, how = _find_stage(doc, cand, limit, s_start, s_end, ws)
            inv = _investment(doc, amounts, [(cand.item_start, cand.start), (cand.end, limit)])
            staged.append([cand, stage, how, inv])
        for k in range(len(staged) - 2, -1, -1):
            # `A、B相继开工`: coordinated names share the stage written after the last one
            if staged[k][2] != "local" and _JOINED.fullmatch(
                text, staged[k][0].end, staged[k + 1][0].item_start
            ):
                staged[k][1], staged[k][2] = staged[k + 1][1], staged[k + 1][2]
        for cand, stage, how, inv in staged:
            if not (
                how in ("local", "planned")
                or inv is not None
                or cand.in_list
                or (how == "parent" and _opens_clause(text, cand.item_start, s_start))
            ):
                continue  # nothing says one project is meant
            fields = _mention_fields(doc, cand, text[cand.start : cand.end], stage, inv, places)
            local = stage is not None and how in ("local", "planned")
            found.append(
                (fields, stage.pos if local else cand.start, stage.word.event if stage else False)
            )
    return _with_periods(doc, found)


def _opens_clause(text: str, pos: int, s_start: int) -> bool:
    """Whether a name at `pos` is its clause's subject (only an opening word before it)."""
    return bool(_CLAUSE_OPENING.match(text[context.clause_start(text, pos, s_start) : pos]))


_LIST_NUMBER = regex.compile(r"[一二三四五六七八九十]是|是")  # 三是项目落地: a list number


def _is_name(
    text: str, ws: _Words, cand: _Candidate, places: _Places, named: dict[str, bool]
) -> bool:
    """Whether a candidate can be a name: no zone, counted class, generic class or slogan.

    `named` keeps a document's answers of the tests that read the name alone (zone,
    platform, generic class: they look places up, and a name recurs, 重点项目 most).
    """
    name = text[cand.start : cand.end]
    if len(name) < 2 or name[0] in grammar.measure_words() or _LIST_NUMBER.match(name):
        return False  # 8个招商项目, 三是项目: the tail of a count or a list number, not a name
    if _counted(text, cand):
        return False
    if not cand.in_list and (_verb_object(ws, cand) or _quoted(text, cand)):
        return False
    ok = named.get(name)
    if ok is None:
        ok = named[name] = not (_is_platform(name, places) or _is_generic(name, places))
    return ok


_ITEM_STOP = regex.compile(r"[；;。]")


def _next_stop(text: str, pos: int, end: int) -> int:
    """The next ；/。 (an item or sentence ends there)."""
    m = _ITEM_STOP.search(text, pos, end)
    return m.start() if m else end


def _mention_fields(
    doc: Document,
    cand: _Candidate,
    name: str,
    stage: _Stage | None,
    inv: Mention | None,
    places: _Places,
) -> dict[str, Any]:
    """A project mention's fields but its period (`_with_periods` makes the mention)."""
    value: Decimal | None = None
    qualifier = "eq"
    if inv is not None and inv.unit == "CNY":
        value, qualifier = inv.value, inv.qualifier
    status = "actual"
    subject = None
    if stage is not None:
        subject = stage.word.subject
        status = "plan" if stage.planned else stage.word.status
    return {
        "doc_id": doc.doc_id,
        "kind": "project",
        "text": name,
        "value": value,
        "unit": "CNY" if value is not None else None,
        "qualifier": qualifier,
        "role": "fact",
        "status": status,
        "subject": subject,
        "area": _area(name, places),
        "char_start": cand.start,
        "char_end": cand.end,
    }


def _with_periods(doc: Document, found: list[tuple[dict[str, Any], int, bool]]) -> list[Mention]:
    """Give each project the period of its stage.

    A time expression in the stage word's own clause dates it (9月29日…顺利开工, 于4月开工,
    5月签约的…). Otherwise an event stage of an actual project takes the expression opening
    its sentence, else the period its own paragraph opened (1-7月份，…, a paragraph head
    such as 3月1日 or 去年); a state (建设, 在谈) or a plan takes nothing more.
    """
    from govfacts.pipeline.resolve import paragraph_periods  # resolve imports the extractors

    if not found:
        return []  # (no time expression to look at)
    text = doc.text
    times = [
        t
        for t in document_time_expressions(doc)
        if t.kind not in _NON_GOVERNING and (t.period_start is not None or t.period_end is not None)
    ]
    periods: list[tuple[date | None, date | None]] = []
    carry: dict[int, int] = {}  # mention → its sentence start, to be dated by its paragraph
    starts = [t.char_start for t in times]
    if starts != sorted(starts):
        starts = []  # (not in text order: every expression is looked at)
    for i, (fields, pos, event) in enumerate(found):
        sent = context.sentence_at(doc, pos)
        s0 = sent.char_start if sent else 0
        c = context.clause_start(text, pos, s0)
        near = times
        if starts:  # only expressions starting from s0 up to pos can be in its sentence before it
            near = times[bisect_left(starts, min(s0, c)) : bisect_right(starts, pos)]
        own = [t for t in near if c <= t.char_start and t.char_end <= pos]
        head = [t for t in near if s0 <= t.char_start <= s0 + _HEAD_SLACK and t.char_end <= pos]
        if own:
            periods.append(_period_of(doc, own[-1]))
        elif fields["status"] == "plan" or not event:
            periods.append((None, None))
        elif head:
            periods.append(_period_of(doc, head[-1]))
        else:
            periods.append((None, None))
            carry[i] = s0
    if carry:
        carried = paragraph_periods(doc, list(carry.values()))
        for i, period in zip(carry, carried, strict=True):
            periods[i] = period
    return [
        Mention(**fields, period_start=a, period_end=b)
        for (fields, _, _), (a, b) in zip(found, periods, strict=True)
    ]


def _period_of(doc: Document, t: TimeExpr) -> tuple[date | None, date | None]:
    """The period of a time expression; 今年 without a cutoff ends on the day of the report."""
    start, end = t.period_start, t.period_end
    if t.text == "今年" and doc.published and end and end.year == doc.published.year:
        end = doc.published
    return start, end


# ---------------------------------------------------------------- register


def _stage_of(m: Mention) -> str | None:
    """The canonical stage of a project mention (a planned stage when its status is plan)."""
    if m.subject is None:
        return None
    words = {w.subject: w for w in stage_words().values()}
    w = words.get(m.subject)
    if w is None:
        return None
    if m.status == "plan" and w.status != "plan":
        return "planned"
    return w.stage


def project_register(doc: Document, mentions: list[Mention]) -> list[Project]:
    """One `Project` per distinct name of `doc`, merging its mentions.

    The investment is the first stated in CNY; the stage the most advanced named;
    `stage_date` the day of that stage when the text gives a single day.
    """
    groups: dict[str, list[Mention]] = {}
    for m in sorted((m for m in mentions if m.kind == "project"), key=lambda m: m.char_start):
        groups.setdefault(m.text, []).append(m)
    out: list[Project] = []
    for name, ms in groups.items():
        first = ms[0]
        inv = next((m for m in ms if m.value is not None), None)
        staged = [(m, s) for m in ms if (s := _stage_of(m)) is not None]
        best = max(staged, key=lambda p: STAGE_ORDER.index(p[1]), default=None)
        stage_date: date | None = None
        if (
            best is not None
            and best[0].period_start is not None
            and best[0].period_start == best[0].period_end
        ):
            stage_date = best[0].period_start
        out.append(
            Project(
                doc_id=doc.doc_id,
                name=name,
                investment=inv.value if inv else None,
                investment_qualifier=inv.qualifier if inv else None,
                stage=best[1] if best else None,  # type: ignore[arg-type]
                stage_date=stage_date,
                city=next((m.city for m in ms if m.city), None),
                area=next((m.area for m in ms if m.area), None),
                sentence=first.sentence,
                char_start=first.char_start,
                char_end=first.char_end,
            )
        )
    return out
