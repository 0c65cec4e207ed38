"""Charts: chart data from city_period rows, the CJK font, rendered PNG/SVG, `plot` command."""

from __future__ import annotations

import io
import os
from datetime import date
from decimal import Decimal as D

import pytest
from govfacts.pipeline import plot
from govfacts.pipeline.plot import (
    MissingFontError,
    growth_chart_data,
    metric_chart_data,
    period_label,
    render,
)

# A hand-made city_period: two cities, three periods, a target, a growth column, a USD amount.
COLUMNS = [
    "city",
    "area",
    "period_start",
    "period_end",
    "actual__projects_signed",
    "actual__projects_signed__growth",
    "actual__investment_signed__yi_cny",
    "actual__foreign_investment__yi_usd",
    "target__projects_signed",
    "derived_actual__projects_signed",
]


def _row(city, area, start, end, **values):
    row = dict.fromkeys(COLUMNS)
    row.update(city=city, area=area, period_start=start, period_end=end)
    row.update(values)
    return row


ROWS = [
    _row(
        "宿州市",
        None,
        date(2023, 1, 1),
        date(2023, 6, 30),
        actual__projects_signed=D(64),
        actual__projects_signed__growth=D("18.5"),
    ),
    _row("宿州市", None, date(2023, 1, 1), date(2023, 12, 31), target__projects_signed=D(150)),
    _row(
        "蚌埠市",
        None,
        date(2023, 1, 1),
        date(2023, 6, 30),
        actual__projects_signed=D(71),
        actual__investment_signed__yi_cny=D("212.4"),
        actual__projects_signed__growth=D("-3.2"),
    ),
    _row(
        "蚌埠市",
        "高新区",
        date(2023, 1, 1),
        date(2023, 3, 31),
        actual__projects_signed=D(20),
        derived_actual__projects_signed=D(9),
    ),
    _row(
        "阜阳市",
        None,
        date(2022, 1, 1),
        date(2022, 12, 31),
        actual__foreign_investment__yi_usd=D("1.5"),
    ),
]


@pytest.fixture(scope="module")
def cjk() -> str:
    """The CJK font family; skip without one, but fail on CI, where fonts-noto-cjk is installed."""
    try:
        return plot.cjk_font()
    except MissingFontError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2023, 1, 1), date(2023, 12, 31), "2023年"),
        (date(2023, 1, 1), date(2023, 6, 30), "2023年1-6月"),
        (date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
        (date(2023, 4, 1), date(2023, 9, 30), "2023年4-9月"),
        (date(2023, 5, 8), date(2023, 5, 12), "2023-05-08至05-12"),
        (date(2022, 12, 1), date(2023, 1, 31), "2022-12-01至2023-01-31"),  # months across years
        (date(2023, 7, 15), date(2023, 7, 15), "2023-07-15"),
        (date(2023, 1, 1), date(2023, 6, 29), "2023-01-01至06-29"),  # not a month end
    ],
    ids=[
        "year",
        "months",
        "leap-feb",
        "mid-year",
        "days",
        "across-years",
        "one-day",
        "no-month-end",
    ],
)
def test_period_label(start, end, expected):
    assert period_label(start, end) == expected


def test_metric_chart_data_counts_with_target_hatched():
    data = metric_chart_data(COLUMNS, ROWS, "projects_signed")
    assert data.title == "签约项目 · signed projects"
    assert data.groups == ("2023年1-3月", "2023年1-6月", "2023年")
    assert data.series == ("宿州市 实际", "宿州市 目标", "蚌埠市 实际", "蚌埠市·高新区 实际")
    assert dict(data.values) == {
        ("宿州市 实际", "2023年1-6月"): D(64),
        ("宿州市 目标", "2023年"): D(150),
        ("蚌埠市 实际", "2023年1-6月"): D(71),
        ("蚌埠市·高新区 实际", "2023年1-3月"): D(20),  # derived increments (9) left out
    }
    assert data.hatches["宿州市 目标"] == "//" and data.hatches["宿州市 实际"] == ""
    assert data.colors["宿州市 实际"] == data.colors["宿州市 目标"] != data.colors["蚌埠市 实际"]


def test_metric_chart_data_filters_cities_and_statuses():
    data = metric_chart_data(
        COLUMNS, ROWS, "projects_signed", cities=["宿州市"], statuses=("actual",)
    )
    assert data.series == ("宿州市",) and dict(data.values) == {("宿州市", "2023年1-6月"): D(64)}


@pytest.mark.parametrize(
    "metric, kind, expected",
    [
        ("investment_signed", None, ("亿元", {("蚌埠市", "2023年1-6月"): D("212.4")})),
        ("foreign_investment", None, ("亿美元", {("阜阳市", "2022年"): D("1.5")})),
        (
            "projects_signed",
            "growth",
            ("%", {("宿州市", "2023年1-6月"): D("18.5"), ("蚌埠市", "2023年1-6月"): D("-3.2")}),
        ),
    ],
    ids=["amount-cny", "amount-usd", "growth-kind"],
)
def test_metric_chart_data_units(metric, kind, expected):
    data = metric_chart_data(COLUMNS, ROWS, metric, kind=kind)
    assert (data.ylabel, dict(data.values)) == expected


@pytest.mark.parametrize(
    "metric, cities, message",
    [
        ("projects_started", None, "metrics present: foreign_investment, investment_signed"),
        ("projects_signed", ["淮北市"], "no value of 'projects_signed' for 淮北市"),
        ("investment_signed", ["阜阳市"], "no value of 'investment_signed' for 阜阳市"),
    ],
    ids=["unknown-metric", "city-without-values", "metric-not-in-city"],
)
def test_metric_chart_data_says_what_is_missing(metric, cities, message):
    with pytest.raises(ValueError, match=message):
        metric_chart_data(COLUMNS, ROWS, metric, cities=cities)


