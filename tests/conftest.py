"""Shared fixtures: every test gets its own NEURALFORGE_HOME; no test touches real saves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("NEURALFORGE_ANIMATE", "0")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("NEURALFORGE_HOME", str(home))
    monkeypatch.delenv("NEURALFORGE_CONTENT", raising=False)
    return home
