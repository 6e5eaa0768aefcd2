"""Choosing among N samples: every selection strategy on the same samples, against greedy decoding.

    python benchmarks/selection_quality.py --model MODEL --data-dir DATA --bench synth \
        [--n 16] [--reward-model RM] [--prompt auto] [--max-tokens 40] [--out DIR]

Two evaluations of the same items: greedy (one sample), and N samples at the model's recommended
temperature (its generation config; else 0.7). Every strategy then chooses among the N samples (no
re-generation), and each is compared with greedy on the same items: the paired difference with its 95%
bootstrap interval and the exact McNemar p. avg@N (mean accuracy of the N samples, with its standard
error across problems) and pass@N (the oracle: a right sample exists) bound what choosing can do.
Both runs are cached in --out: a rerun only recomputes the table.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mathforge.evaluate import EvalConfig, run_eval
from mathforge.evaluate.compare import compare_correct, format_p
from mathforge.infer import BackendSpec

ALL = ["maj", "rm", "rm_vote", "sctir", "genselect", "verify", "oracle"]


def _rows(run: Path, bench: str) -> list[dict]:
    return [json.loads(x) for x in (run / bench / "samples.jsonl").read_text().splitlines() if x.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--bench", default="synth")
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--reward-model", default=None)
    ap.add_argument("--prompt", default="auto")
    ap.add_argument("--max-tokens", type=int, default=40)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--out", default="runs/selection")
    args = ap.parse_args()

    strategies = [s for s in ALL if args.reward_model or s not in ("rm", "rm_vote")]
    common = {
        "model": args.model,
        "backend": "hf",
        "benchmarks": [args.bench],
        "data_dir": args.data_dir,
        "prompt": args.prompt,
        "max_tokens": args.max_tokens,
        "limit": args.limit,
    }
    spec = BackendSpec(backend="hf", model=args.model, batch_size=args.batch_size)
    out = Path(args.out)
    greedy = run_eval(EvalConfig(**common, out=str(out / "greedy"), backend_spec=spec))
    sampled = run_eval(
        EvalConfig(
            **common,
            out=str(out / f"n{args.n}"),
            n=args.n,
            select=strategies,
            reward_model=args.reward_model,
            backend_spec=spec,
        )
    )
    g_rows = {r["id"]: r for r in _rows(out / "greedy", args.bench)}
    s_rows = {r["id"]: r for r in _rows(out / f"n{args.n}", args.bench)}
    base = {i: bool(r["correct"][0]) for i, r in g_rows.items()}
    m = sampled.metrics["benchmarks"][args.bench]
    n_items = len(base)
    print(
        f"{args.bench}: {n_items} items, N = {args.n}, sampling {json.dumps(sampled.metrics['run']['sampling'])}"
    )
    print()
    print("| answer chosen by | accuracy | 95% CI | − greedy, 95% paired CI | McNemar p |")
    print("|---|---:|---|---|---:|")
    lo, hi = greedy.metrics["benchmarks"][args.bench]["ci95"]
    acc = greedy.metrics["benchmarks"][args.bench]["accuracy"]
    print(f"| greedy (one sample) | {100 * acc:.1f}% | {100 * lo:.1f}–{100 * hi:.1f} | | |")
    a = m["avg@k"]
    print(f"| avg@{a['k']} (a random sample) | {100 * a['mean']:.1f}% | ± {100 * a['se']:.1f} s.e. | | |")
    for s in strategies:
        chosen = {i: bool(r["select"][s]["correct"]) for i, r in s_rows.items()}
        res = compare_correct(args.bench, base, chosen)
        st = m["select"][s]
        lo, hi = st["ci95"]
        dlo, dhi = res.ci95
        name = "oracle = pass@N" if s == "oracle" else s
        print(
            f"| {name} | {100 * st['accuracy']:.1f}% | {100 * lo:.1f}–{100 * hi:.1f} | "
            f"{100 * res.difference:+.1f} [{100 * dlo:+.1f}, {100 * dhi:+.1f}] | {format_p(res.p_value)} |"
        )
    c = m["cost"]
    print()
    print(
        f"cost of the N-sample run: {c['tokens_mean']:.1f} tokens per sample (p50 {c['tokens_p50']:.0f}, "
        f"p95 {c['tokens_p95']:.0f}), {100 * c['truncated_share']:.1f}% cut at the limit, "
        f"{c['seconds_per_problem']:.2f} s per problem"
    )


if __name__ == "__main__":
    main()
