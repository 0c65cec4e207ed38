"""Tests for govfacts.pipeline.metadata: title, publication date and source organisation."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from govfacts.pipeline.metadata import Metadata, extract_metadata, parse_date, published_from_url
from hypothesis import given
from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
DEVSET = Path("/work/shared/devset")

# ---------------------------------------------------------------------------
# Titles: (text, expected title)
TITLES = [
    pytest.param(
        "蚌埠市一季度新签约项目四十个\n\n今年一季度，全市签约项目40个。",
        "蚌埠市一季度新签约项目四十个",
        id="plain-headline",
    ),
    pytest.param(
        "芜湖签约项目32个 总投资超百亿元\n正文。",
        "芜湖签约项目32个 总投资超百亿元",
        id="headline-with-space",
    ),
    pytest.param(
        "首页 > 新闻中心 > 部门动态\n\n六安市招商引资再创佳绩\n正文。",
        "六安市招商引资再创佳绩",
        id="after-breadcrumb",
    ),
    pytest.param(
        "您的位置：首页\n黄山市重点项目集中签约\n正文。",
        "黄山市重点项目集中签约",
        id="after-position-label",
    ),
    pytest.param(
        "2022年，全县新引进亿元以上项目二十个，同比增长15%。\n下一段。",
        None,
        id="neg-paragraph-first",
    ),
    pytest.param("主持人：\n各位记者朋友，大家好。", None, id="neg-speaker-turn"),
    pytest.param("发布时间：2023-05-06 10:00\n正文。", None, id="neg-metadata-line"),
    pytest.param("——访市商务局党组书记、局长陈某\n正文。", None, id="neg-subtitle"),
    pytest.param("本报讯 2023年5月6日，全市召开大会\n正文。", None, id="neg-dateline"),
    pytest.param("", None, id="neg-empty"),
]


@pytest.mark.parametrize(("text", "expected"), TITLES)
def test_title(text: str, expected: str | None) -> None:
    assert extract_metadata(text).title == expected


# ---------------------------------------------------------------------------
# Publication dates: (text, published, inferred, surface at published_span)
PUBLISHED = [
    pytest.param(
        "某市项目签约\n发布时间:2021-03-15 10:20 点击数:\n正文。",
        date(2021, 3, 15),
        False,
        "2021-03-15",
        id="label-iso-time",
    ),
    pytest.param(
        "标题一则\n发布日期：2022年11月3日\n正文。",
        date(2022, 11, 3),
        False,
        "2022年11月3日",
        id="label-chinese-date",
    ),
    pytest.param(
        "标题一则\n日期：2024/2/29\n正文。",
        date(2024, 2, 29),
        False,
        "2024/2/29",
        id="head-label-leap-day",
    ),
    pytest.param(
        "标题一则\n2023-08-15 09:30　来源：六安市商务局\n正文。",
        date(2023, 8, 15),
        False,
        "2023-08-15",
        id="header-line-date",
    ),
    pytest.param(
        "标题一则\n本报讯（记者 李明）2023年4月12日，全市召开招商大会。",
        date(2023, 4, 12),
        False,
        "2023年4月12日",
        id="dateline-bao-xun",
    ),
    pytest.param(
        "标题一则\n新华社合肥2024年3月5日电 今年以来，全省引资加快。",
        date(2024, 3, 5),
        False,
        "2024年3月5日",
        id="dateline-dian",
    ),
    pytest.param(
        "答复函\n\n感谢您的建议。\n\n亳州市商务局\n2021年12月30日",
        date(2021, 12, 30),
        False,
        "2021年12月30日",
        id="signature-date",
    ),
    pytest.param(
        "答复函\n\n感谢支持。\n\n池州市人民政府办公室\n二〇二三年十二月五日",
        date(2023, 12, 5),
        False,
        "二〇二三年十二月五日",
        id="signature-chinese-numerals",
    ),
    pytest.param(
        "答复函\n\n感谢支持。\n\n滁州市商务局\n202339",
        date(2023, 3, 9),
        False,
        "202339",
        id="signature-damaged-yyyymd",
    ),
    pytest.param(
        "答复函\n\n感谢支持。\n\n宿州市投资促进中心\n2021816",
        date(2021, 8, 16),
        False,
        "2021816",
        id="signature-damaged-unique-7-digits",
    ),
    pytest.param(
        "答复函\n\n感谢支持。\n\n宿州市投资促进中心\n20210805",
        date(2021, 8, 5),
        False,
        "20210805",
        id="signature-damaged-yyyymmdd",
    ),
    pytest.param(
        "标题一则\n项目于2022年3月1日开工，2022年9月30日竣工。",
        date(2022, 9, 30),
        True,
        "2022年9月30日",
        id="inferred-latest",
    ),
    pytest.param(
        "标题一则\n活动时间：2023年5月20日\n签约12个项目。",
        date(2023, 5, 20),
        True,
        "2023年5月20日",
        id="inferred-not-a-bare-label",
    ),
    pytest.param(
        "某县答复\n发布时间：2023-01-10\n将于2023年2月1日召开。\n\n某县商务局\n2023年1月5日",
        date(2023, 1, 10),
        False,
        "2023-01-10",
        id="label-beats-signature-and-body",
    ),
    # negatives: no full date gives None, never today's date
    pytest.param(
        "标题一则\n新华社合肥3月5日电 全省引资加快。",
        None,
        False,
        None,
        id="neg-dateline-month-day",
    ),
    pytest.param("标题一则\n2023年5月，全市签约项目18个。", None, False, None, id="neg-month-only"),
    pytest.param(
        "标题一则\n据报告，2023年2月30日数据有误。", None, False, None, id="neg-invalid-day"
    ),
    pytest.param(
        "答复函\n\n感谢支持。\n\n宿州市投资促进中心\n2021125",
        None,
        False,
        None,
        id="neg-signature-ambiguous-digits",
    ),
    pytest.param(
        "答复函\n\n宿州市投资促进中心\n202339\n联系电话：0557-1234567",
        None,
        False,
        None,
        id="neg-damaged-not-last-line",
    ),
    pytest.param(
        "标题一则\n项目编号20230508，总投资3.5亿元。", None, False, None, id="neg-digits-in-body"
    ),
    pytest.param(
        "标题一则\n2023-2025年累计投资120.5亿元。", None, False, None, id="neg-year-range"
    ),
    pytest.param("", None, False, None, id="neg-empty"),
]


@pytest.mark.parametrize(("text", "published", "inferred", "surface"), PUBLISHED)
def test_published(text: str, published: date | None, inferred: bool, surface: str | None) -> None:
    found = extract_metadata(text)
    assert (found.published, found.published_inferred) == (published, inferred)
    if surface is None:
        assert found.published_span is None
    else:
        assert found.published_span is not None
        assert text[slice(*found.published_span)] == surface


# ---------------------------------------------------------------------------
# Source organisations: (text, source_org)
SOURCES = [
    pytest.param(
        "标题一则\n信息来源：淮北市商务局　发布时间：2023-05-06\n正文。",
        "淮北市商务局",
        id="info-source-label",
    ),
    pytest.param(
        "标题一则\n发布时间:2023-05-06 来源:某市政府办公室点击数:12\n正文。",
        "某市政府办公室",
        id="label-run-into-counter",
    ),
    pytest.param(
        "标题一则\n正文。\n（来源：皖北日报）", "皖北日报", id="source-at-end-in-brackets"
    ),
    pytest.param(
        "标题一则\n信息来源：市投资促进局\n正文。\n\n铜陵市投资促进局\n2023年7月1日",
        "铜陵市投资促进局",
        id="signature-expands-short-label",
    ),
    pytest.param(
        "标题一则\n正文。\n\n马鞍山市发展和改革委员会",
        "马鞍山市发展和改革委员会",
        id="signature-without-date",
    ),
    pytest.param(
        "答复\n正文。\n\n亳州市商务局\n2021年12月30日\n（联系人：王某）",
        "亳州市商务局",
        id="signature-before-contact",
    ),
    # negatives
    pytest.param(
        "标题一则\n从资金来源看，外资占三成。\n资金来源：企业自筹", None, id="neg-funds-source"
    ),
    pytest.param("标题一则\n正文。\n谢谢大家！", None, id="neg-closing-words"),
    pytest.param("标题一则\n正文说明招商工作中心任务。", None, id="neg-sentence-ending-in-suffix"),
]


@pytest.mark.parametrize(("text", "source_org"), SOURCES)
def test_source_org(text: str, source_org: str | None) -> None:
    assert extract_metadata(text).source_org == source_org


# ---------------------------------------------------------------------------
URLS = [
    pytest.param(
        "http://www.example.gov.cn/xwzx/2024-10/21/content_5512.htm",
        date(2024, 10, 21),
        id="year-month-slash-day",
    ),
    pytest.param(
        "https://example.gov.cn/zwgk/202410/t20241021_998.html", date(2024, 10, 21), id="t-yyyymmdd"
    ),
    pytest.param(
        "http://example.gov.cn/art/2023/5/22/art_1229_590.html", date(2023, 5, 22), id="art-y-m-d"
    ),
    pytest.param(
        "http://example.gov.cn/c19462/20240206/i2218634.html",
        date(2024, 2, 6),
        id="yyyymmdd-segment",
    ),
    pytest.param("http://example.gov.cn/html/1/2/12/7/11617896.html", None, id="neg-small-numbers"),
    pytest.param(
        "http://example.gov.cn/html/ASSZF/202309/0169391862710534.html", None, id="neg-month-only"
    ),
    pytest.param("http://example.gov.cn/info/1036/284517.htm", None, id="neg-ids"),
    pytest.param("http://example.gov.cn/zwgk/202313/t20231345_1.html", None, id="neg-invalid-date"),
    pytest.param("", None, id="neg-empty"),
]


@pytest.mark.parametrize(("url", "expected"), URLS)
def test_published_from_url(url: str, expected: date | None) -> None:
    assert published_from_url(url) == expected


DATE_VALUES = [
    pytest.param("2022-06-20", date(2022, 6, 20), id="iso"),
    pytest.param("2022-06-20 16:27", date(2022, 6, 20), id="iso-time"),
    pytest.param("2022-06-20T16:27:00+08:00", date(2022, 6, 20), id="iso-t-zone"),
    pytest.param("2022/6/20", date(2022, 6, 20), id="slashes"),
    pytest.param("2022年6月20日", date(2022, 6, 20), id="chinese"),
    pytest.param("２０２２年６月２０日", date(2022, 6, 20), id="full-width"),
    pytest.param("20220620", date(2022, 6, 20), id="compact"),
    pytest.param(date(2021, 1, 2), date(2021, 1, 2), id="date-object"),
    pytest.param(datetime(2021, 1, 2, 8, 30), date(2021, 1, 2), id="datetime-object"),
    pytest.param("2022-02-30", None, id="neg-invalid"),
    pytest.param("June 2022", None, id="neg-words"),
    pytest.param("", None, id="neg-empty"),
    pytest.param(None, None, id="neg-none"),
    pytest.param(20220620, None, id="neg-int"),
]


@pytest.mark.parametrize(("value", "expected"), DATE_VALUES)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


# ---------------------------------------------------------------------------
# Regression cases from the bundled samples (raw text: 001 and 002 are already
# Simplified with half-width digits, so their normalized text is the same here).
def test_sample_001() -> None:
    found = extract_metadata((CORPUS / "001_b4a38f34b9bab76d.txt").read_text(encoding="utf-8"))
    assert found == Metadata(
        title="淮南市招商服务中心聚焦产业转型加大招商力度新闻发布会召开",
        published=date(2020, 9, 23),
        published_inferred=False,
        source_org="淮南市人民政府办公室",
        published_span=(35, 45),
    )


def test_sample_002_publication_not_reply_date() -> None:
    found = extract_metadata((CORPUS / "002_2abdf53516f4d64d.txt").read_text(encoding="utf-8"))
    assert (found.published, found.published_inferred) == (date(2022, 6, 20), False)
    assert found.source_org == "淮北市投资促进中心"  # signature expands 信息来源: 市投资促进中心


@pytest.mark.skipif(not DEVSET.exists(), reason="development set not available")
def test_devset_signature_and_url_dates() -> None:
    pages = {}
    for line in (DEVSET / "docs.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        pages[row["id"]] = row
    gold = {}
    for line in (DEVSET / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold.setdefault(row["doc_id"], row["published"])
    d006 = extract_metadata((DEVSET / "docs" / "d006.txt").read_text(encoding="utf-8"))
    assert (d006.published, d006.published_inferred) == (date.fromisoformat(gold["d006"]), False)
    assert d006.source_org == "襄阳市商务局"
    assert published_from_url(pages["d018"]["url"]) == date.fromisoformat(gold["d018"])
    # every dated URL of the dev set agrees with its page's date
    for doc_id, page in pages.items():
        if page["url"] and page["published"] and (found := published_from_url(page["url"])):
            assert found.isoformat() == page["published"], doc_id


# ---------------------------------------------------------------------------
@given(
    st.text(
        alphabet=st.sampled_from(
            list("发布时间来源日期:：年月日电讯本报局中心市0123456789-/. \n。，")
        ),
        max_size=200,
    )
)
def test_never_raises_and_span_is_a_date(text: str) -> None:
    found = extract_metadata(text)
    if found.published_span is not None:
        a, b = found.published_span
        assert 0 <= a < b <= len(text)
        assert found.published is not None
