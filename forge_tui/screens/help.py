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
  space, t     the hook's next paragraph; t reveals them on a timer
  tab          the part's next answer box (the digits stay in it)
  escape       leave an answer box or the editor: [ ] and 1-6 work
               again; escape once more: back to the map

[b]Lab[/b]
  type         the editor saves your lab file as you type
  enter, tab   enter keeps the indentation; tab indents a level
  escape       leave the editor (then [ ] and 1-6 work again)
  ctrl+o       open the lab in $EDITOR; edits made there show here
  ctrl+l       reset the lab to the starter (asks; keeps a backup);
               also "Reset lab" in the command palette (ctrl+p)
  F8           the next of the module's lab files (lab.py, lab.c,
               lab.rs): saves the one on show, opens the other; run,
               checks and reset act on the file on show
  ctrl+r       run the lab in the sandbox; output below the editor
  F3           hide or show the output (the editor takes its room)
  F4           after a run that plotted: the plot or the output
  F5, ctrl+n   the lab checks: ✓/✗, with expected, got and a hint
  F2           the hint of the first failing check, then the next
  ctrl+t       stop a run or a fight (its whole process tree)
  ctrl+g       watch mode: every save re-runs the checks (or the lab)
  ctrl+b       fight the boss: hidden cases, out of your code's reach
  ctrl+f       after a victory, the reference solution beside yours

Every change is saved the moment it happens. Press escape to close.
"""


class HelpScreen(ModalScreen):
    BINDINGS = [("escape", "dismiss", "Close"), ("question_mark", "dismiss", "Close"), ("q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(HELP)
