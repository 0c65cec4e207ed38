"""The review report: one self-contained HTML file of a store's tables, charts and evidence.

`load_report_data` reads a store (the only I/O); `render_report` is a pure
function from that data to HTML text; `write_report` does both and writes the
file. The page needs no server and no network: its style and its one script are
inline, charts are SVG images in `data:` URIs, fonts are the reader's own.

Sections: the `city_period` table (statuses side by side, every value linking to
the sentences behind it), targets beside actuals, charts comparing cities, the
evidence of every fact, one section per document (its normalized text with every
mention highlighted by kind; hovering or focusing a mention shows value, unit,
status, period, city and speaker), the projects register and the errors list.

Document text is untrusted: every string that comes from a document or the
store is escaped with `html.escape` (attribute values included). A
Content-Security-Policy meta tag allows only the report's own script (by hash),
inline styles and `data:` images, so even a missed escape could run nothing.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from govfacts.pipeline.facts import (
    Column,
    column_labels,
    column_name,
    parse_column,
    status_labels,
)
from govfacts.pipeline.spacy_doc import COLORS

__all__ = [
    "ReportData",
    "load_report_data",
    "document_text",
    "highlight",
    "render_report",
    "write_report",
]

YI = Decimal(100_000_000)  # 亿: amounts are shown in 亿 of their currency
STAGE_ZH = {  # the project register's stages (records.ProjectStage) in Chinese
    "negotiating": "在谈",
    "signed": "签约",
    "started": "开工",
    "under_construction": "在建",
    "completed": "竣工",
    "in_production": "投产",
    "planned": "谋划",
}
QUALIFIER_ZH = {"eq": "", "approx": "约", "ge": "≥", "le": "≤"}  # shown before a value
HEADLINE_METRICS = ("projects_signed", "investment_signed")  # charted first, when present
MAX_CHARTS = 10  # headline charts, growth rates, then the metrics with the most values
CHART_STATUSES = ("actual", "target")  # plans are rare; the table has them

CSS = """
:root { --ink: #1d2433; --muted: #5b6475; --line: #d9dee7; --bg: #f6f7f9; --accent: #0b63c5; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.55;
  font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC",
    "Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
header { background: var(--ink); color: #fff; padding: 18px 28px 12px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 2px 0; color: #c9d1e0; font-size: 13px; }
nav { position: sticky; top: 0; z-index: 20; background: var(--bg);
  border-bottom: 1px solid var(--line); padding: 8px 28px; font-size: 14px;
  display: flex; gap: 18px; flex-wrap: wrap; align-items: center; }
nav a { color: var(--accent); text-decoration: none; }
nav input { margin-left: auto; padding: 3px 8px; border: 1px solid var(--line);
  border-radius: 4px; }
main { padding: 8px 28px 60px; max-width: 1400px; }
section { margin-top: 28px; scroll-margin-top: 48px; }
h2 { font-size: 19px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; }
h3 { font-size: 16px; margin: 22px 0 6px; }
.en { color: var(--muted); font-weight: normal; font-size: 0.85em; }
.note { color: var(--muted); font-size: 13px; }
.counts span { display: inline-block; margin-right: 14px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; }
th { background: var(--bg); text-align: left; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td a.v { color: var(--accent); text-decoration: none; border-bottom: 1px dotted var(--accent); }
td a.v.conflict { color: #b3261e; border-bottom-color: #b3261e; }
.badge { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 8px;
  background: #fde7e5; color: #b3261e; margin-left: 4px; }
.bar { display: inline-block; height: 8px; background: #0b63c5; vertical-align: middle;
  margin-left: 6px; border-radius: 2px; max-width: 120px; }
.bar.over { background: #1a7f37; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px;
  background: #fff; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: var(--muted); margin-top: 4px; }
.fact { border-left: 3px solid var(--line); padding: 2px 0 2px 12px; margin: 10px 0;
  scroll-margin-top: 52px; }
.fact:target { border-left-color: #b3261e; background: #fff8e6; }
.fact ul { margin: 4px 0; padding-left: 18px; }
.fact li { margin: 3px 0; }
.src { color: var(--muted); font-size: 12px; }
mark { background: #ffe58f; padding: 0 1px; }
.doc { border: 1px solid var(--line); border-radius: 6px; padding: 4px 16px 14px; margin: 18px 0;
  scroll-margin-top: 48px; }
.doc dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 12px;
  font-size: 13px; margin: 6px 0; }
.doc dt { color: var(--muted); }
.doc dd { margin: 0; word-break: break-all; }
.doctext { white-space: pre-wrap; font-size: 15px; line-height: 2.1; background: #fcfcfd;
  border-top: 1px solid var(--line); padding-top: 8px; }
.legend span { display: inline-block; font-size: 12px; padding: 0 6px;
  margin: 2px 6px 2px 0; border-radius: 3px; }
.m { position: relative; border-radius: 3px; padding: 1px 1px; cursor: help; }
.m.multi { outline: 2px dashed #555; }
.m sub { font-size: 9px; font-weight: 700; color: #333; margin-left: 2px; vertical-align: baseline;
  letter-spacing: 0.02em; }
.m:hover::after, .m:focus::after { content: attr(data-tip); position: fixed;
  right: 18px; bottom: 18px; z-index: 30; white-space: pre; background: #1d2433; color: #fff;
  font-size: 12px; line-height: 1.5; padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 2px 8px rgba(0,0,0,.25); pointer-events: none; }
.anc:target + .m, .anc:target + .anc + .m { outline: 3px solid #b3261e; }
[hidden] { display: none !important; }
"""

SCRIPT = """
(function () {
  var box = document.getElementById("filter");
  if (!box) { return; }
  box.addEventListener("input", function () {
    var q = box.value.trim().toLowerCase();
    var rows = document.querySelectorAll("table.filterable tbody tr");
    for (var i = 0; i < rows.length; i++) {
      rows[i].hidden = q !== "" && rows[i].textContent.toLowerCase().indexOf(q) < 0;
    }
  });
})();
"""


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the report shows, read from one store."""

    location: str
    documents: tuple[dict, ...]
    texts: Mapping[str, str | None]  # doc_id -> normalized text (None: not available)
    mentions: tuple[dict, ...]
    projects: tuple[dict, ...]
    errors: tuple[dict, ...]
    facts: tuple[dict, ...]
    targets: tuple[dict, ...]
    city_period_columns: tuple[str, ...]
    city_period_rows: tuple[dict, ...]


def document_text(row: Mapping[str, object]) -> str | None:
    """The normalized text of a `documents` row: the stored one, else recomputed from its file.

    Rows loaded before `documents.text` existed hold NULL; their text is rebuilt
    from `source` when that file still holds the same text (same content hash).

    Returns:
        The text, or None when it is neither stored nor recoverable.
    """
    if row.get("text") is not None:
        return str(row["text"])
    source = str(row.get("source") or "")
    if not source or "://" in source or not Path(source).is_file():
        return None
    from govfacts.pipeline.normalize import normalize
    from govfacts.pipeline.read import iter_documents
    from govfacts.pipeline.records import RawDocument
    from govfacts.pipeline.store import content_hash

    for item in iter_documents([Path(source)]):
        if isinstance(item, RawDocument) and content_hash(item.text) == row["content_hash"]:
            return normalize(item).text
    return None


def load_report_data(store) -> ReportData:
    """Read every table the report shows from a `Store`."""
    documents = tuple(store.rows("documents"))
    return ReportData(
        location=store.location,
        documents=documents,
        texts={d["doc_id"]: document_text(d) for d in documents},
        mentions=tuple(store.rows("mentions")),
        projects=tuple(store.rows("projects")),
        errors=tuple(store.rows("errors")),
        facts=tuple(store.rows("facts")),
        targets=tuple(store.rows("targets")),
        city_period_columns=tuple(store.columns("city_period")),
        city_period_rows=tuple(store.rows("city_period")),
    )


# --- small formatting helpers -------------------------------------------------------------


def _e(value: object) -> str:
    """Escaped text for element content or a quoted attribute; None shows as —."""
    return "—" if value is None else html.escape(str(value), quote=True)


def _anchor(prefix: str, key: object) -> str:
    """A safe, stable element id for any key (doc ids and mention ids may hold anything)."""
    return f"{prefix}-{hashlib.sha1(str(key).encode('utf-8')).hexdigest()[:12]}"


def _num(v: Decimal | int | float) -> str:
    d = Decimal(str(v)) if not isinstance(v, Decimal) else v
    return format(d.normalize(), "f")


def _value(value: object, unit: object, kind: object, qualifier: object = "eq") -> str:
    """A value for people: amounts in 亿, rates in %, counts with their measure word."""
    if value is None:
        return "—"
    q = QUALIFIER_ZH.get(str(qualifier), "")
    v = Decimal(value)  # type: ignore[arg-type]
    if kind == "amount" and unit:
        yi = "亿元" if unit == "CNY" else f"亿 {unit}"
        return f"{q}{_num(v / YI)}{yi}"
    if kind in ("growth", "share"):
        return f"{q}{_num(v)}%"
    return f"{q}{_num(v)}{'' if unit is None else ' ' + str(unit)}"


def _period(start: date | None, end: date | None) -> str:
    from govfacts.pipeline.plot import period_label

    if start is None or end is None:
        return "期间未知" if start is None and end is None else f"{start or '?'}–{end or '?'}"
    return period_label(start, end)


def _metric_label(metric: object, kind: object = "count", unit: object = None) -> tuple[str, str]:
    currency = str(unit) if kind == "amount" and unit else None
    col = Column(str(metric), "actual", "reported", str(metric), str(kind), currency)
    return column_labels(col)


def _place(city: object, area: object) -> str:
    return f"{city or '—'}{'·' + str(area) if area else ''}"


# --- highlighting -------------------------------------------------------------------------


def _tip(m: Mapping[str, object]) -> str:
    """The hover text of one mention: value, unit, status, period, place, speaker."""
    zh = _metric_label(m["metric"], m["kind"], m["unit"])[0] if m.get("metric") else None
    value = "—" if m.get("value") is None else _num(m["value"])  # type: ignore[arg-type]
    lines = [
        f"{str(m['kind']).upper()}  {m['text']}",
        f"值 value: {value} {m.get('unit') or ''}  ({m.get('qualifier')}, {m.get('role')})",
        f"状态 status: {m.get('status')}",
        f"期间 period: {m.get('period_start') or '?'} – {m.get('period_end') or '?'}",
        f"城市 city: {_place(m.get('city'), m.get('area'))}",
        f"发言人 speaker: {m.get('speaker') or '—'}",
        f"指标 metric: {m.get('metric') or '—'}{'  ' + zh if zh else ''}",
    ]
    return "\n".join(lines)


def _kind_style(kind: str) -> str:
    return f"background:{COLORS.get(kind.upper(), '#ddd')}"


def highlight(text: str, mentions: Sequence[Mapping[str, object]]) -> str:
    """HTML of `text` with every mention wrapped in a span coloured by kind (all escaped).

    The text is cut at every mention boundary; a piece covered by several mentions
    (overlaps) is outlined and its hover text lists them all. Each mention gets an
    anchor `m-<hash of mention_id>` before its first piece and a kind tag after its
    last one.

    Args:
        text: The normalized text.
        mentions: `mentions` rows with char_start/char_end indexing `text`
            (rows whose offsets fall outside it are skipped).
    """
    spans = sorted(
        (m for m in mentions if 0 <= int(m["char_start"]) < int(m["char_end"]) <= len(text)),  # type: ignore[arg-type]
        key=lambda m: (m["char_start"], -int(m["char_end"])),  # type: ignore[arg-type]
    )
    cuts = sorted(
        {0, len(text), *(int(m["char_start"]) for m in spans), *(int(m["char_end"]) for m in spans)}
    )  # type: ignore[arg-type]
    starts = defaultdict(list)
    ends = defaultdict(list)
    for m in spans:
        starts[int(m["char_start"])].append(m)  # type: ignore[arg-type]
        ends[int(m["char_end"])].append(m)  # type: ignore[arg-type]
    out: list[str] = []
    open_: list[Mapping[str, object]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        for m in starts.get(a, ()):
            out.append(f'<a class="anc" id="{_anchor("m", m["mention_id"])}"></a>')
            open_.append(m)
        open_ = [m for m in open_ if int(m["char_end"]) > a]  # type: ignore[arg-type]
        piece = _e(text[a:b])
        if not open_:
            out.append(piece)
            continue
        inner = min(open_, key=lambda m: int(m["char_end"]) - int(m["char_start"]))  # type: ignore[arg-type]
        kind = str(inner["kind"])
        tags = "".join(
            f"<sub>{_e(str(m['kind']).upper())}</sub>"
            for m in open_
            if int(m["char_end"]) == b  # type: ignore[arg-type]
        )
        tip = "\n\n".join(_tip(m) for m in open_)
        multi = " multi" if len(open_) > 1 else ""
        out.append(
            f'<span class="m k-{_e(kind)}{multi}" style="{_kind_style(kind)}" tabindex="0" '
            f'data-kind="{_e(kind)}" data-tip="{_e(tip)}">{piece}{tags}</span>'
        )
    return "".join(out)


def _sentence_html(m: Mapping[str, object], text: str | None) -> str:
    """The mention's evidence sentence with the mention marked (escaped)."""
    sentence = str(m.get("sentence") or "")
    surface = str(m["text"])
    cs, ce = int(m["char_start"]), int(m["char_end"])  # type: ignore[arg-type]
    at = -1
    if text and sentence:
        s0 = text.find(sentence, max(0, ce - len(sentence)))
        if 0 <= s0 <= cs and ce <= s0 + len(sentence):
            at = cs - s0
    if at < 0:
        at = sentence.find(surface)
    if at < 0:
        return f"<mark>{_e(surface)}</mark> {_e(sentence)}"
    end = at + (ce - cs if text else len(surface))
    return f"{_e(sentence[:at])}<mark>{_e(sentence[at:end])}</mark>{_e(sentence[end:])}"


# --- sections -----------------------------------------------------------------------------


def _fact_column(f: Mapping[str, object]) -> str | None:
    try:
        unit = f["unit"] if f["kind"] == "amount" else None
        return column_name(
            str(f["status"]), str(f["scope"]), str(f["metric"]), str(f["kind"]), unit
        )  # type: ignore[arg-type]
    except ValueError:
        return None


def _fact_link(f: Mapping[str, object] | None, shown: str) -> str:
    if f is None:
        return _e(shown)
    conflict = bool(f["conflict"])
    title = f"{f['n_documents']} 篇报道 report(s)"
    if conflict:
        title += "; 数值不一致 values differ: " + ", ".join(json.loads(str(f["all_values"])))
    cls = "v conflict" if conflict else "v"
    badge = '<span class="badge">≠</span>' if conflict else ""
    href = _anchor("fact", f["fact_id"])
    return f'<a class="{cls}" href="#{href}" title="{_e(title)}">{_e(shown)}</a>{badge}'


def _city_period_section(data: ReportData, facts_by_cell: Mapping[tuple, dict]) -> str:
    columns = list(data.city_period_columns)
    metric_cols = [parse_column(c) for c in columns[4:]]
    statuses = list(dict.fromkeys((c.status, c.scope) for c in metric_cols))
    statuses.sort(
        key=lambda s: (
            s[1] != "reported",
            ("actual", "target", "plan").index(s[0]) if s[0] in ("actual", "target", "plan") else 9,
        )
    )
    by_status: dict[tuple, dict[tuple, Column]] = defaultdict(dict)
    for c in metric_cols:
        by_status[(c.status, c.scope)][(c.metric, c.kind, c.currency)] = c
    groups = list(dict.fromkeys((c.metric, c.kind, c.currency) for c in metric_cols))
    head = [
        "城市 <span class=en>city</span>",
        "区县 <span class=en>area</span>",
        "期间 <span class=en>period</span>",
        "指标 <span class=en>metric</span>",
    ]
    for st in statuses:
        sample = next(c for c in metric_cols if (c.status, c.scope) == st)
        zh, en = status_labels(sample)
        head.append(f"{_e(zh)} <span class=en>{_e(en)}</span>")
    body = []
    for row in data.city_period_rows:
        for g in groups:
            cells = []
            for st in statuses:
                col = by_status[st].get(g)
                v = row.get(col.name) if col else None
                if v is None:
                    cells.append('<td class="num"></td>')
                    continue
                key = (row["city"], row["area"], row["period_start"], row["period_end"], col.name)  # type: ignore[union-attr]
                f = facts_by_cell.get(key)
                cells.append(f'<td class="num">{_fact_link(f, _num(v))}</td>')  # type: ignore[arg-type]
            if all(c == '<td class="num"></td>' for c in cells):
                continue
            some = next(by_status[st][g] for st in statuses if g in by_status[st])
            zh, en = column_labels(some)
            body.append(
                f"<tr><td>{_e(row['city'])}</td><td>{_e(row['area'] or '')}</td>"
                f"<td>{_e(_period(row['period_start'], row['period_end']))}</td>"  # type: ignore[arg-type]
                f"<td>{_e(zh)} <span class=en>{_e(en)}</span></td>{''.join(cells)}</tr>"
            )
    if not body:
        return _section(
            "city-period",
            "城市×期间",
            "city × period",
            '<p class="note">No facts yet: run <code>govfacts run</code>.</p>',
        )
    table = (
        '<table class="filterable" id="city-period-table"><thead><tr>'
        + "".join(f"<th>{h}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )
    note = (
        '<p class="note">Amounts in 亿 of their currency, counts as counted, rates in %. '
        "Each value links to the sentences behind it; "
        '<span class="badge">≠</span> marks a fact whose reports disagree.</p>'
    )
    return _section("city-period", "城市×期间", "city × period", note + table)


def _targets_section(data: ReportData, facts_by_id: Mapping[str, dict]) -> str:
    if not data.targets:
        return _section(
            "targets", "目标与实际", "targets vs actuals", '<p class="note">No targets found.</p>'
        )
    rows = []
    order = sorted(
        data.targets,
        key=lambda t: (
            str(t["city"] or "~"),
            str(t["area"] or ""),
            int(t["year"]),
            str(t["metric"]),
        ),  # type: ignore[arg-type]
    )
    for t in order:
        zh, en = _metric_label(t["metric"], t["kind"], t["target_unit"])
        target = _value(t["target_value"], t["target_unit"], t["kind"], t["target_qualifier"])
        actual = _value(t["actual_value"], t["actual_unit"], t["kind"])
        att = ""
        if t["attainment"] is not None:
            pct = Decimal(t["attainment"]) * 100
            over = " over" if pct >= 100 else ""
            width = f"{min(pct, Decimal(120)):.0f}px"
            att = (
                f"{_num(pct.quantize(Decimal('0.1')))}%"
                f'<span class="bar{over}" style="width:{width}"></span>'
            )
        period = (
            _period(t["actual_period_start"], t["actual_period_end"]) if t["actual_fact_id"] else ""
        )
        actual_link = "—"
        if t["actual_fact_id"]:
            actual_link = _fact_link(facts_by_id.get(str(t["actual_fact_id"])), actual)
        rows.append(
            f"<tr><td>{_e(t['city'])}</td><td>{_e(t['area'] or '')}</td><td>{_e(t['year'])}</td>"
            f"<td>{_e(zh)} <span class=en>{_e(en)}</span></td>"
            f'<td class="num">{_fact_link(facts_by_id.get(str(t["target_fact_id"])), target)}</td>'
            f'<td class="num">{actual_link}</td>'
            f"<td>{_e(period)}</td><td class=num>{att}</td></tr>"
        )
    head = _thead(
        ("城市", "city"),
        ("区县", "area"),
        ("年", "year"),
        ("指标", "metric"),
        ("目标", "target"),
        ("实际", "latest actual"),
        ("实际期间", "actual period"),
        ("完成", "attainment"),
    )
    table = (
        f'<table class="filterable" id="targets-table">{head}<tbody>{"".join(rows)}</tbody></table>'
    )
    note = (
        '<p class="note">Each target beside the latest actual of the same city, area, metric '
        "and year.</p>"
    )
    return _section("targets", "目标与实际", "targets vs actuals", note + table)


def _chart_list(data: ReportData) -> list:
    """The ChartData to draw: headline metrics, growth rates, then the fullest other metrics."""
    from govfacts.pipeline.plot import growth_chart_data, metric_chart_data

    columns, rows = list(data.city_period_columns), list(data.city_period_rows)
    filled: Counter[str] = Counter()
    for c in columns[4:]:
        col = parse_column(c)
        if col.scope == "reported" and col.status == "actual" and col.kind in ("count", "amount"):
            filled[col.metric] += sum(r[c] is not None for r in rows)
    order = [m for m in HEADLINE_METRICS if filled[m]]
    order += [m for m, n in filled.most_common() if n >= 2 and m not in order]
    charts = []
    for metric in order[:2]:
        charts.append(metric_chart_data(columns, rows, metric, statuses=CHART_STATUSES))
    with contextlib.suppress(ValueError):  # no growth rate: no growth chart
        charts.append(growth_chart_data(columns, rows))
    for metric in order[2:]:
        if len(charts) >= MAX_CHARTS:
            break
        charts.append(metric_chart_data(columns, rows, metric, statuses=CHART_STATUSES))
    return charts


def _charts_section(data: ReportData, charts: bool) -> str:
    from govfacts.pipeline.plot import MissingFontError, render

    if not charts:
        return _section(
            "charts", "图表", "charts", '<p class="note">Charts left out (--no-charts).</p>'
        )
    try:
        figures = []
        for chart in _chart_list(data):
            svg = base64.b64encode(render(chart, "svg")).decode("ascii")
            figures.append(
                f'<figure><img alt="{_e(chart.title)}" src="data:image/svg+xml;base64,{svg}">'
                f"<figcaption>{_e(chart.title)} — {_e(chart.ylabel)}</figcaption></figure>"
            )
    except MissingFontError as exc:
        return _section(
            "charts", "图表", "charts", f'<p class="note">Charts left out: {_e(exc)}</p>'
        )
    if not figures:
        return _section("charts", "图表", "charts", '<p class="note">Nothing to chart yet.</p>')
    note = '<p class="note">Cities side by side per period; hatched bars are targets.</p>'
    return _section(
        "charts", "图表", "charts", note + '<div class="charts">' + "".join(figures) + "</div>"
    )


def _evidence_section(
    data: ReportData, mentions_by_id: Mapping[str, dict], titles: Mapping[str, str]
) -> str:
    facts = sorted(
        data.facts,
        key=lambda f: (
            str(f["city"] or "~"),
            str(f["area"] or ""),
            str(f["period_start"] or "~"),
            str(f["period_end"] or "~"),
            str(f["metric"]),
            str(f["status"]),
            str(f["scope"]),
        ),
    )
    blocks = []
    for f in facts:
        zh, en = _metric_label(f["metric"], f["kind"], f["unit"])
        st_zh, st_en = status_labels(parse_column(_fact_column(f) or "actual__x"))
        place, period = _place(f["city"], f["area"]), _period(f["period_start"], f["period_end"])
        value = _value(f["value"], f["unit"], f["kind"], f["qualifier"])
        head = (
            f"{_e(place)} · {_e(period)} · {_e(zh)} <span class=en>{_e(en)}</span> · "
            f"{_e(st_zh)} <span class=en>{_e(st_en)}</span>: <b>{_e(value)}</b>"
        )
        if f["conflict"]:
            head += (
                f' <span class="badge">≠ {_e(", ".join(json.loads(str(f["all_values"]))))}</span>'
            )
        items = []
        for mid in json.loads(str(f["mention_ids"])):
            m = mentions_by_id.get(mid)
            if m is None:
                items.append(
                    f"<li>{_e(mid)} <span class=src>(mention no longer stored)</span></li>"
                )
                continue
            doc = str(m["doc_id"])
            title = titles.get(doc) or doc
            items.append(
                f"<li>{_sentence_html(m, data.texts.get(doc))} "
                f'<span class="src">— <a href="#{_anchor("doc", doc)}">{_e(title)}</a> '
                f"[{_e(doc)}], 原文 original chars {_e(m['orig_start'])}–{_e(m['orig_end'])} · "
                f'<a href="#{_anchor("m", mid)}">在文中 in context</a></span></li>'
            )
        reports = f"({_e(f['n_documents'])} 篇 documents, {_e(f['scope'])})"
        blocks.append(
            f'<div class="fact" id="{_anchor("fact", f["fact_id"])}"><div>{head} '
            f'<span class="src">{reports}</span></div><ul>{"".join(items)}</ul></div>'
        )
    body = "".join(blocks) or '<p class="note">No facts.</p>'
    return _section("evidence", "证据", "evidence behind every fact", body)


def _documents_section(data: ReportData, mentions_by_hash: Mapping[str, list[dict]]) -> str:
    owner_of_hash: dict[str, str] = {}
    for ms in mentions_by_hash.values():
        if ms:
            owner_of_hash.setdefault(str(ms[0]["content_hash"]), str(ms[0]["doc_id"]))
    index, pages = [], []
    for d in data.documents:
        doc_id, h = str(d["doc_id"]), str(d["content_hash"])
        aid = _anchor("doc", doc_id)
        mentions = mentions_by_hash.get(h, [])
        counts = Counter(str(m["kind"]) for m in mentions)
        index.append(
            f'<li><a href="#{aid}">{_e(d["title"] or doc_id)}</a> '
            f"<span class=src>[{_e(doc_id)}] · {sum(counts.values())} mentions</span></li>"
        )
        meta = [
            ("doc_id", doc_id),
            ("来源 source", d["source"]),
            ("url", d["url"]),
            (
                "发布 published",
                f"{d['published'] or '—'}{' (inferred)' if d['published_inferred'] else ''}",
            ),
            ("机构 source_org", d["source_org"]),
            ("城市 city", d["city"]),
            ("script", d["script"]),
            ("encoding", d["encoding"]),
            ("chars", d["n_chars"]),
        ]
        if d["duplicate_of"]:
            meta.append(("转载 republishes", d["duplicate_of"]))
        dl = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta)
        legend = "".join(
            f'<span style="{_kind_style(k)}">{_e(k.upper())} {n}</span>'
            for k, n in sorted(counts.items())
        )
        owner = owner_of_hash.get(h, doc_id)
        text = data.texts.get(doc_id)
        if owner != doc_id:
            body = (
                f'<p class="note">Same text as <a href="#{_anchor("doc", owner)}">{_e(owner)}</a>; '
                "its mentions are highlighted there.</p>"
            )
        elif text is None:
            body = (
                '<p class="note">The normalized text is not in this store (loaded before '
                "<code>documents.text</code> existed, and the source file is gone or changed): "
                "run <code>govfacts run --force</code> to store it. Evidence sentences:</p><ul>"
                + "".join(f"<li>{_sentence_html(m, None)}</li>" for m in mentions)
                + "</ul>"
            )
        else:
            body = f'<div class="doctext">{highlight(text, mentions)}</div>'
        pages.append(
            f'<article class="doc" id="{aid}"><h3>{_e(d["title"] or doc_id)}</h3><dl>{dl}</dl>'
            f'<div class="legend">{legend}</div>{body}</article>'
        )
    note = (
        '<p class="note">Hover or focus a highlighted mention to see its value, unit, status, '
        "period, city and speaker.</p>"
    )
    return _section(
        "documents", "文档", "documents", note + "<ol>" + "".join(index) + "</ol>" + "".join(pages)
    )


def _projects_section(data: ReportData) -> str:
    if not data.projects:
        return _section("projects", "项目", "projects register", '<p class="note">No projects.</p>')
    rows = []
    for p in sorted(
        data.projects, key=lambda p: (str(p["city"] or "~"), str(p["doc_id"]), int(p["char_start"]))
    ):  # type: ignore[arg-type]
        sentence, name = str(p["sentence"] or ""), str(p["name"])
        at = sentence.find(name)
        evidence = (
            f"{_e(sentence[:at])}<mark>{_e(name)}</mark>{_e(sentence[at + len(name) :])}"
            if at >= 0
            else _e(sentence)
        )
        stage = p["stage"]
        investment = (
            _value(p["investment"], "CNY", "amount", p["investment_qualifier"] or "eq")
            if p["investment"] is not None
            else ""
        )
        stage_zh = STAGE_ZH.get(str(stage), "") if stage else ""
        doc_link = f'<a href="#{_anchor("doc", p["doc_id"])}">{_e(p["doc_id"])}</a>'
        rows.append(
            f"<tr><td>{_e(name)}</td><td>{_e(_place(p['city'], p['area']))}</td>"
            f"<td>{_e(stage_zh)} <span class=en>{_e(stage or '')}</span></td>"
            f"<td>{_e(p['stage_date'] or '')}</td><td class=num>{_e(investment)}</td>"
            f"<td>{doc_link}</td><td>{evidence}</td></tr>"
        )
    head = _thead(
        ("项目", "project"),
        ("地点", "place"),
        ("阶段", "stage"),
        ("日期", "date"),
        ("投资", "investment"),
        ("文档", "document"),
        ("证据", "evidence"),
    )
    table = f'<table class="filterable">{head}<tbody>{"".join(rows)}</tbody></table>'
    return _section("projects", "项目", "projects register", table)


def _errors_section(data: ReportData) -> str:
    if not data.errors:
        return _section("errors", "错误", "errors", '<p class="note">No document failed.</p>')
    rows = "".join(
        f"<tr><td>{_e(r['doc_id'])}</td><td>{_e(r['stage'])}</td><td>{_e(r['reason'])}</td>"
        f"<td>{_e(r['source'])}</td><td>{_e(r['at'])}</td></tr>"
        for r in data.errors
    )
    head = _thead(
        ("文档", "doc_id"),
        ("阶段", "stage"),
        ("原因", "reason"),
        ("来源", "source"),
        ("时间", "at"),
    )
    table = f'<table class="filterable">{head}<tbody>{rows}</tbody></table>'
    return _section("errors", "错误", "errors", table)


def _thead(*labels: tuple[str, str]) -> str:
    """A table head of (Chinese, English) column labels."""
    cells = "".join(f"<th>{_e(zh)} <span class=en>{_e(en)}</span></th>" for zh, en in labels)
    return f"<thead><tr>{cells}</tr></thead>"


def _section(sid: str, zh: str, en: str, body: str) -> str:
    return f'<section id="{sid}"><h2>{_e(zh)} <span class=en>{_e(en)}</span></h2>{body}</section>'


def _csp() -> str:
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def render_report(
    data: ReportData, *, charts: bool = True, generated_at: datetime | None = None
) -> str:
    """The report as one HTML document (pure: the same data gives the same text).

    Args:
        data: From `load_report_data`.
        charts: Draw the charts (needs matplotlib and a CJK font; without a font the
            section says what to install instead).
        generated_at: Shown in the header when given.
    """
    from govfacts import __version__

    mentions_by_id = {str(m["mention_id"]): m for m in data.mentions}
    mentions_by_hash: dict[str, list[dict]] = defaultdict(list)
    for m in sorted(data.mentions, key=lambda m: (str(m["content_hash"]), int(m["char_start"]))):  # type: ignore[arg-type]
        mentions_by_hash[str(m["content_hash"])].append(m)
    facts_by_id = {str(f["fact_id"]): f for f in data.facts}
    facts_by_cell = {}
    for f in data.facts:
        col = _fact_column(f)
        if col is not None:
            facts_by_cell[(f["city"], f["area"], f["period_start"], f["period_end"], col)] = f
    titles = {str(d["doc_id"]): str(d["title"] or d["doc_id"]) for d in data.documents}
    conflicts = sum(bool(f["conflict"]) for f in data.facts)
    counts = "".join(
        f"<span>{n} {label}</span>"
        for n, label in (
            (len(data.documents), "篇文档 documents"),
            (len(data.mentions), "处提及 mentions"),
            (len(data.facts), f"条事实 facts ({conflicts} ≠)"),
            (len(data.projects), "个项目 projects"),
            (len(data.errors), "个错误 errors"),
        )
    )
    generated = (
        f" · generated {_e(generated_at.isoformat(timespec='seconds'))}" if generated_at else ""
    )
    nav = "".join(
        f'<a href="#{sid}">{label}</a>'
        for sid, label in (
            ("city-period", "城市×期间"),
            ("targets", "目标与实际"),
            ("charts", "图表"),
            ("evidence", "证据"),
            ("documents", "文档"),
            ("projects", "项目"),
            ("errors", "错误"),
        )
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_csp())}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>govfacts report</title>",
        f"<style>{CSS}</style></head><body>",
        "<header><h1>govfacts 核查报告 <span class=en>review report</span></h1>",
        f"<p>store {_e(data.location)} · govfacts {_e(__version__)}{generated}</p>",
        f'<p class="counts">{counts}</p></header>',
        f'<nav>{nav}<input id="filter" type="search" placeholder="筛选 filter tables…" '
        'aria-label="filter tables"></nav>',
        "<main>",
        _city_period_section(data, facts_by_cell),
        _targets_section(data, facts_by_id),
        _charts_section(data, charts),
        _evidence_section(data, mentions_by_id, titles),
        _documents_section(data, mentions_by_hash),
        _projects_section(data),
        _errors_section(data),
        "</main>",
        f"<script>{SCRIPT}</script>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(
    store, out: Path, *, charts: bool = True, generated_at: datetime | None = None
) -> Path:
    """Read `store` and write the report to `out` (UTF-8); returns `out`."""
    html_text = render_report(load_report_data(store), charts=charts, generated_at=generated_at)
    out.write_text(html_text, encoding="utf-8")
    return out
