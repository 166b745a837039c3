"""The key footer, repainted only when the keys it shows change."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Textual's footer, less its idle repaints. Textual's rebuilds itself (every key removed,
    mounted again and repainted) whenever the screen refreshes its bindings, which it does on
    every focus change, even when the keys shown stay the same. This one rebuilds only when
    they differ. On the start screen those identical rebuilds came after the first paint and
    set the time until the screen settled (benchmarks/startup.py, BENCHMARKS.md)."""

    _shown: tuple | None = None  # what the last compose showed; None before the bindings were ready

    @staticmethod
    def _showing(screen: Screen) -> tuple:
        """Everything Textual's compose reads from the screen's bindings."""
        return tuple((binding, enabled, tooltip) for _, binding, enabled, tooltip in screen.active_bindings.values())

    def compose(self) -> ComposeResult:
        self._shown = self._showing(self.screen) if self._bindings_ready else None
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self._shown is not None and screen is self.screen and self._showing(screen) == self._shown:
            return
        super().bindings_changed(screen)
