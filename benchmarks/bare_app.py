"""The baseline the speed benchmarks set the game against: a bare Textual app.

One screen: 16 cells in a 4×4 grid, one highlighted; the arrow keys move the highlight (a move
restyles two cells, as a move on the game's map does). Nothing else: no content, no saves, no
stylesheet file, no background work.

    python benchmarks/bare_app.py                               # here (benchmarks/startup.py)
    NEURALFORGE_PLAY_APP=benchmarks.bare_app:make_app ...       # as a hosted session (benchmarks/ssh_load.py)
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.widgets import Static

SIDE = 4
MARKER = "cell 16"  # text of the last cell: once it is on the screen, the first paint is whole


class BareApp(App):
    CSS = """
    Grid { grid-size: 4 4; grid-gutter: 1 2; padding: 1 2; }
    Grid > Static { height: 100%; content-align: center middle; border: round $primary; }
    Grid > Static.highlight { background: $accent; color: $text; }
    """
    BINDINGS = [
        Binding("left", "move(-1, 0)"), Binding("right", "move(1, 0)"),
        Binding("up", "move(0, -1)"), Binding("down", "move(0, 1)"),
        Binding("ctrl+q", "quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.column, self.row = 0, 0

    def compose(self) -> ComposeResult:
        with Grid():
            for row in range(SIDE):
                for column in range(SIDE):
                    yield Static(f"cell {row * SIDE + column + 1}", id=f"cell-{row}-{column}")

    def on_mount(self) -> None:
        self._cell().add_class("highlight")

    def _cell(self) -> Static:
        return self.query_one(f"#cell-{self.row}-{self.column}", Static)

    def action_move(self, dx: int, dy: int) -> None:
        """Move the highlight one cell, wrapping at the edges so every key changes the screen."""
        self._cell().remove_class("highlight")
        self.column, self.row = (self.column + dx) % SIDE, (self.row + dy) % SIDE
        self._cell().add_class("highlight")


def make_app() -> BareApp:
    return BareApp()


if __name__ == "__main__":
    make_app().run()
