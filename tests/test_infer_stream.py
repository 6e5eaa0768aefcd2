"""``Backend.stream`` on the real backends: the hf backend on a tiny model built here, the openai backend
against the scripted SSE server, and the whole-sample fallback (vLLM's offline engine). The llamacpp
stream is tested with its GGUF in test_infer_llamacpp.py. Every stream must join to what ``generate``
gives and stop when cancelled."""

from __future__ import annotations

import threading
import time

import pytest
from fake_openai import FakeOpenAI

from mathforge.infer import BackendSpec, Generation, SamplingParams, collect_stream, get_backend
from mathforge.infer.base import Backend, StopBuffer
from mathforge.prompts import Prompt

TEXTS = ["What is 3 plus 4? The answer is 7.", "Question: solve 2x = 10. Answer: x = 5.", "答案是 9。"] * 50


def _prompt(q: str = "What is 3 plus 4?", stop: tuple[str, ...] = ()) -> Prompt:
    return Prompt(messages=({"role": "user", "content": q},), text=q, style="cot", stop=stop)


def _drain(stream) -> tuple[list[str], Generation]:
    pieces: list[str] = []
    gen = collect_stream(stream, lambda text: pieces.append(text[len("".join(pieces)) :]))
    return pieces, gen


# ------------------------------------------------------------------------------------------ shared


def test_stop_buffer_holds_back_what_may_become_a_stop_string():
    buf = StopBuffer(["\n\nQuestion:"])
    assert buf.feed("The answer") == "The answer"
    assert buf.feed("The answer is 7.\n") == " is 7."  # "\n" may start the stop string: held
    assert buf.feed("The answer is 7.\n\nQ") == ""
    assert buf.feed("The answer is 7.\n\nQuestion: next") == ""  # the stop string: the end
    assert buf.finish("The answer is 7.") == "" and buf.sent == "The answer is 7."
    assert StopBuffer(["\n\nQuestion:"]).feed("a\n\nb") == "a\n\nb"  # not the stop string after all
    half = StopBuffer([])
    assert half.feed("答\ufffd") == "答" and half.feed("答案") == "案"  # half a character waits


class WholeOnly(Backend):
    """An engine with only ``generate`` (as vLLM's offline engine): it inherits the default stream."""

    name, model_id = "whole", "whole"

    def __init__(self) -> None:
        self.calls = 0

    def generate(self, prompts, params, progress=None):
        self.calls += 1
        return [[Generation(f"echo {p.text}", 2, "stop")] * params.n for p in prompts]

    def info(self):
        return {}


def test_default_stream_yields_the_whole_sample_and_honours_an_early_cancel():
    from mathforge.infer.vllm_backend import VLLMBackend

    assert VLLMBackend.stream is Backend.stream  # vLLM's offline engine cannot stream: documented fallback
    engine = WholeOnly()
    pieces, gen = _drain(engine.stream(_prompt("hi"), SamplingParams(n=3)))
    assert pieces == ["echo hi"] and gen == Generation("echo hi", 2, "stop")
    cancel = threading.Event()
    cancel.set()
    pieces, gen = _drain(engine.stream(_prompt("hi"), SamplingParams(), cancel))
    assert pieces == [] and gen.finish_reason == "cancelled" and engine.calls == 1


# ---------------------------------------------------------------------------------------------- hf


