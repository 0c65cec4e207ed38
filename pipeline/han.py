"""Which characters are Han, exactly as the `regex` module's `\\p{Han}` says, in faster forms.

A `regex` match per character, or a `regex` pass whose pattern opens with a
lookbehind, costs more than the work around it in the repairs' hot loops. The
same set of characters as a byte table (one index per lookup) or as a character
class for the standard `re` engine (which scans literal-led patterns several
times faster) gives the same answers.

>>> is_han("經"), is_han("，"), is_han("𠀀")
(True, False, True)
"""

from __future__ import annotations

import re
from functools import cache

import regex

__all__ = ["HAN_SPAN", "han_code_points", "han_table", "han_class", "is_han"]

# Every `\p{Han}` character lies in [U+2E80, U+40000): CJK radicals up to the
# extensions of plane 3 (checked over all of Unicode for the installed `regex`).
HAN_SPAN = (0x2E80, 0x40000)
_HAN = regex.compile(r"\p{Han}")


@cache
def han_code_points() -> tuple[int, ...]:
    """The code points of `\\p{Han}`, sorted (one `regex` pass over the span)."""
    lo, hi = HAN_SPAN
    block = "".join(map(chr, range(lo, hi)))
    return tuple(lo + m.start() for m in _HAN.finditer(block))


@cache
def han_table() -> bytes:
    """Per BMP code point, 1 for a Han character."""
    table = bytearray(0x10000)
    for cp in han_code_points():
        if cp >= 0x10000:
            break
        table[cp] = 1
    return bytes(table)


@cache
def han_class() -> str:
    """The body of a `re` character class (`[...]`) matching exactly the Han characters."""
    out: list[str] = []
    cps = han_code_points()
    start = prev = cps[0]
    for cp in [*cps[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        out.append(re.escape(chr(start)) + ("" if start == prev else "-" + re.escape(chr(prev))))
        start = prev = cp
    return "".join(out)


def is_han(ch: str) -> bool:
    """`\\p{Han}` for one character, by table lookup in the BMP."""
    cp = ord(ch)
    if cp < 0x10000:
        return han_table()[cp] == 1
    return _HAN.match(ch) is not None
