"""Two linear equations in x and y, answered as the ordered pair (x, y).

``make`` solves by Cramer's rule; ``check`` substitutes the pair into both equations and requires a
nonzero determinant (the solution is unique).
"""

from __future__ import annotations

import random
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._format import paren_if_negative, parse_gold_pair, tex_rational


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
        f"$({paren_if_negative(a)} \\cdot {paren_if_negative(d)} - {paren_if_negative(b)} \\cdot {paren_if_negative(c)})x = {paren_if_negative(e)} \\cdot {paren_if_negative(d)} - {paren_if_negative(b)} \\cdot {paren_if_negative(f)}$, i.e. ${det}x = {e * d - b * f}$, "
        f"so $x = {tex_rational(x)}$. ",
        f"(1) 式乘 ${d}$，(2) 式乘 ${b}$，相减消去 $y$：$({paren_if_negative(a)} \\cdot {paren_if_negative(d)} - {paren_if_negative(b)} \\cdot {paren_if_negative(c)})x = {paren_if_negative(e)} \\cdot {paren_if_negative(d)} - {paren_if_negative(b)} \\cdot {paren_if_negative(f)}$，"
        f"即 ${det}x = {e * d - b * f}$，所以 $x = {tex_rational(x)}$。",
    )
    if b != 0:
        sub = f"{_lin_tex(0, b)} = {e} - {tex_rational(a * x) if a * x >= 0 else '(' + tex_rational(a * x) + ')'} = {tex_rational(e - a * x)}"
        which = "(1)"
    else:
        sub = f"{_lin_tex(0, d)} = {f} - {tex_rational(c * x) if c * x >= 0 else '(' + tex_rational(c * x) + ')'} = {tex_rational(f - c * x)}"
        which = "(2)"
    coef = b if b != 0 else d
    text += pick(
        lang,
        f"Substitute into {which}: ${sub}$" + (". " if coef == 1 else f", so $y = {tex_rational(y)}$. "),
        f"代入 {which} 式：${sub}$" + ("。" if coef == 1 else f"，所以 $y = {tex_rational(y)}$。"),
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
    ans = f"({tex_rational(x)}, {tex_rational(y)})"
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
    pair = parse_gold_pair(d.answer)
    if pair is None:
        return False
    x, y = pair
    (a, b, e), (c, dd, f) = d.data["eqs"]
    if a * dd - b * c == 0:  # the pair must be the only solution
        return False
    if d.data.get("counts") and not (x.denominator == y.denominator == 1 and x >= 0 and y >= 0):
        return False
    return a * x + b * y == e and c * x + dd * y == f


FAMILIES = (
    Family(
        "systems_of_two", "two linear equations in x and y, answer as (x, y)", make_systems, check_systems
    ),
)
