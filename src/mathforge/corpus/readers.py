"""Corpus readers: input files of any supported format → :class:`Document` (or :class:`ReadError`).

This module is the dispatcher: it maps file names to formats, expands input paths, globs and folders,
and turns every reader failure into a ``ReadError``. The readers live one format per module —
:mod:`~mathforge.corpus.warc`, :mod:`~mathforge.corpus.records` (JSONL, JSON, Parquet),
:mod:`~mathforge.corpus.notebook`, :mod:`~mathforge.corpus.text_files` (HTML, LaTeX, Markdown, code,
text) — with the helpers they share in :mod:`~mathforge.corpus.read_common`.

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

An empty file (0 bytes, only whitespace, a JSONL file of blank lines, a Parquet file without rows, a
LaTeX file that is only a preamble) is a ``ReadError`` starting ``empty file``, so it is counted like any
other unusable input. NUL characters never reach a document: they are removed and counted in
``meta["nul_chars_removed"]`` (see :mod:`~mathforge.corpus.read_common`).

Every document gets ``id = doc_id(path, n)`` and ``source = "<path>#<n>"``, ``n`` being the 1-based line
(JSONL), row (Parquet), record (WARC, counting every record in the file) or element (JSON array); files
holding one document use ``n = 0`` and the bare path as source. ``doc.sizes["read"]`` is the UTF-8 size
of the text as read.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from mathforge.corpus.document import Document, ReadError
from mathforge.corpus.notebook import _read_notebook, render_notebook
from mathforge.corpus.read_common import _one_line
from mathforge.corpus.records import _read_json, _read_jsonl, _read_parquet
from mathforge.corpus.text_files import _read_code, _read_html, _read_latex, _read_markdown, _read_text
from mathforge.corpus.warc import _read_warc

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
        yield ReadError(src, "empty file (0 bytes); nothing to read")
        return
    reader = _READERS[fmt]
    produced = False
    try:
        for item in reader(path, src, max_doc_bytes):
            produced = True
            yield item
        if not produced and fmt != "warc":  # a WARC without web pages is a normal WARC
            yield ReadError(src, f"empty file: no {_UNITS.get(fmt, 'documents')} in it; nothing to read")
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


_UNITS = {"jsonl": "records", "json": "records", "parquet": "rows", "notebook": "text"}

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
