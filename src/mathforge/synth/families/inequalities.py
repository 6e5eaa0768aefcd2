"""Linear inequalities in one variable, answered as ``x < b``, ``x \\ge b``, ….

``check`` evaluates the inequality as stated at the boundary and one point either side, which also
catches a direction not reversed after dividing by a negative number.
"""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._format import paren_if_negative, parse_gold_number, tex_rational

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
            f"Move the constant: ${_affine_tex(a, 0)} {_OP_LATEX[op]} {c} - {paren_if_negative(b)} = {const}$. ",
            f"移项：${_affine_tex(a, 0)} {_OP_LATEX[op]} {c} - {paren_if_negative(b)} = {const}$。",
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
            f"$({a} - {paren_if_negative(c)})x {_OP_LATEX[op]} {dd} - {paren_if_negative(b)}$, i.e. ${_affine_tex(k, 0)} {_OP_LATEX[op]} {const}$. ",
            f"把含 $x$ 的项移到左边，常数项移到右边：$({a} - {paren_if_negative(c)})x {_OP_LATEX[op]} {dd} - {paren_if_negative(b)}$，"
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
                    f"$({p} - {paren_if_negative(s)})x {_OP_LATEX[op]} {t} - {paren_if_negative(p * q_ + r)}$, i.e. ${_affine_tex(k, 0)} {_OP_LATEX[op]} {const}$. ",
                    f"去括号：${_affine_tex(p, p * q_ + r)} {_OP_LATEX[op]} {rhs_tex}$。移项合并："
                    f"$({p} - {paren_if_negative(s)})x {_OP_LATEX[op]} {t} - {paren_if_negative(p * q_ + r)}$，即 ${_affine_tex(k, 0)} {_OP_LATEX[op]} {const}$。",
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
                    f"${_affine_tex(k, 0)} {_OP_LATEX[op]} {s * L} - {paren_if_negative(u * q_)} + {paren_if_negative(w * r)} = {const}$. ",
                    f"两边同乘 ${L}$（正数，不等号方向不变）：${'' if u == 1 else u}(x {_signed(q_)}) - {'' if w == 1 else w}(x {_signed(r)}) {_OP_LATEX[op]} {s * L}$。"
                    f"去括号、移项合并：${_affine_tex(k, 0)} {_OP_LATEX[op]} {s * L} - {paren_if_negative(u * q_)} + {paren_if_negative(w * r)} = {const}$。",
                )
            bound = Fraction(const, k)
            if bound.denominator <= 12 and abs(bound) <= 40:
                break
    bound = Fraction(const, k)
    final_op = op if k > 0 else _FLIP[op]
    ans = f"x {_OP_LATEX[final_op]} {tex_rational(bound)}"
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
    ans_op, bound = _LATEX_OP[m.group(1)], parse_gold_number(m.group(2))
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


FAMILIES = (
    Family("inequalities", "linear inequalities in one variable", make_inequalities, check_inequalities),
)
