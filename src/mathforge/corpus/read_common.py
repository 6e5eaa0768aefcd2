"""Helpers every corpus format reader shares: building a size-checked :class:`Document`, telling text
from binary, cheap HTML head metadata, a gzip stream that stops (and says why) at a broken tail, and a
gzip reader that goes member by member and reads around damaged members.

NUL bytes are decided one way for every reader, per record: U+0000 is removed from a document's text
(and its meta strings) and counted in ``meta["nul_chars_removed"]``; it never reaches a document. A
record is refused as binary only by its magic bytes or when control bytes (NULs among them) are more
than 5% of the whole record — never because of a NUL somewhere in the first kilobytes of a file.

Its own module so that :mod:`~mathforge.corpus.readers` (the dispatcher) can import the format modules
(:mod:`~mathforge.corpus.warc`, :mod:`~mathforge.corpus.records`, …) at the top while they import these
helpers, without an import cycle.
"""

from __future__ import annotations

import gzip
import html
import mmap
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
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
    text = _strip_nul(text, meta)
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


def _strip_nul(text: str, meta: dict[str, Any]) -> str:
    """``text`` without NUL characters; the number removed (text and meta strings) is added to
    ``meta["nul_chars_removed"]``, and meta strings lose theirs too."""
    removed = text.count("\x00")
    if removed:
        text = text.replace("\x00", "")
    for k, v in list(meta.items()):
        if k != "nul_chars_removed":
            v, k_removed = _scrub(v)
            meta[k] = v
            removed += k_removed
    if removed:
        meta["nul_chars_removed"] = meta.get("nul_chars_removed", 0) + removed
    return text


