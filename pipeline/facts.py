"""Consolidation: from stored mentions to `facts`, `city_period` and `targets` (pure functions).

Consolidation rules (the README copies them):

1. Only mentions with ``role = fact``, a known ``metric``, a value, and a kind among
   amount, count, growth and share enter.
2. A fact's key is (city, area, period_start, period_end, metric, kind, status, scope);
   ``scope`` is ``reported`` for figures as published and ``derived`` for increments
   computed here (rule 6). Missing parts of the key stay NULL and are part of the key.
3. Republished stories count once. Each document carries a MinHash fingerprint of its
   character 3-grams (whitespace removed); two documents whose estimated Jaccard
   similarity is at least `NEAR_DUPLICATE_THRESHOLD` are one story, and so are
   byte-identical texts. In a group of copies the earliest publication (then the
   smallest doc_id) is the original; the others get ``duplicate_of`` = its doc_id.
   ``n_documents`` counts distinct stories (groups), not copies; ``doc_ids`` and
   ``mention_ids`` list every report, copies included.
4. Different values for one key (value and unit compared) make ``conflict = true``.
   The chosen ``value`` is the one of the latest publication (undated documents count
   as oldest); within one document, the first in the text (a total comes before its
   其中 breakdown). Every distinct value stays in ``all_values``, the chosen one first.
5. ``qualifier``, ``unit`` and ``published`` are those of the chosen report.
6. Year-to-date series: reported actual counts and amounts whose periods start on
   1 January and end on month-ends of the same year (1-7月, 1-8月) are cumulative;
   each consecutive pair with the same city, area, metric, kind and unit yields a
   ``derived`` fact for the months between (8月 = 1-8月 − 1-7月). A falling series
   is not one series and yields nothing. Derived facts never replace reported ones.
7. ``city_period`` pivots facts with both period ends known: one row per
   (city, area, period_start, period_end), one column per (status, metric, kind);
   amounts are shown in 亿 of their currency (value / 10^8), counts and rates as is.
8. ``targets`` sets each reported target beside the latest reported actual (latest
   period_end, then the longest period) of the same city, area, metric, kind and
   year; ``attainment`` = actual / target for counts and amounts of the same unit.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from itertools import groupby

import regex

__all__ = [
    "Fact",
    "NEAR_DUPLICATE_THRESHOLD",
    "fingerprint",
    "FINGERPRINT_VERSION",
    "shingle_hash32",
    "similarity",
    "find_duplicates",
    "near_duplicate_pairs",
    "story_groups",
    "originals",
    "hash_values",
    "lsh_bands",
    "consolidate",
    "consolidate_sorted",
    "derive_increments",
    "city_period",
    "cells",
    "column_names",
    "targets",
    "Column",
    "column_name",
    "parse_column",
    "column_labels",
    "status_labels",
]

NEAR_DUPLICATE_THRESHOLD = (
    0.5  # measured on 35 docs: copies with a new header/footer ≥ 0.75, different stories ≤ 0.19
)
NUM_PERM = 128  # MinHash permutations: ±0.04 standard error on the Jaccard estimate
SCHEME = "affine32"  # datasketch's 32-bit hashing: 8 hex digits per permutation
FINGERPRINT_VERSION = 2  # 1: SHA-1 of each 3-gram; 2: `shingle_hash32`
FACT_KINDS = ("amount", "count", "growth", "share")
# The `mentions` columns `consolidate` reads.
MENTION_COLUMNS = (
    "mention_id",
    "doc_id",
    "content_hash",
    "kind",
    "role",
    "metric",
    "value",
    "unit",
    "qualifier",
    "status",
    "city",
    "area",
    "period_start",
    "period_end",
    "published",
    "char_start",
)
YI = Decimal(100_000_000)  # 亿
SIX_PLACES = Decimal("0.000001")
STATUS_ORDER = ("actual", "target", "plan")

_WHITESPACE = regex.compile(r"\s+")  # spaces, newlines, ideographic spaces: layout, not content


@dataclass(frozen=True, slots=True)
class Fact:
    """One consolidated fact: a key, the chosen value, and the reports behind it."""

    city: str | None
    area: str | None
    period_start: date | None
    period_end: date | None
    metric: str
    kind: str
    status: str
    scope: str  # reported | derived
    value: Decimal
    unit: str | None
    qualifier: str
    n_documents: int
    conflict: bool
    all_values: tuple[str, ...]
    published: date | None
    doc_ids: tuple[str, ...] = field(default=())
    mention_ids: tuple[str, ...] = field(default=())

    @property
    def key(self) -> tuple:
        """(city, area, period_start, period_end, metric, kind, status, scope)."""
        return (
            self.city,
            self.area,
            self.period_start,
            self.period_end,
            self.metric,
            self.kind,
            self.status,
            self.scope,
        )

    @property
    def fact_id(self) -> str:
        """A stable id: the first 16 hex digits of the SHA-256 of the key."""
        text = json.dumps([None if k is None else str(k) for k in self.key], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def row(self) -> dict[str, object]:
        """The fact as a `facts` table row."""
        return {
            "fact_id": self.fact_id,
            "city": self.city,
            "area": self.area,
            "period_start": self.period_start,
            "period_end": self.period_end,
            "metric": self.metric,
            "kind": self.kind,
            "status": self.status,
            "scope": self.scope,
            "value": self.value,
            "unit": self.unit,
            "qualifier": self.qualifier,
            "n_documents": self.n_documents,
            "conflict": self.conflict,
            "all_values": json.dumps(list(self.all_values), ensure_ascii=False),
            "published": self.published,
            "doc_ids": json.dumps(list(self.doc_ids), ensure_ascii=False),
            "mention_ids": json.dumps(list(self.mention_ids), ensure_ascii=False),
        }


# --- near-duplicates -------------------------------------------------------------------


def fingerprint(text: str) -> str:
    """MinHash signature (hex, 8 digits per permutation) of the text's character 3-grams.

    Version `FINGERPRINT_VERSION` (2). The values are datasketch's
    `MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", hashfunc=shingle_hash32)`
    after `update_batch` of the 3-grams, bit for bit (a test holds them equal), computed
    here for all 3-grams at once in numpy. Version 1 hashed each 3-gram with SHA-1 in
    Python, a third of the load stage; stores keep each row's version
    (`documents.fingerprint_version`) and only compare fingerprints of one version.

    >>> len(fingerprint("淮北市签约工业项目322个")) == 8 * NUM_PERM
    True
    """
    import numpy as np

    a, b = _permutations()
    flat = _WHITESPACE.sub("", text)
    points = np.frombuffer(flat.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    keys = _shingle_keys(points.astype(np.uint64))
    # Repeated 3-grams are kept: they cannot change a minimum, and deduplicating costs more.
    hv = _fmix32(_fmix64_high32(keys))
    with np.errstate(over="ignore"):  # uint32 arithmetic wraps: that is the modulo 2^32
        # One row per permutation, so each row's minimum reads contiguous memory.
        values = np.multiply.outer(a, hv)
        values += b[:, None]
    return values.min(axis=1).astype(">u4").tobytes().hex()


def shingle_hash32(shingle: str) -> int:
    """The 32-bit hash of one 3-gram (or of the whole text when it is shorter).

    Its code points, 21 bits each, are packed into one 64-bit key (first character
    highest; missing characters are 0), and the key goes through MurmurHash3's 64-bit
    finalizer, whose high 32 bits are the hash. `fingerprint` computes the same in numpy.
    """
    import numpy as np

    points = np.array([ord(c) for c in shingle], dtype=np.uint64)
    return int(_fmix64_high32(_shingle_keys(points))[0])


def _shingle_keys(points):
    """64-bit keys of the 3-grams of a code point array (one key for fewer than 3 points)."""
    import numpy as np

    if len(points) < 3:
        points = np.concatenate([points, np.zeros(3 - len(points), dtype=np.uint64)])
    return (points[:-2] << np.uint64(42)) | (points[1:-1] << np.uint64(21)) | points[2:]


def _fmix64_high32(keys):
    """MurmurHash3's 64-bit finalizer over uint64 keys; the high 32 bits, as uint32."""
    import numpy as np

    s = np.uint64(33)
    with np.errstate(over="ignore"):
        k = keys ^ (keys >> s)
        k = k * np.uint64(0xFF51AFD7ED558CCD)
        k = k ^ (k >> s)
        k = k * np.uint64(0xC4CEB9FE1A85EC53)
        k = k ^ (k >> s)
    return (k >> np.uint64(32)).astype(np.uint32)


