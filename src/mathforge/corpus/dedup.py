"""Exact and near-duplicate removal: a 64-bit key of the normalised text, and MinHash + LSH over word
n-gram shingles, clustered by union-find.

Normalisation (both steps): NFKC, lower case, every run of whitespace collapsed to one space;
punctuation is kept. Tokens of the normalised text: runs of letters and digits (any script but the
ones below) are words; every other symbol (ASCII punctuation, ``$ \\ { } ^ =``, math operators,
arrows, Latin-1 signs such as ``× ± °``) and every CJK/kana/Hangul character is a token of its own,
so ``x+1`` and ``x + 1`` give the same tokens and Chinese text gets character n-grams. Shingles are
the token n-grams (``ngram=5``); a text with fewer tokens than that is one shingle, the whole text.

Sharded use. A batch step computes compact keys per document — :func:`exact_key` (one uint64),
:meth:`MinHasher.signatures` (``num_perm`` uint32) and :meth:`LSH.band_keys` (``bands`` uint64) — and
one global pass over the keys of the whole corpus decides what goes: :func:`exact_duplicates` and
:func:`near_duplicate_clusters`, both keeping the first document of each group in the order given.
:func:`dedup_docs` does all of it over one list of documents (small runs and tests).

Why not ``datasketch``: its ``MinHash.update`` hashes one shingle per Python call and then runs a
``num_perm``-wide numpy operation for that one shingle (``update_batch`` still hashes each shingle in a
Python loop, then runs one small numpy operation per document), and ``MinHashLSH`` inserts and queries
one document at a time through Python dicts. Here the tokens, token hashes, shingle hashes, the
``num_perm`` permutations and the per-document minima of a whole batch are a handful of array
operations, and the LSH buckets are sorted arrays: ``benchmarks/dedup_speed.py`` measures the difference
on the same input at equal recall (on 8,000 MATH problem+solution documents, one core: about 15x
datasketch's ``update_batch`` and 60x its ``update``, recall 99% for both).

A text with no tokens (empty or only spaces) gets no band keys, so it is never a near duplicate; the
exact step does treat all such texts as one text (the first one stays).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xxhash

from mathforge.corpus.document import Document

STEP = "dedup"
EMPTY = np.uint32(0xFFFFFFFF)  # the signature value of a document with no tokens (and the max of uint32)


def normalise(text: str) -> str:
    """NFKC, lower case, whitespace runs collapsed to one space, stripped; punctuation kept."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def exact_key(text: str) -> int:
    """64-bit xxh3 hash of the normalised text (an unsigned int below 2**64)."""
    return xxhash.xxh3_64_intdigest(normalise(text).encode("utf-8", "surrogatepass"))


def exact_duplicates(ids: Sequence[str], keys: Sequence[int] | np.ndarray) -> dict[str, str]:
    """Removed id -> the id it duplicates (the first one with the same key, in the order given)."""
    first: dict[int, str] = {}
    out: dict[str, str] = {}
    for i, k in zip(ids, np.asarray(keys, dtype=np.uint64).tolist(), strict=True):
        kept = first.setdefault(k, i)
        if kept != i:
            out[i] = kept
    return out


# --- tokens --------------------------------------------------------------------------------------------

# Code points that are tokens of their own (besides ASCII punctuation and controls): Latin-1
# punctuation and signs, general punctuation through CJK (U+2000–U+9FFF: arrows, math operators,
# technical symbols, kana, CJK), Hangul syllables, CJK compatibility, CJK compatibility forms, CJK
# extension planes.
_SINGLE_RANGES = (
    (0x80, 0xC0),
    (0xD7, 0xD8),
    (0xF7, 0xF8),
    (0x2000, 0xA000),
    (0xAC00, 0xD7B0),
    (0xF900, 0xFB00),
    (0xFE30, 0xFE50),
    (0x20000, 0x2FA20),
)
_ASCII_CLASS = np.full(128, 2, dtype=np.uint8)  # 0 space, 1 word character, 2 token of its own
_ASCII_CLASS[ord(" ")] = 0
for _c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _ASCII_CLASS[ord(_c)] = 1


