"""Sympy side of the checker: building sympy values from validated trees, step
equivalence, ``at`` substitution and pretty printing.

sympy is imported lazily inside functions so that ``import forge_tui.checker`` stays fast.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any, Callable, Sequence

from .gate import Verdict
from .safeexpr import (
    MAX_BITS,
    MAX_DIM,
    MAX_EXPONENT,
    MAX_VECTOR,
    Backend,
    DomainError,
    InputError,
    build,
    normalise_symbols,
    parse,
)

def _sp():
    import sympy

    return sympy


def _is_mat(v: Any) -> bool:
    sp = _sp()
    return isinstance(v, (sp.MatrixBase, sp.MatrixExpr))


def _describe(v: Any) -> str:
    if _is_mat(v):
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
        self.sp = _sp()

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
        if not any(_is_mat(x) for x in items):
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
        if self.evaluate or _is_mat(a):
            return -a
        return self.sp.Mul(-1, a, evaluate=False)

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
                raise InputError(f"can't combine {_describe(a)} and {_describe(b)} with '{op}'") \
                    from exc
            return self._binop_eval(op, a, b)

    def _binop_eval(self, op: str, a: Any, b: Any) -> Any:
        ma, mb = _is_mat(a), _is_mat(b)
        if op in "+-":
            if ma != mb or (ma and a.shape != b.shape):
                word = "add" if op == "+" else "subtract"
                raise InputError(f"can't {word} {_describe(a)} and {_describe(b)}")
            return a + b if op == "+" else a - b
        if op == "*":
            if ma and mb:
                if a.shape[1] == 1 and b.shape[1] == 1:
                    raise InputError("multiply vectors with dot(u, v) or u @ v")
                return self._matmul(a, b)
            return a * b
        if op == "/":
            if mb:
                raise InputError(f"can't divide by {_describe(b)}")
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
        if _is_mat(a) or _is_mat(b):
            if op == "@" or (op == "*" and _is_mat(a) and _is_mat(b)):
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
                raise InputError(f"can't multiply {_describe(a)} with {_describe(b)}")
            return sp.Add(*[x * y for x, y in zip(a, b)])
        if a.shape[1] == 1 and a.shape[0] == b.shape[0] and b.shape[1] != 1:
            return self.sp.ImmutableMatrix((a.T * b).T)  # row vector times matrix
        if a.shape[1] != b.shape[0]:
            raise InputError(f"can't multiply {_describe(a)} by {_describe(b)}: "
                             "the sizes don't fit")
        return sp.ImmutableMatrix(a * b)

    def _pow(self, a: Any, b: Any) -> Any:
        sp = self.sp
        if _is_mat(b):
            raise InputError("an exponent must be a number")
        if not b.free_symbols:
            mag = self._magnitude(b)
            if mag is None or mag > MAX_EXPONENT:
                raise InputError(f"exponents are limited to {MAX_EXPONENT} here")
        if _is_mat(a):
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
        m = _numeric(v, {})
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
            if _is_mat(x) or _is_mat(b):
                raise InputError("log(x, b) takes two numbers")
            if self.evaluate:
                return sp.log(x, b)
            return sp.Mul(sp.log(x, evaluate=False),
                          sp.Pow(sp.log(b, evaluate=False), -1, evaluate=False),
                          evaluate=False)
        if name in ("sqrt", "exp", "log", "ln", "sin", "cos", "tan", "tanh", "sigmoid", "abs"):
            fn = self._scalar_fn(name)
            x = args[0]
            if _is_mat(x):
                return sp.ImmutableMatrix(self._mat(x).applyfunc(fn))
            return fn(x)
        if name in ("max", "min"):
            vals = list(args[0]) if len(args) == 1 and _is_mat(args[0]) else args
            if any(_is_mat(v) for v in vals):
                raise InputError(f"{name}(...) takes numbers or one vector")
            f = sp.Max if name == "max" else sp.Min
            return f(*vals) if self.evaluate else f(*vals, evaluate=False)
        if name == "dot":
            u, v = args
            if not (_is_mat(u) and _is_mat(v) and u.shape[1] == 1 and v.shape[1] == 1):
                raise InputError("dot(u, v) takes two vectors")
            if u.shape[0] != v.shape[0]:
                raise InputError("dot(u, v) needs vectors of the same length")
            return sp.Add(*[x * y for x, y in zip(u, v)])
        if name == "norm":
            v = args[0]
            if not _is_mat(v):
                return sp.Abs(v)
            return sp.sqrt(sp.Add(*[x ** 2 for x in v]))
        m = args[0]
        if not _is_mat(m):
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
                if _is_mat(f):
                    return sp.ImmutableMatrix(self._mat(f).applyfunc(
                        lambda e: sp.Derivative(e, *spec)))
                return sp.Derivative(f, *spec)
            if _is_mat(f):
                return sp.ImmutableMatrix(self._mat(f).diff(*spec))
            return sp.diff(f, *spec)
        except InputError:
            raise
        except Exception as exc:
            raise InputError("can't work out that derivative") from exc


# ----------------------------------------------------------------------------------------
# public helpers


def _build_sympy(text: str, symbols: Sequence[str] | str, assume: str, evaluate: bool) -> Any:
    parsed = parse(text, symbols)
    try:
        return build(parsed, SympyBackend(assume, evaluate))
    except InputError:
        raise
    except (RecursionError, MemoryError):
        raise InputError("that expression is too complex") from None
    except Exception as exc:  # sympy internals: never show a traceback to a player
        raise InputError("couldn't work with that expression; try writing it another way") \
            from exc


def to_sympy(text: str, symbols: Sequence[str] | str = (), assume: str = "real") -> Any:
    """sympy value of ``text``: an Expr, or an ImmutableMatrix for vectors and matrices
    (vectors are columns). ``diff`` is evaluated. Raises :class:`InputError`."""
    return _build_sympy(text, symbols, assume, True)


def pretty_unicode(text: str, symbols: Sequence[str] | str = (), assume: str = "real") -> str:
    """sympy's Unicode pretty print of the form as typed (``diff`` shows as ∂/∂x)."""
    sp = _sp()
    value = to_sympy(text, symbols, assume)  # validates, with every size limit applied
    try:
        shown = _build_sympy(text, symbols, assume, False)
        return sp.pretty(shown, use_unicode=True, order="none")
    except Exception:
        return sp.pretty(value, use_unicode=True)


