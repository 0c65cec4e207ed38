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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import attrgetter

import regex
from govfacts.extractors import context, grammar
from govfacts.extractors.dates import TimeExpr, document_time_expressions
from govfacts.lexicons import load_table
from govfacts.pipeline.places import document_city, mention_place
from govfacts.pipeline.records import MENTION_FIELDS, Document, Mention, Sentence

__all__ = ["resolve", "speaker_turns", "speaker_title", "interviewee", "Turn"]

_TURN = regex.compile(r"(?m)^(?P<label>(?:[\p{Han}]{1,12}记者|主持人|记者|[\p{Han}·]{2,4}))[ \t]*[:：](?=[ \t]*$|[ \t]*\S)")


@cache
def _speaker_cues() -> dict[str, regex.Pattern[str]]:
    rows = load_table("speaker_cues.tsv", ("pattern", "kind", "note"))
    by_kind: dict[str, list[str]] = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append(r["pattern"])
    return {k: regex.compile("|".join(f"(?:{p})" for p in v), regex.MULTILINE) for k, v in by_kind.items()}


def interviewee(text: str) -> str | None:
    """The official an interview article is with, or None when the text is no interview.

    The name stands after the official's post in the subtitle (——访市商务局局长周立新)
    or is the one most often followed by a speech verb (周立新说, 王楚表示).
    """
    cues = _speaker_cues()
    if not cues["interview"].search(text):
        return None
    head = text[:400]
    named = regex.search(rf"(?:{cues['title'].pattern})(?P<name>[\p{{Han}}]{{2,3}})(?=[\s，,：:]|在|$)", head, regex.MULTILINE)
    if named:
        return named.group("name")
    votes: dict[str, int] = {}
    for m in regex.finditer(rf"(?P<name>[\p{{Han}}]{{2,3}}?)(?:{cues['verb'].pattern})", text):
        votes[m.group("name")] = votes.get(m.group("name"), 0) + 1
    return max(votes, key=votes.__getitem__) if votes else None


@cache
def _period_cues() -> dict[str, regex.Pattern[str]]:
    """role → one pattern of the cues of `lexicons/period_cues.tsv` (see its header)."""
    by_role: dict[str, list[str]] = {}
    for r in load_table("period_cues.tsv", ("pattern", "role", "note")):
        by_role.setdefault(r["role"], []).append(r["pattern"])
    return {role: regex.compile("|".join(f"(?:{p})" for p in pats)) for role, pats in by_role.items()}


@cache
def _blockers() -> regex.Pattern[str]:
    rows = load_table("period_blockers.tsv", ("pattern", "note"))
    return regex.compile("|".join(f"(?:{r['pattern']})" for r in rows))


@dataclass(frozen=True, slots=True)
class Turn:
    """A speaker's turn in a transcript: from `char_start` on, `speaker` talks."""

    char_start: int
    speaker: str


def _turn_labels(text: str) -> Iterator[regex.Match[str]]:
    """`_TURN.finditer(text)`, tried at line starts only (a label opens its line and holds no
    line break, so these are all its matches; scanning every character costs ~5x more)."""
    pos = 0
    while True:
        if m := _TURN.match(text, pos):
            yield m
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return


def speaker_turns(text: str) -> list[Turn]:
    """Turn labels (`王莉：`, `主持人:`, `工商导报记者:`) in transcript-shaped text.

    A document is a transcript only when it has at least two turn labels and
    two different speakers; a lone `高斌委员:` is a letter's salutation.
    """
    turns = [
        Turn(m.start(), m.group("label"))
        for m in _turn_labels(text)
        if not _speaker_cues()["not_speaker"].fullmatch(m.group("label")) and "、" not in m.group("label")
    ]
    if len(turns) < 2 or len({t.speaker for t in turns}) < 2:
        return []
    return turns


def speaker_title(text: str, name: str) -> str | None:
    """The organisation and post written before a speaker's name (`…党组书记、主任王莉`), if any."""
    if len(name) < 2 or name in ("主持人", "记者") or name.endswith("记者"):
        return None
    title = _speaker_cues()["title"].pattern
    tail = rf"{regex.escape(name)}(?!\p{{Han}}{{2}}[省市县区])"
    pattern = regex.compile(rf"(?P<t>[^{_TITLE_BREAKS}]{{0,{_TITLE_REACH}}}?(?:{title})){tail}")
    lead = regex.compile(rf"^.*(?:{_speaker_cues()['lead'].pattern})")
    other = regex.compile(rf"^.*(?:{title})\p{{Han}}{{2,3}}、")  # 局长郑海波、来安县副县长: another person first
    anchors = regex.compile(rf"(?:{title}){tail}")
    matches = _title_matches(text, pattern, anchors)
    found = [other.sub("", lead.sub("", m.group("t"))) for m in matches]
    found = [t for t in found if t]
    return max(found, key=len) if found else None


