"""Near-duplicate detection speed, same input, same run: mathforge's vectorised MinHash + LSH
(``mathforge.corpus.dedup``) vs datasketch's MinHash + MinHashLSH with the same number of permutations,
the same shingles (word 5-grams of the normalised text) and the same bands x rows; one core.

Input: real MATH problems with their solutions (``<data dir>/math/test.jsonl``) when the benchmark data is
there, else generated math-style paragraphs. Documents that already have a near neighbour (Jaccard
>= 0.4, found with a low-threshold LSH and confirmed exactly) are left out of the pool first, so the
ground truth is only what we plant: copies with a few words substituted, inserted or deleted, spacing
and case changed, sometimes a footer appended, and exact copies (re-spaced or re-cased). Reported per
method: documents per second, recall (planted copies removed as a duplicate of their own group) and
precision (removals that are right), plus the speed ratio to the datasketch runs.

    python benchmarks/dedup_speed.py [--docs 8000] [--data-dir DIR] [--seed 0] [--no-datasketch]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mathforge.corpus.dedup import (  # noqa: E402
    LSH,
    DedupConfig,
    MinHasher,
    jaccard,
    near_duplicate_clusters,
    shingles,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "benchmarks"

FILLER = [
    "the",
    "a",
    "of",
    "to",
    "and",
    "we",
    "is",
    "that",
    "this",
    "so",
    "it",
    "then",
    "value",
    "sum",
    "integer",
    "number",
    "equation",
    "point",
    "side",
    "angle",
    "term",
    "root",
    "answer",
    "solution",
    "problem",
    "step",
    "result",
    "first",
    "second",
    "find",
    "let",
    "note",
    "hence",
    "thus",
    "clearly",
]
FOOTERS = (
    "Source: a community forum thread, reposted with permission.",
    "Posted in the homework help section; replies are welcome.",
    "See also the practice set at the end of this chapter.",
    "This solution was shared by a reader of the blog last week.",
    "Copyright the original authors. All rights reserved.",
    "Related: more problems like this one are in the archive.",
)


# --- input ---------------------------------------------------------------------------------------------


def data_root(arg: str | None) -> Path | None:
    """The benchmark data folder: ``arg`` if given, else MATHFORGE_DATA_DIR, else ../shared/data/benchmarks
    from the repository root; None when it has no math/test.jsonl (then the text is generated)."""
    c = arg or os.environ.get("MATHFORGE_DATA_DIR") or str(DEFAULT_DATA)
    return Path(c) if (Path(c) / "math" / "test.jsonl").is_file() else None


def real_pool(root: Path) -> list[str]:
    out = []
    with (root / "math" / "test.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                r = json.loads(line)
                text = f"{r['problem']}\n\n{r['solution']}"
                if len(text.split()) >= 40:
                    out.append(text)
    return out


_SUBJ = [
    "the function",
    "the sequence",
    "the polynomial",
    "the triangle",
    "the circle",
    "the matrix",
    "the series",
    "the integral",
    "the set",
    "the graph",
    "the prime",
    "the sum",
    "the product",
    "the ratio",
    "the root",
    "the vector",
]
_VERB = [
    "is",
    "equals",
    "divides",
    "bounds",
    "exceeds",
    "converges to",
    "is congruent to",
    "is tangent to",
    "is orthogonal to",
    "determines",
    "satisfies",
]
_ADJ = [
    "positive",
    "real",
    "integer",
    "rational",
    "even",
    "odd",
    "convex",
    "bounded",
    "monotone",
    "unique",
    "finite",
    "nonzero",
    "symmetric",
    "prime",
    "complex",
]
_LEAD = [
    "Note that",
    "Suppose",
    "Hence",
    "Therefore",
    "By symmetry",
    "Observe that",
    "Clearly",
    "It follows that",
    "Recall that",
    "Thus",
    "Since",
    "Assume",
]


def sentence(rng: random.Random) -> str:
    x, y, z = rng.randint(2, 999), rng.randint(2, 99), rng.choice("abcnkmxyz")
    forms = (
        f"{rng.choice(_LEAD)} {rng.choice(_SUBJ)} {rng.choice(_VERB)} {rng.choice(_SUBJ)} when ${z} = {x}$.",
        f"If ${z}^2 + {y}{z} = {x}$, then {rng.choice(_SUBJ)} is {rng.choice(_ADJ)} and {rng.choice(_ADJ)}.",
        f"{rng.choice(_LEAD)} $\\frac{{{x}}}{{{y}}}$ gives {rng.choice(_SUBJ)} of {rng.choice(_ADJ)} terms.",
        f"We compute {rng.choice(_SUBJ)} modulo {y} and find ${x} \\equiv {x % y}$, so it is {rng.choice(_ADJ)}.",
        f"Let {z} be {rng.choice(_ADJ)}; {rng.choice(_SUBJ)} {rng.choice(_VERB)} ${y}{z} + {x}$ for every {rng.choice(_ADJ)} {z}.",
    )
    return rng.choice(forms)


def generated_pool(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(sentence(rng) for _ in range(rng.randint(6, 14))) for _ in range(n)]


def clean_pool(texts: list[str], min_gap: float = 0.4) -> list[str]:
    """Leave out every text with an earlier neighbour at Jaccard >= min_gap: candidates from two
    independent 32 x 4 LSH passes (a pair at 0.5 is missed by both with probability ~2%), confirmed on
    the exact shingle sets."""
    drop: set[int] = set()
    sets = None
    for seed in (11, 12):
        sig = MinHasher(128, 5, seed).signatures(texts)
        pairs = near_duplicate_clusters([str(i) for i in range(len(texts))], LSH(32, 4).band_keys(sig))
        if sets is None:
            sets = [shingles(t) for t in texts]
        for a, b in pairs.items():
            i, j = int(a), int(b)
            if jaccard(sets[i], sets[j]) >= min_gap:
                drop.add(max(i, j))
        # the transitive cluster head may be far from a member: check members against each other too
        by_head: dict[int, list[int]] = {}
        for a, b in pairs.items():
            by_head.setdefault(int(b), [int(b)]).append(int(a))
        for members in by_head.values():
            for k in range(1, len(members)):
                if jaccard(sets[members[k - 1]], sets[members[k]]) >= min_gap:
                    drop.add(max(members[k - 1], members[k]))
    return [t for i, t in enumerate(texts) if i not in drop]


def near_copy(text: str, rng: random.Random) -> str:
    """A few words substituted/inserted/deleted (one per ~120 words), spacing and case changed, and half
    the time a one-line footer appended."""
    words = text.split()
    for _ in range(1 + len(words) // 120):
        i = rng.randrange(len(words))
        op = rng.choice("sid")
        if op == "s":
            words[i] = rng.choice(FILLER)
        elif op == "i":
            words.insert(i, rng.choice(FILLER))
        elif len(words) > 1:
            del words[i]
    out = "".join(w + rng.choice(("  ", " ", " ", "\n", " \t")) for w in words).strip()
    if rng.random() < 0.3:
        out = out.upper()
    if rng.random() < 0.5:
        out += "\n\n" + rng.choice(FOOTERS)
    return out


def exact_copy(text: str, rng: random.Random) -> str:
    out = "  ".join(text.split()) if rng.random() < 0.5 else text
    return out.upper() if rng.random() < 0.5 else "\n" + out + "\n"


def build_corpus(base: list[str], n_docs: int, seed: int = 0) -> tuple[list[str], list[int], list[bool]]:
    """(texts, group = index of the base text each one comes from, is_planted), shuffled."""
    rng = random.Random(seed)
    rows = [(t, g, False) for g, t in enumerate(base)]
    for _ in range(max(0, n_docs - len(base))):
        g = rng.randrange(len(base))
        copy = exact_copy(base[g], rng) if rng.random() < 0.15 else near_copy(base[g], rng)
        rows.append((copy, g, True))
    rng.shuffle(rows)
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def score(removed: dict[int, int], group: list[int]) -> tuple[float, float]:
    """(recall, precision): a removal is right when the kept document is of the same group; each group
    of k documents should lose k - 1."""
    expected = len(group) - len(set(group))
    right = sum(group[i] == group[j] for i, j in removed.items())
    return right / max(1, expected), right / max(1, len(removed))


# --- methods -------------------------------------------------------------------------------------------


def run_mathforge(texts, num_perm, bands, rows, verify):
    t0 = time.perf_counter()
    sig = MinHasher(num_perm, 5).signatures(texts)
    keys = LSH(bands, rows).band_keys(sig)
    ids = [str(i) for i in range(len(texts))]
    removed = near_duplicate_clusters(ids, keys, sig, verify)
    return time.perf_counter() - t0, {int(a): int(b) for a, b in removed.items()}


def run_datasketch(texts, num_perm, bands, rows, batch):
    from datasketch import MinHash, MinHashLSH

    t0 = time.perf_counter()
    lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows))
    removed: dict[int, int] = {}
    for i, text in enumerate(texts):
        m = MinHash(num_perm=num_perm)
        grams = [s.encode("utf-8") for s in shingles(text)]
        if batch:
            m.update_batch(grams)
        else:
            for s in grams:
                m.update(s)
        found = lsh.query(m)
        if found:
            removed[i] = min(found)
        else:
            lsh.insert(i, m)
    return time.perf_counter() - t0, removed


def run(
    n_docs: int = 8000,
    data_dir: str | None = None,
    seed: int = 0,
    num_perm: int = DedupConfig.num_perm,
    bands: int = DedupConfig.bands,
    rows: int = DedupConfig.rows,
    verify: float | None = DedupConfig.verify_threshold,
    datasketch: bool = True,
    generated: bool = False,
) -> list[dict]:
    """One row per method: method, docs, seconds, docs_per_s, recall, precision, vs_datasketch
    (speed ratio to the faster datasketch run), plus an "input" row describing the corpus."""
    root = None if generated else data_root(data_dir)
    base = real_pool(root) if root else generated_pool(max(1000, n_docs * 3 // 5), seed)
    base = clean_pool(base)[: max(1, n_docs * 3 // 5)]
    texts, group, planted = build_corpus(base, n_docs, seed)
    first = {}
    for i, g in enumerate(group):
        if not planted[i]:
            first[g] = i
    sims = [
        jaccard(shingles(texts[i]), shingles(texts[first[group[i]]])) for i in range(len(texts)) if planted[i]
    ]
    info = {
        "method": "input",
        "source": "MATH test problem+solution" if root else "generated paragraphs",
        "docs": len(texts),
        "base": len(base),
        "planted": sum(planted),
        "planted_jaccard_min": min(sims) if sims else None,
        "planted_jaccard_median": statistics.median(sims) if sims else None,
        "planted_share_ge_0.8": sum(s >= 0.8 for s in sims) / max(1, len(sims)),
        "shingles_per_doc": statistics.mean(len(shingles(t)) for t in texts[:500]),
    }
    t0 = time.perf_counter()
    for t in texts:
        [s.encode("utf-8") for s in shingles(t)]
    info["python_shingling_s"] = time.perf_counter() - t0
    out = [info]
    runs = [
        (f"mathforge {bands}x{rows} no verify", lambda: run_mathforge(texts, num_perm, bands, rows, None))
    ]
    if verify:
        runs.insert(
            0,
            (
                f"mathforge {bands}x{rows} verify>={verify}",
                lambda: run_mathforge(texts, num_perm, bands, rows, verify),
            ),
        )
    if datasketch:
        runs += [
            (
                f"datasketch {bands}x{rows} update",
                lambda: run_datasketch(texts, num_perm, bands, rows, False),
            ),
            (
                f"datasketch {bands}x{rows} update_batch",
                lambda: run_datasketch(texts, num_perm, bands, rows, True),
            ),
        ]
    for name, fn in runs:
        if name.startswith("mathforge"):
            fn()  # warm-up: numpy power tables
        el, removed = fn()
        recall, precision = score(removed, group)
        out.append(
            {
                "method": name,
                "docs": len(texts),
                "seconds": el,
                "docs_per_s": len(texts) / el,
                "recall": recall,
                "precision": precision,
                "removed": len(removed),
            }
        )
    ds = [r["docs_per_s"] for r in out if r["method"].startswith("datasketch")]
    for r in out[1:]:
        r["vs_datasketch"] = r["docs_per_s"] / max(ds) if ds else None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=8000)
    ap.add_argument(
        "--data-dir",
        default=None,
        help="benchmark data (default: MATHFORGE_DATA_DIR, then ../shared/data/benchmarks)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--num-perm", type=int, default=DedupConfig.num_perm)
    ap.add_argument("--bands", type=int, default=DedupConfig.bands)
    ap.add_argument("--rows", type=int, default=DedupConfig.rows)
    ap.add_argument("--verify", type=float, default=DedupConfig.verify_threshold, help="0: no verification")
    ap.add_argument("--no-datasketch", action="store_true")
    ap.add_argument("--generated", action="store_true", help="generated text even when the data is there")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    verify = args.verify or None
    if not args.generated and data_root(args.data_dir) is None:
        print("benchmark data not found (no math/test.jsonl): using generated text", file=sys.stderr)
    rows = run(
        args.docs,
        args.data_dir,
        args.seed,
        args.num_perm,
        args.bands,
        args.rows,
        verify,
        not args.no_datasketch,
        args.generated,
    )
    info = rows[0]
    print(
        f"\n{info['docs']} documents ({info['source']}): {info['base']} distinct, {info['planted']} planted copies; "
        f"{info['shingles_per_doc']:.0f} shingles per document; one core"
    )
    if info["planted_jaccard_min"] is not None:
        print(
            f"planted copies vs their original: Jaccard min {info['planted_jaccard_min']:.2f}, median "
            f"{info['planted_jaccard_median']:.2f}, {100 * info['planted_share_ge_0.8']:.1f}% at >= 0.8"
        )
    print(
        f"{'near-duplicates':38s} {'docs/s':>9s} {'seconds':>8s} {'recall':>7s} {'precision':>9s} {'vs datasketch':>14s}"
    )
    for r in rows[1:]:
        ratio = f"{r['vs_datasketch']:.1f}×" if r.get("vs_datasketch") else "-"
        print(
            f"{r['method']:38s} {r['docs_per_s']:9.0f} {r['seconds']:8.2f} {100 * r['recall']:6.1f}% "
            f"{100 * r['precision']:8.1f}% {ratio:>14s}"
        )
    print(
        "vs datasketch: speed ratio to the faster datasketch run. The datasketch times include building the "
        f"shingle strings in Python ({info['python_shingling_s']:.2f} s of them); mathforge's include its own "
        "tokenising, hashing, banding and clustering."
    )


if __name__ == "__main__":
    main()
