"""A lab in every language its module offers: the Lab part shows the module's lab files and which
of them the boss and the checks judge, F8 (or the palette) switches the editor between them with
no edit lost, Run and the checks act on the file on show where they can and say so where they
cannot, and the Boss part names the file it will judge and how to open it.

Module 12 is the case that needed it: its lab comes in Python, C and Rust, its checks judge all
three and its boss C and Rust only, so a Python run is judged on lab.c. Every shipped module's
checks judge every language it has a starter in (issue 12), so the case of a file the checks do
not judge is made here: module 8 (lab in Python and C, its boss judging both) with its checks
cut down to Python (`module_8_checks_judge_python_only`)."""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import Log, Static

from forge_tui.app import NeuralForgeApp
from forge_tui.game import Game, GameError
from forge_tui.labcheck import LabChecks
from forge_tui.labs import ensure_lab, lab_files, lab_path
from forge_tui.languages import LANGUAGE_IDS
from forge_tui.screens.level import LevelScreen
from forge_tui.session import Session
from forge_tui.widgets.lab import LabPanel
from playkit import run_open_at

SIZE = (80, 24)
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")


@pytest.fixture(autouse=True)
def no_warm_up(monkeypatch):
    monkeypatch.setenv("NEURALFORGE_WARM_UP", "0")


async def open_lab(app, pilot, number: int = 12, language: str = "python", part: str = "lab"):
    """Module `number` opened at `part`, once the lab files and their judges are known."""
    run, module = run_open_at(app.game, number, language)
    await app.push_screen(LevelScreen(run, module, part))
    await app.workers.wait_for_complete()
    await pilot.pause()
    return run, module


def text(app, selector: str) -> str:
    """What a Static shows, its runs of spaces (the highlight's padding, wrapping) as one."""
    return " ".join(str(app.screen.query_one(selector, Static).render()).split())


def output(app) -> str:
    return "\n".join(app.screen.query_one("#lab-output", Log).lines)


def footer(app) -> list[str]:
    return [f"{key.key_display} {key.description}".strip() for key in app.screen.query("FooterKey")]


@pytest.fixture
def module_8_checks_judge_python_only(monkeypatch):
    """Module 8's checks as if they judged Python only (no shipped module's checks leave out a
    language it has a starter in): its lab.c becomes a file the checks do not judge."""
    judged = LabChecks.languages.fget
    monkeypatch.setattr(LabChecks, "languages",
                        property(lambda checks: ("python",) if checks.id == "init-and-norm" else judged(checks)))


# ---------------------------------------------------------------- which files, judged by whom


def test_every_lab_a_boss_judges_can_be_opened_in_the_lab_part():
    """For every module and every run language: the file the boss judges is one the Lab part
    offers (so F8 reaches it), and the checks judge at least one offered file."""
    from forge_tui.boss import load_boss
    from forge_tui.labcheck import load_checks

    for module in Game().catalog.modules:
        boss, checks = load_boss(module.id), load_checks(module.id)
        for language in LANGUAGE_IDS:
            files = lab_files(module, language, boss=boss.languages if boss else (),
                              boss_language=boss.lab_language(language) if boss else None,
                              checks=checks.languages if checks else ())
            assert files.opened in files.offered
            if boss:
                assert files.boss_language in files.offered, (module.id, language)
            if checks:
                assert any(lang in files.checks for lang in files.offered), module.id


def test_the_checks_judge_every_language_a_module_has_a_starter_in():
    """Issue 12: the lab checks run in the chosen language where a starter exists for it."""
    from forge_tui.labcheck import load_checks
    from forge_tui.languages import LANGUAGES

    for module in Game().catalog.modules:
        checks = load_checks(module.id)
        if checks is None:
            continue
        starters = [spec.id for spec in LANGUAGES if (module.folder / "lab" / spec.starter).is_file()]
        missing = [language for language in starters if language not in checks.languages]
        assert not missing, f"{module.id} has a starter in {missing} that its checks do not judge"


def test_module_12_says_which_judge_reads_which_file():
    game = Game()
    run, module = run_open_at(game, 12)
    files = Session(game, run).lab_files(module)
    assert files.offered == ("python", "c", "rust") and files.opened == "python"
    assert files.boss_language == "c", "a Python run is judged on its C lab"
    assert all(files.why_unchecked(language) is None for language in files.offered), "the checks judge each"
    assert [files.after(lang) for lang in files.offered] == ["c", "rust", "python"]


