"""Readers for record files: JSON lines (``.jsonl``/``.ndjson``, gzipped or not), ``.json`` and Parquet.

Every record (line, array element, row) is one document: its ``text`` field, or a question+answer /
problem+solution pair rendered as kind ``exam``; the other fields go to ``meta``, made JSON-safe. Files
stream record by record, a bad record is a :class:`ReadError` and reading carries on, and a truncated
gzip tail ends the file with one error. Split from :mod:`~mathforge.corpus.readers` so that each input
format has one module.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from mathforge.corpus.document import Document, ReadError
from mathforge.corpus.encoding import decode_text
from mathforge.corpus.read_common import (
    _binary_reason,
    _Counting,
    _doc,
    _GzipGuard,
    _one_line,
    _open_stream,
    _too_big,
)

_EXAM_QUESTION = ("question", "problem")
_EXAM_ANSWER = ("solution", "answer")


def _valid_str(s: str) -> str:
    """``s`` with lone surrogates (JSON "\\ud800") replaced by U+FFFD: they cannot be written as UTF-8."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return s


def _jsonable(v: Any) -> Any:
    """Arrow/Python values → something ``json.dumps`` accepts (meta must serialize)."""
    if isinstance(v, str):
        return _valid_str(v)
    if v is None or isinstance(v, bool | int | float):
        return v
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, _dt.datetime | _dt.date | _dt.time):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, bytes | bytearray):
        return f"<{len(v)} bytes>"
    return str(v)


def _from_record(
    rec: Any, src: str, n: int, kind: str, max_doc_bytes: int, where: str
) -> Document | ReadError:
    if not isinstance(rec, dict):
        return ReadError(src, f"{where}: expected a JSON object, got {type(rec).__name__}; skipped")
    used: tuple[str, ...] = ("text",)
    text = rec.get("text")
    if text is None and "text" in rec:
        return ReadError(src, f"{where}: 'text' is null; skipped")
    if text is None:
        q = next((k for k in _EXAM_QUESTION if _is_value(rec.get(k))), None)
        a = next((k for k in _EXAM_ANSWER if _is_value(rec.get(k))), None)
        if q is None or a is None:
            fields = ", ".join(sorted(map(str, rec))[:12]) or "none"
            return ReadError(
                src,
                f"{where}: no 'text' field (nor question+answer / problem+solution); fields: {fields}; "
                "rename the text field to 'text'",
            )
        text = f"Question: {str(rec[q]).strip()}\nAnswer: {str(rec[a]).strip()}"
        kind, used = "exam", (q, a)
    elif not isinstance(text, str):
        return ReadError(src, f"{where}: 'text' is {type(text).__name__}, expected a string; skipped")
    if not text.strip():
        return ReadError(src, f"{where}: empty 'text'; skipped")
    text = _valid_str(text)
    meta = {k: _jsonable(v) for k, v in rec.items() if k not in used}
    return _doc(src, n, text, kind, meta, max_doc_bytes, where)


def _is_value(v: Any) -> bool:
    return (isinstance(v, str) and bool(v.strip())) or (
        isinstance(v, int | float) and not isinstance(v, bool)
    )


