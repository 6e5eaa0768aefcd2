"""Free-form answers: what a model states when it does not box its answer.

The rules, in the order ``extract.py`` applies them:

- **Reasoning and chat artefacts.** A leaked chat-template turn marker (``<|im_start|>``, ``<|im_end|>``,
  ``<|eot_id|>``, ``<|endoftext|>``, ``</s>`` …) ends the output: what follows is a turn the model
  invented. ``<think>…</think>`` is reasoning, not the answer: only the text after the last
  ``</think>`` is searched. An opened ``<think>`` that is never closed means the model stopped while
  still reasoning: there is no final answer ("no answer after the reasoning").
- **The final statement.** With no box and no answer cue, the answer is read from the last sentence or
  line that states a value (math spans are masked first, so a ``$…$``, ``$$…$$``, ``\\(…\\)`` or
  ``\\[…\\]`` span is never cut, even across line breaks). In that sentence the last math span that is
  a *value* wins; a span that only names something (``$ABCDEFGH$``, ``$\\triangle ABC$``, ``$x$``,
  ``$f(2)$``, ``$a_{10}$``) is not one, so "The volume of $ABCDEFGH$ is 120." gives 120. Without a
  value span, the last plain-text candidate wins: a tuple ``(7, 6)``, a relation ``x <= 2``, or a number
  (with its percent word: "28 percent"; a decimal comma where unambiguous, see below).
- **Decimal commas.** ``1000,99``, ``2,74`` and ``3,14159`` (a comma followed by other than exactly three
  digits) and ``0,111`` (a thousands group never starts with 0) are decimals; ``1,000`` and ``12,345``
  are thousands. ``1.000,5`` (dot groups, comma decimals) is 1000.5.
- **Chained equalities.** ``x = 5+5+1 = 11`` answers ``x = 11``: the last side (kept with a lone name on
  the left). When two adjacent numeric sides of an ``=`` chain differ (``= 11 = 12``; sides with a
  decimal get 1% slack for rounding) the chain contradicts itself, which is reported and never
  accepted. ``\\approx`` links are never a contradiction.

Every rule is linear in the input: delimiters are found with ``str.find`` (and a failed search is
remembered, so many unclosed openers cost one scan), the regexes have no nested quantifiers, and
``extract.py`` hands over only the tail of a huge output (the artefact rule scans the whole text with
``str.find`` / ``str.rfind`` only).
"""

from __future__ import annotations

import bisect
import itertools
import re

from mathforge.grade.numeric import Num, evaluate, numbers_equal

# ---- reasoning and chat artefacts ----------------------------------------------------------------

TURN_MARKERS = (
    "<|im_start|>",
    "<|im_end|>",
    "<|eot_id|>",
    "<|start_header_id|>",
    "<|endoftext|>",
    "<|end_of_text|>",
    "<|end|>",
    "<|user|>",
    "<|assistant|>",
    "</s>",
    "<end_of_turn>",
    "<start_of_turn>",
)
NO_ANSWER_AFTER_REASONING = "no answer after the reasoning"


def strip_artefacts(text: str) -> tuple[str, str | None]:
    """(the part of ``text`` that may hold the final answer, a problem or None).

    Cuts at the first leaked turn marker that follows some text (a marker at the very start, such as
    ``<|im_start|>assistant``, is skipped over), then keeps what follows the last ``</think>``."""
    if "<|" in text or "</" in text or "of_turn>" in text or "<think>" in text:
        cut = len(text)
        for marker in TURN_MARKERS:
            at = text.find(marker)
            while at != -1 and not text[:at].strip():  # a leading marker: look past it
                at = text.find(marker, at + len(marker))
            if at != -1:
                cut = min(cut, at)
        text = text[:cut]
        close = text.rfind("</think>")
        if close != -1:
            text = text[close + len("</think>") :]
            if not text.strip():
                return "", NO_ANSWER_AFTER_REASONING
        elif text.find("<think>") != -1:
            return "", NO_ANSWER_AFTER_REASONING
    return text, None


# ---- math spans ----------------------------------------------------------------------------------

_WORDY_RE = re.compile(r"(?<![\\a-zA-Z])[a-zA-Z]{3,}")
_TEXT_ARG_RE = re.compile(r"\\(?:text|textnormal|textrm|mathrm|mbox|operatorname)\s*\{[^{}]*\}")


def _is_currency(content: str) -> bool:
    """'$18 a day, and she spends $' is two prices, not a math span: a dollar 'span' that opens on a
    digit and holds a prose word (outside ``\\text{}``) or ends in a space."""
    if not content[:1].isdigit():
        return False
    return content[-1:].isspace() or bool(_WORDY_RE.search(_TEXT_ARG_RE.sub(" ", content)))


