"""Reader for files that hold one document as text: HTML, LaTeX, Markdown, Python and plain text.

Each file becomes at most one :class:`Document` (``n = 0``, the bare path as source) after a size and
binary check of the whole file and charset decoding; NUL characters are removed and counted
(``meta["nul_chars_removed"]``), and a file left without text is a ``ReadError`` starting ``empty
file``. LaTeX goes through :func:`mathforge.corpus.latex.clean_latex`; Markdown loses its YAML/TOML
front matter (its ``title`` kept in meta). Split from :mod:`~mathforge.corpus.readers` so that each
input format has one module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mathforge.corpus.document import Document, ReadError
from mathforge.corpus.encoding import decode_text
from mathforge.corpus.latex import clean_latex
from mathforge.corpus.read_common import _binary_reason, _doc, _html_meta, _read_small, _strip_nul


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
    text = _strip_nul(text, meta)
    blank = not text.strip()
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
        left = {"latex": "only a preamble or comments", "markdown": "only front matter"}
        why = "whitespace only" if blank else left.get(kind, "whitespace only")
        yield ReadError(src, f"empty file: no text ({why}); nothing to read")
        return
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
