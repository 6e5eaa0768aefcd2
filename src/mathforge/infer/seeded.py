"""Seeded sampling for the hf backend that does not depend on batch composition.

``torch.manual_seed`` once per batch (what ``model.generate(do_sample=True)`` offers) draws every row's
tokens from one shared random stream, so a prompt's samples change with the other prompts in its batch,
the batch size and the order. Here each output row gets its own ``torch.Generator``, seeded from
``(seed, sha256 of the prompt's rendered text, sample index j)``, and :class:`SeededSampler` - a
transformers ``LogitsProcessor`` - does the sampling itself: for each row it applies transformers' own
warpers (temperature, the top-k and min-p the model's generation config sets, as ``do_sample=True``
would, then top-p; the same classes, so the same cut-offs, always keeping at least one token), draws one
token with ``torch.multinomial(..., generator=row_generator)``, and returns scores that are ``-inf``
everywhere but the drawn token (``0.0``). ``generate`` then runs with ``do_sample=False``, whose argmax
picks exactly that token. The processor is the last in transformers' list, so the processors that apply
to greedy and sampling alike (a repetition penalty from the generation config, for one) still come first.

Properties: the same prompt text, seed and ``j`` give the same sample whatever the batch, the batch
size, the order or ``n`` (sample ``j`` of ``n=4`` is sample ``j`` of ``n=8``); two identical prompts in
one call get identical samples; ``stream`` (one row, ``j = 0``) gives ``generate``'s sample 0.

Caveat: the draw is reproducible, the logits it is drawn from are only nearly so. A left-padded batched
forward pass can differ from an unbatched one in the last float bits (other matmul shapes, padding), and
a draw that falls within that difference of the boundary between two tokens picks the other one; the
sample then goes on differently from there. The chance per token is about the total-variation distance
between the two distributions. Measured on the tiny CPU test model (64 prompts x 4 samples at
temperature 1, batch size 16 against 1): float32 logits differ by at most 1.2e-7 (distance 4e-8 per
token) and 0 of 256 samples (3,901 tokens) changed; bfloat16 logits differ by up to 4e-3 (distance up
to 2e-4 per token) and 0 of 256 samples (13,561 tokens) changed. So a flip is rare in float32 and
possible, though uncommon, in half precision over long samples; exact bits across batch shapes would
need batch-invariant kernels.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

_MASK63 = (1 << 63) - 1


def row_seed(seed: int, text: str, j: int) -> int:
    """The generator seed of sample ``j`` of the prompt whose rendered text is ``text`` (stable across
    processes and machines: sha256, not Python's salted ``hash``)."""
    digest = hashlib.sha256(f"{seed}\x00{j}\x00".encode() + text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & _MASK63


def row_seeds(seed: int, texts: Sequence[str], n: int) -> list[int]:
    """Seeds for rows laid out as ``num_return_sequences`` does: ``[p0 s0, p0 s1, ..., p1 s0, ...]``,
    so row ``r`` is sample ``r % n`` of prompt ``r // n``."""
    return [row_seed(seed, t, j) for t in texts for j in range(n)]


def sampling_warpers(temperature: float, top_p: float, generation_config: Any = None) -> list:
    """The warpers transformers' ``do_sample=True`` would apply, in its order: temperature, the model's
    top-k and min-p (if its generation config sets them; ``SamplingParams`` has neither), top-p."""
    from transformers import MinPLogitsWarper, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    warpers: list = []
    if temperature != 1.0:
        warpers.append(TemperatureLogitsWarper(float(temperature)))
    top_k = getattr(generation_config, "top_k", None)
    if top_k:
        warpers.append(TopKLogitsWarper(top_k=int(top_k), min_tokens_to_keep=1))
    if top_p < 1.0:
        warpers.append(TopPLogitsWarper(top_p=float(top_p), min_tokens_to_keep=1))
    min_p = getattr(generation_config, "min_p", None)
    if min_p is not None:
        warpers.append(MinPLogitsWarper(min_p=float(min_p), min_tokens_to_keep=1))
    return warpers


class SeededSampler:
    """A ``LogitsProcessor`` that samples each row with its own generator and returns one-hot scores
    (``0.0`` at the drawn token, ``-inf`` elsewhere) for greedy decoding to pick. One instance per
    ``generate`` call: the generators' state advances with each step."""

    def __init__(self, seeds: Sequence[int], warpers: Sequence = ()) -> None:
        self.seeds = list(seeds)
        self.warpers = list(warpers)
        self.generators: list | None = None

    def __call__(self, input_ids, scores):
        import torch

        rows = scores.shape[0]
        if rows != len(self.seeds):
            raise ValueError(f"SeededSampler has {len(self.seeds)} seeds for {rows} rows")
        if self.generators is None:
            self.generators = [torch.Generator(device=scores.device).manual_seed(s) for s in self.seeds]
        drawn = torch.empty(rows, dtype=torch.long, device=scores.device)
        for r, gen in enumerate(self.generators):
            # row by row: each row's cut-offs and draw see only that row (no batched sort or cumsum)
            row = scores[r : r + 1].float()
            for warp in self.warpers:
                row = warp(input_ids[r : r + 1], row)
            probs = torch.softmax(row, dim=-1)
            drawn[r] = torch.multinomial(probs, 1, generator=gen)[0, 0]
        out = torch.full_like(scores, float("-inf"))
        return out.scatter_(1, drawn[:, None], 0.0)

    def pick(self, input_ids, scores) -> int:
        """The token drawn for a single-row batch: for decoders that sample row by row
        (``mathforge.infer.refill``), with the same generator and warpers as inside ``generate``."""
        return int(self(input_ids, scores).argmax(-1)[0])
