"""Chinese training and evaluation data for the math classifier (the corpus is bilingual, as Qwen2-Math's).

Training (held in):

* positives: real Chinese word problems from Ape210K, read from a data folder passed in (``zh_dir``: the
  folder holding Ape210K's ``valid.jsonl``/``test.jsonl``), half of them with a short worked solution made
  from the record's ``equation``; and Chinese lesson pages assembled from the project's program-verified
  generators (:func:`mathforge.synth.generate` with ``langs=["zh"]``: a title, the key idea, worked
  examples, exercises);
* negatives: generated Chinese everyday text full of numbers (:mod:`mathforge.corpus.zh_negative_texts`,
  training templates).

Held out (evaluation only, never trained on), split by source:

* positives: the Chinese benchmark test sets (CMATH, the GaoKao sets, cn_middle_school); Ape210K problems
  that are near-duplicates of any of their items are dropped from training;
* negatives: hand-written Chinese paragraphs (:mod:`mathforge.corpus.zh_heldout_texts`), the held-out
  templates of the Chinese generator, and the Chinese pages of the held-out web sources (tagged with
  :func:`text_lang` by the caller).

Without a ``zh_dir`` (none given, none found) the Ape210K positives are skipped with a warning; the
generated lesson pages and negatives do not need any data.
"""

from __future__ import annotations

import os
import random
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathforge.corpus.classifier_benchmarks import benchmark_texts
from mathforge.corpus.negative_texts import stable_fraction
from mathforge.corpus.zh_heldout_texts import ZH_HELDOUT_NEGATIVES
from mathforge.corpus.zh_negative_texts import generate_zh_negatives
from mathforge.stage_io import JsonlError, iter_jsonl

__all__ = [
    "AUTO",
    "ZH_DIR_ENV",
    "ZH_HELDOUT_BENCHMARKS",
    "ZhData",
    "ape210k_text",
    "build_zh_data",
    "lesson_pages",
    "near_duplicates",
    "resolve_zh_dir",
    "text_lang",
]

# Chinese test-only benchmark sets: held-out positives, never trained on.
ZH_HELDOUT_BENCHMARKS = (
    "cmath",
    "gaokao_math_cloze",
    "gaokao_math_qa",
    "gaokao2024_I",
    "gaokao2024_II",
    "gaokao2024_mix",
    "cn_middle_school",
)
ZH_DIR_ENV = "MATHFORGE_ZH_DIR"
AUTO = "auto"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+")


