"""Reader for Jupyter notebooks (``.ipynb``, nbformat 3 and 4) → one ``notebook`` :class:`Document`.

:func:`render_notebook` turns the notebook JSON into text: markdown cells as written, code cells in
fences tagged with the kernel language, and short text outputs (LaTeX preferred over ASCII art, errors
as ``Name: value``) truncated to a few lines. Split from :mod:`~mathforge.corpus.readers` so that each
input format has one module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mathforge.corpus.document import Document, ReadError
from mathforge.corpus.encoding import decode_text
from mathforge.corpus.read_common import _doc, _one_line, _read_small

__all__ = ["render_notebook"]

_OUTPUT_MAX_CHARS = 1_000  # notebook outputs are truncated to this …
_OUTPUT_MAX_LINES = 20  # … and this many lines


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
