"""The command line as a user meets it: output, exit codes, one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def govfacts(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govfacts", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_version():
    out = govfacts("--version")
    assert out.returncode == 0 and out.stdout.startswith("govfacts ")


def test_normalize_prints_simplified_repaired_text():
    out = govfacts("normalize", str(CORPUS / "004_07daf677df8added.txt"))
    assert out.returncode == 0
    assert "王楚表示，要深耕产业链精准招商" in out.stdout
    assert "(jīng)" not in out.stdout and "經" not in out.stdout


def test_normalize_missing_file_is_a_usage_error():
    out = govfacts("normalize", "no/such/file.txt")
    assert out.returncode == 2


@pytest.fixture
def mixed_batch(tmp_path: Path) -> Path:
    """Two good documents and four bad ones in one folder."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_text((CORPUS / "002_2abdf53516f4d64d.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (src / "gbk.txt").write_bytes("截至6月底，全市新签约项目42个，总投资88.5亿元。".encode("gb18030"))
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (src / "rows.jsonl").write_text('{"id": "r1", "text": ""}\n{"id": "r2", "text": "新签约项目3个。"}\n', encoding="utf-8")
    return src


def test_run_records_bad_documents_and_goes_on(mixed_batch: Path, tmp_path: Path):
    db = tmp_path / "store.duckdb"
    out = govfacts("run", str(mixed_batch), "--db", str(db), "--quiet")
    assert out.returncode == 1  # some documents failed, and were recorded
    lines = [line for line in out.stderr.splitlines() if " failed: " in line]
    assert sorted(line.split(":")[0] for line in lines) == ["binary", "empty", "r1"]
    con = duckdb.connect(str(db), read_only=True)
    assert sorted(r[0] for r in con.sql("SELECT doc_id FROM errors").fetchall()) == ["binary", "empty", "r1"]
    assert sorted(r[0] for r in con.sql("SELECT doc_id FROM documents").fetchall()) == ["gbk", "good", "r2"]
    amounts = con.sql("SELECT value FROM mentions WHERE doc_id = 'gbk' AND kind = 'amount'").fetchall()
    assert [str(v[0].normalize()) for v in amounts] == ["8.85E+9"]


def test_run_rejects_a_bad_store_url(tmp_path: Path):
    out = govfacts("run", str(CORPUS), "--db", "mysql://nowhere/x", "--quiet")
    assert out.returncode == 2
    assert "mysql" in out.stderr


def test_extract_writes_the_contract(tmp_path: Path):
    target = tmp_path / "m.jsonl"
    out = govfacts("extract", str(CORPUS / "000_f15e10e4591fdf19.txt"), "-o", str(target), "--quiet")
    assert out.returncode == 0
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    signed = [r for r in rows if r["text"] == "322个"]
    assert len(signed) == 1
    r = signed[0]
    assert (r["kind"], r["value"], r["unit"], r["metric"], r["city"]) == ("count", "322", "个", "projects_signed", "淮北市")
    assert (r["period_start"], r["period_end"], r["speaker"]) == ("2022-01-01", "2022-10-31", "王莉")
    raw = (CORPUS / "000_f15e10e4591fdf19.txt").read_text(encoding="utf-8")
    assert raw[r["orig_start"] : r["orig_end"]] == "322个"


def test_evaluate_prints_scores():
    out = govfacts("evaluate", str(ROOT / "tests/gold/samples.jsonl"), str(CORPUS), "--quiet")
    assert out.returncode == 0
    assert "amount" in out.stdout and "period" in out.stdout


def test_export_spacy_writes_a_docbin_of_the_stored_mentions(tmp_path: Path):
    from govfacts.pipeline.spacy_doc import read_docbin

    db = tmp_path / "s.duckdb"
    assert govfacts("run", str(CORPUS / "000_f15e10e4591fdf19.txt"), "--db", str(db), "--quiet").returncode == 0
    out = govfacts("export", "--db", str(db), "--to", str(tmp_path / "out"), "--format", "spacy")
    assert out.returncode == 0
    (doc,) = read_docbin(tmp_path / "out" / "govfacts.spacy")
    spans = {(s.text, s.label_) for s in doc.spans["govfacts"]}
    assert {("322个", "COUNT"), ("147.7%", "GROWTH"), ("52.9亿元", "AMOUNT"), ("金浦新能源一体化项目", "PROJECT")} <= spans
