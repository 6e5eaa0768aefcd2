"""Prompt styles by answer kind and language."""

import pytest

from mathforge.bench.problem import Problem
from mathforge.infer import BackendError, BackendSpec, get_backend
from mathforge.prompts import build_prompt


def _p(kind="number", lang="en", options=()):
    return Problem(
        "1",
        "t",
        "设集合 A={1,2}，求 A 的元素个数。" if lang == "zh" else "What is 2+2?",
        "4",
        kind,
        lang,
        options,
    )


def test_auto_picks_by_kind_and_language():
    assert build_prompt(_p()).style == "cot"
    assert "\\boxed{}" in build_prompt(_p()).messages[0]["content"]
    zh = build_prompt(_p(lang="zh"))
    assert "请一步步推理" in zh.messages[0]["content"]
    mcq = build_prompt(_p(kind="choice", options=("3", "4", "5")))
    assert mcq.style == "mcq" and "A. 3\nB. 4\nC. 5" in mcq.messages[1]["content"]
    assert build_prompt(_p(kind="cloze", lang="zh")).style == "cloze"


def test_fewshot_has_exemplars_and_stops_before_the_next_question():
    p = build_prompt(_p(), "fewshot")
    assert p.text.count("Question:") == 5 and p.text.endswith("Answer:")
    assert "\n\nQuestion:" in p.stop
    assert "What is 2+2?" in p.text
    assert build_prompt(_p(lang="zh"), "fewshot").text.count("问题：") == 0  # zh uses "问题:" labels
    assert build_prompt(_p(lang="zh"), "fewshot").text.count("问题:") == 5


def test_prompt_key_changes_with_content():
    assert build_prompt(_p()).key() != build_prompt(_p(), "fewshot").key()
    assert build_prompt(_p()).key() == build_prompt(_p()).key()


def test_unknown_style_is_rejected():
    with pytest.raises(ValueError, match="unknown prompt style"):
        build_prompt(_p(), "chain")


def test_vllm_missing_is_a_clear_message():
    pytest.importorskip("torch")
    try:
        import vllm  # noqa: F401
    except ImportError:
        with pytest.raises(BackendError, match="pip install vllm"):
            get_backend(BackendSpec(backend="vllm", model="x"))
    else:
        pytest.skip("vllm is installed here")


def test_unknown_backend():
    with pytest.raises(BackendError, match="unknown backend"):
        get_backend(BackendSpec(backend="tgi", model="x"))
