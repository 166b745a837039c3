"""The Boss part: the brief, the sandbox's protections, and the fight as it happens."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Static

from forge_tui.content import Module
from forge_tui.labs import LabFiles
from forge_tui.languages import BY_ID, missing_tool
from forge_tui.widgets.text import literal, markup

BAR_WIDTH = 24


def health_bar(total: int, passed: int) -> str:
    """The boss's health: every passing case takes a slice off."""
    if total <= 0:
        return ""
    left = total - passed
    filled = round(BAR_WIDTH * left / total)
    colour = "green" if left == 0 else ("yellow" if left < total / 2 else "red")
    return f"[b]{'Boss HP':<8}[/][{colour}]{'█' * filled}[/][dim]{'░' * (BAR_WIDTH - filled)}[/] {left}/{total}"


class BossPanel(VerticalScroll):
    """Shows a fight case by case; the level screen starts it and feeds it reports."""

    DEFAULT_CSS = """
    #boss-lab {
        height: auto;
        padding: 0 1;
    }
    """

    def __init__(self, module: Module) -> None:
        super().__init__(id="boss-panel", classes="part")
        self.module = module
        self.total = 0
        self.passed = 0
        self.failures: list[Content] = []

    def compose(self) -> ComposeResult:
        yield Static(markup("[b]Boss: $name[/]", name=self.module.boss_name), id="boss-title")
        yield Static(id="boss-status")
        yield Static(id="boss-lab")
        yield Static(id="boss-health")
        yield Static(id="boss-case")
        yield Static(id="boss-failures")
        yield Markdown(self.module.boss_brief, id="boss-brief")

    def status(self, text: str | Content) -> None:
        """The status line: the game's own markup, or Content built with `markup`/`literal`."""
        self.query_one("#boss-status", Static).update(text)

    def judged_lab(self, files: LabFiles, editing: str, run_language: str) -> None:
        """Which lab file the boss will judge; where the Lab part has another one open, how to open it."""
        line = self.query_one("#boss-lab", Static)
        judged = files.boss_language
        if judged is None:
            line.update("")
            return
        name = files.file(judged)
        lines = [markup("It judges your [b]$file[/]", file=name)]
        if run_language not in files.boss:
            spoken = " and ".join(BY_ID[language].name for language in files.boss)
            lines[0] += markup(": this boss judges $spoken labs, not $run ones", spoken=spoken,
                               run=BY_ID[run_language].name)
        if editing != judged and editing in files.offered and judged in files.offered:
            presses = (files.offered.index(judged) - files.offered.index(editing)) % len(files.offered)
            keys = {1: "F8", 2: "F8 twice"}.get(presses, f"F8 {presses} times")
            lines.append(markup("The Lab part has [b]$open[/] open: 3, then $keys, opens $file "
                                "(or ctrl+p → Open $file).", open=files.file(editing), keys=keys, file=name))
        missing = missing_tool(BY_ID[judged])
        if missing:
            lines.append(markup("[yellow]$language cannot be built here: $missing[/]",
                                language=BY_ID[judged].name, missing=missing))
        line.update(Content("\n").join(lines))

    def begin(self, protections: str) -> None:
        self.total, self.passed, self.failures = 0, 0, []
        self.scroll_home(animate=False)
        self.status(markup("[b]Fighting…[/] [dim]sandbox: $protections[/]", protections=protections))
        self.query_one("#boss-health", Static).update("")
        self.query_one("#boss-case", Static).update("[dim]starting the fight…[/]")
        self.query_one("#boss-failures", Static).update("")

    def case(self, report) -> None:
        """One case judged: drop the health bar or record the failure. A victory that counts is
        fought again on fresh secret cases: its first case restores the boss's health."""
        if report.round > 1 and report.index == 0:
            self.passed, self.failures = 0, []
            self.status("[b]Confirming the victory…[/] [dim]the same fight on fresh secret cases[/]")
        self.total = total = report.total
        if report.passed:
            self.passed += 1
        else:
            lines = [markup("[red]✗ $name[/]: $message", name=report.name, message=report.message)]
            if report.summary:
                lines.append(literal(f"    input:    {report.summary}"))
            if report.expected:
                lines.append(literal(f"    expected: {report.expected}"))
            lines.append(literal(f"    got:      {report.got_summary}"))
            if report.hint:
                lines.append(markup("    [i]hint: $hint[/]", hint=report.hint))
            self.failures.append(Content("\n").join(lines))
        self.query_one("#boss-health", Static).update(health_bar(total, self.passed))
        mark = "[green]✓[/]" if report.passed else "[red]✗[/]"
        self.query_one("#boss-case", Static).update(
            markup(f"Case $number/$total {mark} $name  [dim]$summary[/]", number=report.index + 1, total=total,
                   name=report.name, summary=report.summary)
        )
        self.query_one("#boss-failures", Static).update(Content("\n").join(self.failures[:6]))

    def finish(self, won: bool, message: str, language: str | None = None) -> None:
        """The verdict, and which of the run's labs it judged (a C run may fight with Python)."""
        colour = "green" if won else "red"
        judged = f"\n[dim]judged your {BY_ID[language].name} lab[/]" if language in BY_ID else ""
        self.status(markup(f"[b {colour}]$message[/]{judged}", message=message))
