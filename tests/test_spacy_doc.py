"""spaCy export: one span per mention, span attributes, DocBin/bytes round-trips, safe HTML."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from typing import get_args

import pytest
import spacy
from govfacts.pipeline.aligned import AlignedText
from govfacts.pipeline.read import bundled_corpus
from govfacts.pipeline.records import Document, Kind, Mention, RawDocument
from govfacts.pipeline.spacy_doc import (
    COLORS,
    SPANS_KEY,
    blank_zh,
    read_docbin,
    render_html,
    to_spacy,
    write_docbin,
)
from govfacts.pipeline.stages import Processed, run
from spacy.tokens import Doc

# Sample-derived regression inputs (clearly marked): two bundled documents through the pipeline.
CORPUS_FILES = ["001_b4a38f34b9bab76d.txt", "003_463e1746216b272e.txt"]


@pytest.fixture(scope="module")
def corpus() -> list[Processed]:
    out = [r for r in run([bundled_corpus() / name for name in CORPUS_FILES])]
    assert all(isinstance(r, Processed) for r in out), out
    assert all(r.mentions for r in out)  # type: ignore[union-attr]
    return out  # type: ignore[return-value]


def _document(text: str, doc_id: str = "t1") -> Document:
    raw = RawDocument(doc_id, text, "test")
    return Document(doc_id, raw, AlignedText.of(text), (), "simplified", None, None, False, None)


def _mention(text: str, surface: str, kind: str = "amount", *, nth: int = 0, **fields) -> Mention:
    """A mention of the `nth` occurrence of `surface` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(
        "t1",
        kind,
        surface,
        fields.pop("value", None),
        fields.pop("unit", None),
        char_start=start,
        char_end=start + len(surface),
        **fields,
    )  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Bundled documents: every mention is exactly one span, same text, label, offsets, attributes.
@pytest.mark.parametrize("i", range(len(CORPUS_FILES)), ids=CORPUS_FILES)
def test_corpus_mentions_become_spans(corpus, i):
    processed = corpus[i]
    doc = to_spacy(processed.document, processed.mentions)
    spans = list(doc.spans[SPANS_KEY])
    assert doc.text == processed.document.text
    assert len(spans) == len(processed.mentions)
    for span, m in zip(spans, processed.mentions, strict=True):
        assert (span.text, span.label_) == (m.text, m.kind.upper())
        assert (span.start_char, span.end_char) == (m.char_start, m.char_end)
        attrs = span._.govfacts
        assert attrs is not None
        assert attrs["unit"] == m.unit and attrs["status"] == m.status and attrs["city"] == m.city
        assert (attrs["value"] is None) == (m.value is None)
        if m.value is not None:
            assert Decimal(attrs["value"]) == m.value
    assert doc._.govfacts["doc_id"] == processed.document.doc_id


# ---------------------------------------------------------------------------
# Attributes: exact dicts for hand-written mentions.
FY = {"period_start": date(2023, 1, 1), "period_end": date(2023, 12, 31)}
TEXT_A = "2023年合肥市完成固定资产投资约1234.5亿元，同比增长8.50%，计划明年新开工项目不少于120个。"
ATTR_CASES = [
    pytest.param(
        _mention(
            TEXT_A,
            "约1234.5亿元",
            value=Decimal("123450000000"),
            unit="CNY",
            qualifier="approx",
            city="合肥市",
            metric="fixed_asset_investment",
            **FY,
        ),
        {
            "value": "123450000000",
            "unit": "CNY",
            "status": "actual",
            "period": "2023-01-01/2023-12-31",
            "city": "合肥市",
            "speaker": None,
            "metric": "fixed_asset_investment",
            "qualifier": "approx",
            "role": "fact",
        },
        id="amount-approx",
    ),
    pytest.param(
        _mention(TEXT_A, "8.50%", "growth", value=Decimal("8.50"), unit="%", speaker="张三"),
        {
            "value": "8.50",
            "unit": "%",
            "status": "actual",
            "period": None,
            "city": None,
            "speaker": "张三",
            "metric": None,
            "qualifier": "eq",
            "role": "fact",
        },
        id="growth-keeps-digits",
    ),
    pytest.param(
        _mention(
            TEXT_A,
            "不少于120个",
            "count",
            value=Decimal("1.2E+2"),
            unit="个",
            qualifier="ge",
            status="target",
            period_start=date(2024, 1, 1),
        ),
        {
            "value": "120",
            "unit": "个",
            "status": "target",
            "period": "2024-01-01/",
            "city": None,
            "speaker": None,
            "metric": None,
            "qualifier": "ge",
            "role": "fact",
        },
        id="count-exponent-open-period",
    ),
    pytest.param(
        _mention(TEXT_A, "2023年", "date", role="label"),
        {
            "value": None,
            "unit": None,
            "status": "actual",
            "period": None,
            "city": None,
            "speaker": None,
            "metric": None,
            "qualifier": "eq",
            "role": "label",
        },
        id="date-no-value",
    ),
]


