from __future__ import annotations

import asyncio

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Markdown, Static, TabbedContent, TabPane
from textual.worker import Worker

from forge_tui.checker.kinds import GateKind
from forge_tui.content import PARTS, Module
from forge_tui.game import GameError
from forge_tui.locations import bosses_directory
from forge_tui.saves import RunState
from forge_tui.widgets.answer import AnswerInput
from forge_tui.widgets.derivation import DerivationView, StepView
from forge_tui.widgets.boss import BossPanel
from forge_tui.widgets.lab import LabPanel
from forge_tui.widgets.text import literal, markup

HOOK_SECONDS = 90
LABELS = {"hook": "Hook", "math": "Math", "lab": "Lab", "boss": "Boss", "gate": "Gate", "unlock": "Unlock"}
PLACEHOLDERS = {
    GateKind.INTEGER: "a whole number, e.g. 42",
    GateKind.DECIMAL: "a decimal, rounded as asked",
    GateKind.VECTOR: "numbers separated by commas, e.g. 1, 2",
    GateKind.EXPRESSION: "an expression, e.g. 2x^2 + x",
    GateKind.NONE: "no password here",
}
PART_KEYS = Binding.Group("Part", compact=True)  # "[] Part" in the footer: room for the Lab's keys at 80 columns
LAB_ONLY = {"hint", "toggle_output", "toggle_plot", "switch_lab"}  # actions whose keys work on the Lab part alone


class LevelCommands(Provider):
    """The level's commands in the palette (ctrl+p), for players who look there for them."""

    def entries(self) -> list[tuple[str, str, object]]:
        screen = self.screen
        return [("Reset lab", "ctrl+l: put the starter code back (asks first; your lab is kept as a backup)",
                 screen.action_reset_lab), *screen.lab_file_commands()]

    async def discover(self) -> Hits:
        for title, help_text, callback in self.entries():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self.entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


