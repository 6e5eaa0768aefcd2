"""The math corpus pipeline: readers, math-aware extraction, language id, classifier, quality filters,
dedup, decontamination and packing, run locally or on Ray by ``run_corpus(CorpusConfig)``
(``mathforge corpus run corpus.toml``)."""

from mathforge.corpus.config import CorpusConfig, load_corpus_config
from mathforge.corpus.document import Document, ReadError
from mathforge.corpus.pipeline import CorpusResult, run_corpus

__all__ = ["CorpusConfig", "CorpusResult", "Document", "ReadError", "load_corpus_config", "run_corpus"]