def test_a_file_neither_judge_reads_is_called_that():
    module = Game().catalog.module(8)  # lab in Python and C; judges said to read Python only
    files = lab_files(module, "python", boss=("python",), boss_language="python", checks=("python",))
    assert files.why_unchecked("c") == "the checks for this module judge Python; lab.c is judged by neither the checks nor the boss"


async def test_the_session_refuses_to_check_a_file_the_checks_do_not_judge(module_8_checks_judge_python_only):
    game = Game()
    run, module = run_open_at(game, 8)
    with pytest.raises(GameError, match="judge Python; lab.c is judged only by the boss"):
        await Session(game, run).check_lab(module, language="c")


# ---------------------------------------------------------------- the Lab part


async def test_a_python_run_edits_lab_c_and_the_boss_judges_it(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        run, module = await open_lab(app, pilot)
        row = text(app, "#lab-languages")
        assert "lab.py ⇄ lab.c ⇄ lab.rs" in row and "boss judges lab.c" in row and "checks judge each" in row
        assert "F8 Lab file" in footer(app)
        assert "It judges your lab.c" in text(app, "#boss-lab")
        assert "The Lab part has lab.py open: 3, then F8, opens lab.c" in text(app, "#boss-lab")

        await pilot.press("f8")
        panel = app.screen.query_one(LabPanel)
        c_lab = lab_path(isolated_home, run.id, module, "c")
        assert panel.path == c_lab and "#include" in panel.editor.text, "made from the C starter"
        assert "lab.c" in text(app, "#lab-status")
        assert "open" not in text(app, "#boss-lab"), "lab.c is on show: nothing to open"
        await pilot.press(*"#error ada edited lab.c", "enter")
        await pilot.press("escape", "4")  # leave the editor (unsaved yet), then the Boss part
        await pilot.pause(0.6)
        assert c_lab.read_text().startswith("#error ada edited lab.c\n"), "leaving saves within moments"
        assert app.session.fight_lab(module, app.session.boss(module)) == c_lab

        if shutil.which("gcc") is None:
            return
        await pilot.press("ctrl+b")
        await app.workers.wait_for_complete()
        await pilot.pause()
        verdict = str(app.screen.query_one("#boss-status", Static).render())
        assert "#error ada edited lab.c" in verdict and "judged your C lab" in verdict


async def test_switching_saves_the_file_on_show_first(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        run, module = await open_lab(app, pilot)
        await pilot.press(*"# mine", "enter")
        await pilot.press("f8")  # before the save timer fires
        py_lab = lab_path(isolated_home, run.id, module, "python")
        assert py_lab.read_text().startswith("# mine\n")
        await pilot.press("x", "f8", "f8")  # lab.c gets an x; lab.rs; back to lab.py
        panel = app.screen.query_one(LabPanel)
        assert panel.path == py_lab and panel.editor.text.startswith("# mine\n")
        assert panel.editor.cursor_location == (1, 0), "the cursor is where it was left"
        assert lab_path(isolated_home, run.id, module, "c").read_text().startswith("x")


async def test_a_file_that_cannot_be_saved_stays_open(isolated_home, monkeypatch):
    import forge_tui.widgets.lab as lab_widget

    def full_disk(path, text):
        raise OSError(28, "No space left on device")

    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_lab(app, pilot)
        monkeypatch.setattr(lab_widget, "write_atomic", full_disk)
        await pilot.press(*"# unsaved")
        await pilot.press("f8")
        await pilot.pause()
        panel = app.screen.query_one(LabPanel)
        assert panel.path.name == "lab.py" and panel.editor.text.startswith("# unsaved")
        assert any("could not be saved" in str(n.message) for n in app._notifications)


async def test_f5_on_a_file_the_checks_do_not_judge_says_so_and_runs_nothing(isolated_home, module_8_checks_judge_python_only):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_lab(app, pilot, 8)
        await pilot.press("f8")  # lab.c
        await pilot.press("f5")
        await pilot.pause()
        said = " ".join(output(app).split())
        assert "Not checked: the checks for this module judge Python; lab.c is judged only by the boss." in said
        assert "F8 switches to lab.py, which they judge." in said
        assert max(len(line) for line in app.screen.query_one("#lab-output", Log).lines) <= 76, "fits 80 columns"
        assert app._sandbox is None, "no sandbox was started for it"


@needs_gcc
async def test_watch_mode_runs_a_file_the_checks_do_not_judge(isolated_home, module_8_checks_judge_python_only):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_lab(app, pilot, 8)
        await pilot.press("f8")  # lab.c: the boss judges it, the checks do not
        await pilot.press("ctrl+g")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert output(app).startswith("$ run lab.c")
        assert any("every save runs lab.c (the checks do not judge it)" in str(n.message) for n in app._notifications)
        assert "watch runs lab.c" in text(app, "#lab-status")


async def test_a_missing_toolchain_is_said_on_switching(isolated_home, monkeypatch):
    import forge_tui.widgets.lab as lab_widget

    monkeypatch.setattr(lab_widget, "missing_tool", lambda spec: f"no {spec.id}c found: install it"
                        if spec.id == "rust" else None)
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_lab(app, pilot)
        await pilot.press("f8", "f8")
        await pilot.pause()
        assert "Rust: no rustc found" in text(app, "#lab-status")
        assert any("Rust cannot be built or run here" in str(n.message) for n in app._notifications)


async def test_the_palette_opens_the_lab_file_the_boss_judges(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_lab(app, pilot)
        await pilot.press("f8", *"// one", "enter", "f8")  # a line in lab.c; then lab.rs
        await pilot.press("escape", "4")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"open lab.c")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#parts").active == "lab"
        panel = app.screen.query_one(LabPanel)
        assert panel.path.name == "lab.c"
        assert panel.editor.cursor_location == (1, 0) and panel.editor.scroll_offset.y == 0, "its first line in view"


async def test_reset_puts_back_the_starter_of_the_file_on_show(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        run, module = await open_lab(app, pilot)
        py_lab = ensure_lab(isolated_home, run.id, module, "python")
        py_lab.write_text("my python\n")
        await pilot.press("f8")
        await pilot.press(*"my c", "enter")
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        c_lab = lab_path(isolated_home, run.id, module, "c")
        assert c_lab.read_text() == module.starter_path("c").read_text()
        assert [b.read_text() for b in c_lab.parent.glob("lab.backup-*.c")] == ["my c\n" + module.starter_path("c").read_text()]
        assert py_lab.read_text() == "my python\n", "the Python lab is untouched"


async def test_a_module_with_one_lab_file_shows_no_row_and_no_f8(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_lab(app, pilot, number=4)
        assert not app.screen.query_one("#lab-languages").display
        assert not any(key.startswith("F8") for key in footer(app))
        assert "It judges your lab.py" in text(app, "#boss-lab")


@needs_gcc
async def test_run_and_check_act_on_the_file_on_show(isolated_home):
    """Module 1's checks judge Python and C: with lab.c on show, ctrl+r builds and runs lab.c and
    F5 checks it (the C checks' own names), and the run keeps the verdict."""
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        run, module = await open_lab(app, pilot, number=1)
        assert "checks judge each" in text(app, "#lab-languages")
        await pilot.press("f8")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert output(app).startswith("$ run lab.c")
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert output(app).startswith("$ check lab.c")
        checks = app.game.store.load(run.id).progress(module.id).checks_total
        assert checks and "checks" in text(app, "#lab-status")


def test_the_lab_part_with_its_language_row(snap_compare, isolated_home):
    """Module 12 for a Python run at 80x24, lab.c on show: the row names the three files, lab.c
    highlighted, the file the boss judges, and the checks judging each."""
    app = NeuralForgeApp(animate=False)

    async def before(pilot):
        run, module = run_open_at(app.game, 12)
        ensure_lab(app.game.store.home, run.id, module, "python").write_text("# my prototype\n")
        await app.push_screen(LevelScreen(run, module, "lab"))
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f8")
        app.screen.query_one(LabPanel).status("lab.c")  # the folder differs on every machine
        app.screen.query_one(LabPanel).editor.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=before)


async def test_each_file_comes_back_as_it_was_left(isolated_home):
    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_lab(app, pilot)
        editor = app.screen.query_one(LabPanel).editor
        await pilot.press("f8")  # lab.c, from the top
        await pilot.press(*"// one", "enter")
        await pilot.press("f8", "f8")  # lab.rs, then lab.py
        editor.move_cursor((60, 0))  # far down lab.py: its view scrolls
        await pilot.pause()
        assert editor.scroll_offset.y > 0
        await pilot.press("f8")
        await pilot.pause()
        assert editor.cursor_location == (1, 0) and editor.scroll_offset.y == 0, "lab.c's own view"
        assert editor.text.startswith("// one\n")
