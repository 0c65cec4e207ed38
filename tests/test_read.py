"""Tests for govfacts.pipeline.read: files, folders, tables, encodings and bad input."""

from __future__ import annotations

import codecs
import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from govfacts.pipeline.read import bundled_corpus, decode_bytes, iter_documents
from govfacts.pipeline.records import DocError, RawDocument

SIMPLIFIED = "今年前三季度，全市新签约亿元以上项目一百二十八个，协议总投资六百四十五亿元，同比增长百分之十二。"  # noqa: E501
TRADITIONAL = "今年前三季度，全市新簽約億元以上項目一百二十八個，協議總投資六百四十五億元，同比增長百分之十二。"  # noqa: E501


def _one(path: Path, **kwargs: object) -> RawDocument | DocError:
    items = list(iter_documents([path], **kwargs))  # type: ignore[arg-type]
    assert len(items) == 1, items
    return items[0]


def _summary(items: list[RawDocument | DocError]) -> list[tuple[str, str]]:
    return [(i.doc_id, i.reason if isinstance(i, DocError) else "ok") for i in items]


# ---------------------------------------------------------------------------
# Encodings: (bytes writer, expected text, expected encoding name)
ENCODINGS = [
    pytest.param(lambda: SIMPLIFIED.encode("utf-8"), SIMPLIFIED, "utf-8", id="utf-8"),
    pytest.param(
        lambda: codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"),
        SIMPLIFIED,
        "utf-8-sig",
        id="utf-8-bom",
    ),
    pytest.param(lambda: SIMPLIFIED.encode("gbk"), SIMPLIFIED, "gb18030", id="gbk"),
    pytest.param(
        lambda: (SIMPLIFIED + "𠀀").encode("gb18030"),
        SIMPLIFIED + "𠀀",
        "gb18030",
        id="gb18030-four-byte",
    ),
    pytest.param(lambda: TRADITIONAL.encode("big5"), TRADITIONAL, "big5", id="big5"),
    pytest.param(lambda: "經濟發展".encode("big5"), "經濟發展", "big5", id="big5-short"),
    pytest.param(lambda: "招商引资".encode("gbk"), "招商引资", "gb18030", id="gbk-short"),
    pytest.param(
        lambda: TRADITIONAL.encode("gb18030"), TRADITIONAL, "gb18030", id="traditional-in-gbk"
    ),
    pytest.param(lambda: SIMPLIFIED.encode("utf-16"), SIMPLIFIED, "utf-16", id="utf-16-bom-native"),
    pytest.param(
        lambda: codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"),
        SIMPLIFIED,
        "utf-16",
        id="utf-16-be-bom",
    ),
    pytest.param(
        lambda: codecs.BOM_UTF16_LE + SIMPLIFIED.encode("utf-16-le"),
        SIMPLIFIED,
        "utf-16",
        id="utf-16-le-bom",
    ),
    pytest.param(
        lambda: b"Investment rose 12% in 2023.\n",
        "Investment rose 12% in 2023.\n",
        "utf-8",
        id="ascii",
    ),
]


@pytest.mark.parametrize(("make", "text", "encoding"), ENCODINGS)
def test_text_file_encodings(tmp_path: Path, make, text: str, encoding: str) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(make())
    doc = _one(path)
    assert isinstance(doc, RawDocument)
    assert (doc.doc_id, doc.text, doc.encoding, doc.source) == ("doc", text, encoding, str(path))


UNDECODABLE = [
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", id="png-with-nul"),
    pytest.param(b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 20, id="control-bytes"),
    pytest.param(b"\xff\xfe" + b"\x00\xd8" * 10, id="bad-utf-16"),
]


@pytest.mark.parametrize("data", UNDECODABLE)
def test_binary_is_an_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(data)
    assert _one(path) == DocError("blob", "read", "binary or undecodable content", str(path))


def test_decode_bytes_prefers_declared_charset_after_utf8() -> None:
    data = SIMPLIFIED.encode("gbk")
    assert decode_bytes(data, declared="gb2312") == (SIMPLIFIED, "gb18030")
    utf8 = SIMPLIFIED.encode("utf-8")
    assert decode_bytes(utf8, declared="gbk") == (SIMPLIFIED, "utf-8")  # a wrong declaration loses


