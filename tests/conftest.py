"""Shared fixtures: stores (DuckDB temp file; PostgreSQL from GOVFACTS_TEST_PG), the corpus run."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def corpus_items():
    """Every item (`Processed` or `DocError`) of the pipeline over the bundled corpus, once."""
    from govfacts.pipeline.read import bundled_corpus
    from govfacts.pipeline.stages import run

    return tuple(run([bundled_corpus()]))


@pytest.fixture
def duckdb_store(tmp_path):
    """An empty store in a fresh DuckDB file."""
    from govfacts.pipeline.store import open_store

    store = open_store(tmp_path / "test.duckdb")
    yield store
    store.close()


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The PostgreSQL URL of GOVFACTS_TEST_PG: skip without it, but fail on CI (CI=true)."""
    url = os.environ.get("GOVFACTS_TEST_PG")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("GOVFACTS_TEST_PG is unset on CI: start PostgreSQL with .ci/pg-start.sh")
        pytest.skip(
            "GOVFACTS_TEST_PG unset: PostgreSQL tests skipped (bash .ci/pg-start.sh prints a URL)"
        )
    return url


@pytest.fixture
def pg_store(pg_url):
    """An empty store in the test PostgreSQL database (every govfacts table dropped first)."""
    import sqlalchemy as sa
    from govfacts.pipeline.store import TABLES, open_store, parse_db

    engine = sa.create_engine(parse_db(pg_url), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}"'))
    engine.dispose()
    store = open_store(pg_url)
    yield store
    store.close()


@pytest.fixture(params=["duckdb", "postgresql"])
def store(request):
    """The same test on both stores."""
    return request.getfixturevalue(f"{'pg' if request.param == 'postgresql' else 'duckdb'}_store")


@pytest.fixture(scope="session")
def dev_tool():
    """A development tool of tools/ (not a package) loaded as a module, by file name."""
    import importlib.util
    from pathlib import Path

    def load(name: str):
        path = Path(__file__).resolve().parent.parent / "tools" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
