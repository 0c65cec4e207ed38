"""Repair GBK byte-misalignment mojibake, marking what cannot be recovered with U+FFFD.

A GBK (gb18030) text that lost or gained one byte decodes out of phase: every
character after the slip is made of the second byte of one original character
and the first byte of the next (`”王楚` → `蓖醭`) until an ASCII byte puts the
decoder back in step. Re-encoding such a run and decoding it one byte later
recovers it. A run is rewritten only where the recovery reads clearly better by
jieba's dictionary (`segment.word_freq`/`segment.segment`, scored on a
Simplified copy), so ordinary text is never touched. Lost characters become
U+FFFD (`�`); a real question mark is never rewritten.

>>> repair_mojibake(AlignedText.of("“要抓好招商。?崩钊A表示，將擴大投資。")).text
'“要抓好招商。�李華表示，將擴大投資。'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate

import regex
from govfacts.lexicons import load_list
from govfacts.pipeline.aligned import AlignedText
from govfacts.pipeline.han import class_body, han_code_points, han_flags, is_han
from govfacts.pipeline.repairs import (
    PINYIN_LETTERS,
    has_bracket,
    is_pinyin_syllable,
    remove_pinyin_glosses,
)
from govfacts.pipeline.script import s2t, t2s
from govfacts.pipeline.segment import segment, tokenizer, word_freq

__all__ = ["repair_mojibake", "shift_decode"]

LOST = "\ufffd"
MARKERS = frozenset("?\ufffd")  # what a broken decoder left for a byte it could not read
# Half-width marks a broken pipeline may have made of the full-width ones inside a run.
_HALF_TO_FULL = {"!": "！", ",": "，", ";": "；", ":": "："}

RARE = 300  # jieba frequency below which a lone character is unusual in news text
MIN_GAIN = 0.25  # how much better (score units) a recovery must read to be kept
# A marked run ending at a second marker (`?…?`) or at a lone Latin letter inside
# Chinese text (`?崩钊A表示`) is structural evidence of a slip.
EVIDENCE_BONUS = 0.2
MAX_STARTS = 8  # slip positions tried per run without a marker
CONTEXT = 6  # characters of the intact run read together with a candidate

# Characters a misaligned GBK run is made of (every one must encode to two bytes).
_RUN = regex.compile(r"[^\x00-\x7f\s\ufffd]+")  # split further where a character has no GBK form
# `?` + a gloss whose `(` was swallowed: a lost glossed character (`百?gòu)?qiáng)`).
_GLOSS_LOSS = regex.compile(
    rf"""
    [?\ufffd]                       # the marker left for the lost bytes
    ([{PINYIN_LETTERS}]{{1,7}})     # the gloss syllable, its `(` eaten with them
    [)）]                           # the gloss's closing bracket
    """,
    regex.VERBOSE,
)
# A lone ASCII letter glossed like a character (`醭f(shuō)`, `I(yè)`): the trail byte
# of a character whose lead byte was lost.
_LETTER_GLOSS = regex.compile(
    rf"""
    (?<=[\p{{Han}}\ufffd?)）\u3000-\u303f\uff01-\uff5e])   # after a Chinese character or mark
    [A-Za-z]                                                # one stray letter
    (?=[(（]([{PINYIN_LETTERS}]{{1,7}})[)）])               # followed by a gloss
    """,
    regex.VERBOSE,
)

_GLOSSED_LETTER = regex.compile(rf"[A-Za-z][(（]([{PINYIN_LETTERS}]{{1,7}})[)）]")


def _gbk(ch: str) -> bytes | None:
    """The two GBK bytes of a character (None when it has no two-byte form)."""
    try:
        b = _HALF_TO_FULL.get(ch, ch).encode("gb18030")
    except UnicodeEncodeError:
        return None
    return b if len(b) == 2 and b[0] >= 0x81 else None


@cache  # a few thousand distinct dictionary frequencies at most
def _lone_value(freq: int) -> float:
    """What a Han character outside any dictionary word adds to a reading, by its frequency
    (a character inside a word adds 1.0)."""
    return 0.6 * min(1.0, math.log10(freq + 1) / 5)


@dataclass(frozen=True, slots=True)
class _Reading:
    total: float  # summed plausibility of the Chinese characters (1 each when in a dictionary word)
    rare: int  # Chinese characters that are rare and in no word
    han: int  # Chinese characters counted (U+FFFD is not one)

    @property
    def score(self) -> float:
        return self.total / self.han if self.han else 0.0


def _read(text: str) -> _Reading:
    """How well `text` reads by jieba's dictionary (on a Simplified copy)."""
    simple = t2s().convert(text)
    freq = tokenizer().FREQ  # word_freq inlined: this runs per candidate
    words = segment(simple)
    han = han_flags("".join(words))  # word k's flags start where word k - 1's end
    total = 0.0
    rare = n = i = 0
    for word in words:
        j = i + len(word)
        if j - i >= 2 and all(han[i:j]):  # a dictionary word: 1 per character
            for _ in word:  # added one at a time, as the sum has always been rounded
                total += 1.0
            n += j - i
        else:
            for ch, h in zip(word, han[i:j], strict=True):
                if not h:
                    continue
                n += 1
                f = freq.get(ch, 0) or 0
                total += _lone_value(f)
                rare += f < RARE
        i = j
    return _Reading(total, rare, n)


