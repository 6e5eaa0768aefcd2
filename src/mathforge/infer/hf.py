"""transformers backend: batched, left-padded generation on CPU or GPU."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mathforge.infer.base import (
    BackendError,
    BackendSpec,
    Generation,
    ProgressFn,
    SamplingParams,
    truncate_at_stop,
)
from mathforge.prompts import Prompt


def _require_transformers():
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise BackendError(
            f"the hf backend needs torch and transformers ({exc.name} is missing): "
            "pip install torch==2.13.0 transformers"
        ) from exc
    return torch, transformers


def load_model_and_tokenizer(spec: BackendSpec):
    """Load from a local directory, a local ``.gguf`` file, or (only with allow_network) a Hub id."""
    torch, transformers = _require_transformers()
    transformers.utils.logging.disable_progress_bar()  # our own progress bar is the one to watch
    path = Path(spec.model).expanduser()
    kwargs: dict[str, Any] = {}
    source: str | Path = spec.model
    if path.is_file() and path.suffix == ".gguf":
        source, kwargs["gguf_file"] = path.parent, path.name
    elif path.is_dir():
        source = path
    elif not spec.allow_network:
        kwargs["local_files_only"] = True
    dtype = {"auto": "auto", "float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
    if spec.dtype not in dtype:
        raise BackendError(f"unknown dtype {spec.dtype!r}; use auto, float32, bfloat16 or float16")
    try:
        tok = transformers.AutoTokenizer.from_pretrained(source, **kwargs)
        model = transformers.AutoModelForCausalLM.from_pretrained(source, dtype=dtype[spec.dtype], **kwargs)
    except OSError as exc:
        hint = (
            "pass a local model directory or .gguf file, or add --allow-network to download it from the Hub"
            if kwargs.get("local_files_only")
            else "check the path or model id"
        )
        raise BackendError(
            f"cannot load model {spec.model!r}: {str(exc).splitlines()[0][:160]}; {hint}"
        ) from exc
    device = spec.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device).eval()
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    return model, tok, device


class HFBackend:
    """Batched generation with transformers. Prompts are sorted by length so each batch pads little."""

    name = "hf"

    def __init__(self, spec: BackendSpec) -> None:
        self.spec = spec
        self.model_id = spec.model
        self.model, self.tokenizer, self.device = load_model_and_tokenizer(spec)
        self.chat = (
            spec.chat if spec.chat is not None else bool(getattr(self.tokenizer, "chat_template", None))
        )

    def render(self, prompt: Prompt) -> str:
        """The exact text the model continues: chat template (or plain text) plus any continuation."""
        if self.chat:
            head = self.tokenizer.apply_chat_template(
                list(prompt.messages), tokenize=False, add_generation_prompt=True
            )
        else:
            head = prompt.text
        return head + prompt.continuation

    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams, progress: ProgressFn | None = None
    ) -> list[list[Generation]]:
        import torch

        texts = [self.render(p) for p in prompts]
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list[list[Generation] | None] = [None] * len(texts)
        bs = max(1, self.spec.batch_size)
        for b, start in enumerate(range(0, len(order), bs)):
            idx = order[start : start + bs]
            batch = self._generate_batch(
                [texts[i] for i in idx], [prompts[i].stop for i in idx], params, b, torch
            )
            for i, gens in zip(idx, batch, strict=True):
                out[i] = gens
            if progress:
                progress(len(idx))
        return [g or [] for g in out]

    def _generate_batch(
        self, texts, stops, params: SamplingParams, batch_no: int, torch
    ) -> list[list[Generation]]:
        tok = self.tokenizer
        enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=not self.chat).to(self.device)
        stop = sorted({s for ss in stops for s in ss} | set(params.stop))
        sample = params.temperature > 0
        n_seq = params.n if sample else 1
        gen_kwargs: dict[str, Any] = {
            "max_new_tokens": params.max_tokens,
            "do_sample": sample,
            "num_return_sequences": n_seq,
            "pad_token_id": tok.pad_token_id,
        }
        if sample:
            gen_kwargs.update(temperature=params.temperature, top_p=params.top_p)
        if stop:
            gen_kwargs.update(stop_strings=stop, tokenizer=tok)
        # one seed per batch: sampling is reproducible for the same prompts, batch size and order
        torch.manual_seed(params.seed + batch_no)
        t0 = time.perf_counter()
        with torch.inference_mode():
            seqs = self.model.generate(**enc, **gen_kwargs)
        elapsed = time.perf_counter() - t0
        new = seqs[:, enc["input_ids"].shape[1] :]
        results: list[list[Generation]] = []
        per_item = elapsed / max(1, len(texts))
        for i in range(len(texts)):
            gens = []
            for j in range(n_seq):
                ids = new[i * n_seq + j]
                n_tok = int((ids != tok.pad_token_id).sum())
                text = tok.decode(ids, skip_special_tokens=True)
                text, stopped = truncate_at_stop(text, stop)
                finish = "length" if n_tok >= params.max_tokens and not stopped else "stop"
                gens.append(Generation(text, n_tok, finish, per_item / n_seq))
            results.append(gens if sample else gens * params.n)
        return results

    def info(self) -> dict[str, Any]:
        import torch
        import transformers

        return {
            "backend": "hf",
            "model": self.model_id,
            "chat_template": self.chat,
            "device": str(self.device),
            "dtype": str(next(self.model.parameters()).dtype),
            "batch_size": self.spec.batch_size,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
        }
