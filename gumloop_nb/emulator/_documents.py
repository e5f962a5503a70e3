"""Text of uploaded documents (for the Brain): plain text, Markdown, CSV/TSV, JSON, HTML, PDF, DOCX.

``extract_text(name, data)`` returns ``(text, media_type, problem)``: the searchable text, the
media type decided from the name and content, and ``None`` or a sentence when the file is kept
but no text could be read (it is then findable by its name only). Unsupported kinds raise
``UnsupportedDocument`` with a sentence (the upload lists such a file under ``rejected``).

PDF text comes from pypdf when it is installed; otherwise it is read from the page content
streams (``Tj``/``TJ`` strings, Flate-compressed or not). That covers PDFs written by ordinary tools with standard fonts; scanned pages (images) or
fonts with custom encodings give no text, which is reported, not guessed.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
import zlib

__all__ = ["UnsupportedDocument", "chunks", "extract_text"]

_TEXT_SUFFIXES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".json": "application/json",
    ".jsonl": "application/jsonl",
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".rst": "text/x-rst",
    ".log": "text/plain",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
}
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class UnsupportedDocument(ValueError):
    """The file is not a kind of document the Brain can read."""


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def extract_text(name: str, data: bytes) -> tuple[str, str, str | None]:
    """``(text, media_type, problem)`` for an uploaded file (see the module doc)."""
    if not data:
        raise UnsupportedDocument("The file is empty.")
    suffix = _suffix(name)
    if data.startswith(b"%PDF-") or suffix == ".pdf":
        text = _pdf_text(data)
        problem = None if text.strip() else "No text could be read from this PDF (scanned?)."
        return text, "application/pdf", problem
    if suffix == ".docx" or (data.startswith(b"PK") and suffix in ("", ".docx")):
        return _docx_text(data), _DOCX, None
    if suffix in _TEXT_SUFFIXES or (not suffix and _looks_textual(data)):
        text = _decode(data)
        media = _TEXT_SUFFIXES.get(suffix, "text/plain")
        if media == "text/html":
            text = _strip_tags(text)
        elif media == "application/json":
            text = _json_text(text)
        return text, media, None
    raise UnsupportedDocument(
        f"Files of type '{suffix or 'unknown'}' cannot be indexed; upload text, Markdown, CSV, "
        "JSON, HTML, PDF or DOCX."
    )


def _looks_textual(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" not in sample and _decode(sample).count("\ufffd") <= len(sample) // 100


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


def _strip_tags(text: str) -> str:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def _json_text(text: str) -> str:
    """Keys and values of a JSON document as lines (falls back to the raw text)."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    lines: list[str] = []
    stack = [("", value)]
    while stack and len(lines) < 100_000:
        path, node = stack.pop()
        if isinstance(node, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((path, v) for v in node)
        else:
            lines.append(f"{path}: {node}")
    return "\n".join(reversed(lines))


def _docx_text(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read("word/document.xml").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise UnsupportedDocument(f"This DOCX file cannot be opened ({exc}).") from None
    xml = re.sub(r"</w:p>", "\n", xml)
    return html.unescape(re.sub(r"<[^>]+>", "", xml))


_STREAM = re.compile(rb"<<(.*?)>>\s*stream\r?\n(.*?)\r?\nendstream", re.S)
_SHOW = re.compile(rb"\((?:\\.|[^\\)])*\)\s*(?:Tj|'|\")|\[(?:[^\]\\]|\\.)*\]\s*TJ|T\*|Td|TD|ET")
_STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\)")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _pdf_text(data: bytes) -> str:
    """The text of a PDF: with pypdf when it is installed, else from the content streams."""
    try:
        import pypdf  # optional: handles font encodings and more filters
    except ImportError:
        return _pdf_stream_text(data)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        return "\n".join((page.extract_text() or "") for page in reader.pages)
    except Exception:  # a damaged file: fall back to reading the streams directly
        return _pdf_stream_text(data)


def _pdf_stream_text(data: bytes) -> str:
    parts: list[str] = []
    for header, body in _STREAM.findall(data):
        if b"/FlateDecode" in header:
            try:
                body = zlib.decompress(body)
            except zlib.error:
                continue
        elif b"/Filter" in header:
            continue  # images and other encodings carry no text
        line: list[str] = []
        for op in _SHOW.findall(body):
            if op in (b"T*", b"Td", b"TD", b"ET"):
                if line:
                    parts.append("".join(line))
                    line = []
                continue
            for raw in _STRING.findall(op):
                line.append(_pdf_string(raw))
        if line:
            parts.append("".join(line))
    return "\n".join(p for p in parts if p.strip())


def _pdf_string(raw: bytes) -> str:
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i : i + 1]
        if c == b"\\" and i + 1 < len(raw):
            nxt = raw[i + 1 : i + 2]
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += 1 + len(octal.group())
                continue
            out += _ESCAPES.get(nxt, nxt)
            i += 2
            continue
        out += c
        i += 1
    return out.decode("latin-1")


def chunks(text: str, size: int = 800) -> list[str]:
    """The text in passages of about `size` characters, cut at paragraph or sentence ends."""
    text = text.strip()
    if not text:
        return []
    out: list[str] = []
    current = ""
    for piece in re.split(r"(?<=[.!?])\s+|\n{2,}", text):
        if current and len(current) + len(piece) + 1 > size:
            out.append(current)
            current = ""
        while len(piece) > size:
            out.append(piece[:size])
            piece = piece[size:]
        current = f"{current} {piece}".strip() if current else piece
    if current:
        out.append(current)
    return out
