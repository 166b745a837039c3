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


def languages(modules=None) -> list[Language]:
    """Each lab language: available when this machine has what it needs and some module offers it.
    `modules` defaults to the shipped catalog."""
    from forge_tui.languages import LANGUAGES, missing_tool, module_languages

    if modules is None:
        from forge_tui.content import catalog

        modules = catalog().modules
    found = []
    for spec in LANGUAGES:
        offering = [m.number for m in modules if spec.id in module_languages(m)]
        missing = missing_tool(spec)
        if spec.id == "python":
            found.append(Language("python", "Python", True, "always available; every module"))
        elif not offering:
            found.append(Language(spec.id, spec.name, False, f"no module has a {spec.name} lab yet"))
        elif missing:
            found.append(Language(spec.id, spec.name, False, missing))
        else:
            tools = ", ".join(shutil.which(t) or t for t in spec.tools) or "importable"
            found.append(Language(spec.id, spec.name, True, f"{tools}; modules {', '.join(offering)}"))
    return found


def syntax_highlighting() -> tuple[bool, str]:
    """Whether the embedded editor can highlight code (textual[syntax] installs tree-sitter)."""
    if _has_module("tree_sitter") and _has_module("tree_sitter_python"):
        return True, "tree-sitter found (textual[syntax])"
    return False, "tree-sitter missing: pip install 'textual[syntax]' to highlight the lab editor"


def optional_extras() -> dict[str, bool]:
    return {name: _has_module(name) for name in ("torch", "triton")}
