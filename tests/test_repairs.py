"""The text repairs of the normalization stage: exact tables, offset invariants, samples."""

from pathlib import Path

import pytest
import regex
from govfacts.pipeline.aligned import AlignedText
from govfacts.pipeline.repairs import (
    cjk_punctuation,
    is_pinyin_syllable,
    join_broken_lines,
    remove_pinyin_glosses,
    remove_spaces_in_numbers,
    repair_punctuation,
    strip_boilerplate,
    to_halfwidth,
)
from hypothesis import given, settings
from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

# Each table: (id, input, expected); expected None means "unchanged, same object".
BOILERPLATE = [
    (
        "font-print-close",
        "市政府召开常务会议\n【字体：大 中 小】【打印】【关闭】\n会议指出，要抓好项目建设。",
        "市政府召开常务会议\n会议指出，要抓好项目建设。",
    ),
    (
        "metadata-hits",
        "发布时间：2023-05-12 09:30 点击数：1523 来源：市发改委\n正文",
        "发布时间：2023-05-12 09:30 来源：市发改委\n正文",
    ),
    (
        "metadata-traditional",
        "來源：縣政府辦公室 瀏覽次數：88 字號：大 中 小\n正文",
        "來源：縣政府辦公室\n正文",
    ),
    ("qr-code", "正文第一段。\n扫一扫在手机打开当前页", "正文第一段。\n"),
    (
        "footer",
        "正文。\n版权所有：某某市人民政府 网站标识码：3406000001\n皖ICP备05001234号",
        "正文。\n",
    ),
    ("breadcrumb-label", "当前位置：首页 > 新闻中心 > 政务要闻\n标题", "标题"),
    ("breadcrumb", "首页 > 政务公开 > 通知公告\n标题", "标题"),
    ("keywords-editor", "正文。\n关键词：招商引资 项目建设\n责任编辑：李明", "正文。\n"),
    ("keywords-glossed", "正文。\n關(guān)鍵詞: 招商引資 項目", "正文。\n"),
    (
        "advert-and-slogans",
        "正文。\n\n文明城市 人人共建\n\n某某日报 公益广告\n\n爱护环境\n保护环境！\n\n"
        "下一篇正文，今年签约12个项目。",
        "正文。\n\n\n\n\n下一篇正文，今年签约12个项目。",
    ),
    (
        "share-line",
        "分享到：\n今年以来，全市打印机产量增长12%。",
        "今年以来，全市打印机产量增长12%。",
    ),
    ("keep-content-with-cue-word", "今年全市新签约项目120个，其中收藏品产业项目3个。", None),
    ("keep-sentence-after-editor-label", "编辑：通过深入调研，我们发现全市共有企业3200家。", None),
    ("keep-event-organisers", "主办：市商务局\n承办：各县区", None),
    ("keep-keyword-sentence", "关键词是发展，今年全市投资增长8.5%。", None),
    ("keep-metadata-without-debris", "发布时间：2023-05-12 来源：市政府", None),
]

PINYIN = [
    ("traditional-glosses", "經(jīng)濟(jì)開(kāi)發(fā)區(qū)", "經濟開發區"),
    ("umlaut", "綠(lǜ)色發(fā)展", "綠色發展"),
    ("fullwidth-bracket", "項(xiàng)目（mù）", "項目"),
    ("toneless", "站(zhan)前", "站前"),
    ("lost-character", "\ufffd(shuō)，", "\ufffd，"),
    ("document-number", "(淮发〔2020〕7号)", None),
    ("chinese-bracket", "县区(园区)", None),
    ("rank", "副县级(含职级调研员)", None),
    ("english-name", "苹果(Apple)公司", None),
    ("acronym", "生产总值(GDP)", None),
    ("list-number", "措施(1)", None),
    ("unit-abbreviation", "面积(ha)", None),
    ("english-word", "英语(english)", None),
    ("after-latin", "a(jīng)", None),
]

