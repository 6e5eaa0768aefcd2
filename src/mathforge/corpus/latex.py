"""LaTeX source → readable text that keeps every formula.

Above 700 lines because the cleaner is one cohesive pipeline: its passes hand each other text whose
placeholders point into one shared store (verbatim, math) and share the bracket and environment indexes
(``_Index``, ``_Src``, ``_parse_args``), and a third of the file is the environment and macro tables
those same rules read, so a split would put each rule and its table in different files.

The cleaner is deliberately conservative: it never touches the inside of math (``$..$``, ``$$..$$``,
``\\(..\\)``, ``\\[..\\]``, equation/align/gather/multline/… environments) except for dropping ``\\label``,
so a formula that compiles in the source is character-for-character the same in the output. Around the
math it removes what a reader of the PDF never sees (preamble, comments, labels, index entries, figures,
``\\input`` lines, blueprint macros such as ``\\lean{}``/``\\leanok``/``\\uses{}``) and turns structure
into light Markdown: ``\\section{X}`` → ``## X``, ``\\begin{thm}[Name]`` → ``**Theorem (Name).**``,
itemize/enumerate → ``-``/``1.`` lists, ``\\emph{x}`` → ``*x*``. References become ``[ref]``, citations
``[cite]``. Custom text-mode macros that are not known are dropped but their braced arguments kept
(``\\myindex{word}`` → ``word``), which is right for the usual "format this word" macros.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable

__all__ = ["clean_latex"]

# Environments whose body is math: kept verbatim (minus \label).
_MATH_ENV = re.compile(
    r"(?:equation|align|alignat|flalign|gather|multline|narrowmultline|eqnarray|displaymath|math|dmath"
    r"|dgroup|darray|subequations|xalignat|xxalignat"
    r"|prooftree|tikzcd|CD)\*?"  # not math mode, but only readable as written
)
# Environments dropped with their body.
_DROP_ENV = re.compile(
    r".*figure.*|tikzpicture|pspicture|picture|thebibliography|biblist|bibchapter|comment"
    r"|titlepage|filecontents\*?|tableofcontents|wrapfig.*|SCfigure"
)
_VERBATIM_ENV = ("verbatim", "verbatim*", "Verbatim", "lstlisting", "minted", "alltt", "code", "spverbatim")
# Theorem-like environments → bold label line. Abbreviations as the common class files spell them.
_THEOREM_NAMES = {
    "theorem": "Theorem",
    "thm": "Theorem",
    "lemma": "Lemma",
    "lem": "Lemma",
    "proposition": "Proposition",
    "prop": "Proposition",
    "corollary": "Corollary",
    "cor": "Corollary",
    "coro": "Corollary",
    "definition": "Definition",
    "defn": "Definition",
    "dfn": "Definition",
    "def": "Definition",
    "example": "Example",
    "ex": "Example",
    "eg": "Example",
    "exmp": "Example",
    "exercise": "Exercise",
    "exer": "Exercise",
    "problem": "Problem",
    "prob": "Problem",
    "remark": "Remark",
    "rmk": "Remark",
    "rem": "Remark",
    "note": "Note",
    "notation": "Notation",
    "claim": "Claim",
    "conjecture": "Conjecture",
    "conj": "Conjecture",
    "axiom": "Axiom",
    "fact": "Fact",
    "question": "Question",
    "solution": "Solution",
    "answer": "Answer",
    "hypothesis": "Hypothesis",
    "assumption": "Assumption",
    "observation": "Observation",
    "property": "Property",
    "criterion": "Criterion",
    "algorithm": "Algorithm",
    "case": "Case",
    "abstract": "Abstract",
    "summary": "Summary",
}
_LIST_ENV = {"itemize": "-", "enumerate": "1.", "description": "-", "tagenumerate": "1.", "compactitem": "-"}
# Environments whose first mandatory argument is not content (widths, column specs, …).
_ENV_SKIP_ARGS = {
    "minipage": 1,
    "tabular": 1,
    "tabular*": 2,
    "tabularx": 2,
    "longtable": 1,
    "array": 1,
    "multicols": 1,
    "multicols*": 1,
    "wrapfigure": 2,
    "column": 1,
    "columns": 0,
    "adjustbox": 1,
    "tcolorbox": 0,
}

# Commands removed together with their arguments: (optional [] args allowed, mandatory {} args).
_REMOVE: dict[str, tuple[int, int]] = {
    "label": (0, 1),
    "ollabel": (0, 1),
    "index": (1, 1),
    "indexdef": (1, 1),
    "indexsee": (1, 2),
    "indexfoot": (1, 1),
    "glossary": (0, 1),
    "nomenclature": (1, 2),
    "lean": (0, 1),
    "leanok": (0, 0),
    "mathlibok": (0, 0),
    "notready": (0, 0),
    "uses": (0, 1),
    "proves": (0, 1),
    "discussion": (0, 1),
    "includegraphics": (1, 1),
    "myincludegraphics": (1, 2),
    "myincludepdft": (1, 2),
    "input": (0, 1),
    "include": (0, 1),
    "includeonly": (0, 1),
    "subfile": (0, 1),
    "import": (0, 2),
    "subimport": (0, 2),
    "documentclass": (1, 1),
    "usepackage": (1, 1),
    "RequirePackage": (1, 1),
    "bibliography": (0, 1),
    "bibliographystyle": (0, 1),
    "addbibresource": (1, 1),
    "theoremstyle": (0, 1),
    "setlength": (0, 2),
    "addtolength": (0, 2),
    "setcounter": (0, 2),
    "addtocounter": (0, 2),
    "vspace": (0, 1),
    "hspace": (0, 1),
    "vskip": (0, 0),
    "pagestyle": (0, 1),
    "thispagestyle": (0, 1),
    "pdfbookmark": (1, 2),
    "olfileid": (0, 3),
    "hypersetup": (0, 1),
    "graphicspath": (0, 1),
    "tikzset": (0, 1),
    "pgfplotsset": (0, 1),
    "newlength": (0, 1),
    "rule": (1, 2),
    "raisebox": (0, 1),
    "makebox": (2, 0),
    "framebox": (2, 0),
    "phantom": (0, 1),
    "vphantom": (0, 1),
    "hphantom": (0, 1),
    "linespread": (0, 1),
    "microtypesetup": (0, 1),
    "addcontentsline": (0, 3),
    "markboth": (0, 2),
    "markright": (0, 1),
    "chaptermark": (0, 1),
    "sectionmark": (0, 1),
    "setbeamertemplate": (1, 2),
    "usetheme": (1, 1),
    "usecolortheme": (1, 1),
    "setlist": (1, 1),
    "hypertarget": (0, 1),
    "color": (1, 1),
    "pagenumbering": (0, 1),
    "bibitem": (1, 1),
    "glsadd": (1, 1),
    "glsaddall": (1, 0),
    "author": (1, 1),
    "date": (0, 1),
    "thanks": (0, 1),
    "address": (0, 1),
    "email": (0, 1),
    "keywords": (0, 1),
    "subjclass": (1, 1),
}


def _words(s: str) -> frozenset[str]:
    return frozenset(s.split())


# Argument-less commands dropped without trace (spacing, layout, beamer overlays, …).
_DROP_WORDS = _words(
    "noindent indent medskip bigskip smallskip par pause maketitle tableofcontents listoffigures "
    "listoftables phantomsection centering raggedright raggedleft clearpage cleardoublepage newpage "
    "pagebreak nopagebreak linebreak nolinebreak newline break vfill hfill hfil vfil null relax "
    "protect qed qedhere displaystyle textstyle frontmatter mainmatter backmatter appendix "
    "today printbibliography printindex titlepage sloppy fussy normalsize small footnotesize "
    "scriptsize tiny large Large LARGE huge Huge bfseries itshape mdseries upshape slshape "
    "scshape rmfamily sffamily ttfamily normalfont em it bf rm sf tt sl sc selectfont "
    "leavevmode ignorespaces unskip allowbreak frenchspacing nonfrenchspacing endinput "
    "makeatletter makeatother onecolumn twocolumn flushbottom raggedbottom ifpdf fi else "
    "begingroup endgroup allowdisplaybreaks printglossary printglossaries bigbreak medbreak "
    "smallbreak goodbreak FloatBarrier justifying hline toprule midrule bottomrule cline "
    "item"  # a stray \item outside a list
)
_SYMBOLS = {
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "LaTeXe": "LaTeX2e",
    "ldots": "...",
    "dots": "...",
    "textellipsis": "...",
    "S": "§",
    "P": "¶",
    "copyright": "©",
    "textregistered": "®",
    "texttrademark": "™",
    "dag": "†",
    "ddag": "‡",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textendash": "–",
    "textemdash": "—",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "textbullet": "•",
    "textdegree": "°",
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "quad": " ",
    "qquad": " ",
    "enspace": " ",
    "thinspace": " ",
    "space": " ",
    "slash": "/",
}
_HEADINGS = {
    "part": "#",
    "chapter": "#",
    "title": "#",
    "section": "##",
    "olsection": "##",
    "olchapter": "#",
    "subsection": "###",
    "olsubsection": "###",
    "subsubsection": "####",
    "frametitle": "###",
    "paragraph": "",
    "subparagraph": "",
}
_REF = {
    "ref",
    "cref",
    "Cref",
    "autoref",
    "Autoref",
    "pageref",
    "vref",
    "Vref",
    "nameref",
    "olref",
    "cpageref",
}
_CITE = re.compile(r"(?:cite[a-zA-Z]*|[Cc]ite[tp]?\*?|parencite|textcite|autocite|footcite|nocite)")
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "v": "\u030c",
    "u": "\u0306",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}

_PH = "\x00"
_INDENT = "\x01"  # list indentation, survives the whitespace tidy-up  # placeholder marker: \x00<kind><n>\x00 never occurs in real sources
_CMD = re.compile(r"\\([A-Za-z@]+)(\*?)")


def clean_latex(src: str) -> str:
    """Readable text from a LaTeX source or ``\\input`` fragment (see the module docstring)."""
    s = src.replace("\r\n", "\n").replace("\r", "\n").replace(_PH, "")
    store: list[str] = []
    s = _protect_verbatim(s, store)
    s = _strip_comments(s)
    s = _body(s)
    s = _drop_conditionals(s)
    s = _protect_math(s, store)
    s = _environments(s)
    s = _commands(_text_accents(s))
    s = _tidy(_text_symbols(s))
    s = _restore(s, store).strip()
    return s + "\n" if s else ""


# --- verbatim, comments, body ------------------------------------------------------------------


_VERBATIM_BEGIN = re.compile(
    r"\\begin\{(" + "|".join(re.escape(n) for n in _VERBATIM_ENV) + r")\}(?:\[[^\]\n]*\])?(?:\{[^}\n]*\})?"
)


def _protect_verbatim(s: str, store: list[str]) -> str:
    out: list[str] = []
    pos = 0
    unclosed: set[str] = set()  # names with no \end left: later \begins of them are plain text
    for m in _VERBATIM_BEGIN.finditer(s):
        name = m.group(1)
        if m.start() < pos or name in unclosed:
            continue
        end = s.find("\\end{" + name + "}", m.end())
        if end < 0:
            unclosed.add(name)
            continue
        store.append("\n```\n" + s[m.end() : end].strip("\n") + "\n```\n")
        out.append(s[pos : m.start()] + f"{_PH}V{len(store) - 1}{_PH}")
        pos = end + len(name) + 6
    s = "".join(out) + s[pos:]

    def inline(m: re.Match[str]) -> str:
        store.append("`" + m.group(2) + "`")
        return f"{_PH}V{len(store) - 1}{_PH}"

    return re.sub(r"\\verb\*?([^A-Za-z\s*])(.*?)\1", inline, s)


_COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%[^\n]*")


def _strip_comments(s: str) -> str:
    # A comment-only line disappears with its newline (as in TeX). A trailing comment goes but its newline
    # stays: TeX would join the lines, but "word% note" followed by "word" is far more often a slip than
    # an intended join, and an extra space costs less than two words glued together. \% stays.
    s = re.sub(r"(?m)^[ \t]*(?<!\\)%[^\n]*\n", "", s)
    return _COMMENT.sub(lambda m: m.group(1), s)


def _body(s: str) -> str:
    begin = re.search(r"\\begin\s*\{document\}", s)
    if begin:
        s = s[begin.end() :]
    end = re.search(r"\\end\s*\{document\}", s)
    if end:
        s = s[: end.start()]
    return s


def _drop_conditionals(s: str) -> str:
    """Drop \\iffalse … \\fi blocks, the usual way to comment out a block (linear: one pass)."""
    out: list[str] = []
    pos = 0
    for m in re.finditer(r"\\iffalse\b", s):
        if m.start() < pos:
            continue
        fi = re.compile(r"\\fi\b").search(s, m.end())
        if fi is None:
            break  # no \fi after this one, so none after any later \iffalse either
        out.append(s[pos : m.start()])
        pos = fi.end()
    return "".join(out) + s[pos:]


# --- math ---------------------------------------------------------------------------------------


# No formula is longer than this; an opening delimiter without a close that near stays plain text.
_MATH_MAX = 50_000
_CLOSERS = {
    "\\]": re.compile(r"(?<!\\)(?:\\\\)*(\\\])"),
    "\\)": re.compile(r"(?<!\\)(?:\\\\)*(\\\))"),
    "$$": re.compile(r"(?<!\\)(?:\\\\)*(\$\$)"),
    "$": re.compile(r"(?<!\\)(?:\\\\)*(\$)"),
}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


class _Index:
    """Positions of unescaped closing delimiters and matching \\begin/\\end pairs of one text.

    Computed once per text (lazily, per delimiter / environment name) so that finding the close of each
    opener is a binary search: the scan stays linear even for sources full of unclosed ``\\[`` or
    ``\\begin{align}`` (generated or broken files).
    """

    def __init__(self, s: str) -> None:
        self.s = s
        self._closers: dict[str, list[int]] = {}
        self._blanks: list[int] | None = None
        self._envs: dict[str, dict[int, tuple[int, int]]] = {}

    def close(self, needle: str, start: int, stop_at_par: bool = False) -> int:
        """Start of the first unescaped ``needle`` at or after ``start`` (-1: none within reach)."""
        pos = self._closers.get(needle)
        if pos is None:
            pos = self._closers[needle] = [m.start(1) for m in _CLOSERS[needle].finditer(self.s)]
        k = bisect.bisect_left(pos, start)
        if k == len(pos) or pos[k] - start > _MATH_MAX:
            return -1
        j = pos[k]
        if stop_at_par:  # inline math never spans a paragraph break
            if self._blanks is None:
                self._blanks = [m.start() for m in _BLANK_LINE.finditer(self.s)]
            b = bisect.bisect_left(self._blanks, start)
            if b < len(self._blanks) and self._blanks[b] < j:
                return -1
        return j

    def env_end(self, name: str, body_start: int) -> tuple[int, int]:
        """(start, end) of the \\end{name} matching the \\begin{name} whose body starts at ``body_start``."""
        table = self._envs.get(name)
        if table is None:
            table = self._envs[name] = {}
            stack: list[int] = []
            for m in re.finditer(r"\\(begin|end)\s*\{" + re.escape(name) + r"\}", self.s):
                if m.group(1) == "begin":
                    stack.append(m.end())
                elif stack:
                    table[stack.pop()] = (m.start(), m.end())
        return table.get(body_start, (-1, -1))


_BEGIN = re.compile(r"\\begin\s*\{([^{}\n]*)\}")
_MATH_START = re.compile(r"[\\$]")


def _protect_math(s: str, store: list[str]) -> str:
    out: list[str] = []
    idx = _Index(s)
    i, n, last = 0, len(s), 0

    def keep(j: int, k: int) -> None:
        nonlocal last
        out.append(s[last:j])
        store.append(_clean_math(s[j:k]))
        out.append(f"{_PH}M{len(store) - 1}{_PH}")
        last = k

    while i < n:
        m = _MATH_START.search(s, i)
        if m is None:
            break
        i = m.start()
        if s[i] == "\\":
            nxt = s[i + 1 : i + 2]
            if nxt in ("[", "("):
                j = idx.close("\\]" if nxt == "[" else "\\)", i + 2)
                if j >= 0:
                    keep(i, j + 2)
                    i = j + 2
                    continue
            elif nxt == "b":
                b = _BEGIN.match(s, i)
                if b and _MATH_ENV.fullmatch(b.group(1).strip()):
                    _, end = idx.env_end(b.group(1), b.end())
                    if end > 0:
                        keep(i, end)
                        i = end
                        continue
            i += 2  # an escaped character (\$, \\, …) or a command
            continue
        if s.startswith("$$", i):
            j = idx.close("$$", i + 2)
            if j >= 0:
                keep(i, j + 2)
                i = j + 2
            else:
                i += 2
            continue
        j = idx.close("$", i + 1, stop_at_par=True)
        if j > i + 1:
            keep(i, j + 1)
            i = j + 1
            continue
        i += 1
    out.append(s[last:])
    return "".join(out)


def _clean_math(m: str) -> str:
    m = re.sub(r"\\label\s*\{[^{}]*\}", "", m)
    return re.sub(r"\\pause\b[ \t]*", "", m)  # beamer overlays


# --- environments and lists -------------------------------------------------------------------


class _Src:
    """A text whose ``{…}`` and ``[…]`` pairs are matched once (linear): argument parsing never rescans."""

    __slots__ = ("_pairs", "s")

    def __init__(self, s: str) -> None:
        self.s = s
        self._pairs: dict[str, dict[int, int]] = {}

    def match(self, i: int, open_: str) -> int:
        """Index just past the bracket that closes the one at s[i]; -1 if unbalanced."""
        pairs = self._pairs.get(open_)
        if pairs is None:
            pairs = self._pairs[open_] = _pair(self.s, open_)
        return pairs.get(i, -1)


_PAIR_TOKENS = {"{": re.compile(r"\\.|[{}]", re.S), "[": re.compile(r"\\.|[\[\]]", re.S)}


def _pair(s: str, open_: str) -> dict[int, int]:
    """{index of an opening bracket: index past its closing one}, \\-escapes honoured."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _PAIR_TOKENS[open_].finditer(s):
        c = m.group()
        if c == open_:
            stack.append(m.start())
        elif len(c) == 1 and stack:
            pairs[stack.pop()] = m.end()
    return pairs


def _parse_args(src: _Src, i: int, n_opt: int, n_req: int) -> tuple[list[str], list[str], int]:
    """Optional [..] (up to n_opt) and mandatory {..} (up to n_req) arguments starting at s[i]."""
    s = src.s
    opts: list[str] = []
    reqs: list[str] = []
    while True:
        j = _skip_space(s, i)
        if j < len(s) and s[j] == "[" and len(opts) < n_opt and not reqs:
            k = src.match(j, "[")
            if k < 0:
                break
            opts.append(s[j + 1 : k - 1])
            i = k
            continue
        if j < len(s) and s[j] == "{" and len(reqs) < n_req:
            k = src.match(j, "{")
            if k < 0:
                break
            reqs.append(s[j + 1 : k - 1])
            i = k
            continue
        break
    return opts, reqs, i


def _skip_space(s: str, i: int) -> int:
    # Arguments may follow on the next line but not after a blank line.
    j = i
    newlines = 0
    while j < len(s) and s[j] in " \t\n":
        newlines += s[j] == "\n"
        if newlines > 1:
            return i
        j += 1
    return j


_ENV_TOKEN = re.compile(r"\\begin\s*\{([^{}\n]*)\}|\\end\s*\{([^{}\n]*)\}|\\item\b")


class _EnvStack:
    """Open environments, with O(1) "is it open?" and "innermost list" (keeps the pass linear)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.open: Counter[str] = Counter()
        self.lists: list[list] = []  # [marker, item counter, position in names]

    def push(self, name: str, marker: str | None = None) -> None:
        self.names.append(name)
        self.open[name] += 1
        if marker is not None:
            self.lists.append([marker, 0, len(self.names) - 1])

    def close(self, name: str) -> None:
        if not self.open[name]:
            return  # an \end without its \begin
        while self.names:  # environments left open inside this one close with it
            top = self.names.pop()
            self.open[top] -= 1
            if self.lists and self.lists[-1][2] == len(self.names):
                self.lists.pop()
            if top == name:
                return


_MAX_LIST_INDENT = 4  # nesting levels shown as indentation


def _environments(s: str) -> str:
    idx = _Index(s)
    src = _Src(s)
    out: list[str] = []
    stack = _EnvStack()
    i = 0
    while True:
        m = _ENV_TOKEN.search(s, i)
        if m is None:
            out.append(s[i:])
            break
        out.append(s[i : m.start()])
        i = m.end()
        if m.group(1) is not None:  # \begin{name}
            name = m.group(1).strip()
            base = name.rstrip("*")
            if _DROP_ENV.fullmatch(name):
                _, end = idx.env_end(m.group(1), i)
                i = end if end > 0 else i  # unclosed: drop only the \begin
                continue
            if base in _THEOREM_NAMES or base == "proof":
                opts, _, i = _parse_args(src, i, 1, 0)
                title = _THEOREM_NAMES.get(base, "Proof")
                if opts and base == "proof":
                    title = opts[0].strip().rstrip(".")
                elif opts:
                    title = f"{title} ({opts[0].strip()})"
                out.append(f"\n\n**{title}.** ")
                stack.push(name)
                continue
            if base in _LIST_ENV:
                _, _, i = _parse_args(src, i, 1, 0)
                out.append("\n")
                stack.push(name, _LIST_ENV[base])
                continue
            if base == "frame":
                _, reqs, i = _parse_args(src, i, 2, 1)
                if reqs and reqs[0].strip():
                    out.append(f"\n\n### {reqs[0].strip()}\n\n")
                stack.push(name)
                continue
            _, _, i = _parse_args(src, i, 1, _ENV_SKIP_ARGS.get(name, 0))
            out.append("\n")
            stack.push(name)
        elif m.group(2) is not None:  # \end{name}
            name = m.group(2).strip()
            stack.close(name)
            out.append("\n\n" if name.rstrip("*") in _THEOREM_NAMES or name == "proof" else "\n")
        else:  # \item
            opts, _, i = _parse_args(src, i, 1, 0)
            depth = min(len(stack.lists), _MAX_LIST_INDENT)
            indent = _INDENT * 2 * max(depth - 1, 0)
            marker = "-"
            if stack.lists and stack.lists[-1][0] == "1.":
                stack.lists[-1][1] += 1
                marker = f"{stack.lists[-1][1]}."
            label = f"{opts[0].strip()} " if opts else ""
            out[-1] = out[-1].rstrip(" \t\n")
            out.append(f"\n{indent}{marker} {label}")
    return "".join(out)


# --- commands -----------------------------------------------------------------------------------


def _commands(s: str, depth: int = 0) -> str:
    src = _Src(s)
    out: list[str] = []
    i = 0
    while True:
        m = _CMD.search(s, i)
        if m is None:
            out.append(s[i:])
            break
        start = m.start()
        # An escaped backslash (\\) before the name means a line break, not a command.
        bs = 0
        while start - bs - 1 >= 0 and s[start - bs - 1] == "\\":
            bs += 1
        if bs % 2 == 1:
            out.append(s[i : m.end()])
            i = m.end()
            continue
        out.append(s[i:start])
        name, star = m.group(1), m.group(2)
        i = m.end()
        rep, i = _command(src, name, star, i, depth)
        out.append(rep)
    return "".join(out)


_MAX_DEPTH = 40  # arguments nested deeper than this are kept as written (no recursion blow-up)


def _command(src: _Src, name: str, star: str, i: int, depth: int) -> tuple[str, int]:
    s = src.s

    def _arg_text(x: str) -> str:
        return (_commands(x, depth + 1) if depth < _MAX_DEPTH else x).strip()

    if name in _REMOVE:
        n_opt, n_req = _REMOVE[name]
        _, _, j = _parse_args(src, i, n_opt, n_req)
        if name in ("input", "include", "subfile", "import", "subimport"):
            j = _eat_line(s, j)
        return "", j
    if name in _HEADINGS:
        _, reqs, j = _parse_args(src, i, 1, 1)
        if not reqs:
            return "", i
        title = " ".join(_arg_text(reqs[0]).split())
        level = _HEADINGS[name]
        return (f"\n\n{level} {title}\n\n" if level else f"\n\n**{title}** "), j
    if name in _REF or (name.endswith("ref") and name not in ("href", "hyperref", "eqref")):
        _, reqs, j = _parse_args(src, i, 1, 1)
        return ("[ref]" if reqs else ""), j
    if name == "eqref":
        _, reqs, j = _parse_args(src, i, 0, 1)
        return ("([ref])" if reqs else ""), j
    if _CITE.fullmatch(name + star):
        _, reqs, j = _parse_args(src, i, 2, 1)
        return ("[cite]" if reqs and name != "nocite" else ""), j
    if name in ("hyperref", "hyperlink"):
        _, reqs, j = _parse_args(src, i, 1, 2 if name == "hyperlink" else 1)
        return (_arg_text(reqs[-1]) if reqs else ""), j
    if name == "href":
        _, reqs, j = _parse_args(src, i, 0, 2)
        return (_arg_text(reqs[-1]) if reqs else ""), j
    if name in ("url", "nolinkurl"):
        _, reqs, j = _parse_args(src, i, 0, 1)
        return (reqs[0] if reqs else ""), j
    if name in _FORMAT:
        _, reqs, j = _parse_args(src, i, 0, 1)
        if not reqs:
            return "", i
        inner = _arg_text(reqs[0])
        return (_FORMAT[name](inner) if inner else ""), j
    if name == "texorpdfstring":
        _, reqs, j = _parse_args(src, i, 0, 2)
        return (_arg_text(reqs[0]) if reqs else ""), j
    if name in ("iftag", "tagitem"):
        # Open Logic: \iftag{tag}{text if tagged}{text otherwise} (and \tagitem, the same for \item).
        _, reqs, j = _parse_args(src, i, 0, 3)
        return (_arg_text(reqs[1]) if len(reqs) > 1 else ""), j
    if name in ("scalebox", "resizebox", "textcolor", "colorbox", "fbox", "parbox"):
        # Wrappers whose last argument is the content.
        n_req = {"scalebox": 2, "resizebox": 3, "textcolor": 2, "colorbox": 2, "fbox": 1, "parbox": 2}[name]
        _, reqs, j = _parse_args(src, i, 1, n_req)
        return (_arg_text(reqs[-1]) if len(reqs) == n_req else ""), (j if len(reqs) == n_req else i)
    if name in ("footnote", "footnotetext", "marginpar", "sidenote"):
        _, reqs, j = _parse_args(src, i, 1, 1)
        return (f" ({_arg_text(reqs[0])})" if reqs else ""), j
    if len(name) == 1 and name in _ACCENTS:
        return _accent(s, name, i)
    if name in _SYMBOLS:
        return _SYMBOLS[name], _eat_empty_group(s, i)
    if name in _DROP_WORDS:
        return "", _eat_empty_group(s, i)
    if name in _DEFINERS or name.startswith(("new", "renew")):
        return _definition(src, name, i)
    if name != "myindex" and (name.startswith("index") or name.endswith("index")):
        _, _, j = _parse_args(src, i, 1, 1)
        return "", j
    # Unknown macro. With braced arguments (\myindex{word}, \sectionnotes{1 lecture}) it is usually a
    # formatting wrapper: drop the name, keep the arguments as text. Without arguments it usually stands
    # for a symbol or a word (\unit, \LEM): keep it as written rather than leave a hole in the sentence.
    j = _skip_space(s, i)
    if s.startswith("{}", j):
        return f"\\{name}{star}", j + 2
    if j < len(s) and s[j] == "{":
        return "", i
    return f"\\{name}{star}", i


def _emph(x: str) -> str:
    return f"*{x}*"


def _bold(x: str) -> str:
    return f"**{x}**"


def _code(x: str) -> str:
    return f"`{x}`"


def _plain(x: str) -> str:
    return x


_FORMAT: dict[str, Callable[[str], str]] = {
    "emph": _emph,
    "textit": _emph,
    "textsl": _emph,
    "textbf": _bold,
    "texttt": _code,
    "text": _plain,
    "textrm": _plain,
    "textsf": _plain,
    "textsc": _plain,
    "textup": _plain,
    "textnormal": _plain,
    "mbox": _plain,
    "hbox": _plain,
    "underline": _plain,
    "uline": _plain,
    "mathrm": _plain,
    "textmd": _plain,
    "enquote": lambda x: f"“{x}”",
}


def _eat_empty_group(s: str, i: int) -> int:
    m = re.match(r"[ \t]*\{\}", s[i : i + 8])
    return i + m.end() if m else i


def _eat_line(s: str, i: int) -> int:
    m = re.match(r"[ \t]*\n", s[i:])
    return i + m.end() if m else i


_ACCENT_ARG = re.compile(r"[ \t]*(?:\{\\?([A-Za-z])\}|\\([ij])(?![A-Za-z])|([A-Za-z]))")


def _accent(s: str, name: str, i: int) -> tuple[str, int]:
    m = _ACCENT_ARG.match(s, i)
    if m is None:
        return "", i
    return unicodedata.normalize("NFC", (m.group(1) or m.group(2) or m.group(3)) + _ACCENTS[name]), m.end()


_DEFINERS = _words(
    "def gdef edef xdef let newcommand renewcommand providecommand DeclareMathOperator newtheorem "
    "newenvironment renewenvironment DeclareRobustCommand newcounter newif DeclarePairedDelimiter"
)
_CS = re.compile(r"\\[A-Za-z@]+|\\.")


def _definition(src: _Src, name: str, i: int) -> tuple[str, int]:
    """Skip a macro definition: \\newcommand{\\foo}[2][x]{body}, \\def\\foo#1{body}, \\let\\a\\b, …"""
    s = src.s
    j = i + (s[i] == "*") if i < len(s) else i
    j = _skip_space(s, j)
    if name in ("def", "gdef", "edef", "xdef"):
        m = _CS.match(s, j)
        j = m.end() if m else j
        k = s.find("{", j)
        if k < 0 or "\n\n" in s[j:k]:
            return "", j
        end = src.match(k, "{")
        return "", (end if end > 0 else j)
    if name == "let":
        m = re.compile(r"(\\[A-Za-z@]+|\\.)\s*=?\s*(\\[A-Za-z@]+|\\.|.)").match(s, j)
        return "", (m.end() if m else j)
    # Name of the thing being defined: \foo, {\foo} or {name}.
    m = _CS.match(s, j)
    if m:
        j = m.end()
    elif j < len(s) and s[j] == "{":
        k = src.match(j, "{")
        j = k if k > 0 else j
    n_body = {"newenvironment": 2, "renewenvironment": 2, "newtheorem": 1, "newcounter": 0, "newif": 0}
    want = n_body.get(name, 1 if name in _DEFINERS else 0)
    # Optional args and the body groups, in any order ([n][default]{body}, [counter]{Title}[within]).
    while True:
        k = _skip_space(s, j)
        if k < len(s) and s[k] == "[":
            end = src.match(k, "[")
            if end < 0:
                break
            j = end
            continue
        if want and k < len(s) and s[k] == "{":
            end = src.match(k, "{")
            if end < 0:
                break
            j, want = end, want - 1
            continue
        break
    return "", j


# --- text-mode symbols and tidy-up ------------------------------------------------------------


_TEXT_ACCENT = re.compile(r"\\(['`^\"~=.])[ \t]*(?:\{\\?([A-Za-z])\}|\\([ij])(?![A-Za-z])|([A-Za-z]))")
# Open Logic's preprocessor syntax: !!{sentence}s, !!a{structure}, !!^a{model}.
_OPENLOGIC = re.compile(r"!!(\^?)(a|an|the|)\{([^{}\n]*)\}")


def _openlogic(m: re.Match[str]) -> str:
    article = f"{m.group(2)} " if m.group(2) else ""
    text = article + m.group(3)
    return text[:1].upper() + text[1:] if m.group(1) else text


def _text_accents(s: str) -> str:
    """Accent commands with a letter (\\'e, \\"{o}, \\'\\i) → é, ö, í; before \\i alone becomes ı."""

    def combine(m: re.Match[str]) -> str:
        return unicodedata.normalize("NFC", (m.group(2) or m.group(3) or m.group(4)) + _ACCENTS[m.group(1)])

    return _TEXT_ACCENT.sub(combine, s)


def _text_symbols(s: str) -> str:
    s = _OPENLOGIC.sub(_openlogic, s)
    s = s.replace("``", "“").replace("''", "”")
    s = re.sub(r"(?<!-)---(?!-)", "—", s)
    s = re.sub(r"(?<![-!<])--(?![->])", "–", s)
    s = re.sub(r"\\\\(\[[^\]\n]*\])?\*?", "\n", s)  # \\ line break
    s = re.sub(r"(?<!\\)~", " ", s)
    # Grouping braces left in text mode (font-switch groups, unknown macro arguments), then escapes.
    s = re.sub(r"(?<!\\)[{}]", "", s)
    s = re.sub(r"\\([%&_#{}])", r"\1", s)
    s = re.sub(r"\\([,;:! @/])", lambda m: " " if m.group(1) in " ,;:" else "", s)
    return s.replace("\\-", "")  # discretionary hyphen


def _restore(s: str, store: list[str]) -> str:
    pat = re.compile(_PH + r"[MV](\d+)" + _PH)
    # Verbatim may sit inside stored math (never the other way); two passes cover both.
    for _ in range(2):
        s = pat.sub(lambda m: store[int(m.group(1))], s)
    return s


def _tidy(s: str) -> str:
    """Whitespace of the text around the placeholders (math and verbatim are restored afterwards)."""
    s = "\n".join(re.sub(r"[ \t]{2,}", " ", line.strip()) for line in s.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", s).replace(_INDENT, " ")
