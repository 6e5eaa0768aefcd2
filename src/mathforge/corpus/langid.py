"""Language identification (English, Chinese, other) with py3langid, whose model ships inside the
package — nothing is downloaded. Formulas are removed first (``x^2+1`` is no language), with the same
cut as the quality filters (:func:`mathforge.corpus.formulas.split_prose`), and a bounded sample of the
prose is classified, which keeps the step fast on book-length documents."""

from __future__ import annotations

from functools import lru_cache

from mathforge.corpus.document import Document
from mathforge.corpus.formulas import split_prose

SAMPLE_CHARS = 3000


@lru_cache(maxsize=1)
def _identifier():
    from pathlib import Path

    import py3langid.langid as L

    ident = L.LanguageIdentifier.from_modelpath(Path(L.MODEL_DIR) / L.MODEL_FILE, norm_probs=True)
    return ident


def prose_sample(text: str, limit: int = SAMPLE_CHARS) -> str:
    """Prose without math, at most ``limit`` characters: the start and the middle of the document."""
    if len(text) > 4 * limit:
        half = limit // 2
        mid = len(text) // 2
        text = text[: 2 * limit] + "\n" + text[mid - half : mid + half]
    prose = split_prose(text)[0]
    return prose[:limit] if len(prose) > limit else prose


def detect(text: str) -> tuple[str, float]:
    """(language code, probability). Codes are ISO 639-1 ("en", "zh", "fr", …); "" for no prose."""
    sample = prose_sample(text)
    if not any(c.isalpha() for c in sample):
        return "", 0.0
    lang, prob = _identifier().classify(sample)
    return str(lang), float(prob)


def langid_step(
    docs: list[Document], keep: tuple[str, ...] = ("en", "zh"), min_prob: float = 0.5
) -> list[Document]:
    """Set ``meta["lang"]``/``meta["lang_prob"]``; drop documents in other languages. A document whose
    language is uncertain (probability under ``min_prob``) is kept when it is mostly math — formulas
    are language-neutral and such pages are exactly what a math corpus wants."""
    for doc in docs:
        if not doc.alive:
            continue
        lang, prob = detect(doc.text)
        doc.meta["lang"], doc.meta["lang_prob"] = lang, round(prob, 3)
        if keep and lang not in keep and not (prob < min_prob or lang == ""):
            doc.drop("langid", f"lang={lang or 'none'}")
            continue
        doc.sizes["langid"] = doc.nbytes()
    return docs
