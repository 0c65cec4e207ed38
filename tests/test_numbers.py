"""Tests for `govfacts.extractors.numbers`: tables of hand-written cases, then properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
import regex
from govfacts.extractors.numbers import (
    NUMBER_PATTERN,
    NumberSpan,
    find_numbers,
    parse_cheng,
    parse_fraction,
    parse_number,
    to_chinese,
)
from govfacts.lexicons import load_table
from hypothesis import given, settings
from hypothesis import strategies as st

D = Decimal
THIRD = D("0.3333333333333333333333333333")

# ---------------------------------------------------------------------------
# parse_number: whole surfaces.

PARSE_CASES = [
    # Arabic
    ("52.9", D("52.9"), "arabic-decimal"),
    ("1,207.87", D("1207.87"), "arabic-thousands-commas"),
    ("12,345,678", D("12345678"), "arabic-two-comma-groups"),
    ("3000", D("3000"), "arabic-integer"),
    ("-3.17", D("-3.17"), "arabic-minus"),
    ("−4.3", D("-4.3"), "arabic-unicode-minus"),
    ("0.5", D("0.5"), "arabic-leading-zero"),
    ("52.90", D("52.90"), "arabic-keeps-written-precision"),
    # Arabic with a multiplier
    ("3.6万", D("36000"), "mixed-wan"),
    ("0.29亿", D("29000000"), "mixed-exact-no-float"),
    ("3千", D("3000"), "mixed-qian"),
    ("7百", D("700"), "mixed-bai"),
    ("5千万", D("50000000"), "mixed-qianwan"),
    ("1.2万亿", D("1200000000000"), "mixed-wanyi"),
    ("86亿", D("8600000000"), "mixed-yi"),
    ("1,207.87万", D("12078700"), "mixed-commas-wan"),
    ("2.5百万", D("2500000"), "mixed-baiwan"),
    ("1.23456万", D("12345.6"), "mixed-non-integral-result"),
    ("1亿2000万", D("120000000"), "mixed-chain"),
    ("-0.5亿", D("-50000000"), "mixed-minus"),
    # Chinese integers
    ("十", D("10"), "cn-shi"),
    ("一十", D("10"), "cn-yishi"),
    ("十二", D("12"), "cn-shier"),
    ("五十", D("50"), "cn-wushi"),
    ("一百二十三", D("123"), "cn-123"),
    ("一百零五", D("105"), "cn-inner-zero"),
    ("一千零一十", D("1010"), "cn-zero-then-yishi"),
    ("两千", D("2000"), "cn-liang-qian"),
    ("两万", D("20000"), "cn-liang-wan"),
    ("二十八", D("28"), "cn-28"),
    ("一万零五百", D("10500"), "cn-wan-zero"),
    ("三千五百万", D("35000000"), "cn-section-wan"),
    ("四十五亿", D("4500000000"), "cn-yi"),
    ("五亿三千万", D("530000000"), "cn-yi-then-wan"),
    ("一万亿", D("1000000000000"), "cn-wanyi"),
    ("十万", D("100000"), "cn-bare-shi-wan"),
    ("百亿", D("10000000000"), "cn-bare-baiyi"),
    ("千亿", D("100000000000"), "cn-bare-qianyi"),
    ("万亿", D("1000000000000"), "cn-bare-wanyi"),
    ("百", D("100"), "cn-bare-bai"),
    ("亿", D("100000000"), "cn-bare-yi-threshold"),
    ("一百〇五", D("105"), "cn-ling-circle"),
    ("一万五", D("15000"), "cn-colloquial-wan-elision"),
    ("三千五", D("3500"), "cn-colloquial-qian-elision"),
    ("两", D("2"), "cn-liang-alone"),
    ("零", D("0"), "cn-zero"),
    ("壹仟贰佰", D("1200"), "cn-formal-daxie"),
    # Chinese digit strings and decimals
    ("二〇二二", D("2022"), "cn-digit-string-year"),
    ("二零二三", D("2023"), "cn-digit-string-ling"),
    ("一九九八", D("1998"), "cn-digit-string-four"),
    ("零点五", D("0.5"), "cn-decimal-zero"),
    ("三点六", D("3.6"), "cn-decimal"),
    ("十二点零五", D("12.05"), "cn-decimal-after-shi"),
    ("三点六万", D("36000"), "cn-decimal-wan"),
    # fractions and percents
    ("三分之一", THIRD, "fraction-third"),
    ("四分之三", D("0.75"), "fraction-exact"),
    ("十分之一", D("0.1"), "fraction-shifen-is-not-stop"),
    ("千分之五", D("0.005"), "fraction-per-mille"),
    ("百分之五十", D("50"), "percent-is-the-percent"),
    ("百分之三十五点五", D("35.5"), "percent-decimal"),
    ("百分之百", D("100"), "percent-hundred"),
]

PARSE_NONE = [
    (".5", "no-leading-point"),
    ("5.", "no-trailing-point"),
    ("1,2", "comma-not-thousands"),
    ("12,34", "comma-group-of-two"),
    ("1，207", "fullwidth-comma-never"),
    ("+5", "plus-sign"),
    (" 5", "whitespace"),
    ("", "empty"),
    ("廿", "nian-not-supported"),
    ("十余", "qualifier-is-the-callers"),
    ("三成", "cheng-is-parse_cheng"),
    ("一批", "a-batch"),
    ("万万", "wanwan-never"),
    ("亿万", "yiwan"),
    ("三四十", "range-three-four-tens"),
    ("七八", "range-seven-eight"),
    ("一二三", "three-bare-digits"),
    ("十四五", "five-year-plan"),
    ("十两", "liang-as-final-digit"),
    ("三百千", "units-must-fall"),
    ("一百零", "final-zero"),
    ("10亿50亿", "two-yi-blocks"),
    ("3万5", "arabic-after-multiplier-needs-one"),
    ("点五", "no-integer-before-dian"),
    ("三点", "no-digits-after-dian"),
    ("3点5", "arabic-with-dian"),
    ("零分之一", "zero-denominator"),
    ("3分之1", "arabic-fraction"),
    ("-三", "minus-chinese"),
    ("52.9亿元", "unit-is-not-part"),
    ("3千瓦", "kilowatt"),
]


@pytest.mark.parametrize(
    ("surface", "expected"), [c[:2] for c in PARSE_CASES], ids=[c[2] for c in PARSE_CASES]
)
def test_parse_number(surface: str, expected: Decimal) -> None:
    value = parse_number(surface)
    assert value == expected
    assert isinstance(value, Decimal)


@pytest.mark.parametrize(
    "surface",
    [c[0] for c in PARSE_CASES if c[2].startswith("mixed") and c[2] != "mixed-non-integral-result"],
)
def test_multiplied_values_are_reduced_integers(surface: str) -> None:
    """3.6万 is Decimal('36000'), not Decimal('3.60E+4'): same value, same text."""
    value = parse_number(surface)
    assert value is not None and value.as_tuple().exponent == 0


@pytest.mark.parametrize(
    ("surface",), [(c[0],) for c in PARSE_NONE], ids=[c[1] for c in PARSE_NONE]
)
def test_parse_number_rejects(surface: str) -> None:
    assert parse_number(surface) is None


@pytest.mark.xfail(strict=True, reason="Arabic fractions (3分之1) are not in the grammar")
def test_known_arabic_fraction() -> None:
    assert parse_number("3分之1") == THIRD


@pytest.mark.xfail(strict=True, reason="廿 (20) and 卅 (30) are not supported")
def test_known_nian() -> None:
    assert parse_number("廿五") == 25


# ---------------------------------------------------------------------------
# parse_fraction, parse_cheng, to_chinese.

FRACTION_CASES = [
    ("三分之一", (1, 3), "third"),
    ("三分之二", (2, 3), "two-thirds"),
    ("百分之五十", (50, 100), "percent-not-reduced"),
    ("十分之一", (1, 10), "tenth"),
    ("百分之三十五点五", None, "decimal-numerator"),
    ("五十", None, "not-a-fraction"),
    ("3分之1", None, "arabic"),
]


@pytest.mark.parametrize(
    ("surface", "expected"), [c[:2] for c in FRACTION_CASES], ids=[c[2] for c in FRACTION_CASES]
)
def test_parse_fraction(surface: str, expected: tuple[int, int] | None) -> None:
    assert parse_fraction(surface) == expected


CHENG_CASES = [
    ("三成", D("30"), "san"),
    ("七成", D("70"), "qi"),
    ("三成五", D("35"), "san-cheng-wu"),
    ("十成", D("100"), "ten-tenths"),
    ("两成", D("20"), "liang"),
    ("成", None, "bare"),
    ("十一成", None, "above-ten"),
    ("三成两", None, "liang-final"),
    ("一成不变", None, "idiom"),
]


@pytest.mark.parametrize(
    ("surface", "expected"), [c[:2] for c in CHENG_CASES], ids=[c[2] for c in CHENG_CASES]
)
def test_parse_cheng(surface: str, expected: Decimal | None) -> None:
    assert parse_cheng(surface) == expected


TO_CHINESE_CASES = [
    (0, "零"),
    (7, "七"),
    (10, "十"),
    (12, "十二"),
    (20, "二十"),
    (105, "一百零五"),
    (110, "一百一十"),
    (1010, "一千零一十"),
    (20000, "二万"),
    (100010, "十万零一十"),
    (10500, "一万零五百"),
    (35000000, "三千五百万"),
    (100000000, "一亿"),
    (100010000, "一亿零一万"),
    (1000000000000, "一万亿"),
    (1000100000005, "一万零一亿零五"),
]


@pytest.mark.parametrize(
    ("n", "expected"), TO_CHINESE_CASES, ids=[str(n) for n, _ in TO_CHINESE_CASES]
)
def test_to_chinese(n: int, expected: str) -> None:
    assert to_chinese(n) == expected


def test_to_chinese_rejects_negative() -> None:
    with pytest.raises(ValueError):
        to_chinese(-1)


# ---------------------------------------------------------------------------
# find_numbers: running text (sentences written for these tests).

FIND_CASES = [
    (
        "全年签约项目56个，总投资312.5亿元。",
        [("56", D("56")), ("312.5亿", D("31250000000"))],
        "arabic-pair",
    ),
    (
        "利用外资1.35亿美元，同比增长-4.3%。",
        [("1.35亿", D("135000000")), ("-4.3", D("-4.3"))],
        "minus-after-han",
    ),
    (
        "1-9月份引进项目42个",
        [("1", D("1")), ("9", D("9")), ("42", D("42"))],
        "range-dash-is-no-minus",
    ),
    ("合同外资1,024.6万美元", [("1,024.6万", D("10246000"))], "commas-and-wan"),
    ("新引进二十八个项目和两个平台", [("二十八", D("28")), ("两", D("2"))], "chinese-counts"),
    ("十余家企业、千余名人才", [("十", D("10")), ("千", D("1000"))], "qualifier-left-outside"),
    ("超过三分之一以上的企业", [("三分之一", THIRD)], "fraction-longest"),
    ("占比达到百分之二十点五", [("百分之二十点五", D("20.5"))], "percent-words"),
    (
        "二〇二三年完成投资八十六亿元",
        [("二〇二三", D("2023")), ("八十六亿", D("8600000000"))],
        "year-digits",
    ),
    ("装机容量达四十万千瓦", [("四十万", D("400000"))], "kilowatt-not-multiplier"),
    ("新增装机12万千瓦时", [("12万", D("120000"))], "kilowatt-hour-arabic"),
    ("道路全长三千米", [("三", D("3"))], "kilometre-same-value"),
    ("提高了2个百分点", [("2", D("2"))], "percentage-point"),
    (
        "计划投资10亿50亿元以上",
        [("10亿", D("1000000000")), ("50亿", D("5000000000"))],
        "missing-separator-split",
    ),
    ("引进亿元以上项目9个", [("亿", D("100000000")), ("9", D("9"))], "bare-yi-threshold"),
    ("冲刺万亿元级产业集群", [("万亿", D("1000000000000"))], "bare-wanyi"),
    ("这是第四届博览会，第8场发布会", [], "ordinals-dropped"),
    ("一批项目落地，统一部署，万一出现问题", [], "stop-words"),
    ("千方百计稳外资，万众一心促发展", [], "idioms"),
    ("“十四五”时期推进一带一路建设", [], "plan-and-slogan"),
    ("一是强化调度，二是优化服务", [], "list-words-yishi"),
    ("数百家企业参加，十几个团组，几十场活动", [], "vague"),
    ("三四十人参加，七八个部门", [], "ranges"),
    ("长三角地区十分重要，六安市零售额", [], "place-and-words"),
    ("第十一批项目中有十一批已开工", [("十一", D("11"))], "ordinal-vs-count"),
    ("重点工作之一", [], "zhiyi"),
    ("请大家扫一扫，再谈一谈下一步打算", [], "reduplication-and-xiayibu"),
    ("学习党的二十大精神，推进二十大项目", [("二十", D("20"))], "party-congress-vs-count"),
    ("一家企业投资5千万", [("一", D("1")), ("5千万", D("50000000"))], "article-is-kept"),
    ("三季度新签约项目", [("三", D("3"))], "period-word-kept"),
    ("增长一点五倍，达到两点一线", [("一点五", D("1.5"))], "cn-decimal-and-idiom"),
    ("合计1亿2000万元", [("1亿2000万", D("120000000"))], "mixed-chain"),
    ("三点六万平方米", [("三点六万", D("36000"))], "cn-decimal-wan"),
    ("达到0.29亿元", [("0.29亿", D("29000000"))], "exact-small-yi"),
    ("", [], "empty"),
    ("没有数字的句子。", [], "no-numbers"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[:2] for c in FIND_CASES], ids=[c[2] for c in FIND_CASES]
)
def test_find_numbers(text: str, expected: list[tuple[str, Decimal]]) -> None:
    spans = find_numbers(text)
    assert [(s.text, s.value) for s in spans] == expected
    for s in spans:
        assert text[s.char_start : s.char_end] == s.text


def test_find_numbers_record() -> None:
    text = "签约项目三十一个，总投资52.9亿元"
    assert find_numbers(text) == [
        NumberSpan("三十一", D("31"), 4, 7, True),
        NumberSpan("52.9亿", D("5290000000"), 12, 17, False),
    ]


@pytest.mark.xfail(
    strict=True, reason="an ASCII comma between two 3-digit numbers reads as thousands"
)
def test_known_comma_list() -> None:
    assert [s.value for s in find_numbers("分别为120,350家")] == [120, 350]


@pytest.mark.xfail(strict=True, reason="负 as a minus word is not read")
def test_known_fu_minus() -> None:
    assert [s.value for s in find_numbers("增速为负3.2%")] == [D("-3.2")]


@pytest.mark.xfail(
    strict=True, reason="万千 (气象万千) is a stop word, so a bare 万千瓦 loses its 万"
)
def test_known_wan_kilowatt() -> None:
    assert [s.value for s in find_numbers("每万千瓦装机")] == [10000]


# Regression cases derived from the bundled samples (wording kept, marked as such).
SAMPLE_CASES = [
    (
        "在引进投资10亿50亿元及100亿元以上重大项目上",
        ["10亿", "50亿", "100亿"],
        "sample-002-missing-separator",
    ),
    ("引导推动专业招商人员紧紧围绕五群十链深耕", [], "sample-002-slogan"),
    (
        "成功招引5000萬元以上項目10個".replace("萬", "万").replace("項", "项").replace("個", "个"),
        ["5000万", "10"],
        "sample-003-simplified",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[:2] for c in SAMPLE_CASES], ids=[c[2] for c in SAMPLE_CASES]
)
def test_sample_regressions(text: str, expected: list[str]) -> None:
    assert [s.text for s in find_numbers(text)] == expected


# ---------------------------------------------------------------------------
# NUMBER_PATTERN embedded in another pattern, and the lexicon itself.

EMBED_CASES = [
    ("总投资52.9亿元", "52.9亿", "arabic"),
    ("总投资四十五亿元", "四十五亿", "chinese"),
    ("总投资1,207.87万元", "1,207.87万", "commas"),
    ("总投资亿元", "亿", "bare-yi"),
]


@pytest.mark.parametrize(
    ("text", "number"), [c[:2] for c in EMBED_CASES], ids=[c[2] for c in EMBED_CASES]
)
def test_pattern_embeds(text: str, number: str) -> None:
    amount = regex.compile(rf"投资(?P<n>{NUMBER_PATTERN})元", regex.VERBOSE)
    m = amount.search(text)
    assert m is not None and m.group("n") == number


def test_lexicon_stop_words_contain_a_numeral() -> None:
    rows = load_table("numerals.tsv", ("surface", "kind", "value", "note"), key="surface")
    numeral = {r["surface"] for r in rows if r["kind"] in ("digit", "bound_digit", "unit", "group")}
    stops = [r["surface"] for r in rows if r["kind"] == "stop"]
    assert len(stops) > 100
    assert [w for w in stops if not numeral & set(w)] == []


# ---------------------------------------------------------------------------
# Properties.


@settings(max_examples=2000)
@given(st.integers(min_value=0, max_value=10**16 - 1))
def test_chinese_round_trip(n: int) -> None:
    assert parse_number(to_chinese(n)) == n


@given(st.integers(min_value=0, max_value=10**16 - 1))
def test_liang_and_yishi_variants(n: int) -> None:
    text = to_chinese(n)
    if text[0] == "二" and text[1:2] in ("百", "千", "万", "亿"):
        assert parse_number("两" + text[1:]) == n
    if text[0] == "十":
        assert parse_number("一" + text) == n


@given(st.integers(min_value=-(10**20), max_value=10**20))
def test_arabic_integers(n: int) -> None:
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n


@given(
    st.decimals(
        min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False
    )
)
def test_arabic_decimals(d: Decimal) -> None:
    assert parse_number(f"{d}") == d


@given(st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False))
def test_wan(x: Decimal) -> None:
    assert parse_number(f"{x}万") == x * 10000


@given(st.integers(min_value=0, max_value=10**12))
def test_yi(n: int) -> None:
    assert parse_number(f"{n}亿") == n * 10**8
    assert parse_number(f"{n}万亿") == n * 10**12


NUMERAL_TEXT = st.text(
    alphabet=st.sampled_from(
        list("零〇一二两三四五六七八九十百千万亿点分之第数几成批是统瓦米0123456789.,-−%元个 \n")
    ),
    max_size=60,
)


@given(st.one_of(st.text(max_size=60), NUMERAL_TEXT))
def test_find_numbers_never_raises(text: str) -> None:
    spans = find_numbers(text)
    end = 0
    for s in spans:
        assert text[s.char_start : s.char_end] == s.text
        assert s.char_start >= end  # left to right, no overlaps
        end = s.char_end
        assert parse_number(s.text) == s.value


@given(st.one_of(st.text(max_size=30), NUMERAL_TEXT))
def test_parse_number_never_raises(text: str) -> None:
    value = parse_number(text)
    assert value is None or isinstance(value, Decimal)
