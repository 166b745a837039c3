"""Unlock tools: one self-contained Textual screen per tool, registered by id with its module.

Forging a module earns its unlock. Each built tool lives in a small module of this package
that defines ``UNLOCK = UnlockTool(module_id=..., screen_factory=...)`` (its name and description
are the module's ``[unlock]`` in level.toml); its screen (and any numpy it needs) sits in
``unlocks/screens/`` and is imported only when the tool opens. Adding a tool is adding those
two files: the registry discovers it, the engine needs no edit.

Public API (see :mod:`forge_tui.unlocks.registry`): ``UnlockSpec``, ``all_unlocks``,
``find_unlock``, ``is_earned``, ``unlock_state`` and the state names ``EARNED``,
``NOT_EARNED``, ``NOT_BUILT``.
"""

from .registry import (
    EARNED,
    NOT_BUILT,
    NOT_EARNED,
    UnlockSpec,
    all_unlocks,
    built_unlocks,
    find_unlock,
    is_earned,
    unlock_state,
)

__all__ = [
    "EARNED",
    "NOT_BUILT",
    "NOT_EARNED",
    "UnlockSpec",
    "all_unlocks",
    "built_unlocks",
    "find_unlock",
    "is_earned",
    "unlock_state",
]
