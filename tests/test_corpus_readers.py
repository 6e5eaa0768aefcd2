"""Corpus readers: real WARC/HTML/LaTeX/notebook files from the web sample, and bad input built here."""

from __future__ import annotations

import gzip
import json
import os
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mathforge.corpus.document import KINDS, Document, ReadError, doc_id
from mathforge.corpus.latex import clean_latex
from mathforge.corpus.readers import expand_inputs, format_of, read_files, read_path


def split(items) -> tuple[list[Document], list[ReadError]]:
    items = list(items)
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, ReadError)]
    assert len(docs) + len(errors) == len(items)
    return docs, errors


def read(path: Path, **kw) -> tuple[list[Document], list[ReadError]]:
    return split(read_path(path, **kw))


def check_doc(d: Document) -> None:
    assert d.kind in KINDS
    assert d.text.strip()
    assert d.sizes["read"] == d.nbytes()
    json.dumps(d.to_row())  # meta must serialize
    file, _, n = d.source.partition("#")
    assert d.id == doc_id(file, int(n) if n else 0)


# --- real WARCs -----------------------------------------------------------------------------------

WARCS = {
    # file: (documents, a URL among them)
    "dolma__science_0.warc.gz": (2, "http://localhost:8000/math.html"),
    "dolma__warc_sample-0000.warc.gz": (22, "https://www.semanticscholar.org/research/research-team"),
    "dolma__warc_sample-0001.warc.gz": (15, "https://creativecommons.org/"),
    "resiliparse__clueweb-quirk.warc.gz": (
        29,
        "http://www.uraharajuku.st/shopdetail/001005000005/019/000/order/",
    ),
    "resiliparse__warcfile.warc.gz": (16, "http://01spb.ru/company/"),
    "warcio__example-iana.org-chunked.warc": (1, "http://www.iana.org/"),
    "warcio__example.warc.gz": (1, "http://example.com/"),
}


@pytest.mark.parametrize("name", sorted(WARCS))
def test_real_warcs(web_data: Path, name: str) -> None:
    count, url = WARCS[name]
    docs, errors = read(web_data / "warc" / name)
    assert errors == []
    assert len(docs) == count
    assert url in {d.meta["url"] for d in docs}
    for d in docs:
        check_doc(d)
        assert d.kind == "warc"
        assert d.meta["url"].startswith("http") and not d.meta["url"].startswith("<")
        assert d.meta["date"]
        assert "<html" in d.text.lower() or "<!doctype" in d.text.lower()
    assert len({d.id for d in docs}) == len(docs)
    # Stable: a second read gives the same ids and texts.
    again, _ = read(web_data / "warc" / name)
    assert [(d.id, d.text) for d in again] == [(d.id, d.text) for d in docs]


def test_warc_content(web_data: Path) -> None:
    docs, _ = read(web_data / "warc" / "dolma__science_0.warc.gz")
    math = next(d for d in docs if d.meta["url"].endswith("/math.html"))
    assert r"\( E = mc^2 \)" in math.text
    assert r"\int_{a}^{b} f(x) \,dx = F(b) - F(a)" in math.text
    assert math.meta["title"] == "MathJax LaTeX Example"
    assert math.meta["html_lang"] == "en"
    assert math.source.endswith("dolma__science_0.warc.gz#1")
    assert "Taylor Swift" in docs[1].meta["title"]

    # Chunked transfer coding is undone: no chunk-size line before the page, no "0" after it.
    (iana,) = read(web_data / "warc" / "warcio__example-iana.org-chunked.warc")[0]
    assert iana.text.startswith("<!doctype html>")
    assert iana.text.rstrip().endswith("</html>")
    assert iana.meta["title"] == "Internet Assigned Numbers Authority"

    # gzip content coding is undone.
    (example,) = read(web_data / "warc" / "warcio__example.warc.gz")[0]
    assert "<title>Example Domain</title>" in example.text

    # ClueWeb quirks: LF-only HTTP headers, an invalid WARC-Date, EUC-JP pages, a stale gzip header.
    docs, _ = read(web_data / "warc" / "resiliparse__clueweb-quirk.warc.gz")
    assert {d.meta["encoding"] for d in docs} == {"euc_jp"}
    assert "HEADPORTER" in docs[0].meta["title"] and "ヘッドポーター" in docs[0].meta["title"]
    assert not any(d.meta.get("replacement_chars") for d in docs)
    assert docs[0].meta["date"] == "2008-10-294T05:21:46-0700"  # kept as written

    # Charsets from the HTTP header: windows-1251 and gb2312 pages decode without replacement.
    docs, _ = read(web_data / "warc" / "resiliparse__warcfile.warc.gz")
    ru = next(d for d in docs if d.meta["url"] == "http://01spb.ru/company/")
    assert ru.meta["encoding"] == "cp1251" and "О компании" in ru.meta["title"]
    assert any(d.meta["encoding"] == "gb18030" for d in docs)


