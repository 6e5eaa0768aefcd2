"""Per-cell overhead of mathforge's sandbox against in-process ``exec`` and a fresh ``python -c`` per cell.

    python benchmarks/sandbox_speed.py [--repeat N] [--fresh-repeat N]

For each cell (a trivial assignment, a print, a small sympy computation) it reports the median wall time
of:
- mathforge: ``Session.run`` on a warm sandbox, all repetitions in one session (what a model's cells pay
  once its session has a worker: JSON over a pipe and its checks, the CPU limit set by ``prlimit``, the
  audit hook, output capture -- and every system call through the seccomp filter and Landlock);
- new session: ``Sandbox.run`` (a fresh session per cell: a worker taken from the warm pool, then
  killed; the pool refills in the background between cells, as it would between problems);
- exec:      ``exec`` of the same cell in this process, stdout captured (no isolation at all: the floor);
- fresh:     ``subprocess.run([sys.executable, "-c", code])`` per cell, with the imports the cell needs
  (the naive way to isolate: an interpreter start, plus sympy's import, every time).

Goal: the warm sandbox costs at most 20 ms median per cell (a model's tool call should cost about what
the computation costs, not an interpreter start).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import time

from mathforge.sandbox import Sandbox, SandboxConfig, describe_isolation

GOAL_MS = 20.0

# (name, cell as the model writes it (names preloaded in the sandbox), the imports a fresh process needs)
CELLS = [
    ("trivial", "x = 1", ""),
    ("print", "print(sum(range(100)))", ""),
    ("sympy factor", "x = sympy.Symbol('x')\nprint(sympy.factor(x**2 - 1))", "import sympy\n"),
]


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def bench_sandbox(code: str, repeat: int) -> float:
    with Sandbox(SandboxConfig(warm=1)) as sb, sb.session() as s:
        s.run("pass")  # the session has its worker; the timing below is per cell
        for _ in range(3):
            s.run(code)  # warm-up (sympy's caches, the first print)

        def one() -> None:
            r = s.run(code)
            assert r.status == "ok", r

        return median_ms(one, repeat)


def bench_new_session(code: str, repeat: int) -> float:
    with Sandbox(SandboxConfig(warm=2)) as sb:
        sb.run("pass")
        times = []
        for _ in range(repeat):
            time.sleep(0.4)  # the pool refills (a worker starts in about 0.3 s)
            t0 = time.perf_counter()
            r = sb.run(code)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status == "ok", r
        return statistics.median(times)


def bench_exec(code: str, imports: str, repeat: int) -> float:
    namespace: dict = {"__name__": "__main__"}
    exec("import math, sympy\nimport numpy as np\nsp = sympy", namespace)
    compiled_imports = compile(imports or "pass", "<imports>", "exec")
    exec(compiled_imports, namespace)

    def one() -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, "<cell>", "exec"), namespace)

    for _ in range(3):
        one()
    return median_ms(one, repeat)


def bench_fresh(code: str, imports: str, repeat: int) -> float:
    def one() -> None:
        subprocess.run([sys.executable, "-c", imports + code], check=True, capture_output=True)

    return median_ms(one, repeat)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=50, help="cells timed per cell type (sandbox, exec)")
    ap.add_argument(
        "--fresh-repeat", type=int, default=7, help="fresh processes / sessions timed per cell type"
    )
    args = ap.parse_args()

    with Sandbox(SandboxConfig(warm=0)) as sb:
        layers = describe_isolation(sb.isolation)
    rows = []
    for name, code, imports in CELLS:
        sandbox = bench_sandbox(code, args.repeat)
        new_session = bench_new_session(code, args.fresh_repeat)
        exec_ms = bench_exec(code, imports, args.repeat)
        fresh = bench_fresh(code, imports, args.fresh_repeat)
        rows.append((name, sandbox, new_session, exec_ms, fresh))

    header = (
        f"{'cell':<14} {'mathforge ms':>12} {'new session ms':>14} {'exec ms':>9} {'fresh ms':>9} "
        f"{'mf / exec':>10} {'fresh / mf':>11}"
    )
    print(header)
    print("-" * len(header))
    for name, sandbox, new_session, exec_ms, fresh in rows:
        print(
            f"{name:<14} {sandbox:>12.2f} {new_session:>14.2f} {exec_ms:>9.3f} {fresh:>9.1f} "
            f"{sandbox / exec_ms:>9.1f}x {fresh / sandbox:>10.0f}x"
        )
    worst = max(r[1] for r in rows)
    verdict = "met" if worst <= GOAL_MS else "NOT met"
    print(f"\n{layers}")
    print(f"goal: warm sandbox <= {GOAL_MS:.0f} ms median per cell: {verdict} (worst {worst:.2f} ms)")


if __name__ == "__main__":
    main()
