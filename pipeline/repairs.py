"""Text repairs of the normalization stage, each a pure `AlignedText -> AlignedText` rewrite.

Every repair returns the very same object when it changes nothing, keeps each
character's span in the original (`AlignedText.sub`/`slice`/`concat`), and is
written as a rule of the language, not of one source. `normalize.REPAIRS`
chains them; the mojibake repair lives in `mojibake`.

>>> remove_pinyin_glosses(AlignedText.of("經(jīng)濟(jì)開發區(園區)")).text
'經濟開發區(園區)'
>>> to_halfwidth(AlignedText.of("增长１２．５％，达１，２０７家")).text
'增长12.5%，达1,207家'
>>> remove_spaces_in_numbers(AlignedText.of("投资1 204.5 亿元，57 个项目")).text
'投资1204.5亿元，57个项目'
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import regex
from govfacts.lexicons import load_table
from govfacts.pipeline.aligned import AlignedText
from govfacts.pipeline.han import han_class

__all__ = [
    "strip_boilerplate",
    "remove_pinyin_glosses",
    "repair_punctuation",
    "cjk_punctuation",
    "to_halfwidth",
    "remove_spaces_in_numbers",
    "join_broken_lines",
    "is_pinyin_syllable",
]

BOILERPLATE = ("boilerplate.tsv", ("pattern", "kind", "note"))
SYLLABLES = ("repair_pinyin_syllables.tsv", ("syllable",))
UNITS = ("repair_units.tsv", ("unit", "kind", "note"))

# ---------------------------------------------------------------------------
# Pinyin
# ---------------------------------------------------------------------------

# Letters a pinyin gloss may contain: ASCII plus the tone-marked vowels, ü and ḿ ń ň ǹ.
PINYIN_LETTERS = "a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿ"
_TONE_MARKS = frozenset("\u0300\u0301\u0304\u030c")  # grave, acute, macron, caron (after NFD)
# Toneless syllables that are also common unit abbreviations in brackets: (ha) (min) (pa).
_TONELESS_EXCLUDED = frozenset({"ha", "min", "pa", "m", "n", "ng", "hm", "hng"})


@cache
def _syllables() -> frozenset[str]:
    return frozenset(r["syllable"] for r in load_table(*SYLLABLES, key="syllable"))


@lru_cache(maxsize=4096)  # a handful of short words, asked about again and again
def is_pinyin_syllable(word: str) -> bool:
    """True for one lowercase Hanyu Pinyin syllable, tone-marked (`jīng`) or toneless (`zhan`).

    A toneless syllable must have two letters or more and not be a unit
    abbreviation (`ha`, `min`, `pa`); capitals never count (`(Apple)`, `(GDP)`).

    >>> is_pinyin_syllable("lǘ"), is_pinyin_syllable("zhan"), is_pinyin_syllable("gdp")
    (True, True, False)
    """
    if not word or word != word.lower():
        return False
    decomposed = unicodedata.normalize("NFD", word).replace("u\u0308", "v")
    toned = any(ch in _TONE_MARKS for ch in decomposed)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if not base.isascii() or base not in _syllables():
        return False
    return toned or (len(base) >= 2 and base not in _TONELESS_EXCLUDED)


@cache
def _gloss() -> re.Pattern[str]:
    """A pinyin gloss after a Chinese character, for `re`.

    The bracket comes first and the Han class is `re`'s: 2.5x `regex` opening
    with a `\\p{Han}` lookbehind.
    """
    return re.compile(
        rf"""
        [(（]                                   # half- or full-width opening bracket
        (?<=[{han_class()}\ufffd][(（])         # right after a Chinese character (or U+FFFD)
        ([{PINYIN_LETTERS}]{{1,7}})             # one syllable's letters (checked against the table)
        [)）]                                   # closing bracket
        """,
        re.VERBOSE,
    )


def remove_pinyin_glosses(t: AlignedText) -> AlignedText:
    """Delete pinyin glosses after Chinese characters: `經(jīng)濟(jì)` → `經濟`.

    Real brackets stay: `(淮发〔2020〕7号)`, `(园区)`, `(Apple)`, `(GDP)`, `(1)`.
    """
    text = t.text
    if not has_bracket(text):
        return t
    # `split` hands over the text between glosses and each gloss's syllable in one
    # call (no match object per gloss, a match being the syllable and its two brackets);
    # the kept stretches are copied with their spans as `AlignedText.edit` would.
    parts = _gloss().split(text)
    syllable = is_pinyin_syllable
    starts, ends = t.starts, t.ends
    pieces: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = last = 0  # a match's start; the start of the stretch kept next
    changed = False
    for k in range(1, len(parts), 2):
        pos += len(parts[k - 1])
        end = pos + len(parts[k]) + 2
        if syllable(parts[k]):
            if pos > last:
                pieces.append(text[last:pos])
                new_starts += starts[last:pos]
                new_ends += ends[last:pos]
            last = end
            changed = True
        pos = end
    if not changed:
        return t
    pieces.append(text[last:])
    new_starts += starts[last:]
    new_ends += ends[last:]
    return AlignedText("".join(pieces), tuple(new_starts), tuple(new_ends))


def has_bracket(text: str) -> bool:
    """An opening bracket, without which no gloss can be (a `str` search: ~1/50 of `regex`)."""
    return "(" in text or "（" in text


# ---------------------------------------------------------------------------
# Boilerplate
# ---------------------------------------------------------------------------

# A pinyin gloss anywhere (used only to build the matching key of a line);
# literal classes only, so `re` matches the same (~2x `regex` on lines full of glosses).
_ANY_GLOSS = re.compile(rf"[(（][{PINYIN_LETTERS}]{{1,7}}[)）]")
_HSPACE = "[ \\t\\u3000\\u00a0]"

# The label words of a metadata line, both scripts (boilerplate is stripped before t2s).
_DATE_LABELS = "时间|時間|日期"
_SOURCE_LABELS = "来源|來源|出处|出處"
# A metadata line: a publication-date or source label with a value.
_METADATA = regex.compile(
    rf"""
    (?:发布|發布|发表|發表|更新|成文)?(?:{_DATE_LABELS})\s*[:：]\s*\d{{4}}  # 发布时间:2020-…
    | (?:信息)?(?:{_SOURCE_LABELS})\s*[:：]\s*[^\s:：]                  # 来源: 某某
    | \d{{4}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}}.*(?:来源|來源)   # 2020-09-23 … 来源
    """,
    regex.VERBOSE,
)
# Every alternative of `_METADATA` needs one of its label words: lines without them skip it.
_METADATA_WORDS = re.compile(f"{_DATE_LABELS}|{_SOURCE_LABELS}")  # literals: `re` is 2x `regex`
# Content that must never be deleted as debris: a number with a unit or a full sentence.
_CONTENT = regex.compile(
    r"""
    \d[\d.,]*\s*(?:亿|万|元|个|個|家|项|項|户|戶|%|％|亩|畝|吨|噸)   # a number with a unit
    | [。！？].                                                   # a sentence end before more text
    | ^.{30,}[。！？]$                                            # a long line ending a sentence
    """,
    regex.VERBOSE,
)
# Short slogan lines of a public-service advert: Han groups split by spaces, or one exclaimed.
_SLOGAN = regex.compile(
    r"""
    ^(?:[\p{Han}~～！!]{1,16}[ \u3000]+)+[\p{Han}~～！!]{1,16}$   # 爱 护 环 境 / 垃圾分类 变废为宝
    | ^\p{Han}{2,16}[~～！!]$                                    # 保护环境！
    | ^\p{Han}{2,8}$                                             # 爱护环境
    """,
    regex.VERBOSE,
)
# What is left of a line of only debris tokens: brackets, bars, separators, spaces.
_RESIDUE = regex.compile(r"[\s|｜/／·•【】\[\]:：,，、\-—_>＞]*")
# Its first character: a line of debris opens with one of these or with a token.
_RESIDUE_FIRST = regex.compile(r"[\s|｜/／·•【】\[\]:：,，、\-—_>＞]")


class _LinePattern:
    """The `line` patterns of the lexicon as one test: `fullmatch(line)` is truthy
    exactly when one of them fullmatches the (newline-free) line.

    A pattern `.*X.*` fullmatches a line exactly when `X` is found in it: those are
    searched for `X` (one literal-led scan) instead of backtracking over `.*` at
    every character; the others form one anchored alternation.
    """

    __slots__ = ("anchored", "floating")

    def __init__(self, patterns: list[str]) -> None:
        floating = [p[2:-2] for p in patterns if _floats(p)]
        anchored = [p for p in patterns if not _floats(p)]
        self.anchored = regex.compile("|".join(f"(?:{p})" for p in anchored)) if anchored else None
        self.floating = regex.compile("|".join(f"(?:{p})" for p in floating)) if floating else None

    def fullmatch(self, line: str) -> bool:
        return bool(
            (self.anchored is not None and self.anchored.fullmatch(line))
            or (self.floating is not None and self.floating.search(line))
        )


def _floats(pattern: str) -> bool:
    """`.*X.*` where the `.*` at both ends are outside `X` (no top-level `|` in `X`)."""
    if not (pattern.startswith(".*") and pattern.endswith(".*")) or len(pattern) <= 4:
        return False
    inner = pattern[2:-2]
    depth, in_class, i = 0, False, 0
    while i < len(inner):
        ch = inner[i]
        if ch == "\\":
            i += 2  # an escaped character, whatever it is
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if inner.startswith(("[]", "[^]"), i):  # a leading `]` is a member
                i += inner.index("]", i) - i + 1
                continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return False
        i += 1
    # an unfinished escape, class or group in `X` would take the last `.*` into it
    return i == len(inner) and not in_class and depth == 0


@cache
def _boilerplate() -> tuple[regex.Pattern[str], _LinePattern, list[regex.Pattern[str]]]:
    rows = load_table(*BOILERPLATE, key="pattern")
    tokens = sorted((r["pattern"] for r in rows if r["kind"] == "token"), key=len, reverse=True)
    token = regex.compile("|".join(f"(?:{p})" for p in tokens))
    lines = _LinePattern([r["pattern"] for r in rows if r["kind"] == "line"])
    # `.*X.*` is found in a line exactly where `X` is: searched for without the `.*`.
    ad_rows = [r["pattern"] for r in rows if r["kind"] == "ad"]
    ads = [regex.compile(p[2:-2] if _floats(p) else p) for p in ad_rows]
    return token, lines, ads


def _search(pattern: regex.Pattern[str], line: str) -> regex.Match[str] | None:
    """`pattern.search(line)` for a line without a newline.

    A pattern that opens with `.*` matches somewhere only if it matches at the
    start (the `.*` takes what comes before), so one anchored try does.
    """
    return pattern.match(line) if pattern.pattern.startswith(".*") else pattern.search(line)


def _lines(text: str) -> list[tuple[int, int, int]]:
    """(start, end without newline, end with newline) of every line."""
    out = []
    a, n = 0, len(text)
    while a < n:  # str.find: 3x the `[^\n]*\n?` matches
        nl = text.find("\n", a)
        if nl < 0:
            out.append((a, n, n))
            break
        out.append((a, nl, nl + 1))
        a = nl + 1
    return out


def _key(line: str) -> str:
    if "(" in line or "（" in line:  # a gloss needs a bracket
        line = _ANY_GLOSS.sub("", line)
    return line.strip(" \t\u3000\u00a0")


def _is_content(key: str) -> bool:
    """`_CONTENT.search(key)` for a one-line key, its usual case first.

    A sentence end with more text after it (`[。！？].`) is found by one `re`
    class search short of the last character, which most paragraphs satisfy;
    the pattern runs only for the others.
    """
    if _SENTENCE_END.search(key, 0, len(key) - 1):
        return True
    return _CONTENT.search(key) is not None


_SENTENCE_END = re.compile("[。！？]")


def _drop(t: AlignedText, spans: list[tuple[int, int]]) -> AlignedText:
    """`t` without the given character ranges (sorted, non-overlapping)."""
    if not spans:
        return t
    return t.edit([(a, b, "") for a, b in sorted(spans)])


def strip_boilerplate(t: AlignedText) -> AlignedText:
    """Delete lines of web and print page debris; cut debris out of metadata lines.

    Whole lines go when they are debris (`【字体：大 中 小】`, `扫一扫在手机打开当前页`,
    ICP/版权所有/网站标识码 footers, breadcrumbs, `关键词:` and `责任编辑` lines, a
    `公益广告` banner with the short slogan lines next to it). A `发布时间:`/`来源:`
    line carrying a date or a source is kept; only its `点击数:`/`浏览次数:`/`字号:`
    fragments are cut. A line with a number and unit or a full sentence is never deleted.
    """
    token, line_pattern, ad_patterns = _boilerplate()
    text = t.text
    lines = _lines(text)
    keys = [_key(text[a:b]) for a, b, _ in lines]
    drop: list[tuple[int, int]] = []
    dropped: set[int] = set()
    ads: list[int] = []
    for i, ((a, b, c), key) in enumerate(zip(lines, keys, strict=True)):
        if not key:
            continue
        if _METADATA_WORDS.search(key) and _METADATA.search(key):
            drop += _metadata_cuts(text, a, b, token)
            continue
        is_ad = len(key) <= 60 and any(_search(p, key) for p in ad_patterns)
        if is_ad and not _is_content(key):
            ads.append(i)
            continue
        if _is_content(key):
            continue
        if line_pattern.fullmatch(key) or _only_debris(key, token):
            drop.append((a, c))
            dropped.add(i)
    for i in ads:
        drop.append(lines[i][0::2])
        dropped.add(i)
        for step in (-1, 1):  # slogans directly above and below, blank lines skipped
            j = i + step
            while 0 <= j < len(lines) and j not in ads:
                if not keys[j]:
                    j += step
                    continue
                if j in dropped or not _SLOGAN.match(keys[j]):
                    break
                drop.append(lines[j][0::2])
                dropped.add(j)
                j += step
    return _drop(t, _merge(drop))


def _only_debris(key: str, token: regex.Pattern[str]) -> bool:
    """The line is made of debris tokens and separators only.

    The line's first character stays first after the tokens are deleted unless a
    token starts there, so a line opening with neither cannot be debris: most
    lines are rejected by that one test, without a token pass over the line.
    """
    if not (_RESIDUE_FIRST.match(key) or token.match(key)):
        return False
    return _RESIDUE.fullmatch(token.sub("", key)) is not None


def _metadata_cuts(text: str, a: int, b: int, token: regex.Pattern[str]) -> list[tuple[int, int]]:
    """Debris tokens of the metadata line `text[a:b]` with the blanks after them."""
    cuts: list[tuple[int, int]] = []
    for m in token.finditer(text, a, b):
        end = m.end()
        while end < b and text[end] in " \t\u3000\u00a0":
            end += 1
        if end > m.start():
            cuts.append((m.start(), end))
    cuts = _merge(cuts)
    if cuts and cuts[-1][1] == b:  # debris ending the line takes the blanks before it
        start = cuts[-1][0]
        while start > a and text[start - 1] in " \t\u3000\u00a0":
            start -= 1
        cuts[-1] = (start, b)
    return cuts


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(set(spans)):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


# ---------------------------------------------------------------------------
# Punctuation
# ---------------------------------------------------------------------------

_DOUBLE_COMMA = regex.compile(
    r"""
    (?<![0-9])[,，]{2,}     # two or more commas not after a digit
    | [,，]{2,}(?![0-9])    # … or not before one (1,,207 is left alone)
    """,
    regex.VERBOSE,
)
_COMMA_BY_STRONGER = regex.compile(
    r"""
    [,，]+(?=[。、；;！？!?])     # a comma before a stronger mark: ,。 ,、 ,；
    | (?<=[。、；！？])[,，]+     # a comma after one: 。,
    """,
    regex.VERBOSE,
)
_DOUBLE_ENUM = regex.compile(r"、{2,}")
# What `_DOUBLE_COMMA` and `_COMMA_BY_STRONGER` need, one pattern per leading comma.
_COMMA_COMMA = tuple(re.compile(c + "[,，]") for c in ",，")
_COMMA_STRONG = tuple(
    re.compile(c + "(?:(?=[。、；;！？!?])|(?<=[。、；！？]" + c + "))") for c in ",，"
)
# A question mark where no question can end: right after a clause mark or at a line start.
_STRAY_QUESTION = regex.compile(r"(?:(?<=[，。：；、,:;])|(?<=^|\n))[?？]")


def _stray_question(m: regex.Match[str]) -> str:
    text = m.string
    a = text.rfind("\n", 0, m.start()) + 1
    b = text.find("\n", m.end())
    line = text[a : len(text) if b < 0 else b]
    opens, closes = line.count("“"), line.count("”")
    if closes > opens:
        return "“"
    if opens > closes:
        return "”"
    return "\ufffd"


def repair_punctuation(t: AlignedText) -> AlignedText:
    """Undo doubled and garbled punctuation of broken pipelines.

    `,,`/`，，` → `，`; `。,` `,。` → `。`; `,、` `、、` → `、`; a `?` that cannot be a
    question mark (after `，。：；、` or at a line start) becomes the quote mark the
    line is missing, or U+FFFD. Numbers (`1,207.87`) and real questions stay.
    """
    # Each rewrite runs only where its marks are (literal-led `re` searches cost
    # ~1/20 of a `regex` pass); most texts need none of them.
    if "?" in t.text or "？" in t.text:
        t = t.sub(_STRAY_QUESTION, _stray_question)
    if any(p.search(t.text) for p in _COMMA_COMMA):
        t = t.sub(_DOUBLE_COMMA, "，")
    if any(p.search(t.text) for p in _COMMA_STRONG):
        t = t.sub(_COMMA_BY_STRONGER, "")
    if "、、" in t.text:
        t = t.sub(_DOUBLE_ENUM, "、")
    return t


_CJK = r"\p{Han}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20“”‘’《》"
_HALF_PUNCT = regex.compile(
    rf"""
    (?<=[{_CJK}])[,;:?!]      # right after a CJK character or mark
    | [,;:?!](?=[{_CJK}])     # or right before one (digit,digit is never touched)
    """,
    regex.VERBOSE,
)
_HAN_BRACKETS = regex.compile(r"\(([^()\n]*\p{Han}[^()\n]*)\)")
_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}


def cjk_punctuation(t: AlignedText) -> AlignedText:
    """Half-width `,;:?!` next to Chinese text and `( )` around Chinese → full-width.

    Numbers (`1,207.87`, `19:42`) and Latin text are never touched.
    """
    t = t.sub(_HALF_PUNCT, lambda m: _FULL[m.group()])
    return t.sub(_HAN_BRACKETS, lambda m: f"（{m.group(1)}）")


# ---------------------------------------------------------------------------
# Width and spaces in numbers
# ---------------------------------------------------------------------------

_HALFWIDTH = {
    **{0xFF10 + i: str(i) for i in range(10)},
    **{0xFF21 + i: chr(0x41 + i) for i in range(26)},
    **{0xFF41 + i: chr(0x61 + i) for i in range(26)},
    ord("％"): "%",
    ord("＋"): "+",
}
_NUMBER_PUNCT = regex.compile(
    r"""
    (?<=[0-9])．(?=[0-9])                 # decimal point inside a number
    | (?<=[0-9])，(?=[0-9]{3}(?![0-9]))   # thousands separator: exactly three digits follow
    | －(?=[0-9])                          # minus or range dash before a digit
    """,
    regex.VERBOSE,
)
_NUMBER_PUNCT_HALF = {"．": ".", "，": ",", "－": "-"}
_FULLWIDTH_RUN = re.compile("[" + "".join(re.escape(chr(k)) for k in sorted(_HALFWIDTH)) + "]+")
# What the thousands separator of `_NUMBER_PUNCT` needs.
_DIGIT_COMMA = re.compile("，(?<=[0-9]，)[0-9]")


def to_halfwidth(t: AlignedText) -> AlignedText:
    """Full-width digits, Latin letters, `％` `＋` and number punctuation → half-width.

    `１２．５％` → `12.5%`; `，。、：；！？（）` stay full-width unless inside a number.
    Length-preserving.
    """
    # Only the runs of full-width characters are translated (str.translate walks
    # every character through the dict: ~20x a search for the runs).
    text = t.text
    t = t.replace_text(_FULLWIDTH_RUN.sub(lambda m: m.group().translate(_HALFWIDTH), text))
    if "．" in text or "－" in text or _DIGIT_COMMA.search(t.text):
        t = t.sub(_NUMBER_PUNCT, lambda m: _NUMBER_PUNCT_HALF[m.group()])
    return t


_SP = "[ \\u3000\\u00a0]"
# A space right after or before a digit, one literal-led `re` pattern per kind of space.
_SPACE_BY_DIGIT = tuple(
    re.compile(sp + "(?:(?<=[0-9]" + sp + ")|(?=[0-9]))") for sp in " \u3000\u00a0"
)
# What each rewrite of `remove_spaces_in_numbers` needs, as `re` patterns opening with a literal
# or a small class: digit-space-digit; a space before a point; a space by a dash; a digit-space.
_SPACE_CUES = {
    "thousands": re.compile(_SP + "(?<=[0-9]" + _SP + ")(?=[0-9])"),
    "point": re.compile(r"\.(?<=" + _SP + r"\.)"),
    "dash": re.compile("[—–~～至](?:(?<=" + _SP + ".)|(?=" + _SP + "))"),
    "before_unit": re.compile(_SP + "(?<=[0-9]" + _SP + ")"),
}


@cache
def _units() -> str:
    units = sorted((r["unit"] for r in load_table(*UNITS, key="unit")), key=len, reverse=True)
    return "|".join(regex.escape(u) for u in units)


@cache
def _number_space_patterns() -> tuple[regex.Pattern[str], ...]:
    units = _units()
    thousands = regex.compile(
        rf"""
        (?<=(?<![0-9.,])[0-9]{{1,3}})       # after a leading group of one to three digits
        {_SP}                               # the single space to delete
        (?=[0-9]{{3}}                       # exactly three digits follow
           (?:{_SP}[0-9]{{3}})*             # maybe more groups
           (?:\.[0-9]+)?                    # maybe decimals
           {_SP}*(?:{units}))               # and then a unit
        """,
        regex.VERBOSE,
    )
    point = regex.compile(
        rf"(?<=[0-9]){_SP}+\.{_SP}*(?=[0-9])"
    )  # 12 . 5 (not the list item 1. 2022)
    before_unit = regex.compile(rf"(?<=[0-9]){_SP}+(?=(?:{units}))")  # 36.8 亿元, 12 %
    dash = regex.compile(rf"(?<=[0-9]){_SP}*([—–~～至]){_SP}*(?=[0-9])")  # 1 — 11
    return thousands, point, before_unit, dash


def remove_spaces_in_numbers(t: AlignedText) -> AlignedText:
    """Delete stray spaces inside numbers and between a number and its unit.

    `36.8 亿元` → `36.8亿元`, `1—11 月份` → `1—11月份`, `1 204.5亿元` → `1204.5亿元`,
    `12 . 5 %` → `12.5%`; U+3000 and NBSP count as spaces. Two numbers are never
    joined unless the second is a three-digit group followed by a unit.
    """
    if not any(p.search(t.text) for p in _SPACE_BY_DIGIT):
        return t  # every rewrite deletes a space next to a digit
    thousands, point, before_unit, dash = _number_space_patterns()
    # Each rewrite runs only where its own marks are (see `_SPACE_CUES`).
    if _SPACE_CUES["thousands"].search(t.text):
        t = t.sub(thousands, "")
    if _SPACE_CUES["point"].search(t.text):
        t = t.sub(point, ".")
    if _SPACE_CUES["dash"].search(t.text):
        t = t.sub(dash, lambda m: m.group(1))
    if _SPACE_CUES["before_unit"].search(t.text):
        t = t.sub(before_unit, "")
    return t


# ---------------------------------------------------------------------------
# Broken lines
# ---------------------------------------------------------------------------

# Marks that end a paragraph (a heading or label ends with none of the clause marks).
_FINAL_MARKS = frozenset("。！？!?；;：:…”’』」）)》】~～")
_FINAL = regex.compile("[" + regex.escape("".join(sorted(_FINAL_MARKS))) + "]$")
_BYLINE_END = regex.compile(r"[。！？”][(（][^()（）]{1,20}[)）]$")  # …好。(閆肅)
_CLAUSE = regex.compile(r"[，,。；;！？]")
_HEADING_START = regex.compile(
    r"""
    ^(?:[一二三四五六七八九十百]+[、.．]                 # 一、
      | [(（][一二三四五六七八九十\d]+[)）]               # （一） (1)
      | \d{1,2}[、.．](?![0-9])                          # 1、 2.
      | 第[一二三四五六七八九十\d]+[章节部分条]           # 第一章
      | [^\s，。,：:]{1,12}[：:]                          # 王莉： 主持人: speaker labels
      | ——|■|▲|△|●|◆|★|【                              # subtitles, bylines, banners
    )
    """,
    regex.VERBOSE,
)
_NEVER_OPEN = regex.compile(r"^(?:——|■|▲|△|●|◆|★|【)")  # subtitles, bylines, banners
_PICTURE = regex.compile(r"^(?:[■▲△●◆□]|图为|圖為|图片|圖片|摄影|攝影|图/|圖/)")  # surely a caption
_CAPTION = regex.compile(
    r"""
    ^[■▲△●◆□].*                                   # ■ 摄影 记者 陈文晓
    | ^(?:图为|圖為|图片|圖片|摄影|攝影|图/|圖/).*    # 图为… 摄影…
    | ^[^，,。]{1,29}[。]$                          # a short one-sentence line
    """,
    regex.VERBOSE,
)
MAX_CAPTIONS = 3  # captions allowed between the halves of a broken paragraph


_BLANKS = " \t\u3000\u00a0\r"  # stripped from both ends of a paragraph


def _open_end(par: str) -> bool:
    """A paragraph that stops mid-sentence (no final mark, not a heading)."""
    # Both patterns end at `$`: searching only the last characters finds the same
    # matches (`_BYLINE_END` is at most 23 long) without scanning the paragraph.
    if _FINAL.search(par, max(len(par) - 1, 0)) or _BYLINE_END.search(par, max(len(par) - 23, 0)):
        return False
    if _NEVER_OPEN.match(par) or (_HEADING_START.match(par) and not _CLAUSE.search(par[:-1])):
        return False
    return bool(_CLAUSE.search(par))  # titles and metadata lines have no clause marks


def _group_text(text: str, group: list[tuple[int, int, int]]) -> str:
    if len(group) == 1:  # the usual case: one paragraph, one slice
        return text[group[0][0] : group[0][1]]
    return "".join(text[a:b] for a, b, _ in group)


def join_broken_lines(t: AlignedText) -> AlignedText:
    """Join paragraphs broken mid-sentence by a layout and drop blank lines.

    A paragraph that ends without a final mark and is not a heading or label
    continues in the next paragraph that does not start like a heading; short
    captions (`■` bylines, one short sentence) found between the halves are
    moved after the joined paragraph. Paragraphs are separated by one `\\n`.
    """
    text = t.text
    pars: list[tuple[int, int, int]] = []  # (start, end, newline index or -1)
    for a, b, c in _lines(text):
        while a < b and text[a] in _BLANKS:
            a += 1
        while b > a and text[b - 1] in _BLANKS:
            b -= 1
        if a < b:
            pars.append((a, b, c - 1 if c > 0 and text[c - 1] == "\n" else -1))
    out: list[tuple[int, int]] = []  # spans of `text` kept, in order; (-1, at): a new line break
    i = 0
    while i < len(pars):
        group = [pars[i]]
        moved: list[tuple[int, int, int]] = []
        j = i + 1
        # A final mark ends most paragraphs: one look at the last character settles them.
        while text[group[-1][1] - 1] not in _FINAL_MARKS and _open_end(_group_text(text, group)):
            captions = []
            k = j
            while (
                k < len(pars)
                and len(captions) < MAX_CAPTIONS
                and _CAPTION.match(text[pars[k][0] : pars[k][1]])
            ):
                captions.append(pars[k])
                k += 1
            if k >= len(pars) or _HEADING_START.match(text[pars[k][0] : pars[k][1]]):
                first = text[captions[0][0] : captions[0][1]] if captions else ""
                if not first or _PICTURE.match(first) or _HEADING_START.match(first):
                    break
                k, captions = j, []  # the short "caption" is the rest of the sentence itself
            moved += captions
            group.append(pars[k])
            j = k + 1
        if len(group) == 1 and not moved and group[0][2] >= 0:  # the usual paragraph
            a, b, nl = group[0]
            out += ((a, b), (nl, nl + 1))
            i = j
            continue
        for n, (a, b, nl) in enumerate(group + moved):
            last_of_par = n == len(group) - 1 or n >= len(group)
            out.append((a, b))
            if not last_of_par:
                continue
            if nl >= 0:
                out.append((nl, nl + 1))
            else:
                out.append((-1, t.ends[b - 1]))
        i = j
    if out and text and not text.endswith("\n"):
        out.pop()  # no newline was there at the very end
    # Spans that continue one another (a paragraph and its line break, the next
    # paragraph) are copied as one.
    merged: list[tuple[int, int]] = []
    for a, b in out:
        if a >= 0 and merged and merged[-1][1] == a and merged[-1][0] >= 0:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    joined = "".join(text[a:b] if a >= 0 else "\n" for a, b in merged)
    if joined == text:
        return t
    starts: list[int] = []
    ends: list[int] = []
    for a, b in merged:
        if a >= 0:
            starts += t.starts[a:b]
            ends += t.ends[a:b]
        else:
            starts.append(b)
            ends.append(b)
    return AlignedText(joined, tuple(starts), tuple(ends))
