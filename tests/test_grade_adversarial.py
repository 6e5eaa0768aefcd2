"""Pathological inputs in one batch: every item finishes with a verdict, none blocks the others, the
batch stays within (hard items / workers) × timeout, and no worker process is left behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

from mathforge.grade import VERDICTS, GradeItem, grade_many

TOWER = r"\dfrac{5^{\left(5^{\left(5^{\left(5^5\right)}\right)} - 4\right)} - 5}{16}"


def _adversarial() -> list[tuple[str, str]]:
    big_digits = "7" * 100_000
    cases = [
        (TOWER, rf"\boxed{{{TOWER}}}"),  # hangs Math-Verify 0.9.0 despite its timeout
        ("3", rf"\boxed{{{TOWER}}}"),
        (TOWER, r"\boxed{\dfrac{5^{5^{5^{5^5}}} - 5}{16}}"),
        ("1", r"\boxed{5^{5^{5^{5^{5^{5}}}}}}"),
        (r"10^{10^{10}}", r"\boxed{10^{10^{10}} + 1}"),
        (r"2^{2^{2^{2^{2^{2}}}}}", r"\boxed{2^{65536}}"),
        ("9^{9^{9}}", r"\boxed{9^{9^{9}}-1}"),
        ("1", r"\boxed{1000000!}"),
        (r"100000!", r"\boxed{100000! + 1}"),
        (r"\frac{(10^6)!}{(10^6-1)!}", r"\boxed{1000000}"),
        ("2", r"\boxed{(10^{8})!!}"),
        (r"\binom{10^{9}}{5 \cdot 10^{8}}", r"\boxed{\binom{10^{9}}{5 \cdot 10^{8}}+1}"),
        ("0", r"\boxed{\sum_{n=1}^{10^{12}} n^{n}}"),
        ("1", r"\boxed{\prod_{k=1}^{10^{9}} (1 + \frac{1}{k})}"),
        (r"\frac{\sqrt{\pi}}{2}", r"\boxed{\int_0^\infty e^{-x^2}\,dx}"),
        ("0", r"\boxed{\int_0^{1} \sin(x^{x^{x}})\,dx}"),
        ("1", r"\boxed{\lim_{x\to 0} \frac{\sin(x^{100})}{x^{100}}}"),
        (
            "(x+1)^{300}",
            r"\boxed{" + "+".join(f"\\binom{{300}}{{{k}}}x^{{{k}}}" for k in range(0, 301, 3)) + "}",
        ),
        (
            "0",
            r"\boxed{" + "+".join(f"\\sin^{{2}}(x^{{{k}}})+\\cos^{{2}}(x^{{{k}}})" for k in range(60)) + "}",
        ),
        (r"\sqrt{2}", r"\boxed{" + r"\sqrt{" * 300 + "2" + "}" * 300 + "}"),
        ("1", "{" * 5_000 + "1" + "}" * 5_000),
        ("1", r"\boxed{" + "{" * 5_000 + "1" + "}" * 5_000 + "}"),
        ("1", r"\boxed{" + "(" * 3_000 + "1" + ")" * 3_000 + "}"),
        ("1", r"\boxed{\frac{1}{" * 2_000 + "}" * 2_000),
        ("42", "x" * 1_000_000),
        ("42", "The answer is " + "9" * 1_000_000),
        ("42", r"\boxed{" + "1+" * 500_000 + "1}"),
        ("42", r"\boxed{" + r"\frac{1}{2}" * 100_000 + "}"),
        (big_digits, rf"\boxed{{{big_digits}}}"),
        (big_digits, rf"\boxed{{{big_digits[:-1]}8}}"),
        ("42", r"\boxed{" * 20_000),
        ("42", "\\boxed{1}" * 50_000),
        ("42", "1," * 200_000),
        ("42", "(" * 100_000),
        ("42", r"\pm" * 50_000),
        ("1", r"\boxed{\frac{1}{}"),
        ("1", r"\boxed{\sqrt{}"),
        ("1", r"\boxed{\left( 1 + 2}"),
        ("1", r"\boxed{}{}{}^^^__\frac}"),
        ("1", r"\boxed{\begin{pmatrix} 1 & 2 \\ 3}"),
        ("1", r"\boxed{\end{array}\begin{array}}"),
        ("1", r"\boxed{\frac{1}{0}}"),
        ("1", r"\boxed{0^{0}}"),
        ("1", r"\boxed{\infty - \infty}"),
        ("1", "\\boxed{\x00\x01\x02\ufffd}"),
        ("1", r"\boxed{\undefinedmacro{\alsoundefined}}"),
        ("x", r"\boxed{x^{x^{x^{x^{x^{x^{x^{x}}}}}}}}"),
        (
            r"\begin{pmatrix}"
            + r"\\".join("&".join(f"x^{{{i + j}}}" for j in range(40)) for i in range(40))
            + r"\end{pmatrix}",
            r"\boxed{\begin{pmatrix}"
            + r"\\".join("&".join(f"x^{{{i * j}}}" for j in range(40)) for i in range(40))
            + r"\end{pmatrix}}",
        ),
        (
            r"\{" + ",".join(str(i) for i in range(3000)) + r"\}",
            r"\boxed{\{" + ",".join(str(i) for i in range(2999, -1, -1)) + r"\}}",
        ),
        ("1", r"\boxed{" + "+".join(f"\\frac{{1}}{{x_{{{i}}}}}" for i in range(2000)) + "}"),
        ("1", "\U0001f600" * 100_000),
        ("1", r"\boxed{\text{" + "a" * 100_000 + "}}"),
        ("(1,2)", r"\boxed{" + "(1," * 10_000 + "2" + ")" * 10_000 + "}"),
        (r"\zeta(3)", r"\boxed{\sum_{n=1}^{\infty} \frac{1}{n^{3}}}"),
    ]
    return cases


# Hostile pairs whose two sides are certainly different numbers: never "correct".
DIFFERENT = {
    ("3", rf"\boxed{{{TOWER}}}"),
    (TOWER, r"\boxed{\dfrac{5^{5^{5^{5^5}}} - 5}{16}}"),
    ("1", r"\boxed{5^{5^{5^{5^{5^{5}}}}}}"),
    (r"10^{10^{10}}", r"\boxed{10^{10^{10}} + 1}"),
    (r"2^{2^{2^{2^{2^{2}}}}}", r"\boxed{2^{65536}}"),
    ("9^{9^{9}}", r"\boxed{9^{9^{9}}-1}"),
    ("1", r"\boxed{1000000!}"),
    (r"100000!", r"\boxed{100000! + 1}"),
    (r"\binom{10^{9}}{5 \cdot 10^{8}}", r"\boxed{\binom{10^{9}}{5 \cdot 10^{8}}+1}"),
}

NORMAL = [
    (r"\frac{1}{2}", r"So the answer is $\boxed{0.5}$.", "correct"),
    ("1,-2", r"$x = \boxed{-2, 1}$", "correct"),
    (r"(0,1]", r"$\boxed{(0,1)}$", "wrong"),
]


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def test_pathological_batch_finishes_within_bound():
    hostile = _adversarial()
    assert len(hostile) >= 50
    items = [GradeItem(g, o) for g, o in hostile]
    # ordinary pairs placed after the hostile ones must still be graded right
    items += [GradeItem(g, o) for g, o, _ in NORMAL]
    workers, timeout = 2, 2.0
    before = set(_children(os.getpid()))  # e.g. the shared one-worker pool of earlier is_equiv calls
    t0 = time.monotonic()
    results = grade_many(items, workers=workers, timeout=timeout)
    elapsed = time.monotonic() - t0
    assert len(results) == len(items)
    assert all(r.verdict in VERDICTS and r.reason for r in results)
    for (_, _, expected), r in zip(NORMAL, results[len(hostile) :], strict=True):
        assert r.verdict == expected, r
    hard = sum(r.symbolic for r in results)
    bound = (hard / workers + 1) * timeout + 20  # +20 s: pool start-up and the in-process fast path
    timeouts = sum(r.verdict == "timeout" for r in results)
    print(f"\n{len(items)} items, {hard} symbolic, {timeouts} timeouts, {elapsed:.1f}s (bound {bound:.0f}s)")
    assert elapsed <= bound
    # a pathological pair never yields "correct" against a different gold
    for i, (gold, output) in enumerate(hostile):
        if (gold, output) in DIFFERENT:
            assert not results[i].correct, (i, results[i])
    left = set(_children(os.getpid())) - before
    assert not left, f"worker processes left behind: {left}"