def _han_count(text: str) -> int:
    """`_read(text).han` without the reading: segmenting keeps every character."""
    return sum(han_flags(t2s().convert(text)))


def _gain(before: _Reading, after: _Reading) -> float:
    """Improvement in character units: plausibility gained plus half the rare characters gone."""
    return (after.total - before.total) + 0.5 * (before.rare - after.rare)


def shift_decode(chars: str, trail: str = "") -> tuple[list[tuple[str, int, int]], bool]:
    """Decode the GBK bytes of `chars` one byte later.

    The first byte is the second half of a lost character (→ U+FFFD); a last
    byte left over is completed by `trail` when that is an ASCII letter that
    makes a common character, or else becomes U+FFFD.

    Returns:
        (new character, first source index, end source index) triples, where a
        source index counts the characters of `chars` (`len(chars)` is `trail`),
        and whether `trail` was used.

    >>> [c for c, _, _ in shift_decode("！蓖醭")[0]]
    ['�', '”', '王', '�']
    """
    data = _gbk_bytes(chars)
    if not data:
        return [(LOST, 0, 1)], False
    # Character k holds bytes 2k and 2k + 1: the pair read at bytes 2k + 1, 2k + 2
    # spans characters k and k + 1.
    pair = _pair_char
    out: list[tuple[str, int, int]] = [(LOST, 0, 1)]
    out += [
        (pair(data[2 * k + 1] << 8 | data[2 * k + 2]), k, k + 2) for k in range(len(chars) - 1)
    ]
    used_trail = False
    last = len(chars) - 1  # the character whose second byte is left over
    ch = LOST
    if trail and 0x40 <= ord(trail) <= 0x7E and trail.isalpha():
        try:
            joined = bytes([data[-1], ord(trail)]).decode("gbk")
        except UnicodeDecodeError:
            joined = ""
        if joined and word_freq(t2s().convert(joined)) >= RARE:
            ch, used_trail = joined, True
    out.append((ch, last, len(chars) + 1 if used_trail else last + 1))
    return out, used_trail


_HALF_TO_FULL_TABLE = str.maketrans(_HALF_TO_FULL)


def _gbk_bytes(chars: str) -> bytes:
    """The two GBK bytes of every character of `chars`, encoded in one call.

    Every character took two bytes when the length is twice the count and every
    even byte is a lead byte (a one-byte character would sit at an even offset,
    below 0x81, before any misalignment); else each is checked to name the culprit.
    """
    try:
        data = chars.translate(_HALF_TO_FULL_TABLE).encode("gb18030")
    except UnicodeEncodeError:
        data = b""
    if len(data) == 2 * len(chars) and (not data or min(data[0::2]) >= 0x81):
        return data
    for ch in chars:
        if _gbk(ch) is None:
            raise ValueError(f"{ch!r} has no two-byte GBK form")
    raise AssertionError("unreachable: every character has two bytes")


