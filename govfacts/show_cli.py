"""The `report` and `plot` commands: Typer-annotated functions that `govfacts.cli` registers.

Registered in `govfacts/cli.py` with one line each::

    app.command()(report)
    app.command()(plot)

Exit codes as elsewhere: 0 written, 1 could not draw (no CJK font), 2 usage error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["report", "plot"]

EXIT_FAILED = 1  # could not draw

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Store: a DuckDB file (default govfacts.duckdb) or a postgresql:// URL."
    ),
]


def _open_existing(db: str | None):
    """The store `--db` names, which must exist already; a bad value is a usage error (exit 2)."""
    from govfacts.pipeline.store import StoreError, open_store, parse_db

    try:
        url = parse_db(db)
        path = url.removeprefix("duckdb:///")
        if url.startswith("duckdb:///") and not Path(path).exists():
            raise StoreError(f"no store at {path}: run `govfacts run` first")
        return open_store(db)
    except StoreError as exc:
        raise typer.BadParameter(str(exc), param_hint="--db") from None


def report(
    db: DbOpt = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The HTML file to write (one file, opens offline).")
    ] = Path("report.html"),
    charts: Annotated[
        bool, typer.Option("--charts/--no-charts", help="Draw the comparison charts (matplotlib).")
    ] = True,
) -> None:
    """Write a self-contained HTML review report: table with evidence, charts, documents."""
    from govfacts.pipeline.plot import MissingFontError, cjk_font
    from govfacts.pipeline.report import write_report

    if out.suffix.lower() not in (".html", ".htm"):
        raise typer.BadParameter("the report must end in .html", param_hint="--out")
    if not out.absolute().parent.is_dir():
        raise typer.BadParameter(
            f"folder {out.absolute().parent} does not exist", param_hint="--out"
        )
    if charts:
        try:
            cjk_font()
        except MissingFontError as exc:
            typer.echo(f"warning: charts left out: {exc}", err=True)
            charts = False
    with _open_existing(db) as store:
        write_report(
            store, out, charts=charts, generated_at=datetime.now(UTC).replace(microsecond=0)
        )
    typer.echo(str(out))


def plot(
    metric: Annotated[
        str,
        typer.Option("--metric", help="Metric id, e.g. projects_signed (lexicons/metrics.tsv)."),
    ],
    cities: Annotated[
        str | None,
        typer.Option("--cities", help="Comma-separated cities, e.g. 淮北市,淮南市 (default: all)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The chart file: .png or .svg.")] = Path(
        "chart.png"
    ),
    db: DbOpt = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind", help="count, amount, growth or share (default: the metric's count or amount)."
        ),
    ] = None,
) -> None:
    """Draw one metric by period, cities side by side (targets hatched), to a PNG or SVG file."""
    from govfacts.pipeline.plot import MissingFontError, metric_chart_data, save

    if out.suffix.lower() not in (".png", ".svg"):
        raise typer.BadParameter("the chart must end in .png or .svg", param_hint="--out")
    if kind not in (None, "count", "amount", "growth", "share"):
        raise typer.BadParameter("use count, amount, growth or share", param_hint="--kind")
    wanted = [c.strip() for c in (cities or "").replace("，", ",").split(",") if c.strip()]
    with _open_existing(db) as store:
        columns, rows = store.columns("city_period"), store.rows("city_period")
    try:
        data = metric_chart_data(columns, rows, metric, kind=kind, cities=wanted)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--metric/--cities") from None
    try:
        save(data, out)
    except MissingFontError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    typer.echo(str(out))
