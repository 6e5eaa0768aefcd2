"""The benchmark registry: for every set, where its files live, how to read them and what it measures.

Record counts are the line counts of the upstream files (see the data directory's ``SOURCES.md``); a
mismatch means the data changed, which the tests report. Hub ids are optional mirrors for
``source="hub"``: field names and split sizes were taken from the datasets' cards where one was readable;
none was downloaded while writing this, so a mirror whose layout changed fails with a one-line error
naming the record, like a malformed local line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mathforge.bench import loaders
from mathforge.bench.loaders import Converter
from mathforge.bench.problem import AnswerKind, Language

PROMPT_STYLES = ("cot", "mcq", "cloze")


def default_prompt_style(kind: AnswerKind) -> str:
    """The prompt style a problem of this answer kind gets by default."""
    return {"choice": "mcq", "cloze": "cloze"}.get(kind, "cot")


@dataclass(frozen=True)
class HubSpec:
    """A Hugging Face Hub mirror of a set: which dataset, config(s) and split, and how its rows map onto
    the local field names (so the same converter reads both)."""

    repo: str
    splits: Mapping[str, str]  # local split -> hub split
    configs: tuple[str | None, ...] = (None,)  # several: loaded in order and concatenated
    rename: Mapping[str, str] = field(default_factory=dict)  # hub field -> local field
    adapt: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # for layouts beyond renaming
    note: str = ""


@dataclass(frozen=True)
class BenchSpec:
    """One benchmark: its folder under the data directory, splits, language, answer kinds, default
    prompt style, expected record counts per split, converter and optional hub mirror."""

    name: str
    folder: str
    splits: tuple[str, ...]
    language: Language
    kinds: tuple[AnswerKind, ...]
    prompt_style: str
    records: Mapping[str, int]
    convert: Converter
    hub: HubSpec | None = None
    # (split, line, reason): upstream records that cannot be graded and are skipped with a message.
    known_bad: tuple[tuple[str, int, str], ...] = ()
    description: str = ""

    @property
    def hub_id(self) -> str | None:
        return self.hub.repo if self.hub else None


# ------------------------------------------------------------------------------------ hub row adapters

_AGIEVAL_Q_RE = re.compile(r"^\s*问题[:：]\s*")
_AGIEVAL_TAIL_RE = re.compile(r"\s*(?:选项[:：].*)?答案[:：].*$", re.S)


def _agieval_question(query: str) -> str:
    """AGIEval's processed ``query`` is '问题：… 选项：… 答案：…'; keep the question only."""
    return _AGIEVAL_TAIL_RE.sub("", _AGIEVAL_Q_RE.sub("", query))


def _agieval_mathqa(row: dict[str, Any]) -> dict[str, Any]:
    gold = row.get("gold") or []
    return {
        "question": _agieval_question(str(row.get("query", ""))),
        "options": row.get("choices"),
        "label": "".join("ABCDEFGH"[int(i)] for i in gold) or None,
    }


def _agieval_mathcloze(row: dict[str, Any]) -> dict[str, Any]:
    return {"question": _agieval_question(str(row.get("query", ""))), "answer": row.get("answer")}


MMLU_STEM_SUBJECTS = (
    "abstract_algebra",
    "astronomy",
    "college_biology",
    "college_chemistry",
    "college_computer_science",
    "college_mathematics",
    "college_physics",
    "computer_security",
    "conceptual_physics",
    "electrical_engineering",
    "elementary_mathematics",
    "high_school_biology",
    "high_school_chemistry",
    "high_school_computer_science",
    "high_school_mathematics",
    "high_school_physics",
    "high_school_statistics",
    "machine_learning",
)
MATH_SUBJECTS = (
    "algebra",
    "counting_and_probability",
    "geometry",
    "intermediate_algebra",
    "number_theory",
    "prealgebra",
    "precalculus",
)

_TEST = {"test": "test"}


