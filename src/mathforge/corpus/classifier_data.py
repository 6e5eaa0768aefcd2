"""Training and evaluation data for the math classifier, split by source.

The default training data is offline and real wherever it can be:

* positives: benchmark *train* splits under the data directory (MATH problem + solution, GSM8K question +
  worked answer, any other ``<set>/train.jsonl``) and, with a web sample, passages of LaTeX sources
  (``latex/*.tex``) and of math pages (``html/math/*``, with MathML/KaTeX annotations, ``math/tex``
  scripts and LaTeX image alt texts turned back into ``$TeX$`` by the corpus extractor);
* negatives: passages of non-math pages (``html/nonmath/*`` and the real crawls in ``warc/*``) and text
  generated from varied non-math templates (:mod:`mathforge.corpus.negative_texts`).

Held-out data is split by *source*: whole benchmarks (test splits of English sets that share no source
with a training split: Minerva, OlympiadBench, AIME/AMC, SAT, AQuA, CARP, college math, ASDiv, SVAMP,
MAWPS, the math subjects of MMLU-STEM), whole sites/repositories of the web sample and whole generator
templates are held out, never random paragraphs of a source that is also trained on. Benchmark *test*
splits are only ever used for evaluation, never for training (a corpus classifier trained on test items
would favour pages that contain them).

The corpus is bilingual, so is the default data (``chinese=True``): Chinese word problems (Ape210K, read
from a folder passed in as ``zh_dir`` — skipped with a warning when there is none), Chinese lesson pages
from the generators and generated Chinese non-math text are trained on; the Chinese benchmark test sets
(CMATH, GaoKao, cn_middle_school), hand-written Chinese non-math paragraphs and held-out Chinese templates
are only evaluated on (:mod:`mathforge.corpus.classifier_zh`). Every sample carries its language
(``Sample.lang``), so held-out precision and recall are reported per language. ``chinese=False`` builds
the English-only data of earlier versions, sample for sample.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mathforge.corpus.classifier_benchmarks import benchmark_texts
from mathforge.corpus.classifier_zh import AUTO, build_zh_data, text_lang
from mathforge.corpus.formulas import has_math_markup
from mathforge.corpus.negative_texts import generate_negatives, stable_fraction

# Test-only English sets used as held-out positives (whole benchmarks, never trained on). Sets that share
# a source with a training split (math500 and math/test come from MATH) are not used; the Chinese sets are
# held out in :mod:`mathforge.corpus.classifier_zh`.
HELDOUT_BENCHMARKS = (
    "minerva_math",
    "olympiadbench",
    "aime24",
    "amc23",
    "sat_math",
    "aqua",
    "carp_en",
    "college_math",
    "gaokao2023en",
    "asdiv",
    "svamp",
    "mawps",
    "mmlu_stem",
)
_SAME_SOURCE = {"math500": "math"}
# -- passages ---------------------------------------------------------------------------------------------

_PARA_SPLIT = re.compile(r"\n\s*\n|\n")
_LATEX_COMMENT = re.compile(r"(?<!\\)%.*")
_BLANK_LINES = re.compile(r"\n\s*\n")


def _cut(text: str, limit: int) -> Iterator[str]:
    """Pieces of at most ``limit`` characters, cut at whitespace where possible."""
    while len(text) > limit:
        cut = text.rfind(" ", limit // 2, limit)
        cut = cut if cut > 0 else limit
        yield text[:cut].strip()
        text = text[cut:].strip()
    if text:
        yield text


def passages(
    paragraphs: Iterable[str], target: int = 600, limit: int = 1500, min_chars: int = 150
) -> list[str]:
    """Group consecutive paragraphs into passages of about ``target`` characters (never over ``limit``);
    passages shorter than ``min_chars`` are dropped (menus, captions, bylines)."""
    out: list[str] = []
    buf: list[str] = []
    size = 0
    for para in paragraphs:
        para = para.strip()
        if not para:
            continue
        for piece in _cut(para, limit):
            if size and size + len(piece) > limit:
                out.append("\n".join(buf))
                buf, size = [], 0
            buf.append(piece)
            size += len(piece) + 1
            if size >= target:
                out.append("\n".join(buf))
                buf, size = [], 0
    if buf:
        out.append("\n".join(buf))
    return [p for p in out if len(p) >= min_chars]


def latex_text(source: str) -> str:
    """A LaTeX source with comments removed (the text the classifier sees for a ``.tex`` document)."""
    return _LATEX_COMMENT.sub("", source)


def latex_passages(source: str, **kw: Any) -> list[str]:
    return passages(_BLANK_LINES.split(latex_text(source)), **kw)


def html_text(html: str | bytes) -> str:
    """Main text of a page with its math as LaTeX — the corpus pipeline's own extraction, so the
    classifier is trained on exactly the text it will later score."""
    from mathforge.corpus.extract import html_to_text

    return html_to_text(html)[0]


def html_passages(html: str | bytes, **kw: Any) -> list[str]:
    return passages(_PARA_SPLIT.split(html_text(html)), **kw)


# ---------------------------------------------------------------------------------------------------------
# Default data: held-in training data, unlabeled pool and source-held-out evaluation data
# ---------------------------------------------------------------------------------------------------------

# Fixture collections whose files come from different sites: each file is its own source. Otherwise the
# file-name prefix before "__" (one book, one repository, one site) is the source.
_COLLECTIONS = {"magic-html", "readability", "trafilatura", "defuddle", "mathjax-demos"}


def source_group(path: Path) -> str:
    prefix = path.name.split("__", 1)[0]
    return path.stem if prefix in _COLLECTIONS or "__" not in path.name else prefix


# WARCs of the web sample whose pages are not real crawled text (hand-written test pages, one of them math).
_SYNTHETIC_WARCS = {"dolma__science_0.warc.gz"}


def warc_pages(path: str | Path) -> Iterator[tuple[str, str]]:
    """(target URI, plain text) of every HTML response in a WARC (fastwarc, from resiliparse)."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    with Path(path).open("rb") as fh:
        for rec in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
            if "html" not in (rec.http_content_type or "").lower():
                continue
            text = html_text(rec.reader.read())
            if text.strip():
                yield (rec.headers.get("WARC-Target-URI", "") or "").strip().strip("<>"), text