class LevelScreen(Screen):
    """A module: Hook, Math, Lab, Boss, Gate and Unlock, each a tab."""

    COMMANDS = {LevelCommands}

    BINDINGS = [
        Binding("escape", "back", "Map"),
        Binding("left_square_bracket", "step_part(-1)", "Prev", key_display="[", group=PART_KEYS),
        Binding("right_square_bracket", "step_part(1)", "Next", key_display="]", group=PART_KEYS),
        Binding("space", "hook_next", "Next paragraph", show=False),
        Binding("t", "hook_timer", "Timed reveal", show=False),
        Binding("ctrl+r", "run_lab", "Run"),
        Binding("f5,ctrl+n", "check_lab", "Check", key_display="F5"),
        Binding("ctrl+t", "stop", "Stop", show=False),
        Binding("ctrl+g", "watch", "Watch", show=False),
        Binding("ctrl+b", "fight", "Fight"),
        Binding("f2", "hint", "Hint", key_display="F2"),
        Binding("f3", "toggle_output", "Output", key_display="F3", show=False),  # said on the output
        Binding("f4", "toggle_plot", "Plot", key_display="F4", show=False),
        Binding("ctrl+f", "reference", "Reference", show=False),
        Binding("ctrl+o", "external_editor", "$EDITOR", show=False),
        Binding("ctrl+l", "reset_lab", "Reset lab", show=False),
        Binding("f8", "switch_lab", "Lab file", key_display="F8"),
        *(Binding(str(i + 1), f"part('{part}')", LABELS[part], show=False) for i, part in enumerate(PARTS)),
    ]

    def __init__(self, run: RunState, module: Module, part: str | None = None) -> None:
        super().__init__()
        self._opened_with = run
        self.module = module
        self.first_part = part if part in PARTS else "hook"
        self.hook_shown = 0  # paragraphs of the hook revealed so far
        self.hook_timer = None  # the optional timed reveal (t)
        self.math_rendered = False

    # --- layout ------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        module = self.module
        yield Static(markup("[b]$number · $title[/]", number=module.number, title=module.title), id="level-bar")
        with TabbedContent(initial=self.first_part, id="parts"):
            with TabPane(LABELS["hook"], id="hook"):
                with VerticalScroll(classes="part"):
                    yield Static(id="hook-text")
                yield Static(id="hook-timer")
            with TabPane(LABELS["math"], id="math"):
                with VerticalScroll(classes="part", id="math-scroll"):
                    yield Markdown(module.math_intro)
                    solved = self.progress().steps_solved
                    for index, derivation in enumerate(module.derivations):
                        yield DerivationView(index, derivation, solved)
            with TabPane(LABELS["lab"], id="lab"):
                yield LabPanel(self.app.game.store.home, self.run.id, module, self.run.language)
            with TabPane(LABELS["boss"], id="boss"):
                yield BossPanel(module)
            with TabPane(LABELS["gate"], id="gate"):
                with VerticalScroll(classes="part"):
                    yield Static("[b]Forge Gate[/]", classes="part-title")
                    yield Markdown(module.gate.prompt)
                    yield AnswerInput(
                        placeholder=PLACEHOLDERS[module.gate.kind],
                        id="gate-input",
                        disabled=not module.gate.has_password,
                        max_length=400,
                    )
                    yield Static(id="gate-feedback")
                    yield Static(id="gate-hints")
                    with Horizontal(id="gate-actions"):
                        yield Button("Next module →", id="next-module", variant="success")
            with TabPane(LABELS["unlock"], id="unlock"):
                with VerticalScroll(classes="part"):
                    yield Static(id="unlock-text")
                    yield Button("Open", id="open-unlock", variant="primary")
        yield Footer()

    @property
    def session(self):
        """The app's session, opened on this screen's run if the app plays another one."""
        session = self.app.session
        if session is None or session.run.id != self._opened_with.id:
            session = self.app.open_run(self._opened_with)
        return session

    @property
    def run(self) -> RunState:
        return self.session.run

    def progress(self):
        return self.session.progress(self.module)

    @on(Worker.StateChanged)
    def forge_worker_failed(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_error(event)

    def on_mount(self) -> None:
        self.hook_shown = len(self.hook_paragraphs()) if self.progress().hook_seen or not self.app.animate else 1
        self.paint_hook()
        self.paint_boss()
        self.run_worker(self._load_lab_files(), group="lab-files", exit_on_error=False)
        self.paint_gate()
        self.paint_unlock()
        if self.first_part == "math":
            self.render_math()
        self.call_after_refresh(self.focus_part, self.first_part)
        self.save_position(self.first_part)

    # --- parts ---------------------------------------------------------------------
    def hook_paragraphs(self) -> list[str]:
        return [p.strip() for p in self.module.hook.strip().split("\n\n") if p.strip()]

    def paint_hook(self) -> None:
        """The hook so far, read at the player's pace: space reveals the next paragraph."""
        paragraphs = self.hook_paragraphs()
        self.query_one("#hook-text", Static).update(literal("\n\n".join(paragraphs[: self.hook_shown])))
        line = self.query_one("#hook-timer", Static)
        if self.hook_shown >= len(paragraphs):
            line.update("[dim]space, ] or 2: on to the math[/]")
            return
        timed = "t: timed reveal on" if self.hook_timer else "t: timed reveal"
        line.update(f"[dim]space: next paragraph ({self.hook_shown} of {len(paragraphs)}) · {timed} · ] skips[/]")

    def action_hook_next(self) -> None:
        """Space on the Hook: the next paragraph; once all are shown, on to the math."""
        if self.query_one("#parts", TabbedContent).active != "hook":
            return
        if self.hook_shown < len(self.hook_paragraphs()):
            self.reveal_paragraph()
        else:
            self.action_part("math")

    def reveal_paragraph(self) -> None:
        self.hook_shown = min(self.hook_shown + 1, len(self.hook_paragraphs()))
        if self.hook_shown >= len(self.hook_paragraphs()):
            self.finish_hook()
        else:
            self.paint_hook()

    def action_hook_timer(self) -> None:
        """t: reveal a paragraph every HOOK_SECONDS / paragraphs seconds (about 90 s for the
        whole hook), or stop doing so."""
        if self.hook_timer is not None:
            self.hook_timer.stop()
            self.hook_timer = None
        elif self.hook_shown < len(self.hook_paragraphs()):
            self.hook_timer = self.set_interval(HOOK_SECONDS / len(self.hook_paragraphs()), self.reveal_paragraph)
        self.paint_hook()

    def finish_hook(self) -> None:
        if self.hook_timer is not None:
            self.hook_timer.stop()
            self.hook_timer = None
        self.hook_shown = len(self.hook_paragraphs())
        self.paint_hook()
        if not self.progress().hook_seen:
            try:
                self.session.mark_hook_seen(self.module)
            except GameError as err:
                self.notify(str(err), severity="error", markup=False)

    def has_boss(self) -> bool:
        return (bosses_directory() / self.module.id / "boss.py").is_file()

    def paint_boss(self) -> None:
        panel = self.query_one(BossPanel)
        if not self.has_boss():
            panel.status("[b]Status:[/] this module's boss is not built yet in this version of the game.")
        elif self.progress().boss_defeated:
            panel.status("[b]Status:[/] [green]defeated.[/] ctrl+b fights again; ctrl+f shows the reference beside your lab.")
        else:
            panel.status("[b]Status:[/] not yet fought. Press [b]ctrl+b[/] to fight.")

    # --- the module's lab files: which one is open, which ones the judges read ----------------
    async def _load_lab_files(self) -> None:
        """Load which lab files the module offers and which its boss and checks judge (the trusted
        judges load in a thread), then show them in the Lab and Boss parts."""
        files = await asyncio.to_thread(self.session.lab_files, self.module)
        self.query_one(LabPanel).set_files(files)
        self.paint_judged_lab()
        self.refresh_bindings()  # F8 shows where there is a file to switch to

    def paint_judged_lab(self) -> None:
        """The Boss part: the file the boss will judge, and how to open it when another is open."""
        panel = self.query_one(LabPanel)
        if panel.files is not None:
            self.query_one(BossPanel).judged_lab(panel.files, panel.language, self.run.language)

    def action_switch_lab(self) -> None:
        """F8: save the lab file on show and open the module's next one."""
        self.switch_lab(None)

    def switch_lab(self, language: str | None) -> None:
        """Open the `language` lab file (None: the next one) in the Lab part, the file on show saved first."""
        self.action_part("lab")
        panel = self.query_one(LabPanel)
        if not panel.switchable():
            self.notify("This module's lab comes in one language only.", timeout=4, markup=False)
            return
        if panel.switch_to(language) if language else panel.switch_next():
            self.paint_judged_lab()

    def lab_file_commands(self) -> list[tuple[str, str, object]]:
        """The palette's "Open lab.c" for each of the module's other lab files."""
        panel = self.query_one(LabPanel)
        files = panel.files
        if files is None or not panel.switchable():
            return []
        return [(f"Open {files.file(language)}", self._judges_note(files, language),
                 lambda language=language: self.switch_lab(language))
                for language in files.offered if language != panel.language]

    @staticmethod
    def _judges_note(files, language: str) -> str:
        """Which judges read the `language` lab, for the palette's help line."""
        judges = [name for name, judged in (("the boss", files.boss_language == language),
                                            ("the lab checks", language in files.checks)) if judged]
        return "F8 in the Lab part · " + (f"judged by {' and '.join(judges)}" if judges else "judged by neither")

    # --- running things in the sandbox ------------------------------------------------------
    def labs_refused(self) -> bool:
        reason = self.session.labs_refused()
        if reason:
            self.notify(reason[0].upper() + reason[1:] + ".", severity="warning", timeout=10, markup=False)
        return bool(reason)

    def action_run_lab(self) -> None:
        if self.labs_refused():
            return
        self.action_part("lab")
        panel = self.query_one(LabPanel)
        panel.flush()
        if panel.path is None:
            return
        panel.show_output(f"$ run {panel.path.name}")
        self.run_worker(self._run_lab(panel, panel.language), group="sandbox", exclusive=True, exit_on_error=False)

    async def _run_lab(self, panel: LabPanel, language: str) -> None:
        from forge_tui.runner import SandboxError

        try:
            result = await self.session.run_lab(self.module, language=language, on_output=panel.write_output)
        except (SandboxError, GameError) as err:
            panel.write_output(f"\n[the sandbox could not run: {err}]\n")
            return
        panel.write_output(f"\n[{result.message} · {result.duration_s:.2f} s]\n")
        await panel.show_series(result.results)

    def action_check_lab(self) -> None:
        """Run the module's graded lab checks; the checklist shows in the Lab part's output."""
        if self.labs_refused():
            return
        if not self.session.has_checks(self.module):
            self.notify("This module's lab checks are not built yet.", severity="warning")
            return
        self.action_part("lab")
        panel = self.query_one(LabPanel)
        panel.flush()
        if panel.path is None:
            return
        unchecked = panel.files.why_unchecked(panel.language) if panel.files else None
        if unchecked:
            self.say_unchecked(panel, unchecked)
            return
        panel.show_output(f"$ check {panel.path.name}")
        self.run_worker(self._check_lab(panel, panel.language), group="sandbox", exclusive=True, exit_on_error=False)

    def say_unchecked(self, panel: LabPanel, why: str) -> None:
        """F5 on a file the checks do not judge: say so, and which file they do judge."""
        files = panel.files
        judged = next((language for language in files.offered if language in files.checks), None)
        lines = ["Not checked: " + why.replace("; ", ";\n") + "."]  # a line each: the output does not wrap
        if judged:
            lines.append(f"F8 switches to {files.file(judged)}, which they judge.")
        panel.show_output(f"$ check {panel.path.name}")
        panel.write_output("\n".join(lines) + "\n")
        panel.note("not checked: the checks do not judge this file")

    async def _check_lab(self, panel: LabPanel, language: str) -> None:
        from forge_tui.runner import SandboxError

        try:
            report = await self.session.check_lab(self.module, language=language, on_check=panel.write_check,
                                                  on_output=panel.write_output)
        except (SandboxError, GameError) as err:
            panel.write_output(f"\n[the checks could not run: {err}]\n")
            return
        panel.write_output(f"\n{report.message}\n")
        panel.show_checks(report)

    def action_stop(self) -> None:
        stopped = [w for w in self.workers if w.group == "sandbox" and w.is_running]
        for worker in stopped:
            worker.cancel()
        if stopped:
            self.notify("Stopped: the run and everything it started were killed.", timeout=4)

    def action_watch(self) -> None:
        self.watching = not getattr(self, "watching", False)
        if not self.watching:
            self.notify("Watch mode off.", timeout=4)
            return
        panel = self.query_one(LabPanel)
        name = panel.path.name if panel.path else "the lab"
        does = (f"re-runs the checks on {name}" if self.watch_checks()
                else f"runs {name}" + (" (the checks do not judge it)" if self.session.has_checks(self.module) else ""))
        self.notify(f"Watch mode on: every save {does}.", timeout=4, markup=False)
        self.action_watch_run()

    @on(LabPanel.Saved)
    def lab_saved(self) -> None:
        """Watch mode: every save re-runs the checks (or the lab, where a module has none yet)."""
        if getattr(self, "watching", False):
            self.action_watch_run()

    def watch_checks(self) -> bool:
        """Whether watch mode checks the file on show (the module has checks and they judge it)."""
        panel = self.query_one(LabPanel)
        unchecked = panel.files.why_unchecked(panel.language) if panel.files else None
        return self.session.has_checks(self.module) and not unchecked

    def action_watch_run(self) -> None:
        """One watch-mode pass: the checks on the file on show where they judge it, else a run of it."""
        if self.watch_checks():
            self.action_check_lab()
            return
        self.action_run_lab()
        panel = self.query_one(LabPanel)
        if self.session.has_checks(self.module) and panel.path is not None:
            panel.note(f"watch runs {panel.path.name}: the checks do not judge it")

    def action_fight(self) -> None:
        if self.labs_refused():
            return
        if not self.has_boss():
            self.notify("This module's boss is not built yet.", severity="warning")
            return
        self.action_part("boss")
        self.query_one(LabPanel).flush()
        self.run_worker(self._fight(), group="sandbox", exclusive=True, exit_on_error=False)

    async def _fight(self) -> None:
        from forge_tui.runner import SandboxError

        panel = self.query_one(BossPanel)
        try:
            report = await self.session.fight(self.module, on_case=panel.case,
                                              on_begin=lambda boss, lab, protections: panel.begin(protections))
        except (SandboxError, GameError) as err:
            panel.finish(False, f"The fight could not run: {err}")
            return
        panel.finish(report.won, report.message, report.language)
        if not self.session.has_checks(self.module):  # F2 in the Lab: the failed cases' hints
            self.query_one(LabPanel).set_hints([(c.name, c.hint) for c in report.cases if not c.passed and c.hint])
        if report.counts:  # won on secret cases, confirmed on fresh ones, and recorded by the session
            state = self.session.state(self.module)
            self.notify(
                "Boss defeated." + (" Module forged: its unlock is yours." if state == "forged" else " Pass the gate to forge the module."),
                title=self.module.boss_name,
                timeout=8,
                markup=False,
            )
            self.paint_unlock()

    def action_reference(self) -> None:
        try:
            reference = self.session.reference(self.module)
        except GameError as err:
            self.notify(str(err), severity="warning", markup=False)
            return
        from forge_tui.screens.reference import ReferenceScreen

        lab = self.query_one(LabPanel)
        lab.flush()
        mine = lab.path if lab.path and lab.path.suffix == ".py" else None
        self.app.push_screen(ReferenceScreen(self.module, reference, mine))

    def paint_gate(self, message: Content | None = None) -> None:
        progress = self.progress()
        feedback = self.query_one("#gate-feedback", Static)
        if message is not None:
            feedback.update(message)
        elif not self.module.gate.has_password:
            feedback.update("[dim]The capstone has no password.[/]")
        elif progress.gate_passed:
            feedback.update("[green]✓ Gate passed.[/] You may answer again for practice.")
        hints = self.app.game.hints(self.run, self.module)
        self.query_one("#gate-hints", Static).update(
            Content("\n").join(markup("[b]Hint $i:[/] $hint", i=i, hint=hint) for i, hint in enumerate(hints, 1))
        )
        nxt = self.app.game.catalog.next(self.module)
        button = self.query_one("#next-module", Button)
        button.display = bool(nxt and progress.gate_passed)
        if nxt:
            button.label = f"Next: {nxt.number} {nxt.short} →"

    def paint_unlock(self) -> None:
        from forge_tui.unlocks import EARNED, NOT_BUILT, find_unlock

        module = self.module
        spec = find_unlock(module.id, self.app.game.catalog)
        state = self.session.unlock_state(spec)
        text = {
            EARNED: "[green]Earned.[/] Open it here, with u on the map, or ctrl+p → Open unlock.",
            NOT_BUILT: "Earned when this module is forged. [dim]This tool is not built yet in this version of the game.[/]",
        }.get(state, "Earned when this module is forged: its gate passed and its boss defeated.")
        self.query_one("#unlock-text", Static).update(
            markup(f"[b]Unlock: $name[/]\n\n$description\n\n{text}", name=spec.name, description=spec.description)
        )
        button = self.query_one("#open-unlock", Button)
        button.display = state == EARNED
        button.label = f"Open {spec.name}"

    @on(Button.Pressed, "#open-unlock")
    def open_unlock(self) -> None:
        from forge_tui.unlocks import find_unlock

        self.app.push_screen(find_unlock(self.module.id, self.app.game.catalog).open())

    # --- math rendering (sympy, off the UI thread) ---------------------------------------
    def render_math(self) -> None:
        if self.math_rendered:
            return
        self.math_rendered = True
        self.run_worker(self._render_math(), group="math", exclusive=True)

    async def _render_math(self) -> None:
        for view in self.query(DerivationView):
            pretties = await asyncio.to_thread(view.pretty_all)
            for step_view, pretty in zip(view.query(StepView), pretties):
                step_view.render_step(pretty)

    # --- gate -----------------------------------------------------------------------------
    @on(Input.Submitted, "#gate-input")
    async def gate_submitted(self, event: Input.Submitted) -> None:
        feedback = self.query_one("#gate-feedback", Static)
        try:
            outcome = await asyncio.to_thread(self.session.submit_gate, self.module, event.value)
        except GameError as err:
            feedback.update(markup("[yellow]$error[/]", error=err))
            return
        if outcome.malformed:
            message = markup("[yellow]$message[/]", message=outcome.message)
        elif outcome.imprecise:  # the right value, to fewer places than asked: close, not wrong
            message = markup("[yellow]≈ $message[/]", message=outcome.message)  # "Close: …", from the checker
        elif outcome.accepted:
            opened = f" {outcome.opened.number} {outcome.opened.title} is open." if outcome.opened else ""
            message = markup("[green]✓ $message[/]$opened", message=outcome.message, opened=opened)
            self.notify(f"Gate passed.{opened}", title="Forge Gate", timeout=6, markup=False)
        else:
            message = markup("[red]✗ $message[/]", message=outcome.message)
        self.paint_gate(message)
        self.paint_unlock()
        button = self.query_one("#next-module", Button)
        if outcome.accepted and button.display:
            button.focus()

    @on(Button.Pressed, "#next-module")
    def next_module(self) -> None:
        nxt = self.app.game.catalog.next(self.module)
        if nxt and self.app.game.is_playable(self.run, nxt):
            self.app.switch_screen(LevelScreen(self.run, nxt))

    # --- navigation -----------------------------------------------------------------------
    @on(TabbedContent.TabActivated, "#parts")
    def part_changed(self, event: TabbedContent.TabActivated) -> None:
        part = event.pane.id
        if part == "math":
            self.render_math()
        self.focus_part(part)
        if part != "hook" and self.hook_shown < len(self.hook_paragraphs()):
            self.finish_hook()  # leaving the hook counts as having read it
        self.save_position(part)
        self.refresh_bindings()  # the Lab's own keys show on the Lab part only

    def focus_part(self, part: str) -> None:
        """Gate: the answer box. Elsewhere: the scrolling text, so arrows and pgup/pgdn scroll."""
        gate_input = self.query_one("#gate-input", Input)
        if part == "gate" and not gate_input.disabled:
            gate_input.focus()
        elif part == "lab":
            self.query_one("#lab-editor").focus()
        else:
            self.query_one(f"#{part} VerticalScroll").focus()

    def save_position(self, part: str | None) -> None:
        try:
            self.session.visit(self.module, part)
        except GameError as err:
            self.notify(str(err), severity="error", markup=False)

    def action_part(self, part: str) -> None:
        self.query_one("#parts", TabbedContent).active = part

    def action_step_part(self, delta: int) -> None:
        tabs = self.query_one("#parts", TabbedContent)
        index = PARTS.index(tabs.active) if tabs.active in PARTS else 0
        tabs.active = PARTS[(index + delta) % len(PARTS)]

    def active_part(self) -> str:
        return self.query_one("#parts", TabbedContent).active

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The Lab's own keys (F2 hint, F3 output, F4 plot) work, and show, on the Lab part only."""
        if action == "switch_lab" and not any(panel.switchable() for panel in self.query(LabPanel)):
            return False
        if action in LAB_ONLY:
            return self.active_part() == "lab"
        return True

    def action_hint(self) -> None:
        """F2: the next hint of the last verdict on the lab (the first failing check's first)."""
        if self.session.has_checks(self.module):
            before = "No hint yet: F5 runs the checks, then F2 shows the hint of each one that fails."
        elif self.has_boss():
            before = "This module has no lab checks yet: ctrl+b fights the boss, then F2 shows its hints."
        else:
            before = "This module has no lab checks and no boss yet: no hint to give."
        self.query_one(LabPanel).next_hint(before)

    def action_toggle_output(self) -> None:
        self.query_one(LabPanel).toggle_output()

    def action_toggle_plot(self) -> None:
        self.query_one(LabPanel).action_toggle_plot()

    def action_external_editor(self) -> None:
        self.action_part("lab")
        self.query_one(LabPanel).open_external_editor()

    def action_reset_lab(self) -> None:
        from forge_tui.screens.dialogs import ConfirmScreen

        self.action_part("lab")
        panel = self.query_one(LabPanel)
        language, name = panel.language, panel.path.name if panel.path else "the lab"

        def answered(yes: bool | None) -> None:
            if yes:
                panel.reset_to_starter(lambda: self.session.reset_lab(self.module, language))

        self.app.push_screen(
            ConfirmScreen(f"Put the starter code back in {name}? Your current {name} is kept as a backup file.",
                          "Reset"),
            answered,
        )

    def action_back(self) -> None:
        self.save_position(None)
        self.app.pop_screen()
