"""Extraction quality on the real math pages: formula recall (with delimiters) and word recall.

Gold formulas come from the raw page, found independently of the extractor:
  script math/tex, annotation x-tex, d-math/dt-math, span.math, .math-container, latex.php/codecogs img,
  TeX written in text (\\(..\\), \\[..\\], $$..$$, \\begin{env}) outside script/style/code/pre.
A gold formula counts as recalled when its whitespace-free TeX equals (or, for environments, is contained
in) the whitespace-free body of some delimited formula of the output ($..$, $$..$$, bare env).
MathML without a TeX annotation (MathJax MathML input) has no TeX gold: it counts as
min(1, output formulas / <math> elements).
Per page recall, macro-averaged over pages (the "page-macro" measure); micro also printed.

    python benchmarks/extract_quality.py WEB_DIR/html   # the real web sample (math/ and nonmath/ pages)
Word recall: words (lowercased [a-z]{2,} runs, TeX in the text cut out first) of the page's <p>/<li>/<h1-6>/<dd>/<td> text outside
nav/header/footer/aside/script/style and maths elements (multiset), the fraction present in the output.
"""

import re
import sys
from collections import Counter
from pathlib import Path

from resiliparse.parse.html import HTMLTree, NodeType

from mathforge.corpus import extract
from mathforge.corpus.extract import html_to_text

print("extract module:", extract.__file__, file=sys.stderr)

WEB = Path(sys.argv[1])
WS = re.compile(r"\s+")
_TEXT_TEX = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]|\$\$(.+?)\$\$|(\\begin\{(\w+\*?)\}.+?\\end\{\5\})", re.S)


