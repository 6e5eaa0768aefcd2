"""Where the TeX formulas are in extracted text: one definition shared by the corpus steps.

Language identification and the quality filters both judge a document by its *prose*, so both cut the
formulas out first, and they must agree on what a formula is; the classifier's training data counts
formula marks to tell a math page's content from its menus. The patterns live here, once.
"""

from __future__ import annotations

import re

# $$…$$, $…$ (one line, at most 2,000 characters), \[…\], \(…\) and \begin{env}…\end{env}.
FORMULA = re.compile(
    r"\$\$.*?\$\$|\$[^$\n]{1,2000}?\$|\\\[.*?\\\]|\\\(.*?\\\)|\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S
)
# TeX left in the prose once the formulas are gone: commands and the grouping/script characters.
_COMMAND = re.compile(r"\\[a-zA-Z]+\*?|[{}_^]")
_MATH_MARK = re.compile(
    r"\$|\\[()\[\]]|\\[a-zA-Z]+|[\^_][{\w(]|[\w)}]\s?[=<>]\s?[\w({\\-]|[∑∫√π±×÷≤≥≠∈∀∃→⇒∞≈∂]"
)


def split_prose(text: str) -> tuple[str, int]:
    """(prose with formulas and LaTeX commands removed, number of characters that were formulas)."""
    math_chars = 0

    def cut(m: re.Match) -> str:
        nonlocal math_chars
        math_chars += len(m.group(0))
        return " "

    prose = FORMULA.sub(cut, text)
    return _COMMAND.sub(" ", prose), math_chars


def has_math_markup(text: str, min_marks: int = 3) -> bool:
    """At least ``min_marks`` formula marks (``$``, ``\\(``, ``\\cmd``, ``x^2``, ``a=b``, math symbols) in
    the first 20,000 characters."""
    return len(_MATH_MARK.findall(text, 0, 20_000)) >= min_marks
