"""Find the final answer in a model's free-form output.

Every rule here is linear in the input length (no nested regex quantifiers), because the grader is fed
untrusted model output of any size and extraction runs in the caller's process. The rules for answers
that are not boxed (reasoning and chat artefacts, the final statement, chained equalities) live in
``freeform.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mathforge.grade.freeform import (
    collapse_chain,
    final_statement,
    last_number,
    pick_in_sentence,
    strip_artefacts,
)

Style = Literal["auto", "boxed", "gsm8k", "choice", "cloze", "number"]
STYLES: tuple[str, ...] = ("auto", "boxed", "gsm8k", "choice", "cloze", "number")

# Outputs longer than this are searched only in their tail: a final answer lives at the end, and a
# multi-megabyte output must not cost more than a bounded amount of work.
_TAIL_CHARS = 20_000


@dataclass(frozen=True)
class Extraction:
    """The extracted answer (None when nothing answer-like was found), which rule found it, and what is
    wrong with it, if anything ("no answer after the reasoning", a self-contradicting chain)."""

    answer: str | None
    source: str
    problem: str | None = None
    stated: str | None = None  # the answer as written, when a chain of equalities was collapsed

    def __bool__(self) -> bool:
        return self.answer is not None


_BOX_RE = re.compile(r"\\(?:boxed|fbox)")


def _braced(text: str, open_at: int) -> tuple[str, int] | None:
    """Content of the brace group starting at ``text[open_at] == '{'`` and the index after it."""
    depth = 0
    for i in range(open_at, len(text)):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "{}":
            continue
        if ch == "{" and (i == 0 or text[i - 1] != "\\"):
            depth += 1
        elif ch == "}" and (i == 0 or text[i - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return text[open_at + 1 : i], i + 1
    return None


def find_boxes(text: str) -> list[str]:
    """All ``\\boxed{…}`` / ``\\fbox{…}`` / ``\\boxed 5`` contents, in order of appearance."""
    boxes: list[str] = []
    pos = 0
    while True:
        m = _BOX_RE.search(text, pos)
        if not m:
            return boxes
        j = m.end()
        while j < len(text) and text[j] == " ":
            j += 1
        if j < len(text) and text[j] == "{":
            got = _braced(text, j)
            if got is None:  # unbalanced: take the rest, minus trailing $ and punctuation
                boxes.append(text[j + 1 :].strip().rstrip("$. "))
                return boxes
            boxes.append(got[0].strip())
            pos = got[1]
        elif j > m.end():  # "\boxed 5": one token
            tok = re.match(r"[^\s$]+", text[j:])
            if tok:
                boxes.append(tok.group(0).rstrip(".,"))
                pos = j + tok.end()
            else:
                pos = j
        else:
            pos = m.end()


_ANSWER_IS_RE = re.compile(
    r"(?:the\s+)?(?:final\s+)?answer\s+(?:is|would\s+be|should\s+be)\s*:?\s*", re.IGNORECASE
)
_FINAL_ANSWER_RE = re.compile(r"final\s+answer\s*[:：]\s*", re.IGNORECASE)
_ANSWER_COLON_RE = re.compile(r"(?:^|\n)\s*\**answer\**\s*[:：]\s*", re.IGNORECASE)
_GSM8K_RE = re.compile(r"####\s*")
_ZH_RE = re.compile(r"(?:故答案[为是]|答案[是为]|答案\s*[:：]|答[:：]|所以|因此|故)\s*[:：]?\s*")
_NUMBER_RE = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?|-?\.\d+")


def _mask_math(seg: str) -> str:
    """The same string with every $…$ span replaced by 'X's, so sentence rules never cut inside math."""
    return _MATH_SEG_RE.sub(lambda m: "X" * len(m.group(0)), seg)


def _rest_of_sentence(text: str, start: int) -> str:
    """From ``start`` to the end of the sentence, trimmed of its closing punctuation."""
    seg = text[start : start + 2000]
    if "$" not in seg:  # no math can span a line break: cut at the first one right away
        nl = seg.find("\n")
        seg = seg if nl == -1 else seg[:nl]
    seg = seg.replace("**", "").strip()  # markdown bold: **73**
    masked = _mask_math(seg) if "$" in seg else seg  # math may span a line break: "$90\text{ square\nunits}$"
    end = masked.find("\n")
    if end != -1:
        seg, masked = seg[:end], masked[:end]
    stop = re.search(r"[。．]|\.(?:\s|$)|\s(?:I hope|because|since|which)\b", masked)
    if stop:
        seg = seg[: stop.start()]
    return seg.strip().rstrip(".。,，;；:：!！ ").strip()


_HEDGE_RE = re.compile(r"^(?:approximately|approx\.?|about|around|roughly|nearly|exactly|equal to)\s+", re.I)
_ZH_PERCENT_RE = re.compile(r"百分之[零〇一二两三四五六七八九十百千点\d.]+")
_SHORT_PLAIN_RE = re.compile(r"[-\d.,/ ]+$")
_ZH_JOIN_RE = re.compile(r"\s*(?:或者|或|和|及|与|以及)\s*")
_NON_CJK_RUN_RE = re.compile(r"[^\u4e00-\u9fff。，；：！？、]+")


def _tighten(seg: str) -> str:
    """'小明还剩 9 页没有看' → '9'; '解析式为 y=-x^2+2x+3' → 'y=-x^2+2x+3'; 'x=2 或 x=-3' → 'x=2,x=-3';
    'x equals $\\frac12$ here' → '$\\frac12$'. A short answer stays as it is."""
    seg = _HEDGE_RE.sub("", seg)  # "approximately 0.1428"
    if len(seg) < 20 and _SHORT_PLAIN_RE.match(seg):
        return seg
    prose = _MATH_SEG_RE.sub(" ", seg)
    if "百分之" in seg:  # 百分之二十八: a percentage in words
        pct = _ZH_PERCENT_RE.findall(seg)
        if pct:
            return pct[-1]
    if _CJK_RE.search(prose):
        joined = _ZH_JOIN_RE.sub(",", seg).replace("$", " ")
        runs = [r.strip(" ,") for r in _NON_CJK_RUN_RE.findall(joined) if re.search(r"[0-9A-Za-z\\]", r)]
        if runs:
            # a trailing unit-less run wins, but '9 页没有看' should give the number, not nothing
            return runs[-1]
        return seg
    if len(_WORD_RE.findall(prose)) < 3:
        return seg
    stated = pick_in_sentence(seg)  # the last value: "the volume of $ABCD$ is 120" gives 120
    if stated:
        return stated
    maths = _MATH_SEG_RE.findall(seg)
    return maths[-1] if maths else seg


def _last_match_rest(pattern: re.Pattern[str], text: str) -> str | None:
    last = None
    for last in pattern.finditer(text):  # noqa: B007 — we want the final match
        pass
    if last is None:
        return None
    found = _rest_of_sentence(text, last.end())
    if found:
        # a box inside the sentence wins over the surrounding words
        boxes = find_boxes(found)
        return boxes[-1] if boxes else found
    return None


def _rest_tightened(pattern: re.Pattern[str], text: str) -> str | None:
    found = _last_match_rest(pattern, text)
    return _tighten(found) if found else None


def _last_number(text: str) -> str | None:
    return last_number(text)


def _extract_auto(text: str) -> Extraction:
    boxes = find_boxes(text) if ("boxed" in text or "fbox" in text) else []
    if boxes:
        return Extraction(boxes[-1], "boxed")
    # cheap substring checks first: each cue regex runs only when its keyword is present
    has_answer = "answer" in text.lower()
    has_zh = any(c in text for c in "答所因故")
    for pattern, source, present in (
        (_FINAL_ANSWER_RE, "final_answer", has_answer),
        (_ANSWER_IS_RE, "answer_is", has_answer),
        (_GSM8K_RE, "gsm8k", "####" in text),
        (_ANSWER_COLON_RE, "answer_is", has_answer),
        (_ZH_RE, "zh_answer", has_zh),
    ):
        if not present:
            continue
        found = (
            _rest_tightened(pattern, text) if source != "final_answer" else _last_match_rest(pattern, text)
        )
        if found:
            if source == "final_answer":  # minerva: "Final Answer: The final answer is $X$. I hope…"
                inner = _last_match_rest(_ANSWER_IS_RE, found)
                found = inner or _tighten(found)
            return Extraction(found, source)
    bare = _is_bare_answer(text)
    if bare and not _WORD_RE.search(_prose(_LEAD_RE.match(text).group(0))):  # type: ignore[union-attr]
        # no word before the answer: "$145$ solution:", "1:58 am", "(0,1]" are answers as they stand
        return Extraction(text.strip().rstrip("。."), "whole_output")
    stated = final_statement(text)
    if stated:
        math = stated.startswith(("$", "\\(", "\\["))
        return Extraction(stated, "last_math" if math else "last_number")
    if bare:
        return Extraction(text.strip().rstrip("。."), "whole_output")
    num = _last_number(text)
    return Extraction(num, "last_number") if num else Extraction(None, "none")


_MATH_SEG_RE = re.compile(r"\$[^$]*\$|\\\(.*?\\\)")
_WORD_RE = re.compile(r"(?<!\\)\b(?!(?:or|and)\b)[A-Za-z]{2,}\b")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


_LEAD_RE = re.compile(r"[^$\\\d]*")  # what comes before the first math span or digit: "Thus " in "Thus $x<2$"


def _prose(s: str) -> str:
    """The words of ``s`` outside math spans and commands."""
    return re.sub(r"\\[a-zA-Z]+", " ", _MATH_SEG_RE.sub(" ", s))


def _is_bare_answer(text: str) -> bool:
    """A short output that is only an answer ("$\\frac{1}{2}$", "9页", "(0,1]"), not a sentence."""
    s = text.strip()
    if not s or len(s) > 200 or "\n" in s:
        return False
    prose = _prose(s)
    return len(_WORD_RE.findall(prose)) <= 2 and len(_CJK_RE.findall(prose)) <= 4


# ---- multiple choice -----------------------------------------------------------------------------

_LETTERS = "ABCDE"
_CHOICE_CUE_RE = re.compile(
    r"(?:answer\s*(?:is|:)?|答案\s*(?:是|为|应选|选)?|故选|应选|选择?|正确(?:答案|选项)?\s*(?:是|为)?)"
    r"\s*[:：]?\s*",
    re.IGNORECASE,
)


def letters_in(fragment: str) -> str | None:
    """Choice letters named in a short fragment: '(B)', 'A and C', 'AC', 'B: 12' → 'B', 'AC', …"""
    frag = fragment.strip().replace("$", "")
    frag = re.sub(r"\\text\{([^{}]*)\}|\\textbf\{([^{}]*)\}", lambda m: m.group(1) or m.group(2) or "", frag)
    m = re.match(
        r"[(（\[]?\s*([A-E](?:\s*(?:[,，、]|and|or|&|和|与|或)?\s*[(（]?[A-E][)）]?)*)(?![A-Za-z])", frag
    )
    if not m:
        return None
    return "".join(sorted(set(re.findall(r"[A-E]", m.group(1)))))


def extract_choice(text: str) -> Extraction:
    """Multiple-choice letters (several for multi-select), sorted: 'AC'."""
    for box in reversed(find_boxes(text)):
        got = letters_in(box if len(box.strip()) != 1 else box.upper())  # \boxed{b}
        if got:
            return Extraction(got, "choice_boxed")
    last = None
    for m in _CHOICE_CUE_RE.finditer(text):
        got = letters_in(text[m.end() : m.end() + 40])
        if got:
            last = got
    if last:
        return Extraction(last, "choice_cue")
    # a letter in parentheses, last one wins: "… so (C) is right."
    paren = re.findall(r"[(（]([A-E])[)）]", text)
    if paren:
        return Extraction(paren[-1], "choice_paren")
    stripped = text.strip()
    got = letters_in(stripped) if len(stripped) <= 12 else None
    if got:
        return Extraction(got, "choice_bare")
    standalone = re.findall(r"(?<![A-Za-z])([A-E])(?![A-Za-z])", text[-200:])
    if standalone:
        return Extraction(standalone[-1], "choice_last_letter")
    return Extraction(None, "none")


# ---- cloze (several blanks) ----------------------------------------------------------------------

CLOZE_SEP = ";"


def split_blanks(answer: str) -> list[str]:
    """Split a multi-blank answer on ';' / '；' / '，' outside brackets."""
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in answer:
        if ch in "([{（":
            depth += 1
        elif ch in ")]}）":
            depth -= 1
        if depth <= 0 and ch in ";；":
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return [p.strip().strip("$").strip() for p in parts if p.strip().strip("$").strip()]


def _last_sentence_values(text: str) -> list[str]:
    """Every math span or number of the last sentence: 'the blanks are 5 and 10.' → ['5', '10']."""
    masked = _mask_math(text)
    cuts = [
        m.end() for m in re.finditer(r"[。.!?！？\n](?=\s|$)|[。！？\n]", masked[:-1] if masked else masked)
    ]
    last = text[cuts[-1] :] if cuts else text
    maths = _MATH_SEG_RE.findall(last)
    if maths:
        return [m.strip("$").strip() for m in maths]
    return [n.group(0) for n in _NUMBER_RE.finditer(last)]


def extract_cloze(text: str) -> Extraction:
    """Several blanks joined with ';' in order: every box when there are several, else the answer line."""
    boxes = find_boxes(text)
    if len(boxes) > 1:
        return Extraction(CLOZE_SEP.join(boxes), "cloze_boxes")
    if len(boxes) == 1:
        return Extraction(CLOZE_SEP.join(split_blanks(boxes[0])), "cloze_boxed")
    single = _extract_auto(text)
    if single.source in ("last_number", "none", "whole_output"):
        stripped = text.strip()
        if len(stripped) <= 300 and "\n" not in stripped and re.search(r"[;；]", stripped):
            single = Extraction(stripped.rstrip("。."), "whole_output")  # "$5$;$10$"
        else:
            values = _last_sentence_values(stripped)
            if values:
                return Extraction(CLOZE_SEP.join(values), "cloze_last_sentence")
    if single.answer is None:
        return single
    parts = split_blanks(single.answer)
    if len(parts) == 1:
        parts = [p for p in re.split(r"\s*(?:，|、|\band\b|和)\s*", single.answer) if p.strip()]
    return Extraction(CLOZE_SEP.join(p.strip().strip("$") for p in parts), "cloze_" + single.source)


def extract_answer(text: str, style: str = "auto") -> Extraction:
    """The final answer of ``text`` and the rule that found it.

    Styles: ``auto`` (box → "Final Answer:" → "The answer is" → ``####`` → 答案是/所以… → last number),
    ``boxed`` (boxes only), ``gsm8k`` (``####`` first), ``choice`` (letters), ``cloze`` (several blanks
    joined by ';'), ``number`` (last number only).
    """
    if style not in STYLES:
        raise ValueError(f"unknown answer style {style!r}; use one of {', '.join(STYLES)}")
    if text is None:
        return Extraction(None, "none")
    text, problem = strip_artefacts(text)  # str.find only: runs on the whole text
    if problem:
        return Extraction(None, "reasoning", problem)
    if len(text) > _TAIL_CHARS:
        text = text[-_TAIL_CHARS:]
    if style == "choice":
        return extract_choice(text)
    if style == "cloze":
        return extract_cloze(text)
    if style == "auto":
        ext = _extract_auto(text)
    elif style == "boxed":
        boxes = find_boxes(text)
        ext = Extraction(boxes[-1], "boxed") if boxes else Extraction(None, "none")
    elif style == "gsm8k":
        found = _last_match_rest(_GSM8K_RE, text)
        ext = Extraction(found, "gsm8k") if found else _extract_auto(text)
    else:
        num = _last_number(text)
        ext = Extraction(num, "last_number") if num else Extraction(None, "none")
    if ext.answer is not None and ("=" in ext.answer or "\\approx" in ext.answer):
        answer, problem = collapse_chain(ext.answer)
        ext = Extraction(answer, ext.source, problem, ext.answer)
    return ext


# Sources that mean the output stated a final answer (not a fallback that picked the last value): an
# output cut off by the token limit counts as answered only through one of these.
STATED_SOURCES = frozenset(
    {
        "boxed",
        "final_answer",
        "answer_is",
        "gsm8k",
        "choice_boxed",
        "choice_cue",
        "cloze_boxes",
        "cloze_boxed",
    }
    | {f"cloze_{s}" for s in ("final_answer", "answer_is", "gsm8k")}
)


def states_final_answer(ext: Extraction, text: str) -> bool:
    """Whether ``ext`` came from a stated final answer (a box, "the answer is", "####", 答案…) rather
    than from a fallback rule; the test for outputs that hit the token limit."""
    if ext.source in STATED_SOURCES:
        return True
    return ext.source.endswith("zh_answer") and "答" in text[-_TAIL_CHARS:]
