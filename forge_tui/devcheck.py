"""`neuralforge dev check`: what a content author runs before asking for a review.

For a level folder: the schema (loading names the file and the field), every derivation step
against the one before (sympy), the gate's answer accepted by the gate's own checker.
For a boss folder: the boss loads and declares its contract; in every language the boss judges
(Python, and C and Rust where it has their paths and this machine their compilers), the
reference wins a counted fight, the level's starter loses, and every wrong solution loses and
names its one mistake in its first line; the references pass every lab check of their language
and the starters fail one (Python always; C and Rust where checks.py judges them). A lab that
must lose fights only until its first lost case. A boss that judges no Python lab (LANGUAGES,
module 12's) needs its 5 wrong solutions in its first language; its Python reference and starter
still meet the checks.
Each problem is one `Problem(where, what)`: the file (and field) and what is wrong with it.
"""

from __future__ import annotations

import asyncio
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


@dataclass(frozen=True)
class _Lab:
    """One lab dev check judges: a reference (must win and pass every check of its language), a
    starter (must lose and fail a check) or a wrong solution (must lose)."""

    path: Path
    language: str
    kind: str  # "reference", "starter" or "wrong"


def check_boss(folder: Path, starter: Path | None, sandbox, say: Callable[[str], None] = lambda text: None
               ) -> list[Problem]:
    """The boss in `folder` against its reference, starter and wrong solutions in every language
    it judges (the level's starters lie beside `starter`, the Python one), and the references and
    starters against the lab checks of their language. A compiled language without its compiler
    here is skipped, and `say` tells why."""
    from forge_tui.boss import load_boss
    from forge_tui.labcheck import load_checks

    try:
        boss = load_boss(folder.name, folder.parent)
    except Exception as err:  # noqa: BLE001 - a boss that cannot load is the problem to report
        return [Problem(str(folder / "boss.py"), f"cannot be loaded: {type(err).__name__}: {err}")]
    if boss is None:
        return [Problem(str(folder), "no boss.py")]
    if not boss.reference_path.is_file():
        return [Problem(str(boss.reference_path), "missing: every boss needs a reference that wins")]
    missing = _missing_compilers(boss.languages)
    for why in missing.values():
        say(f"  skipped: {why}")
    every = [lab for language in boss.languages for lab in _labs(boss, language, starter)]
    labs = [lab for lab in every if lab.language not in missing and lab.path.is_file()]
    problems = _contract_problems(boss, every) + _fight_problems(boss, labs, sandbox)
    try:
        checks = load_checks(folder.name, folder.parent)
    except Exception as err:  # noqa: BLE001
        return problems + [Problem(str(folder / "checks.py"), f"cannot be loaded: {type(err).__name__}: {err}")]
    if checks is None:
        return problems + [Problem(str(folder / "checks.py"), "missing: every module needs graded lab checks")]
    checked = [_Lab(boss.reference_path, "python", "reference")]
    checked += [_Lab(starter, "python", "starter")] if starter else []
    checked += [lab for lab in labs if lab.kind != "wrong" and lab.language != "python"
                and lab.language in checks.languages and lab.path.is_file()]
    return problems + _check_problems(checks, checked, sandbox)


def _missing_compilers(languages: Iterable[str]) -> dict[str, str]:
    """The compiled languages among `languages` whose compiler this machine lacks, with why."""
    from forge_tui.boss import compiled

    found = {language: asyncio.run(compiled(language).find_toolchain())
             for language in languages if compiled(language) is not None}
    return {language: toolchain for language, toolchain in found.items() if isinstance(toolchain, str)}


