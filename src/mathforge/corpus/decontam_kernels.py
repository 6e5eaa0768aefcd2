"""Compiled inner loops of the decontamination scan (numba); :mod:`mathforge.corpus.decontam` keeps
numpy versions of each as the fallback.

Why by hand and compiled: the scan looks at every byte of a web-scale corpus. The numpy versions make
some thirty passes over a batch's bytes and tokens and allocate an array for each; these loops make one
pass over the bytes (find the tokens, hash them, note each token's document) and one over the tokens
(roll the 3- and 13-token window hashes and test them against the index's bitmap). Both versions give
identical hashes and candidates (``tests/test_decontam_kernels.py`` pins it), so an index built with one
is read by the other, and an install without numba loses speed, not results.

Compiled code is cached on disk (``NUMBA_CACHE_DIR``, by default under the mathforge cache), so only
the first run on a machine pays the compile (a few seconds). ``MATHFORGE_NO_NUMBA=1`` turns it off.
"""

from __future__ import annotations

import os
from functools import lru_cache
from types import SimpleNamespace

import numpy as np

_SEED = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)


@lru_cache(maxsize=1)
def byte_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per byte: its kind (0 separator, 1 word character, 2 one-character operator token) and its
    lower-case form. Bytes of non-ASCII characters are separators; CJK characters are found apart."""
    kind = np.zeros(256, dtype=np.uint8)
    lower = np.arange(256, dtype=np.uint8)
    for c in range(256):
        if 97 <= c <= 122 or 48 <= c <= 57:
            kind[c] = 1
        elif 65 <= c <= 90:
            kind[c] = 1
            lower[c] = c + 32
    kind[np.frombuffer(b"+-=*/<>^", dtype=np.uint8)] = 2
    return kind, lower


def _compile(numba) -> SimpleNamespace:
    jit = numba.njit(cache=True, nogil=True, boundscheck=False)

    @jit
    def fmix(h):
        h ^= h >> np.uint64(30)
        h *= _C1
        h ^= h >> np.uint64(27)
        h *= _C2
        return h ^ (h >> np.uint64(31))

    @jit
    def code_point(raw, i):
        b0 = np.uint32(raw[i])
        if b0 >= 0xF0:
            return (
                ((b0 & 7) << 18)
                | (np.uint32(raw[i + 1] & 0x3F) << 12)
                | (np.uint32(raw[i + 2] & 0x3F) << 6)
                | np.uint32(raw[i + 3] & 0x3F)
            )
        if b0 >= 0xE0:
            return ((b0 & 0x0F) << 12) | (np.uint32(raw[i + 1] & 0x3F) << 6) | np.uint32(raw[i + 2] & 0x3F)
        return ((b0 & 0x1F) << 6) | np.uint32(raw[i + 1] & 0x3F)

    @jit
    def full_width(raw, i):
        """At a 0xEF byte: the ASCII character NFKC makes of a full-width form (U+FF01–U+FF5E) and
        its width 3; otherwise the byte itself and width 1."""
        b1 = np.int64(raw[i + 1])
        b2 = np.int64(raw[i + 2])
        if (b1 == 0xBC and b2 >= 0x81) or (b1 == 0xBD and b2 <= 0x9E):
            return (((b1 & 0x3F) << 6) | (b2 & 0x3F)) + 0xF000 - 0xFEE0, 3
        return np.int64(0xEF), 1

    @jit
    def doc_flags(raw, bounds, table):
        """Per document, what needs rewriting before hashing: the OR of ``table`` over its non-ASCII
        characters, and 4 where it holds ``<<`` (a calculator note) or ``[asy`` (drawing code)."""
        flags = np.zeros(bounds.size - 1, dtype=np.uint8)
        d = 0
        for i in range(bounds[-1]):
            b = raw[i]
            if b < 0xC0 and b != 60 and b != 91:  # not a lead byte, "<" or "["
                continue
            while bounds[d + 1] <= i:
                d += 1
            if b >= 0xC0:
                cp = code_point(raw, i)
                flags[d] |= 1 if cp >= table.size else table[cp]
            elif b == 60:
                if raw[i + 1] == 60:
                    flags[d] |= 4
            elif (raw[i + 1] | 32) == 97 and (raw[i + 2] | 32) == 115 and (raw[i + 3] | 32) == 121:
                flags[d] |= 4
        return flags

    @jit
    def token_hashes_into(raw, bounds, kind, lower, cap):
        """(hash, document, start byte) of every token of ``raw`` (documents start at ``bounds``): runs
        of word characters, each operator, and each CJK character (U+3400–U+9FFF), hashed from the
        first 16 lower-cased bytes exactly as the numpy version does. Full-width ASCII forms (Ｘ２＋)
        count as the ASCII characters NFKC makes of them, so their documents need no NFKC pass."""
        end = bounds[-1]
        hashes = np.empty(cap, dtype=np.uint64)
        docs = np.empty(cap, dtype=np.int64)
        starts = np.empty(cap, dtype=np.int64)
        m = 0
        d = 0
        i = 0
        while i < end:
            b = raw[i]
            w0 = np.uint64(0)
            w1 = np.uint64(0)
            while bounds[d + 1] <= i:
                d += 1
            start = i
            if b >= 0xE3 and b <= 0xE9 and (b != 0xE3 or raw[i + 1] >= 0x90):  # U+3400…U+9FFF
                w0 = np.uint64(b) | (np.uint64(raw[i + 1]) << np.uint64(8))
                w0 |= np.uint64(raw[i + 2]) << np.uint64(16)
                i += 3
            else:
                c = np.int64(b)
                width = 1
                if b == 0xEF:
                    c, width = full_width(raw, i)
                if kind[c] == 0:
                    i += width
                    continue
                if kind[c] == 2:
                    w0 = np.uint64(c)
                    i += width
                else:
                    shift = np.uint64(0)
                    while i < end:
                        c = np.int64(raw[i])
                        width = 1
                        if c == 0xEF:
                            c, width = full_width(raw, i)
                        if kind[c] != 1:
                            break
                        if shift < 64:
                            w0 |= np.uint64(lower[c]) << shift
                        elif shift < 128:
                            w1 |= np.uint64(lower[c]) << (shift - np.uint64(64))
                        shift += np.uint64(8)
                        i += width
            if m == cap:
                return hashes[:0], docs[:0], starts[:0], False
            hashes[m] = fmix(fmix(w0 + _SEED) ^ w1)
            docs[m] = d
            starts[m] = start
            m += 1
        return hashes[:m].copy(), docs[:m].copy(), starts[:m].copy(), True

    def token_hashes(raw, bounds, kind, lower):
        """(hash, document, start byte) of every token: :func:`token_hashes_into` with room for one
        token per 4 bytes (web text has about one per 6), and again with room for one per byte when a
        text has more (``a+b+c``)."""
        end = int(bounds[-1])
        hashes, docs, starts, complete = token_hashes_into(raw, bounds, kind, lower, end // 4 + 16)
        if not complete:
            hashes, docs, starts, _ = token_hashes_into(raw, bounds, kind, lower, end + 1)
        return hashes, docs, starts

    @jit
    def passes(words, log2, h):
        one, mask = np.uint64(1), np.uint64(63)
        need = (one << (h & mask)) | (one << ((h >> np.uint64(8)) & mask))
        need |= one << ((h >> np.uint64(16)) & mask)
        return (words[h >> np.uint64(64 - log2)] & need) == need

    @jit
    def window_maybes(th, docs, n, short, long_f, long_log2, short_f, short_log2):
        """Start positions and hashes of the windows the filters do not rule out: ``short``-token
        windows (prefixes of short items) and ``n``-token windows that stay inside one document."""
        size = th.size
        p = np.uint64(1_000_003)
        pos_s = np.empty(max(size - short + 1, 0), dtype=np.int64)
        h_s = np.empty(max(size - short + 1, 0), dtype=np.uint64)
        pos_n = np.empty(max(size - n + 1, 0), dtype=np.int64)
        h_n = np.empty(max(size - n + 1, 0), dtype=np.uint64)
        ms = 0
        mn = 0
        top = np.uint64(1)  # p^(n-1): rolls the oldest token out of the n-token hash
        for _ in range(n - 1):
            top *= p
        hn = np.uint64(0)
        for k in range(min(n, size)):
            hn = hn * p + th[k]
        for i in range(size - short + 1):
            h = th[i]
            for k in range(1, short):
                h = h * p + th[i + k]
            if passes(short_f, short_log2, h):
                pos_s[ms] = i
                h_s[ms] = h
                ms += 1
            if i + n <= size:
                if i > 0:
                    hn = (hn - th[i - 1] * top) * p + th[i + n - 1]
                if passes(long_f, long_log2, hn) and docs[i] == docs[i + n - 1]:
                    pos_n[mn] = i
                    h_n[mn] = hn
                    mn += 1
        return pos_s[:ms].copy(), h_s[:ms].copy(), pos_n[:mn].copy(), h_n[:mn].copy()

    return SimpleNamespace(doc_flags=doc_flags, token_hashes=token_hashes, window_maybes=window_maybes)


@lru_cache(maxsize=1)
def kernels() -> SimpleNamespace | None:
    """The compiled loops, or None where numba is not installed, cannot compile here, or is turned off."""
    if os.environ.get("MATHFORGE_NO_NUMBA"):
        return None
    try:
        if "NUMBA_CACHE_DIR" not in os.environ:
            from mathforge.stage_io import cache_root

            os.environ["NUMBA_CACHE_DIR"] = str(cache_root() / "numba")
        import numba
    except ImportError:
        return None
    try:
        k = _compile(numba)
        kind, lower = byte_tables()
        raw = np.frombuffer("warm up: X + 1 中\n".encode() + b"\0" * 4, dtype=np.uint8)
        bounds = np.array([0, raw.size - 4], dtype=np.int64)
        k.doc_flags(raw, bounds, np.zeros(0x30000, dtype=np.uint8))
        th, docs, _ = k.token_hashes(raw, bounds, kind, lower)
        k.window_maybes(th, docs, 13, 3, np.zeros(2, np.uint64), 1, np.zeros(2, np.uint64), 1)
    except Exception:  # a platform numba cannot compile for: the numpy versions serve
        return None
    return k
