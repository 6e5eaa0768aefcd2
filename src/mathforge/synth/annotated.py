"""Worked solutions with calculator annotations (GSM8K's ``48/2 = <<48/2=24>>24 clips``) turned into
Python programs: one line per annotation, ``name = expression``, with a name taken from the words the
solution puts around the result (``24 clips in May`` → ``clips_in_may``) and every number that repeats an
earlier result written as that result's variable, so the program is the solution's chain of computation;
the last line prints the variable holding the gold answer.

Everything here is static and exact (rational arithmetic on the parsed expressions): :func:`convert`
returns a :class:`Conversion` or raises :class:`Rejected` naming the first check that failed — one
reason per solution, in the order of :data:`REASONS`. Running the program (in the sandbox) and
comparing what it prints is the caller's job (:mod:`mathforge.synth.from_gsm8k`).
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
from dataclasses import dataclass
from fractions import Fraction

# Why a solution is not converted, in the order the checks run; a solution is counted under the first
# that fails. The last three need the program run (the caller's checks).
REASONS: dict[str, str] = {
    "unreadable_record": "record without a question and a solution",
    "no_annotations": "no calculator annotations",
    "no_gold": "no readable answer after ####",
    "unparseable": "annotation is not plain arithmetic",
    "arithmetic_wrong": "annotation arithmetic wrong (expression ≠ its stated value)",
    "text_after_differs": "annotation ≠ the number written right after it",
    "written_differs": "annotation ≠ the computation written before it",
    "sandbox_error": "program failed in the sandbox (error, timeout)",
    "line_value_differs": "a program line's value ≠ its annotation",
    "printed_differs": "printed result ≠ gold answer",
}

ANNOTATION_RE = re.compile(r"<<([^<>]*)>>")
_GOLD_RE = re.compile(r"\n?####\s*(.*?)\s*$", re.DOTALL)
_NUMBER_AFTER_RE = re.compile(r"\s*[$€£]?\s*(-?(?:\d[\d,]*)?\.?\d+)")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_MAX_EXPONENT = 64
_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.USub, ast.UAdd)
REL_TOL = 1e-9  # floats from the program against exact stated values


class Rejected(ValueError):
    """A solution that cannot become a verified program: ``reason`` is a key of :data:`REASONS`,
    ``detail`` the offending annotation or value."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{REASONS[reason]}: {detail}" if detail else REASONS[reason])
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Step:
    """One annotation and the program line made from it."""

    index: int  # 1-based position in the solution
    expr: str  # the annotation's expression as written
    stated: str  # the annotation's value as written
    value: Fraction  # the stated value, exactly
    name: str  # the variable the line assigns
    code: str  # the right-hand side, earlier results as their variables

    @property
    def line(self) -> str:
        return f"{self.name} = {self.code}"


@dataclass(frozen=True)
class Conversion:
    steps: tuple[Step, ...]
    answer_name: str  # the variable printed
    gold: str  # the answer after ####, thousands separators removed
    prose: str  # the solution without annotations and without the #### line

    @property
    def program(self) -> str:
        return "\n".join([*(s.line for s in self.steps), f"print({self.answer_name})"])

    @property
    def chained(self) -> int:
        """Program lines that use an earlier line's variable."""
        names = {s.name for s in self.steps}
        return sum(bool(names & _names_in(s.code)) for s in self.steps)


def number(text: str) -> Fraction:
    """``"1,000"``, ``".5"``, ``"-3.25"`` exactly; ValueError otherwise."""
    return Fraction(_THOUSANDS_RE.sub("", text.strip()))


def close(got: float | int | Fraction, want: Fraction) -> bool:
    """Equal, with a relative tolerance for floats (``0.1 * 3`` is 0.3)."""
    if isinstance(got, float) and got != got:  # NaN
        return False
    try:
        diff = abs(Fraction(got) - want)
    except (OverflowError, ValueError):
        return False
    return diff <= Fraction(REL_TOL) * max(1, abs(want))


def gold_answer(solution: str) -> str | None:
    """The answer after ``####`` with thousands separators removed, or None."""
    m = _GOLD_RE.search(solution)
    if not m:
        return None
    gold = _THOUSANDS_RE.sub("", m.group(1)).strip()
    try:
        number(gold)
    except (ValueError, ZeroDivisionError):
        return None
    return gold


def strip_annotations(solution: str) -> str:
    """The solution as a reader sees it: no annotations, no ``#### answer`` line."""
    body = _GOLD_RE.sub("", solution)
    return "\n".join(line.rstrip() for line in ANNOTATION_RE.sub("", body).strip().splitlines())


# ---------------------------------------------------------------------------- arithmetic


def _parse(expr: str) -> ast.expr:
    """The annotation's expression as a Python AST of numbers and + - * / ** ( ), else Rejected."""
    text = _THOUSANDS_RE.sub("", expr.strip())
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise Rejected("unparseable", expr) from None
    for node in ast.walk(tree):
        numeric = isinstance(node, ast.Constant) and type(node.value) in (int, float)
        if not (numeric or isinstance(node, (ast.BinOp, ast.UnaryOp, *_OPS))):
            raise Rejected("unparseable", expr)
    return tree


