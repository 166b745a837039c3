"""Module 7 (Optimizers), Python side: the lab checks and the boss.

The reference passes every check and wins the boss on several seeds; the starter fails every
check and loses every case; each wrong solution loses the boss; rewritings of the same
algorithms that round differently still win; a small change to any function of the reference
fails a check or loses the boss; the judges hold against garbage and the cases carry inputs
only. Most of it runs in-process the way the sandboxed child runs a case (exec the script with
`lab` and `np` bound, round-trip the answer through JSON); one fight and one check run go
through the real sandbox.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from bosskit import BossKit, lab_at, lab_from, lost, mutated, sandbox  # noqa: F401 - sandbox is a fixture
from conftest import REPO
from forge_tui.boss import child_case, fight_sync, load_boss
from forge_tui.labcheck import check_lab_sync, load_checks

BOSS_DIR = REPO / "bosses" / "optimizers"
REFERENCE = BOSS_DIR / "reference.py"
STARTER = REPO / "levels" / "07-optimizers" / "lab" / "python.py"
WRONG = sorted(path.stem for path in (BOSS_DIR / "wrong").glob("*.py"))
SEEDS = (0, 1, 2)


KIT = BossKit(BOSS_DIR, draw_once=True)
boss, checks, check_list, fight_cases, fight = KIT.boss, KIT.checks, KIT.check_list, KIT.cases, KIT.fight
run_checks = KIT.run_checks


# ---------------------------------------------------------------- the lab checks

def test_the_checks_are_many_and_the_same_every_time():
    first, second = checks().checks(), checks().checks()
    assert len(first) >= 5
    assert json.dumps(first) == json.dumps(second)
    assert len({c["name"] for c in first}) == len(first)
    assert all(c["hint"] and c["summary"] and "script" in c for c in first)


def test_every_function_of_the_brief_has_a_check():
    scripts = " ".join(c["script"] for c in check_list())
    for function in ("sgd", "momentum", "rmsprop", "adam", "adamw", "lr_at", "clip_by_global_norm", "train"):
        assert f"lab.{function}(" in scripts or f"lab.{function}," in scripts, function


def test_the_reference_passes_every_check():
    assert not lost(run_checks(lab_at(REFERENCE)))


def test_the_starter_fails_every_check_and_still_runs():
    results = run_checks(lab_at(STARTER))
    assert not [name for name, ok, _ in results if ok]
    assert all("NotImplementedError" in message for _, _, message in results)


@pytest.mark.parametrize("got", [None, 3, "x", [], {}, [[1.0, 2.0]], {"clipped": "a", "norm": 1},
                                 [[float("nan")] * 3] * 2, {"sgd": [0, 0]}, [True] * 40])
def test_the_check_judge_holds_against_garbage(got):
    for check in check_list():
        passed, expected, message = checks().judge(check, got)
        assert passed is False and isinstance(expected, str) and expected and message


def test_a_failed_check_shows_what_was_expected():
    check = next(c for c in check_list() if c["name"] == "adam: the first step has size η")
    passed, expected, message = checks().judge(check, [[1.0, -2.0, 0.5], [0.9, -1.9, 0.4]])
    assert not passed and expected.startswith("θ after each step: (0.90099, -1.9, 0.4)")
    assert message.startswith("after step 1 θ is (0.9, -1.9, 0.4)")


def test_the_first_adam_step_has_size_lr_whatever_the_gradients_scale():
    """The level's derivation "Adam's first step has size η", in the check's own numbers."""
    check = next(c for c in check_list() if c["name"] == "adam: the first step has size η")
    path = checks().expected_path(check)
    moved = np.abs(path[1] - path[0])
    assert moved[1:] == pytest.approx([0.1, 0.1], rel=1e-7)  # |g| = 1 and 1e6
    assert moved[0] == pytest.approx(0.1 * 1e-6 / (1e-6 + 1e-8))  # where ε is not negligible


