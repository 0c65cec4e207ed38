"""The archive runner: worker processes give the serial result; batch loads equal one-by-one loads.

Also jieba's part-of-speech decoder as vectorised in `pos_hmm` against jieba's own.
"""

from __future__ import annotations

import importlib.util
import random
from datetime import datetime
from pathlib import Path

import jieba
import jieba.posseg
import pytest
from govfacts.pipeline import parallel
from govfacts.pipeline.parallel import extract_parts, run_into_store
from govfacts.pipeline.pos_hmm import FastPOSTokenizer, viterbi
from govfacts.pipeline.records import DocError, RawDocument
from govfacts.pipeline.segment import USER_DICT, tokenizer
from govfacts.pipeline.stages import process, run
from govfacts.pipeline.store import Store, open_store, prepare
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("documents", "mentions", "projects", "errors", "facts", "city_period", "targets")
VOLATILE = ("processed_at", "at")  # load times differ between runs


def make_archive(out: Path, n: int, *, seed: int = 11) -> Path:
    """A synthetic archive from `benchmarks/make_archive.py` (not a package: loaded by path)."""
    spec = importlib.util.spec_from_file_location(
        "make_archive", ROOT / "benchmarks/make_archive.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_archive(out, n, seed=seed)
    return out


def tables(store: Store) -> dict[str, list[dict]]:
    """Every table, row for row, without the load times."""
    out = {}
    for t in TABLES:
        rows = store.rows(t)
        for r in rows:
            for c in VOLATILE:
                r.pop(c, None)
        out[t] = rows
    return out


def serial_tables(inputs: list[Path], db: Path) -> dict[str, list[dict]]:
    """The reference: `stages.run` and `Store.load_item`, one document at a time."""
    with open_store(db) as store:
        for item in run(inputs):
            store.load_item(item)
        store.build_facts()
        return tables(store)


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """40 generated documents, plus an empty file (a read error) and a copy under another name."""
    root = make_archive(tmp_path_factory.mktemp("archive") / "a", 40)
    (root / "000" / "000999.txt").write_bytes(b"")
    copy = (root / "000" / "000005.txt").read_bytes()
    (root / "zz-copy.txt").write_bytes(copy)
    return root


@pytest.fixture(scope="module")
def reference(archive, tmp_path_factory) -> dict[str, list[dict]]:
    return serial_tables([archive], tmp_path_factory.mktemp("ref") / "serial.duckdb")


# ---------------------------------------------------------------- runner = serial


def test_two_workers_equal_serial(archive, reference, tmp_path):
    from govfacts.pipeline.read import iter_documents

    order: list[str] = []
    with open_store(tmp_path / "par.duckdb") as store:
        summary = run_into_store(
            [archive],
            store,
            workers=2,
            on_progress=lambda s, done: order.extend(x.doc_id for x in done),
        )
        got = tables(store)
    assert (summary.ok, summary.failed, summary.skipped) == (41, 1, 0)
    assert summary.outcomes["copy"] == 1
    assert order == [r.doc_id for r in iter_documents([archive])]  # input order
    for t in TABLES:
        assert got[t] == reference[t], t
    assert len(got["mentions"]) > 300 and len(got["errors"]) == 1


def test_rerun_skips_everything_and_changes_nothing(archive, reference, tmp_path):
    with open_store(tmp_path / "again.duckdb") as store:
        run_into_store([archive], store, workers=1)
        summary = run_into_store([archive], store, workers=1)
        got = tables(store)
    assert (summary.ok, summary.skipped, summary.failed) == (0, 41, 1)  # the empty file fails again
    assert got == reference


def test_extract_parts_concatenate_to_the_serial_mentions(archive, tmp_path, monkeypatch):
    import pyarrow.parquet as pq
    from govfacts.pipeline.export import write_mentions

    monkeypatch.setattr(parallel, "PART_DOCS", 15)  # 3 parts over 2 workers
    serial = tmp_path / "serial.parquet"
    write_mentions(
        serial, (m for p in run([archive]) if not isinstance(p, DocError) for m in p.mentions)
    )
    out = tmp_path / "parts"
    summary = extract_parts([archive], out, workers=2)
    assert sorted(p.name for p in out.glob("*.parquet")) == [
        "part-000000.parquet",
        "part-000001.parquet",
        "part-000002.parquet",
    ]
    assert (summary.ok, summary.failed) == (41, 1)
    parts = [pq.read_table(p).to_pylist() for p in sorted(out.glob("part-*.parquet"))]
    assert [r for part in parts for r in part] == pq.read_table(serial).to_pylist()
    assert "empty file" in (out / "_errors-000002.jsonl").read_text(encoding="utf-8")
    (out / "part-000001.parquet").unlink()  # as if killed while writing part 1
    again = extract_parts([archive], out, workers=1)
    assert (again.skipped, again.ok) == (27, 15)
    assert [
        r for p in sorted(out.glob("part-*.parquet")) for r in pq.read_table(p).to_pylist()
    ] == [r for part in parts for r in part]


# ---------------------------------------------------------------- load_batch = load_item


def _doc(doc_id: str, text: str) -> RawDocument:
    return RawDocument(doc_id, text, f"{doc_id}.txt")


A = "2023年1至6月，合肥市新签约项目12个，总投资58.6亿元。"
B = "2022年，芜湖市实际利用外资3.2亿美元，同比增长9.5%。"
C = "2021年前三季度，蚌埠市新开工亿元以上项目87个。"

LOAD_CASES = [
    pytest.param([], [("a", A), ("b", B)], False, id="new-documents"),
    pytest.param([], [("a", A), ("a", A)], False, id="same-document-twice"),
    pytest.param([], [("a", A), ("b", A)], False, id="copy-in-batch"),
    pytest.param([("a", A)], [("b", A), ("c", C)], False, id="copy-of-loaded"),
    pytest.param([("a", A)], [("a", B), ("b", A)], False, id="replaced-then-copy"),
    pytest.param([("a", A), ("b", B)], [("a", A), ("b", C)], False, id="skipped-and-replaced"),
    pytest.param([("a", A)], [("a", A), ("c", C)], True, id="forced"),
    pytest.param([], [("a", A), ("a", None), ("b", B)], False, id="error-of-same-doc"),
]


@pytest.mark.parametrize(("before", "batch", "force"), LOAD_CASES)
def test_load_batch_equals_load_item(tmp_path, before, batch, force):
    now = datetime(2024, 1, 1)

    def items(pairs):
        return [
            DocError(d, "read", "empty file", f"{d}.txt") if t is None else process(_doc(d, t))
            for d, t in pairs
        ]

    results = []
    for name, batched in (("one", False), ("batch", True)):
        with open_store(tmp_path / f"{name}.duckdb") as store:
            for it in items(before):
                store.load_item(it)
            if batched:
                outcomes = store.load_batch(
                    [prepare(i) if not isinstance(i, DocError) else i for i in items(batch)],
                    force=force,
                    now=now,
                )
            else:
                outcomes = [store.load_item(i, force=force) for i in items(batch)]
            results.append(([o for o, _ in outcomes], tables(store)))
    assert results[0] == results[1]
    # a text's rows exist exactly while a document holds it
    held = {d["content_hash"] for d in results[1][1]["documents"]}
    for table in ("mentions", "projects"):
        assert {r["content_hash"] for r in results[1][1][table]} <= held
    assert held <= {r["content_hash"] for r in results[1][1]["mentions"]}


def test_load_batch_clears_a_stray_row_of_a_new_text(tmp_path):
    """A mention row left under a text no document holds (a store edited by hand, say)
    breaks the bulk insert's primary key; the batch then goes through `load`, which
    clears it, and the rows are as a clean load writes them."""
    import sqlalchemy as sa

    item = prepare(process(_doc("a", A)))
    with open_store(tmp_path / "clean.duckdb") as clean:
        clean.load_batch([item])
        expected = tables(clean)
    with open_store(tmp_path / "stray.duckdb") as store:
        stray = {**item.mentions[0], "text": "残留", "doc_id": "gone"}
        cols = list(stray)
        with store.engine.begin() as conn:
            conn.execute(
                sa.text(
                    f'INSERT INTO "mentions" ({", ".join(cols)}) '
                    f"VALUES ({', '.join(':' + c for c in cols)})"
                ),
                stray,
            )
        assert [o for o, _ in store.load_batch([item])] == ["inserted"]
        assert tables(store) == expected


# ---------------------------------------------------------------- the POS decoder


@pytest.fixture(scope="module")
def taggers():
    """jieba's tagger and ours, each over its own tokenizer with the domain dictionary."""
    from importlib import resources

    def fresh() -> jieba.Tokenizer:
        tk = jieba.Tokenizer()
        tk.initialize()
        with resources.as_file(resources.files("govfacts.lexicons").joinpath(USER_DICT)) as p:
            tk.load_userdict(str(p))
        return tk

    return jieba.posseg.POSTokenizer(fresh()), FastPOSTokenizer(fresh())


SENTENCES = [
    pytest.param("全市新签约亿元以上项目126个，协议引资额达到731.5亿元。", id="simplified-amounts"),
    pytest.param("濉溪县经开区引进的华润雪花啤酒项目于去年十月正式投产。", id="names-and-places"),
    pytest.param("钟声主任介绍，招商服务中心围绕“双招双引”开展专班推进。", id="person-and-quotes"),
    pytest.param("淮北市今年計劃新開工項目八十個，總投資超過五百億元。", id="traditional"),
    pytest.param("凤台县的陶瓷新材料产业园、凯盛重工智能装备基地等一批项目加快建设", id="list"),
    pytest.param("abc 123 ，。", id="no-han"),
]


@pytest.mark.parametrize("text", SENTENCES)
def test_fast_tagger_equals_jieba(taggers, text):
    slow, fast = taggers
    assert [(p.word, p.flag) for p in fast.cut(text)] == [(p.word, p.flag) for p in slow.cut(text)]


_HAN = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=14
)


