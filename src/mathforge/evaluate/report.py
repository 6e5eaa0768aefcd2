"""What an evaluation writes: metrics JSON, a Markdown table and a self-contained HTML report."""

from __future__ import annotations

import html
import json
from typing import Any


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _at_k(m: dict[str, Any] | None) -> str:
    """``maj@k``/``rm@k`` cell: accuracy with its k, or '-' when the run did not compute it."""
    return f"{_pct(m['accuracy'])} (k={m['k']})" if m else "-"


def markdown_table(metrics: dict[str, Any]) -> str:
    model = metrics["run"]["model"]
    lines = [
        f"# {model} ({metrics['run']['backend']})",
        "",
        "| benchmark | items | accuracy % | 95% CI | maj@k % | rm@k % | pass@k % |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for name, m in metrics["benchmarks"].items():
        lo, hi = m["ci95"]
        pk = m.get("pass@k", {})
        cells = [
            name,
            str(m["items"]),
            _pct(m["accuracy"]),
            f"{_pct(lo)}–{_pct(hi)}",
            _at_k(m.get("maj@k")),
            _at_k(m.get("rm@k")),
            f"{_pct(pk[max(pk, key=int)])} (k={max(pk, key=int)})" if pk else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    cut = {
        n: m["truncated"] for n, m in metrics["benchmarks"].items() if m.get("truncated", {}).get("outputs")
    }
    if cut:  # outputs stopped by max_tokens: counted apart from wrong answers
        parts = [f"{n} {t['outputs']} ({t['no_answer']} without a final answer)" for n, t in cut.items()]
        lines.append("truncated at max_tokens: " + "; ".join(parts))
    lines.append(f"sampling: {json.dumps(metrics['run']['sampling'])}; prompt: {metrics['run']['prompt']}")
    lines += _choosing_lines(metrics)
    return "\n".join(lines) + "\n"


def _cost_text(c: dict[str, Any]) -> str:
    per_correct = f"{c['tokens_per_correct']:.0f}" if c.get("tokens_per_correct") else "-"
    return (
        f"tokens per sample {c['tokens_mean']:.1f} (p50 {c['tokens_p50']:.0f}, p95 {c['tokens_p95']:.0f}), "
        f"{_pct(c['truncated_share'])}% cut at the limit, {per_correct} tokens per correct answer, "
        f"{c['seconds_per_problem']:.2f} s per problem"
    )


def _choosing_lines(metrics: dict[str, Any]) -> list[str]:
    """Per benchmark: the run's cost, avg@k, and each selection strategy (on the same samples)."""
    lines: list[str] = []
    for name, m in metrics["benchmarks"].items():
        if "cost" in m:
            lines += ["", f"{name}: {_cost_text(m['cost'])}"]
        if "avg@k" in m or "select" in m:
            lines += [
                "",
                f"| {name}: answer chosen by | accuracy % | 95% CI | answered % |",
                "|---|---:|---|---:|",
            ]
            if "avg@k" in m:
                a = m["avg@k"]
                lines.append(f"| avg@{a['k']} (± s.e.) | {_pct(a['mean'])} ± {_pct(a['se'])} | | |")
            for strategy, st in m.get("select", {}).items():
                lo, hi = st["ci95"]
                lines.append(
                    f"| {strategy} | {_pct(st['accuracy'])} | {_pct(lo)}–{_pct(hi)} | {_pct(st['answered'])} |"
                )
    return lines


def _bar_chart(metrics: dict[str, Any]) -> str:
    """An inline SVG bar chart (accuracy with its 95% interval) — no plotting library, no CDN."""
    items = list(metrics["benchmarks"].items())
    row, width, left = 28, 420, 160
    h = row * len(items) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{h}" role="img">']
    for i, (name, m) in enumerate(items):
        y = 10 + i * row
        acc, (lo, hi) = m["accuracy"], m["ci95"]
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" font-size="13">{html.escape(name)}</text>'
        )
        parts.append(f'<rect x="{left}" y="{y}" width="{width * acc:.1f}" height="20" fill="#4c78a8"/>')
        parts.append(
            f'<line x1="{left + width * lo:.1f}" x2="{left + width * hi:.1f}" y1="{y + 10}" y2="{y + 10}" '
            'stroke="#222" stroke-width="2"/>'
        )
        parts.append(f'<text x="{left + width + 8}" y="{y + 15}" font-size="13">{_pct(acc)}%</text>')
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="5" y2="{h - 20}" stroke="#999"/>'
        f'<text x="{left}" y="{h - 5}" font-size="11">0%</text>'
        f'<text x="{left + width}" y="{h - 5}" font-size="11" text-anchor="end">100%</text></svg>'
    )
    return "".join(parts)


def html_report(metrics: dict[str, Any]) -> str:
    run = metrics["run"]
    rows = []
    for name, m in metrics["benchmarks"].items():
        lo, hi = m["ci95"]
        maj = _pct(m["maj@k"]["accuracy"]) if "maj@k" in m else "-"
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td>{m['items']}</td><td>{_pct(m['accuracy'])}</td>"
            f"<td>{_pct(lo)}–{_pct(hi)}</td><td>{maj}</td><td>{html.escape(json.dumps(m['verdicts']))}</td></tr>"
        )
    versions = html.escape(json.dumps(run["versions"], indent=1))
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>mathforge eval: {html.escape(run["model"])}</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:first-child{{text-align:left}}</style></head><body>
<h1>{html.escape(run["model"])} — {html.escape(run["backend"])}</h1>
<p>prompt: {html.escape(str(run["prompt"]))}; sampling: {html.escape(json.dumps(run["sampling"]))}</p>
{_bar_chart(metrics)}
<table><tr><th>benchmark</th><th>items</th><th>accuracy %</th><th>95% CI</th><th>maj@k %</th><th>verdicts</th></tr>
{"".join(rows)}</table>
{_choosing_html(metrics)}
<h2>Reproduce</h2><pre>{html.escape(run["command"])}</pre>
<h2>Versions and settings</h2><pre>{versions}</pre></body></html>
"""


def _choosing_html(metrics: dict[str, Any]) -> str:
    """Cost, avg@k and selection strategies as HTML (the same content as the Markdown lines)."""
    parts = []
    for name, m in metrics["benchmarks"].items():
        if "cost" in m:
            parts.append(f"<p>{html.escape(name)}: {html.escape(_cost_text(m['cost']))}</p>")
        if "avg@k" in m or "select" in m:
            rows = []
            if "avg@k" in m:
                a = m["avg@k"]
                rows.append(
                    f"<tr><td>avg@{a['k']} (± s.e.)</td><td>{_pct(a['mean'])} ± {_pct(a['se'])}</td><td></td></tr>"
                )
            for strategy, st in m.get("select", {}).items():
                lo, hi = st["ci95"]
                rows.append(
                    f"<tr><td>{html.escape(strategy)}</td><td>{_pct(st['accuracy'])}</td><td>{_pct(lo)}–{_pct(hi)}</td></tr>"
                )
            parts.append(
                f"<h2>{html.escape(name)}: choosing among samples</h2><table><tr><th>answer chosen by</th>"
                f"<th>accuracy %</th><th>95% CI</th></tr>{''.join(rows)}</table>"
            )
    return "".join(parts)
