"""MathML → LaTeX, for the formulas of a web page that carry no TeX of their own.

The HTML extractor replaces every ``<math>`` element by its TeX: the TeX annotation or ``alttext`` when
the page has one (KaTeX, Wikipedia, MathJax's assistive MathML), else what this converter rebuilds
from the presentation markup — tokens (Greek letters, operators, function names, math alphabets),
fractions, roots, scripts, accents, fences, matrices and cases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from resiliparse.parse.html import NodeType

__all__ = ["math_display", "math_tex", "mathml_to_tex"]

_ELEMENT = NodeType.ELEMENT

_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΥΦΨΩϵϑϕϖϱς",
        [
            r"\alpha",
            r"\beta",
            r"\gamma",
            r"\delta",
            r"\varepsilon",
            r"\zeta",
            r"\eta",
            r"\theta",
            r"\iota",
            r"\kappa",
            r"\lambda",
            r"\mu",
            r"\nu",
            r"\xi",
            r"\pi",
            r"\rho",
            r"\sigma",
            r"\tau",
            r"\upsilon",
            r"\varphi",
            r"\chi",
            r"\psi",
            r"\omega",
            r"\Gamma",
            r"\Delta",
            r"\Theta",
            r"\Lambda",
            r"\Xi",
            r"\Pi",
            r"\Sigma",
            r"\Upsilon",
            r"\Phi",
            r"\Psi",
            r"\Omega",
            r"\epsilon",
            r"\vartheta",
            r"\phi",
            r"\varpi",
            r"\varrho",
            r"\varsigma",
        ],
        strict=True,
    )
)
_SYMBOLS = {
    "±": r"\pm",
    "∓": r"\mp",
    "×": r"\times",
    "÷": r"\div",
    "⋅": r"\cdot",
    "·": r"\cdot",
    "∗": "*",
    "∘": r"\circ",
    "−": "-",
    "≤": r"\leq",
    "≥": r"\geq",
    "≠": r"\neq",
    "≈": r"\approx",
    "≡": r"\equiv",
    "∼": r"\sim",
    "≃": r"\simeq",
    "≅": r"\cong",
    "∝": r"\propto",
    "≪": r"\ll",
    "≫": r"\gg",
    "∞": r"\infty",
    "∑": r"\sum",
    "∏": r"\prod",
    "∐": r"\coprod",
    "∫": r"\int",
    "∬": r"\iint",
    "∮": r"\oint",
    "∂": r"\partial",
    "∇": r"\nabla",
    "√": r"\surd",
    "∈": r"\in",
    "∉": r"\notin",
    "∋": r"\ni",
    "⊂": r"\subset",
    "⊃": r"\supset",
    "⊆": r"\subseteq",
    "⊇": r"\supseteq",
    "∪": r"\cup",
    "∩": r"\cap",
    "∅": r"\emptyset",
    "∀": r"\forall",
    "∃": r"\exists",
    "¬": r"\neg",
    "∧": r"\wedge",
    "∨": r"\vee",
    "⊕": r"\oplus",
    "⊗": r"\otimes",
    "→": r"\to",
    "←": r"\leftarrow",
    "↔": r"\leftrightarrow",
    "⇒": r"\Rightarrow",
    "⇐": r"\Leftarrow",
    "⇔": r"\Leftrightarrow",
    "⟹": r"\implies",
    "⟺": r"\iff",
    "↦": r"\mapsto",
    "⟨": r"\langle",
    "⟩": r"\rangle",
    "〈": r"\langle",
    "〉": r"\rangle",
    "‖": r"\|",
    "∣": "|",
    "…": r"\ldots",
    "⋯": r"\cdots",
    "⋮": r"\vdots",
    "⋱": r"\ddots",
    "′": "'",
    "″": "''",
    "ℝ": r"\mathbb{R}",
    "ℕ": r"\mathbb{N}",
    "ℤ": r"\mathbb{Z}",
    "ℚ": r"\mathbb{Q}",
    "ℂ": r"\mathbb{C}",
    "ℓ": r"\ell",
    "ℏ": r"\hbar",
    "⊥": r"\perp",
    "∥": r"\parallel",
    "∠": r"\angle",
    "°": r"^\circ",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "%": r"\%",
    "&": r"\&",
    "\u2061": "",  # function application
    "\u2062": "",  # invisible times
    "\u2063": ",",  # invisible separator
    "\u2064": "+",  # invisible plus
    "\u200b": "",
}
_FUNCS = frozenset(
    [
        "sin",
        "cos",
        "tan",
        "cot",
        "sec",
        "csc",
        "arcsin",
        "arccos",
        "arctan",
        "sinh",
        "cosh",
        "tanh",
        "coth",
        "log",
        "ln",
        "lg",
        "exp",
        "lim",
        "liminf",
        "limsup",
        "max",
        "min",
        "sup",
        "inf",
        "det",
        "dim",
        "ker",
        "deg",
        "gcd",
        "arg",
        "hom",
        "Pr",
    ]
)
_BIG_OPS = frozenset(
    [
        r"\sum",
        r"\prod",
        r"\coprod",
        r"\int",
        r"\iint",
        r"\oint",
        r"\lim",
        r"\max",
        r"\min",
        r"\sup",
        r"\inf",
        r"\bigcup",
        r"\bigcap",
    ]
)
_ACCENTS = {
    "¯": r"\overline",
    "‾": r"\overline",
    "_": r"\underline",
    "^": r"\hat",
    "ˆ": r"\hat",
    "~": r"\tilde",
    "˜": r"\tilde",
    "→": r"\vec",
    "⃗": r"\vec",
    "˙": r"\dot",
    "¨": r"\ddot",
    "⏞": r"\overbrace",
    "⏟": r"\underbrace",
    "︷": r"\overbrace",
    "︸": r"\underbrace",
}
_VARIANTS = {
    "bold": r"\mathbf",
    "double-struck": r"\mathbb",
    "script": r"\mathcal",
    "fraktur": r"\mathfrak",
    "sans-serif": r"\mathsf",
    "monospace": r"\mathtt",
}
_MATRIX_ENVS = {("(", ")"): "pmatrix", ("[", "]"): "bmatrix", ("|", "|"): "vmatrix", ("‖", "‖"): "Vmatrix"}
_SPACES = {
    "1em": r"\quad",
    "2em": r"\qquad",
    "thickmathspace": r"\;",
    "mediummathspace": r"\:",
    "thinmathspace": r"\,",
}
_WS = re.compile(r"[ \t\r\n]+")
_CMD_END = re.compile(r"\\[A-Za-z]+$")
_SCRIPT_END = re.compile(r"[_^][A-Za-z0-9]$")
_SIMPLE_ARG = re.compile(r"^(?:.|\\[A-Za-z]+|\\[A-Za-z]+\{[^{}]*\})$", re.S)


def _join(parts: Iterable[str]) -> str:
    out = ""
    for p in parts:
        if not p:
            continue
        if out and p[0].isalnum() and (_CMD_END.search(out) or _SCRIPT_END.search(out)):
            out += " "  # \alpha x, not \alphax; x^2 y, not x^2y
        out += p
    return out


def _arg(s: str) -> str:
    return s if len(s) == 1 or re.fullmatch(r"\\[A-Za-z]+", s) else "{" + s + "}"


def _base(s: str) -> str:
    return s if _SIMPLE_ARG.match(s) or s[-1:] in ")]|" else "{" + s + "}"


def _elements(el) -> list:
    return [c for c in el.child_nodes.values() if c.type == _ELEMENT]


def _tag(el) -> str:
    t = el.tag
    return t.rsplit(":", 1)[-1] if ":" in t else t


def _token(el) -> str:
    raw = el.text or ""
    text = raw.strip()
    tag = _tag(el)
    if tag == "mtext":
        # keep the spaces of "if "; drop only the indentation of pretty-printed MathML
        text = _WS.sub(" ", raw.strip(" \t\r\n") if "\n" in raw else raw).replace("\xa0", " ")
        return r"\text{" + text + "}" if text.strip() else r"\ "
    if tag == "ms":
        return r'\text{"' + text + '"}'
    if tag == "mn":
        return text
    if tag == "mi" and len(text) > 1:
        if text in _FUNCS:
            return "\\" + text
        if not any(ch in _GREEK or ch in _SYMBOLS for ch in text):
            return r"\mathrm{" + text + "}"
    if tag == "mo" and text in _FUNCS:
        return "\\" + text
    out = []
    for ch in text:
        if ch in _GREEK:
            out.append(_GREEK[ch])
        elif ch in _SYMBOLS:
            out.append(_SYMBOLS[ch])
        elif ord(ch) >= 0x1D400:  # mathematical alphanumeric symbols: 𝑥 → x
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    s = _join(out)
    variant = el.getattr("mathvariant") if tag == "mi" else None
    if variant in _VARIANTS and s:
        return _VARIANTS[variant] + "{" + s + "}"
    if variant == "normal" and len(s) == 1 and s.isalpha():
        return r"\mathrm{" + s + "}"
    return s


def mathml_to_tex(el) -> str:
    """A small MathML → LaTeX converter, for MathML without a TeX annotation or ``alttext``."""
    tag = _tag(el)
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        return _token(el)
    if tag in ("annotation", "annotation-xml", "mphantom", "none", "mprescripts"):
        return ""
    kids = _elements(el)
    if tag == "semantics":
        return mathml_to_tex(kids[0]) if kids else ""
    if tag == "mspace":
        return _SPACES.get(el.getattr("width") or "", "")
    if tag == "mfrac" and len(kids) == 2:
        a, b = mathml_to_tex(kids[0]), mathml_to_tex(kids[1])
        if _zero_rule(el):
            return "{" + a + r" \atop " + b + "}"
        return r"\frac{" + a + "}{" + b + "}"
    if tag == "msqrt":
        return r"\sqrt{" + _join(map(mathml_to_tex, kids)) + "}"
    if tag == "mroot" and len(kids) == 2:
        return r"\sqrt[" + mathml_to_tex(kids[1]) + "]{" + mathml_to_tex(kids[0]) + "}"
    if tag in ("msup", "msub") and len(kids) == 2:
        op = "^" if tag == "msup" else "_"
        base = mathml_to_tex(kids[0])
        return (
            _base(base) + op + _arg(mathml_to_tex(kids[1]))
            if base
            else "{}" + op + _arg(mathml_to_tex(kids[1]))
        )
    if tag == "msubsup" and len(kids) == 3:
        base = mathml_to_tex(kids[0]) or "{}"
        return _base(base) + "_" + _arg(mathml_to_tex(kids[1])) + "^" + _arg(mathml_to_tex(kids[2]))
    if tag in ("mover", "munder") and len(kids) == 2:
        base, script = mathml_to_tex(kids[0]), kids[1]
        mark = (script.text or "").strip()
        if _tag(script) == "mo" and mark in _ACCENTS:
            return _ACCENTS[mark] + "{" + base + "}"
        s = mathml_to_tex(script)
        op = "^" if tag == "mover" else "_"
        if base in _BIG_OPS:
            return base + op + _arg(s)
        return (r"\overset{" if tag == "mover" else r"\underset{") + s + "}{" + base + "}"
    if tag == "munderover" and len(kids) == 3:
        base, under, over = mathml_to_tex(kids[0]), mathml_to_tex(kids[1]), mathml_to_tex(kids[2])
        if base in _BIG_OPS:
            return base + "_" + _arg(under) + "^" + _arg(over)
        return r"\underset{" + under + r"}{\overset{" + over + "}{" + base + "}}"
    if tag == "mmultiscripts" and kids:
        base, post, pre, into_pre = mathml_to_tex(kids[0]), [], [], False
        for k in kids[1:]:
            if _tag(k) == "mprescripts":
                into_pre = True
                continue
            (pre if into_pre else post).append(mathml_to_tex(k))
        out = ""
        for sub, sup in zip(pre[::2], pre[1::2], strict=False):
            out += "{}" + ("_" + _arg(sub) if sub else "") + ("^" + _arg(sup) if sup else "")
        out += _base(base) if base else "{}"
        for sub, sup in zip(post[::2], post[1::2], strict=False):
            out += ("_" + _arg(sub) if sub else "") + ("^" + _arg(sup) if sup else "")
        return out
    if tag == "mtable":
        return _table(el, "matrix")
    if tag == "mfenced":
        opening, closing = el.getattr("open", "("), el.getattr("close", ")")
        sep = (el.getattr("separators", ",") or "").strip()[:1]
        inner = sep.join(mathml_to_tex(k) for k in kids)
        return _SYMBOLS.get(opening, opening) + inner + _SYMBOLS.get(closing, closing)
    if tag in ("mtr", "mlabeledtr", "mtd"):
        return _join(map(mathml_to_tex, kids))
    # math, mrow, mstyle, mpadded, menclose, merror, unknown: the children in order
    if not kids:
        return _token(el) if el.text and el.text.strip() else ""
    return _row(kids)


def _fence(el) -> str | None:
    """The bracket an ``<mo>`` holds, also when MathJax wraps it in an ``<mrow>`` of its own
    (``data-mjx-texclass="OPEN"``); None for anything else."""
    while _tag(el) == "mrow":
        kids = _elements(el)
        if len(kids) != 1:
            return None
        el = kids[0]
    return (el.text or "").strip() if _tag(el) == "mo" else None


def _zero_rule(frac) -> bool:
    return (frac.getattr("linethickness") or "").strip() in ("0", "0px", "0em", "0pt")


def _row(kids: list) -> str:
    """The children of a row; ``( a atop b )`` → binom, ``( mtable )`` → pmatrix and friends,
    ``{ mtable`` → cases, wherever in the row they stand."""
    parts, i, n = [], 0, len(kids)
    while i < n:
        first = _fence(kids[i]) if i + 1 < n else None
        if first:
            mid = kids[i + 1]
            last = _fence(kids[i + 2]) if i + 2 < n else None
            parts_of = _elements(mid)
            if (
                _tag(mid) == "mfrac"
                and len(parts_of) == 2
                and _zero_rule(mid)
                and (first, last) == ("(", ")")
            ):
                parts.append(
                    r"\binom{" + mathml_to_tex(parts_of[0]) + "}{" + mathml_to_tex(parts_of[1]) + "}"
                )
                i += 3
                continue
            if _tag(mid) == "mtable" and (first, last) in _MATRIX_ENVS:
                parts.append(_table(mid, _MATRIX_ENVS[(first, last)]))
                i += 3
                continue
            if _tag(mid) == "mtable" and first == "{" and (i + 2 == n or last == ""):
                parts.append(_table(mid, "cases"))
                i += 2 if i + 2 == n else 3
                continue
        parts.append(mathml_to_tex(kids[i]))
        i += 1
    return _join(parts)


def _table(el, env: str) -> str:
    rows = []
    for row in _elements(el):
        cells = _elements(row)
        if _tag(row) == "mlabeledtr":
            cells = cells[1:]
        rows.append(" & ".join(mathml_to_tex(c) for c in cells))
    return r"\begin{" + env + "}" + r" \\ ".join(rows) + r"\end{" + env + "}"


def math_tex(math) -> str:
    """TeX of a ``<math>`` element: its TeX annotation, else ``alttext``, else converted."""
    ann = math.query_selector('annotation[encoding*="tex"], annotation[encoding*="TeX"]')
    if ann is not None and (ann.text or "").strip():
        return ann.text
    alt = math.getattr("alttext")
    if alt and alt.strip():
        return alt
    try:
        return mathml_to_tex(math)
    except RecursionError:  # absurdly deep MathML: its characters are better than nothing
        return " ".join((math.text or "").split())


def math_display(math) -> bool:
    """Whether a ``<math>`` element is display maths (``display="block"``, or ``mode="display"``)."""
    return math.getattr("display") == "block" or math.getattr("mode") == "display"