def _labs(boss, language: str, starter: Path | None) -> list[_Lab]:
    """The reference, starter and wrong solutions of `language` (the starter where the level has one)."""
    from forge_tui.languages import BY_ID

    if language == "python":
        reference, wrongs, own_starter = boss.reference_path, boss.wrong_paths, starter
    else:
        reference, wrongs = boss.native_reference_path(language), boss.native_wrong_paths(language)
        own_starter = starter.parent / BY_ID[language].starter if starter else None
    labs = [_Lab(reference, language, "reference")] + [_Lab(path, language, "wrong") for path in wrongs]
    if own_starter and own_starter.is_file():
        labs.append(_Lab(own_starter, language, "starter"))
    return labs


def _contract_problems(boss, labs: list[_Lab]) -> list[Problem]:
    """What the files say, before any fight: each language's reference is there, each wrong
    solution names its mistake, and the first language the boss judges has at least 5 of them."""
    problems = [Problem(str(lab.path), f"missing: the boss judges {lab.language} labs, so it needs a reference")
                for lab in labs if lab.kind == "reference" and not lab.path.is_file()]
    wrongs = [lab for lab in labs if lab.kind == "wrong"]
    problems += [Problem(str(lab.path), "the first line should say its one mistake")
                 for lab in wrongs if not first_line_names_the_mistake(lab.path)]
    first = "python" if "python" in boss.languages else boss.languages[0]
    count = sum(lab.language == first for lab in wrongs)
    if count < 5:
        where = boss.directory / "wrong" if first == "python" else boss.native_reference_path(first).parent
        problems.append(Problem(str(where), f"{count} wrong solutions; at least 5"))
    return problems


def _fight_problems(boss, labs: list[_Lab], sandbox) -> list[Problem]:
    """A reference that loses a counted fight, or a starter or wrong solution that wins one."""
    won = asyncio.run(_verdicts(boss, labs, sandbox))
    problems = []
    for lab in labs:
        if lab.kind == "reference" and not won[lab]:
            problems.append(Problem(str(lab.path), "the reference loses its own boss"))
        elif lab.kind != "reference" and won[lab]:
            problems.append(Problem(str(lab.path), "wins the boss, but it must lose"))
    return problems


async def _verdicts(boss, labs: Iterable[_Lab], sandbox) -> dict[_Lab, bool]:
    """Whether each lab wins a counted fight. A lab that must lose fights until its first lost
    case only: the verdict needs one loss, not every case (module 12's 500 characters)."""
    from forge_tui.boss import fight

    won = {}
    for lab in labs:
        report = await fight(boss, lab.path, sandbox, stop_at_loss=lab.kind != "reference")
        won[lab] = report.counts
    return won


def _check_problems(checks, labs: list[_Lab], sandbox) -> list[Problem]:
    """A reference that fails a lab check of its language, a starter that passes them all, and
    a module with fewer than 4 checks."""
    from forge_tui.labcheck import check_lab

    async def run_all() -> dict[_Lab, tuple[int, int]]:
        results = {}
        for lab in labs:
            report = await check_lab(checks, lab.path, sandbox)
            results[lab] = (report.passed, report.total)
        return results

    problems = []
    for lab, (passed, total) in asyncio.run(run_all()).items():
        if lab.kind == "reference" and lab.language == "python" and total < 4:
            problems.append(Problem(str(checks.directory / "checks.py"), f"{total} checks; at least 4"))
        if lab.kind == "reference" and passed != total:
            problems.append(Problem(str(lab.path), f"passes {passed}/{total} lab checks; it must pass all"))
        if lab.kind == "starter" and passed == total:
            problems.append(Problem(str(lab.path), "passes every lab check, but a starter must fail one"))
    return problems


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
        return problems + check_boss(path, starter if starter and starter.is_file() else None, sandbox_factory(), say)
    return [Problem(str(path), "neither a level folder (level.toml) nor a boss folder (boss.py)")]


def shipped_folders(levels: Path, bosses: Path) -> list[Path]:
    found = [f for f in sorted(levels.iterdir()) if (f / "level.toml").is_file()]
    return found + [f for f in sorted(bosses.iterdir()) if (f / "boss.py").is_file()]
