"""The player's lab files: real files in the run's workspace, made from the module's starter.

    <data dir>/runs/<run id>/labs/<module id>/lab.py   (lab.c, lab.rs for C and Rust)

Every screen and command finds a lab through this module; nothing else builds these paths.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from forge_tui.content import Module
from forge_tui.languages import BY_ID, module_languages


def lab_language(module: Module, language: str) -> str:
    """The run's language if the module offers it (a starter and a judge), else Python."""
    return language if language in module_languages(module) else "python"


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

