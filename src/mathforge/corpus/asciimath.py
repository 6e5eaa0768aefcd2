"""AsciiMath → LaTeX, and whether a page turns AsciiMath on at all.

MathJax reads AsciiMath between backticks (`` `sum_(i=1)^n i` ``) only when the page loads its
AsciiMath input: MathJax v2 ``jax: ["input/AsciiMath"]`` / ``asciimath2jax`` or a combined configuration
such as ``TeX-MML-AM_CHTML``, MathJax v3 ``loader: {load: ['input/asciimath']}``, or the original
``ASCIIMathML.js``. :func:`asciimath_enabled` tells from the page's scripts; on every other page a
backtick is just a backtick (code spans on programming pages).

:func:`asciimath_to_tex` is a port of the reference parser (ASCIIMathML.js, the one MathJax uses), with
LaTeX in place of MathML: the same symbol table (plus the LaTeX names it accepts as aliases), the same
grammar (``S ::= v | lEr | uS | bSS``, ``I ::= S_S | S^S | S_S^S | S``, ``E ::= IE | I/I``) and the same
quirks — brackets around an argument are dropped (``sqrt(x)`` → ``\\sqrt{x}``, ``(a+b)/2`` →
``\\frac{a+b}{2}``), ``|x|`` is an absolute value unless it can only be a divider (``P(A|B)``),
``((a,b),(c,d))`` is a matrix and ``((n),(k))`` a binomial coefficient, ``{(x, x>0),(-x, x<0):}`` a
``cases``. It is written here rather than taken from PyPI because the packages there did not fit:
py-asciimath (unmaintained since 2020, built on the deprecated ``lark-parser``, reconfigures the root
logger at import) emits invalid LaTeX for common input (``abs(x)`` → ``\\left\\mid``, ``\\ `` →
``\\setminus``, ``text(if)`` → ``\\mathmr``), and unicodemath misreads ``(a,b)``, ``AA x in RR`` and
``floor(x)`` and has no accents or ``text``.

Not covered: ``color``/``class``/``id`` beyond ``color(red)(x)``, user-defined symbols
(``AMsymbols.push``), custom delimiters from ``asciimath2jax: {delimiters: …}`` (only backticks are
read), and ASCIIMathML.js's ``amath … endamath`` blocks. Malformed input never raises: it comes out as
the reference parser would render it (a missing argument becomes ``{}``); input that would make the
parser backtrack without end (``(a|(a|(a|…``) is given back as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["BACKTICK_MATH", "asciimath_enabled", "asciimath_to_tex"]

# Kinds of symbol, as in ASCIIMathML.js.
CONST, UNARY, BINARY, INFIX, LEFT, RIGHT, LEFTRIGHT, TEXT, UNDEROVER = range(9)


@dataclass(frozen=True)
class _Sym:
    name: str
    kind: int
    tex: str
    func: bool = False  # sin, log, f: the argument keeps its brackets
    around: tuple[str, str] | None = None  # abs, floor, ceil, norm: \left| … \right|


def _table() -> dict[str, _Sym]:
    t: dict[str, _Sym] = {}

    def add(kind: int, pairs: str, **kw) -> None:
        # "name tex name tex …" (whitespace separated; tex "-" means the name itself)
        items = pairs.split()
        for name, tex in zip(items[::2], items[1::2], strict=True):
            t[name] = _Sym(name, kind, name if tex == "-" else tex, **kw)

    greek = (
        "alpha beta chi delta Delta epsi epsilon varepsilon eta gamma Gamma iota kappa lambda Lambda mu nu "
        "omega Omega phi varphi Phi pi Pi psi Psi rho sigma Sigma tau theta vartheta Theta upsilon xi Xi zeta"
    )
    for g in greek.split():
        t[g] = _Sym(g, CONST, "\\" + ("epsilon" if g == "epsi" else g))
    t["lamda"], t["Lamda"] = _Sym("lamda", CONST, r"\lambda"), _Sym("Lamda", CONST, r"\Lambda")
    add(
        CONST,
        r"""* \cdot ** \ast *** \star // / \\ \backslash setminus \setminus xx \times |>< \ltimes
        ><| \rtimes |><| \bowtie -: \div divide \div @ \circ o+ \oplus ox \otimes o. \odot
        ^^ \wedge vv \vee nn \cap uu \cup
        != \ne := := lt < <= \le lt= \leq gt > mlt \ll >= \ge gt= \geq mgt \gg -< \prec -lt \prec
        >- \succ -<= \preceq >-= \succeq in \in !in \notin sub \subset sup \supset sube \subseteq
        supe \supseteq -= \equiv ~= \cong ~~ \approx ~ \sim prop \propto
        not \neg => \implies <=> \iff AA \forall EE \exists _|_ \bot TT \top |-- \vdash |== \models
        int \int oint \oint del \partial grad \nabla +- \pm -+ \mp O/ \emptyset oo \infty aleph \aleph
        ... \ldots :. \therefore :' \because /_ \angle /_\ \triangle ' ' frown \frown
        quad \quad qquad \qquad cdots \cdots vdots \vdots ddots \ddots diamond \diamond square \square
        |__ \lfloor __| \rfloor |~ \lceil ~| \rceil :|: | CC \mathbb{C} NN \mathbb{N} QQ \mathbb{Q}
        RR \mathbb{R} ZZ \mathbb{Z} dx dx dy dy dz dz dt dt
        uarr \uparrow darr \downarrow rarr \rightarrow -> \to >-> \rightarrowtail ->> \twoheadrightarrow
        >->> \twoheadrightarrow |-> \mapsto larr \leftarrow harr \leftrightarrow rArr \Rightarrow
        lArr \Leftarrow hArr \Leftrightarrow""",
    )
    t["\\ "] = _Sym("\\ ", CONST, "\\ ")
    for word in ("and", "or", "if"):
        t[word] = _Sym(word, CONST, r"\text{ " + word + " }")
    add(UNDEROVER, r"sum \sum prod \prod ^^^ \bigwedge vvv \bigvee nnn \bigcap uuu \bigcup")
    add(UNDEROVER, r"lim \lim Lim \operatorname*{Lim} min \min max \max")
    add(
        UNARY,
        r"""sin \sin cos \cos tan \tan sec \sec csc \csc cot \cot arcsin \arcsin arccos \arccos
        arctan \arctan sinh \sinh cosh \cosh tanh \tanh coth \coth sech \operatorname{sech}
        csch \operatorname{csch} exp \exp log \log ln \ln det \det dim \dim mod \bmod gcd \gcd
        lcm \operatorname{lcm} lub \operatorname{lub} glb \operatorname{glb} f f g g""",
        func=True,
    )
    add(UNARY, r"sqrt \sqrt")
    add(
        UNARY,
        r"""hat \hat bar \overline overline \overline vec \vec tilde \tilde dot \dot ddot \ddot
        ul \underline underline \underline overarc \overparen overparen \overparen cancel \cancel
        bb \mathbf mathbf \mathbf sf \mathsf mathsf \mathsf bbb \mathbb mathbb \mathbb cc \mathcal
        mathcal \mathcal tt \mathtt mathtt \mathtt fr \mathfrak mathfrak \mathfrak""",
    )
    add(UNARY, r"obrace \overbrace overbrace \overbrace ubrace \underbrace underbrace \underbrace")
    for name, around in (
        ("abs", ("|", "|")),
        ("norm", (r"\|", r"\|")),
        ("floor", (r"\lfloor", r"\rfloor")),
        ("ceil", (r"\lceil", r"\rceil")),
    ):
        t[name] = _Sym(name, UNARY, "", around=around)
    add(BINARY, r"frac \frac root \sqrt stackrel \stackrel overset \overset underset \underset color \color")
    add(INFIX, "_ _ ^ ^ / /")
    add(LEFT, r"( ( [ [ { \{ (: \langle << \langle {: - |: |")
    add(RIGHT, r") ) ] ] } \} :) \rangle >> \rangle :} - :| |")
    t["langle"], t["rangle"] = _Sym("langle", LEFT, r"\langle"), _Sym("rangle", RIGHT, r"\rangle")
    t["{:"], t[":}"] = _Sym("{:", LEFT, ""), _Sym(":}", RIGHT, "")
    t["|"] = _Sym("|", LEFTRIGHT, "|")
    add(TEXT, "text - mbox -")
    t['"'] = _Sym('"', TEXT, "")
    # ASCIIMathML.js also accepts the LaTeX name of a symbol (le, times, partial, …)
    for sym in list(t.values()):
        m = re.fullmatch(r"\\([A-Za-z]+)", sym.tex)
        if m and m.group(1) not in t and sym.kind in (CONST, UNDEROVER):
            t[m.group(1)] = _Sym(m.group(1), sym.kind, sym.tex, sym.func)
    return t


_SYMBOLS = _table()
_MAXLEN = max(map(len, _SYMBOLS))
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_BLANKS = "".join(map(chr, range(33)))  # what the reference parser skips between symbols
_ESCAPE = {"%": r"\%", "#": r"\#", "&": r"\&", "$": r"\$", "_": "{}_", "^": "{}^"}
_TEXT_ESCAPES = {c: "\\" + c for c in "{}$%#&_"} | {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}
_TEXT_ESCAPE = re.compile(r"[{}$%#&_\\^~]")
_TALL = re.compile(r"\\(?:frac|sum|prod|int|oint|begin|binom|underbrace|overbrace|bigcup|bigcap)\b")

# ----------------------------------------------------------------------------------- the tree
# A node is a LaTeX fragment, or a bracketed row of nodes kept as such until rendered: an argument drops
# its brackets (``sqrt(x)``), and rows of bracketed rows make a matrix.


@dataclass
class _Node:
    tex: str = ""
    left: str = ""  # source spelling of the brackets around ``body`` ("(", "[", "{:", …), if any
    right: str = ""
    body: list[_Node] = field(default_factory=list)
    text: str = ""  # for a plain token: its source character(s)


def _tok(tex: str, text: str = "") -> _Node:
    return _Node(tex=tex, text=text)


_CMD_END = re.compile(r"\\[A-Za-z]+$")
_SCRIPT_END = re.compile(r"[_^](?:[A-Za-z0-9]|\\[A-Za-z]+)$")


def _join(parts: list[str]) -> str:
    out = ""
    for p in parts:
        if not p:
            continue
        needed = p[0].isalnum() and (_CMD_END.search(out) or _SCRIPT_END.search(out))
        if out and (needed or (p[0] == "\\" and _SCRIPT_END.search(out))):
            out += " "  # \sin x, not \sinx; i^3 j and x^2 \le 1 rather than i^3j and x^2\le 1
        out += p
    return out


def _bracket_tex(spelling: str) -> str:
    sym = _SYMBOLS.get(spelling)
    return sym.tex if sym is not None else spelling


def _render(node: _Node) -> str:
    if node.body or node.left or node.right:
        inner = _join([_render(n) for n in node.body])
        left, right = _bracket_tex(node.left), _bracket_tex(node.right)
        if left == "" and right == "":
            return inner
        if _TALL.search(inner):
            return _join([r"\left" + (left or "."), inner, r"\right" + (right or ".")])
        return _join([left, inner, right])
    return node.tex


def _unbracket(node: _Node) -> _Node:
    """ASCIIMathML.js's removeBrackets: an argument loses its outer ( ), [ ] or { }."""
    if node.left in ("(", "[", "{") or node.right in (")", "]", "}"):
        left = "" if node.left in ("(", "[", "{") else node.left
        right = "" if node.right in (")", "]", "}") else node.right
        return _Node(left=left, right=right, body=node.body, tex=node.tex)
    return node


