"""Tool-integrated GRPO rollouts: the policy writes ```python blocks, the sandbox runs them, their output
is appended as ```output blocks, and generation continues — the same loop as ``mathforge.tir`` — with the
interpreter's tokens masked out of the loss.

Why a custom rollout: TRL 1.16's built-in ``tools`` drive JSON function calls through the chat template,
while math models (Qwen2.5-Math's TIR format) write ```python blocks. TRL's ``rollout_func`` hook lets us
return the token ids, their log-probabilities under the current policy, and an ``env_mask`` (1 = a token
the model wrote, 0 = interpreter output), which TRL uses as the tool mask in the loss.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from mathforge.prompts import OUTPUT_FENCE
from mathforge.sandbox import Sandbox
from mathforge.tir import output_block, pending_code


def _decode_round(model, tok, heads: list[list[int]], max_new: int, temperature: float) -> list[list[int]]:
    """New token ids for every head, stopping at the ```output fence: one continuously refilled batch
    (:mod:`mathforge.infer.refill`) — a round of sixteen rollouts decoded one at a time took 140 s on
    two CPU cores — or, for models the refill loop cannot drive, ``generate`` per head."""
    import torch

    from mathforge.infer.refill import RefillDecoder, Request, supports_refill
    from mathforge.infer.seeded import SeededSampler, sampling_warpers

    device = next(model.parameters()).device
    seeds = torch.randint(0, 2**62, (len(heads),)).tolist()  # from the trainer's seeded RNG
    if supports_refill(model) is None:
        warpers = sampling_warpers(temperature, 1.0, model.generation_config)
        requests = [Request(h, SeededSampler([s], warpers).pick) for h, s in zip(heads, seeds, strict=True)]
        decoded = RefillDecoder(model, tok, slots=len(heads), device=device).decode(
            requests, max_new, stop=[OUTPUT_FENCE]
        )
        return [d.ids for d in decoded]
    out = []
    for head in heads:
        ids = torch.tensor([head], device=device)
        with torch.no_grad():
            gen = model.generate(
                ids,
                attention_mask=torch.ones_like(ids),
                max_new_tokens=max_new,
                do_sample=True,
                temperature=temperature,
                stop_strings=[OUTPUT_FENCE],
                tokenizer=tok,
                pad_token_id=tok.pad_token_id,
            )
        out.append(gen[0, ids.shape[1] :].tolist())
    return out


def make_tir_rollout(sandbox: Sandbox, max_rounds: int, temperature: float):
    stats = {"trajectories": 0, "cells_run": 0, "cell_errors": 0}

    def rollout(prompts: list, trainer) -> dict[str, Any]:
        import torch

        model = trainer.accelerator.unwrap_model(trainer.model)
        tok = trainer.processing_class
        budget = trainer.args.max_completion_length
        device = next(model.parameters()).device
        out: dict[str, list] = {"prompt_ids": [], "completion_ids": [], "logprobs": [], "env_mask": []}
        p_ids = [
            tok(
                tok.apply_chat_template(p, tokenize=False, add_generation_prompt=True)
                if isinstance(p, list)
                else p,
                add_special_tokens=False,
            )["input_ids"]
            for p in prompts
        ]
        segments: list[list[tuple[list[int], int]]] = [[] for _ in prompts]  # (ids, 1 = model's)
        texts = [""] * len(prompts)
        used = [0] * len(prompts)
        was_training = model.training
        model.eval()
        try:
            with ExitStack() as stack:
                sessions: dict[int, Any] = {}
                active = list(range(len(prompts)))
                for round_no in range(max_rounds + 1):
                    if not active:
                        break
                    heads = [p_ids[i] + [t for seg, _ in segments[i] for t in seg] for i in active]
                    rounds = _decode_round(
                        model, tok, heads, max(1, budget - min(used[i] for i in active)), temperature
                    )
                    still = []
                    for i, new in zip(active, rounds, strict=True):
                        new = new[: max(1, budget - used[i])]  # each trajectory keeps its own budget
                        piece = tok.decode(new, skip_special_tokens=True)
                        if OUTPUT_FENCE in piece:  # drop the stop string itself; we write the block
                            piece = piece[: piece.index(OUTPUT_FENCE)]
                            new = tok(piece, add_special_tokens=False)["input_ids"]
                        segments[i].append((new, 1))
                        used[i] += len(new)
                        texts[i] += piece
                        code = pending_code(texts[i])
                        if code is None or round_no == max_rounds or used[i] >= budget:
                            continue
                        if i not in sessions:
                            sessions[i] = stack.enter_context(sandbox.session())
                        result = sessions[i].run(code)
                        stats["cells_run"] += 1
                        stats["cell_errors"] += result.status != "ok"
                        block = ("" if texts[i].endswith("\n") else "\n") + output_block(result)
                        b_ids = tok(block, add_special_tokens=False)["input_ids"]
                        segments[i].append((b_ids, 0))
                        used[i] += len(b_ids)
                        texts[i] += block
                        still.append(i)
                    active = still
            for i, prompt_ids in enumerate(p_ids):
                c_ids = [t for seg, _ in segments[i] for t in seg][:budget]
                mask = [m for seg, m in segments[i] for _ in seg][:budget]
                if not c_ids:  # an empty completion: one EOS so every row has a token
                    c_ids, mask = [tok.eos_token_id], [1]
                full = torch.tensor([prompt_ids + c_ids], device=device)
                with torch.no_grad():
                    logits = model(full).logits[0, len(prompt_ids) - 1 : -1].float()
                lp = torch.log_softmax(logits, -1).gather(1, torch.tensor(c_ids, device=device)[:, None])[
                    :, 0
                ]
                out["prompt_ids"].append(prompt_ids)
                out["completion_ids"].append(c_ids)
                out["logprobs"].append(lp.tolist())
                out["env_mask"].append(mask)
                stats["trajectories"] += 1
        finally:
            model.train(was_training)
        return out

    rollout.stats = stats  # type: ignore[attr-defined]
    return rollout
