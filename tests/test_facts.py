"""Facts: consolidation, near-duplicates, YTD increments, city_period, targets, the CLI."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from govfacts.pipeline import facts as F
from govfacts.pipeline.records import RawDocument
from govfacts.pipeline.stages import Processed, process

D = Decimal


def _m(
    mid,
    value,
    *,
    metric="projects_signed",
    kind="count",
    unit="个",
    status="actual",
    city="淮北市",
    area=None,
    start=date(2022, 1, 1),
    end=date(2022, 10, 31),
    published=date(2022, 11, 15),
    role="fact",
    qualifier="eq",
    content_hash="h1",
    doc_id="d1",
    char_start=0,
):
    return {
        "mention_id": mid,
        "value": D(value),
        "metric": metric,
        "kind": kind,
        "unit": unit,
        "status": status,
        "city": city,
        "area": area,
        "period_start": start,
        "period_end": end,
        "published": published,
        "role": role,
        "qualifier": qualifier,
        "content_hash": content_hash,
        "doc_id": doc_id,
        "char_start": char_start,
    }


def _consolidate(mentions):
    docs = {}
    for m in mentions:
        docs.setdefault(m["content_hash"], [])
        if m["doc_id"] not in docs[m["content_hash"]]:
            docs[m["content_hash"]].append(m["doc_id"])
    return F.consolidate(mentions, docs, {d: d for ds in docs.values() for d in ds})


# --- consolidation ------------------------------------------------------------------------

CONSOLIDATE_CASES = [
    pytest.param([_m("a", 322)], [("322", 1, False, ("322 个",))], id="one-report"),
    pytest.param(
        [_m("a", 322), _m("b", 322, content_hash="h2", doc_id="d2", published=date(2022, 11, 20))],
        [("322", 2, False, ("322 个",))],
        id="two-stories-agree",
    ),
    pytest.param(
        [
            _m("a", 320, published=date(2022, 11, 1)),
            _m("b", 322, content_hash="h2", doc_id="d2", published=date(2022, 11, 20)),
        ],
        [("322", 2, True, ("322 个", "320 个"))],
        id="conflict-latest-wins",
    ),
    pytest.param(
        [
            _m("a", 320, published=None),
            _m("b", 318, content_hash="h2", doc_id="d2", published=date(2022, 1, 5)),
        ],
        [("318", 2, True, ("318 个", "320 个"))],
        id="undated-counts-as-oldest",
    ),
    pytest.param(
        [_m("a", 66, char_start=10), _m("b", 26, char_start=40)],
        [("66", 1, True, ("66 个", "26 个"))],
        id="within-doc-first-in-text",
    ),
    pytest.param(
        [_m("a", 66, role="threshold"), _m("b", 5, metric=None), _m("c", 1, kind="date")],
        [],
        id="negatives-not-facts",
    ),
    pytest.param(
        [_m("a", 310, status="target", end=date(2022, 12, 31)), _m("b", 322)],
        [("322", 1, False, ("322 个",)), ("310", 1, False, ("310 个",))],
        id="status-is-key",
    ),
]


@pytest.mark.parametrize(("mentions", "expected"), CONSOLIDATE_CASES)
def test_consolidate(mentions, expected):
    got = _consolidate(mentions)
    assert [
        (format(f.value.normalize(), "f"), f.n_documents, f.conflict, f.all_values) for f in got
    ] == expected


def test_copies_count_once():
    ms = [_m("a", 322), _m("b", 322, content_hash="h2", doc_id="d2")]
    (fact,) = F.consolidate(ms, {"h1": ["d1"], "h2": ["d2"]}, {"d1": "d1", "d2": "d1"})
    assert (fact.n_documents, fact.doc_ids, fact.mention_ids) == (1, ("d1", "d2"), ("a", "b"))


# --- year-to-date increments ----------------------------------------------------------------

YTD_CASES = [
    pytest.param(
        [(date(2020, 7, 31), 137), (date(2020, 8, 31), 160)],
        [(date(2020, 8, 1), date(2020, 8, 31), "23")],
        id="jul-aug",
    ),
    pytest.param(
        [(date(2020, 5, 31), 50), (date(2020, 7, 31), 137), (date(2020, 8, 31), 160)],
        [(date(2020, 6, 1), date(2020, 7, 31), "87"), (date(2020, 8, 1), date(2020, 8, 31), "23")],
        id="three-points",
    ),
    pytest.param(
        [(date(2020, 7, 31), 137), (date(2020, 8, 31), 120)], [], id="falling-is-no-series"
    ),
    pytest.param([(date(2020, 7, 31), 137), (date(2020, 9, 23), 170)], [], id="not-month-end"),
    pytest.param([(date(2020, 7, 31), 137)], [], id="single-point"),
]


@pytest.mark.parametrize(("points", "expected"), YTD_CASES)
def test_derive_increments(points, expected):
    ms = [
        _m(f"m{i}", v, start=date(end.year, 1, 1), end=end, char_start=i)
        for i, (end, v) in enumerate(points)
    ]
    derived = F.derive_increments(_consolidate(ms))
    assert [
        (f.period_start, f.period_end, format(f.value.normalize(), "f")) for f in derived
    ] == expected
    assert all(f.scope == "derived" for f in derived)


def test_increments_only_for_actual_counts_and_amounts():
    ms = [
        _m("a", 10, kind="growth", unit="%", start=date(2020, 1, 1), end=date(2020, 7, 31)),
        _m("b", 12, kind="growth", unit="%", start=date(2020, 1, 1), end=date(2020, 8, 31)),
        _m("c", 100, status="target", start=date(2020, 1, 1), end=date(2020, 7, 31)),
        _m("d", 120, status="target", start=date(2020, 1, 1), end=date(2020, 8, 31)),
    ]
    assert F.derive_increments(_consolidate(ms)) == []


# --- city_period and targets -----------------------------------------------------------------


def test_city_period_pivots_with_amounts_in_yi():
    ms = [
        _m("a", 322),
        _m("b", D("147.7"), kind="growth", unit="%"),
        _m("c", 30594000000, metric="investment_signed", kind="amount", unit="CNY"),
        _m("d", 310, status="target", start=date(2022, 1, 1), end=date(2022, 12, 31)),
        _m("e", 5, start=None, end=None),
    ]
    names, rows = F.city_period(_consolidate(ms))
    assert names == [
        "actual__projects_signed",
        "actual__projects_signed__growth",
        "actual__investment_signed__yi_cny",
        "target__projects_signed",
    ]
    assert [(r["period_end"], [r[n] for n in names]) for r in rows] == [
        (date(2022, 10, 31), [D(322), D("147.7"), D("305.94"), None]),
        (date(2022, 12, 31), [None, None, None, D(310)]),
    ]


def test_targets_beside_latest_actual():
    ms = [
        _m("t", 310, status="target", start=date(2022, 1, 1), end=date(2022, 12, 31)),
        _m("a", 200, end=date(2022, 6, 30)),
        _m("b", 322, end=date(2022, 10, 31)),
        _m("c", 5, end=date(2022, 10, 31), start=date(2022, 10, 1)),
        _m("x", 99, end=date(2021, 12, 31), start=date(2021, 1, 1)),
        _m("o", 400, area="濉溪经济开发区"),
    ]
    (row,) = F.targets(_consolidate(ms))
    assert (
        row["target_value"],
        row["actual_value"],
        row["actual_period_start"],
        row["actual_period_end"],
        row["attainment"],
    ) == (D(310), D(322), date(2022, 1, 1), date(2022, 10, 31), D("1.038710"))


@pytest.mark.parametrize(
    "name",
    [
        "actual__projects_signed",
        "target__investment_signed__yi_cny",
        "derived_actual__projects_started",
        "plan__projects__share",
        "actual__foreign_investment__yi_usd",
    ],
)
def test_column_names_round_trip(name):
    c = F.parse_column(name)
    assert F.column_name(c.status, c.scope, c.metric, c.kind, c.currency) == name


def test_column_name_refuses_unsafe_metric():
    with pytest.raises(ValueError, match="unsafe"):
        F.column_name("actual", "reported", 'x"; DROP TABLE facts;--', "count", None)


# --- near-duplicates ------------------------------------------------------------------------

HEADER = "转载自某市人民政府网 来源：投资促进局 编辑：周明 分享到：微信 微博\n\n"
FOOTER = "\n\n（责任编辑：郑华）本文转自某新闻网，版权归原作者所有。扫一扫在手机打开当前页"


@pytest.fixture(scope="module")
def corpus_texts(corpus_items):
    return {p.document.doc_id: p.document.text for p in corpus_items if isinstance(p, Processed)}


@pytest.mark.parametrize(
    ("pairs", "groups"),
    [
        ([], []),
        ([("b", "a")], [["a", "b"]]),
        ([("a", "b"), ("c", "d"), ("d", "b")], [["a", "b", "c", "d"]]),
        ([("a", "b"), ("c", "d"), ("a", "b")], [["a", "b"], ["c", "d"]]),
    ],
    ids=["none", "one-pair", "chained", "apart"],
)
def test_story_groups(pairs, groups):
    assert sorted(F.story_groups(pairs)) == groups


def test_originals_are_the_earliest_then_the_smallest_id():
    published = {"a": date(2023, 5, 2), "b": date(2023, 5, 1), "c": None, "d": None, "e": None}
    assert F.originals([["a", "b", "c"], ["d", "e"]], published) == {
        "a": "b",  # b was published first
        "c": "b",  # an undated copy is never the original of a dated one
        "e": "d",  # among undated ones, the smallest doc_id
    }


def test_republished_copies_found_and_different_stories_kept_apart(corpus_texts):
    docs = [
        {"doc_id": k, "content_hash": k, "fingerprint": F.fingerprint(v), "published": None}
        for k, v in corpus_texts.items()
    ]
    copies = [
        {
            "doc_id": f"zz_{k}",
            "content_hash": f"zz_{k}",
            "fingerprint": F.fingerprint(HEADER + v + FOOTER),
            "published": None,
        }
        for k, v in corpus_texts.items()
    ]
    assert F.find_duplicates(docs) == {}
    assert F.find_duplicates(docs + copies) == {f"zz_{k}": k for k in corpus_texts}


def _datasketch_fingerprint(text: str) -> str:
    """The reference: datasketch's own MinHash of the same 3-grams, with govfacts' hash."""
    from datasketch import MinHash

    flat = "".join(text.split())
    shingles = {flat[i : i + 3] for i in range(max(len(flat) - 2, 1))}
    mh = MinHash(num_perm=F.NUM_PERM, seed=1, scheme=F.SCHEME, hashfunc=F.shingle_hash32)
    mh.update_batch(list(shingles))
    return "".join(f"{int(v):08x}" for v in mh.hashvalues)


def _murmur_fmix64_high32(shingle: str) -> int:
    """`shingle_hash32` written from its definition with Python integers."""
    key = 0
    for c in (shingle + "\0\0\0")[:3]:
        key = (key << 21) | ord(c)
    mask = (1 << 64) - 1
    key ^= key >> 33
    key = (key * 0xFF51AFD7ED558CCD) & mask
    key ^= key >> 33
    key = (key * 0xC4CEB9FE1A85EC53) & mask
    key ^= key >> 33
    return key >> 32


@pytest.mark.parametrize(
    "shingle",
    ["", "淮", "淮北", "淮北市", "322", "亿元。", "🙂ab", "\U0010ffff\U0010ffff\U0010ffff"],
)
def test_shingle_hash32_is_murmur3_finalizer_of_packed_code_points(shingle):
    assert F.shingle_hash32(shingle) == _murmur_fmix64_high32(shingle)


def test_shingle_hash32_tells_apart_shingles_that_share_characters():
    shingles = ["淮北市", "北市淮", "市淮北", "淮北", "北市", "淮市北"]
    assert len({F.shingle_hash32(s) for s in shingles}) == len(shingles)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "　",
        "淮",
        "淮北",
        "淮北市",
        "淮北市签约工业项目322个",
        "2023年1-6月，全市新签约工业项目48个，\n协议投资额 156.5 亿元。",
        "全縣上半年完成招商引資到位資金四十五億元。",
        "abc abc abc",
        "🙂 emoji and ASCII 3-grams",
    ],
)
def test_fingerprint_is_datasketch_minhash_bit_for_bit(text):
    assert F.fingerprint(text) == _datasketch_fingerprint(text)


def test_fingerprint_of_every_bundled_document_is_datasketch_minhash(corpus_texts):
    for name, text in corpus_texts.items():
        assert F.fingerprint(text) == _datasketch_fingerprint(text), name


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        (
            "2023年1-6月全市新签约工业项目48个，协议投资额156.5亿元，同比增长20%。" * 3,
            "据市投资促进局消息："
            + "2023年1-6月全市新签约工业项目48个，协议投资额156.5亿元，同比增长20%。" * 3,
            0.5,
            1.0,
        ),
        (
            "2023年1-6月全市新签约工业项目48个，协议投资额156.5亿元。",
            "今年上半年，全县新开工亿元以上项目17个，完成固定资产投资32亿元。",
            0.0,
            0.5,
        ),
    ],
    ids=["same-story", "different-story"],
)
def test_similarity(a, b, low, high):
    assert low <= F.similarity(F.fingerprint(a), F.fingerprint(b)) <= high


def test_republished_copy_counted_once_in_store(store, corpus_items):
    original = next(p for p in corpus_items if p.document.doc_id.startswith("000_"))
    raw = original.document.raw
    copy = process(
        RawDocument(
            doc_id="republished_000",
            text=HEADER + raw.text + FOOTER,
            source="test/copy.txt",
            city="淮北市",
        )
    )
    store.load_all(corpus_items)
    store.build_facts()
    before = {
        (f["metric"], f["kind"], f["status"], f["period_end"]): f for f in store.rows("facts")
    }
    assert store.load(copy) == "inserted"
    store.build_facts()
    dup = {d["doc_id"]: d["duplicate_of"] for d in store.rows("documents")}
    assert dup["republished_000"] == original.document.doc_id
    assert sum(v is not None for v in dup.values()) == 1
    signed = next(
        f for f in store.rows("facts") if f["metric"] == "projects_signed" and f["value"] == 322
    )
    assert signed["n_documents"] == 1
    assert "republished_000" in json.loads(signed["doc_ids"])
    after = {
        (f["metric"], f["kind"], f["status"], f["period_end"]): f["n_documents"]
        for f in store.rows("facts")
    }
    assert all(after[k] == f["n_documents"] for k, f in before.items() if k in after)


def _sha1_fingerprint(text: str) -> str:
    """A version-1 fingerprint: datasketch's MinHash with its default SHA-1 hash."""
    from datasketch import MinHash

    flat = "".join(text.split())
    mh = MinHash(num_perm=F.NUM_PERM, seed=1, scheme=F.SCHEME)
    mh.update_batch([flat[i : i + 3].encode("utf-8") for i in range(max(len(flat) - 2, 1))])
    return "".join(f"{int(v):08x}" for v in mh.hashvalues)


