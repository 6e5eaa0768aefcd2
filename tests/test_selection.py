"""Choosing among N samples: each strategy on hand-built sample sets where the right choice is known."""

from __future__ import annotations

import pytest

from mathforge.evaluate.selection import (
    Sample,
    choose,
    equation_of,
    genselect_many,
    genselect_prompt,
    last_cell_failed,
    parse_genselect,
    parse_strategies,
    verify_candidates,
)


def S(answer, correct=False, reward=None, text="", verified=None):
    return Sample(answer, text or f"so the answer is \\boxed{{{answer}}}", correct, reward, verified)


def test_majority_groups_equivalent_answers_and_breaks_ties_by_first_seen():
    samples = [S("1/2"), S("3", True), S("0.5"), S("3", True), S("\\frac{1}{2}")]
    c = choose("maj", samples)
    assert c.index == 0 and "1/2: 60%" in c.why  # 1/2, 0.5 and \frac{1}{2} are one class of three
    tie = [S("7", True), S("8"), S("8"), S("7", True)]
    assert choose("maj", tie).index == 0  # two each: the answer seen first
    assert choose("maj", [S(None), S("")]).index is None


def test_reward_best_follows_the_reward_model_even_when_it_prefers_a_wrong_answer():
    samples = [S("12", True, 0.1), S("12", True, 0.2), S("12", True, 0.3), S("15", False, 2.5)]
    assert choose("rm", samples).index == 3  # RM@N: the single highest score, right or wrong
    assert choose("maj", samples).index == 0


def test_reward_weighted_vote_lets_many_middling_samples_outvote_one_confident_outlier():
    samples = [S("12", True, 0.1), S("12", True, 0.2), S("12", True, 0.3), S("15", False, 2.5)]
    c = choose("rm_vote", samples)
    assert c.index == 0, c  # 3 × σ(~0.2) ≈ 1.65 > σ(2.5) ≈ 0.92
    lopsided = [S("12", True, -4.0), S("12", True, -4.0), S("15", False, 3.0)]
    assert choose("rm_vote", lopsided).index == 2  # 2 × 0.018 < 0.95
    assert choose("rm_vote", [S("1"), S("2")]).index is None  # no scores: no choice, said so


FAILED = "```python\nx = y + 1\n```\n```output\nNameError: name 'y' is not defined\n```\nSo \\boxed{5}."
FINE = "```python\nprint(2 + 3)\n```\n```output\n5\n```\nSo \\boxed{5}."
KILLED = "```python\nwhile True: pass\n```\n```output\nTimeoutError: the code ran too long and was stopped\n```\n\\boxed{9}"


def test_sc_tir_leaves_out_samples_whose_last_cell_failed():
    assert last_cell_failed(FAILED) is True and last_cell_failed(FINE) is False
    assert last_cell_failed("no code at all, \\boxed{3}") is None
    assert last_cell_failed(KILLED) is True
    samples = [S("9", text=FAILED), S("9", text=KILLED), S("9", text=FAILED), S("5", True, text=FINE)]
    c = choose("sctir", samples)
    assert c.index == 3 and "3 sample(s) with a failed last cell left out" in c.why
    assert choose("maj", samples).index == 0
    recovered = FAILED + "\n```python\nprint(5)\n```\n```output\n5\n```\n\\boxed{5}"
    assert last_cell_failed(recovered) is False  # an early error fixed by a later cell still votes


def test_genselect_prompt_and_robust_parsing():
    prompt = genselect_prompt("What is 2+3?", ["2+3=5, \\boxed{5}", "2+3=6, \\boxed{6}"])
    assert "Solution 1:\n2+3=5" in prompt and "Solution 2:\n2+3=6" in prompt and "N from 1 to 2" in prompt
    cases = {
        "Solution 2 has an arithmetic slip.\nBest solution: 1": 0,
        "the best solution is Solution 3.": 2,
        "BEST SOLUTION: #2": 1,
        "Best solution: 1 ... on reflection, Best solution: 2": 1,  # the last statement counts
        "I pick \\boxed{2}": 1,
        "Best solution: 7": None,  # out of range
        "Best solution: 0": None,
        "They are all fine.": None,
        "Best solution: 99999999999999999999": None,
    }
    for text, expected in cases.items():
        assert parse_genselect(text, 3) == expected, text


