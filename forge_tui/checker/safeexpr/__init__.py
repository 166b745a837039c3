"""Safe expression parsing for everything a player or content author types.

Pipeline (nothing is ever evaluated as Python), one file per stage:

1. length check (``MAX_INPUT_CHARS``), in :mod:`.grammar`;
2. Unicode normalisation (``−`` → ``-``, ``×`` → ``*``, ``²`` → ``^2``, ``√`` → ``sqrt``,
   ``π`` → ``pi``, Greek letters → their names, ``{}`` → ``()``, NFKC for the rest), in
   :mod:`.normalise`;
3. bracket pre-scan (balance, nesting depth), in :mod:`.tokens`;
4. lexing with the stdlib :mod:`tokenize` module (lexing only), resolving every name
   against the declared symbols (in either case where no two differ only by case),
   constants and functions, inserting implicit products (``4h``, ``2(x+1)``, ``)(``,
   ``hd`` → ``h*d``), turning ``[8 9]`` / ``8 9`` into lists, ``;`` into the end of a row
   (``8;9``, ``[1 2; 3 4]``, as in MATLAB) and ``^`` into ``**``, in :mod:`.tokens`;
5. ``ast.parse(..., mode="eval")`` of the rebuilt token string, then a walk of the tree
   against a whitelist of node types, with limits on depth and size, in :mod:`.grammar`;
6. building the value node by node (:mod:`.build`) with a backend: the pure-Python numeric
   backend (:mod:`.numeric`: ``fractions.Fraction`` / ``math``), or the sympy backend
   (:mod:`.sympy_backend`, which loads sympy on first use).

What may be typed and how large it may be is in :mod:`.vocabulary`. Importing this package
does not import sympy or numpy.
"""

from __future__ import annotations

from .build import Backend, build
from .grammar import Parsed, parse
from .normalise import GREEK, SIMPLE, SUBSCRIPTS, SUPERSCRIPTS, normalise_symbols
from .numeric import Mat, NumericBackend, Scalar, Vec, describe, evaluate_numeric, is_scalar
from .vocabulary import (
    CONSTANTS,
    FUNCTIONS,
    MAX_BITS,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_DIM,
    MAX_EXPONENT,
    MAX_INPUT_CHARS,
    MAX_LITERAL_EXP,
    MAX_NODES,
    MAX_VECTOR,
    SCALAR_FUNCTIONS,
    DomainError,
    InputError,
)

__all__ = [
    "Backend", "build", "Parsed", "parse", "GREEK", "SIMPLE", "SUBSCRIPTS", "SUPERSCRIPTS",
    "normalise_symbols", "Mat", "NumericBackend", "Scalar", "Vec", "describe",
    "evaluate_numeric", "is_scalar", "CONSTANTS", "FUNCTIONS", "MAX_BITS", "MAX_DEPTH",
    "MAX_DIGITS", "MAX_DIM", "MAX_EXPONENT", "MAX_INPUT_CHARS", "MAX_LITERAL_EXP", "MAX_NODES",
    "MAX_VECTOR", "SCALAR_FUNCTIONS", "DomainError", "InputError",
]