def text_lang(text: str) -> str:
    """The language of a text: "zh" when Han characters make up at least 30% of its letters (and there
    are 10 or more), else "en" (every other language, mostly English). LaTeX commands do not count."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(_TEX_COMMAND.sub(" ", text)))
    return "zh" if cjk >= 10 and cjk >= 0.3 * (cjk + latin) else "en"


def resolve_zh_dir(zh_dir: str | Path | None, data_dir: str | Path | None = None) -> tuple[Path | None, str]:
    """(the Ape210K folder, "") or (None, why not). ``zh_dir`` is a folder, None (no Chinese word
    problems) or ``"auto"``: ``$MATHFORGE_ZH_DIR``, else ``zh/ape210k`` next to the benchmark folder
    (``<data_dir>/../zh/ape210k``). A folder counts when it holds ``*.jsonl`` files."""
    if zh_dir is None:
        return None, "no Chinese word-problem folder given"
    if str(zh_dir) == AUTO:
        candidates = [Path(os.environ[ZH_DIR_ENV])] if os.environ.get(ZH_DIR_ENV) else []
        if data_dir is not None:
            candidates.append(Path(data_dir).resolve().parent / "zh" / "ape210k")
        for c in candidates:
            if c.is_dir() and any(c.glob("*.jsonl")):
                return c, ""
        looked = ", ".join(str(c) for c in candidates) or "nowhere"
        return None, f"no Ape210K folder found (looked at {looked}); set {ZH_DIR_ENV} or pass zh_dir"
    path = Path(zh_dir)
    if not path.is_dir():
        return None, f"Chinese word-problem folder {str(path)!r} not found"
    if not any(path.glob("*.jsonl")):
        return None, f"no *.jsonl files in the Chinese word-problem folder {str(path)!r}"
    return path, ""


# -- Ape210K ----------------------------------------------------------------------------------------------

_FRACTION = re.compile(r"(\(\d+/\d+\))")
_CLAUSE_SPLIT = re.compile(r"[，,．。；;]")


def _show_expr(expr: str) -> str:
    """``135/3*2`` → ``135÷3×2``; a bracketed fraction ``(1/5)`` stays a fraction."""
    parts = _FRACTION.split(expr.replace(" ", ""))
    return "".join(p if _FRACTION.fullmatch(p) else p.replace("*", "×").replace("/", "÷") for p in parts)


def _answer_sentence(question: str, ans: str) -> str:
    clause = [c for c in _CLAUSE_SPLIT.split(question.rstrip("？?．。 ")) if c.strip()]
    last = clause[-1].strip() if clause else ""
    for word in ("多少", "几分之几", "几"):
        if word in last:
            return last.replace(word, ans, 1) + "。"
    return f"答案是{ans}。"


def ape210k_text(rec: dict[str, Any], with_solution: bool) -> str:
    """The problem (``original_text``), or the problem, a one-line worked solution from ``equation``
    (``x=135/3`` → ``解：135÷3=45``) and an answer sentence (``答：每班45本。``)."""
    q = str(rec.get("original_text") or "").strip()
    eq = str(rec.get("equation") or "").strip()
    ans = str(rec.get("ans") or "").strip()
    if not q or not with_solution or not eq.startswith("x=") or not ans:
        return q
    if ans.startswith("(") and ans.endswith(")"):
        ans = ans[1:-1]
    return f"{q}\n解：{_show_expr(eq[2:])}={ans}\n答：{_answer_sentence(q, ans)}"


def _ape210k_records(zh_dir: Path, notes: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(zh_dir.glob("*.jsonl")):
        bad = 0
        for _, rec in iter_jsonl(path, errors="report"):
            if isinstance(rec, JsonlError) or not str(rec.get("original_text") or "").strip():
                bad += 1
                continue
            rec = dict(rec)
            rec["_file"] = path.stem
            out.append(rec)
        if bad:
            notes.append(f"{path}: {bad} malformed line(s) skipped")
    return out


_NORM = re.compile(r"[\s，。？！：；、,.?!:;()（）\[\]$]+")


def _grams(text: str, n: int) -> set[str]:
    s = _NORM.sub("", text)
    return {s[i : i + n] for i in range(max(1, len(s) - n + 1))} if s else set()


def near_duplicates(texts: Sequence[str], refs: Iterable[str], n: int = 8, frac: float = 0.5) -> set[int]:
    """Indices of ``texts`` that share at least ``frac`` of the smaller set of character ``n``-grams
    (punctuation and spaces removed) with one of ``refs``: a problem that differs from a held-out item
    only in its numbers or a few words."""
    index: dict[str, list[int]] = defaultdict(list)
    ref_sizes: list[int] = []
    for j, ref in enumerate(refs):
        g = _grams(ref, n)
        ref_sizes.append(len(g))
        for x in g:
            index[x].append(j)
    out: set[int] = set()
    for i, t in enumerate(texts):
        g = _grams(t, n)
        hits: dict[int, int] = defaultdict(int)
        for x in g:
            for j in index.get(x, ()):
                hits[j] += 1
        if any(c >= frac * min(len(g), ref_sizes[j]) for j, c in hits.items()):
            out.add(i)
    return out


# -- lesson pages from the generators ---------------------------------------------------------------------

_TOPICS: dict[str, tuple[str, str]] = {
    "arithmetic": ("整数的四则运算", "计算前先看清运算符号；同号两数相加，取相同的符号，并把绝对值相加。"),
    "calculus": (
        "导数与不定积分",
        "幂函数的导数公式是 $(x^n)' = nx^{n-1}$，积分时逐项求原函数，不要忘记常数项。",
    ),
    "counting_probability": (
        "计数原理与古典概型",
        "古典概型中，事件的概率等于它包含的基本事件数除以基本事件的总数。",
    ),
    "fractions_decimals_percent": (
        "分数、小数与百分数",
        "分数化小数用分子除以分母；小数化成百分数，只要把小数点向右移动两位。",
    ),
    "function_values": (
        "函数的概念与求值",
        "求函数值就是把自变量的值代入解析式；求反函数的值，就是解方程 $f(x) = y$。",
    ),
    "geometry_formulas": (
        "平面图形的周长与面积",
        "圆的周长 $C = 2\\pi r$，面积 $S = \\pi r^2$；已知三边长时可用海伦公式求三角形面积。",
    ),
    "inequalities": ("一元一次不等式", "不等式两边同时乘或除以同一个负数，不等号的方向要改变。"),
    "linear_equations": (
        "一元一次方程",
        "解一元一次方程的一般步骤：去分母、去括号、移项、合并同类项、系数化为 1。",
    ),
    "number_theory": ("因数、倍数与质数", "求最大公约数可以用分解质因数法，也可以用辗转相除法。"),
    "order_of_operations": (
        "混合运算的顺序",
        "先算括号里面的，再算乘除，最后算加减；同一级运算从左往右依次计算。",
    ),
    "quadratics": (
        "一元二次方程",
        "一元二次方程可以用因式分解法、配方法或求根公式求解，判别式决定实数根的个数。",
    ),
    "ratio_rate": ("比和比例的应用", "归一问题先求出单一量，再求总量；工程问题把工作总量看作单位 1。"),
    "sequences": (
        "等差数列",
        "等差数列的通项公式为 $a_n = a_1 + (n-1)d$，前 $n$ 项和为 $S_n = \\frac{n(a_1 + a_n)}{2}$。",
    ),
    "small_sums": (
        "20 以内的加法",
        "凑十法：先把一个数分成两部分，使其中一部分和另一个数凑成 10，再加剩下的部分。",
    ),
    "systems_of_two": ("二元一次方程组", "解二元一次方程组的基本思路是消元：代入消元法或加减消元法。"),
    "unit_conversion": ("单位换算", "把高级单位换算成低级单位要乘进率，把低级单位换算成高级单位要除以进率。"),
}


def lesson_pages(per_family: int = 20, seed: int = 0) -> list[str]:
    """Chinese lesson pages: for each generator family, its problems grouped by two to four under a
    lesson title and the key idea, as worked examples (question + solution) and exercises with answers."""
    from mathforge.synth import generate

    items = generate(n=per_family, seed=seed, langs=["zh"], execute=False).items
    by_family: dict[str, list[Any]] = defaultdict(list)
    for it in items:
        by_family[it.family].append(it)
    r = random.Random(f"zh-lessons:{seed}")
    pages: list[str] = []
    lesson_no = 0
    for fam in sorted(by_family):
        title, idea = _TOPICS.get(fam, ("专题练习", "认真审题，写出完整的解题过程，最后检验答案是否合理。"))
        fam_items = by_family[fam]
        i = 0
        while i < len(fam_items):
            k = r.randint(2, 4)
            chunk, i = fam_items[i : i + k], i + k
            lesson_no += 1
            lines = [r.choice([f"第{lesson_no}课　{title}", f"{title}（{lesson_no}）", f"专题：{title}"])]
            if r.random() < 0.8:
                lines.append(f"【知识要点】{idea}")
            n_ex = max(1, len(chunk) - r.randint(0, 2))
            for j, it in enumerate(chunk[:n_ex], 1):
                lines.append(f"例{j}　{it.question}")
                lines.append(f"解：{it.cot}")
            rest = chunk[n_ex:]
            if rest:
                lines.append("【课堂练习】")
                lines += [f"{j}. {it.question}" for j, it in enumerate(rest, 1)]
                lines.append("答案：" + "；".join(f"{j}. {it.answer}" for j, it in enumerate(rest, 1)))
            pages.append("\n".join(lines))
    return pages


# -- everything together ----------------------------------------------------------------------------------


@dataclass
class ZhData:
    """The Chinese part of the default data: (text, label, source) triples, plus counts and notes."""

    seed_pos: list[tuple[str, int, str]] = field(default_factory=list)
    seed_neg: list[tuple[str, int, str]] = field(default_factory=list)
    heldout: list[tuple[str, int, str]] = field(default_factory=list)
    heldout_sources: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    zh_dir: str | None = None


def build_zh_data(
    data_dir: str | Path,
    zh_dir: str | Path | None = AUTO,
    seed: int = 0,
    *,
    limit_per_source: int | None = None,
    heldout_per_benchmark: int = 150,
    n_generated: int | None = None,
    lessons_per_family: int = 20,
    heldout_real_neg: int = 0,
) -> ZhData:
    """The Chinese seed and held-out data (see the module docstring). ``limit_per_source`` caps the
    Ape210K problems; ``n_generated`` is the number of generated training negatives (default: as many as
    the Chinese positives, at least 1000); ``heldout_real_neg`` is the number of Chinese held-out
    negatives the caller already has (web pages), counted when balancing the held-out negatives."""
    out = ZhData()
    r = random.Random(f"zh:{seed}")

    # held-out positives first: the training problems are checked against all of their items
    refs: list[str] = []
    for name in ZH_HELDOUT_BENCHMARKS:
        texts = benchmark_texts(data_dir, name, "test")
        if not texts:
            continue
        refs += texts
        picked = texts if len(texts) <= heldout_per_benchmark else r.sample(texts, heldout_per_benchmark)
        out.heldout += [(t, 1, f"bench:{name}") for t in picked]
        out.heldout_sources.append(f"bench:{name}")
        out.counts[f"heldout/bench:{name}"] = len(picked)
    if not refs:
        out.notes.append(f"no Chinese benchmark test sets under {data_dir}: no Chinese held-out positives")

    path, why = resolve_zh_dir(zh_dir, data_dir)
    if path is None:
        msg = f"Chinese word problems (Ape210K) skipped: {why}"
        out.notes.append(msg)
        warnings.warn(msg, stacklevel=3)
    else:
        out.zh_dir = str(path)
        recs = _ape210k_records(path, out.notes)
        questions = [str(rec["original_text"]) for rec in recs]
        dups = near_duplicates(questions, refs) if refs else set()
        kept = [rec for i, rec in enumerate(recs) if i not in dups]
        out.counts["dropped/ape210k-near-duplicates-of-heldout"] = len(dups)
        if limit_per_source is not None and len(kept) > limit_per_source:
            kept = r.sample(kept, limit_per_source)
        for rec in kept:
            sol = stable_fraction(f"ape210k:{rec.get('id')}:{rec['_file']}", seed) < 0.5
            out.seed_pos.append((ape210k_text(rec, sol), 1, f"ape210k:{rec['_file']}"))
        out.counts["seed/ape210k"] = len(kept)

    pages = lesson_pages(lessons_per_family, seed)
    out.seed_pos += [(p, 1, "synth-zh:lessons") for p in pages]
    out.counts["seed/synth-zh-lessons"] = len(pages)

    n_gen = n_generated if n_generated is not None else max(1000, len(out.seed_pos))
    out.seed_neg += [(t, 0, "gen-zh:train-templates") for t in generate_zh_negatives(n_gen, seed=seed)]
    out.counts["seed/generated-zh"] = n_gen

    written = list(ZH_HELDOUT_NEGATIVES)
    out.heldout += [(t, 0, "zh-written:heldout") for t in written]
    out.heldout_sources.append("zh-written:heldout")
    out.counts["heldout/zh-written"] = len(written)
    n_pos = sum(1 for s in out.heldout if s[1] == 1)
    n_held_gen = max(200, n_pos - len(written) - heldout_real_neg)
    held_gen = generate_zh_negatives(n_held_gen, seed=seed, heldout=True)
    out.heldout += [(t, 0, "gen-zh:heldout-templates") for t in held_gen]
    out.heldout_sources.append("gen-zh:heldout-templates")
    out.counts["heldout/generated-zh"] = len(held_gen)
    return out
