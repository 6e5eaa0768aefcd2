"""Decontamination quality and speed, on real benchmark items planted into real text.

Recall on planted items of each kind (verbatim, re-spaced and re-cased, LaTeX retyped as plain text,
a GSM8K solution with and without its ``<<…>>`` calculator notes, a short multiple-choice question with
its options), the share of GSM8K-train and MATH-train records flagged against their test sets (with the
flagged GSM8K pairs listed), false flags on clean math text (generated worked problems, the real LaTeX
chapters, and real web pages each with one generic short question or a MATH figure's drawing code
pasted in), and throughput (MB/s, one core) on the real web sample.

``--compare-to DIR`` runs the same measurements with the ``mathforge`` of another checkout (its
``src/``) in a subprocess, on the same inputs, and prints both columns: before/after tables for a change.

    python benchmarks/decontam_quality.py [--data-dir DIR] [--web-dir DIR] [--compare-to OLD_CHECKOUT]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = ["gsm8k", "math500", "math", "cmath", "mmlu_stem", "gaokao_math_qa", "gaokao_math_cloze"]
_ANNOTATION = re.compile(r"<<[^>]*>>")


def _plain(tex: str) -> str:
    """LaTeX retyped as plain text (what a forum post or a scraped copy would write)."""
    s = tex.replace("$", "").replace(r"\left", "").replace(r"\right", "")
    s = re.sub(r"(\d)\\frac", r"\1 \\frac", s)
    s = re.sub(r"\\[dt]?frac\s*(\d)(\d)", r"\1/\2", s)
    group = lambda x: x if re.fullmatch(r"[\w.]+", x) else f"({x})"  # noqa: E731
    for _ in range(4):
        s = re.sub(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: f"{group(m[1])}/{group(m[2])}", s)
    for a, b in (("leq", "<="), ("le", "<="), ("geq", ">="), ("ge", ">="), ("cdot", "*"), ("times", "*")):
        s = re.sub(rf"\\{a}(?![a-zA-Z])", b, s)
    s = re.sub(r"\\(div)(?![a-zA-Z])", "/", s)
    s = re.sub(r"\^\{([^{}]*)\}", r"^\1", s)
    return re.sub(r"\\text\{([^{}]*)\}", r"\1", s)


def _respace(text: str, rng: random.Random) -> str:
    return re.sub(r" ", lambda m: rng.choice(["  ", "\n", " \t "]), text).upper()


def extracted_pages(web: Path) -> list[str]:
    """Real pages (over 2,000 characters after extraction) that items are pasted into."""
    from mathforge.corpus.document import Document
    from mathforge.corpus.extract import extract_step
    from mathforge.corpus.readers import expand_inputs, read_path

    files = [p for p in expand_inputs([str(web)]) if p.suffix != ".md"]
    docs = [d for p in files for d in read_path(p) if isinstance(d, Document)]
    return [d.text for d in extract_step(docs) if d.alive and len(d.text) > 2000]


def measure(data: Path, pages: list[str], latex_dir: Path) -> dict:
    """Every number of the tables, for the mathforge importable in this process. ``recall`` and
    ``false_flags`` hold one boolean per item (caught / flagged), in a fixed order, so two checkouts
    are compared item by item."""
    from mathforge.bench import load_benchmark
    from mathforge.corpus.decontam import Decontaminator
    from mathforge.synth import generate

    kw = {"cache_dir": None} if "cache_dir" in Decontaminator.from_benchmarks.__code__.co_varnames else {}
    out: dict = {}
    t0 = time.perf_counter()
    dec = Decontaminator.from_benchmarks(str(data), SETS, **kw)
    out["index_seconds"] = time.perf_counter() - t0

    def flags(texts: list[str]) -> list[list]:
        return [h for k in range(0, len(texts), 64) for h in dec.check_many(texts[k : k + 64])]

    rng = random.Random(0)

    def plant(items: list[tuple[str, str, str]]) -> list[bool]:
        """Whether each (benchmark, id, text) is found as that item when pasted into a real page."""
        texts = []
        for _, _, text in items:
            page = rng.choice(pages)
            cut = rng.randrange(len(page))
            texts.append(page[:cut] + "\n" + text + "\n" + page[cut:])
        hits = flags(texts)
        return [any(h.item_id == i for h in hs) for (_, i, _), hs in zip(items, hits, strict=True)]

    math500 = load_benchmark("math500", data)
    gsm = load_benchmark("gsm8k", data)
    mmlu = load_benchmark("mmlu_stem", data)
    latexy = [p for p in math500 if re.search(r"\\(d?frac|le|ge|cdot|times)\b", p.question)]
    short_mc = [p for p in mmlu if len(p.question.split()) < 10][:300]
    rec = out["recall"] = {}
    rec["verbatim question (MATH500, GSM8K)"] = plant(
        [("", p.id, p.question) for p in math500[:200] + gsm[:200]]
    )
    rec["re-spaced + upper-cased"] = plant(
        [("", p.id, _respace(p.question, rng)) for p in math500[:200] + gsm[:200]]
    )
    rec[f"LaTeX retyped as plain text (MATH500, {len(latexy)})"] = plant(
        [("", p.id, _plain(p.question)) for p in latexy]
    )
    rec["GSM8K solution with <<notes>>"] = plant([("", p.id, p.solution) for p in gsm[:300]])
    rec["GSM8K solution without notes"] = plant(
        [("", p.id, _ANNOTATION.sub("", p.solution)) for p in gsm[:300]]
    )
    rec["short MMLU-STEM question + options"] = plant(
        [
            ("", p.id, p.question + "".join(f"\n({'ABCD'[i]}) {o}" for i, o in enumerate(p.options)))
            for p in short_mc
        ]
    )

    shares = out["train_vs_test"] = {}
    for name in ("gsm8k", "math"):
        one = Decontaminator.from_benchmarks(str(data), [name], **kw)
        train = load_benchmark(name, data, split="train")
        hits = [
            h
            for k in range(0, len(train), 64)
            for h in one.check_many([f"{p.question}\n{p.solution}" for p in train[k : k + 64]])
        ]
        flagged = [(p.id, sorted({h.item_id for h in hs})) for p, hs in zip(train, hits, strict=True) if hs]
        shares[name] = {
            "records": len(train),
            "flagged": len(flagged),
            "pairs": flagged if name == "gsm8k" else flagged[:0],
        }

    generic = [
        p.question for p in mmlu if len(p.question.split()) < 10 and not re.search(r"[\d+=*<>^]", p.question)
    ]
    math = load_benchmark("math", data)
    asy = [m.group(0) for p in math if (m := re.search(r"\[asy\].*?\[/asy\]", p.question, re.S))]
    rep = generate(None, n=200, seed=23, execute=False)
    latex = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(latex_dir.glob("*.tex"))]
    false = out["false_flags"] = {}
    for label, texts in (
        (
            f"{len(rep.items)} generated worked problems (en + zh)",
            [f"{i.question}\n{i.cot}" for i in rep.items],
        ),
        (f"{len(latex)} real LaTeX chapters", latex),
        (f"{len(pages)} real pages", pages),
        (
            f"real pages + a generic short MMLU question ({len(generic)})",
            [rng.choice(pages) + "\n" + q for q in generic],
        ),
        (
            f"real pages + a MATH figure's drawing code ({len(asy)})",
            [rng.choice(pages) + "\n" + a for a in asy],
        ),
    ):
        false[label] = [bool(h) for h in flags(texts)]

    corpus = []
    while sum(map(len, corpus)) < 20e6:
        corpus += pages
    size = sum(len(t.encode("utf-8", "surrogatepass")) for t in corpus) / 1e6
    t0 = time.perf_counter()
    flags(corpus)
    out["mb_per_s"] = size / (time.perf_counter() - t0)
    return out


def _share(v: list[bool]) -> str:
    return f"{100 * sum(v) / max(1, len(v)):.1f}%"


def _count(v: list[bool]) -> str:
    return f"{sum(v)} of {len(v)}"


def _paired(before: list[bool], after: list[bool], good: bool) -> str:
    """After minus before, in points, with its 95% paired-bootstrap interval and exact McNemar p, on the
    same items (``good``: True when a True is the desired outcome, as for recall)."""
    from mathforge.evaluate.compare import compare_correct, format_p

    a = {str(i): x == good for i, x in enumerate(before)}
    b = {str(i): x == good for i, x in enumerate(after)}
    r = compare_correct("items", a, b)
    lo, hi = r.ci95
    return f"{100 * r.difference:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}], p = {format_p(r.p_value)}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=os.environ.get("MATHFORGE_DATA_DIR"))
    ap.add_argument("--web-dir", default=os.environ.get("MATHFORGE_WEB_DIR"))
    ap.add_argument("--compare-to", help="another checkout whose src/mathforge is measured the same way")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the subprocess's output
    ap.add_argument("--pages", help=argparse.SUPPRESS)  # the subprocess's input pages (JSON list)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    sys.path.insert(0, str(ROOT / "tests"))
    from realdata import data_dir, web_dir

    data = Path(args.data_dir) if args.data_dir else data_dir()
    web = Path(args.web_dir) if args.web_dir else web_dir()
    if data is None or web is None:
        sys.exit("needs the benchmark data and the web sample: pass --data-dir and --web-dir")
    if args.json:  # the subprocess: pages from the parent, so both checkouts see the same input
        pages = json.loads(Path(args.pages).read_text(encoding="utf-8"))
        print(json.dumps(measure(data, pages, web / "latex")))
        return
    pages = extracted_pages(web)
    columns = {"this checkout": measure(data, pages, web / "latex")}
    if args.compare_to:
        with tempfile.TemporaryDirectory() as tmp:
            pages_file = Path(tmp) / "pages.json"
            pages_file.write_text(json.dumps(pages), encoding="utf-8")
            env = dict(os.environ, PYTHONPATH=str(Path(args.compare_to).resolve() / "src"))
            cmd = [sys.executable, __file__, "--json", "--data-dir", str(data), "--web-dir", str(web)]
            res = subprocess.run(
                [*cmd, "--pages", str(pages_file)], env=env, capture_output=True, text=True, check=True
            )
        columns = {"compared checkout": json.loads(res.stdout.strip().splitlines()[-1]), **columns}
    names = list(columns)
    paired = len(columns) == 2
    head = "| " + " | ".join(
        ["measure", *names, *(["difference, 95% paired CI, McNemar p"] if paired else [])]
    )
    head += " |\n|" + "---|" * (len(names) + 1 + paired)
    plain_head = "| " + " | ".join(["measure", *names]) + " |\n|" + "---|" * (len(names) + 1)
    print("\n## Recall on planted items (pasted into a real page)\n\n" + head)
    for key in columns[names[-1]]["recall"]:
        cells = [_share(c["recall"][key]) for c in columns.values()]
        if paired:
            cells.append(_paired(*(c["recall"][key] for c in columns.values()), good=True))
        print(f"| {key} | " + " | ".join(cells) + " |")
    print("\n## Train records flagged against the same benchmark's test set\n\n" + plain_head)
    for key in ("gsm8k", "math"):
        cells = [
            f"{c['train_vs_test'][key]['flagged']} of {c['train_vs_test'][key]['records']} "
            f"({100 * c['train_vs_test'][key]['flagged'] / c['train_vs_test'][key]['records']:.2f}%)"
            for c in columns.values()
        ]
        print(f"| {key} train vs test | " + " | ".join(cells) + " |")
    print(
        "\n## False flags on clean text (documents flagged; difference = change in documents left alone)\n\n"
        + head
    )
    for key in columns[names[-1]]["false_flags"]:
        cells = [_count(c["false_flags"][key]) for c in columns.values()]
        if paired:
            cells.append(_paired(*(c["false_flags"][key] for c in columns.values()), good=False))
        print(f"| {key} | " + " | ".join(cells) + " |")
    print("\n## Speed (one core)\n\n" + plain_head)
    print(
        "| scan, MB/s of real extracted pages | "
        + " | ".join(f"{c['mb_per_s']:.1f}" for c in columns.values())
        + " |"
    )
    print(
        "| index build, s (7 sets) | "
        + " | ".join(f"{c['index_seconds']:.1f}" for c in columns.values())
        + " |"
    )
    pairs = columns[names[-1]]["train_vs_test"]["gsm8k"]["pairs"]
    print(
        f"\nGSM8K train records flagged now ({len(pairs)}): "
        + "; ".join(f"{a} ~ {', '.join(b)}" for a, b in pairs)
    )


if __name__ == "__main__":
    main()
