"""Multiple-choice option parsing.

Upstream sets store options in four shapes: a JSON list with letter prefixes (aqua ``"A)5"``, gaokao
``"(A)$x$"``), a Python-repr string of such a list, one string ``"A) … B) …"`` (sat_math), or inline at the
end of the question (gaokao2024, cn_middle_school). Everything here turns them into bare option texts in
letter order, so prompts and graders never see two letterings.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from mathforge.bench.errors import RecordError

LETTERS = "ABCDEFGH"

_PREFIX_RE = re.compile(r"^\s*[(（]?\s*([A-H])\s*[)）.．、:：]\s*")
# A letter that starts an option: after whitespace, an opening bracket or punctuation (or at the start),
# followed by ")", ".", "、" or ":" ("strict"), or standing alone between spaces ("loose", e.g. "C \log").
_STRICT_RE = re.compile(r"(?<![^\s(（)）:：。，,;；$])([A-H])\s*[)）.．、:：]")
_LOOSE_RE = re.compile(r"(?<=\s)([A-H])(?=\s)")


def strip_letter(option: str, letter: str | None = None) -> str:
    """``"(A)$x$"`` / ``"A)5"`` / ``"A. 5"`` → the option text; ``letter`` checks the prefix is the expected
    one. A doubled prefix (aqua line 30: ``"A)A)59"``) is removed whole."""
    text = option.strip()
    while (m := _PREFIX_RE.match(text)) and (letter is None or m.group(1) == letter):
        text = text[m.end() :].strip()
    return text


def as_list(value: Any, field: str) -> list[Any]:
    """A JSON list, or a Python-repr string of one (``"['A)5', 'B)6']"``)."""
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            parsed = ast.literal_eval(value)
        except (ValueError, SyntaxError) as exc:
            raise RecordError(f"field {field!r} is not a readable list: {exc}") from None
        if isinstance(parsed, list | tuple):
            return list(parsed)
    raise RecordError(f"field {field!r} should be a list, got {type(value).__name__}")


def option_texts(options: list[Any], field: str = "options") -> tuple[str, ...]:
    """Options in letter order with their ``A)`` / ``(A)`` prefixes removed."""
    if not options:
        raise RecordError(f"field {field!r} is empty")
    return tuple(strip_letter(str(o), LETTERS[i]) for i, o in enumerate(options))


def _markers(text: str) -> dict[str, list[tuple[int, int, bool]]]:
    """Candidate option markers per letter: (start, end of marker, strict?)."""
    found: dict[str, list[tuple[int, int, bool]]] = {}
    for rx, strict in ((_STRICT_RE, True), (_LOOSE_RE, False)):
        for m in rx.finditer(text):
            found.setdefault(m.group(1), []).append((m.start(1), m.end(), strict))
    for marks in found.values():
        marks.sort()
    return found


def _chain(
    found: dict[str, list[tuple[int, int, bool]]], last: int, end: int
) -> list[tuple[int, int]] | None:
    """Walk back from the last option letter to A, taking the latest marker before the next one
    (a real marker beats a loose one), so letters mentioned earlier in the stem are passed over."""
    chain: list[tuple[int, int]] = []
    limit = end
    for i in range(last, -1, -1):
        cands = [m for m in found.get(LETTERS[i], []) if m[0] < limit]
        if not cands:
            return None
        strict = [m for m in cands if m[2]]
        start, stop, _ = (strict or cands)[-1]
        chain.append((start, stop))
        limit = start
    return chain[::-1]


def split_inline(text: str, min_options: int = 2) -> tuple[str, tuple[str, ...]] | None:
    """Split ``"stem A. x B. y C. z D. w"`` into the stem and ``("x", "y", "z", "w")``; None if no
    chain of markers A, B, … is found."""
    found = _markers(text)
    for last in range(len(LETTERS) - 1, min_options - 2, -1):
        if LETTERS[last] not in found:
            continue
        chain = _chain(found, last, len(text))
        if chain is None:
            continue
        bounds = [*(c[0] for c in chain[1:]), len(text)]
        opts = tuple(text[stop:nxt].strip() for (_, stop), nxt in zip(chain, bounds, strict=True))
        if all(opts):
            return text[: chain[0][0]].rstrip(), opts
    return None


_LETTERS_ONLY_RE = re.compile(r"^[A-H](?:[\s,，、;；]*[A-H])*$")


def letters(value: Any, field: str) -> str:
    """Gold choice letters, de-duplicated and sorted: ``"A B D"`` / ``["A", "C"]`` → ``"ABD"`` / ``"AC"``."""
    raw = "".join(str(v) for v in value) if isinstance(value, list) else str(value or "")
    raw = raw.strip().upper()
    if not _LETTERS_ONLY_RE.match(raw):
        raise RecordError(f"field {field!r} is not choice letters: {value!r}")
    return "".join(sorted(set(re.sub(r"[^A-H]", "", raw))))
