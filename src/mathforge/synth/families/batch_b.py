"""Batch B: sequences, number theory, counting and probability, geometry formulas, function values, calculus.

Each ``make_*`` builds the answer by construction (closed formulas, exact ``Fraction`` arithmetic, power
rules written by hand); each ``check_*`` re-derives it by another route (iteration, brute-force
enumeration with ``itertools``, Heron's formula, Archimedes' polygons and disk integration, sympy
substitution and integration, exact finite differences at rational points).
"""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick

# ───────────────────────────── shared helpers ─────────────────────────────


def _tex(v: Fraction | int) -> str:
    """A rational number in LaTeX: ``5``, ``\\frac{3}{4}``, ``-\\frac{3}{4}``."""
    v = Fraction(v)
    if v.denominator == 1:
        return str(v.numerator)
    sign = "-" if v < 0 else ""
    return f"{sign}\\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"


def _par(v: Fraction | int) -> str:
    """A number ready to be multiplied or raised to a power: negatives and fractions in parentheses."""
    v = Fraction(v)
    return f"\\left({_tex(v)}\\right)" if v < 0 or v.denominator != 1 else _tex(v)


def _neg(v: Fraction | int) -> str:
    """A number after a minus or plus sign: parentheses only when it is negative."""
    v = Fraction(v)
    return f"\\left({_tex(v)}\\right)" if v < 0 else _tex(v)


def _fj(v: Fraction | int) -> list[int]:
    v = Fraction(v)
    return [v.numerator, v.denominator]


def _fr(p: list[int]) -> Fraction:
    return Fraction(p[0], p[1])


def _py(v: Fraction | int) -> str:
    """A Python literal for the generated programs (``Fraction`` for non-integers)."""
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"Fraction({v.numerator}, {v.denominator})"


def _rat(v: Fraction | int) -> str:
    """A sympy literal for the generated programs."""
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"Rational({v.numerator}, {v.denominator})"