# ---------------------------------------------------------------------------
ARTICLE = [
    "2023年前三季度，铜陵市新签约亿元以上项目九十六个，协议总投资达到四百三十二亿元。",
    "其中，新能源和新材料产业项目占比超过六成，一批龙头企业相继落户铜陵经济技术开发区。",
    "市投资促进局负责人表示，第四季度将继续开展驻点招商，力争全年签约项目突破一百三十个。",
]
NAV = ["网站首页导航", "政务公开栏目", "联系我们页面"]
FOOTER = "主办单位：铜陵市人民政府办公室 皖ICP备00000000号 网站标识码3407000000"


def _page(charset: str) -> str:
    nav = "".join(f'<li><a href="/n{i}">{t}</a></li>' for i, t in enumerate(NAV))
    paragraphs = "".join(f"<p>{s}</p>" for s in ARTICLE)
    return f"""<!DOCTYPE html><html><head><meta charset="{charset}">
<title>铜陵市前三季度招商引资稳步增长_铜陵市人民政府</title>
<meta property="og:url" content="https://www.example.gov.cn/zwdt/202310/t20231020_1.html">
<meta property="article:published_time" content="2023-10-20T09:30:00+08:00">
</head><body>
<header><nav><ul>{nav}</ul></nav></header>
<div class="sidebar"><ul>{nav}</ul></div>
<article><h1>铜陵市前三季度招商引资稳步增长</h1>{paragraphs}</article>
<footer><p>{FOOTER}</p></footer>
</body></html>"""


@pytest.mark.parametrize(
    ("charset", "codec", "encoding"),
    [
        pytest.param("gbk", "gbk", "gb18030", id="gbk-meta"),
        pytest.param("utf-8", "utf-8", "utf-8", id="utf-8"),
    ],
)
def test_html_main_text_without_boilerplate(
    tmp_path: Path, charset: str, codec: str, encoding: str
) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(_page(charset).encode(codec))
    doc = _one(path)
    assert isinstance(doc, RawDocument)
    for sentence in ARTICLE:
        assert sentence in doc.text
    for boilerplate in [*NAV, FOOTER, "皖ICP备"]:
        assert boilerplate not in doc.text
    assert doc.encoding == encoding
    assert doc.title == "铜陵市前三季度招商引资稳步增长"
    assert doc.published == date(2023, 10, 20)
    assert doc.url == "https://www.example.gov.cn/zwdt/202310/t20231020_1.html"


def test_html_without_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "blank.htm"
    path.write_text(
        "<html><head><title>空</title></head><body><script>var a = 1;</script></body></html>",
        encoding="utf-8",
    )
    assert _one(path) == DocError("blank", "read", "no main text in html", str(path))


# ---------------------------------------------------------------------------
def test_jsonl_rows_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps(
            {"id": 7, "text": "宣城市签约项目十二个。", "published": "2023/6/20", "city": "宣城市"},
            ensure_ascii=False,
        ),
        "{not json",
        json.dumps({"id": "x9", "text": "  "}, ensure_ascii=False),
        "",
        json.dumps(
            {"text": "池州市开工项目八个。", "title": "池州开工", "url": "http://e.gov.cn/a"},
            ensure_ascii=False,
        ),
        json.dumps(["text", "a list"], ensure_ascii=False),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(iter_documents([path]))
    assert _summary(items) == [
        ("7", "ok"),
        ("batch#2", "row 2: not JSON"),
        ("x9", "row 3: no text"),
        ("batch#5", "ok"),
        ("batch#6", "row 6: not a JSON object"),
    ]
    first, fifth = items[0], items[3]
    assert isinstance(first, RawDocument) and isinstance(fifth, RawDocument)
    assert (first.text, first.published, first.city, first.encoding) == (
        "宣城市签约项目十二个。",
        date(2023, 6, 20),
        "宣城市",
        None,
    )
    assert (fifth.title, fifth.url, fifth.published) == ("池州开工", "http://e.gov.cn/a", None)


def test_jsonl_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(5000):
            handle.write(
                json.dumps({"id": f"r{i}", "text": f"第{i}条消息。"}, ensure_ascii=False) + "\n"
            )
    stream = iter_documents([path])
    first = next(stream)
    assert isinstance(first, RawDocument) and first.doc_id == "r0"
    assert sum(1 for _ in stream) == 4999


