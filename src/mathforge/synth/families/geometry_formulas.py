"""Areas, perimeters, volumes, surface areas and the Pythagorean theorem.

``make`` applies the textbook formulas; ``check`` counts unit squares, uses the shoelace and Heron's
formulas, and gets π from Archimedes' polygons with the coefficient by disk or shell integration.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._answer_values import exact_rational
from mathforge.synth.families._format import (
    from_pair,
    sympy_literal,
    tex_factor,
    tex_rational,
    tex_sqrt,
    to_pair,
)
from mathforge.synth.families._polynomials import poly_antiderivative, poly_eval


def _approx(answer: str) -> float | None:
    """The answer's real value as the grader evaluates it (π and radicals included), or None."""
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
    """Whether the answer's value is within ``rel`` of ``target`` (π comes from Archimedes, not exactly)."""
    got = _approx(answer)
    return got is not None and abs(got - target) <= rel * max(1.0, abs(target))


def _pi_tex(c: Fraction) -> str:
    """c·π in LaTeX: ``25\\pi``, ``\\pi``, ``\\frac{25\\pi}{3}``."""
    c = Fraction(c)
    num = "" if abs(c.numerator) == 1 else str(abs(c.numerator))
    sign = "-" if c < 0 else ""
    if c.denominator == 1:
        return f"{sign}{num}\\pi"
    return f"{sign}\\frac{{{num}\\pi}}{{{c.denominator}}}"


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
    calc = f"\\frac{{1}}{{2}} \\times {b} \\times {h} = {tex_rational(ans)}"
    cot = pick(
        lang,
        f"Area $= \\frac{{1}}{{2}} \\times$ base $\\times$ height $= {calc}$. ",
        f"面积 $= \\frac{{1}}{{2}} \\times$ 底 $\\times$ 高 $= {calc}$。",
    )
    cot += boxed(tex_rational(ans), lang)
    code = f"from fractions import Fraction\n\nprint(Fraction({b} * {h}, 2))\n"
    return Draft(q, tex_rational(ans), cot, code, "number", {"type": "tri_bh", "b": b, "h": h, "apex": apex})


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
    prod = f"{tex_rational(s)} \\times {tex_factor(s - a)} \\times {tex_factor(s - b)} \\times {tex_factor(s - c)}"
    cot = pick(
        lang,
        f"By Heron's formula with $s = \\frac{{{a} + {b} + {c}}}{{2}} = {tex_rational(s)}$: "
        f"$A = \\sqrt{{{prod}}} = \\sqrt{{{tex_rational(area * area)}}} = {tex_rational(area)}$. ",
        f"由海伦公式，半周长 $s = \\frac{{{a} + {b} + {c}}}{{2}} = {tex_rational(s)}$，"
        f"$S = \\sqrt{{{prod}}} = \\sqrt{{{tex_rational(area * area)}}} = {tex_rational(area)}$。",
    ) + boxed(tex_rational(area), lang)
    code = (
        "from sympy import Rational, sqrt\n\n"
        f"a, b, c = {a}, {b}, {c}\ns = Rational(a + b + c, 2)\nprint(sqrt(s * (s - a) * (s - b) * (s - c)))\n"
    )
    return Draft(q, tex_rational(area), cot, code, "number", {"type": "heron", "sides": sides})


def _ask_exact_in_pi(lang: str, en: str, zh: str) -> str:
    """A question whose answer is a multiple of π, asking for the exact value."""
    return pick(lang, f"{en} Give the exact value in terms of $\\pi$.", f"{zh}（结果保留 $\\pi$）")


def _pi_draft(lang: str, q: str, c: Fraction, cot: str, data: dict) -> Draft:
    """The draft whose answer is ``c``·π, with the program that prints it."""
    code = f"from sympy import Rational, latex, pi\n\nprint(latex({sympy_literal(c)} * pi))\n"
    return Draft(q, _pi_tex(c), cot + boxed(_pi_tex(c), lang), code, "number", data)


