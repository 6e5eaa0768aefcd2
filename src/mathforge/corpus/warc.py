"""Reader for WARC web archives (``.warc``, ``.warc.gz``) → one ``warc`` :class:`Document` per page.

Keeps the HTTP-200 ``text/html`` response records, undoing chunked transfer coding and gzip/deflate/br
content coding, and decodes them to HTML text (extraction to plain text is a later step). Records are
parsed with FastWARC (the fast path, for plain and compressed files alike); gaps between where a record
should end (from its own headers) and where the next starts are reported as broken records, so a
damaged archive is read around, not abandoned.

A ``.warc.gz`` is decompressed by :class:`~mathforge.corpus.read_common.GzipMembers`, member by member
(a WARC writer makes each record its own gzip member), instead of by FastWARC's own gzip reader: that
one stops at the first corrupt member, losing every record after it, and ends a truncated file without
a word. Member by member, every complete record before a truncation is kept, a corrupt member costs
only its own record (reading resumes at the next gzip member, and FastWARC resumes at the next
``WARC/`` header inside the data), and each loss is reported with the file, the record number and the
byte offset of the member, e.g. ``record 7 at byte 52114: gzip member is corrupt (…)``. A lost member
counts as one record, so the records after it keep their numbers (and document ids).

Split from :mod:`~mathforge.corpus.readers` so that each input format has one module.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mathforge.corpus.document import Document, ReadError
from mathforge.corpus.encoding import decode_text
from mathforge.corpus.read_common import (
    GzipLoss,
    GzipMembers,
    _binary_reason,
    _Counting,
    _doc,
    _html_meta,
    _looks_like_html,
    _one_line,
    _strip_nul,
    _too_big,
)

_WARC_GAP_SLACK = 64  # bytes a WARC record may sit off its declared end before we call it broken


_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _read_warc(path: Path, src: str, max_doc_bytes: int) -> Iterator[Document | ReadError]:
    with path.open("rb") as raw:
        gz = path.name.lower().endswith(".gz")
        fh: GzipMembers | _Counting = GzipMembers(raw, record_start=b"\nWARC/") if gz else _Counting(raw)
        try:
            yield from _warc_records(fh, src, max_doc_bytes)
        finally:
            fh.close()


def _warc_records(
    fh: GzipMembers | _Counting, src: str, max_doc_bytes: int
) -> Iterator[Document | ReadError]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    records = ArchiveIterator(
        fh,
        record_types=WarcRecordType.any_type,
        parse_http=False,
        quirks_mode=True,  # LF-only headers, odd dates (ClueWeb and friends)
        auto_decode="none",  # we check the raw length first, then decode ourselves, tolerantly
        stream_detect=False,
    )
    losses: list[GzipLoss] = fh.losses if isinstance(fh, GzipMembers) else []
    size = fh.size if isinstance(fh, GzipMembers) else 0
    n = 0  # records so far, lost ones included
    reported = 0  # losses reported so far
    expected_end = 0  # where the previous record should have ended, by its own headers
    it = iter(records)

    def lost(upto: int | None) -> Iterator[ReadError]:
        nonlocal n, reported
        while reported < len(losses) and (upto is None or losses[reported].at_out <= upto):
            loss = losses[reported]
            reported += 1
            if loss.record:
                n += 1
            yield ReadError(src, _loss_reason(loss, n, size))

    while True:
        try:
            rec = next(it)
        except StopIteration:
            break
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # OSError, or a panic in the native parser
            yield from lost(None)
            yield ReadError(
                src,
                f"after record {n}: unreadable WARC data ({_one_line(str(exc), 120)}); rest of the file skipped",
            )
            return
        yield from lost(rec.stream_pos)
        n += 1
        gap = rec.stream_pos - expected_end
        if gap > _WARC_GAP_SLACK:
            yield ReadError(
                src,
                f"record {n}: {gap} bytes before it (offset {expected_end}) are not a valid WARC record; "
                "a broken record was skipped",
            )
        expected_end = rec.stream_pos + _warc_header_len(rec) + _declared_length(rec) + 4
        if rec.record_type != WarcRecordType.response:
            continue
        try:
            item = _warc_response(rec, src, n, max_doc_bytes)
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:
            item = ReadError(src, f"record {n}: broken WARC record ({_one_line(str(exc), 120)}); skipped")
        if item is not None:
            yield item
    tail = fh.delivered - expected_end
    yield from lost(None)
    if n == 0 and not losses:
        yield ReadError(src, "no WARC records found; is this really a WARC file?")
    elif tail > _WARC_GAP_SLACK and not (losses and losses[-1].end is None):
        yield ReadError(src, f"after record {n}: {tail} trailing bytes are not a valid WARC record; skipped")


def _loss_reason(loss: GzipLoss, n: int, size: int) -> str:
    """One line for a stretch of a .warc.gz that could not be decoded (``n``: records so far)."""
    if loss.record:
        where = (
            f"record {n} in the gzip member at byte {loss.start}"
            if loss.salvaged
            else f"record {n} at byte {loss.start}"
        )
    else:
        where = f"after record {n}"
    if loss.end is not None:
        then = f"skipped to the next gzip member at byte {loss.end}"
    else:
        then = f"no readable gzip member after it: the rest of the file ({size - loss.start} bytes) is lost"
    if loss.kind == "junk":
        if loss.start == 0 and loss.end is None:
            return "not gzip data (no gzip member in the file); is this really a .warc.gz file?"
        length = (loss.end if loss.end is not None else size) - loss.start
        return f"{where}: not gzip data: {length} bytes at byte {loss.start}; {then}"
    if loss.kind == "truncated":
        if loss.end is None:
            return (
                f"{where}: gzip member is truncated (the file ends {size - loss.start} bytes into it); "
                "re-download the file"
            )
        return f"{where}: gzip member is truncated (a new member starts inside it); {then}"
    return f"{where}: gzip member is corrupt ({_one_line(loss.detail, 80)}); {then}"


def _warc_header_len(rec: Any) -> int:
    # Serialized size of the WARC header block ("WARC/1.x" line, "Key: value" lines, blank line).
    return (
        len(b"WARC/1.0\r\n") + sum(len(k.encode()) + len(v.encode()) + 4 for k, v in rec.headers.items()) + 2
    )


def _declared_length(rec: Any) -> int:
    try:
        return max(0, int(rec.headers.get("Content-Length") or 0))
    except ValueError:
        return 0


def _warc_response(rec: Any, src: str, n: int, max_doc_bytes: int) -> Document | ReadError | None:
    """One response record → a Document (HTML, status 200), a ReadError, or None (not a page we keep)."""
    headers = rec.headers
    url = (headers.get("WARC-Target-URI") or "").strip().strip("<>")
    where = f"record {n} ({url or 'no URL'})"
    if not rec.is_http and not url.lower().startswith(("http:", "https:")):
        return None  # e.g. a dns: lookup stored as a response record
    try:
        rec.parse_http(auto_decode="none", quirks_mode=True)
    except OSError as exc:
        return ReadError(src, f"{where}: broken HTTP header ({_one_line(str(exc), 100)}); skipped")
    http = rec.http_headers
    if http is None or http.status_code is None:
        return ReadError(src, f"{where}: response record without a parseable HTTP status line; skipped")
    if http.status_code != 200:
        return None
    ctype = (rec.http_content_type or "").lower()
    if ctype and ctype not in _HTML_TYPES:
        return None
    remaining = rec.content_length
    if remaining > max_doc_bytes:
        rec.reader.consume()
        return _too_big(src, remaining, max_doc_bytes, where)
    data = rec.reader.read()
    if len(data) < remaining:
        return ReadError(src, f"{where}: payload truncated ({len(data)} of {remaining} bytes); skipped")
    if "chunked" in (http.get("Transfer-Encoding") or "").lower():
        data = _dechunk(data)
    encoding = (http.get("Content-Encoding") or "").strip().lower()
    if encoding and encoding != "identity":
        data = _decompress(data, encoding, max_doc_bytes)
        if isinstance(data, str):
            return ReadError(src, f"{where}: {data}; skipped")
    if not ctype and not _looks_like_html(data):
        return None
    why = _binary_reason(data)
    if why:
        return ReadError(src, f"{where}: payload labelled HTML is not text ({why}); skipped")
    text, meta = decode_text(data, declared=rec.http_charset, sniff_html=True)
    text = _strip_nul(text, meta)
    if not text.strip():
        return None
    info: dict[str, Any] = {"url": url, "date": (headers.get("WARC-Date") or "").strip()}
    record_id = (headers.get("WARC-Record-ID") or "").strip().strip("<>")
    if record_id:
        info["warc_record_id"] = record_id
    lang = (http.get("Content-Language") or "").strip()
    if lang:
        info["content_language"] = lang
    info.update(meta)
    for k, v in _html_meta(text).items():
        info.setdefault(k, v)
    return _doc(src, n, text, "warc", info, max_doc_bytes, where)


def _dechunk(data: bytes) -> bytes:
    """Undo HTTP chunked transfer coding; data that is not validly chunked is returned unchanged."""
    out = bytearray()
    i = 0
    while True:
        j = data.find(b"\n", i)
        if j < 0:
            return bytes(out) if out else data
        try:
            size = int(data[i:j].split(b";")[0].strip(), 16)
        except ValueError:
            return bytes(out) if out else data
        if size == 0:
            return bytes(out)
        out += data[j + 1 : j + 1 + size]
        i = j + 1 + size
        if data.startswith(b"\r\n", i):
            i += 2
        elif data.startswith(b"\n", i):
            i += 1


def _decompress(data: bytes, encoding: str, max_doc_bytes: int) -> bytes | str:
    """Undo an HTTP content coding; bytes on success (or when the crawler already decoded), else why not."""
    if encoding in ("gzip", "x-gzip", "deflate"):
        if encoding != "deflate" and not data.startswith(b"\x1f\x8b"):
            return data  # the crawler stored it decoded and left the header in place (ClueWeb does)
        for wbits in (16 + zlib.MAX_WBITS,) if encoding != "deflate" else (zlib.MAX_WBITS, -zlib.MAX_WBITS):
            d = zlib.decompressobj(wbits)
            try:
                out = d.decompress(data, max_doc_bytes + 1)
            except zlib.error:
                continue
            if len(out) > max_doc_bytes:
                return f"document of more than {max_doc_bytes} bytes after {encoding} decoding exceeds max_doc_bytes"
            return out
        return (
            data
            if encoding == "deflate" and _looks_like_html(data)
            else f"{encoding} content could not be decoded"
        )
    if encoding == "br":
        try:
            import brotli  # type: ignore[import-not-found]
        except ImportError:
            return data if _looks_like_html(data) else "brotli content and no brotli module to decode it"
        try:
            return brotli.decompress(data)
        except Exception:
            return data if _looks_like_html(data) else "br content could not be decoded"
    return data
