"""The store: one schema on DuckDB or PostgreSQL, one document per transaction, read back out.

Every statement goes through SQLAlchemy with bound parameters (DuckDB through
`duckdb_engine`); table and column names come only from `schema.json` or from
`facts.column_name`, which admits snake_case ASCII alone.

Load contract, per document and in one transaction: same doc_id and same content
hash → skipped (unless forced); otherwise the document's old rows go and the new
ones come in. Mention and project rows belong to a text (content_hash): a
byte-identical copy under another doc_id gets a `documents` row with
`duplicate_of` and shares them. A failure rolls the whole document back and is
recorded in `errors` with stage `load`; a document that failed upstream keeps
its previously loaded rows and gets an `errors` row.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from govfacts.pipeline import facts as facts_mod
from govfacts.pipeline.records import MENTION_FIELDS, DocError

__all__ = [
    "Store",
    "StoreError",
    "Prepared",
    "prepare",
    "LoadSummary",
    "open_store",
    "parse_db",
    "export_tables",
    "schema",
    "content_hash",
    "TABLES",
]

DEFAULT_DB = "govfacts.duckdb"
DUCKDB_SUFFIXES = (".duckdb", ".db", ".ddb")
TABLES = ("documents", "mentions", "projects", "errors", "facts", "city_period", "targets")
SQL_TYPES = {  # portable DDL: both DuckDB and PostgreSQL accept these spellings
    "text": "TEXT",
    "integer": "BIGINT",
    "decimal": "DECIMAL(38, 6)",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}
Outcome = Literal["inserted", "replaced", "copy", "skipped", "failed"]


class StoreError(ValueError):
    """A `--db` value that names no usable store; the message says why."""


@cache
def schema() -> dict:
    """The machine-readable schema (`schema.json` beside this module)."""
    return json.loads(
        resources.files("govfacts.pipeline").joinpath("schema.json").read_text(encoding="utf-8")
    )


def content_hash(text: str) -> str:
    """SHA-256 hex of a document's decoded raw text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_db(db: str | Path | None) -> str:
    """The SQLAlchemy URL for a `--db` value: a DuckDB file path or a PostgreSQL URL.

    Raises:
        StoreError: an unknown URL scheme, a malformed URL, a directory, a missing
            parent folder, or a file name without a DuckDB suffix.
    """
    text = str(db) if db is not None else DEFAULT_DB
    if not text.strip():
        raise StoreError("empty --db: give a .duckdb file path or a postgresql:// URL")
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            try:
                url = sa.engine.make_url("postgresql+psycopg://" + text.split("://", 1)[1])
            except Exception as exc:  # noqa: BLE001 - reported as a usage error
                raise StoreError(f"malformed PostgreSQL URL: {exc}") from None
            if not url.database:
                raise StoreError(
                    "the PostgreSQL URL names no database (postgresql://user@host:port/DB)"
                )
            return url.render_as_string(hide_password=False)
        if scheme == "duckdb":
            text = text.split("://", 1)[1].removeprefix("/")
        else:
            raise StoreError(
                f"unknown database URL scheme {scheme!r}: use a .duckdb path or postgresql://"
            )
    path = Path(text).expanduser()
    if path.is_dir():
        raise StoreError(f"{path} is a directory: give a file such as {path / DEFAULT_DB}")
    if path.suffix.lower() not in DUCKDB_SUFFIXES:
        raise StoreError(f"{path}: a DuckDB store must end in {', '.join(DUCKDB_SUFFIXES)}")
    if not path.absolute().parent.is_dir():
        raise StoreError(f"{path}: folder {path.absolute().parent} does not exist")
    return f"duckdb:///{path.absolute()}"


def _q(name: str) -> str:
    """A quoted identifier; names come from schema.json or facts.column_name only."""
    if not name.replace("_", "").isalnum() or not name.isascii():
        raise ValueError(f"refusing identifier {name!r}")
    return f'"{name}"'


def _ddl(table: str, extra_columns: Sequence[str] = ()) -> str:
    spec = schema()["tables"][table]
    cols = [
        f"{_q(c['name'])} {SQL_TYPES[c['type']]}{'' if c['nullable'] else ' NOT NULL'}"
        for c in spec["columns"]
    ]
    cols += [f"{_q(c)} {SQL_TYPES['decimal']}" for c in extra_columns]
    if spec.get("primary_key"):
        cols.append(f"PRIMARY KEY ({', '.join(_q(c) for c in spec['primary_key'])})")
    return f"CREATE TABLE IF NOT EXISTS {_q(table)} ({', '.join(cols)})"


