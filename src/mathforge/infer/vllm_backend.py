"""vLLM's offline engine (GPU machines): tensor parallel via ``tensor_parallel_size``, other engine
options through ``BackendSpec.extra`` (e.g. ``data_parallel_size``); or serve the model with
``vllm serve`` and use the ``openai`` backend.

``LLM.generate`` returns only finished requests, so this backend does not stream: it inherits
``Backend.stream``, which yields each sample whole once it is done. For token streaming (the app),
run ``vllm serve`` and use the ``openai`` backend."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from mathforge.infer.base import (
    Backend,
    BackendError,
    BackendSpec,
    Generation,
    ProgressFn,
    SamplingParams,
    truncate_at_stop,
)
from mathforge.prompts import Prompt


class VLLMBackend(Backend):
    name = "vllm"

    def __init__(self, spec: BackendSpec) -> None:
        try:
            import vllm
        except ImportError as exc:
            raise BackendError(
                "the vllm backend needs vLLM on a GPU machine: pip install vllm "
                "(on CPU use --backend hf or llamacpp; or point --backend openai at a `vllm serve` URL)"
            ) from exc
        self.spec = spec
        self.model_id = spec.model
        self._vllm = vllm
        kwargs: dict[str, Any] = {"tensor_parallel_size": spec.tensor_parallel_size, "seed": 0}
        if spec.dtype != "auto":
            kwargs["dtype"] = spec.dtype
        kwargs.update(spec.extra)
        self.llm = vllm.LLM(model=spec.model, **kwargs)
        tok = self.llm.get_tokenizer()
        self.chat = spec.chat if spec.chat is not None else bool(getattr(tok, "chat_template", None))

    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams, progress: ProgressFn | None = None
    ) -> list[list[Generation]]:
        stop = sorted({s for p in prompts for s in p.stop} | set(params.stop)) or None
        sp = self._vllm.SamplingParams(
            n=params.n,
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=params.max_tokens,
            seed=params.seed,
            stop=stop,
        )
        t0 = time.perf_counter()
        if self.chat and any(p.continuation for p in prompts):
            convs = [[*p.messages, {"role": "assistant", "content": p.continuation}] for p in prompts]
            outs = self.llm.chat(
                convs, sp, use_tqdm=False, continue_final_message=True, add_generation_prompt=False
            )
        elif self.chat:
            outs = self.llm.chat([list(p.messages) for p in prompts], sp, use_tqdm=False)
        else:
            outs = self.llm.generate([p.text + p.continuation for p in prompts], sp, use_tqdm=False)
        per = (time.perf_counter() - t0) / max(1, len(prompts) * params.n)
        results = []
        for o in outs:
            gens = []
            for c in o.outputs:
                text, _ = truncate_at_stop(c.text, stop or ())
                gens.append(Generation(text, len(c.token_ids), c.finish_reason or "stop", per))
            results.append(gens)
        if progress:
            progress(len(prompts))
        return results

    def info(self) -> dict[str, Any]:
        return {
            "backend": "vllm",
            "model": self.model_id,
            "tensor_parallel_size": self.spec.tensor_parallel_size,
            "vllm": self._vllm.__version__,
        }
