"""The `govfacts` command line: the only place that configures logging and prints.

Exit codes scripts can rely on: 0 every document ok, 1 some documents failed
(each recorded with a one-line error), 2 usage error.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from govfacts import __version__

__all__ = ["app", "main"]

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    name="govfacts",
    help="Turn Chinese government news into a verifiable city-by-period fact table.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
log = logging.getLogger("govfacts")

InputsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Files or directories (.txt .html .jsonl .csv .parquet); default: the bundled corpus."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no tables; errors only.")]
ManifestOpt = Annotated[
    Path | None, typer.Option("--manifest", help="CSV of doc_id,file,title,source,published,city.")
]


def _setup_logging(quiet: bool) -> None:
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"govfacts {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """govfacts: normalize, extract, resolve and load facts from Chinese government news."""


def _resolve_inputs(inputs: list[Path] | None) -> list[Path]:
    from govfacts.pipeline.read import bundled_corpus

    if not inputs:
        return [bundled_corpus()]
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise typer.BadParameter(f"no such file or directory: {', '.join(missing)}", param_hint="INPUT")
    return inputs


def _progress(console: Console, quiet: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=True,
    )


@app.command()
def normalize(
    file: Annotated[Path, typer.Argument(help="A .txt or .html file (any encoding).", exists=True)],
    offsets: Annotated[bool, typer.Option("--offsets", help="Print each sentence with its span in the original.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Print the normalized text of one document."""
    from govfacts.pipeline.normalize import normalize as normalize_doc
    from govfacts.pipeline.read import iter_documents
    from govfacts.pipeline.records import DocError

    _setup_logging(quiet)
    for item in iter_documents([file]):
        if isinstance(item, DocError):
            typer.echo(item.line(), err=True)
            raise typer.Exit(EXIT_SOME_FAILED)
        doc = normalize_doc(item)
        if not offsets:
            typer.echo(doc.text)
            continue
        for s in doc.sentences:
            a, b = doc.aligned.orig_span(s.char_start, s.char_end)
            typer.echo(f"[p{s.paragraph} {s.char_start}:{s.char_end} ← {a}:{b}] {doc.text[s.char_start:s.char_end]}")


DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Store: a DuckDB file (default govfacts.duckdb) or a postgresql:// URL."),
]


def _open_store(db: str | None, *, must_exist: bool = False):
    """The store `--db` names; a bad value is a usage error (exit 2) saying why."""
    from govfacts.pipeline.store import StoreError, open_store, parse_db

    try:
        url = parse_db(db)
        if must_exist and url.startswith("duckdb:///") and not Path(url.removeprefix("duckdb:///")).exists():
            raise StoreError(f"no store at {url.removeprefix('duckdb:///')}: run `govfacts run` first")
        return open_store(db)
    except StoreError as exc:
        raise typer.BadParameter(str(exc), param_hint="--db") from None


