"""Running a player's lab: copy it into a fresh directory, build it if it is C or Rust, run it
in the sandbox. The TUI and the CLI both call `run_lab`; nothing else starts a lab."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable

from forge_tui.languages import BY_SUFFIX, LanguageSpec
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


async def _build(sandbox: Sandbox, spec: LanguageSpec, work: Path, on_output) -> RunResult:
    """Build the lab in `work` with the language's build argv, run by the compiler a fight of
    that language uses (a rustup proxy on PATH is no compiler inside the sandbox)."""
    from forge_tui.boss import compiled

    judged = compiled(spec.id)
    if judged is None:
        return _failed(f"no judge builds {spec.name} labs yet")
    toolchain = await judged.find_toolchain()
    if isinstance(toolchain, str):
        return _failed(toolchain)
    return await sandbox.run_command([toolchain.compiler, *spec.build[1:]], workdir=work, readable=toolchain.readable,
                                     on_output=on_output, limits=BUILD_LIMITS)


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
        built = await _build(sandbox, spec, work, on_output)
        if not built.ok:
            return RunResult(built.outcome, built.exit_code, built.signal, f"the build failed: {built.message}",
                             built.output, built.results, built.duration_s)
        return await sandbox.run_command(["./lab"], workdir=work, on_output=on_output, limits=limits)
    finally:
        shutil.rmtree(work, ignore_errors=True)
