from __future__ import annotations

from textual.message import Message
from textual.widgets import Static

from forge_tui.content import Module
from forge_tui.game import ModuleState
from forge_tui.widgets.text import markup

GLYPHS = {ModuleState.LOCKED: "·", ModuleState.OPEN: "○", ModuleState.GATE_PASSED: "◐", ModuleState.FORGED: "●"}
LABELS = {ModuleState.GATE_PASSED: "passed"}  # the node is 16 columns wide


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
        self.state = ModuleState.LOCKED
        self.markers = ""

    def show(self, state: str, markers: str) -> None:
        self.state, self.markers = state, markers
        self.set_classes(f"node {state.replace(' ', '-')}")
        self._paint()

    def on_resize(self) -> None:
        self._paint()

    def _paint(self) -> None:
        """The short title on a small map; the full title where the node is wide enough."""
        state = self.state
        title = self.module.title if len(self.module.title) <= self.content_size.width else self.module.short
        glyph = GLYPHS.get(state, "?")
        label = state if len(state) + 12 <= self.content_size.width else LABELS.get(state, state)
        self.update(markup("$number $glyph [i]$label[/]  [b]$markers[/]\n$title", number=self.module.number,
                           glyph=glyph, label=label, markers=self.markers, title=title))

    def on_click(self) -> None:
        self.post_message(self.Clicked(self))
