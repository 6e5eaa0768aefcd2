"""Quality filters in the style of Gopher (Rae et al. 2021) that do not remove mathematics.

FineMath found that C4's "no curly brace" rule throws away most math pages, and Gopher's word statistics
(alphabetic-word fraction, mean word length, symbol ratio) mistake formulas for junk. Here the word rules
are computed on the *prose* — the text with formulas (``$…$``, ``\\[…\\]``, environments) and LaTeX
commands taken out — and a document that is mostly formulas skips the prose-ratio rules. The repetition
rules (duplicate lines and paragraphs, top n-gram share) run on the whole text: a page repeating one
formula a hundred times is still spam.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass

from mathforge.corpus.document import Document
from mathforge.corpus.formulas import split_prose

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,]\d+)*")
_CJK = re.compile(r"[\u3400-\u9fff]")
STOP_WORDS = frozenset(
    {"the", "be", "to", "of", "and", "that", "have", "with", "is", "a", "in", "it", "we", "let"}
)
BULLETS = ("•", "●", "◦", "▪", "-", "*", "·")


@dataclass
class FilterConfig:
    min_words: int = 30  # words of prose + formulas; CJK characters count as words
    max_words: int = 1_000_000
    min_mean_word_len: float = 2.5  # of prose words
    max_mean_word_len: float = 12.0
    max_symbol_ratio: float = 0.1  # "#" and "…" per prose word (Gopher)
    min_alpha_word_fraction: float = 0.5  # prose words with a letter (Gopher: 0.8 of *all* words)
    min_stop_words: int = 2  # English documents only
    max_bullet_line_fraction: float = 0.9
    max_ellipsis_line_fraction: float = 0.3
    max_dup_line_fraction: float = 0.3  # by characters
    max_dup_paragraph_fraction: float = 0.3
    max_top_2gram_fraction: float = 0.2
    max_top_3gram_fraction: float = 0.18
    min_words_for_repetition: int = 100  # short texts (a worked solution) repeat lines legitimately
    math_heavy_fraction: float = 0.5  # above this share of characters in formulas, skip prose ratios
    drop_lorem_ipsum: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


def _dup_fraction(parts: list[str]) -> float:
    """Share of characters in parts that repeat an earlier part."""
    total = sum(len(p) for p in parts)
    if not total:
        return 0.0
    seen: set[str] = set()
    dup = 0
    for p in parts:
        if p in seen:
            dup += len(p)
        seen.add(p)
    return dup / total


def _top_ngram_fraction(words: list[str], n: int) -> float:
    if len(words) < n + 1:
        return 0.0
    grams = Counter(zip(*(words[i:] for i in range(n)), strict=False))
    gram, count = grams.most_common(1)[0]
    if count < 2:
        return 0.0
    total = sum(len(w) for w in words)
    return count * sum(len(w) for w in gram) / max(1, total)


def quality_reason(text: str, cfg: FilterConfig, lang: str = "") -> str:
    """Why ``text`` fails the filters ("" when it passes). The first failing rule is reported."""
    prose, math_chars = split_prose(text)
    # Gopher's word rules are for alphabetic scripts: CJK runs are counted as characters instead
    words = [w for w in _WORD.findall(prose.lower()) if not _CJK.match(w)]
    cjk = len(_CJK.findall(prose))
    n_words = len(words) + cjk + math_chars // 8  # a formula counts roughly as words of content
    if n_words < cfg.min_words:
        return f"too_short words={n_words}<{cfg.min_words}"
    if n_words > cfg.max_words:
        return f"too_long words={n_words}>{cfg.max_words}"
    if cfg.drop_lorem_ipsum and "lorem ipsum" in text[:20000].lower():
        return "lorem_ipsum"
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if lines:
        bullets = sum(ln.startswith(BULLETS) for ln in lines) / len(lines)
        if bullets > cfg.max_bullet_line_fraction:
            return f"bullet_lines={bullets:.2f}>{cfg.max_bullet_line_fraction}"
        ellipsis = sum(ln.endswith(("...", "…")) for ln in lines) / len(lines)
        if ellipsis > cfg.max_ellipsis_line_fraction:
            return f"ellipsis_lines={ellipsis:.2f}>{cfg.max_ellipsis_line_fraction}"
        dup_lines = _dup_fraction(lines) if n_words >= cfg.min_words_for_repetition else 0.0
        if dup_lines > cfg.max_dup_line_fraction:
            return f"dup_lines={dup_lines:.2f}>{cfg.max_dup_line_fraction}"
    if n_words < cfg.min_words_for_repetition:
        return _prose_reason(words, prose, cjk, math_chars / max(1, len(text)), cfg, lang)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    dup_par = _dup_fraction(paragraphs)
    if dup_par > cfg.max_dup_paragraph_fraction:
        return f"dup_paragraphs={dup_par:.2f}>{cfg.max_dup_paragraph_fraction}"
    for n, limit in ((2, cfg.max_top_2gram_fraction), (3, cfg.max_top_3gram_fraction)):
        frac = _top_ngram_fraction(words, n) if len(words) >= cfg.min_words_for_repetition // 2 else 0.0
        if frac > limit:
            return f"top_{n}gram={frac:.2f}>{limit}"
    return _prose_reason(words, prose, cjk, math_chars / max(1, len(text)), cfg, lang)


def _prose_reason(
    words: list[str], prose: str, cjk: int, math_share: float, cfg: FilterConfig, lang: str
) -> str:
    """Gopher's word statistics, on prose only, and skipped for documents that are mostly formulas."""
    math_heavy = math_share > cfg.math_heavy_fraction
    if words and not math_heavy and cjk < len(words):
        alpha = [w for w in words if not w[0].isdigit()]
        mean_len = sum(map(len, alpha)) / max(1, len(alpha))
        if alpha and not cfg.min_mean_word_len <= mean_len <= cfg.max_mean_word_len:
            return f"mean_word_len={mean_len:.1f}"
        frac_alpha = len(alpha) / len(words)
        if frac_alpha < cfg.min_alpha_word_fraction:
            return f"alpha_words={frac_alpha:.2f}<{cfg.min_alpha_word_fraction}"
        symbols = (prose.count("#") + prose.count("...") + prose.count("…")) / len(words)
        if symbols > cfg.max_symbol_ratio:
            return f"symbol_ratio={symbols:.2f}>{cfg.max_symbol_ratio}"
        if lang in ("en", "") and cfg.min_stop_words:
            stops = sum(w in STOP_WORDS for w in words)
            if stops < cfg.min_stop_words:
                return f"stop_words={stops}<{cfg.min_stop_words}"
    return ""


def filter_step(docs: list[Document], cfg: FilterConfig | None = None) -> list[Document]:
    """Drop documents that fail :func:`quality_reason`; the reason names the rule and the value."""
    cfg = cfg or FilterConfig()
    for doc in docs:
        if not doc.alive:
            continue
        reason = quality_reason(doc.text, cfg, str(doc.meta.get("lang", "")))
        if reason:
            doc.drop("filter", reason)
        else:
            doc.sizes["filter"] = doc.nbytes()
    return docs
