"""The normalization stage on the sample corpus: hand-written expectations (issue 2).

The two Traditional samples come out Simplified with no pinyin gloss left; the
three Simplified ones change only by the listed repairs: every character kept
is the original's, and what is removed is exactly the page debris below.
"""

from pathlib import Path

import opencc
import pytest
import regex
from govfacts.pipeline.normalize import detect_script, normalize, normalize_text
from govfacts.pipeline.read import iter_documents

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
GLOSS = regex.compile(r"\p{Han}\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńň]+\)")


def _doc(prefix: str):
    raw = next(d for d in iter_documents([CORPUS]) if d.doc_id.startswith(prefix))
    return raw, normalize(raw)


# Sentences of the Traditional samples as they must read after normalization.
TRADITIONAL = [
    ("003", "去年,濉溪经济开发区始终坚持“干”字为先,迎难而上,负重前行,艰苦奋斗"),
    ("003", "成功招引5000万元以上项目10个,完成招商引资固投17.89亿元,利用省外资金50.23亿元、外资9000万美元。"),
    ("003", "力争引进亿元以上项目37个、10亿元以上大项目5个,50亿元以上大项目1个,新开工工业项目42个、竣工投产工业项目38个,利用省外资金110亿元"),
    ("003", "持续对接无锡银邦、上海永茂泰、杭州永杰、南通恒秀等25个优质项目"),
    ("004", "——专访市投资促进局党组书记、局长王楚"),
    ("004", "春潮涌动处，奋进正当时。"),  # `,,` and `,。` repaired
    ("004", "2025年是全市‘冲百"),  # the year's lost lead digit restored
    ("004", "王楚表示，要深耕产业链精准招商"),
    ("004", "引导督促全市42支县干招商组开展各类型“走出去、请进来”招商活动"),
    ("004", "确保全年新签约亿元以上项目530个，力争30亿元以上工业项目实现县(市、区)全覆盖"),
]


@pytest.mark.parametrize("prefix,sentence", TRADITIONAL, ids=[f"{p}-{i}" for i, (p, _) in enumerate(TRADITIONAL)])
def test_traditional_samples_read_as_expected(prefix, sentence):
    _, doc = _doc(prefix)
    assert sentence in doc.text


@pytest.mark.parametrize("prefix", ["003", "004"])
def test_traditional_samples_leave_no_gloss_and_no_traditional_character(prefix):
    raw, doc = _doc(prefix)
    assert detect_script(raw.text) == "traditional" and doc.script == "traditional"
    assert GLOSS.search(raw.text) and not GLOSS.search(doc.text)
    assert opencc.OpenCC("t2s.json").convert(doc.text) == doc.text


def test_mojibake_left_in_sample_004_is_marked_or_the_one_known_run():
    _, doc = _doc("004")
    # Lost characters are marked U+FFFD; the one run that cannot be re-decoded
    # with confidence (动能?!比涨?, was 动能。”日前，) is left as it came.
    assert regex.findall(r".{2}\?.{2}", doc.text, overlapped=True) == ["动能?!比", "比涨?,市"]
    assert doc.text.count("\ufffd") == 22


# What the Simplified samples lose: page debris, and nothing else.
REMOVED = {
    "000": ["学报告 强担当 话发展\n\n淮北市传媒中心 淮北日报 讲文明树新风 公益广告\n\n爱 护 环 境\n\n垃圾分类 变废为宝\n\n"
            "垃圾分一分 环境美十分 一起维护我们赖以生存的地球吧~"],
    "001": ["点击数:", "【字体:", "扫一扫在手机打开当前页"],
    "002": ["浏览次数:", "字号:"],
}


@pytest.mark.parametrize("prefix", sorted(REMOVED))
def test_simplified_samples_change_only_by_the_listed_repairs(prefix):
    raw, doc = _doc(prefix)
    assert doc.script == "simplified"
    a = doc.aligned
    kept = set()
    for i, ch in enumerate(doc.text):
        kept.update(range(a.starts[i], a.ends[i]))
        if not ch.isspace():
            assert raw.text[a.starts[i] : a.ends[i]] == ch  # every kept character is the original's
    removed = "".join(c if i not in kept else "\0" for i, c in enumerate(raw.text))
    assert [p.strip() for p in removed.split("\0") if p.strip()] == REMOVED[prefix]


def test_simplified_text_passes_through_unchanged():
    text = "今年以来，全市新签约项目137个，总投资305.94亿元。"
    aligned, script, repairs = normalize_text(text)
    assert (aligned.text, script, repairs) == (text, "simplified", ())


def test_sample_000_broken_lines_are_joined_and_caption_kept():
    _, doc = _doc("000")
    assert "全力推动招商引资工作出新出彩" in doc.text
    assert "开年首会将招商引资工作纳入" in doc.text
    assert "王莉在接受市传媒中心记者专访。" in doc.text  # the caption, as its own paragraph


def test_t2s_changes_lexicon_matches_opencc_dictionaries(dev_tool):
    # lexicons/t2s_changes.txt lets detect_script skip OpenCC on Simplified text;
    # rebuilding it from the installed OpenCC dictionaries must give the same file.
    from govfacts.lexicons import read_text
    from govfacts.pipeline.normalize import T2S_CHANGES

    assert read_text(T2S_CHANGES) == dev_tool("build_t2s_changes").build()


def test_t2s_leaves_text_without_a_listed_character_unchanged(dev_tool):
    # What the skip relies on, checked on the converter itself: every Han character
    # outside the list, side by side, converts to itself; and each listed character
    # is one t2s changes alone or a character of a phrase its dictionaries convert.
    from govfacts.lexicons import load_list
    from govfacts.pipeline.han import han_code_points
    from govfacts.pipeline.normalize import T2S_CHANGES
    from govfacts.pipeline.script import t2s

    listed = set(load_list(T2S_CHANGES))
    rest = "".join(chr(cp) for cp in han_code_points() if chr(cp) not in listed)
    assert t2s().convert(rest) == rest
    assert t2s().convert(rest[::-1]) == rest[::-1]
    phrase_chars = {ch for key, _ in dev_tool("build_t2s_changes").conversions() if len(key) > 1 for ch in key}
    assert {ch for ch in listed if t2s().convert(ch) == ch} <= phrase_chars


def test_detect_script_skips_opencc_only_when_it_would_change_nothing():
    assert detect_script("2023年全市签约项目48个。") == "simplified"
    assert detect_script("") == "simplified"
    assert detect_script("2023年全市簽約項目48個。") == "traditional"
