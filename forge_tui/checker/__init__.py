"""The Forge Gate checker and the safe expression parser.

Importing this package does not import sympy or numpy; only the expression gate kind,
``check_step``, ``steps_equal``, ``to_sympy`` and ``pretty_unicode`` load sympy, lazily.
"""

from __future__ import annotations

from .derivation import check_step, pretty_unicode, steps_equal, to_sympy
from .gate import GateSpec, Verdict, check_gate
from .safeexpr import MAX_INPUT_CHARS, InputError

__all__ = [
    "InputError",
    "GateSpec",
    "Verdict",
    "check_gate",
    "check_step",
    "steps_equal",
    "to_sympy",
    "pretty_unicode",
    "MAX_INPUT_CHARS",
]
