"""What decontamination compares: a text rewritten so that the same problem written two ways gives the
same tokens, and so that notes which are not the problem's content give none.

Applied to benchmark items and corpus documents alike (one function, so both sides always agree):

- GSM8K calculator annotations ``<<3*2=6>>`` are removed. They repeat small calculations that any two
  word problems may share, so they made unrelated documents share 13-grams, and a solution copied
  without them no longer matched its annotated original.
- Asymptote drawing code (``[asy] … [/asy]``) is removed: MATH problems share drawing boilerplate, which
  is not evidence that a document holds a given problem.
- LaTeX is written as plain text: ``\\frac{a}{b}`` → ``(a)/(b)``, ``\\le`` → ``<=``, ``\\cdot`` and
  ``\\times`` → ``*``, ``\\div`` → ``/``, ``\\left``/``\\right``/``\\text``/``\\mathrm`` … dropped, and
  the Unicode signs ``≤ ≥ ≠ × · ÷ −`` as their ASCII forms. Braces, ``$`` and backslashes are separators
  for the tokeniser already, so ``x^{2}`` and ``x^2``, ``\\sqrt{2}`` and ``sqrt(2)`` tokenise alike.

Matching ignores case (a copy may be upper-cased). Each rewrite runs only on texts holding its trigger (``<<``, ``[asy]``, a backslash, a non-ASCII sign),
so plain web prose pays one substring test per rule.
"""

from __future__ import annotations

import re

_ANNOTATION = re.compile(r"<<[^<>\n]{0,200}>>")
_ASY = re.compile(r"\[asy\].*?(?:\[/asy\]|$)", re.S | re.I)
# innermost \frac{…}{…} (no braces inside); applied until none is left, so nesting unwinds
_FRAC = re.compile(r"\\[dtc]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", re.I)
_FRAC_DIGITS = re.compile(r"\\[dtc]?frac\s*(\d)\s*(\d)", re.I)  # \frac12
_COMMANDS = {
    "le": " <= ",
    "leq": " <= ",
    "leqslant": " <= ",
    "ge": " >= ",
    "geq": " >= ",
    "geqslant": " >= ",
    "ne": " != ",
    "neq": " != ",
    "cdot": " * ",
    "times": " * ",
    "ast": " * ",
    "div": " / ",
    "lt": " < ",
    "gt": " > ",
    # layout and font commands carry no content: their argument (if any) stays
    "left": " ",
    "right": " ",
    "bigl": " ",
    "bigr": " ",
    "big": " ",
    "displaystyle": " ",
    "textstyle": " ",
    "text": " ",
    "textbf": " ",
    "textit": " ",
    "mathrm": " ",
    "mathbf": " ",
    "mathit": " ",
    "mathsf": " ",
    "operatorname": " ",
    "mbox": " ",
    "quad": " ",
    "qquad": " ",
}
# only the commands above (longest first), whole words: \\left matches, \\leftarrow does not
_COMMAND = re.compile(r"\\(" + "|".join(sorted(_COMMANDS, key=len, reverse=True)) + r")(?![A-Za-z])")
_UNICODE = str.maketrans(
    {"≤": " <= ", "≥": " >= ", "≠": " != ", "×": " * ", "·": " * ", "⋅": " * ", "÷": " / ", "−": "-"}
)
_UNICODE_SIGN = re.compile("[≤≥≠×·⋅÷−]")


def _command(m: re.Match[str]) -> str:
    return _COMMANDS[m.group(1).lower()]


def latex_to_plain(text: str) -> str:
    """``\\frac{a+1}{b}`` → ``(a+1)/(b)``, ``\\le`` → ``<=`` …: the forms a plain-text copy would use."""
    if "frac" in text or "FRAC" in text:
        for _ in range(8):  # nesting depth; deeper fractions keep their inner \frac words
            new = _FRAC.sub(r"(\1)/(\2)", text)
            if new == text:
                break
            text = new
        text = _FRAC_DIGITS.sub(r"\1/\2", text)
    return _COMMAND.sub(_command, text)


def decontam_text(text: str) -> str:
    """The text decontamination tokenises (see the module docstring for every rule)."""
    if "<<" in text:
        text = _ANNOTATION.sub(" ", text)
    if "[asy]" in text or "[ASY]" in text:
        text = _ASY.sub(" ", text)
    if "\\" in text:
        text = latex_to_plain(text)
    if not text.isascii() and _UNICODE_SIGN.search(text):
        text = text.translate(_UNICODE)
    return text