def test_truncated_warc_gz(web_data: Path, tmp_path: Path) -> None:
    src = web_data / "warc" / "dolma__warc_sample-0000.warc.gz"
    full, _ = read(src)
    data = src.read_bytes()
    cut = tmp_path / "half.warc.gz"
    cut.write_bytes(data[: len(data) // 2])
    docs, errors = read(cut)
    assert 5 <= len(docs) < len(full)
    # The records before the break are the same documents as in the whole file.
    assert [d.text for d in docs] == [d.text for d in full[: len(docs)]]
    assert [d.source.rpartition("#")[2] for d in docs] == [
        d.source.rpartition("#")[2] for d in full[: len(docs)]
    ]
    assert errors and "truncated" in errors[-1].reason
    assert str(errors[-1]).startswith(str(cut))


def test_truncated_plain_warc(web_data: Path, tmp_path: Path) -> None:
    raw = gzip.decompress((web_data / "warc" / "dolma__warc_sample-0000.warc.gz").read_bytes())
    cut = tmp_path / "half.warc"
    cut.write_bytes(raw[: len(raw) // 2])
    docs, errors = read(cut)
    assert 5 <= len(docs) < 22
    assert len(errors) == 1 and "truncated" in errors[0].reason


def test_broken_warc_record_is_reported_and_skipped(web_data: Path, tmp_path: Path) -> None:
    raw = gzip.decompress((web_data / "warc" / "dolma__warc_sample-0000.warc.gz").read_bytes())
    # Find the 5th response record and wreck its WARC header line.
    pos, seen = 0, 0
    while seen < 5:
        pos = raw.index(b"WARC-Type: response", pos + 1)
        seen += 1
    start = raw.rindex(b"WARC/1.", 0, pos)
    broken = tmp_path / "broken.warc"
    broken.write_bytes(raw[:start] + b"GARBAGE!" + raw[start + 8 :])
    docs, errors = read(broken)
    assert len(docs) == 21  # every other page still read, including those after the broken one
    assert len(errors) == 1 and "broken record" in errors[0].reason
    # A bad Content-Length in another file: the record is reported, the rest goes on.
    sci = gzip.decompress((web_data / "warc" / "dolma__science_0.warc.gz").read_bytes())
    j = sci.index(b"Content-Length:", sci.index(b"taylor.html"))
    bad = tmp_path / "badlen.warc"
    bad.write_bytes(sci[:j] + b"Content-Length: abc" + sci[sci.index(b"\r\n", j) :])
    docs, errors = read(bad)
    assert len(docs) == 1 and docs[0].meta["url"].endswith("math.html")
    assert errors and all("record" in e.reason for e in errors)


def test_warc_record_over_limit_is_skipped_unread(web_data: Path) -> None:
    docs, errors = read(web_data / "warc" / "dolma__warc_sample-0000.warc.gz", max_doc_bytes=30_000)
    assert docs and errors
    assert len(docs) + len(errors) == 22
    assert all(d.nbytes() <= 30_000 for d in docs)
    assert all("exceeds max_doc_bytes (30000)" in e.reason and e.reason.startswith("record ") for e in errors)


def test_garbage_named_warc(tmp_path: Path) -> None:
    junk = os.urandom(4000)
    (tmp_path / "x.warc").write_bytes(junk)
    (tmp_path / "x.warc.gz").write_bytes(junk)
    for p in (tmp_path / "x.warc", tmp_path / "x.warc.gz"):
        docs, errors = read(p)
        assert docs == [] and len(errors) == 1


# --- real HTML, LaTeX, code, notebooks --------------------------------------------------------------


def test_real_html_pages(web_data: Path) -> None:
    paths = sorted((web_data / "html").rglob("*.htm*"))
    docs, errors = read_files(paths)
    assert errors == []
    assert len(docs) == len(paths) >= 70
    for d in docs:
        check_doc(d)
        assert d.kind == "html" and d.id == doc_id(d.source, 0)
    by_name = {Path(d.source).name: d for d in docs}
    assert "x = {-b \\pm \\sqrt{b^2-4ac} \\over 2a}" in by_name["mathjax-demos__page_tex-chtml.html"].text
    assert by_name["readability__wikipedia-3.html"].meta["title"].startswith("Hermitian matrix")
    # Re-saved as UTF-8 but still declaring gb2312: decoded as UTF-8, nothing replaced.
    qq = by_name["readability__qq.html"]
    assert qq.meta["encoding"] == "utf-8" and qq.meta["declared_encoding"] == "gb18030"
    assert "replacement_chars" not in qq.meta and "DeepMind" in qq.meta["title"]


LATEX_KEEP = {
    "pfr__entropy.tex": [
        r"$$ \bbH[X] := \sum_{s \in S} \bbP[X=x] \log \frac{1}{\bbP[X=x]}$$",
        "**Definition (Entropy).**",
        "**Lemma (Jensen bound).**",
        "# Shannon entropy inequalities",
    ],
    "stacks__sets.tex": [
        r"$(a, b) := \{\{a\}, \{a, b\}\}$",
        "## Introduction",
        "as described in [cite] and [cite]",
    ],
    "lebl-ra__ch-der.tex": [
        "L \\coloneqq \\lim_{x \\to c} \\frac{f(x)-f(c)}{x-c}",
        "\\begin{equation*}",
        "*differentiable* at",
        "# The Derivative",
    ],
    "openlogic__computability_computability-theory_rice-theorem.tex": [
        "**Theorem (Rice's Theorem).**",
        "$A = \\Setabs{n}{\\cfind{n} \\in C}$",
        "**Proof of Rice's theorem.**",
    ],
    "hott-book__logic.tex": ["## Sets and $n$-types", "The type \\unit is a set."],
    "lebl-ra__realanal.tex": ["Basic Analysis I", "Jiří Lebl"],
}
LATEX_GONE = {
    "pfr__entropy.tex": ["\\lean{", "\\leanok", "\\uses{", "ProbabilityTheory.entropy", "entropy-def"],
    "stacks__sets.tex": ["\\input{preamble}", "OK, start here", "section-phantom", "\\begin{document}"],
    "lebl-ra__ch-der.tex": ["mbxINTROSUBSECTION", "Two diagrams of a plot", "\\myindex", "not:derivative"],
    "openlogic__computability_computability-theory_rice-theorem.tex": [
        "% Part:",
        "\\documentclass",
        "\\olfileid",
    ],
    "hott-book__logic.tex": ["which classically makes heavy use of", "\\index{"],
    "lebl-ra__realanal.tex": [
        "\\usepackage",
        "newpxmath",
        "For sending to printer",
        "ISBN-13",
        "\\newcommand",
    ],
}


@pytest.mark.parametrize("name", sorted(LATEX_KEEP))
def test_real_latex(web_data: Path, name: str) -> None:
    docs, errors = read(web_data / "latex" / name)
    assert errors == [] and len(docs) == 1
    (d,) = docs
    check_doc(d)
    assert d.kind == "latex"
    for s in LATEX_KEEP[name]:
        assert s in d.text, s
    for s in LATEX_GONE[name]:
        assert s not in d.text, s


def test_all_latex_files(web_data: Path) -> None:
    paths = sorted((web_data / "latex").glob("*.tex"))
    docs, errors = read_files(paths)
    assert errors == [] and len(docs) == len(paths) == 19
    for d in docs:
        assert "\\label{" not in d.text and "\\index{" not in d.text
        assert "\\includegraphics" not in d.text and "\\begin{figure}" not in d.text
        assert not any(line.lstrip().startswith("%") for line in d.text.splitlines())
        # Math delimiters stay balanced.
        assert d.text.count("\\[") == d.text.count("\\]")
        assert d.text.count("\\begin{") == d.text.count("\\end{")


def test_latex_cleaner_rules() -> None:
    src = r"""\documentclass{article}
\usepackage{amsmath} % SECRET-PREAMBLE
\newcommand{\R}{\mathbb{R}}
\begin{document}
\title{My \emph{Paper}}
\maketitle
% SECRET-LINE-COMMENT
\section{Intro}\label{sec:intro}
We pay 50\% of \$10.% SECRET-TRAILING
See \cite[Thm 2]{knuth}, \eqref{eq:1} and \Cref{sec:intro}.
Erd\H{o}s, G\"odel, na\"{\i}ve, ``quoted'' --- dash.
\begin{equation}\label{eq:1}
  a^2 + b^2 = c^2 % SECRET-MATH-COMMENT
\end{equation}
\begin{theorem}[Pythagoras]\label{thm:p}\lean{Foo.bar}\leanok\uses{a}
For $x \in \R$, \(x^2 \ge 0\) and \[ \int_0^1 x\,dx = \tfrac12. \]
\end{theorem}
\begin{proof}Trivial.\index{trivial}\end{proof}
\begin{itemize}
\item one
\item two
\end{itemize}
\begin{enumerate}\item first \item second\end{enumerate}
\begin{figure}[h]\includegraphics{x.png}\caption{SECRET-FIGURE}\end{figure}
\input{chapter1}
\begin{verbatim}
raw % kept \foo
\end{verbatim}
\subsection*{Done}
\end{document}
SECRET-AFTER-END
"""
    out = clean_latex(src)
    assert "SECRET" not in out
    for s in (
        "# My *Paper*",
        "## Intro",
        "We pay 50% of \\$10.",
        "See [cite], ([ref]) and [ref].",
        "Erdős, Gödel, naïve, “quoted” — dash.",
        "\\begin{equation}\n  a^2 + b^2 = c^2",
        "**Theorem (Pythagoras).**",
        "For $x \\in \\R$, \\(x^2 \\ge 0\\) and \\[ \\int_0^1 x\\,dx = \\tfrac12. \\]",
        "**Proof.** Trivial.",
        "- one\n- two",
        "1. first\n2. second",
        "```\nraw % kept \\foo\n```",
        "### Done",
    ):
        assert s in out, s
    for s in (
        "\\label",
        "\\lean",
        "\\uses",
        "\\index",
        "\\input",
        "chapter1",
        "\\usepackage",
        "\\newcommand",
    ):
        assert s not in out, s
    assert clean_latex("") == "" and clean_latex("% only a comment\n") == ""


@pytest.mark.parametrize(
    "src",
    [
        "text \\[ x " * 30_000,  # unclosed display math
        "a $$ b " * 30_000,
        "\\emph{" * 30_000 + "x",  # unclosed arguments
        "\\emph{" * 3_000 + "x" + "}" * 3_000,  # deep nesting
        "\\begin{theorem}[" * 20_000,
        "\\item[" * 30_000,
        "\\begin{align} x " * 20_000,
        "\\begin{figure} x " * 20_000,
        "\\begin{verbatim} x " * 20_000,
        "\\iffalse x " * 20_000,
        "\\begin{x}" * 10_000 + "\\end{y}" * 10_000,
        "\\begin{itemize}" * 3_000 + "\\item a " * 10_000,
        "\\newcommand{\\x}[" * 20_000,
    ],
    ids=lambda s: s[:16],
)
def test_latex_cleaner_stays_linear_on_broken_input(src: str) -> None:
    import time

    t0 = time.perf_counter()
    out = clean_latex(src)
    assert time.perf_counter() - t0 < 2.0
    assert len(out) <= 2 * len(src)


def test_real_code_and_notebooks(web_data: Path) -> None:
    py = web_data / "code" / "thealgorithms__maths_chinese_remainder_theorem.py"
    (code,) = read(py)[0]
    assert code.kind == "code" and code.text == py.read_text(encoding="utf-8")

    docs, errors = read(web_data / "code" / "jrjohansson__Lecture-5-Sympy.ipynb")
    assert errors == [] and len(docs) == 1
    nb = docs[0]
    check_doc(nb)
    assert nb.kind == "notebook"
    # A formula from a markdown cell survives as written.
    assert r"$\displaystyle \frac{\mathrm{d}f(x,y)}{\mathrm{d}x} = \frac{f(x+h,y)-f(x,y)}{h}$" in nb.text
    assert "```python\nfrom sympy import *\n```" in nb.text
    assert "```output\n$$\\frac{4}{5}$$\n```" in nb.text  # SymPy's LaTeX output, not its ASCII art
    assert nb.meta["title"] == "SymPy - Symbolic algebra in Python"
    assert nb.meta["cells"] == {"markdown": 71, "code": 90}
    assert "image/png" not in nb.text and "iVBORw0KGgo" not in nb.text  # no base64 images

    numpy_nb = read(web_data / "code" / "jrjohansson__Lecture-2-Numpy.ipynb")[0][0]
    assert "```output\nValueError:" in numpy_nb.text or "Error:" in numpy_nb.text
    assert all(len(block) < 1200 for block in numpy_nb.text.split("```output")[1:])


def test_expand_inputs(web_data: Path, tmp_path: Path) -> None:
    files = expand_inputs([str(web_data)])
    assert files == sorted(files, key=str)
    assert sum(1 for f in files if format_of(f) == "warc") == 7
    assert sum(1 for f in files if f.suffix == ".tex") == 19
    # Globs, a folder given twice and overlapping patterns: each file once.
    again = expand_inputs(
        [str(web_data / "warc"), str(web_data / "warc" / "*.gz"), str(web_data / "warc") + "/"]
    )
    assert len(again) == 7 == len(set(again))

    (tmp_path / "a" / ".hidden").mkdir(parents=True)
    (tmp_path / "a" / ".hidden" / "x.txt").write_text("hidden")
    (tmp_path / "a" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "a" / ".ipynb_checkpoints" / "n.ipynb").write_text("{}")
    (tmp_path / "a" / "b").mkdir()
    (tmp_path / "a" / "b" / "doc.md").write_text("# hi\n")
    (tmp_path / "a" / "z.txt").write_text("z")
    (tmp_path / "a" / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "a" / ".DS_Store").write_bytes(b"\x00")
    got = expand_inputs([str(tmp_path / "a")])
    assert [p.relative_to(tmp_path).as_posix() for p in got] == ["a/b/doc.md", "a/z.txt"]
    # Files named outright are kept whatever their ending (read_path reports them); missing ones are not.
    named = [str(tmp_path / "a" / "notes.docx"), str(tmp_path / "missing.txt"), str(tmp_path / "a/**/*.md")]
    assert [p.name for p in expand_inputs(named)] == ["doc.md", "notes.docx"]
    # A glob keeps only supported endings.
    assert [p.name for p in expand_inputs([str(tmp_path / "a" / "*")])] == ["doc.md", "z.txt"]


def test_whole_web_sample_reads_cleanly(web_data: Path) -> None:
    docs, errors = read_files(expand_inputs([str(web_data)]))
    assert errors == []
    kinds = {d.kind for d in docs}
    assert {"warc", "html", "latex", "code", "notebook", "markdown"} <= kinds
    assert len({d.id for d in docs}) == len(docs)


# --- JSONL, JSON, Parquet ------------------------------------------------------------------------


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "Let $x^2 = 4$.", "url": "https://a.example/1", "lang": "en"}),
        '{"text": "unterminated',
        json.dumps({"title": "no text here"}),
        "",
        json.dumps({"question": "What is 1+1?", "answer": "2", "id": 7}),
        json.dumps({"problem": "Compute $2^3$.", "solution": "It is $8$.", "answer": "8"}),
        json.dumps([1, 2]),
        json.dumps({"text": 5}),
        json.dumps({"text": None}),
        json.dumps({"text": "   "}),
        json.dumps({"text": "last one"}),
    ]
    p = tmp_path / "mixed.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, errors = read(p)
    for d in docs:
        check_doc(d)
    assert [(d.source.rpartition("#")[2], d.kind) for d in docs] == [
        ("1", "jsonl"),
        ("5", "exam"),
        ("6", "exam"),
        ("11", "jsonl"),
    ]
    assert docs[0].meta == {"url": "https://a.example/1", "lang": "en"}
    assert docs[1].text == "Question: What is 1+1?\nAnswer: 2" and docs[1].meta == {"id": 7}
    assert docs[2].text == "Question: Compute $2^3$.\nAnswer: It is $8$." and docs[2].meta == {"answer": "8"}
    reasons = [e.reason for e in errors]
    assert [r.split(":")[0] for r in reasons] == ["line 2", "line 3", "line 7", "line 8", "line 9", "line 10"]
    assert "malformed JSON" in reasons[0]
    assert "no 'text' field" in reasons[1] and "title" in reasons[1]
    assert all(e.source == str(p) for e in errors)


def test_jsonl_invalid_utf8_is_replaced_not_an_error(tmp_path: Path) -> None:
    p = tmp_path / "latin.jsonl"
    p.write_bytes(b'{"text": "caf\xe9 au lait"}\n{"text": "fine"}\n')
    docs, errors = read(p)
    assert errors == [] and len(docs) == 2
    assert docs[0].text == "caf\ufffd au lait" and docs[0].meta["replacement_chars"] == 1
    assert "replacement_chars" not in docs[1].meta
    # Lone surrogates from JSON escapes cannot be written as UTF-8: replaced too.
    p.write_text('{"text": "a\\ud800b \\ud83d\\ude00", "note": "\\udc00"}\n')
    (d,) = read(p)[0]
    assert d.text == "a\ufffdb 😀" and d.meta == {"note": "\ufffd"}
    d.to_row()["text"].encode("utf-8")


def test_jsonl_gz_and_truncated_gz(tmp_path: Path) -> None:
    body = "".join(json.dumps({"text": f"document {i} " + "x" * 300, "n": i}) + "\n" for i in range(2000))
    data = gzip.compress(body.encode())
    whole = tmp_path / "whole.jsonl.gz"
    whole.write_bytes(data)
    docs, errors = read(whole)
    assert len(docs) == 2000 and errors == []
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    docs, errors = read(cut)
    assert 100 < len(docs) < 2000
    assert [d.meta["n"] for d in docs] == list(range(len(docs)))
    assert len(errors) == 1 and "truncated" in errors[0].reason and "after line" in errors[0].reason
    (tmp_path / "notgz.jsonl.gz").write_text('{"text": "plain"}\n')
    docs, errors = read(tmp_path / "notgz.jsonl.gz")
    assert docs == [] and len(errors) == 1 and "gzip" in errors[0].reason


def test_oversized_documents_are_skipped(tmp_path: Path) -> None:
    big = 50 * 1024 * 1024
    p = tmp_path / "big.jsonl"
    with p.open("w") as fh:
        fh.write(json.dumps({"text": "before"}) + "\n")
        fh.write('{"text": "' + "a" * big + '"}\n')
        fh.write(json.dumps({"text": "after"}) + "\n")
    docs, errors = read(p)
    assert [d.text for d in docs] == ["before", "after"]
    assert len(errors) == 1 and errors[0].reason.startswith("line 2: document of")
    assert "exceeds max_doc_bytes (20000000)" in errors[0].reason

    # Under a higher limit the line is read, and the text itself is checked.
    docs, errors = read(p, max_doc_bytes=30_000_000)
    assert [d.text for d in docs] == ["before", "after"]
    assert "document of 52428800 bytes exceeds max_doc_bytes" in errors[0].reason

    # A one-line 50 MB text or HTML file is refused from its size, without reading it.
    for name in ("big.txt", "big.html"):
        f = tmp_path / name
        with f.open("wb") as fh:
            fh.write(b"x" * big)
        tracemalloc.start()
        docs, errors = read(f)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert docs == [] and len(errors) == 1
        assert f"document of {big} bytes exceeds max_doc_bytes" in errors[0].reason
        assert peak < 1_000_000


def test_json_files(tmp_path: Path) -> None:
    arr = tmp_path / "arr.json"
    arr.write_text(
        json.dumps([{"text": "one", "k": 1}, {"question": "q?", "answer": 3}, {"nope": 1}], indent=1)
    )
    docs, errors = read(arr)
    assert [(d.text, d.kind, d.source.rpartition("#")[2]) for d in docs] == [
        ("one", "jsonl", "1"),
        ("Question: q?\nAnswer: 3", "exam", "2"),
    ]
    assert len(errors) == 1 and errors[0].reason.startswith("record 3:")
    obj = tmp_path / "obj.json"
    obj.write_text(json.dumps({"text": "single", "meta": {"a": 1}}, indent=2))
    (d,) = read(obj)[0]
    assert d.text == "single" and d.meta == {"meta": {"a": 1}}
    lines = tmp_path / "lines.json"
    lines.write_text("\n".join(json.dumps({"text": f"t{i}"}) for i in range(3)))
    assert [d.text for d in read(lines)[0]] == ["t0", "t1", "t2"]
    bad = tmp_path / "bad.json"
    bad.write_text('[{"text": "a"}, {"text": ')
    docs, errors = read(bad)
    assert docs == [] and "malformed JSON" in errors[0].reason


def test_parquet(tmp_path: Path) -> None:
    n = 2500
    table = pa.table(
        {
            "text": [f"row {i}" if i != 3 else None for i in range(n)],
            "url": [f"https://x.example/{i}" for i in range(n)],
            "ts": pa.array(list(range(n)), pa.timestamp("s")),
            "score": [i / 10 for i in range(n)],
        }
    )
    p = tmp_path / "docs.parquet"
    pq.write_table(table, p, row_group_size=1000)
    docs, errors = read(p)
    assert len(docs) == n - 1
    assert len(errors) == 1 and errors[0].reason == "row 4: 'text' is null; skipped"
    assert docs[0].source.endswith("docs.parquet#1") and docs[-1].source.endswith(f"docs.parquet#{n}")
    assert docs[-1].text == f"row {n - 1}"
    assert docs[0].kind == "parquet" and docs[0].meta == {
        "url": "https://x.example/0",
        "ts": "1970-01-01T00:00:00",
        "score": 0.0,
    }
    check_doc(docs[0])

    exam = tmp_path / "exam.parquet"
    pq.write_table(pa.table({"problem": ["2+2?"], "solution": ["4"], "level": [1]}), exam)
    (d,) = read(exam)[0]
    assert d.kind == "exam" and d.text == "Question: 2+2?\nAnswer: 4" and d.meta == {"level": 1}

    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"body": ["x"]}), other)
    docs, errors = read(other)
    assert docs == [] and "no 'text' column" in errors[0].reason and "body" in errors[0].reason

    broken = tmp_path / "broken.parquet"
    broken.write_bytes(p.read_bytes()[:5000])
    docs, errors = read(broken)
    assert docs == [] and "not a readable Parquet file" in errors[0].reason


