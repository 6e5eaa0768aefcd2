"""Fractions and percentages, ratio and rate, unit conversion, 2×2 linear systems, quadratics, and linear
inequalities.

Every ``make`` builds its problem from the answer outwards (or solves it with ``fractions.Fraction``); every
``check`` verifies the gold answer string by another route: substituting it back into the original
constraints, recomputing with sympy, using a second, independently written unit table, long division, or
testing points either side of an inequality's boundary.
"""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick

# ---------------------------------------------------------------------------------------------------------
# shared helpers


def _fmt(v: Fraction | int) -> str:
    """LaTeX for an exact rational: ``3``, ``\\frac{3}{4}``, ``-\\frac{3}{4}``."""
    v = Fraction(v)
    if v.denominator == 1:
        return str(v.numerator)
    sign = "-" if v < 0 else ""
    return f"{sign}\\frac{{{abs(v.numerator)}}}{{{v.denominator}}}"


def _fr(n: int, d: int) -> str:
    """An unreduced fraction n/d in LaTeX (sign in front)."""
    if d == 1:
        return str(n)
    return f"{'-' if n < 0 else ''}\\frac{{{abs(n)}}}{{{d}}}"


def _dec(v: Fraction | int) -> str | None:
    """The exact decimal expansion of ``v`` if it terminates ("12.5", "-0.375", "3"), else None."""
    v = Fraction(v)
    den, k2, k5 = v.denominator, 0, 0
    while den % 2 == 0:
        den //= 2
        k2 += 1
    while den % 5 == 0:
        den //= 5
        k5 += 1
    if den != 1:
        return None
    k = max(k2, k5)
    digits = str(abs(v.numerator) * 10**k // v.denominator).rjust(k + 1, "0")
    out = f"{digits[:-k]}.{digits[-k:]}".rstrip("0").rstrip(".") if k else digits
    return ("-" if v < 0 else "") + out


def _nice(v: Fraction | int) -> str:
    """A terminating decimal when there is one, otherwise a LaTeX fraction."""
    d = _dec(v)
    return d if d is not None else _fmt(v)


def _py(v: Fraction | int) -> str:
    v = Fraction(v)
    return str(v.numerator) if v.denominator == 1 else f"Fraction({v.numerator}, {v.denominator})"


def _money(cents: int) -> str:
    """Display form of an amount of money: 15 → "15", 750 cents → "7.50"."""
    return str(cents // 100) if cents % 100 == 0 else f"{cents // 100}.{cents % 100:02d}"


def _p(n: int) -> str:
    """An integer as a factor or subtrahend: negatives in parentheses."""
    return str(n) if n >= 0 else f"({n})"


def _pair(v: Fraction) -> list[int]:
    v = Fraction(v)
    return [v.numerator, v.denominator]


_FRAC_RE = re.compile(r"^(-?)\\frac\{(\d+)\}\{(\d+)\}$")
_DEC_RE = re.compile(r"^-?\d+(?:\.\d+)?$")


def _parse(s: str) -> Fraction | None:
    """Read a canonical gold number (integer, decimal, or ``\\frac`` in lowest terms) exactly; written here,
    not borrowed from the grader, so that the checks do not depend on it."""
    s = s.strip()
    m = _FRAC_RE.match(s)
    if m:
        n, d = int(m.group(2)), int(m.group(3))
        if d < 2 or n == 0 or math.gcd(n, d) != 1:
            return None
        return -Fraction(n, d) if m.group(1) else Fraction(n, d)
    if _DEC_RE.match(s):
        return Fraction(s)
    return None


def _split_pair(s: str) -> tuple[str, str] | None:
    s = s.strip()
    if not (s.startswith("(") and s.endswith(")")):
        return None
    parts = s[1:-1].split(", ")
    return (parts[0], parts[1]) if len(parts) == 2 else None


_SHOW = """from decimal import Decimal
from fractions import Fraction


def show(q):
    q = Fraction(q)
    if q.denominator == 1:
        return str(q.numerator)
    d = q.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    return format(Decimal(q.numerator) / Decimal(q.denominator), "f") if d == 1 else str(q)


"""

_NAMES_EN = ["Alice", "Ben", "Carmen", "David", "Emma", "Farid", "Grace", "Hiro", "Ivy", "Jonas"]
_NAMES_ZH = ["小明", "小红", "小刚", "小丽", "小华", "小军", "小芳", "小强", "小燕", "小龙"]


def _names(rng: random.Random, lang: str, k: int) -> list[str]:
    return rng.sample(_NAMES_ZH if lang == "zh" else _NAMES_EN, k)


# ---------------------------------------------------------------------------------------------------------
# 1. fractions, decimals and percentages


def _operand(rng: random.Random, level: int, mixed: bool) -> tuple[Fraction, str, str, str]:
    """(value, LaTeX, Python, sympy text) for a proper fraction or, when ``mixed``, a mixed number."""
    d = rng.randint(2, {1: 9, 2: 12, 3: 12}[level])
    n = rng.choice([k for k in range(1, d) if math.gcd(k, d) == 1])
    whole = rng.randint(1, 3) if mixed else 0
    v = whole + Fraction(n, d)
    tex = f"{whole if whole else ''}\\frac{{{n}}}{{{d}}}"
    py = f"Fraction({v.numerator}, {v.denominator})"
    sy = f"({whole} + {n}/{d})" if whole else f"({n}/{d})"
    return v, tex, py, sy


_OP_TEX = {"+": "+", "-": "-", "*": "\\times", "/": "\\div"}


def _frac_step(a: Fraction, op: str, b: Fraction, lang: str) -> tuple[Fraction, str]:
    """One arithmetic step with its explanation."""
    if op in "+-":
        lcd = a.denominator * b.denominator // math.gcd(a.denominator, b.denominator)
        na, nb = a.numerator * (lcd // a.denominator), b.numerator * (lcd // b.denominator)
        r = a + b if op == "+" else a - b
        tot = na + nb if op == "+" else na - nb
        chain = f"{_fmt(a)} {op} {_fmt(b)} = {_fr(na, lcd)} {op} {_fr(nb, lcd)} = {_fr(tot, lcd)}"
        if _fr(tot, lcd) != _fmt(r):
            chain += f" = {_fmt(r)}"
        text = pick(
            lang, f"With the common denominator {lcd}: ${chain}$. ", f"通分，公分母为 {lcd}：${chain}$。"
        )
    elif op == "*":
        r = a * b
        chain = (
            f"{_fmt(a)} \\times {_fmt(b)} = \\frac{{{a.numerator} \\times {b.numerator}}}"
            f"{{{a.denominator} \\times {b.denominator}}} = {_fmt(r)}"
        )
        text = pick(
            lang,
            f"Multiply numerators and denominators: ${chain}$. ",
            f"分子乘分子，分母乘分母：${chain}$。",
        )
    else:
        r = a / b
        chain = f"{_fmt(a)} \\div {_fmt(b)} = {_fmt(a)} \\times {_fr(b.denominator, b.numerator)} = {_fmt(r)}"
        text = pick(
            lang,
            f"Dividing by a fraction is multiplying by its reciprocal: ${chain}$. ",
            f"除以一个分数等于乘它的倒数：${chain}$。",
        )
    return r, text


def _make_frac_arith(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1:
        template, ops = "T1", [rng.choice("+-*")]
    elif level == 2:
        template = rng.choice(["T1", "T2"])
        ops = [rng.choice("*/")] if template == "T1" else [rng.choice("+-"), rng.choice("+-")]
    else:
        template = rng.choice(["T3", "T4"])
        ops = [rng.choice("+-"), rng.choice("*/")]
    n = len(ops) + 1
    mixed = [
        (level >= 2 and template == "T1" and rng.random() < 0.5) or (level == 3 and rng.random() < 0.35)
        for _ in range(n)
    ]
    ops_ = [_operand(rng, level, m) for m in mixed]
    vals = [o[0] for o in ops_]
    tex = [o[1] for o in ops_]
    py = [o[2] for o in ops_]
    sy = [o[3] for o in ops_]
    steps = ""
    if any(mixed):
        conv = ", ".join(f"{t} = {_fmt(v)}" for t, v, m in zip(tex, vals, mixed, strict=True) if m)
        steps += pick(
            lang,
            f"Write the mixed numbers as improper fractions: ${conv}$. ",
            f"先把带分数化成假分数：${conv}$。",
        )
    o = [_OP_TEX[x] for x in ops]
    if template == "T1":
        expr_tex = f"{tex[0]} {o[0]} {tex[1]}"
        expr_py, expr_sy = f"{py[0]} {ops[0]} {py[1]}", f"{sy[0]} {ops[0]} {sy[1]}"
        value, t1 = _frac_step(vals[0], ops[0], vals[1], lang)
        steps += t1
    elif template == "T2":  # A ± B ± C, left to right
        expr_tex = f"{tex[0]} {o[0]} {tex[1]} {o[1]} {tex[2]}"
        expr_py = f"{py[0]} {ops[0]} {py[1]} {ops[1]} {py[2]}"
        expr_sy = f"{sy[0]} {ops[0]} {sy[1]} {ops[1]} {sy[2]}"
        r1, t1 = _frac_step(vals[0], ops[0], vals[1], lang)
        value, t2 = _frac_step(r1, ops[1], vals[2], lang)
        steps += pick(lang, "Work from left to right. ", "从左到右依次计算。") + t1 + t2
    elif template == "T3":  # (A ± B) ×÷ C
        expr_tex = f"\\left({tex[0]} {o[0]} {tex[1]}\\right) {o[1]} {tex[2]}"
        expr_py = f"({py[0]} {ops[0]} {py[1]}) {ops[1]} {py[2]}"
        expr_sy = f"({sy[0]} {ops[0]} {sy[1]}) {ops[1]} {sy[2]}"
        r1, t1 = _frac_step(vals[0], ops[0], vals[1], lang)
        value, t2 = _frac_step(r1, ops[1], vals[2], lang)
        steps += pick(lang, "Parentheses first. ", "先算括号里的。") + t1 + t2
    else:  # A ± B ×÷ C: the product or quotient first
        expr_tex = f"{tex[0]} {o[0]} {tex[1]} {o[1]} {tex[2]}"
        expr_py = f"{py[0]} {ops[0]} {py[1]} {ops[1]} {py[2]}"
        expr_sy = f"{sy[0]} {ops[0]} {sy[1]} {ops[1]} {sy[2]}"
        r1, t1 = _frac_step(vals[1], ops[1], vals[2], lang)
        value, t2 = _frac_step(vals[0], ops[0], r1, lang)
        steps += pick(
            lang, "Multiplication and division come before addition and subtraction. ", "先算乘除，再算加减。"
        )
        steps += t1 + t2
    q = pick(
        lang,
        f"Compute ${expr_tex}$. Give the answer as a fraction in lowest terms (or an integer).",
        f"计算 ${expr_tex}$，结果写成最简分数（或整数）。",
    )
    code = f"from fractions import Fraction\n\nprint({expr_py})\n"
    return Draft(
        q, _fmt(value), steps + boxed(_fmt(value), lang), code, "number", {"sub": "arith", "expr": expr_sy}
    )


def _make_frac_convert(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1:
        sub = rng.choice(["to_decimal", "to_fraction"])
    elif level == 2:
        sub = rng.choice(["pct_to_frac", "frac_to_pct", "to_fraction"])
    else:
        sub = rng.choice(["repeating", "repeating", "pct_to_frac"])
    if sub == "to_decimal":
        d = rng.choice([2, 4, 5, 8, 10, 16, 20, 25, 40, 50])
        n = rng.choice([k for k in range(1, 3 * d) if math.gcd(k, d) == 1 and k % d])
        value = Fraction(n, d)
        ans = _dec(value)
        assert ans is not None
        k = len(ans.split(".")[1]) if "." in ans else 0
        m = 10**k // d
        q = pick(
            lang, f"Write $\\frac{{{n}}}{{{d}}}$ as a decimal.", f"把分数 $\\frac{{{n}}}{{{d}}}$ 化成小数。"
        )
        chain = f"\\frac{{{n}}}{{{d}}} = \\frac{{{n} \\times {m}}}{{{d} \\times {m}}} = \\frac{{{n * m}}}{{{10**k}}} = {ans}"
        if m == 1:
            chain = f"\\frac{{{n}}}{{{d}}} = {ans}"
        cot = pick(
            lang, f"Scale the denominator to a power of ten: ${chain}$. ", f"把分母化成 10 的幂：${chain}$。"
        )
        code = f"from decimal import Decimal\n\nprint(Decimal({n}) / Decimal({d}))\n"
        data = {"sub": sub, "n": n, "d": d}
    elif sub == "to_fraction":
        places = rng.choice([1, 2, 2]) if level == 1 else rng.choice([2, 3])
        whole = 0 if level == 1 else rng.randint(0, 4)
        while True:
            frac_digits = rng.randint(1, 10**places - 1)
            if frac_digits % 10:
                break
        text = f"{whole}.{str(frac_digits).rjust(places, '0')}"
        value = Fraction(text)
        raw = int(text.replace(".", ""))
        g = math.gcd(raw, 10**places)
        ans = _fmt(value)
        q = pick(
            lang,
            f"Write ${text}$ as a fraction in lowest terms.",
            f"把小数 ${text}$ 化成最简分数。",
        )
        chain = f"{text} = \\frac{{{raw}}}{{{10**places}}}" + (f" = {ans}" if g > 1 else "")
        reduce_en = (
            f"divide numerator and denominator by their greatest common divisor {g}"
            if g > 1
            else "it is already in lowest terms"
        )
        reduce_zh = f"再约去最大公因数 {g}" if g > 1 else "它已经是最简分数"
        cot = pick(
            lang,
            f"${text}$ has {places} decimal place{'s' if places > 1 else ''}, so write it over $10^{places}$; {reduce_en}: "
            f"${chain}$. ",
            f"${text}$ 有 {places} 位小数，先写成分母为 $10^{places}$ 的分数，{reduce_zh}：${chain}$。",
        )
        code = f'from fractions import Fraction\n\nprint(Fraction("{text}"))\n'
        data = {"sub": sub, "text": text}
    elif sub == "pct_to_frac":
        if level == 3:
            p = Fraction(rng.choice([k for k in range(1, 400) if k % 2]), 2)  # 12.5%, 37.5%, …
        else:
            p = Fraction(rng.choice([k for k in range(1, 300) if k % 100]))
        ptxt = _dec(p)
        value = p / 100
        ans = _fmt(value)
        q = pick(
            lang,
            f"Write ${ptxt}\\%$ as a fraction in lowest terms.",
            f"把 ${ptxt}\\%$ 化成最简分数。",
        )
        chain = f"{ptxt}\\% = \\frac{{{ptxt}}}{{100}}"
        if p.denominator != 1:
            chain += f" = \\frac{{{p.numerator}}}{{{100 * p.denominator}}}"
        if value.denominator != 100 * p.denominator:  # it reduces further
            chain += f" = {ans}"
        cot = pick(lang, f"Percent means per hundred: ${chain}$. ", f"百分数表示百分之几：${chain}$。")
        code = f'from fractions import Fraction\n\nprint(Fraction("{ptxt}") / 100)\n'
        data = {"sub": sub, "p": _pair(p)}
    elif sub == "frac_to_pct":
        d = rng.choice([2, 4, 5, 8, 10, 16, 20, 25, 40, 50])
        n = rng.choice([k for k in range(1, 2 * d) if math.gcd(k, d) == 1 and k % d])
        pct = Fraction(n * 100, d)
        ptxt = _dec(pct)
        ans = f"{ptxt}\\%"
        q = pick(
            lang, f"Write $\\frac{{{n}}}{{{d}}}$ as a percentage.", f"把 $\\frac{{{n}}}{{{d}}}$ 化成百分数。"
        )
        chain = f"\\frac{{{n}}}{{{d}}} = \\frac{{{n}}}{{{d}}} \\times 100\\% = {ans}"
        cot = pick(lang, f"Multiply by $100\\%$: ${chain}$. ", f"乘以 $100\\%$：${chain}$。")
        code = f"from decimal import Decimal\n\nprint(str(Decimal({n}) * 100 / Decimal({d})) + '%')\n"
        data = {"sub": sub, "n": n, "d": d}
    else:  # repeating decimal → fraction
        while True:
            pre_len = rng.choice([0, 0, 1])
            rep_len = rng.choice([1, 2, 2, 3])
            pre = "".join(rng.choice("0123456789") for _ in range(pre_len))
            rep = "".join(rng.choice("0123456789") for _ in range(rep_len))
            if set(rep) in ({"0"}, {"9"}) or (rep_len > 1 and len(set(rep)) == 1):
                continue
            if pre and pre[-1] == rep[-1]:  # 0.1\overline{21} would be 0.\overline{12}: keep the short form
                continue
            break
        num = int(pre + rep) - (int(pre) if pre else 0)
        den = 10**pre_len * (10**rep_len - 1)
        value = Fraction(num, den)
        ans = _fmt(value)
        shown = f"0.{pre}\\overline{{{rep}}}"
        q = pick(
            lang, f"Write ${shown}$ as a fraction in lowest terms.", f"把循环小数 ${shown}$ 化成最简分数。"
        )
        big, small = 10 ** (pre_len + rep_len), 10**pre_len
        if pre_len:
            eq = (
                f"Let $x = {shown}$. Then ${big}x = {int(pre + rep)}.\\overline{{{rep}}}$ and ${small}x = {int(pre)}.\\overline{{{rep}}}$; "
                f"subtracting, ${big - small}x = {int(pre + rep) - int(pre)}$"
            )
            eq_zh = (
                f"设 $x = {shown}$，则 ${big}x = {int(pre + rep)}.\\overline{{{rep}}}$，${small}x = {int(pre)}.\\overline{{{rep}}}$，"
                f"两式相减得 ${big - small}x = {int(pre + rep) - int(pre)}$"
            )
        else:
            eq = f"Let $x = {shown}$. Then ${big}x = {int(rep)}.\\overline{{{rep}}}$; subtracting $x$, ${big - 1}x = {int(rep)}$"
            eq_zh = f"设 $x = {shown}$，则 ${big}x = {int(rep)}.\\overline{{{rep}}}$，减去 $x$ 得 ${big - 1}x = {int(rep)}$"
        xs = _fr(num, den) if _fr(num, den) == ans else f"{_fr(num, den)} = {ans}"
        cot = pick(lang, f"{eq}, so $x = {xs}$. ", f"{eq_zh}，所以 $x = {xs}$。")
        code = f"from fractions import Fraction\n\nprint(Fraction({int(pre + rep)} - {int(pre) if pre else 0}, {den}))\n"
        data = {"sub": sub, "pre": pre, "rep": rep}
    return Draft(q, ans, cot + boxed(ans, lang), code, "number", data)


def _make_percent(rng: random.Random, lang: str, level: int) -> Draft:
    sub = "pct_of" if level < 3 else rng.choice(["reverse", "what_pct", "successive"])
    if sub == "pct_of":
        if level == 1:
            p = rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 80, 90])
            step = 100 // math.gcd(p, 100)
            n = step * rng.randint(1, max(1, 400 // step))
        else:
            p, n = rng.randint(1, 99), rng.randint(11, 999)
        value = Fraction(p * n, 100)
        ans = _nice(value)
        q = pick(lang, f"What is ${p}\\%$ of ${n}$?", f"${n}$ 的 ${p}\\%$ 是多少？")
        chain = f"{n} \\times {p}\\% = {n} \\times \\frac{{{p}}}{{100}} = \\frac{{{p * n}}}{{100}} = {ans}"
        cot = pick(lang, f"${chain}$. ", f"${chain}$。")
        code = _SHOW + f"print(show(Fraction({p}, 100) * {n}))\n"
        data = {"sub": sub, "p": p, "n": n}
    elif sub == "reverse":
        up = rng.random() < 0.4
        while True:
            p, orig = rng.choice([5, 10, 12, 15, 20, 25, 30, 35, 40]), rng.randint(20, 400)
            after = Fraction(orig * (100 + p if up else 100 - p), 100)
            if (after * 100).denominator == 1:
                break
        shown = _dec(after)
        factor = _dec(Fraction(100 + p if up else 100 - p, 100))
        if up:
            q = pick(
                lang,
                f"After a ${p}\\%$ increase, the price of a bicycle is ${shown}$ dollars. What was the price before the increase?",
                f"一辆自行车涨价 ${p}\\%$ 后售价为 ${shown}$ 元，涨价前的售价是多少元？",
            )
        else:
            q = pick(
                lang,
                f"After a ${p}\\%$ discount, a jacket costs ${shown}$ dollars. What was the original price in dollars?",
                f"一件外套打折降价 ${p}\\%$ 后售价为 ${shown}$ 元，原价是多少元？",
            )
        chain = f"x \\times {factor} = {shown}, \\quad x = {shown} \\div {factor} = {orig}"
        cot = pick(
            lang,
            f"The new price is ${100 + p if up else 100 - p}\\%$ of the original price $x$: ${chain}$. ",
            f"设原价为 $x$，现价是原价的 ${100 + p if up else 100 - p}\\%$：${chain}$。",
        )
        code = _SHOW + f'print(show(Fraction("{shown}") / Fraction({100 + p if up else 100 - p}, 100)))\n'
        ans = str(orig)
        data = {"sub": sub, "p": p if up else -p, "after": shown}
    elif sub == "what_pct":
        while True:
            whole = rng.randint(8, 400)
            part = rng.randint(1, 2 * whole)
            pct = Fraction(part * 100, whole)
            if _dec(pct) is not None and part != whole and len(_dec(pct)) <= 5:
                break
        ans = f"{_dec(pct)}\\%"
        q = pick(lang, f"What percent of ${whole}$ is ${part}$?", f"${part}$ 是 ${whole}$ 的百分之几？")
        chain = f"\\frac{{{part}}}{{{whole}}} \\times 100\\% = {ans}"
        cot = pick(lang, f"Divide the part by the whole: ${chain}$. ", f"用部分除以整体：${chain}$。")
        code = _SHOW + f"print(show(Fraction({part}, {whole}) * 100) + '%')\n"
        data = {"sub": sub, "part": part, "whole": whole}
    else:  # successive percentage changes
        while True:
            n = rng.randint(2, 60) * 10
            p, r = rng.choice([10, 20, 25, 30, 50]), rng.choice([10, 20, 25, 40, 50])
            final = Fraction(n * (100 + p) * (100 - r), 10000)
            if (final * 100).denominator == 1:
                break
        mid = Fraction(n * (100 + p), 100)
        ans = _dec(final)
        q = pick(
            lang,
            f"A price of ${n}$ dollars is raised by ${p}\\%$, and the new price is then lowered by ${r}\\%$. "
            "What is the final price in dollars?",
            f"一件商品原价 ${n}$ 元，先提价 ${p}\\%$，再在新价格的基础上降价 ${r}\\%$，现价是多少元？",
        )
        chain = f"{n} \\times {_dec(Fraction(100 + p, 100))} = {_dec(mid)}, \\quad {_dec(mid)} \\times {_dec(Fraction(100 - r, 100))} = {ans}"
        cot = pick(
            lang,
            f"Apply the two changes one after the other: ${chain}$. ",
            f"两次变化依次计算：${chain}$。",
        )
        code = (
            _SHOW
            + f"price = Fraction({n})\nprice *= Fraction({100 + p}, 100)\nprice *= Fraction({100 - r}, 100)\nprint(show(price))\n"
        )
        data = {"sub": sub, "n": n, "p": p, "r": r}
    assert ans is not None
    return Draft(q, ans, cot + boxed(ans, lang), code, "number", data)


def make_fractions(rng: random.Random, lang: str, level: int) -> Draft:
    kind = rng.choices(["arith", "convert", "percent"], weights=[4, 3, 3])[0]
    if kind == "arith":
        return _make_frac_arith(rng, lang, level)
    if kind == "convert":
        return _make_frac_convert(rng, lang, level)
    return _make_percent(rng, lang, level)


def _long_division(n: int, d: int, k: int) -> str:
    """The first ``k`` digits after the decimal point of n/d (0 ≤ n/d < 1)."""
    out = []
    for _ in range(k):
        n *= 10
        out.append(str(n // d))
        n %= d
    return "".join(out)


def check_fractions(d: Draft) -> bool:
    import sympy

    data, ans = d.data, d.answer
    sub = data["sub"]
    if sub in ("frac_to_pct", "what_pct"):
        if not ans.endswith("\\%"):
            return False
        pct = _parse(ans[:-2])
        if pct is None:
            return False
        if sub == "frac_to_pct":  # pct / 100 = n / d, cross-multiplied
            return pct * data["d"] == 100 * data["n"]
        return pct * data["whole"] == 100 * data["part"]
    v = _parse(ans)
    if v is None:
        return False
    if sub == "arith":
        return sympy.Rational(v.numerator, v.denominator) == sympy.sympify(data["expr"])
    if sub == "to_decimal":
        if not _DEC_RE.match(ans):
            return False
        places = len(ans.split(".")[1]) if "." in ans else 0
        return int(ans.replace(".", "")) * data["d"] == data["n"] * 10**places
    if sub == "to_fraction":
        whole, frac = data["text"].split(".")
        return v * 10 ** len(frac) == int(whole + frac)
    if sub == "pct_to_frac":
        return v * 100 == Fraction(*data["p"])
    if sub == "repeating":  # long division of the answer reproduces the repeating pattern
        pre, rep = data["pre"], data["rep"]
        if not 0 < v < 1:
            return False
        want = (pre + rep * 40)[:40]
        return _long_division(v.numerator, v.denominator, 40) == want
    if sub == "pct_of":
        return v * 100 == data["p"] * data["n"]
    if sub == "reverse":  # the original price, changed by p%, gives the stated price
        return v * (100 + data["p"]) == Fraction(data["after"]) * 100
    if sub == "successive":
        price = (
            sympy.Rational(data["n"])
            * (1 + sympy.Rational(data["p"], 100))
            * (1 - sympy.Rational(data["r"], 100))
        )
        return sympy.Rational(v.numerator, v.denominator) == price
    return False


# ---------------------------------------------------------------------------------------------------------
# 2. ratio and rate


def _make_speed(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    if level == 1:
        v, t = rng.randrange(20, 95, 5), rng.randint(2, 6)
        dist = v * t
        ask = rng.choice("dvt")
        if ask == "d":
            q = pick(
                lang,
                f"A car travels at {v} km/h for {t} hours. How many kilometers does it travel?",
                f"一辆汽车以每小时 {v} 千米的速度行驶了 {t} 小时，一共行驶了多少千米？",
            )
            value, chain = Fraction(dist), f"{v} \\times {t} = {dist}"
            expl = pick(lang, "Distance = speed × time: ", "路程 = 速度 × 时间：")
        elif ask == "v":
            q = pick(
                lang,
                f"A train covers {dist} km in {t} hours at a constant speed. What is its speed in km/h?",
                f"一列火车匀速行驶，{t} 小时行驶了 {dist} 千米，它的速度是每小时多少千米？",
            )
            value, chain = Fraction(v), f"{dist} \\div {t} = {v}"
            expl = pick(lang, "Speed = distance ÷ time: ", "速度 = 路程 ÷ 时间：")
        else:
            q = pick(
                lang,
                f"How many hours does it take to travel {dist} km at {v} km/h?",
                f"以每小时 {v} 千米的速度行驶 {dist} 千米，需要多少小时？",
            )
            value, chain = Fraction(t), f"{dist} \\div {v} = {t}"
            expl = pick(lang, "Time = distance ÷ speed: ", "时间 = 路程 ÷ 速度：")
        ans = _nice(value)
        cot = expl + f"${chain}$" + pick(lang, ". ", "。")
        code = f"print({v} * {t})\n" if ask == "d" else f"print({dist} // {t if ask == 'v' else v})\n"
        data = {
            "sub": "speed",
            "ask": ask,
            "d": _pair(Fraction(dist)),
            "v": _pair(Fraction(v)),
            "t": _pair(Fraction(t)),
        }
        return q, ans, cot, code, data
    if level == 2:
        while True:
            v, mins = rng.randrange(12, 121, 6), rng.randrange(10, 175, 5)
            dist = Fraction(v * mins, 60)
            if _dec(dist) is not None:
                break
        if rng.random() < 0.5:
            q = pick(
                lang,
                f"A cyclist rides at {v} km/h for {mins} minutes. How many kilometers does she ride?",
                f"一名骑车人以每小时 {v} 千米的速度骑行了 {mins} 分钟，骑行了多少千米？",
            )
            value = dist
            chain = f"{mins} \\text{{ min}} = \\frac{{{mins}}}{{60}} \\text{{ h}}, \\quad {v} \\times \\frac{{{mins}}}{{60}} = {_nice(dist)}"
            if lang == "zh":
                chain = chain.replace("\\text{ min}", "\\text{ 分钟}").replace("\\text{ h}", "\\text{ 小时}")
            cot = pick(
                lang,
                f"Convert the time to hours, then distance = speed × time: ${chain}$. ",
                f"先把时间化成小时，再用路程 = 速度 × 时间：${chain}$。",
            )
            code = _SHOW + f"print(show(Fraction({v}) * Fraction({mins}, 60)))\n"
            data = {
                "sub": "speed",
                "ask": "d",
                "d": None,
                "v": _pair(Fraction(v)),
                "t": _pair(Fraction(mins, 60)),
            }
        else:
            q = pick(
                lang,
                f"How many minutes does it take to travel {_nice(dist)} km at {v} km/h?",
                f"以每小时 {v} 千米的速度行驶 {_nice(dist)} 千米，需要多少分钟？",
            )
            value = Fraction(mins)
            chain = (
                f"{_nice(dist)} \\div {v} = {_nice(dist / v)}, \\quad {_nice(dist / v)} \\times 60 = {mins}"
            )
            cot = pick(
                lang,
                f"Time in hours is distance ÷ speed, then multiply by 60 to get minutes: ${chain}$. ",
                f"时间（小时）= 路程 ÷ 速度，再乘 60 化成分钟：${chain}$。",
            )
            code = _SHOW + f'print(show(Fraction("{_nice(dist)}") / {v} * 60))\n'
            data = {"sub": "speed", "ask": "t_min", "d": _pair(dist), "v": _pair(Fraction(v)), "t": None}
        return q, _nice(value), cot, code, data
    if rng.random() < 0.5:  # meeting head-on
        v1, v2 = rng.randrange(30, 100, 5), rng.randrange(30, 100, 5)
        t = rng.choice(
            [
                Fraction(1),
                Fraction(3, 2),
                Fraction(2),
                Fraction(5, 2),
                Fraction(3),
                Fraction(3, 4),
                Fraction(5, 4),
            ]
        )
        dist = (v1 + v2) * t
        q = pick(
            lang,
            f"Two towns are {_nice(dist)} km apart. Two cars leave the towns at the same time and drive towards each other, "
            f"one at {v1} km/h and the other at {v2} km/h. After how many hours do they meet?",
            f"甲、乙两地相距 {_nice(dist)} 千米，两辆汽车同时从两地出发相向而行，速度分别是每小时 {v1} 千米和每小时 {v2} 千米。"
            "经过多少小时两车相遇？",
        )
        chain = f"{_nice(dist)} \\div ({v1} + {v2}) = {_nice(dist)} \\div {v1 + v2} = {_nice(t)}"
        cot = pick(
            lang,
            f"Moving towards each other, they close the gap at ${v1} + {v2} = {v1 + v2}$ km/h, so the time is ${chain}$. ",
            f"相向而行，两车每小时共行 ${v1} + {v2} = {v1 + v2}$ 千米，所以相遇时间为 ${chain}$。",
        )
        code = _SHOW + f'print(show(Fraction("{_nice(dist)}") / ({v1} + {v2})))\n'
        return q, _nice(t), cot, code, {"sub": "meet", "dist": _pair(dist), "v1": v1, "v2": v2}
    v1, v2 = rng.sample(range(20, 101, 10), 2)
    avg = Fraction(2 * v1 * v2, v1 + v2)
    q = pick(
        lang,
        f"A car drives from A to B at {v1} km/h and returns from B to A along the same road at {v2} km/h. "
        "What is its average speed for the whole round trip, in km/h?",
        f"一辆汽车从 A 地到 B 地的速度是每小时 {v1} 千米，沿原路从 B 地返回 A 地的速度是每小时 {v2} 千米。"
        "求往返全程的平均速度（千米/时）。",
    )
    chain = f"\\frac{{2s}}{{\\frac{{s}}{{{v1}}} + \\frac{{s}}{{{v2}}}}} = \\frac{{2 \\times {v1} \\times {v2}}}{{{v1} + {v2}}} = {_nice(avg)}"
    cot = pick(
        lang,
        f"Let each leg be $s$ km. Average speed = total distance ÷ total time $= {chain}$. ",
        f"设单程为 $s$ 千米，平均速度 = 总路程 ÷ 总时间 $= {chain}$。",
    )
    code = _SHOW + f"v1, v2 = {v1}, {v2}\nprint(show(Fraction(2 * v1 * v2, v1 + v2)))\n"
    return q, _nice(avg), cot, code, {"sub": "round_trip", "v1": v1, "v2": v2}


def _make_price(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    item_en, item_zh, unit_zh = rng.choice(
        [
            ("notebooks", "笔记本", "本"),
            ("pens", "钢笔", "支"),
            ("apples", "苹果", "个"),
            ("tickets", "门票", "张"),
        ]
    )
    if level < 3:
        n, m = rng.sample(range(2, 13), 2)
        unit = rng.randint(2, 15) * 100 if level == 1 else rng.randint(35, 999)
        total, target = unit * n, unit * m
        ans = _dec(Fraction(target, 100))
        q = pick(
            lang,
            f"{n} {item_en} cost {_money(total)} dollars. At the same price, how much do {m} {item_en} cost, in dollars?",
            f"{n} {unit_zh}{item_zh}共 {_money(total)} 元，照这样的价格，{m} {unit_zh}{item_zh}要多少元？",
        )
        chain = f"{_money(total)} \\div {n} = {_money(unit)}, \\quad {_money(unit)} \\times {m} = {ans}"
        cot = pick(
            lang,
            f"First find the price of one, then multiply: ${chain}$. ",
            f"先求单价，再乘数量：${chain}$。",
        )
        code = _SHOW + f'unit = Fraction("{_money(total)}") / {n}\nprint(show(unit * {m}))\n'
        return q, ans, cot, code, {"sub": "price", "n": n, "total": _money(total), "m": m}
    grams = rng.choice([200, 250, 400, 500, 750, 1250, 1500, 2500])
    per_kg = rng.randint(2, 40) * 100 + rng.choice([0, 0, 20, 40, 60, 80])
    cost = Fraction(per_kg * grams, 1000)  # in cents
    if cost.denominator != 1:
        per_kg = rng.randint(2, 40) * 100
        cost = Fraction(per_kg * grams, 1000)
    ans = _dec(Fraction(per_kg, 100))
    shown = _money(int(cost))
    food_en, food_zh = rng.choice(
        [("rice", "大米"), ("coffee beans", "咖啡豆"), ("cheese", "奶酪"), ("flour", "面粉")]
    )
    q = pick(
        lang,
        f"A {grams} g bag of {food_en} costs {shown} dollars. What is the price per kilogram, in dollars?",
        f"一袋 {grams} 克的{food_zh}售价 {shown} 元，每千克多少元？",
    )
    chain = f"{shown} \\div {_nice(Fraction(grams, 1000))} = {ans}"
    cot = pick(
        lang,
        f"${grams}$ g $= {_nice(Fraction(grams, 1000))}$ kg, so the price per kilogram is ${chain}$. ",
        f"${grams}$ 克 $= {_nice(Fraction(grams, 1000))}$ 千克，所以每千克的价格是 ${chain}$。",
    )
    code = _SHOW + f'print(show(Fraction("{shown}") / Fraction({grams}, 1000)))\n'
    return q, ans, cot, code, {"sub": "per_kg", "grams": grams, "cost": shown}


def _make_work(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    a_name, b_name = _names(rng, lang, 2)
    if level < 3:
        while True:
            a, b = rng.randint(2, 30), rng.randint(2, 30)
            together = Fraction(a * b, a + b)
            if (together.denominator == 1) == (level == 1) and a != b:
                break
        q = pick(
            lang,
            f"{a_name} can paint a fence alone in {a} hours, and {b_name} can paint it alone in {b} hours. "
            "Working together, how many hours do they need?",
            f"一项粉刷工程，{a_name}单独做需要 {a} 小时完成，{b_name}单独做需要 {b} 小时完成。两人合作需要多少小时完成？",
        )
        chain = f"\\frac{{1}}{{{a}}} + \\frac{{1}}{{{b}}} = {_fmt(Fraction(1, a) + Fraction(1, b))}, \\quad 1 \\div {_fmt(Fraction(1, a) + Fraction(1, b))} = {_fmt(together)}"
        cot = pick(
            lang,
            f"Per hour they do $\\frac{{1}}{{{a}}}$ and $\\frac{{1}}{{{b}}}$ of the job: ${chain}$. ",
            f"两人每小时分别完成工程的 $\\frac{{1}}{{{a}}}$ 和 $\\frac{{1}}{{{b}}}$：${chain}$。",
        )
        code = (
            f"from fractions import Fraction\n\nrate = Fraction(1, {a}) + Fraction(1, {b})\nprint(1 / rate)\n"
        )
        return q, _fmt(together), cot, code, {"sub": "work", "rates": [[1, a], [1, b]], "t0": 0}
    if rng.random() < 0.5:  # inlet and outlet pipes
        while True:
            a, b = rng.randint(2, 12), rng.randint(3, 24)
            if b > a:
                break
        t = Fraction(a * b, b - a)
        q = pick(
            lang,
            f"An inlet pipe fills an empty tank in {a} hours; an outlet pipe empties a full tank in {b} hours. "
            "If both pipes are opened at the same time on an empty tank, how many hours until it is full?",
            f"一个水池，单开进水管 {a} 小时可以注满，单开出水管 {b} 小时可以把满池水放完。"
            "空池时两管同时打开，多少小时能把水池注满？",
        )
        net = Fraction(1, a) - Fraction(1, b)
        chain = (
            f"\\frac{{1}}{{{a}}} - \\frac{{1}}{{{b}}} = {_fmt(net)}, \\quad 1 \\div {_fmt(net)} = {_fmt(t)}"
        )
        cot = pick(
            lang,
            f"Each hour the tank gains $\\frac{{1}}{{{a}}}$ and loses $\\frac{{1}}{{{b}}}$ of its volume: ${chain}$. ",
            f"每小时注入水池的 $\\frac{{1}}{{{a}}}$，放出 $\\frac{{1}}{{{b}}}$：${chain}$。",
        )
        code = (
            f"from fractions import Fraction\n\nrate = Fraction(1, {a}) - Fraction(1, {b})\nprint(1 / rate)\n"
        )
        return q, _fmt(t), cot, code, {"sub": "work", "rates": [[1, a], [-1, b]], "t0": 0}
    while True:
        a, b = rng.randint(3, 15), rng.randint(3, 15)
        t0 = rng.randint(1, 4)
        done = t0 * (Fraction(1, a) + Fraction(1, b))
        if done < 1:
            break
    rest = (1 - done) * b
    total = t0 + rest
    q = pick(
        lang,
        f"{a_name} alone can finish a job in {a} hours, and {b_name} alone in {b} hours. They work together for {t0} "
        f"hour{'s' if t0 > 1 else ''}, then {a_name} leaves and {b_name} finishes the rest alone. "
        "How many hours does the whole job take?",
        f"一项工作，{a_name}单独做 {a} 小时完成，{b_name}单独做 {b} 小时完成。两人先合作 {t0} 小时，"
        f"然后{a_name}离开，剩下的由{b_name}单独完成。完成这项工作一共用了多少小时？",
    )
    chain = (
        f"{t0} \\times \\left(\\frac{{1}}{{{a}}} + \\frac{{1}}{{{b}}}\\right) = {_fmt(done)}, \\quad "
        f"\\left(1 - {_fmt(done)}\\right) \\div \\frac{{1}}{{{b}}} = {_fmt(rest)}, \\quad {t0} + {_fmt(rest)} = {_fmt(total)}"
    )
    cot = pick(
        lang,
        f"Work done together, the time {b_name} needs for the rest, and the total: ${chain}$. ",
        f"先求合作完成的部分，再求{b_name}完成剩余部分所需时间，最后求总时间：${chain}$。",
    )
    code = (
        "from fractions import Fraction\n\n"
        f"done = {t0} * (Fraction(1, {a}) + Fraction(1, {b}))\n"
        f"rest = (1 - done) / Fraction(1, {b})\nprint({t0} + rest)\n"
    )
    return q, _fmt(total), cot, code, {"sub": "work", "rates": [[1, a], [1, b]], "t0": t0}


def _make_split(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    if level == 3 and rng.random() < 0.6:  # a transfer changes the ratio
        while True:
            a, b = rng.sample(range(1, 10), 2)
            if math.gcd(a, b) != 1:
                continue
            m, k = rng.randint(2, 12), rng.randint(1, 20)
            x, y = a * m - k, b * m + k
            if x <= 0:
                continue
            g = math.gcd(x, y)
            c, d = x // g, y // g
            if max(c, d) <= 30 and (c, d) != (a, b):
                break
        p, r = _names(rng, lang, 2)
        au, bu = ("u" if a == 1 else f"{a}u"), ("u" if b == 1 else f"{b}u")
        q = pick(
            lang,
            f"The numbers of stamps {p} and {r} have are in the ratio ${a}:{b}$. After {p} gives {k} stamps to {r}, "
            f"the ratio becomes ${c}:{d}$. How many stamps did {p} have at first?",
            f"{p}和{r}的邮票张数之比是 ${a}:{b}$。{p}给{r} {k} 张邮票后，两人邮票张数之比变为 ${c}:{d}$。"
            f"{p}原来有多少张邮票？",
        )
        chain = (
            f"\\frac{{{au} - {k}}}{{{bu} + {k}}} = \\frac{{{c}}}{{{d}}} \\Rightarrow {d}({au} - {k}) = {c}({bu} + {k})"
            f" \\Rightarrow {d * a - c * b}u = {k * (c + d)} \\Rightarrow u = {m}"
        )
        cot = pick(
            lang,
            f"Let {p} have ${au}$ and {r} have ${bu}$ stamps: ${chain}$, so {p} had ${a} \\times {m} = {a * m}$. ",
            f"设{p}有 ${au}$ 张，{r}有 ${bu}$ 张：${chain}$，所以{p}原来有 ${a} \\times {m} = {a * m}$ 张。",
        )
        code = (
            "from sympy import Eq, solve, symbols\n\nu = symbols('u')\n"
            f"u0 = solve(Eq({d} * ({a} * u - {k}), {c} * ({b} * u + {k})), u)[0]\nprint({a} * u0)\n"
        )
        return q, str(a * m), cot, code, {"sub": "transfer", "ratio": [a, b], "k": k, "after": [c, d]}
    parts = 2 if level == 1 else 3
    while True:
        ratio = [rng.randint(1, 9) for _ in range(parts)]
        if math.gcd(*ratio) == 1 and len(set(ratio)) == parts:
            break
    unit = rng.randint(2, 40 if level < 3 else 120)
    total = unit * sum(ratio)
    names = _names(rng, lang, parts)
    who = rng.randrange(parts)
    share = unit * ratio[who]
    ratio_tex = ":".join(map(str, ratio))
    who_en = " and ".join([", ".join(names[:-1]), names[-1]])
    q = pick(
        lang,
        f"{total} dollars are shared {'between' if parts == 2 else 'among'} {who_en} in the ratio ${ratio_tex}$. How many dollars does {names[who]} get?",
        f"把 {total} 元按 ${ratio_tex}$ 分给{'、'.join(names)}，{names[who]}分得多少元？",
    )
    plus = " + ".join(map(str, ratio))
    chain = f"{total} \\div ({plus}) = {unit}, \\quad {unit} \\times {ratio[who]} = {share}"
    cot = pick(
        lang,
        f"There are ${plus} = {sum(ratio)}$ equal parts; one part is worth ${total} \\div {sum(ratio)} = {unit}$. "
        f"So: ${chain}$. ",
        f"一共分成 ${plus} = {sum(ratio)}$ 份，每份 ${total} \\div {sum(ratio)} = {unit}$ 元，所以 ${chain}$。",
    )
    code = f"ratio = {ratio}\ntotal = {total}\nprint(total // sum(ratio) * ratio[{who}])\n"
    return q, str(share), cot, code, {"sub": "split", "ratio": ratio, "total": total, "who": who}


def _make_proportion(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    while True:
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        if math.gcd(a, b) == 1 and a != b:
            break
    m = rng.randint(2, 12 if level == 1 else 40)
    boys, girls = a * m, b * m
    q = pick(
        lang,
        f"In a school club the ratio of boys to girls is ${a}:{b}$. There are {boys} boys. How many girls are there?",
        f"某兴趣小组中男生与女生的人数之比是 ${a}:{b}$，男生有 {boys} 人，女生有多少人？",
    )
    chain = f"{boys} \\div {a} = {m}, \\quad {m} \\times {b} = {girls}"
    cot = pick(
        lang,
        f"Each part of the ratio stands for the same number of students: ${chain}$. ",
        f"比中的每一份代表相同的人数：${chain}$。",
    )
    code = f"boys, a, b = {boys}, {a}, {b}\nprint(boys // a * b)\n"
    return q, str(girls), cot, code, {"sub": "proportion", "ratio": [a, b], "known": boys}


def make_ratio_rate(rng: random.Random, lang: str, level: int) -> Draft:
    maker = rng.choice(
        [_make_speed, _make_price, _make_work, _make_split] + ([_make_proportion] if level < 3 else [])
    )
    q, ans, cot, code, data = maker(rng, lang, level)
    return Draft(q, ans, cot + boxed(ans, lang), code, "number", data)


def check_ratio_rate(d: Draft) -> bool:
    v = _parse(d.answer)
    if v is None:
        return False
    data = d.data
    sub = data["sub"]
    if sub == "speed":  # substitute the answer into distance = speed × time
        dist = Fraction(*data["d"]) if data["d"] else None
        speed = Fraction(*data["v"])
        time = Fraction(*data["t"]) if data["t"] else None
        ask = data["ask"]
        if ask == "d":
            dist = v
        elif ask == "v":
            speed = v
        elif ask == "t":
            time = v
        else:  # minutes
            time = v / 60
        return dist == speed * time
    if sub == "meet":  # after v hours the two cars have covered the whole distance together
        return v * data["v1"] + v * data["v2"] == Fraction(*data["dist"])
    if sub == "round_trip":  # take a concrete leg length and divide total distance by total time
        leg = data["v1"] * data["v2"]
        return v * (Fraction(leg, data["v1"]) + Fraction(leg, data["v2"])) == 2 * leg
    if sub == "price":  # v for m items means the same unit price as total for n items
        return v * data["n"] == Fraction(data["total"]) * data["m"]
    if sub == "per_kg":
        return v * data["grams"] == Fraction(data["cost"]) * 1000
    if sub == "work":  # simulate: t0 hours with every rate, then the rest with the last worker alone
        rates = [Fraction(s, t) for s, t in data["rates"]]
        t0 = data["t0"]
        if t0 == 0:
            return v > 0 and v * sum(rates) == 1
        return v > t0 and t0 * sum(rates) + (v - t0) * rates[-1] == 1
    if sub == "split":  # the share is one part scaled by its ratio term; all shares add up to the total
        ratio, total, who = data["ratio"], data["total"], data["who"]
        part = v / ratio[who]
        return part.denominator == 1 and part * sum(ratio) == total
    if sub == "proportion":
        a, b = data["ratio"]
        return v.denominator == 1 and v * a == data["known"] * b
    if sub == "transfer":
        (a, b), k, (c, dd) = data["ratio"], data["k"], data["after"]
        other = v * b / a
        return v.denominator == 1 and other.denominator == 1 and (v - k) * dd == (other + k) * c
    return False


# ---------------------------------------------------------------------------------------------------------
# 3. unit conversion

# make's table: factor to a base unit per quantity (m, kg, L, min, m², m/s)
_UNITS: dict[str, dict[str, Fraction]] = {
    "length": {"km": Fraction(1000), "m": Fraction(1), "cm": Fraction(1, 100), "mm": Fraction(1, 1000)},
    "mass": {"t": Fraction(1000), "kg": Fraction(1), "g": Fraction(1, 1000), "mg": Fraction(1, 10**6)},
    "volume": {"L": Fraction(1), "mL": Fraction(1, 1000)},
    "time": {"h": Fraction(60), "min": Fraction(1), "s": Fraction(1, 60)},
    "area": {
        "km2": Fraction(10**6),
        "ha": Fraction(10**4),
        "m2": Fraction(1),
        "cm2": Fraction(1, 10**4),
    },
    "speed": {"km/h": Fraction(5, 18), "m/s": Fraction(1)},
}
_UNIT_TEX = {"km2": "km²", "m2": "m²", "cm2": "cm²"}
_UNIT_EN = {
    "km": "kilometers", "m": "meters", "cm": "centimeters", "mm": "millimeters",
    "t": "tonnes", "kg": "kilograms", "g": "grams", "mg": "milligrams",
    "L": "liters", "mL": "milliliters", "h": "hours", "min": "minutes", "s": "seconds",
    "km2": "square kilometers", "ha": "hectares", "m2": "square meters", "cm2": "square centimeters",
    "km/h": "kilometers per hour", "m/s": "meters per second",
}  # fmt: skip
_UNIT_ZH = {
    "km": "千米", "m": "米", "cm": "厘米", "mm": "毫米",
    "t": "吨", "kg": "千克", "g": "克", "mg": "毫克",
    "L": "升", "mL": "毫升", "h": "小时", "min": "分钟", "s": "秒",
    "km2": "平方千米", "ha": "公顷", "m2": "平方米", "cm2": "平方厘米",
    "km/h": "千米/时", "m/s": "米/秒",
}  # fmt: skip
_EASY_PAIRS = [
    ("km", "m"),
    ("m", "cm"),
    ("cm", "mm"),
    ("kg", "g"),
    ("t", "kg"),
    ("L", "mL"),
    ("h", "min"),
    ("min", "s"),
]


def _conv_text(frm: str, to: str, lang: str) -> tuple[str, str]:
    """('1 km = 1000 m', 'multiply by 1000') for the factor between two units."""
    cat = next(c for c, t in _UNITS.items() if frm in t)
    r = _UNITS[cat][frm] / _UNITS[cat][to]
    u = (lambda x: _UNIT_ZH[x]) if lang == "zh" else (lambda x: _UNIT_TEX.get(x, x))
    if r.denominator == 1:
        return f"1 {u(frm)} = {r} {u(to)}", pick(lang, f"multiply by {r}", f"乘 {r}")
    if r.numerator == 1:
        return f"1 {u(to)} = {r.denominator} {u(frm)}", pick(
            lang, f"divide by {r.denominator}", f"除以 {r.denominator}"
        )
    return f"1 {u(frm)} = {_nice(r)} {u(to)}", pick(lang, f"multiply by {_nice(r)}", f"乘 {_nice(r)}")


def _unit_value(rng: random.Random, level: int) -> Fraction:
    places = rng.choice([0, 0, 1]) if level == 1 else rng.choice([0, 1, 2])
    return Fraction(rng.randint(1, 999 if places else 99), 10**places)


def make_units(rng: random.Random, lang: str, level: int) -> Draft:
    u = (lambda x: _UNIT_ZH[x]) if lang == "zh" else (lambda x: _UNIT_TEX.get(x, x))
    if (
        level == 3 and rng.random() < 0.45
    ):  # a compound quantity: "2 h 15 min" → min or h, "3 km 250 m" → m or km
        big, small = rng.choice(
            [("h", "min"), ("km", "m"), ("kg", "g"), ("m", "cm"), ("L", "mL"), ("min", "s"), ("t", "kg")]
        )
        cat = next(c for c, t in _UNITS.items() if big in t)
        ratio = int(_UNITS[cat][big] / _UNITS[cat][small])
        to = rng.choice([big, small])
        a = rng.randint(1, 12)
        if ratio == 60:
            b = rng.randrange(3, 60, 3) if to == big else rng.randint(1, 59)
        elif ratio == 100:
            b = rng.randint(1, 99)
        else:
            b = rng.choice(
                [rng.randint(1, ratio - 1), rng.randrange(5, ratio, 5), rng.randrange(50, ratio, 50)]
            )
        total_small = a * ratio + b
        value = Fraction(total_small) if to == small else Fraction(total_small, ratio)
        given = f"{a} {u(big)} {b} {u(small)}"
        fact, _ = _conv_text(big, small, lang)
        if to == small:
            cot = pick(
                lang,
                f"Since {fact}: ${a} \\times {ratio} + {b} = {total_small}$ {u(small)}. ",
                f"因为 {fact}，所以 ${a} \\times {ratio} + {b} = {total_small}$ {u(small)}。",
            )
        else:
            cot = pick(
                lang,
                f"Since {fact}, ${b}$ {u(small)} $= \\frac{{{b}}}{{{ratio}}}$ {u(big)}, so the total is "
                f"${a} + \\frac{{{b}}}{{{ratio}}} = {_nice(value)}$ {u(big)}. ",
                f"因为 {fact}，所以 ${b}$ {u(small)} $= \\frac{{{b}}}{{{ratio}}}$ {u(big)}，合计 "
                f"${a} + \\frac{{{b}}}{{{ratio}}} = {_nice(value)}$ {u(big)}。",
            )
        q = pick(lang, f"Express {given} in {_UNIT_EN[to]}.", f"{given}等于多少{_UNIT_ZH[to]}？")
        denom = "" if to == small else f", {ratio}"
        code = _SHOW + f"total = {a} * {ratio} + {b}  # in {small}\nprint(show(Fraction(total{denom})))\n"
        parts = [(Fraction(a), big), (Fraction(b), small)]
    else:
        while True:
            if level == 1:
                frm, to = rng.choice(_EASY_PAIRS)
                if rng.random() < 0.5:
                    frm, to = to, frm
                cat = next(c for c, t in _UNITS.items() if frm in t)
            else:
                cat = rng.choice(
                    ["length", "mass", "volume", "time", "area"] + (["speed"] if level == 3 else [])
                )
                frm, to = rng.sample(sorted(_UNITS[cat]), 2)
            val = _unit_value(rng, level)
            if frm == "km/h":
                val = Fraction(rng.randint(1, 40) * 9)
            if cat == "time" and _UNITS[cat][frm] < _UNITS[cat][to]:  # seconds or minutes into a larger unit
                val = Fraction(
                    rng.randint(1, 48) * (15 if level == 1 else 5) * (60 if (frm, to) == ("s", "h") else 1)
                )
            value = val * _UNITS[cat][frm] / _UNITS[cat][to]
            d = _dec(value)
            places = len(d.split(".")[1]) if d is not None and "." in d else 0
            if level == 1 and value.denominator != 1 and cat != "time":
                continue
            if ((d is not None and places <= 4) or cat == "time") and value <= 10**7:
                break
        r = _UNITS[cat][frm] / _UNITS[cat][to]
        if frm == "km/h":
            fact = pick(lang, "1 km/h = 1000 m ÷ 3600 s", "1 千米/时 = 1000 米 ÷ 3600 秒")
            how = pick(lang, "multiply by $\\frac{5}{18}$", "乘 $\\frac{5}{18}$")
            chain = f"{_nice(val)} \\times \\frac{{5}}{{18}} = {_nice(value)}"
        else:
            fact, how = _conv_text(frm, to, lang)
            if r.numerator == 1:
                chain = f"{_nice(val)} \\div {r.denominator} = {_nice(value)}"
            else:
                chain = f"{_nice(val)} \\times {_nice(r)} = {_nice(value)}"
        cot = pick(
            lang,
            f"Since {fact}, we {how}: ${chain}$ {u(to)}. ",
            f"因为 {fact}，所以{how}：${chain}$ {u(to)}。",
        )
        given = f"{_nice(val)} {u(frm)}"
        q = pick(
            lang,
            rng.choice([f"Convert {given} to {_UNIT_EN[to]}.", f"How many {_UNIT_EN[to]} are in {given}?"]),
            rng.choice([f"{given}等于多少{_UNIT_ZH[to]}？", f"把 {given}换算成{_UNIT_ZH[to]}。"]),
        )
        table = ", ".join(f"{k!r}: {_py(f)}" for k, f in _UNITS[cat].items())
        code = _SHOW + (
            f"to_base = {{{table}}}\n"
            f"value = Fraction({val.numerator}, {val.denominator})\n"
            f"print(show(value * to_base[{frm!r}] / to_base[{to!r}]))\n"
        )
        parts = [(val, frm)]
    ans = _nice(value)
    data = {"parts": [[p.numerator, p.denominator, unit] for p, unit in parts], "to": to}
    return Draft(q, ans, cot + boxed(ans, lang), code, "number", data)


# check's table, written independently: lengths in millimetres, time in seconds, mass in milligrams, volume
# in millilitres; areas and speeds are derived from lengths and times rather than listed.
_MM = {"km": 1_000_000, "m": 1000, "cm": 10, "mm": 1}
_SEC = {"h": 3600, "min": 60, "s": 1}
_CHECK_FACTOR: dict[str, Fraction] = {
    **{u: Fraction(f) for u, f in _MM.items()},
    **{u: Fraction(f) for u, f in _SEC.items()},
    "t": Fraction(10**9), "kg": Fraction(10**6), "g": Fraction(1000), "mg": Fraction(1),
    "L": Fraction(1000), "mL": Fraction(1),
    "km2": Fraction(_MM["km"] ** 2), "ha": Fraction((100 * _MM["m"]) ** 2), "m2": Fraction(_MM["m"] ** 2),
    "cm2": Fraction(_MM["cm"] ** 2),
    "km/h": Fraction(_MM["km"], _SEC["h"]), "m/s": Fraction(_MM["m"], _SEC["s"]),
}  # fmt: skip


def check_units(d: Draft) -> bool:
    v = _parse(d.answer)
    if v is None:
        return False
    total = sum((Fraction(n, den) * _CHECK_FACTOR[u] for n, den, u in d.data["parts"]), Fraction(0))
    return v * _CHECK_FACTOR[d.data["to"]] == total


# ---------------------------------------------------------------------------------------------------------
# 4. systems of two linear equations


def _lin_tex(a: int, b: int, vx: str = "x", vy: str = "y") -> str:
    def term(c: int, v: str, first: bool) -> str:
        if c == 0:
            return ""
        mag = "" if abs(c) == 1 else str(abs(c))
        if first:
            return f"{'-' if c < 0 else ''}{mag}{v}"
        return f" {'-' if c < 0 else '+'} {mag}{v}"

    s = term(a, vx, True)
    s += term(b, vy, not s)
    return s or "0"


def _solve2(a: int, b: int, e: int, c: int, d: int, f: int) -> tuple[Fraction, Fraction]:
    det = a * d - b * c
    return Fraction(e * d - b * f, det), Fraction(a * f - e * c, det)


def _system_cot(eqs: list[list[int]], lang: str) -> str:
    (a, b, e), (c, d, f) = eqs
    x, y = _solve2(a, b, e, c, d, f)
    det = a * d - b * c
    text = pick(
        lang,
        f"Multiply (1) by ${d}$ and (2) by ${b}$ and subtract to eliminate $y$: "
        f"$({_p(a)} \\cdot {_p(d)} - {_p(b)} \\cdot {_p(c)})x = {_p(e)} \\cdot {_p(d)} - {_p(b)} \\cdot {_p(f)}$, i.e. ${det}x = {e * d - b * f}$, "
        f"so $x = {_fmt(x)}$. ",
        f"(1) 式乘 ${d}$，(2) 式乘 ${b}$，相减消去 $y$：$({_p(a)} \\cdot {_p(d)} - {_p(b)} \\cdot {_p(c)})x = {_p(e)} \\cdot {_p(d)} - {_p(b)} \\cdot {_p(f)}$，"
        f"即 ${det}x = {e * d - b * f}$，所以 $x = {_fmt(x)}$。",
    )
    if b != 0:
        sub = f"{_lin_tex(0, b)} = {e} - {_fmt(a * x) if a * x >= 0 else '(' + _fmt(a * x) + ')'} = {_fmt(e - a * x)}"
        which = "(1)"
    else:
        sub = f"{_lin_tex(0, d)} = {f} - {_fmt(c * x) if c * x >= 0 else '(' + _fmt(c * x) + ')'} = {_fmt(f - c * x)}"
        which = "(2)"
    coef = b if b != 0 else d
    text += pick(
        lang,
        f"Substitute into {which}: ${sub}$" + (". " if coef == 1 else f", so $y = {_fmt(y)}$. "),
        f"代入 {which} 式：${sub}$" + ("。" if coef == 1 else f"，所以 $y = {_fmt(y)}$。"),
    )
    return text


def make_systems(rng: random.Random, lang: str, level: int) -> Draft:
    word = level == 2 and rng.random() < 0.35
    if word:
        story = rng.choice(["sumdiff", "tickets", "heads"])
        if story == "sumdiff":
            y0 = rng.randint(1, 60)
            x0 = y0 + rng.randint(1, 40)
            eqs = [[1, 1, x0 + y0], [1, -1, x0 - y0]]
            q = pick(
                lang,
                f"The sum of two numbers is {x0 + y0} and their difference is {x0 - y0}. Let $x$ be the larger number and "
                "$y$ the smaller. Find $(x, y)$.",
                f"两个数的和是 {x0 + y0}，差是 {x0 - y0}。设较大的数为 $x$，较小的数为 $y$，求 $(x, y)$。",
            )
        elif story == "tickets":
            p, r = rng.sample(range(3, 25), 2)
            x0, y0 = rng.randint(5, 120), rng.randint(5, 120)
            eqs = [[1, 1, x0 + y0], [p, r, p * x0 + r * y0]]
            q = pick(
                lang,
                f"A museum sold {x0 + y0} tickets in one day and took in {p * x0 + r * y0} dollars. Adult tickets cost "
                f"{p} dollars and child tickets cost {r} dollars. Let $x$ be the number of adult tickets and $y$ the "
                "number of child tickets. Find $(x, y)$.",
                f"某博物馆一天共售出门票 {x0 + y0} 张，收入 {p * x0 + r * y0} 元。成人票每张 {p} 元，儿童票每张 {r} 元。"
                "设成人票 $x$ 张、儿童票 $y$ 张，求 $(x, y)$。",
            )
        else:
            x0, y0 = rng.randint(2, 60), rng.randint(2, 60)
            eqs = [[1, 1, x0 + y0], [2, 4, 2 * x0 + 4 * y0]]
            q = pick(
                lang,
                f"A farm has chickens and rabbits with {x0 + y0} heads and {2 * x0 + 4 * y0} legs in total. Let $x$ be "
                "the number of chickens and $y$ the number of rabbits. Find $(x, y)$.",
                f"鸡兔同笼，共有 {x0 + y0} 个头，{2 * x0 + 4 * y0} 只脚。设鸡有 $x$ 只，兔有 $y$ 只，求 $(x, y)$。",
            )
        (a, b, e), (c, dd, f) = eqs
        setup = pick(
            lang,
            f"The conditions give (1) ${_lin_tex(a, b)} = {e}$ and (2) ${_lin_tex(c, dd)} = {f}$. ",
            f"由题意列方程组：(1) ${_lin_tex(a, b)} = {e}$，(2) ${_lin_tex(c, dd)} = {f}$。",
        )
    else:
        while True:
            if level == 1:
                x0, y0 = Fraction(rng.randint(-5, 6)), Fraction(rng.randint(-5, 6))
                a, c = rng.randint(1, 5), rng.randint(1, 5)
                b, dd = rng.choice([-1, 1]) * rng.randint(1, 5), rng.choice([-1, 1]) * rng.randint(1, 5)
            else:
                span = 12 if level == 2 else 9
                a, b, c, dd = (rng.choice([v for v in range(-span, span + 1) if v]) for _ in range(4))
                x0, y0 = Fraction(rng.randint(-12, 12)), Fraction(rng.randint(-12, 12))
            det = a * dd - b * c
            if det == 0:
                continue
            if level == 3:  # integer right-hand sides, a fractional solution
                e, f = rng.randint(-30, 30), rng.randint(-30, 30)
                x0, y0 = _solve2(a, b, e, c, dd, f)
                if (x0.denominator == 1 and y0.denominator == 1) or max(x0.denominator, y0.denominator) > 12:
                    continue
                if abs(x0) > 20 or abs(y0) > 20:
                    continue
            else:
                e, f = int(a * x0 + b * y0), int(c * x0 + dd * y0)
            break
        eqs = [[a, b, e], [c, dd, f]]
        if level == 3 and rng.random() < 0.5:  # the second equation rearranged: c x = -d y + f
            rhs = _lin_tex(0, -dd) + (f" + {f}" if f > 0 else f" - {-f}" if f < 0 else "")
            second = f"{_lin_tex(c, 0)} = {rhs}"
            setup = pick(
                lang,
                f"Rewrite the second equation as (2) ${_lin_tex(c, dd)} = {f}$; the first is (1). ",
                f"把第二个方程整理为 (2) ${_lin_tex(c, dd)} = {f}$，第一个方程记为 (1)。",
            )
        else:
            second = f"{_lin_tex(c, dd)} = {f}"
            setup = pick(lang, "Call the equations (1) and (2). ", "把两个方程分别记为 (1)、(2)。")
        system = f"\\begin{{cases}} {_lin_tex(a, b)} = {e} \\\\ {second} \\end{{cases}}"
        q = pick(
            lang,
            f"Solve the system ${system}$. Give the answer as an ordered pair $(x, y)$.",
            f"解方程组 ${system}$，答案写成有序数对 $(x, y)$。",
        )
    (a, b, e), (c, dd, f) = eqs
    x, y = _solve2(a, b, e, c, dd, f)
    ans = f"({_fmt(x)}, {_fmt(y)})"
    cot = setup + _system_cot(eqs, lang) + boxed(ans, lang)
    code = (
        "from sympy import Eq, solve, symbols\n\n"
        "x, y = symbols('x y')\n"
        f"sol = solve([Eq({a}*x + ({b})*y, {e}), Eq({c}*x + ({dd})*y, {f})], [x, y])\n"
        "print(f'({sol[x]}, {sol[y]})')\n"
    )
    data = {"eqs": eqs, "counts": word}
    return Draft(q, ans, cot, code, "expr", data)


def check_systems(d: Draft) -> bool:
    parts = _split_pair(d.answer)
    if parts is None:
        return False
    x, y = _parse(parts[0]), _parse(parts[1])
    if x is None or y is None:
        return False
    (a, b, e), (c, dd, f) = d.data["eqs"]
    if a * dd - b * c == 0:  # the pair must be the only solution
        return False
    if d.data.get("counts") and not (x.denominator == y.denominator == 1 and x >= 0 and y >= 0):
        return False
    return a * x + b * y == e and c * x + dd * y == f


# ---------------------------------------------------------------------------------------------------------
# 5. quadratics


def _poly_tex(a: int, b: int, c: int) -> str:
    s = f"{'-' if a < 0 else ''}{'' if abs(a) == 1 else abs(a)}x^2"
    if b:
        s += f" {'-' if b < 0 else '+'} {'' if abs(b) == 1 else abs(b)}x"
    if c:
        s += f" {'-' if c < 0 else '+'} {abs(c)}"
    return s


def _squarefree(n: int) -> tuple[int, int]:
    """n = k² m with m square-free → (k, m)."""
    k, m, p = 1, n, 2
    while p * p <= m:
        while m % (p * p) == 0:
            m //= p * p
            k *= p
        p += 1
    return k, m


def _irrational_roots(a: int, b: int, c: int) -> tuple[str, str]:
    disc = b * b - 4 * a * c
    k, m = _squarefree(disc)
    g = math.gcd(math.gcd(abs(b), k), 2 * a)
    p, kk, den = -b // g, k // g, 2 * a // g
    rad = f"\\sqrt{{{m}}}" if kk == 1 else f"{kk}\\sqrt{{{m}}}"
    if den == 1:
        return (f"{p}+{rad}", f"{p}-{rad}") if p else (rad, f"-{rad}")
    if p == 0:
        return f"\\frac{{{rad}}}{{{den}}}", f"-\\frac{{{rad}}}{{{den}}}"
    return f"\\frac{{{p}+{rad}}}{{{den}}}", f"\\frac{{{p}-{rad}}}{{{den}}}"


_ROOTS_CODE = (
    "from sympy import Rational, solve, symbols\n\nx = symbols('x')\n"
    "print(', '.join(str(r) for r in solve({a}*x**2 + ({b})*x + ({c}), x)))\n"
)


def _make_roots(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    if level == 1:
        r1, r2 = rng.sample(range(-12, 13), 2)
        lead = rng.choice([1, 1, 1, 1, 2, 3, -1])
        a, b, c = lead, -lead * (r1 + r2), lead * r1 * r2
        mb, mc = -(r1 + r2), r1 * r2  # the monic form x^2 + mb x + mc
        ans = f"{r1}, {r2}"
        f1 = f"(x {'-' if r1 >= 0 else '+'} {abs(r1)})" if r1 else "x"
        f2 = f"(x {'-' if r2 >= 0 else '+'} {abs(r2)})" if r2 else "x"
        cot = ""
        if lead != 1:
            cot = pick(
                lang,
                f"Divide both sides by ${lead}$: ${_poly_tex(1, mb, mc)} = 0$. ",
                f"两边同除以 ${lead}$：${_poly_tex(1, mb, mc)} = 0$。",
            )
        cot += pick(
            lang,
            f"Look for two numbers whose product is ${mc}$ and whose sum is ${-mb}$: they are ${r1}$ and ${r2}$. "
            f"So ${_poly_tex(1, mb, mc)} = {f1}{f2}$, and $x = {r1}$ or $x = {r2}$. ",
            f"找两个数，积为 ${mc}$，和为 ${-mb}$：它们是 ${r1}$ 和 ${r2}$。于是 ${_poly_tex(1, mb, mc)} = {f1}{f2}$，"
            f"所以 $x = {r1}$ 或 $x = {r2}$。",
        )
    else:
        while True:
            if level == 2:
                p1, p2 = rng.randint(1, 4), rng.randint(1, 4)
                q1, q2 = rng.randint(-9, 9), rng.randint(-9, 9)
                a, b, c = p1 * p2, -(p1 * q2 + p2 * q1), q1 * q2
                g = math.gcd(math.gcd(a, abs(b)), abs(c))
                a, b, c = a // g, b // g, c // g
                if a == 1 or Fraction(q1, p1) == Fraction(q2, p2):
                    continue
            else:
                a, b, c = rng.randint(1, 3), rng.randint(-10, 10), rng.randint(-12, 12)
                if math.gcd(math.gcd(a, abs(b)), abs(c)) != 1:
                    continue
                disc = b * b - 4 * a * c
                if disc <= 0 or math.isqrt(disc) ** 2 == disc:
                    continue
            break
        disc = b * b - 4 * a * c
        sq = math.isqrt(disc)
        if sq * sq == disc:
            x1, x2 = Fraction(-b + sq, 2 * a), Fraction(-b - sq, 2 * a)
            roots = (_fmt(x1), _fmt(x2))
            tail = f"x = \\frac{{{-b} \\pm {sq}}}{{{2 * a}}}"
        else:
            k, m = _squarefree(disc)
            roots = _irrational_roots(a, b, c)
            tail = f"x = \\frac{{{-b} \\pm {'' if k == 1 else k}\\sqrt{{{m}}}}}{{{2 * a}}}"
        ans = ", ".join(roots)
        cot = pick(
            lang,
            f"Use the quadratic formula with $a = {a}$, $b = {b}$, $c = {c}$: the discriminant is "
            f"$b^2 - 4ac = {b * b} - {_p(4 * a * c)} = {disc}$, so ${tail}$, giving $x = {roots[0]}$ or $x = {roots[1]}$. ",
            f"用求根公式，$a = {a}$，$b = {b}$，$c = {c}$：判别式 $b^2 - 4ac = {b * b} - {_p(4 * a * c)} = {disc}$，"
            f"所以 ${tail}$，即 $x = {roots[0]}$ 或 $x = {roots[1]}$。",
        )
    q = pick(
        lang,
        f"Find all real solutions of ${_poly_tex(a, b, c)} = 0$.",
        f"求方程 ${_poly_tex(a, b, c)} = 0$ 的所有实数根。",
    )
    return q, ans, cot, _ROOTS_CODE.format(a=a, b=b, c=c), {"sub": "roots", "abc": [a, b, c]}


def _make_vertex(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    while True:
        a = rng.choice([-3, -2, -1, 1, 2, 3])
        b, c = rng.randint(-12, 12), rng.randint(-15, 15)
        h = Fraction(-b, 2 * a)
        if b and (level == 3 or h.denominator == 1):
            break
    k = a * h * h + b * h + c
    ans = f"({_fmt(h)}, {_fmt(k)})"
    chain = f"h = -\\frac{{b}}{{2a}} = -\\frac{{{b}}}{{{2 * a}}} = {_fmt(h)}"
    hs = _fmt(h) if h >= 0 else f"\\left({_fmt(h)}\\right)"
    cterm = f" {'+' if c >= 0 else '-'} {abs(c)}" if c else ""
    kchain = f"k = {a} \\cdot {hs}^2 {'+' if b >= 0 else '-'} {abs(b)} \\cdot {hs}{cterm} = {_fmt(k)}"
    q = pick(
        lang,
        f"Find the vertex of the parabola $y = {_poly_tex(a, b, c)}$. Give it as $(h, k)$.",
        f"求抛物线 $y = {_poly_tex(a, b, c)}$ 的顶点坐标，写成 $(h, k)$ 的形式。",
    )
    cot = pick(
        lang,
        f"The axis of symmetry is ${chain}$. Substituting, ${kchain}$. ",
        f"对称轴为 ${chain}$。代入得 ${kchain}$。",
    )
    code = (
        "from fractions import Fraction\n\n"
        f"a, b, c = {a}, {b}, {c}\nh = Fraction(-b, 2 * a)\nk = a * h**2 + b * h + c\nprint(f'({{h}}, {{k}})')\n"
    )
    return q, ans, cot, code, {"sub": "vertex", "abc": [a, b, c]}


_VIETA = {
    "sum": ("r + s", "-\\frac{b}{a}"),
    "product": ("rs", "\\frac{c}{a}"),
    "squares": ("r^2 + s^2", "(r + s)^2 - 2rs"),
    "reciprocal": ("\\frac{1}{r} + \\frac{1}{s}", "\\frac{r + s}{rs}"),
    "diff2": ("(r - s)^2", "(r + s)^2 - 4rs"),
}


def _make_vieta(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    what = rng.choice(["sum", "product"] if level == 2 else ["squares", "reciprocal", "diff2", "squares"])
    while True:
        a, b, c = rng.randint(1, 5), rng.randint(-12, 12), rng.randint(-12, 12)
        if c and b * b - 4 * a * c > 0:
            break
    s, p = Fraction(-b, a), Fraction(c, a)
    value = {"sum": s, "product": p, "squares": s * s - 2 * p, "reciprocal": s / p, "diff2": s * s - 4 * p}[
        what
    ]
    target, formula = _VIETA[what]
    ans = _fmt(value)
    q = pick(
        lang,
        f"Let $r$ and $s$ be the roots of ${_poly_tex(a, b, c)} = 0$. Find ${target}$.",
        f"设 $r$、$s$ 是方程 ${_poly_tex(a, b, c)} = 0$ 的两个根，求 ${target}$ 的值。",
    )
    base = f"r + s = -\\frac{{b}}{{a}} = {_fmt(s)}, \\quad rs = \\frac{{c}}{{a}} = {_fmt(p)}"
    step = "" if what in ("sum", "product") else f", \\quad {target} = {formula} = {ans}"
    cot = pick(
        lang,
        f"By Vieta's formulas, ${base}{step}$. ",
        f"由韦达定理，${base}{step}$。",
    )
    expr = {
        "sum": "r + s",
        "product": "r * s",
        "squares": "r**2 + s**2",
        "reciprocal": "1/r + 1/s",
        "diff2": "(r - s)**2",
    }[what]
    code = (
        "from sympy import nsimplify, simplify, solve, symbols\n\nx = symbols('x')\n"
        f"r, s = solve({a}*x**2 + ({b})*x + ({c}), x)\nprint(nsimplify(simplify({expr})))\n"
    )
    return q, ans, cot, code, {"sub": "vieta", "abc": [a, b, c], "what": what}


def make_quadratics(rng: random.Random, lang: str, level: int) -> Draft:
    if level == 1:
        maker = _make_roots
    else:
        maker = rng.choices([_make_roots, _make_vertex, _make_vieta], weights=[5, 2, 3])[0]
    q, ans, cot, code, data = maker(rng, lang, level)
    return Draft(q, ans, cot + boxed(ans, lang), code, "expr", data)


_SQRT_RE = re.compile(r"(\d*)\\sqrt\{(\d+)\}")
_TEXFRAC_RE = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")


def _tex_to_sympy(s: str):
    """The restricted LaTeX of a root (``\\frac{-3+2\\sqrt{5}}{4}``) → an exact sympy number."""
    import sympy

    s = _SQRT_RE.sub(lambda m: f"{m.group(1) or 1}*sqrt({m.group(2)})", s)
    while _TEXFRAC_RE.search(s):
        s = _TEXFRAC_RE.sub(r"((\1)/(\2))", s)
    if not re.fullmatch(r"[-+*/() 0-9sqrt]+", s):
        raise ValueError(s)
    return sympy.sympify(s)


def check_quadratics(d: Draft) -> bool:
    import sympy

    a, b, c = d.data["abc"]
    sub = d.data["sub"]
    try:
        if sub == "roots":  # two distinct numbers, each a root: that is all the roots of a quadratic
            items = d.answer.split(", ")
            if len(items) != 2:
                return False
            r = [_tex_to_sympy(t) for t in items]
            if sympy.expand(r[0] - r[1]) == 0:
                return False
            return all(sympy.expand(a * x**2 + b * x + c) == 0 for x in r)
        if sub == "vertex":  # on the curve, and the curve is symmetric about x = h
            parts = _split_pair(d.answer)
            if parts is None:
                return False
            h, k = _parse(parts[0]), _parse(parts[1])
            if h is None or k is None:
                return False

            def f(t: Fraction) -> Fraction:
                return a * t * t + b * t + c

            return f(h) == k and f(h + 1) == f(h - 1)
        if sub == "vieta":  # the roots themselves, from sympy, put into the asked expression
            v = _parse(d.answer)
            if v is None:
                return False
            x = sympy.Symbol("x")
            roots = list(sympy.roots(sympy.Poly(a * x**2 + b * x + c, x)))
            if len(roots) != 2:
                return False
            r, s = roots
            expr = {
                "sum": r + s,
                "product": r * s,
                "squares": r**2 + s**2,
                "reciprocal": 1 / r + 1 / s,
                "diff2": (r - s) ** 2,
            }[d.data["what"]]
            return sympy.expand(sympy.radsimp(sympy.expand(expr))) == sympy.Rational(
                v.numerator, v.denominator
            )
    except (ValueError, sympy.SympifyError, TypeError):
        return False
    return False


# ---------------------------------------------------------------------------------------------------------
# 6. linear inequalities

_OPS = ("<", "<=", ">", ">=")
_OP_LATEX = {"<": "<", "<=": "\\le", ">": ">", ">=": "\\ge"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_LATEX_OP = {"<": "<", "\\le": "<=", "\\leq": "<=", ">": ">", "\\ge": ">=", "\\geq": ">="}


def _affine_tex(a: int, b: int) -> str:
    """a x + b in LaTeX."""
    if a == 0:
        return str(b)
    s = f"{'-' if a < 0 else ''}{'' if abs(a) == 1 else abs(a)}x"
    if b:
        s += f" {'-' if b < 0 else '+'} {abs(b)}"
    return s


def _affine_py(a: int, b: int) -> str:
    return f"{a}*x + ({b})"


def _signed(v: int) -> str:
    return f"+ {v}" if v >= 0 else f"- {-v}"


def make_inequalities(rng: random.Random, lang: str, level: int) -> Draft:
    op = rng.choice(_OPS)
    nz = [v for v in range(-9, 10) if v]
    if level == 1:  # a x + b OP c
        a, bound, b = rng.choice(nz), rng.randint(-10, 10), rng.randint(-20, 20)
        c = a * bound + b
        lhs_tex, rhs_tex = _affine_tex(a, b), str(c)
        lhs_py, rhs_py = _affine_py(a, b), str(c)
        k, const = a, c - b  # k x OP const
        steps = pick(
            lang,
            f"Move the constant: ${_affine_tex(a, 0)} {_OP_LATEX[op]} {c} - {_p(b)} = {const}$. ",
            f"移项：${_affine_tex(a, 0)} {_OP_LATEX[op]} {c} - {_p(b)} = {const}$。",
        )
    elif level == 2:  # a x + b OP c x + d
        while True:
            a, c = rng.choice(nz), rng.choice(nz)
            if a != c:
                break
        k = a - c
        bound = Fraction(rng.randint(-20, 20), rng.choice([v for v in range(1, abs(k) + 1) if k % v == 0]))
        b = rng.randint(-20, 20)
        dd = int(k * bound) + b
        lhs_tex, rhs_tex = _affine_tex(a, b), _affine_tex(c, dd)
        lhs_py, rhs_py = _affine_py(a, b), _affine_py(c, dd)
        const = dd - b
        steps = pick(
            lang,
            f"Collect the $x$-terms on the left and the constants on the right: "
            f"$({a} - {_p(c)})x {_OP_LATEX[op]} {dd} - {_p(b)}$, i.e. ${_affine_tex(k, 0)} {_OP_LATEX[op]} {const}$. ",
            f"把含 $x$ 的项移到左边，常数项移到右边：$({a} - {_p(c)})x {_OP_LATEX[op]} {dd} - {_p(b)}$，"
            f"即 ${_affine_tex(k, 0)} {_OP_LATEX[op]} {const}$。",
        )
    else:
        while True:
            if rng.random() < 0.5:  # p(x + q) + r OP s x + t
                p, q_, r, s, t = (
                    rng.choice(nz),
                    rng.randint(-9, 9),
                    rng.randint(-15, 15),
                    rng.choice(nz),
                    rng.randint(-15, 15),
                )
                if p == s or not q_:
                    continue
                lhs_tex = f"{'-' if p < 0 else ''}{'' if abs(p) == 1 else abs(p)}(x {_signed(q_)})" + (
                    f" {_signed(r)}" if r else ""
                )
                rhs_tex = _affine_tex(s, t)
                lhs_py, rhs_py = f"{p}*(x + ({q_})) + ({r})", _affine_py(s, t)
                k, const = p - s, t - p * q_ - r
                steps = pick(
                    lang,
                    f"Expand: ${_affine_tex(p, p * q_ + r)} {_OP_LATEX[op]} {rhs_tex}$. Collect terms: "
                    f"$({p} - {_p(s)})x {_OP_LATEX[op]} {t} - {_p(p * q_ + r)}$, i.e. ${_affine_tex(k, 0)} {_OP_LATEX[op]} {const}$. ",
                    f"去括号：${_affine_tex(p, p * q_ + r)} {_OP_LATEX[op]} {rhs_tex}$。移项合并："
                    f"$({p} - {_p(s)})x {_OP_LATEX[op]} {t} - {_p(p * q_ + r)}$，即 ${_affine_tex(k, 0)} {_OP_LATEX[op]} {const}$。",
                )
            else:  # (x + q)/m - (x + r)/n OP s
                m, n = rng.sample(range(2, 8), 2)
                q_, r, s = rng.randint(-9, 9), rng.randint(-9, 9), rng.randint(-5, 5)
                if not q_ or not r:
                    continue
                L = m * n // math.gcd(m, n)
                lhs_tex = f"\\frac{{x {_signed(q_)}}}{{{m}}} - \\frac{{x {_signed(r)}}}{{{n}}}"
                rhs_tex = str(s)
                lhs_py, rhs_py = f"(x + ({q_}))/{m} - (x + ({r}))/{n}", str(s)
                u, w = L // m, L // n
                k, const = u - w, s * L - u * q_ + w * r
                steps = pick(
                    lang,
                    f"Multiply both sides by ${L}$ (positive, so the sign stays): "
                    f"${'' if u == 1 else u}(x {_signed(q_)}) - {'' if w == 1 else w}(x {_signed(r)}) {_OP_LATEX[op]} {s * L}$. Expand and collect: "
                    f"${_affine_tex(k, 0)} {_OP_LATEX[op]} {s * L} - {_p(u * q_)} + {_p(w * r)} = {const}$. ",
                    f"两边同乘 ${L}$（正数，不等号方向不变）：${'' if u == 1 else u}(x {_signed(q_)}) - {'' if w == 1 else w}(x {_signed(r)}) {_OP_LATEX[op]} {s * L}$。"
                    f"去括号、移项合并：${_affine_tex(k, 0)} {_OP_LATEX[op]} {s * L} - {_p(u * q_)} + {_p(w * r)} = {const}$。",
                )
            bound = Fraction(const, k)
            if bound.denominator <= 12 and abs(bound) <= 40:
                break
    bound = Fraction(const, k)
    final_op = op if k > 0 else _FLIP[op]
    ans = f"x {_OP_LATEX[final_op]} {_fmt(bound)}"
    if k == 1:
        steps += pick(lang, f"So ${ans}$. ", f"所以 ${ans}$。")
    elif k > 0:
        steps += pick(
            lang,
            f"Divide both sides by ${k}$ (positive, so the sign stays): ${ans}$. ",
            f"两边同除以 ${k}$（正数，不等号方向不变）：${ans}$。",
        )
    else:
        steps += pick(
            lang,
            f"Divide both sides by ${k}$; dividing by a negative number reverses the inequality: ${ans}$. ",
            f"两边同除以 ${k}$，除以负数时不等号要改变方向：${ans}$。",
        )
    q = pick(
        lang,
        f"Solve the inequality ${lhs_tex} {_OP_LATEX[op]} {rhs_tex}$.",
        f"解不等式 ${lhs_tex} {_OP_LATEX[op]} {rhs_tex}$。",
    )
    code = (
        "from fractions import Fraction\n\n\n"
        f"def lhs(x):\n    return {lhs_py}\n\n\n"
        f"def rhs(x):\n    return {rhs_py}\n\n\n"
        "# lhs - rhs = k*x + c0 is linear: read k and c0 off two points\n"
        "c0 = lhs(Fraction(0)) - rhs(Fraction(0))\n"
        "k = lhs(Fraction(1)) - rhs(Fraction(1)) - c0\n"
        f"op = {op!r}\n"
        "if k < 0:\n"
        "    op = {'<': '>', '<=': '>=', '>': '<', '>=': '<='}[op]\n"
        "print(f'x {op} {Fraction(-c0) / k}')\n"
    )
    data = {"lhs": lhs_py, "rhs": rhs_py, "op": op}
    return Draft(q, ans, steps + boxed(ans, lang), code, "expr", data)


_INEQ_RE = re.compile(r"^x\s*(<|>|\\le|\\leq|\\ge|\\geq)\s*(.+)$")


def _holds(op: str, left: Fraction, right: Fraction) -> bool:
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]


def check_inequalities(d: Draft) -> bool:
    m = _INEQ_RE.match(d.answer.strip())
    if not m:
        return False
    ans_op, bound = _LATEX_OP[m.group(1)], _parse(m.group(2))
    if bound is None:
        return False
    lhs, rhs, op = d.data["lhs"], d.data["rhs"], d.data["op"]

    # lhs/rhs are the generator's own arithmetic in x (integers, + - * / and parentheses), evaluated with no
    # builtins and x a Fraction, so every value stays an exact rational
    def original(x: Fraction) -> bool:  # evaluate the problem as stated
        env = {"__builtins__": {}, "x": x}
        return _holds(op, Fraction(eval(lhs, env)), Fraction(eval(rhs, env)))

    def gap(x: Fraction) -> Fraction:
        env = {"__builtins__": {}, "x": x}
        return Fraction(eval(lhs, env)) - Fraction(eval(rhs, env))

    # lhs - rhs must vanish at the boundary and be affine and non-constant, so the solution set is a half-line
    # ending at the boundary; then three points (boundary, one either side) decide it completely.
    if gap(bound) != 0 or gap(Fraction(1)) == gap(Fraction(0)):
        return False
    if gap(Fraction(2)) - gap(Fraction(1)) != gap(Fraction(1)) - gap(Fraction(0)):
        return False
    return all(original(t) == _holds(ans_op, t, bound) for t in (bound - 1, bound, bound + 1))


# ---------------------------------------------------------------------------------------------------------

FAMILIES = (
    Family(
        "fractions_decimals_percent",
        "fraction arithmetic, fraction/decimal/percent conversion, percentages of amounts",
        make_fractions,
        check_fractions,
    ),
    Family(
        "ratio_rate",
        "ratio and rate word problems: speed, unit price, work rates, sharing",
        make_ratio_rate,
        check_ratio_rate,
    ),
    Family(
        "unit_conversion",
        "metric and time unit conversions, including area and speed",
        make_units,
        check_units,
    ),
    Family(
        "systems_of_two", "two linear equations in x and y, answer as (x, y)", make_systems, check_systems
    ),
    Family(
        "quadratics", "roots, vertex, and Vieta's formulas for quadratics", make_quadratics, check_quadratics
    ),
    Family("inequalities", "linear inequalities in one variable", make_inequalities, check_inequalities),
)
