"""The Textual application: start screen, signup, the map and the levels."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import App
from textual.binding import Binding
from textual.geometry import Size
from textual.worker import Worker, WorkerState

from forge_tui.game import Game
from forge_tui.messages import RunChanged
from forge_tui.screens.start import StartScreen

if TYPE_CHECKING:
    from forge_tui.content import Catalog
    from forge_tui.saves import RunState
    from forge_tui.session import Session

MIN_WIDTH, MIN_HEIGHT = 80, 24
# The warm-up waits this long after the start screen is mounted: sooner, its sympy import (a
# thread, holding the GIL) and the zygote delayed the start screen's own paints on two cores,
# while no player reaches a Math, Lab or Boss part within a second of the start screen.
WARM_UP_AFTER_S = 1.0


def unlock_commands():
    """The command palette's unlock provider, imported when the palette first opens, not on
    the way to the first screen."""
    from forge_tui.unlocks.palette import UnlockCommands

    return UnlockCommands


class NeuralForgeApp(App):
    CSS_PATH = Path(__file__).with_name("forge.tcss")  # the start screen's rules
    SCREENS_CSS = Path(__file__).with_name("screens.tcss")  # every other screen's (push_screen)
    TITLE = "Neural Forge"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {unlock_commands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        home: Path | None = None,
        content: Catalog | None = None,
        *,
        resume: str | None = None,
        animate: bool | None = None,
        sandbox=None,
    ):
        super().__init__()
        self.game = Game(home, content)
        self.session: Session | None = None  # the run being played; every screen acts through it
        self._sandbox = sandbox
        self.resume = resume
        # The hook's reading timer; tests and benchmarks switch it off.
        self.animate = animate if animate is not None else os.environ.get("NEURALFORGE_ANIMATE", "1") != "0"
        self._sized = False  # size checks wait for the first real screen

    async def on_mount(self) -> None:
        resuming = bool(self.resume)  # the start screen opens the run at once and clears it
        await self.push_screen(StartScreen())
        self._sized = True
        self.call_after_refresh(self._check_size)
        if os.environ.get("NEURALFORGE_EXIT_WHEN_READY"):
            # benchmarks/startup.py: leave as soon as the first screen is interactive
            self.call_after_refresh(self.exit)
        elif os.environ.get("NEURALFORGE_WARM_UP", "1") != "0":
            # A host serving many players sets NEURALFORGE_WARM_UP=0: each session then loads
            # sympy and starts a zygote only when the player first needs them.
            # (a resumed run: at once; never set_timer(0), whose late tick divides by zero)
            if resuming:
                self.call_after_refresh(self.warm_up)
            else:
                self.set_timer(WARM_UP_AFTER_S, self.warm_up)

    def push_screen(self, screen, *args, **kwargs):
        """Textual's push_screen, once the stylesheet has every screen's rules: the start screen
        needs only forge.tcss, so the rest are parsed when the first other screen opens."""
        if not isinstance(screen, StartScreen):
            self.read_screens_css()
        return super().push_screen(screen, *args, **kwargs)

    def read_screens_css(self) -> None:
        """Add screens.tcss to the stylesheet, once. Its rules match no widget of the start
        screen, so nothing already styled changes; later widgets are styled with them."""
        if not self.stylesheet.has_source(str(self.SCREENS_CSS), ""):
            self.stylesheet.read(self.SCREENS_CSS)

    @property
    def sandbox(self):
        """The runner for labs and bosses, started on first use (or by warm_up)."""
        if self._sandbox is None:
            from forge_tui.runner import Sandbox

            self._sandbox = Sandbox.start()
        return self._sandbox

    def open_run(self, run: RunState) -> Session:
        """Play `run` from now on: one session for every screen and tool."""
        from forge_tui.session import Session

        if self.session is None or self.session.run.id != run.id:
            self.session = Session(self.game, run, sandbox=lambda: self.sandbox,
                                   on_change=lambda state: self.post_message(RunChanged(state)))
        return self.session

    @on(RunChanged)
    def run_changed(self, event: RunChanged) -> None:
        for screen in self.screen_stack:
            screen.post_message(RunChanged(event.run))

    @on(Worker.StateChanged)
    def report_worker_error(self, event: Worker.StateChanged) -> None:
        """The one place a failure in background work reaches the player. Workers start with
        exit_on_error=False so that one failure never closes the game; their state messages do
        not bubble, so each screen that starts workers hands them here (`forge_worker_failed`)."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        what = event.worker.description or event.worker.group or "background work"
        self.notify(f"Something went wrong in {what}: {type(error).__name__}: {error}",
                    title="Error", severity="error", timeout=15, markup=False)

    def on_unmount(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()

    def warm_up(self) -> None:
        """Once the first screen has settled (WARM_UP_AFTER_S): start the sandbox's zygote (it
        loads numpy in its own process; Popen, so safe with Textual's threads) and import sympy
        in a thread, so the Math, Lab and Boss parts open without a pause. Before the first
        screen had settled they would only compete with it for the CPU."""

        def load() -> None:
            import sympy  # noqa: F401

        from forge_tui.labrun import labs_refused

        if not labs_refused():
            self.call_after_refresh(lambda: self.sandbox)
        self.run_worker(load, thread=True, group="warm-up", exit_on_error=False)

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size)

    def _check_size(self, size: Size | None = None) -> None:
        from forge_tui.screens.too_small import TooSmallScreen

        if not self._sized:
            return
        size = size or self.size
        small = size.width < MIN_WIDTH or size.height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen())
        elif showing and not small:
            self.pop_screen()

    def action_help(self) -> None:
        from forge_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
