"""Export documents and their mentions as spaCy Docs: span groups, displaCy HTML and DocBin files.

The extractors do not run inside spaCy: they read a `Document` and return
`Mention`s. A spaCy `Doc` is built only afterwards, for export and rendering
(see `benchmarks/bench_spacy.py` for the cost of each). The tokenizer is the
blank Chinese pipeline's `char` segmenter, so every character is a token, every
mention's character offsets align with token boundaries, and nothing is
downloaded.

What a Doc carries:
- `doc.spans["govfacts"]`: one span per mention, label = kind upper-cased (`AMOUNT`).
- `span._.govfacts`: the mention's attributes as a dict of strings (or None).
- `doc._.govfacts`: doc_id, title, published and source of the document.

Both extensions are stored in `doc.user_data`, so they survive `Doc.to_bytes`
and a `DocBin(store_user_data=True)`. Span attributes are keyed by offsets AND
label, so two mentions of different kinds over the same characters keep their
own attributes (a plain `default=` span extension is keyed by offsets only).
"""

from __future__ import annotations

import bisect
import html
import itertools
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from govfacts.pipeline.export import mention_dict
from govfacts.pipeline.records import Document, Kind, Mention

if TYPE_CHECKING:  # spaCy is imported lazily: importing this module costs nothing
    from spacy.language import Language
    from spacy.tokens import Doc, Span

__all__ = ["SPANS_KEY", "blank_zh", "to_spacy", "render_html", "write_docbin", "read_docbin"]

SPANS_KEY = "govfacts"  # the span group name and the custom extension name
_USER_DATA_KEY = "govfacts.span"  # user_data key prefix of a span's attributes
# Mention fields copied onto each span, as strings; "period" joins period_start/period_end.
SPAN_ATTRS = ("value", "unit", "status", "period", "city", "speaker", "metric", "qualifier", "role")
DOCBIN_ATTRS = ("ORTH", "SPACY")  # a blank pipeline sets nothing else on tokens
# displaCy colours, assigned in the order of the `Kind` vocabulary (cycled if it grows).
_PALETTE = ("#feca74", "#7aecec", "#bfeeb7", "#ff9561", "#aa9cfc", "#c887fb", "#e4e7d2", "#ffeb80")
COLORS: dict[str, str] = {
    kind.upper(): color for kind, color in zip(get_args(Kind), itertools.cycle(_PALETTE))
}


@cache
def blank_zh() -> Language:
    """The blank Chinese pipeline with the `char` segmenter, built once per process."""
    import spacy

    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})


@cache
def _register_extensions() -> None:
    """Register `Span._.govfacts` and `Doc._.govfacts` once (never at import time)."""
    from spacy.tokens import Doc, Span

    if not Span.has_extension(SPANS_KEY):
        Span.set_extension(SPANS_KEY, getter=_span_attrs)
    if not Doc.has_extension(SPANS_KEY):
        Doc.set_extension(SPANS_KEY, default=None)


def _span_key(start_char: int, end_char: int, label: str) -> tuple[str, int, int, str]:
    return (_USER_DATA_KEY, start_char, end_char, label)


def _span_attrs(span: Span) -> dict[str, str | None] | None:
    """The attributes stored for `span`, or None for a span this module did not make."""
    return span.doc.user_data.get(_span_key(span.start_char, span.end_char, span.label_))


def _attrs(m: Mention) -> dict[str, str | None]:
    """The mention's attributes as JSON-ready strings (exact decimals, ISO dates)."""
    flat = mention_dict(m)
    start, end = flat["period_start"], flat["period_end"]
    flat["period"] = f"{start or ''}/{end or ''}" if (start or end) else None
    return {name: (None if flat[name] is None else str(flat[name])) for name in SPAN_ATTRS}


def to_spacy(
    document: Document, mentions: Sequence[Mention], *, nlp: Language | None = None
) -> Doc:
    """A spaCy Doc over the normalized text with one `govfacts` span per mention.

    Args:
        document: The normalized document the mentions were found in.
        mentions: Its mentions; offsets index `document.text`.
        nlp: A pipeline whose tokenizer to use (`nlp.make_doc`; components are not
            run). Defaults to `blank_zh()`, whose spans always align. With a
            word-level tokenizer, a mention that cuts a token is widened to
            whole tokens (`alignment_mode="expand"`).

    Returns:
        The Doc; `doc.spans["govfacts"]` is in mention order, `span._.govfacts`
        holds the mention's attributes and `doc._.govfacts` the document's.

    Raises:
        ValueError: A mention's offsets lie outside the text.
    """
    _register_extensions()
    doc = (nlp or blank_zh()).make_doc(document.text)
    spans = []
    for m in mentions:
        if not 0 <= m.char_start < m.char_end <= len(document.text):
            raise ValueError(
                f"{m.doc_id}: mention {m.text!r} has bad offsets {m.char_start}:{m.char_end}"
            )
        label = m.kind.upper()
        span = doc.char_span(m.char_start, m.char_end, label=label)
        if span is None:  # only with a word-level tokenizer, or a mention edged by whitespace
            span = doc.char_span(m.char_start, m.char_end, label=label, alignment_mode="expand")
        doc.user_data[_span_key(span.start_char, span.end_char, label)] = _attrs(m)
        spans.append(span)
    doc.spans[SPANS_KEY] = spans
    raw = document.raw
    doc._.set(
        SPANS_KEY,
        {
            "doc_id": document.doc_id,
            "title": document.title,
            "published": document.published.isoformat() if document.published else None,
            "source": raw.url or raw.source,
        },
    )
    return doc