def web_documents(web_dir: str | Path) -> Iterator[tuple[str, int, str, str, str]]:
    """(kind, label, source group, name, text) for every document of the web sample: ``latex/*.tex``
    (math), ``html/math/*`` (math), ``html/nonmath/*`` (other) and the HTML pages of ``warc/*`` (other:
    real crawls of non-math sites; the synthetic test WARC is skipped). A LaTeX or HTML file's group is
    its book/repository/site (``source_group``); a WARC page's group is its host."""
    web = Path(web_dir)
    for p in sorted((web / "latex").glob("*.tex")):
        yield "latex", 1, source_group(p), p.stem, latex_text(p.read_text(encoding="utf-8", errors="replace"))
    for label, sub in ((1, "math"), (0, "nonmath")):
        for p in sorted((web / "html" / sub).glob("*")):
            if p.is_file():
                yield f"html-{sub}", label, source_group(p), p.stem, html_text(p.read_bytes())
    try:
        import fastwarc  # noqa: F401  (ships with resiliparse)
    except ImportError:
        return
    for p in sorted((web / "warc").glob("*.warc*")):
        if p.name in _SYNTHETIC_WARCS:
            continue
        for url, text in warc_pages(p):
            yield "warc", 0, urlsplit(url).hostname or url, f"{p.name}#{url}", text


def _split_sources(groups: Sequence[str], frac: float, seed: int) -> set[str]:
    """The held-out groups: the ``round(frac·n)`` (at least one, never all) with the smallest seeded hash."""
    uniq = sorted(set(groups))
    if len(uniq) < 2:
        return set()
    k = min(len(uniq) - 1, max(1, round(frac * len(uniq))))
    return set(sorted(uniq, key=lambda g: stable_fraction(g, seed))[:k])


