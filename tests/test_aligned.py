"""AlignedText: every rewrite keeps each character's span in the original."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govfacts.pipeline.aligned import AlignedText

SUB_CASES = [
    # id, original, pattern, replacement, expected text, (char span → orig span) checks
    ("delete", "經(jīng)濟", r"\([a-zīīáǎàēéěèìíǐōóǒòūúǔùü]+\)", "", "經濟", [((0, 1), (0, 1)), ((1, 2), (7, 8))]),
    ("same-length", "１２％", r"１２", "12", "12％", [((0, 1), (0, 1)), ((1, 2), (1, 2))]),
    ("shrink", "，，好", r"，，", "，", "，好", [((0, 1), (0, 2)), ((1, 2), (2, 3))]),
    ("grow", "a好", r"a", "xyz", "xyz好", [((0, 3), (0, 1)), ((3, 4), (1, 2))]),
    ("no-match", "好的", r"x", "y", "好的", [((0, 2), (0, 2))]),
    ("insert", "好的", r"(?<=好)", "-", "好-的", [((1, 2), (1, 1)), ((2, 3), (1, 2))]),
]


@pytest.mark.parametrize("original,pattern,repl,expected,spans", [c[1:] for c in SUB_CASES], ids=[c[0] for c in SUB_CASES])
def test_sub(original, pattern, repl, expected, spans):
    out = AlignedText.of(original).sub(pattern, repl)
    assert out.text == expected
    for (a, b), orig in spans:
        assert out.orig_span(a, b) == orig


def test_sub_without_change_returns_same_object():
    t = AlignedText.of("没有变化")
    assert t.sub("x", "y") is t
    assert t.translate({ord("x"): "y"}) is t


def test_slice_and_concat_reorder_keeps_spans():
    t = AlignedText.of("甲乙丙丁")
    u = AlignedText.concat([t.slice(2, 4), t.slice(0, 2)])
    assert u.text == "丙丁甲乙"
    assert u.orig_span(0, 2) == (2, 4)
    assert u.orig_span(2, 4) == (0, 2)


def test_translate_and_replace_text_need_same_length():
    t = AlignedText.of("１２")
    assert t.translate({ord("１"): "1", ord("２"): "2"}).text == "12"
    with pytest.raises(ValueError):
        t.replace_text("123")


@given(st.text(alphabet="ab，,。好 \n", max_size=60))
def test_sub_spans_stay_monotone_and_inside(original):
    out = AlignedText.of(original).sub(r",,|，，|\s+", "，").sub("a", "")
    assert len(out.starts) == len(out.ends) == len(out.text)
    assert all(0 <= s <= e <= len(original) for s, e in zip(out.starts, out.ends))
    assert list(out.starts) == sorted(out.starts)
    for ch, s, e in zip(out.text, out.starts, out.ends):
        if e - s == 1 and ch not in "，":
            assert original[s] == ch
