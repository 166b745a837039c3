"""Module 6 (Backprop, Step by Step), Python side: the lab checks and the boss.

The reference passes every check and wins the boss on several seeds; the starter fails checks
and loses every case; each wrong solution loses the boss; a small change to any function of
the reference fails a check or loses the boss; the judges hold against garbage and the cases
carry inputs only. Most of it runs in-process the way the sandboxed child runs a case (decode,
call or exec, round-trip the answer through JSON); one fight and one check run go through the
real sandbox.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from bosskit import BossKit, lab_at, lost, mutated, run_case, sandbox  # noqa: F401 - sandbox is a fixture
from conftest import REPO
from forge_tui.boss import child_case, fight_sync, load_boss
from forge_tui.labcheck import check_lab_sync, load_checks

BOSS_DIR = REPO / "bosses" / "backprop-step"
REFERENCE = BOSS_DIR / "reference.py"
STARTER = REPO / "levels" / "06-backprop-step" / "lab" / "python.py"
WRONG = sorted(path.stem for path in (BOSS_DIR / "wrong").glob("*.py"))
SEEDS = (0, 1, 2, 3)
KIT = BossKit(BOSS_DIR)
boss, checks, check_list, fight, run_checks = KIT.boss, KIT.checks, KIT.check_list, KIT.fight, KIT.run_checks


# ---------------------------------------------------------------- the lab checks

def test_the_checks_are_many_and_the_same_every_time():
    first, second = checks().checks(), checks().checks()
    assert len(first) >= 5
    assert json.dumps(first) == json.dumps(second)
    assert len({c["name"] for c in first}) == len(first)
    assert all(c["hint"] and c["summary"] and "script" in c for c in first)


def test_every_function_of_the_brief_has_a_check():
    scripts = " ".join(c["script"] for c in check_list())
    for needle in ("lab.Tensor(", " @ ", " + ", ".relu()", ".cross_entropy(", ".backward(", "lab.init_mlp(",
                   "lab.mlp_forward(", "lab.train_step(", "lab.predict("):
        assert needle in scripts, needle


def test_the_reference_passes_every_check():
    assert not lost(run_checks(lab_at(REFERENCE)))


def test_the_starter_fails_the_checks_and_still_runs():
    results = run_checks(lab_at(STARTER))
    passed = [name for name, ok, _ in results if ok]
    assert passed == ["a Tensor and its gradient", "matmul: forward"]  # the parts the starter gives


def test_the_digits_check_trains_on_the_shipped_digits_and_keeps_the_labels():
    (check,) = [c for c in check_list() if c["name"].startswith("digits")]
    pixels, labels = checks().digits()
    assert pixels.shape == (1797, 64) and labels.shape == (1797,)
    assert pixels.max() == 16 and set(labels.tolist()) == set(range(10))
    assert "labels" not in child_case(check) and str(check["labels"][:20])[1:-1] not in check["script"]
    ran, got = run_case(lab_at(REFERENCE), check)
    passed, _, message = checks().judge(check, got)
    assert ran and passed, message
    assert message.startswith("test accuracy 0.9")


def test_a_lab_that_learns_nothing_fails_the_digits_check():
    (check,) = [c for c in check_list() if c["name"].startswith("digits")]
    guess = {"predictions": [0] * len(check["labels"]), "loss": 2.3, "seconds": 0.1}
    passed, _, message = checks().judge(check, guess)
    assert not passed and "below 95%" in message


@pytest.mark.parametrize("got", [None, 3, "x", [], {}, {"out": "a"}, {"out": [[1e400]]},
                                 {"predictions": [True] * 360, "seconds": 1.0}, {"arrays": [[1]] * 9}])
def test_the_check_judge_holds_against_garbage(got):
    for check in check_list():
        passed, expected, message = checks().judge(check, got)
        assert passed is False and isinstance(expected, str) and message


# Small changes to each function of the reference: (function, what is changed, replacement).
MUTATIONS = [
    ("unbroadcast", "grad = grad.sum(axis=0)", "grad = grad.mean(axis=0)"),
    ("unbroadcast", "if size == 1 and grad.shape[axis] != 1:", "if size == 0 and grad.shape[axis] != 1:"),
    ("__matmul__", "self.grad += out.grad @ other.data.T", "self.grad += out.grad @ other.data"),
    ("__matmul__", "other.grad += self.data.T @ out.grad", "other.grad = self.data.T @ out.grad"),
    ("__matmul__", "self.grad += out.grad @ other.data.T", "self.grad = out.grad @ other.data.T"),
    ("__add__", "self.grad += unbroadcast(out.grad, self.data.shape)", "self.grad += out.grad"),
    ("__add__", "other.grad += unbroadcast(out.grad, other.data.shape)", "other.grad += out.grad.sum()"),
    ("relu", "(self.data > 0) * out.grad", "(self.data >= 0) * out.grad"),
    ("relu", "np.maximum(self.data, 0.0)", "np.maximum(self.data, 1.0)"),
    ("cross_entropy", "self.data.max(axis=1, keepdims=True)", "self.data.max(axis=0, keepdims=True)"),
    ("cross_entropy", "p[rows, y] -= 1.0", "p[rows, y] += 1.0"),
    ("cross_entropy", "self.grad += out.grad * p / len(y)", "self.grad += p / len(y)"),
    ("cross_entropy", "np.mean(log_total - shifted[rows, y])", "np.sum(log_total - shifted[rows, y])"),
    ("cross_entropy", "shifted = self.data - self.data.max(axis=1, keepdims=True)", "shifted = self.data"),
    ("backward", "for t in reversed(order):", "for t in order:"),
    ("backward", "self.grad = np.ones_like(self.data) if grad is None", "self.grad = np.zeros_like(self.data) if grad is None"),
    ("backward", "if id(t) not in seen:", "if True:"),
    ("init_mlp", "np.sqrt(2.0 / n_in)", "np.sqrt(1.0 / n_in)"),
    ("init_mlp", "Tensor(np.zeros(n_out))", "Tensor(np.ones(n_out))"),
    ("mlp_forward", "if i < layers - 1:", "if i < layers:"),
    ("mlp_forward", "h = h @ params[2 * i] + params[2 * i + 1]", "h = h @ params[2 * i]"),
    ("train_step", "p.data -= lr * p.grad", "p.data += lr * p.grad"),
    ("train_step", "        p.grad = np.zeros_like(p.data)\n", "        pass\n"),
    ("train_step", "    return float(loss.data)\n\n\ndef predict", "    return 0.0\n\n\ndef predict"),
    ("predict", "argmax(axis=1)", "argmax(axis=0)"),
    ("mlp_backward", "[t.grad for t in tensors]", "[t.grad for t in reversed(tensors)]"),
]


@pytest.mark.parametrize(("function", "old", "new"), MUTATIONS, ids=[f"{m[0]}-{i}" for i, m in enumerate(MUTATIONS)])
def test_a_small_change_to_the_reference_is_caught(function, old, new):
    mutant = mutated(REFERENCE, old, new, f"_mutant_{function}")
    assert KIT.catches(mutant), f"{function}: {new!r} passed every check and won the boss"


# ---------------------------------------------------------------- the boss

@pytest.mark.parametrize("seed", SEEDS)
def test_the_reference_wins_every_case(seed):
    assert not lost(fight(lab_at(REFERENCE), seed))


def test_the_starter_loses_every_case():
    results = fight(lab_at(STARTER), 0)
    assert results and not any(passed for _, passed, _ in results)


def test_there_are_at_least_five_wrong_solutions_each_naming_its_mistake():
    assert len(WRONG) >= 5
    for name in WRONG:
        first = (BOSS_DIR / "wrong" / f"{name}.py").read_text().splitlines()[0]
        assert first.startswith('"""Wrong on purpose: ') and len(first) > 40, name