@dataclass
class Sample:
    text: str
    label: int  # 1 math, 0 other
    source: str  # "bench:<set>", "latex:<stem>", "html-math:<stem>", "warc:<file>#<url>", "gen:<templates>"
    lang: str = "en"  # "zh" for Chinese text; "en" for the rest (mostly English)


@dataclass
class DefaultData:
    """Everything ``train_classifier`` needs, split by source.

    * ``seed_pos``/``seed_neg``: labeled training text (benchmark train splits; generated negatives and the
      non-math pages of half of the held-in non-math sites);
    * ``pool``: held-in web passages used *unlabeled* by iterative recall (math pages, LaTeX sources, the
      other half of the non-math sites); each keeps its true label, used only for diagnostics;
    * ``heldout``: passages from held-out benchmarks, sites, repositories and generator templates;
    * ``heldout_pages``: (full text, label, source) of the held-out web pages/files, for page-level scores.
    """

    seed_pos: list[Sample]
    seed_neg: list[Sample]
    pool: list[Sample]
    heldout: list[Sample]
    heldout_pages: list[Sample]
    counts: dict[str, int] = field(default_factory=dict)
    heldout_sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was skipped and why
    zh_dir: str | None = None  # the Ape210K folder used, if any

    @property
    def pos(self) -> list[str]:
        """Every held-in positive (seed + the math part of the pool)."""
        return [s.text for s in self.seed_pos] + [s.text for s in self.pool if s.label == 1]

    @property
    def neg(self) -> list[str]:
        return [s.text for s in self.seed_neg] + [s.text for s in self.pool if s.label == 0]

    @property
    def heldout_pos(self) -> list[str]:
        return [s.text for s in self.heldout if s.label == 1]

    @property
    def heldout_neg(self) -> list[str]:
        return [s.text for s in self.heldout if s.label == 0]


def _sample(items: list[Any], limit: int | None, r: random.Random) -> list[Any]:
    if limit is None or len(items) <= limit:
        return list(items)
    return r.sample(items, limit)