def parse_at(at: str, symbols: Sequence[str] | str = (), assume: str = "real") -> dict:
    """Read ``"x=2, y=0"`` into {Symbol: value}. Values use the safe syntax."""
    syms = normalise_symbols(symbols)
    parts: list[str] = []
    depth, cur = 0, ""
    for ch in at:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    backend = SympyBackend(assume)
    out: dict = {}
    for part in parts:
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError(f"write 'at' values as name=value, not '{part.strip()}'")
        name, value = part.split("=", 1)
        names = normalise_symbols([name.strip()]) if name.strip() else ()
        if len(names) != 1 or names[0] not in syms:
            raise InputError(f"'{name.strip()}' in 'at' is not one of the symbols "
                             + (", ".join(syms) or "(none declared)"))
        out[backend.symbol(names[0])] = to_sympy(value, syms, assume)
    return out


# ----------------------------------------------------------------------------------------
# equivalence


def _pairs(a: Any, b: Any) -> list[tuple[Any, Any]] | None:
    if _is_mat(a) != _is_mat(b):
        return None
    if _is_mat(a):
        if a.shape != b.shape:
            return None
        return list(zip(list(a), list(b)))
    return [(a, b)]


class _Invalid(Exception):
    """The expression has no usable value at this point (undefined, or astronomically big)."""


_MAX_LOG10 = 4000      # values beyond 10^±4000 are treated as unusable points
_MAX_TRIG_ARG = 10**40


def _mp_eval(expr: Any, point: dict) -> Any:
    """Evaluate a sympy expression with mpmath (30 digits) at ``point`` ({Symbol: mpf}),
    refusing to build numbers beyond 10^4000 *before* computing them, so that towers
    like 99^h^99^h or exp(exp(exp(exp(h)))) can't hang the checker."""
    sp = _sp()
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


def _numeric(expr: Any, point: dict) -> Any:
    try:
        return _mp_eval(expr, point)
    except (_Invalid, ZeroDivisionError, ValueError, TypeError, OverflowError, ArithmeticError):
        return None
    except Exception:
        return None


def _close(x: Any, y: Any) -> bool:
    import mpmath

    scale = max(mpmath.mpf(1), abs(x), abs(y))
    return abs(x - y) <= mpmath.mpf("1e-9") * scale


def _structurally_equal(pairs: list[tuple[Any, Any]]) -> bool:
    """Cheap symbolic check, used only when too few random points could be evaluated.
    No simplify/expand here: they can run for minutes on player input."""
    for x, y in pairs:
        if x == y:
            continue
        try:
            if (x - y) == 0:
                continue
        except Exception:
            return False
        return False
    return True


