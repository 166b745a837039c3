"""The layer contracts in pyproject.toml hold, and they would catch a violation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

SIBLINGS = ("saves", "unlocks", "kernels", "bosses")


def _wheel_shaped_tree(root: Path) -> Path:
    """Lay the packages out as the wheel does (siblings inside forge_tui) for grimp to read."""
    package = root / "forge_tui"
    shutil.copytree(REPO / "forge_tui", package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in SIBLINGS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, package / name, ignore=shutil.ignore_patterns("__pycache__"))
    return package


def _lint(root: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--config", str(REPO / "pyproject.toml"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_contracts_hold(tmp_path):
    _wheel_shaped_tree(tmp_path)
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_contract_catches_a_screen_reaching_into_the_store(tmp_path):
    package = _wheel_shaped_tree(tmp_path)
    (package / "screens" / "sneaky.py").write_text("from forge_tui.saves.store import Store\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "forge_tui.screens.sneaky -> forge_tui.saves.store" in result.stdout


def test_contract_catches_a_ui_free_module_importing_textual(tmp_path):
    package = _wheel_shaped_tree(tmp_path)
    session = package / "session.py"
    session.write_text(session.read_text() + "\nfrom textual.widgets import Static  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "forge_tui.session -> textual" in result.stdout