# Circles and round solids given the radius r (and height h): π's coefficient, the question (English,
# Chinese) and the formula worked through (English, Chinese), with {r}, {h} and the answer {c} to fill in.
_ROUND = {
    "circle_area": (
        lambda r, h: Fraction(r * r),
        "What is the area of a circle of radius {r}?",
        "半径为 {r} 的圆的面积是多少？",
        "$A = \\pi r^2 = \\pi \\times {r}^2 = {c}$. ",
        "$S = \\pi r^2 = \\pi \\times {r}^2 = {c}$。",
    ),
    "circle_circ": (
        lambda r, h: Fraction(2 * r),
        "What is the circumference of a circle of radius {r}?",
        "半径为 {r} 的圆的周长是多少？",
        "$C = 2\\pi r = 2\\pi \\times {r} = {c}$. ",
        "$C = 2\\pi r = 2\\pi \\times {r} = {c}$。",
    ),
    "cyl_vol": (
        lambda r, h: Fraction(r * r * h),
        "A cylinder has base radius {r} and height {h}. What is its volume?",
        "一个圆柱的底面半径为 {r}，高为 {h}，求它的体积。",
        "$V = \\pi r^2 h = \\pi \\times {r}^2 \\times {h} = {c}$. ",
        "$V = \\pi r^2 h = \\pi \\times {r}^2 \\times {h} = {c}$。",
    ),
    "cyl_surf": (
        lambda r, h: Fraction(2 * r * r + 2 * r * h),
        "A closed cylinder has base radius {r} and height {h}. What is its total surface area?",
        "一个圆柱的底面半径为 {r}，高为 {h}，求它的表面积（含上下底面）。",
        "Two discs plus the side: $2\\pi r^2 + 2\\pi r h = 2\\pi \\times {r}^2 + 2\\pi \\times {r} \\times {h} = {c}$. ",
        "两个底面加侧面：$2\\pi r^2 + 2\\pi r h = 2\\pi \\times {r}^2 + 2\\pi \\times {r} \\times {h} = {c}$。",
    ),
    "sphere_vol": (
        lambda r, h: Fraction(4 * r**3, 3),
        "What is the volume of a sphere of radius {r}?",
        "半径为 {r} 的球的体积是多少？",
        "$V = \\frac{{4}}{{3}}\\pi r^3 = \\frac{{4}}{{3}}\\pi \\times {r}^3 = {c}$. ",
        "$V = \\frac{{4}}{{3}}\\pi r^3 = \\frac{{4}}{{3}}\\pi \\times {r}^3 = {c}$。",
    ),
    "sphere_surf": (
        lambda r, h: Fraction(4 * r * r),
        "What is the surface area of a sphere of radius {r}?",
        "半径为 {r} 的球的表面积是多少？",
        "$S = 4\\pi r^2 = 4\\pi \\times {r}^2 = {c}$. ",
        "$S = 4\\pi r^2 = 4\\pi \\times {r}^2 = {c}$。",
    ),
    "cone_vol": (
        lambda r, h: Fraction(r * r * h, 3),
        "A cone has base radius {r} and height {h}. What is its volume?",
        "一个圆锥的底面半径为 {r}，高为 {h}，求它的体积。",
        "$V = \\frac{{1}}{{3}}\\pi r^2 h = \\frac{{1}}{{3}}\\pi \\times {r}^2 \\times {h} = {c}$. ",
        "$V = \\frac{{1}}{{3}}\\pi r^2 h = \\frac{{1}}{{3}}\\pi \\times {r}^2 \\times {h} = {c}$。",
    ),
}


def _round(lang: str, kind: str, r: int, h: int = 0) -> tuple[Fraction, str, str]:
    """π's coefficient, the question and the worked formula for one of ``_ROUND``."""
    coefficient, q_en, q_zh, cot_en, cot_zh = _ROUND[kind]
    c = coefficient(r, h)
    q = _ask_exact_in_pi(lang, q_en.format(r=r, h=h), q_zh.format(r=r, h=h))
    return c, q, pick(lang, cot_en, cot_zh).format(r=r, h=h, c=_pi_tex(c))


