"""Continuous batching for a transformers causal LM: up to ``slots`` sequences decode together; each one
leaves the batch the step it finishes, and waiting prompts are prefilled into the freed rows.

Why this exists: ``model.generate`` runs a batch until its longest row ends, so one sample that loops to
``max_tokens`` keeps fifteen finished rows computing; on a CPU a decode step costs almost as much for one
row as for sixteen (SmolLM2-135M on 2 cores: 79 ms for 1 row, 190 ms for 16, 400 ms for 64), so the
throughput is in keeping many *live* rows. transformers' own continuous batching (``generate_batch``)
does this with paged attention, and on the same CPU it was 2.4x slower than plain batched ``generate``
(64 GSM8K prompts, greedy, identical outputs), so the loop here keeps transformers' ``DynamicCache``,
its model forward and its logits warpers, and only manages rows:

- admission: when a quarter of the slots are free, the next prompts (longest first) are left-padded
  together, prefilled with ``logits_to_keep=1``, and their cache is joined to the running one — the
  shorter of the two is left-padded with masked zeros to the other's length;
- each step: one token per live row (greedy argmax, or the row's own seeded sampler), then the rows
  that hit an end-of-sequence token, a stop string or ``max_new_tokens`` are dropped from the cache;
- columns of the cache that are padding for every remaining row are cut off, so late admissions do not
  carry the padding of earlier ones.

Position ids are tracked per row, as ``generate`` derives them from the attention mask, so a row's
tokens are those of a left-padded ``generate`` up to float rounding of other batch shapes (see
``mathforge.infer.seeded`` for what that means for sampling).

Limits: models whose cache is not a plain per-layer key/value cache (sliding-window or recurrent
layers) and generation configs that add logits processors (repetition penalty, n-gram bans, forced or
suppressed tokens, minimum lengths) are not handled here; :func:`supports_refill` says so, and the
caller uses ``generate``.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# generation-config fields that make ``generate`` add a logits processor this loop does not apply
_PROCESSOR_FIELDS = {
    "repetition_penalty": (None, 1.0),
    "encoder_repetition_penalty": (None, 1.0),
    "no_repeat_ngram_size": (None, 0),
    "encoder_no_repeat_ngram_size": (None, 0),
    "bad_words_ids": (None,),
    "sequence_bias": (None,),
    "suppress_tokens": (None,),
    "begin_suppress_tokens": (None,),
    "forced_bos_token_id": (None,),
    "forced_eos_token_id": (None,),
    "min_length": (None, 0),
    "min_new_tokens": (None, 0),
    "exponential_decay_length_penalty": (None,),
    "renormalize_logits": (None, False),
}

Pick = Callable[[Any, Any], int]  # (generated ids as a 1 x n tensor, logits 1 x V) -> token id


@dataclass
class Request:
    """One sequence to decode: its prompt ids and, for sampling, its own token picker."""

    prompt_ids: list[int]
    pick: Pick | None = None  # None: greedy


@dataclass
class Decoded:
    ids: list[int] = field(default_factory=list)
    finish: str = "length"  # "stop" (end-of-sequence token or stop string) or "length"
    seconds: float = 0.0  # this row's share of the time of the forward passes it took part in


def supports_refill(model: Any) -> str | None:
    """None when the loop can decode for ``model``, else why not (the caller then uses ``generate``)."""
    if getattr(model.config, "is_encoder_decoder", False):
        return "encoder-decoder model"
    from transformers import DynamicCache
    from transformers.cache_utils import DynamicLayer

    try:  # transformers' own choice of cache layers for this model
        layers = DynamicCache(config=model.config).layers
    except Exception as exc:  # a model type the cache does not know: leave it to generate
        return f"no dynamic cache for this model ({type(exc).__name__})"
    if any(type(layer) is not DynamicLayer for layer in layers):
        return "the model has sliding-window or non-attention layers"
    gc = model.generation_config
    for name, neutral in _PROCESSOR_FIELDS.items():
        if getattr(gc, name, None) not in neutral:
            return f"the generation config sets {name}"
    return None


def eos_ids(model: Any, tokenizer: Any) -> set[int]:
    """The token ids that end a sequence, as ``generate`` reads them (generation config, else tokenizer)."""
    eos = model.generation_config.eos_token_id
    if eos is None:
        eos = tokenizer.eos_token_id
    if eos is None:
        return set()
    return {int(x) for x in (eos if isinstance(eos, (list, tuple)) else [eos])}


class RefillDecoder:
    """Decodes many requests with at most ``slots`` live rows (see the module docstring)."""

    def __init__(self, model: Any, tokenizer: Any, slots: int, device: Any = "cpu") -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.slots = max(1, slots)
        self.device = device
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self.eos = eos_ids(model, tokenizer)
        self._reset()

    def _reset(self) -> None:
        """No live rows: the state between (and before) ``decode`` calls."""
        self._rows: list[int] = []  # request index of each live row
        self._cache = None
        self._mask = None  # live rows x cache columns (1 = real token)
        self._pos = None  # next position id of each live row

    def decode(
        self,
        requests: Sequence[Request],
        max_new_tokens: int,
        stop: Sequence[str] = (),
        on_done: Callable[[int], None] | None = None,
    ) -> list[Decoded]:
        """Decode every request; ``on_done(i)`` is called as request ``i`` finishes."""
        import torch

        results = [Decoded() for _ in requests]
        if max_new_tokens <= 0:
            for i in range(len(requests)):
                results[i].finish = "length"
                if on_done:
                    on_done(i)
            return results
        waiting = deque(sorted(range(len(requests)), key=lambda i: -len(requests[i].prompt_ids)))
        self._reset()
        logits = None  # last-position logits of each live row
        room = max(1, self.slots // 4)  # admit when this many rows are free
        with torch.inference_mode():
            while waiting or self._rows:
                if waiting and (not self._rows or self.slots - len(self._rows) >= room):
                    take = [waiting.popleft() for _ in range(min(len(waiting), self.slots - len(self._rows)))]
                    logits = self._admit(take, requests, logits, results)
                # one token per live row
                nxt = logits.argmax(-1)
                for r, i in enumerate(self._rows):
                    pick = requests[i].pick
                    if pick is not None:
                        ids = torch.tensor([results[i].ids], dtype=torch.long, device=logits.device)
                        nxt[r] = pick(ids, logits[r : r + 1])
                keep = []
                for r, i in enumerate(self._rows):
                    tok = int(nxt[r])
                    res = results[i]
                    res.ids.append(tok)
                    if tok in self.eos or (stop and self._hits_stop(res.ids, stop)):
                        res.finish = "stop"
                    elif len(res.ids) >= max_new_tokens:
                        res.finish = "length"
                    else:
                        keep.append(r)
                        continue
                    if on_done:
                        on_done(i)
                if len(keep) < len(self._rows):
                    self._select(keep)
                    nxt = nxt[keep]
                if not self._rows:
                    self._reset()
                    continue
                logits = self._step(nxt, results)
        return results

    def _hits_stop(self, ids: list[int], stop: Sequence[str]) -> bool:
        text = self.tokenizer.decode(ids, skip_special_tokens=True)
        return any(s and s in text for s in stop)

    def _forward(self, input_ids, mask, pos, cache, results: list[Decoded], rows: list[int]):
        t0 = time.perf_counter()
        out = self.model(
            input_ids=input_ids,
            attention_mask=mask,
            position_ids=pos,
            cache=cache,
            use_cache=True,
            logits_to_keep=1,
        )
        share = (time.perf_counter() - t0) / max(1, len(rows))
        for i in rows:
            results[i].seconds += share
        return out.logits[:, -1, :].float(), out.cache

    def _admit(self, take: list[int], requests: Sequence[Request], logits, results: list[Decoded]):
        """Prefill ``take`` and join them to the live rows; returns the logits of all live rows."""
        import torch
        from transformers import DynamicCache

        width = max(len(requests[i].prompt_ids) for i in take)
        ids = torch.full((len(take), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(take), width), dtype=torch.long)
        for r, i in enumerate(take):
            p = requests[i].prompt_ids
            ids[r, width - len(p) :] = torch.tensor(p, dtype=torch.long)
            mask[r, width - len(p) :] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        new_logits, new_cache = self._forward(ids, mask, pos, DynamicCache(), results, take)
        new_pos = mask.sum(-1)
        if not self._rows:
            self._rows, self._cache, self._mask, self._pos = list(take), new_cache, mask, new_pos
            return new_logits
        old_len, new_len = self._mask.shape[1], width
        total = max(old_len, new_len)
        layers = []
        for old, new in zip(self._cache.layers, new_cache.layers, strict=True):
            keys = torch.cat([_left_pad(old.keys, total), _left_pad(new.keys, total)], 0)
            values = torch.cat([_left_pad(old.values, total), _left_pad(new.values, total)], 0)
            layers.append((keys, values))
        self._cache = DynamicCache(ddp_cache_data=layers)
        self._mask = torch.cat([_left_pad(self._mask, total, dim=1), _left_pad(mask, total, dim=1)], 0)
        self._pos = torch.cat([self._pos, new_pos])
        self._rows = self._rows + list(take)
        return torch.cat([logits, new_logits], 0)

    def _select(self, keep: list[int]) -> None:
        """Drop finished rows, then the leading columns that are padding for every row left."""
        import torch

        self._rows = [self._rows[r] for r in keep]
        if not keep:
            return
        index = torch.tensor(keep, dtype=torch.long, device=self._mask.device)
        self._cache.batch_select_indices(index)
        self._mask, self._pos = self._mask[index], self._pos[index]
        used = self._mask.any(0)
        lead = int(used.long().argmax()) if bool(used.any()) else 0
        if lead > 0:
            for layer in self._cache.layers:
                layer.keys = layer.keys[:, :, lead:, :]
                layer.values = layer.values[:, :, lead:, :]
            self._mask = self._mask[:, lead:]

    def _step(self, nxt, results: list[Decoded]):
        import torch

        ones = torch.ones((len(self._rows), 1), dtype=self._mask.dtype, device=self._mask.device)
        self._mask = torch.cat([self._mask, ones], 1)
        logits, self._cache = self._forward(
            nxt[:, None], self._mask, self._pos[:, None], self._cache, results, self._rows
        )
        self._pos = self._pos + 1
        return logits


def _left_pad(t, length: int, dim: int = 2):
    """``t`` padded with zeros on the left of ``dim`` to ``length``."""
    import torch

    missing = length - t.shape[dim]
    if missing <= 0:
        return t
    shape = list(t.shape)
    shape[dim] = missing
    return torch.cat([torch.zeros(shape, dtype=t.dtype, device=t.device), t], dim)
