"""The level screen as a new learner plays it at 80x24: the lab editor, its room and its keys,
the Boss part's failure list, where Escape and Tab leave the focus, what the Math part prints
and hides, the Gate's near miss, and the commands the palette offers."""

from __future__ import annotations

import contextlib
import math

import pytest
from textual.content import Content
from textual.widgets import Collapsible, Input, Log, Static, TabbedContent
from textual.worker import WorkerFailed

from forge_tui.app import NeuralForgeApp
from forge_tui.checker.kinds import GateKind
from forge_tui.labs import ensure_lab
from forge_tui.locations import bosses_directory
from forge_tui.screens.help import HELP
from forge_tui.screens.level import PLACEHOLDERS, LevelScreen
from forge_tui.widgets.boss import BossPanel
from forge_tui.widgets.derivation import PLACEHOLDER_CHARS, StepView, step_placeholder
from forge_tui.widgets.editor import CodeEditor
from forge_tui.widgets.lab import LabPanel
from playkit import run_open_at

SIZE = (80, 24)
SOFTMAX_THIRD = math.exp(3) / (math.exp(1) + math.exp(2) + math.exp(3))  # module 4's gate


@pytest.fixture(autouse=True)
def no_warm_up(monkeypatch):
    """The sandbox and sympy load when a test needs them, not in every test's first second."""
    monkeypatch.setenv("NEURALFORGE_WARM_UP", "0")


async def open_level(app, pilot, order: int, part: str, *, lab: str | None = None):
    """Module ``order`` opened at ``part``; ``lab`` (when given) is the lab file's text first."""
    run, module = run_open_at(app.game, order)
    if lab is not None:
        ensure_lab(app.game.store.home, run.id, module, "python").write_text(lab)
    await app.push_screen(LevelScreen(run, module, part))
    await pilot.pause()
    return run, module


async def settle(app, pilot, condition, timeout: float = 15.0) -> bool:
    """True once ``condition()`` holds: a step is checked by sympy in a worker, which takes
    seconds on a loaded machine, so a fixed pause is not enough."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)
    return True


def footer(app) -> list[str]:
    """The footer's keys as the player reads them: 'esc Leave editor', '^r Run', …"""
    return [f"{key.key_display} {key.description}".strip() for key in app.screen.query("FooterKey")]


def part(app) -> str:
    return app.screen.query_one("#parts", TabbedContent).active


def text_of(widget: Static) -> str:
    return str(widget.render())


# ---------------------------------------------------------------- the lab editor


async def test_the_lab_editor_keeps_python_indentation():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 1, "lab", lab="")
        editor = app.screen.query_one("#lab-editor", CodeEditor)
        assert app.focused is editor
        await pilot.press(*"def f(x):", "enter", *"return x", "enter", "x")
        assert editor.text == "def f(x):\n    return x\nx"


async def test_escape_leaves_the_editor_and_the_footer_says_so():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 1, "lab")
        editor = app.screen.query_one("#lab-editor", CodeEditor)
        assert "esc Leave editor" in footer(app)
        await pilot.press("tab")
        assert editor.text.startswith("    "), "tab indents"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LevelScreen) and not editor.has_focus
        assert "esc Map" in footer(app)
        await pilot.press("right_square_bracket")
        assert part(app) == "boss", "] works once the editor is left"
        await pilot.press("3")
        await pilot.pause()
        assert part(app) == "lab"
        await pilot.press("escape")  # the editor has the focus again: Escape leaves it
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LevelScreen), "a second Escape goes to the map"


def test_the_help_tells_the_truth_about_tab_and_escape():
    lines = HELP.splitlines()
    tab = [line for line in lines if line.strip().startswith(("tab", "enter, tab"))]
    assert tab and all("leave" not in line for line in tab), "Tab does not leave the editor"
    assert any("tab indents" in line for line in tab)
    escape = [line for line in lines if line.strip().startswith("escape")]
    assert any("leave the editor" in line for line in escape)
    assert any("F2" in line and "hint" in line for line in lines)