def test_csv_rows(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        "id,title,text,published,city\n"
        'a1,黄山招商,"黄山市引进项目九个，总投资25亿元。",2022年6月20日,黄山市\n'
        "a2,空行,,2022-06-21,黄山市\n"
        ',无编号,"歙县签约项目三个。",不是日期,\n',
        encoding="gbk",
    )
    items = list(iter_documents([path]))
    assert _summary(items) == [("a1", "ok"), ("a2", "row 2: no text"), ("rows#3", "ok")]
    a1, third = items[0], items[2]
    assert isinstance(a1, RawDocument) and isinstance(third, RawDocument)
    assert (a1.title, a1.text, a1.published, a1.city) == (
        "黄山招商",
        "黄山市引进项目九个，总投资25亿元。",
        date(2022, 6, 20),
        "黄山市",
    )
    assert (third.title, third.published, third.city) == ("无编号", None, None)


def test_csv_without_text_column(tmp_path: Path) -> None:
    path = tmp_path / "notext.csv"
    path.write_text("id,body\n1,内容\n2,内容\n", encoding="utf-8")
    assert _one(path) == DocError("notext", "read", "no text column", str(path))


def test_parquet_rows(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    table = pa.table(
        {
            "id": ["p1", None, "p3"],
            "text": ["淮南市签约项目十五个。", "凤台县开工项目六个。", ""],
            "published": [date(2023, 3, 8), None, None],
            "city": ["淮南市", "淮南市", None],
        }
    )
    pq.write_table(table, path, row_group_size=2)
    items = list(iter_documents([path]))
    assert _summary(items) == [("p1", "ok"), ("rows#2", "ok"), ("p3", "row 3: no text")]
    assert isinstance(items[0], RawDocument) and items[0].published == date(2023, 3, 8)


def test_parquet_without_text_column_and_corrupt(tmp_path: Path) -> None:
    no_text = tmp_path / "a.parquet"
    pq.write_table(pa.table({"id": ["1"], "body": ["x"]}), no_text)
    corrupt = tmp_path / "b.parquet"
    corrupt.write_bytes(b"PAR1 this is not parquet PAR1")
    items = list(iter_documents([tmp_path]))
    assert items[0] == DocError("a", "read", "no text column", str(no_text))
    assert isinstance(items[1], DocError) and items[1].doc_id == "b"
    assert items[1].reason.startswith("not a readable parquet file")


# ---------------------------------------------------------------------------
def test_size_limit_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("招商" * 100, encoding="utf-8")
    assert _one(path, max_bytes=100) == DocError(
        "big", "read", "file too large: 600 bytes > 100", str(path)
    )


def test_real_50_mb_file_with_default_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    block = ("全市招商引资工作稳步推进。" * 1000).encode("utf-8")
    with path.open("wb") as handle:
        written = 0
        while written < 52_428_800:
            chunk = block[: 52_428_800 - written]
            handle.write(chunk)
            written += len(chunk)
    assert _one(path) == DocError(
        "huge", "read", "file too large: 52428800 bytes > 20000000", str(path)
    )


def test_row_text_over_limit(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text(
        json.dumps({"id": "long", "text": "字" * 50}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    assert _one(path, max_bytes=100) == DocError(
        "long", "read", "row 1: text too large: 150 bytes > 100", str(path)
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        pytest.param("empty.txt", b"", id="empty"),
        pytest.param("blank.txt", b"  \n\n\t", id="whitespace-only"),
        pytest.param("bom.txt", codecs.BOM_UTF8, id="bom-only"),
        pytest.param("empty.jsonl", b"", id="empty-jsonl"),
    ],
)
def test_empty_files(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert _one(path) == DocError(path.stem, "read", "empty file", str(path))


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("内容", encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)  # works as root too, unlike chmod 000
    assert _one(path) == DocError("secret", "read", "unreadable file: Permission denied", str(path))


def test_explicit_unknown_extension_and_missing_path(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    missing = tmp_path / "nope.txt"
    assert list(iter_documents([pdf, missing])) == [
        DocError("report", "read", "unsupported file type: .pdf", str(pdf)),
        DocError("nope", "read", "no such file or directory", str(missing)),
    ]


def test_folder_walk_mixed_batch(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "b.txt").write_text("蚌埠市签约项目。", encoding="utf-8")
    (root / "a.txt").write_bytes("阜阳市开工项目。".encode("gbk"))
    (root / "c.txt").write_bytes(b"")
    (root / "d.txt").write_bytes(b"\x00\x01binary")
    (root / "notes.md").write_text("ignored", encoding="utf-8")
    (root / "image.png").write_bytes(b"\x89PNG")
    (root / ".hidden" / "x.txt").write_text("隐藏文件。", encoding="utf-8")
    (root / "sub" / "e.htm").write_text(
        "<html><body><article><p>"
        + ARTICLE[0]
        + "</p><p>"
        + ARTICLE[1]
        + "</p></article></body></html>",
        encoding="utf-8",
    )
    (root / "sub" / "deeper" / "f.txt").write_text("淮北市开工项目。", encoding="utf-8")
    (root / "sub" / "rows.jsonl").write_text('{"text": "行内文本。"}\n{"bad"\n', encoding="utf-8")
    expected = [
        ("a", "ok"),
        ("b", "ok"),
        ("c", "empty file"),
        ("d", "binary or undecodable content"),
        ("sub/deeper/f", "ok"),
        ("sub/e", "ok"),
        ("sub/rows#1", "ok"),
        ("sub/rows#2", "row 2: not JSON"),
    ]
    assert _summary(list(iter_documents([root]))) == expected
    assert _summary(list(iter_documents([str(root)]))) == expected  # str inputs, same order again


# ---------------------------------------------------------------------------
MANIFEST = (
    "doc_id,file,title,source,published,city\n"
    "x1,x1.txt,宣城市招商引资新进展,宣城市投资促进局,2023-04-05,宣城市\n"
    "x2,x2.txt,,,,\n"
)


def test_manifest_in_folder_root(tmp_path: Path) -> None:
    (tmp_path / "x1.txt").write_text("正文一。", encoding="utf-8")
    (tmp_path / "x2.txt").write_text("正文二。", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    x1, x2 = list(iter_documents([tmp_path]))
    assert isinstance(x1, RawDocument) and isinstance(x2, RawDocument)
    assert (x1.title, x1.source_org, x1.published, x1.city) == (
        "宣城市招商引资新进展",
        "宣城市投资促进局",
        date(2023, 4, 5),
        "宣城市",
    )
    assert (x2.title, x2.source_org, x2.published, x2.city) == (None, None, None, None)


def test_explicit_manifest_fills_rows_and_files(tmp_path: Path) -> None:
    manifest = tmp_path / "meta.csv"
    manifest.write_text(MANIFEST, encoding="utf-8")
    text_file = tmp_path / "x1.txt"
    text_file.write_text("正文一。", encoding="utf-8")
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"id": "x1", "text": "行文本。", "title": "行标题"}\n', encoding="utf-8")
    items = list(iter_documents([text_file, rows], manifest=manifest))
    assert [(d.doc_id, d.title, d.published) for d in items if isinstance(d, RawDocument)] == [
        ("x1", "宣城市招商引资新进展", date(2023, 4, 5)),
        ("x1", "宣城市招商引资新进展", date(2023, 4, 5)),
    ]


def test_bad_manifest_is_reported_and_batch_goes_on(tmp_path: Path) -> None:
    (tmp_path / "x1.txt").write_text("正文一。", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("doc_id,colour\nx1,red\n", encoding="utf-8")
    items = list(iter_documents([tmp_path]))
    assert isinstance(items[0], DocError) and items[0].doc_id == "manifest"
    assert items[0].reason.startswith("bad manifest: header")
    assert isinstance(items[1], RawDocument) and (items[1].doc_id, items[1].title) == ("x1", None)


def test_bundled_corpus_with_its_manifest() -> None:
    docs = list(iter_documents([bundled_corpus()]))
    assert all(isinstance(d, RawDocument) for d in docs)
    got = {d.doc_id: (d.title, d.source_org, d.published, d.city, d.encoding) for d in docs}  # type: ignore[union-attr]
    assert got == {
        "000_f15e10e4591fdf19": (
            "以产业招商助推淮北高质量转型发展",
            "淮北日报",
            None,
            "淮北市",
            "utf-8",
        ),
        "001_b4a38f34b9bab76d": (
            "淮南市招商服务中心聚焦产业转型加大招商力度新闻发布会召开",
            "淮南市人民政府办公室",
            date(2020, 9, 23),
            "淮南市",
            "utf-8",
        ),
        "002_2abdf53516f4d64d": (
            "对淮北市政协十一届一次会议20号提案的答复",
            "淮北市投资促进中心",
            date(2022, 6, 20),
            "淮北市",
            "utf-8",
        ),
        "003_463e1746216b272e": (None, None, None, "淮北市", "utf-8"),
        "004_07daf677df8added": ("努力推动招商引资工作再上新台阶", None, None, "安庆市", "utf-8"),
    }
    assert [d.doc_id for d in docs] == sorted(got)