def _arg(node: _Node) -> str:
    s = _render(node)
    return s if len(s) == 1 or re.fullmatch(r"\\[A-Za-z]+", s) else "{" + s + "}"


def _group(node: _Node) -> str:
    return "{" + _render(node) + "}"


# --------------------------------------------------------------------------------- the parser


class _TooMuchWork(Exception):
    pass


class _Parser:
    def __init__(self, src: str) -> None:
        self.s = src
        self.depth = 0
        self.prev_infix = False
        self.not_abs: set[int] = set()  # where a "|" turned out to be a divider (by length of the rest)
        self.budget = 40 * len(src) + 200  # parse steps; the reference parser can backtrack a lot

    def skip(self, n: int = 0) -> None:
        """Drop ``n`` characters and the blanks after them (a backslash before a letter is ignored)."""
        s = self.s[n:]
        if s[:1] == "\\" and s[1:2] not in ("\\", " ", ""):
            s = s[1:]
        self.s = s.lstrip(_BLANKS)

    def peek(self) -> _Sym | None:
        s = self.s
        if not s:
            return None
        for n in range(min(_MAXLEN, len(s)), 0, -1):
            sym = _SYMBOLS.get(s[:n])
            if sym is not None:
                return sym
        m = _NUMBER.match(s)
        if m:
            return _Sym(m.group(0), CONST, m.group(0))
        c = s[0]
        if c == "-" and self.prev_infix and s[1:2] != " ":
            return _Sym("-", UNARY, "-", func=True)  # a/-b: the minus belongs to the denominator
        return _Sym(c, CONST, _ESCAPE.get(c, c))

    def take(self) -> _Sym | None:
        sym = self.peek()
        if sym is not None:
            self.prev_infix = sym.kind == INFIX
        return sym

    # S ::= v | lEr | uS | bSS
    def simple(self) -> _Node | None:
        self.budget -= 1
        if self.budget < 0:
            raise _TooMuchWork
        self.skip()
        sym = self.peek()
        if sym is None or (sym.kind == RIGHT and self.depth > 0):
            return None
        self.take()
        if sym.kind in (CONST, UNDEROVER, INFIX):
            self.skip(len(sym.name))
            return _tok(_ESCAPE.get(sym.name, sym.tex) if sym.kind == INFIX else sym.tex, sym.name)
        if sym.kind == LEFT:
            self.depth += 1
            self.skip(len(sym.name))
            body, closer = self.expr(True)
            self.depth -= 1
            return self._fence(sym.name, body, closer)
        if sym.kind == TEXT:
            return self._text(sym)
        if sym.kind == LEFTRIGHT:
            return self._bar(sym)
        if sym.kind == RIGHT:  # unmatched closing bracket at the top level
            self.skip(len(sym.name))
            return _tok(sym.tex or sym.name, sym.name)
        self.skip(len(sym.name))
        if sym.kind == UNARY:
            return self._unary(sym)
        return self._binary(sym)

    def _unary(self, sym: _Sym) -> _Node:
        before = self.s
        arg = self.simple()
        if arg is None:
            return _tok(sym.tex, sym.name)
        if sym.func:
            c = before[:1]
            if c in ("^", "_", "/", "|", ",") or (len(sym.name) == 1 and sym.name.isalpha() and c != "("):
                self.s = before  # sin^2 x, f x: the function stands alone; its argument is parsed later
                return _tok(sym.tex, sym.name)
            return _Node(body=[_tok(sym.tex, sym.name), arg])
        arg = _unbracket(arg)
        if sym.around:
            left, right = sym.around
            inner = _render(arg)
            if _TALL.search(inner):
                return _tok(_join([r"\left" + left, inner, r"\right" + right]))
            return _tok(_join([left, inner, right]))
        return _tok(sym.tex + _group(arg), sym.name)

    def _binary(self, sym: _Sym) -> _Node:
        before = self.s
        a = self.simple()
        if a is None:
            return _tok(_ESCAPE.get(sym.name, sym.name))
        b = self.simple()
        if b is None:
            self.s = before
            return _tok(sym.name)
        a, b = _unbracket(a), _unbracket(b)
        if sym.name == "root":
            return _tok(r"\sqrt[" + _render(a) + "]" + _group(b))
        if sym.name == "color":
            return _tok(r"{\color{" + _render(a).replace(" ", "") + "}" + _render(b) + "}")
        return _tok(sym.tex + _group(a) + _group(b))

    def _text(self, sym: _Sym) -> _Node:
        if sym.name != '"':
            self.skip(len(sym.name))
        s = self.s
        closers = {"{": "}", "(": ")", "[": "]"}
        if s[:1] in closers:
            i = s.find(closers[s[0]])
        elif sym.name == '"':
            i = s.find('"', 1)
        else:
            i = 0
        if i < 0:
            i = len(s)
        content = s[1:i]
        self.skip(i + 1)
        return _tok(
            r"\text{" + _TEXT_ESCAPE.sub(lambda m: _TEXT_ESCAPES[m.group(0)], content) + "}"
            if content
            else ""
        )

    def _bar(self, sym: _Sym) -> _Node:
        start = self.s
        if len(start) not in self.not_abs:
            self.depth += 1
            self.skip(len(sym.name))
            after_open = self.s
            body, closer = self.expr(False)
            self.depth -= 1
            if closer == "|" and not after_open.startswith(","):
                table = self._matrix("|", body, "|")
                return _tok(table) if table else _Node(left="|", right="|", body=body)
            self.not_abs.add(len(start))
        self.s = start[len(sym.name) :]  # a divider, as in P(A|B): reparse what follows it
        self.skip()
        return _tok(r"\mid")

    def _fence(self, left: str, body: list[_Node], closer: str) -> _Node:
        node = _Node(left=left, right=closer, body=body)
        table = self._matrix(left, body, closer)
        if table:
            return _tok(table)
        return node

    def _matrix(self, left: str, body: list[_Node], closer: str) -> str:
        """``((a,b),(c,d))`` and friends: rows in matching brackets, separated by commas."""
        if not body or len(body) % 2 == 0:
            return ""  # a matrix needs rows: "(…),(…)"
        rows = body[::2]
        first = rows[0]
        pair = (first.left, first.right)
        if pair not in (("(", ")"), ("[", "]")) or (pair == ("(", ")") and closer == "}"):
            return ""
        if any(n.tex != "," or n.body for n in body[1::2]):
            return ""
        cells: list[list[str]] = []
        for row in rows:
            if (row.left, row.right) != pair:
                return ""
            cell: list[_Node] = []
            cols: list[str] = []
            for n in row.body:
                if n.text == "," and not n.body:
                    cols.append(_join([_render(c) for c in cell]))
                    cell = []
                else:
                    cell.append(n)
            cols.append(_join([_render(c) for c in cell]))
            cells.append(cols)
        if len({len(c) for c in cells}) != 1 or (len(cells) == 1 and len(cells[0]) == 1):
            return ""
        lines = r" \\ ".join(" & ".join(c) for c in cells)
        if (left, closer) == ("(", ")") and len(cells) == 2 and len(cells[0]) == 1:
            return r"\binom{" + cells[0][0] + "}{" + cells[1][0] + "}"
        envs = {("(", ")"): "pmatrix", ("[", "]"): "bmatrix", ("|", "|"): "vmatrix", ("{:", ":}"): "matrix"}
        if (left, closer) in envs:
            env = envs[(left, closer)]
            return r"\begin{" + env + "}" + lines + r"\end{" + env + "}"
        if left == "{" and closer in (":}", ""):
            return r"\begin{cases}" + lines + r"\end{cases}"
        return _join(
            [
                r"\left" + (_bracket_tex(left) or "."),
                r"\begin{matrix}" + lines + r"\end{matrix}",
                r"\right" + (_bracket_tex(closer) or "."),
            ]
        )

    # I ::= S_S | S^S | S_S^S | S
    def intermediate(self) -> _Node | None:
        self.skip()
        first = self.peek()
        node = self.simple()
        sym = self.peek()
        if node is None or sym is None or sym.kind != INFIX or sym.name == "/":
            return node
        self.take()
        self.skip(len(sym.name))
        script = self.simple()
        out = _render(node)
        if node.body and not (node.left or node.right):  # sin(x)^2: the script goes on the whole
            out = "{" + out + "}"
        out += sym.name + (_arg(_unbracket(script)) if script is not None else "{}")
        if sym.name == "_":
            nxt = self.peek()
            if nxt is not None and nxt.name == "^":
                self.take()
                self.skip(1)
                sup = self.simple()
                out += "^" + (_arg(_unbracket(sup)) if sup is not None else "{}")
        result = _tok(out)
        if first is not None and first.func:
            nxt = self.peek()
            if (
                nxt is not None
                and nxt.kind not in (INFIX, RIGHT)
                and (len(first.name) > 1 or nxt.kind == LEFT)
            ):
                arg = self.intermediate()
                if arg is not None:
                    result = _Node(body=[result, arg])
        return result

    # E ::= IE | I/I
    def expr(self, closing: bool) -> tuple[list[_Node], str]:
        """Parse up to the closing bracket; returns the nodes and the closer's spelling ("" if none)."""
        nodes: list[_Node] = []
        while True:
            self.skip()
            node = self.intermediate()
            sym = self.peek()
            if node is not None and sym is not None and sym.kind == INFIX and sym.name == "/":
                self.take()
                self.skip(1)
                den = self.intermediate()
                num = _unbracket(node)
                frac = r"\frac" + _group(num) + (_group(_unbracket(den)) if den is not None else "{}")
                nodes.append(_tok(frac))
                sym = self.peek()
            elif node is not None:
                nodes.append(node)
            if sym is None:
                return nodes, ""
            if self.depth > 0 and (sym.kind == RIGHT or (sym.kind == LEFTRIGHT and not closing)):
                self.skip(len(sym.name))
                return nodes, sym.name
            if node is None:  # nothing consumed: avoid looping forever
                self.skip(len(sym.name))
                nodes.append(_tok(sym.tex, sym.name))


