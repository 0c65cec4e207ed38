"""jieba with govfacts' domain dictionary: key terms stay whole; the generated dictionary is current."""

import jieba
import pytest

from govfacts.lexicons import read_text
from govfacts.pipeline.segment import build_user_dict, segment, tokenizer, tokens

# How jieba splits key terms of the corpus before and after the domain dictionary
# (measured with jieba 0.42.1, precise mode, HMM off).
TERMS = [
    # term, plain jieba, with the dictionary
    ("双招双引", ["双", "招", "双", "引"], ["双招双引"]),
    ("五群十链", ["五群", "十", "链"], ["五群十链"]),
    ("招才引智", ["招", "才", "引智"], ["招才引智"]),
    ("招大引强", ["招", "大", "引", "强"], ["招大引强"]),
    ("以商招商", ["以", "商", "招商"], ["以商招商"]),
    ("同比增长", ["同比", "增长"], ["同比增长"]),
    ("签约项目", ["签约", "项目"], ["签约项目"]),
    ("在谈项目", ["在", "谈", "项目"], ["在谈项目"]),
    ("经济开发区", ["经济", "开发区"], ["经济开发区"]),
    ("经开区", ["经", "开", "区"], ["经开区"]),
    ("固定资产投资", ["固定资产", "投资"], ["固定资产投资"]),
    ("实际使用外资", ["实际", "使用", "外资"], ["实际使用外资"]),
    ("省外资金", ["省外", "资金"], ["省外资金"]),
    ("到位资金", ["到位", "资金"], ["到位资金"]),
    ("万美元", ["万美元"], ["万美元"]),  # already whole in jieba's own dictionary
    ("招商引资", ["招商引资"], ["招商引资"]),
]


@pytest.fixture(scope="module")
def plain():
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


@pytest.mark.parametrize("term,before,after", TERMS, ids=[t[0] for t in TERMS])
def test_domain_dictionary_keeps_terms_whole(plain, term, before, after):
    assert plain.lcut(term, HMM=False) == before
    assert segment(term) == after


def test_generated_user_dictionary_is_current():
    assert read_text("jieba_user.txt") == build_user_dict()


def test_tokenizer_is_built_once_and_leaves_global_jieba_alone():
    assert tokenizer() is tokenizer()
    assert segment("双招双引") == ["双招双引"]
    assert jieba.lcut("双招双引", HMM=False) == ["双", "招", "双", "引"]  # the global instance is untouched


def test_tokens_carry_offsets():
    text = "全市签约工业项目322个"
    toks = list(tokens(text, offset=10))
    assert "".join(t.word for t in toks) == text
    assert toks[0].char_start == 10 and toks[-1].char_end == 10 + len(text)
    assert all(text[t.char_start - 10 : t.char_end - 10] == t.word for t in toks)
