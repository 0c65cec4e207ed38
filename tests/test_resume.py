"""Resume after kill -9: `govfacts run` killed part-way and run again loses and duplicates nothing.

Each test starts the real command line in a subprocess on a generated archive,
kills it (SIGKILL) once its first batch is loaded, and compares every table with
an uninterrupted run, row for row (load times aside).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from govfacts.pipeline.parallel import run_into_store
from govfacts.pipeline.store import open_store
from test_parallel import make_archive, tables  # tests/ is on sys.path under pytest

pytestmark = pytest.mark.slow

GOVFACTS = [sys.executable, "-m", "govfacts"]
PROGRESS = re.compile(r"govfacts: (\d+) documents \((\d+) ok")  # the log line of a non-terminal run
SUMMARY = re.compile(r"(\d+) documents ok, (\d+) failed, (\d+) skipped")
N_DOCS = 200  # enough that a kill after the first batch lands while the workers are busy
TIMEOUT = 120  # seconds before a hung run is killed and the test fails


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return make_archive(tmp_path_factory.mktemp("resume") / "a", N_DOCS, seed=5)


@pytest.fixture(scope="module")
def uninterrupted(archive, tmp_path_factory) -> dict[str, list[dict]]:
    with open_store(tmp_path_factory.mktemp("ref") / "ref.duckdb") as store:
        summary = run_into_store([archive], store, workers=1)
        assert summary.ok == N_DOCS
        return tables(store)


def _start(archive: Path, db: Path) -> subprocess.Popen:
    """`govfacts run` with two workers, in its own process group (so a kill reaches the workers)."""
    return subprocess.Popen(
        [*GOVFACTS, "run", str(archive), "--db", str(db), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for_first_batch(proc: subprocess.Popen) -> int:
    """Read the run's log until a batch is loaded; returns how many documents it reports."""
    timer = threading.Timer(TIMEOUT, lambda: os.killpg(proc.pid, signal.SIGKILL))
    timer.start()
    try:
        for line in proc.stderr:
            m = PROGRESS.search(line)
            if m and int(m[2]) > 0:
                return int(m[2])
    finally:
        timer.cancel()
    pytest.fail("the run ended or hung before loading a batch")


def _rerun(archive: Path, db: Path) -> tuple[int, int, int]:
    done = subprocess.run(
        [*GOVFACTS, "run", str(archive), "--db", str(db), "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    ok, failed, skipped = map(int, SUMMARY.search(done.stdout.replace("\n", " ")).groups())
    return ok, failed, skipped


def test_kill_9_then_rerun_equals_an_uninterrupted_run(archive, uninterrupted, tmp_path):
    db = tmp_path / "killed.duckdb"
    proc = _start(archive, db)
    _wait_for_first_batch(proc)
    os.killpg(proc.pid, signal.SIGKILL)  # the parent and its workers, mid-run
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    ok, failed, skipped = _rerun(archive, db)
    assert skipped > 0 and ok > 0, "the kill came before the first load or after the last"
    assert (ok + skipped, failed) == (N_DOCS, 0)
    with open_store(db) as store:
        assert tables(store) == uninterrupted


def test_a_killed_worker_is_replaced_and_nothing_is_lost(archive, uninterrupted, tmp_path):
    import psutil

    db = tmp_path / "worker.duckdb"
    proc = _start(archive, db)
    _wait_for_first_batch(proc)
    workers = [
        p
        for p in psutil.Process(proc.pid).children(recursive=True)
        if "spawn_main" in " ".join(p.cmdline())
    ]
    assert workers, "no worker processes found"
    workers[0].send_signal(signal.SIGKILL)
    try:
        rest = proc.stderr.read()
        assert proc.wait(timeout=TIMEOUT) == 0, rest[-2000:]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert "a worker process died; restarting the workers" in rest
    with open_store(db) as store:
        assert tables(store) == uninterrupted