PUNCTUATION = [
    ("double-comma", "春潮涌动处,,奋进正当时,。", "春潮涌动处，奋进正当时。"),
    ("comma-enumeration", "不畏难,、一起拼，，冲百强", "不畏难、一起拼，冲百强"),
    ("double-enumeration", "增长、、提升", "增长、提升"),
    ("comma-after-period", "发展。,下一步", "发展。下一步"),
    ("opening-quote", "他说：?今年签约10个。”", "他说：“今年签约10个。”"),
    (
        "opening-quote-after-comma",
        "要深化基金招商，?以投促引”作用",
        "要深化基金招商，“以投促引”作用",
    ),
    ("stray-after-period", "好。?", "好。\ufffd"),
    ("thousands", "总投资1,207.87亿元", None),
    ("doubled-comma-in-number", "收入1,,207元", None),
    ("question-before-quote", "你好吗?“很好。”", None),
    ("question-ascii", "真的吗?他问。", None),
    ("half-semicolon-left-to-cjk", "结合实际;贯彻", None),
]

CJK_PUNCTUATION = [
    ("comma-exclamation", "各位记者,大家好!", "各位记者，大家好！"),
    ("colon-before-date", "发布时间:2020-09-23 19:42", "发布时间：2020-09-23 19:42"),
    ("brackets", "淮发(淮发〔2020〕7号)文件", "淮发（淮发〔2020〕7号）文件"),
    ("digit-then-han", "共8,其中工业5个", "共8，其中工业5个"),
    ("after-percent", "增长5%,比上年", "增长5%，比上年"),
    ("question", "你来吗?", "你来吗？"),
    ("semicolon", "市委;市政府", "市委；市政府"),
    ("thousands", "总投资1,207.87亿元", None),
    ("latin-brackets", "措施(1)和(GDP)", None),
    ("latin", "Hello, world", None),
    ("time", "19:42", None),
]

HALFWIDTH = [
    ("percent", "１２．５％", "12.5%"),
    ("thousands", "１，２０７．８７亿元", "1,207.87亿元"),
    ("minus", "同比增长－３．２％", "同比增长-3.2%"),
    ("letters", "ＧＤＰ增长", "GDP增长"),
    ("plus", "＋５％", "+5%"),
    ("not-thousands", "１２，３４", "12，34"),
    ("list", "第１，２项", "第1，2项"),
    ("cjk-punctuation-stays", "（一）项目：１２个；", "（一）项目：12个；"),
    ("plain-chinese", "你好，世界。", None),
    ("plain-punctuation", "已经。，（注）", None),
]

SPACES = [
    ("amount", "36.8 亿元", "36.8亿元"),
    ("count", "57 个", "57个"),
    ("month-range", "1—11 月份", "1—11月份"),
    ("thousands", "1 204.5亿元", "1204.5亿元"),
    ("spaced-decimal", "12 . 5 %", "12.5%"),
    ("ideographic-space", "57\u3000个", "57个"),
    ("nbsp", "36.8\u00a0亿元", "36.8亿元"),
    ("range-with-zhi", "1 至 3 月", "1至3月"),
    ("groups", "3 000 000 元", "3000000元"),
    ("two-numbers", "2022年 3个", None),
    ("list-item", "1. 2022年", None),
    ("year-then-count", "2022 300个", None),
    ("no-unit", "编号 12 34", None),
    ("word-before", "共 12个项目", None),
]


def _run(fn, text, expected):
    t = AlignedText.of(text)
    out = fn(t)
    if expected is None:
        assert out is t
    else:
        assert out.text == expected


@pytest.mark.parametrize(
    "text,expected", [c[1:] for c in BOILERPLATE], ids=[c[0] for c in BOILERPLATE]
)
def test_strip_boilerplate(text, expected):
    _run(strip_boilerplate, text, expected)


@pytest.mark.parametrize("text,expected", [c[1:] for c in PINYIN], ids=[c[0] for c in PINYIN])
def test_remove_pinyin_glosses(text, expected):
    _run(remove_pinyin_glosses, text, expected)


@pytest.mark.parametrize(
    "text,expected", [c[1:] for c in PUNCTUATION], ids=[c[0] for c in PUNCTUATION]
)
def test_repair_punctuation(text, expected):
    _run(repair_punctuation, text, expected)


@pytest.mark.parametrize(
    "text,expected", [c[1:] for c in CJK_PUNCTUATION], ids=[c[0] for c in CJK_PUNCTUATION]
)
def test_cjk_punctuation(text, expected):
    _run(cjk_punctuation, text, expected)


@pytest.mark.parametrize("text,expected", [c[1:] for c in HALFWIDTH], ids=[c[0] for c in HALFWIDTH])
def test_to_halfwidth(text, expected):
    _run(to_halfwidth, text, expected)