@cache  # one entry per byte pair met (at most 65536)
def _pair_char(code: int) -> str:
    """The character the GBK byte pair `code` (lead << 8 | trail) decodes to, or U+FFFD."""
    try:
        ch = bytes((code >> 8, code & 0xFF)).decode("gbk")
    except UnicodeDecodeError:
        return LOST
    return ch


def _covered(text: str) -> list[bool]:
    """Per character of `text`: inside a multi-character dictionary word (or not Chinese)."""
    simple = t2s().convert(text)
    if len(simple) != len(text):
        simple = text
    words = segment(simple)
    flags = [not h for h in han_flags("".join(words))]  # a lone character counts when not Chinese
    i = 0
    for word in words:
        if len(word) >= 2:
            flags[i : i + len(word)] = [True] * len(word)
        i += len(word)
    return flags


def _starts(run: str, marked: bool, glossed_trail: bool) -> Iterator[int]:
    """Positions in `run` where a byte slip may have started."""
    if marked:
        yield 0
    if glossed_trail:  # the last characters hold the lead byte of the glossed letter
        yield from range(len(run) - 1, max(len(run) - 4, 0 if not marked else 1) - 1, -1)
    flags = _covered(run)
    han = han_flags(run)
    # Per k: the Chinese characters from k on, and how many of them are in a word
    # (suffix sums, made by `accumulate` over the reversed flags).
    han_after = [*accumulate(map(int, reversed(han)))][::-1] + [0]
    covered = (int(h and f) for h, f in zip(reversed(han), reversed(flags), strict=True))
    covered_after = [*accumulate(covered)][::-1] + [0]
    found = [
        k
        for k in range(1 if marked else 0, len(run) - 2)
        # a slip is looked for right after a readable word, in a stretch mostly out of words
        if (not k or flags[k - 1])
        and han_after[k] >= 3
        and not covered_after[k] / han_after[k] > 0.3
    ]
    yield from found[:MAX_STARTS]


@dataclass(frozen=True, slots=True)
class _Edit:
    start: int  # first replaced character of the text
    end: int  # end of the replaced characters
    pieces: tuple[
        tuple[str, int, int], ...
    ]  # new character, first and end source index in the text


def _run_edit(text: str, a: int, b: int) -> _Edit | None:
    """The best recovery of the run `text[a:b]`, if one reads clearly better.

    Each candidate is read with up to `CONTEXT` characters of the run before it,
    so a recovery that breaks a word of the intact part loses points.
    """
    marked = a > 0 and text[a - 1] in MARKERS
    nxt = text[b] if b < len(text) else ""
    glossed_trail = _glossed_letter(text, b)
    best: tuple[float, _Edit] | None = None
    for k in dict.fromkeys(_starts(text[a:b], marked, glossed_trail)):
        pieces, used = shift_decode(text[a + k : b], nxt)
        # source indices of `pieces` count from text[a + k]; make them text indices
        spans = [[a + k + s, a + k + e] for _, s, e in pieces]
        sandwich = not used and nxt in MARKERS
        if sandwich:  # the dangling byte's partner is the marker after the run
            spans[-1][1] = b + 1
        if marked and k == 0:  # the marker and the first half-character are one lost character
            spans[0][0] = a - 1
        start, end = spans[0][0], max(e for _, e in spans)
        new = "".join(c for c, _, _ in pieces)
        context = text[max(a, a + k - CONTEXT) : a + k]
        before, after = _read(context + text[a + k : end]), _read(context + new)
        size = max(before.han, after.han) - _han_count(context)
        if size < 1:
            continue
        gain = _gain(before, after) / size
        if marked and k == 0 and (sandwich or (used and _isolated_letter(text, b))):
            gain += EVIDENCE_BONUS  # the run sits between two byte slips
        if glossed_trail and used:  # a stray glossed letter completing a common character
            if gain < 0:
                continue
        elif size < (1 if marked else 2) or gain < MIN_GAIN or after.score < 0.3:
            continue
        placed = tuple(
            (LOST if _unusual(c, new) else c, s, e)
            for (c, _, _), (s, e) in zip(pieces, spans, strict=True)
        )
        total = gain * size  # prefer the recovery that fixes most
        if best is None or total > best[0]:
            best = (total, _Edit(start, end, placed))
    return best[1] if best else None


