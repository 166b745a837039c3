from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = """\
[b]Neural Forge: keys[/b]

[b]Everywhere[/b]
  ?            this help          ctrl+q   quit (everything is saved)
  ctrl+p       command palette    escape   back

[b]Start screen[/b]
  ↑ ↓  enter   pick a run          n        new run

[b]Map[/b]
  ← ↓ ↑ →  or  h j k l   move between modules
  enter        open the module (locked ones say what opens them)
  u            open the module's unlock tool, once earned
  ◆ + letter   a side quest of your flavors lives in that module

[b]Level[/b]
  [ ]          previous / next part (Hook Math Lab Boss Gate Unlock)
  1 … 6        jump to a part     enter    submit an answer
  space        next paragraph of the hook; t reveals them on a timer
  tab          the next answer box of the part (digits you type stay in it)
  escape       leave an answer box or the editor (then [ ] and 1-6 work);
               escape again: back to the map

[b]Lab[/b]
  type         the editor saves your lab file as you type
  enter, tab   the editor keeps your indentation; tab indents a level
  escape       leave the editor (then [ ] and 1-6 work again)
  ctrl+o       open the lab in $EDITOR (vim, nano…); edits elsewhere are picked up
  ctrl+l       reset the lab to the starter (asks first, keeps a backup); also ctrl+p
  ctrl+r       run the lab in the sandbox; its output streams below the editor
  F3           hide or show the output (the editor takes its lines)
  F4           after a run that plotted: the plot or the output
  F5, ctrl+n   run the lab checks: a ✓/✗ list, with expected, got and a hint for each ✗
  F2           the hint of the first failing check, then the next one, one at a time
  ctrl+t       stop a run or a fight (the whole process tree is killed)
  ctrl+g       watch mode: every save re-runs the checks (the lab, where there are none)
  ctrl+b       fight the boss: hidden cases judged outside your code's reach
  ctrl+f       after a victory, the reference solution beside yours

Every change is saved the moment it happens. Press escape to close.
"""


class HelpScreen(ModalScreen):
    BINDINGS = [("escape", "dismiss", "Close"), ("question_mark", "dismiss", "Close"), ("q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(HELP)