_TITLE_BREAKS = r"，,。：:\s—“”（(）)"  # a title before a name runs back to none of these
_TITLE_REACH = 36  # … and at most this many characters before the post word
_BREAK_BEFORE = regex.compile(rf"(?r)[{_TITLE_BREAKS}]")


def _title_matches(
    text: str, pattern: regex.Pattern[str], anchors: regex.Pattern[str]
) -> Iterator[regex.Match[str]]:
    """`pattern.finditer(text)`, tried only where a match can start.

    A match is some characters without a break, at most `_TITLE_REACH`, then a post
    word and the name: it can start only within reach before an anchor (a post word
    followed by the name, found in one scan) and after the last break before it.
    The leftmost such start is where `finditer` would find its next match.
    """
    found = [m.start() for m in anchors.finditer(text, overlapped=True)]
    pos = 0
    i = 0
    while True:
        while i < len(found) and found[i] < pos:
            i += 1
        if i == len(found):
            return
        start = None
        for a in found[i:]:
            lo = max(pos, a - _TITLE_REACH)
            if start is not None and lo >= start:
                break  # later anchors can only start later
            brk = _BREAK_BEFORE.search(text, lo, a)
            s = brk.end() if brk else lo
            start = s if start is None else min(start, s)
        # it matches at start (an anchor is in reach); search is only a guard
        m = pattern.match(text, start) or pattern.search(text, start)
        if m is None:
            return
        yield m
        pos = m.end()


def _speaker_at(turns: list[Turn], starts: list[int], pos: int) -> str | None:
    k = bisect.bisect_right(starts, pos) - 1
    return turns[k].speaker if k >= 0 else None


def _year_of(expr: TimeExpr) -> int | None:
    d = expr.period_end or expr.period_start
    return d.year if d else None


# Expressions that compare or name, and so never govern a quantity (去年同期).
_NON_GOVERNING = frozenset({"year_ago"})
# Points in time: they carry beyond their sentence only when they open a paragraph.
_EVENT_KINDS = frozenset({"day", "days", "month"})
_HEAD_SLACK = 4  # characters a clause may carry before its head expression (其中，在，全市)


@dataclass(frozen=True, slots=True)
class _Scope:
    """Time expressions by sentence, and which of them open a clause."""

    by_sentence: dict[int, list[tuple[TimeExpr, bool]]]  # sentence index → (expr, opens a clause)


def _scopes(doc: Document, times: list[TimeExpr]) -> _Scope:
    text = doc.text
    starts = context.sentence_starts(doc)
    by_sentence: dict[int, list[tuple[TimeExpr, bool]]] = {}
    for t in times:
        if t.kind in _NON_GOVERNING or t.period_start is None and t.period_end is None:
            continue
        if _period_cues()["names_target"].match(text, t.char_end):
            continue
        k = bisect.bisect_right(starts, t.char_start) - 1
        if k < 0:
            continue
        c = context.clause_start(text, t.char_start, doc.sentences[k].char_start)
        opens = t.char_start - c <= _HEAD_SLACK
        by_sentence.setdefault(k, []).append((t, opens))
    return _Scope(by_sentence)


