"""Fraction arithmetic, fraction/decimal/percent conversion, and percentages of amounts.

``make`` works in exact ``Fraction`` arithmetic; ``check`` verifies the gold another way: sympy for the
arithmetic, cross-multiplication for conversions, long division of the answer for repeating decimals.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._format import (
    SHOW_PRELUDE,
    decimal_or_none,
    decimal_or_tex_fraction,
    is_plain_decimal,
    parse_gold_number,
    tex_rational,
    tex_unreduced_fraction,
    to_pair,
)


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
        chain = f"{tex_rational(a)} {op} {tex_rational(b)} = {tex_unreduced_fraction(na, lcd)} {op} {tex_unreduced_fraction(nb, lcd)} = {tex_unreduced_fraction(tot, lcd)}"
        if tex_unreduced_fraction(tot, lcd) != tex_rational(r):
            chain += f" = {tex_rational(r)}"
        text = pick(
            lang, f"With the common denominator {lcd}: ${chain}$. ", f"通分，公分母为 {lcd}：${chain}$。"
        )
    elif op == "*":
        r = a * b
        chain = (
            f"{tex_rational(a)} \\times {tex_rational(b)} = \\frac{{{a.numerator} \\times {b.numerator}}}"
            f"{{{a.denominator} \\times {b.denominator}}} = {tex_rational(r)}"
        )
        text = pick(
            lang,
            f"Multiply numerators and denominators: ${chain}$. ",
            f"分子乘分子，分母乘分母：${chain}$。",
        )
    else:
        r = a / b
        chain = f"{tex_rational(a)} \\div {tex_rational(b)} = {tex_rational(a)} \\times {tex_unreduced_fraction(b.denominator, b.numerator)} = {tex_rational(r)}"
        text = pick(
            lang,
            f"Dividing by a fraction is multiplying by its reciprocal: ${chain}$. ",
            f"除以一个分数等于乘它的倒数：${chain}$。",
        )
    return r, text


def _expression(operands: list[str], ops: list[str], group: tuple[str, str] | None) -> str:
    """``A op B`` or ``A op B op C``, in any of the three notations; ``group`` (opening and closing
    bracket) encloses ``A op B``."""
    first = f"{operands[0]} {ops[0]} {operands[1]}"
    if group:
        first = f"{group[0]}{first}{group[1]}"
    return first + "".join(f" {op} {x}" for op, x in zip(ops[1:], operands[2:], strict=True))


# What the solution of a three-operand template says first, about the order of the operations
_ORDER_NOTE = {
    "T2": ("Work from left to right. ", "从左到右依次计算。"),
    "T3": ("Parentheses first. ", "先算括号里的。"),
    "T4": ("Multiplication and division come before addition and subtraction. ", "先算乘除，再算加减。"),
}


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
        conv = ", ".join(f"{t} = {tex_rational(v)}" for t, v, m in zip(tex, vals, mixed, strict=True) if m)
        steps += pick(
            lang,
            f"Write the mixed numbers as improper fractions: ${conv}$. ",
            f"先把带分数化成假分数：${conv}$。",
        )
    grouped = template == "T3"  # (A ± B) ×÷ C; T2 is A ± B ± C, T4 is A ± B ×÷ C, T1 is A op B
    paren = ("(", ")") if grouped else None
    expr_tex = _expression(tex, [_OP_TEX[x] for x in ops], ("\\left(", "\\right)") if grouped else None)
    expr_py, expr_sy = _expression(py, ops, paren), _expression(sy, ops, paren)
    if template == "T1":
        value, t1 = _frac_step(vals[0], ops[0], vals[1], lang)
        steps += t1
    else:
        if template == "T4":  # the product or quotient first
            r1, t1 = _frac_step(vals[1], ops[1], vals[2], lang)
            value, t2 = _frac_step(vals[0], ops[0], r1, lang)
        else:  # left to right, the parentheses of T3 holding the first two
            r1, t1 = _frac_step(vals[0], ops[0], vals[1], lang)
            value, t2 = _frac_step(r1, ops[1], vals[2], lang)
        steps += pick(lang, *_ORDER_NOTE[template]) + t1 + t2
    q = pick(
        lang,
        f"Compute ${expr_tex}$. Give the answer as a fraction in lowest terms (or an integer).",
        f"计算 ${expr_tex}$，结果写成最简分数（或整数）。",
    )
    code = f"from fractions import Fraction\n\nprint({expr_py})\n"
    ans = tex_rational(value)
    return Draft(q, ans, steps + boxed(ans, lang), code, "number", {"sub": "arith", "expr": expr_sy})


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
        ans = decimal_or_none(value)
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
        ans = tex_rational(value)
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
        ptxt = decimal_or_none(p)
        value = p / 100
        ans = tex_rational(value)
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
        data = {"sub": sub, "p": to_pair(p)}
    elif sub == "frac_to_pct":
        d = rng.choice([2, 4, 5, 8, 10, 16, 20, 25, 40, 50])
        n = rng.choice([k for k in range(1, 2 * d) if math.gcd(k, d) == 1 and k % d])
        pct = Fraction(n * 100, d)
        ptxt = decimal_or_none(pct)
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
        ans = tex_rational(value)
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
        xs = (
            tex_unreduced_fraction(num, den)
            if tex_unreduced_fraction(num, den) == ans
            else f"{tex_unreduced_fraction(num, den)} = {ans}"
        )
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
        ans = decimal_or_tex_fraction(value)
        q = pick(lang, f"What is ${p}\\%$ of ${n}$?", f"${n}$ 的 ${p}\\%$ 是多少？")
        chain = f"{n} \\times {p}\\% = {n} \\times \\frac{{{p}}}{{100}} = \\frac{{{p * n}}}{{100}} = {ans}"
        cot = pick(lang, f"${chain}$. ", f"${chain}$。")
        code = SHOW_PRELUDE + f"print(show(Fraction({p}, 100) * {n}))\n"
        data = {"sub": sub, "p": p, "n": n}
    elif sub == "reverse":
        up = rng.random() < 0.4
        while True:
            p, orig = rng.choice([5, 10, 12, 15, 20, 25, 30, 35, 40]), rng.randint(20, 400)
            after = Fraction(orig * (100 + p if up else 100 - p), 100)
            if (after * 100).denominator == 1:
                break
        shown = decimal_or_none(after)
        factor = decimal_or_none(Fraction(100 + p if up else 100 - p, 100))
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
        code = (
            SHOW_PRELUDE + f'print(show(Fraction("{shown}") / Fraction({100 + p if up else 100 - p}, 100)))\n'
        )
        ans = str(orig)
        data = {"sub": sub, "p": p if up else -p, "after": shown}
    elif sub == "what_pct":
        while True:
            whole = rng.randint(8, 400)
            part = rng.randint(1, 2 * whole)
            pct = Fraction(part * 100, whole)
            if decimal_or_none(pct) is not None and part != whole and len(decimal_or_none(pct)) <= 5:
                break
        ans = f"{decimal_or_none(pct)}\\%"
        q = pick(lang, f"What percent of ${whole}$ is ${part}$?", f"${part}$ 是 ${whole}$ 的百分之几？")
        chain = f"\\frac{{{part}}}{{{whole}}} \\times 100\\% = {ans}"
        cot = pick(lang, f"Divide the part by the whole: ${chain}$. ", f"用部分除以整体：${chain}$。")
        code = SHOW_PRELUDE + f"print(show(Fraction({part}, {whole}) * 100) + '%')\n"
        data = {"sub": sub, "part": part, "whole": whole}
    else:  # successive percentage changes
        while True:
            n = rng.randint(2, 60) * 10
            p, r = rng.choice([10, 20, 25, 30, 50]), rng.choice([10, 20, 25, 40, 50])
            final = Fraction(n * (100 + p) * (100 - r), 10000)
            if (final * 100).denominator == 1:
                break
        mid = Fraction(n * (100 + p), 100)
        ans = decimal_or_none(final)
        q = pick(
            lang,
            f"A price of ${n}$ dollars is raised by ${p}\\%$, and the new price is then lowered by ${r}\\%$. "
            "What is the final price in dollars?",
            f"一件商品原价 ${n}$ 元，先提价 ${p}\\%$，再在新价格的基础上降价 ${r}\\%$，现价是多少元？",
        )
        chain = f"{n} \\times {decimal_or_none(Fraction(100 + p, 100))} = {decimal_or_none(mid)}, \\quad {decimal_or_none(mid)} \\times {decimal_or_none(Fraction(100 - r, 100))} = {ans}"
        cot = pick(
            lang,
            f"Apply the two changes one after the other: ${chain}$. ",
            f"两次变化依次计算：${chain}$。",
        )
        code = (
            SHOW_PRELUDE
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
        pct = parse_gold_number(ans[:-2])
        if pct is None:
            return False
        if sub == "frac_to_pct":  # pct / 100 = n / d, cross-multiplied
            return pct * data["d"] == 100 * data["n"]
        return pct * data["whole"] == 100 * data["part"]
    v = parse_gold_number(ans)
    if v is None:
        return False
    if sub == "arith":
        return sympy.Rational(v.numerator, v.denominator) == sympy.sympify(data["expr"])
    if sub == "to_decimal":
        if not is_plain_decimal(ans):
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


FAMILIES = (
    Family(
        "fractions_decimals_percent",
        "fraction arithmetic, fraction/decimal/percent conversion, percentages of amounts",
        make_fractions,
        check_fractions,
    ),
)
