"""What decontamination compares: a text rewritten so that the same problem written two ways gives the
same tokens, and so that notes which are not the problem's content give none.

Benchmark items are indexed in two forms, as written and as plain text (:func:`decontam_text`);
documents get only the cheap rules (:func:`document_text`) and match whichever form they are in:

- GSM8K calculator annotations ``<<3*2=6>>`` are removed. They repeat small calculations that any two
  word problems may share, so they made unrelated documents share 13-grams, and a solution copied
  without them no longer matched its annotated original.
- Asymptote drawing code (``[asy] … [/asy]``) is removed: MATH problems share drawing boilerplate, which
  is not evidence that a document holds a given problem.
- The Unicode signs ``≤ ≥ ≠ × · ÷ −`` are written in their ASCII forms.
- (items only) LaTeX is written as plain text: ``\\frac{a}{b}`` → ``(a)/(b)``, ``\\le`` → ``<=``,
  ``\\cdot`` and ``\\times`` → ``*``, ``\\div`` → ``/``, ``\\left``/``\\right``/``\\text``/``\\mathrm`` …
  dropped. A document retyped in plain text matches the plain form; a LaTeX document the written one. Braces, ``$`` and backslashes are separators
  for the tokeniser already, so ``x^{2}`` and ``x^2``, ``\\sqrt{2}`` and ``sqrt(2)`` tokenise alike.

Matching ignores case (a copy may be upper-cased). Each rule runs only on texts holding its trigger
(``<<``, ``[asy]``, a backslash, a non-ASCII sign), so plain web prose pays one substring test per rule.
Not covered: a benchmark item written in plain text and a document that LaTeX-ises it (``1/2`` vs
``\\frac{1}{2}``) — rewriting plain text into LaTeX has no single answer.
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
_UNICODE = {"≤": " <= ", "≥": " >= ", "≠": " != ", "×": " * ", "·": " * ", "⋅": " * ", "÷": " / ", "−": "-"}
_UNICODE_SIGN = re.compile("[≤≥≠×·⋅÷−]")


def _sign(m: re.Match[str]) -> str:
    return _UNICODE[m.group(0)]


def _command(m: re.Match[str]) -> str:
    return _COMMANDS[m.group(1).lower()]


def latex_to_plain(text: str) -> str:
    """``\\frac{a+1}{b}`` → ``(a+1)/(b)``, ``\\le`` → ``<=`` …: the forms a plain-text copy would use."""
    if "frac" in text or "FRAC" in text:
        for _ in range(8):  # nesting depth; deeper fractions keep their inner \frac words
            text, found = _FRAC.subn(r"(\1)/(\2)", text)
            if not found or ("frac" not in text and "FRAC" not in text):
                break
        text = _FRAC_DIGITS.sub(r"\1/\2", text)
    return _COMMAND.sub(_command, text)


UNICODE_SIGNS = tuple(_UNICODE)


def ascii_signs(text: str) -> str:
    """≤ ≥ ≠ × · ⋅ ÷ − written as ASCII operators."""
    return _UNICODE_SIGN.sub(_sign, text)


def document_text(text: str, signs: bool = True) -> str:
    """What decontamination tokenises of a document (and of a benchmark item before its plain-text
    form is made): calculator notes and drawing code removed, Unicode signs as ASCII (``signs=False``:
    left to a caller that finds them faster). LaTeX is not rewritten here — items are indexed in both
    forms instead, which keeps the scan fast."""
    if "<<" in text:
        text = _ANNOTATION.sub(" ", text)
    if "[asy]" in text or "[ASY]" in text:
        text = _ASY.sub(" ", text)
    if signs and not text.isascii() and any(c in text for c in _UNICODE):  # one fast scan per sign
        text = ascii_signs(text)
    return text


def decontam_text(text: str) -> str:
    """A text in the plain form decontamination compares: :func:`document_text`, then LaTeX as plain
    text. Two texts that differ only in those ways give the same tokens."""
    text = document_text(text)
    return latex_to_plain(text) if "\\" in text else text
