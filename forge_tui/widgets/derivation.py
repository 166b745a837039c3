"""The Math part's derivations: each step shown as sympy prints it, or asked of the player.

A typed step hides the steps after it until it is solved: each of them equals the answer (the
very next one often is the answer, factored), so showing them would give it away.
"""

from __future__ import annotations

import asyncio
import re

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Markdown, Static

from forge_tui.content import Derivation, Step
from forge_tui.game import GameError, step_key
from forge_tui.widgets.answer import AnswerInput
from forge_tui.widgets.text import markup

PLACEHOLDER_CHARS = 52  # what a typed step's box shows whole (.step-input is 60 wide)


def step_placeholder(symbols: tuple[str, ...]) -> str:
    """The typed step's placeholder: how to write an answer in this derivation's symbols."""
    if not symbols:
        return "a number or expression, e.g. 2*sqrt(5)/3 - 1/7"
    example = f"e.g. 2*{symbols[0]}^2 - sqrt(5)/3"
    named = f"an expression in {', '.join(symbols)}, {example}"
    return named if len(named) <= PLACEHOLDER_CHARS else f"an expression, {example}"


SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def plain(expr: str) -> str:
    """The source of a step, lightly typeset: x^2 -> x², a*b -> a·b, sqrt -> √."""
    text = re.sub(r"\*\*|\^", "^", expr)
    text = re.sub(r"\^(-?\d+)", lambda m: m.group(1).translate(SUPERSCRIPTS), text)
    return text.replace("*", "·").replace("sqrt", "√")


def _indent(block: str, pad: str = "    ") -> str:
    return "\n".join(pad + line for line in block.splitlines())


class StepView(Vertical):
    """One step of a derivation: shown, or (for a typed step) asked of the player."""

    class Solved(Message):
        """The player's answer to this typed step was accepted."""

    def __init__(self, d_index: int, s_index: int, step: Step, derivation: Derivation, solved: bool) -> None:
        super().__init__(classes="step")
        self.d_index, self.s_index = d_index, s_index
        self.step, self.derivation = step, derivation
        self.solved = solved
        self.pretty = ""

    def compose(self) -> ComposeResult:
        yield Static(classes="step-body")
        if self.step.typed and not self.solved:
            yield AnswerInput(placeholder=step_placeholder(self.derivation.symbols), classes="step-input")
            yield Static("", classes="step-feedback")

    def waiting_note(self, steps_after: bool) -> None:
        """Under an unsolved typed step: why the steps after it are not shown yet."""
        if self.step.typed and not self.solved:
            note = "[dim]the steps after this one show once you solve it[/]" if steps_after else ""
            self.query_one(".step-feedback", Static).update(note)

    def render_step(self, pretty: str) -> None:
        self.pretty = pretty
        self._paint()

    def _paint(self) -> None:
        step = self.step
        lhs = step.lhs.rstrip().rstrip("=").rstrip()
        label = "[b]$number.[/] $lhs" + ("  [dim]at $at[/]" if step.at else "")
        if step.typed and not self.solved:
            body = f"{label}\n    [b $accent]?[/]  your turn: type an expression equal to the step before"
            shown = ""
        else:
            shown = _indent(step.show or self.pretty or step.expr)
            body = f"{label}\n$shown" + ("  [green]✓ yours[/]" if step.typed else "")
        why = "" if step.typed and not self.solved else step.why
        if why:
            body += "\n    [i dim]$why[/]"
        self.query_one(".step-body", Static).update(
            markup(body, number=self.s_index + 1, lhs=f"{lhs} =" if lhs else "", at=step.at, shown=shown, why=why)
        )

    @on(Input.Submitted, ".step-input")
    async def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        screen = self.screen
        feedback = self.query_one(".step-feedback", Static)
        feedback.update("[dim]checking…[/]")
        try:
            outcome = await asyncio.to_thread(
                screen.session.submit_step, screen.module, self.d_index, self.s_index, event.value
            )
        except GameError as err:
            feedback.update(markup("[yellow]$error[/]", error=err))
            return
        if outcome.accepted:
            self.solved = True
            await self.query_one(".step-input", Input).remove()
            await feedback.remove()
            self._paint()
            self.post_message(self.Solved())
            self.notify("Step checked: equivalent.", timeout=3)
        elif outcome.malformed:
            feedback.update(markup("[yellow]$message[/]", message=outcome.message))
        else:
            feedback.update(markup("[red]$message[/]  [dim]hint: $why[/]", message=outcome.message, why=self.step.why))


class DerivationView(Vertical):
    def __init__(self, d_index: int, derivation: Derivation, solved: list[str]) -> None:
        super().__init__(classes="derivation")
        self.d_index = d_index
        self.derivation = derivation
        self.solved = solved

    def compose(self) -> ComposeResult:
        yield Static(markup("[b]Derivation $number: $title[/]", number=self.d_index + 1, title=self.derivation.title),
                     classes="derivation-title")
        if self.derivation.prose:
            yield Markdown(self.derivation.prose)
        for s_index, step in enumerate(self.derivation.steps):
            yield StepView(
                self.d_index, s_index, step, self.derivation, step_key(self.d_index, s_index) in self.solved
            )

    def on_mount(self) -> None:
        self.reveal()

    @on(StepView.Solved)
    def reveal(self) -> None:
        """Show the steps up to the first typed step not solved yet; the rest wait for it."""
        views = list(self.query(StepView))
        waiting = False
        for index, view in enumerate(views):
            view.display = not waiting
            if view.step.typed and not view.solved and not waiting:
                waiting = True
                view.waiting_note(steps_after=index + 1 < len(views))

    def pretty_all(self) -> list[str]:
        """Pretty-print every step with sympy (called from a thread: sympy is slow to import)."""
        from forge_tui.checker import InputError, pretty_unicode

        out = []
        for step in self.derivation.steps:
            try:
                out.append(pretty_unicode(step.expr, self.derivation.symbols, self.derivation.assume))
            except InputError:
                out.append(plain(step.expr))
        # sympy evaluates dot(), det() and friends, so a statement can print exactly like a
        # later step (even its final result); then show the statement as written.
        for i in range(len(out) - 1):
            if out[i] in out[i + 1 :]:
                out[i] = plain(self.derivation.steps[i].expr)
        return out
