"""`neuralforge dev check`: what a content author runs before asking for a review.

For a level folder: the schema (loading names the file and the field), every derivation step
against the one before (sympy), the gate's answer accepted by the gate's own checker.
For a boss folder: the boss loads and declares its contract; the reference wins a fight and
passes every lab check; the module's starter loses the fight and fails a check; every wrong
solution loses and names its one mistake in its first line; the C path likewise where gcc exists.
A boss that judges no Python lab (LANGUAGES, module 12's) fights with its first language's
reference, starter and wrong solutions; its Python reference and starter still meet the checks.
Each problem is one `Problem(where, what)`: the file (and field) and what is wrong with it.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


# ---------------------------------------------------------------- levels

def check_level(folder: Path) -> list[Problem]:
    """Schema, derivations and gate of one level folder."""
    from forge_tui.checker import check_gate, steps_equal
    from forge_tui.content import ContentError, load_module

    try:
        module = load_module(folder)
    except ContentError as err:
        return [Problem(str(folder / "level.toml"), str(err).replace(f"{folder / 'level.toml'}: ", ""))]
    where = str(folder / "level.toml")
    problems = []
    for d_index, derivation in enumerate(module.derivations):
        for s_index, (before, step) in enumerate(zip(derivation.steps, derivation.steps[1:]), start=2):
            field = f"[math.derivations #{d_index + 1}] step {s_index}"
            try:
                same = steps_equal(before.expr, step.expr, derivation.symbols, derivation.assume, at=step.at or None)
            except Exception as err:  # noqa: BLE001 - a step the parser refuses is a content error
                problems.append(Problem(f"{where} {field}", f"cannot be read: {err}"))
                continue
            if not same:
                problems.append(Problem(f"{where} {field}",
                                        f"{step.expr!r} does not equal the step before ({before.expr!r})"))
    if not any(step.typed for d in module.derivations for step in d.steps):
        problems.append(Problem(f"{where} [math]", "no step is typed by the player (set typed = true on one)"))
    gate = module.gate
    if gate.has_password:
        verdict = check_gate(gate.spec(), gate.answer)
        if not verdict.accepted:
            problems.append(Problem(f"{where} [gate] answer",
                                    f"the gate's checker refuses its own answer {gate.answer!r}: {verdict.message}"))
    if module.starter_path("python") is None:
        problems.append(Problem(str(folder / "lab"), "no Python starter (lab/python.py)"))
    return problems


# ---------------------------------------------------------------- bosses

COMMENT_OPENERS = ('"""', "'''", "#", "//", "/*")


def first_line_names_the_mistake(path: Path) -> bool:
    """A wrong solution's first line is a docstring or comment saying its one mistake."""
    lines = path.read_text(encoding="utf-8").splitlines()
    head = lines[0].strip() if lines else ""
    text = head.strip("\"'#/* ").strip()
    return head.startswith(COMMENT_OPENERS) and len(text) >= 12


async def _verdicts(boss, labs: Iterable[Path], sandbox) -> dict[Path, bool]:
    from forge_tui.boss import fight

    won = {}
    for lab in labs:
        report = await fight(boss, lab, sandbox)
        won[lab] = report.won
    return won


async def _check_results(checks, labs: Iterable[Path], sandbox) -> dict[Path, tuple[int, int]]:
    from forge_tui.labcheck import check_lab

    results = {}
    for lab in labs:
        report = await check_lab(checks, lab, sandbox)
        results[lab] = (report.passed, report.total)
    return results


