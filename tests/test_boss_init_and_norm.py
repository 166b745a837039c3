"""Module 8 (Regularization, Initialization, Normalization), Python side: the lab checks and the
Twenty-Layer Tower.

The reference passes every check and wins the boss; the starter (a plain tower with nn.Linear's
default init) fails the checks and loses; each wrong solution loses on several seeds; a small
change to any function of the reference fails a check or loses the boss; the judges hold
against garbage; the cases carry inputs only and the held-out labels never reach the child.
Most of it runs in-process the way the sandboxed child runs a case (decode, call or exec,
round-trip the answer through JSON), stopping at the first lost case; one fight and one check
run go through the real sandbox.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from bosskit import BossKit, lab_at, lost, mutated, run_case, sandbox  # noqa: F401 - sandbox is a fixture
from conftest import REPO
from forge_tui.boss import child_case, fight_sync, load_boss
from forge_tui.labcheck import check_lab_sync, load_checks

BOSS_DIR = REPO / "bosses" / "init-and-norm"
REFERENCE = BOSS_DIR / "reference.py"
STARTER = REPO / "levels" / "08-init-and-norm" / "lab" / "python.py"
WRONG = sorted(path.stem for path in (BOSS_DIR / "wrong").glob("*.py"))


KIT = BossKit(BOSS_DIR, draw_once=True)
boss, checks, check_list, cases, fight = KIT.boss, KIT.checks, KIT.check_list, KIT.cases, KIT.fight
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
    for function in ("he_init", "xavier_init", "signal_stats", "layer_norm", "layer_norm_backward", "rms_norm",
                     "dropout", "l2_penalty", "build", "tower_forward", "tower_backward"):
        assert f"lab.{function}(" in scripts, function


def test_the_reference_passes_every_check():
    assert not lost(run_checks(lab_at(REFERENCE)))


def test_the_starter_fails_the_checks_but_its_plain_tower_has_the_right_shapes():
    results = run_checks(lab_at(STARTER))
    assert [name for name, ok, _ in results if ok] == ["the tower: names and shapes"]
    vanished = next(message for name, _, message in results if name.startswith("the tower at init"))
    assert "has vanished" in vanished


def test_the_variance_checks_tell_he_from_lecun():
    """The variance argument as checks: √(1/n) must fade, √(2/n) must not."""
    alive = next(c for c in check_list() if c["kind"] == "alive")
    fades = next(c for c in check_list() if c["kind"] == "fades")
    lab = lab_at(REFERENCE)
    swapped_alive, swapped_fades = dict(alive, script=fades["script"]), dict(fades, script=alive["script"])
    for check in (swapped_alive, swapped_fades):
        ran, got = run_case(lab, check)
        assert ran and not checks().judge(check, got)[0]


@pytest.mark.parametrize("got", [None, 3, "x", [], {}, {"acts": [1.0], "grads": []}, [[1e400]],
                                 {"value": True, "grads": []}, [[0.0] * 3] * 3, {"logits": [7, 5, 1]}])
def test_the_check_judge_holds_against_garbage(got):
    for check in check_list():
        passed, expected, message = checks().judge(check, got)
        assert passed is False and isinstance(expected, str) and message


# Small changes to each function of the reference: (function, what is changed, replacement).
MUTATIONS = [
    ("he_init", "(fan_in, fan_out)) * np.sqrt(2.0 / fan_in)", "(fan_in, fan_out)) * np.sqrt(2.0 / fan_out)"),
    ("he_init", "(fan_in, fan_out)) * np.sqrt(2.0 / fan_in)", "(fan_in, fan_out)) * np.sqrt(1.0 / fan_in)"),
    ("he_init", "(fan_in, fan_out)) * np.sqrt(2.0 / fan_in)", "(fan_out, fan_in)) * np.sqrt(2.0 / fan_in)"),
    ("xavier_init", "np.sqrt(2.0 / (fan_in + fan_out))", "np.sqrt(1.0 / (fan_in + fan_out))"),
    ("signal_stats", "act_stds.append(float(h.std()))", "act_stds.append(float(z.std()))"),
    ("signal_stats", "dh = (dh * (zs[l] > 0)) @ Ws[l].T", "dh = dh @ Ws[l].T"),
    ("signal_stats", "dh = (dh * (zs[l] > 0)) @ Ws[l].T", "dh = (dh * (zs[l] > 0)) @ Ws[l]"),
    ("signal_stats", "    h = rng.standard_normal((256, width))\n    G = rng.standard_normal((256, width))\n",
     "    G = rng.standard_normal((256, width))\n    h = rng.standard_normal((256, width))\n"),
    ("signal_stats", "for l in reversed(range(depth)):\n        grad_norms[l]",
     "for l in range(depth):\n        grad_norms[l]"),
    ("layer_norm", "var = x.var(axis=-1, keepdims=True)  # the biased", "var = x.var(axis=-1, keepdims=True, ddof=1)  #"),
    ("layer_norm", "(x - mean) / np.sqrt(var + eps) + beta", "(x - mean) / (np.sqrt(var) + eps) + beta"),
    ("layer_norm", "(x - mean) / np.sqrt(var + eps) + beta", "(x - mean) / np.sqrt(var + eps) - beta"),
    ("layer_norm", "return gamma * (x - mean)", "return (x - mean)"),
    ("layer_norm_backward", "    dx = (dx_hat - dx_hat.mean(axis=-1, keepdims=True)\n",
     "    dx = (dx_hat\n"),
    ("layer_norm_backward", "- x_hat * (dx_hat * x_hat).mean(axis=-1, keepdims=True))",
     "- x_hat * dx_hat.mean(axis=-1, keepdims=True))"),
    ("layer_norm_backward", "return dx, (dy * x_hat).sum(axis=0), dy.sum(axis=0)",
     "return dx, (dy * x_hat).sum(axis=0), dy.mean(axis=0)"),
    ("layer_norm_backward", "dx_hat = dy * gamma", "dx_hat = dy"),
    ("rms_norm", "np.mean(x ** 2, axis=-1, keepdims=True) + eps)", "np.sum(x ** 2, axis=-1, keepdims=True) + eps)"),
    ("rms_norm", "np.mean(x ** 2, axis=-1, keepdims=True) + eps)", "np.mean(x ** 2, axis=-1, keepdims=True)) + eps"),
    ("dropout", "keep = rng.random(x.shape) >= p", "keep = rng.random(x.shape) < p"),
    ("dropout", "return x * keep / (1.0 - p)", "return x * keep"),
    ("dropout", "if not train or p == 0:", "if p == 0:"),
    ("l2_penalty", "value = 0.5 * lam *", "value = lam *"),
    ("l2_penalty", "[lam * W for W in weights]", "[2 * lam * W for W in weights]"),
    ("build", '"gamma": np.ones((depth, width))', '"gamma": np.zeros((depth, width))'),
    ("build", '"W_in": he_init(n_in, width, rng)', '"W_in": he_init(width, n_in, rng)'),
    ("tower_forward", "h = h + np.maximum(z, 0.0)", "h = np.maximum(z, 0.0)"),
    ("tower_forward", "a = layer_norm(h, gamma, beta)", "a = h"),
    ("tower_forward", "return h @ params[\"W_out\"] + params[\"b_out\"], cache",
     "return h @ params[\"W_out\"], cache"),
    ("tower_backward", "dz = dh * (z > 0)", "dz = dh"),
    ("tower_backward", 'grads["W"][l] = a.T @ dz', 'grads["W"][l] = h.T @ dz'),
    ("tower_backward", "dh = dh + dx  #", "dh = dx  #"),
    ("tower_backward", 'grads["b_out"] = dlogits.sum(axis=0)', 'grads["b_out"] = dlogits.mean(axis=0)'),
    ("tower_backward", 'grads["b_in"] = dh.sum(axis=0)', 'grads["b_in"] = dh.sum(axis=1)'),
]


@pytest.mark.parametrize(("function", "old", "new"), MUTATIONS, ids=[f"{m[0]}-{i}" for i, m in enumerate(MUTATIONS)])
def test_a_small_change_to_the_reference_is_caught(function, old, new):
    mutant = mutated(REFERENCE, old, new, f"_mutant_{function}")
    assert KIT.catches(mutant), f"{function}: {new!r} passed every check and won the boss"


# ---------------------------------------------------------------- the boss

@pytest.mark.parametrize("seed", (0, 1))
def test_the_reference_wins_every_case(seed):
    assert not lost(fight(lab_at(REFERENCE), seed))


def test_the_starter_loses_and_says_why():
    results = dict((name, message) for name, _, message in fight(lab_at(STARTER), 0) if not _)
    assert "NotImplementedError" in results["layer_norm on hidden rows"]
    assert "has vanished" in results["the tower at init: depth 20"]
    assert "training cross-entropy 0.69" in results["training on hidden spirals"]


def test_there_are_at_least_five_wrong_solutions_each_naming_its_mistake():
    assert len(WRONG) >= 5
    for name in WRONG:
        first = (BOSS_DIR / "wrong" / f"{name}.py").read_text().splitlines()[0]
        assert first.startswith('"""Wrong on purpose: ') and len(first) > 40, name