@pytest.fixture(scope="module")
def hf(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from mathforge.models.tiny import build_tiny_model

    path = build_tiny_model(tmp_path_factory.mktemp("tiny"), TEXTS, vocab_size=300, hidden_size=32)
    return get_backend(BackendSpec(backend="hf", model=str(path), batch_size=1))


def test_hf_stream_is_token_by_token_and_joins_to_generate(hf):
    params = SamplingParams(max_tokens=24)
    [[want]] = hf.generate([_prompt()], params)
    pieces, gen = _drain(hf.stream(_prompt(), params))
    assert len(pieces) > 1 and all(pieces)
    assert "".join(pieces) == want.text == gen.text
    assert (gen.tokens, gen.finish_reason) == (want.tokens, want.finish_reason)


def test_hf_stream_cuts_at_stop_strings_as_generate_does(hf):
    free = hf.generate([_prompt()], SamplingParams(max_tokens=24))[0][0].text
    assert len(free) > 6, free
    stop = free[len(free) // 2 : len(free) // 2 + 2]
    params = SamplingParams(max_tokens=24, stop=(stop,))
    want = hf.generate([_prompt()], params)[0][0].text
    pieces, gen = _drain(hf.stream(_prompt(), params))
    assert "".join(pieces) == gen.text == want and stop not in want and free.startswith(want)


def test_hf_stream_samples_with_generates_seed(hf):
    params = SamplingParams(temperature=1.0, max_tokens=16, seed=11)
    want = hf.generate([_prompt()], params)[0][0].text
    pieces, _ = _drain(hf.stream(_prompt(), params))
    assert "".join(pieces) == want


def test_hf_stream_stops_at_the_next_token_on_cancel_or_close(hf):
    params = SamplingParams(max_tokens=200)
    full = collect_stream(hf.stream(_prompt(), params))
    cancel = threading.Event()
    stopped = collect_stream(hf.stream(_prompt(), params, cancel), lambda text: cancel.set())
    # the generation thread may run a few tokens ahead of the reader (more on a busy machine), then stops
    assert stopped.finish_reason == "cancelled" and stopped.tokens <= 20 < full.tokens
    stream = hf.stream(_prompt(), SamplingParams(max_tokens=4000))
    next(stream)
    stream.close()  # what the app does when the job is cancelled
    assert not any(t.name == "mathforge-hf-stream" for t in threading.enumerate())


# ------------------------------------------------------------------------------------------ openai


def _openai(url: str, **kw):
    return get_backend(BackendSpec(backend="openai", model="fake", api_base=url, max_retries=0, **kw))


def test_openai_stream_sends_stream_true_and_joins_the_chunks():
    reply = "Adding them up, the answer is $\\boxed{7}$."
    with FakeOpenAI(lambda t: reply) as srv:
        backend = _openai(srv.url)
        want = backend.generate([_prompt()], SamplingParams(max_tokens=20))[0][0]
        pieces, gen = _drain(backend.stream(_prompt(), SamplingParams(max_tokens=20)))
        assert srv.chunks_sent[-1] == 1 + len(reply.split()) + 1  # role, one per word, finish
    assert pieces == ["Adding ", "them ", "up, ", "the ", "answer ", "is ", "$\\boxed{7}$."]
    assert "".join(pieces) == want.text == gen.text == reply
    assert (gen.tokens, gen.finish_reason) == (len(pieces), "stop")


def test_openai_completions_stream_cuts_at_stop_strings():
    with FakeOpenAI(lambda t: "The answer is 7.\n\nQuestion: next one") as srv:
        backend = _openai(srv.url, chat=False)
        prompt = _prompt("Question: 3+4?\nAnswer:", stop=("\n\nQuestion:",))
        want = backend.generate([prompt], SamplingParams(max_tokens=20))[0][0].text
        pieces, gen = _drain(backend.stream(prompt, SamplingParams(max_tokens=20)))
    assert len(pieces) > 1 and not any("\n" in p for p in pieces)
    assert "".join(pieces) == gen.text == want == "The answer is 7."


def test_openai_stream_cancel_closes_the_connection():
    with FakeOpenAI(lambda t: "word " * 300, stream_delay=0.01) as srv:
        cancel = threading.Event()
        seen: list[str] = []

        def on_text(text: str) -> None:
            seen.append(text)
            if len(seen) == 3:
                cancel.set()

        t0 = time.time()
        gen = collect_stream(_openai(srv.url).stream(_prompt(), SamplingParams(), cancel), on_text)
        assert time.time() - t0 < 2 and gen.finish_reason == "cancelled" and gen.text == seen[-1]
        deadline = time.time() + 5
        while srv.disconnects == 0 and time.time() < deadline:
            time.sleep(0.02)
        assert srv.disconnects == 1 and srv.chunks_sent[0] < 100  # the server saw the client leave


def test_openai_stream_errors_become_an_error_generation():
    with FakeOpenAI(lambda t: "never", faults={"3 plus 4": "500:99"}) as srv:
        pieces, gen = _drain(_openai(srv.url).stream(_prompt(), SamplingParams()))
    assert pieces == [] and gen.finish_reason == "error" and "InternalServerError" in gen.error
