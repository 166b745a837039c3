from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, SelectionList, Static
from textual.widgets.selection_list import Selection

from forge_tui.flavors import FLAVORS
from forge_tui.toolchains import languages
from forge_tui.widgets.text import literal, markup


class SignupScreen(Screen[str | None]):
    """A new run: a name, exactly two flavors, a primary language."""

    BINDINGS = [
        Binding("escape", "cancel", "Back"),
        Binding("ctrl+s", "create", "Create run"),
    ]

    def compose(self) -> ComposeResult:
        self.languages = languages()
        with VerticalScroll(id="signup"):
            yield Static("[b]New run[/b]  Name it, pick two flavors and a language.", id="signup-title")
            yield Input(placeholder="Run name, e.g. ada", id="name", max_length=40)
            yield Label("Flavors: exactly two (space toggles)", classes="field-label")
            yield SelectionList[str](
                *(Selection(f"{f.name:<14}[dim]{f.blurb}[/]", f.id) for f in FLAVORS),
                id="flavors",
            )
            yield Label("Primary language", classes="field-label")
            with Horizontal(id="language-row"):
                with RadioSet(id="language"):
                    for lang in self.languages:
                        yield RadioButton(lang.name, value=lang.id == "python", disabled=not lang.available, id=f"lang-{lang.id}")
                with Vertical(id="language-side"):
                    yield Static(self._language_notes(), id="language-notes")
                    with Horizontal(id="signup-actions"):
                        yield Button("Create run", variant="primary", id="create")
                        yield Static("", id="signup-error")
        yield Footer()

    def _language_notes(self) -> Content:
        return Content("\n").join(
            markup("$name[dim]$reason[/]", name=f"{lang.name:<7}{'✓' if lang.available else '✗'} ", reason=lang.reason)
            for lang in self.languages
        )

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    def name_done(self) -> None:
        self.query_one("#flavors", SelectionList).focus()

    @on(SelectionList.SelectedChanged, "#flavors")
    def flavors_changed(self) -> None:
        chosen = self.query_one("#flavors", SelectionList).selected
        error = self.query_one("#signup-error", Static)
        error.update("" if len(chosen) <= 2 else f"Pick exactly two flavors ({len(chosen)} chosen).")

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        from forge_tui.game import GameError

        name = self.query_one("#name", Input).value.strip()
        flavors = list(self.query_one("#flavors", SelectionList).selected)
        pressed = self.query_one("#language", RadioSet).pressed_button
        language = (pressed.id or "lang-python").removeprefix("lang-") if pressed else "python"
        error = self.query_one("#signup-error", Static)
        if not name:
            error.update("Give the run a name.")
            self.query_one("#name", Input).focus()
            return
        if len(flavors) != 2:
            error.update(f"Pick exactly two flavors ({len(flavors)} chosen).")
            self.query_one("#flavors", SelectionList).focus()
            return
        try:
            run = self.app.game.new_run(name, flavors, language)
        except GameError as err:
            error.update(literal(err))
            return
        self.dismiss(run.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
