"""Read stage: stream files, folders and tables of documents as `RawDocument`s or `DocError`s.

Reads `.txt` and `.html`/`.htm` files (any common Chinese encoding; HTML main
text through trafilatura) and `.jsonl`/`.csv`/`.parquet` tables with one
document per row (`id`, `text`, optional `title`, `url`, `published`, `city`,
`source_org`). Everything is streamed: folders are walked one directory at a
time in sorted order, JSONL line by line, CSV row by row, Parquet batch by
batch. Bad input never raises: it becomes a `DocError` with stage `read` and
the batch goes on.

Encoding detection, in order: a BOM (UTF-8, UTF-16); NUL bytes mean binary;
strict UTF-8; the HTML `<meta charset>`; then GB18030, Big5 and
charset-normalizer's guess, ranked by how much of the decoded text is common
Chinese characters, ASCII and punctuation (so short Big5 text is not taken for
GBK nor the reverse).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import regex
from govfacts.pipeline.metadata import parse_date
from govfacts.pipeline.records import DocError, RawDocument

__all__ = ["iter_documents", "bundled_corpus", "decode_bytes", "MANIFEST_NAME"]

TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
TABLE_SUFFIXES = frozenset({".jsonl", ".csv", ".parquet"})
MANIFEST_NAME = "manifest.csv"
MANIFEST_COLUMNS = ("doc_id", "file", "title", "source", "published", "city", "url")
ROW_FIELDS = ("id", "text", "title", "url", "published", "city", "source_org")
DEFAULT_MAX_BYTES = 20_000_000
SNIFF_BYTES = 1 << 20  # bytes of a table file used to detect its encoding
META_BYTES = 4096  # bytes of an HTML file searched for <meta charset>
PARQUET_BATCH = 1024  # rows per Parquet batch
SCORE_SAMPLE = 20_000  # characters of a decoded text scored for plausibility
CLEAR_SCORE = 0.9  # a decoding this plausible needs no second opinion from charset-normalizer
MAX_BAD_SHARE = 0.02  # control/private-use/unassigned characters above this share mean binary
MAX_REASON = 200  # longest error reason, in characters

# <meta charset="gbk"> or <meta http-equiv=… content="text/html; charset=gb2312">
_META_CHARSET = regex.compile(
    rb"""
    <meta [^>]*? charset \s* = \s*     # the charset attribute or parameter
    ["']? \s* (?P<name>[A-Za-z0-9_.:-]+) # its value
    """,
    regex.VERBOSE | regex.IGNORECASE,
)
_WHITESPACE = frozenset("\t\n\r\f\v")
_BAD_CATEGORIES = frozenset({"Cc", "Co", "Cn", "Cs"})

# Codec names as recorded in `RawDocument.encoding`; GBK/GB2312 decode as their superset GB18030.
_ENCODING_NAMES = {
    "utf_8": "utf-8",
    "utf_8_sig": "utf-8-sig",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5",
    "cp950": "big5",
    "big5hkscs": "big5",
    "utf_16": "utf-16",
    "utf_16_le": "utf-16",
    "utf_16_be": "utf-16",
}
# Codecs tried, in order, for each recorded name (Big5 has vendor supersets).
_DECODERS = {"big5": ("big5", "cp950", "big5hkscs"), "utf-16": ("utf-16",)}


@dataclass(frozen=True, slots=True)
class _ManifestEntry:
    title: str | None
    published: Any  # datetime.date | None
    city: str | None
    source_org: str | None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class _Manifest:
    by_key: dict[str, _ManifestEntry]  # keyed by doc_id and by file

    def lookup(self, doc_id: str, file: str | None = None) -> _ManifestEntry | None:
        entry = self.by_key.get(doc_id)
        if entry is None and file:
            entry = self.by_key.get(file) or self.by_key.get(file.rsplit("/", 1)[-1])
        return entry


class _ManifestError(ValueError):
    """A manifest file that cannot be used."""


def bundled_corpus() -> Path:
    """The folder of sample documents installed as `govfacts.corpus`."""
    return Path(str(resources.files("govfacts.corpus")))


def _short(reason: str) -> str:
    line = " ".join(reason.split())
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 1] + "…"


def _encoding_name(codec: str) -> str:
    try:
        canonical = codecs.lookup(codec).name.replace("-", "_")
    except LookupError:
        return codec
    return _ENCODING_NAMES.get(canonical, canonical.replace("_", "-"))


@cache
def _common_han() -> frozenset[str]:
    """Frequent Han characters: all of GB2312 plus Big5's 5401 common characters."""
    gb2312 = (bytes((lead, trail)) for lead in range(0xB0, 0xF8) for trail in range(0xA1, 0xFF))
    big5 = (code.to_bytes(2, "big") for code in range(0xA440, 0xC67F))  # Big5 常用字
    chars: set[str] = set()
    for codec, pairs in (("gb2312", gb2312), ("big5", big5)):
        for pair in pairs:
            with suppress(UnicodeDecodeError):  # unassigned code points
                chars.add(pair.decode(codec))
    return frozenset(chars)


_PLAIN_CHARS: set[str] = set()  # characters already found not to be bad: bounded by Unicode


def _looks_like_text(text: str) -> bool:
    """False when a decoded text has too many control, private-use or unassigned characters."""
    sample = text[:SCORE_SAMPLE]
    if not sample:
        return True
    # Only characters never seen before are looked up: a news archive uses a few thousand.
    fresh = set(sample) - _PLAIN_CHARS
    bad = 0
    for ch in fresh:
        if ch == "\ufffd" or (ch not in _WHITESPACE and unicodedata.category(ch) in _BAD_CATEGORIES):
            bad += sample.count(ch)
        else:
            _PLAIN_CHARS.add(ch)
    return bad / len(sample) <= MAX_BAD_SHARE


def _cjk_score(text: str) -> float:
    """Share of ASCII, punctuation, Latin letters and frequent Han characters in a text's start."""
    sample = text[:SCORE_SAMPLE]
    if not sample:
        return 0.0
    common = _common_han()
    good = 0
    for ch in sample:
        if ch < "\x80" or ch in common:
            good += 1
            continue
        cat = unicodedata.category(ch)
        if cat[0] in "PZ" or (cat[0] == "L" and "LATIN" in unicodedata.name(ch, "")):
            good += 1
    return good / len(sample)


def _strict(data: bytes, name: str) -> str | None:
    for codec in _DECODERS.get(name, (name,)):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def _guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes  # imported on first need: it is slow to import

    best = from_bytes(data[:SNIFF_BYTES]).best()
    return _encoding_name(best.encoding) if best is not None else None


def decode_bytes(data: bytes, *, declared: str | None = None) -> tuple[str, str] | None:
    """Decode a text or HTML file's bytes.

    Args:
        data: the whole file.
        declared: an encoding the file declares (HTML `<meta charset>`), tried after strict UTF-8.

    Returns:
        `(text, encoding)` with a normalized encoding name (`utf-8`, `utf-8-sig`,
        `gb18030`, `big5`, `utf-16`, or another codec name), or None for binary
        or undecodable content.
    """
    if data.startswith(codecs.BOM_UTF8):
        first = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        first = "utf-16"
    elif b"\x00" in data:
        return None
    else:
        first = "utf-8"
    text = _strict(data, first)  # a BOM or valid UTF-8 is right when it decodes
    if text is not None:
        return (text, first) if _looks_like_text(text) else None
    if first != "utf-8":  # a BOM whose encoding does not decode
        return None
    if declared:
        name = _encoding_name(declared)
        text = _strict(data, name)
        if text is not None and _looks_like_text(text) and _cjk_score(text) >= CLEAR_SCORE:
            return text, name
    candidates: list[tuple[str, str]] = []
    for name in ("gb18030", "big5"):
        text = _strict(data, name)
        if text is not None and _looks_like_text(text):
            candidates.append((name, text))
    if not candidates or max(_cjk_score(t) for _, t in candidates) < CLEAR_SCORE:
        guessed = _guess(data)
        if guessed and not guessed.startswith("utf-") and guessed not in {n for n, _ in candidates}:
            text = _strict(data, guessed)
            if text is not None and _looks_like_text(text):
                candidates.append((guessed, text))
    if not candidates:
        return None
    # max() keeps the first of equal scores: GB18030, then Big5, then the guess.
    name, text = max(candidates, key=lambda c: _cjk_score(c[1]))
    return text, name


def _load_manifest(path: Path) -> _Manifest:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise _ManifestError(exc.strerror or str(exc)) from exc
    by_key: dict[str, _ManifestEntry] = {}
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = [h.strip() for h in (reader.fieldnames or [])]
            if "doc_id" not in header or set(header) - set(MANIFEST_COLUMNS):
                raise _ManifestError(f"header {header} is not {list(MANIFEST_COLUMNS)}")
            reader.fieldnames = header
            for lineno, row in enumerate(reader, start=2):
                doc_id = (row.get("doc_id") or "").strip()
                if not doc_id:
                    raise _ManifestError(f"line {lineno}: no doc_id")
                if doc_id in by_key:
                    raise _ManifestError(f"line {lineno}: duplicate doc_id {doc_id}")
                entry = _ManifestEntry(
                    title=_clean(row.get("title")),
                    published=parse_date(row.get("published") or ""),
                    city=_clean(row.get("city")),
                    source_org=_clean(row.get("source")),
                    url=_clean(row.get("url")),
                )
                by_key[doc_id] = entry
                file = _clean(row.get("file"))
                if file and file not in by_key:
                    by_key[file] = entry
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _ManifestError(str(exc)) from exc
    return _Manifest(by_key)


def _clean(value: Any) -> str | None:
    """A cell as a stripped string, or None when empty or missing."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    text = str(value).strip()
    return text or None


def _apply(doc: RawDocument, manifests: Sequence[_Manifest], file: str | None) -> RawDocument:
    """Fill a document's metadata from the first manifest that lists it (manifest values win)."""
    for manifest in manifests:
        entry = manifest.lookup(doc.doc_id, file)
        if entry is not None:
            return replace(
                doc,
                title=entry.title or doc.title,
                published=entry.published or doc.published,
                city=entry.city or doc.city,
                source_org=entry.source_org or doc.source_org,
                url=entry.url or doc.url,
            )
    return doc


def _walk(directory: Path) -> Iterator[Path | DocError]:
    """Files under `directory`, depth first, names sorted; hidden entries skipped."""
    try:
        with os.scandir(directory) as it:
            entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as exc:
        yield DocError(
            directory.name, "read", _short(f"unreadable directory: {exc.strerror}"), str(directory)
        )
        return
    for entry in entries:
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(Path(entry.path))
        else:
            yield Path(entry.path)


def _file_id(path: Path, root: Path | None) -> str:
    if root is None:
        return path.stem
    rel = path.relative_to(root)
    return rel.with_suffix("").as_posix()


def _read_bytes(path: Path, doc_id: str, max_bytes: int) -> bytes | DocError:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return DocError(
                doc_id, "read", f"file too large: {size} bytes > {max_bytes}", str(path)
            )
        data = path.read_bytes()
    except OSError as exc:
        return DocError(
            doc_id, "read", _short(f"unreadable file: {exc.strerror or exc}"), str(path)
        )
    if not data.strip():
        return DocError(doc_id, "read", "empty file", str(path))
    return data


def _read_text_file(path: Path, doc_id: str, max_bytes: int) -> RawDocument | DocError:
    data = _read_bytes(path, doc_id, max_bytes)
    if isinstance(data, DocError):
        return data
    decoded = decode_bytes(data)
    if decoded is None:
        return DocError(doc_id, "read", "binary or undecodable content", str(path))
    text, encoding = decoded
    if not text.strip():
        return DocError(doc_id, "read", "empty file", str(path))
    return RawDocument(doc_id=doc_id, text=text, source=str(path), encoding=encoding)


def _read_html_file(path: Path, doc_id: str, max_bytes: int) -> RawDocument | DocError:
    import trafilatura  # imported on first need: it is slow to import

    data = _read_bytes(path, doc_id, max_bytes)
    if isinstance(data, DocError):
        return data
    meta = _META_CHARSET.search(data[:META_BYTES])
    declared = meta["name"].decode("ascii", "replace") if meta else None
    decoded = decode_bytes(data, declared=declared)
    if decoded is None:
        return DocError(doc_id, "read", "binary or undecodable content", str(path))
    html, encoding = decoded
    try:
        text = trafilatura.extract(
            html,
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            output_format="txt",
            with_metadata=False,
        )
        found = trafilatura.extract_metadata(html, extensive=False)
    except Exception as exc:  # a parser failure on one page must not stop the batch
        return DocError(
            doc_id,
            "read",
            _short(f"html extraction failed: {type(exc).__name__}: {exc}"),
            str(path),
        )
    if not text or not text.strip():
        return DocError(doc_id, "read", "no main text in html", str(path))
    return RawDocument(
        doc_id=doc_id,
        text=text,
        source=str(path),
        encoding=encoding,
        title=_clean(getattr(found, "title", None)),
        url=_clean(getattr(found, "url", None)),
        published=parse_date(getattr(found, "date", None) or ""),
    )


def _row_document(
    row: dict[str, Any], rowno: int, file_id: str, path: Path, max_bytes: int
) -> RawDocument | DocError:
    row_id = _clean(row.get("id"))
    doc_id = row_id or f"{file_id}#{rowno}"
    text = row.get("text")
    if not isinstance(text, str) or not text.strip():
        return DocError(doc_id, "read", f"row {rowno}: no text", str(path))
    if len(text) * 4 > max_bytes and (size := len(text.encode("utf-8"))) > max_bytes:
        return DocError(
            doc_id, "read", f"row {rowno}: text too large: {size} bytes > {max_bytes}", str(path)
        )
    return RawDocument(
        doc_id=doc_id,
        text=text,
        source=str(path),
        title=_clean(row.get("title")),
        url=_clean(row.get("url")),
        published=parse_date(row.get("published")),
        city=_clean(row.get("city")),
        source_org=_clean(row.get("source_org")),
    )


def _table_encoding(path: Path) -> str | None:
    """The encoding of a JSONL/CSV file, from its first megabyte."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if len(head) == SNIFF_BYTES:  # cut at a line end so no character is split
        cut = head.rfind(b"\n")
        head = head[: cut + 1] if cut > 0 else head
    decoded = decode_bytes(head)
    return None if decoded is None else decoded[1]


def _open_table(path: Path, file_id: str) -> io.TextIOWrapper | DocError:
    try:
        if path.stat().st_size == 0:
            return DocError(file_id, "read", "empty file", str(path))
        encoding = _table_encoding(path)
        if encoding is None:
            return DocError(file_id, "read", "binary or undecodable content", str(path))
        codec = "big5hkscs" if encoding == "big5" else encoding  # the widest Big5 for a stream
        return path.open(encoding=codec, newline="")
    except OSError as exc:
        return DocError(
            file_id, "read", _short(f"unreadable file: {exc.strerror or exc}"), str(path)
        )


def _read_jsonl(path: Path, file_id: str, max_bytes: int) -> Iterator[RawDocument | DocError]:
    handle = _open_table(path, file_id)
    if isinstance(handle, DocError):
        yield handle
        return
    rowno = 0
    with handle:
        try:
            for rowno, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError:
                    yield DocError(
                        f"{file_id}#{rowno}", "read", f"row {rowno}: not JSON", str(path)
                    )
                    continue
                if not isinstance(row, dict):
                    yield DocError(
                        f"{file_id}#{rowno}", "read", f"row {rowno}: not a JSON object", str(path)
                    )
                    continue
                yield _row_document(row, rowno, file_id, path, max_bytes)
        except (UnicodeDecodeError, OSError) as exc:
            yield DocError(
                file_id, "read", _short(f"row {rowno + 1}: undecodable: {exc}"), str(path)
            )


def _read_csv(path: Path, file_id: str, max_bytes: int) -> Iterator[RawDocument | DocError]:
    handle = _open_table(path, file_id)
    if isinstance(handle, DocError):
        yield handle
        return
    if csv.field_size_limit() < max_bytes:  # a document is one cell
        csv.field_size_limit(max_bytes)
    rowno = 0
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = [(h or "").strip().lstrip("\ufeff") for h in (reader.fieldnames or [])]
            if "text" not in header:
                yield DocError(file_id, "read", "no text column", str(path))
                return
            reader.fieldnames = header
            for rowno, row in enumerate(reader, start=1):
                yield _row_document(row, rowno, file_id, path, max_bytes)
        except (csv.Error, UnicodeDecodeError, OSError) as exc:
            yield DocError(file_id, "read", _short(f"row {rowno + 1}: {exc}"), str(path))


def _read_parquet(path: Path, file_id: str, max_bytes: int) -> Iterator[RawDocument | DocError]:
    import pyarrow.parquet as pq  # imported on first need

    try:
        if path.stat().st_size == 0:
            yield DocError(file_id, "read", "empty file", str(path))
            return
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        yield DocError(file_id, "read", _short(f"not a readable parquet file: {exc}"), str(path))
        return
    names = set(parquet.schema_arrow.names)
    if "text" not in names:
        yield DocError(file_id, "read", "no text column", str(path))
        return
    rowno = 0
    try:
        columns = [c for c in ROW_FIELDS if c in names]
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH, columns=columns):
            for row in batch.to_pylist():
                rowno += 1
                yield _row_document(row, rowno, file_id, path, max_bytes)
    except Exception as exc:  # a corrupt row group ends this file only
        yield DocError(file_id, "read", _short(f"row {rowno + 1}: {exc}"), str(path))


def _read_file(path: Path, file_id: str, max_bytes: int) -> Iterable[RawDocument | DocError]:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return (_read_text_file(path, file_id, max_bytes),)
    if suffix in HTML_SUFFIXES:
        return (_read_html_file(path, file_id, max_bytes),)
    if suffix == ".jsonl":
        return _read_jsonl(path, file_id, max_bytes)
    if suffix == ".csv":
        return _read_csv(path, file_id, max_bytes)
    if suffix == ".parquet":
        return _read_parquet(path, file_id, max_bytes)
    return (DocError(file_id, "read", f"unsupported file type: {suffix or 'none'}", str(path)),)


def _supported(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES or suffix in TABLE_SUFFIXES


def iter_documents(
    inputs: Sequence[Path | str],
    *,
    manifest: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[RawDocument | DocError]:
    """Stream the documents of files and folders, in input order then sorted path order.

    Args:
        inputs: files (`.txt`, `.html`, `.htm`, `.jsonl`, `.csv`, `.parquet`) and
            folders (walked recursively; other extensions and hidden entries skipped).
        manifest: a CSV with columns `doc_id,file,title,source,published,city` (and optionally `url`)
            whose values fill (and win over) the documents' own metadata. A
            `manifest.csv` at the root of an input folder is used for that folder.
        max_bytes: larger text/HTML files (or table cells) are a `DocError`.

    Yields:
        A `RawDocument` per document, or a `DocError` (stage `read`) for input
        that cannot be read; never raises for bad input.
    """
    explicit: list[_Manifest] = []
    skip: set[Path] = set()
    if manifest is not None:
        manifest = Path(manifest)
        skip.add(manifest.resolve())
        try:
            explicit.append(_load_manifest(manifest))
        except _ManifestError as exc:
            yield DocError(manifest.stem, "read", _short(f"bad manifest: {exc}"), str(manifest))
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            manifests = list(explicit)
            local = path / MANIFEST_NAME
            if local.is_file():
                skip.add(local.resolve())
                try:
                    manifests.append(_load_manifest(local))
                except _ManifestError as exc:
                    yield DocError(local.stem, "read", _short(f"bad manifest: {exc}"), str(local))
            for found in _walk(path):
                if isinstance(found, DocError):
                    yield found
                    continue
                if not _supported(found) or found.resolve() in skip:
                    continue
                rel = found.relative_to(path).as_posix()
                for doc in _read_file(found, _file_id(found, path), max_bytes):
                    yield doc if isinstance(doc, DocError) else _apply(doc, manifests, rel)
        elif path.exists() or path.is_symlink():
            for doc in _read_file(path, _file_id(path, None), max_bytes):
                yield doc if isinstance(doc, DocError) else _apply(doc, explicit, path.name)
        else:
            yield DocError(path.stem or str(path), "read", "no such file or directory", str(path))