def equivalent(a: Any, b: Any, assume: str = "real") -> bool:
    """Whether two sympy values are equal: exact for plain numbers, otherwise at several
    random points (relative tolerance 1e-9); a cheap structural comparison decides when
    too few points can be evaluated (e.g. both sides undefined everywhere)."""
    sp = _sp()
    import mpmath

    pairs = _pairs(a, b)
    if pairs is None:
        return False
    if all(isinstance(x, sp.Rational) and isinstance(y, sp.Rational) for x, y in pairs):
        return all(x == y for x, y in pairs)
    syms = sorted({s for x, y in pairs for s in (x.free_symbols | y.free_symbols)}, key=str)
    rng = random.Random(20240611)
    positive = assume == "positive"
    valid, needed = 0, (1 if not syms else 4)
    for attempt in range(1 if not syms else 16):
        point = {}
        for s in syms:
            q = rng.choice((7, 11, 13, 17, 19))
            p = rng.randint(1, 5 * q)
            if not positive and not s.is_positive and rng.random() < 0.5:
                p = -p
            point[s] = mpmath.mpf(p) / q
        ok = True
        for x, y in pairs:
            vx, vy = _numeric(x, point), _numeric(y, point)
            if vx is None or vy is None:
                ok = False
                break
            if not _close(vx, vy):
                return False
        if ok:
            valid += 1
            if valid >= 6:
                break
    if valid >= needed:
        return True
    return _structurally_equal(pairs)


def steps_equal(prev: str, cur: str, symbols: Sequence[str] | str = (), assume: str = "real",
                at: str | None = None) -> bool:
    """Whether derivation step ``cur`` equals ``prev`` (after putting in ``at`` values).
    Raises :class:`InputError` when either step can't be read (a content bug)."""
    a = to_sympy(prev, symbols, assume)
    if at:
        values = parse_at(at, symbols, assume)
        a = a.subs(values)
        if _is_mat(a):
            a = _sp().ImmutableMatrix(a)
    b = to_sympy(cur, symbols, assume)
    return equivalent(a, b, assume)


def check_step(expected: str, text: str, symbols: Sequence[str] | str = (),
               assume: str = "real") -> Verdict:
    """Check a step the player typed against the hidden step ``expected``."""
    try:
        if not isinstance(text, str) or not text.strip():
            return Verdict(False, True, "Type an answer first.")
        try:
            want = to_sympy(expected, symbols, assume)
        except InputError as exc:
            return Verdict(False, False, f"This step could not be read ({exc}); please report it.")
        try:
            got = to_sympy(text, symbols, assume)
        except DomainError as exc:
            return Verdict(False, False, _sentence(f"Not quite: {exc}"))
        except InputError as exc:
            return Verdict(False, True, _sentence(str(exc)))
        if equivalent(want, got, assume):
            return Verdict(True, False, "Correct.")
        return Verdict(False, False, _mismatch(want, got, "this step"))
    except Exception:
        return Verdict(False, True, "Couldn't check that; try writing it another way.")


def _mismatch(want: Any, got: Any, what: str) -> str:
    if _is_mat(want) != _is_mat(got) or (_is_mat(want) and want.shape != got.shape):
        return _sentence(f"Not quite: {what} is {_describe(want)}, and yours is {_describe(got)}")
    want_syms = sorted(str(s) for s in want.free_symbols)
    if want_syms and not got.free_symbols:
        return _sentence(f"Not quite: {what} is an expression in {', '.join(want_syms)}, "
                         "not a number")
    return _sentence(f"Not quite: that is not equal to {what}")


def _sentence(msg: str) -> str:
    msg = msg.strip()
    if not msg:
        return msg
    msg = msg[0].upper() + msg[1:]
    return msg if msg.endswith((".", "?", "!")) else msg + "."


def check_expression_gate(answer: str, text: str, symbols: Sequence[str] | str,
                          assume: str = "real") -> Verdict:
    """The ``expression`` gate kind (called by :func:`forge_tui.checker.gate.check_gate`)."""
    try:
        want = to_sympy(answer, symbols, assume)
    except InputError as exc:
        return Verdict(False, False, f"This gate's answer could not be read ({exc}); "
                                     "please report it.")
    try:
        got = to_sympy(text, symbols, assume)
    except DomainError as exc:
        return Verdict(False, False, _sentence(f"Not quite: {exc}"))
    except InputError as exc:
        return Verdict(False, True, _sentence(str(exc)))
    if equivalent(want, got, assume):
        return Verdict(True, False, "Correct.")
    syms = normalise_symbols(symbols)
    if not _is_mat(got) and not got.free_symbols and (want.free_symbols or syms):
        names = ", ".join(syms) or ", ".join(sorted(str(s) for s in want.free_symbols))
        return Verdict(False, False,
                       f"Not quite: the gate asks for an expression in {names}, not a number.")
    return Verdict(False, False, _mismatch(want, got, "the answer"))
