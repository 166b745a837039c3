"""App-wide messages (small, UI-level): what screens listen to."""

from __future__ import annotations

from textual.message import Message

from forge_tui.saves import RunState


class RunChanged(Message, bubble=False):
    """The session's run changed: an action in this game, or a save made by another process.
    The app hands it to every screen on its stack."""

    def __init__(self, run: RunState) -> None:
        super().__init__()
        self.run = run
