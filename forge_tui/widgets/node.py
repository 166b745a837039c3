from __future__ import annotations

from rich.markup import escape
from textual.message import Message
from textual.widgets import Static

from forge_tui.content import Module

GLYPHS = {"locked": "·", "open": "○", "gate passed": "◐", "forged": "●"}


class ModuleNode(Static):
    """One module on the map: number, state, side-quest markers, short title."""

    class Clicked(Message):
        def __init__(self, node: "ModuleNode") -> None:
            super().__init__()
            self.node = node

    def __init__(self, module: Module, column: int, row: int) -> None:
        super().__init__(classes="node")
        self.module = module
        self.column = column
        self.row = row

    def show(self, state: str, markers: str) -> None:
        self.set_classes(f"node {state.replace(' ', '-')}")
        glyph = GLYPHS.get(state, "?")
        self.update(f"{self.module.number} {glyph} [i]{state}[/]  [b]{markers}[/]\n{escape(self.module.short)}")

    def on_click(self) -> None:
        self.post_message(self.Clicked(self))
