"""Helpers every corpus format reader shares: building a size-checked :class:`Document`, telling text
from binary, cheap HTML head metadata, and a gzip stream that stops (and says why) at a broken tail.

Its own module so that :mod:`~mathforge.corpus.readers` (the dispatcher) can import the format modules
(:mod:`~mathforge.corpus.warc`, :mod:`~mathforge.corpus.records`, …) at the top while they import these
helpers, without an import cycle.
"""

from __future__ import annotations

import gzip
import html
import re
import zlib
from pathlib import Path
from typing import Any, BinaryIO

from mathforge.corpus.document import Document, ReadError, doc_id
from mathforge.corpus.encoding import BOMS


def _one_line(s: str, limit: int = 200) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _doc(
    src: str, n: int, text: str, kind: str, meta: dict[str, Any], max_doc_bytes: int, where: str = ""
) -> Document | ReadError:
    doc = Document(
        id=doc_id(src, n),
        text=text,
        source=f"{src}#{n}" if n else src,
        kind=kind,
        meta=meta,
    )
    size = doc.nbytes()
    if size > max_doc_bytes:
        at = f"{where}: " if where else ""
        return ReadError(
            src, f"{at}document of {size} bytes exceeds max_doc_bytes ({max_doc_bytes}); skipped"
        )
    doc.sizes["read"] = size
    return doc


def _too_big(src: str, size: int, max_doc_bytes: int, where: str = "") -> ReadError:
    at = f"{where}: " if where else ""
    return ReadError(
        src,
        f"{at}document of {size} bytes exceeds max_doc_bytes ({max_doc_bytes}); skipped unread "
        "(split the file or raise max_doc_bytes)",
    )


_MAGIC = (
    (b"\x1f\x8b", "gzip data"),
    (b"PK\x03\x04", "a zip archive"),
    (b"%PDF", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an ELF binary"),
    (b"(\xb5/\xfd", "zstd data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"PAR1", "a Parquet file"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _binary_reason(data: bytes) -> str | None:
    """Why ``data`` is not text (None when it looks like text)."""
    head = data[:8192]
    if any(head.startswith(bom) for bom, _ in BOMS):
        return None
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"content is {what}"
    nul = head.count(0)
    if nul:
        return f"{nul} NUL bytes in the first {len(head)} bytes"
    ctrl = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if ctrl > max(8, len(head) // 20):
        return f"{ctrl} control bytes in the first {len(head)} bytes"
    return None


_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_HTML_LANG = re.compile(r"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*)""", re.I)
_META_LANG = re.compile(
    r"""<meta\b[^>]*?http-equiv\s*=\s*["']?content-language["']?[^>]*?content\s*=\s*["']?([^"'>]+)""", re.I
)
_CANONICAL = re.compile(
    r"""<link\b[^>]*?rel\s*=\s*["']?canonical["']?[^>]*?href\s*=\s*["']([^"']+)["']"""
    r"""|<meta\b[^>]*?property\s*=\s*["']og:url["'][^>]*?content\s*=\s*["']([^"']+)["']""",
    re.I,
)


def _html_meta(text: str) -> dict[str, Any]:
    """Title and language hints from the head of an HTML page (cheap regexes; no parse)."""
    head = text[:65536]
    meta: dict[str, Any] = {}
    m = _TITLE.search(head)
    if m:
        title = _one_line(html.unescape(re.sub(r"<[^>]+>", " ", m.group(1))), 300)
        if title:
            meta["title"] = title
    m = _HTML_LANG.search(head)
    if m:
        meta["html_lang"] = m.group(1)
    m = _META_LANG.search(head)
    if m:
        meta["content_language"] = m.group(1).strip()
    m = _CANONICAL.search(head)
    if m:
        meta["canonical_url"] = html.unescape(m.group(1) or m.group(2))
    return meta


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in head or b"<body" in head


def _read_small(path: Path, src: str, max_bytes: int, max_doc_bytes: int) -> bytes | ReadError:
    size = path.stat().st_size
    if size > max_bytes:
        return _too_big(src, size, max_doc_bytes)
    return path.read_bytes()


class _GzipGuard:
    """A gzip stream that ends (instead of raising) at a truncated or corrupt tail, and says so."""

    def __init__(self, raw: BinaryIO) -> None:
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self.failure = ""
        self.delivered = 0

    def _guarded(self, fn, n: int) -> bytes:
        if self.failure:
            return b""
        try:
            data = fn(n)
        except EOFError:
            self.failure = "gzip stream is truncated (ends before its end-of-stream marker)"
            return b""
        except (OSError, zlib.error) as exc:  # BadGzipFile is an OSError
            self.failure = f"gzip stream is corrupt ({_one_line(str(exc), 80)})"
            return b""
        self.delivered += len(data)
        return data

    def read(self, n: int = -1) -> bytes:
        return self._guarded(self._gz.read, n)

    def readline(self, n: int = -1) -> bytes:
        return self._guarded(self._gz.readline, n)

    def tell(self) -> int:
        return self.delivered

    def close(self) -> None:
        self._gz.close()


class _Counting:
    """Plain file with the same interface as :class:`_GzipGuard` (``failure`` is never set)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.failure = ""
        self.delivered = 0

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self.delivered += len(data)
        return data

    def readline(self, n: int = -1) -> bytes:
        data = self._raw.readline(n)
        self.delivered += len(data)
        return data

    def tell(self) -> int:
        return self.delivered

    def close(self) -> None:
        pass


def _open_stream(raw: BinaryIO, path: Path) -> _GzipGuard | _Counting:
    return _GzipGuard(raw) if path.name.lower().endswith(".gz") else _Counting(raw)