def _periods(doc: Document, mentions: list[Mention], times: list[TimeExpr], turns: list[Turn]) -> list[tuple[date | None, date | None]]:
    """The period of each mention (document order), by the scoping rules of the module docstring.

    A time expression in the quantity's own clause governs it; else the last
    expression opening a clause earlier in its sentence; else one carried from
    before. Two things are carried: the expression that opened the latest
    paragraph (it holds across paragraphs), and a statistical period (1-8月,
    截至8月底) that opened a clause earlier in the same paragraph. A paragraph
    that turns to the future (下一步…) or opens with a vague time word (目前)
    drops what was carried; the title carries nothing. A plan (预计年产值)
    takes only a period of its own clause.
    """
    text = doc.text
    scope = _scopes(doc, times)
    starts = context.sentence_starts(doc)
    stops = context.clause_stops(text)
    state = _Carried(turn_starts=frozenset(t.char_start for t in turns))
    walked = -1
    out: list[tuple[date | None, date | None]] = []
    stock_metrics, blockers, cues = grammar.stock_metrics(), _blockers(), _period_cues()
    stock_clause, event_reference = cues["stock_clause"], cues["event_reference"]
    by_sentence, sentences = scope.by_sentence, doc.sentences
    for m in mentions:
        start = m.char_start
        k = bisect.bisect_right(starts, start) - 1
        while walked < k:  # leave the sentences before this one, enter this one
            # (only a sentence with time expressions carries any, only a new paragraph resets)
            if walked >= 0 and walked in by_sentence:
                state.take(doc, scope, walked)
            walked += 1
            if sentences[walked].paragraph != state.current_paragraph:
                state.enter(doc, walked)
        if m.kind in ("date", "project") or m.role != "fact" or k < 0 or m.period_start or m.period_end:
            out.append((m.period_start, m.period_end))  # dated by its extractor (a table, a stage), or never
            continue
        sent = sentences[k]
        stock = m.metric in stock_metrics
        # context.clause_start(text, start, sent.char_start), from the stops found once
        c_start = start if start <= sent.char_start else context.start_after_stop(stops, start, sent.char_start)
        governing = _governing(by_sentence.get(k, []), m, c_start, own_clause_only=stock)
        carried = state.paragraph or state.document
        own_vague = blockers.search(text, c_start, start)
        if own_vague and (governing is None or governing.char_start < own_vague.start()):
            out.append((None, None))  # …，目前已开工45个: the vague word nearer wins
            continue
        if governing is None and _blocked(text, sent, m, c_start, own_vague is not None):
            out.append((None, None))  # 目前, 近年来: a vague time word dates it as unknown
            continue
        own_clause = governing is not None and governing.char_start >= c_start
        dating = governing or carried
        if not own_clause and stock_clause.search(text, c_start, start) and (dating is None or dating.kind != "cutoff"):
            out.append((None, None))  # 在库培育…173户: a standing stock, no flow period
            continue
        if governing is None and event_reference.match(text, sent.char_start):
            if carried is None or carried.kind not in _EVENT_KINDS:
                out.append((None, None))  # 会上: an event the text does not date
                continue
        if governing is None and not (m.status == "target" and doc.published) and not (m.status == "plan" or stock):
            governing = carried  # a target with no year of its own is for the year of the report
        out.append(_period_of(doc, m, governing))
    return _title_follows_body(doc, mentions, _attributes_follow_projects(doc, mentions, out))


def _attributes_follow_projects(
    doc: Document, mentions: list[Mention], periods: list[tuple[date | None, date | None]]
) -> list[tuple[date | None, date | None]]:
    """A named project's investment is dated like the project: by its stage's date, or not at all.

    (总投资68亿元的…产业园…开工建设: the 68亿元 is the park's size, not a flow of the period.)
    """
    projects = [m for m in mentions if m.kind == "project" and m.value is not None]
    if not projects:
        return periods
    out = list(periods)
    for i, m in enumerate(mentions):
        if m.kind != "amount" or m.role != "fact" or m.status != "actual":
            continue
        sent = context.sentence_at(doc, m.char_start)
        for p in projects:
            if p.value == m.value and sent is not None and sent.char_start <= p.char_start < sent.char_end:
                out[i] = (p.period_start, p.period_end)
                break
    return out