def _lines(fh: _GzipGuard | _Counting, cap: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, line or None when longer than ``cap``, size); an over-long line is skipped unread."""
    n = 0
    while True:
        line = fh.readline(cap + 1)
        if not line:
            return
        n += 1
        if len(line) > cap and not line.endswith(b"\n"):
            size = len(line)
            while True:
                chunk = fh.readline(1 << 20)
                size += len(chunk)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield n, None, size
        else:
            yield n, line, len(line)


def _line_cap(max_doc_bytes: int) -> int:
    # JSON escapes and the other fields make a line longer than its text; allow for that.
    return 2 * max_doc_bytes + (1 << 20)


def _read_jsonl(path: Path, src: str, max_doc_bytes: int) -> Iterator[Document | ReadError]:
    cap = _line_cap(max_doc_bytes)
    last = 0
    with path.open("rb") as raw:
        fh = _open_stream(raw, path)
        for n, line, size in _lines(fh, cap):
            last = n
            if line is None:
                yield _too_big(src, size, max_doc_bytes, f"line {n}")
                continue
            if not line.strip():
                continue
            yield _parse_line(line, src, n, max_doc_bytes)
        if fh.failure:
            yield ReadError(
                src,
                f"{fh.failure} after line {last}; later lines are lost (re-download or re-compress the file)",
            )


def _parse_line(line: bytes, src: str, n: int, max_doc_bytes: int) -> Document | ReadError:
    where = f"line {n}"
    replaced = 0
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = line.decode("utf-8", errors="replace")
        replaced = text.count("\ufffd")
    if n == 1:
        text = text.removeprefix("\ufeff")
    try:
        rec = json.loads(text)
    except json.JSONDecodeError as exc:
        why = exc.msg.removesuffix(" at")
        return ReadError(src, f"{where}: malformed JSON ({why}, column {exc.colno}); fix or remove the line")
    doc = _from_record(rec, src, n, "jsonl", max_doc_bytes, where)
    if replaced and isinstance(doc, Document):
        doc.meta["replacement_chars"] = replaced
    return doc


def _read_json(path: Path, src: str, max_doc_bytes: int) -> Iterator[Document | ReadError]:
    """``.json``: a JSON array of records, one object, or JSON lines under a .json name."""
    with path.open("rb") as raw:
        fh = _open_stream(raw, path)
        head = fh.read(1 << 16)
        first = head.removeprefix(codecs.BOM_UTF8).lstrip()[:1]
        if first == b"{":
            nl = head.find(b"\n")
            line1 = (head if nl < 0 else head[:nl]).removeprefix(codecs.BOM_UTF8)
            try:
                is_lines = isinstance(json.loads(line1), dict) and nl >= 0 and head[nl:].strip() != b""
            except (json.JSONDecodeError, UnicodeDecodeError):
                is_lines = False
            if is_lines:
                fh.close()
                yield from _read_jsonl(path, src, max_doc_bytes)
                return
        elif first != b"[":
            why = _binary_reason(head)
            yield ReadError(src, f"not JSON ({why or 'does not start with [ or {'}); check the file")
            return
        cap = max(4 * max_doc_bytes, 256 << 20)
        body = bytearray(head)
        while len(body) <= cap:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            body += chunk
        if len(body) > cap:
            yield ReadError(
                src,
                f"JSON document of more than {cap} bytes is too large to load at once; convert it to JSONL",
            )
            return
        if fh.failure:
            yield ReadError(
                src, f"{fh.failure}; the JSON cannot be parsed (re-download or re-compress the file)"
            )
            return
    text, dec = decode_text(bytes(body))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        why = exc.msg.removesuffix(" at")
        yield ReadError(src, f"malformed JSON ({why}, line {exc.lineno}, column {exc.colno}); fix the file")
        return
    records = data if isinstance(data, list) else [data]
    for i, rec in enumerate(records, 1):
        item = _from_record(rec, src, i, "jsonl", max_doc_bytes, f"record {i}")
        if isinstance(item, Document) and dec.get("replacement_chars"):
            item.meta["replacement_chars"] = dec["replacement_chars"]
        yield item


def _read_parquet(path: Path, src: str, max_doc_bytes: int) -> Iterator[Document | ReadError]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        yield ReadError(
            src, f"not a readable Parquet file ({_one_line(str(exc), 120)}); check or re-export it"
        )
        return
    names = set(pf.schema_arrow.names)
    exam = any(q in names for q in _EXAM_QUESTION) and any(a in names for a in _EXAM_ANSWER)
    if "text" not in names and not exam:
        cols = ", ".join(sorted(names)[:12])
        yield ReadError(
            src,
            f"no 'text' column (nor question+answer / problem+solution); columns: {cols}; rename the text column to 'text'",
        )
        return
    md = pf.metadata
    row = 0
    for rg in range(md.num_row_groups):
        group = md.row_group(rg)
        per_row = group.total_byte_size / max(group.num_rows, 1)
        batch = int(max(1, min(1024, (64 << 20) // max(per_row, 1))))
        start = row
        try:
            for rb in pf.iter_batches(batch_size=batch, row_groups=[rg]):
                for rec in rb.to_pylist():
                    row += 1
                    yield _from_record(rec, src, row, "parquet", max_doc_bytes, f"row {row}")
        except Exception as exc:
            row = start + group.num_rows
            yield ReadError(
                src,
                f"row group {rg} (rows {start + 1}-{row}): {_one_line(str(exc), 120)}; rest of the group skipped",
            )
