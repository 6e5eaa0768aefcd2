"""Formula markup the HTML extractor must turn into delimited LaTeX (mathforge.corpus.extract).

XenForo's equation BB code (PhysicsForums) inside ``<mjx-container>``, AsciiMath between backticks on
pages whose MathJax loads the AsciiMath input (and only there), and binomials written with ``\\atop`` /
``\\choose``. The pages below are trimmed copies of how such sites mark their maths up.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mathforge.corpus.extract import decode_html, html_to_text

# ----------------------------------------------------------------- XenForo <formula> (PhysicsForums)

PHYSICSFORUMS = r"""<!DOCTYPE html>
<html id="XF" lang="en-US" dir="LTR" data-app="public" data-template="thread_view" class="has-no-js template-thread_view">
<head>
<meta charset="utf-8" />
<title>Rocket equation with a variable exhaust speed | Physics Forums</title>
<script>
window.MathJax = {
  tex: {inlineMath: [['##', '##'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']]},
  options: {skipHtmlTags: ['script', 'noscript', 'style', 'textarea', 'pre', 'code']}
};
</script>
<script async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>
</head>
<body data-template="thread_view">
<div class="p-pageWrapper" id="top">
<header class="p-header" id="header"><nav class="p-nav"><ul class="p-nav-list">
<li><a href="/forums/">Forums</a></li><li><a href="/insights/">Insights</a></li><li><a href="/whats-new/">What's new</a></li>
</ul></nav></header>
<div class="p-body"><div class="p-body-inner">
<div class="p-body-header"><h1 class="p-title-value">Rocket equation with a variable exhaust speed</h1></div>
<div class="p-body-main"><div class="p-body-content"><div class="p-body-pageContent">
<div class="block block--messages" data-type="post">
<article class="message message--post js-post" data-author="Ryan_m" data-content="post-6893311" id="js-post-6893311">
<div class="message-inner"><div class="message-cell message-cell--user"><h4 class="message-name">Ryan_m</h4></div>
<div class="message-cell message-cell--main"><div class="message-content js-messageContent">
<div class="message-userContent lbContainer js-lbContainer"><article class="message-body js-selectToQuote">
<div class="bbWrapper">I am trying to derive the motion of a rocket whose exhaust speed is not constant. Momentum
conservation over a short time interval gives, as in every textbook,<br />
<mjx-container display="true" jax="CHTML">
	<formula  id="mathJaxEqu" class="mathJaxEqu">m\frac{dv}{dt} = -u\frac{dm}{dt}</formula>
</mjx-container>
<br />
where the exhaust speed <mjx-container jax="CHTML"><formula  id="mathJaxEqu" class="mathJaxEqu">u</formula></mjx-container> is
measured relative to the rocket. If <formula  id="mathJaxEqu" class="mathJaxEqu">u = u_0(1 + kt)</formula> grows
linearly in time, can I still separate the variables, or do I have to integrate ##dv = -u\,dm/m## numerically?</div>
</article></div></div></div></div></article>
<article class="message message--post js-post" data-author="haruspex" data-content="post-6893340" id="js-post-6893340">
<div class="message-inner"><div class="message-cell message-cell--user"><h4 class="message-name">haruspex</h4></div>
<div class="message-cell message-cell--main"><div class="message-content js-messageContent">
<div class="message-userContent lbContainer js-lbContainer"><article class="message-body js-selectToQuote">
<div class="bbWrapper">You can. Write the mass as a function of time first; then the velocity is just an integral,
<mjx-container display="true" jax="CHTML">
	<formula  id="mathJaxEqu" class="mathJaxEqu">$$v(t) - v_0 = -\int_0^t \frac{u(s)\,\dot m(s)}{m(s)}\,ds$$</formula>
</mjx-container>
and for a constant burn rate the integral has a closed form. Nothing forces the exhaust speed to be constant.</div>
</article></div></div></div></div></article>
</div></div></div></div></div></div>
<footer class="p-footer" id="footer"><div class="p-footer-copyright">Community platform by XenForo&reg;</div></footer>
</div>
</body>
</html>"""


def test_xenforo_formula_in_mjx_container_gets_delimiters():
    text, meta = html_to_text(PHYSICSFORUMS)
    assert "\n$$m\\frac{dv}{dt} = -u\\frac{dm}{dt}$$\n" in text  # display="true": display maths
    assert "where the exhaust speed $u$ is" in text  # no display attribute: inline
    assert "If $u = u_0(1 + kt)$ grows" in text  # the same BB code without a container
    assert "$$v(t) - v_0 = -\\int_0^t \\frac{u(s)\\,\\dot m(s)}{m(s)}\\,ds$$" in text  # delimiters once
    assert "$dv = -u\\,dm/m$" in text  # the page's own ## ## delimiters still work
    # no bare TeX left: every \frac is inside a formula
    prose = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", " ", text, flags=re.S)
    assert "\\frac" not in prose and "\\int" not in prose
    assert meta["math_count"] == 5 and "mathjax_formula" in meta["math_kinds"]


# ------------------------------------------------------------------------------------ AsciiMath

MATHJAX_V2_ASCIIMATH = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Sums of powers | Algebra 2 notes</title>
<script type="text/x-mathjax-config">
MathJax.Hub.Config({
  jax: ["input/TeX", "input/AsciiMath", "output/HTML-CSS"],
  extensions: ["tex2jax.js", "asciimath2jax.js", "MathMenu.js", "MathZoom.js"],
  asciimath2jax: {delimiters: [['`', '`']]},
  TeX: {extensions: ["AMSmath.js", "AMSsymbols.js"]}
});
</script>
<script type="text/javascript" src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.9/MathJax.js"></script>
</head>
<body>
<div id="menu"><ul><li><a href="/algebra2/">Algebra 2</a></li><li><a href="/calculus/">Calculus</a></li><li><a href="/contact">Contact</a></li></ul></div>
<div id="content">
<h1>Sums of powers</h1>
<p>The sum of the first `n` cubes has a closed form that is easy to prove by induction:
`sum_(i=1)^n i^3=((n(n+1))/2)^2`. Notice that the right-hand side is the square of
`sum_(i=1)^n i = (n(n+1))/2`, the triangular number.</p>
<p>For squares the formula is `sum_(i=1)^n i^2 = (n(n+1)(2n+1))/6`, and the limit
`lim_(n->oo) 1/n^3 sum_(i=1)^n i^2 = 1/3` is the integral `int_0^1 x^2 dx`.
The same idea gives \(\sum_{i=1}^n i = \frac{n(n+1)}{2}\) in TeX notation.</p>
<p>To check the formulas numerically, run this in a Python shell:</p>
<pre><code>n = 10
assert sum(i**3 for i in range(1, n + 1)) == (n * (n + 1) // 2) ** 2  # the `sum_(i=1)^n` above
</code></pre>
<p>The identity `(a+b)^2 = a^2 + 2ab + b^2` is the case `n = 2` of the binomial theorem
`(a+b)^n = sum_(k=0)^n ((n),(k)) a^(n-k) b^k`.</p>
</div>
<div id="footer">&copy; 2019 Algebra 2 notes. All rights reserved.</div>
</body>
</html>"""


def test_asciimath_between_backticks_when_the_page_loads_it():
    text, meta = html_to_text(MATHJAX_V2_ASCIIMATH)
    assert "The sum of the first $n$ cubes" in text
    assert "by induction: $\\sum_{i=1}^n i^3=\\left(\\frac{n(n+1)}{2}\\right)^2$." in text
    assert "$\\sum_{i=1}^n i^2=\\frac{n(n+1)(2n+1)}{6}$" in text
    assert "$\\lim_{n\\to\\infty}\\frac{1}{n^3}\\sum_{i=1}^n i^2=\\frac{1}{3}$" in text
    assert "$\\int_0^1 x^2 dx$" in text
    assert "$(a+b)^n=\\sum_{k=0}^n \\binom{n}{k}a^{n-k}b^k$" in text
    assert "$\\sum_{i=1}^n i = \\frac{n(n+1)}{2}$" in text  # TeX on the same page still read
    # code is not maths: its backticks stay as they are
    assert "== (n * (n + 1) // 2) ** 2  # the `sum_(i=1)^n` above" in text
    assert "`" not in text.replace("`sum_(i=1)^n`", "")
    assert "asciimath" in meta["math_kinds"] and meta["math_count"] == 10


MATHJAX_V2_AM_CONFIG = """<!DOCTYPE html>
<html><head><title>Quadratic equations</title>
<script type="text/javascript" async
  src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.5/MathJax.js?config=TeX-MML-AM_CHTML"></script>
</head><body><article>
<h1>Quadratic equations</h1>
<p>Every quadratic equation `ax^2+bx+c=0` with `a != 0` has the solutions
`x = (-b +- sqrt(b^2-4ac))/(2a)`, which are real exactly when `b^2-4ac >= 0`.</p>
<p>For example `x^2-5x+6=0` factors as `(x-2)(x-3)=0`, so its roots are `2` and `3`.</p>
</article></body></html>"""

MATHJAX_V3_ASCIIMATH = """<!DOCTYPE html>
<html><head><title>Absolute value inequalities</title>
<script>
MathJax = {
  loader: {load: ['input/asciimath', 'output/chtml']},
  asciimath: {delimiters: [['`', '`']]}
};
</script>
<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/startup.js" id="MathJax-script"></script>
</head><body><main>
<h1>Absolute value inequalities</h1>
<p>The triangle inequality `|x+y| <= |x| + |y|` holds for all real numbers, and `|x| < a` is the same
as `-a < x < a`. The conditional probability `P(A|B)` is read "A given B".</p>
</main></body></html>"""


def test_asciimath_enabled_by_v2_combined_config_and_v3_loader():
    text, meta = html_to_text(MATHJAX_V2_AM_CONFIG)
    assert "equation $ax^2+bx+c=0$ with $a\\ne 0$ has the solutions" in text
    assert "$x=\\frac{-b\\pm\\sqrt{b^2-4ac}}{2a}$" in text
    assert "factors as $(x-2)(x-3)=0$, so its roots are $2$ and $3$." in text
    assert meta["math_kinds"] == ["asciimath"] and meta["math_count"] == 8
    text, meta = html_to_text(MATHJAX_V3_ASCIIMATH)
    assert "inequality $|x+y|\\le|x|+|y|$ holds" in text
    assert "$|x|<a$ is the same as $-a<x<a$" in text.replace("\n", " ")
    assert "$P(A\\mid B)$" in text
    assert meta["math_count"] == 4


PROGRAMMING_POST = """<!DOCTYPE html>
<html><head><title>Parsing command lines in Bash</title>
<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>
<script>
// MathJax = {loader: {load: ['input/asciimath']}};  (disabled: it turned our shell snippets into maths)
</script>
</head><body><article>
<h1>Parsing command lines in Bash</h1>
<p>Old scripts use backquotes for command substitution, as in `date +%Y-%m-%d` or `ls -l | wc -l`;
prefer $(...) in new code, because `...` does not nest. The exit status is in `$?`, and `x^2`
in a shell is just a string. For the \\(O(n^2)\\) loop below, see the next section.</p>
</article></body></html>"""


def test_backticks_are_plain_text_without_asciimath_config():
    text, meta = html_to_text(PROGRAMMING_POST)
    assert "as in `date +%Y-%m-%d` or `ls -l | wc -l`;" in text
    assert "because `...` does not nest. The exit status is in `$?`, and `x^2`" in text.replace("\n", " ")
    assert "$O(n^2)$" in text  # TeX still read (MathJax is loaded)
    assert meta["math_kinds"] == ["tex_delimiters"] and meta["math_count"] == 1


def test_asciimath_script_tags_of_a_rendered_v2_page():
    html = """<html><head><title>Saved page</title><script src="/MathJax/MathJax.js?config=AM_HTMLorMML"></script></head>
<body><div class="post"><p>The derivative of <span class="MathJax_Preview">x^3</span><span class="MathJax" id="MathJax-Element-1-Frame">x3</span><script type="math/asciimath" id="MathJax-Element-1">x^3</script>
is <span class="MathJax_Preview">3x^2</span><span class="MathJax" id="MathJax-Element-2-Frame">3x2</span><script type="math/asciimath" id="MathJax-Element-2">3x^2</script>, by the power rule
for every positive integer exponent, proved by induction.</p></div></body></html>"""
    text, meta = html_to_text(html)
    assert "The derivative of $x^3$ is $3x^2$, by the power rule" in text.replace("\n", " ")
    assert "x3" not in text and "3x2" not in text
    assert meta["math_kinds"] == ["asciimath"]


@pytest.mark.parametrize(
    ("ascii", "tex"),
    [
        ("sum_(i=1)^n i^3=((n(n+1))/2)^2", r"\sum_{i=1}^n i^3=\left(\frac{n(n+1)}{2}\right)^2"),
        ("x^2", "x^2"),
        ("sqrt(2)", r"\sqrt{2}"),
        ("a/b", r"\frac{a}{b}"),
        ("int_0^1 f(x) dx", r"\int_0^1 f(x)dx"),
        ("alpha+beta", r"\alpha+\beta"),
        ("lim_(x->0) (sin x)/x = 1", r"\lim_{x\to 0}\frac{\sin x}{x}=1"),
        ("(a,b)", "(a,b)"),
        ("x = (-b +- sqrt(b^2-4ac))/(2a)", r"x=\frac{-b\pm\sqrt{b^2-4ac}}{2a}"),
        ("root(3)(x)", r"\sqrt[3]{x}"),
        ("[[a,b],[c,d]]", r"\begin{bmatrix}a & b \\ c & d\end{bmatrix}"),
        ("((n),(k))", r"\binom{n}{k}"),
        (
            "{(x, if x>=0),(-x, if x<0):}",
            r"\begin{cases}x & \text{ if }x\ge 0 \\ -x & \text{ if }x<0\end{cases}",
        ),
        ("AA x in RR, x^2 >= 0", r"\forall x\in\mathbb{R},x^2 \ge 0"),
        ("hat x + vec v + bar y", r"\hat{x}+\vec{v}+\overline{y}"),
        ("text(if ) x > 0", r"\text{if }x>0"),
        ("sin^2 theta + cos^2 theta = 1", r"\sin^2 \theta+\cos^2 \theta=1"),
        ("a_(n+1) = 2a_n", "a_{n+1}=2a_n"),
        ("x^-1 + a/-b", r"x^{-1}+\frac{a}{-b}"),
        ("P(A|B) = |A nn B|/|B|", r"P(A\mid B)=\frac{|A\cap B|}{|B|}"),
        ("abs(x) + floor(x/2)", r"|x|+\left\lfloor\frac{x}{2}\right\rfloor"),
        ("f'(x) = 50%", r"f'(x)=50\%"),
        ("x in {1,2,3}", r"x\in\{1,2,3\}"),
    ],
)
def test_asciimath_converter(ascii, tex):
    from mathforge.corpus.asciimath import asciimath_to_tex

    assert asciimath_to_tex(ascii) == tex


def test_asciimath_converter_never_raises_and_stays_fast():
    import time

    from mathforge.corpus.asciimath import asciimath_to_tex

    t0 = time.perf_counter()
    for src in ["(a|" * 40 + ")" * 40, "(" * 5000, "|" * 999, "x^" * 400, "sqrt(x", "))((", "_2", ""]:
        out = asciimath_to_tex(src)
        assert isinstance(out, str)
    assert time.perf_counter() - t0 < 5  # the reference parser backtracks exponentially on "(a|(a|…"


def test_asciimath_detection():
    from mathforge.corpus.asciimath import asciimath_enabled

    assert asciimath_enabled(MATHJAX_V2_ASCIIMATH)
    assert asciimath_enabled(MATHJAX_V2_AM_CONFIG)
    assert asciimath_enabled(MATHJAX_V3_ASCIIMATH)
    assert asciimath_enabled('<script src="/js/ASCIIMathML.js"></script>')
    assert not asciimath_enabled(PROGRAMMING_POST)  # commented out
    # TeX-AMS is the AMS TeX extensions, not AsciiMath; a page that only talks about AsciiMath does not count
    assert not asciimath_enabled('<script src="/MathJax.js?config=TeX-AMS_HTML"></script>')
    assert not asciimath_enabled('<script src="/MathJax.js?config=TeX-AMS-MML_HTMLorMML"></script>')
    assert not asciimath_enabled("<p>MathJax can load input/asciimath too.</p>")


# ------------------------------------------------------------------------------------ binomials

MATHJAX_V3_BINOMIAL = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Binomial distribution</title></head>
<body><div class="content"><h1>Binomial distribution</h1>
<p>The probability of exactly k successes in n independent trials, each succeeding with probability p, is</p>
<mjx-container class="MathJax CtxtMenu_Attached_0" jax="CHTML" display="true" tabindex="0" ctxtmenu_counter="0" style="font-size: 120.3%; position: relative;">
<mjx-math display="true" class="MJX-TEX" aria-hidden="true"><mjx-mi class="mjx-i"><mjx-c class="mjx-c1D443 TEX-I"></mjx-c></mjx-mi></mjx-math>
<mjx-assistive-mml unselectable="on" display="block">
<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">
  <mi>P</mi><mo stretchy="false">(</mo><mi>E</mi><mo stretchy="false">)</mo><mo>=</mo>
  <mrow data-mjx-texclass="ORD"><mrow>
    <mrow data-mjx-texclass="OPEN"><mo maxsize="2.047em" minsize="2.047em">(</mo></mrow>
    <mfrac linethickness="0"><mi>n</mi><mi>k</mi></mfrac>
    <mrow data-mjx-texclass="CLOSE"><mo maxsize="2.047em" minsize="2.047em">)</mo></mrow>
  </mrow></mrow>
  <msup><mi>p</mi><mi>k</mi></msup><mo stretchy="false">(</mo><mn>1</mn><mo>&#x2212;</mo><mi>p</mi><msup><mo stretchy="false">)</mo><mrow data-mjx-texclass="ORD"><mi>n</mi><mo>&#x2212;</mo><mi>k</mi></mrow></msup>
</math></mjx-assistive-mml></mjx-container>
<p>where the binomial coefficient counts the ways to choose which of the trials succeed.</p>
<p>Summing over all k gives one, by the binomial theorem:
<script type="math/tex; mode=display">\\sum_{k=0}^{n} {n \\choose k} p^k (1-p)^{n-k} = (p + 1 - p)^n = 1,</script>
and the mean of the count of successes over a sample of trials is
<script type="math/tex">\\sum_{k \\in K \\atop k \\neq 0} k\\,P(k)</script> for any such set of trials.</p>
</div></body></html>"""


def test_binomials_come_out_as_binom():
    text, meta = html_to_text(MATHJAX_V3_BINOMIAL)
    assert "$$P(E)=\\binom{n}{k}p^k(1-p)^{n-k}$$" in text  # MathJax v3's ( mfrac ) with wrapped fences
    assert "$$\\sum_{k=0}^{n} \\binom{n}{k} p^k (1-p)^{n-k} = (p + 1 - p)^n = 1,$$" in text
    assert "\\sum_{k \\in K \\atop k \\neq 0}" in text  # a stacked subscript, not a binomial
    assert "\\choose" not in text and "({n \\atop k})" not in text
    assert meta["math_count"] == 3


def test_binomials_tex_rewrite():
    from mathforge.corpus.formulas import binomials

    assert binomials(r"x = ({n+1 \atop k-1})") == r"x = \binom{n+1}{k-1}"
    assert binomials(r"\left( {n \atop k} \right)^2") == r"\binom{n}{k}^2"
    assert binomials(r"{a \choose {b \choose c}}") == r"\binom{a}{\binom{b}{c}}"
    assert binomials(r"n \choose k") == r"\binom{n}{k}"
    for unchanged in (
        r"{a \over b \choose c}",
        r"\left( n \choose k \right)",
        r"\{n \choose k\}",
        r"{\choose k}",
    ):
        assert binomials(unchanged) == unchanged


def test_real_pages_binomials(web_data: Path):
    def page(name: str) -> str:
        return html_to_text(decode_html((web_data / "html" / "math" / name).read_bytes()))[0]

    assert "$$P(E)=\\binom{n}{k}p^k(1-p)^{n-k}$$" in page("readability__mathjax.html")
    assert "$$P(E) = \\binom{n}{k} p^k (1-p)^{ n-k}$$" in page("mathjax-demos__page_tex-chtml.html")
    assert "${T + U \\choose T - U}$" not in page("distill-ctc__index.html")
    assert "\\binom{T + U}{T - U}" in page("distill-ctc__index.html")
    # a stacked subscript keeps its \atop
    assert "\\sum_{u \\in G \\atop \\text{dist}_G(v, u) \\leq i}" in page(
        "distill-understanding-gnns__index.html"
    )
