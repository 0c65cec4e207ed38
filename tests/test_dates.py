"""Tests for govfacts.extractors.dates: time expressions, their periods, and date rows."""

from __future__ import annotations

import importlib.util
import json
import re
import time
from datetime import date
from pathlib import Path

import pytest
from govfacts.extractors.dates import TimeExpr, extract_dates, find_time_expressions
from govfacts.pipeline.aligned import AlignedText
from govfacts.pipeline.records import Document, RawDocument
from hypothesis import given
from hypothesis import strategies as st

DEVSET = Path("/work/shared/devset")

Row = tuple[str, str | None, str | None]


def _rows(found: list[TimeExpr]) -> list[Row]:
    return [
        (
            e.text,
            e.period_start and e.period_start.isoformat(),
            e.period_end and e.period_end.isoformat(),
        )
        for e in found
    ]


def _doc(text: str, published: date | None, doc_id: str = "t") -> Document:
    return Document(
        doc_id=doc_id,
        raw=RawDocument(doc_id, text, "test"),
        aligned=AlignedText.of(text),
        sentences=(),
        script="simplified",
        title=None,
        published=published,
        published_inferred=False,
        source_org=None,
    )


P23 = date(2023, 7, 28)

# ---------------------------------------------------------------------------
# (text, published, expected [(text, period_start, period_end)])
POSITIVES = [
    pytest.param(
        "2024年上半年，全县新签约项目52个。",
        date(2024, 7, 20),
        [("2024年上半年", "2024-01-01", "2024-06-30")],
        id="year-half",
    ),
    pytest.param(
        "今年前两个月，全市到位资金增长6%。",
        date(2024, 3, 10),
        [("今年前两个月", "2024-01-01", "2024-02-29")],
        id="first-two-months-leap",
    ),
    pytest.param(
        "1—3月份，规上工业增加值同比增长4.2%。",
        date(2022, 4, 20),
        [("1—3月份", "2022-01-01", "2022-03-31")],
        id="em-dash-months-fen",
    ),
    pytest.param(
        "1至11月，全区实际使用外资2.1亿美元。",
        date(2021, 12, 9),
        [("1至11月", "2021-01-01", "2021-11-30")],
        id="zhi-months",
    ),
    pytest.param(
        "3月至5月，开展招商月活动。",
        date(2021, 6, 2),
        [("3月至5月", "2021-03-01", "2021-05-31")],
        id="month-span-not-ytd",
    ),
    pytest.param(
        "截至3月末，全区在谈项目41个。",
        date(2021, 4, 8),
        [("截至3月末", "2021-01-01", "2021-03-31")],
        id="cutoff-month-end",
    ),
    pytest.param(
        "截止2020年底，累计引进外资企业300家。",
        date(2021, 2, 1),
        [("截止2020年底", "2020-01-01", "2020-12-31")],
        id="cutoff-year-end",
    ),
    pytest.param(
        "截至9月30日，完成投资80亿元。",
        date(2022, 10, 9),
        [("截至9月30日", "2022-01-01", "2022-09-30")],
        id="cutoff-day",
    ),
    pytest.param(
        "今年以来，开发区共接待客商120批次。",
        date(2022, 5, 17),
        [("今年以来", "2022-01-01", "2022-05-17")],
        id="since-this-year",
    ),
    pytest.param(
        "2023年以来，累计签约项目90个。",
        date(2024, 3, 1),
        [("2023年以来", "2023-01-01", "2024-03-01")],
        id="since-year",
    ),
    pytest.param(
        "第二季度，全市新开工项目37个。",
        date(2021, 7, 15),
        [("第二季度", "2021-04-01", "2021-06-30")],
        id="quarter-di",
    ),
    pytest.param(
        "前三季度实际使用外资增长8%，较上年同期提高2个百分点。",
        date(2022, 10, 25),
        [("前三季度", "2022-01-01", "2022-09-30"), ("上年同期", "2021-01-01", "2021-09-30")],
        id="first-three-quarters-and-year-ago",
    ),
    pytest.param(
        "一至三季度，签约额同比增长11%。",
        date(2021, 10, 15),
        [("一至三季度", "2021-01-01", "2021-09-30")],
        id="quarter-span",
    ),
    pytest.param(
        "三季度末，全市在建项目达到210个。",
        date(2021, 10, 15),
        [("三季度末", "2021-09-30", "2021-09-30")],
        id="quarter-end",
    ),
    pytest.param(
        "8月下旬，市长率队赴杭州招商。",
        date(2023, 9, 5),
        [("8月下旬", "2023-08-21", "2023-08-31")],
        id="late-month",
    ),
    pytest.param(
        "市里将于10月上旬举办推介会。",
        date(2023, 9, 5),
        [("10月上旬", "2023-10-01", "2023-10-10")],
        id="early-month",
    ),
    pytest.param(
        "2月中旬，签约仪式举行。",
        date(2024, 3, 5),
        [("2月中旬", "2024-02-11", "2024-02-20")],
        id="mid-month",
    ),
    pytest.param(
        "3月初，考察团抵达。",
        date(2023, 3, 20),
        [("3月初", "2023-03-01", "2023-03-10")],
        id="month-start",
    ),
    pytest.param(
        "11月14日至16日，展会在厦门举行。",
        date(2021, 11, 20),
        [("11月14日至16日", "2021-11-14", "2021-11-16")],
        id="day-span",
    ),
    pytest.param(
        "12月30日至1月3日开展集中走访。",
        date(2020, 12, 25),
        [("12月30日至1月3日", "2020-12-30", "2021-01-03")],
        id="day-span-over-new-year",
    ),
    pytest.param(
        "2019年3月，项目正式投产。",
        date(2021, 6, 1),
        [("2019年3月", "2019-03-01", "2019-03-31")],
        id="year-month",
    ),
    pytest.param(
        "2022年11月8日，签约仪式举行。",
        date(2022, 11, 9),
        [("2022年11月8日", "2022-11-08", "2022-11-08")],
        id="full-date",
    ),
    pytest.param(
        "来源：市商务局　发布时间：2021/06/30 10:15",
        date(2021, 6, 30),
        [("2021/06/30", "2021-06-30", "2021-06-30")],
        id="slash-date-time-dropped",
    ),
    pytest.param(
        "昨日，全市重点项目观摩会召开。",
        date(2023, 3, 1),
        [("昨日", "2023-02-28", "2023-02-28")],
        id="yesterday",
    ),
    pytest.param(
        "明年，力争引进亿元以上项目80个。",
        date(2022, 12, 20),
        [("明年", "2023-01-01", "2023-12-31")],
        id="next-year",
    ),
    pytest.param(
        "去年4月签约的项目已投产。",
        date(2023, 5, 10),
        [("去年4月", "2022-04-01", "2022-04-30")],
        id="last-year-month",
    ),
    pytest.param(
        "去年全区引进项目45个。4月，又签约项目6个。",
        date(2023, 5, 10),
        [("去年", "2022-01-01", "2022-12-31"), ("4月", "2023-04-01", "2023-04-30")],
        id="last-year-ends-with-sentence",
    ),
    pytest.param(
        "去年，全市签约项目90个，其中12月签约15个。",
        date(2023, 2, 1),
        [("去年", "2022-01-01", "2022-12-31"), ("12月", "2022-12-01", "2022-12-31")],
        id="last-year-scopes-its-sentence",
    ),
    pytest.param(
        "12月28日，总投资8亿元的项目开工。",
        date(2024, 1, 5),
        [("12月28日", "2023-12-28", "2023-12-28")],
        id="nearest-year-for-a-late-day",
    ),
    pytest.param(
        "该项目预计年底竣工。",
        date(2022, 6, 1),
        [("年底", "2022-12-31", "2022-12-31")],
        id="year-end",
    ),
    pytest.param(
        "确保今年年底前投产。", P23, [("今年年底", "2023-12-31", "2023-12-31")], id="this-year-end"
    ),
    pytest.param(
        "2021-2025年，全市计划引进项目500个。",
        date(2021, 3, 1),
        [("2021-2025年", "2021-01-01", "2025-12-31")],
        id="year-span",
    ),
    pytest.param(
        "去年全市招商成效显著。新的一年，我们将再接再厉。",
        date(2024, 1, 10),
        [("去年", "2023-01-01", "2023-12-31"), ("新的一年", "2024-01-01", "2024-12-31")],
        id="new-year-after-last-year",
    ),
    pytest.param(
        "前10个月，全市新签约项目188个。",
        date(2023, 11, 20),
        [("前10个月", "2023-01-01", "2023-10-31")],
        id="first-ten-months",
    ),
    pytest.param(
        "二〇二二年十月，园区挂牌成立。",
        date(2023, 1, 4),
        [("二〇二二年十月", "2022-10-01", "2022-10-31")],
        id="chinese-numerals",
    ),
    pytest.param(
        "一、2022年工作回顾\n全年新签约项目80个，4月举办推介会。",
        date(2023, 1, 20),
        [
            ("2022年", "2022-01-01", "2022-12-31"),
            ("全年", "2022-01-01", "2022-12-31"),
            ("4月", "2022-04-01", "2022-04-30"),
        ],
        id="heading-year-is-context",
    ),
    pytest.param(
        "下半年，力争全年签约额突破300亿元。",
        date(2021, 7, 9),
        [("下半年", "2021-07-01", "2021-12-31"), ("全年", "2021-01-01", "2021-12-31")],
        id="second-half-and-whole-year",
    ),
    pytest.param(
        "5月份以来，累计走访企业60家。",
        date(2022, 8, 1),
        [("5月份以来", "2022-05-01", "2022-08-01")],
        id="since-month",
    ),
    pytest.param(
        "签约项目同比增长9.6%，比去年同期多12个。",
        date(2023, 4, 11),
        [("去年同期", None, None)],
        id="year-ago-without-window",
    ),
    pytest.param(
        "一、二季度分别开展专项行动。",
        date(2022, 7, 6),
        [("一、二季度", "2022-01-01", "2022-06-30")],
        id="quarter-list",
    ),
    pytest.param(
        "年终总结会上提出，新的一年要再创佳绩。",
        date(2022, 12, 29),
        [("新的一年", "2023-01-01", "2023-12-31")],
        id="new-year-in-a-december-paper",
    ),
    pytest.param(
        "对2019年度考核优秀的单位给予表彰。全年签约项目50个。",
        date(2020, 4, 2),
        [("2019年度", "2019-01-01", "2019-12-31"), ("全年", "2020-01-01", "2020-12-31")],
        id="year-qualifier-is-not-context",
    ),
    pytest.param(
        "办法自一月一日起施行，年初至今已受理申请80件。",
        P23,
        [("一月一日", "2023-01-01", "2023-01-01"), ("年初至今", "2023-01-01", "2023-07-28")],
        id="chinese-day-and-since-year-start",
    ),
    pytest.param("据了解，自贸区挂牌以来实现进出口额增长。", P23, [], id="bare-since-is-nothing"),
    pytest.param(
        "今年以來，全市新签约项目。",
        P23,
        [("今年", "2023-01-01", "2023-12-31")],
        id="traditional-input-not-normalized-here",
    ),
]

