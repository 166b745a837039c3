"""The lab's code editor: Textual's TextArea, with the indentation a Python file needs.

Enter keeps the current line's indentation, one level deeper after a line that opens a block
(`def f():`, `for i in x:`, `{` in C and Rust) and one level shallower after `return`, `pass`,
`break`, `continue` or `raise`. Backspace in leading spaces removes one level. Tab indents;
Escape leaves the editor (then the level's keys work again).
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import TextArea

OPENERS = (":", "{", "(", "[")
DEDENTERS = ("return", "pass", "break", "continue", "raise")


def next_indent(line: str, width: int = 4) -> str:
    """The indentation for the line after `line`."""
    indent = line[: len(line) - len(line.lstrip(" "))]
    code = line.split("#", 1)[0].rstrip()
    if code.endswith(OPENERS):
        return indent + " " * width
    first_word = code.strip().split(" ", 1)[0].split("(", 1)[0]
    if first_word in DEDENTERS and len(indent) >= width:
        return indent[:-width]
    return indent


class CodeEditor(TextArea):
    """A TextArea that auto-indents on Enter and dedents on Backspace in leading spaces.

    Escape leaves it; its binding puts "esc Leave editor" in the footer whenever the editor has
    the focus (a click there leaves it too)."""

    BINDINGS = [Binding("escape", "leave", "Leave editor", key_display="esc")]

    def action_leave(self) -> None:
        """Escape: the focus moves on, so the screen's keys work again."""
        self.screen.focus_next()

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "escape":  # here, not in TextArea's handler, which would run first
            event.stop()
            event.prevent_default()
            self.action_leave()
            return
        if not self.read_only and event.key == "enter":
            event.stop()
            event.prevent_default()
            row, column = self.cursor_location
            line = self.document.get_line(row)[:column]
            start, end = self.selection
            self._replace_via_keyboard("\n" + next_indent(line, self.indent_width), start, end)
            return
        if not self.read_only and event.key == "backspace" and self._in_leading_spaces():
            event.stop()
            event.prevent_default()
            row, column = self.cursor_location
            remove = (column - 1) % self.indent_width + 1
            self._replace_via_keyboard("", (row, column - remove), (row, column))
            return
        await super()._on_key(event)

    def _in_leading_spaces(self) -> bool:
        start, end = self.selection
        row, column = self.cursor_location
        if start != end or column == 0:
            return False
        before = self.document.get_line(row)[:column]
        return before.strip(" ") == ""