def _columns(table: str) -> list[str]:
    return [c["name"] for c in schema()["tables"][table]["columns"]]


def _insert(table: str, columns: Sequence[str]) -> sa.TextClause:
    names = ", ".join(_q(c) for c in columns)
    params = ", ".join(
        f":p{i}" for i in range(len(columns))
    )  # positional-safe names for any column
    return sa.text(f"INSERT INTO {_q(table)} ({names}) VALUES ({params})")


def _params(row: dict[str, object], columns: Sequence[str]) -> dict[str, object]:
    return {f"p{i}": row.get(c) for i, c in enumerate(columns)}


@cache
def _arrow_types() -> dict:
    import pyarrow as pa

    return {
        "text": pa.string(),
        "integer": pa.int64(),
        "decimal": pa.decimal128(38, 6),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us"),
        "boolean": pa.bool_(),
    }


def _arrow_schema(table: str, names: Sequence[str]):
    """The pyarrow schema of a table's columns (generated city_period columns are decimal)."""
    import pyarrow as pa

    types = _arrow_types()
    spec = _STAGING.get(table) or {
        c["name"]: c["type"] for c in schema()["tables"][table]["columns"]
    }
    declared = {name: types[kind] for name, kind in spec.items()}
    return pa.schema([(n, declared.get(n, types["decimal"])) for n in names])


# Temporary tables of the facts rebuild: name -> column -> schema type.
_CELLS = "_govfacts_cells"  # city_period in long form, pivoted by the database at the end
_STAGING = {
    _CELLS: {
        "city": "text",
        "area": "text",
        "period_start": "date",
        "period_end": "date",
        "col": "text",
        "value": "decimal",
    }
}