@pytest.mark.parametrize("name", WRONG)
def test_each_wrong_solution_loses(name):
    lab = lab_at(BOSS_DIR / "wrong" / f"{name}.py")
    for seed in SEEDS[:3]:
        assert lost(fight(lab, seed)), f"{name} won with seed {seed}"


def test_each_fight_draws_fresh_cases_with_the_traps_in_them():
    first, second = (boss().cases(np.random.default_rng(seed)) for seed in (0, 1))
    assert len(first) >= 8 and [c["name"] for c in first] == [c["name"] for c in second]
    assert json.dumps(first) != json.dumps(second)
    zeros = next(c for c in first if "exactly 0" in c["name"])
    params, X, _ = boss()._inputs(zeros)
    assert np.sum(np.all(X @ params[0] + params[1] == 0.0, axis=0)) >= 4  # units with z == 0, every row
    big = next(c for c in first if "1000" in c["name"])
    params, X, _ = boss()._inputs(big)
    assert np.all(np.maximum(np.maximum(X @ params[0] + params[1], 0) @ params[2] + params[3], 0) @ params[4]
                  + params[5] > 900)


def test_the_cases_send_inputs_only():
    for case in boss().cases(np.random.default_rng(4)):
        sent = json.dumps(child_case(case))
        loss, _ = boss().loss_and_grads(*boss()._inputs(case))
        assert f"{loss:.6f}"[:-1] not in sent and "hint" not in sent and case["name"] not in sent


