"""The player's lab files: real files in the run's workspace, made from the module's starter.

    <data dir>/runs/<run id>/labs/<module id>/lab.py   (lab.c, lab.rs for C and Rust)

A module's lab may come in several languages (`module_languages`); the run's language picks the
one opened first, and its boss and its checks each judge the languages they can (`LabFiles`).
Every screen and command finds a lab through this module; nothing else builds these paths.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from forge_tui.content import Module
from forge_tui.languages import BY_ID, module_languages


def lab_language(module: Module, language: str) -> str:
    """The run's language if the module offers it (a starter and a judge), else Python."""
    return language if language in module_languages(module) else "python"


@dataclass(frozen=True)
class LabFiles:
    """One run's lab files for one module, and which of them its judges read.

    offered: the languages the module's lab comes in, in the language table's order
    opened: the one the Lab part opens first (the run's language if offered, else Python)
    boss: the languages the module's boss judges, () while it has none
    boss_language: the lab the boss judges for this run (`judged_lab_language`), None without a boss
    checks: the languages its lab checks judge, () while it has none
    """

    offered: tuple[str, ...]
    opened: str
    boss: tuple[str, ...] = ()
    boss_language: str | None = None
    checks: tuple[str, ...] = ()

    @staticmethod
    def file(language: str) -> str:
        """The lab file's name in `language`: lab.py, lab.c, lab.rs."""
        return BY_ID[language].lab_file

    def after(self, language: str) -> str:
        """The next offered language after `language`, round the list (F8 in the Lab part)."""
        if language not in self.offered:
            return self.opened
        return self.offered[(self.offered.index(language) + 1) % len(self.offered)]

    def why_unchecked(self, language: str) -> str | None:
        """Why the lab checks cannot judge the `language` lab, in the player's words; None if they can."""
        if language in self.checks:
            return None
        if not self.checks:
            return "this module has no lab checks yet"
        judged = " and ".join(BY_ID[other].name for other in self.checks)
        by = "only by the boss" if language in self.boss else "by neither the checks nor the boss"
        return f"the checks for this module judge {judged}; {self.file(language)} is judged {by}"


def lab_files(module: Module, language: str, boss: tuple[str, ...] = (), boss_language: str | None = None,
              checks: tuple[str, ...] = ()) -> LabFiles:
    """The LabFiles of a run in `language`: one language per file name (Triton's lab is lab.py
    too: the one opened first keeps the name)."""
    opened = lab_language(module, language)
    names = {BY_ID[opened].lab_file}
    offered = []
    for other in module_languages(module):
        if other == opened or BY_ID[other].lab_file not in names:
            offered.append(other)
            names.add(BY_ID[other].lab_file)
    return LabFiles(tuple(offered), opened, tuple(boss), boss_language, tuple(checks))


def lab_dir(home: Path, run_id: str, module: Module) -> Path:
    return home / "runs" / run_id / "labs" / module.id


def lab_path(home: Path, run_id: str, module: Module, language: str) -> Path:
    language = lab_language(module, language)
    return lab_dir(home, run_id, module) / BY_ID[language].lab_file


def ensure_lab(home: Path, run_id: str, module: Module, language: str) -> Path:
    """The lab file, created from the starter the first time it is asked for."""
    path = lab_path(home, run_id, module, language)
    if not path.exists():
        starter = module.starter_path(lab_language(module, language))
        if starter is None:
            raise FileNotFoundError(f"module {module.number} has no starter code")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, starter.read_text(encoding="utf-8"))
    return path


def write_atomic(path: Path, text: str) -> None:
    """Write-then-rename with fsync: a crash mid-save leaves the old or the new file, whole."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def reset_lab(home: Path, run_id: str, module: Module, language: str) -> Path:
    """Put the starter back, keeping the current file as a timestamped backup. Returns the backup."""
    path = ensure_lab(home, run_id, module, language)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
    shutil.copy2(path, backup)
    starter = module.starter_path(lab_language(module, language))
    write_atomic(path, starter.read_text(encoding="utf-8"))
    return backup

