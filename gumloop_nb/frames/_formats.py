"""Recognise and read artifact bytes: CSV, TSV, JSON, JSON lines, Parquet, Excel, text, binary.

The format is chosen from, in order: ``format=`` (the caller's word, never second-guessed), the
declared media type, the filename extension, and finally the content itself. When the declared
type is contradicted by the content (a ``.parquet`` that is really CSV, a ``text/csv`` that is
JSON) the content wins and a :class:`FrameWarning` says what was declared and what was read; when
no reading fits, a :class:`FrameError` says what was found and which ``format=``/``encoding=`` to
pass. Other files come back as ``str`` (text) or ``bytes`` (binary).
"""

# pandas ships without type stubs (pandas-stubs is not a dependency): pyright reads its inline
# annotations; the few calls whose results stay unknown carry a narrow ignore.
# pyright: reportMissingTypeStubs=false

from __future__ import annotations

import csv
import io
import json
import warnings
import zipfile
from typing import TYPE_CHECKING, Any

from ._decode import loads, value_to_table
from ._errors import FrameError, FrameWarning, MissingDependencyError
from ._flatten import columns_to_frame, flatten_records
from ._limits import DEFAULT_MAX_CELLS, DEFAULT_MAX_COLUMNS, frame_limits

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMATS", "declared_format", "parse_artifact", "sniff_format"]

FORMATS = ("csv", "tsv", "json", "jsonl", "parquet", "excel", "text", "bytes")
_TEXT_FORMATS = ("csv", "tsv", "json", "jsonl", "text")

_MEDIA_TYPES = {
    "text/csv": "csv",
    "application/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "text/json": "json",
    "application/x-ndjson": "jsonl",
    "application/ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/jsonlines": "jsonl",
    "application/vnd.apache.parquet": "parquet",
    "application/x-parquet": "parquet",
    "application/parquet": "parquet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "excel",
    "application/vnd.ms-excel": "excel",
    "text/markdown": "text",
    "text/html": "text",
    "application/xml": "text",
    "text/xml": "text",
    "application/pdf": "bytes",
}
# Media types too vague to decide on: the extension (then the content) decides instead.
_GENERIC_MEDIA = {
    "",
    "application/octet-stream",
    "binary/octet-stream",
    "text/plain",
    "application/zip",
    "application/x-zip-compressed",
}
_EXTENSIONS = {
    "csv": "csv",
    "tsv": "tsv",
    "tab": "tsv",
    "json": "json",
    "jsonl": "jsonl",
    "ndjson": "jsonl",
    "parquet": "parquet",
    "pq": "parquet",
    "xlsx": "excel",
    "xlsm": "excel",
    "xls": "excel",
    "txt": "text",
    "md": "text",
    "log": "text",
    "html": "text",
    "xml": "text",
    "yaml": "text",
    "yml": "text",
}
_LABELS = {
    "csv": "CSV",
    "tsv": "TSV",
    "json": "JSON",
    "jsonl": "JSON lines",
    "parquet": "Parquet",
    "excel": "Excel",
    "text": "text",
    "bytes": "binary data",
}


# --- format detection -------------------------------------------------------------------------


def declared_format(media_type: str | None, filename: str | None) -> tuple[str | None, str]:
    """The format the metadata claims, and a phrase saying where the claim came from."""
    mt = (media_type or "").split(";")[0].strip().lower()
    if mt and mt not in _GENERIC_MEDIA:
        if mt in _MEDIA_TYPES:
            return _MEDIA_TYPES[mt], f"media type {mt}"
        if mt.startswith(("image/", "audio/", "video/", "font/")):
            return "bytes", f"media type {mt}"
        if mt.startswith("text/"):
            return "text", f"media type {mt}"
    if filename and "." in filename:
        ext = filename.rsplit(".", 1)[-1].lower()
        if ext in _EXTENSIONS:
            return _EXTENSIONS[ext], f"extension .{ext}"
    if mt == "text/plain":
        return "text", "media type text/plain"
    return None, "nothing"


def _head_text(data: bytes, encoding: str | None) -> str | None:
    """The first 64 KiB as text, or None when it is not text in ``encoding`` (UTF-8 default)."""
    head = data[:65536]
    if b"\x00" in head:
        return None
    try:
        return head.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        if encoding is None and len(data) > len(head) and exc.start >= len(head) - 3:
            return head[: exc.start].decode("utf-8-sig")  # a character cut at the 64 KiB mark
        return None
    except LookupError:
        raise FrameError(f"Unknown encoding {encoding!r}; pass a Python codec name.") from None