@pytest.mark.parametrize("mention,expected", ATTR_CASES)
def test_span_attributes(mention, expected):
    doc = to_spacy(_document(TEXT_A), [mention])
    (span,) = doc.spans[SPANS_KEY]
    assert span.text == mention.text
    assert span._.govfacts == expected


def test_same_offsets_different_kinds_keep_their_own_attributes():
    text = "新建城南污水处理厂项目开工。"
    a = _mention(text, "城南污水处理厂", "project", unit=None, metric="name")
    b = _mention(text, "城南污水处理厂", "count", value=Decimal(1), unit="个")
    doc = to_spacy(_document(text), [a, b])
    got = [
        (s.label_, s.text, s._.govfacts["metric"], s._.govfacts["value"])
        for s in doc.spans[SPANS_KEY]
    ]
    assert got == [
        ("PROJECT", "城南污水处理厂", "name", None),
        ("COUNT", "城南污水处理厂", None, "1"),
    ]


# ---------------------------------------------------------------------------
# Alignment: characters are tokens, whatever the spacing, script or line breaks.
ALIGN_CASES = [
    ("spaces-inside", "投资 5 亿元 建设新城", "5 亿元"),
    ("double-space-after", "投资5亿元  建设", "5亿元"),
    ("traditional", "全年簽約項目一百二十八個，總投資六百四十五億元。", "六百四十五億元"),
    ("line-start", "第一段。\n3.5亿元用于基建", "3.5亿元"),
    ("line-end", "到位资金12亿元\n第二段", "12亿元"),
    ("ideographic-space", "\u3000\u3000增长百分之十二。", "百分之十二"),
    ("ascii-words", "GDP reached 1,234.5 billion yuan", "1,234.5 billion yuan"),
    ("whole-text", "5亿元", "5亿元"),
]


@pytest.mark.parametrize(
    "text,surface", [c[1:] for c in ALIGN_CASES], ids=[c[0] for c in ALIGN_CASES]
)
def test_char_segmenter_aligns_every_mention(text, surface):
    doc = to_spacy(_document(text), [_mention(text, surface)])
    assert [s.text for s in doc.spans[SPANS_KEY]] == [surface]


def test_word_tokenizer_widens_to_whole_tokens():
    text = "Investment reached 5亿元 in 2023."
    doc = to_spacy(_document(text), [_mention(text, "亿元")], nlp=spacy.blank("en"))
    (span,) = doc.spans[SPANS_KEY]
    assert (span.text, span.label_) == ("5亿元", "AMOUNT")
    assert span._.govfacts["unit"] is None


def test_no_mentions_gives_an_empty_group():
    doc = to_spacy(_document("今天天气很好。"), [])
    assert list(doc.spans[SPANS_KEY]) == []
    assert doc.text == "今天天气很好。"


BAD_OFFSETS = [("past-end", 3, 9), ("empty", 2, 2), ("negative", -1, 2)]


