"""Token hashing for decontamination: the tokens of a text (words, each CJK character, each operator)
and a 64-bit hash of each, computed for a whole batch of documents at once — by compiled loops
(:mod:`~mathforge.corpus.decontam_kernels`) where numba is installed, by numpy otherwise, with
identical results — plus the polynomial window hashes built on them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mathforge.corpus.decontam_text import document_text

# words, each CJK character, and each arithmetic operator: "7 + 8" and "7 - 8" are different problems
_TOKEN_RE = re.compile(r"[\u3400-\u9fff]|[a-z0-9]+|[-+=*/<>^]")
_OPERATORS = b"+-=*/<>^"


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower())


HASH_BASE = 1_000_003  # rolling-hash base; arithmetic wraps modulo 2^64
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


def batch_token_hashes(texts: list[str], compiled: bool = True):
    """Token hashes of many texts at once: ``(hashes, doc_of_token)`` for the texts joined by newlines —
    one compiled pass (:mod:`~mathforge.corpus.decontam_kernels`), or one pass of numpy calls, per
    batch instead of per document (the fixed cost per call dominates on web-sized documents)."""
    from mathforge.corpus.decontam_kernels import kernels

    fast = kernels() if compiled else None
    if fast is not None:
        batch = compiled_hashes(fast, texts)
        return batch.hashes, batch.docs
    return numpy_hashes(texts)


@lru_cache(maxsize=1)
def _char_table():
    """For the compiled path, per code point below U+30000: 1 if NFKC could make it a token character
    (:func:`_nfkc_sensitive`, less the full-width ASCII forms the compiled hasher reads itself), 2 if
    it is a Unicode sign written as ASCII (≤ × − …)."""
    import numpy as np

    from mathforge.corpus.decontam_text import UNICODE_SIGNS

    table = _nfkc_sensitive().astype(np.uint8)
    table[0xFF01:0xFF5F] = 0  # full-width ASCII forms: the compiled hasher reads them as ASCII
    table[[ord(c) for c in UNICODE_SIGNS]] |= 2
    return table


@dataclass
class _HashedBatch:
    """A batch after the compiled pass: token hashes, each token's document and start byte, and the
    texts as hashed (``raws``, documents starting at byte ``bounds[d]`` of the joined batch)."""

    hashes: Any
    docs: Any
    starts: Any
    texts: list[str]
    raws: list[bytes]
    bounds: Any

    def span(self, d: int, first: int, size: int) -> Callable[[int, int], list[str]]:
        """Tokens ``a:b`` of document ``d`` (its tokens are ``first : first + size`` of the batch),
        tokenised from that stretch of its bytes only — not the whole document."""

        def tokens_between(a: int, b: int) -> list[str]:
            b = min(b, size)
            if a >= b:
                return []
            lo = int(self.starts[first + a] - self.bounds[d])
            hi = int(self.starts[first + b] - self.bounds[d]) if b < size else len(self.raws[d])
            return tokens(self.raws[d][lo:hi].decode("utf-8", "surrogatepass"))

        return tokens_between


def compiled_hashes(fast, texts: list[str], prepare: bool = False) -> _HashedBatch:
    """The compiled path: one pass flags the documents that need rewriting — NFKC-sensitive characters
    and, with ``prepare``, what :func:`document_text` changes (calculator notes, drawing code, Unicode
    signs) — so only those are rewritten in Python; one pass hashes every token. Returns the hashes, the
    document and start byte of each token, and the texts (with ``prepare``: as :func:`document_text`
    writes them)."""
    import numpy as np

    from mathforge.corpus.decontam_kernels import byte_tables
    from mathforge.corpus.decontam_text import ascii_signs

    def encoded(raws):
        joined = b"\n".join(raws)
        ends = np.cumsum([0] + [len(r) + 1 for r in raws])
        ends[-1] -= 1  # no newline after the last document
        return joined, ends, np.frombuffer(joined + b"\0" * 4, dtype=np.uint8)

    raws = [t.encode("utf-8", "surrogatepass") for t in texts]
    joined, ends, codes = encoded(raws)
    if prepare or not joined.isascii():
        flags = fast.doc_flags(codes, ends, _char_table()) & (7 if prepare else 1)
        redo = np.flatnonzero(flags).tolist()
        if redo:
            texts = list(texts)
            for d in redo:
                if flags[d] & 4:
                    texts[d] = document_text(texts[d], signs=False)
                if flags[d] & 2:
                    texts[d] = ascii_signs(texts[d])
                text = texts[d]
                if flags[d] & 1:
                    text = unicodedata.normalize("NFKC", text)
                    text = text.lower() if "\u0130" in text else text
                raws[d] = text.encode("utf-8", "surrogatepass")
            joined, ends, codes = encoded(raws)
    hashes, docs, starts = fast.token_hashes(codes, ends, *byte_tables())
    return _HashedBatch(hashes, docs, starts, texts, raws, ends)


def numpy_hashes(texts: list[str]):
    """The numpy path of :func:`batch_token_hashes`."""
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
    masked to its length — per-byte work is only a few vectorised comparisons. (The numpy version of
    :mod:`~mathforge.corpus.decontam_kernels`' compiled loop.)"""
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


def window_hashes(ids, n: int):
    """uint64 polynomial hash of every length-n window of ``ids`` (numpy, vectorised)."""
    import numpy as np

    a = np.asarray(ids, dtype=np.uint64)
    m = len(a) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.uint64)
    h = np.zeros(m, dtype=np.uint64)
    p = np.uint64(HASH_BASE)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * p + a[k : k + m]
    return h
