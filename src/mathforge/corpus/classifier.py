"""Math-content classifier for the pre-training corpus: a fastText model (DeepSeekMath, Qwen2-Math), and
the corpus step that scores documents with it.

``MathClassifier`` wraps a supervised fastText model with two labels, ``__label__math`` and
``__label__other``; ``score`` gives P(math) in [0, 1]. Text is normalised so mathematical signal survives
tokenisation: lower case, one line, LaTeX commands (``\\frac``, ``\\int``), ``$``/``$$``, ``\\(``/``\\[``
and every operator or bracket become tokens of their own, numbers are kept, CJK characters are single
tokens. Long texts are cut to ``max_chars`` characters before scoring (speed; the head of a page decides).

``classify_step`` is the pipeline's step; ``classify_files`` scores JSONL records from the command line.
The training data is assembled in :mod:`mathforge.corpus.classifier_data` (with generated negatives from
:mod:`mathforge.corpus.negative_texts`; the Chinese part — word problems, lesson pages, Chinese negatives —
in :mod:`mathforge.corpus.classifier_zh`) and the model is trained by
:mod:`mathforge.corpus.classifier_training` (DeepSeekMath's iterative recall).
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mathforge.corpus.document import Document
from mathforge.stage_io import JsonlError, iter_jsonl

__all__ = [
    "DEFAULT_MAX_CHARS",
    "LABEL_MATH",
    "LABEL_OTHER",
    "MathClassifier",
    "classify_files",
    "classify_step",
    "metrics",
    "normalize",
]

LABEL_MATH = "__label__math"
LABEL_OTHER = "__label__other"
DEFAULT_MAX_CHARS = 3000
STEP = "classify"

# ---------------------------------------------------------------------------------------------------------
# Text normalisation
# ---------------------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"\\[a-z]+"  # LaTeX command: \frac, \int, \mathbb
    r"|\\[^a-z\s]"  # LaTeX control symbol: \( \) \[ \] \{ \\ \,
    r"|\$\$"  # display-math delimiter
    r"|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]"  # CJK / kana / hangul: one char a token
    r"|[^\W\d_]+"  # a run of letters (any script)
    r"|\d+(?:\.\d+)?"  # a number (kept as is)
    r"|[^\w\s]|_"  # any other symbol: $ ^ _ { } = + - ( ) < > … one token each
)


def normalize(text: str, max_chars: int | None = DEFAULT_MAX_CHARS) -> str:
    """One lowercased line of space-separated tokens that keeps math signal (see module docstring).

    >>> normalize(r"Let $x^2=\\frac{1}{2}$, so x≈0.71.")
    'let $ x ^ 2 = \\\\frac { 1 } { 2 } $ , so x ≈ 0.71 .'
    """
    if max_chars is not None and max_chars > 0:
        text = text[:max_chars]
    return " ".join(_TOKEN_RE.findall(text.lower()))


# ---------------------------------------------------------------------------------------------------------
# The classifier
# ---------------------------------------------------------------------------------------------------------


def _fasttext():
    try:
        import fasttext
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the math classifier needs fastText: pip install fasttext-numpy2-wheel (module 'fasttext')"
        ) from exc
    return fasttext


# fastText is trained in a fresh interpreter: in the bindings (fasttext 0.9.2 wheels) a second
# ``train_supervised`` in the same process does not reproduce the first and now and then diverges
# ("Encountered NaN") on data that trains cleanly in a new process; a child process is deterministic for a
# given seed and thread count. Loading and predicting in this process are unaffected.
_TRAIN_SCRIPT = """
import json, sys
import fasttext
args = json.loads(sys.argv[1])
fasttext.train_supervised(**args).save_model(sys.argv[2])
"""


def _train_in_subprocess(args: dict[str, Any], out: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _TRAIN_SCRIPT, json.dumps(args), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not out.is_file():
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        hint = " (training diverged: lower lr)" if "NaN" in proc.stderr else ""
        raise RuntimeError(f"fastText training failed{hint}: {last}")


@dataclass
class MathClassifier:
    """A trained fastText math/other model plus the normalisation it was trained with."""

    model: Any  # fasttext.FastText._FastText
    max_chars: int = DEFAULT_MAX_CHARS
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def train(
        cls,
        pos: Sequence[str],
        neg: Sequence[str],
        *,
        epoch: int = 10,
        lr: float = 0.5,
        word_ngrams: int = 2,
        dim: int = 32,
        minn: int = 0,
        maxn: int = 0,
        bucket: int = 200_000,
        seed: int = 0,
        threads: int = 1,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> MathClassifier:
        """Train on positive (math) and negative (other) texts. Deterministic for a fixed ``seed`` with
        ``threads=1`` (the training lines are shuffled with ``seed``; fastText's own RNG gets it too).
        ``minn``/``maxn`` > 0 add character n-gram subwords (slower; helps with unseen words);
        ``bucket`` is the hash table size for word n-grams and subwords (model size ≈ bucket × dim × 4 B)."""
        if not pos or not neg:
            raise ValueError(f"need both positive and negative texts (got {len(pos)} and {len(neg)})")
        lines = [f"{LABEL_MATH} {t}" for t in (normalize(x, max_chars) for x in pos) if t]
        lines += [f"{LABEL_OTHER} {t}" for t in (normalize(x, max_chars) for x in neg) if t]
        random.Random(seed).shuffle(lines)
        params = {
            "epoch": epoch,
            "lr": lr,
            "word_ngrams": word_ngrams,
            "dim": dim,
            "minn": minn,
            "maxn": maxn,
            "bucket": bucket,
            "seed": seed,
            "threads": threads,
            "n_pos": len(pos),
            "n_neg": len(neg),
        }
        ft_args = {
            "epoch": epoch,
            "lr": lr,
            "wordNgrams": word_ngrams,
            "dim": dim,
            "minn": minn,
            "maxn": maxn,
            "bucket": bucket if (word_ngrams > 1 or minn > 0) else 0,
            "minCount": 1,
            "loss": "softmax",
            "seed": seed,
            "thread": threads,
            "verbose": 0,
        }
        ft = _fasttext()
        with tempfile.TemporaryDirectory(prefix="mathclf-") as tmp:
            data, out = Path(tmp) / "train.txt", Path(tmp) / "model.bin"
            data.write_text("\n".join(lines) + "\n", encoding="utf-8")
            _train_in_subprocess({**ft_args, "input": str(data)}, out)
            model = ft.load_model(str(out))
        return cls(model=model, max_chars=max_chars, params=params)

    # -- persistence -----------------------------------------------------------------------------------

    @staticmethod
    def _meta_path(path: Path) -> Path:
        return path.with_name(path.name + ".meta.json")

    def save(self, path: str | Path) -> Path:
        """Write the fastText model to ``path`` and its settings to ``<path>.meta.json``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.model.save_model(str(path))
        meta = {"max_chars": self.max_chars, "params": self.params, "labels": [LABEL_MATH, LABEL_OTHER]}
        self._meta_path(path).write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> MathClassifier:
        """Load a model written by ``save`` (a bare fastText ``.bin`` without its meta file loads too)."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"math classifier model {str(path)!r} not found: train one first")
        ft = _fasttext()
        model = ft.load_model(str(path))
        labels = set(model.get_labels())
        if LABEL_MATH not in labels:
            raise ValueError(f"{path}: not a math classifier (labels {sorted(labels)}, need {LABEL_MATH})")
        meta_path = cls._meta_path(path)
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        return cls(
            model=model,
            max_chars=int(meta.get("max_chars", DEFAULT_MAX_CHARS)),
            params=meta.get("params", {}),
        )

    # -- inference -------------------------------------------------------------------------------------

    def score(self, texts: Iterable[str]) -> np.ndarray:
        """P(math) for each text, in [0, 1] (float64). Empty texts (nothing left after normalising) get 0."""
        lines = [normalize(t, self.max_chars) for t in texts]
        out = np.zeros(len(lines), dtype=np.float64)
        idx = [i for i, s in enumerate(lines) if s]
        if not idx:
            return out
        labels, probs = self.model.f.multilinePredict([lines[i] + "\n" for i in idx], -1, 0.0, "strict")
        for i, labs, ps in zip(idx, labels, probs, strict=True):
            p = 0.0
            for lab, q in zip(labs, ps, strict=True):
                if lab == LABEL_MATH:
                    p = float(q)
                    break
            out[i] = p
        return np.clip(out, 0.0, 1.0)

    def evaluate(self, pos: Sequence[str], neg: Sequence[str], threshold: float = 0.5) -> dict[str, Any]:
        """Precision, recall and F1 of "math" at ``threshold`` on labeled texts (n = all texts)."""
        sp = self.score(pos) if pos else np.zeros(0)
        sn = self.score(neg) if neg else np.zeros(0)
        return metrics(sp, sn, threshold)


def metrics(sp: np.ndarray, sn: np.ndarray, threshold: float) -> dict[str, Any]:
    """Precision, recall, F1 and counts of "math" at ``threshold`` from the scores of positives (``sp``)
    and negatives (``sn``)."""
    tp = int((sp >= threshold).sum())
    fn = len(sp) - tp
    fp = int((sn >= threshold).sum())
    tn = len(sn) - fp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "false_positive_rate": round(fp / len(sn), 4) if len(sn) else 0.0,
        "n": len(sp) + len(sn),
        "n_pos": len(sp),
        "n_neg": len(sn),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "threshold": threshold,
    }


# ---------------------------------------------------------------------------------------------------------
# The corpus step
# ---------------------------------------------------------------------------------------------------------


def classify_step(docs: list[Document], model: MathClassifier, threshold: float = 0.5) -> list[Document]:
    """Score the alive documents (``meta["math_score"]``), drop those below ``threshold`` and record the
    bytes of every document still alive in ``sizes["classify"]``. Returns the same list."""
    alive = [d for d in docs if d.alive]
    scores = model.score([d.text for d in alive]) if alive else np.zeros(0)
    for doc, s in zip(alive, scores, strict=True):
        s = float(s)
        doc.meta["math_score"] = round(s, 4)
        if s < threshold:
            doc.drop(STEP, f"math_score={s:.3f}<{threshold}")
        else:
            doc.sizes[STEP] = doc.nbytes()
    return docs


# ---------------------------------------------------------------------------------------------------------
# Scoring JSONL files (wired into typer by the CLI module)
# ---------------------------------------------------------------------------------------------------------


def classify_files(
    model_path: str | Path,
    inputs: Sequence[str | Path],
    out: str | Path,
    threshold: float = 0.5,
    *,
    batch_size: int = 1024,
    max_errors_listed: int = 50,
) -> dict[str, Any]:
    """Score the ``text`` field of every record of the JSONL ``inputs``, write the records with
    ``math_score >= threshold`` (with ``math_score`` added) to ``out`` (JSONL) and return counts. A
    malformed line (bad UTF-8/JSON, not an object, no string ``text``) is counted and reported as
    ``FILE:LINE: reason``, never fatal; a missing input file is reported the same way (line 0)."""
    model = MathClassifier.load(model_path)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stats: dict[str, Any] = {"read": 0, "kept": 0, "dropped": 0, "malformed": 0, "errors": []}

    def error(where: str, reason: str) -> None:
        stats["malformed"] += 1
        if len(stats["errors"]) < max_errors_listed:
            stats["errors"].append(f"{where}: {reason}")

    def flush(batch: list[dict[str, Any]], fh: Any) -> None:
        if not batch:
            return
        scores = model.score([rec["text"] for rec in batch])
        for rec, s in zip(batch, scores, strict=True):
            if s >= threshold:
                rec["math_score"] = round(float(s), 4)
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                stats["kept"] += 1
            else:
                stats["dropped"] += 1
        batch.clear()

    with out.open("w", encoding="utf-8") as fh:
        batch: list[dict[str, Any]] = []
        for inp in inputs:
            path = Path(inp)
            if not path.is_file():
                error(f"{path}:0", "file not found")
                continue
            for lineno, rec in iter_jsonl(path, errors="report"):
                if isinstance(rec, JsonlError):
                    error(f"{path}:{lineno}", rec.reason)
                    continue
                if not isinstance(rec.get("text"), str):
                    error(f"{path}:{lineno}", "no string 'text' field")
                    continue
                stats["read"] += 1
                batch.append(rec)
                if len(batch) >= batch_size:
                    flush(batch, fh)
        flush(batch, fh)
    stats["out"] = str(out)
    return stats