def _geo_circle(rng: random.Random, lang: str, level: int) -> Draft:
    r = rng.randint(1, 60)
    if level == 1:
        kind = "circle_area" if rng.random() < 0.5 else "circle_circ"
        c, q, cot = _round(lang, kind, r)
        return _pi_draft(lang, q, c, cot, {"type": kind, "r": to_pair(r)})
    d = 2 * r if rng.random() < 0.5 else 2 * r - 1
    rr = Fraction(d, 2)
    c = rr * rr
    if rng.random() < 0.5:
        q = _ask_exact_in_pi(
            lang,
            f"A circle has diameter {d}. What is its area?",
            f"一个圆的直径为 {d}，它的面积是多少？",
        )
        cot = pick(
            lang,
            f"The radius is ${tex_rational(rr)}$, so $A = \\pi r^2 = \\pi \\times {tex_factor(rr)}^2 = {_pi_tex(c)}$. ",
            f"半径为 ${tex_rational(rr)}$，所以 $S = \\pi r^2 = \\pi \\times {tex_factor(rr)}^2 = {_pi_tex(c)}$。",
        )
    else:  # circumference d·π given, find the area
        q = _ask_exact_in_pi(
            lang,
            f"A circle has circumference ${_pi_tex(Fraction(d))}$. What is its area?",
            f"一个圆的周长为 ${_pi_tex(Fraction(d))}$，它的面积是多少？",
        )
        cot = pick(
            lang,
            f"From $2\\pi r = {_pi_tex(Fraction(d))}$ we get $r = {tex_rational(rr)}$, so $A = \\pi r^2 = {_pi_tex(c)}$. ",
            f"由 $2\\pi r = {_pi_tex(Fraction(d))}$ 得 $r = {tex_rational(rr)}$，所以 $S = \\pi r^2 = {_pi_tex(c)}$。",
        )
    return _pi_draft(lang, q, c, cot, {"type": "circle_area", "r": to_pair(rr)})


def _geo_sector(rng: random.Random, lang: str, level: int) -> Draft:
    r = rng.randint(2, 24)
    theta = rng.choice([v for v in range(15, 346, 15) if v not in (180,)])
    if rng.random() < 0.5:
        c = Fraction(theta, 360) * r * r
        q = _ask_exact_in_pi(
            lang,
            f"A sector of a circle has radius {r} and central angle ${theta}^\\circ$. What is its area?",
            f"一个扇形的半径为 {r}，圆心角为 ${theta}^\\circ$，求它的面积。",
        )
        cot = pick(
            lang,
            f"The sector is $\\frac{{{theta}}}{{360}}$ of the disc: $\\frac{{{theta}}}{{360}} \\times \\pi \\times {r}^2 = {_pi_tex(c)}$. ",
            f"扇形面积是整圆面积的 $\\frac{{{theta}}}{{360}}$：$\\frac{{{theta}}}{{360}} \\times \\pi \\times {r}^2 = {_pi_tex(c)}$。",
        )
        data = {"type": "sector_area", "r": r, "theta": theta}
    else:
        c = Fraction(theta, 360) * 2 * r
        q = _ask_exact_in_pi(
            lang,
            f"An arc of a circle of radius {r} subtends a central angle of ${theta}^\\circ$. What is the arc length?",
            f"半径为 {r} 的圆中，圆心角 ${theta}^\\circ$ 所对的弧长是多少？",
        )
        cot = pick(
            lang,
            f"The arc is $\\frac{{{theta}}}{{360}}$ of the circumference: $\\frac{{{theta}}}{{360}} \\times 2\\pi \\times {r} = {_pi_tex(c)}$. ",
            f"弧长是整个圆周长的 $\\frac{{{theta}}}{{360}}$：$\\frac{{{theta}}}{{360}} \\times 2\\pi \\times {r} = {_pi_tex(c)}$。",
        )
        data = {"type": "arc_length", "r": r, "theta": theta}
    return _pi_draft(lang, q, c, cot, data)