# ---------------------------------------------------------------------------
# published is None: relative words need a year written in the text, else stay None
NO_PUBLICATION = [
    pytest.param(
        "2020年，全县新签约项目61个；全年到位资金36亿元。",
        None,
        [("2020年", "2020-01-01", "2020-12-31"), ("全年", "2020-01-01", "2020-12-31")],
        id="whole-year-after-written-year",
    ),
    pytest.param(
        "今年以来，园区新增企业20家。", None, [("今年以来", None, None)], id="since-unanchored"
    ),
    pytest.param(
        "2019年全县经济平稳。今年以来，新增企业20家。",
        None,
        [("2019年", "2019-01-01", "2019-12-31"), ("今年以来", "2019-01-01", None)],
        id="since-anchored-on-written-year",
    ),
    pytest.param(
        "截至年底，全区企业达到320家。", None, [("截至年底", None, None)], id="cutoff-unanchored"
    ),
    pytest.param(
        "2018年，项目于10月竣工；截至年底，企业达到90家。",
        None,
        [
            ("2018年", "2018-01-01", "2018-12-31"),
            ("10月", "2018-10-01", "2018-10-31"),
            ("截至年底", "2018-01-01", "2018-12-31"),
        ],
        id="context-year-for-month-and-cutoff",
    ),
    pytest.param("昨天，考察团抵达。", None, [("昨天", None, None)], id="yesterday-unanchored"),
    pytest.param(
        "去年实现开门红。新的一年，继续发力。",
        None,
        [("去年", None, None), ("新的一年", None, None)],
        id="new-year-unanchored",
    ),
    pytest.param(
        "2021年成效明显；去年签约项目增加。新的一年，继续发力。",
        None,
        [
            ("2021年", "2021-01-01", "2021-12-31"),
            ("去年", "2020-01-01", "2020-12-31"),
            ("新的一年", "2021-01-01", "2021-12-31"),
        ],
        id="new-year-after-anchored-last-year",
    ),
]