def test_genselect_tournament_with_an_out_of_range_judgement():
    # five answer classes, k = 2: three groups in round one, two in round two, one final
    samples = [S(a, a == "4") for a in ("1", "2", "3", "4", "5", "5")]
    seen: list[int] = []

    def judge(prompts):
        seen.append(len(prompts))
        out = []
        for p in prompts:
            if "\\boxed{4}" in p:  # the judge recognises the right solution wherever it is
                out.append(f"Best solution: {1 + p.index('boxed{4}') // max(1, p.index('Solution 2'))}")
            elif "\\boxed{1}" in p:
                out.append("Best solution: 9")  # out of range: the group's majority wins
            else:
                out.append("Best solution: 1")
        return out

    [choice] = genselect_many(["What is 2+2?"], [samples], judge, k=2)
    assert samples[choice.index].answer == "4", choice
    assert seen == [3, 2, 1] or seen[0] == 3
    assert "unreadable judgement" in choice.why
    [single] = genselect_many(["q"], [[S("7"), S("7")]], lambda p: pytest.fail("no judge needed"))
    assert single.index == 0 and "nothing to judge" in single.why


def test_equation_of_finds_one_single_unknown_equation():
    assert equation_of("Solve for $x$: $3x + 5 = 20$.") == "3x + 5 = 20"
    assert equation_of("If 2y - 4 = 10, what is y?") == "2y - 4 = 10"
    assert equation_of("Find $x$ if $x + y = 3$.") is None  # two unknowns
    assert equation_of("What is $2 + 2$?") is None
    assert equation_of("Solve $x^2 \\le 4$.") is None


def test_verify_by_execution_drops_candidates_that_fail_the_substitution():
    from mathforge.sandbox import Sandbox, SandboxConfig

    question = "Solve for $x$: $3x + 5 = 20$."
    answers = ["5", "x = 5", "6", None, "\\frac{15}{3}", "import os"]
    with Sandbox(SandboxConfig(warm=0)) as sb:
        verdicts = verify_candidates(question, answers, sb)
        roots = verify_candidates("Solve $x^2 - 5x + 6 = 0$.", ["2, 3", "2", "3, 4"], sb)
        none = verify_candidates("What is 2 + 2?", ["4"], sb)
    assert verdicts == [True, True, False, None, True, False]  # "import os" is a product of symbols
    assert roots == [True, True, False]
    assert none == [None]
    samples = [S("6", verified=False), S("6", verified=False), S("5", True, verified=True)]
    assert choose("verify", samples).index == 2
    assert choose("verify", [S("6", verified=False)]).index is None
    assert "nothing to check" in choose("verify", [S("4"), S("4")]).why


def test_oracle_and_strategy_names():
    assert choose("oracle", [S("1"), S("2", True)]).index == 1
    assert choose("oracle", [S("1")]).index is None
    assert parse_strategies("maj, rm,genselect") == ["maj", "rm", "genselect"]
    with pytest.raises(ValueError, match="unknown selection strategy majority"):
        parse_strategies("majority")
    with pytest.raises(ValueError):
        choose("genselect", [S("1")])


