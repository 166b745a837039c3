"""The sympy backend: builds sympy values from a :class:`~.grammar.Parsed` tree, for typed
derivation steps, expression gates and the tools, with the same size limits as the numeric
backend; and :func:`value_at`, a bounded numeric evaluation of a sympy value at a point,
which refuses numbers beyond 10^4000 before computing them.

sympy and mpmath are imported lazily, on first use, so importing this module is light.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from .build import Backend
from .vocabulary import MAX_BITS, MAX_DIM, MAX_EXPONENT, MAX_VECTOR, DomainError, InputError


def lazy_sympy():
    """The sympy module, imported on first use (it takes about a second)."""
    import sympy

    return sympy


def is_matrix(v: Any) -> bool:
    """Whether a sympy value is a matrix (vectors are one-column matrices)."""
    sp = lazy_sympy()
    return isinstance(v, (sp.MatrixBase, sp.MatrixExpr))


def describe_sympy(v: Any) -> str:
    """A sympy value in words, for a player: "a vector of 2 entries", "an expression"."""
    if is_matrix(v):
        r, c = v.shape
        if c == 1:
            return f"a vector of {r} entr" + ("y" if r == 1 else "ies")
        return f"a {r}×{c} matrix"
    return "a number" if not getattr(v, "free_symbols", None) else "an expression"


def _too_large() -> InputError:
    return InputError("that number is too large to work with here")


class SympyBackend(Backend):
    """Builds sympy values. ``evaluate=False`` keeps the typed form for pretty printing
    (only used after an evaluated build has accepted the same input)."""

    def __init__(self, assume: str = "real", evaluate: bool = True) -> None:
        if assume not in ("real", "positive"):
            raise ValueError(f"assume must be 'real' or 'positive', not {assume!r}")
        self.assume = assume
        self.evaluate = evaluate
        self.sp = lazy_sympy()

    # -- leaves
    def number(self, literal: str) -> Any:
        sp = self.sp
        f = Fraction(literal)
        if not self.evaluate and any(ch in literal for ch in ".eE"):
            return sp.Symbol(literal)  # shows the number exactly as typed: 5.000, 0.665
        return self._size(sp.Rational(f.numerator, f.denominator))

    def constant(self, name: str) -> Any:
        return self.sp.E if name == "e" else self.sp.pi

    def symbol(self, name: str) -> Any:
        if self.assume == "positive":
            return self.sp.Symbol(name, positive=True)
        return self.sp.Symbol(name, real=True)

    # -- helpers
    def _size(self, v: Any) -> Any:
        sp = self.sp
        if isinstance(v, sp.Rational):
            if v.p.bit_length() > MAX_BITS or v.q.bit_length() > MAX_BITS:
                raise _too_large()
        elif isinstance(v, sp.MatrixBase):
            for x in v:
                self._size(x)
        return v

    def _mat(self, v: Any) -> Any:
        return self.sp.ImmutableMatrix(v) if isinstance(v, self.sp.MatrixBase) else v

    def array(self, items: list[Any]) -> Any:
        sp = self.sp
        if not any(is_matrix(x) for x in items):
            if len(items) > MAX_VECTOR:
                raise InputError(f"vectors are limited to {MAX_VECTOR} entries here")
            return sp.ImmutableMatrix(len(items), 1, items)
        if all(isinstance(x, sp.MatrixBase) and x.shape[1] == 1 for x in items):
            if len({x.shape[0] for x in items}) != 1:
                raise InputError("every row of a matrix needs the same number of entries")
            if len(items) > MAX_DIM or items[0].shape[0] > MAX_DIM:
                raise InputError(f"matrices are limited to {MAX_DIM}×{MAX_DIM} here")
            return sp.ImmutableMatrix([list(x) for x in items])
        raise InputError("a list can hold numbers or rows of numbers, not a mix")

    def neg(self, a: Any) -> Any:
        """-a. As typed (``evaluate=False``) a minus sign on a number makes a negative number,
        and on a product it goes to the product's leading number: sympy prints -2 and -2⋅θ,
        where Mul(-1, …) would print -1⋅2 and -1⋅2⋅θ."""
        if self.evaluate or is_matrix(a):
            return -a
        sp = self.sp
        if isinstance(a, sp.Number):
            return -a
        if isinstance(a, sp.Pow) and isinstance(a.base, sp.Number) and a.exp == -1:
            return sp.Rational(-1) / a.base  # -1/20, not -1⋅1/20
        if isinstance(a, sp.Mul) and a.args and isinstance(a.args[0], sp.Number):
            return sp.Mul(-a.args[0], *a.args[1:], evaluate=False)
        return sp.Mul(-1, a, evaluate=False)

    # -- arithmetic
    def binop(self, op: str, a: Any, b: Any) -> Any:
        try:
            if self.evaluate:
                return self._size(self._binop_eval(op, a, b))
            return self._binop_display(op, a, b)
        except InputError:
            raise
        except ZeroDivisionError:
            raise DomainError("that divides by zero") from None
        except (TypeError, ValueError, ArithmeticError, AttributeError,
                NotImplementedError) as exc:
            if self.evaluate:
                raise InputError(f"can't combine {describe_sympy(a)} and {describe_sympy(b)} with '{op}'") \
                    from exc
            return self._binop_eval(op, a, b)

    def _binop_eval(self, op: str, a: Any, b: Any) -> Any:
        ma, mb = is_matrix(a), is_matrix(b)
        if op in "+-":
            if ma != mb or (ma and a.shape != b.shape):
                word = "add" if op == "+" else "subtract"
                raise InputError(f"can't {word} {describe_sympy(a)} and {describe_sympy(b)}")
            return a + b if op == "+" else a - b
        if op == "*":
            if ma and mb:
                if a.shape[1] == 1 and b.shape[1] == 1:
                    raise InputError("multiply vectors with dot(u, v) or u @ v")
                return self._matmul(a, b)
            return a * b
        if op == "/":
            if mb:
                raise InputError(f"can't divide by {describe_sympy(b)}")
            if b.is_zero:
                raise DomainError("that divides by zero")
            return a / b
        if op == "^":
            return self._pow(a, b)
        if op == "@":
            if not (ma and mb):
                raise InputError("@ multiplies matrices and vectors; use * for numbers")
            return self._matmul(a, b)
        raise InputError(f"the operator '{op}' is not allowed here")

    def _binop_display(self, op: str, a: Any, b: Any) -> Any:
        sp = self.sp
        if is_matrix(a) or is_matrix(b):
            if op == "@" or (op == "*" and is_matrix(a) and is_matrix(b)):
                return sp.MatMul(self._mat(a), self._mat(b), evaluate=False)
            if op == "*":
                return sp.MatMul(self._mat(a), self._mat(b), evaluate=False)
            if op == "+":
                return sp.MatAdd(self._mat(a), self._mat(b), evaluate=False)
            return self._binop_eval(op, a, b)
        if op == "+":
            return sp.Add(a, b, evaluate=False)
        if op == "-":
            return sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False)
        if op == "*":
            return sp.Mul(a, b, evaluate=False)
        if op == "/":
            if a == 1:
                return sp.Pow(b, -1, evaluate=False)
            return sp.Mul(a, sp.Pow(b, -1, evaluate=False), evaluate=False)
        if op == "^":
            return sp.Pow(a, b, evaluate=False)
        return self._binop_eval(op, a, b)

    def _matmul(self, a: Any, b: Any) -> Any:
        sp = self.sp
        if a.shape[1] == 1 and b.shape[1] == 1:  # vector @ vector: dot product
            if a.shape[0] != b.shape[0]:
                raise InputError(f"can't multiply {describe_sympy(a)} with {describe_sympy(b)}")
            return sp.Add(*[x * y for x, y in zip(a, b)])
        if a.shape[1] == 1 and a.shape[0] == b.shape[0] and b.shape[1] != 1:
            return self.sp.ImmutableMatrix((a.T * b).T)  # row vector times matrix
        if a.shape[1] != b.shape[0]:
            raise InputError(f"can't multiply {describe_sympy(a)} by {describe_sympy(b)}: "
                             "the sizes don't fit")
        return sp.ImmutableMatrix(a * b)

    def _pow(self, a: Any, b: Any) -> Any:
        sp = self.sp
        if is_matrix(b):
            raise InputError("an exponent must be a number")
        if not b.free_symbols:
            mag = self._magnitude(b)
            if mag is None or mag > MAX_EXPONENT:
                raise InputError(f"exponents are limited to {MAX_EXPONENT} here")
        if is_matrix(a):
            if not (b.is_Integer):
                raise InputError("a matrix power needs a whole-number exponent")
            if a.shape[0] != a.shape[1]:
                raise InputError("only square matrices have powers")
            limit = 8 if a.free_symbols else 64
            if abs(int(b)) > limit:
                raise InputError(f"matrix powers are limited to {limit} here")
            if int(b) < 0:
                return sp.ImmutableMatrix(self._inv(a) ** (-int(b)))
            return sp.ImmutableMatrix(a ** int(b))
        if isinstance(a, sp.Rational) and isinstance(b, sp.Rational):
            if a == 0 and b < 0:
                raise DomainError("that divides by zero")
            bits = max(a.p.bit_length(), a.q.bit_length())
            if b.is_Integer:
                if bits * abs(int(b)) > MAX_BITS + 64:
                    raise _too_large()
            elif bits > 200:
                # avoid sympy's perfect-power search on huge numbers
                return sp.Pow(a, b, evaluate=False)
        return sp.Pow(a, b)

    def _magnitude(self, v: Any) -> float | None:
        sp = self.sp
        if isinstance(v, sp.Rational):
            return abs(float(v)) if abs(v) < 10**300 else float("inf")
        m = value_at(v, {})
        return None if m is None else float(abs(m))

    # -- functions
    def call(self, name: str, args: list[Any]) -> Any:
        try:
            out = self._call(name, args)
        except InputError:
            raise
        except ZeroDivisionError:
            raise DomainError("that divides by zero") from None
        except (TypeError, ValueError, ArithmeticError, AttributeError,
                NotImplementedError) as exc:
            if not self.evaluate:
                self.evaluate = True
                try:
                    return self._call(name, args)
                finally:
                    self.evaluate = False
            raise InputError(f"can't work out {name}(...) of that") from exc
        return self._size(out) if self.evaluate else out

    def _scalar_fn(self, name: str) -> Callable[[Any], Any]:
        sp = self.sp
        ev = self.evaluate
        if name == "sqrt":
            if ev:
                return lambda x: self._pow(x, sp.Rational(1, 2))
            return lambda x: sp.sqrt(x, evaluate=False)
        if name == "sigmoid":
            if ev:
                return lambda x: 1 / (1 + sp.exp(-x))
            return lambda x: sp.Function("sigmoid")(x)
        fn = {"exp": sp.exp, "log": sp.log, "ln": sp.log, "sin": sp.sin, "cos": sp.cos,
              "tan": sp.tan, "tanh": sp.tanh, "abs": sp.Abs}[name]
        if ev:
            return fn
        return lambda x: fn(x, evaluate=False)

    def _call(self, name: str, args: list[Any]) -> Any:
        sp = self.sp
        if name == "log" and len(args) == 2:
            x, b = args
            if is_matrix(x) or is_matrix(b):
                raise InputError("log(x, b) takes two numbers")
            if self.evaluate:
                return sp.log(x, b)
            return sp.Mul(sp.log(x, evaluate=False),
                          sp.Pow(sp.log(b, evaluate=False), -1, evaluate=False),
                          evaluate=False)
        if name in ("sqrt", "exp", "log", "ln", "sin", "cos", "tan", "tanh", "sigmoid", "abs"):
            fn = self._scalar_fn(name)
            x = args[0]
            if is_matrix(x):
                return sp.ImmutableMatrix(self._mat(x).applyfunc(fn))
            return fn(x)
        if name in ("max", "min"):
            vals = list(args[0]) if len(args) == 1 and is_matrix(args[0]) else args
            if any(is_matrix(v) for v in vals):
                raise InputError(f"{name}(...) takes numbers or one vector")
            f = sp.Max if name == "max" else sp.Min
            return f(*vals) if self.evaluate else f(*vals, evaluate=False)
        if name == "dot":
            u, v = args
            if not (is_matrix(u) and is_matrix(v) and u.shape[1] == 1 and v.shape[1] == 1):
                raise InputError("dot(u, v) takes two vectors")
            if u.shape[0] != v.shape[0]:
                raise InputError("dot(u, v) needs vectors of the same length")
            return sp.Add(*[x * y for x, y in zip(u, v)])
        if name == "norm":
            v = args[0]
            if not is_matrix(v):
                return sp.Abs(v)
            return sp.sqrt(sp.Add(*[x ** 2 for x in v]))
        m = args[0]
        if not is_matrix(m):
            raise InputError(f"{name}(...) takes a matrix")
        if name == "transpose":
            return self._mat(m).T if self.evaluate else sp.Transpose(self._mat(m))
        if m.shape[0] != m.shape[1]:
            raise InputError(f"{name}(...) needs a square matrix")
        if m.free_symbols and m.shape[0] > 4 and name in ("det", "inv"):
            raise InputError(f"{name}(...) of a matrix with symbols is limited to 4×4 here")
        if name == "trace":
            return m.trace() if self.evaluate else sp.Trace(self._mat(m))
        if name == "det":
            return m.det() if self.evaluate else sp.Determinant(self._mat(m))
        if name == "inv":
            return self._inv(m) if self.evaluate else sp.Inverse(self._mat(m))
        raise InputError(f"{name}(...) is not available here")

    def _inv(self, m: Any) -> Any:
        sp = self.sp
        if m.det() == 0:
            raise DomainError("that matrix has no inverse")
        try:
            return sp.ImmutableMatrix(m.inv())
        except (ValueError, ZeroDivisionError):
            raise DomainError("that matrix has no inverse") from None

    def diff(self, f: Any, spec: list[Any]) -> Any:
        sp = self.sp
        try:
            if not self.evaluate:
                if is_matrix(f):
                    return sp.ImmutableMatrix(self._mat(f).applyfunc(
                        lambda e: sp.Derivative(e, *spec)))
                return sp.Derivative(f, *spec)
            if is_matrix(f):
                return sp.ImmutableMatrix(self._mat(f).diff(*spec))
            return sp.diff(f, *spec)
        except InputError:
            raise
        except Exception as exc:
            raise InputError("can't work out that derivative") from exc


class _Invalid(Exception):
    """The expression has no usable value at this point (undefined, or astronomically big)."""


_MAX_LOG10 = 4000      # values beyond 10^±4000 are treated as unusable points
_MAX_TRIG_ARG = 10**40


def _mp_eval(expr: Any, point: dict) -> Any:
    """Evaluate a sympy expression with mpmath (30 digits) at ``point`` ({Symbol: mpf}),
    refusing to build numbers beyond 10^4000 *before* computing them, so that towers
    like 99^h^99^h or exp(exp(exp(exp(h)))) can't hang the checker."""
    sp = lazy_sympy()
    import mpmath

    def bounded(v: Any) -> Any:
        if not mpmath.isfinite(v):
            raise _Invalid
        a = abs(v)
        if a != 0 and abs(mpmath.log10(a)) > _MAX_LOG10:
            if mpmath.log10(a) < 0:
                return mpmath.mpf(0)
            raise _Invalid
        return v

    def log10abs(v: Any) -> Any:
        a = abs(v)
        return mpmath.log10(a) if a != 0 else mpmath.mpf(-10**9)

    def ev(e: Any) -> Any:
        if e in point:
            return point[e]
        if isinstance(e, sp.Rational):
            return bounded(mpmath.mpf(e.p) / e.q)
        if isinstance(e, sp.Float):
            return bounded(mpmath.mpf(e._mpf_))
        if e is sp.E:
            return mpmath.e
        if e is sp.pi:
            return +mpmath.pi
        if e is sp.I:
            return mpmath.mpc(0, 1)
        if e.is_Symbol or e in (sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise _Invalid
        if isinstance(e, sp.Add):
            return bounded(mpmath.fsum(ev(a) for a in e.args))
        if isinstance(e, sp.Mul):
            vals = [ev(a) for a in e.args]
            if sum(log10abs(v) for v in vals) > _MAX_LOG10:
                raise _Invalid
            out = mpmath.mpf(1)
            for v in vals:
                out = out * v
            return bounded(out)
        if isinstance(e, sp.Pow):
            b, x = ev(e.args[0]), ev(e.args[1])
            if b == 0:
                if mpmath.re(x) > 0:
                    return mpmath.mpf(0)
                raise _Invalid
            if abs(x) * abs(mpmath.log(abs(b)) / mpmath.log(10)) > _MAX_LOG10 + 10:
                raise _Invalid
            return bounded(mpmath.power(b, x))
        if isinstance(e, sp.exp):
            x = ev(e.args[0])
            if mpmath.re(x) > _MAX_LOG10 * 2.31 or abs(mpmath.im(x)) > _MAX_TRIG_ARG:
                raise _Invalid
            return bounded(mpmath.exp(x))
        if isinstance(e, sp.log):
            x = ev(e.args[0])
            if x == 0:
                raise _Invalid
            return bounded(mpmath.log(x))
        simple = {sp.sin: mpmath.sin, sp.cos: mpmath.cos, sp.tan: mpmath.tan,
                  sp.tanh: mpmath.tanh, sp.sinh: mpmath.sinh, sp.cosh: mpmath.cosh,
                  sp.cot: mpmath.cot, sp.sec: mpmath.sec, sp.csc: mpmath.csc,
                  sp.sech: mpmath.sech, sp.coth: mpmath.coth}
        for cls, fn in simple.items():
            if isinstance(e, cls):
                x = ev(e.args[0])
                if abs(x) > _MAX_TRIG_ARG:
                    raise _Invalid
                try:
                    return bounded(fn(x))
                except (ZeroDivisionError, ValueError):
                    raise _Invalid from None
        if isinstance(e, sp.Abs):
            return abs(ev(e.args[0]))
        if isinstance(e, (sp.Max, sp.Min)):
            vals = [ev(a) for a in e.args]
            if any(isinstance(v, mpmath.mpc) and v.imag != 0 for v in vals):
                raise _Invalid
            vals = [mpmath.re(v) for v in vals]
            return max(vals) if isinstance(e, sp.Max) else min(vals)
        # anything else (sign, Heaviside, re, im...): put in the numeric arguments, evalf
        args = []
        for a in e.args:
            v = ev(a)
            args.append(sp.Float(mpmath.re(v), 30) + sp.I * sp.Float(mpmath.im(v), 30))
        r = e.func(*args).evalf(30)
        if r.free_symbols or r.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise _Invalid
        return bounded(mpmath.mpmathify(complex(r)) if not r.is_real else mpmath.mpf(float(r)))

    with mpmath.workdps(30):
        return ev(expr)


def value_at(expr: Any, point: dict) -> Any:
    """The mpmath value of ``expr`` at ``point``, or None where it has no usable value."""
    try:
        return _mp_eval(expr, point)
    except (_Invalid, ZeroDivisionError, ValueError, TypeError, OverflowError, ArithmeticError):
        return None
    except Exception:
        return None
