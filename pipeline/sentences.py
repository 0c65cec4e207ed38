"""Sentence splitting of normalized text, respecting quotes and brackets; paragraph ids.

A sentence ends at 。！？!? (and ；; where a list of clauses is long enough to
matter is left to the extractors' clause logic) or at a line break. A terminator
inside quotes or brackets does not end the sentence, except that a quoted
sentence that closes its quote right after its terminator (`…。”`) ends there.

>>> text = '他说：“今年签约10个。”随后离开。\\n第二段'
>>> [text[s.char_start:s.char_end] for s in split_sentences(text)]
['他说：“今年签约10个。”', '随后离开。', '第二段']
"""

from __future__ import annotations

import re

from govfacts.pipeline.records import Sentence

__all__ = ["split_sentences"]

TERMINATORS = frozenset("。！？!?")
OPENERS = {"“": "”", "‘": "’", "（": "）", "(": ")", "《": "》", "【": "】", "〔": "〕", "「": "」", "『": "』"}
CLOSERS = frozenset(OPENERS.values())
MAX_DEPTH_RUN = 400  # an unclosed quote must not swallow the rest of a paragraph
_MARKS = re.compile("[" + re.escape("".join(sorted(TERMINATORS | set(OPENERS) | CLOSERS))) + "]")


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Sentences of `text` with character offsets and 0-based paragraph ids.

    Paragraphs are lines; blank lines do not count as paragraphs. Leading and
    trailing white space is left outside each sentence.
    """
    out: list[Sentence] = []
    paragraph = -1
    pos = 0
    # Every mark's position, found in one pass; `k` walks them as `i` moves on.
    marks = [m.start() for m in _MARKS.finditer(text)]
    marks.append(len(text) + 1)  # a sentinel past every line
    k = 0
    for line in text.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        if not line.strip():
            continue
        paragraph += 1
        start = line_start
        stack: list[str] = []
        since_open = 0
        i = line_start
        while True:
            # Only brackets, quotes and terminators act; the characters between them
            # only count towards an unclosed bracket's limit.
            while marks[k] < i:
                k += 1
            at = marks[k] if marks[k] < line_end else line_end
            if stack:
                since_open += at - i
                if since_open > MAX_DEPTH_RUN:
                    stack.clear()
            if at == line_end:
                break
            i = at
            ch = text[i]
            if ch in OPENERS and not (ch == "(" and _is_ascii_bracket_number(text, i)):
                stack.append(OPENERS[ch])
                since_open = 0
            elif stack and ch == stack[-1]:
                stack.pop()
                if not stack and i > start and text[i - 1] in TERMINATORS and ch in "”’」』":
                    _add(out, text, start, i + 1, paragraph)
                    start = i + 1
            elif ch in CLOSERS and ch in stack:
                while stack and stack.pop() != ch:  # mismatched nesting: close up to ch
                    pass
            elif ch in TERMINATORS and not stack:
                j = i + 1
                while j < line_end and text[j] in TERMINATORS:
                    j += 1
                _add(out, text, start, j, paragraph)
                start = j
                i = j
                continue
            if stack:
                since_open += 1
                if since_open > MAX_DEPTH_RUN:
                    stack.clear()
            i += 1
        _add(out, text, start, line_end, paragraph)
    return tuple(out)


def _is_ascii_bracket_number(text: str, i: int) -> bool:
    """`(1)`-style list numbering is not a bracket worth tracking."""
    return i + 2 < len(text) and text[i + 1].isdigit() and text[i + 2] == ")"


def _add(out: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, paragraph))