def _runs(text: str, rare: list[int] | None = None) -> Iterator[tuple[int, int]]:
    """Maximal spans of characters that all have a two-byte GBK form.

    With `rare` (sorted positions of rare characters) given, only the spans worth
    reading closely (`_worth_reading`) are yielded. They are found from what makes
    a span worth it — a marker just before, a glossed letter just after, two rare
    characters close together inside — so clean stretches of text cost nothing.
    """
    if rare is None:
        yield from _all_runs(text)
        return
    found: dict[int, int] = {}  # start → end of each span worth reading
    markers = _MARKER.finditer(text) if _has_marker(text) else ()
    for m in markers:
        for a in (m.end(), m.end() + 1):  # a span starting one or two characters after a marker
            if a < len(text) and _in_run(text[a]) and not _in_run(text[a - 1]):
                found[a] = _run_end(text, a)
    glossed = _GLOSSED_LETTER.finditer(text) if _letter_bracket(text) else ()
    for m in glossed:  # a span ending right before a glossed letter
        b = m.start()
        if b and _in_run(text[b - 1]) and is_pinyin_syllable(m.group(1)):
            a = _run_start(text, b - 1)
            found[a] = b
    a = b = -1
    for k in range(len(rare) - 1):  # two rare characters close together in one span
        r1, r2 = rare[k], rare[k + 1]
        if r2 - r1 <= RARE_GAP and _in_run(text[r1]):
            if not a <= r1 < b:
                a, b = _run_start(text, r1), _run_end(text, r1)
            if r2 < b:
                found[a] = b
    yield from sorted(found.items())


def _all_runs(text: str) -> Iterator[tuple[int, int]]:
    for m in _RUN.finditer(text):
        a = m.start()
        for i in range(m.start(), m.end()):
            if _gbk(text[i]) is None:
                if i > a:
                    yield a, i
                a = i + 1
        if m.end() > a:
            yield a, m.end()


_MARKER = re.compile("[" + "".join(sorted(MARKERS)).replace("?", "\\?") + "]")


def _has_glossed_letter(text: str) -> bool:
    return _letter_bracket(text) and _GLOSSED_LETTER.search(text) is not None


# What `_GLOSSED_LETTER` and `_LETTER_GLOSS` need: a letter before an opening bracket
# (bracket-led `re` searches, ~1/20 of a `regex` pass starting with a letter class).
_LETTER_BRACKETS = (re.compile(r"\((?<=[A-Za-z]\()"), re.compile("（(?<=[A-Za-z]（)"))


def _letter_bracket(text: str) -> bool:
    return has_bracket(text) and any(p.search(text) for p in _LETTER_BRACKETS)


def _has_marker(text: str) -> bool:
    return "?" in text or LOST in text


def _in_run(ch: str) -> bool:
    """`ch` can be in a misaligned run: non-ASCII, not a space, with a two-byte GBK form."""
    cp = ord(ch)
    return cp < 0x10000 and _run_table()[cp] == 1


@cache
def _run_table() -> bytes:
    """Per BMP code point, 1 when `_RUN` takes it and it has a two-byte GBK form.

    Built from every two-byte sequence the decoder reads (lead 0x81–0xFE); it
    answers in one index what `_RUN` and `_gbk` answer with a match and an encoding.
    """
    table = bytearray(0x10000)
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                ch = bytes((lead, trail)).decode("gb18030")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1 and ord(ch) < 0x10000 and _RUN.match(ch) and _gbk(ch) is not None:
                table[ord(ch)] = 1
    return bytes(table)


def _run_start(text: str, i: int) -> int:
    """Start of the span of run characters that ends at or goes through `i`."""
    not_run = _run_patterns()[1]
    width = 64
    while i > 0:  # `re` searches forwards only: look at the text before `i` reversed
        lo = max(0, i - width)
        m = not_run.search(text[lo:i][::-1])
        if m:
            return i - m.start()
        i, width = lo, width * 4
    return 0


