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

import pickle
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathforge.corpus.decontam_hashing import (
    HASH_BASE,
    batch_token_hashes,
    compiled_hashes,
    numpy_hashes,
    token_hashes,
    tokens,
    window_hashes,
)
from mathforge.corpus.decontam_text import document_text, latex_to_plain

__all__ = ["Decontaminator", "Hit", "batch_token_hashes", "token_hashes", "tokens"]

N = 13
_OPERATOR_TOKENS = frozenset("+-=*/<>^")
_FORMULA_SIGNS = frozenset("+=*<>^")  # not - or /: prose writes "K-means", "is/are"
_MATH_MARKUP = re.compile(r"\$[^$\n]+\$|\\[A-Za-z]{2,}|\\[()\[\]]")  # $x$, \sin, \( … \)


def _lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence of two token lists (rapidfuzz's bit-parallel LCS in
    C++). difflib's matching blocks, used before, are greedy — not the LCS Qwen2.5-Math's rule names —
    and their pure-Python inner loop took a third of the scan time on real pages."""
    from rapidfuzz.distance import LCSseq

    return int(LCSseq.similarity(a, b))


@dataclass(frozen=True)
class Hit:
    benchmark: str
    item_id: str
    field: str  # "question" or "solution"
    ngram: str  # the first shared 13-gram (or the whole short item)
    lcs_ratio: float


def _member(values, sorted_keys):
    """Boolean mask: which ``values`` occur in ``sorted_keys`` (binary search; np.isin sorts per call)."""
    import numpy as np

    if values.size == 0 or sorted_keys.size == 0:
        return np.zeros(values.size, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, values), sorted_keys.size - 1)
    return sorted_keys[pos] == values


_SHORT_PREFIX = 3
# Pre-filters: most windows are rejected by one look-up in a blocked Bloom filter — three bits in one
# 64-bit word. 2^19 words (4 MB) for the 13-grams fit the L3 cache (a 16 MB plain bitmap did not, and
# its misses were most of the scan time); 2^10 words (8 KB) for the few hundred short-item prefixes.
_FILTER_LOG2 = 19
_SHORT_FILTER_LOG2 = 10


def _filter_bits(h):
    """The three bits of a hash's filter word: from its bits 0–5, 8–13 and 16–21."""
    import numpy as np

    one, mask = np.uint64(1), np.uint64(63)
    return (
        (one << (h & mask)) | (one << ((h >> np.uint64(8)) & mask)) | (one << ((h >> np.uint64(16)) & mask))
    )


def _filter_build(keys, log2: int):
    """Blocked Bloom filter of uint64 ``keys``: word from the top ``log2`` bits, three bits from the low ones."""
    import numpy as np

    words = np.zeros(1 << log2, dtype=np.uint64)
    bits = _filter_bits(keys)
    np.bitwise_or.at(words, (keys >> np.uint64(64 - log2)).astype(np.int64), bits)
    return words


def _filter_passed(words, log2: int, h):
    """Positions of the hashes ``h`` the filter does not rule out (numpy; the kernel inlines this)."""
    import numpy as np

    need = _filter_bits(h)
    return np.flatnonzero((words[(h >> np.uint64(64 - log2)).astype(np.int64)] & need) == need)


