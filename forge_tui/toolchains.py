"""What this machine can do: languages for labs, optional extras, syntax highlighting.

Checks are cheap (PATH lookups and `find_spec`, never importing torch or triton).
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    id: str
    name: str
    available: bool
    reason: str  # why it is unavailable, or what provides it


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def languages() -> list[Language]:
    gcc = shutil.which("gcc") or shutil.which("cc")
    cargo = shutil.which("cargo")
    triton = _has_module("triton") and _has_module("torch")
    return [
        Language("python", "Python", True, "always available"),
        Language("c", "C", bool(gcc), f"{gcc}" if gcc else "no C compiler (install gcc)"),
        Language("rust", "Rust", bool(cargo), f"{cargo}" if cargo else "no cargo (install Rust: rustup)"),
        Language(
            "triton",
            "Triton",
            triton,
            "torch and triton importable" if triton else "needs: pip install torch triton",
        ),
    ]


def syntax_highlighting() -> tuple[bool, str]:
    """Whether the embedded editor can highlight code (textual[syntax] installs tree-sitter)."""
    if _has_module("tree_sitter") and _has_module("tree_sitter_python"):
        return True, "tree-sitter found (textual[syntax])"
    return False, "tree-sitter missing: pip install 'textual[syntax]' to highlight the lab editor"


def optional_extras() -> dict[str, bool]:
    return {name: _has_module(name) for name in ("torch", "triton")}
