"""Arithmetic and geometric sequences: terms, sums, differences, ratios, infinite series.

``make`` uses the closed formulas; ``check`` walks the sequence term by term.
"""

from __future__ import annotations

import random
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._answer_values import exact_rational
from mathforge.synth.families._format import (
    from_pair,
    ordinal,
    python_literal,
    tex_after_sign,
    tex_factor,
    tex_rational,
    to_pair,
)

_NZ9 = [v for v in range(-9, 10) if v != 0]
_NZ12 = [v for v in range(-12, 13) if v != 0]


# The sequences given by their first term and step: the name and the step as a question states them (English,
# Chinese), and the step's letter in the program and the data.
_PROGRESSIONS = {
    "arith": ("An arithmetic sequence", "common difference $d", "等差数列", "公差 $d", "d"),
    "geo": ("A geometric sequence", "common ratio $r", "等比数列", "公比 $q", "r"),
}


def _from_first_term(
    lang: str,
    kind: str,
    a1: Fraction,
    step: Fraction,
    n: int,
    value: Fraction,
    rule: tuple[str, str],
    calc: str,
    expr: str,
) -> Draft:
    """A question giving ``a1`` and the step and asking for the n-th term or the sum of the first n terms
    (``kind``: ``arith_term``, ``geo_sum``, …); the solution states ``rule`` (English, Chinese), then
    ``calc``; the program prints ``expr`` in ``a1``, the step's letter and ``n``."""
    seq, ask = kind.split("_")
    name_en, step_en, name_zh, step_zh, letter = _PROGRESSIONS[seq]
    given_en = f"{name_en} has first term $a_1 = {tex_rational(a1)}$ and {step_en} = {tex_rational(step)}$. "
    given_zh = (
        f"{name_zh} $\\{{a_n\\}}$ 的首项 $a_1 = {tex_rational(a1)}$，{step_zh} = {tex_rational(step)}$，"
    )
    if ask == "term":
        q = pick(
            lang, f"{given_en}Find its {ordinal(n)} term $a_{{{n}}}$.", f"{given_zh}求第 {n} 项 $a_{{{n}}}$。"
        )
    else:
        q = pick(
            lang,
            f"{given_en}Find the sum of its first {n} terms, $S_{{{n}}}$.",
            f"{given_zh}求前 {n} 项和 $S_{{{n}}}$。",
        )
    cot = pick(lang, f"{rule[0]}, so {calc}. ", f"{rule[1]}，所以 {calc}。") + boxed(
        tex_rational(value), lang
    )
    code = (
        f"from fractions import Fraction\n\na1, {letter}, n = {python_literal(a1)}, {python_literal(step)}, {n}\n"
        f"print({expr})\n"
    )
    data = {"type": kind, "a1": to_pair(a1), letter: to_pair(step), "n": n}
    return Draft(q, tex_rational(value), cot, code, "number", data)


