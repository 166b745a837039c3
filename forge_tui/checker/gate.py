"""The Forge Gate: answer kinds and verdicts.

``integer``, ``decimal`` and ``vector`` gates are checked with the pure-Python numeric
backend of :mod:`forge_tui.checker.safeexpr` (sympy is never imported for them).
``expression`` gates use sympy through :mod:`forge_tui.checker.derivation`, imported lazily.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .safeexpr import (
    DomainError,
    InputError,
    Mat,
    Vec,
    evaluate_numeric,
    is_scalar,
    parse,
)

KINDS = ("integer", "decimal", "vector", "expression", "none")


@dataclass(frozen=True)
class GateSpec:
    kind: str                       # "integer" | "decimal" | "vector" | "expression" | "none"
    answer: str                     # in the safe syntax
    places: int | None = None       # decimal places asked for (decimal; vector entries if set)
    symbols: tuple[str, ...] = ()   # expression kind
    assume: str = "real"            # expression kind: "real" or "positive"


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    malformed: bool   # the input could not be read or was refused
    message: str      # one line for the player


CORRECT = "Correct."


def _sentence(msg: str) -> str:
    msg = " ".join(str(msg).split())
    if not msg:
        return msg
    msg = msg[0].upper() + msg[1:]
    return msg if msg.endswith((".", "?", "!")) else msg + "."


def check_gate(spec: GateSpec, text: str) -> Verdict:
    """Check what the player typed at a Forge Gate. Never raises."""
    try:
        return _check_gate(spec, text)
    except Exception:  # last line of defence: a player never sees a traceback
        return Verdict(False, True, "Couldn't check that answer; try writing it another way.")


def _check_gate(spec: GateSpec, text: str) -> Verdict:
    kind = spec.kind
    if kind == "none":
        return Verdict(False, False,
                       "This gate has no password: defeat the boss to open it.")
    if kind not in KINDS:
        return Verdict(False, False, f"This gate's kind '{kind}' is unknown; please report it.")
    if not isinstance(text, str) or not text.strip():
        return Verdict(False, True, "Type an answer first.")
    if kind == "expression":
        from .derivation import check_expression_gate

        return check_expression_gate(spec.answer, text, spec.symbols, spec.assume)

    try:
        want = _expected_numeric(spec.answer)
    except InputError as exc:
        return Verdict(False, False, f"This gate's answer could not be read ({exc}); "
                                     "please report it.")
    try:
        parsed = parse(text)
        got = evaluate_numeric(parsed)
    except DomainError as exc:
        return Verdict(False, False, _sentence(f"Not quite: {exc}"))
    except InputError as exc:
        return Verdict(False, True, _sentence(str(exc)))

    if kind == "integer":
        return _check_integer(want, got)
    if kind == "decimal":
        return _check_decimal(want, got, spec.places, parsed.decimals)
    return _check_vector(want, got, spec.places)


@functools.lru_cache(maxsize=256)
def _expected_numeric(answer: str) -> Any:
    return evaluate_numeric(answer)


# ----------------------------------------------------------------------------------------


def _exact(x: Any) -> Fraction:
    return x if isinstance(x, Fraction) else Fraction(x)


def _whole(x: Any) -> int | None:
    """The integer x equals (floats within 1e-9 relative), else None."""
    if isinstance(x, Fraction):
        return x.numerator if x.denominator == 1 else None
    n = round(x)
    if abs(x - n) <= 1e-9 * max(1.0, abs(x)):
        return int(n)
    return None


def _check_integer(want: Any, got: Any) -> Verdict:
    if not is_scalar(got):
        return Verdict(False, False, _sentence(f"Not quite: the gate asks for one whole number, "
                                               f"and yours is {_kind_words(got)}"))
    target = _whole(want) if is_scalar(want) else None
    value = _whole(got)
    if value is None:
        return Verdict(False, False, "Not quite: the gate asks for a whole number.")
    if target is not None and value == target:
        return Verdict(True, False, CORRECT)
    return Verdict(False, False, "Not quite: that is not the number the gate wants.")


def _round_half_up(x: Any, places: int) -> int:
    """x rounded to ``places`` decimals, half away from zero, as an integer count of
    10**-places."""
    f = _exact(x) * (10 ** places)
    sign = -1 if f < 0 else 1
    return sign * math.floor(abs(f) + Fraction(1, 2))


def _fmt(units: int, places: int) -> str:
    sign = "-" if units < 0 else ""
    units = abs(units)
    if places == 0:
        return f"{sign}{units}"
    whole, frac = divmod(units, 10 ** places)
    return f"{sign}{whole}.{str(frac).zfill(places)}"


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a == b
    fa, fb = float(a), float(b)
    return abs(fa - fb) <= 1e-9 * max(1.0, abs(fa), abs(fb))


def _check_decimal(want: Any, got: Any, places: int | None, typed: int | None) -> Verdict:
    if not is_scalar(got):
        return Verdict(False, False, _sentence(f"Not quite: the gate asks for one number, "
                                               f"and yours is {_kind_words(got)}"))
    if not is_scalar(want):
        return Verdict(False, False, "This gate's answer is not a single number; please report it.")
    if places is None:
        if _close(want, got):
            return Verdict(True, False, CORRECT)
        return Verdict(False, False, "Not quite: that is not the value the gate wants.")
    places = max(0, int(places))
    target = _round_half_up(want, places)
    mine = _round_half_up(got, places)
    if mine == target:
        return Verdict(True, False, CORRECT)
    if typed is not None and typed < places:
        unit = "place" if places == 1 else "places"
        return Verdict(False, False, f"Not quite: the gate asks for {places} decimal {unit} "
                                     f"(you gave {typed}).")
    return Verdict(False, False, f"Not quite: yours rounds to {_fmt(mine, places)}, "
                                 "which is not the value the gate wants.")


def _entries(v: Any) -> tuple[tuple[int, int], list[Any]]:
    if isinstance(v, Vec):
        return (len(v), 1), list(v)
    if isinstance(v, Mat):
        return v.shape, [x for row in v for x in row]
    return (1, 1), [v]


def _kind_words(v: Any) -> str:
    if isinstance(v, Vec):
        return f"a list of {len(v)} number" + ("s" if len(v) != 1 else "")
    if isinstance(v, Mat):
        return "a {}×{} matrix".format(*v.shape)
    return "a single number"


def _check_vector(want: Any, got: Any, places: int | None) -> Verdict:
    (wr, wc), wv = _entries(want)
    (gr, gc), gv = _entries(got)
    want_is_vector = wr == 1 or wc == 1
    if want_is_vector:
        if not (gr == 1 or gc == 1):
            return Verdict(False, False, f"Not quite: the gate asks for {len(wv)} numbers, "
                                         f"and yours is {_kind_words(got)}.")
        if len(gv) != len(wv):
            return Verdict(False, False, f"Not quite: the gate asks for {len(wv)} numbers "
                                         f"and you gave {len(gv)}.")
    elif (gr, gc) != (wr, wc):
        return Verdict(False, False, f"Not quite: the gate asks for a {wr}×{wc} matrix, "
                                     f"and yours is {_kind_words(got)}.")
    wrong = 0
    for w, g in zip(wv, gv):
        if places is not None:
            ok = _round_half_up(w, int(places)) == _round_half_up(g, int(places))
        else:
            ok = _close(w, g)
        wrong += not ok
    if not wrong:
        return Verdict(True, False, CORRECT)
    if wrong == len(wv) and len(wv) > 1 and sorted(map(float, wv)) == sorted(map(float, gv)):
        return Verdict(False, False, "Not quite: the right numbers, but not in the right order.")
    return Verdict(False, False, f"Not quite: {wrong} of the {len(wv)} entries "
                                 f"{'is' if wrong == 1 else 'are'} off.")
