"""Generation speed per family: items/s for drawing + independent checking (one core), and for the
full pipeline with every program executed in the sandbox.

    python benchmarks/synth_speed.py [--n 300]
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="items per family")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from mathforge.synth import FAMILIES, draw, generate

    print(f"{'family':28s} {'draw+check items/s':>19s} {'full pipeline items/s':>22s} {'rejected':>9s}")
    for name in sorted(FAMILIES):
        t0 = time.perf_counter()
        made = sum(draw(name, 0, i, "en" if i % 2 else "zh", 1 + i % 3) is not None for i in range(args.n))
        raw = made / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        report = generate([name], n=args.n // 3, seed=1)
        full = len(report.items) / (time.perf_counter() - t0)
        print(f"{name:28s} {raw:19.0f} {full:22.0f} {sum(report.rejected.values()):9d}")


if __name__ == "__main__":
    main()
