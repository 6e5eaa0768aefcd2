"""Metric and time unit conversions, including compound quantities, area and speed.

``make`` and ``check`` use two independently written unit tables, so a wrong factor in one is caught.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._format import (
    SHOW_PRELUDE,
    decimal_or_none,
    decimal_or_tex_fraction,
    parse_gold_number,
    python_literal,
)

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


def _category(unit: str) -> str:
    """The quantity a unit measures: "length", "time", …"""
    return next(c for c, t in _UNITS.items() if unit in t)


def _unit_writer(lang: str) -> Callable[[str], str]:
    """How a solution writes a unit: its Chinese name, or its symbol (``km²`` for ``km2``)."""
    return (lambda x: _UNIT_ZH[x]) if lang == "zh" else (lambda x: _UNIT_TEX.get(x, x))


def _conv_text(frm: str, to: str, lang: str) -> tuple[str, str]:
    """('1 km = 1000 m', 'multiply by 1000') for the factor between two units."""
    cat = _category(frm)
    r = _UNITS[cat][frm] / _UNITS[cat][to]
    u = _unit_writer(lang)
    if r.denominator == 1:
        return f"1 {u(frm)} = {r} {u(to)}", pick(lang, f"multiply by {r}", f"乘 {r}")
    if r.numerator == 1:
        return f"1 {u(to)} = {r.denominator} {u(frm)}", pick(
            lang, f"divide by {r.denominator}", f"除以 {r.denominator}"
        )
    return f"1 {u(frm)} = {decimal_or_tex_fraction(r)} {u(to)}", pick(
        lang, f"multiply by {decimal_or_tex_fraction(r)}", f"乘 {decimal_or_tex_fraction(r)}"
    )


def _unit_value(rng: random.Random, level: int) -> Fraction:
    places = rng.choice([0, 0, 1]) if level == 1 else rng.choice([0, 1, 2])
    return Fraction(rng.randint(1, 999 if places else 99), 10**places)


def make_units(rng: random.Random, lang: str, level: int) -> Draft:
    u = _unit_writer(lang)
    if (
        level == 3 and rng.random() < 0.45
    ):  # a compound quantity: "2 h 15 min" → min or h, "3 km 250 m" → m or km
        big, small = rng.choice(
            [("h", "min"), ("km", "m"), ("kg", "g"), ("m", "cm"), ("L", "mL"), ("min", "s"), ("t", "kg")]
        )
        cat = _category(big)
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
                f"${a} + \\frac{{{b}}}{{{ratio}}} = {decimal_or_tex_fraction(value)}$ {u(big)}. ",
                f"因为 {fact}，所以 ${b}$ {u(small)} $= \\frac{{{b}}}{{{ratio}}}$ {u(big)}，合计 "
                f"${a} + \\frac{{{b}}}{{{ratio}}} = {decimal_or_tex_fraction(value)}$ {u(big)}。",
            )
        q = pick(lang, f"Express {given} in {_UNIT_EN[to]}.", f"{given}等于多少{_UNIT_ZH[to]}？")
        denom = "" if to == small else f", {ratio}"
        code = (
            SHOW_PRELUDE + f"total = {a} * {ratio} + {b}  # in {small}\nprint(show(Fraction(total{denom})))\n"
        )
        parts = [(Fraction(a), big), (Fraction(b), small)]
    else:
        while True:
            if level == 1:
                frm, to = rng.choice(_EASY_PAIRS)
                if rng.random() < 0.5:
                    frm, to = to, frm
                cat = _category(frm)
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
            d = decimal_or_none(value)
            places = len(d.split(".")[1]) if d is not None and "." in d else 0
            if level == 1 and value.denominator != 1 and cat != "time":
                continue
            if ((d is not None and places <= 4) or cat == "time") and value <= 10**7:
                break
        r = _UNITS[cat][frm] / _UNITS[cat][to]
        if frm == "km/h":
            fact = pick(lang, "1 km/h = 1000 m ÷ 3600 s", "1 千米/时 = 1000 米 ÷ 3600 秒")
            how = pick(lang, "multiply by $\\frac{5}{18}$", "乘 $\\frac{5}{18}$")
            chain = (
                f"{decimal_or_tex_fraction(val)} \\times \\frac{{5}}{{18}} = {decimal_or_tex_fraction(value)}"
            )
        else:
            fact, how = _conv_text(frm, to, lang)
            if r.numerator == 1:
                chain = (
                    f"{decimal_or_tex_fraction(val)} \\div {r.denominator} = {decimal_or_tex_fraction(value)}"
                )
            else:
                chain = f"{decimal_or_tex_fraction(val)} \\times {decimal_or_tex_fraction(r)} = {decimal_or_tex_fraction(value)}"
        cot = pick(
            lang,
            f"Since {fact}, we {how}: ${chain}$ {u(to)}. ",
            f"因为 {fact}，所以{how}：${chain}$ {u(to)}。",
        )
        given = f"{decimal_or_tex_fraction(val)} {u(frm)}"
        q = pick(
            lang,
            rng.choice([f"Convert {given} to {_UNIT_EN[to]}.", f"How many {_UNIT_EN[to]} are in {given}?"]),
            rng.choice([f"{given}等于多少{_UNIT_ZH[to]}？", f"把 {given}换算成{_UNIT_ZH[to]}。"]),
        )
        table = ", ".join(f"{k!r}: {python_literal(f)}" for k, f in _UNITS[cat].items())
        code = SHOW_PRELUDE + (
            f"to_base = {{{table}}}\n"
            f"value = Fraction({val.numerator}, {val.denominator})\n"
            f"print(show(value * to_base[{frm!r}] / to_base[{to!r}]))\n"
        )
        parts = [(val, frm)]
    ans = decimal_or_tex_fraction(value)
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
    v = parse_gold_number(d.answer)
    if v is None:
        return False
    total = sum((Fraction(n, den) * _CHECK_FACTOR[u] for n, den, u in d.data["parts"]), Fraction(0))
    return v * _CHECK_FACTOR[d.data["to"]] == total


FAMILIES = (
    Family(
        "unit_conversion",
        "metric and time unit conversions, including area and speed",
        make_units,
        check_units,
    ),
)