def _scrub(v: Any) -> tuple[Any, int]:
    if isinstance(v, str):
        k = v.count("\x00")
        return (v.replace("\x00", ""), k) if k else (v, 0)
    if isinstance(v, dict):
        total = 0
        for key in list(v):
            v[key], k = _scrub(v[key])
            total += k
        return v, total
    if isinstance(v, list):
        total = 0
        for i, x in enumerate(v):
            v[i], k = _scrub(x)
            total += k
        return v, total
    return v, 0


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
    """Why ``data`` (one whole record or file) is not text; None when it looks like text.

    Binary by magic bytes, or by control bytes (NUL included) making up more than 5% of all of it. A
    few NULs in otherwise good text are not a reason: the document builder removes and counts them.
    """
    if any(data.startswith(bom) for bom, _ in BOMS):
        return None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return f"content is {what}"
    ctrl = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if ctrl > max(8, len(data) // 20):
        nul = data.count(0)
        of_them = f", {nul} of them NUL" if nul else ""
        return f"{ctrl} control bytes{of_them} in {len(data)} bytes"
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


# ---------------------------------------------------------------- gzip, member by member

_GZIP_MAGIC = b"\x1f\x8b\x08"  # ID1, ID2 and CM=deflate: how every gzip member starts
_MEMBER_HOLD = 64 << 20  # a member's output is held back (and dropped whole if it breaks) up to this size
_IN_CHUNK = 64 << 10  # compressed bytes fed per call
_IN_FINE = 1 << 10  # after an error, the failed call's input is decoded again in pieces of this size
_OUT_MAX = 8 << 20  # decompressed bytes per call (a bomb is read in pieces, not at once)
_PADDING_MAX = 1 << 20  # zero bytes after the last member are padding up to this size


@dataclass
class GzipLoss:
    """A stretch of a gzip file that could not be decoded, and where decoding resumed."""

    kind: str  # "truncated" (the file ends inside a member), "corrupt" (bad deflate data or check), "junk"
    start: int  # file offset of the broken member (or of the first byte that is not gzip data)
    end: int | None  # file offset of the member where decoding resumed; None: nothing decodable after it
    at_out: int  # offset in the decompressed stream where the lost data would have been
    record: bool  # the lost data begins a record (a whole member of a one-record-per-member file)
    detail: str = ""  # the decoder's message
    salvaged: bool = False  # complete records decoded from the broken member before its damage were kept


def _decode_until_error(d: Any, data: bytes) -> bytes:
    """What ``d`` decodes from ``data`` before the error, fed in small pieces (``d`` is used up)."""
    out: list[bytes] = []
    try:
        for i in range(0, len(data), _IN_FINE):
            out.append(d.decompress(data[i : i + _IN_FINE]))
    except zlib.error:
        pass
    return b"".join(out)


class _Broken(Exception):
    def __init__(self, kind: str, detail: str, partial: bytes, streamed: bool) -> None:
        super().__init__(kind)
        self.kind, self.detail, self.partial, self.streamed = kind, detail, partial, streamed


class GzipMembers:
    """A ``.gz`` file decompressed one gzip member at a time, read around damaged members.

    ``read(n)``/``tell()`` like a file, so a parser (FastWARC's) can stream from it. Each member's output
    is held until the member's CRC and length check pass, then handed on; a member that is truncated
    or corrupt is dropped whole (its records would be half records) except for complete records before
    its damage, found by the ``record_start`` marker (``b"\\nWARC/"`` for WARC files), and decoding
    resumes at the next gzip member header that decodes. A member bigger than ``_MEMBER_HOLD`` (a file
    compressed as one stream) is handed on as it decodes, so memory stays bounded; damage in it ends
    what can be read of it. Bytes that are not gzip data between members are skipped the same way.
    Every loss is kept in ``losses`` (file offset, decompressed offset, why) for the caller to report.

    Why not a stock reader: ``gzip.GzipFile`` and FastWARC's ``GzipReader`` stop at the first bad member
    (everything after it is lost), and decode in large blocks, so the complete records decoded in the
    same block as the damage are lost too; FastWARC's reader even ends a truncated file without an error.
    """

    def __init__(self, raw: BinaryIO, record_start: bytes = b"") -> None:
        size = raw.seek(0, 2)
        raw.seek(0)
        self._mm: mmap.mmap | None = mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        self.size = size
        self.losses: list[GzipLoss] = []
        self.produced = 0  # decompressed bytes handed on, or about to be
        self.delivered = 0  # decompressed bytes read by the consumer
        self.failure = ""  # for the interface of _GzipGuard; losses say more
        self._record_start = record_start
        self._next = 0
        self._blocks_it = self._blocks()
        self._buf = b""
        self._off = 0

    def _member(self, start: int) -> Iterator[bytes]:
        """Output of the member at ``start``; sets ``self._next`` to the offset after it."""
        assert self._mm is not None
        mm, size = self._mm, self.size
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pos = start
        held: list[bytes] = []
        n_held = 0
        streamed = False
        data = b""
        while True:
            saved = d.copy() if len(data) > _IN_FINE else None
            try:
                out = d.decompress(data, _OUT_MAX)
            except zlib.error as exc:
                # zlib drops the output of a call that fails: decode that input again in small pieces
                # from the state before it, to keep what precedes the damage
                if saved is not None:
                    held.append(_decode_until_error(saved, data))
                raise _Broken("corrupt", str(exc), b"".join(held), streamed) from None
            data = d.unconsumed_tail
            if out:
                if streamed:
                    yield out
                else:
                    held.append(out)
                    n_held += len(out)
                    if n_held > _MEMBER_HOLD:
                        streamed = True
                        yield from held
                        held = []
            if d.eof:
                self._next = pos - len(d.unused_data)
                if held:
                    yield b"".join(held)
                return
            if not data and len(out) < _OUT_MAX:  # the decoder wants more input
                if pos >= size:
                    raise _Broken("truncated", "", b"".join(held), streamed)
                data = mm[pos : pos + _IN_CHUNK]
                pos += len(data)

    def _blocks(self) -> Iterator[bytes]:
        mm, size = self._mm, self.size
        if mm is None:
            return
        pos = 0
        pending: GzipLoss | None = None  # the damaged stretch being skipped
        # FLG, MTIME, XFL and OS of the first good member: a writer gives all its members the same ones
        header: bytes | None = None
        while pos < size:
            if mm[pos : pos + 3] != _GZIP_MAGIC:
                nxt = mm.find(_GZIP_MAGIC, pos + 1)
                if pending is None:
                    if nxt < 0 and size - pos <= _PADDING_MAX and not mm[pos:size].strip(b"\x00"):
                        return  # zero padding after the last member
                    pending = GzipLoss("junk", pos, None, self.produced, record=False)
                if nxt < 0:
                    break
                pos = nxt
                continue
            try:
                for block in self._member(pos):
                    if pending is not None:
                        self._lose(pending, pos)
                        pending = None
                    self.produced += len(block)
                    yield block
            except _Broken as b:
                if pending is None:  # a member that started well and broke
                    rest, salvaged = b.partial, False
                    if not b.streamed and self._record_start:
                        cut = b.partial.rfind(self._record_start) + 1
                        if cut > 0:
                            rest, salvaged = b.partial[cut:], True
                            self.produced += cut
                            yield b.partial[:cut]
                    record = not b.streamed and (
                        not rest or not self._record_start or rest.startswith(self._record_start[1:])
                    )
                    pending = GzipLoss(b.kind, pos, None, self.produced, record, b.detail, salvaged)
                elif mm[pos + 3 : pos + 10] == header or (
                    self._record_start and b.partial.startswith(self._record_start[1:])
                ):
                    # A real member (the same header fields as the good ones, or it began a record),
                    # broken right after other damage: its own loss, so records keep their numbers.
                    self._lose(pending, pos)
                    pending = GzipLoss(b.kind, pos, None, self.produced, bool(self._record_start), b.detail)
                # else: a false member header inside the damage; skip on
                nxt = mm.find(_GZIP_MAGIC, pos + 1)
                if nxt < 0:
                    break
                pos = nxt
                continue
            if pending is not None:  # an empty member ended the damaged stretch
                self._lose(pending, pos)
                pending = None
            if header is None:
                header = mm[pos + 3 : pos + 10]
            pos = self._next
        if pending is not None:
            self._lose(pending, None)

    def _lose(self, loss: GzipLoss, end: int | None) -> None:
        loss.end = end
        self.losses.append(loss)

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            parts = [self._buf[self._off :], *self._blocks_it]
            self._buf, self._off = b"", 0
            out = b"".join(parts)
            self.delivered += len(out)
            return out
        while self._off >= len(self._buf):
            nxt = next(self._blocks_it, None)
            if nxt is None:
                return b""
            self._buf, self._off = nxt, 0
        if self._off == 0 and len(self._buf) <= n:
            out, self._buf = self._buf, b""
        else:
            out = self._buf[self._off : self._off + n]
            self._off += len(out)
        self.delivered += len(out)
        return out

    def tell(self) -> int:
        return self.delivered

    def close(self) -> None:
        self._blocks_it.close()
        if self._mm is not None:
            self._mm.close()
            self._mm = None
