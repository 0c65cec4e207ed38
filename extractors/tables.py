"""Statistical tables flattened into text: one mention per cell, unit from the row, role from the column.

    单位：亿元、个、%
    指标 本期数值 同比增幅
    新签约项目个数 247 12.3
    实际利用外资（万美元） 8316 -12.1

A table is a header line of column names followed by rows of a label and
numeric cells separated by spaces. The column header says what a cell is (a
target, an actual, a completion rate, a growth rate, `lexicons/table_columns.tsv`);
the row label says its unit (`（万美元）`, or a word of `lexicons/table_units.tsv`
and the table's `单位` line). A cell's `text` is the bare number, as printed.
The table's period is the time expression of its title or caption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

import regex
from govfacts.extractors import context, grammar
from govfacts.extractors.dates import document_time_expressions
from govfacts.extractors.numbers import parse_number
from govfacts.lexicons import load_table
from govfacts.pipeline.records import Document, Mention

__all__ = ["extract_tables"]

_CELL = regex.compile(r"[-−]?\d+(?:\.\d+)?|[—–-]{1,2}")  # a number, or a dash for "no value"
_ROW = regex.compile(r"^(?P<label>[^\s\d][^\s]*?)(?P<cells>(?:[ \t\u3000]+(?:[-−]?\d+(?:\.\d+)?|[—–-]{1,2}))+)[ \t]*$")
_UNIT_LINE = regex.compile(r"单位[:：]\s*(?P<units>[^\n]+)")
_BRACKET_UNIT = regex.compile(r"[（(](?P<unit>[^（）()]{1,6})[)）]\s*$")
_LABEL_PREFIX = regex.compile(r"^(?:其中[:：]|其中|#|　)+")
_TABLE_HINT = regex.compile(r"(?m)^\S+(?:[ \t\u3000]+[-−]?\d+(?:\.\d+)?){2,}[ \t]*$")
# A line the hint matches holds one of its separators: only such lines are tried
# (`re` finds these few characters far faster than `regex` tries every line).
_CELL_SEPARATOR = re.compile("[ \t\u3000]")
_MAX_HEADER_GAP = 2  # lines between a header and its first row (a 单位 line, a blank)


@dataclass(frozen=True, slots=True)
class _Column:
    role: str  # label | value | share | growth
    status: str


@cache
def _column_rules() -> tuple[tuple[regex.Pattern[str], _Column], ...]:
    rows = load_table("table_columns.tsv", ("pattern", "role", "status", "note"))
    return tuple((regex.compile(r["pattern"]), _Column(r["role"], r["status"])) for r in rows)


@cache
def _unit_rules() -> tuple[tuple[regex.Pattern[str], str, str], ...]:
    rows = load_table("table_units.tsv", ("pattern", "kind", "unit", "note"))
    return tuple((regex.compile(r["pattern"]), r["kind"], r["unit"]) for r in rows)


def _column(name: str) -> _Column | None:
    name = regex.sub(r"[（(][^）)]*[)）]", "", name).strip()
    for pattern, col in _column_rules():
        if pattern.search(name):
            return col
    return None


def _header(line: str) -> list[_Column] | None:
    names = line.split()
    if len(names) < 2 or any(_CELL.fullmatch(n) for n in names):
        return None
    cols = [_column(n) for n in names]
    if cols[0] is None or cols[0].role != "label" or any(c is None for c in cols[1:]):
        return None
    return cols  # type: ignore[return-value]


def _split_unit(label: str) -> tuple[str, str | None]:
    m = _BRACKET_UNIT.search(label)
    if m:
        return label[: m.start()], m.group("unit")
    return label, None


def _row_unit(label: str, bracket: str | None, table_currency: str | None) -> tuple[str, str, Decimal] | None:
    """(kind, unit, multiplier) of a row's value cells."""
    unit = bracket
    if unit is None:
        for pattern, kind, u in _unit_rules():
            if pattern.search(label):
                unit = (table_currency or u) if kind == "amount" else u
                break
    if unit is None:
        return None
    if unit == "%":
        return ("share", "%", Decimal(1))
    for cur, iso in sorted(grammar.currencies().items(), key=lambda kv: -len(kv[0])):
        if unit.endswith(cur):
            factor = parse_number("1" + unit[: -len(cur)]) if unit[: -len(cur)] else Decimal(1)
            return ("amount", iso, factor or Decimal(1))
    if unit in grammar.measure_words():
        return ("count", unit, Decimal(1))
    return None