def test_the_help_names_every_key_of_a_level():
    """A key a level answers to and the help does not name is a key nobody finds (F8 was one)."""
    import re

    shown = {"left_square_bracket": "[", "right_square_bracket": "]"}
    named = set()  # the words of the help's key column
    for line in HELP.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            named.update(re.split(r"[ ,]+", line[:15].strip()))
    for binding in LevelScreen.BINDINGS:
        key = binding.key.split(",")[0]
        if key.isdigit():
            assert {"1", "…", "6"} <= named  # "1 … 6"
            continue
        assert (binding.key_display or shown.get(key, key)) in named, binding.key


# ---------------------------------------------------------------- room for code at 80x24


async def test_the_editor_shows_at_least_twelve_lines_at_80x24():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 4, "lab", lab="import numpy as np\n" * 40)
        await pilot.pause()
        panel = app.screen.query_one(LabPanel)
        assert panel.query_one("#lab-brief", Collapsible).collapsed, "a lab that is not the starter folds the brief"
        assert not panel.query_one("#lab-output", Log).display, "no output yet: it takes no room"
        assert panel.query_one("#lab-status", Static).size.height == 1
        visible = panel.query_one("#lab-editor", CodeEditor).scrollable_content_region.height
        assert visible >= 12, f"{visible} code lines visible at 80x24"


async def test_the_starter_opens_with_its_brief_unfolded():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 4, "lab")
        assert not app.screen.query_one("#lab-brief", Collapsible).collapsed


async def test_the_output_takes_room_only_with_content_and_f3_hides_it():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 4, "lab", lab="x = 1\n")
        panel = app.screen.query_one(LabPanel)
        editor, log = panel.query_one("#lab-editor", CodeEditor), panel.query_one("#lab-output", Log)
        await pilot.press("f3")
        await pilot.pause()
        assert not log.display and "no output yet" in text_of(panel.query_one("#lab-status", Static))
        tall = editor.size.height
        panel.show_output("$ run lab.py")
        panel.write_output("tick 0\ntick 1\n")
        await pilot.pause()
        assert log.display and editor.size.height < tall
        assert "F3" in str(log.border_title)
        await pilot.press("f3")
        await pilot.pause()
        assert not log.display and editor.size.height == tall
        await pilot.press("f3")
        await pilot.pause()
        assert log.display


async def test_the_output_header_is_a_line_of_its_own():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 1, "lab")
        panel = app.screen.query_one(LabPanel)
        panel.show_output("$ run lab.py")
        panel.write_output("tick 0\n")
        panel.write_output("tick 1 with no end")
        panel.write_check(_check("dot: a pair", passed=True))
        log = panel.query_one("#lab-output", Log)
        assert list(log.lines[:4]) == ["$ run lab.py", "tick 0", "tick 1 with no end", "✓ dot: a pair"]


def _check(name: str, passed: bool, hint: str = ""):
    from forge_tui.boss import CaseReport

    return CaseReport(0, name, "", passed, "1" if not passed else "", "2", "wrong" if not passed else "", hint, 1)


# ---------------------------------------------------------------- hints in the Lab: F2


async def test_f2_walks_the_hints_of_the_failing_checks_one_at_a_time():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 4, "lab")  # the starter: it fails checks
        panel = app.screen.query_one(LabPanel)
        hint = panel.query_one("#lab-hint", Static)
        assert "F2 Hint" in footer(app)
        await pilot.press("f2")
        await pilot.pause()
        assert hint.display and "F5 runs the checks" in text_of(hint)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        failing = [(name, text) for name, text in panel.hints]
        assert len(failing) >= 2
        await pilot.press("f2")
        await pilot.pause()
        assert failing[0][1][:40] in text_of(hint).replace("\n", " ") and "1/" in text_of(hint)
        await pilot.press("f2")
        await pilot.pause()
        assert failing[1][1][:40] in text_of(hint).replace("\n", " ") and "2/" in text_of(hint)


async def test_f2_works_on_the_lab_part_only():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 1, "hook")
        assert "F2 Hint" not in footer(app)
        await pilot.press("f2")
        await pilot.pause()
        assert not app.screen.query_one("#lab-hint", Static).display


# ---------------------------------------------------------------- the Boss part


