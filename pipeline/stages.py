"""The stage order, written once: read → normalize → segment → extract → resolve → load.

`process` takes one raw document through the per-document stages and turns any
failure into a `DocError` naming the stage, so one bad document never stops a
batch. `run` streams a corpus through `process`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from govfacts.extractors import extract
from govfacts.extractors.projects import project_register
from govfacts.pipeline.normalize import normalize
from govfacts.pipeline.read import iter_documents
from govfacts.pipeline.records import DocError, Document, Mention, Project, RawDocument
from govfacts.pipeline.resolve import resolve

__all__ = ["STAGES", "Processed", "process", "run"]

STAGES = ("read", "normalize", "segment", "extract", "resolve", "load")


@dataclass(frozen=True, slots=True)
class Processed:
    """A document that went through every per-document stage, with what was found in it."""

    document: Document
    mentions: tuple[Mention, ...] = ()
    projects: tuple[Project, ...] = ()


def process(raw: RawDocument) -> Processed | DocError:
    """Normalize, extract and resolve one document; a failure becomes a `DocError`."""
    stage = "normalize"
    try:
        document = normalize(raw)
        stage = "extract"
        mentions = extract(document)
        stage = "resolve"
        resolved = resolve(document, mentions)
        return Processed(document, tuple(resolved), tuple(project_register(document, resolved)))
    except Exception as exc:  # the edge: any bug or bad input is recorded, not raised
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        return DocError(raw.doc_id, stage, reason, raw.source)  # type: ignore[arg-type]


def run(inputs: Iterable[Path | str], *, manifest: Path | None = None) -> Iterator[Processed | DocError]:
    """Stream every document of `inputs` through `process`, in input order."""
    for item in iter_documents(list(inputs), manifest=manifest):
        yield item if isinstance(item, DocError) else process(item)
