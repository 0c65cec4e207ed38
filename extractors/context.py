"""Reading a quantity's surroundings: clause bounds, qualifier, status, role, subject, metric.

All functions are pure functions of the text and a span; vocabularies come from
`grammar` (that is, from `lexicons/`).
"""

from __future__ import annotations

import bisect
import re
from functools import cache

import regex
from govfacts.extractors import grammar, numbers
from govfacts.pipeline.records import Document, Sentence

__all__ = [
    "CLAUSE_STOPS",
    "CLAUSE_STOP_RE",
    "clause_stops",
    "start_after_stop",
    "end_at_stop",
    "clause_start",
    "clause_end",
    "sentence_at",
    "qualifier_of",
    "status_of",
    "status_at",
    "subject_before",
    "clause_subject",
    "subject_after",
    "metric_of",
    "metric_near",
    "is_size_class",
    "range_head",
]

CLAUSE_STOPS = "，,；;。！？!?\n：:"
# match() anchors at the position given; a ^ would only match at the start of the text.
_NP_AFTER = regex.compile(
    r"[\p{Han}A-Za-z0-9（）()]{1,16}?(?=[，,；;。！？、：:\s的在于和及与等将已正共、]|$)"
    r"|\p{Han}{1,8}"  # no stop in sight: the first few characters name the thing counted
)
# After an amount: 以上/级 then a head noun, or a head noun within a few characters
# with no 的 between (首个百亿元工业项目); `52.9亿元的8个项目` is a fact, not a class.
_SIZE_CLASS = regex.compile(
    r"""^(?:
        (?:以上|及以上|级)(?:的)?[^\W\d的]{0,8}?(?:项目|企业|工程|产业)
      | (?:(?!的)[^\W\d]){0,5}?(?:项目|企业)
    )""",
    regex.VERBOSE,
)
_LEADING_NUMBERS = regex.compile(r"^[^，。；、]*?[\d〇一二三四五六七八九十百千万亿]+(?:年|月|日|号|个|家|亿元|万元|元|%)+")


# `re` is about twice as fast as `regex` on one character class, and the stops hold
# no \d or \s (where the two engines differ).
CLAUSE_STOP_RE = re.compile(f"[{re.escape(CLAUSE_STOPS)}]")
# The offsets of the stops of the last text asked about: the extract and resolve stages
# ask for many clauses of one document in turn, so a bisect replaces a leftward search.
_last_stops: tuple[str, list[int]] = ("", [])


def clause_stops(text: str) -> list[int]:
    """The offsets of `text`'s clause stops, found once per text (a shared list: do not modify)."""
    global _last_stops
    if _last_stops[0] is not text:
        _last_stops = (text, [m.start() for m in CLAUSE_STOP_RE.finditer(text)])
    return _last_stops[1]


def start_after_stop(stops: list[int], pos: int, floor: int) -> int:
    """`clause_start` from a text's `clause_stops`, for 0 <= floor < pos."""
    k = bisect.bisect_left(stops, pos) - 1  # the last stop before pos (pos past the end: the last)
    return stops[k] + 1 if k >= 0 and stops[k] >= floor else floor


def end_at_stop(stops: list[int], size: int, pos: int) -> int:
    """`clause_end` from the `clause_stops` of a text of length `size`, for pos >= 0."""
    k = bisect.bisect_left(stops, pos)
    return stops[k] if k < len(stops) else max(pos, size)


def clause_start(text: str, pos: int, floor: int = 0) -> int:
    """Start of the clause containing `pos` (after the last clause stop before it).

    >>> clause_start("上半年，签约项目52个", 8)
    4
    """
    if pos <= floor:
        return pos
    floor = max(floor, 0)
    if pos < 0:
        pos = max(len(text) + pos, 0)  # counts from the end, as in `regex`
    return start_after_stop(clause_stops(text), pos, floor)