async def test_a_wrong_answer_shows_expected_and_got_in_the_boss_part():
    """Module 4's boss against a lab that takes log(softmax): finite cases pass, the extreme
    ones come back inf. Each failure shows its input, what was expected and what came."""
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        wrong = (bosses_directory() / "probability-loss" / "wrong" / "log_of_softmax.py").read_text()
        await open_level(app, pilot, 4, "lab", lab=wrong)
        await pilot.press("ctrl+b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen.query_one(BossPanel)
        assert 0 < panel.passed < panel.total
        shown = text_of(panel.query_one("#boss-failures", Static))
        failed = panel.total - panel.passed
        assert shown.count("✗") == failed
        assert shown.count("expected:") == failed and shown.count("got:") == failed
        assert "Infinity" in shown, "what came back is shown, brackets and all"
        assert "judged your Python lab" in text_of(panel.query_one("#boss-status", Static))


async def test_a_case_that_cannot_be_drawn_is_reported_not_hidden(monkeypatch):
    """The sandbox swallows what its callbacks raise; a Boss part that failed to draw a case
    used to lose it in silence. Now the player is told."""
    def broken(self, report):
        raise ValueError("cannot draw this case")

    monkeypatch.setattr(BossPanel, "case", broken)
    app = NeuralForgeApp(animate=False)
    said: list[str] = []
    tell = app.notify
    app.notify = lambda message, **kwargs: (said.append(str(message)), tell(message, **kwargs))
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 1, "lab")
        await pilot.press("ctrl+b")
        with contextlib.suppress(WorkerFailed):  # the fight's worker fails; the one handler says so
            await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("cannot draw this case" in message for message in said), said


# ---------------------------------------------------------------- focus: Escape and Tab


async def test_escape_in_a_typed_step_leaves_it_and_a_second_goes_to_the_map():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 1, "math")
        box = app.screen.query(".step-input").first(Input)
        box.focus()
        await pilot.pause()
        assert "esc Leave answer" in footer(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LevelScreen)
        assert app.focused is app.screen.query_one("#math-scroll")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LevelScreen)


async def test_escape_in_the_gate_leaves_the_answer_box_first():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 1, "gate")
        assert app.focused is app.screen.query_one("#gate-input")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LevelScreen) and app.focused is not None
        assert app.screen.query_one("#gate-input") is not app.focused
        await pilot.press("4")  # out of the box, the digits are the part keys again
        await pilot.pause()
        assert part(app) == "boss"


async def test_tab_at_the_gate_keeps_the_digits_in_the_answer():
    """On a gate not yet passed, and on a passed one (its "Next module" button shown)."""
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        run, _ = run_open_at(app.game, 2)  # module 1's gate is passed
        for module in (app.game.catalog.module(2), app.game.catalog.module(1)):
            await app.push_screen(LevelScreen(run, module, "gate"))
            await pilot.pause()
            box = app.screen.query_one("#gate-input", Input)
            assert app.screen.query_one("#next-module").display == (module.order == 1)
            await pilot.press("8", "tab", "3")
            await pilot.pause()
            assert part(app) == "gate" and app.focused is box
            assert box.value.endswith("3")
            app.pop_screen()
            await pilot.pause()


# ---------------------------------------------------------------- what the Math part prints


async def test_module_3_prints_no_stray_backslash():
    """Brackets in a step's reason ('det [[a, b], [c, d]]') and in a gate hint are text:
    no markup escape shows up as a backslash."""
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 40)) as pilot:
        run, module = await open_level(app, pilot, 3, "math")
        await app.workers.wait_for_complete()
        await pilot.pause()
        steps = " ".join(text_of(view.query_one(".step-body", Static)) for view in app.screen.query(StepView))
        assert "[[a, b], [c, d]]" in steps and "\\" not in steps
        view = next(v for v in app.screen.query(StepView) if v.step.typed and not v.solved)
        box = view.query_one(Input)
        box.focus()
        box.value = "t"
        await box.action_submit()
        assert await settle(app, pilot, lambda: "Not quite" in text_of(view.query_one(".step-feedback", Static)))
        feedback = text_of(view.query_one(".step-feedback", Static))
        assert "Not quite" in feedback and "\\" not in feedback
        await pilot.press("escape", "5")  # leave the answer box, then on to the Gate
        await pilot.pause()
        for wrong in ("1", "2", "4"):  # three misses reveal every gate hint
            gate = app.screen.query_one("#gate-input", Input)
            gate.value = wrong
            await gate.action_submit()
            await pilot.pause(0.3)
        hints = text_of(app.screen.query_one("#gate-hints", Static))
        assert "Hint 3" in hints and "\\" not in hints