# ---------------------------------------------------------------------------
# inputs that must yield nothing
NEGATIVES = [
    pytest.param("近年来，我市不断优化营商环境。", id="vague-recent-years"),
    pytest.param("目前，全市在谈项目36个。", id="vague-now"),
    pytest.param("日前，市政府召开常务会议。", id="vague-recently"),
    pytest.param("今天的发布会到此结束。", id="vague-today"),
    pytest.param("下一步，我们将持续发力；今后将加强服务，当前形势复杂。", id="vague-next-step"),
    pytest.param("承诺3个工作日内办结，100天攻坚行动。", id="durations-days"),
    pytest.param("计划用两年时间建成，经过5年努力，项目周期12个月。", id="durations-years-months"),
    pytest.param("第四届数字经济大会举办第8场推介会。", id="ordinals"),
    pytest.param("根据淮发〔2020〕7号文件精神。", id="document-number"),
    pytest.param("印发《淮北市2022年度招商引资工作考核办法》。", id="year-inside-book-title"),
    pytest.param(
        "2022中国（濉溪）铝基新材料产业高质量发展暨电池箔高峰论坛开幕。", id="year-glued-to-name"
    ),
    pytest.param("“十四五”期间，全市将建设一批重大项目。", id="plan-name"),
    pytest.param("联系电话：0561-3056789，19:42。", id="phone-and-time"),
    pytest.param("力争提前3个月完成，目前5个月的任务已过半。", id="look-alike-first-n-months"),
    pytest.param("引进亿元以上年产值项目，说明年度目标可期。", id="look-alike-last-and-next-year"),
    pytest.param("招商队伍相当年轻，建立健全年度考核机制。", id="look-alike-that-year-whole-year"),
    pytest.param("年产30万吨，每月15日前报送，完成年度目标任务。", id="annual-output-monthly"),
    pytest.param("签约率达到68.5%，增长1.5倍，总投资2000万元。", id="plain-numbers"),
    pytest.param("开展“项目建设攻坚年”和“招商引资攻坚月”活动。", id="campaign-names"),
    pytest.param("实行一月一调度、一季一通报。", id="monthly-slogan"),
]


