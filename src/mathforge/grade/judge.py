"""Decide whether a predicted answer equals the gold answer.

One decision procedure serves two places: the caller's process runs it with ``symbolic=False`` (string,
number and structure rules only: microseconds, never hangs) and a worker process runs it with
``symbolic=True`` for the pairs the fast rules could not settle.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal

from mathforge.grade.extract import letters_in, split_blanks
from mathforge.grade.normalize import Normalised, normalise
from mathforge.grade.numeric import Num, compare_expressions, decimal_comma, evaluate, numbers_equal

Kind = Literal["auto", "number", "expr", "choice", "cloze"]
KINDS: tuple[str, ...] = ("auto", "number", "expr", "choice", "cloze")
Decision = tuple[str, str]  # (verdict, reason)

MAX_ANSWER_CHARS = 5_000
_PLAIN_NUM_RE = re.compile(r"-?\d{1,300}(?:\.\d{1,300})?$")
_CLOCK_RE = re.compile(
    r"^\d{1,2}:\d{2}(?::\d{2})?(?:[ap]\.?m\.?)?$", re.IGNORECASE
)  # no benchmark answer is longer; longer strings are refused, not parsed


def _percent_readings(value: Num, percent: bool) -> list[Num]:
    if not percent:
        return [value]
    places = None if value.places is None else value.places + 2  # 12.5% is 0.125: three places
    raw = value.value / 100 if value.exact else value.as_mp() / 100
    return [value, Num(raw, value.approx, places, value.sig)]


def _numeric(g: Normalised, p: Normalised) -> Decision | None:
    eg, ep = evaluate(g.text), evaluate(p.text)
    if eg is None or ep is None:
        return None
    same = numbers_equal(eg, ep)
    if same is None:
        return None  # too large to settle at 50 digits: the symbolic path compares exactly
    if same:
        return "correct", "numerically equal"
    if g.percent != p.percent:
        for a in _percent_readings(eg, g.percent):
            for b in _percent_readings(ep, p.percent):
                if numbers_equal(a, b):
                    return "correct", "equal as a percentage"
    return "wrong", f"numbers differ: {g.text} vs {p.text}"


def _split_top(s: str, seps: str = ",", word: str | None = None) -> list[str]:
    """Split on separator characters (or on ``word``, e.g. ``\\cup``) that are not inside (), [], {}."""
    parts, depth, cur = [], 0, []
    i = 0
    while i < len(s):
        ch = s[i]
        if word is not None and depth == 0 and s.startswith(word, i):
            parts.append("".join(cur))
            cur = []
            i += len(word)
            continue
        if ch == "\\" and s[i + 1 : i + 2] in ("{", "}"):
            cur.append(s[i : i + 2])
            depth += 1 if s[i + 1] == "{" else -1
            i += 2
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if word is None and ch in seps and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return [p.strip() for p in parts]


_PM_RE = re.compile(r"\\pm|\\mp")


def _encloses(s: str, left: str, right: str) -> bool:
    """Whether the opening ``left`` at the start is closed only by the ``right`` at the very end."""
    depth = 0
    i = 0
    while i < len(s):
        if s.startswith(left, i):
            depth += 1
            i += len(left)
            continue
        if s.startswith(right, i):
            depth -= 1
            i += len(right)
            if depth == 0 and i < len(s):
                return False
            continue
        i += 1
    return depth == 0


def _expand_pm(items: list[str]) -> list[str]:
    """'\\pm1, \\pm2' lists four answers."""
    out: list[str] = []
    for item in items:
        parts = _PM_RE.split(item)
        if len(parts) == 2 and parts[1]:
            base = parts[0]
            out += [f"{base}+{parts[1]}", f"{base}-{parts[1]}"] if base else [parts[1], f"-{parts[1]}"]
        else:
            out.append(item)
    return out


_NAMED_RE = re.compile(r"^([A-Za-z](?:_\{?\w+\}?)?)=(?!=)(.+)$")


def _named_values(items: list[str]) -> dict[str, str] | None:
    """'A=18, B=44/3' → {'A': '18', 'B': '44/3'} when every item names a distinct variable."""
    pairs = [_NAMED_RE.match(i) for i in items]
    if not all(pairs):
        return None
    named = {m.group(1).replace("{", "").replace("}", ""): m.group(2) for m in pairs if m}
    return named if len(named) == len(items) else None


def _structure(s: str) -> tuple[str, list[str]] | None:
    """('list'|'set'|'union'|bracket pair, elements) for list-like answers; None for a scalar."""
    if "\\cup" in s:
        parts = _split_top(s, word="\\cup")
        if len(parts) >= 2 and all(parts):
            return "union", parts
    if s.startswith("\\{") and s.endswith("\\}") and _encloses(s, "\\{", "\\}"):
        if "|" in s:  # set-builder {x | …}: not a list of elements
            return None
        return "set", [e for e in _split_top(s[2:-2]) if e]
    if len(s) >= 2 and s[0] in "([" and s[-1] in ")]":
        inner = s[1:-1]
        # the brackets must enclose the whole answer: "(1,2)" yes, "(1)(2)" no
        depth = 0
        for ch in inner:
            depth += ch in "([{"
            depth -= ch in ")]}"
            if depth < 0:
                return None
        items = _split_top(inner)
        if len(items) >= 2:
            return s[0] + s[-1], items
        return None
    items = _split_top(s)
    if len(items) >= 2 and all(items):
        return "list", _expand_pm(items)
    pm = _PM_RE.split(s)
    if len(pm) == 2 and pm[1]:
        base = pm[0] or ""
        return "list", [f"{base}+{pm[1]}" if base else pm[1], f"{base}-{pm[1]}" if base else f"-{pm[1]}"]
    return None


def _unordered(gs: list[str], ps: list[str], kind: str, symbolic: bool) -> Decision | None:
    if len(gs) != len(ps):
        return "wrong", f"{len(ps)} answers given, {len(gs)} expected"
    remaining = list(ps)
    undecided = False
    for g in gs:
        for i, p in enumerate(remaining):
            d = judge(g, p, kind, symbolic=symbolic)
            if d is None:
                undecided = True
            elif d[0] == "correct":
                del remaining[i]
                break
        else:
            if not undecided:
                return "wrong", f"no match for {g}"
            return None
    return "correct", "same answers in any order"


def _ordered(gs: list[str], ps: list[str], kind: str, symbolic: bool) -> Decision | None:
    if len(gs) != len(ps):
        return "wrong", f"{len(ps)} components given, {len(gs)} expected"
    undecided = False
    for g, p in zip(gs, ps, strict=True):
        d = judge(g, p, kind, symbolic=symbolic)
        if d is None:
            undecided = True
        elif d[0] != "correct":
            return "wrong", f"component {p} differs from {g}"
    return None if undecided else ("correct", "same components in order")


def _structured(g: Normalised, p: Normalised, kind: str, symbolic: bool) -> Decision | None:
    sg, sp = _structure(g.text), _structure(p.text)
    if sg is None and sp is None:
        return None
    if sg is not None and sp is not None:
        (tg, eg), (tp, ep) = sg, sp
        if (tg == "union") != (tp == "union"):
            return None
        if tg == "union":
            return _unordered(eg, ep, kind, symbolic)
        ng, np_ = _named_values(eg), _named_values(ep)
        if ng is not None and np_ is not None:  # A=18, B=44/3: values belong to their names
            if set(ng) != set(np_):
                return "wrong", f"names differ: {sorted(np_)} vs {sorted(ng)}"
            return _ordered([ng[k] for k in sorted(ng)], [np_[k] for k in sorted(ng)], kind, symbolic)
        if tg == "()" and np_ is not None and len(np_) == len(eg):  # (2,3) against "x = 2, y = 3"
            return _ordered(eg, list(np_.values()), kind, symbolic)
        if tp == "()" and ng is not None and len(ng) == len(ep):
            return _ordered(list(ng.values()), ep, kind, symbolic)
        if tg in ("list", "set") and tp in ("list", "set"):
            return _unordered(eg, ep, kind, symbolic)
        if tg == tp:
            return _ordered(eg, ep, kind, symbolic)
        if tg not in ("list", "set") and tp not in ("list", "set") and len(eg) == len(ep) == 2:
            return "wrong", f"different brackets: {tg} vs {tp}"  # (0,1] vs (0,1)
        return None
    # one side a list, the other a scalar
    items = (sg or sp)[1]  # type: ignore[index]
    scalar = p.text if sg else g.text
    if len(items) == 1:
        return (
            judge(items[0], scalar, kind, symbolic=symbolic)
            if sg
            else judge(scalar, items[0], kind, symbolic=symbolic)
        )
    if "=" not in scalar and _is_algebra(scalar):
        return "wrong", "a single value against several"
    return None


def _is_algebra(text: str) -> bool:
    """A number or an expression in single-letter variables that the fast evaluator reads."""
    return evaluate(text) is not None or compare_expressions(text, text) is True


_WORD_ANSWER_RE = re.compile(r"^[A-Za-z][A-Za-z'-]{2,}$")  # "Evelyn", "east", "ellipse" (spaces removed)
_DIGIT_RE = re.compile(r"\d")
_ASSIGNMENT_RE = re.compile(r"^\\?[A-Za-z]\w*(?:\([^()]*\))?=")  # "x=", "f(x)=", "\theta=": a value named


def _is_equation(text: str) -> bool:
    """An equation that is not an assignment (``5x-7y+11z+4=0``, not ``x=3``): never a plain number."""
    return text.count("=") == 1 and "\\" not in text and not _ASSIGNMENT_RE.match(text)


_MATRIX_RE = re.compile(r"^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^{}]*\})?(.*)\\end\{\1\}$", re.DOTALL)


def _matrix(text: str) -> list[list[str]] | None:
    if text[:1] in "[(" and text[-1:] in "])" and text[1:].startswith("\\begin"):
        text = text[1:-1]  # \left[ \begin{array}{c} 1 \\ 2 \end{array} \right]
    m = _MATRIX_RE.match(text)
    if not m:
        return None
    rows = [r for r in m.group(2).split("\\\\") if r.strip()]
    return [[c.strip() for c in r.split("&")] for r in rows]


def _shapes(g: Normalised, p: Normalised, kind: str, symbolic: bool) -> Decision | None:
    """Words against words or numbers, matrices against matrices or numbers."""
    gw, pw = bool(_WORD_ANSWER_RE.match(g.text)), bool(_WORD_ANSWER_RE.match(p.text))
    if gw and pw:
        same = g.text.casefold() == p.text.casefold()
        return ("correct", "same word") if same else ("wrong", f"different words: {p.text} vs {g.text}")
    if (gw and evaluate(p.text) is not None) or (pw and evaluate(g.text) is not None):
        return "wrong", "a word against a number"
    if (gw and _DIGIT_RE.search(p.text)) or (pw and _DIGIT_RE.search(g.text)):
        return "wrong", "a word against an expression"  # "east" vs "2k+2": no sympy needed
    if _is_equation(g.text) and evaluate(p.text) is not None:
        return "wrong", "an equation against a number"
    if _is_equation(p.text) and evaluate(g.text) is not None:
        return "wrong", "an equation against a number"
    gm, pm = _matrix(g.text), _matrix(p.text)
    if gm is not None and pm is not None:
        if [len(r) for r in gm] != [len(r) for r in pm]:
            return "wrong", "matrices of different shapes"
        return _ordered([c for r in gm for c in r], [c for r in pm for c in r], kind, symbolic)
    if (gm is not None and evaluate(p.text) is not None) or (pm is not None and evaluate(g.text) is not None):
        return "wrong", "a matrix against a number"
    if (gm is not None and _is_algebra(p.text)) or (pm is not None and _is_algebra(g.text)):
        return "wrong", "a matrix against an expression"
    if (gm is None) != (pm is None):  # a vector written as a tuple: (7, 6) against a column of 7 and 6
        cells = [c for r in (gm or pm or []) for c in r]
        if len(gm or pm or []) == 1 or all(len(r) == 1 for r in gm or pm or []):
            tup = _structure(p.text if gm is not None else g.text)
            if tup is not None and tup[0] == "()":
                gs, ps = (cells, tup[1]) if gm is not None else (tup[1], cells)
                if len(gs) != len(ps):
                    return "wrong", f"{len(ps)} components given, {len(gs)} expected"
                return _ordered(gs, ps, kind, symbolic)
    return None


def _algebra(g: Normalised, p: Normalised) -> Decision | None:
    if "=" in g.text or "=" in p.text or "," in g.text or "," in p.text:
        return None
    same = compare_expressions(g.text, p.text)
    if same is None:
        return None
    return ("correct", "equal at every test point") if same else ("wrong", "expressions differ")


def _choice(gold: str, pred: str) -> Decision:
    g = letters_in(gold) or gold.strip().upper()
    p = letters_in(pred) if pred else None
    if not p:
        return "unparseable", "no choice letter in the answer"
    return ("correct", f"choice {p}") if set(g) == set(p) else ("wrong", f"chose {p}, expected {g}")


def _cloze(gold: str, pred: str, symbolic: bool) -> Decision | None:
    gs, ps = split_blanks(gold), split_blanks(pred)
    if len(ps) == 1 and len(gs) > 1:  # one box holding every blank: \boxed{2, 3}
        ps = [p for p in re.split(r"\s*(?:,|，|、|\band\b|和)\s*", ps[0]) if p]
    if len(gs) != len(ps):
        return "wrong", f"{len(ps)} blanks filled, {len(gs)} expected"
    undecided = False
    for i, (g, p) in enumerate(zip(gs, ps, strict=True), 1):
        d = judge(g, p, "auto", symbolic=symbolic)
        if d is None:
            undecided = True
        elif d[0] != "correct":
            return d[0], f"blank {i}: {d[1]}"
    return None if undecided else ("correct", f"all {len(gs)} blanks equal")


_LIST_COMMA_RE = re.compile(r"(?<!\d),|,(?!\d)")  # a comma not between two digits separates answers


def judge(gold: str, pred: str, kind: str = "auto", *, symbolic: bool) -> Decision | None:
    """(verdict, reason), or None when only the symbolic path can decide and ``symbolic`` is False."""
    if kind == "choice":
        return _choice(gold, pred)
    if kind == "cloze":
        return _cloze(gold, pred, symbolic)
    if len(gold) > MAX_ANSWER_CHARS or len(pred) > MAX_ANSWER_CHARS:
        return "unparseable", f"answer longer than {MAX_ANSWER_CHARS} characters"
    gs, ps = gold.strip(), pred.strip()
    if gs == ps and gs:
        return "correct", "identical"
    if _PLAIN_NUM_RE.match(gs) and _PLAIN_NUM_RE.match(ps):  # the common case, without normalising
        decimal = "." in gs or "." in ps
        same = numbers_equal(evaluate(gs), evaluate(ps)) if decimal else int(gs) == int(ps)  # type: ignore[arg-type]
        return ("correct", "numerically equal") if same else ("wrong", f"numbers differ: {ps} vs {gs}")
    g = normalise(gold)
    # when the gold is itself an equation (a line, a curve), the answer's "y =" is part of it
    p = normalise(pred, keep_assignment="=" in g.text)
    if not p.text:
        return "unparseable", "empty answer"
    if g.text == p.text:
        return "correct", "same after normalisation"
    if "," in p.text and "," not in g.text and not _LIST_COMMA_RE.search(pred):
        reading = decimal_comma(p.text)  # 1000,99 / 0,111: a decimal comma against a number
        if reading is not None and evaluate(g.text) is not None:
            p = replace(p, text=reading)
    # "(x+1)^2 = x^2+2x+1" states its right side (against an expression gold only: against a number,
    # "x^2/2 - y^2/2 = 1" is an equation, not the value 1; numeric left sides are cut at extraction)
    if "=" in p.text and "=" not in gold and evaluate(g.text) is None:
        sides = _split_top(p.text, "=")
        if len(sides) == 2 and all(sides) and len(_split_top(p.text)) == 1 and sides[0][-1] not in "<>!":
            p = replace(p, text=sides[1])
    if _CLOCK_RE.match(g.text) or _CLOCK_RE.match(p.text):  # 12:00 is a time, not a ratio
        return "wrong", f"different times: {p.text} vs {g.text}"
    decided = (
        _numeric(g, p) or _shapes(g, p, kind, symbolic) or _algebra(g, p) or _structured(g, p, kind, symbolic)
    )
    if decided is not None:
        return decided
    # equation against expression: "y = 2x+1" vs "2x+1" (normalise already strips a lone "x =")
    if kind == "number" and evaluate(g.text) is not None:
        return "wrong", f"not the number {g.text}"
    if not symbolic:
        return None
    from mathforge.grade.symbolic import symbolic_verdict  # heavy import: worker processes only

    return symbolic_verdict(g.text, p.text, g.percent, p.percent)
