"""Offsets through the whole pipeline: every mention points at its text, normalized and raw.

Hypothesis writes damaged government-news text (numbers with units, percent
signs, Traditional characters with pinyin glosses, full-width digits, spaces,
doubled punctuation); normalize → extract → resolve must never raise, and
every mention must satisfy `doc.text[char_start:char_end] == text` with a
sane span in the original. On the five bundled documents, the original span
of each mention, normalized again, gives back the mention's text.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import regex
from govfacts.extractors import extract
from govfacts.pipeline.normalize import normalize, normalize_text
from govfacts.pipeline.records import Document, Mention, RawDocument
from govfacts.pipeline.resolve import resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FULLWIDTH = str.maketrans("0123456789.%,", "０１２３４５６７８９．％，")

# Pieces of text the generator strings together (written for this test, not from the samples).
WORDS = [
    "全市",
    "今年",
    "上半年",
    "1-6月",
    "截至9月底",
    "新签约",
    "工业项目",
    "总投资",
    "到位资金",
    "同比增长",
    "同比下降",
    "环比",
    "占",
    "占比",
    "比重",
    "完成年度目标任务的",
    "力争",
    "计划新开工",
    "拟投资",
    "在谈项目",
    "其中",
    "亿元以上项目",
    "过亿元项目",
    "年产",
    "万吨",
    "项目",
    "企业",
    "第",
    "届",
    "一批",
    "十四五",
    "签約",
    "項目",
    "億元",
    "增長",
    "個",
    "萬美元",
    "開工",
    "總投資",
    "實際使用外資",
]
UNITS = [
    "亿元",
    "万元",
    "元",
    "万美元",
    "亿欧元",
    "港元",
    "个",
    "家",
    "名",
    "批次",
    "亩",
    "%",
    "倍",
    "成",
    "万",
    "亿",
    "年",
    "月",
    "日",
]
QUALIFIERS = ["", "", "", "约", "近", "超过", "逾", "突破", "以上", "左右", "不足", "余", "多"]
PUNCT = [
    "，",
    "。",
    ",,",
    "。,",
    ",、",
    "、",
    "；",
    "：",
    "\n",
    " ",
    "(",
    ")",
    "（",
    "）",
    "?",
    "——",
]
CN_NUMBERS = ["四十五", "两", "十余", "千余", "三", "二十八", "百", "一万零五百", "三点六"]
GLOSSES = ["(jīng)", "(jì)", "(xiàng)", "(yì)", "(zēng)", "(zhǎng)", "（qiān）"]

arabic = st.one_of(
    st.integers(min_value=0, max_value=99999).map(str),
    st.decimals(min_value=0, max_value=10000, places=2, allow_nan=False, allow_infinity=False).map(
        str
    ),
    st.integers(min_value=1000, max_value=9999999).map(lambda n: f"{n:,}"),
    st.integers(min_value=1, max_value=99).map(lambda n: f"-{n}.{n % 10}"),
)


@st.composite
def quantity(draw: st.DrawFn) -> str:
    """A number with its qualifier and unit, perhaps full-width or spaced."""
    number = draw(st.one_of(arabic, st.sampled_from(CN_NUMBERS)))
    text = (
        draw(st.sampled_from(QUALIFIERS))
        + number
        + draw(st.sampled_from(["", " ", "\u3000"]))
        + draw(st.sampled_from(UNITS))
    )
    if draw(st.booleans()) and draw(st.booleans()):
        text = text.translate(FULLWIDTH)
    return text


@st.composite
def news_text(draw: st.DrawFn) -> str:
    """A run of words, quantities, punctuation and pinyin glosses."""
    piece = st.one_of(
        st.sampled_from(WORDS),
        quantity(),
        st.sampled_from(PUNCT),
        st.sampled_from(WORDS).flatmap(lambda w: st.sampled_from(GLOSSES).map(lambda g: w + g)),
        st.text(alphabet="亿万元个家%％．0123456789,，。 \n占增长下降第届年月日(jì)", max_size=6),
    )
    return "".join(draw(st.lists(piece, max_size=40)))


def _pipeline(
    raw_text: str, published: date | None = date(2023, 7, 21)
) -> tuple[Document, list[Mention]]:
    doc = normalize(RawDocument("gen", raw_text, "generated", published=published))
    return doc, resolve(doc, extract(doc))


def _assert_offsets(raw_text: str, doc: Document, mentions: list[Mention]) -> None:
    for m in mentions:
        assert 0 <= m.char_start <= m.char_end <= len(doc.text), m
        assert doc.text[m.char_start : m.char_end] == m.text, m
        assert 0 <= m.orig_start <= m.orig_end <= len(raw_text), m
        assert (m.orig_end > m.orig_start) == (m.char_end > m.char_start), m


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(news_text())
def test_generated_news_offsets(raw_text: str) -> None:
    doc, mentions = _pipeline(raw_text)
    _assert_offsets(raw_text, doc, mentions)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(quantity(), min_size=1, max_size=6).map("，".join), st.booleans())
def test_every_generated_quantity_keeps_its_offsets(raw_text: str, dated: bool) -> None:
    doc, mentions = _pipeline(
        "全市签约项目" + raw_text + "。", date(2022, 12, 1) if dated else None
    )
    _assert_offsets("全市签约项目" + raw_text + "。", doc, mentions)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_unicode_never_raises(raw_text: str) -> None:
    doc, mentions = _pipeline(raw_text, None)
    _assert_offsets(raw_text, doc, mentions)


# Hand-written damaged inputs whose mentions must map back to exactly these raw spans.
RAW_SPANS = [
    ("fullwidth", "全年完成投资１２．５亿元，增长３．２％。", ["１２．５亿元", "３．２％"]),
    ("spaces", "到位资金 36.8 亿元，签约项目 57 个。", ["36.8 亿元", "57 个"]),
    (
        "pinyin",
        "簽(qiān)約(yuē)項(xiàng)目３２個(gè)，總(zǒng)投(tóu)資(zī)38億(yì)元。",
        ["３２個", "38億(yì)元"],
    ),
    ("doubled-commas", "签约项目28个,,总投资61亿元,,同比增长9%。", ["28个", "61亿元", "9%"]),
]


@pytest.mark.parametrize(
    ("raw_text", "spans"), [(t, s) for _, t, s in RAW_SPANS], ids=[i for i, _, _ in RAW_SPANS]
)
def test_raw_spans_of_damaged_text(raw_text: str, spans: list[str]) -> None:
    doc, mentions = _pipeline(raw_text)
    quantities = [m for m in mentions if m.kind != "date"]
    assert [raw_text[m.orig_start : m.orig_end] for m in quantities] == spans


# ---------------------------------------------------------------------------
# The five bundled documents.

CORPUS_FILES = sorted(CORPUS.glob("*.txt"))
_SKELETON = regex.compile(r"[^0-9.%\-]")


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.stem for p in CORPUS_FILES])
def test_corpus_mentions_map_back_to_the_original(path: Path) -> None:
    raw_text = path.read_text(encoding="utf-8")
    doc, mentions = _pipeline(raw_text, None)
    assert mentions, "a sample document yields mentions"
    _assert_offsets(raw_text, doc, mentions)
    for m in mentions:
        again = normalize_text(raw_text[m.orig_start : m.orig_end])[0].text
        if doc.script == "simplified":
            assert again == m.text, (m.kind, m.text, raw_text[m.orig_start : m.orig_end])
        else:
            # OpenCC may convert a phrase differently out of context: the number must agree.
            assert _SKELETON.sub("", again) == _SKELETON.sub("", m.text), (m.kind, m.text, again)


def test_corpus_has_both_scripts() -> None:
    scripts = {normalize_text(p.read_text(encoding="utf-8"))[1] for p in CORPUS_FILES}
    assert scripts == {"simplified", "traditional"}
    assert len(CORPUS_FILES) == 5