def _spec(
    name: str,
    convert: Converter,
    language: Language,
    kinds: tuple[AnswerKind, ...],
    records: Mapping[str, int],
    description: str,
    hub: HubSpec | None = None,
    prompt_style: str | None = None,
    known_bad: tuple[tuple[str, int, str], ...] = (),
) -> BenchSpec:
    return BenchSpec(
        name=name,
        folder=name,
        splits=tuple(records),
        language=language,
        kinds=kinds,
        prompt_style=prompt_style or default_prompt_style(kinds[0]),
        records=records,
        convert=convert,
        hub=hub,
        known_bad=known_bad,
        description=description,
    )


_SPECS = (
    _spec(
        "gsm8k",
        loaders.gsm8k,
        "en",
        ("number",),
        {"test": 1319, "train": 7473},
        "Grade-school word problems; gold after '####'.",
        HubSpec("openai/gsm8k", {"test": "test", "train": "train"}, configs=("main",)),
    ),
    _spec(
        "math",
        loaders.hendrycks_math,
        "en",
        ("expr", "number"),
        {"test": 5000, "train": 7500},
        "Hendrycks MATH (competition maths, 7 subjects, levels 1-5); gold in the solution's last \\boxed{}.",
        HubSpec(
            "EleutherAI/hendrycks_math",
            {"test": "test", "train": "train"},
            configs=MATH_SUBJECTS,
            note="one config per subject, concatenated; no unique_id there, so ids are row numbers",
        ),
        known_bad=(
            ("train", 5342, "solution ends in an empty \\boxed{} (train/number_theory/7115.json)"),
            ("train", 5344, "solution ends in an empty \\boxed{}"),
        ),
    ),
    _spec(
        "math500",
        loaders.math500,
        "en",
        ("expr", "number"),
        {"test": 500},
        "The PRM800K 500-problem subset of the MATH test split.",
        HubSpec("HuggingFaceH4/MATH-500", _TEST),
    ),
    _spec(
        "minerva_math",
        loaders.minerva_math,
        "en",
        ("expr", "number"),
        {"test": 272},
        "MIT OCW science and engineering problems (Minerva); gold in the last \\boxed{}.",
    ),
    _spec(
        "mmlu_stem",
        loaders.mmlu_stem,
        "en",
        ("choice",),
        {"test": 3018},
        "The 18 STEM subjects of MMLU, 4 options each.",
        HubSpec("cais/mmlu", _TEST, configs=MMLU_STEM_SUBJECTS, rename={"subject": "type"}),
    ),
    _spec(
        "cmath",
        loaders.cmath,
        "zh",
        ("number", "expr"),
        {"test": 600},
        "Chinese elementary-school word problems (the dev split Qwen2-Math reports).",
        HubSpec(
            "weitianwen/cmath",
            {"test": "validation"},
            note="our 'test' is upstream cmath_dev.jsonl, which the hub serves as 'validation'",
        ),
    ),
    _spec(
        "gaokao_math_cloze",
        loaders.gaokao_math_cloze,
        "zh",
        ("cloze",),
        {"test": 118},
        "AGIEval GaoKao fill-in-the-blank maths; several blanks joined by ';'.",
        HubSpec("hails/agieval-gaokao-mathcloze", _TEST, adapt=_agieval_mathcloze),
    ),
    _spec(
        "gaokao_math_qa",
        loaders.gaokao_math_qa,
        "zh",
        ("choice",),
        {"test": 351},
        "AGIEval GaoKao multiple-choice maths (a few items have several correct letters).",
        HubSpec("hails/agieval-gaokao-mathqa", _TEST, adapt=_agieval_mathqa),
    ),
    _spec(
        "gaokao2023en",
        loaders.gaokao2023en,
        "en",
        ("expr", "number"),
        {"test": 385},
        "GaoKao 2023 and contest problems translated to English.",
        known_bad=(
            (
                "test",
                168,
                "empty 'answer' (the answer sits in the question text: 'answers: $\\frac{3}{10}$')",
            ),
            ("test", 193, "empty 'answer' (the answer sits in the question text: 'Answer: A')"),
        ),
    ),
    _spec(
        "gaokao2024_I",
        loaders.gaokao2024,
        "zh",
        ("choice", "number", "expr"),
        {"test": 14},
        "GaoKao 2024 paper I: single/multi choice (options in the question) and blanks.",
        prompt_style="cot",
    ),
    _spec(
        "gaokao2024_II",
        loaders.gaokao2024,
        "zh",
        ("choice", "number", "expr", "cloze"),
        {"test": 14},
        "GaoKao 2024 paper II: single/multi choice (options in the question) and blanks.",
        prompt_style="cot",
    ),
    _spec(
        "gaokao2024_mix",
        loaders.gaokao2024_mix,
        "zh",
        ("choice", "number", "expr"),
        {"test": 91},
        "GaoKao 2024 papers mixed: choice items graded by 'choice_answer', the rest by 'answer'.",
        prompt_style="cot",
    ),
    _spec(
        "cn_middle_school",
        loaders.cn_middle_school,
        "zh",
        ("choice", "number", "expr"),
        {"test": 101},
        "Chinese middle-school exam items: choice items graded by 'choice_answer', the rest by 'answer'.",
        prompt_style="cot",
    ),
    _spec(
        "olympiadbench",
        loaders.olympiadbench,
        "en",
        ("expr", "number"),
        {"test": 675},
        "OlympiadBench, open-ended text-only English maths (OE_TO_maths_en_COMP).",
        HubSpec("Hothan/OlympiadBench", {"test": "train"}, configs=("OE_TO_maths_en_COMP",)),
    ),
    _spec(
        "aime24",
        loaders.aime24,
        "en",
        ("number",),
        {"test": 30},
        "AIME 2024 I and II; integer answers 0-999.",
        HubSpec("HuggingFaceH4/aime_2024", {"test": "train"}),
    ),
    _spec(
        "amc23",
        loaders.amc23,
        "en",
        ("number",),
        {"test": 40},
        "AMC 12 2023 (answers as numbers, not letters).",
        HubSpec("math-ai/amc23", _TEST, note="fields not confirmed; 'question' or 'problem' is read"),
    ),
    _spec(
        "aqua",
        loaders.aqua,
        "en",
        ("choice",),
        {"test": 254},
        "AQuA-RAT algebraic word problems, 5 options.",
        HubSpec("deepmind/aqua_rat", _TEST, configs=("raw",)),
    ),
    _spec(
        "sat_math",
        loaders.sat_math,
        "en",
        ("choice",),
        {"test": 32},
        "SAT maths, 4 options.",
    ),
    _spec(
        "svamp",
        loaders.svamp,
        "en",
        ("number",),
        {"test": 1000},
        "SVAMP word-problem variations; body and question joined.",
    ),
    _spec(
        "asdiv",
        loaders.asdiv,
        "en",
        ("number", "expr"),
        {"test": 2215},
        "ASDiv word problems; units in parentheses dropped, a few ratio/time/name answers.",
    ),
    _spec(
        "mawps",
        loaders.mawps,
        "en",
        ("number",),
        {"test": 2065},
        "MAWPS arithmetic word problems.",
    ),
    _spec(
        "college_math",
        loaders.college_math,
        "en",
        ("expr", "number"),
        {"test": 2818},
        "College-level exercises (algebra to differential equations) from open textbooks.",
    ),
    _spec(
        "carp_en",
        loaders.carp_en,
        "en",
        ("expr", "number"),
        {"test": 976},
        "CARP (English) middle-school algebra; answers in spaced LaTeX such as 'b ^ { 2 } - 9 a ^ { 2 }'.",
    ),
    _spec(
        "synth",
        loaders.synth,
        "en",
        ("number", "expr"),
        {"test": 0},
        "Fresh program-verified problems written by `mathforge synth bench` (English and Chinese; a new seed "
        "gives new problems). Not shipped: generate it into DATA/synth/test.jsonl.",
    ),
)

BENCHMARKS: dict[str, BenchSpec] = {s.name: s for s in _SPECS}
