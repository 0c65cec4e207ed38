"""Writing mentions to files: JSONL, CSV and Parquet in the output contract's columns.

Values stay exact: JSONL and CSV carry them as decimal strings, Parquet as
decimal128(38, 6) (six places hold every percentage and fraction we extract).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from govfacts.pipeline.records import MENTION_FIELDS, Mention

__all__ = ["write_mentions", "mention_dict"]

PARQUET_SCALE = Decimal("0.000001")
BATCH = 10_000


def mention_dict(m: Mention) -> dict[str, object]:
    """A mention as a flat dict of JSON-ready values (exact decimals as strings)."""
    out: dict[str, object] = {}
    for name in MENTION_FIELDS:
        v = getattr(m, name)
        if isinstance(v, Decimal):
            v = format(v.normalize(), "f") if v == v.to_integral_value() else format(v, "f")
        elif hasattr(v, "isoformat"):
            v = v.isoformat()
        out[name] = v
    return out


def write_mentions(path: Path, mentions: Iterable[Mention]) -> int:
    """Write mentions to `path` by its suffix; returns how many were written."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        n = 0
        with path.open("w", encoding="utf-8") as fh:
            for m in mentions:
                fh.write(json.dumps(mention_dict(m), ensure_ascii=False) + "\n")
                n += 1
        return n
    if suffix == ".csv":
        n = 0
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=MENTION_FIELDS)
            writer.writeheader()
            for m in mentions:
                writer.writerow(mention_dict(m))
                n += 1
        return n
    if suffix == ".parquet":
        return _write_parquet(path, mentions)
    raise ValueError(f"unknown output format {suffix!r}: use .jsonl, .csv or .parquet")


def _parquet_schema():
    import pyarrow as pa

    types = {
        "value": pa.decimal128(38, 6),
        "period_start": pa.date32(),
        "period_end": pa.date32(),
        "published": pa.date32(),
        "char_start": pa.int64(),
        "char_end": pa.int64(),
        "orig_start": pa.int64(),
        "orig_end": pa.int64(),
    }
    return pa.schema([(name, types.get(name, pa.string())) for name in MENTION_FIELDS])


def _write_parquet(path: Path, mentions: Iterable[Mention]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema()
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, object]] = []
        for m in mentions:
            row = {name: getattr(m, name) for name in MENTION_FIELDS}
            if row["value"] is not None:
                row["value"] = row["value"].quantize(PARQUET_SCALE)
            batch.append(row)
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        if batch or n == 0:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
    return n
