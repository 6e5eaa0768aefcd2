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
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any

from mathforge.corpus.decontam_text import document_text, latex_to_plain

N = 13
# words, each CJK character, and each arithmetic operator: "7 + 8" and "7 - 8" are different problems
_TOKEN_RE = re.compile(r"[\u3400-\u9fff]|[a-z0-9]+|[-+=*/<>^]")
_OPERATORS = b"+-=*/<>^"
_OPERATOR_TOKENS = frozenset("+-=*/<>^")
_FORMULA_SIGNS = frozenset("+=*<>^")  # not - or /: prose writes "K-means", "is/are"
_MATH_MARKUP = re.compile(r"\$[^$\n]+\$|\\[A-Za-z]{2,}|\\[()\[\]]")  # $x$, \sin, \( … \)


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower())


_P = 1_000_003  # rolling-hash base; arithmetic wraps modulo 2^64
_TOKEN_BYTES = 16  # a token is hashed from its first 16 bytes (longer tokens that share them collide —
# harmless: every candidate is confirmed on the real tokens)
_SEP_LOWER = bytes(
    c if (97 <= c <= 122 or 48 <= c <= 57) else c + 32 if 65 <= c <= 90 else 32 for c in range(256)
)


@lru_cache(maxsize=1)
def _nfkc_sensitive():
    """Boolean table over code points below U+30000: could NFKC + lower() turn this character into (or
    merge it with) a token character? Compatibility forms (full-width digits, ligatures, superscripts,
    ℝ…), combining marks (they compose with the letter before them) and İ. A text without any is
    tokenised without normalising — most web text, whose non-ASCII is quotes, dashes and spaces."""
    import numpy as np

    tok = re.compile(r"[\u3400-\u9fff]|[a-z0-9]|[-+=*/<>^]")
    table = np.zeros(0x30000, dtype=bool)
    for cp in range(0x80, 0x30000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if unicodedata.combining(c):
            table[cp] = True
            continue
        n = unicodedata.normalize("NFKC", c)
        if (n != c and tok.search(n.lower())) or (c.lower() != c and tok.search(c.lower())):
            table[cp] = True
    return table


def _code_points(codes, leads):
    """Code points of the UTF-8 sequences starting at ``leads`` (vectorised decoding)."""
    import numpy as np

    n = codes.size
    b0 = codes[leads].astype(np.uint32)
    b1 = codes[np.minimum(leads + 1, n - 1)].astype(np.uint32) & 0x3F
    b2 = codes[np.minimum(leads + 2, n - 1)].astype(np.uint32) & 0x3F
    b3 = codes[np.minimum(leads + 3, n - 1)].astype(np.uint32) & 0x3F
    return np.where(
        b0 >= 0xF0,
        ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3,
        np.where(b0 >= 0xE0, ((b0 & 0x0F) << 12) | (b1 << 6) | b2, ((b0 & 0x1F) << 6) | b1),
    )


def _fmix(h):
    """splitmix64's finaliser: a bijection on uint64 in which every input bit flips about half the output."""
    import numpy as np

    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def _mix(w0, w1):
    import numpy as np

    with np.errstate(over="ignore"):
        return _fmix(_fmix(w0 + np.uint64(0x9E3779B97F4A7C15)) ^ w1)


def token_hashes(text: str):
    """uint64 hash of every token of ``text``: the same tokens as :func:`tokens` (same order, same
    count), computed without a Python object per token.

    Why by hand: per-token Python work (regex match objects, dict look-ups) held the scan to a few MB/s.
    A token's hash mixes its first 16 (lower-cased) UTF-8 bytes, read straight from the byte buffer
    (:func:`_token_hashes_bytes`). NFKC runs only on text holding a character it could change into a
    token character (compatibility forms, combining marks, İ).
    """
    return batch_token_hashes([text])[0]


def batch_token_hashes(texts: list[str]):
    """Token hashes of many texts at once: ``(hashes, doc_of_token)`` for the texts joined by newlines —
    one pass of numpy calls per batch instead of per document (the fixed cost per call dominates
    on web-sized documents)."""
    import numpy as np

    raws = [t.encode("utf-8", "surrogatepass") for t in texts]
    joined = b"\n".join(raws)
    bounds = np.cumsum([0] + [len(r) + 1 for r in raws])  # byte offset where each document starts
    cjk = None
    if not joined.isascii():
        codes = np.frombuffer(joined, dtype=np.uint8)
        leads = np.flatnonzero(codes >= 0xC0)
        cps = _code_points(codes, leads)
        sensitive = _nfkc_sensitive()
        bad = leads[(cps >= sensitive.size) | sensitive[np.minimum(cps, sensitive.size - 1)]]
        if bad.size:
            for d in np.unique(np.searchsorted(bounds, bad, side="right") - 1).tolist():
                text = unicodedata.normalize("NFKC", texts[d])
                raws[d] = (text.lower() if "\u0130" in text else text).encode("utf-8", "surrogatepass")
            joined = b"\n".join(raws)
            bounds = np.cumsum([0] + [len(r) + 1 for r in raws])
            codes = np.frombuffer(joined, dtype=np.uint8)
            leads = np.flatnonzero(codes >= 0xC0)
            cps = _code_points(codes, leads)
        cjk = leads[(cps >= 0x3400) & (cps <= 0x9FFF)]
    hashes, starts = _token_hashes_bytes(joined, cjk, with_starts=True)
    return hashes, np.searchsorted(bounds, starts, side="right") - 1


_MASKS = [(1 << (8 * k)) - 1 for k in range(9)]


def _op_table():
    import numpy as np

    table = np.zeros(256, dtype=bool)
    table[np.frombuffer(_OPERATORS, dtype=np.uint8)] = True
    return table


_OP_TABLE = _op_table()


def _token_hashes_bytes(raw: bytes, cjk=None, with_starts: bool = False):
    """Hash of each token of UTF-8 ``raw``: runs of [a-z0-9] after ``bytes.translate`` (separators →
    space, A–Z → a–z), and each CJK character (lead byte offsets in ``cjk``) alone. A token's first 16
    bytes are read with two unaligned 8-byte loads per token (a strided uint64 view of the bytes) and
    masked to its length — per-byte work is only a few vectorised comparisons."""
    import numpy as np

    padded = raw + b" " * 16
    tb = bytearray(padded.translate(_SEP_LOWER))
    t = np.frombuffer(tb, dtype=np.uint8)
    codes = np.frombuffer(padded, dtype=np.uint8)
    ops = np.flatnonzero(_OP_TABLE[codes])
    single = None
    if ops.size or (cjk is not None and cjk.size):
        # single-character tokens: operators (their own byte) and CJK characters (a marker byte)
        t[ops] = codes[ops]
        single = np.zeros(t.size, dtype=bool)
        single[ops] = True
        if cjk is not None and cjk.size:
            t[cjk] = 0xE4
            single[cjk] = True
    word = t != 32
    prev = np.zeros_like(word)
    prev[1:] = word[:-1]
    nxt = np.zeros_like(word)
    nxt[:-1] = word[1:]
    if single is not None:
        cut = single.copy()
        cut[1:] |= single[:-1]  # a single-character token ends the token before it …
        start = word & (~prev | cut)
        cut = single.copy()
        cut[:-1] |= single[1:]  # … and the one after it starts afresh
        end = word & (~nxt | cut)
    else:
        start = word & ~prev
        end = word & ~nxt
    starts = np.flatnonzero(start)
    if starts.size == 0:
        empty = np.zeros(0, dtype=np.uint64)
        return (empty, starts) if with_starts else empty
    length = np.flatnonzero(end) + 1 - starts
    view = np.ndarray((t.size - 7,), dtype="<u8", buffer=t, strides=(1,))
    masks = np.array(_MASKS, dtype=np.uint64)
    w0 = view[starts] & masks[np.minimum(length, 8)]
    w1 = view[starts + 8] & masks[np.clip(length - 8, 0, 8)]
    if cjk is not None and cjk.size:
        # a CJK token is its three UTF-8 bytes
        is_c = np.zeros(t.size, dtype=bool)
        is_c[cjk] = True
        tok = np.flatnonzero(is_c[starts])
        rawv = np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
        w0[tok] = rawv[starts[tok]] & np.uint64(0xFFFFFF)
    return (_mix(w0, w1), starts) if with_starts else _mix(w0, w1)


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


def _member(values, sorted_keys):
    """Boolean mask: which ``values`` occur in ``sorted_keys`` (binary search; np.isin sorts per call)."""
    import numpy as np

    if values.size == 0 or sorted_keys.size == 0:
        return np.zeros(values.size, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, values), sorted_keys.size - 1)
    return sorted_keys[pos] == values


