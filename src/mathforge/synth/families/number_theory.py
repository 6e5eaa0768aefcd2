"""Number theory: gcd, lcm, divisor counts and sums, primes, remainders and modular powers.

``make`` reasons from prime factorisations; ``check`` brute-forces (scans candidates, multiplies step by
step, tests primality with sympy).
"""

from __future__ import annotations

import math
import random

from mathforge.synth.base import Draft, Family, boxed, pick
from mathforge.synth.families._answer_values import exact_rational


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


def _coprime_multipliers(rng: random.Random, count: int, hi: int) -> list[int]:
    while True:
        ms = rng.sample(range(1, hi + 1), count)
        if math.gcd(*ms) == 1:
            return ms


# gcd and lcm from the factorisations: what is asked for and how the prime powers are taken (English, Chinese)
_GCD_LCM = {
    "gcd": (
        "greatest common divisor",
        "最大公约数",
        "Take each common prime with its smallest exponent",
        "取公共质因数的最低次幂相乘",
    ),
    "lcm": (
        "least common multiple",
        "最小公倍数",
        "Take every prime with its largest exponent",
        "取每个质因数的最高次幂相乘",
    ),
}


def _gcd_lcm_draft(lang: str, kind: str, nums: list[int], ans: int) -> Draft:
    """The ``kind`` ("gcd" or "lcm", as ``math`` names it) of ``nums``, worked from the factorisations."""
    what_en, what_zh, how_en, how_zh = _GCD_LCM[kind]
    listed = pick(
        lang,
        ", ".join(map(str, nums[:-1])) + f" and {nums[-1]}",
        "、".join(map(str, nums[:-1])) + f" 和 {nums[-1]}",
    )
    q = pick(lang, f"Find the {what_en} of {listed}.", f"求 {listed} 的{what_zh}。")
    fs = ", ".join(f"${n} = {_factor_tex(n)}$" for n in nums)
    cot = pick(
        lang,
        f"Factorise: {fs}. {how_en}: ${_factor_tex(ans)} = {ans}$. ",
        f"分解质因数：{fs}。{how_zh}：${_factor_tex(ans)} = {ans}$。",
    ) + boxed(str(ans), lang)
    code = f"import math\n\nprint(math.{kind}({', '.join(map(str, nums))}))\n"
    return Draft(q, str(ans), cot, code, "number", {"type": kind, "nums": nums})


def _nt_gcd(rng: random.Random, lang: str, level: int) -> Draft:
    count = 3 if level == 3 else 2
    g = rng.randint(2, 15) if level == 1 else rng.randint(6, 60)
    nums = [g * m for m in _coprime_multipliers(rng, count, 12 if level == 1 else 25)]
    facs = [_factorise(n) for n in nums]
    common = {p: min(f.get(p, 0) for f in facs) for p in facs[0]}
    ans = math.prod(p**e for p, e in common.items())  # smallest exponents of the shared primes
    return _gcd_lcm_draft(lang, "gcd", nums, ans)


def _nt_lcm(rng: random.Random, lang: str, level: int) -> Draft:
    count = 3 if level == 3 else 2
    hi = {1: 30, 2: 150, 3: 40}[level]
    nums = sorted(rng.sample(range(2 if level != 2 else 6, hi + 1), count))
    facs = [_factorise(n) for n in nums]
    primes = sorted(set().union(*facs))
    ans = math.prod(p ** max(f.get(p, 0) for f in facs) for p in primes)
    return _gcd_lcm_draft(lang, "lcm", nums, ans)


# The number of divisors and their sum, from the factorisation: the question, what the product gives
# (English, Chinese), and what the program adds up for each divisor k.
_DIVISOR_FUNCTIONS = {
    "divisors": (
        "How many positive divisors does {n} have?",
        "{n} 有多少个正约数？",
        "the number of divisors",
        "正约数个数",
        "1",
    ),
    "sigma": (
        "Find the sum of all positive divisors of {n}.",
        "求 {n} 的所有正约数之和。",
        "the divisor sum",
        "正约数之和",
        "k",
    ),
}


def _divisor_function_draft(lang: str, kind: str, n: int, product: str, ans: int) -> Draft:
    """``kind`` ("divisors" or "sigma") of ``n``, as the ``product`` over its prime powers."""
    q_en, q_zh, what_en, what_zh, term = _DIVISOR_FUNCTIONS[kind]
    q = pick(lang, q_en.format(n=n), q_zh.format(n=n))
    cot = pick(
        lang,
        f"Since ${n} = {_factor_tex(n)}$, {what_en} is ${product} = {ans}$. ",
        f"因为 ${n} = {_factor_tex(n)}$，所以{what_zh}为 ${product} = {ans}$。",
    ) + boxed(str(ans), lang)
    code = f"print(sum({term} for k in range(1, {n} + 1) if {n} % k == 0))\n"
    return Draft(q, str(ans), cot, code, "number", {"type": kind, "n": n})


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
    return _divisor_function_draft(lang, "divisors", n, prod, ans)


def _nt_sigma(rng: random.Random, lang: str, level: int) -> Draft:
    n = rng.randint(30, 2000)
    f = _factorise(n)
    ans = math.prod((p ** (e + 1) - 1) // (p - 1) for p, e in f.items())
    parts = " \\times ".join(
        "(" + " + ".join(str(p**i) for i in range(e + 1)) + ")" for p, e in sorted(f.items())
    )
    return _divisor_function_draft(lang, "sigma", n, parts, ans)


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
    got = exact_rational(d.answer)
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


FAMILIES = (
    Family(
        "number_theory",
        "gcd, lcm, divisors, primes, modular powers and remainders",
        make_number_theory,
        check_number_theory,
    ),
)