def _unique_pairs(a, b):
    """Distinct (a, b) rows sorted by a then b — np.unique(axis=0) does the same, several times slower."""
    import numpy as np

    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    new = np.ones(a.size, dtype=bool)
    new[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return np.stack([a[new], b[new]], axis=1)


INDEX_FORMAT = 3  # bump when what is indexed changes: cached indexes of other formats are not used


def _cache_path(
    cache_dir: str | Path | None, root, names: list[str], settings: dict[str, Any]
) -> Path | None:
    """Where the index of these benchmark files with these settings is cached (None: caching off)."""
    if cache_dir is None:
        return None
    from mathforge.bench import benchmark_file
    from mathforge.stage_io import cache_root, config_hash, file_identity

    base = cache_root() / "decontam" if cache_dir == "default" else Path(cache_dir)
    ident = [(n, file_identity(benchmark_file(n, root))["sha256"]) for n in names]
    return base / f"index-{config_hash([INDEX_FORMAT, ident, sorted(settings.items())])}.pkl"


@dataclass
class Decontaminator:
    """Why numpy: a document's tokens are hashed (:func:`token_hashes`), all its 13-gram hashes (and
    the window hashes of every shorter item length) are computed as arrays, rejected in bulk by a
    bitmap, and only survivors are looked up — per-token work stays in C, which is what lets this scan
    corpora at tens of MB/s per core. Candidate items are then confirmed on real tokens (LCS ratio).

    What counts (both sides go through :func:`~mathforge.corpus.decontam_text.decontam_text` first —
    GSM8K ``<<…>>`` notes and ``[asy]`` code removed, LaTeX written as plain text):

    - items of 13 tokens or more: a shared 13-gram confirmed by the LCS ratio; 13-grams found in more
      than ``max_ngram_items`` benchmark items (drawing code, "we can write this as", option
      boilerplate) are not evidence and are not indexed;
    - shorter items are found inside documents only when they are distinctive — a number or an operator
      among at least 3 words (questions) or ``min_contained`` words (solutions). A multiple-choice
      question too short and too generic for that counts only together with its options (its text
      followed by "A. …", "B. …"). Other short items ("Which of the following is true?" without
      options) match only a document that is exactly that text.
    """

    n: int = N
    lcs_ratio: float = 0.6
    max_ngram_items: int = 10
    min_contained: int = 8  # shorter solutions ("9-2=7") match only a whole document, not a substring
    items: list[tuple[str, str, str, list[str]]] = field(
        default_factory=list, repr=False
    )  # (bench, id, field, tokens)
    # short items are found by the hash of their first 3 tokens, then checked in full
    short_index: dict[int, list[tuple[int, int, int]]] = field(
        default_factory=dict, repr=False
    )  # → (item, len, hash)
    tiny: dict[str, list[int]] = field(
        default_factory=dict, repr=False
    )  # items matched only as a whole document
    boilerplate_ngrams: int = 0  # 13-grams left out of the index: in more than max_ngram_items items
    _origin: list[int] = field(
        default_factory=list, repr=False
    )  # item → its first form (plain-text forms share it)
    _pending: list = field(
        default_factory=list, repr=False
    )  # (13-gram hashes, item) until the index is built
    _keys: object = field(default=None, repr=False)  # sorted unique 13-gram hashes …
    _offsets: object = field(
        default=None, repr=False
    )  # … _members[_offsets[i]:_offsets[i + 1]] are the items of _keys[i]
    _members: object = field(default=None, repr=False)
    _bitmap: object = field(default=None, repr=False)  # (13-gram filter, short-prefix filter), built lazily
    _short_tables: object = field(default=None, repr=False)
    _tiny_max: int = field(
        default=0, repr=False
    )  # longest tiny item, in tokens: longer documents cannot equal one

    def add(
        self, benchmark: str, item_id: str, field_name: str, text: str, options: tuple[str, ...] = ()
    ) -> None:
        """Index one benchmark text, as written and (when it holds LaTeX) as plain text, so a document
        in either form matches without being rewritten itself; ``options`` (a multiple-choice question's
        choices) are appended to a short question whose stem alone is too generic to count."""
        text = document_text(text)
        markup = bool(_MATH_MARKUP.search(text))
        if options and field_name == "question":
            toks = tokens(text)
            if 0 < len(toks) < self.n and not self._distinctive(toks, field_name, markup):
                letters = "ABCDEFGHIJ"
                text += "\n" + "\n".join(
                    f"{letters[i % 10]}. {document_text(o)}" for i, o in enumerate(options)
                )
        origin = len(self.items)
        forms = [text]
        if "\\" in text:
            plain = latex_to_plain(text)
            if tokens(plain) != tokens(text):
                forms.append(plain)
        for form in forms:
            self._add_form(benchmark, item_id, field_name, form, origin, markup)

    def _add_form(
        self, benchmark: str, item_id: str, field_name: str, text: str, origin: int, markup: bool
    ) -> None:
        toks = tokens(text)
        if not toks:
            return
        k = len(self.items)
        self.items.append((benchmark, item_id, field_name, toks))
        self._origin.append(origin)
        self._bitmap = self._short_tables = None
        if len(toks) < self.n:
            if self._distinctive(toks, field_name, markup):
                th = token_hashes(text)
                full = int(window_hashes(th, len(toks))[0])
                prefix = int(window_hashes(th[:_SHORT_PREFIX], _SHORT_PREFIX)[0])
                self.short_index.setdefault(prefix, []).append((k, len(toks), full))
            else:
                self.tiny.setdefault(" ".join(toks), []).append(k)
                self._tiny_max = max(self._tiny_max, len(toks))
            return
        self._pending.append((window_hashes(token_hashes(text), self.n), k))

    def _distinctive(self, toks: list[str], field_name: str, markup: bool = False) -> bool:
        """May this short item be matched inside a longer document? Only with a number or a formula
        (math markup — ``$…$`` or a LaTeX command — or a sign such as + = < ^ next to a one-letter
        variable: "x + y", not "is/are", "K-means" or "p-n")
        among enough words: generic sentences ("The Pauli exclusion principle states that") occur in
        ordinary text, and operators alone do not make "4 + 3 =" distinctive."""
        words = sum(t not in _OPERATOR_TOKENS for t in toks)
        if not (words >= self.min_contained or (field_name == "question" and words >= 3)):
            return False
        if markup or any(c.isdigit() for t in toks for c in t):
            return True
        return any(
            t in _FORMULA_SIGNS
            and any(len(x) == 1 and x not in _OPERATOR_TOKENS for x in toks[max(0, i - 1) : i + 2])
            for i, t in enumerate(toks)
        )

    @classmethod
    def from_benchmarks(
        cls,
        data_dir: str | None,
        names: Iterable[str] | None = None,
        cache_dir: str | Path | None = "default",
        **kw,
    ) -> Decontaminator:
        """Index problems and solutions of every benchmark (split ``test``) found in data_dir; sets absent
        there are not indexed. The built index is cached on disk (``cache_dir``; "default":
        ``$MATHFORGE_CACHE_DIR`` or ``~/.cache/mathforge``, None: no cache) under a key made of the
        benchmark files' content hashes, the settings and the index format, so every later run — and
        every worker process — loads it instead of rebuilding it."""
        from mathforge.bench import BENCHMARKS, benchmark_file, load_benchmark
        from mathforge.bench.api import resolve_data_dir
        from mathforge.bench.errors import BenchmarkDataError

        names = list(names or BENCHMARKS)
        try:
            root = resolve_data_dir(data_dir)
        except BenchmarkDataError:
            root = None
        present = [n for n in names if root is not None and benchmark_file(n, root).is_file()]
        cache = _cache_path(cache_dir, root, present, kw) if present else None
        if cache is not None and cache.is_file():
            try:
                with cache.open("rb") as fh:
                    return pickle.load(fh)
            except Exception:  # a damaged or foreign cache file is rebuilt, never trusted
                cache.unlink(missing_ok=True)
        dec = cls(**kw)
        for name in present:
            for p in load_benchmark(name, root):
                dec.add(name, p.id, "question", p.question, p.options)
                if p.solution:
                    dec.add(name, p.id, "solution", p.solution)
        dec._build()
        if cache is not None:
            from mathforge.stage_io import write_bytes_atomic

            write_bytes_atomic(cache, pickle.dumps(dec, protocol=pickle.HIGHEST_PROTOCOL))
        return dec

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_bitmap"] = state["_short_tables"] = None  # rebuilt on load: cheaper than storing 16 MB
        if state["_pending"]:
            raise RuntimeError("build the index (Decontaminator._build) before pickling it")
        return state

    def _build(self):
        """Freeze the 13-gram index into sorted arrays (leaving out boilerplate n-grams) and build the
        bitmap pre-filter."""
        import numpy as np

        if self._keys is None or self._pending:
            old = []
            if self._keys is not None and len(self._keys):
                counts = np.diff(self._offsets)
                old = [(np.repeat(self._keys, counts), self._members)]
            hs = [h for h, _ in self._pending] + [h for h, _ in old]
            ks = [np.full(h.size, k, dtype=np.int64) for h, k in self._pending] + [m for _, m in old]
            self._pending = []
            h = np.concatenate(hs) if hs else np.zeros(0, dtype=np.uint64)
            k = np.concatenate(ks) if ks else np.zeros(0, dtype=np.int64)
            pairs = _unique_pairs(h, k.astype(np.uint64)) if h.size else None
            if pairs is None:
                self._keys = np.zeros(0, dtype=np.uint64)
                self._offsets = np.zeros(1, dtype=np.int64)
                self._members = np.zeros(0, dtype=np.int64)
            else:
                keys, counts = np.unique(pairs[:, 0], return_counts=True)
                # an item's plain-text form shares most of its 13-grams: count each item once
                origin = np.asarray(self._origin, dtype=np.uint64)[pairs[:, 1].astype(np.int64)]
                by_item = _unique_pairs(pairs[:, 0], origin)
                _, items_per_key = np.unique(by_item[:, 0], return_counts=True)
                keep = items_per_key <= self.max_ngram_items
                self.boilerplate_ngrams = int((~keep).sum())
                rows = np.repeat(keep, counts)
                self._keys = keys[keep]
                self._members = pairs[rows, 1].astype(np.int64)
                self._offsets = np.concatenate([[0], np.cumsum(counts[keep])]).astype(np.int64)
        short = np.fromiter(self.short_index.keys(), dtype=np.uint64, count=len(self.short_index))
        self._bitmap = (
            _filter_build(self._keys, _FILTER_LOG2),
            _filter_build(short, _SHORT_FILTER_LOG2),
        )
        return self._bitmap

    def _lookup(self, pos, h):
        """(window position, item) for the windows at ``pos`` (hashes ``h``, passed by the bitmap)
        whose hash is a 13-gram of an item."""
        import numpy as np

        if pos.size == 0 or self._keys.size == 0:
            return
        where = np.minimum(np.searchsorted(self._keys, h), self._keys.size - 1)
        found = self._keys[where] == h
        for i, w in zip(pos[found].tolist(), where[found].tolist(), strict=True):
            for k in self._members[self._offsets[w] : self._offsets[w + 1]].tolist():
                yield i, k

    def _window_maybes(self, th, doc, fast):
        """Start positions and hashes of the 3-token windows (prefixes of short items) and of the
        13-token windows inside one document that the bitmap does not rule out."""
        import numpy as np

        long_f, short_f = self._bitmap if self._bitmap is not None and not self._pending else self._build()
        if fast is not None:
            return fast.window_maybes(
                th, doc, self.n, _SHORT_PREFIX, long_f, _FILTER_LOG2, short_f, _SHORT_FILTER_LOG2
            )

        empty = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
        if th.size < _SHORT_PREFIX:
            return *empty, *empty
        # window hashes by doubling: h(2m) = h(m)·p^m + h(m) shifted by m — 6 array steps, not 13
        p = np.uint64(HASH_BASE)
        with np.errstate(over="ignore"):
            h2 = th[:-1] * p + th[1:]
            h3 = h2[:-1] * p + th[2:]
            pos3 = _filter_passed(short_f, _SHORT_FILTER_LOG2, h3)
            if th.size < self.n:
                return pos3, h3[pos3], *empty
            if self.n == 13:
                h4 = h2[:-2] * (p * p) + h2[2:]
                p4 = p * p * p * p
                h8 = h4[:-4] * p4 + h4[4:]
                h12 = h8[:-4] * p4 + h4[8:]
                hn = h12[:-1] * p + th[12:]
            else:
                hn = window_hashes(th, self.n)
        posn = _filter_passed(long_f, _FILTER_LOG2, hn)
        posn = posn[doc[posn] == doc[posn + self.n - 1]]
        return pos3, h3[pos3], posn, hn[posn]

    def _short_hits(self, th, maybe, h3) -> list[tuple[int, int, int]]:
        """(position, length, item) of short items: windows at ``maybe`` (3-token hashes ``h3``) whose
        first 3 tokens match a short item's prefix are extended one token at a time (only at those
        positions) and compared in full."""
        import numpy as np

        if not self.short_index:
            return []
        if self._short_tables is None:
            by_len: dict[int, dict[int, list[int]]] = {}
            for entries in self.short_index.values():
                for k, length, full in entries:
                    by_len.setdefault(length, {}).setdefault(full, []).append(k)
            prefixes = np.array(sorted(self.short_index), dtype=np.uint64)
            self._short_tables = (
                prefixes,
                by_len,
                {n: np.array(sorted(t), dtype=np.uint64) for n, t in by_len.items()},
            )
        prefixes, by_len, sorted_full = self._short_tables
        keep = _member(h3, prefixes)
        pos, h = maybe[keep], h3[keep]
        if pos.size == 0:
            return []
        size = th.size
        padded = np.concatenate([th, np.zeros(self.n, dtype=np.uint64)])
        p = np.uint64(HASH_BASE)
        out: list[tuple[int, int, int]] = []
        with np.errstate(over="ignore"):
            for length in range(_SHORT_PREFIX, max(by_len) + 1):
                if length > _SHORT_PREFIX:
                    h = h * p + padded[pos + length - 1]
                if length in by_len:
                    for j in np.flatnonzero(_member(h, sorted_full[length])).tolist():
                        i = int(pos[j])
                        if i + length <= size:
                            out += [(i, length, k) for k in by_len[length][int(h[j])]]
        return out

    def check(self, text: str) -> list[Hit]:
        """The benchmark items ``text`` contains (confirmed), at most one hit per item."""
        return self.check_many([text])[0]

    def check_many(self, texts: list[str], compiled: bool = True) -> list[list[Hit]]:
        """:meth:`check` for a batch: tokens of all texts are hashed and windowed as one array (windows
        that straddle two documents are discarded), so the per-call cost is paid once per batch."""
        import numpy as np

        from mathforge.corpus.decontam_kernels import kernels

        fast = kernels() if compiled else None
        batch = None
        if fast is not None:
            batch = compiled_hashes(fast, texts, prepare=True)
            th, doc, texts = batch.hashes, batch.docs, batch.texts
        else:
            texts = [document_text(t) for t in texts]
            th, doc = numpy_hashes(texts)
        counts = np.bincount(doc, minlength=len(texts)) if doc.size else np.zeros(len(texts), dtype=np.int64)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        candidates: dict[int, dict[int, int]] = {}  # doc → item → first shared n-gram position in the doc
        short: dict[int, list[tuple[int, int, int]]] = {}  # doc → (position, length, item)
        pos3, h3, posn, hn = self._window_maybes(th, doc, fast)
        for i, length, k in self._short_hits(th, pos3, h3):
            d = int(doc[i])
            if doc[i + length - 1] == d:
                short.setdefault(d, []).append((i - int(first[d]), length, k))
        for i, k in self._lookup(posn, hn):
            candidates.setdefault(int(doc[i]), {}).setdefault(k, i - int(first[int(doc[i])]))
        out: list[list[Hit]] = []
        for d, text in enumerate(texts):
            size = int(counts[d])
            if d in candidates or d in short or 0 < size <= self._tiny_max:
                if batch is not None:
                    span = batch.span(d, int(first[d]), size)
                else:
                    toks = tokens(text)

                    def span(a: int, b: int, toks=toks) -> list[str]:
                        return toks[a:b]

                out.append(self._confirm(span, size, candidates.get(d, {}), short.get(d, [])))
            else:
                out.append([])
        return out

    def _confirm(
        self,
        span: Callable[[int, int], list[str]],
        size: int,
        candidates: dict[int, int],
        short: list[tuple[int, int, int]],
    ) -> list[Hit]:
        """Keep the candidates whose item really is in the document (``size`` tokens, ``span(a, b)``
        gives tokens a:b): LCS ratio for 13-gram matches, exact token equality for short items (hashes
        can collide), whole text for tiny items. One hit per item: its written and plain-text forms are
        the same item."""
        best: dict[int, Hit] = {}

        def keep(k: int, hit: Hit) -> None:
            o = self._origin[k]
            if o not in best or hit.lcs_ratio > best[o].lcs_ratio:
                best[o] = hit

        for k, pos in candidates.items():
            bench, item_id, fname, item = self.items[k]
            lo = max(0, pos - len(item))
            window = span(lo, pos + 2 * len(item))
            ratio = _lcs_length(item, window) / len(item)
            if ratio >= self.lcs_ratio:
                ngram = " ".join(window[pos - lo : pos - lo + self.n])
                keep(k, Hit(bench, item_id, fname, ngram, round(ratio, 3)))
        for i, length, k in short:
            bench, item_id, fname, item = self.items[k]
            if span(i, i + length) == item:
                keep(k, Hit(bench, item_id, fname, " ".join(item), 1.0))
        if 0 < size <= self._tiny_max:
            for k in self.tiny.get(" ".join(span(0, size)), ()):
                bench, item_id, fname, item = self.items[k]
                keep(k, Hit(bench, item_id, fname, " ".join(item), 1.0))
        return list(best.values())
