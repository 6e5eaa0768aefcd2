"""Corpus-pipeline speed, same input, same run. So far: decontamination — mathforge's decontaminator vs
a straightforward Python n-gram-set implementation (13-gram tuples in a set, no LCS confirmation), on
generated documents with planted benchmark questions: MB/s on one core and recall of the planted items.

    python benchmarks/corpus_speed.py [--mb 10] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

SETS = ["gsm8k", "math500", "math", "cmath", "mmlu_stem", "gaokao_math_qa", "gaokao_math_cloze"]


class NaiveNgrams:
    def __init__(self, n: int = 13) -> None:
        self.n = n
        self.grams: set[tuple[str, ...]] = set()

    def add(self, text: str) -> None:
        from mathforge.corpus.decontam import tokens

        t = tokens(text)
        self.grams.update(tuple(t[i : i + self.n]) for i in range(len(t) - self.n + 1))

    def check(self, text: str) -> bool:
        from mathforge.corpus.decontam import tokens

        t = tokens(text)
        return any(tuple(t[i : i + self.n]) in self.grams for i in range(len(t) - self.n + 1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=10.0)
    ap.add_argument("--data-dir", default=os.environ.get("MATHFORGE_DATA_DIR"))
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from realdata import data_dir

    from mathforge.bench import load_benchmark
    from mathforge.corpus.decontam import Decontaminator
    from mathforge.synth import generate

    root = args.data_dir or data_dir()
    if root is None:
        sys.exit("benchmark data not found: pass --data-dir or set MATHFORGE_DATA_DIR")
    t0 = time.perf_counter()
    dec = Decontaminator.from_benchmarks(str(root), SETS)
    t_index_mf = time.perf_counter() - t0
    naive = NaiveNgrams()
    t0 = time.perf_counter()
    questions = []
    for name in SETS:
        for p in load_benchmark(name, str(root)):
            naive.add(p.question)
            if p.solution:
                naive.add(p.solution)
            questions.append((name, p.question))
    t_index_naive = time.perf_counter() - t0

    rng = random.Random(0)
    items = generate(None, n=60, seed=5, execute=False).items
    pieces = [f"{i.question}\n{i.cot}" for i in items]
    docs, planted = [], []
    size = 0
    while size < args.mb * 1e6:
        doc = "\n\n".join(rng.choice(pieces) for _ in range(40))
        if rng.random() < 0.1:
            name, q = rng.choice([x for x in questions if len(x[1]) > 120])
            cut = rng.randrange(len(doc))
            doc = doc[:cut] + "\n" + q.replace(" ", "  ") + "\n" + doc[cut:]
            planted.append(len(docs))
        docs.append(doc)
        size += len(doc.encode())
    mb = size / 1e6
    results = {}
    for label, fn in (("mathforge", lambda d: bool(dec.check(d))), ("naive n-gram set", naive.check)):
        t0 = time.perf_counter()
        flags = [fn(d) for d in docs]
        el = time.perf_counter() - t0
        recall = sum(flags[i] for i in planted) / max(1, len(planted))
        false = sum(f for i, f in enumerate(flags) if i not in set(planted))
        results[label] = (mb / el, recall, false)
    print(
        f"\n{mb:.1f} MB in {len(docs)} documents, {len(planted)} with a planted benchmark question (re-spaced); one core"
    )
    print(f"index build: mathforge {t_index_mf:.1f} s, naive {t_index_naive:.1f} s")
    print(f"{'decontamination':20s} {'MB/s':>8s} {'vs naive':>9s} {'recall':>7s} {'false flags':>12s}")
    base = results["naive n-gram set"][0]
    for label, (rate, recall, false) in results.items():
        print(f"{label:20s} {rate:8.1f} {rate / base:8.2f}× {100 * recall:6.1f}% {false:12d}")


if __name__ == "__main__":
    main()
