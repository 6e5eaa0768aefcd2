"""The corpus run's report: a funnel (documents and bytes into and out of every step, with the reasons
documents were dropped), read errors, the decontamination summary per benchmark, and the packing
manifest — as JSON and as a self-contained HTML page (inline SVG, no scripts, opens offline).

Read errors are kept one per unusable input, as ``FILE: where: reason`` (``where`` being ``line N``,
``record N``, ``row N``… when the file is read on past it); :func:`read_error_lines` lists them for a
console (the first 20, then how many more), and :func:`error_kind` groups them by what went wrong.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from mathforge.corpus.document import Document
from mathforge.corpus.shards import read_rows
from mathforge.stage_io import read_jsonl, write_json, write_text_atomic

STEP_ORDER = ("read", "extract", "langid", "classify", "filter", "dedup", "decontam")


def reason_kind(reason: str) -> str:
    """The rule behind a reason: ``"math_score=0.03<0.5"`` → ``"math_score"``."""
    m = re.match(r"[A-Za-z_ ]+", reason)
    return (m.group(0).strip() if m else reason) or "unknown"


# Where in a file: "line 3: ", "record 7 at byte 5120: ", "record 2 (https://x.org/): ",
# "after record 4: ", "row group 1 (rows 1-9): "
_WHERE = re.compile(
    r"^(?:(?:after )?(?:line|record|row group|row|element|item)\s+\d+"
    r"(?:\s+(?:at|in the gzip member at) byte \d+)?(?:\s*\([^)]*\))?:\s*)+"
)


def error_kind(reason: str) -> str:
    """What went wrong, without where: ``"line 2: malformed JSON (…); fix it"`` → ``"malformed JSON"``."""
    what = _WHERE.sub("", reason)
    if "exceeds max_doc_bytes" in what:
        return "document too large"
    what = re.split(r"\s*[(;:]", what, maxsplit=1)[0]
    return re.sub(r"\d+", "N", what).strip() or "unknown"


def read_error_lines(section: dict[str, Any], limit: int = 20) -> list[str]:
    """The report's read errors as console lines: one ``FILE: where: reason`` per unusable input, the
    first ``limit`` of them, then ``… and K more``."""
    shown = list(section.get("examples", []))[:limit]
    more = int(section.get("count", len(shown))) - len(shown)
    return shown + ([f"… and {more} more"] if more > 0 else [])


def _split_error(error: str, sources: list[str]) -> str:
    """The reason of a ``"FILE: reason"`` line (FILE may itself hold ": ")."""
    for src in sources:
        if error.startswith(src + ": "):
            return error[len(src) + 2 :]
    return error.split(": ", 1)[-1]


def funnel(docs: list[Document], steps: list[str]) -> list[dict[str, Any]]:
    """Per step: documents/bytes in and out, and dropped counts by rule (with one example each)."""
    rows = []
    for i, step in enumerate(steps):
        prev = steps[i - 1] if i else None
        d_in = d_out = b_in = b_out = 0
        reasons: Counter = Counter()
        examples: dict[str, str] = {}
        for d in docs:
            entered = prev is None or prev in d.sizes
            if not entered:
                continue
            d_in += 1
            b_in += d.sizes.get(prev, 0) if prev else d.sizes.get(step, 0)
            if step in d.sizes and d.dropped != step:
                d_out += 1
                b_out += d.sizes[step]
            elif d.dropped == step:
                kind = reason_kind(d.reason)
                reasons[kind] += 1
                examples.setdefault(kind, f"{d.source}: {d.reason}")
        rows.append(
            {
                "step": step,
                "documents_in": d_in,
                "documents_out": d_out,
                "bytes_in": b_in,
                "bytes_out": b_out,
                "dropped": dict(reasons.most_common()),
                "examples": examples,
            }
        )
    return rows


def build_report(cfg, paths, shards, errors: list[str], manifest, timings) -> dict[str, Any]:
    docs = [Document.from_row(r) for s in shards for r in read_rows(paths.finish(s))]
    steps = [s for s in STEP_ORDER if any(s in d.sizes or d.dropped == s for d in docs)]
    per_bench: dict[str, set] = defaultdict(set)
    per_bench_items: dict[str, set] = defaultdict(set)
    for s in shards:
        lp = paths.ledger(s)
        if lp.exists():
            for x in read_jsonl(lp):
                per_bench[x["benchmark"]].add(x["id"])
                per_bench_items[x["benchmark"]].add(x["item_id"])
    error_kinds: Counter = Counter()
    sources = sorted({f for s in shards for f in s.files}, key=len, reverse=True)
    for e in errors:
        error_kinds[error_kind(_split_error(e, sources))] += 1
    alive = [d for d in docs if d.alive]
    return {
        "config": cfg.as_dict(),
        "config_hash": cfg.content_hash(),
        "output": str(paths.root),
        "shards": len(shards),
        "documents": len(docs),
        "kept": len(alive),
        "kept_bytes": sum(d.sizes.get(steps[-1], 0) for d in alive) if steps else 0,
        "kept_by_kind": dict(Counter(d.kind for d in alive).most_common()),
        "kept_by_lang": dict(Counter(str(d.meta.get("lang", "")) for d in alive).most_common()),
        "funnel": funnel(docs, steps),
        "read_errors": {
            "count": len(errors),
            "by_kind": dict(error_kinds.most_common()),
            "examples": errors[:50],
        },
        "decontamination": {
            b: {"documents": len(per_bench[b]), "benchmark_items": len(per_bench_items[b])}
            for b in sorted(per_bench)
        },
        "pack": manifest,
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
    }


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


def render_html(report: dict[str, Any]) -> str:
    """A funnel chart (documents and bytes per step) and the tables behind it."""
    rows = report["funnel"]
    top_docs = max([r["documents_in"] for r in rows] + [1])
    top_bytes = max([r["bytes_in"] for r in rows] + [1])
    bar_w, row_h = 420, 46
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{bar_w * 2 + 260}" height="{row_h * len(rows) + 40}" '
        'font-family="sans-serif" font-size="12">',
        '<text x="130" y="14" font-weight="bold">documents</text>',
        f'<text x="{bar_w + 200}" y="14" font-weight="bold">bytes</text>',
    ]
    for i, r in enumerate(rows):
        y = 24 + i * row_h
        svg.append(f'<text x="0" y="{y + 16}">{html.escape(r["step"])}</text>')
        for col, (vin, vout, top, fmt) in enumerate(
            (
                (r["documents_in"], r["documents_out"], top_docs, str),
                (r["bytes_in"], r["bytes_out"], top_bytes, _mb),
            )
        ):
            x0 = 90 + col * (bar_w + 110)
            w_in = max(1, int(bar_w * vin / top))
            w_out = int(bar_w * vout / top)
            svg.append(
                f'<rect x="{x0}" y="{y}" width="{w_in}" height="14" fill="#f4c7c3"><title>in: {fmt(vin)}</title></rect>'
            )
            svg.append(
                f'<rect x="{x0}" y="{y + 16}" width="{w_out}" height="14" fill="#4a86e8"><title>out: {fmt(vout)}</title></rect>'
            )
            svg.append(f'<text x="{x0 + w_in + 4}" y="{y + 11}">{fmt(vin)}</text>')
            svg.append(f'<text x="{x0 + w_out + 4}" y="{y + 27}">{fmt(vout)}</text>')
    svg.append("</svg>")
    table = [
        "<table><tr><th>step</th><th>docs in</th><th>docs out</th><th>bytes in</th><th>bytes out</th><th>dropped (by rule)</th></tr>"
    ]
    for r in rows:
        why = "<br>".join(
            f"{html.escape(k)}: {v} <small>e.g. {html.escape(r['examples'].get(k, ''))[:160]}</small>"
            for k, v in r["dropped"].items()
        )
        table.append(
            f"<tr><td>{html.escape(r['step'])}</td><td>{r['documents_in']}</td><td>{r['documents_out']}</td>"
            f"<td>{_mb(r['bytes_in'])}</td><td>{_mb(r['bytes_out'])}</td><td>{why}</td></tr>"
        )
    table.append("</table>")
    dec = report.get("decontamination") or {}
    dec_html = (
        "".join(
            f"<tr><td>{html.escape(b)}</td><td>{v['documents']}</td><td>{v['benchmark_items']}</td></tr>"
            for b, v in dec.items()
        )
        or '<tr><td colspan="3">no benchmark item found in the corpus</td></tr>'
    )
    errs = report["read_errors"]
    err_html = "".join(f"<li>{html.escape(e)}</li>" for e in read_error_lines(errs))
    pack = report.get("pack")
    pack_html = (
        f"<p>{pack['tokens']:,} tokens from {pack['documents']:,} documents → {pack['blocks']:,} blocks of "
        f"{pack['seq_len']} tokens in {len(pack['shards'])} shard(s); tokenizer {html.escape(str(pack['tokenizer']))}</p>"
        if pack
        else "<p>not packed (no [pack] tokenizer configured)</p>"
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>mathforge corpus report</title>
<style>body{{font-family:sans-serif;max-width:1200px;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top}}small{{color:#666}}</style></head><body>
<h1>Corpus report</h1>
<p>{report["documents"]:,} documents read from {report["shards"]} shard(s); <b>{report["kept"]:,} kept</b>
({_mb(report["kept_bytes"])}). Config hash {report["config_hash"]}.</p>
<h2>Funnel</h2>{"".join(svg)}{"".join(table)}
<h2>Read errors ({errs["count"]})</h2><ul>{err_html}</ul>
<h2>Decontamination</h2><table><tr><th>benchmark</th><th>documents removed</th><th>benchmark items found</th></tr>{dec_html}</table>
<h2>Packing</h2>{pack_html}
</body></html>"""


def write_report(report: dict[str, Any], root: Path) -> tuple[Path, Path]:
    jp, hp = root / "report.json", root / "report.html"
    write_json(jp, report, indent=2)
    write_text_atomic(hp, render_html(report))
    return jp, hp
