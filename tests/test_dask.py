"""The Dask engine on a LocalCluster of two worker processes on loopback equals the serial run."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")

from govfacts.pipeline import parallel  # noqa: E402
from govfacts.pipeline.dask_engine import dask_client, extract_dask, read_rows_part, run_dask  # noqa: E402
from govfacts.pipeline.records import DocError  # noqa: E402
from govfacts.pipeline.store import open_store  # noqa: E402
from test_parallel import make_archive, serial_tables, tables  # noqa: E402  (tests/ is on sys.path)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """36 generated documents and an empty file (a read error)."""
    root = make_archive(tmp_path_factory.mktemp("dask") / "a", 36, seed=9)
    (root / "000" / "000500.txt").write_bytes(b"")
    return root


@pytest.fixture(scope="module")
def client():
    with dask_client(workers=2) as c:
        yield c


def test_local_cluster_run_equals_serial(archive, client, tmp_path):
    reference = serial_tables([archive], tmp_path / "serial.duckdb")
    parts = tmp_path / "parts"
    with open_store(tmp_path / "dask.duckdb") as store:
        summary = run_dask([archive], store, client, out_dir=parts, part_docs=10)
        got = tables(store)
    assert len(client.scheduler_info()["workers"]) == 2
    assert (summary.ok, summary.failed, summary.skipped) == (36, 1, 0)
    for t in reference:
        assert got[t] == reference[t], t
    assert sorted(p.name for p in (parts / "documents").iterdir()) == [
        f"part-00000{k}.parquet" for k in range(4)
    ]
    last = read_rows_part(parts, 3)  # documents 30..35 and the empty file, in input order
    assert [x.doc_id for x in last][-1] == "000/000500"
    assert isinstance(last[-1], DocError)


def test_extract_dask_equals_local_parts(archive, client, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    monkeypatch.setattr(parallel, "PART_DOCS", 12)
    local, remote = tmp_path / "local", tmp_path / "dask"
    parallel.extract_parts([archive], local, workers=1)
    summary = extract_dask([archive], remote, client)
    assert (summary.ok, summary.failed) == (36, 1)
    names = sorted(p.name for p in local.iterdir())
    assert names == sorted(p.name for p in remote.iterdir())
    for name in names:
        if name.endswith(".parquet"):
            assert (
                pq.read_table(remote / name).to_pylist() == pq.read_table(local / name).to_pylist()
            )
