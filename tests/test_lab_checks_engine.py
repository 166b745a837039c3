"""The lab-check engine: public checks judged like a boss, counted in the run's progress."""

from __future__ import annotations

import textwrap

import pytest

from forge_tui.labcheck import check_lab_sync, load_checks
from forge_tui.runner import Sandbox

CHECKS = '''
def checks():
    return [
        {"name": "adds", "summary": "add(2, 3)", "hint": "use +", "call": {"function": "add", "args": [2, 3]}},
        {"name": "negatives", "summary": "add(-2, -3)", "hint": "signs", "call": {"function": "add", "args": [-2, -3]}},
        {"name": "scales", "summary": "scale(2, [1, 2])", "hint": "each entry",
         "call": {"function": "scale", "args": [2, [1, 2]]}},
    ]

EXPECTED = {"adds": 5, "negatives": -5, "scales": [2, 4]}

def judge(check, got):
    want = EXPECTED[check["name"]]
    return got == want, str(want), "right" if got == want else "not the expected value"
'''


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


@pytest.fixture
def checks(tmp_path):
    folder = tmp_path / "bosses" / "toy"
    folder.mkdir(parents=True)
    (folder / "checks.py").write_text(CHECKS)
    return load_checks("toy", tmp_path / "bosses")


def lab(tmp_path, source: str):
    path = tmp_path / "lab.py"
    path.write_text(textwrap.dedent(source))
    return path


def test_a_module_without_checks_has_none(tmp_path):
    assert load_checks("nothing-here", tmp_path) is None


def test_a_right_lab_passes_every_check(sandbox, checks, tmp_path):
    seen = []
    report = check_lab_sync(checks, lab(tmp_path, """
        def add(a, b): return a + b
        def scale(c, xs): return [c * x for x in xs]
    """), sandbox, on_check=seen.append)
    assert report.all_passed and report.passed == report.total == 3
    assert [r.name for r in seen] == ["adds", "negatives", "scales"]
    assert report.message == "All 3 checks pass."


def test_each_check_is_judged_on_its_own(sandbox, checks, tmp_path):
    report = check_lab_sync(checks, lab(tmp_path, """
        def add(a, b): return abs(a) + abs(b)
        def scale(c, xs): raise ValueError("not yet")
    """), sandbox)
    assert [r.passed for r in report.results] == [True, False, False]
    assert report.results[1].expected == "-5" and report.results[1].hint == "signs"
    assert "ValueError: not yet" in report.results[2].message
    assert report.message.startswith("1/3 checks pass; first failure: negatives")


def test_a_lab_that_dies_loses_the_checks_it_did_not_answer(sandbox, checks, tmp_path):
    report = check_lab_sync(checks, lab(tmp_path, """
        import os
        def add(a, b):
            os._exit(3)
    """), sandbox)
    assert report.passed == 0 and not report.all_passed
    assert all(not r.passed for r in report.results)


def test_the_latest_verdict_is_saved_in_the_run(tmp_path):
    from forge_tui.game import Game

    game = Game()
    run = game.store.create_run("ada", ["hacker", "artist"], "python")
    module = game.catalog.modules[0]
    run = game.record_checks(run, module, ["adds"], 3)
    saved = game.store.load(run.id).modules[module.id]
    assert saved.checks_passed == ["adds"] and saved.checks_total == 3
    run = game.record_checks(run, module, ["adds", "negatives", "scales"], 3)
    assert game.store.load(run.id).modules[module.id].checks_passed == ["adds", "negatives", "scales"]


async def test_the_lab_part_runs_the_checks_and_counts_them(tmp_path, monkeypatch):
    """F5 in the Lab part: the checklist in the output, the count in the status line and the save."""
    from forge_tui import locations
    from forge_tui.app import NeuralForgeApp
    from forge_tui.screens import level

    folder = tmp_path / "bosses" / "vector-awakens"
    folder.mkdir(parents=True)
    (folder / "checks.py").write_text(CHECKS)
    monkeypatch.setattr(locations, "bosses_directory", lambda: tmp_path / "bosses")
    monkeypatch.setattr(level, "bosses_directory", lambda: tmp_path / "bosses")
    app = NeuralForgeApp()
    async with app.run_test(size=(80, 24)) as pilot:
        run = app.game.store.create_run("ada", ["hacker", "artist"], "python")
        module = app.game.catalog.modules[0]
        from forge_tui.labs import ensure_lab

        ensure_lab(app.game.store.home, run.id, module, "python").write_text(
            "def add(a, b):\n    return a + b\n\ndef scale(c, xs):\n    return xs\n")
        app.push_screen(level.LevelScreen(run, module, "lab"))
        await pilot.pause()
        await pilot.press("f5")
        for _ in range(100):
            await pilot.pause(0.05)
            saved = app.game.store.load(run.id).modules.get(module.id)
            if saved and saved.checks_total:
                break
        log = "\n".join(str(line) for line in app.screen.query_one("#lab-output").lines)
        assert "✓ adds" in log and "✗ scales" in log and "hint: each entry" in log
        assert saved.checks_passed == ["adds", "negatives"] and saved.checks_total == 3
