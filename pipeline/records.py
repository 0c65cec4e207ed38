"""The record types that flow between stages: one frozen dataclass per concept."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Literal

from govfacts.pipeline.aligned import AlignedText

__all__ = [
    "Kind",
    "Qualifier",
    "Role",
    "Status",
    "Script",
    "RawDocument",
    "Sentence",
    "Document",
    "Mention",
    "Project",
    "Stage",
    "ProjectStage",
    "DocError",
    "MENTION_FIELDS",
]

Kind = Literal["amount", "count", "growth", "share", "date", "project"]
Qualifier = Literal["eq", "approx", "ge", "le"]
Role = Literal["fact", "threshold", "label"]
Status = Literal["actual", "target", "plan"]
Script = Literal["simplified", "traditional"]
Stage = Literal["read", "normalize", "segment", "extract", "resolve", "load"]
ProjectStage = Literal[
    "negotiating", "signed", "started", "under_construction", "completed", "in_production", "planned"
]


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A document as read from the archive: decoded text plus what the source said of it."""

    doc_id: str
    text: str
    source: str  # file path or URL the text came from
    encoding: str | None = None  # detected encoding of a text/HTML file; None for table rows
    title: str | None = None
    url: str | None = None
    published: date | None = None
    city: str | None = None
    source_org: str | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the normalized text: `text[char_start:char_end]`."""

    char_start: int
    char_end: int
    paragraph: int  # 0-based paragraph id


@dataclass(frozen=True, slots=True)
class Document:
    """A normalized document: the input of every extractor."""

    doc_id: str
    raw: RawDocument
    aligned: AlignedText  # normalized text with its offset map back to raw.text
    sentences: tuple[Sentence, ...]
    script: Script
    title: str | None
    published: date | None
    published_inferred: bool
    source_org: str | None
    repairs: tuple[tuple[str, int], ...] = field(default=())  # (repair name, edits made)

    @property
    def text(self) -> str:
        """The normalized text."""
        return self.aligned.text


@dataclass(frozen=True, slots=True)
class Mention:
    """One extracted quantity, date or project: the output contract (never rename a field)."""

    doc_id: str
    kind: Kind
    text: str
    value: Decimal | None
    unit: str | None
    qualifier: Qualifier = "eq"
    role: Role = "fact"
    status: Status = "actual"
    subject: str | None = None
    metric: str | None = None
    city: str | None = None
    area: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    published: date | None = None
    speaker: str | None = None
    sentence: str | None = None
    char_start: int = 0
    char_end: int = 0
    orig_start: int = 0
    orig_end: int = 0
    source_region: str | None = None  # where investment comes from (来自沪苏浙), never where it happened
    speaker_title: str | None = None  # the speaker's organisation and post (市投资促进中心党组书记、主任)


MENTION_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Mention))


@dataclass(frozen=True, slots=True)
class Project:
    """A named project of a document: one register entry however often it is named."""

    doc_id: str
    name: str
    investment: Decimal | None  # CNY, exact; None when not given in 元
    investment_qualifier: Qualifier | None
    stage: ProjectStage | None
    stage_date: date | None
    city: str | None
    area: str | None
    sentence: str | None
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class DocError:
    """A document that could not be processed, and why: one line in the errors table."""

    doc_id: str
    stage: Stage
    reason: str
    source: str | None = None

    def line(self) -> str:
        """The one-line message printed for this error."""
        return f"{self.doc_id}: {self.stage} failed: {self.reason}"