@pytest.mark.parametrize("name", WRONG)
def test_each_wrong_solution_loses(name):
    lab = lab_at(BOSS_DIR / "wrong" / f"{name}.py")
    for seed in (0, 1, 2):
        assert lost(fight(lab, seed, stop_at_first_failure=True)), f"{name} won with seed {seed}"


def test_a_plain_tower_with_default_init_loses_on_the_band_and_on_the_loss():
    results = dict((name, (ok, message)) for name, ok, message in fight(lab_at(BOSS_DIR / "wrong" / "plain_default_init.py"), 1))
    assert results["layer_norm on hidden rows"][0]
    assert not results["the tower at init: depth 20"][0] and "vanished" in results["the tower at init: depth 20"][1]
    assert not results["training on hidden spirals"][0]


def test_each_fight_draws_fresh_cases():
    first, second = cases(0), cases(1)
    assert [c["name"] for c in first] == [c["name"] for c in second]
    assert json.dumps(first) != json.dumps(second)
    for one, other in zip(first, second):
        assert json.dumps(child_case(one)) != json.dumps(child_case(other)), one["name"]


def test_the_cases_send_inputs_only():
    for case in cases(3):
        sent = json.dumps(child_case(case))
        assert "hint" not in sent and case["name"] not in sent
    train = next(c for c in cases(3) if c["kind"] == "train")
    sent = child_case(train)["script"]
    assert repr(train["y"]) in sent and repr(train["X_test"]) in sent  # the training set and the held-out points go,
    assert repr(train["labels"]) not in sent  # the held-out labels stay