def _slices(rows: Sequence, size: int) -> Iterator[Sequence]:
    """`rows` in consecutive slices of at most `size`."""
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _insert_many(
    conn: sa.Connection, table: str, columns: Sequence[str], rows: Sequence[dict]
) -> None:
    """Insert rows: DuckDB scans them as one Arrow table (20x faster than executemany), PostgreSQL
    takes an executemany; values travel as data either way, never as SQL text."""
    if not rows:
        return
    if conn.dialect.name != "duckdb":
        conn.execute(_insert(table, columns), [_params(r, columns) for r in rows])
        return
    import pyarrow as pa

    data = pa.Table.from_pydict(  # column by column: no dict per row
        {c: [r.get(c) for r in rows] for c in columns}, schema=_arrow_schema(table, columns)
    )
    raw = conn.connection.driver_connection
    raw.register("_govfacts_rows", data)
    try:
        names = ", ".join(_q(c) for c in columns)
        conn.execute(
            sa.text(f'INSERT INTO {_q(table)} ({names}) SELECT {names} FROM "_govfacts_rows"')
        )
    finally:
        # An aborted transaction refuses it; the rollback drops the view.
        with contextlib.suppress(Exception):
            raw.unregister("_govfacts_rows")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A processed document as the rows it loads into; pure, so a worker process can build it."""

    doc_id: str
    content_hash: str
    document: dict[str, object]  # its documents row, but for processed_at and duplicate_of
    mentions: tuple[dict[str, object], ...]
    projects: tuple[dict[str, object], ...]
    n_sentences: int = 0

    @property
    def source(self) -> str | None:
        """Where the text came from (for error rows)."""
        return self.document.get("source")  # type: ignore[return-value]


def prepare(processed) -> Prepared:
    """The rows of a `stages.Processed` (a `Prepared` is returned as is).

    Raises:
        ValueError: a mention value with more than six decimal places.
    """
    if isinstance(processed, Prepared):
        return processed
    doc = processed.document
    h = content_hash(doc.raw.text)
    return Prepared(
        doc_id=doc.doc_id,
        content_hash=h,
        document=Store._document_row(processed, h, None, None),
        mentions=tuple(Store._mention_row(m, h) for m in processed.mentions),
        projects=tuple(Store._project_row(p, h) for p in getattr(processed, "projects", ())),
        n_sentences=len(doc.sentences),
    )


@dataclass
class LoadSummary:
    """What a batch load did: outcome counts and the documents that failed (any stage)."""

    outcomes: Counter = field(default_factory=Counter)
    errors: list[DocError] = field(default_factory=list)


# Mentions that enter the facts (consolidation rule 1; the kind is checked in Python).
_FACT_MENTION = "role = :role AND metric IS NOT NULL AND value IS NOT NULL"
INSERT_ROWS = 10_000  # rows per bulk insert of the facts rebuild
# DuckDB evicts and spills beyond it: RSS stays flat as the store grows.
DUCKDB_MEMORY_LIMIT = "256MB"


class Store:
    """A DuckDB file or a PostgreSQL database holding the govfacts tables."""

    def __init__(self, url: str) -> None:
        """Connect and create the tables that are missing.

        Args:
            url: a SQLAlchemy URL from `parse_db`.
        """
        self.url = sa.engine.make_url(url)
        self.is_duckdb = self.url.get_backend_name() == "duckdb"
        try:
            # PostgreSQL: no pooled connections left behind; DuckDB: the dialect's own pool.
            # DuckDB's buffer cache is capped so that a long archive run does not grow with the store.
            kwargs = (
                {"connect_args": {"config": {"memory_limit": DUCKDB_MEMORY_LIMIT}}}
                if self.is_duckdb
                else {"poolclass": sa.pool.NullPool}
            )
            self.engine = sa.create_engine(url, **kwargs)
            self.create_schema()
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(
                f"cannot open {self.location}: {str(exc.orig or exc).splitlines()[0]}"
            ) from None

    @property
    def location(self) -> str:
        """Where the store is, for people: the file path, or the URL without its password."""
        return (
            self.url.database if self.is_duckdb else self.url.render_as_string(hide_password=True)
        )

    def close(self) -> None:
        """Release every connection (DuckDB allows one writing process per file)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def create_schema(self) -> None:
        """Create every table of `schema.json` that does not exist yet, and add the nullable
        columns an older store lacks (documents.text, documents.fingerprint_version and
        mentions.speaker_title came later; their old rows keep NULL, except that the
        fingerprints of old rows with a text are recomputed in the current version)."""
        with self.engine.begin() as conn:
            for table in TABLES:
                conn.execute(sa.text(_ddl(table)))
            for table in ("documents", "mentions"):
                have = set(conn.execute(sa.text(f"SELECT * FROM {_q(table)} WHERE 1 = 0")).keys())
                for c in schema()["tables"][table]["columns"]:
                    if c["name"] not in have and c["nullable"]:
                        conn.execute(
                            sa.text(
                                f"ALTER TABLE {_q(table)} ADD COLUMN {_q(c['name'])} "
                                f"{SQL_TYPES[c['type']]}"
                            )
                        )
                        if c["name"] == "fingerprint_version":
                            self._refingerprint(conn)

    @staticmethod
    def _refingerprint(conn: sa.Connection) -> None:
        """Recompute, in the current version, the fingerprints of rows that have a text."""
        last = ""
        update = sa.text(
            'UPDATE "documents" SET fingerprint = :fp, fingerprint_version = :v WHERE doc_id = :d'
        )
        while True:
            batch = conn.execute(
                sa.text(
                    'SELECT doc_id, text FROM "documents" WHERE doc_id > :last '
                    "AND text IS NOT NULL ORDER BY doc_id LIMIT 1000"
                ),
                {"last": last},
            ).all()
            if not batch:
                return
            conn.execute(
                update,
                [
                    {"d": d, "fp": facts_mod.fingerprint(t), "v": facts_mod.FINGERPRINT_VERSION}
                    for d, t in batch
                ],
            )
            last = batch[-1][0]

    # --- loading ---------------------------------------------------------------------

    def _member(self, column: str, param: str) -> str:
        """SQL for "`column` is one of the list bound to `param`" (a text array).

        One list parameter, not an IN list of one parameter per value: DuckDB spends
        about 40 µs per bound parameter, far more than reading the column.
        """
        if self.is_duckdb:
            return f"{_q(column)} IN (SELECT unnest(CAST(:{param} AS VARCHAR[])))"
        return f"{_q(column)} = ANY(CAST(:{param} AS TEXT[]))"

    def already_loaded(self, hashes: Iterable[str]) -> set[str]:
        """The content hashes among `hashes` that some document row already has."""
        wanted = list(dict.fromkeys(hashes))
        if not wanted:
            return set()
        stmt = sa.text(
            'SELECT DISTINCT content_hash FROM "documents" WHERE '
            + self._member("content_hash", "h")
        )
        with self.engine.connect() as conn:
            return {r[0] for r in conn.execute(stmt, {"h": wanted})}

    def hashes_of(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """doc_id → content hash of the loaded documents among `doc_ids` (the others are absent)."""
        wanted = list(dict.fromkeys(doc_ids))
        if not wanted:
            return {}
        stmt = sa.text(
            'SELECT doc_id, content_hash FROM "documents" WHERE ' + self._member("doc_id", "d")
        )
        with self.engine.connect() as conn:
            return {r[0]: r[1] for r in conn.execute(stmt, {"d": wanted})}

    def load_batch(
        self, items: Sequence, *, force: bool = False, now: datetime | None = None
    ) -> list[tuple[Outcome, DocError | None]]:
        """Load many items with the outcomes `load_item` gives one by one, in order, much faster.

        New documents (a doc_id and a text not in the store, each once in the batch,
        no error of the same doc_id in it) go in together, in one transaction of
        bulk inserts; same doc_id and text is `skipped` unless forced; everything
        else (replacements, copies, forced reloads, failures) goes through
        `load_item` in input order. If the bulk transaction fails, its documents
        are loaded one by one, so one bad document still fails alone.
        """
        out: list[tuple[Outcome, DocError | None] | None] = [None] * len(items)
        ready: dict[int, Prepared] = {}
        for i, it in enumerate(items):
            if not isinstance(it, DocError):
                try:
                    ready[i] = prepare(it)
                except Exception:  # noqa: BLE001 - load_item records it below
                    continue
        ids = Counter(p.doc_id for p in ready.values())
        texts = Counter(p.content_hash for p in ready.values())
        unprepared = {
            it.doc_id if isinstance(it, DocError) else it.document.doc_id
            for i, it in enumerate(items)
            if i not in ready
        }
        old = self.hashes_of(ids)
        owned = self.already_loaded(texts)
        fast: dict[int, Prepared] = {}
        for i, p in ready.items():
            d, h = p.doc_id, p.content_hash
            if ids[d] != 1 or d in unprepared:
                continue
            if old.get(d) == h and not force:
                out[i] = ("skipped", None)
            elif d not in old and h not in owned and texts[h] == 1:
                fast[i] = p
        if fast:
            try:
                self._insert_new([fast[i] for i in sorted(fast)], now)
                for i in fast:
                    out[i] = ("inserted", None)
            except Exception:  # noqa: BLE001 - each of them goes through load_item below
                pass
        for i, it in enumerate(items):
            if out[i] is None:
                out[i] = self.load_item(ready.get(i, it), force=force)
        return out  # type: ignore[return-value]

    def _insert_new(self, rows: list[Prepared], now: datetime | None) -> None:
        """One transaction: documents new to the store, with their mentions and projects."""
        ids = [p.doc_id for p in rows]
        at = (now or datetime.now(UTC)).replace(tzinfo=None)
        with self.engine.begin() as conn:
            # An earlier failure of these documents is cleared by their load. Their texts
            # have no mention or project rows to clear (deleting by hash would read the
            # whole mentions table): a text's rows exist exactly while a document holds it,
            # as `load` and `_release` keep it in one transaction. A stray row at the same
            # key would break the primary key here and send the batch through `load`,
            # which clears a text's rows before writing them.
            conn.execute(
                sa.text('DELETE FROM "errors" WHERE ' + self._member("doc_id", "v")), {"v": ids}
            )
            docs = [{**p.document, "processed_at": at, "duplicate_of": None} for p in rows]
            _insert_many(conn, "documents", _columns("documents"), docs)
            _insert_many(
                conn, "mentions", _columns("mentions"), [m for p in rows for m in p.mentions]
            )
            _insert_many(
                conn, "projects", _columns("projects"), [x for p in rows for x in p.projects]
            )

    def load(self, processed, *, force: bool = False, now: datetime | None = None) -> Outcome:
        """Load one processed document atomically; raises (and rolls back) on any failure.

        Args:
            processed: a `stages.Processed` (document, mentions, `projects`) or its `Prepared` rows.
            force: reload even when the same text is already loaded under this doc_id.
            now: the load time written to `processed_at` (default: the clock, UTC).

        Returns:
            inserted (new doc_id), replaced (doc_id with another text), copy (a text
            already loaded under another doc_id), or skipped (nothing to do).
        """
        p = prepare(processed)
        h = p.content_hash
        with self.engine.begin() as conn:
            old = conn.execute(
                sa.text('SELECT content_hash FROM "documents" WHERE doc_id = :d'), {"d": p.doc_id}
            ).scalar()
            if old == h and not force:
                return "skipped"
            conn.execute(sa.text('DELETE FROM "errors" WHERE doc_id = :d'), {"d": p.doc_id})
            if old is not None:
                conn.execute(sa.text('DELETE FROM "documents" WHERE doc_id = :d'), {"d": p.doc_id})
                self._release(conn, old)
            owner = conn.execute(
                sa.text('SELECT MIN(doc_id) FROM "documents" WHERE content_hash = :h'), {"h": h}
            ).scalar()
            cols = _columns("documents")
            at = (now or datetime.now(UTC)).replace(tzinfo=None)
            row = {**p.document, "processed_at": at, "duplicate_of": owner}
            conn.execute(_insert("documents", cols), _params(row, cols))
            if owner is not None:
                return "copy"
            for table in ("mentions", "projects"):  # leftovers of an earlier forced or failed state
                conn.execute(sa.text(f"DELETE FROM {_q(table)} WHERE content_hash = :h"), {"h": h})
            _insert_many(conn, "mentions", _columns("mentions"), list(p.mentions))
            _insert_many(conn, "projects", _columns("projects"), list(p.projects))
        return "replaced" if old is not None else "inserted"

    @staticmethod
    def _release(conn: sa.Connection, old_hash: str) -> None:
        """Drop the rows of a text no document has any more, or hand them to a copy of it."""
        heir = conn.execute(
            sa.text('SELECT MIN(doc_id) FROM "documents" WHERE content_hash = :h'), {"h": old_hash}
        ).scalar()
        for table in ("mentions", "projects"):
            if heir is None:
                conn.execute(
                    sa.text(f"DELETE FROM {_q(table)} WHERE content_hash = :h"), {"h": old_hash}
                )
            else:
                conn.execute(
                    sa.text(f"UPDATE {_q(table)} SET doc_id = :d WHERE content_hash = :h"),
                    {"d": heir, "h": old_hash},
                )
        if heir is not None:
            conn.execute(
                sa.text('UPDATE "documents" SET duplicate_of = NULL WHERE doc_id = :d'), {"d": heir}
            )
            conn.execute(
                sa.text(
                    'UPDATE "documents" SET duplicate_of = :d '
                    "WHERE content_hash = :h AND doc_id <> :d"
                ),
                {"d": heir, "h": old_hash},
            )

    @staticmethod
    def _document_row(
        processed, h: str, owner: str | None, now: datetime | None
    ) -> dict[str, object]:
        from govfacts import __version__

        doc = processed.document
        cities = [m.city for m in processed.mentions if m.city]
        return {
            "doc_id": doc.doc_id,
            "content_hash": h,
            "source": doc.raw.source,
            "url": doc.raw.url,
            "title": doc.title,
            "source_org": doc.source_org,
            "published": doc.published,
            "published_inferred": bool(doc.published_inferred),
            "city": doc.raw.city or (Counter(cities).most_common(1)[0][0] if cities else None),
            "script": doc.script,
            "encoding": doc.raw.encoding,
            "n_chars": len(doc.text),
            "processed_at": (now or datetime.now(UTC)).replace(tzinfo=None),
            "pipeline_version": __version__,
            "fingerprint": facts_mod.fingerprint(doc.text),
            "fingerprint_version": facts_mod.FINGERPRINT_VERSION,
            "duplicate_of": owner,
            "text": doc.text,
        }

    @staticmethod
    def _mention_row(m, h: str) -> dict[str, object]:
        row: dict[str, object] = {name: getattr(m, name) for name in MENTION_FIELDS}
        row["content_hash"] = h
        row["mention_id"] = f"{h[:16]}:{m.kind}:{m.char_start}"
        if m.value is not None and m.value != m.value.quantize(facts_mod.SIX_PLACES):
            raise ValueError(f"{m.text!r}: value {m.value} has more than six decimal places")
        return row

    @staticmethod
    def _project_row(p, h: str) -> dict[str, object]:
        row = {c: getattr(p, c, None) for c in _columns("projects") if c != "content_hash"}
        row["content_hash"] = h
        return row

    def record_error(self, error: DocError, *, now: datetime | None = None) -> None:
        """Record a failed document (one row per doc_id); the same failure again changes nothing."""
        with self.engine.begin() as conn:
            same = conn.execute(
                sa.text('SELECT 1 FROM "errors" WHERE doc_id = :d AND stage = :s AND reason = :r'),
                {"d": error.doc_id, "s": error.stage, "r": error.reason},
            ).first()
            if same:
                return
            conn.execute(sa.text('DELETE FROM "errors" WHERE doc_id = :d'), {"d": error.doc_id})
            cols = _columns("errors")
            row = {
                "doc_id": error.doc_id,
                "stage": error.stage,
                "reason": error.reason,
                "source": error.source,
                "at": (now or datetime.now(UTC)).replace(tzinfo=None),
            }
            conn.execute(_insert("errors", cols), _params(row, cols))

    def load_item(self, item, *, force: bool = False) -> tuple[Outcome, DocError | None]:
        """Load a `Processed` or record a `DocError`; a failed load becomes a `load` error."""
        if isinstance(item, DocError):
            self.record_error(item)
            return "failed", item
        try:
            return self.load(item, force=force), None
        except Exception as exc:  # the edge: one bad document never stops the batch
            reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            if isinstance(item, Prepared):
                err = DocError(item.doc_id, "load", reason, item.source)
            else:
                err = DocError(item.document.doc_id, "load", reason, item.document.raw.source)
            self.record_error(err)
            return "failed", err

    def load_all(self, items: Iterable, *, force: bool = False) -> LoadSummary:
        """Load every item with `load_item`; returns the outcome counts and the errors."""
        summary = LoadSummary()
        for item in items:
            outcome, err = self.load_item(item, force=force)
            summary.outcomes[outcome] += 1
            if err is not None:
                summary.errors.append(err)
        return summary

    # --- facts -----------------------------------------------------------------------

    def build_facts(self) -> int:
        """Rebuild facts, city_period and targets; mark republished documents; one transaction.

        Returns the number of facts. Memory follows the largest city's facts and the
        number of republished documents, not the archive: copies are found in SQL
        (`duplicates`), mentions are read one city at a time, each city's facts are
        written before the next is read, and `city_period` is pivoted by the database.
        """
        dups, docs_by_hash = self.duplicates()
        with self.engine.begin() as conn:
            current = {
                r[0]: r[1]
                for r in conn.execute(
                    sa.text(
                        'SELECT doc_id, duplicate_of FROM "documents" WHERE duplicate_of IS NOT NULL'
                    )
                )
            }
            changed = [
                {"o": dups.get(d), "d": d}
                for d in sorted(set(current) | set(dups))
                if current.get(d) != dups.get(d)
            ]
            if changed:
                conn.execute(
                    sa.text('UPDATE "documents" SET duplicate_of = :o WHERE doc_id = :d'), changed
                )
            conn.execute(sa.text('DELETE FROM "facts"'))
            conn.execute(sa.text('DELETE FROM "targets"'))
            cells_ddl = ", ".join(f"{_q(c)} {SQL_TYPES[t]}" for c, t in _STAGING[_CELLS].items())
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {_q(_CELLS)}"))
            conn.execute(sa.text(f"CREATE TEMPORARY TABLE {_q(_CELLS)} ({cells_ddl})"))
            cols: set[tuple] = set()
            n = 0
            cities = self._fact_cities(conn)
            for city in cities:
                reported = facts_mod.consolidate_sorted(
                    self._fact_mentions(conn, city), docs_by_hash, dups
                )
                city_facts = reported + facts_mod.derive_increments(reported)
                n += len(city_facts)
                for chunk in _slices(city_facts, INSERT_ROWS):
                    _insert_many(conn, "facts", _columns("facts"), [f.row() for f in chunk])
                _insert_many(conn, "targets", _columns("targets"), facts_mod.targets(city_facts))
                staged = []
                for c, a, ps, pe, col, v in facts_mod.cells(city_facts):
                    cols.add(col)
                    staged.append(
                        {
                            "city": c,
                            "area": a,
                            "period_start": ps,
                            "period_end": pe,
                            "col": facts_mod.column_name(*col),
                            "value": v,
                        }
                    )
                _insert_many(conn, _CELLS, list(_STAGING[_CELLS]), staged)
            self._pivot_city_period(conn, facts_mod.column_names(cols), cities)
            conn.execute(sa.text(f"DROP TABLE {_q(_CELLS)}"))
        return n

    @staticmethod
    def _fact_cities(conn: sa.Connection) -> list[str | None]:
        """The cities of fact mentions, in the facts' order (NULL last)."""
        cities = [
            r[0]
            for r in conn.execute(
                sa.text(f'SELECT DISTINCT city FROM "mentions" WHERE {_FACT_MENTION}'),
                {"role": "fact"},
            )
        ]
        return sorted(cities, key=lambda c: (c is None, c or ""))

    @staticmethod
    def _fact_mentions(conn: sa.Connection, city: str | None) -> list[dict[str, object]]:
        """One city's fact mentions in key order, only the columns consolidation reads."""
        cols = ", ".join(_q(c) for c in facts_mod.MENTION_COLUMNS)
        order = ", ".join(_q(c) for c in facts_mod.KEY_ORDER)
        where = "city IS NULL" if city is None else "city = :city"
        result = conn.execute(
            sa.text(
                f'SELECT {cols} FROM "mentions" WHERE {_FACT_MENTION} AND {where} ORDER BY {order}'
            ),
            {"role": "fact", "city": city},
        )
        return [dict(r._mapping) for r in result]

    @staticmethod
    def _pivot_city_period(conn: sa.Connection, names: list[str], cities: list[str | None]) -> None:
        """Recreate `city_period` with `names` as metric columns from the staged cells.

        City by city in Python: a GROUP BY over the whole view with one aggregate per
        column is what DuckDB runs out of its memory cap on (100k documents, 95 columns).
        """
        conn.execute(sa.text('DROP TABLE IF EXISTS "city_period"'))
        conn.execute(sa.text(_ddl("city_period", names)))
        keys = ("city", "area", "period_start", "period_end")
        for city in cities:
            where = "city IS NULL" if city is None else "city = :city"
            by_key: dict[tuple, dict[str, object]] = defaultdict(dict)
            for *key, col, value in conn.execute(
                sa.text(f"SELECT {', '.join(keys)}, col, value FROM {_q(_CELLS)} WHERE {where}"),
                {"city": city},
            ):
                by_key[tuple(key)][col] = value
            rows = []
            for key in sorted(by_key, key=lambda k: tuple((x is None, x or "") for x in k)):
                row: dict[str, object] = dict(zip(keys, key, strict=True))
                row.update({n: by_key[key].get(n) for n in names})
                rows.append(row)
            for chunk in _slices(rows, INSERT_ROWS):
                _insert_many(conn, "city_period", [*keys, *names], chunk)

    def duplicates(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """Republished documents: (copy → original, hash → doc_ids of texts held more than once).

        The same rule as `facts.find_duplicates` (a test holds them equal), with 512
        bytes per distinct text in memory instead of an LSH index: one document per text
        (the smallest doc_id) is read, in order, into a matrix of MinHash values;
        `facts.near_duplicate_pairs` bands it as datasketch's LSH would and keeps the
        pairs that reach the threshold; byte-identical texts are one story.
        """
        import numpy as np

        reps_sql = (
            'SELECT doc_id, fingerprint, COALESCE(fingerprint_version, 1) FROM "documents" '
            'WHERE doc_id IN (SELECT MIN(doc_id) FROM "documents" GROUP BY content_hash) '
            "ORDER BY doc_id"
        )
        copies_sql = """
            SELECT doc_id, content_hash FROM "documents" WHERE content_hash IN
            (SELECT content_hash FROM "documents" GROUP BY content_hash HAVING COUNT(*) > 1)
        """
        with self.engine.connect() as conn:
            n = conn.execute(
                sa.text('SELECT COUNT(DISTINCT content_hash) FROM "documents"')
            ).scalar_one()
            ids: list[str] = []
            values = np.zeros((n, facts_mod.NUM_PERM), dtype=np.uint32)
            versions = np.zeros(n, dtype=np.int64)
            for doc_id, fp, version in conn.execute(sa.text(reps_sql)):
                values[len(ids)] = facts_mod.hash_values(fp)
                versions[len(ids)] = version
                ids.append(doc_id)
            by_hash: dict[str, list[str]] = defaultdict(list)
            for doc_id, h in conn.execute(sa.text(copies_sql)):
                by_hash[h].append(doc_id)
        pairs = []
        for version in np.unique(versions[: len(ids)]):  # fingerprints of two versions never match
            rows = np.flatnonzero(versions[: len(ids)] == version)
            pairs += [
                (ids[rows[i]], ids[rows[j]])
                for i, j in facts_mod.near_duplicate_pairs(values[rows])
            ]
        pairs += [(m[0], d) for m in map(sorted, by_hash.values()) for d in m[1:]]
        groups = facts_mod.story_groups(pairs)
        members = sorted(d for g in groups for d in g)
        published: dict[str, date | None] = {}
        stmt = sa.text(
            'SELECT doc_id, published FROM "documents" WHERE ' + self._member("doc_id", "ids")
        )
        with self.engine.connect() as conn:
            for chunk in _slices(members, 10_000):
                published.update(conn.execute(stmt, {"ids": list(chunk)}).all())
        out = facts_mod.originals(groups, published)
        return out, {h: sorted(ids) for h, ids in by_hash.items()}

    # --- reading ---------------------------------------------------------------------

    def columns(self, table: str) -> list[str]:
        """The columns of a table as stored (city_period's metric columns included)."""
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(f"SELECT * FROM {_q(table)} WHERE 1 = 0")).keys())

    def rows(self, table: str, *, columns: Sequence[str] | None = None) -> list[dict[str, object]]:
        """Every row of a table as dicts, in key order (sorted here, so both stores agree)."""
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}")
        cols = ", ".join(_q(c) for c in columns) if columns else "*"
        with self.engine.connect() as conn:
            out = [
                dict(r._mapping) for r in conn.execute(sa.text(f"SELECT {cols} FROM {_q(table)}"))
            ]
        spec = schema()["tables"][table]
        key = [
            k
            for k in spec.get("primary_key") or spec.get("key") or []
            if not columns or k in columns
        ]
        key = key or list(columns or [c["name"] for c in spec["columns"]])
        out.sort(key=lambda r: tuple((r[k] is None, "" if r[k] is None else r[k]) for k in key))
        return out

    def arrow(self, table: str):
        """A table as a pyarrow Table typed by the schema (decimal128(38, 6), date32, bool, ...)."""
        import pyarrow as pa

        names = self.columns(table)
        return pa.Table.from_pylist(
            _six_places(self.rows(table), names), schema=_arrow_schema(table, names)
        )

    def iter_batches(self, table: str, size: int = 5_000) -> Iterator[list[dict[str, object]]]:
        """A table in key order, `size` rows at a time, streamed from the database.

        The order is `rows()`'s: ascending by key with NULLs last; text keys compare by
        code point (PostgreSQL's "C" collation, DuckDB's default), as Python's sort does.
        """
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}")
        spec = schema()["tables"][table]
        types = {c["name"]: c["type"] for c in spec["columns"]}
        key = list(spec.get("primary_key") or spec.get("key") or []) or list(types)
        collate = ' COLLATE "C"' if self.engine.dialect.name == "postgresql" else ""
        order = ", ".join(
            f"{_q(k)}{collate if types.get(k) == 'text' else ''} ASC NULLS LAST" for k in key
        )
        sql = sa.text(f"SELECT * FROM {_q(table)} ORDER BY {order}")
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=size).execute(sql)
            for part in result.partitions(size):
                yield [dict(r._mapping) for r in part]