def _table_currency(units: str) -> str | None:
    """The currency word of a `单位：亿元、个、%` line, if it names one."""
    for word in regex.split(r"[、，,\s]+", units):
        found = _row_unit("", word, None)
        if found is not None and found[0] == "amount":
            return word
    return None


def _has_table(text: str) -> bool:
    """Whether a line of `text` matches `_TABLE_HINT` (only lines with a separator are tried)."""
    tried = -1  # the start of the last line tried
    for sep in _CELL_SEPARATOR.finditer(text):
        line_start = text.rfind("\n", 0, sep.start()) + 1
        if line_start != tried:
            if _TABLE_HINT.match(text, line_start):
                return True
            tried = line_start
    return False


def extract_tables(doc: Document) -> list[Mention]:
    """One mention per numeric cell of every flattened table in `doc`."""
    text = doc.text
    if not _has_table(text):
        return []  # most documents have no table: skip the line walk
    lines: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    out: list[Mention] = []
    currency: str | None = None
    columns: list[_Column] | None = None
    gap = 0
    times = document_time_expressions(doc)
    for start, line in lines:
        if (u := _UNIT_LINE.search(line)) is not None:
            currency = _table_currency(u.group("units"))
            continue
        header = _header(line)
        if header is not None:
            columns, gap = header, 0
            continue
        row = _ROW.match(line)
        if columns is None or row is None:
            gap += 1
            if gap > _MAX_HEADER_GAP:
                columns = None
            continue
        gap = 0
        out.extend(_row_mentions(doc, start, row, columns, currency, times))
    return out


def _row_mentions(doc, line_start, row, columns, currency, times) -> list[Mention]:
    label_raw = row.group("label")
    label, bracket = _split_unit(_LABEL_PREFIX.sub("", label_raw))
    value_kind = _row_unit(label, bracket, currency)
    period = _table_period(times, line_start)
    out: list[Mention] = []
    for col, cell in zip(columns[1:], regex.finditer(r"\S+", row.group("cells")), strict=False):
        if not _CELL.fullmatch(cell.group()) or not regex.search(r"\d", cell.group()):
            continue  # a dash: no value
        start = line_start + row.start("cells") + cell.start()
        end = start + len(cell.group())
        number = Decimal(cell.group().replace("−", "-"))
        kind, unit, value, status = None, None, number, "actual"
        if col.role in ("share", "growth"):
            kind, unit = col.role, "%"
        elif value_kind is not None:
            kind, unit = value_kind[0], value_kind[1]
            value = number * value_kind[2] if kind == "amount" else number
            status = col.status if col.status != "-" else "actual"
        if kind is None:
            continue
        start_d, end_d = period
        if status == "target" and end_d is not None:
            start_d, end_d = date(end_d.year, 1, 1), date(end_d.year, 12, 31)  # 年度目标: the whole year
        subject = label if col.role != "share" or "率" in label else label + "完成率"
        out.append(
            Mention(
                doc_id=doc.doc_id, kind=kind, text=cell.group(), value=value, unit=unit,  # type: ignore[arg-type]
                status=status,  # type: ignore[arg-type]
                subject=subject,
                metric=context.metric_of("amount" if kind == "amount" else "count", label) if kind in ("amount", "count") else None,
                period_start=start_d, period_end=end_d, char_start=start, char_end=end,
            )
        )
    return out


def _table_period(times, line_start: int):
    before = [t for t in times if t.char_end <= line_start and (t.period_start or t.period_end)]
    if not before:
        return (None, None)
    return (before[-1].period_start, before[-1].period_end)