@pytest.mark.parametrize("got", [None, 1.0, [1.0], "x", {}, {"norms": [1.0] * 7}, {"norms": "a"},
                                 {"logits": [[0.0, 0.0]] * 3}, [[1.0, 2.0, 3.0]] * 24, {"norms": [float("nan")] * 20}])
def test_the_boss_judge_holds_against_garbage(got):
    for case in cases(0):
        passed, expected, message = boss().judge(case, got)
        assert passed is False and message


def test_the_band_judge_names_vanishing_exploding_and_uneven():
    health = next(c for c in cases(0) if c["kind"] == "health")
    judge = boss().judge
    assert judge(health, {"norms": [1.0] * 20})[0]
    assert "vanished" in judge(health, {"norms": [1.0] * 19 + [1e-4]})[2]
    assert "exploded" in judge(health, {"norms": [1.0] * 19 + [1e4]})[2]
    assert "a factor of 50" in judge(health, {"norms": [0.1] + [5.0] * 19})[2]


def test_the_training_judge_computes_the_loss_and_the_held_out_accuracy_itself():
    train = next(c for c in cases(0) if c["kind"] == "train")
    judge = boss().judge

    def sure(labels, sign=1.0):
        return (np.where(np.eye(2)[np.array(labels)] > 0, 5.0, -5.0) * sign).tolist()

    good = {"train_logits": sure(train["y"]), "logits": sure(train["labels"]), "losses": [0.7, 0.1]}
    assert judge(train, good)[0]
    assert not judge(train, dict(good, logits=sure(train["labels"], -1.0)))[0]  # the held-out points wrong
    assert not judge(train, dict(good, train_logits=np.zeros((len(train["y"]), 2)).tolist()))[0]  # loss log 2
    assert not judge(train, dict(good, logits=[[float("nan"), 0.0]] * len(train["labels"])))[0]


# ---------------------------------------------------------------- through the sandbox

def test_the_sandboxed_fight_and_checks_agree(sandbox):
    real = load_boss("init-and-norm", root=REPO / "bosses")
    report = fight_sync(real, REFERENCE, sandbox, seed=5)
    assert report.won, report.message
    starter = fight_sync(real, STARTER, sandbox, seed=5)
    assert not starter.won
    lab_checks = load_checks("init-and-norm", root=REPO / "bosses")
    passed = check_lab_sync(lab_checks, REFERENCE, sandbox)
    assert passed.all_passed, passed.message
    failed = check_lab_sync(lab_checks, STARTER, sandbox)
    assert not failed.all_passed and failed.passed == 1