@pytest.mark.parametrize(("text", "published", "expected"), POSITIVES + NO_PUBLICATION)
def test_find_time_expressions(text: str, published: date | None, expected: list[Row]) -> None:
    assert _rows(find_time_expressions(text, published=published)) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives_yield_nothing(text: str) -> None:
    assert find_time_expressions(text, published=P23) == []
    assert extract_dates(_doc(text, P23)) == []


def test_impossible_day_has_no_period() -> None:
    assert _rows(find_time_expressions("2月30日召开", published=P23)) == [("2月30日", None, None)]


def test_anchor_year_sets_context_without_publication() -> None:
    found = find_time_expressions(
        "6月，新开工项目9个；全年计划开工30个。", published=None, anchor_year=2020
    )
    assert _rows(found) == [
        ("6月", "2020-06-01", "2020-06-30"),
        ("全年", "2020-01-01", "2020-12-31"),
    ]


def test_cutoff_kind_without_publication() -> None:
    (e,) = find_time_expressions("截至10月底，全市签约工业项目80个。", published=None)
    assert (e.text, e.kind, e.cumulative, e.period_start, e.period_end) == (
        "截至10月底",
        "cutoff",
        True,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("text", "kind", "cumulative", "explicit_year"),
    [
        pytest.param("1-8月", "ytd", True, None, id="ytd"),
        pytest.param("2023年前三季度", "ytd", True, 2023, id="ytd-written-year"),
        pytest.param("截至6月底", "cutoff", True, None, id="cutoff"),
        pytest.param("今年以来", "since", True, None, id="since"),
        pytest.param("一季度", "quarter", False, None, id="quarter"),
        pytest.param("上半年", "half", False, None, id="half"),
        pytest.param("2025年", "year", False, 2025, id="year"),
        pytest.param("去年", "relative_year", False, None, id="relative-year"),
        pytest.param("全年", "relative_year", False, None, id="whole-year"),
        pytest.param("去年同期", "year_ago", False, None, id="year-ago"),
        pytest.param("9月9日-10日", "days", False, None, id="days"),
        pytest.param("2020-09-23", "day", False, 2020, id="iso-day"),
        pytest.param("3月至5月", "months", False, None, id="months"),
        pytest.param("11月", "month", False, None, id="month"),
    ],
)
def test_kind_and_flags(text: str, kind: str, cumulative: bool, explicit_year: int | None) -> None:
    (e,) = find_time_expressions(text, published=P23)
    assert (e.text, e.kind, e.cumulative, e.explicit_year) == (
        text,
        kind,
        cumulative,
        explicit_year,
    )


