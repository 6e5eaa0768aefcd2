"""Math-content classifier for the pre-training corpus: a fastText model (DeepSeekMath, Qwen2-Math).

``MathClassifier`` wraps a supervised fastText model with two labels, ``__label__math`` and
``__label__other``; ``score`` gives P(math) in [0, 1]. Text is normalised so mathematical signal survives
tokenisation: lower case, one line, LaTeX commands (``\\frac``, ``\\int``), ``$``/``$$``, ``\\(``/``\\[``
and every operator or bracket become tokens of their own, numbers are kept, CJK characters are single
tokens. Long texts are cut to ``max_chars`` characters before scoring (speed; the head of a page decides).

The default training data is offline and real wherever it can be:

* positives: benchmark *train* splits under the data directory (MATH problem + solution, GSM8K question +
  worked answer, any other ``<set>/train.jsonl``) and, with a web sample, passages of LaTeX sources
  (``latex/*.tex``) and of math pages (``html/math/*``, with MathML/KaTeX annotations, ``math/tex``
  scripts and LaTeX image alt texts turned back into ``$TeX$`` before extraction);
* negatives: passages of non-math pages (``html/nonmath/*`` and the real crawls in ``warc/*``,
  resiliparse plain-text extraction) and text generated here from varied non-math templates (news, recipes, sports, travel, tech, history, finance,
  weather, shopping, health, elections, schools, code, schedules) that is full of numbers, prices, dates,
  scores, percentages and code, so "has numbers" or "has ``$``" is not what the model learns.

Held-out data is split by *source*: whole benchmarks (test splits of English sets that share no source
with a training split: Minerva, OlympiadBench, AIME/AMC, SAT, AQuA, CARP, college math, ASDiv, SVAMP,
MAWPS, the math subjects of MMLU-STEM), whole sites/repositories of the web sample and whole generator
templates are held out, never random paragraphs of a source that is also trained on. Benchmark *test*
splits are only ever used for evaluation, never for training (a corpus classifier trained on test items
would favour pages that contain them).

``iterative_recall`` is DeepSeekMath's loop: train on a seed, score an unlabeled pool, take the
top-scoring pool texts (above a high threshold, at most a fraction of the pool) as new positives and,
optionally, the lowest as new negatives, retrain; every round records held-out precision/recall/F1.

Scope: the training positives are English. Chinese math with LaTeX (Gaokao) is still recalled, Chinese
word problems in plain text (CMATH) are not: a bilingual corpus needs Chinese positives in the seed.
Precision depends on the base rate: the held-out sets are balanced, while math is a few percent of a web
crawl, so read the false-positive rate on real pages (``heldout_real`` in the report) before choosing a
threshold.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from mathforge.corpus.document import Document

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
        return _metrics(sp, sn, threshold)


def _metrics(sp: np.ndarray, sn: np.ndarray, threshold: float) -> dict[str, Any]:
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
# Real training text: benchmarks, LaTeX sources, web pages
# ---------------------------------------------------------------------------------------------------------

# Test-only English sets used as held-out positives (whole benchmarks, never trained on). Sets that share
# a source with a training split (math500 and math/test come from MATH) are not used; Chinese sets are out
# of the default model's scope (see the module docstring).
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
_MMLU_MATH = {
    "abstract_algebra",
    "college_mathematics",
    "elementary_mathematics",
    "high_school_mathematics",
    "high_school_statistics",
}
_GSM_CALC = re.compile(r"<<[^<>]*>>")
_GSM_FINAL = re.compile(r"\n?####\s*(.+)\s*$")


def _field_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "\n".join(_field_text(x) for x in v if x is not None)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def benchmark_record_text(name: str, rec: dict[str, Any]) -> str:
    """The text of one benchmark record as it would appear in a document: statement (+ options) +
    worked solution or answer. GSM8K's calculator annotations ``<<a*b=c>>`` are removed."""
    if name == "mmlu_stem" and rec.get("type") not in _MMLU_MATH:
        return ""
    parts: list[str] = []
    if name in ("asdiv", "svamp"):
        parts.append(" ".join(_field_text(rec.get(k)) for k in ("body", "Body", "question", "Question")))
    else:
        for k in ("context", "problem", "question", "content", "input"):
            if rec.get(k):
                parts.append(_field_text(rec[k]))
                break
    for k in ("options", "choices"):
        if rec.get(k):
            parts.append(_field_text(rec[k]))
    for k in ("solution", "rationale", "steps", "answer", "final_answer"):
        val = rec.get(k)
        if val is None or (name == "mmlu_stem" and k == "answer"):
            continue
        text = _field_text(val)
        if name == "gsm8k":
            text = _GSM_FINAL.sub(r"\nThe answer is \1.", _GSM_CALC.sub("", text))
        if text:
            parts.append(text)
            if k in ("solution", "rationale", "steps"):
                break
    return "\n\n".join(p for p in parts if p).strip()