def test_store_from_before_fingerprint_version_2_is_migrated_on_opening(store, corpus_items):
    """Rows with a text get version-2 fingerprints when an old store is opened; a row
    without text keeps its version-1 fingerprint, which is never compared with version 2."""
    import sqlalchemy as sa
    from govfacts.pipeline.store import Store

    original = next(p for p in corpus_items if p.document.doc_id.startswith("000_"))
    other = next(p for p in corpus_items if p.document.doc_id.startswith("001_"))
    copy = process(
        RawDocument(
            doc_id="republished_000",
            text=HEADER + original.document.raw.text + FOOTER,
            source="test/copy.txt",
        )
    )
    store.load_all([original, other, copy])
    texts = {r["doc_id"]: r["text"] for r in store.rows("documents")}
    with store.engine.begin() as conn:  # what a store written by an older govfacts holds
        conn.execute(sa.text('ALTER TABLE "documents" DROP COLUMN fingerprint_version'))
        for doc_id, text in texts.items():
            conn.execute(
                sa.text('UPDATE "documents" SET fingerprint = :fp WHERE doc_id = :d'),
                {"fp": _sha1_fingerprint(text), "d": doc_id},
            )
        conn.execute(
            sa.text("UPDATE \"documents\" SET text = NULL WHERE doc_id = 'republished_000'")
        )
    old_rows = store.rows(
        "documents", columns=("doc_id", "content_hash", "fingerprint", "published")
    )
    assert F.find_duplicates(old_rows) == {"republished_000": original.document.doc_id}
    url = store.url.render_as_string(hide_password=False)
    store.close()

    reopened = Store(url)
    try:
        rows = {r["doc_id"]: r for r in reopened.rows("documents")}
        for doc_id in (original.document.doc_id, other.document.doc_id):
            assert rows[doc_id]["fingerprint_version"] == 2
            assert rows[doc_id]["fingerprint"] == F.fingerprint(texts[doc_id])
        assert rows["republished_000"]["fingerprint_version"] is None
        assert rows["republished_000"]["fingerprint"] == _sha1_fingerprint(texts["republished_000"])
        assert reopened.duplicates()[0] == {}
        docs = reopened.rows(
            "documents",
            columns=("doc_id", "content_hash", "fingerprint", "fingerprint_version", "published"),
        )
        assert F.find_duplicates(docs) == {}
        reopened.load(copy, force=True)  # reloading the text gives it a version-2 fingerprint
        assert reopened.duplicates()[0] == {"republished_000": original.document.doc_id}
    finally:
        reopened.close()


