"""Benchmark decontamination: 13-gram overlap confirmed by an LCS ratio (Qwen2.5-Math's rule), and exact
match for benchmark items shorter than 13 tokens: containment for problem statements (from 3 tokens) and
for any text from 8 tokens up, a whole-text match for shorter solutions (a 3-token formula such as
"9-2=7" would otherwise flag ordinary arithmetic).

Text is normalised (NFKC, lower case, punctuation and spacing removed) and tokenised into words, with
each CJK character a token of its own, so re-spaced and re-punctuated copies still match. Every 13-gram
of every benchmark problem and solution is indexed by a 64-bit hash; a document's 13-grams are looked up,
and each benchmark item they point to is confirmed only if the longest common subsequence between the
item and the matching stretch of the document covers at least ``lcs_ratio`` of the item's tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

N = 13
_TOKEN_RE = re.compile(r"[\u3400-\u9fff]|[a-z0-9]+")


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower())


_P = 1_000_003  # rolling-hash base; arithmetic wraps modulo 2^64


def _window_hashes(ids, n: int):
    """uint64 polynomial hash of every length-n window of ``ids`` (numpy, vectorised)."""
    import numpy as np

    a = np.asarray(ids, dtype=np.uint64)
    m = len(a) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(m, dtype=np.uint64)
    p = np.uint64(_P)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * p + a[k : k + m]
    return h


@dataclass(frozen=True)
class Hit:
    benchmark: str
    item_id: str
    field: str  # "question" or "solution"
    ngram: str  # the first shared 13-gram (or the whole short item)
    lcs_ratio: float


@dataclass
class Decontaminator:
    """Why numpy: a document's tokens become vocabulary ids (tokens no benchmark uses break every
    window they are in), and all its 13-gram hashes are computed and looked up as arrays — the
    per-token work stays in C, which is what lets this scan corpora at tens of MB/s per core."""

    n: int = N
    lcs_ratio: float = 0.6
    index: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    vocab: dict[str, int] = field(default_factory=dict)
    short_index: dict[int, dict[int, list[int]]] = field(default_factory=dict)  # length → hash → items
    _sorted: dict[int, object] = field(default_factory=dict)  # length → sorted uint64 hashes (lazy)
    items: list[tuple[str, str, str, list[str]]] = field(default_factory=list)  # (bench, id, field, tokens)
    tiny: dict[str, list[int]] = field(default_factory=dict)  # items under min_contained tokens
    min_contained: int = 8  # shorter items ("9-2=7") match only a whole document, not a substring

    def add(self, benchmark: str, item_id: str, field_name: str, text: str) -> None:
        toks = tokens(text)
        if not toks:
            return
        k = len(self.items)
        self.items.append((benchmark, item_id, field_name, toks))
        ids = [self.vocab.setdefault(t, len(self.vocab) + 1) for t in toks]
        self._sorted = {}
        if len(toks) < self.n:
            # a short problem statement ("Simplify sqrt 242") is matched inside documents; a short
            # solution or formula ("9-2=7") only as a whole text, or it would flag ordinary arithmetic
            contained = len(toks) >= self.min_contained or (field_name == "question" and len(toks) >= 3)
            if contained:
                h = int(_window_hashes(ids, len(ids))[0])
                self.short_index.setdefault(len(ids), {}).setdefault(h, []).append(k)
            else:
                self.tiny.setdefault(" ".join(toks), []).append(k)
            return
        for h in _window_hashes(ids, self.n).tolist():
            self.index[h].add(k)

    @classmethod
    def from_benchmarks(
        cls, data_dir: str | None, names: Iterable[str] | None = None, **kw
    ) -> Decontaminator:
        """Index problems and solutions of every benchmark (all splits named ``test``) found in data_dir."""
        from mathforge.bench import BENCHMARKS, load_benchmark

        dec = cls(**kw)
        for name in names or BENCHMARKS:
            try:
                problems = load_benchmark(name, data_dir)
            except Exception:  # a set absent from this data directory is simply not indexed
                continue
            for p in problems:
                dec.add(name, p.id, "question", p.question)
                if p.solution:
                    dec.add(name, p.id, "solution", p.solution)
        return dec

    def _matches(self, ids, length: int, table: dict[int, list[int]] | dict[int, set[int]]):
        """(window position, item) for every window of ``length`` whose hash is in ``table``."""
        import numpy as np

        if len(ids) < length or not table:
            return
        arr = self._sorted.get(length)
        if arr is None:
            arr = self._sorted[length] = np.array(sorted(table), dtype=np.uint64)
        h = _window_hashes(ids, length)
        zero = np.concatenate(([0], np.cumsum(ids == 0)))
        ok = (zero[length:] - zero[:-length]) == 0  # a token no benchmark uses breaks the window
        pos = np.searchsorted(arr, h)
        pos[pos >= len(arr)] = 0
        for i in np.nonzero(ok & (arr[pos] == h))[0].tolist():
            for k in table.get(int(h[i]), ()):
                yield i, k

    def check(self, text: str) -> list[Hit]:
        """The benchmark items ``text`` contains (confirmed), at most one hit per item."""
        import numpy as np

        toks = tokens(text)
        hits: list[Hit] = []
        if not toks:
            return hits
        get = self.vocab.get
        ids = np.fromiter((get(t, 0) for t in toks), dtype=np.uint64, count=len(toks))
        candidates: dict[int, int] = {}  # item → position of its first shared n-gram in the document
        for i, k in self._matches(ids, self.n, self.index):
            candidates.setdefault(k, i)
        for k, pos in candidates.items():
            bench, item_id, fname, item = self.items[k]
            lo = max(0, pos - len(item))
            window = toks[lo : pos + 2 * len(item)]
            matched = sum(
                b.size for b in SequenceMatcher(None, item, window, autojunk=False).get_matching_blocks()
            )
            ratio = matched / len(item)
            if ratio >= self.lcs_ratio:
                hits.append(Hit(bench, item_id, fname, " ".join(toks[pos : pos + self.n]), round(ratio, 3)))
        seen = set()
        for length, table in self.short_index.items():
            for i, k in self._matches(ids, length, table):
                if k not in seen:
                    seen.add(k)
                    bench, item_id, fname, item = self.items[k]
                    hits.append(Hit(bench, item_id, fname, " ".join(toks[i : i + length]), 1.0))
        for k in self.tiny.get(" ".join(toks), ()):
            bench, item_id, fname, item = self.items[k]
            hits.append(Hit(bench, item_id, fname, " ".join(item), 1.0))
        return hits