def _read_jsonl_records(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fh:
        for raw in fh:
            try:
                rec = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue
            if isinstance(rec, dict):
                yield rec


def benchmark_texts(data_dir: str | Path, name: str, split: str) -> list[str]:
    """Texts of ``<data_dir>/<name>/<split>.jsonl`` (see ``benchmark_record_text``); [] when absent."""
    path = Path(data_dir) / name / f"{split}.jsonl"
    if not path.is_file():
        return []
    return [t for t in (benchmark_record_text(name, r) for r in _read_jsonl_records(path)) if t]


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


_MATH_MARK = re.compile(
    r"\$|\\[()\[\]]|\\[a-zA-Z]+|[\^_][{\w(]|[\w)}]\s?[=<>]\s?[\w({\\-]|[∑∫√π±×÷≤≥≠∈∀∃→⇒∞≈∂]"
)


def has_math_markup(text: str, min_marks: int = 3) -> bool:
    """At least ``min_marks`` formula marks (``$``, ``\\(``, ``\\cmd``, ``x^2``, ``a=b``, math symbols). Used
    only to drop the chrome (menus, bylines, reference lists) of *math* pages from their positives."""
    return len(_MATH_MARK.findall(text, 0, 20_000)) >= min_marks


# ---------------------------------------------------------------------------------------------------------
# Generated negatives: varied non-math text, many numbers
# ---------------------------------------------------------------------------------------------------------


def _alts(words: str) -> list[str]:
    return words.split("|")


_FIRST = _alts(
    "James|Maria|Wei|Aisha|Lucas|Sofia|Omar|Hannah|Diego|Priya|Liam|Yuki|Noah|Chloe|Mateo|Fatima|Ethan|"
    "Elena|Kwame|Ingrid|Rafael|Mei|Tom|Grace|Arjun|Zoe|Samuel|Leila|Hugo|Nora"
)
_LAST = _alts(
    "Smith|Garcia|Chen|Okafor|Müller|Rossi|Kim|Patel|Johnson|Silva|Nakamura|Brown|Novak|Haddad|Larsen|"
    "Dubois|Moreno|Walsh|Ivanova|Mensah|Kowalski|Tanaka|Reyes|Fischer|Costa|Bianchi|Adeyemi|Lindqvist|Park|Ortiz"
)
_CITY = _alts(
    "Chicago|Lisbon|Nairobi|Osaka|Denver|Lyon|Melbourne|Toronto|Seville|Krakow|Austin|Manchester|Hamburg|"
    "Bogotá|Mumbai|Vancouver|Naples|Dublin|Porto|Seattle|Marseille|Auckland|Boston|Valencia|Glasgow|Phoenix|"
    "Leeds|Bordeaux|Atlanta|Bruges"
)
_COUNTRY = _alts(
    "Portugal|Kenya|Japan|Canada|Chile|Norway|Vietnam|Morocco|Peru|Ireland|Greece|Mexico|Poland|Ghana|"
    "Thailand|Iceland|Argentina|Croatia|Scotland|Indonesia"
)
_TEAM = _alts(
    "Tigers|Falcons|Rovers|United|Hawks|Sharks|Wolves|Rangers|Pirates|Giants|Comets|Lions|Storm|Royals|"
    "Thunder|Eagles|Dynamo|Athletic|Wanderers|Bulls"
)
_COMPANY = _alts(
    "Northwind|Acme|Globex|Initech|Vandelay|Umbrella|Stark|Wayne|Tyrell|Cyberdyne|Hooli|Pied Piper|Soylent|"
    "Monarch|Aperture|Oscorp|Gringotts|Dunder|Vehement|Massive"
)
_PRODUCT = _alts(
    "laptop|smartwatch|blender|headphones|e-bike|air fryer|espresso machine|tablet|robot vacuum|"
    "gaming console|drone|camera|smart speaker|electric toothbrush|standing desk"
)
_DISH = _alts(
    "lemon chicken|banana bread|mushroom risotto|vegetable curry|apple crumble|beef chili|pad thai|shakshuka|"
    "pumpkin soup|chocolate brownies|garlic shrimp|lentil stew|focaccia|carrot cake|tomato galette"
)
_INGREDIENT = _alts(
    "all-purpose flour|brown sugar|unsalted butter|whole milk|baking soda|olive oil|garlic cloves|"
    "chicken stock|grated parmesan|rolled oats|honey|Greek yogurt|cherry tomatoes|fresh basil|ground cumin|"
    "coconut milk|jasmine rice|lemon juice|dark chocolate|vanilla extract|sea salt|red onion|smoked paprika|"
    "heavy cream|eggs"
)
_UNIT = _alts("cups|cup|tablespoons|tbsp|teaspoons|tsp|grams|g|ounces|oz|ml|pounds|lb|cloves|pinch")
_MONTH = _alts("January|February|March|April|May|June|July|August|September|October|November|December")
_DAY = _alts("Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday")
_TOPIC = _alts(
    "housing costs|public transport|the new stadium|water rationing|school lunches|the heat wave|"
    "road repairs|the library budget|bike lanes|the port expansion|airport noise|the music festival|"
    "rent control|the flood defences|broadband coverage"
)
_LANG = _alts("Python|Go|Rust|JavaScript|Kotlin|TypeScript|Ruby|Java|Swift|C#")
_TOOL = _alts("Docker|Kubernetes|PostgreSQL|Redis|nginx|Terraform|React|Django|Kafka|Git|Ansible|Grafana")
_ERA = _alts(
    "the Roman Empire|the Ming dynasty|the Hanseatic League|the Ottoman court|the Inca road network|"
    "medieval Venice|the Meiji era|the Mughal Empire|Viking Age Scandinavia|the Byzantine navy|"
    "colonial Boston|the Weimar Republic"
)
_SPORT_VERB = _alts("beat|edged|crushed|outlasted|stunned|held off|routed|overcame")


def _price(r: random.Random) -> str:
    cur = r.choice(["$", "$", "€", "£", "$"])
    if r.random() < 0.5:
        return f"{cur}{r.randint(1, 300)}.{r.choice(['99', '49', '00', '95', '50'])}"
    return f"{cur}{r.randint(5, 2500):,}"


def _big_money(r: random.Random) -> str:
    return (
        f"{r.choice(['$', '€', '£'])}{r.randint(1, 99)}.{r.randint(0, 9)} {r.choice(['million', 'billion'])}"
    )


def _date(r: random.Random) -> str:
    m, d, y = r.choice(_MONTH), r.randint(1, 28), r.randint(1995, 2025)
    return r.choice([f"{m} {d}, {y}", f"{d} {m} {y}", f"{y}-{_MONTH.index(m) + 1:02d}-{d:02d}", f"{m} {d}"])


def _time(r: random.Random) -> str:
    h, m = r.randint(1, 12), r.choice(["00", "15", "30", "45", "05", "50"])
    return r.choice([f"{h}:{m} {r.choice(['a.m.', 'p.m.', 'am', 'pm'])}", f"{r.randint(6, 23):02d}:{m}"])


def _qty(r: random.Random) -> str:
    return r.choice(
        [
            f"{r.randint(1, 4)} {r.choice(['1/2', '1/4', '3/4', '1/3'])}",
            f"{r.choice(['1/2', '1/4', '3/4', '2/3'])}",
            str(r.randint(1, 6)),
            str(r.choice([50, 100, 125, 200, 250, 400, 500])),
        ]
    )


_SLOTS: dict[str, Callable[[random.Random], str]] = {
    "name": lambda r: f"{r.choice(_FIRST)} {r.choice(_LAST)}",
    "first": lambda r: r.choice(_FIRST),
    "last": lambda r: r.choice(_LAST),
    "city": lambda r: r.choice(_CITY),
    "country": lambda r: r.choice(_COUNTRY),
    "team": lambda r: f"{r.choice(_CITY)} {r.choice(_TEAM)}",
    "company": lambda r: r.choice(_COMPANY),
    "product": lambda r: r.choice(_PRODUCT),
    "dish": lambda r: r.choice(_DISH),
    "ing": lambda r: r.choice(_INGREDIENT),
    "unit": lambda r: r.choice(_UNIT),
    "qty": _qty,
    "month": lambda r: r.choice(_MONTH),
    "day": lambda r: r.choice(_DAY),
    "topic": lambda r: r.choice(_TOPIC),
    "lang": lambda r: r.choice(_LANG),
    "tool": lambda r: r.choice(_TOOL),
    "era": lambda r: r.choice(_ERA),
    "verb": lambda r: r.choice(_SPORT_VERB),
    "d": lambda r: str(r.randint(2, 9)),
    "dd": lambda r: str(r.randint(10, 99)),
    "ddd": lambda r: str(r.randint(100, 999)),
    "big": lambda r: f"{r.randint(1_000, 250_000):,}",
    "year": lambda r: str(r.randint(1450, 2025)),
    "ryear": lambda r: str(r.randint(1995, 2025)),
    "pct": lambda r: f"{r.randint(1, 95)}{r.choice(['', '.5', '.2', '.8'])}%",
    "price": _price,
    "money": _big_money,
    "date": _date,
    "time": _time,
    "score": lambda r: f"{r.randint(85, 130)}-{r.randint(80, 125)}",
    "goals": lambda r: f"{r.randint(0, 5)}-{r.randint(0, 4)}",
    "runs": lambda r: f"{r.randint(0, 12)}-{r.randint(0, 11)}",
    "dur": lambda r: f"{r.randint(1, 3)}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",
    "temp": lambda r: r.choice(
        [f"{r.randint(320, 450)}°F", f"{r.randint(160, 230)}°C", f"{r.randint(-5, 38)}°C"]
    ),
    "version": lambda r: f"{r.randint(1, 19)}.{r.randint(0, 30)}.{r.randint(0, 12)}",
    "inch": lambda r: f"{r.randint(5, 16)}.{r.randint(0, 9)}-inch",
    "gb": lambda r: f"{r.choice([4, 8, 12, 16, 32, 64, 128, 256, 512])}GB",
    "stars": lambda r: f"{r.randint(2, 4)}.{r.randint(0, 9)} out of 5",
    "phone": lambda r: f"({r.randint(200, 989)}) {r.randint(200, 989)}-{r.randint(1000, 9999)}",
    "addr": lambda r: (
        f"{r.randint(1, 2400)} {r.choice(_LAST)} {r.choice(['Street', 'Avenue', 'Road', 'Lane', 'Blvd'])}"
    ),
    "km": lambda r: f"{r.randint(2, 900)} {r.choice(['km', 'miles', 'kilometres'])}",
    "rank": lambda r: f"No. {r.randint(1, 25)}",
    "var": lambda r: r.choice(
        ["total", "count", "price", "user_id", "items", "result", "idx", "buf", "cfg", "rows"]
    ),
    "port": lambda r: str(r.choice([80, 443, 3000, 5432, 6379, 8000, 8080, 9090])),
}

# Sentence templates per domain. Held-out generated negatives use only templates the training never saw.
_DOMAINS: dict[str, list[str]] = {
    "sports": [
        "The {team} {verb} the {team} {score} on {day} night, with {name} scoring {dd} points and grabbing {d} rebounds.",
        "{name} converted a penalty in the {dd}th minute as {team} won {goals} at home in front of {big} fans.",
        "The {team} are now {dd}-{dd} on the season and sit {d} games behind the division leaders.",
        "{name} finished the marathon in {dur}, a course record, while {name} was second in {dur}.",
        "After a {runs} loss in the opener, the {team} bounced back behind {d} scoreless innings from {name}.",
        "Coach {last} said the team had to tighten up defensively after conceding {d} goals in the last two matches.",
        "{name}, ranked {rank} in the world, won the final {d}-{d}, {d}-{d} in just over {d} hours.",
        "Tickets for the derby on {date} start at {price}, and the club expects a crowd of about {big}.",
        "{name} is batting .{ddd} with {dd} home runs and {dd} RBIs through {dd} games this year.",
        "The transfer fee of {money} makes {name} the most expensive signing in the history of the {team}.",
    ],
    "recipe": [
        "Preheat the oven to {temp} and line a {d}-by-{dd}-inch pan with parchment paper.",
        "In a large bowl, whisk together {qty} {unit} {ing}, {qty} {unit} {ing} and a pinch of salt.",
        "Add {qty} {unit} {ing} and stir until just combined; do not overmix.",
        "Bake for {dd} to {dd} minutes, or until golden and a toothpick inserted in the centre comes out clean.",
        "This {dish} serves {d} and keeps for up to {d} days in the fridge.",
        "Simmer the sauce over low heat for {dd} minutes, stirring occasionally, then season with {ing}.",
        "Ingredients: {qty} {unit} {ing}; {qty} {unit} {ing}; {qty} {unit} {ing}; {d} {ing}.",
        "My grandmother made this {dish} every {month}, and it still tastes like home.",
        "Prep time: {dd} minutes. Cook time: {dd} minutes. Calories per serving: {ddd}.",
        "If you don't have {ing}, you can swap in {qty} {unit} {ing} without changing the bake time.",
    ],
    "travel": [
        "Flights from {city} to {city} start at {price} return if you book before {date}.",
        "The old town of {city} is best explored on foot; most sights are within {km} of the cathedral.",
        "The museum is open {time} to {time} every day except {day}, and entry costs {price}.",
        "We spent {d} nights in {country} and drove roughly {km} along the coast.",
        "A double room at the harbour hotel costs about {price} a night in high season, breakfast included.",
        "Take bus {dd} from the central station; the ride takes {dd} minutes and a ticket is {price}.",
        "In {month} the average high in {city} is {temp}, so pack a light jacket for the evenings.",
        "The ferry to the islands leaves at {time} and returns at {time}; arrive {dd} minutes early.",
        "Our guide, {first}, has been leading tours in {country} since {ryear} and speaks {d} languages.",
    ],
    "tech": [
        "The {company} {product} has a {inch} display, {gb} of RAM and starts at {price}.",
        "Version {version} of {tool} fixes {dd} bugs and drops support for {lang} {version}.",
        "{company} reported {money} in quarterly revenue, up {pct} from a year earlier.",
        "The update rolls out on {date} to devices released after {ryear}.",
        "In our tests the battery lasted {dd} hours {dd} minutes of video playback, about {pct} longer than last year's model.",
        "{name}, the company's chief technology officer, said the outage affected {pct} of users for {dd} minutes.",
        "The startup raised {money} in a Series B round led by {company} Ventures.",
        "Benchmarks show the new chip running {pct} faster in single-core tasks while drawing {dd} watts.",
        "Pre-orders open {day} at {time}; the {gb} model costs {price} and ships in {month}.",
    ],
    "finance": [
        "Shares of {company} rose {pct} to {price} in early trading after the earnings beat.",
        "The central bank held its benchmark rate at {pct}, citing inflation that remains above target.",
        "Mortgage rates climbed to {pct} this week, the highest level since {ryear}.",
        "The fund returned {pct} last year, compared with {pct} for its benchmark index.",
        "{company} will cut {big} jobs, or {pct} of its workforce, by the end of {month}.",
        "Analysts expect earnings of {price} per share on revenue of {money}.",
        "Savings accounts at online banks now pay up to {pct} a year on balances over {price}.",
        "The deal values {company} at {money}, a premium of {pct} over Friday's closing price.",
    ],
    "news": [
        "The city council voted {dd}-{d} on {day} to approve a {money} plan for {topic}.",
        "Police said {d} people were taken to hospital after the crash on {addr} at about {time}.",
        "About {big} residents signed the petition about {topic}, organisers said.",
        "The mayor, {name}, said the work would start in {month} and take about {dd} months.",
        "Officials in {city} said {pct} of households were still without power on {day} evening.",
        "The trial is expected to last {d} weeks, and {dd} witnesses are scheduled to testify.",
        "Residents can comment on the proposal until {date} by calling {phone}.",
        "The report, published on {date}, found that complaints about {topic} had risen {pct} since {ryear}.",
        "{name}, {dd}, who has lived on the street for {dd} years, said the neighbourhood had changed a lot.",
    ],
    "history": [
        "In {year}, the court of {era} sent an embassy of {ddd} people on a journey of {km}.",
        "The war lasted from {year} to {year} and reshaped the borders of {country}.",
        "Construction of the cathedral began in {year} and was not finished until {year}.",
        "Historians estimate that the city of {city} had about {big} inhabitants by {year}.",
        "The treaty signed on {date} ended {dd} years of conflict between the two kingdoms.",
        "Trade networks of {era} carried silk, salt and silver across {km} of desert and sea.",
        "{name}'s diary, discovered in an attic in {ryear}, describes the winter of {year} in vivid detail.",
        "By {year} the empire's army numbered roughly {big} soldiers, spread across {dd} provinces.",
        "The archive holds {big} letters written between {year} and {year}.",
    ],
    "weather": [
        "Expect a high of {temp} and a low of {temp} on {day}, with a {pct} chance of rain.",
        "Winds from the northwest at {dd} to {dd} mph will ease by {time}.",
        "{city} recorded {dd} millimetres of rain in {d} hours, the wettest {month} day since {year}.",
        "A frost warning is in effect from {time} until {time} for areas north of {city}.",
        "The heat index could reach {temp} by mid-afternoon; stay hydrated and check on neighbours.",
        "Snowfall totals of {d} to {dd} inches are likely above {big} feet.",
        "Humidity will stay near {pct} through the weekend before a cold front arrives on {day}.",
    ],
    "shopping": [
        "The {company} {product} is on sale for {price}, down from {price}, through {date}.",
        "Customers rate it {stars} stars across {big} reviews; most complaints are about the cable length.",
        "Free shipping on orders over {price}; returns accepted within {dd} days.",
        "Use code SAVE{dd} at checkout to take {pct} off your first order.",
        "Only {d} left in stock — order in the next {d} hours to get it by {day}.",
        "I bought the {product} in {month} and after {d} months it still works like new.",
        "Bundle the {product} with a {product} and save {price}.",
        "Dimensions: {dd} x {dd} x {d} cm; weight: {d}.{d} kg; warranty: {d} years.",
    ],
    "health": [
        "Aim for at least {ddd} minutes of moderate exercise a week, spread over {d} or more days.",
        "Drinking {d} glasses of water a day and sleeping {d} hours can make a noticeable difference.",
        "The study followed {big} adults for {dd} years and found a {pct} lower risk of heart disease.",
        "Take {dd} milligrams twice a day with food, and do not exceed {d} doses in {dd} hours.",
        "Dr. {last} recommends a {dd}-minute walk after dinner for patients with high blood sugar.",
        "The clinic on {addr} offers free flu shots from {time} to {time} on {day}s.",
        "Our {d}-week plan mixes {dd}-minute strength sessions with {d} rest days.",
        "Vaccination rates among children in {country} fell to {pct} in {ryear}, health officials said.",
    ],
    "elections": [
        "{name} won the seat with {pct} of the vote, or {big} ballots, against {pct} for {name}.",
        "Turnout reached {pct}, the highest in a midterm since {year}.",
        "Polls open at {time} and close at {time}; voters need photo ID at {d} locations in {city}.",
        "The recount in District {dd} narrowed the margin to {ddd} votes.",
        "The party holds {ddd} of the {ddd} seats after gaining {dd} in the election.",
        "{name} has raised {money} since announcing the campaign on {date}.",
        "A survey of {big} likely voters has a margin of error of plus or minus {d} points.",
    ],
    "school": [
        "The school board approved a new math curriculum for grades {d} through {d}, which starts in {month}.",
        "Enrollment at {city} High rose to {big} students, and the district is hiring {dd} teachers.",
        "Students who took the state test scored {pct} higher in reading and {pct} higher in math than in {ryear}.",
        "The district's {money} budget includes raises of {pct} for teachers and counsellors.",
        "{name}, a {dd}-year-old junior, won the regional science fair with a project on river pollution.",
        "Registration for summer camp opens {date}; the fee is {price} per week, and {dd} scholarships are available.",
        "The university admitted {big} applicants this year, an acceptance rate of {pct}.",
        "Math teacher {name} was named teacher of the year after {dd} years in the classroom.",
    ],
    "code": [
        "for {var} in range({dd}):\n    {var} += {var}[i]\nprint({var})",
        "const {var} = await fetch(`/api/v{d}/orders?limit={dd}`).then(r => r.json());",
        "SELECT name, price FROM products WHERE price > {dd} ORDER BY price DESC LIMIT {dd};",
        "docker run -d -p {port}:{port} --name web -e WORKERS={d} {tool}:{version}",
        "if {var} == None:\n    {var} = {{'retries': {d}, 'timeout': {dd}}}",
        "git commit -m 'bump version to {version}' && git push origin main",
        "server {{\n    listen {port};\n    client_max_body_size {dd}m;\n}}",
        "The build fails on {lang} {version} with exit code {d}; pinning {tool} to {version} fixed it for me.",
        "{var} = [x for x in {var} if x.status != {ddd}]\nlogger.info('kept %d rows', len({var}))",
        "replicas: {d}\nresources:\n  limits:\n    memory: {ddd}Mi\n    cpu: {ddd}m",
        "def get_{var}(order):\n    subtotal = sum(line.price * line.qty for line in order.lines)\n    return round(subtotal * (1 + TAX_RATE), 2)",
        "let {var} = 0;\nfor (const row of rows) {{\n  {var} += row.amount * row.count;\n}}\nconsole.log(`total: ${{{var}}}`);",
        "UPDATE accounts SET balance = balance - {dd} WHERE id = {ddd};\nSELECT COUNT(*), AVG(total) FROM orders GROUP BY customer_id;",
        "width = max(1, int(len({var}) / {d}))\npage = {var}[offset:offset + width]\noffset += width",
        "if (retries > {d}) {{\n    delay = Math.min(delay * 2, {ddd}0);\n    return;\n}}",
        '$ curl -s localhost:{port}/metrics | grep http_requests_total\nhttp_requests_total{{code="200"}} {big}',
        "elapsed_ms = (time.time() - start) * 1000\nif elapsed_ms > {ddd}:\n    log.warning('slow request: %.1f ms', elapsed_ms)",
        'for i := 0; i < len({var}); i++ {{\n    sum += {var}[i].Size\n}}\nfmt.Printf("%d bytes\\n", sum)',
        "Bumping the pool size from {d} to {dd} cut p99 latency from {ddd} ms to {dd} ms in our load test.",
    ],
    "schedule": [
        "{day}: doors open {time}, first set {time}, headliner {time}.",
        "The {city} line runs every {dd} minutes on weekdays and every {dd} minutes on {day}s.",
        "Train {ddd} departs {city} at {time} and arrives in {city} at {time}, platform {d}.",
        "Office hours are {time}–{time}, {day} to {day}; call {phone} to book.",
        "Registration closes {date}. The conference runs {d} days, with {dd} talks and {d} workshops.",
        "Trash pickup moves to {day} for the week of {date} because of the holiday.",
        "Practice is {day} and {day} from {time} to {time} at the field on {addr}.",
    ],
    "realestate": [
        "This {d}-bedroom, {d}-bath home on {addr} is listed at {price},000 and has {big} square feet.",
        "Median rents in {city} rose {pct} over the past year to {price} a month.",
        "The condo sold for {money} after just {d} days on the market.",
        "HOA fees are {price} per month and property taxes about {price} a year.",
        "The lot is {d}.{d} acres, with a {dd}-by-{dd}-foot garage and a garden facing south.",
        "Open house {day} {time} to {time}; contact {name} at {phone}.",
    ],
    "entertainment": [
        "The film opened to {money} at the box office, beating forecasts by {pct}.",
        "{name}'s new album debuted at {rank} and was streamed {big} times in its first week.",
        "The series returns for season {d} on {date}, with {dd} episodes of about {dd} minutes each.",
        "Tickets for the {dd}-city tour go on sale {day} at {time} and start at {price}.",
        "The festival drew {big} visitors over {d} days, organisers said.",
        "Critics gave the play {stars} stars; it runs until {date} at the {last} Theatre.",
        "{name}, {dd}, plays a retired detective who moves back to {city} after {dd} years away.",
    ],
}

_HEADLINES = [
    "{city} {topic} update",
    "What to know this {day}",
    "{company} news",
    "Weekend guide: {city}",
    "Review: the {company} {product}",
    "{team} notebook",
    "Recipe of the week: {dish}",
    "Notes from {country}",
]


def _fill(template: str, r: random.Random) -> str:
    out = re.sub(r"\{(\w+)\}", lambda m: _SLOTS[m.group(1)](r), template)
    return out.replace("{{", "{").replace("}}", "}")


def _stable_fraction(key: str, seed: int) -> float:
    h = hashlib.blake2b(f"{seed}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2**64


def _template_split(
    seed: int, heldout_frac: float = 0.25
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per domain: (training templates, held-out templates); at least one of each per domain."""
    train: dict[str, list[str]] = {}
    held: dict[str, list[str]] = {}
    for dom, temps in _DOMAINS.items():
        order = sorted(range(len(temps)), key=lambda i: _stable_fraction(f"{dom}/{i}", seed))
        k = max(1, round(heldout_frac * len(temps)))
        held[dom] = [temps[i] for i in sorted(order[:k])]
        train[dom] = [temps[i] for i in sorted(order[k:])]
    return train, held


def generate_negatives(n: int, seed: int = 0, heldout: bool = False) -> list[str]:
    """``n`` non-math texts built from the domain templates (the training or the held-out templates).
    Each text: an optional headline, then 2–8 sentences of one domain (a few mixed with another), in one
    to three paragraphs; 150–1500 characters, full of numbers, prices, dates, scores and code."""
    train, held = _template_split(seed)
    temps = held if heldout else train
    r = random.Random(f"negatives:{seed}:{heldout}")
    domains = sorted(temps)
    out: list[str] = []
    while len(out) < n:
        dom = r.choice(domains)
        k = r.randint(2, 8)
        sents = [_fill(r.choice(temps[dom]), r) for _ in range(k)]
        if r.random() < 0.2:
            other = r.choice(domains)
            sents.insert(r.randrange(len(sents) + 1), _fill(r.choice(temps[other]), r))
        paras: list[list[str]] = [[]]
        for s in sents:
            if paras[-1] and r.random() < 0.3:
                paras.append([])
            paras[-1].append(s)
        sep = "\n" if dom == "code" else " "
        text = "\n\n".join(sep.join(p) for p in paras)
        if r.random() < 0.3:
            text = _fill(r.choice(_HEADLINES), r) + "\n\n" + text
        out.append(text[:1500])
    return out


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
    return set(sorted(uniq, key=lambda g: _stable_fraction(g, seed))[:k])


@dataclass
class Sample:
    text: str
    label: int  # 1 math, 0 other
    source: str  # "bench:<set>", "latex:<stem>", "html-math:<stem>", "warc:<file>#<url>", "gen:<templates>"


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
) -> DefaultData:
    """Build the offline default data (see ``DefaultData`` and the module docstring).

    ``limit_per_source`` caps each benchmark train split (for fast runs); ``n_generated`` is the number of
    generated training negatives (default: enough to balance the positives)."""
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
                heldout += [Sample(p, label, src) for p in parts]
                if full.strip():
                    pages.append(Sample(full, label, src))
                key = "heldout"
                if group not in heldout_sources:
                    heldout_sources.append(group)
            elif label == 0 and _stable_fraction(f"pool:{group}", seed) < 0.5:
                seed_neg += [Sample(p, 0, src) for p in parts]
                key = "seed"
            else:
                pool += [Sample(p, label, src) for p in parts]
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
    return DefaultData(seed_pos, seed_neg, pool, heldout, pages, counts, heldout_sources)


def default_training_data(
    data_dir: str | Path,
    web_dir: str | Path | None = None,
    seed: int = 0,
    *,
    limit_per_source: int | None = None,
) -> tuple[list[str], list[str]]:
    """(positives, negatives): every held-in labeled text of the default data (benchmark train splits,
    held-in web/LaTeX passages, generated negatives). The held-out sources are not in it."""
    data = build_default_data(data_dir, web_dir, seed, limit_per_source=limit_per_source)
    return data.pos, data.neg


# ---------------------------------------------------------------------------------------------------------
# Iterative recall (DeepSeekMath)
# ---------------------------------------------------------------------------------------------------------


def iterative_recall(
    seed_pos: Sequence[str],
    seed_neg: Sequence[str],
    pool: Sequence[str],
    rounds: int = 3,
    top_fraction: float = 0.8,
    heldout: tuple[Sequence[str], Sequence[str]] | None = None,
    *,
    high_threshold: float = 0.9,
    low_threshold: float | None = None,
    neg_fraction: float = 0.25,
    threshold: float = 0.5,
    pool_labels: Sequence[int] | None = None,
    train_kwargs: dict[str, Any] | None = None,
) -> tuple[MathClassifier, list[dict[str, Any]]]:
    """Train on the seed, then ``rounds - 1`` times: score the whole ``pool`` with the current model,
    take the top-scoring texts with P(math) ≥ ``high_threshold`` (at most ``top_fraction`` of the pool)
    as positives and, when ``low_threshold`` is set, those with P(math) ≤ ``low_threshold`` (at most
    ``neg_fraction`` of the pool) as negatives, and retrain on seed + recalled. The recalled set is
    recomputed from the whole pool every round, so an early mistake can be undone.

    ``history`` has one dict per round: training sizes, the pool texts recalled into that round's
    training (``pool_pos``, ``pool_neg``), how many pool texts the round's model puts above the high
    threshold (``pool_above``), held-out precision/recall/F1 at ``threshold`` when ``heldout`` is given,
    and, when ``pool_labels`` are given (diagnostics only, never used for training), the precision of the
    recalled positives against them."""
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    kw = dict(train_kwargs or {})
    pool = list(pool)
    labels = np.asarray(pool_labels, dtype=np.int64) if pool_labels is not None else None
    if labels is not None and len(labels) != len(pool):
        raise ValueError(f"pool_labels has {len(labels)} entries for a pool of {len(pool)}")
    history: list[dict[str, Any]] = []
    rec_pos: list[int] = []
    rec_neg: list[int] = []
    model: MathClassifier | None = None
    for rnd in range(rounds):
        t0 = time.perf_counter()
        pos = list(seed_pos) + [pool[i] for i in rec_pos]
        neg = list(seed_neg) + [pool[i] for i in rec_neg]
        model = MathClassifier.train(pos, neg, **kw)
        entry: dict[str, Any] = {
            "round": rnd,
            "n_pos": len(pos),
            "n_neg": len(neg),
            "pool_pos": len(rec_pos),
            "pool_neg": len(rec_neg),
        }
        if labels is not None and rec_pos:
            entry["pool_pos_precision"] = round(float(labels[rec_pos].mean()), 4)
        if labels is not None and rec_neg:
            entry["pool_neg_precision"] = round(float(1 - labels[rec_neg].mean()), 4)
        if heldout is not None:
            m = model.evaluate(heldout[0], heldout[1], threshold)
            entry.update({k: m[k] for k in ("precision", "recall", "f1", "false_positive_rate", "n")})
        if pool:
            scores = model.score(pool)
            order = np.argsort(-scores, kind="stable")
            cap = int(top_fraction * len(pool))
            rec_pos = [int(i) for i in order[:cap] if scores[i] >= high_threshold]
            entry["pool_above"] = int((scores >= high_threshold).sum())
            if low_threshold is not None:
                cap_n = int(neg_fraction * len(pool))
                rec_neg = [int(i) for i in order[::-1][:cap_n] if scores[i] <= low_threshold]
            if labels is not None:
                entry["pool_recall"] = _metrics(scores[labels == 1], scores[labels == 0], high_threshold)
        entry["seconds"] = round(time.perf_counter() - t0, 2)
        history.append(entry)
    assert model is not None
    return model, history


# ---------------------------------------------------------------------------------------------------------
# CLI functions (wired into typer by the CLI module)
# ---------------------------------------------------------------------------------------------------------

FAST_PARAMS: dict[str, Any] = {
    "epoch": 5,
    "lr": 0.5,
    "dim": 16,
    "word_ngrams": 2,
    "minn": 0,
    "maxn": 0,
    "bucket": 100_000,
}
DEFAULT_PARAMS: dict[str, Any] = {
    "epoch": 10,
    "lr": 0.5,
    "dim": 32,
    "word_ngrams": 2,
    "minn": 0,
    "maxn": 0,
    "bucket": 200_000,
}


def _per_source(
    model: MathClassifier, samples: Sequence[Sample], threshold: float
) -> dict[str, dict[str, Any]]:
    """Per source: n, the share scored as math (recall for math sources, false-positive rate otherwise)."""
    by: dict[str, list[Sample]] = {}
    for s in samples:
        by.setdefault(s.source, []).append(s)
    out: dict[str, dict[str, Any]] = {}
    for src, items in sorted(by.items()):
        sc = model.score([s.text for s in items])
        out[src] = {
            "label": "math" if items[0].label == 1 else "other",
            "n": len(items),
            "scored_math": round(float((sc >= threshold).mean()), 4),
            "mean_score": round(float(sc.mean()), 4),
        }
    return out


def scoring_speed(model: MathClassifier, texts: Sequence[str], repeat: int = 1) -> dict[str, float]:
    """Texts and characters per second of ``model.score`` over ``texts`` (one thread)."""
    t0 = time.perf_counter()
    for _ in range(repeat):
        model.score(texts)
    dt = max(time.perf_counter() - t0, 1e-9)
    chars = sum(min(len(t), model.max_chars) for t in texts) * repeat
    return {"texts_per_s": round(len(texts) * repeat / dt, 1), "chars_per_s": round(chars / dt, 1)}


def train_classifier(
    out_path: str | Path,
    data_dir: str | Path,
    web_dir: str | Path | None = None,
    rounds: int = 3,
    seed: int = 0,
    *,
    threshold: float = 0.5,
    limit_per_source: int | None = None,
    top_fraction: float = 0.8,
    high_threshold: float = 0.9,
    low_threshold: float | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the default data, run iterative recall (seed = labeled held-in data, pool = held-in web
    passages without their labels), save the final model to ``out_path`` and a JSON report to
    ``<out_path>.report.json``; returns the report (data counts, per-round held-out P/R/F1, final
    held-out metrics overall, per source and per page, scoring speed)."""
    out_path = Path(out_path)
    t0 = time.perf_counter()
    data = build_default_data(data_dir, web_dir, seed, limit_per_source=limit_per_source)
    t_data = time.perf_counter() - t0
    train_kwargs = {**DEFAULT_PARAMS, **(params or {}), "seed": seed, "threads": 1}
    model, history = iterative_recall(
        [s.text for s in data.seed_pos],
        [s.text for s in data.seed_neg],
        [s.text for s in data.pool],
        rounds=rounds,
        top_fraction=top_fraction,
        heldout=(data.heldout_pos, data.heldout_neg),
        high_threshold=high_threshold,
        low_threshold=low_threshold,
        threshold=threshold,
        pool_labels=[s.label for s in data.pool],
        train_kwargs=train_kwargs,
    )
    model.save(out_path)
    final = model.evaluate(data.heldout_pos, data.heldout_neg, threshold)
    page_scores = model.score([s.text for s in data.heldout_pages]) if data.heldout_pages else np.zeros(0)
    page_labels = np.asarray([s.label for s in data.heldout_pages], dtype=np.int64)
    report: dict[str, Any] = {
        "model": out_path.name,
        "seed": seed,
        "rounds": rounds,
        "threshold": threshold,
        "params": {**train_kwargs, "max_chars": model.max_chars},
        "recall": {
            "top_fraction": top_fraction,
            "high_threshold": high_threshold,
            "low_threshold": low_threshold,
        },
        "data": {
            "counts": data.counts,
            "seed_pos": len(data.seed_pos),
            "seed_neg": len(data.seed_neg),
            "pool": len(data.pool),
            "heldout_pos": len(data.heldout_pos),
            "heldout_neg": len(data.heldout_neg),
            "heldout_sources": data.heldout_sources,
            "build_seconds": round(t_data, 2),
        },
        "history": history,
        "heldout": final,
        # the same without the generated (held-out template) negatives: real text only
        "heldout_real": model.evaluate(
            data.heldout_pos,
            [x.text for x in data.heldout if x.label == 0 and not x.source.startswith("gen:")],
            threshold,
        ),
        "heldout_by_source": _per_source(model, data.heldout, threshold),
        "heldout_pages": {
            **_metrics(page_scores[page_labels == 1], page_scores[page_labels == 0], threshold),
            "scores": {
                s.source: round(float(p), 4) for s, p in zip(data.heldout_pages, page_scores, strict=True)
            },
        },
        "speed": scoring_speed(model, [s.text for s in data.heldout]),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    out_path.with_name(out_path.name + ".report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return report


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
            with path.open("rb") as src:
                for lineno, raw in enumerate(src, 1):
                    if not raw.strip():
                        continue
                    try:
                        rec = json.loads(raw.decode("utf-8"))
                    except UnicodeDecodeError as exc:
                        error(f"{path}:{lineno}", f"not UTF-8 ({exc.reason} at byte {exc.start})")
                        continue
                    except json.JSONDecodeError as exc:
                        error(f"{path}:{lineno}", f"bad JSON ({exc.msg} at column {exc.colno})")
                        continue
                    if not isinstance(rec, dict):
                        error(f"{path}:{lineno}", f"not a JSON object (a {type(rec).__name__})")
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
