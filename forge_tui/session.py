"""One player's session: the current run, and every action a player takes, with no UI.

The TUI holds one (`app.session`) and only draws what it returns; each CLI command opens one and
only prints; a hosted player's game process holds its own. The rules live in `Game` (the save
store, the gate checker, what is playable) and in the judges (`boss`, `labcheck`); the session
binds them to one run and one sandbox, keeps the run current after every change and tells a
listener (`on_change`) so every screen shows the same state.

    session = Session.open(Game(), "ada", sandbox=Sandbox.start)
    outcome = session.submit_gate(module, "8, 9")
    report = await session.fight(module, on_case=print)     # records a victory that counts
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from forge_tui.content import Module
from forge_tui.game import Game, GameError, GateOutcome, StepOutcome
from forge_tui.saves import ModuleProgress, RunState, SaveError


class Session:
    """The current run of one player and the actions on it."""

    def __init__(self, game: Game, run: RunState, *, sandbox: Callable[[], object] | None = None,
                 on_change: Callable[[RunState], None] | None = None):
        self.game = game
        self._run = run
        self._sandbox = sandbox
        self.on_change = on_change
        self._stamp = self._saved_stamp()

    @classmethod
    def open(cls, game: Game, name_or_id: str | None = None, **kwargs) -> "Session":
        """The run named (or the latest played one); GameError when there is none."""
        try:
            return cls(game, game.store.resolve(name_or_id), **kwargs)
        except SaveError as err:
            raise GameError(str(err)) from err

    # --- the run ------------------------------------------------------------------------------
    @property
    def run(self) -> RunState:
        return self._run

    def _set(self, run: RunState) -> RunState:
        changed = run is not self._run
        self._run = run
        self._stamp = self._saved_stamp()
        if changed and self.on_change is not None:
            self.on_change(run)
        return run

    def _saved_stamp(self) -> tuple | None:
        try:
            stat = os.stat(self.game.store.home / "runs" / self._run.id / "state.json")
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def reload_if_changed(self) -> bool:
        """Pick up a change another process saved (a CLI command, another terminal). True if any."""
        if self._saved_stamp() == self._stamp:
            return False
        self._set(self.game.reload(self._run))
        return True

    @property
    def sandbox(self):
        if self._sandbox is None:
            raise GameError("this session has no sandbox: labs cannot run here")
        return self._sandbox()

    def progress(self, module: Module) -> ModuleProgress:
        return self._run.modules.get(module.id) or ModuleProgress()

    def state(self, module: Module):
        return self.game.module_state(self._run, module)

    # --- reading and the gate -----------------------------------------------------------------
    def visit(self, module: Module, part: str | None = None) -> RunState:
        return self._set(self.game.visit(self._run, module, part))

    def mark_hook_seen(self, module: Module) -> RunState:
        return self._set(self.game.mark_hook_seen(self._run, module))

    def submit_step(self, module: Module, d_index: int, s_index: int, text: str) -> StepOutcome:
        outcome = self.game.submit_step(self._run, module, d_index, s_index, text)
        if outcome.accepted:
            self._set(self.game.reload(self._run))
        return outcome

    def submit_gate(self, module: Module, answer: str) -> GateOutcome:
        outcome = self.game.submit_gate(self._run, module, answer)
        self._set(outcome.state)
        return outcome

    # --- the lab ------------------------------------------------------------------------------
    def lab_path(self, module: Module, language: str | None = None) -> Path:
        """The run's lab file for `module` (made from the starter the first time)."""
        from forge_tui.labs import ensure_lab

        return ensure_lab(self.game.store.home, self._run.id, module, language or self._run.language)

    def reset_lab(self, module: Module, language: str | None = None) -> Path:
        """Put the starter back in the lab (the run's language's, or the `language` one); returns
        the backup of the lab as it was."""
        from forge_tui.labs import reset_lab

        self.game.require_playable(self._run, module)
        return reset_lab(self.game.store.home, self._run.id, module, language or self._run.language)

    def lab_files(self, module: Module):
        """Which lab files `module` offers this run, which one opens first, and which of them its
        boss and its checks judge (forge_tui.labs.LabFiles). Loads the trusted judges: call it off
        the UI thread."""
        from forge_tui.labcheck import load_checks
        from forge_tui.labs import lab_files

        boss = self.boss(module)
        checks = load_checks(module.id)
        return lab_files(module, self._run.language,
                         boss=boss.languages if boss else (),
                         boss_language=boss.lab_language(self._run.language) if boss else None,
                         checks=checks.languages if checks else ())

    @staticmethod
    def labs_refused() -> str | None:
        from forge_tui.labrun import labs_refused

        return labs_refused()

    def _require_labs(self) -> None:
        reason = self.labs_refused()
        if reason:
            raise GameError(reason[0].upper() + reason[1:] + ".")

    async def run_lab(self, module: Module, *, language: str | None = None, on_output=None):
        """Execute the lab (the run's language's, or the `language` one) as a program in the
        sandbox; its RunResult."""
        from forge_tui.labrun import run_lab

        self._require_labs()
        return await run_lab(self.sandbox, self.lab_path(module, language), on_output=on_output)

    def has_checks(self, module: Module) -> bool:
        from forge_tui.labcheck import CHECKS_FILE
        from forge_tui.locations import bosses_directory

        return (bosses_directory() / module.id / CHECKS_FILE).is_file()

    async def check_lab(self, module: Module, *, file: Path | None = None, language: str | None = None,
                        on_check=None, on_output=None):
        """Run the module's lab checks on the lab (or `file`): the lab of the run's language where
        the checks judge it, else the Python lab; or the `language` lab, GameError where the checks
        do not judge that language. The run keeps the latest verdict of its own lab."""
        import asyncio

        from forge_tui.labcheck import check_lab, load_checks

        self.game.require_playable(self._run, module)
        self._require_labs()
        checks = await asyncio.to_thread(load_checks, module.id)
        if checks is None:
            raise GameError(f"module {module.number} ({module.title}) has no lab checks yet")
        if language is not None and language not in checks.languages:
            files = await asyncio.to_thread(self.lab_files, module)
            raise GameError(files.why_unchecked(language))
        lab = Path(file) if file else self.lab_path(module, language or checks.lab_language(self._run.language))
        report = await check_lab(checks, lab, self.sandbox, on_check=on_check, on_output=on_output)
        if file is None:
            self._set(self.game.record_checks(self._run, module, report.passed_names, report.total))
        return report

    # --- the boss -----------------------------------------------------------------------------
    def boss(self, module: Module):
        from forge_tui.boss import load_boss

        return load_boss(module.id)

    def fight_lab(self, module: Module, boss) -> Path:
        """The lab a fight judges: the run's language where the boss can judge it, else Python."""
        return self.lab_path(module, boss.lab_language(self._run.language))

    async def fight(self, module: Module, *, file: Path | None = None, seed: int | None = None,
                    on_case=None, on_output=None, on_begin=None):
        """Fight the module's boss with the lab (or `file`). A victory that counts (secret cases,
        confirmed on fresh secret ones; never a fixed `seed`) is recorded."""
        import asyncio

        from forge_tui.boss import fight

        self.game.require_playable(self._run, module)
        self._require_labs()
        boss = await asyncio.to_thread(self.boss, module)
        if boss is None:
            raise GameError(f"module {module.number} ({module.title}) has no boss yet")
        lab = Path(file) if file else self.fight_lab(module, boss)
        sandbox = self.sandbox
        if on_begin is not None:
            on_begin(boss, lab, await asyncio.to_thread(sandbox.describe))
        report = await fight(boss, lab, sandbox, seed=seed, on_case=on_case, on_output=on_output)
        self._set(self.game.record_fight(self._run, module, report))
        return report

    def reference(self, module: Module) -> Path:
        """The boss's reference solution, opened to the player once the boss is defeated."""
        from forge_tui.locations import bosses_directory

        if not self.progress(module).boss_defeated:
            raise GameError("The reference solution opens once the boss is defeated.")
        return bosses_directory() / module.id / "reference.py"

    # --- unlocks ------------------------------------------------------------------------------
    def unlock_state(self, spec) -> str:
        from forge_tui.unlocks import unlock_state

        return unlock_state(spec, self._run, self.game)