@settings(max_examples=100, deadline=None)
@given(_HAN)
def test_viterbi_equals_jieba_on_any_han_run(run_):
    from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P

    assert viterbi(run_) == jieba.posseg.viterbi(run_, char_state_tab_P, start_P, trans_P, emit_P)


def test_viterbi_equals_jieba_on_sample_runs():
    """Runs drawn from characters jieba knows (so tags are constrained), fixed seed."""
    from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P

    rng = random.Random(3)
    chars = sorted(char_state_tab_P)[:4000]
    runs = ["".join(rng.choice(chars) for _ in range(rng.randint(1, 10))) for _ in range(300)]
    assert all(
        viterbi(r) == jieba.posseg.viterbi(r, char_state_tab_P, start_P, trans_P, emit_P)
        for r in runs
    )


def test_pos_tokenizer_is_the_fast_one():
    from govfacts.pipeline.segment import pos_tokenizer

    assert isinstance(pos_tokenizer(), FastPOSTokenizer)
    assert pos_tokenizer().tokenizer is tokenizer()


# ---------------------------------------------------------------- the CLI's flags


def _cli(*args):
    from typer.testing import CliRunner

    from govfacts.cli import app

    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize(
    "args",
    [
        ("run", "--engine", "spark"),
        ("run", "--scheduler", "tcp://127.0.0.1:8786"),
        ("run", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:8786"),
        ("run", "--workers", "0"),
        ("extract", "--engine", "dask", "-o", "x.jsonl"),
        ("extract", "-o", "x.txt"),
    ],
    ids=[
        "unknown-engine",
        "scheduler-without-dask",
        "scheduler-without-out",
        "zero-workers",
        "dask-single-file",
        "bad-suffix",
    ],
)
def test_usage_errors_exit_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _cli(*args).exit_code == 2


def test_cli_run_two_workers_prints_the_summary(archive, reference, tmp_path):
    db = tmp_path / "cli.duckdb"
    result = _cli("run", str(archive), "--db", str(db), "--workers", "1")
    assert result.exit_code == 1  # the empty file failed
    assert "41 documents ok, 1 failed, 0 skipped (already loaded)" in result.output
    assert f"store: {db}" in result.output
    with open_store(db) as store:
        assert tables(store) == reference
