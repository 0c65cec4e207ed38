"""jieba with govfacts' domain dictionary: key terms stay whole; the generated dictionary is current."""

from pathlib import Path

import jieba
import pytest

from govfacts.lexicons import read_text
from govfacts.pipeline.segment import _cut, build_user_dict, segment, tokenizer, tokens

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


# jieba-rs must cut as jieba does: hand-picked clauses where the two could part ways
# (hyphenated numbers, Latin, the domain words, unknown names that only the HMM joins).
REFERENCE_CLAUSES = [
    "1-8月份，全市新签约项目52个",
    "发布时间：2023-03-02 10:15",
    "咨询电话0551-63012345。",
    "COVID-19疫情以来，外贸企业订单下降",
    "2021-2023年累计引进亿元以上项目",
    "睿欣创新科技产业园、颐高新经济智慧城项目正式签约",
    "双招双引工作中，以商招商成效明显",
    "实际使用外资9000万美元，同比增长-3.17%",
    "A-1地块与B-2地块由中建-中冶联合体承建",
    "--",
]


@pytest.mark.parametrize("clause", REFERENCE_CLAUSES)
@pytest.mark.parametrize("hmm", [False, True], ids=["hmm-off", "hmm-on"])
def test_fast_cut_equals_jieba_on_hand_written_clauses(clause, hmm):
    assert _cut(clause, hmm) == tokenizer().lcut(clause, HMM=hmm)


def test_fast_cut_equals_jieba_on_every_bundled_and_dev_document():
    from govfacts.pipeline.normalize import normalize
    from govfacts.pipeline.read import bundled_corpus, iter_documents

    devset = Path(__file__).parent / "devset" / "docs"
    docs = [normalize(r) for r in iter_documents([bundled_corpus(), devset])]
    assert len(docs) == 35
    for doc in docs:
        for hmm in (False, True):
            assert _cut(doc.text, hmm) == tokenizer().lcut(doc.text, HMM=hmm), doc.doc_id