@pytest.mark.parametrize("got", [None, 1.0, [1.0], [1.0, []], [float("nan"), [0] * 6], ["2", [[0]] * 6],
                                 [True, [[0]] * 6], [1.0, [[0]] * 6], {"loss": 1}])
def test_the_boss_judge_holds_against_garbage(got):
    case = boss().cases(np.random.default_rng(0))[0]
    passed, expected, message = boss().judge(case, got)
    assert passed is False and expected and message


def test_the_judge_names_the_first_wrong_gradient():
    case = boss().cases(np.random.default_rng(0))[0]
    loss, grads = boss().loss_and_grads(*boss()._inputs(case))
    grads[3] = grads[3] + 1e-4
    passed, _, message = boss().judge(case, [loss, [g.tolist() for g in grads]])
    assert not passed and message.startswith("db2[") and "expected" in message
    grads[3] = grads[3] - 1e-4 + 5e-6  # inside the tolerance
    assert boss().judge(case, [loss + 5e-6, [g.tolist() for g in grads]])[0]


# ---------------------------------------------------------------- through the sandbox

def test_the_sandboxed_fight_and_checks_agree(sandbox):
    real = load_boss("backprop-step", root=REPO / "bosses")
    report = fight_sync(real, REFERENCE, sandbox, seed=5)
    assert report.won, report.message
    starter = fight_sync(real, STARTER, sandbox, seed=5)
    assert not starter.won and starter.passed == 0
    lab_checks = load_checks("backprop-step", root=REPO / "bosses")
    passed = check_lab_sync(lab_checks, REFERENCE, sandbox)
    assert passed.all_passed, passed.message
    failed = check_lab_sync(lab_checks, STARTER, sandbox)
    assert not failed.all_passed and failed.passed == 2


# ---------------------------------------------------------------- played through the TUI

async def test_module_6_is_forged_through_the_tui_and_earns_backproparena(isolated_home):
    from textual.widgets import Input, TextArea

    from forge_tui.app import NeuralForgeApp
    from forge_tui.screens.level import LevelScreen
    from forge_tui.unlocks import EARNED, find_unlock, unlock_state
    from forge_tui.widgets.boss import BossPanel

    app = NeuralForgeApp(animate=False)
    async with app.run_test(size=(80, 24)) as pilot:
        game = app.game
        run = game.store.create_run("ada", ["hacker", "artist"], "python")
        for module in game.catalog.modules[:5]:
            run = game.store.update(run.id, lambda state, m=module: setattr(state.progress(m.id), "gate_passed", True))
        module = game.catalog.module("backprop-step")
        await app.push_screen(LevelScreen(run, module, "lab"))
        await pilot.pause()
        app.screen.query_one("#lab-editor", TextArea).text = REFERENCE.read_text()
        await pilot.press("ctrl+b")  # the boss, then its confirmation fight on fresh cases
        await app.workers.wait_for_complete()
        await pilot.pause()
        panel = app.screen.query_one(BossPanel)
        assert panel.passed == panel.total == 8
        await pilot.press("5")  # the Gate
        await pilot.pause()
        gate = app.screen.query_one("#gate-input", Input)
        gate.focus()
        await pilot.press(*"203264", "enter")
        await pilot.pause(0.3)
        saved = game.store.load(run.id).progress(module.id)
        assert saved.boss_defeated and saved.gate_passed
        assert unlock_state(find_unlock("BackpropArena"), game.store.load(run.id), game) == EARNED
