"""The Forge Gate: answer kinds and verdicts.

``integer``, ``decimal`` and ``vector`` gates are checked with the pure-Python numeric
backend of :mod:`forge_tui.checker.safeexpr` (sympy is never imported for them), after the
spellings of :mod:`forge_tui.checker.spelling` that depend on the kind (thousands groups, a
percent sign, a decimal comma). ``expression`` gates use sympy through
:mod:`forge_tui.checker.derivation`, imported lazily.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from . import spelling
from .kinds import GateKind
from .safeexpr import (
    DomainError,
    InputError,
    Mat,
    Vec,
    evaluate_numeric,
    is_scalar,
    parse,
)


@dataclass(frozen=True)
class GateSpec:
    kind: str                       # a GateKind value
    answer: str                     # in the safe syntax
    places: int | None = None       # decimal places asked for (decimal; vector entries if set)
    symbols: tuple[str, ...] = ()   # expression kind
    assume: str = "real"            # expression kind: "real" or "positive"


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    malformed: bool          # the input could not be read or was refused
    message: str             # one line for the player
    imprecise: bool = False  # right to the places typed, but fewer places than the gate asks


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
    try:
        kind = GateKind(spec.kind)
    except ValueError:
        return Verdict(False, False, f"This gate's kind '{spec.kind}' is unknown; please report it.")
    if kind is GateKind.NONE:
        return Verdict(False, False,
                       "This gate has no password: defeat the boss to open it.")
    if not isinstance(text, str) or not text.strip():
        return Verdict(False, True, "Type an answer first.")
    if kind is GateKind.EXPRESSION:
        from .derivation import check_expression_gate

        return check_expression_gate(spec.answer, text, spec.symbols, spec.assume)

    try:
        want = _expected_numeric(spec.answer)
    except InputError as exc:
        return Verdict(False, False, f"This gate's answer could not be read ({exc}); "
                                     "please report it.")
    try:
        got, typed = _read_numeric(kind, text)
    except DomainError as exc:
        return Verdict(False, False, _sentence(f"Not quite: {exc}"))
    except InputError as exc:
        return Verdict(False, True, _sentence(str(exc)))

    if kind is GateKind.INTEGER:
        return _check_integer(want, got)
    if kind is GateKind.DECIMAL:
        return _check_decimal(want, got, spec.places, typed)
    return _check_vector(want, got, spec.places)


def _read_numeric(kind: GateKind, text: str) -> tuple[Any, int | None]:
    """The value the player typed and its decimal places (None unless it is one plain
    number), read the way people write answers of this kind. Raises InputError."""
    if kind is GateKind.INTEGER:
        text = spelling.whole_number(text)
    per_cent = spelling.percent(text) if kind is GateKind.DECIMAL else None
    if kind is GateKind.DECIMAL:
        spelling.refuse_decimal_comma(text if per_cent is None else per_cent)
    parsed = parse(text if per_cent is None else per_cent)
    value, typed = evaluate_numeric(parsed), parsed.decimals
    if per_cent is None or not is_scalar(value):
        return value, typed
    return value / 100, None if typed is None else typed + 2


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
    """Equal if both are exact, else within 1e-9 relative; computed exactly, so a number
    too big for a float (10^400) compares without overflowing."""
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a == b
    fa, fb = _exact(a), _exact(b)
    return abs(fa - fb) <= Fraction(1, 10**9) * max(1, abs(fa), abs(fb))


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
        return _too_few_places(want, got, places, typed)
    return Verdict(False, False, f"Not quite: yours rounds to {_fmt(mine, places)}, "
                                 "which is not the value the gate wants.")


def _places(n: int) -> str:
    return f"{n} decimal place" + ("" if n == 1 else "s")


def _too_few_places(want: Any, got: Any, places: int, typed: int) -> Verdict:
    """An answer typed to fewer places than asked: imprecise when it is the wanted value
    rounded to the places typed (0.67 for 0.665), else simply wrong."""
    if _round_half_up(want, typed) == _round_half_up(got, typed):
        return Verdict(False, False, f"Close: that is right to {_places(typed)}, but the gate "
                                     f"asks for {_places(places)}.", imprecise=True)
    return Verdict(False, False, f"Not quite: that is not the value the gate wants, and the "
                                 f"gate asks for {_places(places)} (you gave {typed}).")


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


def _same_numbers(want: list[Any], got: list[Any], places: int | None) -> bool:
    """Whether ``got`` holds the wanted entries in another order (compared as entries are)."""
    if places is not None:
        return (sorted(_round_half_up(w, int(places)) for w in want)
                == sorted(_round_half_up(g, int(places)) for g in got))
    return all(_close(w, g) for w, g in zip(sorted(want), sorted(got)))


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
    if wrong == len(wv) and len(wv) > 1 and _same_numbers(wv, gv, places):
        return Verdict(False, False, "Not quite: the right numbers, but not in the right order.")
    return Verdict(False, False, f"Not quite: {wrong} of the {len(wv)} entries "
                                 f"{'is' if wrong == 1 else 'are'} off.")
