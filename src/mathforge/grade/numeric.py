"""Fast, exact evaluation of numeric LaTeX answers (``\\frac{3}{4}``, ``2\\sqrt{3}``, ``1.5\\times10^{3}``).

Why hand-written: most benchmark answers are constants, and parsing them through ANTLR + sympy costs
milliseconds and a worker-process round-trip. This evaluator handles the arithmetic subset in
microseconds, exactly (``fractions.Fraction``) where it can and with 50-digit ``mpmath`` otherwise, and
returns ``None`` for anything else so the symbolic path takes over. It never does unbounded work:
exponents and operand sizes are capped.

**Decimals against exact values** (``numbers_equal``; the symbolic path applies the same rule). A plain
decimal literal with k digits after the point (``3.1416``: k = 4) equals an exact or irrational value v
(``\\pi``, ``\\frac{1}{3}``, ``10000``) only to the precision it displays: when v rounded to k places,
or v cut (truncated toward zero) to k places, is that decimal. So ``3.1416`` and ``3.1415`` are π,
``0.333`` is 1/3, ``0.6666`` is 2/3, but ``3.15`` is not π and ``9999.857142857143`` is not 10000. A
decimal with fewer than three significant digits (``0.3``, ``0.33``, ``1.4``) says too little to stand for
an irrational or repeating value: it must equal v within the relative tolerance ``REL_TOL`` (1e-4), as
any other approximate value. Two decimal literals must agree within ``REL_TOL`` *and* the finer one must
round or cut to the coarser (``10000.0`` is not ``9999.857``; ``3.1416`` is ``3.14159``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

import mpmath

# A private context so that the 50-digit precision does not leak into other users of mpmath (sympy).
mp = mpmath.MPContext()
mp.dps = 50

_MAX_EXP = 4096  # |exponent| beyond which exact power is refused (towers go to the killable path)
_MAX_BITS = 20_000  # operand size cap for exact arithmetic
_TOKEN_RE = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<cmd>\\[a-zA-Z]+)|(?P<op>[-+*/^{}()\[\]])|(?P<ch>[a-zA-Z]))"
)
_CONSTS = {"\\pi": mp.pi}
_MUL_CMDS = {"\\cdot", "\\times"}


class _Unsupported(Exception):
    pass


@dataclass(frozen=True)
class Num:
    """A numeric value: exact (Fraction) or irrational/approximate (mpmath), and whether a decimal
    literal was involved (then comparisons use a relative tolerance)."""

    value: Fraction | mpmath.mpf | mpmath.mpc
    approx: bool = False
    places: int | None = None  # digits after the point, when the value is a plain decimal literal
    sig: int = 0  # its significant digits ("0.0120": 3)

    @property
    def exact(self) -> bool:
        return isinstance(self.value, Fraction)

    def as_mp(self) -> mpmath.mpf | mpmath.mpc:
        v = self.value
        return mp.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else v


def _tokenise(s: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(s):
        m = _TOKEN_RE.match(s, pos)
        if not m or m.end() == pos:
            if s[pos:].strip() == "":
                break
            raise _Unsupported(s[pos : pos + 10])
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], env: dict[str, Fraction] | None = None) -> None:
        self.toks = tokens
        self.i = 0
        self.approx = False
        self.env = env or {}

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise _Unsupported(f"expected {value}")
        self.i += 1
        return tok

    def parse(self) -> Fraction | mpmath.mpf:
        v = self.expr()
        if self.peek() is not None:
            raise _Unsupported("trailing")
        return v

    def expr(self):
        v = self.term()
        while (tok := self.peek()) and tok[1] in "+-":
            self.i += 1
            rhs = self.term()
            v = _add(v, rhs if tok[1] == "+" else -rhs)
        return v

    def _starts_atom(self, tok: tuple[str, str] | None) -> bool:
        if tok is None:
            return False
        kind, val = tok
        return (
            kind in ("num", "ch")
            or val in ("{", "(")
            or val in ("\\frac", "\\sqrt", "\\pi")
            or val in _CONSTS
        )

    def term(self):
        v = self.unary()
        while True:
            tok = self.peek()
            if tok and (tok[1] in ("*", "/") or tok[1] in _MUL_CMDS or tok[1] == "\\div"):
                self.i += 1
                rhs = self.unary()
                if tok[1] in ("/", "\\div"):
                    if rhs == 0:
                        raise _Unsupported("division by zero")
                    v = _div(v, rhs)
                else:
                    v = _mul(v, rhs)
            elif self._starts_atom(tok) and tok[0] != "num":
                prev = self.toks[self.i - 1]
                if tok[1] == "\\frac" and prev[0] == "num" and "." not in prev[1] and isinstance(v, Fraction):
                    frac = self.unary()
                    if isinstance(frac, Fraction) and 0 < frac < 1 and v.denominator == 1:
                        v = v + frac if v >= 0 else v - frac  # mixed number: 6\frac{1}{4} = 25/4
                    else:
                        v = _mul(v, frac)
                    continue
                v = _mul(v, self.unary())  # implicit product: 2\sqrt{3}, 3\pi, 2(5)
            else:
                return v

    def unary(self):
        tok = self.peek()
        if tok and tok[1] in "+-":
            self.i += 1
            v = self.unary()
            return -v if tok[1] == "-" else v
        return self.power()

    def power(self):
        base = self.atom()
        if (tok := self.peek()) and tok[1] == "^":
            self.i += 1
            exp = self.group_or_unary_atom()
            return _pow(base, exp)
        return base

    def group_or_unary_atom(self):
        tok = self.peek()
        if tok and tok[1] == "{":
            return self.atom()
        if tok and tok[0] == "num":  # x^23 in LaTeX means x^2 · 3; only the first digit binds
            self.i += 1
            digits = tok[1]
            if len(digits) > 1 and "." not in digits:
                self.toks.insert(self.i, ("num", digits[1:]))
                return Fraction(int(digits[0]))
            return _num(digits, self)
        if tok and tok[1] == "-":
            self.i += 1
            return -self.group_or_unary_atom()
        return self.atom()

    def atom(self):
        tok = self.peek()
        if tok is None:
            raise _Unsupported("end")
        kind, val = tok
        if kind == "num":
            self.i += 1
            return _num(val, self)
        if val in ("{", "("):
            self.i += 1
            v = self.expr()
            self.take("}" if val == "{" else ")")
            return v
        if val == "\\frac":
            self.i += 1
            num = self.arg()
            den = self.arg()
            if den == 0:
                raise _Unsupported("division by zero")
            return _div(num, den)
        if val == "\\sqrt":
            self.i += 1
            index = Fraction(2)
            if (t := self.peek()) and t[1] == "[":
                self.i += 1
                index = self.expr()
                self.take("]")
            return _root(self.arg(), index)
        if val in _CONSTS:
            self.i += 1
            return _CONSTS[val]
        if kind == "ch":
            self.i += 1
            nxt = self.peek()
            if val in "fgh" and nxt is not None and nxt[1] == "(":
                raise _Unsupported("function application")
            if val == "i":
                return mp.mpc(0, 1)
            if val == "e":
                return mp.e
            if val in self.env:
                return self.env[val]
        raise _Unsupported(val)

    def arg(self):
        """A macro argument: a brace group or a single token (``\\frac12``)."""
        tok = self.peek()
        if tok is None:
            raise _Unsupported("missing argument")
        if tok[1] == "{":
            return self.atom()
        if tok[0] == "num":
            self.i += 1
            digits = tok[1]
            if len(digits) > 1:
                self.toks.insert(self.i, ("num", digits[1:]))
            return Fraction(int(digits[0]))
        return self.atom()


def _num(text: str, parser: _Parser) -> Fraction:
    if "." in text:
        parser.approx = True
    if len(text) > 4000:
        raise _Unsupported("number too long")
    return Fraction(text)


def _check(v):
    if isinstance(v, Fraction) and (
        v.numerator.bit_length() > _MAX_BITS or v.denominator.bit_length() > _MAX_BITS
    ):
        raise _Unsupported("too large")
    return v


def _mp(v) -> mpmath.mpf:
    return mp.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else v


def _add(a, b):
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return _check(a + b)
    return _mp(a) + _mp(b)


def _mul(a, b):
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return _check(a * b)
    return _mp(a) * _mp(b)


def _div(a, b):
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return _check(a / b)
    return _mp(a) / _mp(b)


def _pow(base, exp):
    if isinstance(exp, Fraction) and exp.denominator == 1:
        if abs(exp) > _MAX_EXP:
            raise _Unsupported("exponent too large")
        if isinstance(base, Fraction):
            if base == 0 and exp < 0:
                raise _Unsupported("0 to a negative power")
            if base.numerator.bit_length() * abs(exp.numerator) > _MAX_BITS * 4:
                raise _Unsupported("power too large")
            return _check(base**exp.numerator)
        return _mp(base) ** int(exp)
    if isinstance(exp, Fraction) and isinstance(base, Fraction) and base > 0:
        if abs(exp.numerator) > _MAX_EXP:
            raise _Unsupported("exponent too large")
        return _root(_check(base**exp.numerator), Fraction(exp.denominator))
    b, e = _mp(base), _mp(exp)
    if abs(e) > _MAX_EXP:
        raise _Unsupported("exponent too large")
    if b < 0:
        raise _Unsupported("negative base, fractional exponent")
    return b**e


def _root(x, index):
    if isinstance(x, Fraction) and isinstance(index, Fraction) and index.denominator == 1 and index > 0:
        n = int(index)
        if x < 0 and n % 2 == 0:
            raise _Unsupported("even root of a negative")
        num = _int_root(abs(x.numerator), n)
        den = _int_root(x.denominator, n)
        if num is not None and den is not None:
            return Fraction(num, den) * (-1 if x < 0 else 1)
        return mp.root(_mp(x), n) if x >= 0 else -mp.root(-_mp(x), n)
    v = _mp(x)
    if v < 0:
        raise _Unsupported("root of a negative")
    return v ** (1 / _mp(index))


def _int_root(v: int, n: int) -> int | None:
    if v.bit_length() > _MAX_BITS:
        return None
    r = round(v ** (1.0 / n)) if v < 2**1000 else int(mp.nint(mp.root(v, n)))
    for c in (r - 1, r, r + 1):
        if c >= 0 and c**n == v:
            return c
    return None


_SCI_E_RE = re.compile(r"^([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)[eE]([-+]?\d{1,4})$")


_REPEATING_RE = re.compile(r"(\d*)\.(\d*)\\overline\{(\d{1,50})\}")


def _repeating(m: re.Match[str]) -> str:
    r"""0.1\overline{6} → (1/6): the exact value of a repeating decimal."""
    whole, fixed, rep = m.group(1) or "0", m.group(2), m.group(3)
    value = Fraction(int(whole)) + Fraction(int(fixed or "0"), 10 ** len(fixed))
    value += Fraction(int(rep), (10 ** len(rep) - 1) * 10 ** len(fixed))
    return f"({value.numerator}/{value.denominator})"


def evaluate(text: str) -> Num | None:
    """Value of a numeric LaTeX/plain answer, or None when it is not pure arithmetic (or too big)."""
    if not text or len(text) > 2000:
        return None
    if "\\overline" in text:
        text = _REPEATING_RE.sub(_repeating, text)
    m = _SCI_E_RE.match(text)
    if m:
        return Num(Fraction(m.group(1)) * Fraction(10) ** int(m.group(2)), approx=True)
    return _evaluate(text, None)


def _evaluate(text: str, env: dict[str, Fraction] | None) -> Num | None:
    if _PLAIN_RE.match(text):  # most answers: skip the parser
        if len(text) >= 4000:
            return None
        if "." not in text:
            return Num(Fraction(text))
        digits = text.lstrip("-").replace(".", "").lstrip("0")
        return Num(Fraction(text), approx=True, places=len(text) - text.index(".") - 1, sig=len(digits))
    try:
        parser = _Parser(_tokenise(text), env)
        value = parser.parse()
    except (_Unsupported, ZeroDivisionError, ValueError, TypeError, OverflowError, RecursionError):
        return None
    if not isinstance(value, Fraction):
        if isinstance(value, mp.mpc) and value.imag == 0:
            value = value.real
        if not mp.isfinite(value):
            return None
    return Num(value, approx=parser.approx)


_PLAIN_RE = re.compile(r"-?\d+(?:\.\d+)?$")
_DECIMAL_COMMA_RES = (
    re.compile(r"-?0,\d+"),  # 0,111: a thousands group never starts with 0
    re.compile(r"-?\d+,(?:\d{1,2}|\d{4,})"),  # 1000,99 / 2,74: not exactly three digits after the comma
)
_DOT_GROUPS_RE = re.compile(r"-?\d{1,3}(?:\.\d{3})+,\d+")  # 1.000,5


def decimal_comma(text: str) -> str | None:
    """'1000,99' → '1000.99', '0,111' → '0.111', '1.000,5' → '1000.5'; None where the comma may be a
    thousands separator ('1,000') or the text is not one such number."""
    if "," not in text or len(text) > 400:
        return None
    if _DOT_GROUPS_RE.fullmatch(text):
        return text.replace(".", "").replace(",", ".")
    if any(r.fullmatch(text) for r in _DECIMAL_COMMA_RES):
        return text.replace(",", ".")
    return None


_VAR_RE = re.compile(r"[a-zA-Z]")
_WORD_RUN_RE = re.compile(r"(?<![\\a-zA-Z])[a-zA-Z]{3,}")
_COMMAND_RE = re.compile(r"\\[a-zA-Z]+")
_POINTS = 3


def _points(names: set[str]) -> list[dict[str, Fraction]]:
    """Fixed, distinct, awkward rationals per variable: a difference shows at almost any of them."""
    pts = []
    for k in range(_POINTS):
        env = {}
        for j, name in enumerate(sorted(names)):
            env[name] = Fraction(37 + 13 * k + 7 * j + ord(name) % 11, 11 + 2 * k + j % 3)
        pts.append(env)
    return pts


def variables(text: str) -> set[str] | None:
    """Single-letter variables of an expression, or None when it holds a word (not algebra)."""
    bare = _COMMAND_RE.sub(" ", text)
    if _WORD_RUN_RE.search(bare):
        return None
    return {v for v in _VAR_RE.findall(bare) if v not in "ei"}


def compare_expressions(gold: str, pred: str) -> bool | None:
    """Equality of two numeric expressions in a few single-letter variables, by evaluation at fixed
    rational points: a difference at any point proves them different, agreement at every point makes
    identity near-certain (Schwartz–Zippel). None when either side is not such an expression."""
    vg, vp = variables(gold), variables(pred)
    if vg is None or vp is None:
        return None
    names = vg | vp
    if not names:
        a, b = evaluate(gold), evaluate(pred)
        return None if a is None or b is None else numbers_equal(a, b)
    if len(gold) > 2000 or len(pred) > 2000:
        return None
    for env in _points(names):
        a, b = _evaluate(gold, env), _evaluate(pred, env)
        if a is None or b is None:
            return None
        same = numbers_equal(a, b)
        if same is not True:
            return same
    return True


REL_TOL = 1e-4  # for answers written as decimals (the Qwen2.5-Math toolkit's tolerance)


# Above this magnitude a 50-digit comparison cannot see a difference of 1 (10^{10^{10}} vs 10^{10^{10}}+1):
# such values are compared exactly or not at all.
_EXACT_SCALE = mp.mpf("1e20")


MIN_SIGNIFICANT = 3  # a shorter decimal never stands for an irrational or repeating value
_MAX_PLACES = 40  # beyond this the 50-digit arithmetic cannot judge the last place


def rounds_or_cuts_to(value, dec: Num) -> bool:
    """Whether ``value`` (exact or 50-digit) rounded, or truncated toward zero, to ``dec.places`` digits
    after the point is the decimal ``dec``."""
    x, y = dec.as_mp(), value
    unit = mp.mpf(10) ** -(dec.places or 0)
    if abs(y - x) <= unit / 2:
        return True
    return (x >= 0) == (y >= 0) and abs(x) <= abs(y) < abs(x) + unit


def display_equal(dec: Num, value) -> bool | None:
    """The decimal literal ``dec`` against an exact or irrational real ``value`` (see the module
    docstring); None when ``value`` is not a finite real number."""
    if isinstance(value, Fraction):
        value = mp.mpf(value.numerator) / value.denominator
    if isinstance(value, mp.mpc):
        if value.imag != 0:
            return False
        value = value.real
    if not mp.isfinite(value):
        return None
    if dec.sig < MIN_SIGNIFICANT or (dec.places or 0) > _MAX_PLACES:
        x = dec.as_mp()
        scale = max(abs(x), abs(value))
        return bool(scale == 0 or abs(x - value) <= REL_TOL * scale)
    return rounds_or_cuts_to(value, dec)


def numbers_equal(a: Num, b: Num, rel_tol: float = REL_TOL) -> bool | None:
    """Exact values compare exactly; irrational ones to 1e-30 relative (None when they are too large for
    that to be a proof); a decimal literal against an exact or irrational value compares to the precision
    it displays, and other approximate values with ``rel_tol`` (see the module docstring)."""
    if a.exact and b.exact and not (a.approx or b.approx):
        return a.value == b.value
    if a.exact and b.exact and a.value == b.value:
        return True
    if (a.places is None) != (b.places is None):
        dec, other = (a, b) if a.places is not None else (b, a)
        if not other.approx:
            return display_equal(dec, other.value)
    x, y = a.as_mp(), b.as_mp()
    scale = max(abs(x), abs(y))
    if not mp.isfinite(scale):
        return None
    if scale == 0:
        return True
    if a.approx or b.approx:
        close = bool(abs(x - y) <= rel_tol * scale)
        if close and a.places is not None and b.places is not None:
            coarse, fine = (a, b) if a.places <= b.places else (b, a)
            return rounds_or_cuts_to(fine.as_mp(), coarse)
        return close
    close = abs(x - y) <= mp.mpf("1e-30") * scale
    if close and scale >= _EXACT_SCALE:
        return None
    return bool(close)