def sniff_format(data: bytes, encoding: str | None = None) -> tuple[str, str | None]:
    """Guess the format from the bytes alone: ``(format, csv_separator)``."""
    if data.startswith(b"PAR1"):
        return "parquet", None
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "excel", None
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if any(n.startswith("xl/") for n in zf.namelist()):
                    return "excel", None
        except zipfile.BadZipFile:
            pass
        return "bytes", None
    head = _head_text(data, encoding)
    if head is None:
        return "bytes", None
    s = head.strip()
    if not s:
        return "text", None
    if s[0] in "{[":
        lines = [ln for ln in s.splitlines() if ln.strip()]
        if len(lines) > 1 and lines[0].lstrip().startswith("{"):
            complete = lines if len(data) <= 65536 else lines[:-1]
            try:
                for ln in complete[:20]:
                    loads(ln)
                return "jsonl", None
            except ValueError:
                pass
        return "json", None
    lines = s.splitlines()[:20]
    if len(data) > 65536 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    sample = "\n".join(lines)
    for sep in ("\t", ",", ";", "|"):
        if sep not in sample:
            continue
        try:  # the csv module understands quoting ("a, b" is one field)
            widths = {len(row) for row in csv.reader(io.StringIO(sample), delimiter=sep) if row}
        except csv.Error:
            continue
        if len(widths) == 1 and min(widths) >= 2:
            return ("tsv" if sep == "\t" else "csv"), sep
    return "text", None


def _compatible(declared: str, sniffed: str) -> bool:
    if declared in ("parquet", "excel"):
        return sniffed == declared
    if declared in ("csv", "tsv"):
        return sniffed in ("csv", "tsv", "text")
    if declared in ("json", "jsonl"):
        return sniffed in ("json", "jsonl")
    return True  # text (already known to decode) and binary: hand back as declared  # declared binary: hand back the bytes as they are


# --- parsing ----------------------------------------------------------------------------------


def parse_artifact(
    data: bytes,
    *,
    filename: str | None = None,
    media_type: str | None = None,
    format: str | None = None,
    encoding: str | None = None,
    max_columns: int | None = DEFAULT_MAX_COLUMNS,
    max_cells: int | None = DEFAULT_MAX_CELLS,
) -> pd.DataFrame | str | bytes:
    """Read downloaded artifact bytes: a DataFrame for tables, ``str`` for text, else ``bytes``.

    >>> parse_artifact(b"a,b\\n1,2\\n", filename="t.csv").shape
    (1, 2)

    ``max_columns``/``max_cells`` bound the frame built from JSON records whose keys differ from
    row to row (see :func:`records_to_dataframe`); ``None`` switches a limit off.
    """
    with frame_limits(max_columns, max_cells):
        return _parse_artifact(data, filename, media_type, format, encoding)


def _parse_artifact(
    data: bytes,
    filename: str | None,
    media_type: str | None,
    format: str | None,
    encoding: str | None,
) -> pd.DataFrame | str | bytes:
    name = repr(filename) if filename else "(unnamed)"
    if format is not None:
        fmt = format.lower()
        if fmt in ("xlsx", "xls"):
            fmt = "excel"
        if fmt in ("ndjson",):
            fmt = "jsonl"
        if fmt not in FORMATS:
            raise FrameError(f"Unknown format {format!r}; use one of: {', '.join(FORMATS)}.")
        return _parse(data, fmt, None, encoding=encoding, name=name)
    declared, source = declared_format(media_type, filename)
    sniffed, sep = sniff_format(data, encoding)
    if declared is None:
        return _parse(data, sniffed, sep, encoding=encoding, name=name)
    if declared in _TEXT_FORMATS and sniffed == "bytes":
        _raise_not_text(data, declared, source, name, encoding)
    if _compatible(declared, sniffed):
        return _parse(
            data, declared, sep if declared == sniffed else None, encoding=encoding, name=name
        )
    try:
        result = _parse(data, sniffed, sep, encoding=encoding, name=name)
    except FrameError:
        # It only looked like something else (a CSV whose first cell starts with "["): the
        # declaration gets its chance, and its error if that fails too.
        return _parse(data, declared, None, encoding=encoding, name=name)
    warnings.warn(
        f"Artifact {name} is declared as {_LABELS[declared]} ({source}) but its content looks "
        f"like {_LABELS[sniffed]}; read it as {_LABELS[sniffed]}. Pass format='{declared}' to "
        "insist on the declared type.",
        FrameWarning,
        stacklevel=3,
    )
    return result