def clause_end(text: str, pos: int) -> int:
    """End of the clause containing `pos` (at the next clause stop).

    >>> clause_end("签约项目52个，总投资10亿元", 2)
    7
    """
    if pos < 0:
        m = CLAUSE_STOP_RE.search(text, max(len(text) + pos, 0))  # a negative pos counts from the end, as in `regex`
        return m.start() if m else max(pos, len(text))
    return end_at_stop(clause_stops(text), len(text), pos)


_last_starts: tuple[Document, list[int]] | None = None


def sentence_starts(doc: Document) -> list[int]:
    """The start offsets of `doc`'s sentences (kept for the last document asked about)."""
    global _last_starts
    if _last_starts is None or _last_starts[0] is not doc:
        _last_starts = (doc, [s.char_start for s in doc.sentences])
    return _last_starts[1]


def sentence_at(doc: Document, pos: int) -> Sentence | None:
    """The sentence of `doc` that contains character `pos`."""
    starts = sentence_starts(doc)
    k = bisect.bisect_right(starts, pos) - 1
    if k >= 0 and doc.sentences[k].char_start <= pos < max(doc.sentences[k].char_end, pos + 1):
        return doc.sentences[k]
    return None


def qualifier_of(text: str, start: int, end: int, infix: str | None = None) -> str:
    """eq / approx / ge / le from the words around `text[start:end]`.

    A bound (ge/le) written before or after wins over the approximation an
    infix 余/多 gives.
    """
    after_words, before_words, infix_words, blocked, links, linked = _qualifier_tables()
    after = text[end : end + 3]
    if after.startswith(after_words[0]):
        for w, q in after_words[1]:
            if after.startswith(w):
                return q
    before = text[max(0, start - 6) : start]
    # A before-word (and a linking word) ends `before` only if one of `linked` does:
    # most numbers have none.
    for link in links if before.endswith(linked) else ():
        if link and not before.endswith(link):
            continue
        head = before[: len(before) - len(link)]
        if not head.endswith(before_words[0]):
            continue
        for w, q in before_words[1]:
            if head.endswith(w):
                prev = head[-len(w) - 1 : -len(w)]
                if prev and prev in blocked.get(w, ""):
                    continue  # 签约9个 is no 约 9个
                return q
    if infix:
        return infix_words.get(infix, "approx")
    return "eq"


