"""Expressions with precedence and parentheses; ``make`` evaluates by shunting-yard, ``check`` by ``eval``."""

from __future__ import annotations

import random

from mathforge.synth.base import Draft, Family, boxed, pick


def make_order_of_ops(rng: random.Random, lang: str, level: int) -> Draft:
    n = {1: 3, 2: 4, 3: 5}[level]
    nums = [rng.randint(1, 12) for _ in range(n)]
    ops = [rng.choice("+-*") for _ in range(n - 1)]
    parts = [str(x) for x in nums]
    if level >= 2:  # one pair of parentheses around two adjacent numbers
        k = rng.randrange(n - 1)
        parts[k] = "(" + parts[k]
        parts[k + 1] = parts[k + 1] + ")"
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
    try:
        got = int(d.answer)
    except ValueError:  # not an integer at all: wrong, not an error
        return False
    return got == eval(d.data["expr"], {"__builtins__": {}})


FAMILIES = (
    Family(
        "order_of_operations",
        "expressions with precedence and parentheses",
        make_order_of_ops,
        check_order_of_ops,
    ),
)
