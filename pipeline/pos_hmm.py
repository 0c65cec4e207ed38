"""jieba's part-of-speech HMM decoder (`jieba.posseg.viterbi`), exact, vectorised with numpy.

jieba tags a run of characters its dictionary does not cover with a Viterbi
decoder over 256 (position, tag) states written in pure Python; on government
news that decoder was the largest single cost of the pipeline (when the project
extractor tagged every clause holding a head word with it; the extractor now reads
dictionary tags, `segment.tag_of`, for the few words it looks at). `viterbi` computes the same
path with the same float64 additions, in the same order, and breaks ties the
same way (the larger state tuple wins, as in jieba's `max((prob, state))`), so
its output is identical; `tests/test_parallel.py` compares both on text.
`FastPOSTokenizer` is a `jieba.posseg.POSTokenizer` that uses it.
"""

from __future__ import annotations

from functools import cache

import jieba.posseg
import numpy as np
from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P

__all__ = ["viterbi", "FastPOSTokenizer"]

MIN_FLOAT = -3.14e100  # jieba's log-probability of an unseen emission
MIN_INF = float("-inf")  # jieba's log-probability of an impossible transition


class _Model:
    """jieba's HMM tables as arrays over the sorted states (so the last maximum wins ties)."""

    def __init__(self) -> None:
        self.states: list[tuple[str, str]] = sorted(trans_P)
        self.index = {s: i for i, s in enumerate(self.states)}
        n = len(self.states)
        self.trans = np.full((n, n), MIN_INF)
        self.follows = np.zeros((n, n), dtype=bool)  # follows[x, y]: y is a key of trans_P[x]
        for x, row in trans_P.items():
            for y, p in row.items():
                self.trans[self.index[x], self.index[y]] = p
                self.follows[self.index[x], self.index[y]] = True
        self.has_next = self.follows.any(axis=1)
        self.start = np.array([start_P[s] for s in self.states])
        self.everything = np.ones(n, dtype=bool)
        self._emit: dict[str, np.ndarray] = {}
        self._allowed: dict[str, np.ndarray] = {}

    def emit(self, ch: str) -> np.ndarray:
        """Emission log-probabilities of `ch` for every state (MIN_FLOAT when unseen)."""
        vec = self._emit.get(ch)
        if vec is None:
            vec = np.array([emit_P[s].get(ch, MIN_FLOAT) for s in self.states])
            self._emit[ch] = vec
        return vec

    def allowed(self, ch: str) -> np.ndarray:
        """The states jieba allows for `ch` (all of them for a character it does not list)."""
        mask = self._allowed.get(ch)
        if mask is None:
            listed = char_state_tab_P.get(ch)
            if listed is None:
                mask = self.everything
            else:
                mask = np.zeros(len(self.states), dtype=bool)
                mask[[self.index[s] for s in listed]] = True
            self._allowed[ch] = mask
        return mask


@cache
def _model() -> _Model:
    return _Model()


def _last_argmax(scores: np.ndarray) -> np.ndarray:
    """Row index of each column's maximum, the last one on ties (the larger state)."""
    flipped = scores[::-1]
    return scores.shape[0] - 1 - flipped.argmax(axis=0)


def viterbi(obs: str) -> tuple[float, list[tuple[str, str]]]:
    """The most probable (position, tag) state per character of `obs`, as `jieba.posseg.viterbi`.

    Args:
        obs: a non-empty run of Han characters (what jieba hands its decoder).

    Returns:
        `(log probability, states)`, equal to `jieba.posseg.viterbi(obs, char_state_tab_P,
        start_P, trans_P, emit_P)`.
    """
    m = _model()
    first = m.allowed(obs[0])
    active = np.flatnonzero(first)
    values = np.full(len(m.states), MIN_INF)
    values[active] = m.start[active] + m.emit(obs[0])[active]
    back: list[tuple[np.ndarray, np.ndarray]] = []  # per step: (states, their best predecessor)
    for ch in obs[1:]:
        prev = active[m.has_next[active]]
        expect = m.follows[prev].any(axis=0)
        cols = m.allowed(ch) & expect
        if not cols.any():
            cols = expect if expect.any() else m.everything
        now = np.flatnonzero(cols)
        scores = (values[prev][:, None] + m.trans[np.ix_(prev, now)]) + m.emit(ch)[now][None, :]
        best = _last_argmax(scores)
        new_values = np.full(len(m.states), MIN_INF)
        new_values[now] = scores[best, np.arange(len(now))]
        back.append((now, prev[best]))
        values, active = new_values, now
    final = _last_argmax(values[active][:, None])[0]
    state = int(active[final])
    prob = float(values[state])
    route = [state]
    for now, pred in reversed(back):
        state = int(pred[np.searchsorted(now, state)])
        route.append(state)
    route.reverse()
    return prob, [m.states[i] for i in route]


class FastPOSTokenizer(jieba.posseg.POSTokenizer):
    """`jieba.posseg.POSTokenizer` whose unknown-word decoder is `viterbi` (same output, faster)."""

    def _POSTokenizer__cut(self, sentence: str):  # overrides POSTokenizer.__cut (name-mangled)
        _, pos_list = viterbi(sentence)
        begin, nexti = 0, 0
        for i, char in enumerate(sentence):
            pos = pos_list[i][0]
            if pos == "B":
                begin = i
            elif pos == "E":
                yield jieba.posseg.pair(sentence[begin : i + 1], pos_list[i][1])
                nexti = i + 1
            elif pos == "S":
                yield jieba.posseg.pair(char, pos_list[i][1])
                nexti = i + 1
        if nexti < len(sentence):
            yield jieba.posseg.pair(sentence[nexti:], pos_list[nexti][1])
