"""What a player may type, and how large it may be: the constants, the functions with their
argument counts, the size limits every stage enforces, and the two errors every stage raises
(their message is one line for the player)."""

from __future__ import annotations

MAX_INPUT_CHARS = 400
MAX_DEPTH = 40          # ast depth and bracket nesting
MAX_NODES = 300         # ast nodes (operators and contexts not counted)
MAX_EXPONENT = 1000     # |exponent| of a numeric power
MAX_DIGITS = 10_000     # digits of any exact number
MAX_BITS = int(MAX_DIGITS * 3.3219280948873626) + 1
MAX_DIM = 10            # matrices at most 10 x 10
MAX_VECTOR = 32         # entries of a flat vector
MAX_LITERAL_EXP = 400   # |e| in a literal like 1e400

CONSTANTS = ("e", "pi")
# name -> (min args, max args)
FUNCTIONS: dict[str, tuple[int, int]] = {
    "sqrt": (1, 1), "exp": (1, 1), "log": (1, 2), "ln": (1, 1),
    "sin": (1, 1), "cos": (1, 1), "tan": (1, 1), "tanh": (1, 1),
    "sigmoid": (1, 1), "abs": (1, 1), "max": (1, MAX_VECTOR), "min": (1, MAX_VECTOR),
    "diff": (2, 4), "det": (1, 1), "trace": (1, 1), "transpose": (1, 1),
    "inv": (1, 1), "dot": (2, 2), "norm": (1, 1),
}
SCALAR_FUNCTIONS = ("sqrt", "exp", "log", "ln", "sin", "cos", "tan", "tanh", "sigmoid", "abs")


class InputError(ValueError):
    """The input could not be read or was refused. ``str(err)`` is one line for a player."""


class DomainError(InputError):
    """The input was read, but its value is undefined (division by zero, log of a negative...)."""
