from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from forge_tui.content import Module


class ReferenceScreen(Screen):
    """After the boss falls: the reference solution beside the player's lab, both read-only."""

    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def __init__(self, module: Module, reference: Path, mine: Path | None) -> None:
        super().__init__()
        self.module, self.reference, self.mine = module, reference, mine

    def compose(self) -> ComposeResult:
        yield Static(f"[b]{self.module.number} · reference solution beside yours[/]", id="level-bar")
        with Horizontal(id="reference-row"):
            with Vertical():
                yield Static("[b]Yours[/]" + ("" if self.mine else " [dim](no Python lab)[/]"))
                yield self._viewer(self.mine)
            with Vertical():
                yield Static(f"[b]Reference[/] [dim]{escape(self.reference.name)}[/]")
                yield self._viewer(self.reference)
        yield Footer()

    @staticmethod
    def _viewer(path: Path | None) -> TextArea:
        text = path.read_text(encoding="utf-8") if path and path.is_file() else ""
        return TextArea.code_editor(text, language="python", read_only=True, show_line_numbers=True)
