"""Permutations, combinations, and probabilities with dice, coins and urns.

``make`` uses counting formulas; ``check`` enumerates every outcome with ``itertools``.
"""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._answer_values import exact_rational
from mathforge.synth.families._format import tex_rational

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


def _choose_draft(
    lang: str, kind: str, template: tuple[str, str], n: int, k: int, ans: int, rule: tuple[str, str]
) -> Draft:
    """``k`` of ``n``, arranged or not (``kind``: "perm" or "comb", as ``math`` names them): the story
    ``template`` (English, Chinese) and the formula worked out in ``rule``."""
    q = pick(lang, template[0].format(n=n, k=k), template[1].format(n=n, k=k))
    cot = pick(lang, *rule) + boxed(str(ans), lang)
    code = f"import math\n\nprint(math.{kind}({n}, {k}))\n"
    return Draft(q, str(ans), cot, code, "number", {"type": kind, "n": n, "k": k})


def _cp_perm(rng: random.Random, lang: str, level: int) -> Draft:
    template = rng.choice(_PERM_TEMPLATES)
    top = 9 if "digit" in template[0] else 13
    n = rng.randint(*{1: (4, 9), 2: (6, min(top, 12)), 3: (7, top)}[level])
    k = rng.randint(*{1: (2, 3), 2: (3, 4), 3: (4, 5)}[level])
    ans = math.prod(range(n - k + 1, n + 1))
    chain = " \\times ".join(str(v) for v in range(n, n - k, -1))
    rule = (
        f"Order matters, so this is $A_{{{n}}}^{{{k}}} = \\frac{{{n}!}}{{{n - k}!}} = {chain} = {ans}$. ",
        f"顺序有关，是排列数 $A_{{{n}}}^{{{k}}} = \\frac{{{n}!}}{{{n - k}!}} = {chain} = {ans}$。",
    )
    return _choose_draft(lang, "perm", template, n, k, ans, rule)


def _cp_comb(rng: random.Random, lang: str, level: int) -> Draft:
    n = rng.randint(*{1: (5, 12), 2: (8, 18), 3: (10, 18)}[level])
    k = rng.randint(*{1: (2, 3), 2: (3, 5), 3: (3, 5)}[level])
    ans = math.factorial(n) // (math.factorial(k) * math.factorial(n - k))
    template = rng.choice(_COMB_TEMPLATES)
    rule = (
        f"Order does not matter: $\\binom{{{n}}}{{{k}}} = \\frac{{{n}!}}{{{k}! \\, {n - k}!}} = {ans}$. ",
        f"与顺序无关，是组合数 $\\binom{{{n}}}{{{k}}} = \\frac{{{n}!}}{{{k}! \\, {n - k}!}} = {ans}$。",
    )
    return _choose_draft(lang, "comb", template, n, k, ans, rule)


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


_CMP = {"eq": "==", "ge": ">=", "le": "<="}  # how a count is compared with the target, in a program


def _meets(count: int, mode: str, target: int) -> bool:
    """Whether ``count`` is equal to ("eq"), at least ("ge") or at most ("le") ``target``."""
    return count == target if mode == "eq" else count >= target if mode == "ge" else count <= target


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
    picked = [s for s in ways if _meets(s, mode, target)]
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
        f"qualifying sum gives ${detail} = {fav}$, so the probability is $\\frac{{{fav}}}{{{total}}} = {tex_rational(p)}$. ",
        f"共有 ${faces}^{{{dice}}} = {total}$ 种等可能的结果。逐个统计符合条件的点数和对应的结果数："
        f"${detail} = {fav}$，所以概率为 $\\frac{{{fav}}}{{{total}}} = {tex_rational(p)}$。",
    ) + boxed(tex_rational(p), lang)
    code = (
        "from fractions import Fraction\nfrom itertools import product\n\n"
        f"rolls = list(product(range(1, {faces + 1}), repeat={dice}))\n"
        f"print(Fraction(sum(1 for r in rolls if sum(r) {_CMP[mode]} {target}), len(rolls)))\n"
    )
    data = {"type": "dice", "faces": faces, "dice": dice, "mode": mode, "target": target}
    return Draft(q, tex_rational(p), cot, code, "number", data)


def _cp_coins(rng: random.Random, lang: str, level: int) -> Draft:
    n = rng.randint(*{1: (3, 8), 2: (4, 10), 3: (6, 12)}[level])
    mode = rng.choice(["eq", "ge"] if level == 1 else ["eq", "ge", "le"])
    k = rng.randint(1, n - 1)
    face = rng.choice("HT")
    together = rng.random() < 0.5
    ks = [j for j in range(n + 1) if _meets(j, mode, k)]
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
        f"${terms} = {fav}$, so the probability is $\\frac{{{fav}}}{{{2**n}}} = {tex_rational(p)}$. ",
        f"共有 $2^{{{n}}} = {2**n}$ 种等可能的结果，符合条件的有 ${terms} = {fav}$ 种，"
        f"所以概率为 $\\frac{{{fav}}}{{{2**n}}} = {tex_rational(p)}$。",
    ) + boxed(tex_rational(p), lang)
    code = (
        "from fractions import Fraction\nfrom itertools import product\n\n"
        f"seqs = list(product('HT', repeat={n}))\n"
        f"print(Fraction(sum(1 for s in seqs if s.count('{face}') {_CMP[mode]} {k}), len(seqs)))\n"
    )
    return Draft(
        q, tex_rational(p), cot, code, "number", {"type": "coins", "n": n, "mode": mode, "k": k, "face": face}
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
        f"${how}$. So the probability is $\\frac{{{fav}}}{{{total}}} = {tex_rational(p)}$. ",
        f"共有 $\\binom{{{n}}}{{{draw}}} = {total}$ 种等可能的取法，符合条件的有 ${how}$ 种，"
        f"所以概率为 $\\frac{{{fav}}}{{{total}}} = {tex_rational(p)}$。",
    ) + boxed(tex_rational(p), lang)
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
    return Draft(q, tex_rational(p), cot, code, "number", data)


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
    got = exact_rational(d.answer)
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


FAMILIES = (
    Family(
        "counting_probability",
        "permutations, combinations and probabilities with dice, coins and urns",
        make_counting_probability,
        check_counting_probability,
    ),
)