def math_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every ``$…$``, ``$$…$$``, ``\\(…\\)`` and ``\\[…\\]`` span, delimiters included,
    in order. An unclosed opener is plain text. Linear: each search either jumps past a closed span or
    fails once per delimiter kind (a failure holds for every later opener of that kind)."""
    spans: list[tuple[int, int]] = []
    dead: dict[str, int] = {}  # closer → position from which it is known not to occur
    ahead = {"$": -2, "\\(": -2, "\\[": -2}  # next occurrence of each opener (-1: none left)
    i, n = 0, len(text)
    while i < n:
        j = _next_opener(text, i, ahead)
        if j == -1:
            break
        if text.startswith("$$", j):
            opener, closer = "$$", "$$"
        elif text[j] == "$":
            if j > 0 and text[j - 1] == "\\":  # \$ is a dollar sign
                i = j + 1
                continue
            opener, closer = "$", "$"
        else:
            opener = text[j : j + 2]
            closer = "\\)" if opener == "\\(" else "\\]"
        start = j + len(opener)
        end = -1 if dead.get(closer, n + 1) <= start else text.find(closer, start)
        if end == -1:
            dead[closer] = min(dead.get(closer, n + 1), start)
            i = start
            continue
        if opener == "$" and _is_currency(text[start:end]):
            i = j + 1  # the closing "$" may open the real span
            continue
        spans.append((j, end + len(closer)))
        i = end + len(closer)
    return spans


def _next_opener(text: str, i: int, ahead: dict[str, int]) -> int:
    """Index of the next '$', '\\(' or '\\[' at or after i, or -1. ``ahead`` caches each opener's next
    position, so every opener kind is searched past each character at most once."""
    best = -1
    for tok, at in ahead.items():
        if at != -1 and at < i:
            at = ahead[tok] = text.find(tok, i)
        if at != -1 and (best == -1 or at < best):
            best = at
    return best


def strip_delimiters(span: str) -> str:
    s = span.strip()
    for left, right in (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$")):
        if s.startswith(left) and s.endswith(right) and len(s) >= len(left) + len(right):
            return s[len(left) : len(s) - len(right)].strip()
    return s


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every span replaced by 'X's of the same length (sentence rules never cut math)."""
    if not spans:
        return text
    parts, prev = [], 0
    for a, b in spans:
        parts.append(text[prev:a])
        parts.append("X" * (b - a))
        prev = b
    parts.append(text[prev:])
    return "".join(parts)


# ---- values and names ----------------------------------------------------------------------------

_DECOR_RE = re.compile(
    r"\\(?:triangle|angle|measuredangle|overline|overrightarrow|overleftrightarrow|vec|widehat|overarc|"
    r"arc|odot|square|parallelogram|bigtriangleup|mathbf|mathit|mathcal|left|right)(?![a-zA-Z])|[{}\s'^]"
)
_NAME_RE = re.compile(
    r"(?:m)?(?:[A-Z][0-9]?){1,12}"  # points and figures: ABCDEFGH, ABC, P_1 (underscores removed)
    r"|[a-zA-Z](?:_?[a-zA-Z0-9]{1,3})?(?:\([a-zA-Z0-9,]{1,9}\))?"  # x, a_n, S_10, f(x), f(2), P(A)
    r"|\\(?:alpha|beta|gamma|delta|theta|phi|varphi|psi|omega|lambda|mu|sigma|rho|tau)(?:_?[a-zA-Z0-9])?"
)


def is_name(content: str) -> bool:
    """Whether a math span only names something (a point, figure, variable, function value) rather
    than stating a value: ``ABCDEFGH``, ``\\triangle ABC``, ``x``, ``a_{10}``, ``f(2)``."""
    s = _DECOR_RE.sub("", content).replace("_", "")
    return not s or bool(_NAME_RE.fullmatch(s))


# ---- plain-text candidates -----------------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?"
_PLAIN_CAND_RE = re.compile(
    r"(?P<zhpct>百分之[零〇一二两三四五六七八九十百千点\d.]+)|"
    rf"(?P<tuple>\(\s*-?{_NUM}(?:\s*,\s*-?{_NUM}){{1,9}}\s*\))"
    rf"|(?P<rel>(?<![A-Za-z\\])[a-zA-Z]\s*(?:<=|>=|!=|=<|=>|≤|≥|≠|<|>)\s*-?{_NUM})"
    r"|(?P<num>-?(?:"
    r"(?<![\d.,])\d{1,3}(?:\.\d{3})+,\d+(?![\d,])"  # 1.000,5 (dot groups, comma decimals)
    r"|(?<![\d.,])0,\d+(?![\d,])"  # 0,111: a thousands group never starts with 0
    r"|(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])"  # 1,000 / 12,345.5
    r"|(?<![\d.,])\d+,(?:\d{1,2}|\d{4,})(?![\d,])"  # 1000,99 / 2,74: a decimal comma
    r"|\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?|\.\d+))"
    r"(?P<pct>\s*(?:\\?%|percent(?:age)?\b|per\s?cent\b|pct\b))?",
    re.IGNORECASE,
)


