"""Where Neural Forge keeps things. Nothing else in the engine builds these paths."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_directory() -> Path:
    """All saved state: `NEURALFORGE_HOME` if set, else the platform's user data dir."""
    home = os.environ.get("NEURALFORGE_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("neuralforge", appauthor=False))


def _shipped(name: str) -> Path:
    """A content folder: inside the package in the wheel, beside it in a checkout."""
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def levels_directory() -> Path:
    """The level content: `NEURALFORGE_CONTENT` if set (tests, authors), else the shipped levels."""
    override = os.environ.get("NEURALFORGE_CONTENT")
    return Path(override).expanduser() if override else _shipped("levels")


def bosses_directory() -> Path:
    return _shipped("bosses")


def datasets_directory() -> Path:
    """Shipped data sets (the Shakespeare corpus, the tiny GPT's weights); see DATA.md."""
    return _shipped("datasets")
