"""Charts of the `city_period` table: cities side by side per metric and period, in a CJK font.

Reading the store is the caller's business: every function here takes the
`city_period` column names and rows (`Store.columns`, `Store.rows`). Chart data
is computed by pure functions (`metric_chart_data`, `growth_chart_data`); only
`draw` and `render` touch matplotlib, and they never change its global state:
fonts and SVG settings apply inside an `rc_context`.

Chinese labels need a font that has the glyphs. `cjk_font` finds one on the
system through `matplotlib.font_manager` (Noto Sans CJK SC from Debian's
`fonts-noto-cjk` first) and checks that it really maps Chinese characters; with
none, it raises `MissingFontError` naming the package to install, so a chart is
never drawn with empty boxes instead of characters.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from govfacts.pipeline.facts import Column, column_labels, parse_column, status_labels

if TYPE_CHECKING:  # matplotlib is imported lazily: importing this module costs nothing
    from matplotlib.figure import Figure

__all__ = [
    "MissingFontError",
    "ChartData",
    "cjk_font",
    "period_label",
    "metric_chart_data",
    "growth_chart_data",
    "draw",
    "render",
    "save",
]

# Font families with Simplified Chinese glyphs, most wanted first: Debian/Ubuntu
# (fonts-noto-cjk, fonts-wqy-*, fonts-arphic-*), Adobe's Source Han, macOS, Windows.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Microsoft YaHei",
    "SimHei",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
)
GLYPH_PROBE = "城市签约项目投资增速亿元实际目标年月"  # characters every chart label may need
INSTALL_HINT = (
    "no font with Chinese glyphs found, so charts would show boxes instead of characters: "
    "install one, e.g. `apt-get install fonts-noto-cjk` (Debian/Ubuntu), "
    "`dnf install google-noto-sans-cjk-fonts` (Fedora) or `brew install --cask font-noto-sans-cjk`"
)
STATUS_HATCH = {"actual": "", "target": "//", "plan": ".."}  # bar fill per status
PALETTE = (  # one colour per city (series), cycled; colour-blind-safe (Okabe–Ito)
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
RC = {  # matplotlib settings for every chart, applied inside an rc_context only
    "axes.unicode_minus": False,  # CJK fonts often lack U+2212 MINUS SIGN
    "svg.fonttype": "path",  # glyphs as outlines: an SVG shows Chinese without the font
    "svg.hashsalt": "govfacts",  # stable element ids: the same data gives the same SVG
    "figure.dpi": 100,
    "savefig.dpi": 100,
}


class MissingFontError(RuntimeError):
    """No installed font can draw Chinese characters; the message says what to install."""


@dataclass(frozen=True, slots=True)
class ChartData:
    """What one grouped bar chart shows: groups along x, one bar per series in each group."""

    title: str  # Chinese and English
    ylabel: str
    groups: tuple[str, ...]  # x tick labels, in order
    series: tuple[str, ...]  # legend entries, in order
    values: Mapping[tuple[str, str], Decimal]  # (series, group) -> value; missing bars absent
    hatches: Mapping[str, str]  # series -> hatch pattern ("" for solid)
    colors: Mapping[str, str]  # series -> colour


def _has_glyphs(path: str, probe: str = GLYPH_PROBE) -> bool:
    """True when the font file at `path` maps every character of `probe` to a glyph."""
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
        return all(font.get_char_index(ord(c)) for c in probe)
    except (OSError, RuntimeError, ValueError):
        return False


def _find(families: Sequence[str]) -> str | None:
    import matplotlib.font_manager as fm

    by_name: dict[str, list[str]] = {}
    for entry in fm.fontManager.ttflist:
        by_name.setdefault(entry.name, []).append(entry.fname)
    for family in families:
        if any(_has_glyphs(path) for path in by_name.get(family, ())):
            return family
    return None


@cache
def cjk_font(families: tuple[str, ...] = CJK_FAMILIES) -> str:
    """The family name of an installed font that draws Chinese (searched once per process).

    Fonts installed after matplotlib built its font cache are found too: on a miss,
    the system font folders are scanned once more.

    Raises:
        MissingFontError: no listed family is installed with Chinese glyphs; the
            message names the package to install (`fonts-noto-cjk`).
    """
    import matplotlib.font_manager as fm

    found = _find(families)
    if found is None:
        known = {e.fname for e in fm.fontManager.ttflist}
        for path in fm.findSystemFonts():
            if path not in known:
                try:
                    fm.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = _find(families)
    if found is None:
        raise MissingFontError(INSTALL_HINT)
    return found


def period_label(period_start: date, period_end: date) -> str:
    """A period as a Chinese reader writes it.

    >>> period_label(date(2022, 1, 1), date(2022, 12, 31))
    '2022年'
    >>> period_label(date(2022, 1, 1), date(2022, 10, 31))
    '2022年1-10月'
    >>> period_label(date(2020, 8, 1), date(2020, 8, 31))
    '2020年8月'
    >>> period_label(date(2020, 9, 9), date(2020, 9, 10))
    '2020-09-09至09-10'
    >>> period_label(date(2022, 11, 5), date(2022, 11, 5))
    '2022-11-05'
    """
    a, b = period_start, period_end
    whole_months = a.day == 1 and (b + timedelta(days=1)).day == 1 and a.year == b.year
    if whole_months and (a.month, b.month) == (1, 12):
        return f"{a.year}年"
    if whole_months:
        months = f"{a.month}月" if a.month == b.month else f"{a.month}-{b.month}月"
        return f"{a.year}年{months}"
    if a == b:
        return a.isoformat()
    tail = b.isoformat() if a.year != b.year else f"{b:%m-%d}"
    return f"{a.isoformat()}至{tail}"


def _place(row: Mapping[str, object]) -> str:
    return str(row["city"] or "（城市未知）") + (f"·{row['area']}" if row["area"] else "")


def _wanted(row: Mapping[str, object], cities: Iterable[str] | None) -> bool:
    return not cities or row["city"] in set(cities)


def _unit_label(col: Column) -> str:
    if col.kind == "amount":
        return column_labels(col)[0].rsplit("(", 1)[-1].rstrip(")")  # 亿元, 亿美元 …
    return "%" if col.kind in ("growth", "share") else "个/项"


def _period_order(rows: Iterable[Mapping[str, object]]) -> list[str]:
    spans = sorted(
        {(r["period_end"], r["period_start"]) for r in rows},
        key=lambda p: (p[0], -p[1].toordinal()),
    )
    return list(dict.fromkeys(period_label(a, b) for b, a in spans))


def _colors(series: Sequence[str], place_of: Mapping[str, str]) -> dict[str, str]:
    places = list(dict.fromkeys(place_of[s] for s in series))
    return {s: PALETTE[places.index(place_of[s]) % len(PALETTE)] for s in series}


def metric_chart_data(
    columns: Sequence[str],
    rows: Sequence[Mapping[str, object]],
    metric: str,
    *,
    kind: str | None = None,
    cities: Iterable[str] | None = None,
    statuses: Sequence[str] = ("actual", "target", "plan"),
) -> ChartData:
    """One metric by period (x) and city (bars), targets and plans hatched beside actuals.

    Args:
        columns: `city_period` column names (key columns first).
        rows: `city_period` rows.
        metric: A metric id (`lexicons/metrics.tsv`).
        kind: count, amount, growth or share; default the metric's count or amount
            columns, else its rates.
        cities: Keep only these cities (all when empty).
        statuses: Which statuses to draw; reported figures only (derived increments are
            left out).

    Raises:
        ValueError: the metric has no column of that kind, or no value for the cities.
    """
    cols = [parse_column(c) for c in columns[4:]]
    cols = [
        c for c in cols if c.metric == metric and c.scope == "reported" and c.status in statuses
    ]
    kinds = list(dict.fromkeys(c.kind for c in cols))
    if kind is None:
        kind = next((k for k in ("count", "amount", "growth", "share") if k in kinds), None)
    cols = [c for c in cols if c.kind == kind]
    if not cols:
        available = sorted({parse_column(c).metric for c in columns[4:]})
        raise ValueError(
            f"no {kind or 'value'} column for metric {metric!r} in city_period; "
            f"metrics present: {', '.join(available) or 'none (run `govfacts run` first)'}"
        )
    if kind == "amount":  # one currency per chart: the most frequent one
        currencies = [c.currency for c in cols]
        cols = [c for c in cols if c.currency == max(set(currencies), key=currencies.count)]
    kept = [r for r in rows if _wanted(r, cities) and any(r[c.name] is not None for c in cols)]
    if not kept:
        raise ValueError(f"no value of {metric!r} for {', '.join(cities or []) or 'any city'}")
    values: dict[tuple[str, str], Decimal] = {}
    place_of: dict[str, str] = {}
    hatches: dict[str, str] = {}
    multi_status = len({c.status for c in cols if any(r[c.name] is not None for r in kept)}) > 1
    for r in kept:
        for c in cols:
            if r[c.name] is None:
                continue
            name = _place(r) + (f" {status_labels(c)[0]}" if multi_status else "")
            place_of[name], hatches[name] = _place(r), STATUS_HATCH.get(c.status, "")
            values[(name, period_label(r["period_start"], r["period_end"]))] = Decimal(r[c.name])
    series = tuple(sorted(place_of, key=lambda s: (place_of[s], s)))
    zh, en = column_labels(cols[0])
    return ChartData(
        title=f"{zh} · {en}",
        ylabel=_unit_label(cols[0]),
        groups=tuple(_period_order(kept)),
        series=series,
        values=values,
        hatches=hatches,
        colors=_colors(series, place_of),
    )


def growth_chart_data(
    columns: Sequence[str],
    rows: Sequence[Mapping[str, object]],
    *,
    cities: Iterable[str] | None = None,
) -> ChartData:
    """Every reported actual growth rate side by side: metrics along x, one bar per city and period.

    Raises:
        ValueError: no growth rate for the cities.
    """
    cols = [parse_column(c) for c in columns[4:]]
    cols = [
        c for c in cols if c.kind == "growth" and c.scope == "reported" and c.status == "actual"
    ]
    values: dict[tuple[str, str], Decimal] = {}
    place_of: dict[str, str] = {}
    groups: list[str] = []
    for r in rows:
        if not _wanted(r, cities):
            continue
        for c in cols:
            if r[c.name] is None:
                continue
            group = column_labels(c)[0].removesuffix(" 增速(%)")
            name = f"{_place(r)} {period_label(r['period_start'], r['period_end'])}"
            place_of[name] = _place(r)
            values[(name, group)] = Decimal(r[c.name])
            groups.append(group)
    if not values:
        raise ValueError(f"no growth rate for {', '.join(cities or []) or 'any city'}")
    series = tuple(sorted(place_of, key=lambda s: (place_of[s], s)))
    return ChartData(
        title="同比增速 · year-on-year growth",
        ylabel="%",
        groups=tuple(dict.fromkeys(groups)),
        series=series,
        values=values,
        hatches=dict.fromkeys(series, ""),
        colors=_colors(series, place_of),
    )


def _number(v: Decimal) -> str:
    text = format(v.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def draw(data: ChartData) -> Figure:
    """A grouped bar chart of `data`, each bar labelled with its exact value, in a CJK font.

    Raises:
        MissingFontError: no installed font draws Chinese.
    """
    import matplotlib
    from matplotlib.figure import Figure

    family = cjk_font()
    n_groups, n_series = len(data.groups), max(len(data.series), 1)
    width = min(max(6.4, 1.0 + n_groups * (0.5 + 0.38 * n_series)), 16.0)
    with matplotlib.rc_context({**RC, "font.family": [family, "DejaVu Sans"]}):
        fig = Figure(figsize=(width, 4.2), layout="constrained")
        ax = fig.add_subplot()
        bar = 0.8 / n_series
        for i, name in enumerate(data.series):
            xs, hs = [], []
            for g, group in enumerate(data.groups):
                if (name, group) in data.values:
                    xs.append(g - 0.4 + bar * (i + 0.5))
                    hs.append(float(data.values[(name, group)]))
            bars = ax.bar(
                xs,
                hs,
                bar * 0.92,
                label=name,
                color=data.colors.get(name),
                hatch=data.hatches.get(name) or None,
                edgecolor="white" if not data.hatches.get(name) else "#333333",
                linewidth=0.6,
            )
            labels = [
                _number(data.values[(name, g)]) for g in data.groups if (name, g) in data.values
            ]
            ax.bar_label(bars, labels=labels, fontsize=8, padding=2)
        ax.set_xticks(range(n_groups), data.groups)
        ax.set_title(data.title, fontsize=12)
        ax.set_ylabel(data.ylabel)
        ax.axhline(0, color="#888888", linewidth=0.8)
        ax.spines[["top", "right"]].set_visible(False)
        ax.margins(y=0.15)
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def render(data: ChartData, fmt: str = "png") -> bytes:
    """The chart of `data` as PNG or SVG bytes (SVG glyphs as outlines, no timestamp).

    Raises:
        MissingFontError: no installed font draws Chinese.
        ValueError: a format other than png or svg.
    """
    import matplotlib

    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown chart format {fmt!r}: png or svg")
    fig = draw(data)
    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with matplotlib.rc_context({**RC, "font.family": [cjk_font(), "DejaVu Sans"]}):
        fig.savefig(buf, format=fmt, metadata=metadata, facecolor="white")
    return buf.getvalue()


def save(data: ChartData, path: Path) -> Path:
    """Write the chart to `path`, PNG or SVG by its suffix."""
    path.write_bytes(render(data, path.suffix.lower().lstrip(".")))
    return path
