from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static


class TooSmallScreen(Screen):
    """Shown instead of a broken layout when the terminal is below 80x24."""

    BINDINGS = [("ctrl+q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Static(id="too-small-text")

    def on_mount(self) -> None:
        self._describe()

    def on_resize(self, event) -> None:
        self._describe(event.size)

    def _describe(self, size=None) -> None:
        width, height = size or self.app.size
        self.query_one("#too-small-text", Static).update(
            f"Make the window larger.\n\nNeural Forge needs 80×24;\nthis terminal is {width}×{height}.\n\n"
            "Nothing is lost: the game\ncontinues when it fits.\n\nctrl+q quits."
        )
