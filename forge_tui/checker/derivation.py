"""Derivations and expression answers, through sympy: step equivalence, ``at``
substitution, pretty printing, typed steps and the ``expression`` gate kind. The values come
from :class:`~forge_tui.checker.safeexpr.sympy_backend.SympyBackend`.

sympy is imported lazily inside functions so that ``import forge_tui.checker`` stays fast.
"""

from __future__ import annotations

import random
from typing import Any, Sequence

from .gate import Verdict
from .safeexpr import DomainError, InputError, build, normalise_symbols, parse
from .safeexpr.sympy_backend import (
    SympyBackend,
    describe_sympy,
    is_matrix,
    lazy_sympy,
    value_at,
)

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
    sp = lazy_sympy()
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
    if is_matrix(a) != is_matrix(b):
        return None
    if is_matrix(a):
        if a.shape != b.shape:
            return None
        return list(zip(list(a), list(b)))
    return [(a, b)]


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
    sp = lazy_sympy()
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
            vx, vy = value_at(x, point), value_at(y, point)
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
        if is_matrix(a):
            a = lazy_sympy().ImmutableMatrix(a)
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
    if is_matrix(want) != is_matrix(got) or (is_matrix(want) and want.shape != got.shape):
        return _sentence(f"Not quite: {what} is {describe_sympy(want)}, and yours is {describe_sympy(got)}")
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
    if not is_matrix(got) and not got.free_symbols and (want.free_symbols or syms):
        names = ", ".join(syms) or ", ".join(sorted(str(s) for s in want.free_symbols))
        return Verdict(False, False,
                       f"Not quite: the gate asks for an expression in {names}, not a number.")
    return Verdict(False, False, _mismatch(want, got, "the answer"))
