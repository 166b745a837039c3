"""The Forge Gate checker and the safe expression parser.

Importing this package loads nothing else: each public name below is imported from its
module on first use (PEP 562), so the content loader can read :class:`GateKind` at start-up
without the parser, and only the expression gate kind, ``check_step``, ``steps_equal``,
``to_sympy`` and ``pretty_unicode`` load sympy, lazily.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .derivation import check_step, pretty_unicode, steps_equal, to_sympy
    from .gate import GateSpec, Verdict, check_gate
    from .kinds import GateKind
    from .safeexpr import MAX_INPUT_CHARS, InputError

# public name -> the module that defines it
_HOME = {
    "InputError": "safeexpr",
    "MAX_INPUT_CHARS": "safeexpr",
    "GateKind": "kinds",
    "GateSpec": "gate",
    "Verdict": "gate",
    "check_gate": "gate",
    "check_step": "derivation",
    "steps_equal": "derivation",
    "to_sympy": "derivation",
    "pretty_unicode": "derivation",
}
__all__ = list(_HOME)


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