# --- the CLI ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    from typer.testing import CliRunner

    from govfacts.cli import app

    db = tmp_path_factory.mktemp("cli") / "facts.duckdb"
    result = CliRunner().invoke(app, ["run", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"store: {db}" in result.output
    assert (
        "签约项目" in result.output and "signed" in result.output and "city_period" in result.output
    )
    return db


def _cli(*args):
    from typer.testing import CliRunner

    from govfacts.cli import app

    return CliRunner().invoke(app, list(args))


TABLE_CASES = [
    pytest.param(
        "csv",
        "city,area,period_start,period_end,actual__projects_signed,actual__projects_signed__growth,"
        "target__projects_signed\n淮北市,,2022-01-01,2022-10-31,322,147.7,\n",
        id="csv",
    ),
    pytest.param(
        "markdown",
        "| city | area | period_start | period_end | actual__projects_signed | "
        "actual__projects_signed__growth | target__projects_signed |\n"
        "|---|---|---|---|---|---|---|\n"
        "| 淮北市 |  | 2022-01-01 | 2022-10-31 | 322 | 147.7 |  |\n",
        id="markdown",
    ),
]


@pytest.mark.parametrize(("fmt", "head"), TABLE_CASES)
def test_table_formats(cli_db, fmt, head):
    result = _cli(
        "table",
        "--db",
        str(cli_db),
        "--city",
        "淮北市",
        "--metric",
        "projects_signed",
        "--format",
        fmt,
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(head)


def test_table_json_is_exact(cli_db):
    result = _cli(
        "table",
        "--db",
        str(cli_db),
        "--city",
        "淮北市",
        "--metric",
        "projects_signed",
        "--status",
        "actual",
        "--format",
        "json",
    )
    rows = json.loads(result.output)
    assert rows[0] == {
        "city": "淮北市",
        "area": None,
        "period_start": "2022-01-01",
        "period_end": "2022-10-31",
        "actual__projects_signed": 322,
        "actual__projects_signed__growth": 147.7,
    }


def test_table_text_has_both_labels(cli_db):
    result = _cli("table", "--db", str(cli_db), "--status", "target", "--format", "text")
    assert result.exit_code == 0
    assert "开工项目" in result.output and "started" in result.output and "目标" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("table", "--db", "x.txt"),
        ("table", "--db", "mysql://h/db"),
        ("run", "--db", "no/such/dir/a.duckdb"),
        ("table", "--format", "xml"),
        ("export", "--to", "out", "--format", "sqlite"),
    ],
    ids=["txt", "mysql", "missing-dir", "bad-format", "bad-export-format"],
)
def test_usage_errors_exit_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _cli(*args).exit_code == 2


def test_export_command(cli_db, tmp_path):
    result = _cli(
        "export", "--db", str(cli_db), "--to", str(tmp_path / "out"), "--format", "parquet"
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"{t}.parquet"
        for t in ("documents", "mentions", "projects", "errors", "facts", "city_period", "targets")
    )


# --- acceptance on the bundled corpus (issue 5) ------------------------------------------------


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory, corpus_items):
    from govfacts.pipeline.store import open_store

    store = open_store(tmp_path_factory.mktemp("corpus") / "corpus.duckdb")
    store.load_all(corpus_items)
    store.build_facts()
    yield store
    store.close()