def _geo_solid(rng: random.Random, lang: str, level: int) -> Draft:
    kind = rng.choice(
        ["cyl_vol", "cyl_surf", "sphere_vol", "sphere_surf"]
        + (["cone_vol", "cone_slant"] if level == 3 else [])
    )
    r, h = rng.randint(1, 15), rng.randint(1, 25)
    if kind != "cone_slant":
        c, q, cot = _round(lang, kind, r, h)
        return _pi_draft(lang, q, c, cot, {"type": kind, "r": r, "h": h})
    a, b, slant = rng.choice(_TRIPLES_60)  # a cone given its slant height
    r, h = (a, b) if rng.random() < 0.5 else (b, a)
    c = Fraction(r * r * h, 3)
    q = _ask_exact_in_pi(
        lang,
        f"A cone has base radius {r} and slant height {slant}. What is its volume?",
        f"一个圆锥的底面半径为 {r}，母线长为 {slant}，求它的体积。",
    )
    calc = f"$h = \\sqrt{{{slant}^2 - {r}^2}} = {h}$"
    vol = f"$V = \\frac{{1}}{{3}}\\pi \\times {r}^2 \\times {h} = {_pi_tex(c)}$"
    cot = pick(lang, f"The height is {calc}, so {vol}. ", f"圆锥的高为 {calc}，所以 {vol}。")
    return _pi_draft(lang, q, c, cot, {"type": "cone_vol_slant", "r": r, "slant": slant})


def _sqrt_steps(squares: str, n: int) -> tuple[str, str, str]:
    """A length √n where ``squares`` ("a^2 + b^2", LaTeX) adds up to n: the answer in simplest radical
    form, the step ``\\sqrt{a^2 + b^2} = \\sqrt{n} = …`` and the program that prints it."""
    tex = tex_sqrt(n)
    code = f"from sympy import latex, sqrt\n\nprint(latex(sqrt({squares.replace('^', '**')})))\n"
    return tex, f"\\sqrt{{{squares}}} = \\sqrt{{{n}}} = {tex}", code


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
        q = pick(
            lang,
            f"A rectangular box measures {a} by {b} by {c}. How long is its space diagonal?",
            f"一个长方体的长、宽、高分别为 {a}、{b}、{c}，求它的体对角线长。",
        )
        tex, calc, code = _sqrt_steps(f"{a}^2 + {b}^2 + {c}^2", a * a + b * b + c * c)
        cot = pick(lang, f"Apply Pythagoras twice: $d = {calc}$. ", f"两次使用勾股定理：$d = {calc}$。")
        kind = "box_diag"
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
        q = pick(
            lang,
            f"A right triangle has legs of length {a} and {b}. How long is the hypotenuse?",
            f"一个直角三角形的两条直角边长分别为 {a} 和 {b}，求斜边长。",
        )
        side = "c"
        tex, calc, code = _sqrt_steps(f"{a}^2 + {b}^2", a * a + b * b)
        data = {"type": "hyp", "a": a, "b": b}
    else:
        c = b
        q = pick(
            lang,
            f"A right triangle has hypotenuse {c} and one leg {a}. How long is the other leg?",
            f"一个直角三角形的斜边长为 {c}，一条直角边长为 {a}，求另一条直角边的长。",
        )
        side = "b"
        tex, calc, code = _sqrt_steps(f"{c}^2 - {a}^2", c * c - a * a)
        data = {"type": "leg", "c": c, "a": a}
    cot = pick(lang, f"By the Pythagorean theorem, ${side} = {calc}$. ", f"由勾股定理，${side} = {calc}$。")
    return Draft(q, tex, cot + boxed(tex, lang), code, "number", data)


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
    anti = poly_antiderivative(cs)
    return poly_eval(anti, hi) - poly_eval(anti, lo)


def check_geometry_formulas(d: Draft) -> bool:
    """Other routes: unit squares and walking the boundary, the shoelace formula, Heron's formula,
    Archimedes' polygon for π with disk/shell integration for the coefficient, squares of roots."""
    x, t = d.data, d.data["type"]
    pi = _archimedes_pi()
    if t in ("rect_area", "rect_perimeter", "rect_from_area", "box_vol", "box_surf", "tri_bh", "heron"):
        got = exact_rational(d.answer)
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
        r = from_pair(x["r"])
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


FAMILIES = (
    Family(
        "geometry_formulas",
        "areas, perimeters, volumes, surface areas and the Pythagorean theorem",
        make_geometry_formulas,
        check_geometry_formulas,
    ),
)