@cache
def _qualifier_tables() -> tuple[
    tuple[tuple[str, ...], tuple[tuple[str, str], ...]],
    tuple[tuple[str, ...], tuple[tuple[str, str], ...]],
    dict[str, str],
    dict[str, str],
    tuple[str, ...],
    tuple[str, ...],
]:
    """The qualifier words after and before a number, longest first (each with the tuple of
    its words, for one `startswith`/`endswith` test that most numbers fail), the infix
    words, the characters that block a before-word, the linking words (with ""), and each
    before-word followed by each linking word (what the text before a qualified number
    ends with)."""
    words = grammar.qualifier_words()

    def longest_first(position: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        table = tuple(sorted(words[position].items(), key=lambda kv: -len(kv[0])))
        return tuple(w for w, _ in table), table

    links = ("", *words["link"])  # 约为22.5亿元, 超过了: a linking word may stand between
    before = longest_first("before")
    linked = tuple(w + link for w in before[0] for link in links)
    not_after = grammar.qualifier_not_after()
    return longest_first("after"), before, words["infix"], not_after, links, linked


def status_of(text: str, start: int, sentence_start: int) -> str:
    """actual / target / plan from the nearest cue before the quantity.

    A clause-scoped cue counts only inside the quantity's own clause; a
    sentence-scoped cue anywhere earlier in the sentence. A block phrase right
    before the quantity (计划总投资) keeps it actual.
    """
    return status_at(text, start, sentence_start, clause_start(text, start, sentence_start))


def status_at(text: str, start: int, sentence_start: int, c_start: int) -> str:
    """`status_of` when the quantity's `clause_start(text, start, sentence_start)` is known."""
    if grammar.status_blocks().search(text[max(sentence_start, start - 8) : start]):
        return "actual"
    cues, table, clause_scoped = _status_cues()
    if start < 0 or sentence_start < 0:  # offsets from the end: read the windows themselves
        found = table.rows(text, sentence_start, start)
        in_clause_found = set(table.rows(text, c_start, start))
    else:
        found = _status_rows(text, sentence_start, start)  # in lexicon order
        if not found:
            return "actual"  # no cue has its characters before the quantity: most quantities
        in_clause_found = {
            i for i in found if i in clause_scoped and table.has_row(i, text, c_start, start)
        }
    best_pos, best = -1, "actual"
    for i in found:
        cue = cues[i]
        if cue.scope == "clause" and i not in in_clause_found:
            continue
        lo = c_start if cue.scope == "clause" else sentence_start
        for m in cue.pattern.finditer(text, lo, start):
            if m.end() > best_pos:
                best_pos, best = m.end(), cue.status
    return best


# The end of a sentence (as `pipeline.sentences` ends them, but for quotes): a status window
# is read at once up to it (a guess: a quantity past it has its window read again).
_WINDOW_END = re.compile("[。！？!?\n]")
# The rows ready in the status windows of the last text asked about: window start →
# (how far it was read, the offset the first row is ready from, its rows with the offset
# from which each is ready).
_status_windows: tuple[str, dict[int, tuple[int, int, tuple[tuple[int, int], ...]]]] = ("", {})


def _status_rows(text: str, lo: int, start: int) -> tuple[int, ...]:
    """`rows(text, lo, start)` of the status cues, for 0 <= lo and 0 <= start: each window
    start's characters are read once for all the quantities of its sentence or clause."""
    global _status_windows
    if _status_windows[0] is not text:
        _status_windows = (text, {})
    windows = _status_windows[1]
    entry = windows.get(lo)
    if entry is None or entry[0] < start:
        end = _WINDOW_END.search(text, start)
        entry = windows[lo] = _status_cues()[1].ready(text, lo, end.start() if end else len(text))
    if entry[1] > start:
        return ()  # no row is ready yet: most quantities
    return tuple(i for i, at in entry[2] if at <= start)


class _Ways:
    """The rows of a `grammar.ways_table`, indexed for asking which may match in a window.

    Only the characters some row needs are read from the window (one `re` scan: a set
    of every character of the window costs more than the rest), and each row is filed
    under one of its characters (the one fewest rows share), so a window is checked
    against the rows of the characters it holds, not against all.
    """

    __slots__ = ("needed", "by_char", "always", "ways_of")

    def __init__(self, table: tuple[tuple[frozenset[str], int], ...]) -> None:
        share: dict[str, int] = {}
        for way, _ in table:
            for c in way:
                share[c] = share.get(c, 0) + 1
        by_char: dict[str, list[tuple[int, frozenset[str]]]] = {}
        always: set[int] = set()
        for way, i in table:
            if way:
                key = min(way, key=lambda c: (share[c], c))
                by_char.setdefault(key, []).append((i, way))
            else:
                always.add(i)
        # A class of literal characters: no \d or \s, so `re` reads it as `regex` would.
        self.needed = re.compile(f"[{re.escape(''.join(sorted(share)))}]") if share else re.compile("(?!)")
        self.by_char = {c: tuple(rows) for c, rows in by_char.items()}
        self.always = frozenset(always)
        self.ways_of: dict[int, tuple[frozenset[str], ...]] = {}
        for way, i in table:
            self.ways_of[i] = (*self.ways_of.get(i, ()), way)

    def rows(self, text: str, lo: int = 0, hi: int | None = None) -> tuple[int, ...]:
        """The indices whose rows' characters all occur in `text[lo:hi]`, in table order, each
        once (what `[i for way, i in table if way <= set(text[lo:hi])]` gives, without repeats:
        a table lists its indices in order)."""
        n = len(text)
        hi = n if hi is None else hi if hi >= 0 else max(n + hi, 0)  # negatives count from the end, as in slices
        return self.rows_seen(set(self.needed.findall(text, lo if lo >= 0 else max(n + lo, 0), hi)))

    def ready(self, text: str, lo: int, hi: int) -> tuple[int, int, tuple[tuple[int, int], ...]]:
        """(hi, the least h of the rows, the rows that `rows(text, lo, h)` gives for some
        h <= hi, each with the least such h, in table order): the window's characters read
        once for all its ends h. For 0 <= lo and 0 <= hi."""
        seen = set(self.needed.findall(text, lo, hi))
        at: dict[int, int] = dict.fromkeys(self.always, -1)  # read in any window
        by_char = self.by_char
        for c in seen:
            for i, way in by_char.get(c, ()):
                if way <= seen:  # then each of its characters is found in the window
                    h = max(text.find(x, lo, hi) for x in way) + 1
                    if h < at.get(i, hi + 1):
                        at[i] = h
        return hi, min(at.values(), default=hi + 1), tuple(sorted(at.items()))

    def has_row(self, i: int, text: str, lo: int, hi: int) -> bool:
        """Whether `rows(text, lo, hi)` holds `i`, for 0 <= lo and 0 <= hi."""
        return any(all(text.find(x, lo, hi) >= 0 for x in way) for way in self.ways_of[i])

    def rows_seen(self, seen: set[str]) -> tuple[int, ...]:
        """`rows` of a window whose needed characters (those `needed` finds) are `seen`."""
        if not seen:
            return tuple(sorted(self.always))
        by_char = self.by_char
        found = {i for c in seen if c in by_char for i, way in by_char[c] if way <= seen}
        if self.always:
            found |= self.always
        return tuple(sorted(found))


@cache
def _status_cues() -> tuple[tuple[grammar.StatusCue, ...], _Ways, frozenset[int]]:
    """The status cues, the characters their matches need (`grammar.ways_table`), and the
    indices of the clause-scoped ones."""
    cues = grammar.status_cues()
    clause_scoped = frozenset(i for i, c in enumerate(cues) if c.scope == "clause")
    return cues, _Ways(grammar.ways_table(c.pattern for c in cues)), clause_scoped


@cache
def _subject_trims() -> tuple[
    regex.Pattern[str], regex.Pattern[str], tuple[str, ...], tuple[str, ...]
]:
    """Patterns trimming scope words from a subject's front and linking words from its end,
    and the words each needs the phrase to start or end with (`$` also matches before a
    final newline)."""
    words = grammar.subject_words()
    head = grammar.alternation(words["head"])
    tail = grammar.alternation(words["tail"])
    heads, tails = tuple(words["head"]), (*words["tail"], "\n")
    return regex.compile(f"^(?:{head})+"), regex.compile(f"(?:{tail})+$"), heads, tails


# A `_LEADING_NUMBERS` match ends in one of these: a phrase without them has none.
_LEADING_NUMBERS_END = re.compile("[年月日号个家元%]")


def subject_before(text: str, start: int, floor: int = 0) -> str:
    """The noun phrase before a quantity in its clause (`全市签约工业项目` → `签约工业项目`)."""
    return clause_subject(text[clause_start(text, start, floor) : start])


def clause_subject(phrase: str) -> str:
    """`subject_before` from the clause's text up to the quantity (`phrase`)."""
    cut = max(phrase.rfind("、"), phrase.rfind("("), phrase.rfind("（"))
    if cut >= 0:
        phrase = phrase[cut + 1 :]
    while _LEADING_NUMBERS_END.search(phrase) and (m := _LEADING_NUMBERS.match(phrase)):
        if m.end() >= len(phrase):
            break
        phrase = phrase[m.end() :]  # 11月5日总投资 → 总投资
    trim_head, trim_tail, heads, tails = _subject_trims()
    if phrase.endswith(tails):
        phrase = trim_tail.sub("", phrase)
    if phrase.startswith(heads):
        phrase = trim_head.sub("", phrase)
    return phrase.strip()


def subject_after(text: str, end: int) -> str:
    """The noun phrase right after a measure word (`8个招商项目在…` → `招商项目`)."""
    m = _NP_AFTER.match(text, end)
    return m.group() if m else ""


@cache
def _range_head_pattern() -> regex.Pattern[str]:
    return regex.compile(rf"(?P<num>{numbers.NUMBER_PATTERN})(?P<sep>[-—–~～至到])$", regex.VERBOSE)


def range_head(text: str, start: int) -> tuple[int, int, str] | None:
    """The head of a range ending right before `start` (`3至5条` → the span and text of `3`)."""
    if start < 2 or text[start - 1] not in "-—–~～至到":
        return None
    m = _range_head_pattern().search(text, max(0, start - 16), start)
    if m is None:
        return None
    return (m.start("num"), m.end("num"), m.group("num"))


def is_size_class(text: str, end: int) -> bool:
    """Whether an amount ending at `end` names a size class (`亿元以上项目`, `百亿元级项目`)."""
    return bool(_SIZE_CLASS.match(text[end : end + 14]))


def metric_of(kind: str, subject: str) -> str | None:
    """The canonical metric id of a subject, or None when no lexicon row fits."""
    ranked, table, _ = _metrics_of(kind)
    for k in table.rows(subject):  # in lexicon order
        m = ranked[k][1]
        if m.pattern.search(subject):
            return m.id
    return None


def metric_near(kind: str, before: str, after: str = "") -> str | None:
    """The metric whose cue stands nearest the number: Chinese noun phrases end in their head.

    `before` is the clause up to the number, `after` what follows the measure word.
    A cue that ends right before the number (外出招商活动58次) beats one further
    left (工作队…); a cue right after it (8个招商项目…签约) beats both. Ties go to the
    lexicon's order, so 签约…项目 wins over the bare 项目.
    """
    ranked, table, any_metric = _metrics_of(kind)
    best: tuple[int, int, str] | None = None  # (distance, lexicon rank, id)
    # After the number: the first cue, the lexicon's first at that place (one alternation
    # finds both), nearer than any before.
    # (No character a cue needs, no cue: most tails are passed over without the alternation.)
    found = any_metric.search(after) if table.always or table.needed.search(after) else None
    if found is not None:
        rank, m = ranked[int(found.lastgroup[1:])]  # type: ignore[index]
        best = (found.start() - 1000, rank, m.id)
        if best[0] < 0:
            return m.id  # a cue before the number is at distance 0 or more
    for k in table.rows(before):  # those whose characters are there, in lexicon order
        rank, m = ranked[k]
        if best is not None and best[0] == 0 and best[1] < rank:
            break  # a cue right before the number, and the rest come later in the lexicon
        last = -1
        for h in m.pattern.finditer(before, overlapped=True):
            if h.end() > last:
                last = h.end()
        if last >= 0:
            key = (len(before) - last, rank, m.id)
            if best is None or key < best:
                best = key
    return best[2] if best else None


@cache
def _metrics_of(
    kind: str,
) -> tuple[
    tuple[tuple[int, grammar.Metric], ...], _Ways, regex.Pattern[str]
]:
    """The metrics that take `kind` with their lexicon rank, the characters their matches
    need (`grammar.ways_table`), and one pattern matching wherever any of them matches
    (group `m<i>` for the i-th, the first that fits)."""
    ranked = tuple((rank, m) for rank, m in enumerate(grammar.metrics()) if kind in m.kinds)
    alternation = "|".join(f"(?P<m{i}>{m.pattern.pattern})" for i, (_, m) in enumerate(ranked))
    return ranked, _Ways(grammar.ways_table(m.pattern for _, m in ranked)), regex.compile(alternation)