# ---------------------------------------------------------------------------
# date rows: qualifiers glued to a metric name are found but are not rows
DATE_ROWS = [
    pytest.param(
        "去年签约项目当年开工率为58.4%。",
        date(2023, 1, 12),
        [("去年", "2022-01-01", "2022-12-31")],
        id="that-year-in-metric-name",
    ),
    pytest.param(
        "项目当年，即实现投产。",
        date(2023, 1, 12),
        [("当年", "2023-01-01", "2023-12-31")],
        id="that-year-before-pause",
    ),
    pytest.param(  # a written year is a date even glued to a name (bare 年度/当年 is not)
        "表彰2019年度招商引资先进单位。",
        date(2020, 3, 2),
        [("2019年度", "2019-01-01", "2019-12-31")],
        id="year-qualifier-of-name",
    ),
    pytest.param("完成当年开工率目标。", date(2020, 3, 2), [], id="bare-year-qualifier-of-name"),
    pytest.param(
        "2019年度，全市到位资金增长9%。",
        date(2020, 3, 2),
        [("2019年度", "2019-01-01", "2019-12-31")],
        id="year-qualifier-before-pause",
    ),
    pytest.param(
        "发布时间：2020-09-23 19:42",
        date(2020, 9, 23),
        [("2020-09-23", "2020-09-23", "2020-09-23")],
        id="publication-line",
    ),
]


@pytest.mark.parametrize(("text", "published", "expected"), DATE_ROWS)
def test_extract_dates_rows(text: str, published: date, expected: list[Row]) -> None:
    got = extract_dates(_doc(text, published))
    assert [
        (
            m.text,
            m.period_start and m.period_start.isoformat(),
            m.period_end and m.period_end.isoformat(),
        )
        for m in got
    ] == expected


def test_extract_dates_mention_fields() -> None:
    text = "记者获悉，1-6月，全市签约项目56个。"
    (m,) = extract_dates(_doc(text, date(2023, 7, 3), doc_id="x1"))
    assert (
        m.doc_id,
        m.kind,
        m.text,
        m.value,
        m.unit,
        m.qualifier,
        m.role,
        m.status,
        m.subject,
    ) == ("x1", "date", "1-6月", None, "date", "eq", "fact", "actual", None)
    assert (m.period_start, m.period_end, m.published) == (
        date(2023, 1, 1),
        date(2023, 6, 30),
        date(2023, 7, 3),
    )
    assert (m.char_start, m.char_end) == (5, 9) and text[m.char_start : m.char_end] == m.text
    assert (m.orig_start, m.orig_end) == (5, 9)


