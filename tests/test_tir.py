"""Tool-integrated reasoning end to end: a scripted backend that writes known code, a fake OpenAI
server driving `mathforge solve --tir`, and a tiny local model through the hf engine."""

from __future__ import annotations

import json

import pytest
from evaldata import write_gsm8k
from fake_openai import FakeOpenAI

from mathforge.evaluate import EvalConfig, run_eval
from mathforge.infer import Generation, SamplingParams
from mathforge.sandbox import Sandbox, SandboxConfig
from mathforge.tir import ToolBackend, pending_code

ROUNDS = [
    "Let me compute the product first.\n```python\nx = 6 * 7\nprint(x)\n```\n",
    "The product is 42. Now add one, reusing x:\n```python\nprint(x + 1)\n```\n",
    "Both cells agree, so the answer is $\\boxed{43}$.",
]


def scripted_reply(transcript: str) -> str:
    return ROUNDS[min(transcript.count("```output"), len(ROUNDS) - 1)]


class ScriptedBackend:
    """Emits ROUNDS one by one, as a model would after each executed cell."""

    name = "scripted"
    model_id = "scripted"

    def __init__(self) -> None:
        self.calls = 0

    def generate(self, prompts, params, progress=None):
        self.calls += 1
        return [[Generation(scripted_reply(p.continuation))] * params.n for p in prompts]

    def info(self):
        return {"backend": "scripted"}


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(SandboxConfig(timeout=5, warm=2)) as sb:
        yield sb


def test_pending_code_only_for_a_closed_final_block():
    assert pending_code(ROUNDS[0]) == "x = 6 * 7\nprint(x)\n"
    assert pending_code(ROUNDS[0] + "and more text") is None
    assert pending_code("```python\nprint(1)\n") is None
    assert pending_code(ROUNDS[2]) is None


def test_multi_round_execution_keeps_variables_and_appends_outputs(sandbox):
    from mathforge.bench.problem import Problem
    from mathforge.prompts import build_prompt

    tool = ToolBackend(ScriptedBackend(), sandbox, max_rounds=4)
    prompt = build_prompt(Problem("1", "t", "What is 6*7+1?", "43", "number", "en"), "tir")
    [[gen]] = tool.generate([prompt], SamplingParams(max_tokens=100))
    assert "```output\n42\n```" in gen.text and "```output\n43\n```" in gen.text
    assert gen.text.rstrip().endswith("$\\boxed{43}$.")
    cells = tool.last_trajectories[0][0].cells
    assert [c[1].stdout for c in cells] == ["42\n", "43\n"]


def test_eval_with_tir_prompt_grades_the_final_answer(tmp_path, sandbox):
    data = write_gsm8k(tmp_path / "data", [("What is 6 times 7, plus one?", 43), ("What is 6 times 7?", 42)])
    cfg = EvalConfig(
        model="scripted",
        backend="hf",
        benchmarks=["gsm8k"],
        data_dir=str(data),
        out=str(tmp_path / "run"),
        prompt="tir",
        tool_rounds=3,
    )
    result = run_eval(cfg, backend=ScriptedBackend())
    m = result.metrics["benchmarks"]["gsm8k"]
    assert m["items"] == 2 and m["accuracy"] == pytest.approx(0.5)  # 43 right, 42 wrong
    samples = [json.loads(x) for x in (tmp_path / "run" / "gsm8k" / "samples.jsonl").read_text().splitlines()]
    assert all("```output\n42\n```" in s["outputs"][0] for s in samples)
    assert result.metrics["run"]["backend_info"]["tools"]["max_rounds"] == 3


def test_round_limit_and_hostile_code_inside_a_trajectory(sandbox):
    from mathforge.prompts import Prompt

    class Looping(ScriptedBackend):
        def generate(self, prompts, params, progress=None):
            return [[Generation("```python\nimport os\nos.system('echo pwned')\n```\n")] for _ in prompts]

    tool = ToolBackend(Looping(), sandbox, max_rounds=2)
    p = Prompt(messages=({"role": "user", "content": "q"},), text="q", style="tir", stop=("```output",))
    [[gen]] = tool.generate([p], SamplingParams())
    assert gen.text.count("```output") == 2  # stopped after max_rounds executions
    assert "PermissionError: sandbox: os.system is not allowed" in gen.text