def _exact(node: ast.expr) -> Fraction:
    """The expression's value in rational arithmetic (so ``12/60`` is exactly ``0.2``)."""
    if isinstance(node, ast.Constant):
        return Fraction(repr(node.value))
    if isinstance(node, ast.UnaryOp):
        v = _exact(node.operand)
        return -v if isinstance(node.op, ast.USub) else v
    assert isinstance(node, ast.BinOp)
    a, b = _exact(node.left), _exact(node.right)
    op = node.op
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Div):
        return a / b
    if isinstance(op, ast.FloorDiv):
        return Fraction(a // b)
    if isinstance(op, ast.Mod):
        return a % b
    if isinstance(op, ast.Pow) and b.denominator == 1 and abs(b) <= _MAX_EXPONENT:
        return a ** int(b)
    if isinstance(op, ast.Pow) and abs(b) <= _MAX_EXPONENT and a >= 0:
        return Fraction(float(a) ** float(b))
    raise ArithmeticError("exponent too large")


def _value_of(tree: ast.expr, expr: str) -> Fraction:
    try:
        return _exact(tree)
    except (ArithmeticError, OverflowError, ValueError):  # ZeroDivisionError is an ArithmeticError
        raise Rejected("arithmetic_wrong", expr) from None


# ---------------------------------------------------------------------------- the written text


_WRITTEN_RE = re.compile(r"(?:^|(?<=[\s:=]))[$€£(]*\s*[\d.][\d\s.+\-*/x×÷−–()$€£,%]*$")
_LABEL_RE = re.compile(
    r"\b(?:day|week|month|year|hour|minute|step|part|level|grade|round|game|chapter|page|room|floor|no)\.?$",
    re.IGNORECASE,
)
_SYMBOLS = str.maketrans({"×": "*", "÷": "/", "−": "-", "–": "-", "$": None, "€": None, "£": None})


def _written_values(before: str) -> list[Fraction] | None:
    """The value of the computation the text writes just before ``= <<…>>`` (``48/2 = ``), in each
    reading of its ``%`` signs; None when there is no such computation or it mixes in words (``5
    snakes/jaguar * 6 jaguars``: the text's numbers are not a formula there)."""
    text = ANNOTATION_RE.sub("", before.rsplit("\n", 1)[-1]).rstrip()
    m = re.search(r"=\s*[$€£]?\s*$", text)
    if not m:
        return None
    lhs = text[: m.start()].rstrip()
    chunk = _WRITTEN_RE.search(lhs)
    if not chunk:
        return None
    head = lhs[: chunk.start()].rstrip()
    if (head and head[-1] in "+-*/x×÷−–=^") or re.search(r"\b(?:times|plus|minus|of|by)$", head):
        return None  # the formula starts earlier, among words
    if _LABEL_RE.search(head):
        return None  # "on day 1 * 2": the first number names a day, it is no operand
    formula = _THOUSANDS_RE.sub("", chunk.group(0)).translate(_SYMBOLS)
    formula = re.sub(r"(?<=[\d)\s])x(?=[\s\d(.])", "*", formula)
    if not re.search(r"\d\s*[-+*/]\s*[\d(.]", formula) or "x" in formula:
        return None  # a bare number is a restatement, not a computation
    values = []
    for percent in ("*0.01", ""):
        try:
            values.append(_exact(_parse(formula.replace("%", percent))))
        except (Rejected, ArithmeticError, OverflowError, ValueError):
            continue
    return values or None


# ---------------------------------------------------------------------------- names

_WORD_RE = re.compile(r"[A-Za-z]+")
_EDGE = frozenset(
    re.findall(
        r"\w+",
        """a an the and or but of in on at to for with by from into onto as than then so thus also just
        is are was were be been being would could should do does did that this these those there here it
        its he she they we i you him her them his hers their our my your me us who whom whose which what
        when where how if while since because after before about now only still each every much many all
        altogether total totally same other another s t amount number means meaning therefore hence
        finally get gets got let""",
    )
)
# A name made only of these is too vague to keep when the words before the computation give a better one.
_WEAK = frozenset(
    re.findall(r"\w+", "more less left each every per much many all altogether total remaining extra")
)
_RESERVED = frozenset(dir(builtins)) | {"answer"}


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(re.sub(r"['’]s\b", "", text))]


def _trim(words: list[str]) -> list[str]:
    while words and words[0] in _EDGE:
        words = words[1:]
    while words and words[-1] in _EDGE:
        words = words[:-1]
    return words


def _after_words(after: str) -> list[str]:
    """The words right after the result (``24 clips in May.`` → clips, in, may)."""
    rest = after.split("\n", 1)[0]
    m = _NUMBER_AFTER_RE.match(rest)
    if m:
        rest = rest[m.end() :]
    rest = re.split(
        r"[.,;:!?()=\d$€£]|\s(?:because|so|and|which|but|if|while|when)\s", rest + " ", maxsplit=1
    )[0]
    return _trim(_words(rest)[:4])


