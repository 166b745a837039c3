"""What every unlock tool screen shares: layout, closing, typed input, number formatting.

A tool screen is a full Textual ``Screen``: a title line, a side panel of numbers (fixed
width) beside a plot that takes the rest of the window, a status line for messages, an entry
bar that opens when the player types a value, and the Footer with the keys. It fits 80×24
and grows with the terminal.

Everything the player types goes through the game's safe parser (``forge_tui.checker``);
nothing is evaluated as Python.

A tool whose numbers the player's own lab computes too sets ``LAB_MODULE`` and implements
``your_cases`` and ``your_checks``: then ``y`` toggles "your code" mode, which runs the lab in
the sandbox on the tool's current inputs and shows the lab's numbers beside the tool's
(see ``forge_tui.unlocks.labcode``).
"""

from __future__ import annotations

import math
from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static
from textual_plot import PlotWidget

from forge_tui.checker import InputError, to_sympy
from forge_tui.safetext import strip_controls

from ..labcode import Answer, Check, LabCode, explain, render_checks

# an entry-bar callback: the typed text -> None when accepted, else a message for the player
Submit = Callable[[str], "str | None"]


def fmt(x: float, digits: int = 4) -> str:
    """A number for the panel: 4 significant digits, no '-0', inf/nan spelled out."""
    if isinstance(x, complex):
        if abs(x.imag) < 1e-12:
            return fmt(x.real, digits)
        sign = "+" if x.imag >= 0 else "−"
        return f"{fmt(x.real, digits)}{sign}{fmt(abs(x.imag), digits)}i"
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if abs(x) < 10 ** -(digits + 8):
        x = 0.0
    text = f"{x:.{digits}g}"
    if text in ("-0", "-0.0"):
        text = "0"
    return text.replace("-", "−")


def unfmt(text: str) -> float:
    """Read back a number that fmt() wrote (tests use it on what the screen shows)."""
    text = text.replace("−", "-").replace("∞", "inf")
    return float(text)


def parse_number(text: str, symbols: tuple[str, ...] = ()) -> float:
    """A finite real number from typed text (``1/3``, ``sqrt(2)``, ``-pi/4``). InputError otherwise."""
    value = to_sympy(text, symbols)
    if getattr(value, "is_Matrix", False):
        raise InputError("type one number here, not a vector or matrix")
    if value.free_symbols:
        raise InputError("type a number here (no letters other than e and pi)")
    number = complex(value.evalf())
    if abs(number.imag) > 1e-12:
        raise InputError("that number is not real")
    if not math.isfinite(number.real):
        raise InputError("that number is not finite")
    return number.real


def parse_matrix(text: str) -> list[list[float]]:
    """A real matrix (or a vector, as a column) from typed text like ``[[2, 1], [1, 3]]``."""
    value = to_sympy(text)
    if not getattr(value, "is_Matrix", False):
        raise InputError("type a matrix like [[2, 1], [1, 3]] or a vector like [1, 2]")
    if value.free_symbols:
        raise InputError("every entry must be a number (no letters other than e and pi)")
    rows: list[list[float]] = []
    for r in range(value.shape[0]):
        row = []
        for c in range(value.shape[1]):
            number = complex(value[r, c].evalf())
            if abs(number.imag) > 1e-12 or not math.isfinite(number.real):
                raise InputError(f"entry ({r + 1}, {c + 1}) is not a finite real number")
            row.append(number.real)
        rows.append(row)
    return rows


class ToolPlot(PlotWidget):
    """A textual-plot PlotWidget driven by the tool's keys only: no focus, no pan or zoom."""

    can_focus = False

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_pan_and_zoom=False, **kwargs)

    def on_mount(self) -> None:
        self.margin_top = 0


