"""The numeric backend: values of numeric answers in pure Python, exact where it can be
(:class:`fractions.Fraction`), floats after transcendental functions, with every size limit
checked as it goes. The integer, decimal and vector gates use only this; it never imports
sympy or numpy."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

from .build import Backend, build
from .grammar import Parsed, parse
from .vocabulary import (
    MAX_BITS,
    MAX_DIM,
    MAX_EXPONENT,
    MAX_VECTOR,
    SCALAR_FUNCTIONS,
    DomainError,
    InputError,
)

Scalar = Fraction | float


class Vec(tuple):
    """A flat vector of scalars."""


class Mat(tuple):
    """A matrix: a tuple of equal-length row tuples."""

    @property
    def shape(self) -> tuple[int, int]:
        return len(self), len(self[0])


def is_scalar(v: Any) -> bool:
    return isinstance(v, (Fraction, float))


def describe(v: Any) -> str:
    if isinstance(v, Vec):
        return f"a vector of {len(v)} entr" + ("y" if len(v) == 1 else "ies")
    if isinstance(v, Mat):
        return "a {}×{} matrix".format(*v.shape)
    return "a number"


def _too_large() -> InputError:
    return InputError("that number is too large to work with here")


def _chk(x: Any) -> Any:
    if isinstance(x, Fraction):
        if x.numerator.bit_length() > MAX_BITS or x.denominator.bit_length() > MAX_BITS:
            raise _too_large()
        return x
    if isinstance(x, float):
        if not math.isfinite(x):
            raise _too_large()
        return x
    if isinstance(x, complex):
        raise DomainError("that is not a real number")
    if isinstance(x, int):
        return _chk(Fraction(x))
    return x


def _flt(x: Scalar) -> float:
    try:
        return float(x)
    except OverflowError:
        raise _too_large() from None


def _exact_sqrt(x: Fraction) -> Fraction | None:
    p, q = x.numerator, x.denominator
    rp, rq = math.isqrt(p), math.isqrt(q)
    if rp * rp == p and rq * rq == q:
        return Fraction(rp, rq)
    return None


def _cols(m: Any) -> Mat:
    """View a vector as a column matrix."""
    if isinstance(m, Vec):
        return Mat(tuple((x,) for x in m))
    return m


class NumericBackend(Backend):
    """Exact where it can be (Fraction), floats after transcendental functions."""

    def number(self, literal: str) -> Scalar:
        return _chk(Fraction(literal))

    def constant(self, name: str) -> Scalar:
        return math.e if name == "e" else math.pi

    def symbol(self, name: str) -> Any:
        raise InputError(f"'{name}' has no value here; type a number")

    def diff(self, f: Any, spec: list[Any]) -> Any:
        raise InputError("diff needs symbols; this answer is a number")

    def neg(self, a: Any) -> Any:
        return self._map(a, lambda x: -x)

    @staticmethod
    def _map(a: Any, fn: Callable[[Scalar], Any]) -> Any:
        if isinstance(a, Vec):
            return Vec(_chk(fn(x)) for x in a)
        if isinstance(a, Mat):
            return Mat(tuple(_chk(fn(x)) for x in row) for row in a)
        return _chk(fn(a))

    def array(self, items: list[Any]) -> Any:
        if all(is_scalar(x) for x in items):
            if len(items) > MAX_VECTOR:
                raise InputError(f"vectors are limited to {MAX_VECTOR} entries here")
            return Vec(items)
        if all(isinstance(x, Vec) for x in items):
            if len({len(x) for x in items}) != 1:
                raise InputError("every row of a matrix needs the same number of entries")
            if len(items) > MAX_DIM or len(items[0]) > MAX_DIM:
                raise InputError(f"matrices are limited to {MAX_DIM}×{MAX_DIM} here")
            return Mat(tuple(x) for x in items)
        raise InputError("a list can hold numbers or rows of numbers, not a mix")

    # -- arithmetic
    def binop(self, op: str, a: Any, b: Any) -> Any:
        try:
            if op == "+":
                return self._add(a, b, 1)
            if op == "-":
                return self._add(a, b, -1)
            if op == "*":
                return self._mul(a, b)
            if op == "/":
                return self._div(a, b)
            if op == "^":
                return self._pow(a, b)
            if op == "@":
                return self._matmul(a, b)
        except ZeroDivisionError:
            raise DomainError("that divides by zero") from None
        except OverflowError:
            raise _too_large() from None
        raise InputError(f"the operator '{op}' is not allowed here")

    def _add(self, a: Any, b: Any, sign: int) -> Any:
        if is_scalar(a) and is_scalar(b):
            return _chk(a + b if sign > 0 else a - b)
        if isinstance(a, Vec) and isinstance(b, Vec) and len(a) == len(b):
            return Vec(_chk(x + sign * y) for x, y in zip(a, b))
        if isinstance(a, Mat) and isinstance(b, Mat) and a.shape == b.shape:
            return Mat(tuple(_chk(x + sign * y) for x, y in zip(ra, rb)) for ra, rb in zip(a, b))
        word = "add" if sign > 0 else "subtract"
        raise InputError(f"can't {word} {describe(a)} and {describe(b)}")

    def _mul(self, a: Any, b: Any) -> Any:
        if is_scalar(a) and is_scalar(b):
            return _chk(a * b)
        if is_scalar(a):
            return self._map(b, lambda x: a * x)
        if is_scalar(b):
            return self._map(a, lambda x: x * b)
        if isinstance(a, Vec) and isinstance(b, Vec):
            raise InputError("multiply vectors with dot(u, v) or u @ v")
        return self._matmul(a, b)

    def _div(self, a: Any, b: Any) -> Any:
        if not is_scalar(b):
            raise InputError(f"can't divide by {describe(b)}")
        if b == 0:
            raise DomainError("that divides by zero")
        if is_scalar(a):
            return _chk(a / b)
        return self._map(a, lambda x: x / b)

    def _pow(self, a: Any, b: Any) -> Any:
        if not is_scalar(b):
            raise InputError("an exponent must be a number")
        if abs(b) > MAX_EXPONENT:
            raise InputError(f"exponents are limited to {MAX_EXPONENT} here")
        if isinstance(a, Mat):
            if not (isinstance(b, Fraction) and b.denominator == 1):
                raise InputError("a matrix power needs a whole-number exponent")
            n = b.numerator
            if a.shape[0] != a.shape[1]:
                raise InputError("only square matrices have powers")
            if abs(n) > 64:
                raise InputError("matrix powers are limited to 64 here")
            base = self._inv(a) if n < 0 else a
            result = Mat(tuple(Fraction(int(i == j)) for j in range(len(a))) for i in range(len(a)))
            for _ in range(abs(n)):
                result = self._matmul(result, base)
            return result
        if not is_scalar(a):
            raise InputError(f"can't raise {describe(a)} to a power")
        return self._spow(a, b)

    @staticmethod
    def _spow(a: Scalar, b: Scalar) -> Scalar:
        if isinstance(b, Fraction) and b.denominator == 1:
            n = b.numerator
            if isinstance(a, Fraction):
                if a == 0 and n < 0:
                    raise DomainError("that divides by zero")
                bits = max(a.numerator.bit_length(), a.denominator.bit_length())
                if bits * abs(n) > MAX_BITS + 64:
                    raise _too_large()
                return _chk(a ** n)
            return _chk(a ** n)
        fa, fb = _flt(a), _flt(b)
        if isinstance(a, Fraction) and isinstance(b, Fraction) and b.denominator == 2 and a >= 0:
            root = _exact_sqrt(a)
            if root is not None:
                return NumericBackend._spow(root, Fraction(b.numerator))
        if fa < 0:
            raise DomainError("a negative number to a fractional power is not a real number")
        if fa == 0 and fb < 0:
            raise DomainError("that divides by zero")
        return _chk(fa ** fb)

    def _matmul(self, a: Any, b: Any) -> Any:
        if is_scalar(a) or is_scalar(b):
            raise InputError("@ multiplies matrices and vectors; use * for numbers")
        if isinstance(a, Vec) and isinstance(b, Vec):
            if len(a) != len(b):
                raise InputError(f"can't multiply {describe(a)} with {describe(b)}")
            return self._dot(a, b)
        if isinstance(a, Vec):  # row vector times matrix
            m = self._matmul(Mat((tuple(a),)), b)
            return Vec(m[0])
        ma, mb = a, _cols(b)
        if ma.shape[1] != mb.shape[0]:
            raise InputError(
                "can't multiply {} by {}: the sizes don't fit".format(describe(a), describe(b)))
        rows = []
        for ra in ma:
            rows.append(tuple(
                _chk(sum((x * mb[k][j] for k, x in enumerate(ra)), Fraction(0)))
                for j in range(mb.shape[1])
            ))
        if isinstance(b, Vec):
            return Vec(r[0] for r in rows)
        return Mat(rows)

    @staticmethod
    def _dot(a: Vec, b: Vec) -> Scalar:
        return _chk(sum((x * y for x, y in zip(a, b)), Fraction(0)))

    # -- functions
    def call(self, name: str, args: list[Any]) -> Any:
        try:
            return self._call(name, args)
        except ZeroDivisionError:
            raise DomainError("that divides by zero") from None
        except OverflowError:
            raise _too_large() from None

    def _call(self, name: str, args: list[Any]) -> Any:
        if name in SCALAR_FUNCTIONS and not (name == "log" and len(args) == 2):
            fn = getattr(self, "_f_" + name)
            return self._map(args[0], fn)
        if name == "log":
            x, b = args
            if not (is_scalar(x) and is_scalar(b)):
                raise InputError("log(x, b) takes two numbers")
            if b <= 0 or b == 1:
                raise DomainError("a log base must be positive and not 1")
            return _chk(self._f_log(x) / self._f_log(b))
        if name in ("max", "min"):
            vals = list(args[0]) if len(args) == 1 and isinstance(args[0], Vec) else args
            if not all(is_scalar(v) for v in vals):
                raise InputError(f"{name}(...) takes numbers or one vector")
            return max(vals) if name == "max" else min(vals)
        if name == "dot":
            u, v = (Vec(x[0] for x in a) if isinstance(a, Mat) and a.shape[1] == 1 else a
                    for a in args)
            if not (isinstance(u, Vec) and isinstance(v, Vec)):
                raise InputError("dot(u, v) takes two vectors")
            if len(u) != len(v):
                raise InputError("dot(u, v) needs vectors of the same length")
            return self._dot(u, v)
        if name == "norm":
            v = args[0]
            if is_scalar(v):
                return abs(v)
            entries = list(v) if isinstance(v, Vec) else [x for row in v for x in row]
            return self._f_sqrt(_chk(sum((x * x for x in entries), Fraction(0))))
        m = args[0]
        if name == "transpose":
            if isinstance(m, Vec):
                return Mat((tuple(m),))
            if isinstance(m, Mat):
                return Mat(tuple(row[j] for row in m) for j in range(m.shape[1]))
            raise InputError("transpose(...) takes a matrix")
        if not isinstance(m, Mat):
            raise InputError(f"{name}(...) takes a matrix")
        if m.shape[0] != m.shape[1]:
            raise InputError(f"{name}(...) needs a square matrix")
        if name == "trace":
            return _chk(sum((m[i][i] for i in range(len(m))), Fraction(0)))
        if name == "det":
            return self._det(m)
        if name == "inv":
            return self._inv(m)
        if name == "diff":
            raise InputError("diff needs symbols; this answer is a number")
        raise InputError(f"{name}(...) is not available here")

    @staticmethod
    def _f_sqrt(x: Scalar) -> Scalar:
        if x < 0:
            raise DomainError("the square root of a negative number is not a real number")
        if isinstance(x, Fraction):
            r = _exact_sqrt(x)
            if r is not None:
                return r
        return math.sqrt(_flt(x))

    @staticmethod
    def _f_exp(x: Scalar) -> Scalar:
        if x == 0:
            return Fraction(1)
        return math.exp(_flt(x))

    @staticmethod
    def _f_log(x: Scalar) -> Scalar:
        if x <= 0:
            raise DomainError("log is only defined for positive numbers")
        if x == 1:
            return Fraction(0)
        if isinstance(x, Fraction):
            # log of huge exact numbers without converting them to float
            return (math.log(x.numerator) - math.log(x.denominator))
        return math.log(x)

    _f_ln = _f_log

    @staticmethod
    def _f_sin(x: Scalar) -> Scalar:
        return Fraction(0) if x == 0 else math.sin(_flt(x))

    @staticmethod
    def _f_cos(x: Scalar) -> Scalar:
        return Fraction(1) if x == 0 else math.cos(_flt(x))

    @staticmethod
    def _f_tan(x: Scalar) -> Scalar:
        return Fraction(0) if x == 0 else math.tan(_flt(x))

    @staticmethod
    def _f_tanh(x: Scalar) -> Scalar:
        return Fraction(0) if x == 0 else math.tanh(_flt(x))

    @staticmethod
    def _f_sigmoid(x: Scalar) -> Scalar:
        if x == 0:
            return Fraction(1, 2)
        f = _flt(x)
        if f >= 0:
            return 1.0 / (1.0 + math.exp(-f))
        z = math.exp(f)
        return z / (1.0 + z)

    @staticmethod
    def _f_abs(x: Scalar) -> Scalar:
        return abs(x)

    @staticmethod
    def _det(m: Mat) -> Scalar:
        a = [list(row) for row in m]
        n = len(a)
        det: Scalar = Fraction(1)
        for c in range(n):
            pivot = max(range(c, n), key=lambda r: abs(a[r][c]))
            if a[pivot][c] == 0:
                return Fraction(0)
            if pivot != c:
                a[c], a[pivot] = a[pivot], a[c]
                det = -det
            det = _chk(det * a[c][c])
            for r in range(c + 1, n):
                f = a[r][c] / a[c][c]
                if f:
                    a[r] = [_chk(x - f * y) for x, y in zip(a[r], a[c])]
        return det

    @staticmethod
    def _inv(m: Mat) -> Mat:
        n = len(m)
        a = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(m)]
        for c in range(n):
            pivot = max(range(c, n), key=lambda r: abs(a[r][c]))
            if a[pivot][c] == 0 or (isinstance(a[pivot][c], float) and abs(a[pivot][c]) < 1e-300):
                raise DomainError("that matrix has no inverse")
            a[c], a[pivot] = a[pivot], a[c]
            p = a[c][c]
            a[c] = [_chk(x / p) for x in a[c]]
            for r in range(n):
                if r != c and a[r][c]:
                    f = a[r][c]
                    a[r] = [_chk(x - f * y) for x, y in zip(a[r], a[c])]
        return Mat(tuple(row[n:]) for row in a)


def evaluate_numeric(text: str | Parsed) -> Any:
    """Value of a numeric expression: Fraction or float, Vec, or Mat. Never imports sympy."""
    parsed = parse(text) if isinstance(text, str) else text
    try:
        return build(parsed, NumericBackend())
    except (RecursionError, MemoryError):
        raise InputError("that expression is too complex") from None
    except OverflowError:
        raise _too_large() from None
