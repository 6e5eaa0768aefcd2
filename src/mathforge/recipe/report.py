"""``RUN/report.html``: what each stage bought. Every stage's model on every evaluation set (accuracy with
a 95% interval), training curves, the corpus funnel, decontamination joined to the evaluation, timings
and versions. Plots are matplotlib PNGs inlined as data URIs, so the page is one file that works offline."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from mathforge.recipe.context import Context
from mathforge.stage_io import read_jsonl, read_manifest, write_json


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


# What a GRPO run is judged by (TRL's names): reward and its spread, the share of groups with no learning
# signal, completion lengths and truncation, entropy, KL to the reference, clipping.
GRPO_CURVES = (
    "loss",
    "reward",
    "reward_std",
    "frac_reward_zero_std",
    "completions/mean_length",
    "completions/max_length",
    "completions/clipped_ratio",
    "entropy",
    "kl",
    "clip_ratio/region_mean",
)


def _curves(ctx: Context) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    for stage in ("general", "cpt", "sft_nocpt", "sft", "rm", "grpo"):
        log = (ctx.summaries.get(stage) or {}).get("log") or []
        keys = GRPO_CURVES if stage == "grpo" else ("loss",)
        if stage == "grpo":  # each reward term separately, as TRL logs them
            keys = (
                *keys,
                *sorted({k for r in log for k in r if k.startswith("rewards/") and k.endswith("/mean")}),
            )
        series = {k: [(r["step"], r[k]) for r in log if k in r] for k in keys}
        series = {k: v for k, v in series.items() if v}
        if not series:
            continue
        cols = min(4, len(series))
        rows = -(-len(series) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.6 * rows), squeeze=False)
        flat = [ax for row in axes for ax in row]
        for ax in flat[len(series) :]:
            ax.axis("off")
        for ax, (k, pts) in zip(flat, series.items(), strict=False):
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".")
            ax.set_title(f"{stage}: {k}")
            ax.set_xlabel("step")
            ax.grid(alpha=0.3)
        out.append((stage, _png(fig)))
    return out


def _funnel_png(funnel: list[dict[str, Any]]) -> str | None:
    if not funnel:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 2.6))
    steps = [r["step"] for r in funnel]
    ax.barh(steps, [r["documents_in"] for r in funnel], color="#f4c7c3", label="in")
    ax.barh(steps, [r["documents_out"] for r in funnel], color="#4a86e8", label="out")
    ax.invert_yaxis()
    ax.set_xlabel("documents")
    ax.legend()
    return _png(fig)


def _results_png(results: dict[str, dict[str, Any]]) -> str | None:
    rows = [
        (stage, acc)
        for stage, sets in results.items()
        for acc in [(sets.get("synth") or {}).get("accuracy")]
        if acc is not None
    ]
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 2.6))
    ax.bar([r[0] for r in rows], [100 * r[1] for r in rows], color="#4a86e8")
    ax.set_ylabel("held-out accuracy (%)")
    ax.set_ylim(0, 100)
    return _png(fig)


def _cell(m: dict[str, Any] | None) -> str:
    if not m or m.get("accuracy") is None:
        return "—"
    ci = m.get("ci95") or []
    ci_s = f" <small>[{100 * ci[0]:.1f}–{100 * ci[1]:.1f}]</small>" if len(ci) == 2 else ""
    return f"{100 * m['accuracy']:.1f}%{ci_s} <small>n={m.get('items', '?')}</small>"


def _gains_table(gains: list[dict[str, Any]]) -> str:
    if not gains:
        return "<p>no two evaluated stages share an evaluation set</p>"
    from mathforge.evaluate.compare import format_p

    rows = "".join(
        f"<tr><td>{html.escape(g['before'])} → {html.escape(g['after'])}</td><td>{html.escape(g['benchmark'])}</td>"
        f"<td>{g['items']}</td><td>{100 * g['accuracy_a']:.1f}% → {100 * g['accuracy_b']:.1f}%</td>"
        f"<td>{100 * g['difference']:+.1f}</td><td>[{100 * g['ci95'][0]:+.1f}, {100 * g['ci95'][1]:+.1f}]</td>"
        f"<td>{g['only_before']} / {g['only_after']}</td><td>{format_p(g['p_value'])}</td>"
        f"<td>{'holds (p &lt; 0.05)' if g['holds'] else '—'}</td></tr>"
        for g in gains
    )
    return (
        "<table><tr><th>stages</th><th>set</th><th>items</th><th>accuracy</th><th>difference (points)</th>"
        "<th>95% paired-bootstrap CI</th><th>right only before / after</th><th>exact McNemar p</th><th></th></tr>"
        f"{rows}</table>"
    )


def _rm_note(s: dict[str, Any]) -> str:
    """Whether GRPO used the reward model, and the RM's held-out pairwise accuracy that decided it."""
    rm = (s.get("grpo") or {}).get("reward_model")
    if not rm:
        return ""
    used = "used" if rm.get("used") else "not used — GRPO ran on the verifier alone"
    return f"<p>Reward model in GRPO: {used} ({html.escape(str(rm.get('reason', '')))}).</p>"


