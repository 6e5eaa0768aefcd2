"""Corpus readers: input files of any supported format → :class:`Document` (or :class:`ReadError`).

``read_path(path)`` picks the reader from the file name and yields documents one at a time, so a large
WARC, JSONL or Parquet file streams. Bad input never stops the run: anything a reader cannot use becomes
a ``ReadError(source, reason)`` (one line: where, what is wrong, what to do) and the reader carries on with
the next record where the format allows it.

* ``.warc``, ``.warc.gz`` → kind ``warc``: the decoded HTML of every HTTP-200 text/html response record
  (meta: url, date, warc_record_id, title, language hints, encoding). Extraction to text is a later step.
* ``.html``, ``.htm``, ``.xhtml`` → ``html``: the decoded page (meta: title, html_lang, encoding).
* ``.jsonl[.gz]``, ``.ndjson``, ``.json[.gz]`` → ``jsonl``; ``.parquet`` → ``parquet``: the ``text`` field;
  every other field goes to ``meta``. Records with question+answer or problem+solution instead of text
  become kind ``exam``, rendered ``"Question: …\nAnswer: …"``. A ``.json`` file may hold an array of
  records, one object, or JSON lines.
* ``.tex`` → ``latex``: :func:`mathforge.corpus.latex.clean_latex` of the source (formulas untouched).
* ``.md``, ``.markdown`` → ``markdown``: as written, minus YAML/TOML front matter.
* ``.py`` → ``code``: the source. ``.ipynb`` → ``notebook``: markdown cells, code cells in fences, short
  text outputs. ``.txt`` → ``text``.

Text is decoded from the BOM, the declared charset (HTTP header, then HTML ``<meta>``), else UTF-8; bytes
that do not decode are replaced and counted in ``meta["replacement_chars"]`` (not an error). The decoder
is :mod:`mathforge.corpus.encoding`'s, which the HTML extractor shares.

Every document gets ``id = doc_id(path, n)`` and ``source = "<path>#<n>"``, ``n`` being the 1-based line
(JSONL), row (Parquet), record (WARC, counting every record in the file) or element (JSON array); files
holding one document use ``n = 0`` and the bare path as source. ``doc.sizes["read"]`` is the UTF-8 size
of the text as read.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import glob
import gzip
import html
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from mathforge.corpus.document import Document, ReadError, doc_id
from mathforge.corpus.encoding import BOMS, decode_text
from mathforge.corpus.latex import clean_latex

__all__ = [
    "DEFAULT_MAX_DOC_BYTES",
    "SUFFIXES",
    "expand_inputs",
    "format_of",
    "read_files",
    "read_path",
    "render_notebook",
]

DEFAULT_MAX_DOC_BYTES = 20_000_000

# File-name endings → reader. Longest endings first: ".warc.gz" before ".gz"-less forms.
SUFFIXES: tuple[tuple[str, str], ...] = (
    (".warc.gz", "warc"),
    (".warc", "warc"),
    (".jsonl.gz", "jsonl"),
    (".ndjson.gz", "jsonl"),
    (".json.gz", "json"),
    (".jsonl", "jsonl"),
    (".ndjson", "jsonl"),
    (".json", "json"),
    (".parquet", "parquet"),
    (".html", "html"),
    (".htm", "html"),
    (".xhtml", "html"),
    (".tex", "latex"),
    (".markdown", "markdown"),
    (".md", "markdown"),
    (".py", "code"),
    (".ipynb", "notebook"),
    (".txt", "text"),
)

_EXAM_QUESTION = ("question", "problem")
_EXAM_ANSWER = ("solution", "answer")
_OUTPUT_MAX_CHARS = 1_000  # notebook outputs are truncated to this …
_OUTPUT_MAX_LINES = 20  # … and this many lines
_WARC_GAP_SLACK = 64  # bytes a WARC record may sit off its declared end before we call it broken


def format_of(path: Path | str) -> str | None:
    """The reader for a file name ("warc", "jsonl", …), or None when the ending is not supported."""
    name = Path(path).name.lower()
    for suffix, fmt in SUFFIXES:
        if name.endswith(suffix):
            return fmt
    return None


def read_path(
    path: Path | str, *, max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES
) -> Iterator[Document | ReadError]:
    """Documents of one input file, one at a time; problems come as ReadErrors in the same stream."""
    path = Path(path)
    src = str(path)
    fmt = format_of(path)
    if fmt is None:
        supported = " ".join(s for s, _ in SUFFIXES)
        yield ReadError(
            src,
            f"unsupported file type {path.suffix or '(no extension)'!r}; rename it or convert to one of: {supported}",
        )
        return
    try:
        st = path.stat()
    except FileNotFoundError:
        yield ReadError(src, "file not found; check the path or glob")
        return
    except OSError as exc:
        yield ReadError(src, f"cannot stat file ({exc.strerror or exc}); check permissions")
        return
    if path.is_dir():
        yield ReadError(src, "is a folder, not a file; pass it through expand_inputs to read what it holds")
        return
    if st.st_size == 0:
        return  # an empty file holds no documents; that is not an error
    reader = _READERS[fmt]
    try:
        yield from reader(path, src, max_doc_bytes)
    except PermissionError as exc:
        yield ReadError(src, f"cannot read file ({exc.strerror or exc}); check permissions")
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # a reader bug, or a panic in a native parser, must not end the run
        yield ReadError(src, f"unreadable {fmt} file: {type(exc).__name__}: {_one_line(str(exc))}")


def read_files(
    paths: Iterable[Path | str], *, max_doc_bytes: int = DEFAULT_MAX_DOC_BYTES
) -> tuple[list[Document], list[ReadError]]:
    """All documents and all read errors of some files (the read step of a local run)."""
    docs: list[Document] = []
    errors: list[ReadError] = []
    for p in paths:
        for item in read_path(Path(p), max_doc_bytes=max_doc_bytes):
            (errors if isinstance(item, ReadError) else docs).append(item)
    return docs, errors


def expand_inputs(patterns: Iterable[str]) -> list[Path]:
    """Input files named by paths, globs (``**`` recursive) and folders (walked recursively).

    Folders and globs contribute only files with a supported ending (``data/*`` skips the README and
    LICENSE next to the shards), and folder walks skip hidden files and folders (``.git``,
    ``.ipynb_checkpoints``). A file named outright is kept whatever its ending, so an unsupported one is
    reported by :func:`read_path`. Paths that do not exist are left out (the caller reports them).
    Sorted, each file once.
    """
    found: dict[str, Path] = {}

    def add(p: Path) -> None:
        key = os.path.normcase(os.path.realpath(p))
        found.setdefault(key, p)

    for pattern in patterns:
        is_glob = re.search(r"[*?\[]", pattern) is not None
        matches = (
            [Path(m) for m in sorted(glob.glob(pattern, recursive=True))] if is_glob else [Path(pattern)]
        )
        for m in matches:
            if m.is_dir():
                for root, dirs, files in os.walk(m):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for f in files:
                        if not f.startswith(".") and format_of(f):
                            add(Path(root) / f)
            elif m.is_file() and (format_of(m) or not is_glob):
                add(m)
    return sorted(found.values(), key=str)


# --- shared helpers -----------------------------------------------------------------------------


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


# --- single-document files ------------------------------------------------------------------------


def _read_small(path: Path, src: str, max_bytes: int, max_doc_bytes: int) -> bytes | ReadError:
    size = path.stat().st_size
    if size > max_bytes:
        return _too_big(src, size, max_doc_bytes)
    return path.read_bytes()


def _read_single(path: Path, src: str, max_doc_bytes: int, kind: str) -> Iterator[Document | ReadError]:
    data = _read_small(path, src, max_doc_bytes, max_doc_bytes)
    if isinstance(data, ReadError):
        yield data
        return
    why = _binary_reason(data)
    if why:
        yield ReadError(src, f"not a text file ({why}); remove it or give it the right extension")
        return
    text, meta = decode_text(data, sniff_html=kind == "html")
    if kind == "html":
        meta.update(_html_meta(text))
    elif kind == "latex":
        text = clean_latex(text)
    elif kind == "markdown":
        text, front = _strip_front_matter(text)
        meta.update(front)
    elif kind == "code":
        meta["language"] = "python"
    if not text.strip():
        return  # nothing to read (whitespace only, or only a preamble/front matter)
    yield _doc(src, 0, text, kind, meta, max_doc_bytes)


_FRONT_MATTER = re.compile(
    r"\A(?:---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)|\+\+\+[ \t]*\r?\n(.*?)\r?\n\+\+\+)[ \t]*(?:\r?\n|\Z)", re.S
)


def _strip_front_matter(text: str) -> tuple[str, dict[str, Any]]:
    text = text.lstrip("\ufeff")
    m = _FRONT_MATTER.match(text)
    if not m:
        return text, {}
    meta: dict[str, Any] = {}
    block = m.group(1) if m.group(1) is not None else m.group(2)
    t = re.search(r"""(?m)^title\s*[:=]\s*["']?(.*?)["']?\s*$""", block)
    if t and t.group(1):
        meta["title"] = t.group(1)
    return text[m.end() :].lstrip("\r\n"), meta


def _read_html(path: Path, src: str, max_doc_bytes: int) -> Iterator[Document | ReadError]:
    yield from _read_single(path, src, max_doc_bytes, "html")


def _read_latex(path: Path, src: str, max_doc_bytes: int) -> Iterator[Document | ReadError]:
    yield from _read_single(path, src, max_doc_bytes, "latex")


def _read_markdown(path: Path, src: str, max_doc_bytes: int) -> Iterator[Document | ReadError]:
    yield from _read_single(path, src, max_doc_bytes, "markdown")


def _read_code(path: Path, src: str, max_doc_bytes: int) -> Iterator[Document | ReadError]:
    yield from _read_single(path, src, max_doc_bytes, "code")


def _read_text(path: Path, src: str, max_doc_bytes: int) -> Iterator[Document | ReadError]:
    yield from _read_single(path, src, max_doc_bytes, "text")


# --- notebooks ------------------------------------------------------------------------------------


def _read_notebook(path: Path, src: str, max_doc_bytes: int) -> Iterator[Document | ReadError]:
    # Embedded images make notebooks much larger than their text; outputs are truncated when rendered.
    data = _read_small(path, src, 4 * max_doc_bytes, max_doc_bytes)
    if isinstance(data, ReadError):
        yield data
        return
    text, meta = decode_text(data)
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        why = exc.msg.removesuffix(" at")
        yield ReadError(src, f"not a notebook: invalid JSON ({why}, line {exc.lineno}, column {exc.colno})")
        return
    if not isinstance(nb, dict) or not ("cells" in nb or "worksheets" in nb):
        yield ReadError(src, "not a notebook: no 'cells' (nbformat 4) or 'worksheets' (nbformat 3)")
        return
    body, info = render_notebook(nb)
    meta.update(info)
    if body.strip():
        yield _doc(src, 0, body, "notebook", meta, max_doc_bytes)


def _join(src: Any) -> str:
    if isinstance(src, list):
        return "".join(str(x) for x in src)
    return src if isinstance(src, str) else ""


def _truncate_output(text: str) -> str:
    lines = text.rstrip("\n").split("\n")
    cut = len(lines) > _OUTPUT_MAX_LINES
    text = "\n".join(lines[:_OUTPUT_MAX_LINES])
    if len(text) > _OUTPUT_MAX_CHARS:
        text, cut = text[:_OUTPUT_MAX_CHARS], True
    return text + ("\n…" if cut else "")


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _output_text(out: dict[str, Any]) -> str:
    kind = out.get("output_type")
    if kind == "stream":
        return _join(out.get("text"))
    if kind in ("execute_result", "display_data", "pyout"):
        data = out.get("data") if isinstance(out.get("data"), dict) else out  # nbformat 3 keeps them inline
        # SymPy and friends give LaTeX next to an ASCII-art text/plain: the LaTeX is the useful one.
        for key in ("text/latex", "latex", "text/plain", "text"):
            if key in data:
                return _join(data[key])
        return ""
    if kind in ("error", "pyerr"):
        return _ANSI.sub("", f"{out.get('ename', 'Error')}: {out.get('evalue', '')}")
    return ""


def render_notebook(nb: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Notebook JSON → text: markdown cells as written, code cells in fences, outputs truncated."""
    cells = nb.get("cells")
    if cells is None:
        cells = [c for ws in nb.get("worksheets") or [] for c in ws.get("cells") or []]
    md = nb.get("metadata") or {}
    lang = (
        (md.get("language_info") or {}).get("name")
        or (md.get("kernelspec") or {}).get("language")
        or "python"
    )
    parts: list[str] = []
    counts = {"markdown": 0, "code": 0}
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        ctype = cell.get("cell_type")
        source = _join(cell.get("source", cell.get("input", ""))).strip("\n")
        if ctype in ("markdown", "heading"):
            if ctype == "heading":  # nbformat 3
                source = "#" * int(cell.get("level") or 1) + " " + source
            if source.strip():
                parts.append(source)
                counts["markdown"] += 1
        elif ctype == "code":
            if source.strip():
                parts.append(f"```{lang}\n{source}\n```")
                counts["code"] += 1
            for out in cell.get("outputs") or []:
                text = _output_text(out) if isinstance(out, dict) else ""
                if text.strip():
                    parts.append(f"```output\n{_truncate_output(text)}\n```")
    meta: dict[str, Any] = {"language": lang, "cells": counts}
    title = next((p.lstrip("#").strip() for p in parts if p.startswith("# ")), "")
    if title:
        meta["title"] = _one_line(title, 300)
    return ("\n\n".join(parts) + "\n" if parts else ""), meta


# --- JSON lines, JSON, Parquet ------------------------------------------------------------------


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


# --- WARC -----------------------------------------------------------------------------------------

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _read_warc(path: Path, src: str, max_doc_bytes: int) -> Iterator[Document | ReadError]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    with path.open("rb") as raw:
        fh = _open_stream(raw, path)
        records = ArchiveIterator(
            fh,
            record_types=WarcRecordType.any_type,
            parse_http=False,
            quirks_mode=True,  # LF-only headers, odd dates (ClueWeb and friends)
            auto_decode="none",  # we check the raw length first, then decode ourselves, tolerantly
            stream_detect=False,
        )
        n = 0
        expected_end = 0  # where the previous record should have ended, by its own headers
        it = iter(records)
        while True:
            try:
                rec = next(it)
            except StopIteration:
                break
            except (KeyboardInterrupt, SystemExit, GeneratorExit):
                raise
            except BaseException as exc:  # OSError, or a panic in the native parser
                yield ReadError(
                    src,
                    f"after record {n}: unreadable WARC data ({_one_line(str(exc), 120)}); rest of the file skipped",
                )
                return
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
        if fh.failure:
            yield ReadError(
                src, f"{fh.failure} after record {n}; later records are lost (re-download the file)"
            )
        elif n == 0:
            yield ReadError(src, "no WARC records found; is this really a WARC file?")
        elif tail > _WARC_GAP_SLACK:
            yield ReadError(
                src, f"after record {n}: {tail} trailing bytes are not a valid WARC record; skipped"
            )


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


_READERS = {
    "warc": _read_warc,
    "html": _read_html,
    "jsonl": _read_jsonl,
    "json": _read_json,
    "parquet": _read_parquet,
    "latex": _read_latex,
    "markdown": _read_markdown,
    "code": _read_code,
    "notebook": _read_notebook,
    "text": _read_text,
}
