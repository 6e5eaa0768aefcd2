"""Evaluation: benchmarks × a backend × sampling settings → cached generations, grades, metrics, reports."""

from mathforge.evaluate.runner import EvalConfig, EvalResult, run_eval

__all__ = ["EvalConfig", "EvalResult", "run_eval"]