def test_eval_scores_every_strategy_on_the_same_samples_and_caches_genselect(tmp_path):
    """``run_eval`` with n = 4 and --select: per-strategy accuracy, avg@k, cost; GenSelect's generations
    are cached (a rerun sends no request)."""
    import json
    import re

    from evaldata import ITEMS, write_gsm8k
    from fake_openai import FakeOpenAI

    from mathforge.evaluate import EvalConfig, run_eval
    from mathforge.infer import BackendSpec

    def reply(text: str):
        if "candidate solutions" in text:  # a GenSelect judgement: find the solution with the true value
            a, b = map(int, re.search(r"What is (\d+) \w+ (\d+)", text).groups())
            truth = a + b if "plus" in text.split("Solution 1:")[0] else a * b
            sols = re.split(r"Solution \d+:", text)[1:]
            best = next((i for i, s in enumerate(sols) if f"is {truth}." in s), 0)
            return f"Checking each one.\nBest solution: {best + 1}"
        a, b = map(int, re.findall(r"\d+", text)[-2:])
        truth = a + b if "plus" in text else a * b
        return [
            f"The answer is {truth + 1}.",
            f"The answer is {truth}.",
            f"The answer is {truth + 1}.",
            f"The answer is {truth}.",
        ]  # a tie: the majority takes the wrong answer seen first

    spec = BackendSpec(backend="openai", model="fake", concurrency=4)
    with FakeOpenAI(reply) as srv:
        spec.api_base = srv.url
        cfg = EvalConfig(
            model="fake",
            backend="openai",
            benchmarks=["gsm8k"],
            data_dir=str(write_gsm8k(tmp_path / "data")),
            out=str(tmp_path / "run"),
            n=4,
            select=["maj", "sctir", "genselect", "oracle"],
            backend_spec=spec,
        )
        m = run_eval(cfg).metrics["benchmarks"]["gsm8k"]
        sent = sum(srv.attempts.values())
        again = run_eval(cfg)
        assert sum(srv.attempts.values()) == sent  # samples and judgements both from the cache
    sel = m["select"]
    assert sel["maj"]["accuracy"] == 0.0 and sel["genselect"]["accuracy"] == 1.0
    assert sel["oracle"]["accuracy"] == 1.0 and sel["sctir"]["accuracy"] == 0.0
    assert m["avg@k"] == {"k": 4, "mean": 0.5, "se": 0.0}
    assert m["cost"]["tokens_mean"] > 0 and m["cost"]["truncated_share"] == 0.0
    assert again.metrics["benchmarks"]["gsm8k"]["select"] == sel
    rows = [json.loads(x) for x in (tmp_path / "run" / "gsm8k" / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == len(ITEMS)
    assert rows[0]["select"]["genselect"]["why"].startswith("judge picked solution 2 of 2")
    assert m["pass@k"]["4"] == 1.0


def test_eval_refuses_strategies_it_cannot_run(tmp_path):
    from evaldata import write_gsm8k

    from mathforge.evaluate import EvalConfig, run_eval

    base = {"model": "fake", "backend": "openai", "data_dir": str(write_gsm8k(tmp_path / "d"))}
    with pytest.raises(ValueError, match="use n > 1"):
        run_eval(EvalConfig(**base, out=str(tmp_path / "a"), select=["maj"]))
    with pytest.raises(ValueError, match="need reward_model"):
        run_eval(EvalConfig(**base, out=str(tmp_path / "b"), n=4, select=["rm_vote"]))
    with pytest.raises(ValueError, match="unknown selection strategy"):
        run_eval(EvalConfig(**base, out=str(tmp_path / "c"), n=4, select=["best"]))


def test_sampling_defaults_follow_the_model_generation_config(tmp_path):
    from mathforge.evaluate import EvalConfig

    model = tmp_path / "m"
    model.mkdir()
    (model / "generation_config.json").write_text('{"temperature": 0.6, "top_p": 0.95, "do_sample": true}')
    greedy = EvalConfig(model=str(model)).sampling()
    assert (greedy.temperature, greedy.top_p) == (0.0, 1.0)  # n = 1: greedy
    sampled = EvalConfig(model=str(model), n=16).sampling()
    assert (sampled.temperature, sampled.top_p) == (0.6, 0.95)
    overridden = EvalConfig(model=str(model), n=16, temperature=1.0, top_p=0.9).sampling()
    assert (overridden.temperature, overridden.top_p) == (1.0, 0.9)
    plain = EvalConfig(model="fake", n=4).sampling()
    assert (plain.temperature, plain.top_p) == (0.7, 1.0)


class _Votes:
    """A backend whose samples say 7, 7, 9 (9 is right), and whose GenSelect judge names the 9."""

    name = model_id = "votes"

    def generate(self, prompts, params, progress=None):
        from mathforge.infer import Generation

        out = []
        for p in prompts:
            if p.style == "genselect":
                sols = p.text.split("Solution ")[1:]
                best = next(i for i, s in enumerate(sols) if "boxed{9}" in s)
                out.append([Generation(f"Best solution: {best + 1}")])
            else:
                out.append([Generation(f"x is \\boxed{{{a}}}") for a in ("7", "7", "9")[: params.n]])
        return out


def test_solve_chooses_by_strategy_and_says_why():
    from mathforge.solve import solve

    by_vote = solve("Solve $x - 2 = 7$.", _Votes(), samples=3)
    assert (by_vote.answer, by_vote.chosen_by, by_vote.why) == ("7", "maj", "7: 2/3, 9: 1/3")
    judged = solve("Solve $x - 2 = 7$.", _Votes(), samples=3, select="genselect")
    assert (judged.answer, judged.chosen_by) == ("9", "genselect")
    assert judged.why == "judge picked solution 2 of 2" and judged.share == pytest.approx(1 / 3)
    from mathforge.sandbox import Sandbox, SandboxConfig

    with Sandbox(SandboxConfig(warm=0)) as sb:
        checked = solve("Solve $x - 2 = 7$.", _Votes(), samples=3, select="verify", sandbox=sb)
    assert checked.answer == "9" and "2 failed the substitution" in checked.why
    with pytest.raises(ValueError, match="needs a reward model"):
        solve("q", _Votes(), samples=3, select="rm")


def test_solve_cli_refuses_a_strategy_it_cannot_run():
    from typer.testing import CliRunner

    from mathforge.cli.main import app

    bad = CliRunner().invoke(app, ["solve", "q", "--model", "m", "--samples", "3", "--select", "best"])
    assert bad.exit_code == 2 and "unknown --select 'best'" in bad.output
    no_rm = CliRunner().invoke(app, ["solve", "q", "--model", "m", "--samples", "3", "--select", "rm"])
    assert no_rm.exit_code == 2 and "needs --reward-model" in no_rm.output


def test_results_md_and_html_show_cost_avg_at_k_and_each_strategy():
    from mathforge.evaluate.report import html_report, markdown_table

    metrics = {
        "benchmarks": {
            "synth": {
                "items": 2,
                "accuracy": 0.5,
                "ci95": [0.1, 0.9],
                "verdicts": {"correct": 1, "wrong": 1},
                "cost": {
                    "tokens_mean": 12.5,
                    "tokens_p50": 12,
                    "tokens_p95": 20,
                    "truncated_share": 0.25,
                    "tokens_per_correct": 50.0,
                    "seconds_per_problem": 0.5,
                },
                "avg@k": {"k": 4, "mean": 0.5, "se": 0.25},
                "select": {"maj": {"accuracy": 1.0, "ci95": [0.34, 1.0], "answered": 1.0}},
            }
        },
        "run": {
            "model": "m",
            "backend": "hf",
            "sampling": {"n": 4},
            "prompt": "auto",
            "command": "mathforge eval",
            "versions": {},
        },
    }
    md = markdown_table(metrics)
    assert (
        "synth: tokens per sample 12.5 (p50 12, p95 20), 25.0% cut at the limit, 50 tokens per correct" in md
    )
    assert "| avg@4 (± s.e.) | 50.0 ± 25.0 | | |" in md and "| maj | 100.0 | 34.0–100.0 | 100.0 |" in md
    page = html_report(metrics)
    assert "choosing among samples" in page and "<td>maj</td><td>100.0</td>" in page


def test_avg_at_k_and_its_standard_error_on_a_known_case():
    from mathforge.evaluate.select_rows import avg_at_k, cost

    rows = [
        {
            "correct": [True, True, False, False],
            "tokens": [10, 20, 30, 40],
            "finish": ["stop"] * 3 + ["length"],
            "seconds": [0.5, 0.5, 0.5, 0.5],
        },
        {
            "correct": [True, False, False, False],
            "tokens": [10, 10, 10, 10],
            "finish": ["stop"] * 4,
            "seconds": [0.25] * 4,
        },
    ]  # per problem 0.5 and 0.25: mean 0.375, sample s.d. 0.1768, s.e. 0.125
    a = avg_at_k(rows)
    assert a["k"] == 4 and a["mean"] == pytest.approx(0.375) and a["se"] == pytest.approx(0.125)
    c = cost(rows)
    assert c["tokens_mean"] == pytest.approx(17.5) and c["tokens_p50"] == pytest.approx(10)
    assert c["truncated_share"] == pytest.approx(1 / 8) and c["tokens_per_correct"] == pytest.approx(140 / 3)
    assert c["seconds_per_problem"] == pytest.approx(1.5)