@dataclass(slots=True)
class _Carried:
    """What a quantity without a time expression of its own inherits."""

    document: TimeExpr | None = None  # opened the latest paragraph; holds across paragraphs
    document_paragraph: int = -1  # the paragraph that `document` opened
    paragraph_opens_sentence: bool = False  # `paragraph` stood at the head of its sentence
    paragraph: TimeExpr | None = None  # a statistical period opened earlier in this paragraph
    current_paragraph: int = -1
    turn_starts: frozenset[int] = frozenset()

    def enter(self, doc: Document, k: int) -> None:
        """Entering sentence k: a new paragraph drops the paragraph scope, maybe both."""
        sent = doc.sentences[k]
        if sent.paragraph != self.current_paragraph:
            self.current_paragraph = sent.paragraph
            self.paragraph = None
            if _paragraph_resets(doc, sent):
                self.document = None
            elif self.document is not None and self.document.kind in _EVENT_KINDS:
                line_start = doc.text.rfind("\n", 0, sent.char_start) + 1
                if line_start in self.turn_starts:
                    self.document = None  # a new speaker leaves the day of the interview behind

    def take(self, doc: Document, scope: _Scope, k: int) -> None:
        """Leaving sentence k: what it opened is carried on."""
        sent = doc.sentences[k]
        if k == 0 and doc.title and doc.text[sent.char_start : sent.char_end] == doc.title:
            return  # a headline dates nothing after it
        first_of_paragraph = k == 0 or doc.sentences[k - 1].paragraph != sent.paragraph
        for t, opens in scope.by_sentence.get(k, []):
            if not opens:
                continue
            if first_of_paragraph and t.char_start - sent.char_start <= _HEAD_SLACK:
                self.document = t
                self.document_paragraph = sent.paragraph
                self.paragraph = None
            elif t.kind not in _EVENT_KINDS:
                self.paragraph = t
                self.paragraph_opens_sentence = t.char_start - sent.char_start <= _HEAD_SLACK


def paragraph_periods(doc: Document, positions: list[int]) -> list[tuple[date | None, date | None]]:
    """The period that dates an event at each character position, or (None, None).

    What opened a sentence of the position's own paragraph counts (1-7月份，…, a
    paragraph head such as 去年，…), and an event's day carried from an earlier paragraph; a
    statistical period carried from further back (今年以来) does not. The project
    extractor dates a stage with it.
    """
    times = document_time_expressions(doc)
    scope = _scopes(doc, times)
    starts = context.sentence_starts(doc)
    state = _Carried()
    walked = -1
    out: list[tuple[date | None, date | None]] = []
    for pos in sorted(positions):
        k = bisect.bisect_right(starts, pos) - 1
        while walked < k:
            if walked >= 0:
                state.take(doc, scope, walked)
            walked += 1
            state.enter(doc, walked)
        t = state.paragraph if state.paragraph_opens_sentence else None
        if t is None and state.document is not None and k >= 0:
            own = state.document_paragraph == doc.sentences[k].paragraph
            if own or state.document.kind in _EVENT_KINDS:
                t = state.document  # its paragraph's own head, or the day of the event told of
        out.append((t.period_start, t.period_end) if t is not None else (None, None))
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    result: list[tuple[date | None, date | None]] = [(None, None)] * len(positions)
    for rank, i in enumerate(order):
        result[i] = out[rank]
    return result


def _paragraph_resets(doc: Document, sent: Sentence) -> bool:
    text = doc.text
    if _period_cues()["future_head"].match(text, sent.char_start):
        return True
    head = text[sent.char_start : sent.char_start + 8]
    return bool((b := _blockers().search(head)) and b.start() <= _HEAD_SLACK)


def _title_follows_body(doc: Document, mentions: list[Mention], periods: list[tuple[date | None, date | None]]) -> list[tuple[date | None, date | None]]:
    """A headline repeats the body's facts: a title figure takes the period of its body twin."""
    if not doc.sentences or doc.sentences[0].paragraph != 0 or not doc.title:
        return periods
    title = doc.sentences[0]
    if doc.text[title.char_start : title.char_end] != doc.title:
        return periods
    body = {}
    for m, p in zip(mentions, periods, strict=True):
        if m.char_start >= title.char_end:
            body.setdefault((m.kind, m.text), p)
    return [
        body.get((m.kind, m.text), p) if m.char_end <= title.char_end and m.kind != "date" else p
        for m, p in zip(mentions, periods, strict=True)
    ]


def _blocked(text: str, sent: Sentence, m: Mention, c_start: int, in_clause: bool) -> bool:
    """A vague time word in the quantity's clause, or opening a clause before it, leaves it undated.

    `in_clause`: one was found in `text[c_start:m.char_start]` (the clause up to the quantity).
    """
    if in_clause:
        return True
    for b in _blockers().finditer(text, sent.char_start, m.char_start):
        if b.start() - context.clause_start(text, b.start(), sent.char_start) <= _HEAD_SLACK:
            return True
    return False


def _governing(
    exprs: list[tuple[TimeExpr, bool]], m: Mention, c_start: int, *, own_clause_only: bool = False
) -> TimeExpr | None:
    """The expression of its sentence's `exprs` that governs `m` (its clause starts at `c_start`)."""
    before = [(t, opens) for t, opens in exprs if t.char_end <= m.char_start]
    if not before:
        return None
    in_clause = [t for t, _ in before if t.char_start >= c_start]
    if in_clause:
        return in_clause[-1]
    if own_clause_only:
        return None
    if m.status == "target":
        return before[-1][0]  # 下半年，力争全年…，新签约300个: a target takes the nearest period named
    heads = [t for t, opens in before if opens]
    return heads[-1] if heads else None


