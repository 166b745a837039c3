"""`neuralforge dev check` passes on what ships and catches a planted mistake of each kind."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

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


# ---------------------------------------------------------------- compiled references and starters

NATIVE_BOSS = bosses_directory() / "vector-awakens"  # judges Python and C; its checks judge C too
NATIVE_LAB = levels_directory() / "01-vector-awakens" / "lab"
RUST_BOSS = bosses_directory() / "backprop-step"  # Python, C and Rust
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


def planted_native_boss(tmp_path, source=NATIVE_BOSS, languages=("c",), keep=()):
    """A copy of a boss with a compiled path that judges only `languages`, without its wrong
    solutions but those named in `keep` (the rest are not the subject, and cost time)."""
    folder = tmp_path / "bosses" / source.name
    shutil.copytree(source, folder)
    with (folder / "boss.py").open("a") as boss:
        boss.write(f"\nLANGUAGES = {tuple(languages)!r}\n")
    for wrong in [*folder.glob("wrong/*.py"), *folder.glob("*/wrong_*")]:
        if wrong.name not in keep:
            wrong.unlink()
    return folder


def planted_starters(tmp_path, c_source):
    """A level's lab folder: the real Python starter, and `c_source` as its C starter."""
    lab = tmp_path / "lab"
    lab.mkdir()
    shutil.copyfile(NATIVE_LAB / "python.py", lab / "python.py")
    shutil.copyfile(c_source, lab / "c.c")
    return lab / "python.py"


@needs_gcc
def test_a_c_reference_that_loses_and_fails_a_check_is_named(tmp_path, sandbox):
    folder = planted_native_boss(tmp_path)
    shutil.copyfile(NATIVE_BOSS / "c" / "wrong_each_pair_twice.c", folder / "c" / "reference.c")
    problems = check_boss(folder, None, sandbox)
    mine = [p.what for p in problems if p.where == str(folder / "c" / "reference.c")]
    assert "the reference loses its own boss" in mine
    assert any(re.fullmatch(r"passes \d+/\d+ lab checks; it must pass all", what) for what in mine)


@needs_gcc
def test_a_c_starter_that_wins_and_passes_every_check_is_named(tmp_path, sandbox):
    folder = planted_native_boss(tmp_path)
    starter = planted_starters(tmp_path, NATIVE_BOSS / "c" / "reference.c")
    problems = check_boss(folder, starter, sandbox)
    mine = [p.what for p in problems if p.where == str(starter.parent / "c.c")]
    assert "wins the boss, but it must lose" in mine
    assert "passes every lab check, but a starter must fail one" in mine


@needs_gcc
def test_a_missing_c_reference_is_named(tmp_path, sandbox):
    folder = planted_native_boss(tmp_path)
    (folder / "c" / "reference.c").unlink()
    problems = check_boss(folder, None, sandbox)
    assert any(p.where == str(folder / "c" / "reference.c") and p.what.startswith("missing") for p in problems)


@pytest.mark.skipif(shutil.which("rustc") is None or shutil.which("gcc") is None, reason="rustc or gcc is missing")
def test_a_rust_reference_that_loses_is_named(tmp_path, sandbox):
    folder = planted_native_boss(tmp_path, RUST_BOSS, languages=("python", "rust"))
    data = levels_directory() / "06-backprop-step" / "data"  # checks.py reads it beside the bosses
    (tmp_path / "levels" / data.parent.name).mkdir(parents=True)
    (tmp_path / "levels" / data.parent.name / "data").symlink_to(data)
    shutil.copyfile(RUST_BOSS / "rust" / "wrong_no_max_shift.rs", folder / "rust" / "reference.rs")
    problems = check_boss(folder, None, sandbox)
    mine = [p.what for p in problems if p.where == str(folder / "rust" / "reference.rs")]
    assert "the reference loses its own boss" in mine


@needs_gcc
def test_only_a_lab_that_must_lose_stops_at_its_first_lost_case(tmp_path, sandbox, monkeypatch):
    """References fight every case of a counted fight; starters and wrong solutions stop at
    their first lost case (the verdict needs one loss)."""
    import forge_tui.boss

    folder = planted_native_boss(tmp_path, languages=("python", "c"),
                                 keep=("dot_instead_of_cosine.py", "wrong_each_pair_twice.c"))
    starter = planted_starters(tmp_path, NATIVE_LAB / "c.c")
    fought = {}
    real = forge_tui.boss.fight

    async def recorded(boss, lab, box, **kwargs):
        fought[Path(lab).relative_to(tmp_path)] = kwargs.get("stop_at_loss", False)
        return await real(boss, lab, box, **kwargs)

    monkeypatch.setattr(forge_tui.boss, "fight", recorded)
    problems = check_boss(folder, starter, sandbox)
    assert not [p for p in problems if "wins" in p.what or "loses" in p.what], problems
    stopping = {str(path) for path, stop in fought.items() if stop}
    assert {str(path) for path in fought} - stopping == {"bosses/vector-awakens/reference.py",
                                                         "bosses/vector-awakens/c/reference.c"}
    assert stopping == {"lab/python.py", "lab/c.c", "bosses/vector-awakens/wrong/dot_instead_of_cosine.py",
                        "bosses/vector-awakens/c/wrong_each_pair_twice.c"}