@pytest.mark.parametrize("start,end", [c[1:] for c in BAD_OFFSETS], ids=[c[0] for c in BAD_OFFSETS])
def test_bad_offsets_raise(start, end):
    m = Mention("t1", "amount", "x", None, None, char_start=start, char_end=end)
    with pytest.raises(ValueError, match="bad offsets"):
        to_spacy(_document("投资5亿元。"), [m])


def test_blank_pipeline_is_cached_char_segmenter():
    nlp = blank_zh()
    assert nlp is blank_zh()
    assert nlp.tokenizer.segmenter == "char"
    assert nlp.pipe_names == []


def test_import_loads_no_spacy():
    code = "import sys, govfacts.pipeline.spacy_doc; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------
# Serialization: DocBin file and Doc bytes keep texts, spans, labels and attributes.
def _summary(doc: Doc) -> tuple:
    spans = tuple(
        (s.text, s.label_, s.start_char, s.end_char, tuple(sorted(s._.govfacts.items())))
        for s in doc.spans[SPANS_KEY]
    )
    return doc.text, spans, tuple(sorted(doc._.govfacts.items()))


def test_docbin_round_trip(corpus, tmp_path):
    hand = (_document(TEXT_A), [c.values[0] for c in ATTR_CASES])
    items = [(p.document, p.mentions) for p in corpus] + [hand]
    expected = [_summary(to_spacy(d, ms)) for d, ms in items]
    path = tmp_path / "out.spacy"
    assert write_docbin(path, iter(items)) == 3
    docs = read_docbin(path)
    assert [_summary(d) for d in docs] == expected
    assert [d._.govfacts["doc_id"] for d in docs] == [*(p.document.doc_id for p in corpus), "t1"]


def test_empty_docbin(tmp_path):
    path = tmp_path / "none.spacy"
    assert write_docbin(path, []) == 0
    assert read_docbin(path) == []


def test_doc_bytes_round_trip(corpus):
    doc = to_spacy(corpus[0].document, corpus[0].mentions)
    back = Doc(blank_zh().vocab).from_bytes(doc.to_bytes())
    assert _summary(back) == _summary(doc)
    assert len(back.spans[SPANS_KEY]) == len(corpus[0].mentions)


# ---------------------------------------------------------------------------
# HTML: span texts whole, labels shown, everything escaped.
def test_html_shows_span_texts_and_labels(corpus):
    for processed in corpus:
        page = render_html(to_spacy(processed.document, processed.mentions))
        for m in processed.mentions:
            assert m.text in page, m.text
        for kind in {m.kind for m in processed.mentions}:
            assert kind.upper() in page
            assert COLORS[kind.upper()] in page


def test_html_escapes_script():
    text = '通知<script>alert("x")</script>：全年投资5亿元，增长<b>8%</b>。'
    doc = to_spacy(
        _document(text, doc_id="<script>id</script>"),
        [_mention(text, "5亿元"), _mention(text, "<b>8%</b>", "growth")],
    )
    page = render_html(doc)
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;script&gt;id&lt;/script&gt;" in page  # the title (doc id) too
    assert "5亿元" in page and "&lt;b&gt;8%&lt;/b&gt;" in page


def test_html_paragraphs_and_no_spans():
    text = "第一段投资5亿元。\n\n第二段没有数字。"
    with_spans = render_html(to_spacy(_document(text), [_mention(text, "5亿元")]))
    assert with_spans.count('class="spans"') == 2
    assert "AMOUNT" in with_spans
    plain = render_html(to_spacy(_document("今天天气很好。"), []))
    assert "今天天气很好。" in plain and "AMOUNT" not in plain
    assert render_html(to_spacy(_document(""), [])) == ""


def test_one_distinct_colour_per_kind():
    assert set(COLORS) == {k.upper() for k in get_args(Kind)}
    assert len(set(COLORS.values())) == len(COLORS)
