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


@app.command()
def run(
    inputs: InputsArg = None,
    manifest: ManifestOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Run the pipeline over a corpus (default: the bundled one) and summarise each document."""
    from govfacts.pipeline.records import DocError
    from govfacts.pipeline.stages import run as run_pipeline

    _setup_logging(quiet)
    paths = _resolve_inputs(inputs)
    console = Console(stderr=False, quiet=quiet)
    errors: list[DocError] = []
    table = Table(title="govfacts run: documents")
    for col in ("doc_id", "chars", "sentences", "script", "encoding", "published", "title"):
        table.add_column(col, overflow="fold")
    n_ok = 0
    with _progress(console, quiet) as progress:
        task = progress.add_task("documents", total=None, rate="")
        for item in run_pipeline(paths, manifest=manifest):
            progress.advance(task)
            if isinstance(item, DocError):
                errors.append(item)
                typer.echo(item.line(), err=True)
                continue
            n_ok += 1
            d = item.document
            published = d.published.isoformat() if d.published else "—"
            if d.published and d.published_inferred:
                published += " (inferred)"
            table.add_row(
                d.doc_id, str(len(d.text)), str(len(d.sentences)), d.script,
                d.raw.encoding or "—", published, (d.title or "—")[:40],
            )
    if not quiet:
        console.print(table)
        console.print(f"{n_ok} documents ok, {len(errors)} failed")
    raise typer.Exit(EXIT_SOME_FAILED if errors else EXIT_OK)


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


def main() -> None:
    """Entry point of the `govfacts` console script (click exits 2 on usage errors)."""
    app(prog_name="govfacts")