def _class_of(cp: np.ndarray) -> np.ndarray:
    if cp.dtype == np.uint8:  # ASCII text
        return _ASCII_CLASS[cp]
    cls = np.where(cp < 128, _ASCII_CLASS[np.minimum(cp, 127)], np.uint8(1)).astype(np.uint8)
    single = np.zeros(len(cp), dtype=bool)
    for lo, hi in _SINGLE_RANGES:
        single |= (cp >= lo) & (cp < hi)
    cls[single] = 2
    return cls


def _single_class() -> str:
    parts = ["\\x00-\\x1f\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7f"]
    parts += [f"\\U{lo:08x}-\\U{hi - 1:08x}" for lo, hi in _SINGLE_RANGES]
    return "".join(parts)


@lru_cache(maxsize=1)
def _token_re():
    import re

    single = _single_class()
    return re.compile(f"[{single}]|[^ {single}]+")


def tokens(text: str) -> list[str]:
    """The tokens of the normalised text, as the vectorised path cuts them (reference implementation)."""
    return _token_re().findall(normalise(text))


def shingles(text: str, n: int = 5) -> set[str]:
    """The set of token n-grams (joined by spaces) of a text; the whole text if it has fewer tokens.

    Reference implementation (pure Python): what :class:`MinHasher` hashes, used by tests and by the
    datasketch baseline of the benchmark.
    """
    t = tokens(text)
    if not t:
        return set()
    if len(t) < n:
        return {" ".join(t)}
    return {" ".join(t[i : i + n]) for i in range(len(t) - n + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


# --- hashing helpers -------------------------------------------------------------------------------------

_P = 0x100000001B3  # FNV prime: base of the code-point polynomial (odd, so invertible mod 2^64)
_Q = 0x9E3779B97F4A7C15  # golden-ratio constant: base of the token polynomial (odd)
_C1, _C2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser (a bijection on uint64), element-wise; wraps mod 2^64 as intended."""
    x = x ^ (x >> np.uint64(30))
    x = x * _C1
    x ^= x >> np.uint64(27)
    x *= _C2
    x ^= x >> np.uint64(31)
    return x


_PASS_CHARS = 1 << 22  # code points per vectorised pass (a longer single text is one pass of its own)
_POW_CACHE: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _powers(base: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """base**i and base**-i mod 2^64 for i < n (cached up to twice a pass, grown by doubling)."""
    have = _POW_CACHE.get(base)
    if have is None or len(have[0]) < n:
        size = max(n, min(2 * len(have[0]) if have else 1 << 16, 2 * _PASS_CHARS))
        inv = pow(base, -1, 1 << 64)
        fw = np.full(size, base, dtype=np.uint64)
        bw = np.full(size, inv, dtype=np.uint64)
        fw[0] = bw[0] = 1
        have = (np.cumprod(fw), np.cumprod(bw))  # uint64 products wrap mod 2^64
        if size <= 2 * _PASS_CHARS:
            _POW_CACHE[base] = have
    return have[0][:n], have[1][:n]


def _range_hashes(values: np.ndarray, base: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Polynomial hash sum(values[k] * base**(k-s) for s <= k < e) of every range [s, e), mod 2^64,
    from one prefix sum: (H[e] - H[s]) * base**-s. Depends only on the range's content."""
    fw, bw = _powers(base, len(values) + 1)
    prefix = np.zeros(len(values) + 1, dtype=np.uint64)
    np.cumsum(values * fw[: len(values)], out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * bw[starts]


def _seeded(seed: int, label: str, n: int) -> np.ndarray:
    """n uint64 values fixed by (seed, label): xxh64, so every process and numpy version agrees."""
    return np.array(
        [xxhash.xxh64_intdigest(f"{label}:{i}".encode(), seed=seed) for i in range(n)], dtype=np.uint64
    )


# --- MinHash -------------------------------------------------------------------------------------------


class MinHasher:
    """MinHash signatures of many texts at once, vectorised in numpy.

    A batch of normalised texts becomes one array of code points (one byte each when the batch is
    ASCII). Token boundaries come from a character-class table; each token's hash is a polynomial
    hash of its code points read off one prefix sum, then mixed (splitmix64); each shingle's hash is a
    polynomial hash of its n token hashes, read off a second prefix sum, mixed and cut to 32 bits.
    The ``num_perm`` permutations are ``(a * h + b) mod 2^32`` with ``a`` odd — a bijection of the
    32-bit hashes, the same construction as datasketch's default ``affine32`` scheme, with the
    reduction done by the integer wrap-around instead of a division — applied to a block of shingles
    as one broadcast ``(num_perm, shingles)`` product and sum, reduced to per-document minima with
    ``np.minimum.reduceat``. A document without tokens gets the signature ``EMPTY`` in every slot.

    Signatures are deterministic functions of the text, ``num_perm``, ``ngram`` and ``seed`` (the
    permutation constants come from xxh64, not from a random generator), so shards computed in
    different processes can be compared.
    """

    def __init__(self, num_perm: int = 128, ngram: int = 5, seed: int = 1, block: int = 8192) -> None:
        if num_perm < 1 or ngram < 1:
            raise ValueError("num_perm and ngram must be positive")
        self.num_perm, self.ngram, self.seed, self.block = num_perm, ngram, seed, block
        # one column per permutation: the (num_perm, shingles) layout makes the per-document
        # minimum a reduction along contiguous rows, several times faster than along columns
        self.a = (_seeded(seed, "a", num_perm) | np.uint64(1)).astype(np.uint32)[:, None]  # odd
        self.b = _seeded(seed, "b", num_perm).astype(np.uint32)[:, None]

    def shingle_hashes(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(uint32 hash of every shingle of every text, in order; number of shingles per text)."""
        norm = [normalise(t) for t in texts]
        n = len(norm)
        if n == 0:
            return np.zeros(0, np.uint32), np.zeros(0, np.int64)
        joined = " ".join(norm)  # a space between texts: no token crosses a boundary
        if joined.isascii():
            cp = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        else:
            cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lens = np.fromiter(map(len, norm), dtype=np.int64, count=n)
        char_start = np.zeros(n, dtype=np.int64)
        np.cumsum(lens[:-1] + 1, out=char_start[1:])

        cls = _class_of(cp)
        word = cls == 1
        single = cls == 2
        prev_word = np.zeros_like(word)
        prev_word[1:] = word[:-1]
        next_word = np.zeros_like(word)
        next_word[:-1] = word[1:]
        t_start = np.flatnonzero(single | (word & ~prev_word))
        t_end = np.flatnonzero(single | (word & ~next_word)) + 1
        tok = _mix64(_range_hashes(cp.astype(np.uint64) + np.uint64(1), _P, t_start, t_end))

        t_doc = np.searchsorted(char_start, t_start, side="right") - 1
        n_tok = np.bincount(t_doc, minlength=n)
        t_off = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(n_tok, out=t_off[1:])
        g = self.ngram
        counts = np.where(n_tok >= g, n_tok - g + 1, np.minimum(n_tok, 1))
        total = int(counts.sum())
        s_off = np.zeros(n, dtype=np.int64)
        np.cumsum(counts[:-1], out=s_off[1:])
        s_start = np.arange(total, dtype=np.int64) + np.repeat(t_off[:-1] - s_off, counts)
        s_end = np.minimum(s_start + g, np.repeat(t_off[1:], counts))
        sh = _mix64(_range_hashes(tok, _Q, s_start, s_end))
        return (sh >> np.uint64(32)).astype(np.uint32), counts

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        """uint32 array (len(texts), num_perm): the per-permutation minimum over each text's shingles."""
        n = len(texts)
        sig = np.full((n, self.num_perm), EMPTY, dtype=np.uint32)
        lo = 0
        while lo < n:  # passes of about _PASS_CHARS code points bound the working arrays
            hi, size = lo + 1, len(texts[lo])
            while hi < n and size + len(texts[hi]) <= _PASS_CHARS:
                size += len(texts[hi])
                hi += 1
            sh, counts = self.shingle_hashes(texts[lo:hi])
            self._minima(sh, counts, sig[lo:hi])
            lo = hi
        return sig

    def _minima(self, sh: np.ndarray, counts: np.ndarray, out: np.ndarray) -> None:
        docs = np.flatnonzero(counts)
        if len(docs) == 0:
            return
        starts = np.zeros(len(docs), dtype=np.int64)
        np.cumsum(counts[docs][:-1], out=starts[1:])
        total = len(sh)
        buf = np.empty((self.num_perm, self.block), dtype=np.uint32)
        for lo in range(0, total, self.block):
            hi = min(lo + self.block, total)
            # the documents with shingles in [lo, hi): the one that started before lo, then those starting
            first = int(np.searchsorted(starts, lo, side="right")) - 1
            last = int(np.searchsorted(starts, hi, side="left"))
            seg = np.maximum(starts[first:last] - lo, 0)
            b = buf[:, : hi - lo]
            np.multiply(sh[None, lo:hi], self.a, out=b)  # uint32: wraps mod 2^32
            np.add(b, self.b, out=b)
            mins = np.minimum.reduceat(b, seg, axis=1)
            rows = docs[first:last]
            out[rows] = np.minimum(out[rows], mins.T)


# --- LSH -----------------------------------------------------------------------------------------------


class LSH:
    """Banding: ``bands`` groups of ``rows`` signature slots; two documents are candidates when all the
    slots of at least one band agree. For Jaccard similarity ``s`` the probability is
    ``1 - (1 - s**rows)**bands``, an S-curve whose midpoint is near ``(1/bands)**(1/rows)``.

    Default 16 bands x 8 rows (128 slots), for a Jaccard threshold of about 0.8: midpoint
    (1/16)^(1/8) = 0.71, so a pair at s=0.8 is a candidate with probability 0.95 (0.99 at 0.85). The
    curve's tail also lets through 24% of pairs at s=0.6 and 6% at 0.5, which the default verification
    (estimated Jaccard >= 0.75 from the 128 slots, :func:`near_duplicate_clusters`) removes. Probability
    that a pair is joined, banding then verification (simulated):

        s          0.5    0.6    0.65   0.7    0.75   0.8    0.85   0.9
        16 x 8     0.06   0.24   0.41   0.62   0.82   0.95   0.99   1.00
        + >= 0.75  0.00   0.00   0.01   0.11   0.50   0.90   0.99   1.00

    Other choices for 128 slots: 32 x 4 (midpoint 0.42), 10 x 12 (0.83), 9 x 13 (0.84, what
    datasketch's ``MinHashLSH(threshold=0.8)`` picks), 8 x 16 (0.88).
    """

    def __init__(self, bands: int = 16, rows: int = 8) -> None:
        if bands < 1 or rows < 1:
            raise ValueError("bands and rows must be positive")
        self.bands, self.rows = bands, rows
        self._salt = _seeded(0, "band", bands)[None, :]

    @property
    def threshold(self) -> float:
        return (1 / self.bands) ** (1 / self.rows)

    def probability(self, s: float) -> float:
        """Probability that two documents with Jaccard similarity s share at least one band key."""
        return 1 - (1 - s**self.rows) ** self.bands

    def band_keys(self, sig: np.ndarray) -> np.ndarray:
        """uint64 array (n, bands): one key per band, distinct per band index; 0 for empty documents
        (which share no key with anything)."""
        n, width = sig.shape
        if width < self.bands * self.rows:
            raise ValueError(f"signatures have {width} slots, need bands*rows = {self.bands * self.rows}")
        s = sig[:, : self.bands * self.rows].reshape(n, self.bands, self.rows).astype(np.uint64)
        keys = np.broadcast_to(self._salt, (n, self.bands)).copy()
        q = np.uint64(_Q)
        for j in range(self.rows):
            keys = _mix64(keys * q + s[:, :, j])
        keys[keys == 0] = 1
        keys[(sig == EMPTY).all(axis=1)] = 0
        return keys


# --- clustering ----------------------------------------------------------------------------------------


def _components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Label of every node = the smallest node index in its connected component (vectorised
    min-label propagation with pointer jumping)."""
    lab = np.arange(n, dtype=np.int64)
    if len(u) == 0:
        return lab
    while True:
        m = np.minimum(lab[u], lab[v])
        new = lab.copy()
        np.minimum.at(new, u, m)
        np.minimum.at(new, v, m)
        while True:  # pointer jumping: follow labels to their roots
            nxt = new[new]
            if np.array_equal(nxt, new):
                break
            new = nxt
        if np.array_equal(new, lab):
            return lab
        lab = new


def estimated_jaccard(sig: np.ndarray, u: np.ndarray, v: np.ndarray, chunk: int = 65536) -> np.ndarray:
    """Fraction of equal signature slots for each pair (u[i], v[i])."""
    out = np.empty(len(u), dtype=np.float64)
    for lo in range(0, len(u), chunk):
        hi = lo + chunk
        out[lo:hi] = (sig[u[lo:hi]] == sig[v[lo:hi]]).mean(axis=1)
    return out


def candidate_pairs(band_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (u < v) of documents that share a band key: within each bucket, every member with
    the bucket's first member and with the member before it. Unique, sorted."""
    n, bands = band_keys.shape
    us, vs = [], []
    for j in range(bands):
        k = band_keys[:, j]
        live = np.flatnonzero(k)
        if len(live) < 2:
            continue
        order = live[np.argsort(k[live], kind="stable")]  # stable: index order within a bucket
        ks = k[order]
        same = ks[1:] == ks[:-1]
        if not same.any():
            continue
        new_bucket = np.concatenate(([True], ~same))
        head = order[np.maximum.accumulate(np.where(new_bucket, np.arange(len(order)), 0))]
        member = order[1:][same]
        us += [head[1:][same], order[:-1][same]]
        vs += [member, member]
    if not us:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pair = np.unique(np.concatenate(us).astype(np.int64) * n + np.concatenate(vs))
    return pair // n, pair % n


def near_duplicate_clusters(
    ids: Sequence[str],
    band_keys: np.ndarray,
    signatures: np.ndarray | None = None,
    verify_threshold: float | None = None,
) -> dict[str, str]:
    """Removed id -> the id it duplicates: the first id (in the order given) of its cluster.

    Clusters are the connected components of "shares a band key" (found by vectorised label
    propagation, the same result as union-find; transitive: a chain A~B~C is one cluster even if A and
    C are less alike). With ``signatures`` and ``verify_threshold``,
    a candidate pair joins only if its estimated Jaccard similarity (equal signature slots) is at least
    the threshold — that cuts the false positives of the LSH S-curve's tail. Within a bucket, each
    member is tested against the bucket's first member and its predecessor, not all pairs.
    """
    n = len(ids)
    if band_keys.shape[0] != n:
        raise ValueError("one row of band keys per id")
    u, v = candidate_pairs(band_keys)
    if verify_threshold is not None and verify_threshold > 0 and len(u):
        if signatures is None:
            raise ValueError("verify_threshold needs the signatures")
        ok = estimated_jaccard(signatures, u, v) >= verify_threshold
        u, v = u[ok], v[ok]
    lab = _components(n, u, v)
    return {ids[i]: ids[lab[i]] for i in np.flatnonzero(lab != np.arange(n)).tolist()}


# --- the step over documents ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DedupConfig:
    exact: bool = True
    minhash: bool = True
    num_perm: int = 128
    bands: int = 16
    rows: int = 8
    ngram: int = 5
    verify_threshold: float | None = 0.75  # estimated Jaccard a candidate pair needs; None: every candidate
    seed: int = 1

    def __post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands*rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}")

    def hasher(self) -> MinHasher:
        return MinHasher(self.num_perm, self.ngram, self.seed)

    def lsh(self) -> LSH:
        return LSH(self.bands, self.rows)


def dedup_docs(docs: list[Document], config: DedupConfig | None = None) -> list[Document]:
    """Exact, then near-duplicate removal over one list of documents (alive ones only). Keeps the first
    of each group in list order; marks the others dropped by step ``"dedup"`` with reason
    ``exact_dup_of=<id>`` or ``dup_of=<id>``. Returns the same list."""
    cfg = config or DedupConfig()
    if cfg.exact:
        alive = [d for d in docs if d.alive]
        removed = exact_duplicates([d.id for d in alive], [exact_key(d.text) for d in alive])
        for d in alive:
            if d.id in removed:
                d.drop(STEP, f"exact_dup_of={removed[d.id]}")
    if cfg.minhash:
        alive = [d for d in docs if d.alive]
        if len(alive) > 1:
            sig = cfg.hasher().signatures([d.text for d in alive])
            keys = cfg.lsh().band_keys(sig)
            removed = near_duplicate_clusters([d.id for d in alive], keys, sig, cfg.verify_threshold)
            for d in alive:
                if d.id in removed:
                    d.drop(STEP, f"dup_of={removed[d.id]}")
    return docs