def render_html(doc: Doc) -> str:
    """displaCy's span view of the `govfacts` spans, as an HTML fragment.

    displaCy writes a space after every token, which would put a space between
    every Chinese character. So the view is rendered from pieces cut only at span
    boundaries and paragraph breaks: each span's text stays contiguous and the
    rest of the text is whole. Every text, label and the title are HTML-escaped.

    Args:
        doc: A Doc made by `to_spacy` (or read back by `read_docbin`).

    Returns:
        One `<div class="spans">` per paragraph, headed by the document id.
    """
    from spacy import displacy

    text = doc.text
    spans = sorted((s.start_char, s.end_char, s.label_) for s in doc.spans.get(SPANS_KEY, []))
    covered = bytearray(len(text) + 1)  # 1 where a span covers the character
    for a, b, _ in spans:
        covered[a:b] = b"\x01" * (b - a)
    breaks = [i for i, c in enumerate(text) if c == "\n" and not covered[i]]
    starts = [0, *(i + 1 for i in breaks)]
    per_paragraph: list[list[tuple[int, int, str]]] = [[] for _ in starts]
    for span in spans:  # no span crosses a break, so its start names its paragraph
        per_paragraph[bisect.bisect_right(starts, span[0]) - 1].append(span)
    parsed = []
    for p_start, p_end, inside in zip(starts, [*breaks, len(text)], per_paragraph, strict=True):
        if not text[p_start:p_end].strip():
            continue
        cuts = sorted({p_start, p_end, *(a for a, _, _ in inside), *(b for _, b, _ in inside)})
        index = {c: i for i, c in enumerate(cuts)}
        parsed.append(
            {
                "tokens": [text[a:b] for a, b in itertools.pairwise(cuts)],
                "spans": [
                    {"start_token": index[a], "end_token": index[b], "label": label}
                    for a, b, label in inside
                ],
            }
        )
    meta = doc._.get(SPANS_KEY) if doc.has_extension(SPANS_KEY) else None
    if parsed and meta and meta.get("doc_id"):
        parsed[0]["title"] = html.escape(str(meta["doc_id"]))  # displaCy does not escape titles
    options = {"spans_key": SPANS_KEY, "colors": COLORS}
    return displacy.render(parsed, style="span", options=options, page=False, manual=True, jupyter=False)


def write_docbin(path: Path | str, items: Iterable[tuple[Document, Sequence[Mention]]]) -> int:
    """Write one Doc per (document, mentions) pair to a `.spacy` DocBin file.

    Docs are built one at a time and serialized into the DocBin at once, so only
    the DocBin's compact arrays are held, never all Docs.

    Args:
        path: The output file (its folder must exist).
        items: (document, mentions) pairs, e.g. from `Processed` results of `run`.

    Returns:
        The number of Docs written.
    """
    from spacy.tokens import DocBin

    docbin = DocBin(attrs=list(DOCBIN_ATTRS), store_user_data=True)
    n = 0
    for document, mentions in items:
        docbin.add(to_spacy(document, mentions))
        n += 1
    docbin.to_disk(path)
    return n


def read_docbin(path: Path | str) -> list[Doc]:
    """The Docs of a DocBin file written by `write_docbin`, with their extensions readable."""
    from spacy.tokens import DocBin

    _register_extensions()
    docbin = DocBin(store_user_data=True).from_disk(path)
    return list(docbin.get_docs(blank_zh().vocab))


def items_from_store(store) -> Iterable[tuple[Document, list[Mention]]]:
    """(document, mentions) pairs rebuilt from a store's `documents.text` and `mentions` rows.

    Documents loaded before the store kept their text are passed over.
    """
    from dataclasses import fields

    from govfacts.pipeline.aligned import AlignedText
    from govfacts.pipeline.records import RawDocument

    by_doc: dict[str, list[Mention]] = {}
    names = {f.name for f in fields(Mention)}
    for row in store.rows("mentions"):
        by_doc.setdefault(row["doc_id"], []).append(Mention(**{k: v for k, v in row.items() if k in names}))
    for row in sorted(store.rows("documents"), key=lambda r: r["doc_id"]):
        text = row.get("text")
        if not text:
            continue
        raw = RawDocument(row["doc_id"], text, row.get("source") or "", title=row.get("title"), url=row.get("url"))
        document = Document(
            doc_id=row["doc_id"], raw=raw, aligned=AlignedText.of(text), sentences=(),
            script=row.get("script") or "simplified", title=row.get("title"), published=row.get("published"),
            published_inferred=bool(row.get("published_inferred")), source_org=row.get("source_org"),
        )
        yield document, sorted(by_doc.get(row["doc_id"], []), key=lambda m: m.char_start)
