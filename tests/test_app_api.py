"""The solver app's HTTP API without a browser: job requests, SSE streaming, votes grouped by the
grader's equivalence, checks, cancellation, concurrency and load errors, and a real backend (openai,
against the scripted SSE server) streaming tokens into the page's events. The helpers here (a real
uvicorn server in a thread, scripted backends) are reused by test_app_browser.py."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

pytest.importorskip("fastapi", reason="the app needs FastAPI: pip install 'mathforge[ui]'")
pytest.importorskip("uvicorn", reason="the app needs uvicorn: pip install 'mathforge[ui]'")

from fake_openai import FakeOpenAI

from mathforge.app.server import AppSettings, create_app, group_votes
from mathforge.infer import BackendError, BackendSpec, Generation, get_backend
from mathforge.infer.base import Backend

# --------------------------------------------------------------------------------------------- helpers

ANSWERS = ["\\frac{1}{2}", "0.5", "3"]  # samples 1 and 2 agree only under the grader's equivalence


class Scripted(Backend):
    """Fixed text per sample: inline math, and a boxed answer that varies by sample (for the vote
    table). With a tool-integrated prompt it first writes a program, then boxes the value the
    sandbox printed (read back from the ```output block). It streams as engines that cannot do: the
    default ``Backend.stream``, a whole sample at once."""

    name = "scripted"
    model_id = "scripted"

    def __init__(self) -> None:
        self.calls = 0

    def reply(self, continuation: str, index: int, style: str) -> str:
        if style == "tir":
            out = re.search(r"```output\n(.*?)\n```", continuation, re.DOTALL)
            if out is None:
                return (
                    "Add the integers with a program, $\\frac{1}{2} n (n+1)$ checks it:\n"
                    "```python\ntotal = sum(range(1, 101))\nprint(total)\n```\n"
                )
            return f"The sandbox printed {out.group(1)}, so the answer is $\\boxed{{{out.group(1)}}}$."
        return (
            f"Half of one is $\\frac{{1}}{{2}}$; sample {index + 1} says the answer is "
            f"$\\boxed{{{ANSWERS[index % len(ANSWERS)]}}}$."
        )

    def generate(self, prompts, params, progress=None):
        self.calls += 1
        return [
            [
                Generation(self.reply(p.continuation, params.seed // 1000 + j, p.style))
                for j in range(params.n)
            ]
            for p in prompts
        ]

    def info(self):
        return {"backend": "scripted"}


class Slow(Scripted):
    """Streams a long answer word by word with a pause between words, unless the question says fast;
    a stand-in for an engine that is slow on purpose (the real backends' streams are tested in
    test_infer_stream.py and below)."""

    name = "slow"

    def __init__(self, delay: float = 0.05, words: int = 200) -> None:
        super().__init__()
        self.delay, self.words = delay, words
        self.words_sent = 0

    def stream(self, prompt, params, cancel=None):
        if "fast" in prompt.text:
            yield "Quick: $\\boxed{7}$."
            return
        for i in range(self.words):
            time.sleep(self.delay)
            if cancel is not None and cancel.is_set():
                return
            self.words_sent += 1
            yield f"step{i} "
        yield "$\\boxed{1}$"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(app):
    """The app on a free loopback port, uvicorn in a thread; yields the base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=2)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        if time.time() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def call(url: str, body: dict | None = None, timeout: float = 10) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    if body is not None:
        req.method = "POST"
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def events(base: str, job_id: str, timeout: float = 60):
    """Yield the job's SSE events (parsed) until its end event."""
    with urllib.request.urlopen(f"{base}/api/jobs/{job_id}/events", timeout=timeout) as r:
        assert r.headers["Content-Type"].startswith("text/event-stream")
        for raw in r:
            line = raw.decode().rstrip("\n")
            if line.startswith("data: "):
                ev = json.loads(line[6:])
                yield ev
                if ev["type"] == "end":
                    return


def solve(base: str, **body) -> list[dict]:
    code, job = call(f"{base}/api/jobs", body)
    assert code == 201, job
    return list(events(base, job["id"]))


def wait_ready(base: str, timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        _, st = call(f"{base}/api/status")
        if st["state"] != "loading":
            return st
        time.sleep(0.1)
    raise AssertionError("the model did not load")


# ----------------------------------------------------------------------------------------------- tests


def test_group_votes_merges_equivalent_answers():
    groups = group_votes(["\\frac{1}{2}", "0.5", "3", None])
    assert [(g["answer"], g["count"], g["members"]) for g in groups] == [
        ("\\frac{1}{2}", 2, [0, 1]),
        ("3", 1, [2]),
    ]
    assert groups[0]["share"] == pytest.approx(0.5)  # shares are of all samples, unanswered included


def test_cot_job_streams_samples_then_votes_and_verdict():
    with serve(create_app(backend=Scripted())) as base:
        assert wait_ready(base)["state"] == "ready"
        evs = solve(base, question="What is half of one?", mode="cot", k=3, reference="1/2")
    types = [e["type"] for e in evs]
    assert types[-1] == "end" and evs[-1]["state"] == "done"
    assert types.index("sample") < types.index("result")  # samples stream before the result
    assert {e["index"] for e in evs if e["type"] == "sample"} == {0, 1, 2}
    res = next(e for e in evs if e["type"] == "result")
    assert [(v["answer"], v["count"]) for v in res["votes"]] == [("\\frac{1}{2}", 2), ("3", 1)]
    assert res["share"] == pytest.approx(2 / 3)
    assert res["verdict"]["verdict"] == "correct"
    assert [s["verdict"]["verdict"] for s in res["samples"]] == ["correct", "correct", "wrong"]


def test_tir_job_runs_the_code_in_the_sandbox():
    settings = AppSettings(tool_rounds=2, tool_timeout=10)
    with serve(create_app(backend=Scripted(), settings=settings)) as base:
        evs = solve(base, question="求 1 到 100 的和。", mode="tir", k=1)
    res = next(e for e in evs if e["type"] == "result")
    [sample] = res["samples"]
    assert sample["cells"] == [
        {
            "code": "total = sum(range(1, 101))\nprint(total)\n",
            "status": "ok",
            "output": "5050",
            "seconds": pytest.approx(sample["cells"][0]["seconds"]),
        }
    ]
    assert "```output\n5050\n```" in sample["text"] and sample["answer"] == "5050"
    assert any(e["type"] == "sample" and e["phase"] == "code" for e in evs)  # shown before it ran


def test_bad_requests_get_json_errors():
    with serve(create_app(backend=Scripted(), settings=AppSettings(max_samples=4))) as base:
        assert call(f"{base}/api/jobs", {"question": "  "}) == (400, {"error": "the problem is empty"})
        code, body = call(f"{base}/api/jobs", {"question": "1+1", "k": 5})
        assert code == 400 and body["error"] == "k must be between 1 and 4"
        code, body = call(f"{base}/api/jobs", {"question": "1+1", "mode": "magic"})
        assert code == 400 and "unknown mode" in body["error"]
        assert call(f"{base}/api/jobs/nope")[0] == 404


def test_cancel_stops_a_streaming_job_and_others_are_served_meanwhile():
    slow = Slow(delay=0.05, words=400)  # ~20 s per sample if nothing stops it
    with serve(create_app(backend=slow, settings=AppSettings(jobs=2))) as base:
        code, job = call(f"{base}/api/jobs", {"question": "slow one", "k": 3})
        assert code == 201
        stream = events(base, job["id"])
        for ev in stream:  # wait until it streams
            if ev["type"] == "sample" and "step3" in ev["text"]:
                break
        t0 = time.time()
        fast = solve(base, question="fast one", k=1)  # another request, answered meanwhile
        assert time.time() - t0 < 5
        assert next(e for e in fast if e["type"] == "result")["answer"] == "7"
        assert call(f"{base}/api/jobs/{job['id']}")[1]["state"] == "running"
        t1 = time.time()
        assert call(f"{base}/api/jobs/{job['id']}/cancel", {})[0] == 200
        rest = list(stream)
        assert rest[-1] == {"type": "end", "state": "cancelled", "message": "cancelled"}
        assert time.time() - t1 < 2
        sent = slow.words_sent
        time.sleep(0.3)
        assert slow.words_sent == sent < 400  # nothing generates after the cancel


def test_a_real_openai_backend_streams_tokens_and_cancel_closes_its_connection():
    words = [f"w{i} " for i in range(30)]
    reply = "".join(words) + "so the answer is $\\boxed{12}$."
    with FakeOpenAI(lambda t: reply if "crawl" not in t else "x " * 2000, stream_delay=0.02) as srv:
        backend = get_backend(BackendSpec(backend="openai", model="fake", api_base=srv.url, max_retries=0))
        with serve(create_app(backend=backend)) as base:
            evs = solve(base, question="What is 5 plus 7?", k=1)
            partial = [e["text"] for e in evs if e["type"] == "sample" and e["text"] not in ("", reply)]
            assert len(partial) >= 2  # the text grew in several updates before the sample was done
            assert all(reply.startswith(t) for t in partial) and partial == sorted(partial, key=len)
            assert next(e for e in evs if e["type"] == "result")["answer"] == "12"
            assert srv.chunks_sent == [1 + len(words) + 5 + 1]  # one request, streamed (role ... finish)

            _, job = call(f"{base}/api/jobs", {"question": "crawl", "k": 1})
            stream = events(base, job["id"])
            for ev in stream:
                if ev["type"] == "sample" and "x x x" in ev["text"]:
                    break
            assert call(f"{base}/api/jobs/{job['id']}/cancel", {})[0] == 200
            assert list(stream)[-1]["state"] == "cancelled"
            deadline = time.time() + 5
            while srv.disconnects == 0 and time.time() < deadline:
                time.sleep(0.02)
            assert srv.disconnects == 1 and srv.chunks_sent[1] < 500  # the server stopped sending


def test_a_tiny_hf_model_streams_through_the_app(tmp_path):
    pytest.importorskip("transformers")
    from mathforge.models.tiny import build_tiny_model

    model = build_tiny_model(tmp_path / "tiny", ["What is 2 plus 2? The answer is 4."] * 40, vocab_size=300)
    hf = get_backend(BackendSpec(backend="hf", model=str(model)))
    with serve(create_app(backend=hf, settings=AppSettings(max_tokens=12))) as base:
        evs = solve(base, question="What is 2 plus 2?", k=2)
    assert evs[-1]["state"] == "done"
    samples = next(e for e in evs if e["type"] == "result")["samples"]
    assert len(samples) == 2 and all(s["error"] is None for s in samples)
    last = {e["index"]: e["text"] for e in evs if e["type"] == "sample"}
    assert [last[0], last[1]] == [s["text"] for s in samples] and any(t.strip() for t in last.values())


def test_a_model_that_cannot_load_is_reported():
    def broken():
        raise BackendError("cannot load model 'nowhere': no such folder; check the path or model id")

    with serve(create_app(loader=broken)) as base:
        st = wait_ready(base)
        assert st["state"] == "error" and st["error"].startswith("cannot load model 'nowhere'")
        code, body = call(f"{base}/api/jobs", {"question": "1+1"})
        assert code == 503 and body["error"] == st["error"]


def test_a_real_hf_spec_that_does_not_exist_fails_cleanly(tmp_path):
    pytest.importorskip("transformers")
    from mathforge.infer import BackendSpec

    with serve(create_app(BackendSpec(backend="hf", model=str(tmp_path / "missing")))) as base:
        st = wait_ready(base)
    assert st["state"] == "error" and "cannot load model" in st["error"] and "\n" not in st["error"]


def test_cli_reports_a_taken_port_in_one_line():
    from typer.testing import CliRunner

    from mathforge.cli.main import app

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["app", "--model", "nowhere", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


class Judging(Scripted):
    """Scripted samples, and a GenSelect judge that prefers the solution whose answer is 3."""

    def generate(self, prompts, params, progress=None):
        out = []
        for p in prompts:
            if p.style == "genselect":
                sols = re.split(r"Solution \d+:", p.text)[1:]
                best = next(i for i, s in enumerate(sols) if "boxed{3}" in s)
                out.append([Generation(f"Solution {best + 1} is right.\nBest solution: {best + 1}")])
            else:
                out += super().generate([p], params)
        return out


def test_a_job_chooses_by_the_requested_strategy_and_says_why():
    with serve(create_app(backend=Judging())) as base:
        evs = solve(base, question="What is half of one?", mode="cot", k=3, select="genselect", reference="3")
        code, body = call(f"{base}/api/jobs", {"question": "q", "select": "best"})
    res = next(e for e in evs if e["type"] == "result")
    assert res["chosen_by"] == "genselect" and res["answer"] == "3"  # the judge overrules the majority
    assert res["why"] == "judge picked solution 2 of 2"
    assert res["share"] == pytest.approx(1 / 3) and res["verdict"]["verdict"] == "correct"
    assert code == 400 and "unknown selection 'best'" in body["error"]
