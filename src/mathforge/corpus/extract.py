"""Math-aware HTML → text: the page's main text with every formula kept as LaTeX.

Boilerplate removal (navigation, footers, menus, sidebars, comments, scripts, styles) is resiliparse's
``extract_plain_text(main_content=True)``: the library made for the job, written in C, tens of MB/s.
It cannot be used on the raw page, though, because of how maths is marked up on the web:

* MathJax v2 keeps the TeX in ``<script type="math/tex">``, which every extractor drops with the
  other scripts; the rendered copy next to it is a heap of glyph spans ("x2+1" for x^2+1).
* KaTeX and Wikipedia put the TeX in a MathML ``<annotation>`` that is hidden, next to a rendered HTML
  copy (KaTeX) or a fallback ``<img>`` (Wikipedia): text extraction keeps the glyph soup, or nothing,
  or both the formula and its duplicate.
* XenForo's equation BB code (PhysicsForums) leaves bare TeX in ``<formula>`` inside an
  ``<mjx-container>``: extracted as it is, it loses its delimiters.
* Bare MathML, ``<d-math>`` and the like come out as loose characters without structure, and
  formula images (WordPress ``latex.php``, codecogs, mimetex, Zhihu) carry the TeX only in ``alt`` or
  in the image URL.

So before extraction the DOM is rewritten: every maths element (and its rendered duplicate) is
replaced by one text node holding a placeholder for its LaTeX. After extraction the placeholders are
swapped for ``$...$`` (inline) or ``$$...$$`` (display), so a formula appears once, as its source, and
the count of formulas in ``meta`` is the count that made it into the main text (the main-content
heuristics drop hidden formula caches, menus and the like together with their maths). TeX written in
the page text (MathJax's ``\\(..\\)``, ``\\[..\\]``, ``$$..$$``, ``\\begin{align}`` …; single ``$`` only
where the page's own MathJax/KaTeX configuration enables it, so ``$5`` in prose stays money) survives
extraction as text and is normalised afterwards, outside ``<pre>``/``<code>``. Environments found in
the text (``\\begin{align}…\\end{align}``) are kept bare, as in a LaTeX source: wrapping them in ``$$``
would not compile. AsciiMath between backticks is converted to LaTeX (:mod:`mathforge.corpus.asciimath`)
only where the page's MathJax loads the AsciiMath input; elsewhere a backtick is plain text. Binomials
come out as ``\\binom{n}{k}`` whether written ``{n \\choose k}`` or rebuilt from MathML as
``({n \\atop k})``.

Per-node Python work is limited to the maths elements themselves: each kind of markup is located with
one CSS query in C, and only when a cheap substring test on the raw page says it can be there. MathML
that carries no TeX is converted by :mod:`mathforge.corpus.mathml`; page bytes are decoded by
:mod:`mathforge.corpus.encoding`, as the readers decode them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree, NodeType

from mathforge.corpus.asciimath import BACKTICK_MATH, asciimath_enabled, asciimath_to_tex
from mathforge.corpus.document import Document
from mathforge.corpus.encoding import decode_html
from mathforge.corpus.formulas import binomials
from mathforge.corpus.mathml import math_display, math_tex

__all__ = ["benchmark_extract", "decode_html", "extract_step", "html_to_text"]

STEP = "extract"

# Placeholders: characters from Supplementary Private Use Area-A, which neither pages nor icon fonts use
# in practice (any already in the input are removed first).
_OPEN, _CLOSE = "\U000f0000", "\U000f0001"
_DOLLAR, _BACKSLASH = "\U000f0002", "\U000f0003"  # `$` and `\` inside <pre>/<code>, restored at the end
_BACKTICK = "\U000f0004"  # ` inside <pre>/<code> on a page that reads AsciiMath
_PUA = (_OPEN, _CLOSE, _DOLLAR, _BACKSLASH, _BACKTICK)
_PLACEHOLDER_RE = re.compile(f"{_OPEN}(\\d+){_CLOSE}")

_ELEMENT, _TEXT = NodeType.ELEMENT, NodeType.TEXT


@dataclass
class _Math:
    """The formulas taken out of one page, indexed by their placeholder number."""

    items: list[tuple[str, bool, str]] = field(default_factory=list)  # (tex, display, kind)

    def replace(self, tree: HTMLTree, el, tex: str, display: bool, kind: str) -> None:
        tex = _clean_tex(tex, display)
        if tex:
            self.items.append((tex, display, kind))
            text = f"{_OPEN}{len(self.items) - 1}{_CLOSE}"
        else:
            text = ""
        el.replace_with(tree.create_text_node(text))


# ---------------------------------------------------------------------------------------------- TeX


_NOOP_TEX = re.compile(r"^(?:\\begingroup|\\endgroup|\\relax|\\displaystyle|\\textstyle|\s)*$")
_STYLE_WRAP = re.compile(r"^\{\\(?:displaystyle|textstyle)\s*(.*)\}$", re.S)
_OUTER_DELIMS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")


def _balanced(s: str) -> bool:
    depth = 0
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0


def _clean_tex(tex: str, display: bool) -> str:
    """Strip outer delimiters and Wikipedia's ``{\\displaystyle …}`` wrapper; one line for inline
    maths, no blank lines in display maths (a blank line ends a TeX paragraph: a compile error)."""
    tex = tex.replace("\xa0", " ").strip()
    for left, right in _OUTER_DELIMS:
        if len(tex) > len(left) + len(right) and tex.startswith(left) and tex.endswith(right):
            inner = tex[len(left) : -len(right)]
            if right not in inner:  # not "$a$ and $b$"
                tex = inner.strip()
            break
    m = _STYLE_WRAP.match(tex)
    if m and _balanced(m.group(1)):
        tex = m.group(1).strip()
    if _NOOP_TEX.match(tex):
        return ""
    tex = binomials(tex)
    if "\n" in tex:
        if display or _UNESCAPED_PERCENT.search(tex):
            tex = "\n".join(line.strip() for line in tex.splitlines() if line.strip())
        else:
            tex = " ".join(tex.split())
    return tex


_ENVS = r"(?:equation|align|gather|multline|eqnarray|flalign|alignat|displaymath)\*?"
_BARE_ENV = re.compile(r"^\\begin\{(" + _ENVS + r")\}.*\\end\{\1\}$", re.S)


def _render(tex: str, display: bool) -> str:
    if _BARE_ENV.match(tex):  # a display environment is display maths by itself: no $$ around it
        return tex
    return f"$${tex}$$" if display else f"${tex}$"


def _qsa(root, selectors: str) -> list:
    # ``.values()``: iterating the collection itself builds a wrapper for every node of the document
    return root.query_selector_all(selectors).values()


# ------------------------------------------------------------------------------------ DOM rewrite


def _img_tex(img) -> tuple[str, str]:
    """TeX carried by a formula image: from its URL (latex.php, codecogs, mimetex, Zhihu) or its alt."""
    src = img.getattr("src") or img.getattr("data-src") or ""
    alt = (img.getattr("alt") or "").strip()
    formula = img.getattr("data-formula")  # Zhihu keeps the TeX here too
    if formula and formula.strip():
        return formula, "img_alt"
    from_url = ""
    if src:
        lower = src.lower()
        if "latex.php" in lower or "equation?tex=" in lower:
            query = parse_qs(urlsplit(src).query)
            from_url = (query.get("latex") or query.get("tex") or [""])[0]
        elif "codecogs.com" in lower or "mimetex" in lower or "mathtex.cgi" in lower:
            _, _, q = src.partition("?")
            from_url = unquote(q.replace("&space;", " "))
            from_url = re.sub(
                r"^(?:\s*\\(?:dpi\{\d+\}|bg_\w+|bg\{\w+\}|fn_\w+|inline|large|Large|LARGE|huge|small))+",
                "",
                from_url,
            )
    if alt and (not from_url or "\\" in alt or not alt.startswith("[")):
        return alt, "img_alt"
    return from_url, "img_url"


_FORMULA_IMG_SRC = re.compile(r"latex\.php|codecogs\.com|mimetex|mathtex\.cgi|equation\?tex=", re.I)
_FORMULA_IMG_SELECTOR = (
    'img[src*="latex.php"], img[src*="codecogs.com"], img[src*="mimetex"], img[src*="mathtex.cgi"], '
    'img[src*="equation?tex="], img[data-src*="equation?tex="], img.latex, img.tex, img[alt*="\\\\"]'
)
_TEXISH = re.compile(r"\\[A-Za-z]{2,}|[\^_]\{")
_TEX_CMD = re.compile(r"\\[A-Za-z]+(?:\{[^{}]*\})?")
_PROSE_WORD = re.compile(r"[A-Za-z]{4,}")


def _is_tex_alt(alt: str) -> bool:
    """An alt text that is a formula: TeX commands, no delimiters, at most three words of prose."""
    if len(alt) > 300 or "$" in alt or "\\(" in alt or not _TEXISH.search(alt):
        return False
    return len(_PROSE_WORD.findall(_TEX_CMD.sub(" ", alt))) <= 3


def _alone_in_block(el) -> bool:
    """Whether ``el`` is the only thing in its paragraph-like parent (bar punctuation): a display
    formula written as an inline one (Wikipedia's indented ``<dd>`` formulas, centred images)."""
    parent = el.parent
    if parent is None or parent.tag not in ("p", "div", "center", "dd", "figure"):
        return False
    for node in parent.child_nodes.values():
        if node.type == _ELEMENT:
            if node != el and node.tag != "br":
                return False
        elif node.type == _TEXT and (node.value or "").strip(" \t\r\n\xa0.,;:"):
            return False
    return True


def _rewrite(tree: HTMLTree, html: str, found: _Math) -> None:
    """Replace every maths element by a placeholder for its LaTeX (see the module docstring)."""
    root = tree.document
    if root is None:
        return

    # Distill: <d-math>/<dt-math> hold raw TeX (``block`` = display); first, so KaTeX inside is not
    # taken for a formula of its own.
    if "-math" in html:
        for el in _qsa(root, "d-math, dt-math"):
            ann = el.query_selector('annotation[encoding*="tex"]')
            tex = ann.text if ann is not None else (el.text or "")
            found.replace(tree, el, tex, el.hasattr("block"), "distill")

    # Wikipedia: MathML with a TeX annotation plus a fallback image with the same TeX in alt.
    if "mwe-math-element" in html:
        for el in _qsa(root, ".mwe-math-element"):
            math = el.query_selector("math")
            img = el.query_selector("img")
            display = (
                el.query_selector('[class*="display"]') is not None
                or (math is not None and math_display(math))
                or _alone_in_block(el)
            )
            if math is not None:
                tex = math_tex(math)
            elif img is not None:
                tex = img.getattr("alt") or ""
            else:
                tex = ""
            found.replace(tree, el, tex, display, "mathml")

    # KaTeX server-side HTML: the TeX annotation once, the rendered ``katex-html`` copy dropped.
    if "katex" in html:
        for el in _qsa(root, ".katex"):
            math = el.query_selector("math")
            parent = el.parent
            display = (parent is not None and "katex-display" in (parent.class_name or "")) or (
                math is not None and math_display(math)
            )
            if math is not None:
                tex = math_tex(math)
                found.replace(tree, el, tex, display, "katex")
        for el in _qsa(root, ".katex-html"):  # rendered copies without a source
            el.decompose()

    # MathJax v2 saved after rendering: the TeX is in the script; drop previews and rendered frames.
    has_scripts = "math/tex" in html or "text/tex" in html or "math/asciimath" in html
    if has_scripts and "MathJax" in html:
        for el in _qsa(
            root,
            '.MathJax_Preview, [id^="MathJax-Element-"][id$="-Frame"], .MathJax_Display, .MathJax_SVG_Display',
        ):
            el.decompose()
    if has_scripts:
        for el in _qsa(
            root, 'script[type^="math/tex"], script[type^="text/tex"], script[type^="math/asciimath"]'
        ):
            kind = el.getattr("type") or ""
            display = "mode=display" in kind.replace(" ", "")
            if kind.startswith("math/asciimath"):
                found.replace(tree, el, asciimath_to_tex(el.text or ""), display, "asciimath")
            else:
                found.replace(tree, el, el.text or "", display, "mathjax_script")

    # MathJax v3 saved after rendering: only the assistive MathML carries the formula. XenForo's
    # equation BB code (PhysicsForums) puts the TeX source in <formula> inside the container instead.
    if "mjx-container" in html:
        for el in _qsa(root, "mjx-container"):
            math = el.query_selector("math")
            if math is not None:
                tex = math_tex(math)
                display = el.getattr("display") == "true" or math_display(math)
                found.replace(tree, el, tex, display, "mathml")
            elif (formula := el.query_selector("formula")) is not None:
                tex = formula.text or ""
                display = _delimited_display(tex, el.getattr("display") == "true")
                found.replace(tree, el, tex, display, "mathjax_formula")
    if "mathJaxEqu" in html:  # the same BB code without a container: inline unless alone in its block
        for el in _qsa(root, "formula.mathJaxEqu"):
            tex = el.text or ""
            found.replace(tree, el, tex, _delimited_display(tex, _alone_in_block(el)), "mathjax_formula")

    # Any other MathML.
    if "<math" in html or "<m:math" in html:
        for el in _qsa(root, "math"):
            found.replace(tree, el, math_tex(el), math_display(el), "mathml")

    # StackExchange: raw TeX with its delimiters in span.math-container.
    if "math-container" in html:
        for el in _qsa(root, ".math-container"):
            tex = (el.text or "").strip()
            display = tex.startswith(("$$", "\\["))
            found.replace(tree, el, tex, display, "math_container")

    # pandoc / bookdown: <span class="math inline">\(..\)</span>, <span class="math display">\[..\]</span>.
    if 'class="math' in html or "class='math" in html:
        for el in _qsa(root, "span.math.inline, span.math.display, div.math.display"):
            display = "display" in (el.class_name or "").split()
            found.replace(tree, el, el.text or "", display, "pandoc")

    # Formula images: known TeX-rendering services and class="latex"; any other image only when its
    # alt text is a formula rather than a caption.
    if "<img" in html:
        for el in _qsa(root, _FORMULA_IMG_SELECTOR):
            tex, kind = _img_tex(el)
            known = _FORMULA_IMG_SRC.search(el.getattr("src") or el.getattr("data-src") or "") or any(
                c in ("latex", "tex") for c in el.class_list.values()
            )
            if not known and not _is_tex_alt(tex):
                continue
            found.replace(tree, el, tex, _alone_in_block(el) or "\\displaystyle" in tex, kind)


def _protect_lists(tree: HTMLTree, markers: tuple[str, ...]) -> None:
    """Move lists that hold maths out of reach of resiliparse's "global navigation" rule, which drops
    every ``<ul>`` fewer than three levels below ``<body>`` (Distill articles put whole derivations in
    such lists). A list with a formula in it is content, not a menu: it is wrapped in three ``<div>`` elements."""
    root = tree.document
    if root is None:
        return
    for ul in _qsa(root, "body > ul, body > * > ul, body > * > * > ul"):
        text = ul.text or ""
        if any(m in text for m in markers):
            wrapper = tree.create_element("div")
            ul.before(wrapper)
            inner = wrapper
            for _ in range(2):
                inner = inner.append_child(tree.create_element("div"))
            inner.append_child(ul)


def _protect_code(tree: HTMLTree, backticks: bool) -> None:
    """Hide ``$`` and ``\\`` (and backticks, on an AsciiMath page) in <pre>/<code> from the
    text-delimiter passes (MathJax skips them too)."""
    root = tree.document
    if root is None:
        return
    els = _qsa(root, "pre, code")
    outer = [el for el in els if el.parent is None or el.parent.closest("pre, code") is None]
    for el in outer:
        text = el.text
        if text and ("$" in text or "\\" in text or (backticks and "`" in text)):
            text = text.replace("$", _DOLLAR).replace("\\", _BACKSLASH)
            el.text = text.replace("`", _BACKTICK) if backticks else text


# ------------------------------------------------------------------------------- text delimiters

_CFG_RE = re.compile(r"""["']?\b(inlineMath|displayMath)["']?\s*:\s*""")
_PAIR_RE = re.compile(r"""\[\s*(["'])((?:\\.|(?!\1).)*?)\1\s*,\s*(["'])((?:\\.|(?!\3).)*?)\3\s*\]""")
_KATEX_RE = re.compile(
    r"""\bleft["']?\s*:\s*(["'])((?:\\.|(?!\1).)*?)\1\s*,\s*["']?right["']?\s*:\s*(["'])((?:\\.|(?!\3).)*?)\3"""
    r"""\s*,\s*["']?display["']?\s*:\s*(true|false)"""
)
_JS_ESCAPE = re.compile(r"\\(.)")
_DEFAULT_DELIMS = (("$$", "$$", True), ("\\[", "\\]", True), ("\\(", "\\)", False))


def _js(s: str) -> str:
    return _JS_ESCAPE.sub(lambda m: m.group(1), s)


def _commented(html: str, pos: int) -> bool:
    line_start = html.rfind("\n", 0, pos) + 1
    return html[line_start:pos].lstrip().startswith(("//", "*", "/*", "<!--"))


def _bracketed(html: str, pos: int) -> str:
    """The ``[...]`` or ``{...}`` value starting at ``pos`` (quotes respected, at most 2,000 chars)."""
    if pos >= len(html) or html[pos] not in "[{":
        return ""
    depth, quote, i, end = 0, "", pos, min(len(html), pos + 2000)
    while i < end:
        c = html[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return html[pos : i + 1]
        i += 1
    return ""


def page_delimiters(html: str) -> list[tuple[str, str, bool]]:
    """TeX delimiters MathJax/KaTeX would look for on this page: the defaults (``\\(..\\)``,
    ``\\[..\\]``, ``$$..$$``) plus what the page's own configuration adds (MathJax v2 ``tex2jax``, v3/v4
    ``tex``, KaTeX auto-render ``delimiters``); commented-out configuration is ignored."""
    delims = list(_DEFAULT_DELIMS)
    if "inlineMath" in html or "displayMath" in html:
        for m in _CFG_RE.finditer(html):
            if _commented(html, m.start()):
                continue
            value = _bracketed(html, m.end())
            for p in _PAIR_RE.finditer(value):
                delims.append((_js(p.group(2)), _js(p.group(4)), m.group(1) == "displayMath"))
    if "left" in html and ("katex" in html.lower() or "renderMathInElement" in html):
        for m in _KATEX_RE.finditer(html):
            if not _commented(html, m.start()):
                delims.append((_js(m.group(2)), _js(m.group(4)), m.group(5) == "true"))
    seen, out = set(), []
    for left, right, display in sorted(delims, key=lambda d: -len(d[0])):
        if left and right and (left, right) not in seen:
            seen.add((left, right))
            out.append((left, right, display))
    return out


def _delimited_display(tex: str, default: bool) -> bool:
    """Display or inline as the TeX's own delimiters say (``$$``/``\\[`` or ``$``/``\\(``), else ``default``."""
    tex = tex.lstrip()
    if tex.startswith(("$$", "\\[")):
        return True
    return False if tex.startswith(("$", "\\(")) else default


def _asciimath_text(text: str, found: _Math) -> str:
    """AsciiMath between backticks (on a page that enables it) → placeholders for its LaTeX."""

    def convert(m: re.Match) -> str:
        tex = _clean_tex(asciimath_to_tex(m.group(1)), False)
        if not tex:
            return m.group(0)
        found.items.append((tex, False, "asciimath"))
        return f"{_OPEN}{len(found.items) - 1}{_CLOSE}"

    return BACKTICK_MATH.sub(convert, text) if "`" in text else text


def _delim_regex(delims: list[tuple[str, str, bool]]) -> re.Pattern[str]:
    # an opener right after a backslash is an escape (\$) or a TeX line break with a skip (\\[3pt])
    alts = [f"(?<!\\\\){re.escape(left)}" for left, _, _ in delims]
    alts.append(r"(?<!\\)\\begin\{(" + _ENVS + r")\}")
    return re.compile("|".join(alts))


def _text_math(text: str, delims, opener_re: re.Pattern[str], found: _Math) -> str:
    """Normalise TeX written in the page text to ``$..$``/``$$..$$``; registers each formula."""
    closers = {left: (right, display) for left, right, display in delims}
    out, pos = [], 0
    while True:
        m = opener_re.search(text, pos)
        if m is None:
            break
        start = m.start()
        if m.group(1):  # \begin{env}
            end_tag = "\\end{" + m.group(1) + "}"
            stop = text.find(end_tag, m.end())
            if stop < 0 or "\n\n" in text[m.end() : stop]:
                pos = m.end()
                continue
            stop_end = stop + len(end_tag)
            found.items.append((_clean_tex(text[start:stop_end], True), True, "tex_delimiters"))
            out.append((pos, start, len(found.items) - 1))
            pos = stop_end
            continue
        left = m.group(0)
        right, display = closers[left]
        stop = m.end()
        while True:
            stop = text.find(right, stop)
            if stop < 0 or right != "$" or text[stop - 1] != "\\":
                break
            stop += 1
        if stop < 0 or stop == m.end() or "\n\n" in text[m.end() : stop]:
            pos = m.end()
            continue
        if right == "$" and text.startswith("$", stop + 1) and not left.startswith("$$"):
            pos = m.end()  # "$a$$b$": not a formula boundary MathJax would agree on
            continue
        tex = _clean_tex(text[m.end() : stop], display)
        if tex:
            found.items.append((tex, display, "tex_delimiters"))
            out.append((pos, start, len(found.items) - 1))
        else:
            out.append((pos, stop + len(right), -1))
        pos = stop + len(right)
    if not out:
        return text
    pieces = []
    for seg_start, seg_end, idx in out:
        pieces.append(text[seg_start:seg_end])
        if idx >= 0:
            pieces.append(f"{_OPEN}{idx}{_CLOSE}")
    pieces.append(text[pos:])
    return "".join(pieces)


# -------------------------------------------------------------------------------------- the API

_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


# Boilerplate the main-content heuristics miss on wikis (edit links, "Jump to navigation", navboxes).
_SKIP = [
    ".mw-editsection",
    ".mw-jump-link",
    "#jump-to-nav",
    "#siteSub",
    ".navbox",
    ".vertical-navbox",
    ".catlinks",
    ".printfooter",
]


def _reveal_spoilers(tree: HTMLTree) -> None:
    """Make collapsed spoilers visible. Forums (IPS, phpBB, XenForo, Discourse…) hide a puzzle's
    solution in a ``display: none`` spoiler box, and the main-content heuristics drop hidden elements —
    losing exactly the worked maths. Other hidden elements (menus, formula caches) stay hidden."""
    for el in _qsa(tree.document, '[class*="spoiler" i][style]'):
        style = el.getattr("style") or ""
        if "none" in style.replace(" ", "").lower():
            el.delattr("style")


def _extract(tree: HTMLTree, main_content: bool) -> str:
    # comments=True: on Q&A sites and forums (math.stackexchange, MathOverflow, AoPS) the answers are
    # marked up as comment sections; without them only the question is left.
    return extract_plain_text(
        tree,
        main_content=main_content,
        preserve_formatting=True,
        alt_texts=False,
        list_bullets=True,
        links=False,
        form_fields=False,
        noscript=False,
        comments=True,
        skip_elements=_SKIP,
    )


_GLUED = re.compile(r"[\w(\[]")


def _assemble(text: str, found: _Math) -> tuple[str, int, set[str]]:
    """Swap placeholders for LaTeX; display maths goes on a line of its own."""
    parts = _PLACEHOLDER_RE.split(text)
    out, kinds = [parts[0]], set()
    for k in range(1, len(parts), 2):
        tex, display, kind = found.items[int(parts[k])]
        kinds.add(kind)
        after = parts[k + 1]
        if display:
            out[-1] = out[-1].rstrip(" \t")
            before = (out[-1] or out[-2]) if len(out) > 1 else out[-1]
            if before and not before.endswith("\n"):
                out[-1] += "\n"
            stripped = after.lstrip(" \t")
            if stripped and _GLUED.match(stripped):
                after = "\n" + stripped
            elif stripped and stripped[0] != "\n":
                after = stripped
        elif not out[-1] and len(out) > 1 and out[-2].endswith("$"):
            out[-1] = " "  # "$a$ $b$", not "$a$$b$"
        out.append(_render(tex, display))
        out.append(after)
    return "".join(out), len(parts) // 2, kinds


def html_to_text(html: str | bytes, url: str = "") -> tuple[str, dict]:
    """Main text of a page with its maths as LaTeX (``$..$`` inline, ``$$..$$`` display).

    Returns ``(text, meta)``; ``meta`` has ``title``, ``math_count`` (formulas in the text) and
    ``math_kinds`` (sorted markup kinds they came from: ``tex_delimiters``, ``mathjax_script``,
    ``mathjax_formula``, ``asciimath``, ``katex``, ``mathml``, ``distill``, ``math_container``,
    ``pandoc``, ``img_alt``, ``img_url``).
    ``url`` is accepted for callers that have it; the extraction does not depend on it.
    """
    del url
    if isinstance(html, bytes | bytearray):
        html = decode_html(bytes(html))
    if any(c in html for c in _PUA):
        html = html.translate({ord(c): None for c in _PUA})
    meta: dict = {"title": "", "math_count": 0, "math_kinds": []}
    if not html.strip():
        return "", meta
    try:
        tree = HTMLTree.parse(html)
    except UnicodeEncodeError:  # lone surrogates (text decoded with surrogateescape)
        html = html.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        tree = HTMLTree.parse(html)
    meta["title"] = " ".join((tree.title or "").split())
    _reveal_spoilers(tree)
    found = _Math()
    _rewrite(tree, html, found)
    delims = page_delimiters(html)
    openers = tuple({d[0] for d in delims} | {"\\begin{"})
    texy = any(o in html for o in openers)
    ascii_math = "`" in html and asciimath_enabled(html)
    if texy or ascii_math:
        _protect_code(tree, ascii_math)
    if found.items or texy or ascii_math:
        markers = (*openers, "`") if ascii_math else openers
        _protect_lists(tree, (_OPEN, *markers))
    n_dom = len(found.items)
    text = _extract(tree, main_content=True)
    kept = {int(i) for i in _PLACEHOLDER_RE.findall(text)}
    if n_dom >= 4 and len(kept) < n_dom / 4:
        # The main-content heuristics threw away most of the maths (formula-only blocks look like
        # boilerplate to them): take the page's whole visible text rather than lose the formulas.
        full = _extract(tree, main_content=False)
        if len(set(_PLACEHOLDER_RE.findall(full))) > 2 * len(kept):
            text = full
    if texy:
        opener_re = _delim_regex(delims)
        parts = _PLACEHOLDER_RE.split(text)
        for i in range(0, len(parts), 2):
            parts[i] = _text_math(parts[i], delims, opener_re, found)
        text = "".join(p if i % 2 == 0 else f"{_OPEN}{p}{_CLOSE}" for i, p in enumerate(parts))
    if ascii_math:  # after the TeX, as MathJax runs asciimath2jax after tex2jax
        parts = _PLACEHOLDER_RE.split(text)
        text = "".join(
            _asciimath_text(p, found) if i % 2 == 0 else f"{_OPEN}{p}{_CLOSE}" for i, p in enumerate(parts)
        )
    text, count, kinds = _assemble(text, found)
    if texy or ascii_math:
        text = text.replace(_DOLLAR, "$").replace(_BACKSLASH, "\\").replace(_BACKTICK, "`")
    text = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip()
    meta["math_count"], meta["math_kinds"] = count, sorted(kinds)
    return text, meta


def extract_step(docs: list[Document]) -> list[Document]:
    """Corpus step: raw HTML (kind ``html`` or ``warc``) → main text with LaTeX maths.

    Stores ``title``, ``math_count`` and ``math_kinds`` in ``meta``; drops pages with no main text
    (``"no main text"``) and pages the extractor fails on (``"extract error: <ExcType>"``), never
    raising for one bad page. Other kinds pass through unchanged.
    """
    for doc in docs:
        if not doc.alive:
            continue
        if doc.kind in ("html", "warc"):
            try:
                text, meta = html_to_text(doc.text, str(doc.meta.get("url") or doc.source))
            except Exception as exc:
                doc.drop(STEP, f"extract error: {type(exc).__name__}")
                continue
            if not text.strip():
                doc.drop(STEP, "no main text")
                continue
            doc.text = text
            doc.meta.update(meta)
        doc.sizes[STEP] = doc.nbytes()
    return docs


def benchmark_extract(paths: Iterable[str | Path]) -> dict:
    """Extraction speed over HTML files on one core (decoding excluded): prints and returns
    ``{"files", "mb", "seconds", "mb_per_s", "formulas"}``."""
    pages = [decode_html(Path(p).read_bytes()) for p in paths]
    nbytes = sum(len(p.encode("utf-8", "surrogatepass")) for p in pages)
    formulas = 0
    t0 = time.perf_counter()
    for page in pages:
        formulas += html_to_text(page)[1]["math_count"]
    seconds = time.perf_counter() - t0
    result = {
        "files": len(pages),
        "mb": round(nbytes / 1e6, 3),
        "seconds": round(seconds, 4),
        "mb_per_s": round(nbytes / 1e6 / seconds, 2) if seconds > 0 else float("inf"),
        "formulas": formulas,
    }
    print(
        f"extract: {result['files']} pages, {result['mb']} MB in {result['seconds']} s → "
        f"{result['mb_per_s']} MB/s, {formulas} formulas"
    )
    return result
