"""Text that is safe to show and to store, whatever produced it (a model, or a program it wrote).

A sandboxed cell can print a lone surrogate (``'\\ud800'``), which no UTF-8 writer accepts: results JSONL,
tokenisers and SQLite then fail far from the cause. It can also print terminal control sequences: an
OSC 52 sequence writes the user's clipboard, others clear the screen or move the cursor to forge what is
shown. Everything shown by ``mathforge solve`` and the app, and every cell result, goes through
``displayable`` first.

Not covered: Unicode format characters (bidirectional overrides, zero-width joiners) are kept -- they are
legitimate in text and cannot drive a terminal, though they can reorder what a reader sees.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls except tab and newline, DEL, C1 controls (U+0080-U+009F: 8-bit CSI and OSC among them)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def displayable(text: str) -> str:
    """``text`` with lone surrogates as U+FFFD, CRLF as LF, and every other control character except
    newline and tab removed."""
    if text.isascii() and text.isprintable():
        return text
    text = _SURROGATE.sub("\ufffd", text.replace("\r\n", "\n"))
    return _CONTROL.sub("", text)


def displayable_tree(value: Any) -> Any:
    """``displayable`` applied to every string inside nested dicts, lists and tuples (an event to send)."""
    if isinstance(value, str):
        return displayable(value)
    if isinstance(value, dict):
        return {k: displayable_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [displayable_tree(v) for v in value]
    return value
