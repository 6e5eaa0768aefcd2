"""mathforge's grader vs Math-Verify 0.9.0 on the same pairs: speed on one core, and agreement.

    python benchmarks/grade_speed.py [--data-dir DIR] [--limit N] [--no-hang-demo]

Pair sets (each pair is a gold answer and a full model-style output; both graders extract and compare):
- latex:   MATH-500 — each gold answer against its reference solution (ends in \\boxed{…}) and against
           the next problem's answer boxed in a sentence (almost always a different answer).
- numeric: GSM8K test — each gold against its reference solution (ends in "#### N") and against the
           same solution with the final number changed.
- audit:   the labelled audit set in tests/data (agreement is measured against its labels).
- freeform: the audit set's free-form cases (answers not boxed, reasoning/chat artefacts, truncated
           outputs, chains, percent words, decimal commas, …), also broken down by rule.
Math-Verify is called as documented: ``verify(parse(gold), parse(output))``, gold wrapped in $…$.
Both run pinned to one CPU core (mathforge's symbolic worker inherits the pin).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

TOWER = r"\dfrac{5^{\left(5^{\left(5^{\left(5^5\right)}\right)} - 4\right)} - 5}{16}"


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def latex_pairs(data_dir: Path, limit: int) -> list[tuple[str, str, str, bool]]:
    recs = [json.loads(line) for line in (data_dir / "math500" / "test.jsonl").read_text().splitlines()][
        :limit
    ]
    pairs = []
    for i, r in enumerate(recs):
        pairs.append((r["answer"], r["solution"], "auto", True))
        other = recs[(i + 1) % len(recs)]["answer"]
        pairs.append((r["answer"], f"Thus the final answer is $\\boxed{{{other}}}$.", "auto", None))
    return pairs


def numeric_pairs(data_dir: Path, limit: int) -> list[tuple[str, str, str, bool]]:
    recs = [json.loads(line) for line in (data_dir / "gsm8k" / "test.jsonl").read_text().splitlines()][:limit]
    pairs = []
    for r in recs:
        gold = r["answer"].split("####")[-1].strip().replace(",", "")
        pairs.append((gold, r["answer"], "auto", True))
        body = r["answer"].rsplit("####", 1)[0]
        pairs.append((gold, f"{body}#### {int(float(gold)) + 7}", "auto", False))
    return pairs


def audit_records() -> list[dict]:
    path = ROOT / "tests" / "data" / "grade_audit.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]


def audit_pairs(category: str | None = None) -> list[tuple]:
    """(gold, output, style, kind, label, truncated) per audit record (of one category)."""
    return [
        (r["gold"], r["output"], r["style"], r["kind"], r["expected"] == "correct", _truncated(r))
        for r in audit_records()
        if category is None or r["category"] == category
    ]


def _truncated(record: dict) -> bool:
    return record.get("finish_reason") == "length"


# free-form audit ids → the rule they exercise (the id's second part)
RULES = {
    "lm": "last math / final statement",
    "rel": "relations in prose",
    "chain": "chained equalities",
    "pct": "percent in words",
    "unit": "units in text commands",
    "dc": "decimal commas",
    "mat": "matrices, vectors, pairs",
    "pair": "matrices, vectors, pairs",
    "column": "matrices, vectors, pairs",
    "triple": "matrices, vectors, pairs",
    "gold": "gold as a full solution",
    "dec": "decimals vs exact values",
    "think": "think / chat / truncated",
    "chat": "think / chat / truncated",
    "trunc": "think / chat / truncated",
    "not": "think / chat / truncated",
    "trig": "sec / csc / cot",
}


def rule_of(rid: str) -> str:
    return RULES.get(rid.split("-")[1], "other formats")


def run_mathforge(pairs, pool) -> tuple[list[bool], float]:
    from mathforge.grade import GradeItem, grade_many

    items = [GradeItem(g, o, s, k, bool(rest and rest[0])) for g, o, s, k, _, *rest in pairs]
    t0 = time.perf_counter()
    res = grade_many(items, workers=1, timeout=5.0, pool=pool)
    return [r.correct for r in res], time.perf_counter() - t0


def run_math_verify(pairs) -> tuple[list[bool], float]:
    from math_verify import parse, verify

    out = []
    t0 = time.perf_counter()
    for gold, output, *_ in pairs:
        try:
            g = parse(gold if "$" in gold or "\\boxed" in gold else f"${gold}$")
            out.append(bool(verify(g, parse(output))))
        except Exception:
            out.append(False)
    return out, time.perf_counter() - t0


_MV_CALL = (
    "from math_verify import parse, verify\n"
    "def call(g, o):\n"
    "    if THREAD:  # signal.alarm cannot run outside the main thread: Math-Verify needs timeouts off\n"
    "        return verify(parse(g, parsing_timeout=None), parse(o, parsing_timeout=None), timeout_seconds=None)\n"
    "    return verify(parse(g), parse(o))\n"
)
_MF_CALL = "from mathforge.grade import grade\ndef call(g, o):\n    return grade(g, o, timeout=5).verdict\n"
_RUNNER = (
    "import sys, threading\n"
    "THREAD = sys.argv[3] == 'thread'\n"
    "{call}"
    "out = {{}}\n"
    "def work():\n"
    "    out['v'] = call(sys.argv[1], sys.argv[2])\n"
    "if THREAD:\n"
    "    t = threading.Thread(target=work, daemon=True); t.start(); t.join()\n"
    "else:\n"
    "    work()\n"
    "print(out.get('v'))\n"
)


def hang_demo(timeout: int = 30) -> list[tuple[str, str, str]]:
    """The exponent tower from Math-Verify's hang report, graded by each grader in a child process
    (capped at ``timeout`` s), from the main thread and from a worker thread (as in a threaded
    reward function or web server)."""
    cases = [
        ("3 vs tower, main thread", "$3$", f"The answer is $\\boxed{{{TOWER}}}$.", "main"),
        ("3 vs tower, worker thread", "$3$", f"The answer is $\\boxed{{{TOWER}}}$.", "thread"),
        ("tower vs tower, worker thread", f"${TOWER}$", f"The answer is $\\boxed{{{TOWER}}}$.", "thread"),
    ]
    rows = []
    for label, gold, output, where in cases:
        cells = []
        for call, g in ((_MV_CALL, gold), (_MF_CALL, gold.strip("$"))):
            t0 = time.perf_counter()
            try:
                p = subprocess.run(
                    [sys.executable, "-c", _RUNNER.format(call=call), g, output, where],
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                )
                answer = (p.stdout.strip().splitlines() or ["(no output)"])[-1][:40]
                cells.append(f"{time.perf_counter() - t0:.1f} s → {answer}")
            except subprocess.TimeoutExpired:
                cells.append(f"> {timeout} s, killed (hung)")
        rows.append((label, cells[0], cells[1]))
    return rows


def free_table(pairs: list[tuple], mf: list[bool], mv: list[bool]) -> None:
    """Agreement with the labels on the free-form cases, by rule, and the error ratio MV / mathforge."""
    ids = [r["id"] for r in audit_records() if r["category"] == "freeform"]
    rows: dict[str, list[int]] = {}
    for rid, p, a, b in zip(ids, pairs, mf, mv, strict=True):
        row = rows.setdefault(rule_of(rid), [0, 0, 0])
        row[0] += 1
        row[1] += a == p[4]
        row[2] += b == p[4]
    total = [sum(r[i] for r in rows.values()) for i in range(3)]
    print(
        f"\n{'free-form rule':30s} {'cases':>6s} {'mf agree':>9s} {'MV agree':>9s} {'MV errors / mf errors':>22s}"
    )
    for name, (n, a, b) in [*sorted(rows.items()), ("all free-form", total)]:
        ratio = f"{(n - b) / (n - a):.1f}×" if n > a else f"{n - b} / 0"
        print(f"{name:30s} {n:6d} {100 * a / n:8.1f}% {100 * b / n:8.1f}% {ratio:>22s}")
    print("(Math-Verify is not told which outputs were truncated; it has no such input.)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=os.environ.get("MATHFORGE_DATA_DIR"))
    ap.add_argument("--limit", type=int, default=100_000, help="records per benchmark set")
    ap.add_argument("--no-hang-demo", action="store_true")
    args = ap.parse_args()
    from realdata import data_dir

    root = args.data_dir or data_dir()
    _pin_to_one_core()

    from math_verify import parse, verify

    from mathforge.grade import SymbolicPool, grade_many

    verify(parse("$1$"), parse("$1$"))  # warm both
    pool = SymbolicPool(workers=1)
    grade_many([("x+1", r"\boxed{1+x}")], pool=pool)

    sets: list[tuple[str, list]] = []
    if root is not None:
        sets.append(
            ("latex (MATH-500)", [(g, o, s, "auto", y) for g, o, s, y in latex_pairs(root, args.limit)])
        )
        sets.append(
            ("numeric (GSM8K)", [(g, o, s, "auto", y) for g, o, s, y in numeric_pairs(root, args.limit)])
        )
    else:
        print("benchmark data not found (set MATHFORGE_DATA_DIR): measuring on the audit set only")
    audit = audit_pairs()
    sets.append(("audit, all kinds", audit))
    sets.append(("audit, no choice/cloze", [p for p in audit if p[3] not in ("choice", "cloze")]))
    freeform = audit_pairs("freeform")
    sets.append(("audit, free-form (new)", freeform))

    print(
        f"\n{'pair set':24s} {'pairs':>6s} {'mathforge /s':>13s} {'Math-Verify /s':>15s} {'speed-up':>9s} "
        f"{'mf agree':>9s} {'MV agree':>9s} {'mf = MV':>8s}"
    )
    verdicts: dict[str, tuple[list[bool], list[bool]]] = {}
    for name, pairs in sets:
        mf, t_mf = run_mathforge(pairs, pool)
        mv, t_mv = run_math_verify(pairs)
        verdicts[name] = (mf, mv)
        labelled = [(i, p[4]) for i, p in enumerate(pairs) if p[4] is not None]
        agree_mf = sum(mf[i] == y for i, y in labelled) / max(1, len(labelled))
        agree_mv = sum(mv[i] == y for i, y in labelled) / max(1, len(labelled))
        same = sum(a == b for a, b in zip(mf, mv, strict=True)) / len(pairs)
        print(
            f"{name:24s} {len(pairs):6d} {len(pairs) / t_mf:13.0f} {len(pairs) / t_mv:15.0f} "
            f"{t_mv / t_mf:8.1f}× {100 * agree_mf:8.1f}% {100 * agree_mv:8.1f}% {100 * same:7.1f}%"
        )
    print(
        "\nagree = share of pairs whose verdict matches the known label (latex: reference solutions must be"
    )
    print("correct, other-answer pairs are unlabelled; numeric: both labelled; audit: hand labels).")
    free_table(freeform, *verdicts["audit, free-form (new)"])
    pool.close()
    if not args.no_hang_demo:
        print(f"\n{'exponent tower (one process each)':34s} {'Math-Verify 0.9.0':28s} {'mathforge':28s}")
        for label, mv_cell, mf_cell in hang_demo():
            print(f"{label:34s} {mv_cell:28s} {mf_cell:28s}")


if __name__ == "__main__":
    main()
