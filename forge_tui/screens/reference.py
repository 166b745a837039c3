from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from forge_tui.content import Module
from forge_tui.widgets.text import clean, markup


class ReferenceScreen(Screen):
    """After the boss falls: the reference solution beside the player's lab, both read-only."""

    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def __init__(self, module: Module, reference: Path, mine: Path | None) -> None:
        super().__init__()
        self.module, self.reference, self.mine = module, reference, mine

    def compose(self) -> ComposeResult:
        yield Static(markup("[b]$number · reference solution beside yours[/]", number=self.module.number), id="level-bar")
        with Horizontal(id="reference-row"):
            with Vertical():
                yield Static("[b]Yours[/]" + ("" if self.mine else " [dim](no Python lab)[/]"))
                yield self._viewer(self.mine)
            with Vertical():
                yield Static(markup("[b]Reference[/] [dim]$name[/]", name=self.reference.name))
                yield self._viewer(self.reference)
        yield Footer()

    @staticmethod
    def _viewer(path: Path | None) -> TextArea:
        """A read-only view of a file, as text: a control character in it never reaches the terminal."""
        text = path.read_text(encoding="utf-8", errors="replace") if path and path.is_file() else ""
        return TextArea.code_editor(clean(text), language="python", read_only=True, show_line_numbers=True)