def _seq_arith_term(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = Fraction(rng.randint(1, 20) if level == 1 else rng.randint(-30, 30))
    d = Fraction(rng.randint(1, 9)) if level == 1 else Fraction(rng.choice(_NZ12))
    n = rng.randint(5, 20) if level == 1 else rng.randint(10, 60)
    an = a1 + (n - 1) * d
    calc = f"$a_{{{n}}} = {tex_rational(a1)} + {n - 1} \\times {tex_factor(d)} = {tex_rational(an)}$"
    rule = ("The general term is $a_n = a_1 + (n-1)d$", "等差数列的通项公式为 $a_n = a_1 + (n-1)d$")
    return _from_first_term(lang, "arith_term", a1, d, n, an, rule, calc, "a1 + (n - 1) * d")


def _seq_arith_sum(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = Fraction(rng.randint(1, 20) if level == 1 else rng.randint(-30, 30))
    d = Fraction(rng.randint(1, 9)) if level == 1 else Fraction(rng.choice(_NZ12))
    n = rng.randint(5, 15) if level == 1 else rng.randint(10, 40)
    s = Fraction(n, 2) * (2 * a1 + (n - 1) * d)
    inner = 2 * a1 + (n - 1) * d
    calc = (
        f"$S_{{{n}}} = \\frac{{{n}}}{{2}}\\left(2 \\times {tex_factor(a1)} + {n - 1} \\times {tex_factor(d)}\\right)"
        f" = \\frac{{{n}}}{{2}} \\times {tex_factor(inner)} = {tex_rational(s)}$"
    )
    rule = (
        "The sum of the first $n$ terms is $S_n = \\frac{n}{2}\\left(2a_1 + (n-1)d\\right)$",
        "等差数列前 $n$ 项和公式为 $S_n = \\frac{n}{2}\\left(2a_1 + (n-1)d\\right)$",
    )
    return _from_first_term(
        lang, "arith_sum", a1, d, n, s, rule, calc, "Fraction(n, 2) * (2 * a1 + (n - 1) * d)"
    )


def _two_terms_given(lang: str, p: int, ap: Fraction, qq: int, aq: Fraction, ask: tuple[str, str]) -> str:
    """A question giving two terms a_p and a_q of an arithmetic sequence, then asking ``ask`` (English,
    Chinese)."""
    return pick(
        lang,
        f"In an arithmetic sequence, $a_{{{p}}} = {tex_rational(ap)}$ and $a_{{{qq}}} = {tex_rational(aq)}$. {ask[0]}",
        f"在等差数列 $\\{{a_n\\}}$ 中，$a_{{{p}}} = {tex_rational(ap)}$，$a_{{{qq}}} = {tex_rational(aq)}$，{ask[1]}",
    )


def _seq_arith_diff(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = Fraction(rng.randint(-20, 30))
    p = rng.randint(1, 8)
    gap = rng.randint(2, 9)
    qq = p + gap
    if level == 3:
        den = rng.choice([v for v in range(2, 6) if v != gap and gap % v != 0] or [7])
        d = Fraction(rng.choice([v for v in range(-15, 16) if v % den != 0]), den)
    else:
        d = Fraction(rng.choice(_NZ12))
    ap, aq = a1 + (p - 1) * d, a1 + (qq - 1) * d
    ans = (aq - ap) / (qq - p)
    q = _two_terms_given(lang, p, ap, qq, aq, ("Find the common difference $d$.", "求公差 $d$。"))
    calc = (
        f"$a_{{{qq}}} - a_{{{p}}} = ({qq} - {p})d$, so "
        f"$d = \\frac{{{tex_rational(aq)} - {tex_after_sign(ap)}}}{{{gap}}} = {tex_rational(ans)}$"
    )
    cot = pick(
        lang, f"Two terms differ by a multiple of $d$: {calc}. ", f"两项之差是公差的整数倍：{calc}。"
    ) + boxed(tex_rational(ans), lang)
    code = (
        f"from fractions import Fraction\n\nap, aq = {python_literal(ap)}, {python_literal(aq)}\n"
        f"print(Fraction(aq - ap) / ({qq} - {p}))\n"
    )
    data = {"type": "arith_diff", "p": p, "q": qq, "ap": to_pair(ap), "aq": to_pair(aq)}
    return Draft(q, tex_rational(ans), cot, code, "number", data)


def _seq_arith_two(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = Fraction(rng.randint(-20, 30))
    d = Fraction(rng.choice(_NZ9), rng.choice([1, 1, 2]))
    p = rng.randint(1, 6)
    qq = p + rng.randint(2, 8)
    n = rng.choice([v for v in range(1, 41) if v not in (p, qq)])
    ap, aq = a1 + (p - 1) * d, a1 + (qq - 1) * d
    step = (aq - ap) / (qq - p)
    an = ap + (n - p) * step
    q = _two_terms_given(lang, p, ap, qq, aq, (f"Find $a_{{{n}}}$.", f"求 $a_{{{n}}}$。"))
    calc = (
        f"$d = \\frac{{{tex_rational(aq)} - {tex_after_sign(ap)}}}{{{qq} - {p}}} = {tex_rational(step)}$; "
        f"$a_{{{n}}} = a_{{{p}}} + ({n} - {p})d = {tex_rational(ap)} + {tex_factor(n - p)} \\times {tex_factor(step)} = {tex_rational(an)}$"
    )
    cot = pick(lang, f"First the common difference: {calc}. ", f"先求公差：{calc}。") + boxed(
        tex_rational(an), lang
    )
    code = (
        f"from fractions import Fraction\n\np, q, n = {p}, {qq}, {n}\nap, aq = {python_literal(ap)}, {python_literal(aq)}\n"
        "d = Fraction(aq - ap) / (q - p)\nprint(ap + (n - p) * d)\n"
    )
    data = {"type": "arith_two", "p": p, "q": qq, "n": n, "ap": to_pair(ap), "aq": to_pair(aq)}
    return Draft(q, tex_rational(an), cot, code, "number", data)


def _seq_arith_series(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = rng.randint(-20, 40)
    d = rng.choice([v for v in range(-9, 10) if abs(v) >= 2])
    n = rng.randint(8, 40)
    last = a1 + (n - 1) * d
    shown = [a1, a1 + d, a1 + 2 * d]
    series = " + ".join([str(shown[0])] + [f"({v})" if v < 0 else str(v) for v in shown[1:]])
    series += " + \\cdots + " + (f"({last})" if last < 0 else str(last))
    s = n * (a1 + last) // 2 if (n * (a1 + last)) % 2 == 0 else Fraction(n * (a1 + last), 2)
    q = pick(lang, f"Compute ${series}$.", f"计算 ${series}$。")
    calc = (
        f"the terms form an arithmetic sequence with $a_1 = {a1}$ and $d = {d}$; the number of terms is "
        f"$\\frac{{{last} - {tex_after_sign(a1)}}}{{{d}}} + 1 = {n}$"
    )
    calc_zh = (
        f"各项构成首项 $a_1 = {a1}$、公差 $d = {d}$ 的等差数列，项数为 "
        f"$\\frac{{{last} - {tex_after_sign(a1)}}}{{{d}}} + 1 = {n}$"
    )
    sm = f"$S = \\frac{{{n}\\left({a1} + {tex_after_sign(last)}\\right)}}{{2}} = {tex_rational(s)}$"
    cot = pick(lang, f"Here {calc}. So {sm}. ", f"这里{calc_zh}，所以 {sm}。") + boxed(tex_rational(s), lang)
    code = f"print(sum(range({a1}, {last + (1 if d > 0 else -1)}, {d})))\n"
    data = {"type": "arith_series", "a1": a1, "d": d, "last": last}
    return Draft(q, tex_rational(s), cot, code, "number", data)


def _geo_ratio_choice(rng: random.Random, level: int) -> Fraction:
    if level == 1:
        return Fraction(rng.randint(2, 4))
    if level == 2:
        return Fraction(rng.choice([-3, -2, 2, 3, 4, 5]))
    return rng.choice(
        [
            Fraction(1, 2),
            Fraction(1, 3),
            Fraction(2, 3),
            Fraction(3, 2),
            Fraction(-1, 2),
            Fraction(-2, 3),
            Fraction(3, 4),
            Fraction(4, 3),
            Fraction(5, 2),
            Fraction(-3, 2),
        ]
    )


def _seq_geo_term(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = Fraction(rng.randint(1, 9) if level == 1 else rng.choice(_NZ9) * rng.choice([1, 1, 2, 3]))
    r = _geo_ratio_choice(rng, level)
    n = rng.randint(3, 7) if level == 1 else rng.randint(4, 9)
    an = a1 * r ** (n - 1)
    rn = pick(lang, "r", "q")
    calc = f"$a_{{{n}}} = {tex_rational(a1)} \\times {tex_factor(r)}^{{{n - 1}}} = {tex_rational(an)}$"
    rule = (f"The general term is $a_n = a_1 {rn}^{{n-1}}$", f"等比数列的通项公式为 $a_n = a_1 {rn}^{{n-1}}$")
    return _from_first_term(lang, "geo_term", a1, r, n, an, rule, calc, "a1 * r ** (n - 1)")


def _seq_geo_sum(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = Fraction(rng.choice(_NZ9) * (rng.choice([1, 2, 4, 8]) if level == 3 else 1))
    r = _geo_ratio_choice(rng, level)
    n = rng.randint(4, 8) if level == 2 else rng.randint(3, 6)
    s = a1 * (1 - r**n) / (1 - r)
    rn = pick(lang, "r", "q")
    calc = f"$S_{{{n}}} = \\frac{{{tex_factor(a1)}\\left(1 - {tex_factor(r)}^{{{n}}}\\right)}}{{1 - {tex_factor(r)}}} = {tex_rational(s)}$"
    rule = (
        "For $r \\ne 1$, $S_n = \\frac{a_1(1 - r^n)}{1 - r}$",
        f"公比 ${rn} \\ne 1$ 时，$S_n = \\frac{{a_1(1 - {rn}^n)}}{{1 - {rn}}}$",
    )
    return _from_first_term(lang, "geo_sum", a1, r, n, s, rule, calc, "a1 * (1 - r**n) / (1 - r)")


def _seq_geo_ratio(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = Fraction(rng.randint(1, 9)) * rng.choice([1, 1, 2, 3])
    r = rng.choice(
        [
            Fraction(2),
            Fraction(3),
            Fraction(4),
            Fraction(5),
            Fraction(1, 2),
            Fraction(1, 3),
            Fraction(2, 3),
            Fraction(3, 2),
            Fraction(5, 2),
            Fraction(4, 3),
        ]
    )
    k = rng.randint(3, 6)
    ak = a1 * r ** (k - 1)
    q = pick(
        lang,
        f"All terms of a geometric sequence are positive, $a_1 = {tex_rational(a1)}$ and $a_{{{k}}} = {tex_rational(ak)}$. "
        "Find the common ratio.",
        f"各项均为正数的等比数列 $\\{{a_n\\}}$ 中，$a_1 = {tex_rational(a1)}$，$a_{{{k}}} = {tex_rational(ak)}$，求公比 $q$。",
    )
    rn = pick(lang, "r", "q")
    ratio = ak / a1
    calc = (
        f"${rn}^{{{k - 1}}} = \\frac{{a_{{{k}}}}}{{a_1}} = {tex_rational(ratio)}$, and since the terms are positive, "
        f"${rn} > 0$, so ${rn} = {tex_rational(r)}$"
    )
    calc_zh = (
        f"${rn}^{{{k - 1}}} = \\frac{{a_{{{k}}}}}{{a_1}} = {tex_rational(ratio)}$，又因各项为正，${rn} > 0$，"
        f"所以 ${rn} = {tex_rational(r)}$"
    )
    cot = pick(lang, f"We have {calc}. ", f"由题意，{calc_zh}。") + boxed(tex_rational(r), lang)
    code = (
        "from sympy import Rational, Symbol, solve\n\n"
        f"r = Symbol('r', positive=True)\nprint(solve(Rational({a1.numerator}, {a1.denominator}) * r**{k - 1}"
        f" - Rational({ak.numerator}, {ak.denominator}), r)[0])\n"
    )
    data = {"type": "geo_ratio", "a1": to_pair(a1), "ak": to_pair(ak), "k": k}
    return Draft(q, tex_rational(r), cot, code, "number", data)


def _seq_geo_inf(rng: random.Random, lang: str, level: int) -> Draft:
    r = rng.choice(
        [
            Fraction(s * a, b)
            for s in (1, -1)
            for a, b in [(1, 2), (1, 3), (2, 3), (1, 4), (3, 4), (2, 5), (3, 5), (1, 5), (4, 5)]
        ]
    )
    a1 = Fraction(rng.choice(_NZ9) * r.denominator ** rng.choice([1, 2]))
    terms = [a1, a1 * r, a1 * r * r]
    series = (
        tex_rational(terms[0])
        + "".join((f" - {tex_rational(-t)}" if t < 0 else f" + {tex_rational(t)}") for t in terms[1:])
        + " + \\cdots"
    )
    s = a1 / (1 - r)
    q = pick(
        lang,
        f"Find the sum of the infinite geometric series ${series}$.",
        f"求无穷等比级数 ${series}$ 的和。",
    )
    calc = f"$S = \\frac{{a_1}}{{1 - r}} = \\frac{{{tex_rational(a1)}}}{{1 - {tex_factor(r)}}} = {tex_rational(s)}$"
    cot = pick(
        lang,
        f"The first term is $a_1 = {tex_rational(a1)}$ and the ratio is $r = \\frac{{{tex_rational(terms[1])}}}{{{tex_rational(a1)}}}"
        f" = {tex_rational(r)}$; since $|r| < 1$ the series converges and {calc}. ",
        f"首项 $a_1 = {tex_rational(a1)}$，公比 $r = \\frac{{{tex_rational(terms[1])}}}{{{tex_rational(a1)}}} = {tex_rational(r)}$，"
        f"因为 $|r| < 1$，级数收敛，{calc}。",
    ) + boxed(tex_rational(s), lang)
    code = f"from fractions import Fraction\n\na1, r = {python_literal(a1)}, {python_literal(r)}\nprint(a1 / (1 - r))\n"
    data = {"type": "geo_inf", "a1": to_pair(a1), "r": to_pair(r)}
    return Draft(q, tex_rational(s), cot, code, "number", data)


_SEQ = {
    "arith_term": _seq_arith_term,
    "arith_sum": _seq_arith_sum,
    "arith_diff": _seq_arith_diff,
    "arith_two": _seq_arith_two,
    "arith_series": _seq_arith_series,
    "geo_term": _seq_geo_term,
    "geo_sum": _seq_geo_sum,
    "geo_ratio": _seq_geo_ratio,
    "geo_inf": _seq_geo_inf,
}
_SEQ_LEVELS = {
    1: ("arith_term", "arith_sum", "geo_term"),
    2: ("arith_term", "arith_sum", "arith_diff", "arith_series", "geo_term", "geo_sum"),
    3: ("arith_two", "arith_series", "arith_diff", "geo_sum", "geo_ratio", "geo_inf"),
}


def make_sequences(rng: random.Random, lang: str, level: int) -> Draft:
    return _SEQ[rng.choice(_SEQ_LEVELS[level])](rng, lang, level)


def check_sequences(d: Draft) -> bool:
    """Walk the sequence term by term (no closed formulas)."""
    got = exact_rational(d.answer)
    if got is None:
        return False
    x, t = d.data, d.data["type"]
    if t in ("arith_term", "arith_sum", "geo_term", "geo_sum"):
        term, total = from_pair(x["a1"]), Fraction(0)
        for _ in range(x["n"] - 1):
            total += term
            term = term + from_pair(x["d"]) if t.startswith("arith") else term * from_pair(x["r"])
        total += term
        return got == (term if t.endswith("term") else total)
    if t == "arith_diff":  # step from a_p by the claimed difference and land on a_q
        term = from_pair(x["ap"])
        for _ in range(x["q"] - x["p"]):
            term += got
        return term == from_pair(x["aq"])
    if t == "arith_two":  # (p, a_p), (q, a_q), (n, answer) must be collinear
        ap, aq = from_pair(x["ap"]), from_pair(x["aq"])
        return (aq - ap) * (x["n"] - x["p"]) == (got - ap) * (x["q"] - x["p"])
    if t == "arith_series":
        total, term, count = 0, x["a1"], 0
        while True:
            total += term
            count += 1
            if term == x["last"] or count > 10_000:
                break
            term += x["d"]
        return count <= 10_000 and got == total
    if t == "geo_ratio":
        if got <= 0:
            return False
        term = from_pair(x["a1"])
        for _ in range(x["k"] - 1):
            term *= got
        return term == from_pair(x["ak"])
    if t == "geo_inf":
        a1, r = from_pair(x["a1"]), from_pair(x["r"])
        if not abs(r) < 1:
            return False
        partial, term = 0.0, float(a1)
        for _ in range(400):
            partial += term
            term *= float(r)
        return got - r * got == a1 and abs(float(got) - partial) < 1e-9 * max(1.0, abs(partial))
    return False


FAMILIES = (
    Family(
        "sequences",
        "arithmetic and geometric sequences: terms, sums, differences, ratios",
        make_sequences,
        check_sequences,
    ),
)
