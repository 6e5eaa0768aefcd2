"""A small GSM8K-format data directory written by the tests (no real benchmark data needed)."""

from __future__ import annotations

import json
from pathlib import Path

# (question, gold): the fake server answers "the sum of the last two numbers", so sums are right and
# products are wrong: the expected accuracy is known exactly.
ITEMS = [(f"What is {a} plus {b}?", a + b) for a, b in [(3, 4), (10, 5), (7, 8), (21, 1), (6, 6), (2, 9)]] + [
    (f"What is {a} times {b}?", a * b) for a, b in [(3, 4), (5, 5), (2, 7), (9, 3)]
]
EXPECTED_ACCURACY = 6 / 10


def write_gsm8k(root: Path, items=ITEMS) -> Path:
    (root / "gsm8k").mkdir(parents=True, exist_ok=True)
    with (root / "gsm8k" / "test.jsonl").open("w", encoding="utf-8") as fh:
        for q, a in items:
            fh.write(json.dumps({"question": q, "answer": f"Compute it.\n#### {a}"}) + "\n")
    return root
