"""An answer box (a typed step, the Forge Gate) that keeps the keyboard where the player is.

Escape leaves the box for the scrolling part around it, so a second Escape (not the first) goes
back to the map. Tab moves among the part's answer boxes and never out of them: with the focus
still in an answer, the digits typed next are text, not the 1-6 part keys. (A button, such as
the Gate's "Next module", takes the focus when it appears, or by shift+tab from the part tabs.)
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input


class AnswerInput(Input):
    """An Input whose Escape and Tab stay within its part of the level."""

    BINDINGS = [
        Binding("escape", "leave", "Leave answer", key_display="esc"),
        Binding("tab", "next_field(1)", "Next field", show=False),
        Binding("shift+tab", "next_field(-1)", "Previous field", show=False),
    ]

    def part(self) -> Widget | None:
        """The scrolling part around the box: the nearest ancestor that can take the focus."""
        return next((node for node in self.ancestors if isinstance(node, Widget) and node.focusable), None)

    def action_leave(self) -> None:
        """Escape: the focus goes to the part, whose arrows scroll and whose Escape goes back."""
        part = self.part()
        if part is not None:
            part.focus()
        else:
            self.screen.set_focus(None)

    def fields(self) -> list[Widget]:
        """The answer boxes of this part that can take the focus now, in order."""
        part = self.part()
        return [widget for widget in self.screen.focus_chain
                if isinstance(widget, AnswerInput) and (part is None or part in widget.ancestors)]

    def action_next_field(self, delta: int) -> None:
        """Tab: the next answer box of this part; this box again when it is the only one."""
        fields = self.fields()
        if self in fields:
            fields[(fields.index(self) + delta) % len(fields)].focus()