# ---------------------------------------------------------------------------
# known gaps
@pytest.mark.xfail(strict=True, reason="a bare day (28日) takes no month from context yet")
def test_bare_day_of_month() -> None:
    assert _rows(
        find_time_expressions("28日，市委书记会见客商。", published=date(2023, 6, 30))
    ) == [("28日", "2023-06-28", "2023-06-28")]


def test_this_fiscal_year() -> None:
    assert _rows(find_time_expressions("本年度，全市签约项目80个。", published=P23)) == [
        ("本年度", "2023-01-01", "2023-12-31")
    ]


# ---------------------------------------------------------------------------
@given(
    st.text(
        alphabet=st.sampled_from(
            list(
                "0123456789-—至年月日号底末初旬上中下半季度前个份今去明全当以来同期截至《》，。\n一二三四十"
            )
        ),
        max_size=60,
    ),
    st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))),
)
def test_never_raises_and_offsets_hold(text: str, published: date | None) -> None:
    for e in find_time_expressions(text, published=published):
        assert text[e.char_start : e.char_end] == e.text and e.text
        if e.period_start and e.period_end:
            assert e.period_start <= e.period_end


# ---------------------------------------------------------------------------
# dev set: every date row of the gold, matched by doc and text in order
def _load_normalize():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("devset_validate", DEVSET / "validate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.normalize


def _devset_published(page: dict, text: str) -> date | None:
    """docs.jsonl's date, else the URL's (d018), else a signature line's (d006), else None."""
    if page["published"]:
        return date.fromisoformat(page["published"])
    if page["url"] and (m := re.search(r"/t?(20\d{2})(\d{2})(\d{2})[_/]", page["url"])):
        return date(int(m[1]), int(m[2]), int(m[3]))
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for line in reversed(lines[-3:]):
        if m := re.fullmatch(r"(20\d{2})年(\d{1,2})月(\d{1,2})日", line):
            return date(int(m[1]), int(m[2]), int(m[3]))
    return None


def _lcs_pairs(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """Index pairs of a longest common subsequence of two text lists."""
    n, k = len(a), len(b)
    dp = [[0] * (k + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(k - 1, -1, -1):
            dp[i][j] = dp[i + 1][j + 1] + 1 if a[i] == b[j] else max(dp[i + 1][j], dp[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < n and j < k:
        if a[i] == b[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif dp[i + 1][j] >= dp[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def devset_scores() -> dict[str, float]:
    """Precision, recall, F1 and period accuracy of `extract_dates` on the dev set's date rows."""
    normalize = _load_normalize()
    pages = [
        json.loads(ln) for ln in (DEVSET / "docs.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    gold: dict[str, list[Row]] = {}
    gold_published: dict[str, str | None] = {}
    for line in (DEVSET / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        gold_published[r["doc_id"]] = r["published"]
        if r["kind"] == "date":
            gold.setdefault(r["doc_id"], []).append((r["text"], r["period_start"], r["period_end"]))
    tp = fp = fn = right = 0
    for page in pages:
        text = normalize((DEVSET / "docs" / f"{page['id']}.txt").read_text(encoding="utf-8"))
        published = _devset_published(page, text)
        assert (published and published.isoformat()) == gold_published[page["id"]], page["id"]
        pred = [
            (
                m.text,
                m.period_start and m.period_start.isoformat(),
                m.period_end and m.period_end.isoformat(),
            )
            for m in extract_dates(_doc(text, published, page["id"]))
        ]
        want = gold.get(page["id"], [])
        pairs = _lcs_pairs([p[0] for p in pred], [g[0] for g in want])
        tp += len(pairs)
        fp += len(pred) - len(pairs)
        fn += len(want) - len(pairs)
        right += sum(pred[i] == want[j] for i, j in pairs)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return {
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall),
        "period_accuracy": right / tp,
    }


@pytest.mark.skipif(not DEVSET.exists(), reason="development set not available")
def test_devset_dates() -> None:
    scores = devset_scores()
    assert scores["f1"] >= 0.95, scores
    assert scores["period_accuracy"] >= 0.95, scores