def plain_candidate(seg: str) -> str | None:
    """The last tuple, relation or number (with its percent word) of a math-free text."""
    last = None
    for last in _PLAIN_CAND_RE.finditer(seg):  # noqa: B007 — the final match
        pass
    if last is None:
        return None
    return last.group(0).strip()


def last_number(text: str) -> str | None:
    """The last number of ``text`` (thousands separators and decimal commas read as above)."""
    last = None
    for m in _PLAIN_CAND_RE.finditer(text):
        if m.group("num"):
            last = m
    return last.group("num").replace(" ", "") if last else None


# ---- picking the answer of a sentence ------------------------------------------------------------


_LINK_RE = re.compile(
    r"\s*(?:is|was|are|equals|becomes|gives|yields|(?:is\s+)?equal\s+to|(?:will|would)\s+be|=)"
    r"(?:\s+(?:about|approximately|exactly|roughly))?\s*",
    re.IGNORECASE,
)
_JOIN_RE = re.compile(r"\s*,?\s*(?:or|and|或|和|以及|、|，)?\s*", re.IGNORECASE)


def _pick(
    text: str, masked: str, a: int, b: int, spans: list[tuple[int, int]], starts: list[int]
) -> str | None:
    """The answer stated in ``text[a:b]``: its last value span, unless a plain value follows a name
    span after it ("… $\\angle C$ measures 40") or is linked to it ("$(x+2)^2-4$ is -4"); value spans
    joined by "or" / "and" / commas are several answers ("$x=-2$ or $x=6$"). Without a value span,
    the last plain candidate."""
    lo = bisect.bisect_left(starts, a)
    hi = bisect.bisect_left(starts, b)
    value_k, name_end = None, None
    for k in range(hi - 1, lo - 1, -1):
        s, e = spans[k]
        if not is_name(strip_delimiters(text[s:e])):
            value_k = k
            break
        name_end = e if name_end is None else name_end
    if value_k is None:
        return plain_candidate(masked[a:b])
    v_end = spans[value_k][1]
    if name_end is not None:  # "sum to $180^\circ$, $\angle C$ measures 40 degrees"
        after = plain_candidate(masked[name_end:b])
        if after:
            return after
    link = _LINK_RE.match(masked, v_end, b)
    if link and link.end() > v_end:  # "the minimum of $(x+2)^2-4$ is -4"
        follow = _PLAIN_CAND_RE.match(masked, link.end(), b)
        if follow:
            return follow.group(0).strip()
    first = value_k
    while first > lo:
        ps, pe = spans[first - 1]
        gap = _JOIN_RE.fullmatch(masked, pe, spans[first][0])
        if gap is None or not text[pe : spans[first][0]].strip():
            break
        ha, hb = _answer_head(text[ps:pe]), _answer_head(text[spans[first][0] : spans[first][1]])
        if ha is None or hb is None or (ha == "") != (hb == ""):
            break  # "$2x = 12$ and $x = 6$" is a step and its result, not two answers
        first -= 1
    if first < value_k:
        return ", ".join(text[s:e].strip() for s, e in spans[first : value_k + 1])
    return text[spans[value_k][0] : v_end].strip()


_HEAD_RE = re.compile(r"\s*([a-zA-Z](?:_\{?\w{1,3}\}?)?)\s*=(?!=)")


def _answer_head(span: str) -> str | None:
    """'x' for '$x = -2$', '' for a bare value '$6$', None for anything else ('$2x = 12$', '$x > 1$')."""
    inner = strip_delimiters(span)
    m = _HEAD_RE.match(inner)
    if m:
        return m.group(1) if "=" not in inner[m.end() :] else None
    return None if re.search(r"[=<>]|\\[lg]e|\\neq?", inner) else ""


def pick_in_sentence(seg: str) -> str | None:
    """The answer a single sentence states (see the module docstring), or None."""
    spans = math_spans(seg)
    return _pick(seg, mask(seg, spans), 0, len(seg), spans, [s for s, _ in spans])


_SENT_END_RE = re.compile(r"[.!?;](?=\s|$)|[。！？；\n]")
_MAX_SENTENCES = 6


