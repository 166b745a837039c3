"""The game's rules, shared by the TUI and the CLI.

One place decides what a module's state is, what a gate answer does to a run and
what is saved. Screens and commands call this module; they never touch the save
store's files or the checker's internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from forge_tui.locations import data_directory
from forge_tui.saves import ModuleProgress, RunState, SaveError, Store

if TYPE_CHECKING:  # the boss engine (numpy, the runner) stays off the start-up path
    from forge_tui.boss import FightReport
    from forge_tui.content import Catalog, Module  # read on first use (Game.catalog)

class ModuleState(StrEnum):
    """Where a run stands in one module: the one list of module states."""

    LOCKED = "locked"  # the gate before it is not passed
    OPEN = "open"
    GATE_PASSED = "gate passed"
    FORGED = "forged"  # gate passed and boss defeated: the unlock is earned


LOCKED, OPEN, GATE_PASSED, FORGED = ModuleState  # the names the engine has always used


class GameError(Exception):
    """A request the rules refuse (a locked module, say); the message is for the player."""


@dataclass(frozen=True)
class GateOutcome:
    accepted: bool
    malformed: bool
    message: str
    hints: tuple[str, ...]  # every hint revealed so far, in order
    opened: Module | None  # the module this answer opened, if any
    state: RunState
    imprecise: bool = False  # the right value to fewer decimal places than asked


@dataclass(frozen=True)
class StepOutcome:
    accepted: bool
    malformed: bool
    message: str


def step_key(derivation_index: int, step_index: int) -> str:
    return f"{derivation_index}.{step_index}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Game:
    def __init__(self, home: Path | None = None, content: Catalog | None = None):
        self.store = Store(home or data_directory())
        self._catalog = content

    @property
    def catalog(self) -> Catalog:
        """The modules, read from `levels/` on first use: the start screen of a new player needs
        none of them, and reading them cost about a tenth of the time to its first paint."""
        if self._catalog is None:
            from forge_tui.content import catalog

            self._catalog = catalog()
        return self._catalog

    # --- state ---------------------------------------------------------------
    def module_state(self, run: RunState, module: Module) -> ModuleState:
        progress = run.modules.get(module.id) or ModuleProgress()
        if progress.gate_passed:
            return FORGED if progress.boss_defeated else GATE_PASSED
        before = self.catalog.previous(module)
        if before is None:
            return OPEN
        previous = run.modules.get(before.id)
        return OPEN if previous and previous.gate_passed else LOCKED

    def is_playable(self, run: RunState, module: Module) -> bool:
        return self.module_state(run, module) != LOCKED

    def counts(self, run: RunState) -> tuple[int, int]:
        """(gates passed, modules forged) over the modules in the catalog."""
        states = [self.module_state(run, m) for m in self.catalog.modules]
        return (
            sum(s in (GATE_PASSED, FORGED) for s in states),
            sum(s == FORGED for s in states),
        )

    def current_module(self, run: RunState) -> Module:
        """Where the player was last, else the furthest open module."""
        saved = run.position.get("module")
        if saved:
            try:
                return self.catalog.module(saved)
            except KeyError:
                pass
        playable = [m for m in self.catalog.modules if self.module_state(run, m) == OPEN]
        return playable[-1] if playable else self.catalog.modules[0]

    def hints(self, run: RunState, module: Module) -> tuple[str, ...]:
        progress = run.modules.get(module.id) or ModuleProgress()
        return module.gate.hints[: progress.hints_revealed]

    def new_run(self, name: str, flavors, language: str) -> RunState:
        """Sign up: a new run, refused when another run already has this name (any case)."""
        wanted = " ".join(str(name).split()).casefold()
        taken = next((s for s in self.store.list_runs() if s.name.casefold() == wanted), None)
        if taken is not None:
            raise GameError(f"A run named '{taken.name}' already exists (id {taken.id}): resume it, "
                            "or choose another name.")
        try:
            return self.store.create_run(name, flavors, language)
        except SaveError as err:
            raise GameError(str(err)) from err

    def require_playable(self, run: RunState, module: Module) -> None:
        if not self.is_playable(run, module):
            before = self.catalog.previous(module)
            raise GameError(
                f"module {module.number} ({module.title}) is locked: "
                f"pass the gate of module {before.number} ({before.title}) first"
            )

    # --- actions ---------------------------------------------------------------
    def _update(self, run: RunState, change) -> RunState:
        """Save a change; a save problem (another process busy, a full disk) becomes a GameError."""
        try:
            return self.store.update(run.id, change)
        except SaveError as err:
            raise GameError(str(err)) from err

    def reload(self, run: RunState) -> RunState:
        try:
            return self.store.load(run.id)
        except SaveError as err:
            raise GameError(str(err)) from err

    def visit(self, run: RunState, module: Module, part: str | None = None) -> RunState:
        self.require_playable(run, module)

        def change(state: RunState) -> None:
            state.position = {"module": module.id, "part": part}

        return self._update(run, change)

    def mark_hook_seen(self, run: RunState, module: Module) -> RunState:
        return self._update(run, lambda s: setattr(s.progress(module.id), "hook_seen", True))

    def submit_gate(self, run: RunState, module: Module, answer: str) -> GateOutcome:
        """Check a gate answer and save what it changes. An answer that could not be read
        counts for nothing; any other counts as an attempt. A wrong answer reveals the next
        hint, unless the gate is already passed or the only miss is precision (the right
        value to fewer decimal places than asked)."""
        from forge_tui.checker import check_gate

        self.require_playable(run, module)
        verdict = check_gate(module.gate.spec(), answer)
        was_open = {m.id for m in self.catalog.modules if self.is_playable(run, m)}

        def change(state: RunState) -> None:
            progress = state.progress(module.id)
            if verdict.malformed:
                return
            progress.gate_attempts += 1
            if verdict.accepted and not progress.gate_passed:
                progress.gate_passed = True
                progress.gate_passed_at = _now()
            elif not (verdict.accepted or verdict.imprecise or progress.gate_passed):
                progress.hints_revealed = min(len(module.gate.hints), progress.hints_revealed + 1)

        state = self._update(run, change)
        opened = next(
            (m for m in self.catalog.modules if self.is_playable(state, m) and m.id not in was_open),
            None,
        )
        return GateOutcome(
            accepted=verdict.accepted,
            malformed=verdict.malformed,
            message=verdict.message,
            hints=self.hints(state, module),
            opened=opened,
            state=state,
            imprecise=verdict.imprecise,
        )

    def record_fight(self, run: RunState, module: Module, report: FightReport) -> RunState:
        """Save what a boss fight earned. Only a victory that counts (secret cases, then fresh
        secret cases again: `report.counts`) defeats the boss; a practice fight with a fixed
        seed, an unconfirmed victory or a defeat changes nothing and returns `run` as it was."""
        if not report.counts:
            return run
        return self.defeat_boss(run, module)

    def defeat_boss(self, run: RunState, module: Module) -> RunState:
        """Mark the boss defeated; with the gate passed, the module is forged. A fight's verdict
        goes through `record_fight`, which calls this only for a victory that counts."""
        self.require_playable(run, module)
        return self._update(run, lambda s: setattr(s.progress(module.id), "boss_defeated", True))

    def submit_step(self, run: RunState, module: Module, d_index: int, s_index: int, text: str) -> StepOutcome:
        from forge_tui.checker import check_step

        derivation = module.derivations[d_index]
        step = derivation.steps[s_index]
        verdict = check_step(step.expr, text, derivation.symbols, derivation.assume)
        if verdict.accepted:
            key = step_key(d_index, s_index)

            def change(state: RunState) -> None:
                solved = state.progress(module.id).steps_solved
                if key not in solved:
                    solved.append(key)

            self._update(run, change)
        return StepOutcome(verdict.accepted, verdict.malformed, verdict.message)

    def record_checks(self, run: RunState, module: Module, passed: list[str], total: int) -> RunState:
        """Keep the latest lab-check verdict: which checks passed, out of how many."""
        self.require_playable(run, module)

        def change(state: RunState) -> None:
            progress = state.progress(module.id)
            progress.checks_passed = list(passed)
            progress.checks_total = total

        return self._update(run, change)
