"""The openai backend against a scripted server, and the runner's cache, metrics and outputs."""

from __future__ import annotations

import json
import re

import pytest
from evaldata import EXPECTED_ACCURACY, ITEMS, write_gsm8k
from fake_openai import FakeOpenAI

from mathforge.evaluate import EvalConfig, run_eval
from mathforge.infer import BackendSpec, SamplingParams, get_backend
from mathforge.prompts import Prompt


def sum_of_last_two(text: str) -> str:
    nums = re.findall(r"\d+", text)
    return f"Adding them up, the answer is {sum(int(x) for x in nums[-2:])}."


def _config(tmp_path, url, **kw) -> EvalConfig:
    spec = BackendSpec(
        backend="openai", model="fake", api_base=url, concurrency=4, max_retries=3, **kw.pop("spec", {})
    )
    return EvalConfig(
        model="fake",
        backend="openai",
        benchmarks=["gsm8k"],
        data_dir=str(write_gsm8k(tmp_path / "data")),
        out=str(tmp_path / "run"),
        backend_spec=spec,
        **kw,
    )


def test_eval_scores_writes_outputs_and_resumes_from_cache(tmp_path):
    with FakeOpenAI(sum_of_last_two) as srv:
        result = run_eval(_config(tmp_path, srv.url))
        m = result.metrics["benchmarks"]["gsm8k"]
        assert m["items"] == len(ITEMS)
        assert m["accuracy"] == pytest.approx(EXPECTED_ACCURACY)
        lo, hi = m["ci95"]
        assert lo < EXPECTED_ACCURACY < hi
        assert result.generated == len(ITEMS) and result.cached == 0
        first_attempts = sum(srv.attempts.values())
        again = run_eval(_config(tmp_path, srv.url))
        assert again.generated == 0 and again.cached == len(ITEMS)
        assert sum(srv.attempts.values()) == first_attempts  # nothing regenerated
    out = tmp_path / "run"
    samples = [json.loads(x) for x in (out / "gsm8k" / "samples.jsonl").read_text().splitlines()]
    assert sorted(s["id"] for s in samples) == sorted({s["id"] for s in samples})
    assert len(samples) == len(ITEMS)
    s = samples[0]
    assert {"prompt", "outputs", "preds", "verdicts", "tokens", "seconds"} <= set(s)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["run"]["versions"]["mathforge"] and metrics["run"]["sampling"]["temperature"] == 0.0
    assert "| gsm8k | 10 | 60.0 |" in (out / "results.md").read_text()
    assert "<svg" in (out / "report.html").read_text()


def test_sampling_gives_maj_and_pass_at_k(tmp_path):
    with FakeOpenAI(sum_of_last_two) as srv:
        result = run_eval(_config(tmp_path, srv.url, n=4, temperature=0.8))
    m = result.metrics["benchmarks"]["gsm8k"]
    assert m["maj@k"] == {"k": 4, "accuracy": pytest.approx(EXPECTED_ACCURACY)}
    assert set(m["pass@k"]) == {"1", "2", "4"}
    assert m["pass@k"]["4"] == pytest.approx(EXPECTED_ACCURACY)


def test_retries_timeouts_and_permanent_errors_are_handled(tmp_path):
    faults = {"3 plus 4": "500:2", "10 plus 5": "429:1", "7 plus 8": "sleep:3", "2 times 7": "500:99"}
    with FakeOpenAI(sum_of_last_two, faults=faults) as srv:
        cfg = _config(tmp_path, srv.url, spec={"request_timeout": 1.0})
        result = run_eval(cfg)
        attempts = {k: v for k, v in srv.attempts.items()}
    by_q = {q: n for q, n in attempts.items()}
    assert max(n for q, n in by_q.items() if "3 plus 4" in q) == 3  # two 500s, then success
    assert max(n for q, n in by_q.items() if "10 plus 5" in q) == 2  # one 429, then success
    assert max(n for q, n in by_q.items() if "7 plus 8" in q) == 2  # timed out once, then success
    m = result.metrics["benchmarks"]["gsm8k"]
    # the permanently failing item is kept and counted, not lost: it was a wrong answer anyway
    assert m["items"] == len(ITEMS)
    assert m["verdicts"].get("unparseable", 0) == 1
    samples = [json.loads(x) for x in (tmp_path / "run" / "gsm8k" / "samples.jsonl").read_text().splitlines()]
    failed = [s for s in samples if s["errors"]]
    assert len(failed) == 1 and "InternalServerError" in failed[0]["errors"][0]


def test_completions_endpoint_and_stop_strings(tmp_path):
    with FakeOpenAI(lambda t: "The answer is 7.\n\nQuestion: next") as srv:
        backend = get_backend(BackendSpec(backend="openai", model="fake", api_base=srv.url, chat=False))
        prompt = Prompt(
            messages=({"role": "user", "content": "q"},),
            text="Question: 3+4?\nAnswer:",
            style="fewshot",
            stop=("\n\nQuestion:",),
        )
        [[gen]] = backend.generate([prompt], SamplingParams(max_tokens=20))
    assert gen.text == "The answer is 7."


def test_missing_api_base_is_a_clear_error():
    from mathforge.infer import BackendError

    with pytest.raises(BackendError, match="--api-base"):
        get_backend(BackendSpec(backend="openai", model="m"))