def final_statement(text: str) -> str | None:
    """The answer stated by the last sentence (or line) that states one, looking back at most a few
    sentences; None when none of them does."""
    spans = math_spans(text)
    masked = mask(text, spans)
    starts = [s for s, _ in spans]
    ends = [m.end() for m in _SENT_END_RE.finditer(masked)]
    bounds = [0, *ends, len(text)]
    tried = 0
    for k in range(len(bounds) - 1, 0, -1):
        a, b = bounds[k - 1], bounds[k]
        if not masked[a:b].strip(" \t\n.!?;。！？；*"):
            continue
        got = _pick(text, masked, a, b, spans, starts)
        if got:
            return got.rstrip(".。")
        tried += 1
        if tried >= _MAX_SENTENCES:
            break
    return None


# ---- chained equalities --------------------------------------------------------------------------

_SEVERAL_RE = re.compile(r"\\q?quad|\\[,;]|(?<![a-zA-Z])(?:or|and)(?![a-zA-Z])|或|和|以及")
_VARIABLE_RE = re.compile(r"[a-zA-Z]")
_COMMAND_RE = re.compile(r"\\text\s*\{[^{}]*\}|\\[a-zA-Z]+")
_LONE_NAME_RE = re.compile(r"[a-zA-Z](?:_\{?\w{1,3}\}?)?|\\[a-zA-Z]+|[A-Z]{2,3}")
_CHAIN_TOLERANCE = 0.01  # sides with a decimal may be rounded: 1% slack before a chain "contradicts"


def _chain_sides(s: str) -> tuple[list[str], list[str]] | None:
    """Split on top-level '=' and '\\approx' (not '<=', '==', nor inside brackets); None when there is
    a top-level comma (a system: 'x = 1, y = 2') or fewer than two links."""
    sides, links, cur, depth = [], [], [], 0
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and (ch in ",;" or s.startswith("\\quad", i)):
            return None
        elif depth == 0 and ch == "=" and s[i - 1 : i] not in "<>!=:" and s[i + 1 : i + 2] != "=":
            sides.append("".join(cur))
            links.append("=")
            cur = []
            i += 1
            continue
        elif depth == 0 and s.startswith("\\approx", i):
            sides.append("".join(cur))
            links.append("~")
            cur = []
            i += len("\\approx")
            continue
        cur.append(ch)
        i += 1
    sides.append("".join(cur))
    sides = [x.strip() for x in sides]
    if (len(links) < 2 and "~" not in links) or not all(sides):
        return None
    return sides, links


def _consistent(x: Num, y: Num) -> bool:
    """Whether two numeric sides of an '=' may be equal: exactly, or within 1% when one shows a decimal."""
    if x.approx or y.approx:
        a, b = x.as_mp(), y.as_mp()
        return bool(abs(a - b) <= _CHAIN_TOLERANCE * max(abs(a), abs(b)))
    return bool(numbers_equal(x, y))


def collapse_chain(answer: str) -> tuple[str, str | None]:
    """(the answer a chain of equalities ends in, a contradiction or None); other answers unchanged."""
    inner = strip_delimiters(answer)
    if len(inner) > 2000 or ("=" not in inner and "\\approx" not in inner):
        return answer, None
    if inner.count("=") == 1 and "\\approx" not in inner:  # "$12 \\times 5 = 60$": a computation
        lhs, _, rhs = inner.partition("=")
        if lhs.strip()[-1:] in "<>!:" or rhs.startswith("=") or _SEVERAL_RE.search(inner):
            return answer, None
        vl, vr = evaluate(lhs.strip()), evaluate(rhs.strip())
        if not rhs.strip() or (vl is None and _VARIABLE_RE.search(_COMMAND_RE.sub(" ", lhs))):
            return answer, None  # "x^2/2 - y^2/2 = 1" is an equation; "\\binom{7}{2} = 21" a computation
        if vl is not None and vr is not None and not _consistent(vl, vr):
            return rhs.strip(), f"the equality contradicts itself: {lhs.strip()} = {rhs.strip()}"
        if _LONE_NAME_RE.fullmatch(rhs.strip()) and evaluate(rhs.strip()) is None:
            return f"{rhs.strip()} = {lhs.strip()}", None  # "\\frac{40}{3} = a" names a's value
        return rhs.strip(), None
    if _SEVERAL_RE.search(inner):  # "x = 6 or x = -2": several answers, not one chain
        return answer, None
    got = _chain_sides(inner)
    if got is None:
        return answer, None
    sides, links = got
    for (x, y), link in zip(itertools.pairwise(sides), links, strict=True):
        if link != "=":
            continue
        vx, vy = evaluate(x), evaluate(y)
        if vx is None or vy is None:
            continue
        if not _consistent(vx, vy):
            return sides[-1], f"the chain of equalities contradicts itself: {x} = {y}"
    last = sides[-1]
    if _LONE_NAME_RE.fullmatch(sides[0]) and evaluate(sides[0]) is None:
        return f"{sides[0]} = {last}", None
    return last, None