def _run_end(text: str, i: int) -> int:
    """End of the span of run characters that starts at or goes through `i`."""
    return _run_patterns()[0].match(text, i).end()


@cache
def _run_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """`re` classes of the run characters (`_run_table`): a span of them; any other character."""
    table = _run_table()
    body = class_body([cp for cp in range(0x10000) if table[cp]])
    return re.compile("[" + body + "]*"), re.compile("[^" + body + "]")


def _isolated_letter(text: str, at: int) -> bool:
    """`text[at]` is one Latin letter between Chinese characters (`…钊A表示`)."""
    return (
        at + 1 < len(text)
        and text[at].isascii()
        and text[at].isalpha()
        and (is_han(text[at + 1]) or text[at + 1] in "，。、；：！？”’")
    )


def _glossed_letter(text: str, at: int) -> bool:
    """`text[at]` is a stray letter carrying a pinyin gloss (`l(fā)`)."""
    m = _GLOSSED_LETTER.match(text, at)
    return m is not None and is_pinyin_syllable(m.group(1))


@lru_cache(maxsize=256)
def _words_of(text: str) -> frozenset[int]:
    """Indices of `text` inside a multi-character dictionary word."""
    flags = _covered(text)
    return frozenset(i for i, f in enumerate(flags) if f)


@lru_cache(maxsize=8192)  # one entry per character: a table of the dictionary, not of texts
def _char_freq(ch: str) -> int:
    """jieba's frequency of the Simplified form of one character."""
    return word_freq(t2s().convert(ch))


def _unusual(ch: str, context: str) -> bool:
    """A recovered character that is rare and in no word is more likely a lost one."""
    if not is_han(ch):
        return False
    if _char_freq(ch) >= RARE:
        return False
    idx = [i for i, c in enumerate(context) if c == ch]
    return not any(i in _words_of(context) for i in idx)


def _apply(t: AlignedText, edits: list[_Edit]) -> AlignedText:
    if not edits:
        return t
    parts: list[AlignedText] = []
    last = 0
    for e in sorted(edits, key=lambda e: e.start):
        parts.append(t.slice(last, e.start))
        starts = tuple(t.starts[s] for _, s, _ in e.pieces)
        ends = tuple(t.ends[x - 1] for _, _, x in e.pieces)
        parts.append(AlignedText("".join(c for c, _, _ in e.pieces), starts, ends))
        last = e.end
    parts.append(t.slice(last, len(t)))
    return AlignedText.concat(parts)


# A marker right before `0NN年`: the lead digit of a 21st-century year went with the lost
# bytes (`号角,?!?025年` was `号角。“2025年`); nothing else writes a year as 0NN.
_LOST_CENTURY = regex.compile(r"[?\ufffd](?=0\d\d年)")


def _lost_gloss(m: regex.Match[str]) -> str:
    return LOST if is_pinyin_syllable(m.group(1)) else m.group()


# Every Han character lies in these blocks (radicals to CJK Extension H).
_HAN_BLOCKS = (0x2E80, 0x323B0)


def _rare_positions(text: str) -> list[int]:
    """Sorted positions of the rare Han characters of `text`."""
    full, bmp = _rare_patterns()
    # Outside the BMP every character falls through the astral ranges one by one
    # (6x slower); a text with no astral character (UTF-16 of two bytes each) needs none.
    astral = len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)
    return [m.start() for m in (full if astral else bmp).finditer(text)]


COMMON_HAN = "mojibake_common_han.txt"  # generated by tools/build_common_han.py


