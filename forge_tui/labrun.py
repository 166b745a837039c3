"""Running a player's lab: copy it into a fresh directory, build it if it is C or Rust, run it
in the sandbox. The TUI and the CLI both call `run_lab`; nothing else starts a lab."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable

from forge_tui.languages import BY_SUFFIX, missing_tool
from forge_tui.runner import Limits, RunResult, Sandbox

BUILD_LIMITS = Limits(wall_s=60, cpu_s=60, memory_mb=2048, processes=32)


def labs_refused() -> str | None:
    """Why labs may not run in this process, or None. A host without filesystem isolation
    for its players' labs starts each session's game with NEURALFORGE_LABS=0."""
    import os

    if os.environ.get("NEURALFORGE_LABS", "1") == "0":
        return (
            "labs are switched off on this host: it cannot keep one player's lab away from "
            "another's files (the teacher can allow them with neuralforge serve --allow-unisolated-labs)"
        )
    return None


def _failed(message: str) -> RunResult:
    return RunResult("error", None, None, message, "")


async def run_lab(
    sandbox: Sandbox,
    lab: Path,
    *,
    on_output: Callable[[str], None] | None = None,
    limits: Limits = Limits(),
) -> RunResult:
    """The lab's outcome. A copy runs, never the file in the saves: the sandbox cannot read saves."""
    work = Path(tempfile.mkdtemp(prefix="neuralforge-lab-"))
    try:
        copy = work / lab.name
        shutil.copyfile(lab, copy)
        if lab.suffix == ".py":
            return await sandbox.run_python(copy, workdir=work, on_output=on_output, limits=limits)
        spec = BY_SUFFIX.get(lab.suffix)
        if spec is None or not spec.compiled:
            return _failed(f"running {lab.suffix} labs is not supported")
        missing = missing_tool(spec)
        if missing:
            return _failed(f"{spec.name} labs cannot run here: {missing}")
        built = await sandbox.run_command(list(spec.build), workdir=work, on_output=on_output, limits=BUILD_LIMITS)
        if not built.ok:
            return RunResult(built.outcome, built.exit_code, built.signal, f"the build failed: {built.message}",
                             built.output, built.results, built.duration_s)
        return await sandbox.run_command(["./lab"], workdir=work, on_output=on_output, limits=limits)
    finally:
        shutil.rmtree(work, ignore_errors=True)