def test_program_of_thought_answer_is_the_printed_line(sandbox):
    from mathforge.prompts import Prompt

    class Pot(ScriptedBackend):
        def generate(self, prompts, params, progress=None):
            return [
                [
                    Generation(
                        "```python\nfrom fractions import Fraction\nprint(Fraction(3, 4) + Fraction(1, 4) * 2)\n```\n"
                    )
                ]
                for _ in prompts
            ]

    tool = ToolBackend(Pot(), sandbox, max_rounds=3)
    p = Prompt(messages=({"role": "user", "content": "q"},), text="q", style="pot", stop=("```output",))
    [[gen]] = tool.generate([p], SamplingParams())
    assert gen.text.endswith("The answer is $\\boxed{5/4}$.")


def test_solve_cli_with_tir_against_a_fake_server():
    from typer.testing import CliRunner

    from mathforge.cli.main import app

    with FakeOpenAI(scripted_reply) as srv:
        result = CliRunner().invoke(
            app,
            [
                "solve",
                "What is 6*7+1?",
                "--model",
                "fake",
                "--backend",
                "openai",
                "--api-base",
                srv.url,
                "--tir",
                "--samples",
                "3",
            ],
        )
    assert result.exit_code == 0, result.output
    assert "final answer: 43 (100% of samples)" in result.output
    assert "votes" in result.output and "3 votes" not in result.output
    assert "2 cell(s) run" in result.output


def test_solve_reads_stdin():
    from typer.testing import CliRunner

    from mathforge.cli.main import app

    with FakeOpenAI(lambda t: "Two plus two is $\\boxed{4}$.") as srv:
        result = CliRunner().invoke(
            app,
            ["solve", "--model", "fake", "--backend", "openai", "--api-base", srv.url],
            input="What is 2+2?\n",
        )
    assert result.exit_code == 0, result.output
    assert "final answer: 4" in result.output


def test_tir_with_a_tiny_local_model(tmp_path, sandbox):
    pytest.importorskip("transformers")
    from mathforge.infer import BackendSpec, get_backend
    from mathforge.models.tiny import build_tiny_model

    model = build_tiny_model(
        tmp_path / "tiny", ["```python\nprint(1)\n```\n```output\n1\n```"] * 40, vocab_size=300
    )
    data = write_gsm8k(tmp_path / "data", [("What is 2 plus 2?", 4)])
    inner = get_backend(BackendSpec(backend="hf", model=str(model), batch_size=2))
    cfg = EvalConfig(
        model=str(model),
        backend="hf",
        benchmarks=["gsm8k"],
        data_dir=str(data),
        out=str(tmp_path / "run"),
        prompt="tir",
        max_tokens=24,
        tool_rounds=2,
    )
    result = run_eval(cfg, backend=inner)
    assert result.metrics["benchmarks"]["gsm8k"]["items"] == 1
    # the continuation is rendered after the chat template, so a later round continues the same text
    from mathforge.prompts import Prompt

    p = Prompt(
        messages=({"role": "user", "content": "q"},), text="q", style="tir", continuation="```python\n"
    )
    assert inner.render(p).endswith("<|assistant|>\n```python\n")


def test_program_of_thought_runs_a_program_the_model_did_not_wait_for(sandbox):
    """A model trained on PoT transcripts whose output blocks were masked writes its program and then its
    own guess; the program still runs, and its printed line is the answer, not the guess."""
    from mathforge.prompts import Prompt

    class Guessing(ScriptedBackend):
        def generate(self, prompts, params, progress=None):
            text = "```python\napples = 48 / 2\nprint(apples + 48)\n```\nThe answer is $\\boxed{22222}$."
            return [[Generation(text)] for _ in prompts]

    tool = ToolBackend(Guessing(), sandbox, max_rounds=3)
    p = Prompt(messages=({"role": "user", "content": "q"},), text="q", style="pot", stop=("```output",))
    [[gen]] = tool.generate([p], SamplingParams())
    assert "22222" not in gen.text
    assert gen.text.endswith("```output\n72.0\n```\nThe answer is $\\boxed{72.0}$.")
    tir = Prompt(messages=p.messages, text="q", style="tir", stop=("```output",))
    [[plain]] = tool.generate([tir], SamplingParams())
    assert plain.text.endswith("\\boxed{22222}$.")  # tool-integrated reasoning: the model's text stands
