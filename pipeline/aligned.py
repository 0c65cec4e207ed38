"""Text that remembers, for every character, where it came from in the original.

Every normalization repair is a rewrite of an `AlignedText` into another one, so
evidence found in the normalized text can always be shown in the source file.

>>> t = AlignedText.of("經(jīng)濟")
>>> u = t.sub(r"\\([a-zāáǎàēéěèīíǐìōóǒòūúǔùü]+\\)", "")
>>> u.text, u.orig_span(0, 2)
('經濟', (0, 8))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Union

import regex

__all__ = ["AlignedText", "Replacement"]

Replacement = Union[str, Callable[["regex.Match[str]"], str]]

# Offsets 0..N built once: the identity map of a text up to N characters is two
# slices of it (copying references, ~1/12 of making the ints anew per document).
_IDENTITY = tuple(range(1 << 16))


@dataclass(frozen=True, slots=True)
class AlignedText:
    """A string plus, per character, its half-open span in the original text."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> AlignedText:
        """The identity alignment of an original text."""
        n = len(original)
        if n < len(_IDENTITY):
            return cls(original, _IDENTITY[:n], _IDENTITY[1 : n + 1])
        starts = tuple(range(n))
        # The ends share the starts' int objects instead of making n more.
        return cls(original, starts, starts[1:] + (n,) if n else ())

    def __len__(self) -> int:
        return len(self.text)

    def orig_span(self, char_start: int, char_end: int) -> tuple[int, int]:
        """The span of the original text that `text[char_start:char_end]` came from."""
        if not self.text:
            return (0, 0)
        if char_end <= char_start:
            at = self.starts[char_start] if char_start < len(self.text) else self.ends[-1]
            return (at, at)
        return (self.starts[char_start], self.ends[char_end - 1])

    def sub(self, pattern: str | regex.Pattern[str], repl: Replacement) -> AlignedText:
        """Replace every match of `pattern`, carrying the alignment along.

        A replacement of the same length maps character to character; any other
        replacement gives each new character the span of the whole match.
        """
        compiled = regex.compile(pattern) if isinstance(pattern, str) else pattern
        text = self.text
        literal = None if callable(repl) or "\\" in repl else repl  # a template without escapes
        edits: list[tuple[int, int, str]] = []
        for m in compiled.finditer(text):
            a, b = m.span()
            new = literal if literal is not None else repl(m) if callable(repl) else m.expand(repl)
            if new != text[a:b]:
                edits.append((a, b, new))
        if not edits:
            return self
        return self.edit(edits)

    def edit(self, edits: list[tuple[int, int, str]]) -> AlignedText:
        """Replace each `text[a:b]` by `new`, given sorted, non-overlapping `(a, b, new)`.

        Spans are carried as in `sub`: character to character where lengths agree,
        else the whole replaced span for each new character.
        """
        text, starts, ends = self.text, self.starts, self.ends
        pieces: list[str] = []
        if all(len(new) == b - a for a, b, new in edits):  # character to character: same spans
            last = 0
            for a, b, new in edits:
                pieces += (text[last:a], new)
                last = b
            pieces.append(text[last:])
            return AlignedText("".join(pieces), starts, ends)
        new_starts: list[int] = []
        new_ends: list[int] = []
        last = 0
        for a, b, new in edits:
            if a > last:
                pieces.append(text[last:a])
                new_starts += starts[last:a]
                new_ends += ends[last:a]
            if new:
                if len(new) == b - a:
                    new_starts += starts[a:b]
                    new_ends += ends[a:b]
                else:
                    if b > a:
                        s, e = starts[a], ends[b - 1]
                    else:  # an insertion takes the zero-width point before it
                        s = e = starts[a] if a < len(text) else (ends[-1] if ends else 0)
                    new_starts += [s] * len(new)
                    new_ends += [e] * len(new)
                pieces.append(new)
            last = b
        pieces.append(text[last:])
        new_starts += starts[last:]
        new_ends += ends[last:]
        return AlignedText("".join(pieces), tuple(new_starts), tuple(new_ends))

    def slice(self, char_start: int, char_end: int) -> AlignedText:
        """The part `text[char_start:char_end]`, keeping its spans."""
        return AlignedText(
            self.text[char_start:char_end],
            self.starts[char_start:char_end],
            self.ends[char_start:char_end],
        )

    @classmethod
    def concat(cls, parts: list[AlignedText]) -> AlignedText:
        """Join aligned parts in the given order (a reordering keeps every span)."""
        return cls(
            "".join(p.text for p in parts),
            tuple(chain.from_iterable(p.starts for p in parts)),
            tuple(chain.from_iterable(p.ends for p in parts)),
        )

    def translate(self, table: dict[int, str]) -> AlignedText:
        """Map single characters to single characters (length-preserving)."""
        out = self.text.translate(table)
        if out == self.text:
            return self
        if len(out) != len(self.text):
            raise ValueError("translate() needs a one-to-one character table")
        return AlignedText(out, self.starts, self.ends)

    def replace_text(self, new_text: str) -> AlignedText:
        """Swap in a converted text of the same length (e.g. OpenCC's), keeping the map."""
        if new_text == self.text:
            return self
        if len(new_text) != len(self.text):
            raise ValueError("replace_text() needs a text of the same length")
        return AlignedText(new_text, self.starts, self.ends)
