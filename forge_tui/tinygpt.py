"""The shipped tiny character-level GPT: `datasets/tinygpt/model.py` (NumPy only), imported by
path so that the data folder needs no package name of its own. Weights and provenance: DATA.md."""

from __future__ import annotations

import importlib.util
import sys
from functools import lru_cache
from types import ModuleType

from forge_tui.locations import datasets_directory

_NAME = "forge_tui._tinygpt_model"


@lru_cache(maxsize=1)
def model_module() -> ModuleType:
    """The NumPy model module: load(), encode(), forward(ids), attention(ids), generate(...), loss(text)."""
    path = datasets_directory() / "tinygpt" / "model.py"
    spec = importlib.util.spec_from_file_location(_NAME, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module