@pytest.mark.parametrize("text,expected", [c[1:] for c in SPACES], ids=[c[0] for c in SPACES])
def test_remove_spaces_in_numbers(text, expected):
    _run(remove_spaces_in_numbers, text, expected)


@pytest.mark.parametrize(
    "word,expected",
    [
        ("jīng", True),
        ("lǜ", True),
        ("zhan", True),
        ("ń", True),
        ("an", True),
        ("ha", False),
        ("Apple", False),
        ("gdp", False),
        ("m", False),
        ("jing1", False),
    ],
)
def test_is_pinyin_syllable(word, expected):
    assert is_pinyin_syllable(word) is expected


JOIN = [
    (
        "number-split",
        "今年以来，全市新签约项目85个，总投资\n\n\n\n326亿元。",
        "今年以来，全市新签约项目85个，总投资326亿元。",
    ),
    (
        "caption-moved",
        "他表示，要加快推\n\n图为签约现场。\n\n■ 摄影 记者 张三\n\n进项目建设，确保早日投产。",
        "他表示，要加快推进项目建设，确保早日投产。\n图为签约现场。\n■ 摄影 记者 张三",
    ),
    (
        "after-full-stop-inside",
        "一是强化调度。年初\n\n召开专题会议，部署全年工作。",
        "一是强化调度。年初召开专题会议，部署全年工作。",
    ),
    ("title", "标题行\n\n正文第一段。", "标题行\n正文第一段。"),
    ("speaker-label", "主持人：\n\n下面请王局长发布。", "主持人：\n下面请王局长发布。"),
    (
        "numbered-heading",
        "一、聚焦产业招商\n\n坚持把工业招商摆在突出位置。",
        "一、聚焦产业招商\n坚持把工业招商摆在突出位置。",
    ),
    (
        "next-is-heading",
        "他说，今年要抓好三件事\n\n二、强化要素保障",
        "他说，今年要抓好三件事\n二、强化要素保障",
    ),
    (
        "metadata",
        "发布时间:2023-01-05 来源:市政府\n\n正文。",
        "发布时间:2023-01-05 来源:市政府\n正文。",
    ),
    ("blank-lines", "工作扎实推进。\n\n\n\n下一段。\n", "工作扎实推进。\n下一段。\n"),
    ("byline", "确保项目早日投产。(李明)\n\n下一段。", "确保项目早日投产。(李明)\n下一段。"),
    (
        "next-speaker",
        "王强：我们将继续努力，推动\n\n李华：谢谢。",
        "王强：我们将继续努力，推动\n李华：谢谢。",
    ),
    (
        "subtitle",
        "党的二十大报告提出，坚持\n\n——访市长王强",
        "党的二十大报告提出，坚持\n——访市长王强",
    ),
    (
        "trailing-caption",
        "没有结束的一段，后面是图注\n\n图为现场。",
        "没有结束的一段，后面是图注\n图为现场。",
    ),
    ("indent", "  前有空格的段落。  \n\n后一段。", "前有空格的段落。\n后一段。"),
    ("already-tidy", "第一段，没有结束\n", None),
    ("single-lines", "第一段。\n第二段。", None),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in JOIN], ids=[c[0] for c in JOIN])
def test_join_broken_lines(text, expected):
    _run(join_broken_lines, text, expected)


def test_join_keeps_spans_of_moved_caption():
    text = "他表示，要加快推\n\n■ 摄影 张三\n\n进项目建设。"
    out = join_broken_lines(AlignedText.of(text))
    i = out.text.index("进")
    assert out.orig_span(i, i + 1) == (text.index("进"), text.index("进") + 1)
    j = out.text.index("■")
    assert out.orig_span(j, j + 6) == (text.index("■"), text.index("■") + 6)


# ---------------------------------------------------------------------------
# Offset invariants on random text
# ---------------------------------------------------------------------------

ALPHABET = (
    "好的项目亿元个月份经济開發區，。、,?!？“”：:(（)）"
    "jīngzhan 1２３.．％%\u3000\u00a0\n■—字号点击数：来源2020-"
)
REPAIRS = [
    strip_boilerplate,
    remove_pinyin_glosses,
    repair_punctuation,
    cjk_punctuation,
    to_halfwidth,
    remove_spaces_in_numbers,
    join_broken_lines,
]


