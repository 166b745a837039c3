from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from forge_tui.widgets.footer import Footer
from forge_tui.widgets.text import ago, literal

BANNER = """\
 ┳┓        ┓  ┏┓
 ┃┃┏┓┓┏┏┓┏┓┃  ┣ ┏┓┏┓┏┓┏┓
 ┛┗┗ ┗┻┛ ┗┻┗  ┻ ┗┛┛ ┗┫┗
                     ┛"""

NEW_RUN = "__new__"


class StartScreen(Screen):
    """Pick a saved run to resume, or start a new one."""

    BINDINGS = [
        Binding("n", "new_run", "New run"),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="start-box"):
            yield Static(BANNER, id="banner")
            yield Static("Learn how large language models work by building them.", id="tagline")
            yield OptionList(id="runs")
            yield Static("", id="start-note")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_runs()
        resume = self.app.resume
        if resume:
            self.app.resume = None
            self.open_run(resume)

    def on_screen_resume(self) -> None:
        self.refresh_runs()

    def refresh_runs(self) -> None:
        game = self.app.game
        runs = self.query_one("#runs", OptionList)
        runs.clear_options()
        notes = []
        for summary in game.store.list_runs():
            if summary.problem:
                notes.append(summary.problem)
            recovered = game.store.last_note(summary.id)  # listing loads, and repairs, each run
            if recovered:
                self.notify(recovered.message, title="Save recovered", severity="warning", timeout=15, markup=False)
            flavors = "+".join(f.title() for f in summary.flavors)
            label = literal(
                f"{summary.name[:18]:<18} {flavors[:24]:<24} "
                f"{summary.gates_passed:>2}/{len(game.catalog.modules)} gates  {ago(summary.last_played)}"
            )
            runs.add_option(Option(label, id=summary.id))
        runs.add_option(Option("+ New run", id=NEW_RUN))
        runs.highlighted = 0
        runs.focus()
        self.query_one("#start-note", Static).update(literal("\n".join(notes)))

    @on(OptionList.OptionSelected, "#runs")
    def picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == NEW_RUN:
            self.action_new_run()
        else:
            self.open_run(event.option.id)

    def action_new_run(self) -> None:
        from forge_tui.screens.signup import SignupScreen

        self.app.push_screen(SignupScreen(), self._created)

    def _created(self, run_id: str | None) -> None:
        if run_id:
            self.open_run(run_id)

    def open_run(self, key: str) -> None:
        from forge_tui.saves import SaveError
        from forge_tui.screens.level import LevelScreen
        from forge_tui.screens.map import MapScreen

        game = self.app.game
        try:
            run = game.store.resolve(key)
        except SaveError as err:
            self.query_one("#start-note", Static).update(literal(err))
            return
        note = game.store.last_note(run.id)
        if note:
            self.notify(note.message, title="Save recovered", severity="warning", timeout=15, markup=False)
        self.app.push_screen(MapScreen(run))
        part = run.position.get("part")
        module = game.current_module(run)
        if part and game.is_playable(run, module):
            self.app.push_screen(LevelScreen(run, module, part))