def check_boss(folder: Path, starter: Path | None, sandbox) -> list[Problem]:
    """The boss in `folder` against its reference, starter and wrong solutions."""
    from forge_tui.boss import load_boss
    from forge_tui.labcheck import load_checks

    try:
        boss = load_boss(folder.name, folder.parent)
    except Exception as err:  # noqa: BLE001 - a boss that cannot load is the problem to report
        return [Problem(str(folder / "boss.py"), f"cannot be loaded: {type(err).__name__}: {err}")]
    if boss is None:
        return [Problem(str(folder), "no boss.py")]
    problems: list[Problem] = []
    if not boss.reference_path.is_file():
        return [Problem(str(boss.reference_path), "missing: every boss needs a reference that wins")]
    reference, wrongs, fight_starter = _fought(boss, starter)
    for wrong in dict.fromkeys(wrongs + boss.c_wrong_paths):
        if not first_line_names_the_mistake(wrong):
            problems.append(Problem(str(wrong), "the first line should say its one mistake"))
    if len(wrongs) < 5:
        where = folder / "wrong" if reference == boss.reference_path else reference.parent
        problems.append(Problem(str(where), f"{len(wrongs)} wrong solutions; at least 5"))

    labs = [reference, *wrongs] + ([fight_starter] if fight_starter else [])
    if "c" in boss.languages and shutil.which("gcc"):
        labs += [boss.c_reference_path, *boss.c_wrong_paths]
    won = asyncio.run(_verdicts(boss, list(dict.fromkeys(labs)), sandbox))
    for path in (reference, boss.c_reference_path):
        if path in won and not won[path]:
            problems.append(Problem(str(path), "the reference loses its own boss"))
    for lab in (*wrongs, *boss.c_wrong_paths, fight_starter):
        if lab in won and won[lab]:
            problems.append(Problem(str(lab), "wins the boss, but it must lose"))

    try:
        checks = load_checks(folder.name, folder.parent)
    except Exception as err:  # noqa: BLE001
        return problems + [Problem(str(folder / "checks.py"), f"cannot be loaded: {type(err).__name__}: {err}")]
    if checks is None:
        return problems + [Problem(str(folder / "checks.py"), "missing: every module needs graded lab checks")]
    results = asyncio.run(_check_results(checks, [boss.reference_path] + ([starter] if starter else []), sandbox))
    passed, total = results[boss.reference_path]
    if total < 4:
        problems.append(Problem(str(folder / "checks.py"), f"{total} checks; at least 4"))
    if passed != total:
        problems.append(Problem(str(boss.reference_path), f"passes {passed}/{total} lab checks; it must pass all"))
    if starter and results[starter][0] == results[starter][1]:
        problems.append(Problem(str(starter), "passes every lab check, but a starter must fail one"))
    return problems


def _fought(boss, starter: Path | None) -> tuple[Path, list[Path], Path | None]:
    """The reference, wrong solutions and starter that fight the boss: the Python ones, or, for a
    boss that judges no Python lab (LANGUAGES), those of its first language (c/reference.c, ...)."""
    if "python" in boss.languages:
        return boss.reference_path, boss.wrong_paths, starter
    from forge_tui.languages import BY_ID

    language = boss.languages[0]
    native = starter.parent / BY_ID[language].starter if starter else None
    return (boss.native_reference_path(language), boss.native_wrong_paths(language),
            native if native and native.is_file() else None)


# ---------------------------------------------------------------- everything

def _level_for_boss(boss_folder: Path, levels: Path) -> Path | None:
    from forge_tui.content import ContentError, load_module

    for folder in sorted(levels.iterdir()):
        if not (folder / "level.toml").is_file():
            continue
        try:
            if load_module(folder).id == boss_folder.name:
                return folder
        except ContentError:
            continue
    return None


def check_path(path: Path, *, levels: Path, sandbox_factory: Callable, say: Callable[[str], None] = print) -> list[Problem]:
    """Check one folder: a level (has level.toml) or a boss (has boss.py)."""
    path = Path(path)
    if (path / "level.toml").is_file():
        say(f"level {path}")
        return check_level(path)
    if (path / "boss.py").is_file():
        say(f"boss {path}")
        level = _level_for_boss(path, levels)
        starter = level / "lab" / "python.py" if level else None
        problems = [] if level else [Problem(str(path), f"no level under {levels} has the id {path.name!r}")]
        return problems + check_boss(path, starter if starter and starter.is_file() else None, sandbox_factory())
    return [Problem(str(path), "neither a level folder (level.toml) nor a boss folder (boss.py)")]


def shipped_folders(levels: Path, bosses: Path) -> list[Path]:
    found = [f for f in sorted(levels.iterdir()) if (f / "level.toml").is_file()]
    return found + [f for f in sorted(bosses.iterdir()) if (f / "boss.py").is_file()]