@pytest.mark.parametrize(
    ("metric", "target", "actual", "attainment"),
    [
        ("projects_signed", D(310), D(322), D("1.038710")),
        ("projects_started", D(225), D(215), D("0.955556")),
    ],
    ids=["signed-322-of-310", "started-215-of-225"],
)
def test_huaibei_targets(corpus_store, metric, target, actual, attainment):
    rows = [
        r
        for r in corpus_store.rows("targets")
        if (r["city"], r["area"], r["year"], r["metric"], r["target_value"])
        == ("淮北市", None, 2022, metric, target)
    ]
    assert [
        (r["actual_value"], r["actual_period_start"], r["actual_period_end"], r["attainment"])
        for r in rows
    ] == [(actual, date(2022, 1, 1), date(2022, 10, 31), attainment)]


def _cell(store, city, area, start, end, column):
    for r in store.rows("city_period"):
        if (r["city"], r["area"], r["period_start"], r["period_end"]) == (city, area, start, end):
            return r.get(column)
    return "no row"


CELLS = [
    ("淮北市", None, date(2022, 1, 1), date(2022, 10, 31), "actual__projects_signed", D(322)),
    (
        "淮北市",
        None,
        date(2022, 1, 1),
        date(2022, 10, 31),
        "actual__projects_signed__growth",
        D("147.7"),
    ),
    ("淮北市", None, date(2022, 1, 1), date(2022, 10, 31), "actual__projects_started", D(215)),
    (
        "淮北市",
        None,
        date(2022, 1, 1),
        date(2022, 10, 31),
        "actual__projects_started__growth",
        D("141.6"),
    ),
    ("淮北市", None, date(2022, 1, 1), date(2022, 12, 31), "target__projects_signed", D(310)),
    ("淮北市", None, date(2022, 1, 1), date(2022, 12, 31), "target__projects_started", D(225)),
    (
        "淮北市",
        None,
        date(2022, 1, 1),
        date(2022, 12, 31),
        "target__investment_completed__yi_cny",
        D(165),
    ),
    ("淮南市", None, date(2020, 1, 1), date(2020, 7, 31), "actual__projects_signed", D(137)),
    (
        "淮南市",
        None,
        date(2020, 1, 1),
        date(2020, 7, 31),
        "actual__investment_signed__yi_cny",
        D("305.94"),
    ),
    ("淮南市", None, date(2020, 1, 1), date(2020, 7, 31), "actual__projects_started", D(79)),
    (
        "淮南市",
        None,
        date(2020, 1, 1),
        date(2020, 7, 31),
        "actual__investment_started__yi_cny",
        D("116.6"),
    ),
    ("淮南市", None, date(2020, 1, 1), date(2020, 8, 31), "actual__promotion_events", D(496)),
    ("淮南市", None, date(2020, 1, 1), date(2020, 8, 31), "actual__investor_visits", D(916)),
]
SUIXI = ("淮北市", "濉溪经济开发区")
CELLS += [
    (*SUIXI, date(2021, 1, 1), date(2021, 12, 31), "actual__projects_started", D(19)),
    (
        *SUIXI,
        date(2021, 1, 1),
        date(2021, 12, 31),
        "actual__outside_province_funds__yi_cny",
        D("50.23"),
    ),
    (
        *SUIXI,
        date(2021, 1, 1),
        date(2021, 12, 31),
        "actual__fixed_asset_investment__yi_cny",
        D("17.89"),
    ),
    (*SUIXI, date(2021, 1, 1), date(2021, 12, 31), "actual__foreign_investment__yi_usd", D("0.9")),
    (
        *SUIXI,
        date(2022, 1, 1),
        date(2022, 12, 31),
        "target__outside_province_funds__yi_cny",
        D(110),
    ),
]
XFAIL_CELLS = [
    pytest.param(
        "淮北市",
        None,
        date(2022, 1, 1),
        date(2022, 12, 31),
        "target__projects_completed",
        D(175),
    ),
    pytest.param(
        *SUIXI,
        date(2022, 1, 1),
        date(2022, 12, 31),
        "target__projects_introduced",
        D(37),
    ),
    pytest.param(
        *SUIXI,
        date(2022, 1, 1),
        date(2022, 12, 31),
        "target__projects_started",
        D(42),
    ),
    pytest.param(
        "安庆市",
        None,
        date(2025, 1, 1),
        date(2025, 12, 31),
        "target__projects_signed",
        D(530),
    ),
]


