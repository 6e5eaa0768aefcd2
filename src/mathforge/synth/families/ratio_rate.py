"""Ratio and rate word problems: speed, unit price, work rates, sharing in a ratio.

``check`` substitutes the answer back into the story's constraints (distance = speed × time, the shares
add up to the total, the work simulated hour by hour) instead of repeating ``make``'s formula.
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
    money,
    parse_gold_number,
    tex_rational,
    to_pair,
)

_NAMES_EN = ["Alice", "Ben", "Carmen", "David", "Emma", "Farid", "Grace", "Hiro", "Ivy", "Jonas"]
_NAMES_ZH = ["小明", "小红", "小刚", "小丽", "小华", "小军", "小芳", "小强", "小燕", "小龙"]


def _names(rng: random.Random, lang: str, k: int) -> list[str]:
    return rng.sample(_NAMES_ZH if lang == "zh" else _NAMES_EN, k)


# Level 1: two of distance, speed and time given, the third asked: the question (English, Chinese), the
# step, and the rule it uses (English, Chinese); {d}, {v} and {t} are filled in.
_SPEED_ASKS = {
    "d": (
        "A car travels at {v} km/h for {t} hours. How many kilometers does it travel?",
        "一辆汽车以每小时 {v} 千米的速度行驶了 {t} 小时，一共行驶了多少千米？",
        "{v} \\times {t} = {d}",
        "Distance = speed × time: ",
        "路程 = 速度 × 时间：",
    ),
    "v": (
        "A train covers {d} km in {t} hours at a constant speed. What is its speed in km/h?",
        "一列火车匀速行驶，{t} 小时行驶了 {d} 千米，它的速度是每小时多少千米？",
        "{d} \\div {t} = {v}",
        "Speed = distance ÷ time: ",
        "速度 = 路程 ÷ 时间：",
    ),
    "t": (
        "How many hours does it take to travel {d} km at {v} km/h?",
        "以每小时 {v} 千米的速度行驶 {d} 千米，需要多少小时？",
        "{d} \\div {v} = {t}",
        "Time = distance ÷ speed: ",
        "时间 = 路程 ÷ 速度：",
    ),
}


def _make_speed(rng: random.Random, lang: str, level: int) -> tuple[str, str, str, str, dict]:
    if level == 1:
        v, t = rng.randrange(20, 95, 5), rng.randint(2, 6)
        dist = v * t
        ask = rng.choice("dvt")
        q_en, q_zh, step, rule_en, rule_zh = _SPEED_ASKS[ask]
        given = {"d": dist, "v": v, "t": t}
        q = pick(lang, q_en, q_zh).format(**given)
        ans = decimal_or_tex_fraction(Fraction(given[ask]))
        cot = pick(lang, rule_en, rule_zh) + f"${step.format(**given)}$" + pick(lang, ". ", "。")
        code = f"print({v} * {t})\n" if ask == "d" else f"print({dist} // {t if ask == 'v' else v})\n"
        data = {
            "sub": "speed",
            "ask": ask,
            "d": to_pair(Fraction(dist)),
            "v": to_pair(Fraction(v)),
            "t": to_pair(Fraction(t)),
        }
        return q, ans, cot, code, data
    if level == 2:
        while True:
            v, mins = rng.randrange(12, 121, 6), rng.randrange(10, 175, 5)
            dist = Fraction(v * mins, 60)
            if decimal_or_none(dist) is not None:
                break
        if rng.random() < 0.5:
            q = pick(
                lang,
                f"A cyclist rides at {v} km/h for {mins} minutes. How many kilometers does she ride?",
                f"一名骑车人以每小时 {v} 千米的速度骑行了 {mins} 分钟，骑行了多少千米？",
            )
            value = dist
            chain = f"{mins} \\text{{ min}} = \\frac{{{mins}}}{{60}} \\text{{ h}}, \\quad {v} \\times \\frac{{{mins}}}{{60}} = {decimal_or_tex_fraction(dist)}"
            if lang == "zh":
                chain = chain.replace("\\text{ min}", "\\text{ 分钟}").replace("\\text{ h}", "\\text{ 小时}")
            cot = pick(
                lang,
                f"Convert the time to hours, then distance = speed × time: ${chain}$. ",
                f"先把时间化成小时，再用路程 = 速度 × 时间：${chain}$。",
            )
            code = SHOW_PRELUDE + f"print(show(Fraction({v}) * Fraction({mins}, 60)))\n"
            data = {
                "sub": "speed",
                "ask": "d",
                "d": None,
                "v": to_pair(Fraction(v)),
                "t": to_pair(Fraction(mins, 60)),
            }
        else:
            q = pick(
                lang,
                f"How many minutes does it take to travel {decimal_or_tex_fraction(dist)} km at {v} km/h?",
                f"以每小时 {v} 千米的速度行驶 {decimal_or_tex_fraction(dist)} 千米，需要多少分钟？",
            )
            value = Fraction(mins)
            chain = f"{decimal_or_tex_fraction(dist)} \\div {v} = {decimal_or_tex_fraction(dist / v)}, \\quad {decimal_or_tex_fraction(dist / v)} \\times 60 = {mins}"
            cot = pick(
                lang,
                f"Time in hours is distance ÷ speed, then multiply by 60 to get minutes: ${chain}$. ",
                f"时间（小时）= 路程 ÷ 速度，再乘 60 化成分钟：${chain}$。",
            )
            code = SHOW_PRELUDE + f'print(show(Fraction("{decimal_or_tex_fraction(dist)}") / {v} * 60))\n'
            data = {"sub": "speed", "ask": "t_min", "d": to_pair(dist), "v": to_pair(Fraction(v)), "t": None}
        return q, decimal_or_tex_fraction(value), cot, code, data
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
            f"Two towns are {decimal_or_tex_fraction(dist)} km apart. Two cars leave the towns at the same time and drive towards each other, "
            f"one at {v1} km/h and the other at {v2} km/h. After how many hours do they meet?",
            f"甲、乙两地相距 {decimal_or_tex_fraction(dist)} 千米，两辆汽车同时从两地出发相向而行，速度分别是每小时 {v1} 千米和每小时 {v2} 千米。"
            "经过多少小时两车相遇？",
        )
        chain = f"{decimal_or_tex_fraction(dist)} \\div ({v1} + {v2}) = {decimal_or_tex_fraction(dist)} \\div {v1 + v2} = {decimal_or_tex_fraction(t)}"
        cot = pick(
            lang,
            f"Moving towards each other, they close the gap at ${v1} + {v2} = {v1 + v2}$ km/h, so the time is ${chain}$. ",
            f"相向而行，两车每小时共行 ${v1} + {v2} = {v1 + v2}$ 千米，所以相遇时间为 ${chain}$。",
        )
        code = SHOW_PRELUDE + f'print(show(Fraction("{decimal_or_tex_fraction(dist)}") / ({v1} + {v2})))\n'
        return (
            q,
            decimal_or_tex_fraction(t),
            cot,
            code,
            {"sub": "meet", "dist": to_pair(dist), "v1": v1, "v2": v2},
        )
    v1, v2 = rng.sample(range(20, 101, 10), 2)
    avg = Fraction(2 * v1 * v2, v1 + v2)
    q = pick(
        lang,
        f"A car drives from A to B at {v1} km/h and returns from B to A along the same road at {v2} km/h. "
        "What is its average speed for the whole round trip, in km/h?",
        f"一辆汽车从 A 地到 B 地的速度是每小时 {v1} 千米，沿原路从 B 地返回 A 地的速度是每小时 {v2} 千米。"
        "求往返全程的平均速度（千米/时）。",
    )
    chain = f"\\frac{{2s}}{{\\frac{{s}}{{{v1}}} + \\frac{{s}}{{{v2}}}}} = \\frac{{2 \\times {v1} \\times {v2}}}{{{v1} + {v2}}} = {decimal_or_tex_fraction(avg)}"
    cot = pick(
        lang,
        f"Let each leg be $s$ km. Average speed = total distance ÷ total time $= {chain}$. ",
        f"设单程为 $s$ 千米，平均速度 = 总路程 ÷ 总时间 $= {chain}$。",
    )
    code = SHOW_PRELUDE + f"v1, v2 = {v1}, {v2}\nprint(show(Fraction(2 * v1 * v2, v1 + v2)))\n"
    return q, decimal_or_tex_fraction(avg), cot, code, {"sub": "round_trip", "v1": v1, "v2": v2}


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
        ans = decimal_or_none(Fraction(target, 100))
        q = pick(
            lang,
            f"{n} {item_en} cost {money(total)} dollars. At the same price, how much do {m} {item_en} cost, in dollars?",
            f"{n} {unit_zh}{item_zh}共 {money(total)} 元，照这样的价格，{m} {unit_zh}{item_zh}要多少元？",
        )
        chain = f"{money(total)} \\div {n} = {money(unit)}, \\quad {money(unit)} \\times {m} = {ans}"
        cot = pick(
            lang,
            f"First find the price of one, then multiply: ${chain}$. ",
            f"先求单价，再乘数量：${chain}$。",
        )
        code = SHOW_PRELUDE + f'unit = Fraction("{money(total)}") / {n}\nprint(show(unit * {m}))\n'
        return q, ans, cot, code, {"sub": "price", "n": n, "total": money(total), "m": m}
    grams = rng.choice([200, 250, 400, 500, 750, 1250, 1500, 2500])
    per_kg = rng.randint(2, 40) * 100 + rng.choice([0, 0, 20, 40, 60, 80])
    cost = Fraction(per_kg * grams, 1000)  # in cents
    if cost.denominator != 1:
        per_kg = rng.randint(2, 40) * 100
        cost = Fraction(per_kg * grams, 1000)
    ans = decimal_or_none(Fraction(per_kg, 100))
    shown = money(int(cost))
    food_en, food_zh = rng.choice(
        [("rice", "大米"), ("coffee beans", "咖啡豆"), ("cheese", "奶酪"), ("flour", "面粉")]
    )
    q = pick(
        lang,
        f"A {grams} g bag of {food_en} costs {shown} dollars. What is the price per kilogram, in dollars?",
        f"一袋 {grams} 克的{food_zh}售价 {shown} 元，每千克多少元？",
    )
    chain = f"{shown} \\div {decimal_or_tex_fraction(Fraction(grams, 1000))} = {ans}"
    cot = pick(
        lang,
        f"${grams}$ g $= {decimal_or_tex_fraction(Fraction(grams, 1000))}$ kg, so the price per kilogram is ${chain}$. ",
        f"${grams}$ 克 $= {decimal_or_tex_fraction(Fraction(grams, 1000))}$ 千克，所以每千克的价格是 ${chain}$。",
    )
    code = SHOW_PRELUDE + f'print(show(Fraction("{shown}") / Fraction({grams}, 1000)))\n'
    return q, ans, cot, code, {"sub": "per_kg", "grams": grams, "cost": shown}


def _one_job(a: int, b: int, sign: int) -> tuple[Fraction, str, str, dict]:
    """Rates 1/a and ±1/b of a job per hour working at once (``sign`` -1: the second undoes the work): the
    hours to do the whole job, the worked step, the program and the data."""
    op = "+" if sign > 0 else "-"
    rate = Fraction(1, a) + sign * Fraction(1, b)
    hours = 1 / rate
    chain = f"\\frac{{1}}{{{a}}} {op} \\frac{{1}}{{{b}}} = {tex_rational(rate)}, \\quad 1 \\div {tex_rational(rate)} = {tex_rational(hours)}"
    code = (
        f"from fractions import Fraction\n\nrate = Fraction(1, {a}) {op} Fraction(1, {b})\nprint(1 / rate)\n"
    )
    return hours, chain, code, {"sub": "work", "rates": [[1, a], [sign, b]], "t0": 0}


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
        hours, chain, code, data = _one_job(a, b, 1)
        cot = pick(
            lang,
            f"Per hour they do $\\frac{{1}}{{{a}}}$ and $\\frac{{1}}{{{b}}}$ of the job: ${chain}$. ",
            f"两人每小时分别完成工程的 $\\frac{{1}}{{{a}}}$ 和 $\\frac{{1}}{{{b}}}$：${chain}$。",
        )
        return q, tex_rational(hours), cot, code, data
    if rng.random() < 0.5:  # inlet and outlet pipes
        while True:
            a, b = rng.randint(2, 12), rng.randint(3, 24)
            if b > a:
                break
        q = pick(
            lang,
            f"An inlet pipe fills an empty tank in {a} hours; an outlet pipe empties a full tank in {b} hours. "
            "If both pipes are opened at the same time on an empty tank, how many hours until it is full?",
            f"一个水池，单开进水管 {a} 小时可以注满，单开出水管 {b} 小时可以把满池水放完。"
            "空池时两管同时打开，多少小时能把水池注满？",
        )
        hours, chain, code, data = _one_job(a, b, -1)
        cot = pick(
            lang,
            f"Each hour the tank gains $\\frac{{1}}{{{a}}}$ and loses $\\frac{{1}}{{{b}}}$ of its volume: ${chain}$. ",
            f"每小时注入水池的 $\\frac{{1}}{{{a}}}$，放出 $\\frac{{1}}{{{b}}}$：${chain}$。",
        )
        return q, tex_rational(hours), cot, code, data
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
        f"{t0} \\times \\left(\\frac{{1}}{{{a}}} + \\frac{{1}}{{{b}}}\\right) = {tex_rational(done)}, \\quad "
        f"\\left(1 - {tex_rational(done)}\\right) \\div \\frac{{1}}{{{b}}} = {tex_rational(rest)}, \\quad {t0} + {tex_rational(rest)} = {tex_rational(total)}"
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
    return q, tex_rational(total), cot, code, {"sub": "work", "rates": [[1, a], [1, b]], "t0": t0}


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
    v = parse_gold_number(d.answer)
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


FAMILIES = (
    Family(
        "ratio_rate",
        "ratio and rate word problems: speed, unit price, work rates, sharing",
        make_ratio_rate,
        check_ratio_rate,
    ),
)
