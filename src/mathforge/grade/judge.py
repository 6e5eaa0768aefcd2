"""Decide whether a predicted answer equals the gold answer.

One decision procedure serves two places: the caller's process runs it with ``symbolic=False`` (string,
number and structure rules only: microseconds, never hangs) and a worker process runs it with
``symbolic=True`` for the pairs the fast rules could not settle.
"""

from __future__ import annotations

import re
from typing import Literal

from mathforge.grade.extract import letters_in, split_blanks
from mathforge.grade.normalize import Normalised, normalise
from mathforge.grade.numeric import Num, evaluate, numbers_equal

Kind = Literal["auto", "number", "expr", "choice", "cloze"]
KINDS: tuple[str, ...] = ("auto", "number", "expr", "choice", "cloze")
Decision = tuple[str, str]  # (verdict, reason)

MAX_ANSWER_CHARS = 5_000
_CLOCK_RE = re.compile(
    r"^\d{1,2}:\d{2}(?::\d{2})?(?:[ap]\.?m\.?)?$", re.IGNORECASE
)  # no benchmark answer is longer; longer strings are refused, not parsed


def _percent_readings(value: Num, percent: bool) -> list[Num]:
    if not percent:
        return [value]
    scaled = Num(value.value / 100, value.approx) if value.exact else Num(value.as_mp() / 100, value.approx)
    return [value, scaled]


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


def _split_top(s: str, seps: str = ",") -> list[str]:
    """Split on separators that are not inside (), [], {}."""
    parts, depth, cur = [], 0, []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and s[i + 1 : i + 2] in ("{", "}"):
            cur.append(s[i : i + 2])
            depth += 1 if s[i + 1] == "{" else -1
            i += 2
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch in seps and depth == 0:
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
    """('list'|'set'|bracket pair, elements) for list-like answers; None for a scalar."""
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
        ng, np_ = _named_values(eg), _named_values(ep)
        if ng is not None and np_ is not None:  # A=18, B=44/3: values belong to their names
            if set(ng) != set(np_):
                return "wrong", f"names differ: {sorted(np_)} vs {sorted(ng)}"
            return _ordered([ng[k] for k in sorted(ng)], [np_[k] for k in sorted(ng)], kind, symbolic)
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
    if evaluate(scalar) is not None and all(evaluate(i) is not None for i in items):
        return "wrong", "a single value against several"
    return None


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


def judge(gold: str, pred: str, kind: str = "auto", *, symbolic: bool) -> Decision | None:
    """(verdict, reason), or None when only the symbolic path can decide and ``symbolic`` is False."""
    if kind == "choice":
        return _choice(gold, pred)
    if kind == "cloze":
        return _cloze(gold, pred, symbolic)
    if len(gold) > MAX_ANSWER_CHARS or len(pred) > MAX_ANSWER_CHARS:
        return "unparseable", f"answer longer than {MAX_ANSWER_CHARS} characters"
    if gold.strip() == pred.strip() and gold.strip():
        return "correct", "identical"
    g = normalise(gold)
    # when the gold is itself an equation (a line, a curve), the answer's "y =" is part of it
    p = normalise(pred, keep_assignment="=" in g.text)
    if not p.text:
        return "unparseable", "empty answer"
    if g.text == p.text:
        return "correct", "same after normalisation"
    if g.text.casefold() == p.text.casefold() and not re.search(
        r"[a-zA-Z]", re.sub(r"\\[a-zA-Z]+", "", g.text)
    ):
        return "correct", "same after normalisation"
    if _CLOCK_RE.match(g.text) or _CLOCK_RE.match(p.text):  # 12:00 is a time, not a ratio
        return "wrong", f"different times: {p.text} vs {g.text}"
    decided = _numeric(g, p) or _structured(g, p, kind, symbolic)
    if decided is not None:
        return decided
    # equation against expression: "y = 2x+1" vs "2x+1" (normalise already strips a lone "x =")
    if kind == "number" and evaluate(g.text) is not None:
        return "wrong", f"not the number {g.text}"
    if not symbolic:
        return None
    from mathforge.grade.symbolic import symbolic_verdict  # heavy import: worker processes only

    return symbolic_verdict(g.text, p.text, g.percent, p.percent)