@cache
def _permutations():
    """datasketch's affine32 permutations for seed 1: odd a_k and b_k drawn from RandomState(1)."""
    import numpy as np

    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(hv):
    """MurmurHash3's 32-bit finalizer, which datasketch applies before the permutations."""
    import numpy as np

    with np.errstate(over="ignore"):
        hv = hv ^ (hv >> np.uint32(16))
        hv = hv * np.uint32(0x85EBCA6B)
        hv = hv ^ (hv >> np.uint32(13))
        hv = hv * np.uint32(0xC2B2AE35)
        return hv ^ (hv >> np.uint32(16))


def _values(fp: str) -> tuple[int, ...]:
    return tuple(int(fp[i : i + 8], 16) for i in range(0, len(fp), 8))


def similarity(a: str, b: str) -> float:
    """Estimated Jaccard similarity of two fingerprints (share of equal minima)."""
    va, vb = _values(a), _values(b)
    if len(va) != len(vb) or not va:
        raise ValueError("fingerprints of different sizes")
    return sum(x == y for x, y in zip(va, vb, strict=True)) / len(va)


@cache
def lsh_bands() -> tuple[int, int]:
    """(bands, rows per band) that datasketch's LSH uses for the threshold and permutations."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=NEAR_DUPLICATE_THRESHOLD, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def hash_values(fp: str):
    """A fingerprint's MinHash values as a numpy uint32 array (8 hex digits each, big-endian)."""
    import numpy as np

    return np.frombuffer(bytes.fromhex(fp), dtype=">u4")