def _ord(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _exact(answer: str) -> Fraction | None:
    """The exact rational value of an answer, or None (not rational, or not readable)."""
    from mathforge.grade.numeric import evaluate

    v = evaluate(answer)
    if v is None or not v.exact or v.approx:
        return None
    return v.value


def _approx(answer: str) -> float | None:
    from mathforge.grade.numeric import evaluate

    v = evaluate(answer)
    if v is None:
        return None
    try:
        x = complex(v.as_mp())
    except (TypeError, ValueError):
        return None
    return x.real if abs(x.imag) < 1e-12 else None


def _close(answer: str, target: float, rel: float = 1e-9) -> bool:
    got = _approx(answer)
    return got is not None and abs(got - target) <= rel * max(1.0, abs(target))


def _factorise(n: int) -> dict[int, int]:
    out: dict[int, int] = {}
    p = 2
    while p * p <= n:
        while n % p == 0:
            out[p] = out.get(p, 0) + 1
            n //= p
        p += 1
    if n > 1:
        out[n] = out.get(n, 0) + 1
    return out


def _factor_tex(n: int) -> str:
    f = _factorise(n)
    if not f:
        return "1"
    return " \\times ".join(str(p) if e == 1 else f"{p}^{{{e}}}" for p, e in sorted(f.items()))


def _is_prime_trial(n: int) -> bool:
    """Trial division by 2, 3 and 6k ± 1."""
    if n < 2:
        return False
    if n < 4:
        return True
    if n % 2 == 0 or n % 3 == 0:
        return False
    k = 5
    while k * k <= n:
        if n % k == 0 or n % (k + 2) == 0:
            return False
        k += 6
    return True


# Polynomials: lists of Fractions, lowest degree first.


def _poly_tex(cs: list[Fraction], var: str = "x", sep: str = "") -> str:
    parts: list[str] = []
    for k in range(len(cs) - 1, -1, -1):
        c = Fraction(cs[k])
        if c == 0:
            continue
        mag = abs(c)
        if k == 0:
            body = _tex(mag)
        else:
            pw = var if k == 1 else f"{var}^{{{k}}}"
            body = pw if mag == 1 else f"{_tex(mag)}{sep}{pw}"
        if not parts:
            parts.append(("-" if c < 0 else "") + body)
        else:
            parts.append((" - " if c < 0 else " + ") + body)
    return "".join(parts) or "0"


def _subst_tex(cs: list[Fraction], t: Fraction) -> str:
    """The polynomial with ``x`` replaced by the value ``t`` (shown in parentheses)."""
    return _poly_tex(cs, f"({_tex(t)})", " \\cdot ")


def _poly_py(cs: list[Fraction], var: str = "x") -> str:
    terms = []
    for k in range(len(cs) - 1, -1, -1):
        c = Fraction(cs[k])
        if c == 0:
            continue
        pw = "" if k == 0 else (var if k == 1 else f"{var}**{k}")
        terms.append(_rat(c) if not pw else f"{_rat(c)}*{pw}")
    return " + ".join(f"({t})" if t.startswith("-") else t for t in terms) or "0"


def _peval(cs: list[Fraction], t: Fraction) -> Fraction:
    """Horner's rule."""
    acc = Fraction(0)
    for c in reversed(cs):
        acc = acc * t + c
    return acc


def _trim(p: list[Fraction]) -> list[Fraction]:
    p = list(p)
    while len(p) > 1 and p[-1] == 0:
        p.pop()
    return p


def _padd(p: list[Fraction], q: list[Fraction]) -> list[Fraction]:
    n = max(len(p), len(q))
    return _trim([(p[i] if i < len(p) else 0) + (q[i] if i < len(q) else 0) for i in range(n)])


def _pmul(p: list[Fraction], q: list[Fraction]) -> list[Fraction]:
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += a * b
    return _trim(out)


def _pderiv(p: list[Fraction]) -> list[Fraction]:
    return _trim([k * p[k] for k in range(1, len(p))] or [Fraction(0)])


def _pinteg(p: list[Fraction]) -> list[Fraction]:
    return _trim([Fraction(0)] + [Fraction(c) / (k + 1) for k, c in enumerate(p)])


def _pcompose(f: list[Fraction], g: list[Fraction]) -> list[Fraction]:
    """f(g(x)) by Horner's rule on polynomials."""
    acc = [Fraction(0)]
    for c in reversed(f):
        acc = _padd(_pmul(acc, g), [Fraction(c)])
    return acc


def _rand_poly(rng: random.Random, deg: int, lo: int, hi: int) -> list[Fraction]:
    cs = [Fraction(rng.randint(lo, hi)) for _ in range(deg)]
    cs.append(Fraction(rng.choice([v for v in range(lo, hi + 1) if v != 0])))
    return cs


def _sym_parse(answer: str):
    """Parse a LaTeX answer to sympy; (expr, symbol x) or None."""
    import sympy

    from mathforge.grade.symbolic import ParseError, parse

    try:
        expr = parse(answer)
    except ParseError:
        return None
    if not isinstance(expr, sympy.Expr):
        return None
    names = {s.name for s in expr.free_symbols}
    if names - {"x"}:
        return None
    sym = next(iter(expr.free_symbols)) if expr.free_symbols else sympy.Symbol("x")
    return expr, sym


def _value_at(answer: str, t: Fraction) -> Fraction | None:
    """Exact value at x = t of an expression answer in x: the grader's fast rational evaluator, with
    the sympy parser as a fallback."""
    try:
        from mathforge.grade.normalize import normalise
        from mathforge.grade.numeric import _evaluate

        v = _evaluate(normalise(answer).text, {"x": Fraction(t)})
        if v is not None:
            return v.value if v.exact and not v.approx else None
    except (ImportError, TypeError, AttributeError):  # evaluator unavailable: parse instead
        pass
    import sympy

    parsed = _sym_parse(answer)
    if parsed is None:
        return None
    expr, sym = parsed
    return _to_fraction(expr.subs(sym, sympy.Rational(t.numerator, t.denominator)))


def _sym_poly(cs: list[Fraction], sym):
    import sympy

    return sum(
        (sympy.Rational(c.numerator, c.denominator) * sym**k for k, c in enumerate(cs)), sympy.Integer(0)
    )


def _to_fraction(value) -> Fraction | None:
    import sympy

    value = sympy.nsimplify(value) if not isinstance(value, sympy.Rational) else value
    if not isinstance(value, sympy.Rational):
        return None
    return Fraction(int(value.p), int(value.q))


_NZ9 = [v for v in range(-9, 10) if v != 0]
_NZ12 = [v for v in range(-12, 13) if v != 0]

# ───────────────────────────── 1. sequences ─────────────────────────────


def _seq_arith_term(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = Fraction(rng.randint(1, 20) if level == 1 else rng.randint(-30, 30))
    d = Fraction(rng.randint(1, 9)) if level == 1 else Fraction(rng.choice(_NZ12))
    n = rng.randint(5, 20) if level == 1 else rng.randint(10, 60)
    an = a1 + (n - 1) * d
    q = pick(
        lang,
        f"An arithmetic sequence has first term $a_1 = {_tex(a1)}$ and common difference $d = {_tex(d)}$. "
        f"Find its {_ord(n)} term $a_{{{n}}}$.",
        f"等差数列 $\\{{a_n\\}}$ 的首项 $a_1 = {_tex(a1)}$，公差 $d = {_tex(d)}$，求第 {n} 项 $a_{{{n}}}$。",
    )
    calc = f"$a_{{{n}}} = {_tex(a1)} + {n - 1} \\times {_par(d)} = {_tex(an)}$"
    cot = pick(
        lang,
        f"The general term is $a_n = a_1 + (n-1)d$, so {calc}. ",
        f"等差数列的通项公式为 $a_n = a_1 + (n-1)d$，所以 {calc}。",
    ) + boxed(_tex(an), lang)
    code = f"from fractions import Fraction\n\na1, d, n = {_py(a1)}, {_py(d)}, {n}\nprint(a1 + (n - 1) * d)\n"
    return Draft(q, _tex(an), cot, code, "number", {"type": "arith_term", "a1": _fj(a1), "d": _fj(d), "n": n})


def _seq_arith_sum(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = Fraction(rng.randint(1, 20) if level == 1 else rng.randint(-30, 30))
    d = Fraction(rng.randint(1, 9)) if level == 1 else Fraction(rng.choice(_NZ12))
    n = rng.randint(5, 15) if level == 1 else rng.randint(10, 40)
    s = Fraction(n, 2) * (2 * a1 + (n - 1) * d)
    q = pick(
        lang,
        f"An arithmetic sequence has first term $a_1 = {_tex(a1)}$ and common difference $d = {_tex(d)}$. "
        f"Find the sum of its first {n} terms, $S_{{{n}}}$.",
        f"等差数列 $\\{{a_n\\}}$ 的首项 $a_1 = {_tex(a1)}$，公差 $d = {_tex(d)}$，求前 {n} 项和 $S_{{{n}}}$。",
    )
    inner = 2 * a1 + (n - 1) * d
    calc = (
        f"$S_{{{n}}} = \\frac{{{n}}}{{2}}\\left(2 \\times {_par(a1)} + {n - 1} \\times {_par(d)}\\right)"
        f" = \\frac{{{n}}}{{2}} \\times {_par(inner)} = {_tex(s)}$"
    )
    cot = pick(
        lang,
        f"The sum of the first $n$ terms is $S_n = \\frac{{n}}{{2}}\\left(2a_1 + (n-1)d\\right)$, so {calc}. ",
        f"等差数列前 $n$ 项和公式为 $S_n = \\frac{{n}}{{2}}\\left(2a_1 + (n-1)d\\right)$，所以 {calc}。",
    ) + boxed(_tex(s), lang)
    code = (
        f"from fractions import Fraction\n\na1, d, n = {_py(a1)}, {_py(d)}, {n}\n"
        "print(Fraction(n, 2) * (2 * a1 + (n - 1) * d))\n"
    )
    return Draft(q, _tex(s), cot, code, "number", {"type": "arith_sum", "a1": _fj(a1), "d": _fj(d), "n": n})


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
    q = pick(
        lang,
        f"In an arithmetic sequence, $a_{{{p}}} = {_tex(ap)}$ and $a_{{{qq}}} = {_tex(aq)}$. "
        "Find the common difference $d$.",
        f"在等差数列 $\\{{a_n\\}}$ 中，$a_{{{p}}} = {_tex(ap)}$，$a_{{{qq}}} = {_tex(aq)}$，求公差 $d$。",
    )
    calc = (
        f"$a_{{{qq}}} - a_{{{p}}} = ({qq} - {p})d$, so "
        f"$d = \\frac{{{_tex(aq)} - {_neg(ap)}}}{{{gap}}} = {_tex(ans)}$"
    )
    cot = pick(
        lang, f"Two terms differ by a multiple of $d$: {calc}. ", f"两项之差是公差的整数倍：{calc}。"
    ) + boxed(_tex(ans), lang)
    code = (
        f"from fractions import Fraction\n\nap, aq = {_py(ap)}, {_py(aq)}\n"
        f"print(Fraction(aq - ap) / ({qq} - {p}))\n"
    )
    data = {"type": "arith_diff", "p": p, "q": qq, "ap": _fj(ap), "aq": _fj(aq)}
    return Draft(q, _tex(ans), cot, code, "number", data)


def _seq_arith_two(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = Fraction(rng.randint(-20, 30))
    d = Fraction(rng.choice(_NZ9), rng.choice([1, 1, 2]))
    p = rng.randint(1, 6)
    qq = p + rng.randint(2, 8)
    n = rng.choice([v for v in range(1, 41) if v not in (p, qq)])
    ap, aq = a1 + (p - 1) * d, a1 + (qq - 1) * d
    step = (aq - ap) / (qq - p)
    an = ap + (n - p) * step
    q = pick(
        lang,
        f"In an arithmetic sequence, $a_{{{p}}} = {_tex(ap)}$ and $a_{{{qq}}} = {_tex(aq)}$. Find $a_{{{n}}}$.",
        f"在等差数列 $\\{{a_n\\}}$ 中，$a_{{{p}}} = {_tex(ap)}$，$a_{{{qq}}} = {_tex(aq)}$，求 $a_{{{n}}}$。",
    )
    calc = (
        f"$d = \\frac{{{_tex(aq)} - {_neg(ap)}}}{{{qq} - {p}}} = {_tex(step)}$; "
        f"$a_{{{n}}} = a_{{{p}}} + ({n} - {p})d = {_tex(ap)} + {_par(n - p)} \\times {_par(step)} = {_tex(an)}$"
    )
    cot = pick(lang, f"First the common difference: {calc}. ", f"先求公差：{calc}。") + boxed(_tex(an), lang)
    code = (
        f"from fractions import Fraction\n\np, q, n = {p}, {qq}, {n}\nap, aq = {_py(ap)}, {_py(aq)}\n"
        "d = Fraction(aq - ap) / (q - p)\nprint(ap + (n - p) * d)\n"
    )
    data = {"type": "arith_two", "p": p, "q": qq, "n": n, "ap": _fj(ap), "aq": _fj(aq)}
    return Draft(q, _tex(an), cot, code, "number", data)


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
        f"$\\frac{{{last} - {_neg(a1)}}}{{{d}}} + 1 = {n}$"
    )
    calc_zh = (
        f"各项构成首项 $a_1 = {a1}$、公差 $d = {d}$ 的等差数列，项数为 "
        f"$\\frac{{{last} - {_neg(a1)}}}{{{d}}} + 1 = {n}$"
    )
    sm = f"$S = \\frac{{{n}\\left({a1} + {_neg(last)}\\right)}}{{2}} = {_tex(s)}$"
    cot = pick(lang, f"Here {calc}. So {sm}. ", f"这里{calc_zh}，所以 {sm}。") + boxed(_tex(s), lang)
    code = f"print(sum(range({a1}, {last + (1 if d > 0 else -1)}, {d})))\n"
    data = {"type": "arith_series", "a1": a1, "d": d, "last": last}
    return Draft(q, _tex(s), cot, code, "number", data)


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
    q = pick(
        lang,
        f"A geometric sequence has first term $a_1 = {_tex(a1)}$ and common ratio $r = {_tex(r)}$. "
        f"Find its {_ord(n)} term $a_{{{n}}}$.",
        f"等比数列 $\\{{a_n\\}}$ 的首项 $a_1 = {_tex(a1)}$，公比 $q = {_tex(r)}$，求第 {n} 项 $a_{{{n}}}$。",
    )
    calc = f"$a_{{{n}}} = {_tex(a1)} \\times {_par(r)}^{{{n - 1}}} = {_tex(an)}$"
    cot = pick(
        lang,
        f"The general term is $a_n = a_1 {rn}^{{n-1}}$, so {calc}. ",
        f"等比数列的通项公式为 $a_n = a_1 {rn}^{{n-1}}$，所以 {calc}。",
    ) + boxed(_tex(an), lang)
    code = (
        f"from fractions import Fraction\n\na1, r, n = {_py(a1)}, {_py(r)}, {n}\nprint(a1 * r ** (n - 1))\n"
    )
    return Draft(q, _tex(an), cot, code, "number", {"type": "geo_term", "a1": _fj(a1), "r": _fj(r), "n": n})


def _seq_geo_sum(rng: random.Random, lang: str, level: int) -> Draft:
    a1 = Fraction(rng.choice(_NZ9) * (rng.choice([1, 2, 4, 8]) if level == 3 else 1))
    r = _geo_ratio_choice(rng, level)
    n = rng.randint(4, 8) if level == 2 else rng.randint(3, 6)
    s = a1 * (1 - r**n) / (1 - r)
    rn = pick(lang, "r", "q")
    q = pick(
        lang,
        f"A geometric sequence has first term $a_1 = {_tex(a1)}$ and common ratio $r = {_tex(r)}$. "
        f"Find the sum of its first {n} terms, $S_{{{n}}}$.",
        f"等比数列 $\\{{a_n\\}}$ 的首项 $a_1 = {_tex(a1)}$，公比 $q = {_tex(r)}$，求前 {n} 项和 $S_{{{n}}}$。",
    )
    calc = (
        f"$S_{{{n}}} = \\frac{{{_par(a1)}\\left(1 - {_par(r)}^{{{n}}}\\right)}}{{1 - {_par(r)}}} = {_tex(s)}$"
    )
    cot = pick(
        lang,
        f"For $r \\ne 1$, $S_n = \\frac{{a_1(1 - r^n)}}{{1 - r}}$, so {calc}. ",
        f"公比 ${rn} \\ne 1$ 时，$S_n = \\frac{{a_1(1 - {rn}^n)}}{{1 - {rn}}}$，所以 {calc}。",
    ) + boxed(_tex(s), lang)
    code = (
        f"from fractions import Fraction\n\na1, r, n = {_py(a1)}, {_py(r)}, {n}\n"
        "print(a1 * (1 - r**n) / (1 - r))\n"
    )
    return Draft(q, _tex(s), cot, code, "number", {"type": "geo_sum", "a1": _fj(a1), "r": _fj(r), "n": n})


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
        f"All terms of a geometric sequence are positive, $a_1 = {_tex(a1)}$ and $a_{{{k}}} = {_tex(ak)}$. "
        "Find the common ratio.",
        f"各项均为正数的等比数列 $\\{{a_n\\}}$ 中，$a_1 = {_tex(a1)}$，$a_{{{k}}} = {_tex(ak)}$，求公比 $q$。",
    )
    rn = pick(lang, "r", "q")
    ratio = ak / a1
    calc = (
        f"${rn}^{{{k - 1}}} = \\frac{{a_{{{k}}}}}{{a_1}} = {_tex(ratio)}$, and since the terms are positive, "
        f"${rn} > 0$, so ${rn} = {_tex(r)}$"
    )
    calc_zh = (
        f"${rn}^{{{k - 1}}} = \\frac{{a_{{{k}}}}}{{a_1}} = {_tex(ratio)}$，又因各项为正，${rn} > 0$，"
        f"所以 ${rn} = {_tex(r)}$"
    )
    cot = pick(lang, f"We have {calc}. ", f"由题意，{calc_zh}。") + boxed(_tex(r), lang)
    code = (
        "from sympy import Rational, Symbol, solve\n\n"
        f"r = Symbol('r', positive=True)\nprint(solve(Rational({a1.numerator}, {a1.denominator}) * r**{k - 1}"
        f" - Rational({ak.numerator}, {ak.denominator}), r)[0])\n"
    )
    return Draft(q, _tex(r), cot, code, "number", {"type": "geo_ratio", "a1": _fj(a1), "ak": _fj(ak), "k": k})


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
        _tex(terms[0])
        + "".join((f" - {_tex(-t)}" if t < 0 else f" + {_tex(t)}") for t in terms[1:])
        + " + \\cdots"
    )
    s = a1 / (1 - r)
    q = pick(
        lang,
        f"Find the sum of the infinite geometric series ${series}$.",
        f"求无穷等比级数 ${series}$ 的和。",
    )
    calc = f"$S = \\frac{{a_1}}{{1 - r}} = \\frac{{{_tex(a1)}}}{{1 - {_par(r)}}} = {_tex(s)}$"
    cot = pick(
        lang,
        f"The first term is $a_1 = {_tex(a1)}$ and the ratio is $r = \\frac{{{_tex(terms[1])}}}{{{_tex(a1)}}}"
        f" = {_tex(r)}$; since $|r| < 1$ the series converges and {calc}. ",
        f"首项 $a_1 = {_tex(a1)}$，公比 $r = \\frac{{{_tex(terms[1])}}}{{{_tex(a1)}}} = {_tex(r)}$，"
        f"因为 $|r| < 1$，级数收敛，{calc}。",
    ) + boxed(_tex(s), lang)
    code = f"from fractions import Fraction\n\na1, r = {_py(a1)}, {_py(r)}\nprint(a1 / (1 - r))\n"
    return Draft(q, _tex(s), cot, code, "number", {"type": "geo_inf", "a1": _fj(a1), "r": _fj(r)})


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
    got = _exact(d.answer)
    if got is None:
        return False
    x, t = d.data, d.data["type"]
    if t in ("arith_term", "arith_sum", "geo_term", "geo_sum"):
        term, total = _fr(x["a1"]), Fraction(0)
        for _ in range(x["n"] - 1):
            total += term
            term = term + _fr(x["d"]) if t.startswith("arith") else term * _fr(x["r"])
        total += term
        return got == (term if t.endswith("term") else total)
    if t == "arith_diff":  # step from a_p by the claimed difference and land on a_q
        term = _fr(x["ap"])
        for _ in range(x["q"] - x["p"]):
            term += got
        return term == _fr(x["aq"])
    if t == "arith_two":  # (p, a_p), (q, a_q), (n, answer) must be collinear
        ap, aq = _fr(x["ap"]), _fr(x["aq"])
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
        term = _fr(x["a1"])
        for _ in range(x["k"] - 1):
            term *= got
        return term == _fr(x["ak"])
    if t == "geo_inf":
        a1, r = _fr(x["a1"]), _fr(x["r"])
        if not abs(r) < 1:
            return False
        partial, term = 0.0, float(a1)
        for _ in range(400):
            partial += term
            term *= float(r)
        return got - r * got == a1 and abs(float(got) - partial) < 1e-9 * max(1.0, abs(partial))
    return False


# ───────────────────────────── 2. number theory ─────────────────────────────


def _coprime_multipliers(rng: random.Random, count: int, hi: int) -> list[int]:
    while True:
        ms = rng.sample(range(1, hi + 1), count)
        if math.gcd(*ms) == 1:
            return ms


def _nt_gcd(rng: random.Random, lang: str, level: int) -> Draft:
    count = 3 if level == 3 else 2
    g = rng.randint(2, 15) if level == 1 else rng.randint(6, 60)
    nums = [g * m for m in _coprime_multipliers(rng, count, 12 if level == 1 else 25)]
    facs = [_factorise(n) for n in nums]
    common = {p: min(f.get(p, 0) for f in facs) for p in facs[0]}
    ans = math.prod(p**e for p, e in common.items())  # smallest exponents of the shared primes
    listed = pick(
        lang,
        ", ".join(map(str, nums[:-1])) + f" and {nums[-1]}",
        "、".join(map(str, nums[:-1])) + f" 和 {nums[-1]}",
    )
    q = pick(lang, f"Find the greatest common divisor of {listed}.", f"求 {listed} 的最大公约数。")
    fs = ", ".join(f"${n} = {_factor_tex(n)}$" for n in nums)
    cot = pick(
        lang,
        f"Factorise: {fs}. Take each common prime with its smallest exponent: ${_factor_tex(ans)} = {ans}$. ",
        f"分解质因数：{fs}。取公共质因数的最低次幂相乘：${_factor_tex(ans)} = {ans}$。",
    ) + boxed(str(ans), lang)
    code = f"import math\n\nprint(math.gcd({', '.join(map(str, nums))}))\n"
    return Draft(q, str(ans), cot, code, "number", {"type": "gcd", "nums": nums})


def _nt_lcm(rng: random.Random, lang: str, level: int) -> Draft:
    count = 3 if level == 3 else 2
    hi = {1: 30, 2: 150, 3: 40}[level]
    nums = sorted(rng.sample(range(2 if level != 2 else 6, hi + 1), count))
    facs = [_factorise(n) for n in nums]
    primes = sorted(set().union(*facs))
    ans = math.prod(p ** max(f.get(p, 0) for f in facs) for p in primes)
    listed = pick(
        lang,
        ", ".join(map(str, nums[:-1])) + f" and {nums[-1]}",
        "、".join(map(str, nums[:-1])) + f" 和 {nums[-1]}",
    )
    q = pick(lang, f"Find the least common multiple of {listed}.", f"求 {listed} 的最小公倍数。")
    fs = ", ".join(f"${n} = {_factor_tex(n)}$" for n in nums)
    cot = pick(
        lang,
        f"Factorise: {fs}. Take every prime with its largest exponent: ${_factor_tex(ans)} = {ans}$. ",
        f"分解质因数：{fs}。取每个质因数的最高次幂相乘：${_factor_tex(ans)} = {ans}$。",
    ) + boxed(str(ans), lang)
    code = f"import math\n\nprint(math.lcm({', '.join(map(str, nums))}))\n"
    return Draft(q, str(ans), cot, code, "number", {"type": "lcm", "nums": nums})


def _nt_divisors(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1:
        n = rng.randint(12, 120)
    elif level == 2:
        n = rng.randint(100, 3000)
    else:
        while True:
            n = (
                2 ** rng.randint(1, 6)
                * 3 ** rng.randint(0, 4)
                * 5 ** rng.randint(0, 3)
                * 7 ** rng.randint(0, 2)
            )
            if 1000 <= n <= 200_000:
                break
    f = _factorise(n)
    ans = math.prod(e + 1 for e in f.values())
    prod = " \\times ".join(f"({e} + 1)" for _, e in sorted(f.items()))
    q = pick(lang, f"How many positive divisors does {n} have?", f"{n} 有多少个正约数？")
    cot = pick(
        lang,
        f"Since ${n} = {_factor_tex(n)}$, the number of divisors is ${prod} = {ans}$. ",
        f"因为 ${n} = {_factor_tex(n)}$，所以正约数个数为 ${prod} = {ans}$。",
    ) + boxed(str(ans), lang)
    code = f"print(sum(1 for k in range(1, {n} + 1) if {n} % k == 0))\n"
    return Draft(q, str(ans), cot, code, "number", {"type": "divisors", "n": n})


def _nt_sigma(rng: random.Random, lang: str, level: int) -> Draft:
    n = rng.randint(30, 2000)
    f = _factorise(n)
    ans = math.prod((p ** (e + 1) - 1) // (p - 1) for p, e in f.items())
    parts = " \\times ".join(
        "(" + " + ".join(str(p**i) for i in range(e + 1)) + ")" for p, e in sorted(f.items())
    )
    q = pick(lang, f"Find the sum of all positive divisors of {n}.", f"求 {n} 的所有正约数之和。")
    cot = pick(
        lang,
        f"Since ${n} = {_factor_tex(n)}$, the divisor sum is ${parts} = {ans}$. ",
        f"因为 ${n} = {_factor_tex(n)}$，所以正约数之和为 ${parts} = {ans}$。",
    ) + boxed(str(ans), lang)
    code = f"print(sum(k for k in range(1, {n} + 1) if {n} % k == 0))\n"
    return Draft(q, str(ans), cot, code, "number", {"type": "sigma", "n": n})


def _nt_largest_pf(rng: random.Random, lang: str, level: int) -> Draft:
    primes = [p for p in range(2, 80) if _is_prime_trial(p)]
    while True:
        n = math.prod(rng.choice(primes) for _ in range(rng.randint(2, 4)))
        if 100 <= n <= 20_000:
            break
    ans = max(_factorise(n))
    q = pick(lang, f"What is the largest prime factor of {n}?", f"{n} 的最大质因数是多少？")
    cot = pick(
        lang,
        f"Factorise: ${n} = {_factor_tex(n)}$. The largest prime factor is {ans}. ",
        f"分解质因数：${n} = {_factor_tex(n)}$，最大的质因数是 {ans}。",
    ) + boxed(str(ans), lang)
    code = (
        f"n, p, best = {n}, 2, 1\nwhile n > 1:\n    while n % p == 0:\n        best, n = p, n // p\n"
        "    p += 1\nprint(best)\n"
    )
    return Draft(q, str(ans), cot, code, "number", {"type": "largest_pf", "n": n})


def _nt_next_prime(rng: random.Random, lang: str, level: int) -> Draft:
    n = rng.randint(*{1: (10, 100), 2: (100, 1000), 3: (1000, 30000)}[level])
    m = n + 1
    skipped = []
    while not _is_prime_trial(m):
        f = min(_factorise(m))
        skipped.append(f"${m} = {f} \\times {m // f}$")
        m += 1
    shown = ", ".join(skipped[:6]) + (", …" if len(skipped) > 6 else "")
    root = math.isqrt(m)
    q = pick(lang, f"What is the smallest prime number greater than {n}?", f"大于 {n} 的最小质数是多少？")
    if skipped:
        en = f"Check the numbers after {n} in turn: {shown} are composite. "
        zh = f"依次检验 {n} 之后的数：{shown}，都是合数。"
    else:
        en, zh = "", ""
    cot = pick(
        lang,
        en + f"{m} has no prime factor up to $\\sqrt{{{m}}} < {root + 1}$, so it is prime. ",
        zh + f"{m} 没有不超过 $\\sqrt{{{m}}} < {root + 1}$ 的质因数，所以 {m} 是质数。",
    ) + boxed(str(m), lang)
    code = f"from sympy import nextprime\n\nprint(nextprime({n}))\n"
    return Draft(q, str(m), cot, code, "number", {"type": "next_prime", "n": n})


def _nt_remainder(rng: random.Random, lang: str, level: int) -> Draft:
    n = rng.randint(100, 99_999)
    m = rng.randint(3, 29)
    quo, rem = n // m, n - m * (n // m)
    q = pick(lang, f"What is the remainder when {n} is divided by {m}?", f"{n} 除以 {m} 的余数是多少？")
    cot = pick(
        lang,
        f"${n} = {m} \\times {quo} + {rem}$ with $0 \\le {rem} < {m}$, so the remainder is {rem}. ",
        f"${n} = {m} \\times {quo} + {rem}$，且 $0 \\le {rem} < {m}$，所以余数是 {rem}。",
    ) + boxed(str(rem), lang)
    return Draft(
        q, str(rem), cot, f"print({n} % {m})\n", "number", {"type": "powmod", "a": n, "k": 1, "m": m}
    )


def _nt_powmod(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 2:
        a, k, m = rng.randint(2, 12), rng.randint(10, 80), rng.randint(5, 30)
    else:
        a, k, m = rng.randint(2, 50), rng.randint(100, 3000), rng.randint(7, 100)
    while a % m in (0, 1):
        a += 1
    # repeated squaring: a^(2^j) mod m
    sq = [a % m]
    while (1 << len(sq)) <= k:
        sq.append(sq[-1] * sq[-1] % m)
    bits = [j for j in range(len(sq)) if k >> j & 1]
    ans = 1
    for j in bits:
        ans = ans * sq[j] % m
    squares = ", ".join(f"${a}^{{{1 << j}}} \\equiv {s}$" for j, s in enumerate(sq))
    decomp = " + ".join(str(1 << j) for j in reversed(bits))
    prod = " \\times ".join(str(sq[j]) for j in reversed(bits))
    q = pick(
        lang,
        f"Find the remainder when ${a}^{{{k}}}$ is divided by {m}.",
        f"求 ${a}^{{{k}}}$ 除以 {m} 的余数。",
    )
    cot = pick(
        lang,
        f"Square repeatedly modulo {m}: {squares}. Since ${k} = {decomp}$, "
        f"${a}^{{{k}}} \\equiv {prod} \\equiv {ans} \\pmod{{{m}}}$. ",
        f"模 {m} 反复平方：{squares}。因为 ${k} = {decomp}$，"
        f"所以 ${a}^{{{k}}} \\equiv {prod} \\equiv {ans} \\pmod{{{m}}}$。",
    ) + boxed(str(ans), lang)
    return Draft(
        q, str(ans), cot, f"print(pow({a}, {k}, {m}))\n", "number", {"type": "powmod", "a": a, "k": k, "m": m}
    )


def _nt_last_digit(rng: random.Random, lang: str, level: int) -> Draft:
    a = rng.choice([v for v in range(2, 100) if v % 10 not in (0, 1, 5)])
    k = rng.randint(20, 999)
    cycle = [a % 10]
    while cycle[-1] * a % 10 != cycle[0]:
        cycle.append(cycle[-1] * a % 10)
    idx = (k - 1) % len(cycle)
    ans = cycle[idx]
    shown = ", ".join(map(str, cycle))
    q = pick(lang, f"What is the units digit of ${a}^{{{k}}}$?", f"${a}^{{{k}}}$ 的个位数字是多少？")
    cot = pick(
        lang,
        f"The units digits of ${a}^1, {a}^2, \\dots$ repeat with period {len(cycle)}: {shown}. "
        f"Since ${k} \\equiv {idx + 1} \\pmod{{{len(cycle)}}}$ (taking residues $1, \\dots, {len(cycle)}$), "
        f"the units digit is {ans}. ",
        f"${a}^1, {a}^2, \\dots$ 的个位数字以 {len(cycle)} 为周期循环：{shown}。"
        f"因为 ${k}$ 除以 {len(cycle)} 对应循环中的第 {idx + 1} 个，所以个位数字是 {ans}。",
    ) + boxed(str(ans), lang)
    return Draft(
        q, str(ans), cot, f"print(pow({a}, {k}, 10))\n", "number", {"type": "powmod", "a": a, "k": k, "m": 10}
    )


def _sieve(n: int) -> list[int]:
    flags = [True] * (n + 1)
    flags[0:2] = [False, False]
    for p in range(2, math.isqrt(n) + 1):
        if flags[p]:
            flags[p * p :: p] = [False] * len(flags[p * p :: p])
    return [p for p, ok in enumerate(flags) if ok]


def _nt_count_primes(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 2:
        lo, hi = 1, rng.randint(20, 150)
    else:
        lo = rng.randint(50, 600)
        hi = lo + rng.randint(20, 120)
    primes = [p for p in _sieve(hi) if p >= lo]
    ans = len(primes)
    if lo == 1:
        q = pick(
            lang, f"How many prime numbers are less than or equal to {hi}?", f"不超过 {hi} 的质数有多少个？"
        )
    else:
        q = pick(
            lang,
            f"How many prime numbers $p$ satisfy ${lo} \\le p \\le {hi}$?",
            f"满足 ${lo} \\le p \\le {hi}$ 的质数 $p$ 有多少个？",
        )
    listed = ", ".join(map(str, primes))
    cot = pick(
        lang,
        f"Sieving the range gives the primes {listed}; there are {ans} of them. ",
        f"用筛法找出范围内的质数：{listed}，共 {ans} 个。",
    ) + boxed(str(ans), lang)
    code = f"from sympy import primepi\n\nprint(primepi({hi}) - primepi({lo - 1}))\n"
    return Draft(q, str(ans), cot, code, "number", {"type": "count_primes", "lo": lo, "hi": hi})


_NT = {
    "gcd": _nt_gcd,
    "lcm": _nt_lcm,
    "divisors": _nt_divisors,
    "sigma": _nt_sigma,
    "largest_pf": _nt_largest_pf,
    "next_prime": _nt_next_prime,
    "remainder": _nt_remainder,
    "powmod": _nt_powmod,
    "last_digit": _nt_last_digit,
    "count_primes": _nt_count_primes,
}
_NT_LEVELS = {
    1: ("gcd", "lcm", "divisors", "next_prime", "remainder"),
    2: ("gcd", "lcm", "divisors", "largest_pf", "next_prime", "powmod", "last_digit", "count_primes"),
    3: ("gcd", "lcm", "divisors", "sigma", "next_prime", "powmod", "count_primes"),
}


def make_number_theory(rng: random.Random, lang: str, level: int) -> Draft:
    return _NT[rng.choice(_NT_LEVELS[level])](rng, lang, level)


def _brute_divisors(n: int) -> list[int]:
    small = [k for k in range(1, math.isqrt(n) + 1) if n % k == 0]
    return sorted(set(small + [n // k for k in small]))


def check_number_theory(d: Draft) -> bool:
    """Brute force: scan candidates, multiply step by step, test primality with sympy."""
    got = _exact(d.answer)
    if got is None or got.denominator != 1:
        return False
    v, x, t = int(got), d.data, d.data["type"]
    if t == "gcd":
        nums = x["nums"]
        best = max(c for c in range(1, min(nums) + 1) if all(n % c == 0 for n in nums))
        return v == best
    if t == "lcm":
        nums, step = x["nums"], max(x["nums"])
        m = step
        while any(m % n for n in nums):
            m += step
        return v == m
    if t == "divisors":
        return v == len(_brute_divisors(x["n"]))
    if t == "sigma":
        return v == sum(_brute_divisors(x["n"]))
    if t == "largest_pf":
        from sympy import isprime

        n = x["n"]
        return v == max(c for c in _brute_divisors(n) if isprime(c))
    if t == "next_prime":
        from sympy import isprime

        return v > x["n"] and isprime(v) and not any(isprime(c) for c in range(x["n"] + 1, v))
    if t == "powmod":
        acc = 1
        for _ in range(x["k"]):
            acc = acc * x["a"] % x["m"]
        return v == acc
    if t == "count_primes":
        from sympy import isprime

        return v == sum(1 for c in range(x["lo"], x["hi"] + 1) if isprime(c))
    return False


# ───────────────────────────── 3. counting and probability ─────────────────────────────


_PERM_TEMPLATES = (
    (
        "In how many ways can {k} of {n} students be chosen and arranged in a row?",
        "从 {n} 名学生中选出 {k} 名排成一排，共有多少种不同的排法？",
    ),
    (
        "A club of {n} members elects {k} different officers (each member holds at most one post). "
        "How many outcomes are possible?",
        "一个有 {n} 名成员的社团要选出 {k} 个不同职务的负责人（每人至多担任一个职务），共有多少种不同的结果？",
    ),
    (
        "{n} runners compete in a race. In how many ways can the first {k} places be filled (no ties)?",
        "{n} 名运动员参加赛跑，前 {k} 名的名次共有多少种不同的可能（没有并列）？",
    ),
    (
        "How many {k}-letter codes with no repeated letter can be made from {n} different letters?",
        "用 {n} 个不同的字母组成没有重复字母的 {k} 位代码，共可以组成多少个？",
    ),
    (
        "In how many ways can {k} of {n} different books be placed in order on a shelf?",
        "从 {n} 本不同的书中选出 {k} 本按顺序排在书架上，有多少种不同的排法？",
    ),
    (
        "A photographer seats {k} of {n} guests in a row of {k} chairs. How many different seatings are possible?",
        "摄影师从 {n} 位客人中请 {k} 位坐在一排 {k} 把椅子上，共有多少种不同的坐法？",
    ),
    (
        "How many {k}-digit numbers with all digits different can be formed from {n} distinct nonzero digits?",
        "用 {n} 个互不相同的非零数字，可以组成多少个各位数字互不相同的 {k} 位数？",
    ),
)
_COMB_TEMPLATES = (
    (
        "A committee of {k} people is to be chosen from {n} people. How many different committees are possible?",
        "从 {n} 人中选出 {k} 人组成委员会，共有多少种不同的选法？",
    ),
    (
        "A pizzeria offers {n} toppings. How many pizzas with exactly {k} different toppings are possible?",
        "一家披萨店提供 {n} 种配料，恰好选 {k} 种不同配料的披萨共有多少种？",
    ),
    (
        "An exam has {n} questions and a student must answer any {k} of them. How many choices of questions are there?",
        "考试共有 {n} 道题，学生需从中任选 {k} 道作答，有多少种不同的选法？",
    ),
    (
        "How many {k}-element subsets does a set with {n} elements have?",
        "一个含有 {n} 个元素的集合有多少个含 {k} 个元素的子集？",
    ),
    (
        "A teacher picks {k} of {n} students to clean the classroom. How many different groups can be picked?",
        "老师从 {n} 名学生中选 {k} 名打扫教室，共有多少种不同的选法？",
    ),
    (
        "A fruit basket holds {n} different fruits. In how many ways can you take {k} of them?",
        "果篮里有 {n} 种不同的水果，从中任取 {k} 种，有多少种不同的取法？",
    ),
)


def _cp_perm(rng: random.Random, lang: str, level: int) -> Draft:
    en, zh = rng.choice(_PERM_TEMPLATES)
    top = 9 if "digit" in en else 13
    n = rng.randint(*{1: (4, 9), 2: (6, min(top, 12)), 3: (7, top)}[level])
    k = rng.randint(*{1: (2, 3), 2: (3, 4), 3: (4, 5)}[level])
    ans = math.prod(range(n - k + 1, n + 1))
    q = pick(lang, en.format(n=n, k=k), zh.format(n=n, k=k))
    chain = " \\times ".join(str(v) for v in range(n, n - k, -1))
    cot = pick(
        lang,
        f"Order matters, so this is $A_{{{n}}}^{{{k}}} = \\frac{{{n}!}}{{{n - k}!}} = {chain} = {ans}$. ",
        f"顺序有关，是排列数 $A_{{{n}}}^{{{k}}} = \\frac{{{n}!}}{{{n - k}!}} = {chain} = {ans}$。",
    ) + boxed(str(ans), lang)
    code = f"import math\n\nprint(math.perm({n}, {k}))\n"
    return Draft(q, str(ans), cot, code, "number", {"type": "perm", "n": n, "k": k})


def _cp_comb(rng: random.Random, lang: str, level: int) -> Draft:
    n = rng.randint(*{1: (5, 12), 2: (8, 18), 3: (10, 18)}[level])
    k = rng.randint(*{1: (2, 3), 2: (3, 5), 3: (3, 5)}[level])
    ans = math.factorial(n) // (math.factorial(k) * math.factorial(n - k))
    en, zh = rng.choice(_COMB_TEMPLATES)
    q = pick(lang, en.format(n=n, k=k), zh.format(n=n, k=k))
    cot = pick(
        lang,
        f"Order does not matter: $\\binom{{{n}}}{{{k}}} = \\frac{{{n}!}}{{{k}! \\, {n - k}!}} = {ans}$. ",
        f"与顺序无关，是组合数 $\\binom{{{n}}}{{{k}}} = \\frac{{{n}!}}{{{k}! \\, {n - k}!}} = {ans}$。",
    ) + boxed(str(ans), lang)
    code = f"import math\n\nprint(math.comb({n}, {k}))\n"
    return Draft(q, str(ans), cot, code, "number", {"type": "comb", "n": n, "k": k})


def _cp_comb_constrained(rng: random.Random, lang: str, level: int) -> Draft:
    men, women = rng.randint(3, 8), rng.randint(2, 7)
    k = rng.randint(3, min(5, men + women - 1))
    if rng.random() < 0.5:
        mode, j = "at_least_one", 0
        ans = math.comb(men + women, k) - math.comb(men, k)
        q = pick(
            lang,
            f"A team of {k} is chosen from {men} men and {women} women. "
            "How many teams include at least one woman?",
            f"从 {men} 名男生和 {women} 名女生中选出 {k} 人组成小组，至少有一名女生的选法有多少种？",
        )
        calc = f"$\\binom{{{men + women}}}{{{k}}} - \\binom{{{men}}}{{{k}}} = {math.comb(men + women, k)} - {math.comb(men, k)} = {ans}$"
        cot = pick(
            lang,
            f"Subtract the all-men teams from all teams: {calc}. ",
            f"用总选法减去全是男生的选法：{calc}。",
        )
    else:
        mode = "exactly"
        j = rng.randint(1, min(women, k))
        while k - j > men:
            j += 1
        ans = math.comb(women, j) * math.comb(men, k - j)
        q = pick(
            lang,
            f"A team of {k} is chosen from {men} men and {women} women. How many teams have exactly {j} women?",
            f"从 {men} 名男生和 {women} 名女生中选出 {k} 人组成小组，恰好有 {j} 名女生的选法有多少种？",
        )
        calc = f"$\\binom{{{women}}}{{{j}}} \\binom{{{men}}}{{{k - j}}} = {math.comb(women, j)} \\times {math.comb(men, k - j)} = {ans}$"
        cot = pick(
            lang, f"Choose the women and the men separately: {calc}. ", f"分别选女生和男生，再相乘：{calc}。"
        )
    cot += boxed(str(ans), lang)
    code = "import math\n\n" + (
        f"print(math.comb({men + women}, {k}) - math.comb({men}, {k}))\n"
        if mode == "at_least_one"
        else f"print(math.comb({women}, {j}) * math.comb({men}, {k - j}))\n"
    )
    data = {"type": "comb_constrained", "mode": mode, "men": men, "women": women, "k": k, "j": j}
    return Draft(q, str(ans), cot, code, "number", data)


_PAIRS = (
    ("Alice", "Bob", "甲", "乙"),
    ("Carol", "Dave", "小明", "小红"),
    ("Eve", "Frank", "张三", "李四"),
    ("Grace", "Henry", "小王", "小李"),
)


def _cp_adjacent(rng: random.Random, lang: str, level: int) -> Draft:
    n = rng.randint(4, 8)
    mode = rng.choice(["together", "apart", "ends", "first_left"])
    p_en, q_en, p_zh, q_zh = rng.choice(_PAIRS)
    fact = math.factorial
    intro = pick(
        lang,
        f"{n} people, including {p_en} and {q_en}, line up in a row. ",
        f"{n} 个人（包括{p_zh}和{q_zh}）排成一排，",
    )
    if mode == "together":
        ans = 2 * fact(n - 1)
        ask = pick(
            lang,
            f"In how many orders are {p_en} and {q_en} next to each other?",
            f"{p_zh}、{q_zh}相邻的排法有多少种？",
        )
        cot = pick(
            lang,
            f"Glue {p_en} and {q_en} into one block: ${n - 1}!$ orders of the blocks, times 2 inside the block: "
            f"$2 \\times {n - 1}! = {ans}$. ",
            f"把{p_zh}、{q_zh}捆绑成一个整体，与其余的人共 {n - 1} 个元素全排列，{p_zh}{q_zh}内部还有 2 种顺序："
            f"$2 \\times {n - 1}! = {ans}$。",
        )
    elif mode == "apart":
        ans = fact(n) - 2 * fact(n - 1)
        ask = pick(
            lang,
            f"In how many orders are {p_en} and {q_en} NOT next to each other?",
            f"{p_zh}、{q_zh}不相邻的排法有多少种？",
        )
        calc = f"${n}! - 2 \\times {n - 1}! = {fact(n)} - {2 * fact(n - 1)} = {ans}$"
        cot = pick(
            lang,
            f"All orders minus those with the two adjacent: {calc}. ",
            f"用全排列减去{p_zh}{q_zh}相邻的排法：{calc}。",
        )
    elif mode == "ends":
        ans = 2 * fact(n - 2)
        ask = pick(
            lang,
            f"In how many orders do {p_en} and {q_en} stand at the two ends of the row?",
            f"{p_zh}、{q_zh}分别站在两端的排法有多少种？",
        )
        calc = f"$2 \\times {n - 2}! = {ans}$"
        cot = pick(
            lang,
            f"The two ends can be filled by them in 2 ways, and the other {n - 2} people fill the middle: {calc}. ",
            f"{p_zh}、{q_zh}站两端有 2 种方法，其余 {n - 2} 人在中间全排列：{calc}。",
        )
    else:
        ans = fact(n - 1)
        ask = pick(
            lang,
            f"In how many orders does {p_en} stand at the left end?",
            f"{p_zh}站在最左端的排法有多少种？",
        )
        calc = f"${n - 1}! = {ans}$"
        cot = pick(
            lang,
            f"Fix {p_en} at the left end and arrange the other {n - 1} people: {calc}. ",
            f"{p_zh}固定在最左端，其余 {n - 1} 人全排列：{calc}。",
        )
    q = intro + ask
    cot += boxed(str(ans), lang)
    test = {
        "together": "abs(p.index(0) - p.index(1)) == 1",
        "apart": "abs(p.index(0) - p.index(1)) != 1",
        "ends": "{p[0], p[-1]} == {0, 1}",
        "first_left": "p[0] == 0",
    }[mode]
    code = (
        f"from itertools import permutations\n\nprint(sum(1 for p in permutations(range({n})) if {test}))\n"
    )
    return Draft(q, str(ans), cot, code, "number", {"type": "adjacent", "n": n, "mode": mode})


_WORDS = (
    "LEVEL",
    "BANANA",
    "APPLE",
    "BOOK",
    "COFFEE",
    "LETTER",
    "PEPPER",
    "BALLOON",
    "TOMATO",
    "PUZZLE",
    "GOOGLE",
    "ERROR",
    "ASSESS",
    "CHEESE",
    "TATTOO",
    "COOKIE",
    "COCOA",
    "MAMMAL",
    "SEESAW",
    "TEETH",
    "KAYAK",
    "RADAR",
    "REFER",
    "ALPACA",
    "BAMBOO",
    "CANNON",
    "DIDDLE",
    "GRAMMAR",
    "MOMMA",
    "PAPAYA",
)


def _cp_multiset(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 2 and rng.random() < 0.5:
        word = rng.choice(_WORDS)
        letters = list(word)
        q = pick(
            lang,
            f"How many distinct arrangements of the letters of the word {word} are there?",
            f"把单词 {word} 的所有字母重新排列，可以得到多少种不同的排列？",
        )
    else:
        pool = rng.sample("ABCDEFGHKMNPRST", rng.randint(2, 4))
        total = rng.randint(5, 7) if level == 2 else rng.randint(6, 8)
        counts = [1] * len(pool)
        for _ in range(total - len(pool)):
            counts[rng.randrange(len(pool))] += 1
        letters = [c for c, m in zip(pool, counts, strict=True) for _ in range(m)]
        shown = ", ".join(letters)
        word = "".join(letters)
        q = pick(
            lang,
            f"How many distinct strings can be formed by arranging all of the letters {shown}?",
            f"将字母 {shown} 全部排成一行，可以得到多少个不同的字符串？",
        )
    mult = {c: letters.count(c) for c in sorted(set(letters))}
    den = math.prod(math.factorial(m) for m in mult.values())
    ans = math.factorial(len(letters)) // den
    rep = " \\, ".join(f"{m}!" for m in mult.values() if m > 1) or "1"
    counts_en = ", ".join(f"{c} ×{m}" for c, m in mult.items())
    cot = pick(
        lang,
        f"There are {len(letters)} letters with repeats ({counts_en}), so the count is "
        f"$\\frac{{{len(letters)}!}}{{{rep}}} = {ans}$. ",
        f"共 {len(letters)} 个字母，其中有重复（{counts_en}），所以不同排列数为 "
        f"$\\frac{{{len(letters)}!}}{{{rep}}} = {ans}$。",
    ) + boxed(str(ans), lang)
    code = f"from itertools import permutations\n\nprint(len(set(permutations({word!r}))))\n"
    return Draft(q, str(ans), cot, code, "number", {"type": "multiset", "letters": word})


def _dice_count(faces: int, dice: int, target: int) -> int:
    """Ways for ``dice`` dice to total ``target``, by convolving the face distribution."""
    ways = [1]
    for _ in range(dice):
        new = [0] * (len(ways) + faces)
        for s, w in enumerate(ways):
            for f in range(1, faces + 1):
                new[s + f] += w
        ways = new
    return ways[target] if target < len(ways) else 0


def _cp_dice(rng: random.Random, lang: str, level: int) -> Draft:
    faces = rng.choice([4, 6, 6, 8]) if level == 1 else rng.choice([4, 6, 8, 10, 12])
    dice = 3 if level == 3 and rng.random() < 0.6 else 2
    if level == 3 and dice == 3:
        faces = rng.choice([4, 6, 6])
    mode = rng.choice(["eq", "ge", "le"])
    lo, hi = dice, dice * faces
    target = rng.randint(lo + 1, hi - 1)
    ways = {s: _dice_count(faces, dice, s) for s in range(lo, hi + 1)}
    picked = [
        s for s in ways if (s == target if mode == "eq" else s >= target if mode == "ge" else s <= target)
    ]
    fav = sum(ways[s] for s in picked)
    total = faces**dice
    p = Fraction(fav, total)
    rel_en = {"eq": "equal to", "ge": "at least", "le": "at most"}[mode]
    rel_zh = {"eq": "等于", "ge": "不小于", "le": "不大于"}[mode]
    die_en = "standard six-sided dice" if faces == 6 else f"fair {faces}-sided dice (faces 1 to {faces})"
    die_zh = "质地均匀的六面骰子" if faces == 6 else f"质地均匀的 {faces} 面骰子（点数为 1 到 {faces}）"
    num_en = {2: "two", 3: "three"}[dice]
    num_zh = {2: "两", 3: "三"}[dice]
    q = pick(
        lang,
        f"Roll {num_en} {die_en}. What is the probability that the sum is {rel_en} {target}?",
        f"同时掷{num_zh}枚{die_zh}，点数之和{rel_zh} {target} 的概率是多少？",
    )
    detail = " + ".join(str(ways[s]) for s in picked)
    cot = pick(
        lang,
        f"There are ${faces}^{{{dice}}} = {total}$ equally likely outcomes. Counting the outcomes for each "
        f"qualifying sum gives ${detail} = {fav}$, so the probability is $\\frac{{{fav}}}{{{total}}} = {_tex(p)}$. ",
        f"共有 ${faces}^{{{dice}}} = {total}$ 种等可能的结果。逐个统计符合条件的点数和对应的结果数："
        f"${detail} = {fav}$，所以概率为 $\\frac{{{fav}}}{{{total}}} = {_tex(p)}$。",
    ) + boxed(_tex(p), lang)
    cmp = {"eq": "==", "ge": ">=", "le": "<="}[mode]
    code = (
        "from fractions import Fraction\nfrom itertools import product\n\n"
        f"rolls = list(product(range(1, {faces + 1}), repeat={dice}))\n"
        f"print(Fraction(sum(1 for r in rolls if sum(r) {cmp} {target}), len(rolls)))\n"
    )
    data = {"type": "dice", "faces": faces, "dice": dice, "mode": mode, "target": target}
    return Draft(q, _tex(p), cot, code, "number", data)


def _cp_coins(rng: random.Random, lang: str, level: int) -> Draft:
    n = rng.randint(*{1: (3, 8), 2: (4, 10), 3: (6, 12)}[level])
    mode = rng.choice(["eq", "ge"] if level == 1 else ["eq", "ge", "le"])
    k = rng.randint(1, n - 1)
    face = rng.choice("HT")
    together = rng.random() < 0.5
    ks = [j for j in range(n + 1) if (j == k if mode == "eq" else j >= k if mode == "ge" else j <= k)]
    fav = sum(math.comb(n, j) for j in ks)
    p = Fraction(fav, 2**n)
    rel_en = {"eq": "exactly", "ge": "at least", "le": "at most"}[mode]
    rel_zh = {"eq": "恰好", "ge": "至少", "le": "至多"}[mode]
    side_en, side_zh = ("heads", "正面") if face == "H" else ("tails", "反面")
    if together:
        q = pick(
            lang,
            f"{n} fair coins are tossed at once. What is the probability that {rel_en} {k} of them show {side_en}?",
            f"同时抛掷 {n} 枚质地均匀的硬币，{rel_zh}有 {k} 枚{side_zh}朝上的概率是多少？",
        )
    else:
        q = pick(
            lang,
            f"A fair coin is tossed {n} times. What is the probability of getting {rel_en} {k} {side_en}?",
            f"将一枚质地均匀的硬币抛掷 {n} 次，{rel_zh}出现 {k} 次{side_zh}的概率是多少？",
        )
    terms = " + ".join(f"\\binom{{{n}}}{{{j}}}" for j in ks)
    cot = pick(
        lang,
        f"Each of the $2^{{{n}}} = {2**n}$ sequences is equally likely; the favourable ones number "
        f"${terms} = {fav}$, so the probability is $\\frac{{{fav}}}{{{2**n}}} = {_tex(p)}$. ",
        f"共有 $2^{{{n}}} = {2**n}$ 种等可能的结果，符合条件的有 ${terms} = {fav}$ 种，"
        f"所以概率为 $\\frac{{{fav}}}{{{2**n}}} = {_tex(p)}$。",
    ) + boxed(_tex(p), lang)
    cmp = {"eq": "==", "ge": ">=", "le": "<="}[mode]
    code = (
        "from fractions import Fraction\nfrom itertools import product\n\n"
        f"seqs = list(product('HT', repeat={n}))\n"
        f"print(Fraction(sum(1 for s in seqs if s.count('{face}') {cmp} {k}), len(seqs)))\n"
    )
    return Draft(
        q, _tex(p), cot, code, "number", {"type": "coins", "n": n, "mode": mode, "k": k, "face": face}
    )


_COLOURS = {"red": "红", "blue": "蓝", "green": "绿", "white": "白", "black": "黑", "yellow": "黄"}


def _cp_urn(rng: random.Random, lang: str, level: int) -> Draft:
    names = rng.sample(sorted(_COLOURS), 3 if level == 3 else 2)
    if level == 3:
        counts = {c: rng.randint(2, 6) for c in names}
        draw = 3
        mode = rng.choice(["all_different", "exactly_two_first", "all_same"])
    else:
        counts = {c: rng.randint(2, 9) for c in names}
        draw = 2
        mode = rng.choice(["both_first"] if level == 1 else ["both_first", "one_each", "same"])
    n = sum(counts.values())
    total = math.comb(n, draw)
    first, second = names[0], names[1]
    r = counts[first]
    zh1 = _COLOURS[first]
    if mode == "both_first":
        fav = math.comb(r, 2)
        how = f"\\binom{{{r}}}{{2}} = {fav}"
        ev_en, ev_zh = f"both balls are {first}", f"两个球都是{zh1}球"
    elif mode == "one_each":
        fav = r * counts[second]
        how = f"{r} \\times {counts[second]} = {fav}"
        ev_en, ev_zh = "the two balls have different colours", "两个球颜色不同"
    elif mode == "same":
        fav = math.comb(r, 2) + math.comb(counts[second], 2)
        how = f"\\binom{{{r}}}{{2}} + \\binom{{{counts[second]}}}{{2}} = {fav}"
        ev_en, ev_zh = "the two balls have the same colour", "两个球颜色相同"
    elif mode == "all_different":
        fav = math.prod(counts.values())
        how = " \\times ".join(map(str, counts.values())) + f" = {fav}"
        ev_en, ev_zh = "the three balls are all different colours", "三个球的颜色互不相同"
    elif mode == "exactly_two_first":
        fav = math.comb(r, 2) * (n - r)
        how = f"\\binom{{{r}}}{{2}} \\times {n - r} = {fav}"
        ev_en, ev_zh = f"exactly two of the balls are {first}", f"恰好有两个{zh1}球"
    else:  # all_same
        fav = sum(math.comb(c, 3) for c in counts.values())
        how = " + ".join(f"\\binom{{{c}}}{{3}}" for c in counts.values()) + f" = {fav}"
        ev_en, ev_zh = "all three balls are the same colour", "三个球颜色相同"
    p = Fraction(fav, total)
    contents_en = ", ".join(f"{c} {name}" for name, c in counts.items())
    contents_zh = "、".join(f"{c} 个{_COLOURS[name]}球" for name, c in counts.items())
    num_en, num_zh = {2: ("two", "两"), 3: ("three", "三")}[draw]
    q = pick(
        lang,
        f"A bag contains {contents_en} balls. {num_en.capitalize()} balls are drawn at random without "
        f"replacement. What is the probability that {ev_en}?",
        f"袋中有 {contents_zh}，除颜色外完全相同。从中不放回地随机摸出{num_zh}个球，{ev_zh}的概率是多少？",
    )
    cot = pick(
        lang,
        f"There are $\\binom{{{n}}}{{{draw}}} = {total}$ equally likely draws; the favourable ones number "
        f"${how}$. So the probability is $\\frac{{{fav}}}{{{total}}} = {_tex(p)}$. ",
        f"共有 $\\binom{{{n}}}{{{draw}}} = {total}$ 种等可能的取法，符合条件的有 ${how}$ 种，"
        f"所以概率为 $\\frac{{{fav}}}{{{total}}} = {_tex(p)}$。",
    ) + boxed(_tex(p), lang)
    balls = [name for name, c in counts.items() for _ in range(c)]
    test = {
        "both_first": f"d.count({first!r}) == 2",
        "one_each": "len(set(d)) == 2",
        "same": "len(set(d)) == 1",
        "all_different": "len(set(d)) == 3",
        "exactly_two_first": f"d.count({first!r}) == 2",
        "all_same": "len(set(d)) == 1",
    }[mode]
    code = (
        "from fractions import Fraction\nfrom itertools import combinations\n\n"
        f"balls = {balls!r}\ndraws = list(combinations(balls, {draw}))\n"
        f"print(Fraction(sum(1 for d in draws if {test}), len(draws)))\n"
    )
    data = {"type": "urn", "counts": [[c, m] for c, m in counts.items()], "draw": draw, "mode": mode}
    return Draft(q, _tex(p), cot, code, "number", data)


_CP = {
    "perm": _cp_perm,
    "comb": _cp_comb,
    "comb_constrained": _cp_comb_constrained,
    "adjacent": _cp_adjacent,
    "multiset": _cp_multiset,
    "dice": _cp_dice,
    "coins": _cp_coins,
    "urn": _cp_urn,
}
_CP_LEVELS = {
    1: ("perm", "comb", "dice", "coins", "urn"),
    2: ("perm", "comb", "multiset", "dice", "coins", "urn"),
    3: ("perm", "comb_constrained", "adjacent", "multiset", "dice", "coins", "urn"),
}


def make_counting_probability(rng: random.Random, lang: str, level: int) -> Draft:
    return _CP[rng.choice(_CP_LEVELS[level])](rng, lang, level)


def check_counting_probability(d: Draft) -> bool:
    """Enumerate every outcome with itertools and count."""
    got = _exact(d.answer)
    if got is None:
        return False
    x, t = d.data, d.data["type"]
    if t == "perm":
        return got == sum(1 for _ in itertools.permutations(range(x["n"]), x["k"]))
    if t == "comb":
        return got == sum(1 for _ in itertools.combinations(range(x["n"]), x["k"]))
    if t == "comb_constrained":
        people = ["m"] * x["men"] + ["w"] * x["women"]
        count = 0
        for team in itertools.combinations(range(len(people)), x["k"]):
            w = sum(1 for i in team if people[i] == "w")
            count += (w >= 1) if x["mode"] == "at_least_one" else (w == x["j"])
        return got == count
    if t == "adjacent":  # persons 0 and 1 are the named pair; test every order of positions
        mode, count = x["mode"], 0
        for p in itertools.permutations(range(x["n"])):
            i, j = p.index(0), p.index(1)
            if mode == "together":
                count += abs(i - j) == 1
            elif mode == "apart":
                count += abs(i - j) != 1
            elif mode == "ends":
                count += {i, j} == {0, x["n"] - 1}
            else:
                count += i == 0
        return got == count
    if t == "multiset":
        return got == len(set(itertools.permutations(x["letters"])))
    if t == "dice":
        rolls = list(itertools.product(range(1, x["faces"] + 1), repeat=x["dice"]))
        ok = {
            "eq": lambda s: s == x["target"],
            "ge": lambda s: s >= x["target"],
            "le": lambda s: s <= x["target"],
        }
        return got == Fraction(sum(1 for r in rolls if ok[x["mode"]](sum(r))), len(rolls))
    if t == "coins":
        seqs = list(itertools.product("HT", repeat=x["n"]))
        ok = {"eq": lambda h: h == x["k"], "ge": lambda h: h >= x["k"], "le": lambda h: h <= x["k"]}
        return got == Fraction(sum(1 for s in seqs if ok[x["mode"]](s.count(x["face"]))), len(seqs))
    if t == "urn":
        balls = [c for c, m in x["counts"] for _ in range(m)]
        first = x["counts"][0][0]
        draws = list(itertools.combinations(range(len(balls)), x["draw"]))
        mode = x["mode"]
        fav = 0
        for dr in draws:
            cols = [balls[i] for i in dr]
            if mode in ("both_first", "exactly_two_first"):
                fav += cols.count(first) == 2
            elif mode in ("same", "all_same"):
                fav += len(set(cols)) == 1
            elif mode == "one_each":
                fav += len(set(cols)) == 2
            else:
                fav += len(set(cols)) == 3
        return got == Fraction(fav, len(draws))
    return False


# ───────────────────────────── 4. geometry formulas ─────────────────────────────


def _pi_tex(c: Fraction) -> str:
    """c·π in LaTeX: ``25\\pi``, ``\\pi``, ``\\frac{25\\pi}{3}``."""
    c = Fraction(c)
    num = "" if abs(c.numerator) == 1 else str(abs(c.numerator))
    sign = "-" if c < 0 else ""
    if c.denominator == 1:
        return f"{sign}{num}\\pi"
    return f"{sign}\\frac{{{num}\\pi}}{{{c.denominator}}}"


def _sqrt_parts(n: int) -> tuple[int, int]:
    """n = k²·m with m squarefree."""
    k, m = 1, n
    f = 2
    while f * f <= m:
        while m % (f * f) == 0:
            m //= f * f
            k *= f
        f += 1
    return k, m


def _sqrt_tex(n: int) -> str:
    k, m = _sqrt_parts(n)
    if m == 1:
        return str(k)
    return f"\\sqrt{{{m}}}" if k == 1 else f"{k}\\sqrt{{{m}}}"


def _triples(limit: int) -> list[tuple[int, int, int]]:
    return [
        (a, b, c)
        for c in range(5, limit + 1)
        for a in range(3, c)
        for b in range(a, c)
        if a * a + b * b == c * c
    ]


_TRIPLES_60 = _triples(60)
_TRIPLES_100 = _triples(100)


def _geo_rect(rng: random.Random, lang: str, level: int) -> Draft:
    w, h = rng.randint(2, 40), rng.randint(2, 40)
    if level == 1:
        area = rng.random() < 0.5
        ans = w * h if area else 2 * (w + h)
        what_en, what_zh = ("area", "面积") if area else ("perimeter", "周长")
        q = pick(
            lang,
            f"A rectangle has length {w} and width {h}. What is its {what_en}?",
            f"一个长方形的长为 {w}，宽为 {h}，它的{what_zh}是多少？",
        )
        calc = f"{w} \\times {h} = {ans}" if area else f"2({w} + {h}) = {ans}"
        cot = pick(lang, f"The {what_en} is ${calc}$. ", f"{what_zh}为 ${calc}$。")
        data = {"type": "rect_area" if area else "rect_perimeter", "w": w, "h": h}
    else:
        ans = 2 * (w + h)
        q = pick(
            lang,
            f"A rectangle has area {w * h} and one side of length {w}. What is its perimeter?",
            f"一个长方形的面积为 {w * h}，其中一条边长为 {w}，它的周长是多少？",
        )
        cot = pick(
            lang,
            f"The other side is ${w * h} \\div {w} = {h}$, so the perimeter is $2({w} + {h}) = {ans}$. ",
            f"另一条边长为 ${w * h} \\div {w} = {h}$，所以周长为 $2({w} + {h}) = {ans}$。",
        )
        data = {"type": "rect_from_area", "area": w * h, "w": w}
    cot += boxed(str(ans), lang)
    code = f"w, h = {w}, {h}\nprint({'w * h' if data['type'] == 'rect_area' else '2 * (w + h)'})\n"
    return Draft(q, str(ans), cot, code, "number", data)


def _geo_tri_bh(rng: random.Random, lang: str, level: int) -> Draft:
    b, h = rng.randint(2, 40), rng.randint(2, 40)
    apex = rng.randint(-5, b + 5)
    ans = Fraction(b * h, 2)
    q = pick(
        lang,
        f"A triangle has a base of length {b} and a height of {h} to that base. What is its area?",
        f"一个三角形的底边长为 {b}，该底边上的高为 {h}，它的面积是多少？",
    )
    calc = f"\\frac{{1}}{{2}} \\times {b} \\times {h} = {_tex(ans)}"
    cot = pick(
        lang,
        f"Area $= \\frac{{1}}{{2}} \\times$ base $\\times$ height $= {calc}$. ",
        f"面积 $= \\frac{{1}}{{2}} \\times$ 底 $\\times$ 高 $= {calc}$。",
    )
    cot += boxed(_tex(ans), lang)
    code = f"from fractions import Fraction\n\nprint(Fraction({b} * {h}, 2))\n"
    return Draft(q, _tex(ans), cot, code, "number", {"type": "tri_bh", "b": b, "h": h, "apex": apex})


def _geo_heron(rng: random.Random, lang: str, level: int) -> Draft:
    triples = _TRIPLES_60 if level == 2 else _TRIPLES_100
    legs: dict[int, list[tuple[int, int]]] = {}
    for a, b, c in triples:
        legs.setdefault(a, []).append((b, c))
        legs.setdefault(b, []).append((a, c))
    h = rng.choice(sorted(legs))
    (x1, c1), (x2, c2) = rng.choice(legs[h]), rng.choice(legs[h])
    base = x1 + x2 if x1 == x2 or rng.random() < 0.6 else abs(x1 - x2)
    sides = sorted([c1, c2, base])
    area = Fraction(base * h, 2)  # altitude h onto the side x1 + x2 (or |x1 - x2|, obtuse case)
    a, b, c = sides
    s = Fraction(a + b + c, 2)
    q = pick(
        lang,
        f"A triangle has side lengths {a}, {b} and {c}. What is its area?",
        f"一个三角形的三边长分别为 {a}、{b}、{c}，求它的面积。",
    )
    prod = f"{_tex(s)} \\times {_par(s - a)} \\times {_par(s - b)} \\times {_par(s - c)}"
    cot = pick(
        lang,
        f"By Heron's formula with $s = \\frac{{{a} + {b} + {c}}}{{2}} = {_tex(s)}$: "
        f"$A = \\sqrt{{{prod}}} = \\sqrt{{{_tex(area * area)}}} = {_tex(area)}$. ",
        f"由海伦公式，半周长 $s = \\frac{{{a} + {b} + {c}}}{{2}} = {_tex(s)}$，"
        f"$S = \\sqrt{{{prod}}} = \\sqrt{{{_tex(area * area)}}} = {_tex(area)}$。",
    ) + boxed(_tex(area), lang)
    code = (
        "from sympy import Rational, sqrt\n\n"
        f"a, b, c = {a}, {b}, {c}\ns = Rational(a + b + c, 2)\nprint(sqrt(s * (s - a) * (s - b) * (s - c)))\n"
    )
    return Draft(q, _tex(area), cot, code, "number", {"type": "heron", "sides": sides})


def _geo_circle(rng: random.Random, lang: str, level: int) -> Draft:
    r = rng.randint(1, 60)
    if level == 1:
        area = rng.random() < 0.5
        if area:
            c = Fraction(r * r)
            q = pick(
                lang,
                f"What is the area of a circle of radius {r}? Give the exact value in terms of $\\pi$.",
                f"半径为 {r} 的圆的面积是多少？（结果保留 $\\pi$）",
            )
            cot = pick(
                lang,
                f"$A = \\pi r^2 = \\pi \\times {r}^2 = {_pi_tex(c)}$. ",
                f"$S = \\pi r^2 = \\pi \\times {r}^2 = {_pi_tex(c)}$。",
            )
            data = {"type": "circle_area", "r": r}
        else:
            c = Fraction(2 * r)
            q = pick(
                lang,
                f"What is the circumference of a circle of radius {r}? Give the exact value in terms of $\\pi$.",
                f"半径为 {r} 的圆的周长是多少？（结果保留 $\\pi$）",
            )
            cot = pick(
                lang,
                f"$C = 2\\pi r = 2\\pi \\times {r} = {_pi_tex(c)}$. ",
                f"$C = 2\\pi r = 2\\pi \\times {r} = {_pi_tex(c)}$。",
            )
            data = {"type": "circle_circ", "r": r}
    else:
        d = 2 * r if rng.random() < 0.5 else 2 * r - 1
        rr = Fraction(d, 2)
        if rng.random() < 0.5:
            c = rr * rr
            q = pick(
                lang,
                f"A circle has diameter {d}. What is its area? Give the exact value in terms of $\\pi$.",
                f"一个圆的直径为 {d}，它的面积是多少？（结果保留 $\\pi$）",
            )
            cot = pick(
                lang,
                f"The radius is ${_tex(rr)}$, so $A = \\pi r^2 = \\pi \\times {_par(rr)}^2 = {_pi_tex(c)}$. ",
                f"半径为 ${_tex(rr)}$，所以 $S = \\pi r^2 = \\pi \\times {_par(rr)}^2 = {_pi_tex(c)}$。",
            )
            data = {"type": "circle_area", "r": _fj(rr)}
        else:
            circ = d  # circumference d·π given, find the area
            c = rr * rr
            q = pick(
                lang,
                f"A circle has circumference ${_pi_tex(Fraction(circ))}$. What is its area? Give the exact value in terms of $\\pi$.",
                f"一个圆的周长为 ${_pi_tex(Fraction(circ))}$，它的面积是多少？（结果保留 $\\pi$）",
            )
            cot = pick(
                lang,
                f"From $2\\pi r = {_pi_tex(Fraction(circ))}$ we get $r = {_tex(rr)}$, so $A = \\pi r^2 = {_pi_tex(c)}$. ",
                f"由 $2\\pi r = {_pi_tex(Fraction(circ))}$ 得 $r = {_tex(rr)}$，所以 $S = \\pi r^2 = {_pi_tex(c)}$。",
            )
            data = {"type": "circle_area", "r": _fj(rr)}
    cot += boxed(_pi_tex(c), lang)
    code = f"from sympy import Rational, latex, pi\n\nprint(latex({_rat(c)} * pi))\n"
    if isinstance(data["r"], int):
        data["r"] = [data["r"], 1]
    return Draft(q, _pi_tex(c), cot, code, "number", data)


def _geo_sector(rng: random.Random, lang: str, level: int) -> Draft:
    r = rng.randint(2, 24)
    theta = rng.choice([v for v in range(15, 346, 15) if v not in (180,)])
    if rng.random() < 0.5:
        c = Fraction(theta, 360) * r * r
        q = pick(
            lang,
            f"A sector of a circle has radius {r} and central angle ${theta}^\\circ$. What is its area? Give the exact value in terms of $\\pi$.",
            f"一个扇形的半径为 {r}，圆心角为 ${theta}^\\circ$，求它的面积。（结果保留 $\\pi$）",
        )
        cot = pick(
            lang,
            f"The sector is $\\frac{{{theta}}}{{360}}$ of the disc: $\\frac{{{theta}}}{{360}} \\times \\pi \\times {r}^2 = {_pi_tex(c)}$. ",
            f"扇形面积是整圆面积的 $\\frac{{{theta}}}{{360}}$：$\\frac{{{theta}}}{{360}} \\times \\pi \\times {r}^2 = {_pi_tex(c)}$。",
        )
        data = {"type": "sector_area", "r": r, "theta": theta}
    else:
        c = Fraction(theta, 360) * 2 * r
        q = pick(
            lang,
            f"An arc of a circle of radius {r} subtends a central angle of ${theta}^\\circ$. What is the arc length? Give the exact value in terms of $\\pi$.",
            f"半径为 {r} 的圆中，圆心角 ${theta}^\\circ$ 所对的弧长是多少？（结果保留 $\\pi$）",
        )
        cot = pick(
            lang,
            f"The arc is $\\frac{{{theta}}}{{360}}$ of the circumference: $\\frac{{{theta}}}{{360}} \\times 2\\pi \\times {r} = {_pi_tex(c)}$. ",
            f"弧长是整个圆周长的 $\\frac{{{theta}}}{{360}}$：$\\frac{{{theta}}}{{360}} \\times 2\\pi \\times {r} = {_pi_tex(c)}$。",
        )
        data = {"type": "arc_length", "r": r, "theta": theta}
    cot += boxed(_pi_tex(c), lang)
    code = f"from sympy import Rational, latex, pi\n\nprint(latex({_rat(c)} * pi))\n"
    return Draft(q, _pi_tex(c), cot, code, "number", data)


def _geo_solid(rng: random.Random, lang: str, level: int) -> Draft:
    kind = rng.choice(
        ["cyl_vol", "cyl_surf", "sphere_vol", "sphere_surf"]
        + (["cone_vol", "cone_slant"] if level == 3 else [])
    )
    r, h = rng.randint(1, 15), rng.randint(1, 25)
    if kind == "cyl_vol":
        c = Fraction(r * r * h)
        q = pick(
            lang,
            f"A cylinder has base radius {r} and height {h}. What is its volume? Give the exact value in terms of $\\pi$.",
            f"一个圆柱的底面半径为 {r}，高为 {h}，求它的体积。（结果保留 $\\pi$）",
        )
        cot = pick(
            lang,
            f"$V = \\pi r^2 h = \\pi \\times {r}^2 \\times {h} = {_pi_tex(c)}$. ",
            f"$V = \\pi r^2 h = \\pi \\times {r}^2 \\times {h} = {_pi_tex(c)}$。",
        )
    elif kind == "cyl_surf":
        c = Fraction(2 * r * r + 2 * r * h)
        q = pick(
            lang,
            f"A closed cylinder has base radius {r} and height {h}. What is its total surface area? Give the exact value in terms of $\\pi$.",
            f"一个圆柱的底面半径为 {r}，高为 {h}，求它的表面积（含上下底面）。（结果保留 $\\pi$）",
        )
        cot = pick(
            lang,
            f"Two discs plus the side: $2\\pi r^2 + 2\\pi r h = 2\\pi \\times {r}^2 + 2\\pi \\times {r} \\times {h} = {_pi_tex(c)}$. ",
            f"两个底面加侧面：$2\\pi r^2 + 2\\pi r h = 2\\pi \\times {r}^2 + 2\\pi \\times {r} \\times {h} = {_pi_tex(c)}$。",
        )
    elif kind == "sphere_vol":
        c = Fraction(4 * r**3, 3)
        q = pick(
            lang,
            f"What is the volume of a sphere of radius {r}? Give the exact value in terms of $\\pi$.",
            f"半径为 {r} 的球的体积是多少？（结果保留 $\\pi$）",
        )
        cot = pick(
            lang,
            f"$V = \\frac{{4}}{{3}}\\pi r^3 = \\frac{{4}}{{3}}\\pi \\times {r}^3 = {_pi_tex(c)}$. ",
            f"$V = \\frac{{4}}{{3}}\\pi r^3 = \\frac{{4}}{{3}}\\pi \\times {r}^3 = {_pi_tex(c)}$。",
        )
    elif kind == "sphere_surf":
        c = Fraction(4 * r * r)
        q = pick(
            lang,
            f"What is the surface area of a sphere of radius {r}? Give the exact value in terms of $\\pi$.",
            f"半径为 {r} 的球的表面积是多少？（结果保留 $\\pi$）",
        )
        cot = pick(
            lang,
            f"$S = 4\\pi r^2 = 4\\pi \\times {r}^2 = {_pi_tex(c)}$. ",
            f"$S = 4\\pi r^2 = 4\\pi \\times {r}^2 = {_pi_tex(c)}$。",
        )
    elif kind == "cone_vol":
        c = Fraction(r * r * h, 3)
        q = pick(
            lang,
            f"A cone has base radius {r} and height {h}. What is its volume? Give the exact value in terms of $\\pi$.",
            f"一个圆锥的底面半径为 {r}，高为 {h}，求它的体积。（结果保留 $\\pi$）",
        )
        cot = pick(
            lang,
            f"$V = \\frac{{1}}{{3}}\\pi r^2 h = \\frac{{1}}{{3}}\\pi \\times {r}^2 \\times {h} = {_pi_tex(c)}$. ",
            f"$V = \\frac{{1}}{{3}}\\pi r^2 h = \\frac{{1}}{{3}}\\pi \\times {r}^2 \\times {h} = {_pi_tex(c)}$。",
        )
    else:  # cone given its slant height
        a, b, slant = rng.choice(_TRIPLES_60)
        r, h = (a, b) if rng.random() < 0.5 else (b, a)
        c = Fraction(r * r * h, 3)
        q = pick(
            lang,
            f"A cone has base radius {r} and slant height {slant}. What is its volume? Give the exact value in terms of $\\pi$.",
            f"一个圆锥的底面半径为 {r}，母线长为 {slant}，求它的体积。（结果保留 $\\pi$）",
        )
        calc = f"$h = \\sqrt{{{slant}^2 - {r}^2}} = {h}$"
        vol = f"$V = \\frac{{1}}{{3}}\\pi \\times {r}^2 \\times {h} = {_pi_tex(c)}$"
        cot = pick(lang, f"The height is {calc}, so {vol}. ", f"圆锥的高为 {calc}，所以 {vol}。")
        kind = "cone_vol_slant"
    cot += boxed(_pi_tex(c), lang)
    code = f"from sympy import Rational, latex, pi\n\nprint(latex({_rat(c)} * pi))\n"
    data = {"type": kind, "r": r, "h": h}
    if kind == "cone_vol_slant":
        data = {"type": kind, "r": r, "slant": slant}
    return Draft(q, _pi_tex(c), cot, code, "number", data)


def _geo_box(rng: random.Random, lang: str, level: int) -> Draft:
    a, b, c = rng.randint(2, 20), rng.randint(2, 20), rng.randint(2, 20)
    if level == 1:
        ans = a * b * c
        q = pick(
            lang,
            f"A rectangular box measures {a} by {b} by {c}. What is its volume?",
            f"一个长方体的长、宽、高分别为 {a}、{b}、{c}，它的体积是多少？",
        )
        cot = pick(
            lang,
            f"$V = {a} \\times {b} \\times {c} = {ans}$. ",
            f"$V = {a} \\times {b} \\times {c} = {ans}$。",
        )
        kind, tex, code = "box_vol", str(ans), f"print({a} * {b} * {c})\n"
    elif level == 2:
        ans = 2 * (a * b + b * c + a * c)
        q = pick(
            lang,
            f"A rectangular box measures {a} by {b} by {c}. What is its total surface area?",
            f"一个长方体的长、宽、高分别为 {a}、{b}、{c}，它的表面积是多少？",
        )
        calc = f"2({a} \\times {b} + {b} \\times {c} + {a} \\times {c}) = {ans}"
        cot = pick(lang, f"Six faces in three equal pairs: ${calc}$. ", f"六个面两两相同：${calc}$。")
        kind, tex, code = (
            "box_surf",
            str(ans),
            f"a, b, c = {a}, {b}, {c}\nprint(2 * (a * b + b * c + a * c))\n",
        )
    else:
        n = a * a + b * b + c * c
        tex = _sqrt_tex(n)
        q = pick(
            lang,
            f"A rectangular box measures {a} by {b} by {c}. How long is its space diagonal?",
            f"一个长方体的长、宽、高分别为 {a}、{b}、{c}，求它的体对角线长。",
        )
        calc = f"\\sqrt{{{a}^2 + {b}^2 + {c}^2}} = \\sqrt{{{n}}} = {tex}"
        cot = pick(lang, f"Apply Pythagoras twice: $d = {calc}$. ", f"两次使用勾股定理：$d = {calc}$。")
        kind, code = (
            "box_diag",
            f"from sympy import latex, sqrt\n\nprint(latex(sqrt({a}**2 + {b}**2 + {c}**2)))\n",
        )
    cot += boxed(tex, lang)
    return Draft(q, tex, cot, code, "number", {"type": kind, "dims": [a, b, c]})


def _geo_right(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1:
        a, b, _ = rng.choice(_TRIPLES_100)
        if rng.random() < 0.5:
            a, b = b, a
        mode = "hyp"
    elif level == 2:
        while True:
            a, b = rng.randint(1, 25), rng.randint(1, 25)
            if math.isqrt(a * a + b * b) ** 2 != a * a + b * b:
                break
        mode = "hyp"
    else:
        while True:
            c, a = rng.randint(5, 40), rng.randint(1, 39)
            if a < c and math.isqrt(c * c - a * a) ** 2 != c * c - a * a:
                break
        b, mode = c, "leg"
    if mode == "hyp":
        n = a * a + b * b
        tex = _sqrt_tex(n)
        q = pick(
            lang,
            f"A right triangle has legs of length {a} and {b}. How long is the hypotenuse?",
            f"一个直角三角形的两条直角边长分别为 {a} 和 {b}，求斜边长。",
        )
        calc = f"c = \\sqrt{{{a}^2 + {b}^2}} = \\sqrt{{{n}}} = {tex}"
        cot = pick(lang, f"By the Pythagorean theorem, ${calc}$. ", f"由勾股定理，${calc}$。")
        code = f"from sympy import latex, sqrt\n\nprint(latex(sqrt({a}**2 + {b}**2)))\n"
        data = {"type": "hyp", "a": a, "b": b}
    else:
        c = b
        n = c * c - a * a
        tex = _sqrt_tex(n)
        q = pick(
            lang,
            f"A right triangle has hypotenuse {c} and one leg {a}. How long is the other leg?",
            f"一个直角三角形的斜边长为 {c}，一条直角边长为 {a}，求另一条直角边的长。",
        )
        calc = f"b = \\sqrt{{{c}^2 - {a}^2}} = \\sqrt{{{n}}} = {tex}"
        cot = pick(lang, f"By the Pythagorean theorem, ${calc}$. ", f"由勾股定理，${calc}$。")
        code = f"from sympy import latex, sqrt\n\nprint(latex(sqrt({c}**2 - {a}**2)))\n"
        data = {"type": "leg", "c": c, "a": a}
    cot += boxed(tex, lang)
    return Draft(q, tex, cot, code, "number", data)


_GEO = {
    "rect": _geo_rect,
    "tri_bh": _geo_tri_bh,
    "heron": _geo_heron,
    "circle": _geo_circle,
    "sector": _geo_sector,
    "solid": _geo_solid,
    "box": _geo_box,
    "right": _geo_right,
}
_GEO_LEVELS = {
    1: ("rect", "tri_bh", "circle", "box", "right"),
    2: ("rect", "heron", "circle", "solid", "box", "right"),
    3: ("heron", "sector", "solid", "box", "right"),
}


def make_geometry_formulas(rng: random.Random, lang: str, level: int) -> Draft:
    return _GEO[rng.choice(_GEO_LEVELS[level])](rng, lang, level)


_PI_CACHE: list[float] = []


def _archimedes_pi() -> float:
    """Half the perimeter of an inscribed 6·2^24-gon in the unit circle (side-doubling, no math.pi)."""
    if not _PI_CACHE:
        s, n = 1.0, 6  # hexagon side
        for _ in range(24):
            s = s / math.sqrt(2 + math.sqrt(4 - s * s))
            n *= 2
        _PI_CACHE.append(n * s / 2)
    return _PI_CACHE[0]


def _integral(cs: list[Fraction], lo: Fraction, hi: Fraction) -> Fraction:
    anti = _pinteg(cs)
    return _peval(anti, hi) - _peval(anti, lo)


def check_geometry_formulas(d: Draft) -> bool:
    """Other routes: unit squares and walking the boundary, the shoelace formula, Heron's formula,
    Archimedes' polygon for π with disk/shell integration for the coefficient, squares of roots."""
    x, t = d.data, d.data["type"]
    pi = _archimedes_pi()
    if t in ("rect_area", "rect_perimeter", "rect_from_area", "box_vol", "box_surf", "tri_bh", "heron"):
        got = _exact(d.answer)
        if got is None:
            return False
        if t == "rect_area":
            return got == sum(1 for _ in range(x["w"]) for _ in range(x["h"]))
        if t == "rect_perimeter":
            return got == sum([x["w"], x["h"], x["w"], x["h"]])
        if t == "rect_from_area":
            other = next(k for k in range(1, x["area"] + 1) if k * x["w"] == x["area"])
            return got == sum([x["w"], other, x["w"], other])
        if t == "box_vol":
            a, b, c = x["dims"]
            return got == sum(1 for _ in range(a) for _ in range(b) for _ in range(c))
        if t == "box_surf":
            a, b, c = x["dims"]
            faces = [(a, b), (b, a), (b, c), (c, b), (a, c), (c, a)]  # each face once per orientation pair
            return got == sum(p * q for p, q in faces)
        if t == "tri_bh":
            pts = [(0, 0), (x["b"], 0), (x["apex"], x["h"])]
            shoelace = sum(
                pts[i][0] * pts[(i + 1) % 3][1] - pts[(i + 1) % 3][0] * pts[i][1] for i in range(3)
            )
            return got == Fraction(abs(shoelace), 2)
        a, b, c = x["sides"]  # Heron: 16A² = (a+b+c)(-a+b+c)(a-b+c)(a+b-c)
        return got > 0 and 16 * got * got == (a + b + c) * (-a + b + c) * (a - b + c) * (a + b - c)
    if t in ("hyp", "leg", "box_diag"):
        got = _approx(d.answer)
        if got is None or got <= 0:
            return False
        if t == "hyp":
            n = x["a"] ** 2 + x["b"] ** 2
        elif t == "leg":
            n = x["c"] ** 2 - x["a"] ** 2
        else:
            a, b, c = x["dims"]
            face = a * a + b * b  # diagonal of a face, then of the box
            n = face + c * c
        return abs(got * got - n) <= 1e-9 * n
    # circles, spheres, cylinders, cones: coefficient by integration, π by Archimedes
    zero = Fraction(0)
    if t in ("circle_area", "circle_circ"):
        r = _fr(x["r"])
        if t == "circle_area":  # shells: ∫_0^r 2πρ dρ
            target = float(_integral([zero, Fraction(2)], zero, r)) * pi
        else:
            target = 2 * float(r) * pi
        return _close(d.answer, target)
    if t in ("sector_area", "arc_length"):
        r, frac = Fraction(x["r"]), Fraction(x["theta"], 360)
        whole = (
            float(_integral([zero, Fraction(2)], zero, r)) * pi if t == "sector_area" else 2 * float(r) * pi
        )
        return _close(d.answer, float(frac) * whole)
    r = Fraction(x["r"])
    if t == "cyl_vol":  # disks of constant area πr²
        return _close(d.answer, float(_integral([r * r], zero, Fraction(x["h"]))) * pi)
    if t == "cyl_surf":  # two discs + unrolled side (circumference × height)
        disc = float(_integral([zero, Fraction(2)], zero, r)) * pi
        return _close(d.answer, 2 * disc + 2 * float(r) * pi * x["h"])
    if t == "sphere_vol":  # disks of radius² r² − z²
        return _close(d.answer, float(_integral([r * r, zero, Fraction(-1)], -r, r)) * pi)
    if t == "sphere_surf":  # Archimedes: equals the side of the circumscribed cylinder
        return _close(d.answer, 2 * float(r) * pi * 2 * float(r))
    if t in ("cone_vol", "cone_vol_slant"):
        if t == "cone_vol":
            h = Fraction(x["h"])
        else:
            h = Fraction(next(k for k in range(1, x["slant"]) if k * k + x["r"] ** 2 == x["slant"] ** 2))
        k = r / h  # disk radius r z / h at depth z
        return _close(d.answer, float(_integral([zero, zero, k * k], zero, h)) * pi)
    return False


# ───────────────────────────── 5. function values ─────────────────────────────


def _arg_tex(t: Fraction) -> str:
    return f"\\left({_tex(t)}\\right)" if Fraction(t).denominator != 1 else f"({_tex(t)})"


def _mobius_tex(a: int, b: int, c: int, d: int) -> str:
    return f"\\frac{{{_poly_tex([Fraction(b), Fraction(a)])}}}{{{_poly_tex([Fraction(d), Fraction(c)])}}}"


def _fv_poly(rng: random.Random, lang: str, level: int) -> Draft:
    deg = {1: 2, 2: 3, 3: rng.choice([3, 4])}[level]
    cs = _rand_poly(rng, deg, -9 if level == 1 else -6, 9 if level == 1 else 6)
    if level == 3:
        t = Fraction(rng.choice(_NZ9), rng.choice([2, 3]))
    elif level == 2:
        t = Fraction(rng.randint(-5, 5)) if rng.random() < 0.7 else Fraction(rng.choice([-3, -1, 1, 3, 5]), 2)
    else:
        t = Fraction(rng.randint(-5, 5))
    ans = _peval(cs, t)
    ftex = _poly_tex(cs)
    q = pick(
        lang,
        f"Let $f(x) = {ftex}$. Find $f{_arg_tex(t)}$.",
        f"已知 $f(x) = {ftex}$，求 $f{_arg_tex(t)}$ 的值。",
    )
    calc = f"$f{_arg_tex(t)} = {_subst_tex(cs, t)} = {_tex(ans)}$"
    cot = pick(lang, f"Substitute $x = {_tex(t)}$: {calc}. ", f"将 $x = {_tex(t)}$ 代入：{calc}。") + boxed(
        _tex(ans), lang
    )
    code = (
        "from sympy import Rational, symbols\n\nx = symbols('x')\n"
        f"f = {_poly_py(cs)}\nprint(f.subs(x, {_rat(t)}))\n"
    )
    return Draft(q, _tex(ans), cot, code, "number", {"type": "poly", "f": [_fj(c) for c in cs], "t": _fj(t)})


def _rand_mobius(rng: random.Random) -> tuple[int, int, int, int]:
    while True:
        a, b, c, d = (
            rng.choice(_NZ9),
            rng.randint(-9, 9),
            rng.choice([v for v in range(-5, 6) if v]),
            rng.randint(-9, 9),
        )
        if a * d - b * c != 0:
            return a, b, c, d


def _fv_rational(rng: random.Random, lang: str, level: int) -> Draft:
    a, b, c, d = _rand_mobius(rng)
    t = Fraction(rng.randint(-8, 8))
    while c * t + d == 0:
        t += 1
    ans = (a * t + b) / (c * t + d)
    ftex = _mobius_tex(a, b, c, d)
    q = pick(
        lang,
        f"Let $f(x) = {ftex}$. Find $f{_arg_tex(t)}$.",
        f"已知 $f(x) = {ftex}$，求 $f{_arg_tex(t)}$ 的值。",
    )
    calc = (
        f"$f{_arg_tex(t)} = \\frac{{{_subst_tex([Fraction(b), Fraction(a)], t)}}}{{{_subst_tex([Fraction(d), Fraction(c)], t)}}}"
        f" = \\frac{{{a * t + b}}}{{{c * t + d}}} = {_tex(ans)}$"
    )
    cot = pick(lang, f"Substitute $x = {_tex(t)}$: {calc}. ", f"将 $x = {_tex(t)}$ 代入：{calc}。") + boxed(
        _tex(ans), lang
    )
    code = (
        "from sympy import Rational, symbols\n\nx = symbols('x')\n"
        f"f = ({a}*x + ({b})) / ({c}*x + ({d}))\nprint(f.subs(x, {_rat(t)}))\n"
    )
    return Draft(q, _tex(ans), cot, code, "number", {"type": "mobius", "abcd": [a, b, c, d], "t": _fj(t)})


def _fv_compose(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1:
        f, g = _rand_poly(rng, 1, -9, 9), _rand_poly(rng, 1, -9, 9)
    else:
        f, g = _rand_poly(rng, rng.choice([1, 2]), -6, 6), _rand_poly(rng, 2, -5, 5)
    t = Fraction(rng.randint(-4, 4))
    inner = _peval(g, t)
    ans = _peval(f, inner)
    q = pick(
        lang,
        f"Let $f(x) = {_poly_tex(f)}$ and $g(x) = {_poly_tex(g)}$. Find $f(g({_tex(t)}))$.",
        f"已知 $f(x) = {_poly_tex(f)}$，$g(x) = {_poly_tex(g)}$，求 $f(g({_tex(t)}))$ 的值。",
    )
    calc = (
        f"$g({_tex(t)}) = {_subst_tex(g, t)} = {_tex(inner)}$, then "
        f"$f({_tex(inner)}) = {_subst_tex(f, inner)} = {_tex(ans)}$"
    )
    cot = pick(
        lang, f"Work from the inside out: {calc}. ", "由内向外计算：" + calc.replace("then", "于是") + "。"
    ) + boxed(_tex(ans), lang)
    code = (
        "from sympy import Rational, symbols\n\nx = symbols('x')\n"
        f"f = {_poly_py(f)}\ng = {_poly_py(g)}\nprint(f.subs(x, g.subs(x, {_rat(t)})))\n"
    )
    data = {"type": "compose", "f": [_fj(c) for c in f], "g": [_fj(c) for c in g], "t": _fj(t)}
    return Draft(q, _tex(ans), cot, code, "number", data)


def _fv_compose_expr(rng: random.Random, lang: str, level: int) -> Draft:
    if rng.random() < 0.5:
        f, g = _rand_poly(rng, 2, -5, 5), _rand_poly(rng, 1, -6, 6)
    else:
        f, g = _rand_poly(rng, 1, -6, 6), _rand_poly(rng, 2, -5, 5)
    comp = _pcompose(f, g)
    ans = _poly_tex(comp)
    q = pick(
        lang,
        f"Let $f(x) = {_poly_tex(f)}$ and $g(x) = {_poly_tex(g)}$. Find $f(g(x))$ as an expanded polynomial.",
        f"已知 $f(x) = {_poly_tex(f)}$，$g(x) = {_poly_tex(g)}$，求 $f(g(x))$（写成展开后的多项式）。",
    )
    sub = _poly_tex(f, f"\\left({_poly_tex(g)}\\right)")
    cot = pick(
        lang,
        f"Replace $x$ in $f$ by $g(x)$: $f(g(x)) = {sub}$. Expanding gives ${ans}$. ",
        f"把 $f$ 中的 $x$ 换成 $g(x)$：$f(g(x)) = {sub}$，展开得 ${ans}$。",
    ) + boxed(ans, lang)
    code = (
        "from sympy import Rational, expand, latex, symbols\n\nx = symbols('x')\n"
        f"f = {_poly_py(f)}\ng = {_poly_py(g)}\nprint(latex(expand(f.subs(x, g))))\n"
    )
    data = {"type": "compose_expr", "f": [_fj(c) for c in f], "g": [_fj(c) for c in g]}
    return Draft(q, ans, cot, code, "expr", data)


def _fv_compose_mobius(rng: random.Random, lang: str, level: int) -> Draft:
    a, b, c, d = _rand_mobius(rng)
    g = _rand_poly(rng, rng.choice([1, 2]), -4, 4)
    while True:
        t = Fraction(rng.randint(-4, 4))
        inner = _peval(g, t)
        if c * inner + d != 0:
            break
    ans = (a * inner + b) / (c * inner + d)
    ftex = _mobius_tex(a, b, c, d)
    q = pick(
        lang,
        f"Let $f(x) = {ftex}$ and $g(x) = {_poly_tex(g)}$. Find $f(g({_tex(t)}))$.",
        f"已知 $f(x) = {ftex}$，$g(x) = {_poly_tex(g)}$，求 $f(g({_tex(t)}))$ 的值。",
    )
    calc = (
        f"$g({_tex(t)}) = {_subst_tex(g, t)} = {_tex(inner)}$; "
        f"$f({_tex(inner)}) = \\frac{{{a * inner + b}}}{{{c * inner + d}}} = {_tex(ans)}$"
    )
    cot = pick(lang, f"Work from the inside out: {calc}. ", f"由内向外计算：{calc}。") + boxed(
        _tex(ans), lang
    )
    code = (
        "from sympy import Rational, symbols\n\nx = symbols('x')\n"
        f"f = ({a}*x + ({b})) / ({c}*x + ({d}))\ng = {_poly_py(g)}\nprint(f.subs(x, g.subs(x, {_rat(t)})))\n"
    )
    data = {"type": "compose_mobius", "abcd": [a, b, c, d], "g": [_fj(v) for v in g], "t": _fj(t)}
    return Draft(q, _tex(ans), cot, code, "number", data)


def _fv_inverse(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1 or (level == 2 and rng.random() < 0.5):
        a, b = rng.choice([v for v in range(-9, 10) if abs(v) >= 2]), rng.randint(-15, 15)
        x0 = Fraction(rng.randint(-10, 10)) if level == 1 else Fraction(rng.randint(-20, 20), abs(a))
        y = a * x0 + b
        ftex = _poly_tex([Fraction(b), Fraction(a)])
        calc = f"${ftex} = {_tex(y)}$, so $x = \\frac{{{_tex(y)} - {_neg(b)}}}{{{a}}} = {_tex(x0)}$"
        data = {"type": "inv_poly", "f": [_fj(b), _fj(a)], "y": _fj(y)}
        code_f = f"{a}*x + ({b})"
    elif level == 2:
        k, b = rng.choice([1, 1, 2, 3]), rng.randint(-20, 20)
        x0 = Fraction(rng.randint(-5, 5))
        y = k * x0**3 + b
        cs = [Fraction(b), Fraction(0), Fraction(0), Fraction(k)]
        ftex = _poly_tex(cs)
        calc = f"${ftex} = {_tex(y)}$ gives $x^3 = {_tex((y - b) / k)}$, so $x = {_tex(x0)}$"
        data = {"type": "inv_poly", "f": [_fj(c) for c in cs], "y": _fj(y)}
        code_f = f"{k}*x**3 + ({b})"
    else:
        a, b, c, d = _rand_mobius(rng)
        while True:
            y = Fraction(rng.randint(-9, 9))
            if a - c * y != 0:
                break
        x0 = (d * y - b) / (a - c * y)
        ftex = _mobius_tex(a, b, c, d)
        calc = (
            f"${ftex} = {_tex(y)}$ gives "
            f"${_poly_tex([Fraction(b), Fraction(a)])} = {_par(y)}\\left({_poly_tex([Fraction(d), Fraction(c)])}\\right)$, so "
            f"$x = \\frac{{{_tex(d * y)} - {_neg(b)}}}{{{a} - {_neg(c * y)}}} = {_tex(x0)}$"
        )
        data = {"type": "inv_mobius", "abcd": [a, b, c, d], "y": _fj(y)}
        code_f = f"({a}*x + ({b})) / ({c}*x + ({d}))"
    q = pick(
        lang,
        f"Let $f(x) = {ftex}$, a one-to-one function. Find $f^{{-1}}({_tex(y)})$.",
        f"已知函数 $f(x) = {ftex}$ 存在反函数，求 $f^{{-1}}({_tex(y)})$ 的值。",
    )
    cot = pick(
        lang,
        f"$f^{{-1}}({_tex(y)})$ is the $x$ with $f(x) = {_tex(y)}$: {calc}. ",
        f"$f^{{-1}}({_tex(y)})$ 就是满足 $f(x) = {_tex(y)}$ 的 $x$："
        + calc.replace(" gives ", " 得 ").replace(", so ", "，所以 ")
        + "。",
    ) + boxed(_tex(x0), lang)
    code = (
        "from sympy import Eq, Rational, S, solveset, symbols\n\nx = symbols('x')\n"
        f"print(list(solveset(Eq({code_f}, {_rat(y)}), x, domain=S.Reals))[0])\n"
    )
    return Draft(q, _tex(x0), cot, code, "number", data)


_FV = {
    "poly": _fv_poly,
    "rational": _fv_rational,
    "compose": _fv_compose,
    "compose_expr": _fv_compose_expr,
    "compose_mobius": _fv_compose_mobius,
    "inverse": _fv_inverse,
}
_FV_LEVELS = {
    1: ("poly", "compose", "inverse"),
    2: ("poly", "rational", "compose", "inverse"),
    3: ("poly", "compose_expr", "compose_mobius", "inverse"),
}


def make_function_values(rng: random.Random, lang: str, level: int) -> Draft:
    return _FV[rng.choice(_FV_LEVELS[level])](rng, lang, level)


def check_function_values(d: Draft) -> bool:
    """Sympy substitution and expansion (make used Horner's rule on Fractions)."""
    import sympy

    x, t = d.data, d.data["type"]
    X = sympy.Symbol("x")

    def rat(p: list[int]) -> sympy.Rational:
        return sympy.Rational(p[0], p[1])

    def poly(key: str):
        return sum((rat(c) * X**k for k, c in enumerate(x[key])), sympy.Integer(0))

    def mobius():
        a, b, c, dd = x["abcd"]
        return (a * X + b) / (c * X + dd)

    if t == "compose_expr":  # sympy composes; compare at more points than the degree
        comp = sympy.Poly(poly("f"), X).compose(sympy.Poly(poly("g"), X))
        for k in range(comp.degree() + 2):
            p = Fraction(2 * k - 3, k + 2)
            got = _value_at(d.answer, p)
            if got is None or comp.eval(sympy.Rational(p.numerator, p.denominator)) != sympy.Rational(
                got.numerator, got.denominator
            ):
                return False
        return True
    got = _exact(d.answer)
    if got is None:
        return False
    g = sympy.Rational(got.numerator, got.denominator)
    if t == "poly":
        return poly("f").subs(X, rat(x["t"])) == g
    if t == "mobius":
        return mobius().subs(X, rat(x["t"])) == g
    if t == "compose":
        return poly("f").subs(X, poly("g")).subs(X, rat(x["t"])) == g
    if t == "compose_mobius":
        whole = sympy.cancel(mobius().subs(X, poly("g")))
        num, den = sympy.fraction(whole)
        tt = rat(x["t"])
        return den.subs(X, tt) != 0 and sympy.Rational(num.subs(X, tt), den.subs(X, tt)) == g
    if t == "inv_poly":
        f = poly("f")
        monotone = sympy.Poly(sympy.diff(f, X), X)  # f' of one sign on ℝ ⇒ one-to-one
        one_to_one = all(c >= 0 for c in monotone.all_coeffs()) or all(c <= 0 for c in monotone.all_coeffs())
        return one_to_one and f.subs(X, g) == rat(x["y"])
    if t == "inv_mobius":
        a, b, c, dd = x["abcd"]
        return a * dd - b * c != 0 and c * g + dd != 0 and mobius().subs(X, g) == rat(x["y"])
    return False


# ───────────────────────────── 6. calculus ─────────────────────────────


def _frac_poly(rng: random.Random, deg: int) -> list[Fraction]:
    cs = [Fraction(rng.randint(-9, 9), rng.choice([1, 1, 2, 3])) for _ in range(deg)]
    cs.append(Fraction(rng.choice(_NZ9), rng.choice([1, 2, 3, 4])))
    return cs


def _cal_deriv_poly(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 3:
        cs = _frac_poly(rng, rng.randint(3, 5))
    else:
        cs = _rand_poly(rng, rng.randint(2, 4) if level == 1 else rng.randint(3, 6), -9, 9)
    der = _pderiv(cs)
    ans = _poly_tex(der)
    q = pick(
        lang,
        f"Find the derivative of $f(x) = {_poly_tex(cs)}$.",
        f"求函数 $f(x) = {_poly_tex(cs)}$ 的导数 $f'(x)$。",
    )
    cot = pick(
        lang,
        f"Differentiate term by term with $(x^n)' = n x^{{n-1}}$: $f'(x) = {ans}$. ",
        f"利用 $(x^n)' = n x^{{n-1}}$ 逐项求导：$f'(x) = {ans}$。",
    ) + boxed(ans, lang)
    code = (
        "from sympy import Rational, diff, latex, symbols\n\nx = symbols('x')\n"
        f"f = {_poly_py(cs)}\nprint(latex(diff(f, x)))\n"
    )
    return Draft(q, ans, cot, code, "expr", {"type": "deriv", "form": "poly", "f": [_fj(c) for c in cs]})


def _cal_deriv_product(rng: random.Random, lang: str, level: int) -> Draft:
    m, n = rng.randint(1, 3), rng.randint(1, 3)
    a, b, c, e = rng.choice(_NZ9), rng.choice(_NZ9), rng.choice(_NZ9), rng.choice(_NZ9)
    u = [Fraction(b)] + [Fraction(0)] * (m - 1) + [Fraction(a)]
    v = [Fraction(e)] + [Fraction(0)] * (n - 1) + [Fraction(c)]
    du, dv = _pderiv(u), _pderiv(v)
    der = _padd(_pmul(du, v), _pmul(u, dv))
    ans = _poly_tex(der)
    ut, vt = _poly_tex(u), _poly_tex(v)
    q = pick(
        lang,
        f"Find the derivative of $f(x) = \\left({ut}\\right)\\left({vt}\\right)$, written as an expanded polynomial.",
        f"求函数 $f(x) = \\left({ut}\\right)\\left({vt}\\right)$ 的导数 $f'(x)$（写成展开后的多项式）。",
    )
    rule = (
        f"$f'(x) = \\left({_poly_tex(du)}\\right)\\left({vt}\\right) + \\left({ut}\\right)\\left({_poly_tex(dv)}\\right)"
        f" = {ans}$"
    )
    cot = pick(
        lang,
        f"By the product rule $(uv)' = u'v + uv'$: {rule}. ",
        f"由乘积的求导法则 $(uv)' = u'v + uv'$：{rule}。",
    ) + boxed(ans, lang)
    code = (
        "from sympy import diff, expand, latex, symbols\n\nx = symbols('x')\n"
        f"f = ({_poly_py(u)}) * ({_poly_py(v)})\nprint(latex(expand(diff(f, x))))\n"
    )
    data = {"type": "deriv", "form": "product", "u": [_fj(c) for c in u], "v": [_fj(c) for c in v]}
    return Draft(q, ans, cot, code, "expr", data)


def _cal_deriv_chain(rng: random.Random, lang: str, level: int) -> Draft:
    m, n = rng.randint(1, 3), rng.randint(2, 6)
    a, b = rng.choice([v for v in range(-6, 7) if v not in (0,)]), rng.choice(_NZ9)
    inner = [Fraction(b)] + [Fraction(0)] * (m - 1) + [Fraction(a)]
    it = _poly_tex(inner)
    k = n * a * m
    xpart = "" if m == 1 else ("x" if m == 2 else f"x^{{{m - 1}}}")
    powpart = f"\\left({it}\\right)" + ("" if n - 1 == 1 else f"^{{{n - 1}}}")
    ans = f"{k}{xpart}{powpart}"
    q = pick(
        lang,
        f"Find the derivative of $f(x) = \\left({it}\\right)^{{{n}}}$.",
        f"求函数 $f(x) = \\left({it}\\right)^{{{n}}}$ 的导数 $f'(x)$。",
    )
    dinner = _poly_tex(_pderiv(inner))
    du_tex = _par(a) if m == 1 else f"\\left({dinner}\\right)"
    rule = f"$f'(x) = {n}\\left({it}\\right)^{{{n - 1}}} \\cdot {du_tex} = {ans}$"
    cot = pick(
        lang,
        f"By the chain rule, with inner function $u = {it}$ and $u' = {dinner}$: {rule}. ",
        f"由复合函数求导法则，内层函数 $u = {it}$，$u' = {dinner}$：{rule}。",
    ) + boxed(ans, lang)
    code = (
        "from sympy import diff, factor, latex, symbols\n\nx = symbols('x')\n"
        f"f = ({_poly_py(inner)})**{n}\nprint(latex(factor(diff(f, x))))\n"
    )
    data = {"type": "deriv", "form": "chain", "inner": [_fj(c) for c in inner], "n": n}
    return Draft(q, ans, cot, code, "expr", data)


def _cal_deriv_at(rng: random.Random, lang: str, level: int) -> Draft:
    cs = _rand_poly(
        rng,
        rng.randint(2, 3) if level == 1 else rng.randint(3, 5),
        -9 if level == 1 else -6,
        9 if level == 1 else 6,
    )
    t = Fraction(rng.randint(-3, 3)) if level < 3 else Fraction(rng.choice(_NZ9), rng.choice([2, 3]))
    der = _pderiv(cs)
    ans = _peval(der, t)
    ftex = _poly_tex(cs)
    q = pick(
        lang, f"Let $f(x) = {ftex}$. Find $f'{_arg_tex(t)}$.", f"已知 $f(x) = {ftex}$，求 $f'{_arg_tex(t)}$。"
    )
    calc = f"$f'(x) = {_poly_tex(der)}$, so $f'{_arg_tex(t)} = {_subst_tex(der, t)} = {_tex(ans)}$"
    cot = pick(
        lang, f"Differentiate: {calc}. ", "先求导：" + calc.replace(", so ", "，所以 ") + "。"
    ) + boxed(_tex(ans), lang)
    code = (
        "from sympy import Rational, diff, symbols\n\nx = symbols('x')\n"
        f"f = {_poly_py(cs)}\nprint(diff(f, x).subs(x, {_rat(t)}))\n"
    )
    return Draft(
        q, _tex(ans), cot, code, "number", {"type": "deriv_at", "f": [_fj(c) for c in cs], "t": _fj(t)}
    )


def _cal_definite(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1:
        cs = _rand_poly(rng, rng.randint(1, 2), -9, 9)
        lo, hi = Fraction(0), Fraction(rng.randint(1, 4))
    elif level == 2:
        cs = _rand_poly(rng, 3, -6, 6)
        lo = Fraction(rng.randint(-3, 1))
        hi = lo + rng.randint(1, 4)
    else:
        cs = _rand_poly(rng, rng.randint(3, 4), -6, 6)
        lo = Fraction(rng.randint(-6, 2), 2)
        hi = lo + Fraction(rng.randint(1, 6), 2)
    anti = _pinteg(cs)
    fh, fl = _peval(anti, hi), _peval(anti, lo)
    ans = fh - fl
    ftex = _poly_tex(cs)
    q = pick(
        lang,
        f"Evaluate $\\int_{{{_tex(lo)}}}^{{{_tex(hi)}}} \\left({ftex}\\right)\\,dx$.",
        f"计算定积分 $\\int_{{{_tex(lo)}}}^{{{_tex(hi)}}} \\left({ftex}\\right)\\,dx$。",
    )
    calc = f"$F(x) = {_poly_tex(anti)}$, and $F({_tex(hi)}) - F({_tex(lo)}) = {_tex(fh)} - {_neg(fl)} = {_tex(ans)}$"
    cot = pick(
        lang,
        f"An antiderivative is {calc}. ",
        "一个原函数为 " + calc.replace(", and ", "，于是 ") + "。",
    ) + boxed(_tex(ans), lang)
    code = (
        "from sympy import Rational, integrate, symbols\n\nx = symbols('x')\n"
        f"print(integrate({_poly_py(cs)}, (x, {_rat(lo)}, {_rat(hi)})))\n"
    )
    data = {"type": "definite", "f": [_fj(c) for c in cs], "lo": _fj(lo), "hi": _fj(hi)}
    return Draft(q, _tex(ans), cot, code, "number", data)


def _cal_antideriv(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 3 and rng.random() < 0.5:
        u, v = _rand_poly(rng, 1, -5, 5), _rand_poly(rng, rng.randint(1, 2), -5, 5)
        cs = _pmul(u, v)
        ftex = f"\\left({_poly_tex(u)}\\right)\\left({_poly_tex(v)}\\right)"
        pre_en = f"Expand first: $f(x) = {_poly_tex(cs)}$. "
        pre_zh = f"先展开：$f(x) = {_poly_tex(cs)}$。"
        code_f = f"({_poly_py(u)}) * ({_poly_py(v)})"
    else:
        cs = _rand_poly(rng, rng.randint(2, 3) if level == 2 else rng.randint(3, 4), -9, 9)
        ftex, pre_en, pre_zh, code_f = _poly_tex(cs), "", "", _poly_py(cs)
    anti = _pinteg(cs)
    ans = _poly_tex(anti)
    q = pick(
        lang,
        f"Find the antiderivative $F(x)$ of $f(x) = {ftex}$ that satisfies $F(0) = 0$.",
        f"求函数 $f(x) = {ftex}$ 满足 $F(0) = 0$ 的原函数 $F(x)$。",
    )
    cot = pick(
        lang,
        pre_en
        + f"Integrate term by term with $\\int x^n\\,dx = \\frac{{x^{{n+1}}}}{{n+1}}$; $F(0) = 0$ makes the "
        f"constant zero: $F(x) = {ans}$. ",
        pre_zh + f"利用 $\\int x^n\\,dx = \\frac{{x^{{n+1}}}}{{n+1}}$ 逐项积分，由 $F(0) = 0$ 知常数项为 0："
        f"$F(x) = {ans}$。",
    ) + boxed(ans, lang)
    code = (
        "from sympy import Rational, integrate, latex, symbols\n\nx = symbols('x')\n"
        f"print(latex(integrate({code_f}, x)))\n"
    )
    return Draft(q, ans, cot, code, "expr", {"type": "antideriv", "f": [_fj(c) for c in cs]})


_CAL = {
    "deriv_poly": _cal_deriv_poly,
    "deriv_product": _cal_deriv_product,
    "deriv_chain": _cal_deriv_chain,
    "deriv_at": _cal_deriv_at,
    "definite": _cal_definite,
    "antideriv": _cal_antideriv,
}
_CAL_LEVELS = {
    1: ("deriv_poly", "deriv_at", "definite"),
    2: ("deriv_poly", "deriv_product", "deriv_at", "definite", "antideriv"),
    3: ("deriv_poly", "deriv_chain", "deriv_at", "definite", "antideriv"),
}


def make_calculus(rng: random.Random, lang: str, level: int) -> Draft:
    return _CAL[rng.choice(_CAL_LEVELS[level])](rng, lang, level)


_H = Fraction(1, 10**12)
_POINTS = (Fraction(1, 3), Fraction(-5, 7), Fraction(6, 5), Fraction(-13, 4), Fraction(9, 11))


def _calc_f(data: dict, t: Fraction) -> Fraction:
    """The original function, evaluated exactly from its factored form."""
    form = data["form"]
    if form == "poly":
        return _peval([_fr(c) for c in data["f"]], t)
    if form == "product":
        return _peval([_fr(c) for c in data["u"]], t) * _peval([_fr(c) for c in data["v"]], t)
    return _peval([_fr(c) for c in data["inner"]], t) ** data["n"]


def check_calculus(d: Draft) -> bool:
    """Derivatives: exact central differences at rational points against the answer's value there.
    Integrals: sympy's polynomial antiderivative, at the bounds or at more points than the degree."""
    import sympy

    x, t = d.data, d.data["type"]
    X = sympy.Symbol("x")

    def srat(v: Fraction) -> sympy.Rational:
        return sympy.Rational(v.numerator, v.denominator)

    if t == "definite":
        got = _exact(d.answer)
        if got is None:
            return False
        anti = sympy.Poly(_sym_poly([_fr(c) for c in x["f"]], X), X).integrate()
        return anti.eval(srat(_fr(x["hi"]))) - anti.eval(srat(_fr(x["lo"]))) == srat(got)
    if t == "deriv_at":
        got = _exact(d.answer)
        if got is None:
            return False
        cs = [_fr(c) for c in x["f"]]
        tt = _fr(x["t"])
        cd = (_peval(cs, tt + _H) - _peval(cs, tt - _H)) / (2 * _H)
        return abs(cd - got) <= Fraction(1, 10**9) * (1 + abs(got))
    if t == "antideriv":
        cs = [_fr(c) for c in x["f"]]
        anti = sympy.Poly(_sym_poly(cs, X), X).integrate()  # the antiderivative with F(0) = 0
        if _value_at(d.answer, Fraction(0)) != 0:
            return False
        for k in range(anti.degree() + 2):
            p = Fraction(2 * k - 3, k + 2)
            got = _value_at(d.answer, p)
            if got is None or srat(got) != anti.eval(srat(p)):
                return False
            # and its slope there is the integrand
            lo, hi = _value_at(d.answer, p - _H), _value_at(d.answer, p + _H)
            if (
                lo is None
                or hi is None
                or abs((hi - lo) / (2 * _H) - _peval(cs, p)) > Fraction(1, 10**9) * (1 + abs(_peval(cs, p)))
            ):
                return False
        return True
    if t == "deriv":
        for p in _POINTS:
            val = _value_at(d.answer, p)
            if val is None:
                return False
            cd = (_calc_f(x, p + _H) - _calc_f(x, p - _H)) / (2 * _H)
            if abs(cd - val) > Fraction(1, 10**9) * (1 + abs(val)):
                return False
        return True
    return False


FAMILIES = (
    Family(
        "sequences",
        "arithmetic and geometric sequences: terms, sums, differences, ratios",
        make_sequences,
        check_sequences,
    ),
    Family(
        "number_theory",
        "gcd, lcm, divisors, primes, modular powers and remainders",
        make_number_theory,
        check_number_theory,
    ),
    Family(
        "counting_probability",
        "permutations, combinations and probabilities with dice, coins and urns",
        make_counting_probability,
        check_counting_probability,
    ),
    Family(
        "geometry_formulas",
        "areas, perimeters, volumes, surface areas and the Pythagorean theorem",
        make_geometry_formulas,
        check_geometry_formulas,
    ),
    Family(
        "function_values",
        "evaluating, composing and inverting polynomial and rational functions",
        make_function_values,
        check_function_values,
    ),
    Family(
        "calculus",
        "derivatives of polynomials, products and powers; definite and indefinite integrals",
        make_calculus,
        check_calculus,
    ),
)
