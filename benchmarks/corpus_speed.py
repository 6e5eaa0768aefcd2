"""Corpus-pipeline speed, same input, same run, one core.

1. Every step's throughput in MB/s (of the step's input) on the real web sample (HTML pages, WARCs,
   LaTeX, notebooks) replicated to ``--mb`` of text: read, extract, langid, classify, filter, MinHash
   signatures, decontamination, tokenise+pack.
2. Decontamination vs a straightforward Python n-gram-set implementation (13-gram tuples in a set, no
   LCS confirmation) on the extracted real text with planted benchmark questions: MB/s, recall, false flags.
   datatrove's decontamination filter is not compared: it loads its benchmarks from the Hugging Face Hub
   (through lighteval), which this offline setting does not allow.
3. MinHash-LSH vs datasketch with planted near-duplicates (``benchmarks/dedup_speed.py``).

    python benchmarks/corpus_speed.py [--mb 20] [--data-dir DIR] [--web-dir DIR] [--no-datasketch]
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
sys.path.insert(0, str(ROOT / "benchmarks"))

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


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def nbytes(texts) -> int:
    return sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)


def replicate(items: list, size_of, target: float) -> list:
    out, size = [], 0
    while size < target:
        for x in items:
            out.append(x)
            size += size_of(x)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=20.0, help="text per step (input replicated)")
    ap.add_argument("--data-dir", default=os.environ.get("MATHFORGE_DATA_DIR"))
    ap.add_argument("--web-dir", default=os.environ.get("MATHFORGE_WEB_DIR"))
    ap.add_argument("--no-datasketch", action="store_true")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from realdata import data_dir, web_dir

    from mathforge.corpus.classifier import MathClassifier
    from mathforge.corpus.classifier_data import benchmark_texts
    from mathforge.corpus.decontam import Decontaminator
    from mathforge.corpus.dedup import LSH, MinHasher
    from mathforge.corpus.document import Document
    from mathforge.corpus.extract import extract_step
    from mathforge.corpus.filters import filter_step
    from mathforge.corpus.langid import langid_step
    from mathforge.corpus.negative_texts import generate_negatives
    from mathforge.corpus.readers import expand_inputs, read_path
    from mathforge.models.tiny import train_tokenizer

    bench = Path(args.data_dir) if args.data_dir else data_dir()
    web = Path(args.web_dir) if args.web_dir else web_dir()
    if bench is None or web is None:
        sys.exit("needs the benchmark data and the web sample: pass --data-dir and --web-dir")
    target = args.mb * 1e6
    rows: list[tuple[str, float, float, str]] = []  # step, MB, seconds, note

    files = [p for p in expand_inputs([str(web)]) if p.suffix != ".md"]
    raw_bytes = sum(p.stat().st_size for p in files)
    reps = max(1, int(target // max(1, raw_bytes)))
    (_, t) = timed(lambda: [list(read_path(p)) for _ in range(reps) for p in files])
    rows.append(("read (WARC, HTML, LaTeX, code)", reps * raw_bytes / 1e6, t, f"{len(files)} files ×{reps}"))
    docs = [d for p in files for d in read_path(p) if isinstance(d, Document)]

    html_docs = [d for d in docs if d.kind in ("html", "warc")]
    html_copies = replicate(html_docs, lambda d: d.sizes["read"], target)
    batch = [Document(d.id, d.text, d.source, d.kind) for d in html_copies]
    _, t = timed(extract_step, batch)
    rows.append(
        ("extract (math-aware HTML)", nbytes(d.text for d in html_copies) / 1e6, t, f"{len(html_docs)} pages")
    )

    texts = [
        d.text for d in extract_step([Document(d.id, d.text, d.source, d.kind) for d in docs]) if d.alive
    ]
    corpus = replicate(texts, lambda s: len(s.encode()), target)
    mb = nbytes(corpus) / 1e6
    _, t = timed(langid_step, [Document(str(i), s, "x") for i, s in enumerate(corpus)])
    rows.append(("langid", mb, t, "py3langid on a prose sample"))

    pos = benchmark_texts(bench, "math", "train")[:3000]
    clf, t_train = timed(lambda: MathClassifier.train(pos, generate_negatives(3000, seed=0), epoch=5))
    _, t = timed(clf.score, corpus)
    rows.append(("classify (fastText)", mb, t, f"trained in {t_train:.1f} s"))
    _, t = timed(filter_step, [Document(str(i), s, "x") for i, s in enumerate(corpus)])
    rows.append(("quality filters", mb, t, "Gopher-style, prose only"))
    hasher, lsh = MinHasher(), LSH()
    _, t = timed(lambda: lsh.band_keys(hasher.signatures(corpus)))
    rows.append(("MinHash signatures + bands", mb, t, "128 perms, 16×8"))

    dec, t_index = timed(Decontaminator.from_benchmarks, str(bench), SETS)
    dec.check_many(corpus[:64])  # compile (or load the compiled loops from the cache) before timing
    _, t = timed(lambda: [dec.check_many(corpus[k : k + 64]) for k in range(0, len(corpus), 64)])
    rows.append(("decontamination", mb, t, f"{len(dec.items):,} benchmark texts, index {t_index:.1f} s"))

    tok = train_tokenizer(texts[:200], vocab_size=4000)
    _, t = timed(lambda: tok(corpus, add_special_tokens=False))
    rows.append(("tokenise (HF fast BPE)", mb, t, "batch call; packing adds a copy"))

    print(f"\n## Steps, one core (input replicated to ~{args.mb:.0f} MB per step)\n")
    print(f"| {'step':34s} | {'MB':>7s} | {'seconds':>8s} | {'MB/s':>7s} | note |")
    print(f"|{'-' * 36}|{'-' * 9}|{'-' * 10}|{'-' * 9}|------|")
    for name, size, secs, note in rows:
        print(f"| {name:34s} | {size:7.1f} | {secs:8.2f} | {size / secs:7.1f} | {note} |")

    # -------- decontamination vs naive, on real extracted text with planted questions
    naive = NaiveNgrams()
    t0 = time.perf_counter()
    questions = []
    from mathforge.bench import load_benchmark

    for name in SETS:
        for p in load_benchmark(name, str(bench)):
            naive.add(p.question)
            if p.solution:
                naive.add(p.solution)
            questions.append(p.question)
    t_naive_index = time.perf_counter() - t0
    rng = random.Random(0)
    long_q = [q for q in questions if len(q) > 120]
    pieces = [s[i : i + 20000] for s in texts for i in range(0, len(s), 20000)]
    docs2, planted, size = [], set(), 0
    while size < target / 2:
        d = rng.choice(pieces)
        if rng.random() < 0.1:
            cut = rng.randrange(len(d) + 1)
            d = d[:cut] + "\n" + rng.choice(long_q).replace(" ", "  ") + "\n" + d[cut:]
            planted.add(len(docs2))
        docs2.append(d)
        size += len(d.encode())
    results = {}

    def mathforge_flags(docs):
        return [bool(h) for k in range(0, len(docs), 64) for h in dec.check_many(docs[k : k + 64])]

    def naive_flags(docs):
        return [naive.check(d) for d in docs]

    def numpy_flags(docs):
        return [
            bool(h) for k in range(0, len(docs), 64) for h in dec.check_many(docs[k : k + 64], compiled=False)
        ]

    mathforge_flags(docs2[:64])  # compile (or load the compiled loops from the cache) before timing
    for label, fn in (
        ("mathforge (compiled loops)", mathforge_flags),
        ("mathforge, numpy only", numpy_flags),
        ("naive n-gram set", naive_flags),
    ):
        flags, el = timed(fn, docs2)
        recall = sum(flags[i] for i in planted) / max(1, len(planted))
        false = sum(f for i, f in enumerate(flags) if i not in planted)
        results[label] = (size / 1e6 / el, recall, false)
    print(
        f"\n## Decontamination vs a Python n-gram set ({size / 1e6:.1f} MB of real extracted text, "
        f"{len(planted)} documents with a planted, re-spaced benchmark question; one core)\n"
    )
    print(f"index build: mathforge {t_index:.1f} s, naive {t_naive_index:.1f} s\n")
    print("| implementation | MB/s | vs naive | recall | false flags |\n|---|---|---|---|---|")
    base = results["naive n-gram set"][0]
    for label, (rate, recall, false) in results.items():
        print(f"| {label} | {rate:.1f} | {rate / base:.2f}× | {100 * recall:.1f}% | {false} |")

    # -------- MinHash vs datasketch
    if not args.no_datasketch:
        import dedup_speed

        print("\n## Near-duplicates: mathforge MinHash-LSH vs datasketch (benchmarks/dedup_speed.py)\n")
        out = dedup_speed.run(n_docs=8000, data_dir=str(bench))
        info, methods = out[0], out[1:]
        print(
            f"{info.get('docs')} documents ({info.get('source')}): {info.get('planted')} planted near-copies, "
            f"planted Jaccard median {info.get('planted_jaccard_median', 0):.2f}, min {info.get('planted_jaccard_min', 0):.2f}\n"
        )
        print(
            "| method | docs/s | recall | precision | vs datasketch (update_batch) |\n|---|---|---|---|---|"
        )
        for r in methods:
            print(
                f"| {r['method']} | {r['docs_per_s']:,.0f} | {100 * r['recall']:.1f}% | {100 * r['precision']:.1f}% "
                f"| {r['vs_datasketch']:.1f}× |"
            )


if __name__ == "__main__":
    main()
