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
# Line breaks and every mark that acts: the loop visits only these positions.
_MARKS = re.compile("[\n" + re.escape("".join(sorted(TERMINATORS | set(OPENERS) | CLOSERS))) + "]")
_QUOTE_CLOSERS = frozenset("”’」』")  # a terminator right before one of these ends the sentence


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Sentences of `text` with character offsets and 0-based paragraph ids.

    Paragraphs are lines; blank lines do not count as paragraphs. Leading and
    trailing white space is left outside each sentence.
    """
    out: list[Sentence] = []
    # One pass over the line breaks and marks; the characters between them only
    # count towards an unclosed bracket's limit (`i - opened`).
    paragraph = 0  # the id of the current line, should it hold a sentence
    has_sentence = False  # the current line holds one (a blank line holds none)
    start = 0  # where the current sentence starts
    stack: list[str] = []
    opened = 0  # where the innermost bracket still open was opened
    skip = 0  # marks before this were taken with a run of terminators
    n = len(text)
    for i in [m.start() for m in _MARKS.finditer(text)] + [n]:
        if i < skip:
            continue
        if i == n or text[i] == "\n":  # a line ends: so does its last sentence
            a, b = start, i
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                out.append(Sentence(a, b, paragraph))
                has_sentence = True
            if has_sentence:
                paragraph += 1
                has_sentence = False
            start = i + 1
            stack = []
            continue
        if stack and i - opened > MAX_DEPTH_RUN:
            stack = []
        ch = text[i]
        end = 0  # set when a sentence ends after `text[i]`
        if ch in OPENERS and not (ch == "(" and _is_ascii_bracket_number(text, i)):
            stack.append(OPENERS[ch])
            opened = i
        elif stack and ch == stack[-1]:
            stack.pop()
            if not stack and i > start and text[i - 1] in TERMINATORS and ch in _QUOTE_CLOSERS:
                end = i + 1
        elif ch in CLOSERS and ch in stack:
            while stack and stack.pop() != ch:  # mismatched nesting: close up to ch
                pass
        elif ch in TERMINATORS and not stack:
            end = i + 1
            while end < n and text[end] in TERMINATORS:
                end += 1
            skip = end
        if end:
            a, b = start, end
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                out.append(Sentence(a, b, paragraph))
                has_sentence = True
            start = end
    return tuple(out)


def _is_ascii_bracket_number(text: str, i: int) -> bool:
    """`(1)`-style list numbering is not a bracket worth tracking."""
    return i + 2 < len(text) and text[i + 1].isdigit() and text[i + 2] == ")"