def norm(t):
    t = WS.sub("", t)
    for a, b in (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$")):
        if t.startswith(a) and t.endswith(b) and len(t) > len(a) + len(b):
            t = t[len(a) : -len(b)]
            break
    m = re.match(r"^\{\\displaystyle(.*)\}$", t, re.S)
    if m:
        t = m.group(1)
    # binomials in either spelling compare equal
    t = re.sub(r"\{([^{}]*)\\choose([^{}]*)\}", r"\\binom{\1}{\2}", t)
    t = re.sub(r"\(\{([^{}]*)\\atop([^{}]*)\}\)", r"\\binom{\1}{\2}", t)
    return t


def out_formulas(text):
    fs = []
    for m in re.finditer(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$|(\\begin\{(\w+\*?)\}.+?\\end\{\4\})", text, re.S):
        fs.append(norm(m.group(1) or m.group(2) or m.group(3)))
    return fs


def skipped(el):
    return (
        el.closest("script, style, code, pre, nav, header, footer, aside, math, d-math, dt-math") is not None
    )


def gold(html):
    tree = HTMLTree.parse(html)
    root = tree.document
    g, mathml_only = [], 0
    for el in root.query_selector_all('script[type^="math/tex"], script[type^="text/tex"]'):
        g.append(el.text)
    for el in root.query_selector_all("annotation"):
        if "tex" in (el.getattr("encoding") or "").lower():
            g.append(el.text)
    for el in root.query_selector_all("math"):
        if el.query_selector("annotation") is None and not el.getattr("alttext"):
            mathml_only += 1
        elif el.getattr("alttext") and el.query_selector("annotation") is None:
            g.append(el.getattr("alttext"))
    for el in root.query_selector_all("d-math, dt-math"):
        if el.query_selector("annotation") is None:
            g.append(el.text)
    for el in root.query_selector_all("span.math.inline, span.math.display, .math-container"):
        g.append(el.text)
    for el in root.query_selector_all("img"):
        src = el.getattr("src") or ""
        if "latex.php" in src or "codecogs" in src:
            g.append(el.getattr("alt") or "")
    # TeX written in text
    covered = "span.math, .math-container, script, style, code, pre, math, d-math, dt-math, textarea"
    for el in root.query_selector_all("body *"):
        if el.closest(covered) is not None:
            continue
        for node in el.child_nodes:
            if node.type == NodeType.TEXT and node.value:
                for m in _TEXT_TEX.finditer(node.value):
                    g.append(m.group(1) or m.group(2) or m.group(3) or m.group(4))
    g = [norm(x) for x in g if x and x.strip() and norm(x)]
    # words
    words = Counter()
    for el in root.query_selector_all("p, li, h1, h2, h3, h4, h5, h6, dd, td"):
        if skipped(el) or el.parent is None:
            continue
        # only innermost text-bearing blocks to avoid double counting
        if el.query_selector("p, li, dd, td") is not None:
            continue
        parts = []
        stack = [el]
        while stack:
            n = stack.pop()
            for c in reversed(list(n.child_nodes)):
                if c.type == NodeType.TEXT:
                    parts.append(c.value or "")
                elif (
                    c.type == NodeType.ELEMENT
                    and c.tag
                    not in (
                        "script",
                        "style",
                        "math",
                        "d-math",
                        "dt-math",
                        "annotation",
                        "svg",
                        "mjx-container",
                    )
                    and not (c.class_name or "").startswith(("math", "katex", "MathJax", "mwe-math"))
                ):
                    stack.append(c)
        prose = _TEXT_TEX.sub(" ", " ".join(parts))  # TeX written in the text is not prose
        words.update(re.findall(r"[a-z]{2,}", prose.lower()))
    return g, mathml_only, words


def main():
    rows = []
    for p in sorted((WEB / "math").glob("*.html")):
        raw = p.read_bytes()
        html = extract.decode_html(raw)
        text, meta = html_to_text(raw)
        g, mathml_only, words = gold(html)
        outs = out_formulas(text)
        outset = set(outs)
        hit = 0
        misses = []
        for f in g:
            if f in outset or (f.startswith("\\begin") and any(f in o for o in outs)):
                hit += 1
            else:
                misses.append(f)
        total = len(g)
        if mathml_only:
            total += mathml_only
            hit += min(mathml_only, max(0, len(outs) - (len(g) - len(misses))))
        frec = hit / total if total else None
        tw = Counter(re.findall(r"[a-z]{2,}", text.lower()))
        nref = sum(words.values())
        wrec = sum(min(c, tw[w]) for w, c in words.items()) / nref if nref else None
        rows.append((p.name, total, hit, frec, nref, wrec, misses))
    print(f"{'page':62} {'gold':>5} {'hit':>5} {'f.rec':>6} {'words':>6} {'w.rec':>6}")
    for name, total, hit, frec, nref, wrec, misses in rows:
        fr = f"{frec:.3f}" if frec is not None else "  -  "
        wr = f"{wrec:.3f}" if wrec is not None else "  -  "
        print(f"{name:62} {total:5} {hit:5} {fr:>6} {nref:6} {wr:>6}")
        if "-v" in sys.argv:
            for m in misses[:6]:
                print("      miss:", m[:110])
    fr = [r[3] for r in rows if r[3] is not None]
    wr = [r[5] for r in rows if r[5] is not None]
    print(
        f"formula recall page-macro {sum(fr) / len(fr):.4f} over {len(fr)} pages; "
        f"micro {sum(r[2] for r in rows) / sum(r[1] for r in rows):.4f} ({sum(r[2] for r in rows)}/{sum(r[1] for r in rows)})"
    )
    print(
        f"word recall page-macro {sum(wr) / len(wr):.4f} over {len(wr)} pages; "
        f"micro {sum(r[5] * r[4] for r in rows if r[5] is not None) / sum(r[4] for r in rows if r[5] is not None):.4f}"
    )
    # non-math pages: formula count must stay 0-ish
    nm = 0
    for p in sorted((WEB / "nonmath").glob("*.html")):
        _t, meta = html_to_text(p.read_bytes())
        if meta["math_count"]:
            nm += 1
            print("nonmath with maths:", p.name, meta["math_count"], meta["math_kinds"])
    print("nonmath pages with maths:", nm)


main()
