"""The wheel carries all content under the forge_tui namespace and runs from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
        timeout=300,
    )
    (path,) = out.glob("neuralforge-*.whl")
    return path


def test_wheel_keeps_generic_names_inside_the_namespace(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top <= {"forge_tui", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}, top
    assert "forge_tui/levels/01-vector-awakens/level.toml" in names
    assert "forge_tui/levels/phases.toml" in names
    assert "forge_tui/saves/__init__.py" in names
    assert "forge_tui/forge.tcss" in names
    assert "forge_tui/datasets/shakespeare/corpus.txt.gz" in names  # shipped data: DATA.md
    assert "forge_tui/datasets/tinygpt/weights.bin" in names and "forge_tui/datasets/tinygpt/model.py" in names
    assert sum(name.endswith("/level.toml") for name in names) == 16


def test_installed_wheel_works_from_another_directory(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "NEURALFORGE_HOME": str(tmp_path / "home")}
    code = (
        "import forge_tui, sys; from forge_tui.cli import main;"
        "assert forge_tui.__file__.startswith(sys.argv[1]), forge_tui.__file__;"
        "assert main(['new','--name','w','--flavors','builder,linguist']) == 0;"
        "assert main(['gate','1','8, 9']) == 0;"
        "assert main(['status']) == 0"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(target)], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "02 " in result.stdout and "open" in result.stdout
