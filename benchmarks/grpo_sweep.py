"""GRPO settings on the tiny task: which ones make the SFT model better, measured as they must be.

Starts every row from the same SFT model of a tiny-recipe run (``RUN/sft/final``), trains GRPO on the
run's (decontaminated) queries with one combination of ``loss_type`` × ``scale_rewards`` × learning rate
× reward model on/off, evaluates on the run's held-out set (greedy), and compares with the SFT model on
the same items: difference, 95% paired-bootstrap interval, exact McNemar p-value.

    mathforge recipe run                     # once: the tiny recipe (runs/tiny)
    python benchmarks/grpo_sweep.py --run runs/tiny [--steps 15] [--quick]

Prints a Markdown table and writes it with every row's numbers to RUN/grpo-sweep/results.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _eval(model: str, heldout: Path, out: Path, max_tokens: int) -> dict[str, bool]:
    from mathforge.evaluate.runner import EvalConfig, run_eval
    from mathforge.stage_io import read_jsonl

    run_eval(
        EvalConfig(
            model=model, benchmarks=["synth"], data_dir=str(heldout), out=str(out), max_tokens=max_tokens
        )
    )
    return {str(r["id"]): bool(r["correct"][0]) for r in read_jsonl(out / "synth" / "samples.jsonl")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", default="runs/tiny", help="A finished tiny-recipe run folder.")
    ap.add_argument("--steps", type=int, default=15, help="GRPO steps per row.")
    ap.add_argument("--loss-types", default="dapo,dr_grpo,grpo")
    ap.add_argument("--scale-rewards", default="group,none")
    ap.add_argument("--learning-rates", default="1e-5,1e-4")
    ap.add_argument("--rm", default="off,on", help="Reward model term: off, on or both.")
    ap.add_argument("--max-tokens", type=int, default=40, help="Tokens per held-out answer.")
    ap.add_argument("--dynamic-sampling", action="store_true", help="DAPO dynamic sampling in every row.")
    ap.add_argument("--quick", action="store_true", help="Two rows only (a smoke test of the script).")
    args = ap.parse_args()

    from mathforge.evaluate.compare import compare_correct, format_p
    from mathforge.stage_io import read_manifest
    from mathforge.train import StageConfig, train_stage

    run = Path(args.run).resolve()
    sft = run / "sft" / "final"
    queries = run / "decontam" / "grpo.jsonl"
    heldout = Path(read_manifest(run / "synth")["summary"]["heldout_dir"])
    if not sft.is_dir() or not queries.is_file():
        raise SystemExit(
            f"{run}: no finished tiny-recipe run there (needs sft/final and decontam/grpo.jsonl)"
        )
    rm_model = run / "rm" / "final"
    out = run / ("grpo-sweep-ds" if args.dynamic_sampling else "grpo-sweep")
    start = _eval(str(sft), heldout, out / "eval-sft", args.max_tokens)
    grid = list(
        itertools.product(
            args.loss_types.split(","),
            args.scale_rewards.split(","),
            [float(x) for x in args.learning_rates.split(",")],
            args.rm.split(","),
        )
    )
    if args.quick:
        grid = grid[:2]
    rows = []
    for loss_type, scale, lr, rm in grid:
        name = f"{loss_type}-{scale}-{lr:g}-rm_{rm}" + ("-ds" if args.dynamic_sampling else "")
        t0 = time.perf_counter()
        cfg = StageConfig(
            stage="grpo",
            model=str(sft),
            output_dir=str(out / name),
            data=[str(queries)],
            max_steps=args.steps,
            learning_rate=lr,
            per_device_batch_size=16,
            num_generations=8,
            max_completion_length=32,
            temperature=1.0,
            loss_type=loss_type,
            scale_rewards=scale,
            reward_model=str(rm_model) if rm == "on" and rm_model.is_dir() else None,
            rm_min_accuracy=0.0,
            dynamic_sampling=args.dynamic_sampling,  # "on" means on: the sweep measures the RM term's effect, guard aside
            report_to=[],
            save_steps=10_000,
            logging_steps=5,
        )
        summary = train_stage(cfg)
        after = _eval(str(out / name / "final"), heldout, out / f"eval-{name}", args.max_tokens)
        res = compare_correct("synth", start, after)
        rows.append(
            {
                "loss_type": loss_type,
                "scale_rewards": scale,
                "learning_rate": lr,
                "reward_model": rm,
                "rm_used": summary["reward_model"]["used"],
                "rm_accuracy": summary["reward_model"].get("accuracy"),
                "seconds": round(time.perf_counter() - t0, 1),
                **{k: v for k, v in res.to_dict().items() if k not in ("only_a", "only_b")},
            }
        )
        r = rows[-1]
        print(
            f"{name}: SFT {100 * r['accuracy_a']:.1f}% → GRPO {100 * r['accuracy_b']:.1f}% "
            f"({100 * r['difference']:+.1f}, [{100 * r['ci95'][0]:+.1f}, {100 * r['ci95'][1]:+.1f}], "
            f"p = {format_p(r['p_value'])})",
            flush=True,
        )
    (out / "results.json").write_text(json.dumps(rows, indent=1))
    print()
    print(
        "| loss_type | scale_rewards | lr | RM | held-out after GRPO | vs SFT | 95% paired CI | McNemar p |"
    )
    print("|---|---|---:|---|---:|---:|---|---:|")
    for r in rows:
        rm = r["reward_model"]
        print(
            f"| {r['loss_type']} | {r['scale_rewards']} | {r['learning_rate']:g} | {rm} | "
            f"{100 * r['accuracy_b']:.1f}% | {100 * r['difference']:+.1f} | "
            f"[{100 * r['ci95'][0]:+.1f}, {100 * r['ci95'][1]:+.1f}] | {format_p(r['p_value'])} |"
        )
    if rows:
        acc = next((r["rm_accuracy"] for r in rows if r["rm_accuracy"] is not None), None)
        print(
            f"\nSFT start: {100 * rows[0]['accuracy_a']:.1f}% on {rows[0]['items']} held-out items; "
            f"reward model held-out pairwise accuracy: {acc}"
        )


if __name__ == "__main__":
    main()