def _raise_not_text(
    data: bytes, declared: str, source: str, name: str, encoding: str | None
) -> None:
    enc = encoding or "utf-8"
    try:
        data.decode(enc)
        detail = "it contains NUL bytes (binary data)"
    except UnicodeDecodeError as exc:
        detail = f"it is not valid {enc} (byte {exc.start}: {data[exc.start : exc.start + 1]!r})"
    raise FrameError(
        f"Artifact {name} is declared as {_LABELS[declared]} ({source}) but {detail}. "
        "Pass encoding='latin-1' (or the right encoding) if it is text in another encoding, "
        "or format='bytes' to get the raw bytes."
    )


def _text(data: bytes, encoding: str | None, name: str, fmt: str) -> str:
    enc = encoding or "utf-8-sig"
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise FrameError(
            f"Artifact {name} cannot be read as {_LABELS[fmt]}: it is not valid "
            f"{encoding or 'UTF-8'} (byte {exc.start}: {data[exc.start : exc.start + 1]!r}). "
            "Pass encoding='latin-1' (or the right encoding), or format='bytes' for the raw bytes."
        ) from None
    except LookupError:
        raise FrameError(f"Unknown encoding {encoding!r}; pass a Python codec name.") from None


def _parse(
    data: bytes, fmt: str, sep: str | None, *, encoding: str | None, name: str
) -> pd.DataFrame | str | bytes:
    import pandas as pd

    if fmt == "bytes":
        return data
    if fmt == "parquet":
        try:
            return pd.read_parquet(io.BytesIO(data))  # pyright: ignore[reportUnknownMemberType]
        except ImportError:
            raise MissingDependencyError(
                f"Reading the Parquet artifact {name} needs pyarrow, which is not installed: "
                'pip install "gumloop_nb[formats]"'
            ) from None
        except Exception as exc:  # pyarrow raises its own error types
            raise FrameError(
                f"Artifact {name} could not be read as Parquet ({type(exc).__name__}: {exc}). "
                "Pass format='bytes' to get the raw bytes."
            ) from exc
    if fmt == "excel":
        engine = "xlrd" if data.startswith(b"\xd0\xcf\x11\xe0") else "openpyxl"
        try:
            return pd.read_excel(io.BytesIO(data), engine=engine)  # pyright: ignore[reportUnknownMemberType]
        except ImportError:
            # openpyxl comes with the formats extra; legacy .xls files need xlrd on top.
            how = (
                'pip install "gumloop_nb[formats]"' if engine == "openpyxl" else "pip install xlrd"
            )
            raise MissingDependencyError(
                f"Reading the Excel artifact {name} needs {engine}, which is not installed: {how}"
            ) from None
        except Exception as exc:  # openpyxl/zipfile raise a variety of errors on bad files
            raise FrameError(
                f"Artifact {name} could not be read as Excel ({type(exc).__name__}: {exc}). "
                "Pass format='bytes' to get the raw bytes."
            ) from exc
    text = _text(data, encoding, name, fmt)
    if fmt == "text":
        return text
    if fmt in ("csv", "tsv"):
        return _read_csv(text, sep or ("\t" if fmt == "tsv" else ","), name, fmt)
    if fmt == "jsonl":
        return _read_jsonl(text, name)
    try:
        value = loads(text)
    except ValueError as exc:
        try:
            return _read_jsonl(text, name)  # several JSON documents, one per line
        except FrameError:
            pass
        where = (
            f" at line {exc.lineno}, column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise FrameError(
            f"Artifact {name} is not valid JSON ({getattr(exc, 'msg', exc)}{where}). "
            "Pass format='text' to get the raw text."
        ) from None
    return _value_frame(value)


def _read_csv(text: str, sep: str, name: str, fmt: str) -> pd.DataFrame:
    import pandas as pd

    if not text.strip():
        return pd.DataFrame()
    try:
        return pd.read_csv(io.StringIO(text), sep=sep)  # pyright: ignore[reportUnknownMemberType]
    except (pd.errors.ParserError, ValueError) as exc:
        raise FrameError(
            f"Artifact {name} could not be read as {_LABELS[fmt]}: {str(exc).strip()}. "
            "Pass format='text' to get the raw text and inspect it."
        ) from None


def _read_jsonl(text: str, name: str) -> pd.DataFrame:
    records: list[Any] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(loads(line))
        except ValueError as exc:
            raise FrameError(
                f"Line {lineno} of artifact {name} is not valid JSON "
                f"({getattr(exc, 'msg', exc)}). Pass format='text' to get the raw text."
            ) from None
    return columns_to_frame(flatten_records(records))


def _value_frame(value: Any) -> pd.DataFrame:
    table = value_to_table(value)
    cols = flatten_records(table.records)
    if cols.n == 0 and table.columns_hint:
        for name in table.columns_hint:
            cols.cols.setdefault((name,), [])
    for k, v in table.extras.items():
        cols.add_constant((k,), v)
    return columns_to_frame(cols)
