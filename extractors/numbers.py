"""Parse and find number surfaces (Arabic, Chinese, mixed, fractions) as exact `Decimal`s.

Every extractor reads its numbers through this module, so one grammar decides
what a number is. The Chinese data (digits, multipliers, unit words, the stop
list) lives in `lexicons/numerals.tsv` and is loaded once, on first use.

Values:
    * Arabic surfaces keep their written precision: ``parse_number("52.90")`` is
      ``Decimal("52.90")``; thousands commas must come in groups of three.
    * A multiplier makes an exact power-of-ten scaling, then the value is reduced:
      ``3.6万`` → ``Decimal("36000")``, ``0.29亿`` → ``Decimal("29000000")``.
      No float is used anywhere.
    * ``X分之Y`` is Y/X rounded to 28 significant digits (``parse_fraction`` gives
      the exact pair); ``百分之Y`` is the percent Y itself (``百分之五十`` → 50),
      the caller knows it is a percent. ``成`` is left to ``parse_cheng``.
    * A Chinese digit string without multipliers (``二〇二二``) is read digit by
      digit when it has a 〇/零 or at least four digits; two or three bare digits
      (``七八``, ``三四十``, ``一二三``) are ranges or list words and are no number.

Finding numbers in text (``find_numbers``) applies ``NUMBER_PATTERN`` (longest
match) and then one rule set, in this order:
    1. The surface must parse. A mixed run that does not (``10亿50亿``, a missing
       separator) is cut after its longest valid prefix ending in 万/亿.
    2. A number right after 第 is an ordinal and is dropped (第一, 第8场).
    3. A Chinese-numeral number lying wholly inside a stop word of the lexicon
       (一批, 统一, 万一, 千方百计, 十四五, 六安 …) is part of a word or name.
    4. A Chinese number next to a vague word (数百, 几十, 十几) has no value.
    5. A lone 一 between two equal characters (扫一扫, 谈一谈) is a verb reduplication.
Numbers inside period words (三季度, 1-6月) are kept: they are the date
extractor's business. Qualifiers (余, 多, 以上) are the caller's.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from typing import NamedTuple

import regex
from govfacts.lexicons import LexiconError, load_table

__all__ = [
    "inside_stop_word",
    "number_chars",
    "NUMBER_PATTERN",
    "NumberSpan",
    "find_numbers",
    "parse_number",
    "multiplier_value",
    "parse_fraction",
    "parse_cheng",
    "to_chinese",
]

LEXICON = "numerals.tsv"
_COLUMNS = ("surface", "kind", "value", "note")
_KINDS = frozenset(
    {
        *("digit", "bound_digit", "formal_digit", "unit", "formal_unit", "group"),  # numerals
        *("point", "fraction", "percent", "cheng"),  # number words
        *("unit_word", "ordinal_before", "vague", "stop"),  # context for find_numbers
    }
)
_FRACTION_CONTEXT = decimal.Context(prec=28)  # precision of X分之Y as a Decimal

NUMBER_PATTERN: str  # built from the lexicon on first access (see `__getattr__`)


@dataclass(frozen=True, slots=True)
class NumberSpan:
    """A number found in text: `text == source[char_start:char_end]`.

    `chinese` is True when the number is written in Chinese numerals only
    (五十, 三分之一); Arabic and mixed forms (52.9, 3.6万) are False.
    """

    text: str
    value: Decimal
    char_start: int
    char_end: int
    chinese: bool


class _Grammar(NamedTuple):
    """Everything built from the lexicon, once."""

    digits: dict[str, int]  # 一 → 1, 〇 → 0, 两 → 2, 壹 → 1 (all kinds of digit)
    bound: frozenset[str]  # digits used only before a multiplier or alone: 两
    names: dict[int, str]  # the standard character of each digit and multiplier value
    units: dict[str, int]  # 十 → 10, 拾 → 10
    groups: dict[str, int]  # 万 → 10^4, 亿 → 10^8
    suffixes: dict[str, int]  # multiplier suffix after a number → power of ten
    point: str  # 点
    fraction: str  # 分之
    percent: str  # 百分之
    cheng: str  # 成
    source: str  # NUMBER_PATTERN
    pattern: regex.Pattern[str]
    whole_arabic: regex.Pattern[str]  # Arabic number, optional multiplier suffix
    stops: frozenset[str]  # words and names that contain a numeral character
    ordinal_before: frozenset[str]
    vague: frozenset[str]


def _alternation(words: list[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(regex.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


@cache
def _grammar() -> _Grammar:
    """Load `numerals.tsv` and build the maps and the patterns (once)."""
    rows = load_table(LEXICON, _COLUMNS, key="surface")
    by_kind: dict[str, dict[str, str]] = {k: {} for k in _KINDS}
    for row in rows:
        if row["kind"] not in _KINDS:
            raise LexiconError(f"{LEXICON}: unknown kind {row['kind']!r} for {row['surface']!r}")
        by_kind[row["kind"]][row["surface"]] = row["value"]

    def single(kind: str) -> str:
        (surface,) = by_kind[kind]
        return surface

    digits = {s: int(v) for s, v in by_kind["digit"].items()}
    bound = {s: int(v) for s, v in by_kind["bound_digit"].items()}
    formal = {s: int(v) for s, v in by_kind["formal_digit"].items()}
    units = {s: int(v) for s, v in by_kind["unit"].items()}
    formal_units = {s: int(v) for s, v in by_kind["formal_unit"].items()}
    groups = {s: int(v) for s, v in by_kind["group"].items()}
    point, fraction, percent = single("point"), single("fraction"), single("percent")
    if int(by_kind["percent"][percent]) != 100:
        raise LexiconError(f"{LEXICON}: percent row {percent!r} must have value 100")

    # Multiplier suffixes after a number: [十百千]? + a group chain (万, 亿, 万亿),
    # or a bare 百/千 (3千, 5百). Values are powers of ten.
    group_chains = dict(groups)
    for low, lv in groups.items():
        for high, hv in groups.items():
            if hv > lv:
                group_chains[low + high] = lv * hv  # 万亿
    suffixes = dict(group_chains)
    for u, uv in units.items():
        suffixes.update({u + g: uv * gv for g, gv in group_chains.items()})
        if uv > 10:
            suffixes[u] = uv
    # A multiplier character that starts a unit word belongs to that unit
    # (40万千瓦 is 40万 + 千瓦, 3个百分点 has no 百).
    unit_words = list(by_kind["unit_word"])

    def mult(ch: str) -> str:
        tails = [w[1:] for w in unit_words if w[0] == ch]
        guard = f"(?!{_alternation(tails)})" if tails else ""
        return regex.escape(ch) + guard

    small = "".join(units)
    cn_digit = "".join(digits)
    any_digit = cn_digit + "".join(bound)
    plain_digit = cn_digit  # after 点 (两 is never a decimal digit)
    suffix_alt = (
        f"(?:[{small}]?(?:{_alternation(list(group_chains))})"
        f"|(?:{'|'.join(mult(u) for u in units if units[u] > 10)}))"
    )
    cn_char = "|".join([f"[{any_digit}]", *(mult(c) for c in [*units, *groups])])
    first = "".join(sorted({*any_digit, *small, *groups}))
    source = f"""
    (?=[-−0-9{first}])                          # cheap guard: a number starts here
    (?:
        # --- Chinese fraction or percent: 三分之一, 百分之五十, 百分之三十五点五
        (?:{regex.escape(percent)}|[{any_digit}{small}]+{regex.escape(fraction)})
        (?:{cn_char})+                          # numerator
        (?:{regex.escape(point)}[{plain_digit}]+)?     # its decimal part
      |
        # --- Arabic, maybe with multipliers: 52.9, 1,207.87, -3.17, 3.6万, 1亿2000万
        (?:(?<![0-9A-Za-z万亿千百十])[-−])?              # minus sign, not a range dash (1-8月)
        (?:\\d{{1,3}}(?:,\\d{{3}}(?!\\d))+|\\d+)   # integer part, commas in threes
        (?:\\.\\d+)?                             # decimal part
        (?:{suffix_alt}                         # multiplier suffix: 万, 千万, 万亿
           (?:\\d+{suffix_alt})*                # chained parts: 1亿2000万
        )?
      |
        # --- Chinese numeral: 五十, 一万零五百, 二〇二二, 三点六万
        (?:{cn_char})+                          # digits and multipliers
        (?:{regex.escape(point)}[{plain_digit}]+     # decimal part
           {suffix_alt}?                        # and a multiplier: 三点六万
        )?
    )
    """
    whole_arabic = regex.compile(
        rf"""
        ([-−]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)   # the Arabic number
        ({_alternation(list(suffixes))})?                # an optional multiplier suffix
        """,
        regex.VERBOSE,
    )
    stops = list(by_kind["stop"])
    return _Grammar(
        digits={**digits, **bound, **formal},
        bound=frozenset(bound),
        names={v: k for k, v in reversed([*digits.items(), *units.items(), *groups.items()])},
        units={**units, **formal_units},
        groups=groups,
        suffixes=suffixes,
        point=point,
        fraction=fraction,
        percent=percent,
        cheng=single("cheng"),
        source=source,
        pattern=regex.compile(source, regex.VERBOSE),
        whole_arabic=whole_arabic,
        stops=frozenset(stops),
        ordinal_before=frozenset(by_kind["ordinal_before"]),
        vague=frozenset(by_kind["vague"]),
    )


@cache
def number_chars() -> str:
    """The body of a regex character class holding every character a number surface can
    hold (a superset): decimal digits, signs and separators, numerals, 点, 分之, 百分之.

    >>> import re; bool(re.fullmatch(f"[{number_chars()}]+", "-1,207.5万")), "元" in number_chars()
    (True, False)
    """
    g = _grammar()
    chars = {*"-−,.", *g.digits, *g.units, *g.groups, *g.point, *g.fraction, *g.percent}
    return r"\d" + re.escape("".join(sorted(chars)))


def __getattr__(name: str) -> str:
    """`NUMBER_PATTERN` is computed from the lexicon on first access, so import does no I/O."""
    if name == "NUMBER_PATTERN":
        return _grammar().source
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
# Parsing a whole surface.


def _reduced(value: Decimal) -> Decimal:
    """An integral value without exponent or trailing zeros (36000, not 3.60E+4)."""
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value.normalize(decimal.Context(prec=max(28, len(value.as_tuple().digits))))


def _parse_arabic(s: str, g: _Grammar) -> Decimal | None:
    """Arabic number with an optional multiplier suffix, or None."""
    m = g.whole_arabic.fullmatch(s)
    if m is None:
        return None
    number, suffix = m.groups()
    value = Decimal(number.replace(",", "").replace("−", "-"))
    return value if suffix is None else _scaled(value, suffix, g)


def _tokens(s: str, g: _Grammar) -> list[tuple[str, int]] | None:
    """Split a numeral into (kind, value) tokens.

    Kinds: `d` digit, `t` 两 (must precede a multiplier), `z` zero, `n` Arabic
    integer, `u` unit (十百千), `g` group (万亿). None if a character is foreign.
    """
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(s):
        ch = s[i]
        if "0" <= ch <= "9":
            j = i + 1
            while j < len(s) and "0" <= s[j] <= "9":
                j += 1
            out.append(("n", int(s[i:j])))
            i = j
            continue
        if ch in g.digits:
            v = g.digits[ch]
            out.append(("z" if v == 0 else "t" if ch in g.bound else "d", v))
        elif ch in g.units:
            out.append(("u", g.units[ch]))
        elif ch in g.groups:
            out.append(("g", g.groups[ch]))
        else:
            return None
        i += 1
    return out


def _digit_string(toks: list[tuple[str, int]]) -> int | None:
    """A numeral without multipliers: one digit, or a 〇-or-≥4-digit string (二〇二二)."""
    if len(toks) == 1:
        return toks[0][1]
    kinds = [k for k, _ in toks]
    if "t" in kinds or "n" in kinds or (len(toks) < 4 and "z" not in kinds):
        return None  # 七八, 三四十, 一二三: a range or a list word
    return int("".join(str(v) for _, v in toks))


def _parse_integer(s: str, g: _Grammar) -> int | None:
    """A whole integer numeral (Chinese, or Arabic parts with multipliers), or None."""
    toks = _tokens(s, g)
    if not toks:
        return None
    if all(k in "dtzn" for k, _ in toks):
        return _digit_string(toks)
    total = 0  # the closed 亿 block
    wan = 0  # the closed 万 part of the current 亿 block
    sec = 0  # the current four-digit section
    pending: int | None = None  # a digit waiting for its multiplier
    last_unit = 10**4  # units inside a section must fall (千 > 百 > 十)
    seen_wan = seen_yi = False
    elide = 0  # multiplier right before `pending` (一万五: 5 means 5千)
    prev = ""  # kind of the previous token
    for idx, (kind, v) in enumerate(toks):
        nxt = toks[idx + 1][0] if idx + 1 < len(toks) else ""
        if kind in "dtn":
            if pending is not None:
                return None  # two digits in a row: 三四十
            if kind == "t" and nxt not in ("u", "g"):
                return None  # 十两: 两 is a final digit only on its own
            if kind == "n" and prev in ("u", "g") and nxt not in ("u", "g"):
                return None  # 3万5: an Arabic part needs its own multiplier
            pending = v
            elide = (last_unit if prev == "u" else toks[idx - 1][1]) if prev in ("u", "g") else 0
        elif kind == "z":
            if prev in ("z", "") or pending is not None or nxt == "":
                return None  # 零零, a leading or final 零
        elif kind == "u":
            if v >= last_unit:
                return None  # 三百千, 十十
            if pending is None:
                # a bare multiplier: 十二, 百亿, 千万; 十 also after 零 or a group
                if not (idx == 0 or (v == 10 and prev in ("z", "g"))):
                    return None
                pending = 1
            sec += pending * v
            pending, last_unit = None, v
        else:  # group: 万 or 亿
            part = sec + (pending or 0)
            if v == 10**4:
                if seen_wan or (part == 0 and idx != 0):
                    return None  # 万万, 亿万
                wan, seen_wan = (part or 1) * v, True
            else:
                if seen_yi or (part == 0 and idx != 0 and prev != "g"):
                    return None  # 亿 twice (10亿50亿), 零亿
                total, wan, seen_yi, seen_wan = ((wan + part) or 1) * v, 0, True, False
            sec, pending, last_unit = 0, None, 10**4
        prev = kind
    if pending is not None:
        if elide >= 100 and prev == "d":
            pending *= elide // 10  # 一万五 = 15000, 三千五 = 3500
        sec += pending
    return total + wan + sec


def _scaled(value: Decimal, suffix: str, g: _Grammar) -> Decimal:
    """`value` times the power of ten of a multiplier suffix, exactly."""
    exponent = len(str(g.suffixes[suffix])) - 1
    return _reduced(value.scaleb(exponent, decimal.Context(prec=100)))


def _parse_chinese_decimal(s: str, g: _Grammar) -> Decimal | None:
    """三点六, 零点五, 三点六万: integer part 点 digits, then an optional multiplier."""
    head, _, tail = s.partition(g.point)
    whole = _parse_integer(head, g) if head and not any(c.isascii() for c in head) else None
    if whole is None:
        return None
    k = 0
    while k < len(tail) and tail[k] in g.digits and tail[k] not in g.bound:
        k += 1
    suffix = tail[k:]
    if k == 0 or (suffix and suffix not in g.suffixes):
        return None
    value = Decimal(f"{whole}." + "".join(str(g.digits[c]) for c in tail[:k]))
    return _scaled(value, suffix, g) if suffix else value


def _parse_chinese(s: str, g: _Grammar) -> Decimal | None:
    """A Chinese (or mixed-chain) numeral without fraction words."""
    if g.point in s:
        return _parse_chinese_decimal(s, g)
    n = _parse_integer(s, g)
    return None if n is None else Decimal(n)


def parse_fraction(s: str) -> tuple[int, int] | None:
    """The (numerator, denominator) of a Chinese fraction, as written (not reduced).

    >>> parse_fraction("三分之一"), parse_fraction("百分之五十"), parse_fraction("五十")
    ((1, 3), (50, 100), None)
    """
    g = _grammar()
    if any(c.isascii() for c in s):
        return None
    if s.startswith(g.percent):
        den: int | None = 100
        num_s = s[len(g.percent) :]
    else:
        den_s, sep, num_s = s.partition(g.fraction)
        if not sep:
            return None
        den = _parse_integer(den_s, g)
    num = _parse_integer(num_s, g)
    if den is None or num is None or den == 0:
        return None
    return num, den


@lru_cache(maxsize=1 << 12)  # small: filled in the first thousand documents, then flat
def _parse(s: str) -> Decimal | None:
    """`parse_number`, cached: the same surfaces recur all through a corpus."""
    g = _grammar()
    if not s:
        return None
    if s[0] in "0123456789-−":
        value = _parse_arabic(s, g)
        if value is not None or s[0] in "-−":
            return value
        n = _parse_integer(s, g) if not s.isascii() else None  # chains: 1亿2000万
        return None if n is None else Decimal(n)
    if s.startswith(g.percent):
        num = s[len(g.percent) :]
        return _parse_chinese(num, g) if num and not any(c.isascii() for c in num) else None
    if g.fraction in s:
        pair = parse_fraction(s)
        if pair is None:
            return None
        return _FRACTION_CONTEXT.divide(Decimal(pair[0]), Decimal(pair[1]))
    if any(c.isascii() for c in s):
        return None
    return _parse_chinese(s, g)


def parse_number(s: str) -> Decimal | None:
    """The value of a whole number surface, or None if `s` is not exactly one number.

    Args:
        s: the surface, e.g. ``"52.9"``, ``"1,207.87"``, ``"三千五百万"``, ``"3.6万"``,
            ``"二〇二二"``, ``"三分之一"``, ``"百分之五十"``. No whitespace, no unit.

    Returns:
        The exact value (see the module docstring for fractions and percents).

    >>> parse_number("3.6万"), parse_number("一万零五百"), parse_number("一批")
    (Decimal('36000'), Decimal('10500'), None)
    """
    return _parse(s)


def parse_cheng(s: str) -> Decimal | None:
    """The percent meant by an X成 surface: 三成 → 30, 三成五 → 35, 十成 → 100.

    >>> parse_cheng("七成"), parse_cheng("三成五"), parse_cheng("成")
    (Decimal('70'), Decimal('35'), None)
    """
    g = _grammar()
    head, sep, tail = s.partition(g.cheng)
    if not sep or not head:
        return None
    tenths = parse_number(head)
    if tenths is None or not 0 <= tenths <= 10 or g.fraction in head or head.startswith(g.percent):
        return None
    extra = Decimal(0)
    if tail:
        if len(tail) != 1 or tail not in g.digits or tail in g.bound:
            return None
        extra = Decimal(g.digits[tail])
    return _reduced(tenths * 10 + extra)


# ---------------------------------------------------------------------------
# Writing a number in Chinese (the inverse, for round-trip tests and display).


def _section(n: int, names: dict[int, str], *, leading: bool) -> str:
    """1..9999 in Chinese; 零 for inner gaps; 一十 → 十 only at the very start."""
    out: list[str] = []
    gap = False
    for unit in (1000, 100, 10, 1):
        d, n = divmod(n, unit)
        if d:
            if gap and out:
                out.append(names[0])
            gap = False
            out.append(names[d] + (names[unit] if unit > 1 else ""))
        else:
            gap = True
    text = "".join(out)
    return text[1:] if leading and text.startswith(names[1] + names[10]) else text


def to_chinese(n: int) -> str:
    """The standard Chinese reading of a non-negative integer (二, not 两).

    >>> [to_chinese(x) for x in (0, 10, 12, 105, 1010, 20000, 10**8, 10**12)]
    ['零', '十', '十二', '一百零五', '一千零一十', '二万', '一亿', '一万亿']
    """
    if n < 0:
        raise ValueError(f"to_chinese needs a non-negative integer, got {n}")
    names = _grammar().names
    return names[0] if n == 0 else _to_chinese(n, names, leading=True)


def _to_chinese(n: int, names: dict[int, str], *, leading: bool) -> str:
    """`n` > 0 as 亿 blocks over 万 sections, with 零 where a lower place is skipped."""
    for group, inner_top in ((10**8, 10**7), (10**4, 1000)):
        if n >= group:
            high, low = divmod(n, group)
            if group == 10**8:
                text = _to_chinese(high, names, leading=leading)
            else:
                text = _section(high, names, leading=leading)
            text += names[group]
            if low:
                text += (names[0] if low < inner_top else "") + _to_chinese(
                    low, names, leading=False
                )
            return text
    return _section(n, names, leading=leading)


# ---------------------------------------------------------------------------
# Finding numbers in running text.


def _split(text: str, a: int, b: int) -> list[tuple[int, int, Decimal]]:
    """The numbers in a match that does not parse as a whole (10亿50亿 → 10亿, 50亿).

    The match is cut after its longest prefix that ends in 万/亿 and parses; the
    rest is searched again. A match with no such prefix (三四十, 七八) yields nothing.
    """
    g = _grammar()
    surface = text[a:b]
    value = _parse(surface)
    if value is not None:
        return [(a, b, value)]
    for cut in range(len(surface) - 1, 0, -1):
        if surface[cut - 1] in g.groups and (head := _parse(surface[:cut])) is not None:
            pieces = [(a, a + cut, head)]
            for m in g.pattern.finditer(text, a + cut, b):
                pieces += _split(text, *m.span())
            return pieces
    return []


@lru_cache(maxsize=1 << 12)
def _stop_contexts(surface: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """Where `surface` sits inside stop words: (offset, word length, words) groups."""
    groups: dict[tuple[int, int], set[str]] = {}
    for word in _grammar().stops:
        at = word.find(surface)
        while at != -1:
            groups.setdefault((at, len(word)), set()).add(word)
            at = word.find(surface, at + 1)
    return tuple((o, n, frozenset(ws)) for (o, n), ws in sorted(groups.items()))


def _inside_stop_word(text: str, a: int, b: int) -> bool:
    """True when `text[a:b]` lies wholly inside an occurrence of a stop word."""
    return any(
        a >= o and text[a - o : a - o + n] in words for o, n, words in _stop_contexts(text[a:b])
    )


@lru_cache(maxsize=64)  # the multiplier words of the quantity patterns: a few
def multiplier_value(mult: str) -> Decimal | None:
    """The value of a multiplier word, `parse_number("1" + mult)` (`亿` → 100000000)."""
    return parse_number("1" + mult)


def inside_stop_word(text: str, char_start: int, char_end: int) -> bool:
    """Whether a Chinese number at `text[char_start:char_end]` is part of a word (一批, 两个确立)."""
    return _inside_stop_word(text, char_start, char_end)


def find_numbers(text: str) -> list[NumberSpan]:
    """Every number in running text, left to right, filtered by the module's rules.

    Args:
        text: normalized text (ASCII digits; full-width already converted).

    Returns:
        The numbers found, `[]` when there are none.

    >>> [(n.text, n.value) for n in find_numbers("一批项目中有三分之一超过3.6万元")]
    [('三分之一', Decimal('0.3333333333333333333333333333')), ('3.6万', Decimal('36000'))]
    """
    g = _grammar()
    found: list[NumberSpan] = []
    for m in g.pattern.finditer(text):
        value = _parse(m.group())
        pieces = [(m.start(), m.end(), value)] if value is not None else _split(text, *m.span())
        for a, b, value in pieces:
            if a and text[a - 1] in g.ordinal_before:
                continue  # 第一, 第8场: an ordinal
            surface = text[a:b]
            chinese = surface[0] not in "0123456789-−"
            if chinese:
                if _inside_stop_word(text, a, b):
                    continue
                if (a and text[a - 1] in g.vague and surface[0] not in g.digits) or (
                    b < len(text) and text[b] in g.vague
                ):
                    continue  # 数百, 几十, 十几: vague
            if surface == g.names[1] and a > 0 and b < len(text) and text[a - 1] == text[b]:
                continue  # 看一看, 扫一扫: verb reduplication
            found.append(NumberSpan(surface, value, a, b, chinese))
    return found