PAIR_CHUNK = 200_000  # candidate pairs compared at once


def near_duplicate_pairs(
    values, *, threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> Iterator[tuple[int, int]]:
    """Row pairs (i < j) of a MinHash matrix that datasketch's LSH would join at `threshold`.

    A pair is a candidate when some band (`lsh_bands`) of its rows is equal, and it is
    kept when at least `threshold` of all values are equal: the same pairs as querying
    a `MinHashLSH` and checking `similarity`, found by sorting each band's hashes.
    A pair may come more than once (once per shared band).
    """
    import numpy as np

    n, perms = values.shape
    bands, rows = lsh_bands()
    need = math.ceil(threshold * perms - 1e-9)
    for b in range(bands):
        block = values[:, b * rows : (b + 1) * rows]
        key = np.zeros(n, dtype=np.uint64)
        for c in range(rows):  # a 64-bit mix of the band; equal bands are checked exactly below
            key = key * np.uint64(0x9E3779B97F4A7C15) + block[:, c].astype(np.uint64)
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
        ends = np.r_[starts[1:], n]
        for s, e in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
            members = order[s:e]
            left, right = np.triu_indices(len(members), 1)
            for k in range(0, len(left), PAIR_CHUNK):
                a = members[left[k : k + PAIR_CHUNK]]
                c = members[right[k : k + PAIR_CHUNK]]
                same_band = (block[a] == block[c]).all(axis=1)
                similar = (values[a] == values[c]).sum(axis=1) >= need
                for i, j in zip(a[same_band & similar], c[same_band & similar], strict=True):
                    yield (int(min(i, j)), int(max(i, j)))


def find_duplicates(
    docs: Sequence[Mapping[str, object]], *, threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> dict[str, str]:
    """doc_id → doc_id of the original it republishes, for every copy (originals absent).

    Args:
        docs: rows with doc_id, content_hash, fingerprint, published, and optionally
            fingerprint_version (missing or None: 1).
        threshold: estimated Jaccard similarity from which two texts are one story.
    """
    from datasketch import MinHash, MinHashLSH

    pairs: list[tuple[str, str]] = []
    by_hash: dict[str, str] = {}
    # One index per fingerprint version (a missing version is 1): versions never match.
    lsh: dict[int, MinHashLSH] = defaultdict(
        lambda: MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    )
    fps: dict[str, str] = {}
    for d in sorted(docs, key=lambda d: str(d["doc_id"])):
        doc_id, h, fp = str(d["doc_id"]), str(d["content_hash"]), str(d["fingerprint"])
        if h in by_hash:
            pairs.append((by_hash[h], doc_id))
            continue
        by_hash[h] = doc_id
        index = lsh[int(d.get("fingerprint_version") or 1)]
        mh = MinHash(num_perm=NUM_PERM, seed=1, hashvalues=list(_values(fp)), scheme=SCHEME)
        for other in index.query(mh):
            if similarity(fp, fps[other]) >= threshold:
                pairs.append((other, doc_id))
        index.insert(doc_id, mh)
        fps[doc_id] = fp
    published = {str(d["doc_id"]): d["published"] for d in docs}
    return originals(story_groups(pairs), published)


def story_groups(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The groups of doc_ids that `pairs` join, transitively (union-find), each sorted."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for d in list(parent):
        groups[root(d)].append(d)
    return [sorted(g) for g in groups.values()]


def originals(groups: Iterable[list[str]], published: Mapping[str, date | None]) -> dict[str, str]:
    """copy → original for groups of one story: the earliest publication, then the smallest doc_id."""
    out: dict[str, str] = {}
    for members in groups:
        first = min(members, key=lambda d: (published[d] is None, published[d] or date.min, d))
        out.update({d: first for d in members if d != first})
    return out


# --- facts -------------------------------------------------------------------------------


def _show(value: Decimal, unit: str | None) -> str:
    """A value with its unit, exact and without trailing zeros: '322 个', '1.5 %'."""
    return format(Decimal(value).normalize(), "f") + (f" {unit}" if unit else "")


def consolidate(
    mentions: Iterable[Mapping[str, object]],
    docs_by_hash: Mapping[str, Sequence[str]],
    story_of: Mapping[str, str],
) -> list[Fact]:
    """Reported facts from mention rows, by the rules of this module's docstring.

    Args:
        mentions: `mentions` table rows (any; ineligible ones are skipped).
        docs_by_hash: content_hash → every doc_id with that text.
        story_of: doc_id → the doc_id of its story's original (itself when original).
    """
    groups: dict[tuple, list[Mapping[str, object]]] = defaultdict(list)
    for m in mentions:
        if _eligible(m):
            groups[_key(m)].append(m)
    facts = [_fact(key, ms, docs_by_hash, story_of) for key, ms in groups.items()]
    return sorted(facts, key=_fact_order)


# The order `consolidate_sorted` needs its mentions in (one key's mentions together).
KEY_ORDER = ("city", "area", "period_start", "period_end", "metric", "kind", "status")


def consolidate_sorted(
    mentions: Iterable[Mapping[str, object]],
    docs_by_hash: Mapping[str, Sequence[str]],
    story_of: Mapping[str, str],
) -> list[Fact]:
    """`consolidate` for mentions that arrive ordered by `KEY_ORDER`, holding one key's at a time.

    The store streams its mentions this way, so the rebuild's memory grows with the
    facts, not with the mentions behind them.
    """
    eligible = (m for m in mentions if _eligible(m))
    facts = [
        _fact(key, list(ms), docs_by_hash, story_of) for key, ms in groupby(eligible, key=_key)
    ]
    return sorted(facts, key=_fact_order)


def _eligible(m: Mapping[str, object]) -> bool:
    return (
        m["role"] == "fact"
        and bool(m["metric"])
        and m["value"] is not None
        and m["kind"] in FACT_KINDS
    )


def _key(m: Mapping[str, object]) -> tuple:
    return tuple(m[k] for k in KEY_ORDER)


def _fact(
    key: tuple,
    ms: list[Mapping[str, object]],
    docs_by_hash: Mapping[str, Sequence[str]],
    story_of: Mapping[str, str],
) -> Fact:
    """The reported fact of one key from its mentions."""
    ordered = sorted(
        ms,
        key=lambda m: (
            m["published"] is not None,
            m["published"] or date.min,  # latest publication first...
            -int(m["char_start"]),  # ...then, within a document, the first in the text
        ),
        reverse=True,
    )
    chosen = ordered[0]
    values: list[str] = []
    for m in ordered:
        shown = _show(Decimal(m["value"]), m["unit"])
        if shown not in values:
            values.append(shown)
    doc_ids = sorted(
        {d for m in ms for d in docs_by_hash.get(str(m["content_hash"]), (m["doc_id"],))}
    )
    stories = {story_of.get(d, d) for d in doc_ids}
    return Fact(
        *key,
        scope="reported",
        value=Decimal(chosen["value"]),
        unit=chosen["unit"],
        qualifier=str(chosen["qualifier"]),
        n_documents=len(stories),
        conflict=len(values) > 1,
        all_values=tuple(values),
        published=chosen["published"],
        doc_ids=tuple(doc_ids),
        mention_ids=tuple(sorted(str(m["mention_id"]) for m in ms)),
    )


def _none_last(x):
    return (x is None, x if x is not None else "")


def _fact_order(f: Fact) -> tuple:
    return tuple(_none_last(k) for k in f.key)


def _month_end(d: date) -> bool:
    return (d + timedelta(days=1)).day == 1


def derive_increments(facts: Iterable[Fact]) -> list[Fact]:
    """Derived facts between consecutive year-to-date figures (rule 6): 8月 from 1-7月, 1-8月."""
    series: dict[tuple, list[Fact]] = defaultdict(list)
    for f in facts:
        if (
            f.scope == "reported"
            and f.status == "actual"
            and f.kind in ("count", "amount")
            and f.period_start is not None
            and f.period_end is not None
            and (f.period_start.month, f.period_start.day) == (1, 1)
            and f.period_end.year == f.period_start.year
            and _month_end(f.period_end)
        ):
            series[(f.city, f.area, f.metric, f.kind, f.unit, f.period_start)].append(f)
    out = []
    for items in series.values():
        items.sort(key=lambda f: f.period_end)
        for a, b in zip(items, items[1:], strict=False):
            inc = b.value - a.value
            if inc < 0:
                continue
            docs = tuple(sorted(set(a.doc_ids) | set(b.doc_ids)))
            out.append(
                replace(
                    b,
                    period_start=a.period_end + timedelta(days=1),
                    scope="derived",
                    value=inc,
                    qualifier="eq" if a.qualifier == b.qualifier == "eq" else "approx",
                    n_documents=max(a.n_documents, b.n_documents),
                    conflict=a.conflict or b.conflict,
                    all_values=(_show(inc, b.unit),),
                    published=max((p for p in (a.published, b.published) if p), default=None),
                    doc_ids=docs,
                    mention_ids=tuple(sorted(set(a.mention_ids) | set(b.mention_ids))),
                )
            )
    return sorted(out, key=_fact_order)


# --- reading views ----------------------------------------------------------------------

_SAFE = regex.compile(r"^[a-z][a-z0-9_]*$")  # a column-name part: lexicon ids are snake_case ASCII


def column_name(status: str, scope: str, metric: str, kind: str, unit: str | None) -> str:
    """The `city_period` column of a (status, scope, metric, kind, unit).

    >>> column_name("actual", "reported", "investment_signed", "amount", "CNY")
    'actual__investment_signed__yi_cny'
    >>> column_name("actual", "derived", "projects_signed", "count", "个")
    'derived_actual__projects_signed'
    """
    parts = [status if scope == "reported" else f"{scope}_{status}", metric]
    if kind in ("growth", "share"):
        parts.append(kind)
    elif kind == "amount":
        parts.append(f"yi_{(unit or 'cny').lower()}")
    name = "__".join(parts)
    if not all(_SAFE.match(p) for p in name.split("__")):
        raise ValueError(f"unsafe column name {name!r}")
    return name


@dataclass(frozen=True, slots=True)
class Column:
    """What a `city_period` metric column holds."""

    name: str
    status: str  # actual | target | plan
    scope: str  # reported | derived
    metric: str
    kind: str  # count | amount | growth | share
    currency: str | None  # amounts: ISO code, upper case


def parse_column(name: str) -> Column:
    """The inverse of `column_name`.

    >>> parse_column("derived_actual__investment_signed__yi_cny")
    Column(name='derived_actual__investment_signed__yi_cny', status='actual', scope='derived', \
metric='investment_signed', kind='amount', currency='CNY')
    """
    parts = name.split("__")
    head, metric, rest = parts[0], parts[1], parts[2:]
    scope, status = head.split("_", 1) if head.startswith("derived_") else ("reported", head)
    kind, currency = "count", None
    if rest and rest[0] in ("growth", "share"):
        kind = rest[0]
    elif rest and rest[0].startswith("yi_"):
        kind, currency = "amount", rest[0][3:].upper()
    return Column(name, status, scope, metric, kind, currency)


_STATUS_LABELS = {
    "actual": ("实际", "actual"),
    "target": ("目标", "target"),
    "plan": ("计划", "plan"),
}
_CURRENCY_ZH = {"CNY": "亿元", "USD": "亿美元", "EUR": "亿欧元", "HKD": "亿港元", "JPY": "亿日元"}


def column_labels(col: Column) -> tuple[str, str]:
    """Chinese and English labels of a metric column (metric, kind and unit; status apart).

    >>> column_labels(parse_column("actual__projects_signed__growth"))
    ('签约项目 增速(%)', 'signed projects, growth (%)')
    >>> column_labels(parse_column("target__investment_signed__yi_cny"))
    ('签约投资额(亿元)', 'investment signed (CNY 100M)')
    """
    from govfacts.extractors.grammar import metrics

    known = {m.id: (m.label_zh, m.label_en) for m in metrics()}
    zh, en = known.get(col.metric, (col.metric, col.metric))
    if col.kind == "growth":
        return f"{zh} 增速(%)", f"{en}, growth (%)"
    if col.kind == "share":
        return f"{zh} 占比(%)", f"{en}, share (%)"
    if col.kind == "amount":
        cur = col.currency or "CNY"
        return f"{zh}({_CURRENCY_ZH.get(cur, '亿' + cur)})", f"{en} ({cur} 100M)"
    return zh, en


def status_labels(col: Column) -> tuple[str, str]:
    """Chinese and English labels of a column's status (推算 / derived marked)."""
    zh, en = _STATUS_LABELS.get(col.status, (col.status, col.status))
    return (f"{zh}(推算)", f"{en} (derived)") if col.scope == "derived" else (zh, en)


def reading_value(f: Fact) -> Decimal:
    """The value as shown in `city_period`: amounts in 亿, the rest as is."""
    return (f.value / YI).quantize(SIX_PLACES).normalize() if f.kind == "amount" else f.value


@cache
def _metric_order() -> dict[str, int]:
    from govfacts.extractors.grammar import metrics

    return {m.id: i for i, m in enumerate(metrics())}


def _column_order(col: tuple[str, str, str, str, str | None]) -> tuple:
    status, scope, metric, kind, unit = col
    return (
        scope != "reported",
        STATUS_ORDER.index(status) if status in STATUS_ORDER else 9,
        _metric_order().get(metric, 999),
        metric,
        FACT_KINDS.index(kind),
        unit or "",
    )


Cell = tuple[object, object, date, date, tuple, Decimal]  # city, area, start, end, column, value


def cells(facts: Iterable[Fact]) -> Iterator[Cell]:
    """The `city_period` cells of facts with both period ends known (rule 7)."""
    for f in facts:
        if f.period_start is None or f.period_end is None:
            continue
        col = (f.status, f.scope, f.metric, f.kind, f.unit if f.kind == "amount" else None)
        yield (f.city, f.area, f.period_start, f.period_end, col, reading_value(f))


def column_names(cols: Iterable[tuple]) -> list[str]:
    """`city_period`'s metric column names for (status, scope, metric, kind, unit) columns, in order."""
    return [column_name(*c) for c in sorted(set(cols), key=_column_order)]


def city_period(facts: Iterable[Fact]) -> tuple[list[str], list[dict[str, object]]]:
    """The wide view (rule 7): its metric column names, and its rows (key columns first)."""
    by_key: dict[tuple, dict[str, Decimal]] = defaultdict(dict)
    cols: set[tuple] = set()
    for city, area, start, end, col, value in cells(facts):
        cols.add(col)
        by_key[(city, area, start, end)][column_name(*col)] = value
    names = column_names(cols)
    rows = []
    for key in sorted(by_key, key=lambda k: tuple(_none_last(x) for x in k)):
        row: dict[str, object] = dict(
            zip(("city", "area", "period_start", "period_end"), key, strict=True)
        )
        row.update({n: by_key[key].get(n) for n in names})
        rows.append(row)
    return names, rows


def targets(facts: Sequence[Fact]) -> list[dict[str, object]]:
    """Each reported target beside the latest actual of its city, area, metric, kind and year."""
    actuals: dict[tuple, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.status == "actual" and f.scope == "reported" and f.period_end is not None:
            actuals[(f.city, f.area, f.metric, f.kind, f.period_end.year)].append(f)
    rows = []
    for t in facts:
        if t.status != "target" or t.scope != "reported" or t.period_end is None:
            continue
        year = t.period_end.year
        found = actuals.get((t.city, t.area, t.metric, t.kind, year), [])
        a = max(
            found,
            key=lambda f: (f.period_end, -(f.period_start or f.period_end).toordinal()),
            default=None,
        )
        ratio = None
        if a is not None and t.kind in ("count", "amount") and a.unit == t.unit and t.value != 0:
            ratio = (a.value / t.value).quantize(SIX_PLACES)
        rows.append(
            {
                "target_fact_id": t.fact_id,
                "city": t.city,
                "area": t.area,
                "year": year,
                "metric": t.metric,
                "kind": t.kind,
                "target_value": t.value,
                "target_unit": t.unit,
                "target_qualifier": t.qualifier,
                "actual_fact_id": a.fact_id if a else None,
                "actual_value": a.value if a else None,
                "actual_unit": a.unit if a else None,
                "actual_period_start": a.period_start if a else None,
                "actual_period_end": a.period_end if a else None,
                "attainment": ratio,
            }
        )
    return rows