class ToolScreen(Screen):
    """Base of every unlock tool. Subclasses fill ``compose_body`` and call ``refresh_view``."""

    TOOL_NAME = "Unlock"
    TOOL_TAGLINE = ""

    DEFAULT_CSS = """
    ToolScreen { layout: vertical; }
    ToolScreen #tool-title { height: 1; background: $panel; color: $text; padding: 0 1; }
    ToolScreen #tool-body { height: 1fr; }
    ToolScreen .tool-panel { width: 38; height: 1fr; padding: 0 1; }
    ToolScreen .tool-plot { width: 1fr; height: 1fr; }
    ToolScreen #tool-status { height: 1; padding: 0 1; color: $text-muted; }
    ToolScreen #tool-status.error { color: $error; text-style: bold; }
    ToolScreen #tool-entry { height: 1; display: none; }
    ToolScreen #tool-entry.open { display: block; }
    ToolScreen #tool-entry Label { padding: 0 1; width: auto; color: $accent; }
    ToolScreen #tool-entry Input { border: none; height: 1; width: 1fr; padding: 0 1; }
    """

    BINDINGS = [Binding("escape", "close", "Close"), Binding("y", "yours", "Yours")]
    AUTO_FOCUS = None  # keys go to the tool; the entry bar takes focus only while it is open

    LAB_MODULE: str | None = None  # the module whose lab "your code" mode runs; None: no such mode
    run = None  # the run whose lab to use; None: the screen beneath's, else the latest played

    def __init__(self) -> None:
        super().__init__()
        self._on_submit: Submit | None = None
        self.labcode = LabCode(self, self.LAB_MODULE, self._lab_changed) if self.LAB_MODULE else None

    def compose(self) -> ComposeResult:
        yield Static(f"[b]{self.TOOL_NAME}[/b]  {self.TOOL_TAGLINE}", id="tool-title", markup=True)
        with Horizontal(id="tool-body"):
            yield from self.compose_body()
        yield Static("", id="tool-status", markup=False)
        with Horizontal(id="tool-entry"):
            yield Label("", id="tool-entry-prompt")
            yield Input(id="tool-entry-input", select_on_focus=False, disabled=True)
        yield Footer()

    def compose_body(self) -> ComposeResult:  # pragma: no cover - every tool overrides
        yield from ()

    def on_mount(self) -> None:
        self.refresh_view()

    def on_unmount(self) -> None:
        if self.labcode is not None:
            self.labcode.close()

    # --- your code ----------------------------------------------------------------
    def your_cases(self) -> "tuple[object, list[dict]] | str":
        """(key, cases) for the lab on the current inputs, or why the lab cannot be asked."""
        return "this tool has no lab to run"

    def your_checks(self, answer: Answer) -> list[Check]:
        """The lab's numbers beside the tool's, for the inputs `answer.key` names."""
        return []

    @property
    def yours_on(self) -> bool:
        return self.labcode is not None and self.labcode.on

    def action_yours(self) -> None:
        if self.labcode is None:
            self.say("this tool has no lab of yours to run", error=True)
            return
        if self.labcode.toggle():
            lab = self.labcode.lab
            where = lab.problem or f"your module-{lab.number} lab runs in the sandbox"
            self.say(f"your code: {where} · y hides it", error=bool(lab.problem))
        else:
            self.say("your code: hidden")
        self.refresh_view()

    def _lab_changed(self) -> None:
        if self.is_mounted:
            self.refresh_view()

    def render_yours(self, t: Text) -> None:
        """Append the your-code block to a panel (nothing when the mode is off); asks the lab."""
        if not self.yours_on:
            return
        code = self.labcode
        title = f"your module-{code.lab.number} lab" if code.lab else "your lab"
        asked = self.your_cases()
        if not isinstance(asked, str):
            code.request(*asked)  # remembered even when there is no lab yet: it runs once one appears
        if code.problem:
            render_checks(t, title, [], problem=code.problem)
            return
        if isinstance(asked, str):
            render_checks(t, title, [], note=f"unavailable here: {asked}")
            return
        key, cases = asked
        answer = code.fresh(key)
        stale = answer is None
        answer = answer or code.latest()
        if answer is None:
            render_checks(t, title, [], status="running…")
            return
        status = "updating…" if stale else ""
        problem = answer.problem
        errors = {o.error for o in answer.outcomes if not o.ok}
        if not problem and answer.outcomes and len(errors) == 1 and not any(o.ok for o in answer.outcomes):
            problem = explain(errors.pop(), long=True)  # one failure behind every number: say it once
        if problem:
            render_checks(t, title, [], status=status, problem=problem, stale=stale)
            return
        try:
            checks = self.your_checks(answer)
        except Exception as err:  # noqa: BLE001 - what came back is the player's; the tool must not fall over
            problem = f"could not read what your lab returned ({type(err).__name__})"
            render_checks(t, title, [], status=status, problem=problem)
            return
        render_checks(t, title, checks, status=status, stale=stale)

    def refresh_view(self) -> None:  # pragma: no cover - every tool overrides
        pass

    # --- messages ---------------------------------------------------------------
    def say(self, message: str, *, error: bool = False) -> None:
        """The status line, as text (markup=False): it may carry what the player typed or the lab said."""
        status = self.query_one("#tool-status", Static)
        status.update(strip_controls(message))
        status.set_class(error, "error")

    @property
    def status_text(self) -> str:
        return str(self.query_one("#tool-status", Static).content)

    # --- typed input ---------------------------------------------------------------
    @property
    def entry_open(self) -> bool:
        return self.query_one("#tool-entry").has_class("open")

    def ask(self, prompt: str, initial: str, on_submit: Submit) -> None:
        """Open the entry bar; ``on_submit`` returns None to accept or a message to show."""
        self._on_submit = on_submit
        self.query_one("#tool-entry-prompt", Label).update(prompt)
        box = self.query_one("#tool-entry-input", Input)
        box.disabled = False
        box.value = initial
        box.cursor_position = len(initial)
        self.query_one("#tool-entry").add_class("open")
        box.focus()
        self.say("enter: apply · escape: cancel")

    def close_entry(self) -> None:
        self.query_one("#tool-entry").remove_class("open")
        self.query_one("#tool-entry-input", Input).disabled = True
        self._on_submit = None
        self.set_focus(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "tool-entry-input" or self._on_submit is None:
            return
        event.stop()
        try:
            problem = self._on_submit(event.value)
        except InputError as err:
            problem = str(err)
        if problem:
            self.say(f"Not applied: {problem}", error=True)
            return
        self.close_entry()
        self.refresh_view()

    def action_close(self) -> None:
        if self.entry_open:
            self.close_entry()
            self.say("cancelled")
            return
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "yours" and self.labcode is None:
            return False
        # while the entry bar is open, keys type into it; only escape (close) stays live
        if self.is_mounted and action != "close":
            try:
                if self.entry_open:
                    return False
            except Exception:
                return True
        return True