@app.command()
def run(
    inputs: InputsArg = None,
    manifest: ManifestOpt = None,
    db: DbOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Reload documents whose text is already loaded.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Run the pipeline over a corpus (default: the bundled one) into the store; print the city-period table."""
    from govfacts.pipeline.records import DocError
    from govfacts.pipeline.stages import run as run_pipeline

    _setup_logging(quiet)
    paths = _resolve_inputs(inputs)
    store = _open_store(db)
    console = Console(stderr=False, quiet=quiet)
    errors: list[DocError] = []
    table = Table(title="govfacts run: documents")
    for col in ("doc_id", "chars", "sentences", "script", "encoding", "published", "title", "load"):
        table.add_column(col, overflow="fold")
    n_ok = 0
    outcomes: dict[str, int] = {}
    with store, _progress(console, quiet) as progress:
        task = progress.add_task("documents", total=None, rate="")
        for item in run_pipeline(paths, manifest=manifest):
            progress.advance(task)
            outcome, err = store.load_item(item, force=force)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if err is not None:
                errors.append(err)
                typer.echo(err.line(), err=True)
                continue
            n_ok += 1
            d = item.document
            published = d.published.isoformat() if d.published else "—"
            if d.published and d.published_inferred:
                published += " (inferred)"
            table.add_row(
                d.doc_id, str(len(d.text)), str(len(d.sentences)), d.script,
                d.raw.encoding or "—", published, (d.title or "—")[:40], outcome,
            )
        facts = store.build_facts()
        if not quiet:
            console.print(table)
            console.print(_city_period_table(store.columns("city_period"), store.rows("city_period")))
            console.print(f"{n_ok} documents ok, {len(errors)} failed; "
                          + ", ".join(f"{v} {k}" for k, v in sorted(outcomes.items())))
            console.print(f"{len(facts)} facts; store: {store.location}", markup=False, highlight=False)
    raise typer.Exit(EXIT_SOME_FAILED if errors else EXIT_OK)


def _fmt(v: object) -> str:
    """A cell for people: exact decimals without trailing zeros, ISO dates, — for none."""
    from decimal import Decimal

    if v is None:
        return "—"
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def _period(row: dict) -> str:
    """A period for reading: 2022, 2022-01..10, 2022-08, or the two dates."""
    from datetime import timedelta

    a, b = row["period_start"], row["period_end"]
    if a is None or b is None:
        return f"{_fmt(a)}..{_fmt(b)}"
    whole_months = a.day == 1 and (b + timedelta(days=1)).day == 1 and a.year == b.year
    if whole_months and (a.month, b.month) == (1, 12):
        return str(a.year)
    if whole_months:
        return f"{a:%Y-%m}" if a.month == b.month else f"{a:%Y-%m}..{b:%m}"
    return f"{a.isoformat()}..{b.isoformat()}"


def _city_period_table(columns: list[str], rows: list[dict]) -> Table:
    """city_period for a terminal: one line per city, area, period and metric; statuses side by side."""
    from govfacts.pipeline.facts import column_labels, parse_column

    metric_cols = [parse_column(c) for c in columns[4:]]
    statuses = list(dict.fromkeys((c.status, c.scope) for c in metric_cols))
    statuses.sort(key=lambda s: (s[1] != "reported", ("actual", "target", "plan").index(s[0])))
    table = Table(title="city_period: 城市 × 期间 / city × period")
    table.add_column("城市\ncity", no_wrap=True)
    table.add_column("区县\narea", overflow="fold")
    table.add_column("期间\nperiod", no_wrap=True)
    table.add_column("指标\nmetric", overflow="fold", min_width=12)
    from govfacts.pipeline.facts import status_labels

    by_status = {}
    for c in metric_cols:
        by_status.setdefault((c.status, c.scope), {})[(c.metric, c.kind, c.currency)] = c
    for st in statuses:
        zh, en = status_labels(next(c for c in metric_cols if (c.status, c.scope) == st))
        table.add_column(f"{zh}\n{en}", justify="right", no_wrap=True)
    groups = list(dict.fromkeys((c.metric, c.kind, c.currency) for c in metric_cols))
    for row in rows:
        for g in groups:
            cells = [row.get(by_status[st][g].name) if g in by_status[st] else None for st in statuses]
            if all(v is None for v in cells):
                continue
            zh, en = column_labels(by_status[next(st for st in statuses if g in by_status[st])][g])
            table.add_row(row["city"] or "—", row["area"] or "—", _period(row), f"{zh}\n{en}", *map(_fmt, cells))
    return table


def _collect(paths: list[Path], manifest: Path | None, quiet: bool, console: Console):
    """Run the pipeline; return the processed documents and the errors (each printed once)."""
    from govfacts.pipeline.records import DocError
    from govfacts.pipeline.stages import run as run_pipeline

    processed, errors = [], []
    with _progress(console, quiet) as progress:
        task = progress.add_task("documents", total=None, rate="")
        for item in run_pipeline(paths, manifest=manifest):
            progress.advance(task)
            if isinstance(item, DocError):
                errors.append(item)
                typer.echo(item.line(), err=True)
            else:
                processed.append(item)
    return processed, errors


@app.command()
def extract(
    inputs: InputsArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file: .jsonl, .csv or .parquet.")] = Path("mentions.jsonl"),
    manifest: ManifestOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Extract every mention (the output contract's columns) into a file."""
    from govfacts.pipeline.export import write_mentions

    _setup_logging(quiet)
    if out.suffix.lower() not in (".jsonl", ".csv", ".parquet"):
        raise typer.BadParameter("the output must end in .jsonl, .csv or .parquet", param_hint="--out")
    console = Console(stderr=True, quiet=quiet)
    processed, errors = _collect(_resolve_inputs(inputs), manifest, quiet, console)
    n = write_mentions(out, (m for p in processed for m in p.mentions))
    console.print(f"{n} mentions from {len(processed)} documents → {out} ({len(errors)} documents failed)")
    raise typer.Exit(EXIT_SOME_FAILED if errors else EXIT_OK)


@app.command()
def evaluate(
    gold: Annotated[Path, typer.Argument(help="Gold mentions, one JSON object per line.", exists=True)],
    inputs: InputsArg = None,
    manifest: ManifestOpt = None,
    show: Annotated[int, typer.Option("--show", help="Print up to N misses, extras and wrong attributes.")] = 0,
    quiet: QuietOpt = False,
) -> None:
    """Score the extractors against a gold file: P/R/F1 per kind, attribute accuracy."""
    from govfacts.evaluate import evaluate as score_gold
    from govfacts.evaluate import load_gold, mention_row

    _setup_logging(quiet)
    console = Console(stderr=False)
    processed, errors = _collect(_resolve_inputs(inputs), manifest, quiet, Console(stderr=True, quiet=quiet))
    predicted = [mention_row(m) for p in processed for m in p.mentions]
    score = score_gold(load_gold(gold), predicted)
    table = Table(title=f"govfacts evaluate: {gold.name} ({score.matched} matched)")
    for col in ("kind", "precision", "recall", "F1", "gold"):
        table.add_column(col, justify="right" if col != "kind" else "left")
    for kind, v in score.per_kind.items():
        table.add_row(kind, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", str(v["support"]))
    console.print(table)
    acc = Table(title="accuracy on matched mentions")
    acc.add_column("attribute")
    acc.add_column("accuracy", justify="right")
    for attr, v in score.accuracy.items():
        acc.add_row(attr, f"{v:.3f}")
    console.print(acc)
    if show:
        for label, rows in (("miss", score.misses), ("extra", score.extras)):
            for r in rows[:show]:
                console.print(f"{label}: {r['doc_id']} {r['kind']} {r['text']!r} {r.get('subject')}", markup=False, highlight=False)
        for attr, pairs in score.wrong.items():
            for g, q in pairs[:show]:
                console.print(
                    f"wrong {attr}: {g['doc_id']} {g['kind']} {g['text']!r} gold={_show(g, attr)} got={_show(q, attr)}",
                    markup=False, highlight=False,
                )
    raise typer.Exit(EXIT_SOME_FAILED if errors else EXIT_OK)


def _show(row: dict, attr: str) -> str:
    if attr == "period":
        return f"{row.get('period_start')}..{row.get('period_end')}"
    return str(row.get(attr))


@app.command("table")
def table_cmd(
    db: DbOpt = None,
    metric: Annotated[list[str] | None, typer.Option("--metric", help="Metric id (repeatable).")] = None,
    city: Annotated[list[str] | None, typer.Option("--city", help="City (repeatable).")] = None,
    status: Annotated[str | None, typer.Option("--status", help="actual, target or plan.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, csv, json or markdown.")] = "text",
) -> None:
    """Print the city-by-period table from the store, filtered."""
    from govfacts.pipeline.facts import parse_column

    if fmt not in ("text", "csv", "json", "markdown"):
        raise typer.BadParameter("use text, csv, json or markdown", param_hint="--format")
    if status not in (None, "actual", "target", "plan"):
        raise typer.BadParameter("use actual, target or plan", param_hint="--status")
    with _open_store(db, must_exist=True) as store:
        columns, rows = store.columns("city_period"), store.rows("city_period")
    keys = columns[:4]
    kept = [
        c for c in columns[4:]
        if (not metric or parse_column(c).metric in metric) and (status is None or parse_column(c).status == status)
    ]
    rows = [
        {k: r[k] for k in keys + kept} for r in rows
        if (not city or r["city"] in city) and any(r[c] is not None for c in kept)
    ]
    if fmt == "text":
        Console().print(_city_period_table(keys + kept, rows))
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(keys + kept)
        writer.writerows([["" if r[c] is None else _fmt(r[c]) for c in keys + kept] for r in rows])
    elif fmt == "json":
        import json

        typer.echo(json.dumps([{c: _json_value(r[c]) for c in keys + kept} for r in rows], ensure_ascii=False, indent=1))
    else:
        typer.echo("| " + " | ".join(keys + kept) + " |")
        typer.echo("|" + "---|" * len(keys + kept))
        for r in rows:
            typer.echo("| " + " | ".join("" if r[c] is None else _fmt(r[c]) for c in keys + kept) + " |")


def _json_value(v: object) -> object:
    """Decimals as JSON numbers when a float prints the same digits, else as exact strings."""
    from decimal import Decimal

    if isinstance(v, Decimal):
        text = format(v.normalize(), "f")
        if v == v.to_integral_value():
            return int(v)
        return float(text) if repr(float(text)) == text else text
    return v.isoformat() if hasattr(v, "isoformat") else v


@app.command()
def export(
    to: Annotated[Path, typer.Option("--to", help="Folder to write into (created if needed).")],
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet or xlsx.")],
    db: DbOpt = None,
) -> None:
    """Write every table of the store to files: csv or parquet (one per table) or xlsx (one sheet per table)."""
    from govfacts.pipeline.store import export_tables

    if fmt not in ("csv", "parquet", "xlsx"):
        raise typer.BadParameter("use csv, parquet or xlsx", param_hint="--format")
    if to.exists() and not to.is_dir():
        raise typer.BadParameter(f"{to} is not a folder", param_hint="--to")
    with _open_store(db, must_exist=True) as store:
        written = export_tables(store, to, fmt)
    for path in written:
        typer.echo(str(path))


def main() -> None:
    """Entry point of the `govfacts` console script (click exits 2 on usage errors)."""
    app(prog_name="govfacts")