def clean_vs_flagged(ctx: Context) -> dict[str, Any]:
    """Accuracy on held-out items found in training data vs the rest (decontamination joined to eval)."""
    flagged = (ctx.summaries.get("decontam") or {}).get("flagged_items") or {}
    out: dict[str, Any] = {}
    for stage in (ctx.summaries.get("eval") or {}).get("results") or {}:
        for bench, ids in flagged.items():
            samples = ctx.dir("eval") / stage / bench / bench / "samples.jsonl"
            if not ids or not samples.exists():
                continue
            rows = read_jsonl(samples)
            flag = [r for r in rows if r["id"] in set(ids)]
            clean = [r for r in rows if r["id"] not in set(ids)]

            def acc(rs):
                return round(sum(bool(r["correct"][0]) for r in rs) / len(rs), 4) if rs else None

            out.setdefault(stage, {})[bench] = {
                "flagged": len(flag),
                "flagged_acc": acc(flag),
                "clean": len(clean),
                "clean_acc": acc(clean),
            }
    return out


def write_recipe_report(ctx: Context) -> Path:
    from mathforge import __version__
    from mathforge.versions import package_versions

    s = ctx.summaries
    results = (s.get("eval") or {}).get("results") or {}
    sets = (s.get("eval") or {}).get("sets") or []
    head = "".join(f"<th>{html.escape(b)}</th>" for b in sets)
    rows = "".join(
        f"<tr><td>{html.escape(stage)}</td>"
        + "".join(f"<td>{_cell(res.get(b))}</td>" for b in sets)
        + "</tr>"
        for stage, res in results.items()
    )
    curves = "".join(f'<h3>{html.escape(st)}</h3><img src="{png}">' for st, png in _curves(ctx))
    gains_html = _gains_table((s.get("eval") or {}).get("gains") or [])
    rm_note = _rm_note(s)
    corpus = s.get("corpus") or {}
    funnel = corpus.get("funnel") or []
    fpng = _funnel_png(funnel)
    funnel_rows = "".join(
        f"<tr><td>{r['step']}</td><td>{r['documents_in']}</td><td>{r['documents_out']}</td>"
        f"<td>{html.escape(', '.join(f'{k} {v}' for k, v in r['dropped'].items()))}</td></tr>"
        for r in funnel
    )
    dec = s.get("decontam") or {}
    dec_rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{v['records']}</td><td>{v['removed']}</td>"
        f"<td>{html.escape(json.dumps(v['per_benchmark']))}</td></tr>"
        for name, v in (dec.get("files") or {}).items()
    )
    joined = clean_vs_flagged(ctx)
    joined_html = (
        "".join(
            f"<tr><td>{html.escape(st)}</td><td>{html.escape(b)}</td><td>{v['flagged']}</td><td>{v['flagged_acc']}</td>"
            f"<td>{v['clean']}</td><td>{v['clean_acc']}</td></tr>"
            for st, bs in joined.items()
            for b, v in bs.items()
        )
        or '<tr><td colspan="6">no evaluation item was found in the training data</td></tr>'
    )
    timing_rows = ""
    for stage in ctx.recipe.stages():
        info = read_manifest(ctx.dir(stage))
        if info:
            timing_rows += f"<tr><td>{stage}</td><td>{info.get('seconds', '')}</td><td>{info.get('finished', '')}</td></tr>"
    versions = package_versions(("torch", "transformers", "trl", "accelerate", "datasets", "numpy"))
    rpng = _results_png(results)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>mathforge recipe {html.escape(ctx.recipe.name)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:4px 8px}}small{{color:#666}}</style></head><body>
<h1>Recipe “{html.escape(ctx.recipe.name)}”{" (smoke)" if ctx.recipe.smoke else ""}</h1>
<p>Base model: {html.escape(str((s.get("base") or {}).get("model", "")))} ({(s.get("base") or {}).get("params", 0):,} parameters).
Run folder: {html.escape(str(ctx.run))}.</p>
<h2>Results</h2><table><tr><th>model after stage</th>{head}</tr>{rows}</table>
{f'<img src="{rpng}">' if rpng else ""}
<p><small>synth = fresh generated problems of the trained families that no training record contains
({(s.get("synth") or {}).get("heldout_items", 0)} items, English and Chinese); accuracy with a 95% Wilson interval.</small></p>
<h2>What each stage bought (paired, same items)</h2>{gains_html}
<h2>Training curves</h2>{rm_note}{curves or "<p>no training logs</p>"}
<h2>Corpus funnel</h2>{f'<img src="{fpng}">' if fpng else ""}
<table><tr><th>step</th><th>docs in</th><th>docs out</th><th>dropped</th></tr>{funnel_rows}</table>
<h2>Decontamination</h2><table><tr><th>training file</th><th>records</th><th>removed</th><th>by evaluation set</th></tr>{dec_rows}</table>
<table><tr><th>model</th><th>set</th><th>flagged items</th><th>accuracy on flagged</th><th>clean items</th><th>accuracy on clean</th></tr>{joined_html}</table>
<h2>Timings</h2><table><tr><th>stage</th><th>seconds</th><th>finished</th></tr>{timing_rows}</table>
<h2>Versions</h2><p>mathforge {__version__}; {html.escape(", ".join(f"{k} {v}" for k, v in versions.items()))}</p>
</body></html>"""
    path = ctx.run / "report.html"
    path.write_text(page, encoding="utf-8")
    write_json(ctx.run / "results.json", {"results": results, "clean_vs_flagged": joined})
    return path