def _before_words(before: str) -> list[str]:
    """The words of the clause that leads to the computation (``she earned 0.2 x 50 =`` → earned)."""
    line = ANNOTATION_RE.sub("", before.rsplit("\n", 1)[-1])
    clauses = re.split(r"(?<!\d)[.,:;!?](?!\d)|[.,:;!?](?=\s)", line)
    for clause in reversed(clauses):
        head = re.split(r"[\d$€£=]", clause, maxsplit=1)[0]
        words = _trim(_words(head)[-4:])
        if words:
            return words
        if not re.search(r"\d", clause) and clause.strip():
            break
    return []


def variable_name(before: str, after: str, index: int, taken: set[str]) -> str:
    """A Python name for annotation ``index`` from its surrounding text, unused so far."""
    after_words, before_words = _after_words(after), _before_words(before)
    candidates = ["_".join(w) for w in (after_words, before_words) if w]
    if not after_words or set(after_words) <= _WEAK:
        candidates.reverse()  # "$5 more": the words before say more
    candidates = [c if not (keyword.iskeyword(c) or c in _RESERVED) else f"{c}_value" for c in candidates]
    free = [c for c in candidates if c not in taken]
    if free:
        return free[0]
    base = candidates[0] if candidates else f"step_{index}"
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    return name


# ---------------------------------------------------------------------------- the program


def _names_in(code: str) -> set[str]:
    return {n.id for n in ast.walk(ast.parse(code, mode="eval")) if isinstance(n, ast.Name)}


_NUMBER_RE = re.compile(r"(?<![\d.])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|(?<![\d.])\.\d+")


def _number_contexts(line: str) -> list[tuple[Fraction, set[str]]]:
    """Each number the text writes before the annotation, with the words right after it
    (``100 pages from the spreads + 25 …`` → (100, {pages, spreads})): which earlier result it is."""
    text = ANNOTATION_RE.sub("", line)
    out = []
    for m in _NUMBER_RE.finditer(text):
        tail = re.split(r"[\d+*/=×÷−–()]|\s-\s", text[m.end() :], maxsplit=1)[0]
        out.append((number(m.group(0)), set(_words(tail)[:4]) - _EDGE))
    return out


class _Chain(ast.NodeTransformer):
    """Numbers equal to an earlier result become that result's variable: of several with that value,
    the one whose name shares most words with what the text writes after the number, else the latest."""

    def __init__(self, earlier: list[Step], contexts: list[tuple[Fraction, set[str]]]) -> None:
        self.earlier = earlier
        self.contexts = contexts

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = Fraction(repr(node.value))
        same = [s for s in self.earlier if s.value == value]
        if not same:
            return node
        words = set().union(*(w for v, w in self.contexts if v == value))
        best = max(reversed(same), key=lambda s: len(words & (set(s.name.split("_")) - _EDGE)))
        return ast.copy_location(ast.Name(best.name, ast.Load()), node)


def convert(solution: str) -> Conversion:
    """The program of one annotated solution, or :class:`Rejected` with the first failed check."""
    found = list(ANNOTATION_RE.finditer(solution))
    if not found:
        raise Rejected("no_annotations")
    gold = gold_answer(solution)
    if gold is None:
        raise Rejected("no_gold", solution.rsplit("\n", 1)[-1][:80])
    parsed: list[tuple[re.Match[str], str, str, Fraction, ast.expr]] = []
    for m in found:
        expr, eq, stated = m.group(1).rpartition("=")
        if not eq or not expr.strip():
            raise Rejected("unparseable", m.group(0))
        try:
            value = number(stated)
        except (ValueError, ZeroDivisionError):
            raise Rejected("unparseable", m.group(0)) from None
        parsed.append((m, expr, stated, value, _parse(expr)))
    for m, _, _, value, tree in parsed:
        if _value_of(tree, m.group(0)) != value:
            raise Rejected("arithmetic_wrong", m.group(0))
    for m, _, _, value, _ in parsed:
        after = _NUMBER_AFTER_RE.match(solution, m.end())
        if after and number(after.group(1)) != value:
            raise Rejected("text_after_differs", solution[m.start() : after.end()])
    for m, _, _, value, _ in parsed:
        written = _written_values(solution[: m.start()])
        if written is not None and value not in written:
            line_start = solution.rfind("\n", 0, m.start()) + 1
            raise Rejected("written_differs", solution[line_start : m.end()])
    steps: list[Step] = []
    taken: set[str] = set()
    for i, (m, expr, stated, value, tree) in enumerate(parsed, 1):
        name = variable_name(solution[: m.start()], solution[m.end() :], i, taken)
        taken.add(name)
        line = solution[solution.rfind("\n", 0, m.start()) + 1 : m.start()]
        code = ast.unparse(_Chain(steps, _number_contexts(line)).visit(tree))
        steps.append(Step(i, expr.strip(), stated.strip(), value, name, code))
    want = number(gold)
    answer = next((s for s in reversed(steps) if s.value == want), steps[-1])
    return Conversion(tuple(steps), answer.name, gold, strip_annotations(solution))
