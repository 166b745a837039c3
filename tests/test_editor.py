"""The lab editor keeps Python's indentation: Enter, Backspace, Tab and Escape as a coder expects."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input

from forge_tui.widgets.editor import CodeEditor, next_indent


@pytest.mark.parametrize("line, indent", [
    ("def f(x):", "    "),
    ("    for i in range(3):", "        "),
    ("    x = 1", "    "),
    ("        return x", "    "),
    ("    pass  # nothing", ""),
    ("int main(void) {", "    "),
    ("total = f(", "    "),
    ("x = 1  # a comment:", ""),
    ("", ""),
])
def test_next_indent(line, indent):
    assert next_indent(line) == indent


class EditorApp(App):
    def compose(self) -> ComposeResult:
        yield CodeEditor.code_editor("", language=None)
        yield Input()


async def test_typing_a_function_needs_no_indentation_by_hand():
    app = EditorApp()
    async with app.run_test() as pilot:
        editor = app.query_one(CodeEditor)
        editor.focus()
        for key in ["d", "e", "f", "space", "f", "(", ")", ":", "enter", "r", "e", "t", "u", "r", "n",
                    "space", "1", "enter", "x"]:
            await pilot.press(key)
        assert editor.text == "def f():\n    return 1\nx"


async def test_backspace_in_leading_spaces_removes_one_level():
    app = EditorApp()
    async with app.run_test() as pilot:
        editor = app.query_one(CodeEditor)
        editor.focus()
        for key in ["i", "f", "space", "x", ":", "enter", "enter"]:
            await pilot.press(key)
        await pilot.press("backspace")
        assert editor.text == "if x:\n    \n"
        await pilot.press("y")
        assert editor.text.endswith("\ny")


async def test_tab_indents_and_escape_leaves_the_editor():
    app = EditorApp()
    async with app.run_test() as pilot:
        editor = app.query_one(CodeEditor)
        editor.focus()
        await pilot.press("tab", "a")
        assert editor.text == "    a"
        await pilot.press("escape")
        assert not editor.has_focus
