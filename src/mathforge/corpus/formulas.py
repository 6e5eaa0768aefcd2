"""Where the TeX formulas are in extracted text: one definition shared by the corpus steps.

Language identification and the quality filters both judge a document by its *prose*, so both cut the
formulas out first, and they must agree on what a formula is; the classifier's training data counts
formula marks to tell a math page's content from its menus. The patterns live here, once, with the one
rewrite every extracted formula goes through (:func:`binomials`: ``{n \\choose k}`` → ``\\binom{n}{k}``).
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


# ------------------------------------------------------------------------------------ binomials

_GENFRAC = re.compile(r"\\(?:choose|atop|over|above|brace|brack)(?![A-Za-z])")
_OPEN_PAREN = re.compile(r"(?:\\(?:left|bigl|Bigl|biggl|Biggl|big|Big|bigg|Bigg)\s*)?\(\s*$")
_CLOSE_PAREN = re.compile(r"^\s*(?:\\(?:right|bigr|Bigr|biggr|Biggr|big|Big|bigg|Bigg)\s*)?\)")
_BRACKET = re.compile(r"[()\[\]|]|\\[{}]")
_UNSAFE = re.compile(r"\\(?:left|right|middle|begin|end)(?![A-Za-z])|&|\\\\")


def _group_bounds(tex: str, pos: int) -> tuple[int, int]:
    """(index of the ``{`` opening the brace group around ``pos``, index of its ``}``); -1 for the
    whole formula when ``pos`` is at the top level."""
    depth, i = 0, pos - 1
    while i >= 0:
        c = tex[i]
        if c in "{}" and not (i > 0 and tex[i - 1] == "\\" and (i < 2 or tex[i - 2] != "\\")):
            if c == "}":
                depth += 1
            elif depth == 0:
                break
            else:
                depth -= 1
        i -= 1
    start = i  # -1: top level
    depth, j = 0, pos
    while j < len(tex):
        c = tex[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                break
            depth -= 1
        j += 1
    if (start < 0) != (j >= len(tex)):
        return -2, -2  # unbalanced
    return start, j


def _top_level_genfracs(tex: str, lo: int, hi: int) -> list[re.Match]:
    found, depth, i = [], 0, lo
    while i < hi:
        c = tex[i]
        if c == "\\":
            m = _GENFRAC.match(tex, i)
            if m and depth == 0:
                found.append(m)
            i += 2 if m is None else len(m.group(0))
            continue
        depth += c == "{"
        depth -= c == "}"
        i += 1
    return found


def binomials(tex: str) -> str:
    """``{n \\choose k}`` and ``({n \\atop k})`` (also ``\\left( … \\right)``) → ``\\binom{n}{k}``.

    Plain TeX's generalised fractions take the whole group they stand in, so a group is rewritten only
    when it holds exactly one of them and no ``\\left``/``\\right``, ``&``, ``\\\\`` or environment
    (whose grouping this brace scan does not follow); ``\\atop`` only between parentheses, since a bare
    one is a stacked subscript (``\\sum_{i \\in I \\atop i \\neq j}``).
    """
    if "\\choose" not in tex and "\\atop" not in tex:
        return tex
    for _ in range(50):  # one binomial per round, innermost first
        for m in _GENFRAC.finditer(tex):
            name = m.group(0)
            if name not in ("\\choose", "\\atop"):
                continue
            lo, hi = _group_bounds(tex, m.start())
            if lo == -2:
                continue
            inner_lo, inner_hi = lo + 1, hi
            if len(_top_level_genfracs(tex, inner_lo, inner_hi)) != 1:
                continue
            top, bottom = tex[inner_lo : m.start()].strip(), tex[m.end() : inner_hi].strip()
            if not top or not bottom or _UNSAFE.search(tex, inner_lo, inner_hi):
                continue
            if name == "\\atop":
                if lo < 0:
                    continue
                before = _OPEN_PAREN.search(tex, 0, lo)
                after = _CLOSE_PAREN.match(tex[hi + 1 :])
                if before is None or after is None:
                    continue
                lo, hi = before.start(), hi + 1 + after.end() - 1
            if lo < 0 and _BRACKET.search(tex):
                continue  # "\\{n \\choose k\\}": the whole formula is the fraction; leave it be
            tex = tex[: max(lo, 0)] + "\\binom{" + top + "}{" + bottom + "}" + tex[hi + 1 :]
            break
        else:
            return tex
    return tex
