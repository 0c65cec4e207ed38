"""The store: `--db`, idempotent atomic loads, bound parameters, exports (DuckDB and PostgreSQL)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from govfacts.pipeline.records import MENTION_FIELDS, DocError, Mention, RawDocument
from govfacts.pipeline.stages import Processed, process
from govfacts.pipeline.store import (
    TABLES,
    StoreError,
    content_hash,
    export_tables,
    parse_db,
    schema,
)

# --- helpers ---------------------------------------------------------------------------


def _doc(doc_id: str, text: str, **raw) -> Processed:
    """A small document of our own, through the real per-document stages."""
    item = process(RawDocument(doc_id=doc_id, text=text, source=f"test/{doc_id}.txt", **raw))
    assert isinstance(item, Processed), item
    return item


SIGNED = "2023年1-6月，全市新签约工业项目48个，同比增长20%，协议投资额156.5亿元。"
SIGNED_CHANGED = "2023年1-6月，全市新签约工业项目51个，同比增长20%，协议投资额156.5亿元。"


def _snapshot(store) -> dict[str, list[dict]]:
    return {t: store.rows(t) for t in TABLES}


def _count(store, table: str, **where) -> int:
    return sum(all(r[k] == v for k, v in where.items()) for r in store.rows(table))


# --- schema and --db ---------------------------------------------------------------------


def test_schema_mentions_columns_are_the_contract():
    cols = [c["name"] for c in schema()["tables"]["mentions"]["columns"]]
    assert set(cols) == set(MENTION_FIELDS) | {"content_hash", "mention_id"}
    assert len(cols) == len(set(cols))


def test_schema_describes_every_table():
    assert set(schema()["tables"]) == set(TABLES)
    for spec in schema()["tables"].values():
        assert all(c["description"] and c["type"] for c in spec["columns"])


@pytest.mark.parametrize(
    ("db", "expected"),
    [
        ("store.duckdb", "duckdb:///{cwd}/store.duckdb"),
        ("data.db", "duckdb:///{cwd}/data.db"),
        ("postgresql://u:p@127.0.0.1:5433/facts", "postgresql+psycopg://u:p@127.0.0.1:5433/facts"),
        ("postgres://u@db.example/facts", "postgresql+psycopg://u@db.example/facts"),
        ("postgresql+psycopg://u@h/facts", "postgresql+psycopg://u@h/facts"),
    ],
    ids=["duckdb-file", "db-suffix", "postgresql", "postgres-alias", "psycopg-explicit"],
)
def test_parse_db_accepts(db, expected, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert parse_db(db) == expected.format(cwd=tmp_path)


@pytest.mark.parametrize(
    ("db", "message"),
    [
        ("mysql://u@h/db", "unknown database URL scheme"),
        ("postgresql://u@h", "names no database"),
        ("notes.txt", "must end in"),
        ("no/such/folder/x.duckdb", "does not exist"),
        (".", "is a directory"),
        ("", "empty --db"),
    ],
    ids=["mysql", "pg-no-db", "txt-file", "missing-folder", "directory", "empty"],
)
def test_parse_db_rejects(db, message, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match=message):
        parse_db(db)


def test_not_a_duckdb_file_is_a_store_error(tmp_path):
    from govfacts.pipeline.store import open_store

    bad = tmp_path / "junk.duckdb"
    bad.write_text("this is not a database", encoding="utf-8")
    with pytest.raises(StoreError, match="cannot open"):
        open_store(bad)


# --- loads (both stores) ------------------------------------------------------------------


def test_corpus_load_is_idempotent(store, corpus_items):
    first = store.load_all(corpus_items)
    store.build_facts()
    before = _snapshot(store)
    second = store.load_all(corpus_items)
    store.build_facts()
    assert first.outcomes == {"inserted": 5}
    assert second.outcomes == {"skipped": 5}
    assert _snapshot(store) == before
    assert len(before["mentions"]) == sum(len(p.mentions) for p in corpus_items)
    assert before["facts"] and before["targets"] and before["city_period"]


def test_forced_reload_changes_nothing_but_the_load_time(store, corpus_items):
    store.load_all(corpus_items)
    before = _snapshot(store)
    assert store.load_all(corpus_items, force=True).outcomes == {"replaced": 5}
    after = _snapshot(store)
    strip = lambda rows: [{k: v for k, v in r.items() if k != "processed_at"} for r in rows]  # noqa: E731
    assert strip(after["documents"]) == strip(before["documents"])
    assert after["mentions"] == before["mentions"]


def test_changed_text_replaces_old_rows(store):
    assert store.load(_doc("t1", SIGNED)) == "inserted"
    old_hash = content_hash(SIGNED)
    assert store.load(_doc("t1", SIGNED_CHANGED)) == "replaced"
    docs = store.rows("documents")
    assert [(d["doc_id"], d["content_hash"]) for d in docs] == [
        ("t1", content_hash(SIGNED_CHANGED))
    ]
    assert _count(store, "mentions", content_hash=old_hash) == 0
    counts = [r["value"] for r in store.rows("mentions") if r["kind"] == "count"]
    assert counts == [Decimal("51")]


def test_interrupted_load_leaves_no_partial_document(store):
    """A real failing row: two mentions with one key violate the primary key mid-document."""
    good = _doc("t2", SIGNED)
    assert store.load(good) == "inserted"
    before = _snapshot(store)
    bad = _doc("t2", SIGNED_CHANGED)
    clash = dataclasses.replace(
        bad.mentions[0], text="重复"
    )  # same (kind, char_start): a key violation
    broken = Processed(bad.document, (*bad.mentions, clash))
    with pytest.raises(Exception, match="(?i)duplicate|unique|constraint"):
        store.load(broken)
    assert _snapshot(store) == before  # the old version is whole, the new one absent
    outcome, err = store.load_item(broken)
    assert outcome == "failed" and err.stage == "load" and err.doc_id == "t2"
    assert [(e["doc_id"], e["stage"]) for e in store.rows("errors")] == [("t2", "load")]
    assert store.load(_doc("t3", SIGNED_CHANGED)) == "inserted"  # the batch goes on


def test_new_document_failing_mid_load_leaves_nothing(store):
    item = _doc("t4", SIGNED)
    huge = dataclasses.replace(
        item.mentions[0], value=Decimal("1e40"), char_start=999
    )  # overflows DECIMAL(38,6)
    with pytest.raises(Exception):  # noqa: B017 - the store's own error type varies by driver
        store.load(Processed(item.document, (*item.mentions, huge)))
    assert all(store.rows(t) == [] for t in ("documents", "mentions", "projects"))


def test_untrusted_text_is_bound_not_spliced(store):
    evil = "'); DROP TABLE documents;--"
    item = _doc("x'); DELETE FROM mentions;--", SIGNED, title=evil, source_org='市"投促"中心')
    m = dataclasses.replace(item.mentions[0], subject=evil, sentence="a'b\"c;--")
    store.load(Processed(item.document, (m, *item.mentions[1:])))
    doc = store.rows("documents")[0]
    assert (doc["doc_id"], doc["title"], doc["source_org"]) == (
        "x'); DELETE FROM mentions;--",
        evil,
        '市"投促"中心',
    )
    row = next(r for r in store.rows("mentions") if r["subject"] == evil)
    assert row["sentence"] == "a'b\"c;--"
    store.build_facts()
    assert store.already_loaded([content_hash(SIGNED), "'); DROP TABLE documents;--"]) == {
        content_hash(SIGNED)
    }


def test_exact_copy_shares_mentions(store):
    assert store.load(_doc("orig", SIGNED, published=date(2023, 7, 10))) == "inserted"
    assert store.load(_doc("copy", SIGNED, published=date(2023, 7, 12))) == "copy"
    n = len(_doc("orig", SIGNED).mentions)
    assert len(store.rows("mentions")) == n
    assert {d["doc_id"]: d["duplicate_of"] for d in store.rows("documents")} == {
        "orig": None,
        "copy": "orig",
    }
    # the original's text changes: its rows stay, handed to the copy
    assert store.load(_doc("orig", SIGNED_CHANGED)) == "replaced"
    by_hash = {
        r["doc_id"] for r in store.rows("mentions") if r["content_hash"] == content_hash(SIGNED)
    }
    assert by_hash == {"copy"}


def test_errors_recorded_once_and_cleared_by_a_load(store):
    err = DocError("t5", "normalize", "UnicodeError: bad bytes", "test/t5.txt")
    store.record_error(err)
    first = store.rows("errors")
    store.record_error(err)
    assert store.rows("errors") == first
    store.load(_doc("t5", SIGNED))
    assert store.rows("errors") == []


def test_exactness_of_values(store):
    item = _doc("t6", SIGNED)
    store.load(item)
    values = sorted(
        (r["kind"], r["value"]) for r in store.rows("mentions") if r["value"] is not None
    )
    assert ("amount", Decimal("15650000000")) in values
    assert ("growth", Decimal("20")) in values
    assert all(isinstance(v, Decimal) for _, v in values)


def test_more_than_six_places_is_refused(store):
    item = _doc("t7", SIGNED)
    odd = dataclasses.replace(item.mentions[0], value=Decimal("0.1234567"))
    outcome, err = store.load_item(Processed(item.document, (odd,)))
    assert outcome == "failed" and "six decimal places" in err.reason


# --- exports ----------------------------------------------------------------------------


@pytest.fixture
def loaded(duckdb_store, corpus_items):
    duckdb_store.load_all(corpus_items)
    duckdb_store.build_facts()
    return duckdb_store


def test_export_parquet_keeps_types(loaded, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    export_tables(loaded, tmp_path, "parquet")
    facts = pq.read_table(tmp_path / "facts.parquet")
    assert facts.schema.field("value").type == pa.decimal128(38, 6)
    assert facts.schema.field("period_end").type == pa.date32()
    assert facts.schema.field("conflict").type == pa.bool_()
    assert facts.num_rows == len(loaded.rows("facts"))
    cp = pq.read_table(tmp_path / "city_period.parquet")
    assert cp.schema.field("actual__projects_signed").type == pa.decimal128(38, 6)


def test_export_csv_keeps_types_with_schema_beside(loaded, tmp_path):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    export_tables(loaded, tmp_path, "csv")
    spec = json.loads((tmp_path / "schema.json").read_text(encoding="utf-8"))
    types = {
        "text": pa.string(),
        "integer": pa.int64(),
        "decimal": pa.decimal128(38, 6),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
        "boolean": pa.bool_(),
    }
    cols = {c["name"]: types[c["type"]] for c in spec["tables"]["mentions"]["columns"]}
    back = pcsv.read_csv(
        tmp_path / "mentions.csv",
        convert_options=pcsv.ConvertOptions(
            column_types=cols, strings_can_be_null=True, quoted_strings_can_be_null=False
        ),
    )
    assert back.equals(loaded.arrow("mentions"))


def test_export_xlsx_one_sheet_per_table_chinese_intact(loaded, tmp_path):
    from openpyxl import load_workbook

    (path,) = export_tables(loaded, tmp_path, "xlsx")
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == list(TABLES)
    docs = list(wb["documents"].iter_rows(values_only=True))
    assert docs[0][0] == "doc_id"
    titles = {r[docs[0].index("title")] for r in docs[1:]}
    assert "对淮北市政协十一届一次会议20号提案的答复" in titles


def test_batches_stream_every_table_in_rows_order(store, corpus_items):
    store.load_all(corpus_items)
    store.build_facts()
    for table in TABLES:
        batches = list(store.iter_batches(table, size=7))
        assert all(len(b) == 7 for b in batches[:-1]), table
        assert [r for b in batches for r in b] == store.rows(table), table


def test_export_rejects_unknown_format(loaded, tmp_path):
    with pytest.raises(ValueError, match="unknown export format"):
        export_tables(loaded, Path(tmp_path), "sqlite")


def test_mention_row_keeps_every_contract_field(duckdb_store):
    m = Mention(
        doc_id="t8", kind="count", text="3个", value=Decimal(3), unit="个", char_start=5, char_end=7
    )
    row = duckdb_store._mention_row(m, "ab" * 32)
    assert set(row) == set(MENTION_FIELDS) | {"content_hash", "mention_id"}
    assert row["mention_id"] == "abababababababab:count:5"
