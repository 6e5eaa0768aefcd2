"""Multi-digit arithmetic and order of operations."""

from __future__ import annotations

import random
from fractions import Fraction

from mathforge.synth.base import Draft, Family, boxed, pick


def make_arithmetic(rng: random.Random, lang: str, level: int) -> Draft:
    digits = {1: 2, 2: 3, 3: 4}[level]
    a, b = rng.randint(10 ** (digits - 1), 10**digits - 1), rng.randint(10 ** (digits - 1), 10**digits - 1)
    op = rng.choice("+-*")
    value = {"+": a + b, "-": a - b, "*": a * b}[op]
    sym = {"+": "+", "-": "-", "*": "\\times"}[op]
    q = pick(lang, f"Compute ${a} {sym} {b}$.", f"计算 ${a} {sym} {b}$。")
    cot = pick(
        lang, f"We compute ${a} {sym} {b} = {value}$. ", f"直接计算得 ${a} {sym} {b} = {value}$。"
    ) + boxed(str(value), lang)
    code = f"print({a} {op} {b})\n"
    return Draft(q, str(value), cot, code, "number", {"a": a, "b": b, "op": op})


def make_small_sums(rng: random.Random, lang: str, level: int) -> Draft:
    """Sums and differences of small numbers: what a model of a few million parameters learns in
    minutes on a CPU (the tiny recipe's task); level 1 one-digit sums, 2 up to 20 with differences,
    3 up to 99."""
    top = {1: 9, 2: 20, 3: 99}[level]
    a, b = rng.randint(0, top), rng.randint(0, top)
    op = "+" if level == 1 else rng.choice("+-")
    value = a + b if op == "+" else a - b
    q = pick(lang, f"What is ${a} {op} {b}$?", f"${a} {op} {b}$ 等于多少？")
    cot = pick(lang, f"${a} {op} {b} = {value}$. ", f"${a} {op} {b} = {value}$。") + boxed(str(value), lang)
    return Draft(q, str(value), cot, f"print({a} {op} {b})\n", "number", {"a": a, "b": b, "op": op})


def check_arithmetic(d: Draft) -> bool:
    a, b, op = d.data["a"], d.data["b"], d.data["op"]
    # independent route: repeated addition / digit-wise long arithmetic via Fraction
    expected = {
        "+": Fraction(a) + b,
        "-": Fraction(a) - b,
        "*": sum(Fraction(a) for _ in range(b)) if b < 2000 else Fraction(a) * b,
    }[op]
    return int(d.answer) == expected


def make_order_of_ops(rng: random.Random, lang: str, level: int) -> Draft:
    n = {1: 3, 2: 4, 3: 5}[level]
    nums = [rng.randint(1, 12) for _ in range(n)]
    ops = [rng.choice("+-*") for _ in range(n - 1)]
    if level >= 2:  # one pair of parentheses around two adjacent numbers
        k = rng.randrange(n - 1)
        parts = [str(x) for x in nums]
        parts[k] = "(" + parts[k]
        parts[k + 1] = parts[k + 1] + ")"
    else:
        parts = [str(x) for x in nums]
    expr = parts[0]
    for o, p in zip(ops, parts[1:], strict=True):
        expr += f" {o} {p}"
    value = _evaluate(expr)
    latex = expr.replace("*", "\\times")
    q = pick(lang, f"Evaluate ${latex}$.", f"计算 ${latex}$ 的值。")
    cot = pick(
        lang,
        f"Parentheses first, then multiplication, then addition and subtraction from left to right: ${latex} = {value}$. ",
        f"先算括号，再算乘法，最后从左到右算加减：${latex} = {value}$。",
    ) + boxed(str(value), lang)
    return Draft(q, str(value), cot, f"print({expr})\n", "number", {"expr": expr})


def _evaluate(expr: str) -> int:
    """Shunting-yard evaluation — deliberately not Python's eval, so check() can use eval as the
    independent route."""
    out: list[int] = []
    ops: list[str] = []
    prec = {"+": 1, "-": 1, "*": 2}

    def apply() -> None:
        o = ops.pop()
        b, a = out.pop(), out.pop()
        out.append(a + b if o == "+" else a - b if o == "-" else a * b)

    for tok in expr.replace("(", " ( ").replace(")", " ) ").split():
        if tok.isdigit():
            out.append(int(tok))
        elif tok == "(":
            ops.append(tok)
        elif tok == ")":
            while ops[-1] != "(":
                apply()
            ops.pop()
        else:
            while ops and ops[-1] != "(" and prec[ops[-1]] >= prec[tok]:
                apply()
            ops.append(tok)
    while ops:
        apply()
    return out[0]


def check_order_of_ops(d: Draft) -> bool:
    return int(d.answer) == eval(d.data["expr"], {"__builtins__": {}})


FAMILIES = (
    Family(
        "small_sums",
        "sums and differences of small numbers (the tiny recipe's task)",
        make_small_sums,
        check_arithmetic,
    ),
    Family(
        "arithmetic",
        "multi-digit addition, subtraction and multiplication",
        make_arithmetic,
        check_arithmetic,
    ),
    Family(
        "order_of_operations",
        "expressions with precedence and parentheses",
        make_order_of_ops,
        check_order_of_ops,
    ),
)
