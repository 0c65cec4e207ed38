"""Load the language data in this folder: TSV tables with a commented header.

Every lexicon file starts with `#` lines saying what it is, its source and its
date, then one header row of column names, then data rows. Loading checks the
columns and rejects duplicate keys, naming the file and line, so a bad lexicon
fails at start-up and never half-way through a batch.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["LexiconError", "read_text", "load_table", "load_list"]


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names file and line."""


def read_text(name: str) -> str:
    """The text of a lexicon file shipped in this package."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


@cache
def load_table(name: str, columns: tuple[str, ...], key: str | None = None) -> tuple[dict[str, str], ...]:
    """Rows of a TSV lexicon as dicts.

    Args:
        name: file name inside `lexicons/`.
        columns: the exact header the file must have.
        key: a column whose values must be unique (duplicates are an error).
    """
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    seen: dict[str, int] = {}
    for lineno, line in enumerate(read_text(name).splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            if tuple(header) != columns:
                raise LexiconError(f"{name}:{lineno}: header {header} is not {list(columns)}")
            continue
        if len(cells) != len(header):
            raise LexiconError(f"{name}:{lineno}: {len(cells)} cells where the header has {len(header)}")
        row = dict(zip(header, (c.strip() for c in cells), strict=True))
        if key is not None:
            if row[key] in seen:
                raise LexiconError(
                    f"{name}:{lineno}: duplicate {key} {row[key]!r} (first on line {seen[row[key]]})"
                )
            seen[row[key]] = lineno
        rows.append(row)
    if header is None:
        raise LexiconError(f"{name}: no header row")
    return tuple(rows)


@cache
def load_list(name: str) -> tuple[str, ...]:
    """A one-item-per-line lexicon (comments and blanks skipped); duplicates are an error."""
    items: list[str] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(read_text(name).splitlines(), start=1):
        item = line.strip()
        if not item or item.startswith("#"):
            continue
        if item in seen:
            raise LexiconError(f"{name}:{lineno}: duplicate {item!r} (first on line {seen[item]})")
        seen[item] = lineno
        items.append(item)
    return tuple(items)
