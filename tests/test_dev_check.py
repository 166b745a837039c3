"""`neuralforge dev check` passes on what ships and catches a planted mistake of each kind."""

from __future__ import annotations

import re
import shutil

import pytest

from forge_tui.devcheck import check_boss, check_level, check_path
from forge_tui.locations import bosses_directory, levels_directory
from forge_tui.runner import Sandbox

LEVEL = levels_directory() / "01-vector-awakens"
BOSS = bosses_directory() / "probability-loss"
STARTER = levels_directory() / "04-probability-loss" / "lab" / "python.py"


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


def planted_level(tmp_path, old: str, new: str, count: int = 1):
    folder = tmp_path / LEVEL.name
    shutil.copytree(LEVEL, folder)
    toml = folder / "level.toml"
    text = toml.read_text()
    assert old in text, old
    toml.write_text(text.replace(old, new, count))
    return folder


def test_the_shipped_level_has_no_problem():
    assert check_level(LEVEL) == []


def test_a_missing_field_names_the_file_and_the_field(tmp_path):
    folder = planted_level(tmp_path, 'short = "', 'shrt = "')
    [problem] = check_level(folder)
    assert problem.where.endswith("level.toml") and "'short'" in problem.what


def test_a_derivation_step_that_does_not_follow_is_named(tmp_path):
    text = LEVEL.joinpath("level.toml").read_text()
    exprs = re.findall(r'^\s*expr = "([^"]+)"', text, re.M)
    folder = planted_level(tmp_path, f'expr = "{exprs[1]}"', f'expr = "2*({exprs[1]})"')
    problems = check_level(folder)
    assert any("[math.derivations #1] step 2" in p.where and "does not equal" in p.what for p in problems)


def test_a_gate_answer_its_checker_refuses_is_named(tmp_path):
    text = LEVEL.joinpath("level.toml").read_text()
    answer = re.search(r'^answer = "([^"]+)"', text, re.M).group(1)
    folder = planted_level(tmp_path, f'answer = "{answer}"', 'answer = "8 9 +"')
    assert any("[gate] answer" in p.where for p in check_level(folder))


def planted_boss(tmp_path):
    folder = tmp_path / "bosses" / BOSS.name
    shutil.copytree(BOSS, folder)
    return folder


def test_a_reference_that_loses_is_named(tmp_path, sandbox):
    folder = planted_boss(tmp_path)
    shutil.copyfile(folder / "wrong" / "sign_flipped.py", folder / "reference.py")
    problems = check_boss(folder, STARTER, sandbox)
    assert any(p.where.endswith("reference.py") and "loses its own boss" in p.what for p in problems)


def test_a_wrong_solution_that_wins_is_named(tmp_path, sandbox):
    folder = planted_boss(tmp_path)
    shutil.copyfile(folder / "reference.py", folder / "wrong" / "not_really_wrong.py")
    problems = check_boss(folder, STARTER, sandbox)
    assert any(p.where.endswith("not_really_wrong.py") and "must lose" in p.what for p in problems)


def test_a_starter_that_wins_is_named(tmp_path, sandbox):
    folder = planted_boss(tmp_path)
    starter = tmp_path / "python.py"
    shutil.copyfile(folder / "reference.py", starter)
    problems = check_boss(folder, starter, sandbox)
    assert any(p.where == str(starter) and "must lose" in p.what for p in problems)


def test_a_wrong_solution_that_does_not_say_its_mistake_is_named(tmp_path, sandbox):
    folder = planted_boss(tmp_path)
    wrong = folder / "wrong" / "sign_flipped.py"
    wrong.write_text("\n" + "import numpy as np\n" + wrong.read_text())
    problems = check_boss(folder, STARTER, sandbox)
    assert any(p.where.endswith("sign_flipped.py") and "one mistake" in p.what for p in problems)


def test_missing_lab_checks_are_named(tmp_path, sandbox):
    folder = planted_boss(tmp_path)
    (folder / "checks.py").unlink(missing_ok=True)
    problems = check_boss(folder, STARTER, sandbox)
    assert any(p.where.endswith("checks.py") and "missing" in p.what for p in problems)


def test_a_folder_of_neither_kind_is_refused(tmp_path):
    problems = check_path(tmp_path, levels=levels_directory(), sandbox_factory=lambda: None)
    assert problems and "neither a level folder" in problems[0].what


def test_a_boss_that_lacks_its_contract_is_named(tmp_path, sandbox):
    folder = planted_boss(tmp_path)
    text = (folder / "boss.py").read_text().replace("def judge(", "def judge_it(", 1)
    (folder / "boss.py").write_text(text)
    [problem] = check_boss(folder, STARTER, sandbox)
    assert problem.where.endswith("boss.py") and "does not define judge" in problem.what
