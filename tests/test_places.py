"""Document city and area, and each mention's city, area and source region."""
# ruff: noqa: E501  (tables of Chinese sentences: one case per line reads best)

import dataclasses
from pathlib import Path

import pytest
from govfacts.pipeline.normalize import normalize
from govfacts.pipeline.places import DocPlace, document_city, mention_place
from govfacts.pipeline.records import DocError, Document, Mention, RawDocument
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]


def _doc(
    text: str, *, city: str | None = None, title: str | None = None, org: str | None = None
) -> Document:
    raw = RawDocument(doc_id="t", text=text, source="test", title=title, city=city, source_org=org)
    return normalize(raw)


def _mention(doc: Document, surface: str, kind: str = "count", nth: int = 0) -> Mention:
    pos = -1
    for _ in range(nth + 1):
        pos = doc.text.index(surface, pos + 1)
    return Mention(
        doc.doc_id, kind, surface, None, None, char_start=pos, char_end=pos + len(surface)
    )  # type: ignore[arg-type]


# ---------------------------------------------------------------- mention_place: hand-written sentences
# (manifest city, title, body, mention surface, kind, occurrence, expected (city, area, source_region))
# fmt: off
HB, AQ, FY = "淮北市", "安庆市", "阜阳市"
MENTION_CASES = [
    # the document's own city, city-level
    ("home_marker", HB, None, "今年1-9月，全市新签约亿元以上项目128个。", "128个", "count", 0, (HB, None, None)),
    ("no_place", HB, None, "各县区累计签约项目60个，总投资214亿元。", "214亿元", "amount", 0, (HB, None, None)),
    ("our_city_after_other", HB, None, "南京市实际利用外资增长4.2%，我市增长6.8%。", "6.8%", "growth", 0, (HB, None, None)),
    # a county or zone of the city
    ("county_prev_clause", HB, None, "濉溪县新签约项目36个，总投资88.2亿元。", "88.2亿元", "amount", 0, (HB, "濉溪县", None)),
    ("district_rank", HB, None, "相山区到位资金42.6亿元，居全市第一。", "42.6亿元", "amount", 0, (HB, "相山区", None)),
    ("zone_as_written", HB, None, "杜集经济开发区新签约项目14个。", "14个", "count", 0, (HB, "杜集经济开发区", None)),
    ("zone_short_form", HB, None, "杜集经开区新签约项目14个。", "14个", "count", 0, (HB, "杜集经开区", None)),
    ("each_first", HB, None, "杜集经开区、烈山区引进亿元以上项目分别为11个和8个。", "11个", "count", 0, (HB, "杜集经开区", None)),
    ("each_second", HB, None, "杜集经开区、烈山区引进亿元以上项目分别为11个和8个。", "8个", "count", 0, (HB, "烈山区", None)),
    ("each_shared_threshold", HB, None, "杜集经开区、烈山区引进亿元以上项目分别为11个和8个。", "亿元", "amount", 0, (HB, None, None)),
    ("project_modifier", HB, None, "总投资30亿元的濉溪铝基新材料产业园项目于3月开工。", "30亿元", "amount", 0, (HB, "濉溪县", None)),
    ("locative_in_city", HB, None, "11月8日，淮北某新能源项目在烈山区竣工投产。", "11月8日", "date", 0, (HB, "烈山区", None)),
    ("two_units_listed", HB, None, "在濉溪县、相山区规划建设标准化厂房45万平方米。", "45万平方米", "count", 0, (HB, None, None)),
    ("short_county_name", HB, None, "濉溪今年新开工亿元以上项目19个。", "19个", "count", 0, (HB, "濉溪县", None)),
    # destinations, venues and sources never move the fact
    ("destination_list", HB, None, "市领导率队赴北京、上海、苏州开展招商活动12次。", "12次", "count", 0, (HB, None, None)),
    ("stationed_in", HB, None, "驻上海招商组今年对接企业85家。", "85家", "count", 0, (HB, None, None)),
    ("venue_held", HB, None, "淮北市投资推介会在上海举行，现场签约项目9个。", "9个", "count", 0, (HB, None, None)),
    ("venue_set_up", HB, None, "我们在深圳、东莞常设招商小分队3支。", "3支", "count", 0, (HB, None, None)),
    ("source_abbrev_run", HB, None, "来自沪苏浙的项目47个，占新签约项目的三成。", "47个", "count", 0, (HB, None, "沪苏浙")),
    ("source_region_no_cue", HB, None, "新签约珠三角地区产业项目19个，总投资超过35亿元。", "19个", "count", 0, (HB, None, "珠三角")),
    ("region_at_head", HB, None, "长三角地区项目占新签约项目的41.5%。", "41.5%", "share", 0, (HB, None, "长三角")),
    ("source_carried", HB, None, "引进长三角地区项目23个，到位资金61.4亿元。", "61.4亿元", "amount", 0, (HB, None, "长三角")),
    ("partner_city", HB, None, "与深圳企业签约项目6个。", "6个", "count", 0, (HB, None, "深圳")),
    ("investor_at_head", HB, None, "上海企业在我市投资项目15个。", "15个", "count", 0, (HB, None, "上海")),
    ("source_and_locative", HB, None, "由台湾企业投资2亿美元的显示面板项目落户濉溪。", "2亿美元", "amount", 0, (HB, "濉溪县", "台湾")),
    ("event_name_dot", HB, None, "“淮北·长三角产业对接会”签约项目16个。", "16个", "count", 0, (HB, None, None)),
    ("name_in_brackets", HB, None, "在2024中国（相山）新材料论坛上签约项目10个。", "10个", "count", 0, (HB, None, None)),
    ("venue_in_city_date", HB, None, "3月5日，集中开工仪式在濉溪县主会场举行，全市开工项目48个。", "3月5日", "date", 0, (HB, None, None)),
    # a figure that really measures another place
    ("other_city_subject", HB, None, "据统计，合肥去年实际使用外资38.5亿美元。", "38.5亿美元", "amount", 0, ("合肥市", None, None)),
    ("other_city_date_stays", HB, None, "据统计，合肥去年实际使用外资38.5亿美元。", "去年", "date", 0, (HB, None, None)),
    ("other_city_before_ours", HB, None, "南京市实际利用外资增长4.2%，我市增长6.8%。", "4.2%", "growth", 0, ("南京市", None, None)),
    ("other_city_firms_counted", HB, None, "据了解，杭州企业数量超过9000家。", "9000家", "count", 0, ("杭州市", None, None)),
    ("other_city_firms_invest", HB, None, "北京企业投资12亿元建设数据中心。", "12亿元", "amount", 0, (HB, None, "北京")),
    ("other_city_firms_after_de", HB, None, "新引进的上海企业21家。", "21家", "count", 0, (HB, None, "上海")),
    ("other_county_level_city", HB, None, "昆山市上半年新设外资企业120家。", "120家", "count", 0, ("苏州市", "昆山市", None)),
    # carrying: 其中, a bare time clause, the paragraph's opener
    ("continue_qizhong", FY, None, "颍上县签约项目11个，总投资52亿元。其中，工业项目8个。", "8个", "count", 0, (FY, "颍上县", None)),
    ("bare_time_clause", FY, None, "上半年，界首市新签约项目27个。", "上半年", "date", 0, (FY, "界首市", None)),
    ("paragraph_opener", FY, None, "太和县签约项目11个。5月签约的医药产业园项目总投资20亿元。", "20亿元", "amount", 0, (FY, "太和县", None)),
    ("new_paragraph_resets", FY, None, "太和县签约项目11个。\n\n5月签约的医药产业园项目总投资20亿元。", "20亿元", "amount", 0, (FY, None, None)),
    # script and county-level cities of the home city
    ("traditional_source", AQ, None, "來自長三角地區的項目30個，占比過半。", "30个", "count", 0, (AQ, None, "长三角")),
    ("county_level_city_of_home", AQ, None, "桐城市新签约项目17个。", "17个", "count", 0, (AQ, "桐城市", None)),
]
# fmt: on


