"""Answer grading: extract the final answer, normalise it, and decide equivalence — without hanging.

``grade_many`` is the entry point for batches (evaluation, RL rewards, rejection sampling).
"""

from mathforge.grade.api import VERDICTS, GradeItem, GradeResult, grade, grade_many, is_equiv
from mathforge.grade.extract import STYLES, Extraction, extract_answer
from mathforge.grade.judge import KINDS
from mathforge.grade.normalize import normalise
from mathforge.grade.pool import SymbolicPool

__all__ = [
    "KINDS",
    "STYLES",
    "VERDICTS",
    "Extraction",
    "GradeItem",
    "GradeResult",
    "SymbolicPool",
    "extract_answer",
    "grade",
    "grade_many",
    "is_equiv",
    "normalise",
]
