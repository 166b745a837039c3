"""Numbers as people type them at a gate that asks for one number.

What a spelling means depends on what the gate asks, so these rules read the whole answer,
never a part of an expression, and only where :mod:`forge_tui.checker.gate` calls them:

- a whole number may group its digits in threes: ``4,718,592``, ``4_718_592``, ``4 718 592``
  (one separator throughout; ``47,18,592`` is not a number). Where a vector is asked,
  ``4,718,592`` stays three numbers;
- a decimal may end in a percent sign: ``66.5%`` is 0.665, typed to 3 decimal places;
- a decimal comma (``0,665``) could be 0.665 or a list of two numbers, so it is refused with
  a message that says so.

The separators are plain characters compared with regular expressions that never backtrack
more than linearly, on at most :data:`~forge_tui.checker.safeexpr.MAX_INPUT_CHARS` characters.
"""

from __future__ import annotations

import re

from .safeexpr import InputError

_SIGN = r"[+\-\u2212]?"  # ASCII plus and minus, and the Unicode minus sign
_SEPARATOR = r"[,_ \u00a0\u2009\u202f]"  # comma, underscore, and the spaces people group with
_GROUPED = re.compile(rf"{_SIGN}[1-9]\d{{0,2}}(?P<sep>{_SEPARATOR})\d{{3}}(?:(?P=sep)\d{{3}})*")
_SEPARATED = re.compile(rf"{_SIGN}\d+(?:{_SEPARATOR}\d+)+")
_DECIMAL_COMMA = re.compile(rf"{_SIGN}\d+,\d+")


def whole_number(text: str) -> str:
    """The answer with a whole number's thousands separators removed (``4,718,592`` →
    ``4718592``); any other answer unchanged. Raises :class:`InputError` for a decimal comma
    and for digits grouped other than in threes."""
    answer = text.strip()
    if _GROUPED.fullmatch(answer):
        return re.sub(_SEPARATOR, "", answer)
    refuse_decimal_comma(answer)
    if _SEPARATED.fullmatch(answer):
        raise InputError(f"'{answer}' is not one whole number: group digits in threes, "
                         "like 4,718,592, or use no separator")
    return text


def percent(text: str) -> str | None:
    """What stands before a final ``%`` (``66.5%`` → ``66.5``), else None."""
    answer = text.strip()
    if not answer.endswith("%"):
        return None
    return answer[:-1].rstrip()


def refuse_decimal_comma(text: str) -> None:
    """Raise :class:`InputError` when the answer is digits, one comma, digits (``0,665``)."""
    answer = text.strip()
    if _DECIMAL_COMMA.fullmatch(answer):
        point = answer.replace(",", ".")
        raise InputError(f"a decimal comma is ambiguous here: '{answer}' could be {point} or "
                         f"a list of two numbers. Type the decimal point as '.', like {point}")
