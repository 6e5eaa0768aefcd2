"""transformers backend: batched, left-padded generation on CPU or GPU. With ``batch_size`` > 1 the rows
are continuously refilled (``mathforge.infer.refill``): a finished sequence leaves the batch at once and
a waiting prompt takes its place; ``continuous_batching=False`` (or a model the loop does not handle)
uses ``model.generate`` batch by batch. Sampling is seeded per prompt and sample
(``mathforge.infer.seeded``), so a sample does not depend on the batch it ran in."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mathforge.infer.base import (
    Backend,
    BackendError,
    BackendSpec,
    Generation,
    ProgressFn,
    SamplingParams,
    StopBuffer,
    TextStream,
    truncate_at_stop,
)
from mathforge.infer.refill import RefillDecoder, Request, eos_ids, supports_refill
from mathforge.infer.seeded import SeededSampler, row_seed, row_seeds, sampling_warpers
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


class _Halt:
    """A stopping criterion: ends generation at the next token once any of the flags is set."""

    def __init__(self, *flags: threading.Event | None) -> None:
        self.flags = [f for f in flags if f is not None]

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        halt = any(f.is_set() for f in self.flags)
        return torch.full((input_ids.shape[0],), halt, dtype=torch.bool, device=input_ids.device)


class _IdQueue:
    """A transformers streamer (``put``/``end``) that hands each new token id to the consuming thread.
    Not ``TextIteratorStreamer``: that one decodes line by line and holds words back, while the stream
    decodes all ids so far each time, so its pieces join to exactly what ``generate`` decodes."""

    def __init__(self) -> None:
        self.queue: queue.Queue[list[int] | None] = queue.Queue()
        self.prompt_seen = False

    def put(self, value) -> None:
        if not self.prompt_seen:  # the first call carries the prompt
            self.prompt_seen = True
            return
        self.queue.put([int(x) for x in value.reshape(-1).tolist()])

    def end(self) -> None:
        self.queue.put(None)


class HFBackend(Backend):
    """Batched generation with transformers. Prompts are sorted by length so each batch pads little."""

    name = "hf"

    def __init__(self, spec: BackendSpec) -> None:
        self.spec = spec
        self.model_id = spec.model
        self.model, self.tokenizer, self.device = load_model_and_tokenizer(spec)
        self.chat = (
            spec.chat if spec.chat is not None else bool(getattr(self.tokenizer, "chat_template", None))
        )
        self.eos = eos_ids(self.model, self.tokenizer)
        self.refill_off: str | None = None  # why generation runs batch by batch, if it does
        if not spec.continuous_batching:
            self.refill_off = "turned off"
        elif spec.batch_size <= 1:
            self.refill_off = "batch size 1"
        else:
            self.refill_off = supports_refill(self.model)

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
        if self.refill_off is None:
            return self._generate_refill(texts, prompts, params, progress)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list[list[Generation] | None] = [None] * len(texts)
        bs = max(1, self.spec.batch_size)
        for start in range(0, len(order), bs):
            idx = order[start : start + bs]
            batch = self._generate_batch(
                [texts[i] for i in idx], [prompts[i].stop for i in idx], params, torch
            )
            for i, gens in zip(idx, batch, strict=True):
                out[i] = gens
            if progress:
                progress(len(idx))
        return [g or [] for g in out]

    def _generate_refill(
        self, texts: list[str], prompts: Sequence[Prompt], params: SamplingParams, progress
    ) -> list[list[Generation]]:
        """Every prompt (and, when sampling, every sample of it) as one row of a continuously refilled
        batch; greedy decoding decodes each prompt once and repeats it ``n`` times, as ``generate`` does."""
        tok = self.tokenizer
        sample = params.temperature > 0
        n_seq = params.n if sample else 1
        warpers = (
            sampling_warpers(params.temperature, params.top_p, self.model.generation_config) if sample else []
        )
        requests, owner = [], []
        for i, text in enumerate(texts):
            ids = tok(text, add_special_tokens=not self.chat)["input_ids"]
            for j in range(n_seq):
                pick = SeededSampler([row_seed(params.seed, text, j)], warpers).pick if sample else None
                requests.append(Request(ids, pick))
                owner.append(i)
        stop = sorted({s for p in prompts for s in p.stop} | set(params.stop))
        left = [n_seq] * len(texts)

        def done(r: int) -> None:
            left[owner[r]] -= 1
            if progress and left[owner[r]] == 0:
                progress(1)

        decoder = RefillDecoder(self.model, tok, self.spec.batch_size, self.device)
        decoded = decoder.decode(requests, params.max_tokens, stop, on_done=done)
        out: list[list[Generation]] = [[] for _ in texts]
        for r, d in enumerate(decoded):
            text, stopped = truncate_at_stop(tok.decode(d.ids, skip_special_tokens=True), stop)
            finish = "stop" if stopped or d.finish == "stop" else "length"
            n_tok = sum(1 for x in d.ids if x != tok.pad_token_id)  # as _finish counts them
            out[owner[r]].append(Generation(text, n_tok, finish, d.seconds))
        return out if sample else [g * params.n for g in out]

    def _gen_kwargs(
        self, params: SamplingParams, stop: list[str], texts: list[str], n_seq: int
    ) -> dict[str, Any]:
        """``model.generate`` arguments shared by ``generate`` and ``stream``. Sampling is done by a
        ``SeededSampler`` with one generator per row (see ``mathforge.infer.seeded``), so a sample does not
        depend on the rest of the batch; ``generate`` itself decodes greedily what it draws. The rows
        must be ``texts`` each repeated ``n_seq`` times in a row."""
        from transformers import LogitsProcessorList

        kwargs: dict[str, Any] = {
            "max_new_tokens": params.max_tokens,
            "do_sample": False,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if params.temperature > 0:
            warpers = sampling_warpers(params.temperature, params.top_p, self.model.generation_config)
            sampler = SeededSampler(row_seeds(params.seed, texts, n_seq), warpers)
            kwargs["logits_processor"] = LogitsProcessorList([sampler])
        if stop:
            kwargs.update(stop_strings=stop, tokenizer=self.tokenizer)
        return kwargs

    def _finish(self, ids, stop: list[str], params: SamplingParams) -> tuple[str, int, str]:
        """Text (cut at the first stop string), token count and finish reason of one new-token row."""
        tok = self.tokenizer
        row = [int(x) for x in ids]
        n_tok = sum(1 for x in row if x != tok.pad_token_id)
        text, stopped = truncate_at_stop(tok.decode(row, skip_special_tokens=True), stop)
        # a row ran out of tokens when it is as long as allowed and neither an end-of-sequence token nor
        # a stop string ended it (not "fewer non-pad tokens than allowed": a model may emit its pad token)
        ended = stopped or len(row) < params.max_tokens or any(x in self.eos for x in row)
        return text, n_tok, "stop" if ended else "length"

    def _generate_batch(self, texts, stops, params: SamplingParams, torch) -> list[list[Generation]]:
        tok = self.tokenizer
        enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=not self.chat).to(self.device)
        stop = sorted({s for ss in stops for s in ss} | set(params.stop))
        sample = params.temperature > 0
        n_seq = params.n if sample else 1
        if n_seq > 1:  # rows [p0 s0, p0 s1, ..., p1 s0, ...], as num_return_sequences would lay them out
            enc = {k: v.repeat_interleave(n_seq, dim=0) for k, v in enc.items()}
        kwargs = self._gen_kwargs(params, stop, list(texts), n_seq)
        t0 = time.perf_counter()
        with torch.inference_mode():
            seqs = self.model.generate(**enc, **kwargs)
        elapsed = time.perf_counter() - t0
        new = seqs[:, enc["input_ids"].shape[1] :]
        results: list[list[Generation]] = []
        per_item = elapsed / max(1, len(texts))
        for i in range(len(texts)):
            gens = []
            for j in range(n_seq):
                text, n_tok, finish = self._finish(new[i * n_seq + j], stop, params)
                gens.append(Generation(text, n_tok, finish, per_item / n_seq))
            results.append(gens if sample else gens * params.n)
        return results

    def stream(
        self, prompt: Prompt, params: SamplingParams, cancel: threading.Event | None = None
    ) -> TextStream:
        """Token by token: ``model.generate`` runs in a thread and feeds token ids through a streamer;
        a stopping criterion ends it at the next token when ``cancel`` is set or the stream is closed.
        Same rendering, stop strings, sampling and seed as ``generate`` with this one prompt."""
        import torch
        from transformers import StoppingCriteriaList

        tok = self.tokenizer
        text = self.render(prompt)
        enc = tok([text], return_tensors="pt", add_special_tokens=not self.chat).to(self.device)
        stop = sorted(set(prompt.stop) | set(params.stop))
        closed = threading.Event()
        streamer = _IdQueue()
        kwargs = self._gen_kwargs(params, stop, [text], 1)  # sample 0's seed, as in generate
        kwargs.update(streamer=streamer, stopping_criteria=StoppingCriteriaList([_Halt(cancel, closed)]))
        out: dict[str, Any] = {}

        def run() -> None:
            try:
                with torch.inference_mode():
                    out["seqs"] = self.model.generate(**enc, **kwargs)
            except BaseException as exc:  # re-raised in the consuming thread
                out["error"] = exc
                streamer.end()

        t0 = time.perf_counter()
        worker = threading.Thread(target=run, name="mathforge-hf-stream", daemon=True)
        worker.start()
        buffer, ids = StopBuffer(stop), []
        try:
            while (new_ids := streamer.queue.get()) is not None:
                ids += new_ids
                if piece := buffer.feed(tok.decode(ids, skip_special_tokens=True)):
                    yield piece
        finally:
            closed.set()
            worker.join()
        if "error" in out:
            raise out["error"]
        text, n_tok, finish = self._finish(out["seqs"][0, enc["input_ids"].shape[1] :], stop, params)
        if piece := buffer.finish(text):
            yield piece
        if cancel is not None and cancel.is_set() and finish != "length":
            finish = "cancelled"
        return Generation(text, n_tok, finish, time.perf_counter() - t0)

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
            "continuous_batching": self.refill_off is None,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
        }
