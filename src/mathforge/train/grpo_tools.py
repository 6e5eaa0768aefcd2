"""Tool-integrated GRPO rollouts: the policy writes ```python blocks, the sandbox runs them, their output
is appended as ```output blocks, and generation continues — the same loop as ``mathforge.tir`` — with the
interpreter's tokens masked out of the loss.

Why a custom rollout: TRL 1.16's built-in ``tools`` drive JSON function calls through the chat template,
while math models (Qwen2.5-Math's TIR format) write ```python blocks. TRL's ``rollout_func`` hook lets us
return the token ids, their log-probabilities under the current policy, and an ``env_mask`` (1 = a token
the model wrote, 0 = interpreter output), which TRL uses as the tool mask in the loss.
"""

from __future__ import annotations

from typing import Any

from mathforge.prompts import OUTPUT_FENCE
from mathforge.sandbox import Sandbox
from mathforge.tir import output_block, pending_code


def make_tir_rollout(sandbox: Sandbox, max_rounds: int, temperature: float):
    stats = {"trajectories": 0, "cells_run": 0, "cell_errors": 0}

    def rollout(prompts: list, trainer) -> dict[str, Any]:
        import torch

        model = trainer.accelerator.unwrap_model(trainer.model)
        tok = trainer.processing_class
        budget = trainer.args.max_completion_length
        device = next(model.parameters()).device
        out: dict[str, list] = {"prompt_ids": [], "completion_ids": [], "logprobs": [], "env_mask": []}
        was_training = model.training
        model.eval()
        try:
            for prompt in prompts:
                head = (
                    tok.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
                    if isinstance(prompt, list)
                    else prompt
                )
                p_ids = tok(head, add_special_tokens=False)["input_ids"]
                segments: list[tuple[list[int], int]] = []
                text = ""
                used = 0
                with sandbox.session() as session:
                    for round_no in range(max_rounds + 1):
                        ids = torch.tensor([p_ids + [i for seg, _ in segments for i in seg]], device=device)
                        with torch.no_grad():
                            gen = model.generate(
                                ids,
                                attention_mask=torch.ones_like(ids),
                                max_new_tokens=max(1, budget - used),
                                do_sample=True,
                                temperature=temperature,
                                stop_strings=[OUTPUT_FENCE],
                                tokenizer=tok,
                                pad_token_id=tok.pad_token_id,
                            )
                        new = gen[0, ids.shape[1] :].tolist()
                        piece = tok.decode(new, skip_special_tokens=True)
                        if OUTPUT_FENCE in piece:  # drop the stop string itself; we write the block
                            piece = piece[: piece.index(OUTPUT_FENCE)]
                            new = tok(piece, add_special_tokens=False)["input_ids"]
                        segments.append((new, 1))
                        used += len(new)
                        text += piece
                        code = pending_code(text)
                        if code is None or round_no == max_rounds or used >= budget:
                            break
                        result = session.run(code)
                        stats["cells_run"] += 1
                        stats["cell_errors"] += result.status != "ok"
                        block = ("" if text.endswith("\n") else "\n") + output_block(result)
                        b_ids = tok(block, add_special_tokens=False)["input_ids"]
                        segments.append((b_ids, 0))
                        used += len(b_ids)
                        text += block
                c_ids = [i for seg, _ in segments for i in seg][:budget]
                mask = [m for seg, m in segments for _ in seg][:budget]
                if not c_ids:  # an empty completion: one EOS so every row has a token
                    c_ids, mask = [tok.eos_token_id], [1]
                full = torch.tensor([p_ids + c_ids], device=device)
                with torch.no_grad():
                    logits = model(full).logits[0, len(p_ids) - 1 : -1].float()
                lp = torch.log_softmax(logits, -1).gather(1, torch.tensor(c_ids, device=device)[:, None])[
                    :, 0
                ]
                out["prompt_ids"].append(p_ids)
                out["completion_ids"].append(c_ids)
                out["logprobs"].append(lp.tolist())
                out["env_mask"].append(mask)
                stats["trajectories"] += 1
        finally:
            model.train(was_training)
        return out

    rollout.stats = stats  # type: ignore[attr-defined]
    return rollout