async def test_numbers_print_simplified_in_the_math_part():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 40)) as pilot:
        await open_level(app, pilot, 6, "math")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pretty = [view.pretty for view in app.screen.query(StepView)]
        assert pretty and all(pretty)
        assert not [p for p in pretty if "-1⋅" in p], pretty


async def test_a_typed_step_gives_nothing_away():
    """The placeholder is read whole; the steps after an unsolved typed step (each equal to
    its answer) show only once it is solved."""
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 3, "math")
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = next(v for v in app.screen.query(StepView) if v.step.typed)
        box = view.query_one(Input)
        placeholder = str(box.placeholder)
        assert not placeholder.rstrip().endswith("e.g.")
        assert len(placeholder) <= box.content_size.width, "the whole placeholder is seen"
        later = [v for v in view.parent.query(StepView) if v.s_index > view.s_index]
        assert later and not any(v.display for v in later)
        assert "once you solve" in text_of(view.query_one(".step-feedback", Static))
        box.value = view.step.expr
        await box.action_submit()
        assert await settle(app, pilot, lambda: all(v.display for v in later))


def test_no_placeholder_example_answers_its_step():
    """The example in a typed step's box shows how to write an answer, never the answer (module
    1's once was 4/(3*sqrt(5)), its typed step exactly)."""
    from forge_tui.checker import check_step
    from forge_tui.content import catalog

    typed = [(d, step) for m in catalog().modules for d in m.derivations for step in d.steps if step.typed]
    assert typed
    for derivation, step in typed:
        placeholder = step_placeholder(derivation.symbols)
        assert len(placeholder) <= PLACEHOLDER_CHARS
        example = placeholder.split("e.g. ", 1)[1]
        assert not check_step(step.expr, example, derivation.symbols, derivation.assume).accepted, step.expr


# ---------------------------------------------------------------- the Gate's near miss


def test_gate_placeholders_are_keyed_on_the_gate_kinds():
    assert all(isinstance(kind, GateKind) for kind in PLACEHOLDERS) and set(PLACEHOLDERS) == set(GateKind)


async def test_a_precision_only_miss_reads_close_in_yellow():
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 4, "gate")
        box = app.screen.query_one("#gate-input", Input)
        box.value = f"{SOFTMAX_THIRD:.2f}"
        await box.action_submit()
        await pilot.pause(0.3)
        feedback = app.screen.query_one("#gate-feedback", Static).render()
        assert isinstance(feedback, Content)
        assert "close" in feedback.plain.lower() and "✗" not in feedback.plain
        styles = " ".join(str(span.style) for span in feedback.spans)
        assert "yellow" in styles and "red" not in styles


# ---------------------------------------------------------------- the command palette


async def test_reset_lab_is_in_the_command_palette():
    from forge_tui.screens.dialogs import ConfirmScreen

    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_level(app, pilot, 1, "hook")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"reset lab")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)


async def test_a_resumed_run_warms_up_without_a_zero_second_timer(monkeypatch):
    """Textual's timer divides by its interval when a tick comes late: a set_timer(0) for the
    warm-up of a resumed run crashed the app on a loaded machine (ZeroDivisionError at exit)."""
    monkeypatch.setenv("NEURALFORGE_WARM_UP", "1")
    warmed = []
    monkeypatch.setattr(NeuralForgeApp, "warm_up", lambda self: warmed.append(True))
    from forge_tui.game import Game

    run, _ = run_open_at(Game(), 1)
    app = NeuralForgeApp(animate=False, resume=run.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not [timer for timer in app._timers if timer._interval == 0]
        await pilot.pause(0.2)
        assert warmed, "a resumed run warms up at once"