# Small changes to each function of the reference: (function, what is changed, replacement).
MUTATIONS = [
    ("sgd", "return theta - lr * grad, state", "return theta + lr * grad, state"),
    ("sgd", "return theta - lr * grad, state", "return theta - grad, state"),
    ("momentum", 'v = beta * state.get("v", np.zeros_like(theta)) + grad', 'v = beta * state.get("v", np.zeros_like(theta)) + lr * grad'),
    ("momentum", 'v = beta * state.get("v", np.zeros_like(theta)) + grad', 'v = state.get("v", np.zeros_like(theta)) + grad'),
    ("momentum", '    state["v"] = v\n    return theta - lr * v, state', '    return theta - lr * v, state'),
    ("momentum", "return theta - lr * v, state", "return theta - lr * grad, state"),
    ("rmsprop", "(1 - beta) * grad**2", "(1 - beta) * grad"),
    ("rmsprop", "(1 - beta) * grad**2", "beta * grad**2"),
    ("rmsprop", "lr * grad / (np.sqrt(s) + eps)", "lr * grad / np.sqrt(s + eps)"),
    ("rmsprop", "lr * grad / (np.sqrt(s) + eps)", "lr * grad / (s + eps)"),
    ("adam", 't = state.get("t", 0) + 1', 't = state.get("t", 1) + 1'),
    ("adam", 't = state.get("t", 0) + 1', 't = state.get("t", 0)'),
    ("adam", "(1 - beta1) * grad", "(1 - beta2) * grad"),
    ("adam", "(1 - beta2) * grad**2", "(1 - beta1) * grad**2"),
    ("adam", "m_hat = m / (1 - beta1**t)", "m_hat = m"),
    ("adam", "v_hat = v / (1 - beta2**t)", "v_hat = v / (1 - beta1**t)"),
    ("adam", "lr * m_hat / (np.sqrt(v_hat) + eps)", "lr * m_hat / (v_hat + eps)"),
    ("adam", "lr * m_hat / (np.sqrt(v_hat) + eps)", "lr * m_hat / np.sqrt(v_hat + eps)"),
    ("adam", "state.update(t=t, m=m, v=v)", "state.update(m=m, v=v)"),
    ("adamw", "decayed = theta - lr * weight_decay * theta  #", "decayed = theta - weight_decay * theta  #"),
    ("adamw", "decayed = theta - lr * weight_decay * theta  #", "decayed = theta  #"),
    ("adamw", "return adam(decayed, grad, state, lr, beta1, beta2, eps)",
     "return adam(theta, grad + weight_decay * theta, state, lr, beta1, beta2, eps)"),
    ("lr_at", "if t <= warmup:", "if t <= warmup + 1:"),
    ("lr_at", "return lr_max * t / warmup", "return lr_max * (t - 1) / warmup"),
    ("lr_at", "s = min(1.0, (t - warmup) / (total - warmup))", "s = (t - warmup) / (total - warmup)"),
    ("lr_at", "s = min(1.0, (t - warmup) / (total - warmup))", "s = min(1.0, t / total)"),
    ("lr_at", "0.5 * (lr_max - lr_min) * (1 + np.cos(np.pi * s))", "(lr_max - lr_min) * np.cos(np.pi * s / 2)"),
    ("clip_by_global_norm", "float(np.sqrt(sum(np.sum(g * g) for g in grads)))", "float(sum(np.sum(g * g) for g in grads))"),
    ("clip_by_global_norm", "float(np.sqrt(sum(np.sum(g * g) for g in grads)))",
     "max(float(np.linalg.norm(g)) for g in grads)"),
    ("clip_by_global_norm", "if norm <= max_norm:", "if norm >= max_norm:"),
    ("clip_by_global_norm", "[g * (max_norm / norm) for g in grads]", "[g / norm for g in grads]"),
    ("clip_by_global_norm", "[g * (max_norm / norm) for g in grads]",
     "[g * min(1.0, max_norm / float(np.linalg.norm(g))) for g in grads]"),
    ("train", "grads, _ = clip_by_global_norm(grads, max_norm)", "pass"),
    ("train", "rate = lr_at(t, lr, warmup, steps, lr / 10)", "rate = lr"),
    ("train", "rate = lr_at(t, lr, warmup, steps, lr / 10)", "rate = lr_at(t - 1, lr, warmup, steps, lr / 10)"),
    ("train", "params[i], states[i] = step_fn(p, g, states[i], lr=rate, **hp)",
     "params[i], states[0] = step_fn(p, g, states[0], lr=rate, **hp)"),
    ("train", "        losses.append(loss)\n    return losses", "        losses.append(loss_and_grads(params, X, y)[0])\n    return losses"),
]


@pytest.mark.parametrize(("function", "old", "new"), MUTATIONS, ids=[f"{m[0]}-{i}" for i, m in enumerate(MUTATIONS)])
def test_a_small_change_to_the_reference_is_caught(function, old, new):
    mutant = mutated(REFERENCE, old, new, f"_mutant_{function}")
    assert KIT.catches(mutant), f"{function}: {new!r} passed every check and won the boss"


def test_every_function_of_the_lab_has_a_mutation():
    functions = {m[0] for m in MUTATIONS}
    assert functions == {"sgd", "momentum", "rmsprop", "adam", "adamw", "lr_at", "clip_by_global_norm", "train"}


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
    for seed in SEEDS:
        assert lost(fight(lab, seed, stop_at_first_failure=True)), f"{name} won with seed {seed}"