@pytest.mark.parametrize(("city", "area", "start", "end", "column", "value"), CELLS + XFAIL_CELLS)
def test_city_period_cells(corpus_store, city, area, start, end, column, value):
    assert _cell(corpus_store, city, area, start, end, column) == value


def test_cells_trace_to_sentences(corpus_store):
    mentions = {m["mention_id"]: m for m in corpus_store.rows("mentions")}
    fact = next(
        f
        for f in corpus_store.rows("facts")
        if (f["city"], f["metric"], f["kind"], f["value"])
        == ("淮北市", "projects_signed", "count", 322)
    )
    (mid,) = json.loads(fact["mention_ids"])
    assert "截至10月底，全市签约工业项目322个" in mentions[mid]["sentence"]


def test_store_finds_the_same_copies_as_the_reference(store, corpus_items):
    """`Store.duplicates` (bands joined in SQL) agrees with `find_duplicates` (datasketch's LSH)."""
    by_id = {p.document.doc_id: p.document.raw for p in corpus_items if isinstance(p, Processed)}

    def copy(doc_id, of, text, published=None):
        raw = by_id[of]
        return process(
            RawDocument(
                doc_id=doc_id,
                text=text(raw.text),
                source="test/copy.txt",
                city=raw.city,
                published=published,
            )
        )

    store.load_all(corpus_items)
    store.load_all(
        [
            copy("republished_000", "000_f15e10e4591fdf19", lambda t: HEADER + t + FOOTER),
            copy("same_001", "001_b4a38f34b9bab76d", lambda t: t),  # byte-identical
            copy("early_002", "002_2abdf53516f4d64d", lambda t: t + FOOTER, date(2000, 1, 1)),
        ]
    )
    copies, by_hash = store.duplicates()
    assert copies == {
        "republished_000": "000_f15e10e4591fdf19",
        "same_001": "001_b4a38f34b9bab76d",
        "002_2abdf53516f4d64d": "early_002",  # the earlier publication is the original
    }
    docs = store.rows(
        "documents",
        columns=("doc_id", "content_hash", "fingerprint", "fingerprint_version", "published"),
    )
    assert copies == F.find_duplicates(docs)
    assert list(by_hash.values()) == [["001_b4a38f34b9bab76d", "same_001"]]


