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

import hashlib
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


def _hash(gram: tuple[str, ...]) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(gram).encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class Hit:
    benchmark: str
    item_id: str
    field: str  # "question" or "solution"
    ngram: str  # the first shared 13-gram (or the whole short item)
    lcs_ratio: float


@dataclass
class Decontaminator:
    n: int = N
    lcs_ratio: float = 0.6
    index: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    items: list[tuple[str, str, str, list[str]]] = field(default_factory=list)  # (bench, id, field, tokens)
    short: dict[str, list[int]] = field(default_factory=dict)  # joined short item → item indices
    tiny: dict[str, list[int]] = field(default_factory=dict)  # items under min_contained tokens
    min_contained: int = 8  # shorter items ("9-2=7") match only a whole document, not a substring

    def add(self, benchmark: str, item_id: str, field_name: str, text: str) -> None:
        toks = tokens(text)
        if not toks:
            return
        k = len(self.items)
        self.items.append((benchmark, item_id, field_name, toks))
        if len(toks) < self.n:
            # a short problem statement ("Simplify sqrt 242") is matched inside documents; a short
            # solution or formula ("9-2=7") only as a whole text, or it would flag ordinary arithmetic
            contained = len(toks) >= self.min_contained or (field_name == "question" and len(toks) >= 3)
            table = self.short if contained else self.tiny
            table.setdefault(" ".join(toks), []).append(k)
            return
        for i in range(len(toks) - self.n + 1):
            self.index[_hash(tuple(toks[i : i + self.n]))].add(k)

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

    def check(self, text: str) -> list[Hit]:
        """The benchmark items ``text`` contains (confirmed), at most one hit per item."""
        toks = tokens(text)
        hits: list[Hit] = []
        candidates: dict[int, int] = {}  # item → position of its first shared n-gram in the document
        for i in range(len(toks) - self.n + 1):
            for k in self.index.get(_hash(tuple(toks[i : i + self.n])), ()):
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
        for k in self.tiny.get(" ".join(toks), ()):
            bench, item_id, fname, item = self.items[k]
            hits.append(Hit(bench, item_id, fname, " ".join(item), 1.0))
        if self.short:
            joined = " " + " ".join(toks) + " "
            for short, ks in self.short.items():
                if f" {short} " in joined:
                    for k in ks:
                        bench, item_id, fname, _ = self.items[k]
                        hits.append(Hit(bench, item_id, fname, short, 1.0))
        return hits