@pytest.mark.parametrize(
    "city,title,body,surface,kind,nth,expected",
    [c[1:] for c in MENTION_CASES],
    ids=[c[0] for c in MENTION_CASES],
)
def test_mention_place(city, title, body, surface, kind, nth, expected):
    doc = _doc(body, city=city, title=title)
    assert mention_place(doc, _mention(doc, surface, kind, nth), document_city(doc)) == expected


# Documents about one county or zone: its figures carry the area; the city itself stays city-level.
# fmt: off
KQ = ("绍兴市", "柯桥区")
AREA_DOC_CASES = [
    ("area_home_marker", "柯桥区上半年招商引资稳中有进", "全区新签约项目58个。", "58个", "count", (*KQ, None)),
    ("area_city_level_figure", "柯桥区上半年招商引资稳中有进", "去年，绍兴市实际使用外资12.3亿美元。", "12.3亿美元", "amount", ("绍兴市", None, None)),
    ("area_date_keeps_area", "柯桥区上半年招商引资稳中有进", "去年，绍兴市实际使用外资12.3亿美元。", "去年", "date", (*KQ, None)),
    ("area_short_name", "柯桥区上半年招商引资稳中有进", "柯桥将在深圳设立招商联络处2个。", "2个", "count", (*KQ, None)),
    ("area_denominator", "柯桥区上半年招商引资稳中有进", "柯桥区签约项目52个，占全市的31.5%。", "31.5%", "share", (*KQ, None)),
    ("zone_generic_word", "仲恺高新区2023年招商工作总结", "2024年，高新区力争引进项目100个。", "100个", "count", ("惠州市", "仲恺高新区", None)),
    (
        "zone_written_two_ways",
        "盐城经开区签约韩资项目",
        "盐城经开区今年新引进韩资项目12个。盐城经济技术开发区新签约韩资项目7个。盐城经开区累计引进韩资企业390家。",
        "7个",
        "count",
        ("盐城市", "盐城经开区", None),
    ),
]
# fmt: on


