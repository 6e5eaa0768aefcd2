"""GGUF models through llama-cpp-python (the fast CPU engine)."""

from __future__ import annotations

import os
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


class LlamaCppBackend:
    name = "llamacpp"

    def __init__(self, spec: BackendSpec) -> None:
        try:
            import llama_cpp
        except ImportError as exc:
            raise BackendError(
                "the llamacpp backend needs llama-cpp-python: pip install llama-cpp-python"
            ) from exc
        path = Path(spec.model).expanduser()
        if not path.is_file():
            raise BackendError(f"{spec.model}: no such GGUF file; pass the path of a .gguf model")
        self.spec = spec
        self.model_id = str(path)
        self._llama_cpp = llama_cpp
        threads = spec.n_threads or min(8, os.cpu_count() or 1)
        try:
            self.llm = llama_cpp.Llama(
                model_path=str(path), n_ctx=spec.n_ctx, n_threads=threads, seed=0, verbose=False
            )
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"cannot load {path}: {exc}") from exc
        self.chat = spec.chat if spec.chat is not None else True

    def _one(self, prompt: Prompt, params: SamplingParams, seed: int) -> Generation:
        stop = list(dict.fromkeys([*prompt.stop, *params.stop])) or None
        common = {
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "stop": stop,
            "seed": seed,
        }
        t0 = time.perf_counter()
        if self.chat and not prompt.continuation:
            resp = self.llm.create_chat_completion(messages=list(prompt.messages), **common)
            choice = resp["choices"][0]
            text = choice["message"]["content"] or ""
        else:
            head = self._render_chat(prompt) if self.chat else prompt.text
            resp = self.llm.create_completion(prompt=head + prompt.continuation, **common)
            choice = resp["choices"][0]
            text = choice["text"]
        text, _ = truncate_at_stop(text, stop or ())
        tokens = resp.get("usage", {}).get("completion_tokens", 0)
        return Generation(text, tokens, choice.get("finish_reason") or "stop", time.perf_counter() - t0)

    def _render_chat(self, prompt: Prompt) -> str:
        """The model's own chat template (from the GGUF metadata), for continuing an assistant turn."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise BackendError(f"{self.model_id} has no chat template; use --no-chat")
        vocab = self.llm
        fmt = Jinja2ChatFormatter(
            template=template,
            eos_token=vocab.detokenize([vocab.token_eos()]).decode(errors="ignore"),
            bos_token=vocab.detokenize([vocab.token_bos()]).decode(errors="ignore"),
        )
        return fmt(messages=list(prompt.messages)).prompt

    def generate(
        self, prompts: Sequence[Prompt], params: SamplingParams, progress: ProgressFn | None = None
    ) -> list[list[Generation]]:
        out = []
        for i, prompt in enumerate(prompts):
            gens = [self._one(prompt, params, params.seed + i * 1000 + j) for j in range(params.n)]
            if params.temperature == 0 and params.n > 1:
                gens = [gens[0]] * params.n
            out.append(gens)
            if progress:
                progress(1)
        return out

    def info(self) -> dict[str, Any]:
        return {
            "backend": "llamacpp",
            "model": self.model_id,
            "chat": self.chat,
            "n_ctx": self.spec.n_ctx,
            "llama_cpp_python": self._llama_cpp.__version__,
        }
