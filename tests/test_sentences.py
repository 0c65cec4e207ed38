"""Sentence splitting respects quotes and brackets; paragraphs are lines."""

import pytest

from govfacts.pipeline.sentences import split_sentences

CASES = [
    ("plain", "今年签约10个。开工5个！", ["今年签约10个。", "开工5个！"]),
    ("quote-inside", "他说：“签约10个。开工5个。”随后离开。", ["他说：“签约10个。开工5个。”", "随后离开。"]),
    ("quote-no-stop", "“项目为王”的理念。下一句。", ["“项目为王”的理念。", "下一句。"]),
    ("bracket", "完成投资（其中外资3亿元。）共计5亿元。", ["完成投资（其中外资3亿元。）共计5亿元。"]),
    ("question", "如何应对？我们这样做。", ["如何应对？", "我们这样做。"]),
    ("ellipsis-run", "签约了！！真好。", ["签约了！！", "真好。"]),
    ("lines", "标题\n\n第一段。\n第二段", ["标题", "第一段。", "第二段"]),
    ("semicolon-stays", "签约10个；开工5个。", ["签约10个；开工5个。"]),
    ("list-number", "(1)签约10个。(2)开工5个。", ["(1)签约10个。", "(2)开工5个。"]),
    ("unclosed-quote", "他说“签约10个。" + "好" * 500 + "。结束。", ["他说“签约10个。" + "好" * 500 + "。", "结束。"]),
    # an open bracket holds for 400 characters (MAX_DEPTH_RUN), counting itself, then lets go
    ("bracket-at-limit", "（" + "字" * 399 + "。后来。", ["（" + "字" * 399 + "。后来。"]),
    ("bracket-past-limit", "（" + "字" * 400 + "。后来。", ["（" + "字" * 400 + "。", "后来。"]),
    ("spaces", "  前面有空格。  ", ["前面有空格。"]),
    ("empty", "", []),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_split(text, expected):
    got = [text[s.char_start : s.char_end] for s in split_sentences(text)]
    assert got == expected


def test_paragraph_ids_skip_blank_lines():
    sentences = split_sentences("一。二。\n\n三。\n四")
    assert [s.paragraph for s in sentences] == [0, 0, 1, 2]