def _check(original: str, out: AlignedText, *, monotone: bool) -> None:
    assert len(out.starts) == len(out.ends) == len(out.text)
    assert all(0 <= s <= e <= len(original) for s, e in zip(out.starts, out.ends, strict=True))
    if monotone:
        assert list(out.starts) == sorted(out.starts)
    for ch, s, e in zip(out.text, out.starts, out.ends, strict=True):
        if e - s == 1 and original[s] != ch:
            # a rewritten character: only a width/punctuation form of the original
            assert ch in "，。、；：！？“”（）%+-.,0123456789\ufffd" or ch.isascii()


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60), st.sampled_from(REPAIRS))
def test_alignment_invariants(text, repair):
    # join_broken_lines moves captions after the joined paragraph, so it alone may reorder
    _check(text, repair(AlignedText.of(text)), monotone=repair is not join_broken_lines)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_unchanged_characters_keep_their_source(text):
    for repair in REPAIRS:
        out = repair(AlignedText.of(text))
        for ch, s, e in zip(out.text, out.starts, out.ends, strict=True):
            if e - s == 1 and ch == text[s]:
                assert text[s:e] == ch


# ---------------------------------------------------------------------------
# The five samples: nothing but the listed repairs changes
# ---------------------------------------------------------------------------

NUMBER = regex.compile(r"[0-9０-９]+(?:[.,．][0-9０-９]+)*")


def _sample(prefix: str) -> str:
    return next(CORPUS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
@pytest.mark.parametrize("repair", REPAIRS, ids=lambda f: f.__name__)
def test_samples_keep_every_number(prefix, repair):
    text = _sample(prefix)
    out = repair(AlignedText.of(text))
    if repair is strip_boilerplate:  # only debris numbers go (hit counters, site ids)
        assert set(NUMBER.findall(out.text)) <= set(NUMBER.findall(text))
    else:
        assert NUMBER.findall(out.text) == NUMBER.findall(text)


@pytest.mark.parametrize("prefix", ["000", "001", "002"])
@pytest.mark.parametrize("repair", [remove_pinyin_glosses, to_halfwidth, remove_spaces_in_numbers])
def test_clean_simplified_samples_are_untouched(prefix, repair):
    t = AlignedText.of(_sample(prefix))
    assert repair(t) is t


def test_sample_000_advert_and_broken_paragraphs():
    out = join_broken_lines(strip_boilerplate(AlignedText.of(_sample("000")))).text
    assert "公益广告" not in out and "爱 护 环 境" not in out and "学报告 强担当 话发展" not in out
    for joined in (
        "全力推动招商引资工作出新出彩",
        "开年首会将招商",
        "一般性项目，由载体单位",
        "增动能，一、二季度",
        "如何结合实际，贯彻落实",
    ):
        assert joined in out
    assert "见于成效。\n王莉在接受市传媒中心记者专访。\n■ 摄影 记者 陈文晓\n记者：" in out
    assert "\n\n" not in out


def test_sample_001_and_002_metadata_kept_debris_cut():
    out1 = strip_boilerplate(AlignedText.of(_sample("001"))).text
    assert "发布时间:2020-09-23 19:42 来源:淮南市人民政府办公室\n" in out1
    assert "【字体" not in out1 and "扫一扫" not in out1 and "点击数" not in out1
    out2 = strip_boilerplate(AlignedText.of(_sample("002"))).text
    assert "\n信息来源: 市投资促进中心 发布时间:2022-06-20 16:27\n" in out2
    assert "浏览次数" not in out2 and "字号" not in out2


def test_sample_003_keywords_line_and_glosses():
    t = AlignedText.of(_sample("003"))
    stripped = strip_boilerplate(t)
    assert "關(guān)鍵詞" not in stripped.text and stripped.text.endswith("(閆肅)\n")
    plain = remove_pinyin_glosses(stripped).text
    assert plain.startswith("2021年以來,濉溪經濟開發區聚焦主責主業,")
    assert "(合肥)" in plain and "(閆肅)" in plain


def test_sample_004_doubled_punctuation():
    out = repair_punctuation(AlignedText.of(_sample("004"))).text
    assert ",," not in out and ",、" not in out and ",。" not in out
    assert "春潮涌動(dòng)處，奮進(jìn)正當(dāng)時(shí)。全市" in out