@cache
def _rare_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Han characters that are rare in news text, Simplified or Traditional; and the BMP ones.

    A misaligned run is made of such characters (蓖醭硎荆怀鲟); clean text hardly
    has any, so the costly reading of a run is kept for runs that hold some. The
    class lists the rare characters themselves as ranges for the standard `re`
    engine, which scans it at ~130 MB/s (`regex` with `(?![common])\\p{Han}`: ~7).
    The common characters are read from a lexicon precomputed by
    `common_han_from_dictionary` (deriving them loads jieba's dictionary: ~1.7 s).
    """
    common = set(load_list(COMMON_HAN))
    lo, hi = _HAN_BLOCKS
    rare = [cp for cp in han_code_points() if lo <= cp < hi and chr(cp) not in common]
    bmp = [cp for cp in rare if cp < 0x10000]
    return re.compile("[" + class_body(rare) + "]"), re.compile("[" + class_body(bmp) + "]")


def common_han_from_dictionary() -> list[str]:
    """The Han characters common in news text, sorted: the source of `mojibake_common_han.txt`.

    Development-time only (tools/build_common_han.py writes the lexicon; a test
    rebuilds it and compares), since it loads jieba's whole dictionary.
    """
    # A character's use is what the dictionary's words containing it add up to:
    # 圳 is rare alone and common in 深圳.
    use: dict[str, int] = {}
    for word, f in tokenizer().FREQ.items():
        if f:
            for ch in set(word):
                use[ch] = use.get(ch, 0) + f
    common = {ch for ch, f in use.items() if f >= CHAR_USE}
    common |= set(s2t().convert("".join(sorted(common))))
    return sorted(ch for ch in common if is_han(ch))  # only Han characters can be rare


CHAR_USE = 2000  # summed dictionary frequency below which a character is rare in news
RARE_GAP = 3  # rare characters at most this far apart make a run worth reading closely


def _worth_reading(text: str, a: int, b: int, rare: list[int]) -> bool:
    """A run is read closely when a marker or a glossed letter borders it, or it holds rare characters."""
    if (a > 0 and text[a - 1] in MARKERS) or (a > 1 and text[a - 2] in MARKERS) or _glossed_letter(text, b):
        return True
    return _dense_rare(rare, a, b)


def _dense_rare(rare: list[int], a: int, b: int) -> bool:
    """Two rare characters close together inside `[a, b)`: misaligned runs are dense with them."""
    import bisect

    i, j = bisect.bisect_left(rare, a), bisect.bisect_left(rare, b)
    return any(rare[k + 1] - rare[k] <= RARE_GAP for k in range(i, j - 1))


def repair_mojibake(t: AlignedText) -> AlignedText:
    """Recover byte-shifted GBK runs and mark lost characters with U+FFFD.

    1. Runs of Chinese characters and marks are re-decoded one byte later where
       that reads clearly better (`?!蓖醭硎荆怀鲟l` → `�”王楚表示，突出鄉`).
    2. `?` + a pinyin gloss missing its `(` (`?qiáng)`) is one lost character.
    3. A lone letter carrying a gloss (`f(shuō)`) is the rest of a lost character.
    3a. A marker before `0NN年` is the lost lead digit of the year (`?025年` → `2025年`).
    4. Glosses of recovered or lost characters are removed like any other.
    """
    text = t.text
    edits: list[_Edit] = []
    taken = 0
    rare = _rare_positions(text)
    if not rare and not _has_marker(text) and not _has_glossed_letter(text):
        return t  # clean text: nothing to read closely
    for a, b in _runs(text, rare):
        if not _worth_reading(text, a, b, rare):
            continue
        # a half-width mark right after the marker belongs to the run (`?!蓖醭`)
        if a >= 2 and text[a - 1] in _HALF_TO_FULL and text[a - 2] in MARKERS:
            a -= 1
        if a < taken or b - a < 1:
            continue
        edit = _run_edit(text, a, b)
        if edit is not None:
            edits.append(edit)
            taken = edit.end
    out = _apply(t, edits)
    # Each rewrite below needs a marker or a glossed letter; most texts have neither.
    if _has_marker(out.text):
        out = out.sub(_GLOSS_LOSS, _lost_gloss)
    if _has_glossed_letter(out.text):
        out = out.sub(_LETTER_GLOSS, lambda m: LOST if is_pinyin_syllable(m.group(1)) else m.group())
    # `_LOST_CENTURY` needs a marker before a 0: two `str` searches, not a `regex` pass
    if "?0" in out.text or LOST + "0" in out.text:
        out = out.sub(_LOST_CENTURY, "2")
    if out is t:
        return t
    return remove_pinyin_glosses(out)
