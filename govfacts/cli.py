"""The `govfacts` command line: the only place that configures logging and prints.

Exit codes scripts can rely on: 0 every document ok, 1 some documents failed
(each recorded with a one-line error), 2 usage error.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
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


WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", "-w", min=1, help="Worker processes (default: the machine's cores)."),
]
EngineOpt = Annotated[
    str, typer.Option("--engine", help="local (worker processes) or dask (a Dask cluster).")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Dask scheduler tcp://HOST:PORT (default: a LocalCluster)."),
]
TABLE_ROWS = 50  # documents listed in `run`'s table; the store holds them all
CITY_PERIOD_ROWS = 200  # a larger city_period is left to `govfacts table`
LOG_EVERY = 10.0  # seconds between progress lines when stderr is not a terminal


def _archive_progress(console: Console, quiet: bool) -> Progress:
    """A bar with documents/s and, when the total is known, an ETA."""
    from rich.progress import TimeRemainingColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet or not console.is_terminal,
        transient=True,
    )


def _start_count(paths: list[Path], progress: Progress, task) -> None:
    """Count the documents in a background thread and give the bar its total (for the ETA)."""
    import threading

    from govfacts.pipeline.parallel import count_documents

    def count() -> None:
        with contextlib.suppress(Exception):  # a count is a nicety; the run does not need it
            total = count_documents(paths)
            if total is not None:
                progress.update(task, total=total)

    threading.Thread(target=count, daemon=True).start()


def _check_engine(engine: str, scheduler: str | None) -> None:
    if engine not in ("local", "dask"):
        raise typer.BadParameter("use local or dask", param_hint="--engine")
    if scheduler and engine != "dask":
        raise typer.BadParameter("--scheduler needs --engine dask", param_hint="--scheduler")
    if engine == "dask":
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            raise typer.BadParameter(
                "--engine dask needs dask.distributed: pip install 'dask[distributed]'",
                param_hint="--engine",
            ) from None


class _Reporter:
    """Progress for people: the bar on a terminal, a log line every LOG_EVERY s otherwise,
    each failure printed once."""

    def __init__(self, progress: Progress, task, *, rows: list | None = None) -> None:
        self.progress, self.task, self.rows = progress, task, rows
        self.t0 = time.perf_counter()
        self.logged = 0.0

    def __call__(self, summary, loaded) -> None:
        from govfacts.pipeline.parallel import RunSummary  # noqa: F401 (type of summary)

        for x in loaded:
            if x.error is not None:
                typer.echo(x.error.line(), err=True)
            if self.rows is not None and x.prepared is not None and len(self.rows) < TABLE_ROWS:
                self.rows.append((x.prepared, x.outcome))
        elapsed = time.perf_counter() - self.t0
        rate = summary.documents / elapsed if elapsed > 0 else 0.0
        self.progress.update(self.task, completed=summary.documents, rate=f"{rate:.1f} docs/s")
        if self.progress.disable and (not self.logged or elapsed - self.logged >= LOG_EVERY):
            self.logged = elapsed or 1e-9
            log.info(
                "%d documents (%d ok, %d failed, %d skipped), %.1f docs/s",
                summary.documents, summary.ok, summary.failed, summary.skipped, rate,
            )


def _summary_line(summary, what: str) -> str:
    """The closing line: documents ok, failed, skipped; mentions (and facts); time and rates."""
    secs = summary.seconds or 1e-9
    found = f"{summary.mentions} mentions" + (f", {summary.facts} facts" if what == "loaded" else "")
    return (
        f"{summary.ok} documents ok, {summary.failed} failed, {summary.skipped} skipped "
        f"(already {what}); {found}; {summary.seconds:.1f} s, "
        f"{(summary.ok + summary.failed) / secs:.1f} docs/s, {summary.bytes / 1e6 / secs:.2f} MB/s"
    )


@app.command()
def run(
    inputs: InputsArg = None,
    manifest: ManifestOpt = None,
    db: DbOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Reload documents whose text is already loaded.")] = False,
    workers: WorkersOpt = None,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="--engine dask: folder for the Parquet part files (kept; needed with --scheduler)."),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Run the pipeline over a corpus (default: the bundled one) into the store; print the city-period table.

    A run that was stopped (even killed) resumes when started again with the same
    arguments: documents already loaded with the same text are skipped.
    """
    from govfacts.pipeline.parallel import default_workers, run_into_store

    _setup_logging(quiet)
    _check_engine(engine, scheduler)
    if scheduler and out is None:
        raise typer.BadParameter(
            "with --scheduler, give --out DIR on a file system the workers share", param_hint="--out"
        )
    paths = _resolve_inputs(inputs)
    n_workers = workers or default_workers()
    store = _open_store(db)
    console = Console(stderr=False, quiet=quiet)
    rows: list = []
    with store, _archive_progress(Console(stderr=True, quiet=quiet), quiet) as progress:
        task = progress.add_task("documents", total=None, rate="")
        _start_count(paths, progress, task)
        report = _Reporter(progress, task, rows=rows)
        if engine == "dask":
            from govfacts.pipeline.dask_engine import dask_client, run_dask

            with dask_client(scheduler, workers=n_workers) as client:
                summary = run_dask(
                    paths, store, client, out_dir=out, manifest=manifest, force=force, on_progress=report
                )
        else:
            summary = run_into_store(
                paths, store, manifest=manifest, workers=n_workers, force=force, on_progress=report
            )
        if not quiet:
            table = Table(title="govfacts run: documents")
            for col in ("doc_id", "chars", "sentences", "script", "encoding", "published", "title", "load"):
                table.add_column(col, overflow="fold")
            for p, outcome in rows:
                d = p.document
                published = d["published"].isoformat() if d["published"] else "—"
                if d["published"] and d["published_inferred"]:
                    published += " (inferred)"
                table.add_row(
                    p.doc_id, str(d["n_chars"]), str(p.n_sentences), str(d["script"]),
                    d["encoding"] or "—", published, (d["title"] or "—")[:40], outcome,
                )
            if len(rows) >= TABLE_ROWS:
                table.caption = f"the first {TABLE_ROWS} documents processed; the store has them all"
            console.print(table)
            columns, cp_rows = store.columns("city_period"), store.rows("city_period")
            if len(cp_rows) <= CITY_PERIOD_ROWS:
                console.print(_city_period_table(columns, cp_rows))
            else:
                console.print(f"city_period: {len(cp_rows)} rows; see `govfacts table`")
            console.print(_summary_line(summary, "loaded"), markup=False, highlight=False)
            console.print(f"store: {store.location}", markup=False, highlight=False)
    raise typer.Exit(EXIT_SOME_FAILED if summary.failed else EXIT_OK)


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
    with _archive_progress(console, quiet) as progress:
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
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o",
            help="Output file (.jsonl, .csv, .parquet) or a folder for Parquet part files (resumable).",
        ),
    ] = Path("mentions.jsonl"),
    manifest: ManifestOpt = None,
    workers: WorkersOpt = None,
    engine: EngineOpt = "local",
    scheduler: SchedulerOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Extract every mention (the output contract's columns) into a file or a folder of part files."""
    from govfacts.pipeline.export import write_mentions
    from govfacts.pipeline.parallel import RunSummary, default_workers, extract_parts, process_many
    from govfacts.pipeline.read import iter_documents
    from govfacts.pipeline.records import DocError

    _setup_logging(quiet)
    _check_engine(engine, scheduler)
    suffix = out.suffix.lower()
    as_parts = out.is_dir() or not suffix
    if not as_parts and suffix not in (".jsonl", ".csv", ".parquet"):
        raise typer.BadParameter(
            "the output must end in .jsonl, .csv or .parquet, or be a folder", param_hint="--out"
        )
    if engine == "dask" and not as_parts:
        raise typer.BadParameter("--engine dask writes part files: give --out DIR", param_hint="--out")
    paths = _resolve_inputs(inputs)
    n_workers = workers or default_workers()
    console = Console(stderr=True, quiet=quiet)
    with _archive_progress(console, quiet) as progress:
        task = progress.add_task("documents", total=None, rate="")
        _start_count(paths, progress, task)
        report = _Reporter(progress, task)
        if engine == "dask":
            from govfacts.pipeline.dask_engine import dask_client, extract_dask

            with dask_client(scheduler, workers=n_workers) as client:
                summary = extract_dask(paths, out, client, manifest=manifest, on_progress=report)
        elif as_parts:
            summary = extract_parts(paths, out, manifest=manifest, workers=n_workers, on_progress=report)
        else:
            summary = RunSummary()
            t0 = time.perf_counter()

            def mentions():
                for raw in iter_documents(paths, manifest=manifest):
                    if not isinstance(raw, DocError):
                        summary.bytes += len(raw.text.encode("utf-8"))
                    yield raw

            def counted():
                from govfacts.pipeline.parallel import Loaded

                for item in process_many(mentions(), workers=n_workers):
                    if isinstance(item, DocError):
                        summary.count("failed", item)
                        report(summary, [Loaded(item.doc_id, "failed", None, item)])
                        continue
                    summary.count("written")
                    summary.mentions += len(item.mentions)
                    report(summary, ())
                    yield from item.mentions

            write_mentions(out, counted())
            summary.seconds = time.perf_counter() - t0
    console.print(_summary_line(summary, "written") + f" → {out}", markup=False, highlight=False)
    raise typer.Exit(EXIT_SOME_FAILED if summary.failed else EXIT_OK)


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
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet, xlsx, or spacy (a DocBin of the mentions).")],
    db: DbOpt = None,
) -> None:
    """Write every table of the store to files: csv or parquet (one per table), xlsx (one sheet
    per table), or spacy: `govfacts.spacy`, a DocBin with each document's mentions as
    `doc.spans["govfacts"]`, ready to train a spaCy span categorizer."""
    from govfacts.pipeline.store import export_tables

    if fmt not in ("csv", "parquet", "xlsx", "spacy"):
        raise typer.BadParameter("use csv, parquet, xlsx or spacy", param_hint="--format")
    if to.exists() and not to.is_dir():
        raise typer.BadParameter(f"{to} is not a folder", param_hint="--to")
    with _open_store(db, must_exist=True) as store:
        if fmt == "spacy":
            from govfacts.pipeline.spacy_doc import items_from_store, write_docbin

            to.mkdir(parents=True, exist_ok=True)
            n = write_docbin(to / "govfacts.spacy", items_from_store(store))
            written = [to / "govfacts.spacy"]
            typer.echo(f"{n} documents", err=True)
        else:
            written = export_tables(store, to, fmt)
    for path in written:
        typer.echo(str(path))


def _register_show_commands() -> None:
    """`report` and `plot` live in `govfacts.show_cli` (the show stage's command line)."""
    from govfacts.show_cli import plot, report

    app.command()(report)
    app.command()(plot)


_register_show_commands()


def main() -> None:
    """Entry point of the `govfacts` console script (click exits 2 on usage errors)."""
    app(prog_name="govfacts")