def _period_of(doc: Document, m: Mention, governing: TimeExpr | None) -> tuple[date | None, date | None]:
    if m.status == "target":
        if governing is not None and governing.kind in ("half", "quarter", "ytd", "months"):
            return (governing.period_start, governing.period_end)  # 力争上半年…: the half it names
        year = _year_of(governing) if governing else None
        if year is None and doc.published:
            year = doc.published.year
        return (date(year, 1, 1), date(year, 12, 31)) if year else (None, None)
    if governing is None:
        return (None, None)
    start, end = governing.period_start, governing.period_end
    if _period_cues()["since_after"].match(doc.text, governing.char_end) and governing.kind not in ("since", "cutoff"):
        end = doc.published  # 自今年5月份成立以来: from then until the report
    if governing.text == "今年" and doc.published and end and end.year == doc.published.year:
        end = doc.published  # 今年 with no cutoff: from 1 January to the day of the report
    if governing.kind == "cutoff":
        sentence_start = context.sentence_at(doc, m.char_start)
        lo = sentence_start.char_start if sentence_start else 0
        clause = doc.text[context.clause_start(doc.text, m.char_start, lo) : m.char_start]
        if _period_cues()["stock"].search(clause):
            start = None  # a stock at the cutoff day, not a flow since 1 January
    return (start, end)


# A mention as a row of its fields, and where resolve writes into that row; every other
# field is kept as the extractor wrote it (one positional constructor call per mention:
# dataclasses.replace cost as much as the rest of the loop).
_row_of = attrgetter(*MENTION_FIELDS)
_AT = {name: i for i, name in enumerate(MENTION_FIELDS)}
_WRITTEN = ("sentence", "orig_start", "orig_end", "published", "period_start", "period_end")
_WRITTEN += ("speaker", "speaker_title", "city", "area", "source_region")
_WRITTEN_AT = tuple(_AT[name] for name in _WRITTEN)  # (in the order resolve writes them)


def resolve(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """Fill evidence, period, speaker and city on every mention of `doc`."""
    text = doc.text
    times = document_time_expressions(doc)
    turns = speaker_turns(text)
    turn_starts = [t.char_start for t in turns]
    official = interviewee(text)
    titles: dict[str, str | None] = {}
    home = document_city(doc)
    mentions = sorted(mentions, key=lambda m: m.char_start)
    periods = _periods(doc, mentions, times, turns)
    sentences: dict[int, str] = {}  # sentence start → its text, one string for all its mentions
    starts = context.sentence_starts(doc)
    i_sentence, i_orig_start, i_orig_end, i_published, i_period_start, i_period_end = _WRITTEN_AT[:6]
    i_speaker, i_speaker_title, i_city, i_area, i_source_region = _WRITTEN_AT[6:]
    published = doc.published
    orig_span = doc.aligned.orig_span
    out: list[Mention] = []
    for m, (period_start, period_end) in zip(mentions, periods, strict=True):
        # context.sentence_at: the sentence starting last at or before the mention
        k = bisect.bisect_right(starts, m.char_start) - 1
        sentence = doc.sentences[k] if k >= 0 else None
        if sentence is not None and sentence.char_start not in sentences:
            sentences[sentence.char_start] = text[sentence.char_start : sentence.char_end]
        orig_start, orig_end = orig_span(m.char_start, m.char_end)
        city, area, source_region = mention_place(doc, m, home)
        speaker = (_speaker_at(turns, turn_starts, m.char_start) if turns else None) or official
        if speaker is not None and speaker not in titles:
            titles[speaker] = speaker_title(text, speaker)
        row = list(_row_of(m))
        row[i_sentence] = sentences[sentence.char_start] if sentence else None
        row[i_orig_start] = orig_start
        row[i_orig_end] = orig_end
        row[i_published] = published
        row[i_period_start] = period_start
        row[i_period_end] = period_end
        row[i_speaker] = speaker
        row[i_speaker_title] = titles.get(speaker) if speaker else None
        row[i_city] = city
        row[i_area] = area
        row[i_source_region] = source_region
        out.append(Mention(*row))
    return out