def test_near_duplicate_pairs_are_the_lsh_pairs(corpus_texts):
    """Banding by sorting finds exactly the pairs datasketch's LSH query + `similarity` finds."""
    import random

    import numpy as np
    from datasketch import MinHash, MinHashLSH

    rng = random.Random(11)
    sentences = [s for t in corpus_texts.values() for s in t.split("。") if len(s) > 8]
    # 240 texts of 3-8 sentences from a small pool: many share bands, some are near copies
    texts = ["。".join(rng.sample(sentences[:40], rng.randint(3, 8))) for _ in range(240)]
    fps = [F.fingerprint(t) for t in texts]
    lsh = MinHashLSH(threshold=F.NEAR_DUPLICATE_THRESHOLD, num_perm=F.NUM_PERM)
    expected = set()
    for j, fp in enumerate(fps):
        mh = MinHash(
            num_perm=F.NUM_PERM,
            seed=1,
            hashvalues=F.hash_values(fp).astype(np.uint64),
            scheme=F.SCHEME,
        )
        for i in lsh.query(mh):
            if F.similarity(fps[i], fp) >= F.NEAR_DUPLICATE_THRESHOLD:
                expected.add((i, j))
        lsh.insert(j, mh)
    values = np.stack([F.hash_values(fp) for fp in fps])
    found = set(F.near_duplicate_pairs(values))
    assert found == expected
    # not trivial: 301 pairs share a band, 62 of them are similar enough, and 28 similar
    # pairs share no band (so LSH misses them, and so must the banding)
    assert len(found) == 62