def build_default_data(
    data_dir: str | Path,
    web_dir: str | Path | None = None,
    seed: int = 0,
    *,
    limit_per_source: int | None = None,
    heldout_per_benchmark: int = 150,
    heldout_frac: float = 0.3,
    n_generated: int | None = None,
    chinese: bool = True,
    zh_dir: str | Path | None = AUTO,
) -> DefaultData:
    """Build the offline default data (see ``DefaultData`` and the module docstring).

    ``limit_per_source`` caps each benchmark train split and the Chinese word problems (for fast runs);
    ``n_generated`` is the number of generated English training negatives (default: enough to balance the
    positives). ``chinese`` adds the Chinese data; ``zh_dir`` is the Ape210K folder (``"auto"``:
    ``$MATHFORGE_ZH_DIR`` or ``<data_dir>/../zh/ape210k``; None: none) — without one the Chinese word
    problems are skipped with a warning, and the reason is kept in ``notes``."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"benchmark data directory {str(data_dir)!r} not found")
    r = random.Random(seed)
    counts: dict[str, int] = {}
    seed_pos: list[Sample] = []
    seed_neg: list[Sample] = []
    pool: list[Sample] = []
    heldout: list[Sample] = []
    pages: list[Sample] = []
    heldout_sources: list[str] = []

    train_sets = sorted(p.parent.name for p in data_dir.glob("*/train.jsonl"))
    if not train_sets:
        raise FileNotFoundError(f"no <set>/train.jsonl under {data_dir}: the default positives need them")
    for name in train_sets:
        texts = _sample(benchmark_texts(data_dir, name, "train"), limit_per_source, r)
        seed_pos += [Sample(t, 1, f"bench:{name}") for t in texts]
        counts[f"train/bench:{name}"] = len(texts)
    trained = set(train_sets)
    for name in HELDOUT_BENCHMARKS:
        if name in trained or _SAME_SOURCE.get(name) in trained:
            continue
        texts = _sample(benchmark_texts(data_dir, name, "test"), heldout_per_benchmark, r)
        if texts:
            heldout += [Sample(t, 1, f"bench:{name}") for t in texts]
            heldout_sources.append(f"bench:{name}")
            counts[f"heldout/bench:{name}"] = len(texts)

    if web_dir is not None:
        docs = list(web_documents(web_dir))
        held_groups: set[str] = set()
        for kind in sorted({d[0] for d in docs}):
            groups = [d[2] for d in docs if d[0] == kind]
            held_groups |= {f"{kind}:{g}" for g in _split_sources(groups, heldout_frac, seed)}
        for kind, label, group, name, full in docs:
            group = f"{kind}:{group}"
            parts = passages(_BLANK_LINES.split(full) if kind == "latex" else _PARA_SPLIT.split(full))
            if label == 1:  # a math page's chrome (menus, bylines) is not math: keep passages with formulas
                parts = [p for p in parts if has_math_markup(p)]
            src = f"{kind}:{name}"
            if group in held_groups:
                heldout += [Sample(p, label, src, text_lang(p)) for p in parts]
                if full.strip():
                    pages.append(Sample(full, label, src, text_lang(full)))
                key = "heldout"
                if group not in heldout_sources:
                    heldout_sources.append(group)
            elif label == 0 and stable_fraction(f"pool:{group}", seed) < 0.5:
                seed_neg += [Sample(p, 0, src, text_lang(p)) for p in parts]
                key = "seed"
            else:
                pool += [Sample(p, label, src, text_lang(p)) for p in parts]
                key = "pool"
            counts[f"{key}/{kind}"] = counts.get(f"{key}/{kind}", 0) + len(parts)

    n_real_neg = len(seed_neg)
    n_gen = n_generated if n_generated is not None else max(1000, len(seed_pos) - n_real_neg)
    gen = generate_negatives(n_gen, seed=seed)
    seed_neg += [Sample(t, 0, "gen:train-templates") for t in gen]
    counts["seed/generated"] = len(gen)
    n_held_gen = max(200, sum(1 for s in heldout if s.label == 1) - sum(1 for s in heldout if s.label == 0))
    held_gen = generate_negatives(n_held_gen, seed=seed, heldout=True)
    heldout += [Sample(t, 0, "gen:heldout-templates") for t in held_gen]
    heldout_sources.append("gen:heldout-templates")
    counts["heldout/generated"] = len(held_gen)
    data = DefaultData(seed_pos, seed_neg, pool, heldout, pages, counts, heldout_sources)
    if chinese:
        zh = build_zh_data(
            data_dir,
            zh_dir,
            seed,
            limit_per_source=limit_per_source,
            heldout_per_benchmark=heldout_per_benchmark,
            heldout_real_neg=sum(1 for s in heldout if s.label == 0 and s.lang == "zh"),
        )
        seed_pos += [Sample(t, y, src, "zh") for t, y, src in zh.seed_pos]
        seed_neg += [Sample(t, y, src, "zh") for t, y, src in zh.seed_neg]
        heldout += [Sample(t, y, src, "zh") for t, y, src in zh.heldout]
        heldout_sources += zh.heldout_sources
        counts.update(zh.counts)
        data.notes += zh.notes
        data.zh_dir = zh.zh_dir
    return data


def default_training_data(
    data_dir: str | Path,
    web_dir: str | Path | None = None,
    seed: int = 0,
    *,
    limit_per_source: int | None = None,
    chinese: bool = True,
    zh_dir: str | Path | None = AUTO,
) -> tuple[list[str], list[str]]:
    """(positives, negatives): every held-in labeled text of the default data (benchmark train splits,
    held-in web/LaTeX passages, Chinese word problems and lesson pages, generated negatives). The held-out
    sources are not in it."""
    data = build_default_data(
        data_dir, web_dir, seed, limit_per_source=limit_per_source, chinese=chinese, zh_dir=zh_dir
    )
    return data.pos, data.neg