def asciimath_to_tex(src: str) -> str:
    """LaTeX for one AsciiMath expression (what MathJax renders between backticks)."""
    parser = _Parser(src.strip())
    try:
        nodes, _ = parser.expr(False)
    except (RecursionError, _TooMuchWork):
        return " ".join(src.split())
    return _join([_render(n) for n in nodes]).strip()


# ------------------------------------------------------------------------------ page detection

# MathJax v2 ``input/AsciiMath``, ``asciimath2jax``, combined configurations (``AM_CHTML``,
# ``TeX-MML-AM_HTMLorMML``, …; not ``TeX-AMS_HTML``: that is the AMS TeX extensions), MathJax v3
# ``input/asciimath``, and ASCIIMathML.js itself
_AM_HINTS = (
    "input/AsciiMath",
    "input/asciimath",
    "asciimath2jax",
    "ASCIIMathML",
    "AM_CHTML",
    "AM_HTMLorMML",
    "AM_SVG",
)


def _commented(code: str, pos: int) -> bool:
    line_start = code.rfind("\n", 0, pos) + 1
    return code[line_start:pos].lstrip().startswith(("//", "*", "/*", "<!--"))


def asciimath_enabled(html: str) -> bool:
    """Whether the page's MathJax (or ASCIIMathML.js) reads AsciiMath between backticks: its name in
    a ``<script>`` (the ``src`` URL or code that is not commented out), not in the page text."""
    for hint in _AM_HINTS:
        pos = html.find(hint)
        while pos >= 0:
            if _in_live_script(html, pos) and not (hint.startswith("AM_") and html[pos - 1 : pos].isalpha()):
                return True
            pos = html.find(hint, pos + 1)
    return False


def _in_live_script(html: str, pos: int) -> bool:
    """Whether ``pos`` is in a ``<script>`` tag's attributes or in its code, outside a comment."""
    start = max(html.rfind("<script", 0, pos), html.rfind("<SCRIPT", 0, pos))
    if start < 0 or html.find("</script", start, pos) >= 0 or html.find("</SCRIPT", start, pos) >= 0:
        return False
    return html.find(">", start, pos) < 0 or not _commented(html, pos)


# `...` within one line of the extracted text (one paragraph, list item or cell), at most 1,000 characters
BACKTICK_MATH = re.compile(r"`([^`\n]{1,1000})`")