def test_growth_chart_data_puts_rates_side_by_side():
    data = growth_chart_data(COLUMNS, ROWS)
    assert data.groups == ("签约项目",)
    assert dict(data.values) == {
        ("宿州市 2023年1-6月", "签约项目"): D("18.5"),
        ("蚌埠市 2023年1-6月", "签约项目"): D("-3.2"),
    }
    with pytest.raises(ValueError, match="no growth rate"):
        growth_chart_data(COLUMNS, ROWS, cities=["阜阳市"])


# --- fonts and rendering ---------------------------------------------------------------------


def test_cjk_font_draws_chinese(cjk):
    import matplotlib.font_manager as fm

    assert cjk in plot.CJK_FAMILIES
    path = fm.findfont(fm.FontProperties(family=cjk), fallback_to_default=False)
    assert plot._has_glyphs(path, "签约项目淮北市亿元")


def test_unknown_fonts_raise_naming_the_package():
    with pytest.raises(MissingFontError, match="apt-get install fonts-noto-cjk"):
        plot.cjk_font(("No Such Font Family",))


def test_without_a_cjk_font_nothing_is_drawn(monkeypatch):
    def no_font(*_a, **_k):
        raise MissingFontError(plot.INSTALL_HINT)

    monkeypatch.setattr(plot, "cjk_font", no_font)
    with pytest.raises(MissingFontError, match="fonts-noto-cjk"):
        render(metric_chart_data(COLUMNS, ROWS, "projects_signed"))


def test_every_label_is_set_in_the_cjk_font(cjk):
    import matplotlib.font_manager as fm

    fig = plot.draw(metric_chart_data(COLUMNS, ROWS, "projects_signed"))
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_fontproperties")) if t.get_text()]
    chinese = [t for t in texts if any("\u4e00" <= c <= "\u9fff" for c in t.get_text())]
    assert len(chinese) >= 6  # title, tick labels, legend entries
    for t in chinese:
        path = fm.findfont(t.get_fontproperties(), fallback_to_default=False)
        assert plot._has_glyphs(path, t.get_text().replace(" ", "").replace("·", "")), t.get_text()


def test_rendered_png_has_its_size_and_is_not_blank(cjk):
    import numpy as np
    from PIL import Image

    data = metric_chart_data(COLUMNS, ROWS, "projects_signed")
    image = Image.open(io.BytesIO(render(data, "png")))
    assert image.format == "PNG"
    width, height = image.size
    assert 640 <= width <= 1600 and height == 420  # 4.2 in at 100 dpi; width grows with bars
    pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.std() > 20  # not one flat colour
    assert (pixels < 128).mean() > 0.02  # bars and text cover a share of the picture


def test_svg_is_text_free_and_the_same_every_time(cjk):
    data = metric_chart_data(COLUMNS, ROWS, "projects_signed")
    svg = render(data, "svg")
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert b"<text" not in svg  # glyphs drawn as outlines: no font needed to view it
    assert render(data, "svg") == svg


def test_render_rejects_other_formats(cjk):
    with pytest.raises(ValueError, match="png or svg"):
        render(metric_chart_data(COLUMNS, ROWS, "projects_signed"), "jpg")


# --- the `plot` and `report` commands ----------------------------------------------------------


@pytest.fixture(scope="module")
def app():
    import typer

    from govfacts.show_cli import plot as plot_cmd
    from govfacts.show_cli import report as report_cmd

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command("plot")(plot_cmd)
    app.command("report")(report_cmd)
    return app


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory, corpus_items) -> str:
    from govfacts.pipeline.store import open_store

    path = tmp_path_factory.mktemp("plot") / "corpus.duckdb"
    with open_store(path) as store:
        store.load_all(corpus_items)
        store.build_facts()
    return str(path)


def test_plot_command_writes_a_png(app, corpus_db, tmp_path, cjk):
    from PIL import Image
    from typer.testing import CliRunner

    out = tmp_path / "chart.png"
    args = [
        "plot",
        "--metric",
        "projects_signed",
        "--cities",
        "淮北市,淮南市",
        "-o",
        str(out),
        "--db",
        corpus_db,
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert Image.open(out).size[1] == 420


@pytest.mark.parametrize(
    "args, message",
    [
        (["--metric", "projects_signed", "-o", "chart.jpg"], "must end in .png or .svg"),
        (["--metric", "no_such_metric", "-o", "chart.png"], "metrics present"),
        (["--metric", "projects_signed", "--cities", "黄山市", "-o", "chart.png"], "no value"),
        (["--metric", "projects_signed", "--kind", "ratio", "-o", "chart.png"], "count, amount"),
    ],
    ids=["suffix", "metric", "city", "kind"],
)
def test_plot_command_usage_errors(app, corpus_db, tmp_path, args, message):
    from typer.testing import CliRunner

    args = [a if a not in ("chart.jpg", "chart.png") else str(tmp_path / a) for a in args]
    result = CliRunner().invoke(app, ["plot", *args, "--db", corpus_db])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split()).replace("│", "")


def test_report_command_writes_one_html_file(app, corpus_db, tmp_path):
    from typer.testing import CliRunner

    out = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["report", "--db", corpus_db, "-o", str(out), "--no-charts"])
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == [out]
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    missing = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "govfacts run" in missing.output