def _six_places(rows: list[dict[str, object]], names: Sequence[str]) -> list[dict[str, object]]:
    """Rows with their decimals at the six places of decimal128(38, 6), in place."""
    for r in rows:
        for n in names:
            if isinstance(r[n], Decimal):
                r[n] = r[n].quantize(facts_mod.SIX_PLACES)
    return rows


def open_store(db: str | Path | None = None) -> Store:
    """Open (creating if needed) the store a `--db` value names; see `parse_db`."""
    return Store(parse_db(db))


# Rows per streamed batch: a document row carries its whole text twice (original and normalized).
EXPORT_BATCH = {"documents": 500}
XLSX_MAX_CHARS = 32_767  # Excel's limit for one cell; a longer document text is cut there


def _xlsx_cell(value: object) -> object:
    """A value Excel opens: strings longer than a cell holds end in "…" at the limit."""
    if isinstance(value, str) and len(value) > XLSX_MAX_CHARS:
        return value[: XLSX_MAX_CHARS - 1] + "…"
    return value


def export_tables(store: Store, out_dir: Path, fmt: str) -> list[Path]:
    """Write every table to `out_dir`: csv or parquet (a file per table), xlsx (a sheet per table).

    CSV and Parquet keep types: Parquet in its own schema, CSV with exact decimal
    text, ISO dates, true/false, strings quoted and NULL as an unquoted empty cell,
    and `schema.json` written beside it to read the columns back typed.
    """
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        for table in TABLES:
            ws = wb.create_sheet(title=table)
            names = store.columns(table)
            ws.append(names)
            for batch in store.iter_batches(table, EXPORT_BATCH.get(table, 5_000)):
                for r in batch:
                    ws.append([_xlsx_cell(r[n]) for n in names])
        path = out_dir / "govfacts.xlsx"
        wb.save(path)
        return [path]
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown export format {fmt!r}: csv, parquet or xlsx")
    for table in TABLES:
        # Streamed batch by batch, so an archive's tables never sit whole in memory.
        names = store.columns(table)
        arrow_schema = _arrow_schema(table, names)
        path = out_dir / f"{table}.{fmt}"
        writer = (
            pcsv.CSVWriter(path, arrow_schema)
            if fmt == "csv"
            else pq.ParquetWriter(path, arrow_schema)
        )
        with writer:
            for batch in store.iter_batches(table, EXPORT_BATCH.get(table, 5_000)):
                writer.write_table(
                    pa.Table.from_pylist(_six_places(batch, names), schema=arrow_schema)
                )
        written.append(path)
    if fmt == "csv":
        path = out_dir / "schema.json"
        path.write_text(json.dumps(schema(), ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(path)
    return written