# --- single-document files and general bad input ----------------------------------------------


def test_markdown_text_and_html_files(tmp_path: Path) -> None:
    md = tmp_path / "post.md"
    md.write_text('---\ntitle: "Roots"\ntags: [algebra]\n---\n# Roots\n\n$$x = \\pm 2$$\n', encoding="utf-8")
    (d,) = read(md)[0]
    assert d.kind == "markdown" and d.text == "# Roots\n\n$$x = \\pm 2$$\n" and d.meta["title"] == "Roots"

    txt = tmp_path / "notes.txt"
    txt.write_bytes(b"caf\xe9 \xff text")
    docs, errors = read(txt)
    assert errors == [] and docs[0].kind == "text"
    assert docs[0].text == "caf\ufffd \ufffd text" and docs[0].meta["replacement_chars"] == 2

    page = tmp_path / "page.html"
    page.write_bytes(
        b'<html lang="fr"><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        b"<title>Caf\xe9 &amp; th\xe9</title></head><body>\xe9t\xe9</body></html>"
    )
    (d,) = read(page)[0]
    assert d.kind == "html" and "été" in d.text
    assert d.meta == {"encoding": "cp1252", "title": "Café & thé", "html_lang": "fr"}

    garbage = tmp_path / "garbage.html"
    garbage.write_bytes(os.urandom(20000))
    docs, errors = read(garbage)
    assert docs == [] and len(errors) == 1 and "not a text file" in errors[0].reason
    png = tmp_path / "image.html"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    assert "PNG image" in read(png)[1][0].reason


