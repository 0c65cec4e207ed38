"""The analyst notebooks run top to bottom (jupytext .py → nbclient) on the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, corpus_items) -> Path:
    from govfacts.pipeline.store import open_store

    path = tmp_path_factory.mktemp("notebooks") / "govfacts.duckdb"
    with open_store(path) as store:
        store.load_all(corpus_items)
        store.build_facts()
    return path


def _execute(name: str, store_path: Path, tmp_path: Path, monkeypatch):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    notebook = jupytext.read(NOTEBOOKS / f"{name}.py")
    monkeypatch.setenv("GOVFACTS_DB", str(store_path))  # the kernel inherits the environment
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    jupytext.write(notebook, tmp_path / f"{name}.ipynb")  # the paired notebook, with outputs
    return notebook


def _outputs(notebook) -> list[dict]:
    return [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def test_compare_cities_runs(store_path, tmp_path, monkeypatch):
    nb = _execute("compare_cities", store_path, tmp_path, monkeypatch)
    outputs = _outputs(nb)
    assert not [o for o in outputs if o["output_type"] == "error"]
    text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
    assert f"store: {store_path}" in text
    svgs = [o for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 3  # signed projects, signed investment, growth rates
    assert any("image/png" in o.get("data", {}) for o in outputs)  # targets vs actuals
    tables = "".join(o["data"].get("text/html", "") for o in outputs if "data" in o)
    assert "签约项目" in tables and "淮北市" in tables and "attainment" in tables
    assert (tmp_path / "compare_cities.ipynb").stat().st_size > 10_000


def test_review_extractions_runs(store_path, tmp_path, monkeypatch):
    nb = _execute("review_extractions", store_path, tmp_path, monkeypatch)
    outputs = _outputs(nb)
    assert not [o for o in outputs if o["output_type"] == "error"]
    html = "".join(o["data"].get("text/html", "") for o in outputs if "data" in o)
    assert 'class="spans"' in html  # displaCy's span view
    text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
    assert "facts have conflicting reports" in text
    assert "no metric" in text and "no period" in text