@pytest.mark.parametrize(
    "title,body,surface,kind,expected",
    [c[1:] for c in AREA_DOC_CASES],
    ids=[c[0] for c in AREA_DOC_CASES],
)
def test_mention_place_in_area_documents(title, body, surface, kind, expected):
    doc = _doc(body, title=title)
    assert mention_place(doc, _mention(doc, surface, kind), document_city(doc)) == expected


def test_no_city_known_gives_nothing():
    doc = _doc("全市新签约项目12个。")
    assert mention_place(doc, _mention(doc, "12个"), document_city(doc)) == (None, None, None)


# ---------------------------------------------------------------- document_city
# (id, manifest city, title, source org, body, expected (city, area), evidence prefix)
# fmt: off
DOC_CASES = [
    ("manifest", "淮北市", None, None, "全市新签约项目12个。", ("淮北市", None), "manifest"),
    ("manifest_county_level_city", "昆山市", None, None, "全市新签约项目12个。", ("苏州市", "昆山市"), "manifest"),
    ("source_org", None, None, "阜阳市商务局", "今年以来，全市新签约项目80个。", ("阜阳市", None), "source_org"),
    ("title_county_level_city", None, "界首市一季度招商引资稳中有进", None, "全市新签约项目20个。", ("阜阳市", "界首市"), "title"),
    ("title_zone", None, "宿州经开区举行重点项目集中签约", None, "签约项目12个。", ("宿州市", "宿州经开区"), "title"),
    ("title_city_then_county", None, "绍兴市柯桥区举行招商推介会", None, "签约项目15个。", ("绍兴市", "柯桥区"), "title"),
    ("title_city_level", None, "芜湖市上半年重大项目集中开工", None, "三山经开区开工项目8个。", ("芜湖市", None), "title"),
    ("title_destination_ignored", None, "我市代表团赴深圳开展招商活动", "黄山市投资促进局", "签约项目6个。", ("黄山市", None), "source_org"),
    ("short_abbrev_disambiguated", None, None, None, "今年以来，我市共接待来淮考察客商300批次。濉溪县、相山区新签约项目分别为20个和15个。", ("淮北市", None), "text"),
    ("destinations_do_not_vote", None, None, None, "市领导赴杭州、宁波、温州开展招商。全市签约项目30个，其中怀宁县12个。", ("安庆市", None), "text"),
    ("native_and_merchants", None, None, None, "持续更新安庆籍在外企业家信息库，办好宜商大会。", ("安庆市", None), "text"),
    ("lead_sentence_zone", None, None, None, "今年以来，濉溪经济开发区新签约项目10个。濉溪经济开发区将加快建设。", ("淮北市", "濉溪经济开发区"), "text"),
    ("nothing", None, None, None, "全市新签约项目12个。", (None, None), "none"),
    ("ambiguous_abbrev_alone", None, None, None, "全年接待来淮考察客商120批次。", (None, None), "none"),
]
# fmt: on


@pytest.mark.parametrize(
    "city,title,org,body,expected,evidence",
    [c[1:] for c in DOC_CASES],
    ids=[c[0] for c in DOC_CASES],
)
def test_document_city(city, title, org, body, expected, evidence):
    place = document_city(_doc(body, city=city, title=title, org=org))
    assert (place.city, place.area) == expected
    assert place.evidence.startswith(evidence)


def test_docplace_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DocPlace("淮北市", None, "manifest").city = "淮南市"  # type: ignore[misc]


# ---------------------------------------------------------------- never raises
@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet="全市我赴来自在上海淮北濉溪县区、，。的项目个亿元12分别和其中·（）\n", max_size=60
    )
)
def test_never_raises(body):
    doc = _doc(body + "新签约项目5个。")
    home = document_city(doc)
    city, area, source = mention_place(doc, _mention(doc, "5个"), home)
    assert city is None or city.endswith(("市", "州", "盟", "地区"))


# ---------------------------------------------------------------- accuracy gate (regression on the gold sets)
GATES = [
    ("devset", ROOT / "tests/devset/gold.jsonl", ROOT / "tests/devset/docs"),
    ("samples", ROOT / "tests/gold/samples.jsonl", ROOT / "corpus"),
]


@pytest.mark.parametrize("gold,docs", [g[1:] for g in GATES], ids=[g[0] for g in GATES])
def test_accuracy_gate(gold, docs):
    from govfacts.pipeline.stages import run

    from govfacts.evaluate import evaluate, load_gold, mention_row

    rows = []
    for item in run([docs]):
        if isinstance(item, DocError):
            continue
        home = document_city(item.document)
        for m in item.mentions:
            city, area, source = mention_place(item.document, m, home)
            rows.append(
                mention_row(dataclasses.replace(m, city=city, area=area, source_region=source))
            )
    score = evaluate(load_gold(gold), rows, kinds=("amount", "count", "growth", "share", "date"))
    assert score.accuracy["city"] >= 0.98
    assert score.accuracy["area"] >= 0.95