def test_notebook_rendering(tmp_path: Path) -> None:
    nb = {
        "nbformat": 4,
        "metadata": {"language_info": {"name": "python"}},
        "cells": [
            {"cell_type": "markdown", "source": ["# Title\n", "Euler: $e^{i\\pi} + 1 = 0$"]},
            {
                "cell_type": "code",
                "source": "print('x')",
                "outputs": [
                    {"output_type": "stream", "name": "stdout", "text": [f"line {i}\n" for i in range(100)]},
                    {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo="}},
                    {"output_type": "error", "ename": "ZeroDivisionError", "evalue": "division by zero"},
                ],
            },
            {"cell_type": "raw", "source": "ignored"},
        ],
    }
    p = tmp_path / "n.ipynb"
    p.write_text(json.dumps(nb))
    (d,) = read(p)[0]
    assert d.text.startswith("# Title\nEuler: $e^{i\\pi} + 1 = 0$\n\n```python\nprint('x')\n```")
    assert "line 19\n…\n```" in d.text and "line 20" not in d.text
    assert "```output\nZeroDivisionError: division by zero\n```" in d.text
    assert "iVBOR" not in d.text and "ignored" not in d.text
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json")
    assert "not a notebook" in read(bad)[1][0].reason


def test_empty_missing_unknown_and_folders(tmp_path: Path) -> None:
    for name in (
        "e.warc",
        "e.warc.gz",
        "e.jsonl",
        "e.jsonl.gz",
        "e.json",
        "e.parquet",
        "e.html",
        "e.tex",
        "e.md",
        "e.py",
        "e.ipynb",
        "e.txt",
    ):
        (tmp_path / name).write_bytes(b"")
        docs, errors = read(tmp_path / name)  # counted, as the README says of empty files
        assert docs == [] and [e.reason.split(";")[0] for e in errors] == ["empty file (0 bytes)"], name
    (tmp_path / "blank.txt").write_text("  \n\n")
    docs, errors = read(tmp_path / "blank.txt")
    assert docs == [] and len(errors) == 1 and errors[0].reason.startswith("empty file: no text")

    (tmp_path / "data.xyz").write_text("x")
    (err,) = read(tmp_path / "data.xyz")[1]
    assert "unsupported file type '.xyz'" in err.reason and ".jsonl" in err.reason
    (err,) = read(tmp_path / "nope.jsonl")[1]
    assert err.source == str(tmp_path / "nope.jsonl") and "file not found" in err.reason
    (tmp_path / "folder.txt").mkdir()
    (err,) = read(tmp_path / "folder.txt")[1]
    assert "folder" in err.reason
    assert all("\n" not in e.reason for e in (err,))


def test_read_files_collects_both(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("alpha")
    (tmp_path / "b.jsonl").write_text('{"text": "beta"}\nnot json\n')
    docs, errors = read_files([tmp_path / "a.txt", tmp_path / "b.jsonl", tmp_path / "missing.md"])
    assert [d.text for d in docs] == ["alpha", "beta"]
    assert [Path(e.source).name for e in errors] == ["b.jsonl", "missing.md"]
    assert docs[0].id == doc_id(str(tmp_path / "a.txt"), 0)
    assert docs[1].id == doc_id(str(tmp_path / "b.jsonl"), 1)
