"""Turn an extracted answer into a canonical string.

Normalisation removes presentation (dollar signs, ``\\left``, ``\\dfrac``, units, ``x =``, full-width
characters) but never changes the mathematics: a value-changing step (percent) is recorded as a flag
instead of being applied, so equivalence can decide with both readings in view.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SUPERSCRIPTS = str.maketrans({"²": "^2", "³": "^3", "¹": "^1", "⁰": "^0", "⁴": "^4", "⁻": "^-"})
_SYMBOLS = {
    "−": "-",
    "–": "-",
    "—": "-",
    "×": "\\times ",
    "÷": "\\div ",
    "·": "\\cdot ",
    "π": "\\pi ",
    "∞": "\\infty ",
    "√": "\\sqrt",
    "≤": "\\le ",
    "≥": "\\ge ",
    "≠": "\\ne ",
    "∪": "\\cup ",
    "∩": "\\cap ",
    "∈": "\\in ",
    "±": "\\pm ",
    "°": "^\\circ",
    "，": ",",
    "；": ";",
    "：": ":",
    "（": "(",
    "）": ")",
    "【": "[",
    "】": "]",
    "。": ".",
}

# Unit words that may follow a numeric answer (GSM8K, MATH \text{ cm}, CMATH 元/个/页…).
_EN_UNITS = (
    "square units|sq units|square feet|square inches|square meters|square centimeters|square cm|"
    "cubic feet|cubic inches|cubic meters|cubic centimeters|cubic units|"
    "units|unit|inches|inch|feet|foot|ft|yards|yard|miles|mile|mph|meters|meter|metres|metre|"
    "centimeters|centimeter|cm|mm|km|kilometers|kilometer|m|kg|grams|gram|g|pounds|pound|lbs|lb|ounces|ounce|oz|"
    "liters|liter|litres|litre|ml|gallons|gallon|cups|cup|"
    "hours|hour|hrs|hr|minutes|minute|mins|min|seconds|second|secs|sec|s|days|day|weeks|week|months|month|years|year|"
    "dollars|dollar|cents|cent|euros|euro|points|point|degrees|degree|people|persons|students|"
    "apples|books|pages|marbles|cookies|times|ways|items|pieces|boxes|bags|cars|eggs|balls|tickets|"
    "cm\\^2|m\\^2|cm\\^3|m\\^3|km/h|m/s|per hour"
)
_UNIT_TAIL_RE = re.compile(
    rf"(?<=[\d}}.)])\s*(?:\\mathrm\{{)?(?:{_EN_UNITS})(?:\^\{{?[23]\}}?)?\}}?\.?$", re.IGNORECASE
)
_ZH_UNIT_TAIL_RE = re.compile(
    r"(?<=[\d}.)])\s*(?:平方厘米|平方分米|平方米|平方千米|立方厘米|立方分米|立方米|千米|公里|厘米|分米|毫米|米|"
    r"千克|公斤|克|吨|升|毫升|小时|分钟|分|秒|天|周|个月|月|年|岁|元|角|块|个|人|名|只|条|本|页|棵|辆|张|次|朵|支|"
    r"件|台|套|双|道|题|份|盒|箱|袋|瓶|杯|碗|头|匹|架|座|间|层|组|班|倍|度|步|种)$"
)
_TEXT_CMD_RE = re.compile(
    r"\\(?:text|textbf|textit|textnormal|textrm|textup|textsf|mathrm|mathbf|mathsf|mbox|operatorname|rm)"
    r"\s*\{([^{}]*)\}"
)
# \operatorname{lcm}(4,6) is a function, not a unit: the names the LaTeX parser knows become commands
_FUNC_OPERATOR_RE = re.compile(
    r"\\operatorname\s*\{\s*(lcm|gcd|arcsin|arccos|arctan|arccot|arcsec|arccsc|sinh|cosh|tanh|floor|ceil)"
    r"\s*\}"
)
# percent in words: "28 percent", "28 per cent", "28 pct", "28 percentage (points)"
_PERCENT_WORD_RE = re.compile(
    r"(?<=[\d}.])\s*(?:percent(?:age)?(?:\s*points?)?s?|per\s?cent|pct)\.?$", re.IGNORECASE
)
_ZH_PERCENT_RE = re.compile(r"^百分之([零〇一二两三四五六七八九十百千点\d.]+)$")
_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_DIGIT_SPACING_RE = re.compile(r"(?<=\d)\\[,!](?=\d)")  # 10\,000 and 10,\!000 group digits
_SPACING_RE = re.compile(r"(?<!\\)\\[,;:! ]|\\q?quad\b|~")
_LEFT_RIGHT_RE = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)(?![a-zA-Z])\s*")
_DOLLAR_RE = re.compile(r"\\\$|\$|¥|￥|€|£")
_DEGREE_RE = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\circ\b|\\degree\b")
_PERCENT_RE = re.compile(r"\\?%\s*$")
# A lone name on the left of "=": x, a_1, a_{n}, f(x), \theta, AB, \sin A / sinA, \angle B.
_ASSIGN_RE = re.compile(
    r"^\s*(?:[a-zA-Z](?:_\{?\w+\}?)?(?:\([a-z]\))?|\\[a-zA-Z]+|[A-Z]{2}|\\?(?:sin|cos|tan|angle)\s*[A-Z])"
    r"\s*(?:=|\\in(?![a-zA-Z]))\s*(?!=)"
)
_BASE_RE = re.compile(r"^([0-9A-Fa-f]+)_\{?(\d{1,2})\}?$")
_THOUSANDS_RE = re.compile(r"^-?(?!0,)\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_BARE_FUNC_RE = re.compile(r"(?<![\\a-zA-Z])(ln|log|sin|cos|tan|cot|sec|csc|exp|sqrt|pi)(?![a-zA-Z])")
_PAREN_UNIT_RE = re.compile(r"\s*\((?:[a-zA-Z ]+|[\u4e00-\u9fff]+)\)$")
_OR_RE = re.compile(r"\s*(?<![a-zA-Z\\])(?:or|and|或)(?![a-zA-Z])\s*")
_COMMAND_RE = re.compile(r"\\[a-zA-Z]+")
_LETTER_RE = re.compile(r"[a-zA-Z\u4e00-\u9fff]")
_CMD_SPACE_RE = re.compile(r"(\\[a-zA-Z]+) (?=[a-zA-Z0-9])")


@dataclass(frozen=True)
class Normalised:
    """A canonical answer string plus flags for readings it may have."""

    text: str
    percent: bool = False  # the answer carried a % sign (25% may mean 25 or 0.25)
    assigned: bool = False  # a leading "x =" / "x \in" was removed


def unicode_fold(s: str) -> str:
    """Full-width digits and punctuation to ASCII, math symbols to LaTeX, superscripts to ^n."""
    s = s.translate(_SUPERSCRIPTS)
    s = "".join(_SYMBOLS.get(ch, ch) for ch in s)
    # NFKC folds full-width ASCII (１２ → 12, ＡＢ → AB); it runs after superscripts are handled.
    return unicodedata.normalize("NFKC", s)


def _drop_paren_unit(s: str) -> str:
    """'9 (apples)' → '9'; but '(C)' alone, 'f(x)' and '\\sec^2(y)' (a function's argument) stay."""
    m = _PAREN_UNIT_RE.search(s)
    if not m:
        return s
    head = s[: m.start()].strip()
    if not head or _FUNC_HEAD_RE.search(head):
        return s
    return head


_FUNC_HEAD_RE = re.compile(r"\\[a-zA-Z]+(?:\^\{?-?\w{1,3}\}?)?$")


def _zh_integer(s: str) -> int | None:
    """二十八 → 28, 一百零五 → 105, 十二 → 12, 三 → 3 (up to the thousands)."""
    total, digit = 0, None
    for ch in s:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            total += (1 if digit is None else digit) * _ZH_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def _zh_number(s: str) -> str | None:
    """A number written in Chinese numerals or digits: 二十八 → 28, 十二点五 → 12.5, 28 → 28."""
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return s
    whole, _, frac = s.partition("点")
    value = _zh_integer(whole) if whole else 0
    if value is None or (frac and not all(c in _ZH_DIGITS for c in frac)):
        return None
    return f"{value}.{''.join(str(_ZH_DIGITS[c]) for c in frac)}" if frac else str(value)


def _percent_words(s: str) -> str:
    """'28 percent' / '28 pct' / '28 per cent' / '百分之二十八' → '28%'."""
    if "百分之" in s:
        m = _ZH_PERCENT_RE.match(s)
        num = _zh_number(m.group(1)) if m else None
        return f"{num}%" if num is not None else s
    if "%" in s or not re.search(r"p(?:er|ct)", s, re.IGNORECASE):
        return s
    return _PERCENT_WORD_RE.sub("%", s)


def strip_math_delimiters(s: str) -> str:
    s = s.strip()
    for left, right in (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$")):
        if s.startswith(left) and s.endswith(right) and len(s) >= len(left) + len(right):
            s = s[len(left) : len(s) - len(right)].strip()
    return s


def normalise(answer: str, *, keep_assignment: bool = False) -> Normalised:
    """Canonical form of one answer. Idempotent: ``normalise(normalise(a).text) == normalise(a)``."""
    s = unicode_fold(answer)
    if "\\boxed" in s or "\\fbox" in s:  # a gold stored with its box: keep the box's content
        from mathforge.grade.extract import find_boxes

        boxes = find_boxes(s)
        s = boxes[-1] if boxes else s
    s = strip_math_delimiters(s)
    s = s.replace("$", " ")
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\displaystyle", "")
    s = s.replace("\\neq", "\\ne").replace("\\leq", "\\le").replace("\\geq", "\\ge")
    s = s.replace("\\lt", "<").replace("\\gt", ">").replace("\\dots", "\\ldots").replace("\\cdots", "\\ldots")
    s = s.replace("<=", "\\le ").replace(">=", "\\ge ").replace("!=", "\\ne ")  # plain-text relations
    s = _LEFT_RIGHT_RE.sub("", s)
    s = s.replace(",\\!", ",").replace("\\!", "")
    s = _DIGIT_SPACING_RE.sub("", s)
    s = _SPACING_RE.sub(" ", s)
    s = s.replace("\\mid", "|").replace("\\varnothing", "\\emptyset").replace("∅", "\\emptyset")
    s = _BARE_FUNC_RE.sub(lambda m: "\\" + m.group(1), s)  # ln2 → \ln2
    s = _FUNC_OPERATOR_RE.sub(lambda m: "\\" + m.group(1), s)
    for _ in range(3):  # nested \text{\textbf{…}}
        s2 = _TEXT_CMD_RE.sub(lambda m: m.group(1), s)
        if s2 == s:
            break
        s = s2
    s = _OR_RE.sub(",", s)  # "2 or -2" lists its answers
    s = _DEGREE_RE.sub("", s)
    s = _DOLLAR_RE.sub("", s)
    s = re.sub(r"\s+", " ", s).strip()
    if s.startswith("**") and s.endswith("**"):
        s = s[2:-2].strip()  # markdown bold
    s = s.replace("**", "^")  # Python's power, as programs print it: 3*x**2
    s = s.rstrip(".,;:? ").strip()  # not "!": 5! is a factorial
    s = _percent_words(s)
    percent = bool(_PERCENT_RE.search(s))
    if percent:
        s = _PERCENT_RE.sub("", s).strip()
    s = s.replace("\\%", "").replace("%", "")
    for _ in range(2):  # "12 cm^2", "5 square units", "9页"
        s2 = _drop_paren_unit(s)
        s2 = _UNIT_TAIL_RE.sub("", s2).strip()
        s2 = _ZH_UNIT_TAIL_RE.sub("", s2).strip()
        # a unit is dropped only from a numeric remainder: "3+2s" keeps its variable s
        if s2 == s or _LETTER_RE.search(_COMMAND_RE.sub("", s2)):
            break
        s = s2
    assigned = False
    if not keep_assignment:
        m = _ASSIGN_RE.match(s)
        # only a single assignment: "x = 5", not "x = 1, y = 2" nor "y = 2x + 1 = 0"
        if m and "=" not in s[m.end() :] and s[m.end() :].strip():
            s = s[m.end() :].strip()
            assigned = True
    if _THOUSANDS_RE.match(s):  # never 0,111: a thousands group does not start with 0 (a decimal comma)
        s = s.replace(",", "")
    base = _BASE_RE.match(s)
    if base:  # 52_8, 4210_{5}: the digits are the answer; a model often drops the subscript
        s = base.group(1)
    # drop spaces except where they separate a command from a following letter ("\pi r")
    s = _CMD_SPACE_RE.sub(lambda m: m.group(1) + "\x00", s).replace(" ", "").replace("\x00", " ")
    s = re.sub(r"\{\s*\}", "", s) if s.endswith("{}") else s
    s = s.rstrip(".")
    if s.startswith("+") and len(s) > 1:
        s = s[1:]
    return Normalised(s, percent=percent, assigned=assigned)
