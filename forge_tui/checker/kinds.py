"""The kinds of answer a Forge Gate asks for: one enum for the content loader, the checker
and the screens. Light to import (no parser, no sympy)."""

from __future__ import annotations

from enum import StrEnum


class GateKind(StrEnum):
    """What a gate asks for; ``[gate] kind`` in a level.toml is one of these values."""

    INTEGER = "integer"        # one whole number
    DECIMAL = "decimal"        # one number, rounded to the gate's places when it sets them
    VECTOR = "vector"          # a list of numbers, or a matrix
    EXPRESSION = "expression"  # a formula in the gate's symbols, compared by sympy
    NONE = "none"              # no password: defeating the boss opens the next module
