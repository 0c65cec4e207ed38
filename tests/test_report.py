"""The HTML review report: structure, evidence links, highlights and escaping of hostile text."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from govfacts.pipeline import report as report_mod
from govfacts.pipeline.records import DocError, RawDocument
from govfacts.pipeline.report import document_text, highlight, load_report_data, render_report
from govfacts.pipeline.stages import process
from govfacts.pipeline.store import open_store

# A document that tries to run code from its text, title, id and source; every figure in it is
# written for this test (淮南市, first half of 2021), apart from the bundled corpus's.
HOSTILE_TEXT = (
    '<script>alert("t")</script>淮南市召开新闻发布会\n'
    "2021年1-6月，淮南市签约工业项目<script>alert(1)</script>48个，同比增长12.5%，"
    "签约投资额<img src=x onerror=alert(1)>86.5亿元。\n"
)
HOSTILE = RawDocument(
    doc_id='evil<b>"x"</b>',
    text=HOSTILE_TEXT,
    source="/tmp/<img src=x onerror=alert(5)>.txt",
    title="<script>alert(2)</script>淮南市招商",
    published=date(2021, 7, 20),
)
HOSTILE_ERROR = DocError(
    "bad<script>alert(3)</script>", "read", "UnicodeDecodeError: <img src=x onerror=alert(4)>", None
)


def build_store(path: Path, corpus_items):
    """A DuckDB store with the bundled corpus, the hostile document and a hostile error row."""
    store = open_store(path)
    store.load_all([*corpus_items, process(HOSTILE)])
    store.record_error(HOSTILE_ERROR)
    store.build_facts()
    return store


@pytest.fixture(scope="module")
def store(tmp_path_factory, corpus_items):
    s = build_store(tmp_path_factory.mktemp("report") / "r.duckdb", corpus_items)
    yield s
    s.close()


@pytest.fixture(scope="module")
def page(store) -> str:
    return render_report(load_report_data(store))


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside each element id'd by `watch`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_bodies: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.script_bodies.append(data)


def _tags(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


# --- self-contained and safe ----------------------------------------------------------------


def test_one_script_ours_and_allowed_by_its_hash(page):
    parsed = _tags(page)
    scripts = [a for t, a in parsed.tags if t == "script"]
    assert scripts == [{}]  # one inline script, no src
    assert parsed.script_bodies == [report_mod.SCRIPT]
    csp = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv"))
    digest = base64.b64encode(hashlib.sha256(report_mod.SCRIPT.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp and "img-src data:" in csp


def test_nothing_is_fetched(page):
    parsed = _tags(page)
    assert not [t for t, _ in parsed.tags if t in ("link", "iframe", "object", "embed", "base")]
    for tag, attrs in parsed.tags:
        if "src" in attrs:
            assert tag == "img" and attrs["src"].startswith("data:image/svg+xml;base64,"), (
                tag,
                attrs,
            )
        if "href" in attrs:
            assert attrs["href"].startswith("#"), attrs  # in-page links only
    assert "@import" not in page and "url(" not in page


def test_no_element_carries_an_event_handler(page):
    handlers = [(t, k) for t, a in _tags(page).tags for k in a if k.startswith("on")]
    assert handlers == []


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<script>alert("t")</script>',
        "<img src=x onerror=alert(1)>",
        "<script>alert(2)</script>淮南市招商",
        'evil<b>"x"</b>',
        "bad<script>alert(3)</script>",
        "UnicodeDecodeError: <img src=x onerror=alert(4)>",
        "/tmp/<img src=x onerror=alert(5)>.txt",
    ],
    ids=[
        "script-in-text",
        "script-quoted",
        "img-onerror",
        "title",
        "doc-id",
        "error-id",
        "error-reason",
        "source",
    ],
)
def test_hostile_strings_show_escaped_never_raw(page, hostile):
    assert hostile not in page
    assert html.escape(hostile) in page


# --- the city_period table and its evidence --------------------------------------------------


def _table_rows(page: str, table_id: str) -> list[list[str]]:
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = re.sub(r'<span class="badge">.*?</span>', "", body)  # the conflict mark
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)
        ]
        for r in rows
    ]


@pytest.mark.parametrize(
    "city, area, period, metric, actual",
    [
        # the hostile document's own figures, hand-written above
        ("淮南市", "", "2021年1-6月", "签约项目 signed projects", "48"),
        ("淮南市", "", "2021年1-6月", "签约项目 增速(%) signed projects, growth (%)", "12.5"),
        # sample-derived regression rows (000: 截至10月底，全市签约工业项目322个，同比增长147.7%)
        ("淮北市", "", "2022年1-10月", "签约项目 signed projects", "322"),
        ("淮北市", "", "2022年1-10月", "签约项目 增速(%) signed projects, growth (%)", "147.7"),
    ],
    ids=["hostile-count", "hostile-growth", "sample-count", "sample-growth"],
)
def test_city_period_rows(page, city, area, period, metric, actual):
    rows = _table_rows(page, "city-period-table")
    assert [city, area, period, metric, actual] in [r[:5] for r in rows]


def test_every_value_links_to_an_evidence_block_with_a_marked_sentence(page):
    table = page.split('id="city-period-table"', 1)[1].split("</table>", 1)[0]
    links = re.findall(r'<a class="v[^"]*" href="#(fact-[0-9a-f]{12})"', table)
    assert len(links) >= 40
    for anchor in set(links):
        block = page.split(f'id="{anchor}"', 1)[1].split('<div class="fact"', 1)[0]
        assert "<li>" in block and "<mark>" in block, anchor


def test_hostile_fact_evidence_marks_the_mention_inside_the_escaped_sentence(page, store):
    fact = next(
        f
        for f in store.rows("facts")
        if f["city"] == "淮南市"
        and f["metric"] == "projects_signed"
        and f["kind"] == "count"
        and f["period_start"] == date(2021, 1, 1)
    )
    assert fact["value"] == Decimal(48)
    block = page.split(f'id="{report_mod._anchor("fact", fact["fact_id"])}"', 1)[1]
    block = block.split('<div class="fact"', 1)[0]
    assert (
        "2021年1-6月，淮南市签约工业项目&lt;script&gt;alert(1)&lt;/script&gt;<mark>48个</mark>，"
        "同比增长12.5%，" in block
    )


def test_targets_sit_beside_actuals(page):
    rows = _table_rows(page, "targets-table")[1:]
    assert rows == sorted(rows, key=lambda r: (r[0], r[1], r[2]))
    # sample-derived: 002 sets 310 signed projects for 2022; 000 reports 322 by October
    assert [
        "淮北市",
        "",
        "2022",
        "签约项目 signed projects",
        "310 个",
        "322 个",
        "2022年1-10月",
        "103.9%",
    ] in rows


# --- documents, highlights, hover text ----------------------------------------------------------


def _mention_spans(page: str, doc_id: str) -> list[dict[str, str | None]]:
    article = page.split(f'id="{report_mod._anchor("doc", doc_id)}"', 1)[1].split("</article>", 1)[
        0
    ]
    return [
        a for t, a in _tags(article).tags if t == "span" and "m" in (a.get("class") or "").split()
    ]


def test_hostile_document_highlights_with_hover_text(page):
    spans = _mention_spans(page, HOSTILE.doc_id)
    assert [s["data-kind"] for s in spans] == ["date", "count", "growth", "amount"]
    count = spans[1]["data-tip"]
    assert count.splitlines() == [
        "COUNT  48个",
        "值 value: 48 个  (eq, fact)",
        "状态 status: actual",
        "期间 period: 2021-01-01 – 2021-06-30",
        "城市 city: 淮南市",
        "发言人 speaker: —",
        "指标 metric: projects_signed  签约项目",
    ]


def test_every_mention_of_every_document_is_highlighted(page, store):
    by_doc: dict[str, int] = {}
    for m in store.rows("mentions"):
        by_doc[m["doc_id"]] = by_doc.get(m["doc_id"], 0) + 1
    for doc_id, n in by_doc.items():
        anchors = page.split(f'id="{report_mod._anchor("doc", doc_id)}"', 1)[1].split(
            "</article>", 1
        )[0]
        assert anchors.count('<a class="anc" id="m-') == n, doc_id


def test_errors_and_projects_are_listed(page):
    errors = page.split('<section id="errors">', 1)[1]
    assert "bad&lt;script&gt;alert(3)&lt;/script&gt;" in errors and "<td>read</td>" in errors
    projects = page.split('<section id="projects">', 1)[1].split("</section>", 1)[0]
    assert projects.count("<tr>") >= 30  # the corpus's register: one row per named project


# --- highlight(): exact output ------------------------------------------------------------------


def _m(kind: str, start: int, end: int, text: str, **extra) -> dict:
    row = {
        "mention_id": f"h:{kind}:{start}",
        "kind": kind,
        "text": text,
        "value": None,
        "unit": None,
        "qualifier": "eq",
        "role": "fact",
        "status": "actual",
        "metric": None,
        "city": None,
        "area": None,
        "period_start": None,
        "period_end": None,
        "speaker": None,
        "char_start": start,
        "char_end": end,
    }
    row.update(extra)
    return row


def _plain(html_text: str) -> str:
    """Highlight output reduced to its visible structure: [KIND:text] for each covered piece."""
    out = re.sub(r'<a class="anc" id="m-[0-9a-f]{12}"></a>', "", html_text)
    out = re.sub(
        r'<span class="m k-(\w+)( multi)?"[^>]*>(.*?)(?:<sub>\w+</sub>)*</span>',
        lambda g: f"[{g[1].upper()}{'+' if g[2] else ''}:{g[3]}]",
        out,
    )
    return out


@pytest.mark.parametrize(
    "text, mentions, expected",
    [
        ("今年签约项目56个。", [], "今年签约项目56个。"),
        ("签约项目56个。", [_m("count", 4, 7, "56个")], "签约项目[COUNT:56个]。"),
        ("a<b>12亿元&c", [_m("amount", 4, 8, "12亿元")], "a&lt;b&gt;[AMOUNT:12亿元]&amp;c"),
        (
            "增长7.5%，占比三成",
            [_m("growth", 2, 6, "7.5%"), _m("share", 9, 11, "三成")],
            "增长[GROWTH:7.5%]，占比[SHARE:三成]",
        ),
        # overlap: a project name holding an amount; the shared piece lists both
        (
            "总投资5亿元项目",
            [_m("project", 0, 8, "总投资5亿元项目"), _m("amount", 3, 6, "5亿元")],
            "[PROJECT:总投资][AMOUNT+:5亿元][PROJECT:项目]",
        ),
        # offsets outside the text are skipped, never raise
        ("短文", [_m("count", 1, 9, "文…")], "短文"),
    ],
    ids=["none", "one", "escaped-around", "two", "overlap", "bad-offsets"],
)
def test_highlight(text, mentions, expected):
    assert _plain(highlight(text, mentions)) == expected


def test_highlight_escapes_quotes_in_hover_text():
    out = highlight("x", [_m("count", 0, 1, "x", speaker='"><script>alert(1)</script>')])
    assert "<script>" not in out and "&quot;&gt;&lt;script&gt;" in out


# --- text: stored, or recomputed for older stores -------------------------------------------------


def test_text_is_stored_and_indexes_the_mentions(store):
    texts = {d["doc_id"]: d["text"] for d in store.rows("documents")}
    assert texts[HOSTILE.doc_id] == HOSTILE_TEXT
    for m in store.rows("mentions"):
        assert texts[m["doc_id"]][m["char_start"] : m["char_end"]] == m["text"]


def test_document_text_falls_back_to_the_source_file(store, tmp_path):
    row = next(d for d in store.rows("documents") if d["doc_id"].startswith("000_"))
    assert document_text({**row, "text": None}) == row["text"]
    assert document_text({**row, "text": None, "content_hash": "0" * 64}) is None  # file changed
    assert document_text({**row, "text": None, "source": str(tmp_path / "gone.txt")}) is None


def test_older_store_without_text_column_is_upgraded(tmp_path, corpus_items):
    import duckdb

    path = tmp_path / "old.duckdb"
    with open_store(path) as s:
        s.load_all(corpus_items[:1])
    con = duckdb.connect(str(path))
    con.execute('ALTER TABLE documents DROP COLUMN "text"')
    con.close()
    with open_store(path) as s:  # opening adds the column back, NULL in old rows
        (doc,) = s.rows("documents")
        assert "text" in doc and doc["text"] is None
        s.build_facts()
        page = render_report(load_report_data(s), charts=False)
    assert page.count('<a class="anc" id="m-') == len(corpus_items[0].mentions)  # recomputed


def test_without_a_cjk_font_the_chart_section_says_what_to_install(store, monkeypatch):
    from govfacts.pipeline import plot

    def no_font(*_a, **_k):
        raise plot.MissingFontError(plot.INSTALL_HINT)

    monkeypatch.setattr(plot, "cjk_font", no_font)
    page = render_report(load_report_data(store))
    charts = page.split('<section id="charts">', 1)[1].split("</section>", 1)[0]
    assert "fonts-noto-cjk" in charts and "<img" not in charts


def test_the_same_store_gives_the_same_page(store, page):
    assert render_report(load_report_data(store)) == page
