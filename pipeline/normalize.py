"""Normalization stage: raw text in, Simplified repaired text with an offset map out.

The repairs run in the order of `REPAIRS`; each is a named `AlignedText ->
AlignedText` function from `repairs`/`mojibake`, so every character of the
normalized text keeps its span in the original file.

Traditional → Simplified uses the `opencc` package (the C++ library's binding):
measured on the two Traditional samples ×50 it converts at 47 MB/s against
0.8 MB/s for opencc-python-reimplemented, and it keeps 乾安縣 → 乾安县 where the
pure-Python port writes 干安县. Only documents detected as Traditional are
converted, so Simplified input passes through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import regex
from govfacts.pipeline import metadata as meta
from govfacts.pipeline.aligned import AlignedText
from govfacts.pipeline.mojibake import repair_mojibake
from govfacts.pipeline.records import Document, RawDocument, Script
from govfacts.pipeline.repairs import (
    join_broken_lines,
    remove_pinyin_glosses,
    remove_spaces_in_numbers,
    repair_punctuation,
    strip_boilerplate,
    to_halfwidth,
)
from govfacts.pipeline.script import t2s
from govfacts.pipeline.sentences import split_sentences

__all__ = ["normalize", "normalize_text", "detect_script", "to_simplified", "tidy_whitespace", "REPAIRS"]

Repair = Callable[[AlignedText], AlignedText]

# Share of CJK characters that OpenCC changes above which a text is Traditional.
# Simplified news changes ~0% (a stray 著/乾 at most); Traditional news 15–30%.
TRADITIONAL_SHARE = 0.03
# Runs of the unified ideograph blocks, for the standard `re` engine (~20x `regex`'s \p{Han} here).
_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]+")
_BLOCK = 256  # characters compared at once when counting what OpenCC changed
_CRLF = regex.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
# `re`: twice `regex` on a plain class.
_ODD_SPACE = re.compile(r"[\u00a0\u2000-\u200b\u202f\u205f\ufeff]")
_TRAILING = regex.compile(r"[ \t\u3000]+(?=\n)|[ \t\u3000]+\Z")
_LEADING = regex.compile(r"(?m)^[ \t\u3000]+")
_CRLF_CHARS = "\r\u2028\u2029\x0b\x0c\x85"  # what `_CRLF` needs one of
_ODD_SPACE_CHARS = "\u00a0" + "".join(map(chr, range(0x2000, 0x200C))) + "\u202f\u205f\ufeff"
_INDENT_CHARS = " \t\u3000"  # what `_TRAILING` and `_LEADING` delete


def detect_script(text: str) -> Script:
    """`traditional` when enough Han characters change under Traditional→Simplified."""
    sample = "".join(_CJK_RUN.findall(text[:20000]))
    if not sample:
        return "simplified"
    converted = t2s().convert(sample)
    # Count changed characters a block at a time: equal blocks (all of a Simplified
    # text, bar a stray 著) are skipped in C, and the count stops once it suffices.
    n, size = len(sample), min(len(sample), len(converted))
    changed = 0
    for i in range(0, size, _BLOCK):
        j = min(i + _BLOCK, size)
        a, b = sample[i:j], converted[i:j]
        if a != b:
            changed += sum(map(str.__ne__, a, b))
            if changed / n >= TRADITIONAL_SHARE:
                return "traditional"
    return "simplified"


def to_simplified(t: AlignedText) -> AlignedText:
    """Traditional → Simplified with OpenCC, character to character where lengths agree."""
    converted = t2s().convert(t.text)
    if len(converted) == len(t.text):
        return t.replace_text(converted)
    # A phrase conversion changed a length: convert line by line so that only
    # the affected line loses its per-character map.
    return t.sub(r"[^\n]+", lambda m: t2s().convert(m.group()))


def tidy_whitespace(t: AlignedText) -> AlignedText:
    """Unify line breaks, drop odd spaces and indentation, trim line ends."""
    # Each rewrite runs only when a character it needs is there (a `str` search
    # costs ~1/50 of a `regex` pass): most texts need none of them.
    if any(c in t.text for c in _CRLF_CHARS):
        t = t.sub(_CRLF, "\n")
    if any(c in t.text for c in _ODD_SPACE_CHARS):  # one character for one: the spans stay
        t = t.replace_text(_ODD_SPACE.sub(" ", t.text))
    text = t.text
    if (text and text[-1] in _INDENT_CHARS) or any(c + "\n" in text for c in _INDENT_CHARS):
        t = t.sub(_TRAILING, "")
    text = t.text
    if (text and text[0] in _INDENT_CHARS) or any("\n" + c in text for c in _INDENT_CHARS):
        t = t.sub(_LEADING, "")
    return t


# The order matters: pinyin and mojibake are repaired on the original script,
# OpenCC runs on clean characters, number repairs need half-width digits, and
# broken lines are joined last, when only real paragraph ends remain.
REPAIRS: tuple[tuple[str, Repair], ...] = (
    ("tidy_whitespace", tidy_whitespace),
    ("strip_boilerplate", strip_boilerplate),
    ("remove_pinyin_glosses", remove_pinyin_glosses),
    ("repair_mojibake", repair_mojibake),
    ("to_simplified", to_simplified),
    ("to_halfwidth", to_halfwidth),
    ("repair_punctuation", repair_punctuation),
    ("remove_spaces_in_numbers", remove_spaces_in_numbers),
    ("join_broken_lines", join_broken_lines),
)


def normalize_text(text: str) -> tuple[AlignedText, Script, tuple[tuple[str, int], ...]]:
    """Run every repair over `text`.

    Returns:
        The normalized aligned text, the script the original was written in, and
        the repairs that changed something with the change in length they made.
    """
    t = AlignedText.of(text)
    script: Script = "simplified"
    applied: list[tuple[str, int]] = []
    for name, repair in REPAIRS:
        if name == "to_simplified":
            script = detect_script(t.text)
            if script == "simplified":
                continue
        out = repair(t)
        if out is not t:
            applied.append((name, len(t) - len(out)))
        t = out
    return t, script, tuple(applied)


def normalize(raw: RawDocument) -> Document:
    """The normalization stage: a `RawDocument` becomes a `Document`.

    Metadata the source gave (manifest, row fields, HTML) wins over what is
    read from the text; the URL's date comes before the text's own.
    """
    aligned, script, applied = normalize_text(raw.text)
    found = meta.extract_metadata(aligned.text)
    published, inferred = raw.published, False
    if published is None and raw.url:
        published = meta.published_from_url(raw.url)
    if published is None:
        published, inferred = found.published, found.published_inferred
    title = normalize_text(raw.title)[0].text.strip() if raw.title else found.title
    return Document(
        doc_id=raw.doc_id,
        raw=raw,
        aligned=aligned,
        sentences=split_sentences(aligned.text),
        script=script,
        title=title,
        published=published,
        published_inferred=inferred,
        source_org=raw.source_org or found.source_org,
        repairs=applied,
    )