# The same algorithms written another way: every operation rounds differently from the judge's.
REWRITTEN = '''
import math
import numpy as np

def sgd(theta, grad, state, lr=0.1):
    theta = theta.copy()
    theta -= lr * grad
    return theta, state

def momentum(theta, grad, state, lr=0.01, beta=0.9):
    state["v"] = beta * state.get("v", 0.0) + grad
    return theta - state["v"] * lr, state

def rmsprop(theta, grad, state, lr=0.01, beta=0.99, eps=1e-8):
    s = state.get("s", np.zeros_like(theta))
    s = s + (1 - beta) * (grad * grad - s)
    state["s"] = s
    return theta - lr * (grad / (np.sqrt(s) + eps)), state

def adam(theta, grad, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m, v = state.get("m", np.zeros_like(theta)), state.get("v", np.zeros_like(theta))
    m = m + (1 - beta1) * (grad - m)
    v = v + (1 - beta2) * (grad * grad - v)
    b1, b2 = state.get("b1", 1.0) * beta1, state.get("b2", 1.0) * beta2   # β₁ᵗ and β₂ᵗ as running products
    state.update(m=m, v=v, b1=b1, b2=b2)
    return theta - (lr / (1 - b1)) * m / (np.sqrt(v) / math.sqrt(1 - b2) + eps), state

def adamw(theta, grad, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    return adam(theta * (1 - lr * weight_decay), grad, state, lr, beta1, beta2, eps)
'''


@pytest.mark.parametrize("seed", SEEDS)
def test_the_same_algorithms_rounded_differently_still_win(seed):
    rewritten = lab_from(REWRITTEN, "_rewritten")
    assert not lost(fight(rewritten, seed))


def test_each_fight_draws_fresh_steady_cases():
    first, second = fight_cases(0), fight_cases(1)
    assert len(first) >= 8 and [c["name"] for c in first] == [c["name"] for c in second]
    assert json.dumps(first) != json.dumps(second)
    for case in first:
        assert case["steps"] >= 150  # hundreds of steps
        assert boss().steady(case, np.random.default_rng(9))  # steady for other noise too
        path = boss().trajectory(case)
        assert np.all(np.isfinite(path)) and np.abs(path).max() < 10
    surfaces = {c["surface"] for c in first}
    assert {"quadratic", "rosenbrock", "saddle", "beale"} <= surfaces
    for optimizer in boss().OPTIMIZERS:
        mine = [c for c in first if c["optimizer"] == optimizer]
        assert any(c["lrs"] for c in mine) and any(c["lrs"] is None for c in mine), optimizer


def test_a_chaotic_case_is_not_steady():
    """RMSProp bouncing around a minimum at a constant rate: rounding decides where it lands."""
    case = {"surface": "quadratic", "constants": [50.5, 49.5, 50.5], "theta0": [1.0, 0.5], "optimizer": "rmsprop",
            "hp": {"lr": 0.05, "beta": 0.9, "eps": 1e-8}, "lrs": None, "steps": 300}
    assert not boss().steady(case, np.random.default_rng(0))


def test_the_cases_send_inputs_only():
    for case in fight_cases(4):
        sent = json.dumps(child_case(case))
        end = boss().trajectory(case)[-1]
        assert repr(float(end.ravel()[0]))[:12] not in sent and "hint" not in sent and case["name"] not in sent


@pytest.mark.parametrize("got", [None, 1.0, "x", [1.0], [[1.0, 2.0]], {"a": 1}, [[True, False]] * 3])
def test_the_boss_judge_holds_against_garbage(got):
    case = fight_cases(0)[0]
    passed, expected, message = boss().judge(case, got)
    assert passed is False and expected and message


def test_the_judge_names_the_first_step_that_departs():
    case = fight_cases(0)[3]
    path = boss().trajectory(case)
    mine = path.copy()
    mine[17:] += 1e-6
    passed, _, message = boss().judge(case, mine.tolist())
    assert not passed and message.startswith("step 17 departs")
    mine = path * (1 + 5e-9)  # inside the tolerance
    assert boss().judge(case, mine.tolist())[0]
    mine[40, 0] = float("nan")
    assert boss().judge(case, mine.tolist())[2].startswith("step 40 departs")


def test_the_schedule_is_the_levels_warm_up_then_cosine():
    lr_at = boss().lr_at
    assert [lr_at(t, 0.6, 4, 12, 0.06) for t in (1, 4)] == pytest.approx([0.15, 0.6])
    assert lr_at(8, 0.6, 4, 12, 0.06) == pytest.approx((0.6 + 0.06) / 2)  # half-way: the average
    assert lr_at(12, 0.6, 4, 12, 0.06) == pytest.approx(0.06)
    assert lr_at(8, 6e-4, 4, 12, 6e-5) == pytest.approx(3.3e-4)  # the level's GPT-3 numbers
    assert math.isclose(lr_at(5, 1.0, 0, 10, 0.0), 0.5 * (1 + math.cos(math.pi / 2)))  # no warm-up


# ---------------------------------------------------------------- through the sandbox

def test_the_sandboxed_fight_and_checks_agree(sandbox):
    real = load_boss("optimizers", root=REPO / "bosses")
    report = fight_sync(real, REFERENCE, sandbox, seed=5)
    assert report.won, report.message
    starter = fight_sync(real, STARTER, sandbox, seed=5)
    assert not starter.won and starter.passed == 0
    lab_checks = load_checks("optimizers", root=REPO / "bosses")
    passed = check_lab_sync(lab_checks, REFERENCE, sandbox)
    assert passed.all_passed, passed.message
    failed = check_lab_sync(lab_checks, STARTER, sandbox)
    assert failed.passed == 0