_SHORT_PREFIX = 3
_BITS = 27  # pre-filter bitmap of 2^27 bits (16 MB): most windows are rejected by one gather


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
    _bitmap: object = field(default=None, repr=False)  # lazily built from the index and the short items
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
                full = int(_window_hashes(th, len(toks))[0])
                prefix = int(_window_hashes(th[:_SHORT_PREFIX], _SHORT_PREFIX)[0])
                self.short_index.setdefault(prefix, []).append((k, len(toks), full))
            else:
                self.tiny.setdefault(" ".join(toks), []).append(k)
                self._tiny_max = max(self._tiny_max, len(toks))
            return
        self._pending.append((_window_hashes(token_hashes(text), self.n), k))

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
        bitmap = np.zeros(1 << (_BITS - 3), dtype=np.uint8)
        short = np.fromiter(self.short_index.keys(), dtype=np.uint64, count=len(self.short_index))
        slot = (np.concatenate([self._keys, short]) >> np.uint64(64 - _BITS)).astype(np.int64)
        np.bitwise_or.at(bitmap, slot >> 3, (1 << (slot & 7)).astype(np.uint8))
        self._bitmap = bitmap
        return bitmap

    def _lookup(self, h):
        """(window position, item) for the windows whose hash is a 13-gram of an item (bitmap first)."""
        import numpy as np

        bitmap = self._bitmap if self._bitmap is not None and not self._pending else self._build()
        slot = (h >> np.uint64(64 - _BITS)).astype(np.int64)
        maybe = np.flatnonzero((bitmap[slot >> 3] >> (slot & 7).astype(np.uint8)) & 1)
        if maybe.size == 0 or self._keys.size == 0:
            return
        where = np.minimum(np.searchsorted(self._keys, h[maybe]), self._keys.size - 1)
        found = self._keys[where] == h[maybe]
        for i, w in zip(maybe[found].tolist(), where[found].tolist(), strict=True):
            for k in self._members[self._offsets[w] : self._offsets[w + 1]].tolist():
                yield i, k

    def _short_hits(self, th, h3) -> list[tuple[int, int, int]]:
        """(position, length, item) of short items: windows whose first 3 tokens match a short item's
        prefix are extended one token at a time (only at those positions) and compared in full."""
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
        bitmap = self._bitmap if self._bitmap is not None and not self._pending else self._build()
        slot = (h3 >> np.uint64(64 - _BITS)).astype(np.int64)
        maybe = np.flatnonzero((bitmap[slot >> 3] >> (slot & 7).astype(np.uint8)) & 1)
        pos = maybe[_member(h3[maybe], prefixes)]
        if pos.size == 0:
            return []
        size = th.size
        padded = np.concatenate([th, np.zeros(self.n, dtype=np.uint64)])
        p = np.uint64(_P)
        out: list[tuple[int, int, int]] = []
        h = h3[pos]
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

    def check_many(self, texts: list[str]) -> list[list[Hit]]:
        """:meth:`check` for a batch: tokens of all texts are hashed and windowed as one array (windows
        that straddle two documents are discarded), so the per-call cost is paid once per batch."""
        import numpy as np

        texts = [document_text(t) for t in texts]
        th, doc = batch_token_hashes(texts)
        counts = np.bincount(doc, minlength=len(texts)) if doc.size else np.zeros(len(texts), dtype=np.int64)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        candidates: dict[int, dict[int, int]] = {}  # doc → item → first shared n-gram position in the doc
        short: dict[int, list[tuple[int, int, int]]] = {}  # doc → (position, length, item)
        size = th.size
        if size >= _SHORT_PREFIX:
            # window hashes by doubling: h(2m) = h(m)·p^m + h(m) shifted by m — 6 array steps, not 13
            p = np.uint64(_P)
            with np.errstate(over="ignore"):
                h2 = th[:-1] * p + th[1:]
                h3 = h2[:-1] * p + th[2:]
                for i, length, k in self._short_hits(th, h3):
                    d = int(doc[i])
                    if doc[i + length - 1] == d:
                        short.setdefault(d, []).append((i - int(first[d]), length, k))
                if size >= self.n:
                    if self.n == 13:
                        h4 = h2[:-2] * (p * p) + h2[2:]
                        p4 = p * p * p * p
                        h8 = h4[:-4] * p4 + h4[4:]
                        h12 = h8[:-4] * p4 + h4[8:]
                        hn = h12[:-1] * p + th[12:]
                    else:
                        hn = _window_hashes(th, self.n)
                    for i, k in self._lookup(hn):
                        d = int(doc[i])
                        if doc[i + self.n - 1] == d:
                            candidates.setdefault(d, {}).setdefault(k, i - int(first[d]))
        out: list[list[Hit]] = []
        for d, text in enumerate(texts):
            if d in candidates or d in short or 0 < counts[d] <= self._tiny_max:
                out.append(self._confirm(tokens(text), candidates.get(d, {}), short.get(d, [])))
            else:
                out.append([])
        return out

    def _confirm(
        self, toks: list[str], candidates: dict[int, int], short: list[tuple[int, int, int]]
    ) -> list[Hit]:
        """Keep the candidates whose item really is in the document: LCS ratio for 13-gram matches,
        exact token equality for short items (hashes can collide), whole text for tiny items. One hit
        per item: its written and plain-text forms are the same item."""
        best: dict[int, Hit] = {}

        def keep(k: int, hit: Hit) -> None:
            o = self._origin[k]
            if o not in best or hit.lcs_ratio > best[o].lcs_ratio:
                best[o] = hit

        for k, pos in candidates.items():
            bench, item_id, fname, item = self.items[k]
            lo = max(0, pos - len(item))
            window = toks[lo : pos + 2 * len(item)]
            matched = sum(
                b.size for b in SequenceMatcher(None, item, window, autojunk=False).get_matching_blocks()
            )
            ratio = matched / len(item)
            if ratio >= self.lcs_ratio:
                keep(k, Hit(bench, item_id, fname, " ".join(toks[pos : pos + self.n]), round(ratio, 3)))
        for i, length, k in short:
            bench, item_id, fname, item = self.items[k]
            if toks[i : i + length] == item:
                keep(k, Hit(bench, item_id, fname, " ".join(item), 1.0))
        if toks and len(toks) <= self._tiny_max:
            for k in self.tiny.get(" ".join(toks), ()):
                bench, item_id, fname, item = self.items[k]
                keep(k, Hit(bench, item_id, fname, " ".join(item), 1.0))
        return list(best.values())
