"""Module 10 (Sequences: RNNs and LSTMs): the lab checks and The Binary Adder.

The reference passes every check and wins the boss; the starter fails every check and loses
every case; each wrong solution loses, and backpropagation that drops the carry between steps
loses the adder itself; a small change to any function of the reference fails a check or loses
the boss; the judges' own math agrees with central differences and with a hand-wired LSTM that
adds; the judges hold against garbage, and the held-out pairs never reach the lab. Most of it
runs in-process the way the sandboxed child runs a case (exec the script with `lab` and `np`,
round-trip the answer through JSON); one fight and one check run go through the real sandbox.
"""

from __future__ import annotations

import functools
import json

import numpy as np
import pytest

import bosskit
from bosskit import BossKit, encode, lost, mutated, sandbox  # noqa: F401 - sandbox is a fixture
from conftest import REPO
from forge_tui.boss import child_case, fight_sync, load_boss
from forge_tui.labcheck import check_lab_sync, load_checks

BOSS_DIR = REPO / "bosses" / "sequences-rnn"
REFERENCE = BOSS_DIR / "reference.py"
LEVEL = REPO / "levels" / "10-sequences-rnn"
STARTER = LEVEL / "lab" / "python.py"
WRONG = sorted(path.stem for path in (BOSS_DIR / "wrong").glob("*.py"))
LAB_FUNCTIONS = ("rnn_step", "rnn_forward", "rnn_backward", "jacobian_norms", "lstm_step", "lstm_forward",
                 "lstm_backward", "lstm_param_count", "lstm_init", "sequence_loss", "clip_by_global_norm",
                 "train_step", "fit")


KIT = BossKit(BOSS_DIR)
boss, checks, check_list, fight, run_checks = KIT.boss, KIT.checks, KIT.check_list, KIT.fight, KIT.run_checks
lab_at = functools.cache(bosskit.lab_at)


# ---------------------------------------------------------------- the lab checks

def test_the_checks_are_many_and_the_same_every_time():
    first, second = checks().checks(), checks().checks()
    assert len(first) >= 5
    assert json.dumps(first) == json.dumps(second)
    assert len({c["name"] for c in first}) == len(first)
    assert all(c["hint"] and c["summary"] and "script" in c for c in first)
    assert all(set(child_case(c)) == {"script"} for c in first)


def test_every_function_of_the_brief_has_a_check_and_a_line_in_the_brief():
    scripts = " ".join(c["script"] for c in check_list())
    brief = (LEVEL / "level.toml").read_text().split("[lab]")[1].split("[boss]")[0]
    for function in LAB_FUNCTIONS:
        assert f"lab.{function}(" in scripts, function
        assert f"`{function}(" in brief, function


def test_the_reference_passes_every_check():
    assert not lost(run_checks(lab_at(REFERENCE)))


def test_the_starter_fails_every_check_and_still_runs():
    results = run_checks(lab_at(STARTER))
    assert results and not any(passed for _, passed, _ in results)
    assert all("NotImplementedError" in message for _, _, message in results)


def test_the_starter_and_the_reference_share_the_given_code():
    """predict, the two data makers and the tour under __main__ are given: the same text in both."""
    starter, reference = STARTER.read_text(), REFERENCE.read_text()
    given = starter[starter.index("def predict("):]
    assert reference.endswith(given)


def test_the_checks_finite_differences_agree_with_the_boss_backward_pass():
    """The checks judge gradients by central differences; the boss by its analytic backward pass.
    On the checks' own LSTM inputs they agree, so both judges ask for the same gradients."""
    v = {k: np.array(value, dtype=float) for k, value in
         next(c for c in check_list() if c["kind"] == "lstm_grads")["inputs"].items()}
    _, tape = boss().run(v["xs"], v["h0"], v["c0"], v["W"], v["b"])
    analytic = boss().backward(v["xs"], v["W"], tape, v["dhs"])

    def loss(a):
        return float(np.sum(boss().run(a["xs"], a["h0"], a["c0"], a["W"], a["b"])[0] * a["dhs"]))

    numeric = checks().central_differences(loss, v, ("W", "b", "h0", "c0"))
    for name in numeric:
        assert np.allclose(analytic[name], numeric[name], atol=1e-8, rtol=1e-7), name


def test_the_checks_rnn_math_agrees_with_central_differences():
    v = checks().VANISH
    g = checks().rnn_gradient_to_start(v["xs"], v["h0"], v["W_xh"], v["W_hh"], v["b"], v["u"])
    arrays = {"h0": v["h0"].copy()}

    def last(a):
        return float(checks().rnn_run(v["xs"][None], a["h0"][None], v["W_xh"], v["W_hh"], v["b"])[0, -1] @ v["u"])

    assert np.allclose(g, checks().central_differences(last, arrays, ("h0",))["h0"], atol=1e-9)
    hs = checks().rnn_run(v["xs"][None], v["h0"][None], v["W_xh"], v["W_hh"], v["b"])[0]
    norms = checks().jacobian_norms(hs, v["W_hh"])
    assert norms[-1] < 1e-6 * norms[0]  # the check's "the gradient vanishes" is true


def test_the_memory_check_keeps_the_cell():
    check = next(c for c in check_list() if "keeps its memory" in c["name"])
    v = {k: np.array(value) for k, value in check["inputs"].items()}
    h, c, _ = boss().cell(v["x"], v["h"], v["c"], v["W"], v["b"])
    assert np.allclose(c, v["c"], atol=1e-12) and np.allclose(h, np.tanh(v["c"]), atol=1e-12)


@pytest.mark.parametrize("got", [None, 3, "x", [], {}, [1.0, 2.0], [[1.0], 0.0], {"W": [[1e400]]},
                                 [float("nan")] * 4, [True] * 10, {"loss": 1.0, "grads": None},
                                 {"params": {}, "loss": 0.0, "norm": 0.0}, [{}, {}, {}]])
def test_the_check_judge_holds_against_garbage(got):
    for check in check_list():
        passed, expected, message = checks().judge(check, got)
        assert passed is False and isinstance(expected, str) and message


# Small changes to each function of the reference: (function, what is changed, replacement).
MUTATIONS = [
    ("rnn_step", "np.tanh(h @ W_hh.T + x @ W_xh.T + b)", "np.tanh(h @ W_hh + x @ W_xh.T + b)"),
    ("rnn_step", "np.tanh(h @ W_hh.T + x @ W_xh.T + b)", "np.tanh(h @ W_hh.T + x @ W_xh.T - b)"),
    ("rnn_forward", "h, hs = h0, []", "h, hs = np.zeros_like(h0), []"),
    ("rnn_forward", "hs = np.stack(hs, axis=1)", "hs = np.stack(hs, axis=0)"),
    ("rnn_backward", "da = (dhs[:, t] + dh_next) * (1 - hs[:, t] ** 2)", "da = dhs[:, t] * (1 - hs[:, t] ** 2)"),
    ("rnn_backward", "da = (dhs[:, t] + dh_next) * (1 - hs[:, t] ** 2)", "da = (dhs[:, t] + dh_next) * (1 - hs[:, t])"),
    ("rnn_backward", "h_prev = hs[:, t - 1] if t > 0 else h0", "h_prev = hs[:, t]"),
    ("rnn_backward", "dh_next = da @ W_hh ", "dh_next = da @ W_hh.T "),
    ("jacobian_norms", "J = ((1 - h ** 2)[:, None] * W_hh) @ J", "J = ((1 - h ** 2)[None, :] * W_hh) @ J"),
    ("jacobian_norms", "J = ((1 - h ** 2)[:, None] * W_hh) @ J", "J = J @ ((1 - h ** 2)[:, None] * W_hh)"),
    ("jacobian_norms", "J = np.eye(W_hh.shape[0])", "J = np.ones_like(W_hh)"),
    ("lstm_step", "f = sigmoid(z[..., H:2 * H])", "f = sigmoid(z[..., :H])"),
    ("lstm_step", "c_new = f * c + i * g\n", "c_new = c + i * g\n"),
    ("lstm_step", "return o * np.tanh(c_new), c_new", "return o * np.tanh(c), c_new"),
    ("lstm_step", "z = np.concatenate([h, x], axis=-1) @ W.T + b", "z = np.concatenate([x, h], axis=-1) @ W.T + b"),
    ("lstm_forward", "h, c, hs, steps = h0, c0, [], []", "h, c, hs, steps = h0, np.zeros_like(c0), [], []"),
    ("lstm_forward", "        h = o * np.tanh(c)\n", "        h = o * np.tanh(c_prev)\n"),
    ("lstm_forward", "g = np.tanh(z[:, 2 * H:3 * H])", "g = sigmoid(z[:, 2 * H:3 * H])"),
    ("lstm_backward", "dc = dc_next + dh * o * (1 - tc ** 2)", "dc = dc_next + dh * o"),
    ("lstm_backward", "dc * c_prev * f * (1 - f)", "dc * c * f * (1 - f)"),
    ("lstm_backward", "dc * i * (1 - g ** 2)", "dc * i * (1 - g)"),
    ("lstm_backward", "dh_next, dc_next = dhx[:, :H], dc * f ", "dh_next, dc_next = dhx[:, H:], dc * f "),
    ("lstm_backward", "db += dz.sum(axis=0)", "db += dz.mean(axis=0)"),
    ("lstm_param_count", "return 4 * (H * (H + d) + H)", "return 4 * (H * (H + d) + 2 * H)"),
    ("lstm_param_count", "return 4 * (H * (H + d) + H)", "return 4 * H * (H + d)"),
    ("lstm_init", "scale = 1 / np.sqrt(H)", "scale = 0"),
    ("lstm_init", "b[H:2 * H] = 1.0", "b[:H] = 1.0"),
    ("lstm_init", "rng = np.random.default_rng(seed)\n    scale", "rng = np.random.default_rng()\n    scale"),
    ("sequence_loss", "dlogits /= B * T", "dlogits /= B"),
    ("sequence_loss", "loss = -np.mean(np.log(picked))", "loss = -np.sum(np.log(picked))"),
    ("sequence_loss", 'lstm_backward(dlogits @ params["W_y"], cache)', 'lstm_backward(dlogits @ params["W_y"].T, cache)'),
    ("sequence_loss", '"b_y": dlogits.sum(axis=(0, 1))', '"b_y": dlogits.sum(axis=0)'),
    ("clip_by_global_norm", "if norm <= max_norm:", "if norm >= max_norm:"),
    ("clip_by_global_norm", "g * (max_norm / norm)", "g * (norm / max_norm)"),
    ("clip_by_global_norm", "np.sum(g * g)", "np.sum(np.abs(g))"),
    ("train_step", "p - lr * grads[name]", "p + lr * grads[name]"),
    ("train_step", "grads, norm = clip_by_global_norm(grads, max_norm)", "grads, norm = clip_by_global_norm(grads, max_norm * lr)"),
    ("fit", "lstm_init(H, X.shape[2], int(Y.max()) + 1, seed)", "lstm_init(H, X.shape[2], int(Y.max()), seed)"),
    ("fit", "steps=1200", "steps=40"),
    ("fit", "lr=3.0", "lr=0.05"),
    ("fit", "H=16", "H=1"),
]


@pytest.mark.parametrize(("function", "old", "new"), MUTATIONS, ids=[f"{m[0]}-{i}" for i, m in enumerate(MUTATIONS)])
def test_a_small_change_to_the_reference_is_caught(function, old, new):
    mutant = mutated(REFERENCE, old, new, f"_mutant_{function}")
    assert KIT.catches(mutant), f"{function}: {new!r} passed every check and won the boss"


# ---------------------------------------------------------------- the boss's math

def test_the_judges_gradients_match_central_differences():
    rng = np.random.default_rng(3)
    params = {"W": rng.normal(size=(12, 5)), "b": rng.normal(size=12), "W_y": rng.normal(size=(2, 3)),
              "b_y": rng.normal(size=2)}
    xs, ys = rng.integers(0, 2, (3, 4, 2)).astype(float), rng.integers(0, 2, (3, 4))
    _, grads = boss().loss_and_grads(params, xs, ys)
    numeric = checks().central_differences(lambda p: boss().loss_and_grads(p, xs, ys)[0], params, boss().PARAMETERS)
    for name in boss().PARAMETERS:
        assert np.allclose(grads[name], numeric[name], atol=1e-8), name


def test_the_judges_step_clips_only_a_long_gradient():
    case = next(c for c in boss().cases(np.random.default_rng(5)) if c["name"] == "train_step, clipping matters")
    v = case["inputs"]
    params = {k: np.array(a) for k, a in v["params"].items()}
    xs, ys = np.array(v["xs"]), np.array(v["ys"])
    new, _, norm = boss().step(params, xs, ys, v["lr"], v["max_norm"])
    moved = np.sqrt(sum(np.sum((new[k] - params[k]) ** 2) for k in params))
    assert 5 <= norm / v["max_norm"] <= 20.001 and moved == pytest.approx(v["lr"] * v["max_norm"])
    calm = next(c for c in boss().cases(np.random.default_rng(5)) if c["name"] == "train_step, under the cap")
    w = calm["inputs"]
    _, _, norm = boss().step({k: np.array(a) for k, a in w["params"].items()}, np.array(w["xs"]),
                             np.array(w["ys"]), w["lr"], w["max_norm"])
    assert norm < w["max_norm"]


def hand_wired_adder() -> dict:
    """An LSTM that adds by construction, in the lab's convention (rows i, f, g, o; W on [h; x]).

    Unit k (k = 1, 2, 3) switches on when a + b + carry ≥ k: its input gate is a steep sigmoid
    of that sum, the candidate is 1, the forget gate 0, the output gate 1, so h_k is 0 or
    tanh(1). Unit 2 is the carry for the next step, and the sum bit is u1 − u2 + u3."""
    H, steep, m = 3, 20.0, np.tanh(1.0)
    W, b = np.zeros((4 * H, H + 2)), np.zeros(4 * H)
    for k in range(H):
        W[k, 1] = steep / m       # the carry: h_2 / tanh(1) is 0 or 1
        W[k, H:] = steep          # a and b
        b[k] = steep * (0.5 - (k + 1))
    b[H:2 * H], b[2 * H:3 * H], b[3 * H:] = -steep, steep, steep
    W_y = np.array([[0.0, 0.0, 0.0], [1.0, -1.0, 1.0]]) / m
    return {"W": W, "b": b, "W_y": W_y, "b_y": np.array([0.0, -0.5])}


def test_the_adder_judge_runs_the_parameters_as_the_lab_defines_an_lstm():
    case = next(c for c in boss().cases(np.random.default_rng(6)) if c["kind"] == "fit")
    params = encode(hand_wired_adder())
    passed, _, message = boss().judge(case, params)
    assert passed and message.startswith("16-bit sums 100.0% exactly right, 32-bit sums 100.0%")
    swapped = dict(params, W_y=params["W_y"][::-1])  # the classes the wrong way round
    passed, _, message = boss().judge(case, swapped)
    assert not passed and "16-bit sums 0.0%" in message


@pytest.mark.parametrize(("change", "says"), [
    (lambda p: dict(p, W_y=[[0.0] * 3] * 3), "W_y has shape (3, 3), expected (2, 3)"),
    (lambda p: dict(p, W=np.zeros((12, 6)).tolist()), "expected (4H, H + 2)"),
    (lambda p: dict(p, W=np.zeros((4 * 65, 67)).tolist()), "at most 64"),
    (lambda p: {k: v for k, v in p.items() if k != "b"}, "no b came back"),
])
def test_the_adder_judge_says_why_parameters_cannot_run(change, says):
    case = next(c for c in boss().cases(np.random.default_rng(6)) if c["kind"] == "fit")
    passed, _, message = boss().judge(case, change(encode(hand_wired_adder())))
    assert not passed and says in message


# ---------------------------------------------------------------- the boss

@pytest.mark.parametrize("seed", (0, 1))
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
    for seed in (0, 1, 2):
        assert lost(fight(lab, seed, stop_at_first_failure=True)), f"{name} won with seed {seed}"


@pytest.mark.parametrize(("name", "case"), [
    ("forget_bias_zero", "lstm_init"), ("gates_share_weights", "lstm_step, a batch"),
    ("no_gradient_clipping", "train_step, clipping matters"), ("truncated_bptt", "lstm_backward"),
    ("clip_each_gradient_alone", "train_step, clipping matters"),
])
def test_the_named_mistakes_lose_where_they_matter(name, case):
    exact = ("step", "forward", "backward", "init", "train_step")  # every case but the training
    results = fight(lab_at(BOSS_DIR / "wrong" / f"{name}.py"), 3, kinds=exact)
    assert case in [c for c, passed, _ in results if not passed]


def test_backpropagation_that_drops_the_carry_loses_the_adder_itself():
    results = fight(lab_at(BOSS_DIR / "wrong" / "truncated_bptt.py"), 4, kinds=("fit",))
    assert lost(results), results


def test_each_fight_draws_fresh_cases_and_the_same_for_a_seed():
    def draw(seed):
        return json.dumps(boss().cases(np.random.default_rng(seed)), sort_keys=True)

    assert draw(7) == draw(7) and draw(7) != draw(8)
    names = [c["name"] for c in boss().cases(np.random.default_rng(7))]
    assert len(names) == len(set(names)) >= 8


def test_the_cases_send_inputs_only_and_keep_the_held_out_pairs():
    for case in boss().cases(np.random.default_rng(4)):
        sent = child_case(case)
        assert set(sent) == {"script"} and "lab." in sent["script"] and "result =" in sent["script"]
        json.dumps(case, allow_nan=False)
        if case["kind"] == "fit":
            for a, b in case["held_out"].values():
                assert str(a[:3])[1:-1] not in sent["script"] and str(b[:3])[1:-1] not in sent["script"]
            assert "held_out" not in sent["script"]


@pytest.mark.parametrize("got", [None, 1.0, "x", [], [0, 1], {"W": [[0.0]]}, [[0.1, 0.2]] * 3, {"params": None},
                                 [{"W": [[float("nan")]]}] * 3, {"W": "W", "b": 1, "W_y": [], "b_y": {}}])
def test_the_boss_judge_holds_against_garbage(got):
    for case in boss().cases(np.random.default_rng(0)):
        passed, expected, message = boss().judge(case, got)
        assert passed is False and message


# ---------------------------------------------------------------- through the sandbox

def test_the_sandboxed_fight_and_checks_agree(sandbox):
    real = load_boss("sequences-rnn", root=REPO / "bosses")
    report = fight_sync(real, REFERENCE, sandbox, seed=5)
    assert report.won, report.message
    wrong = fight_sync(real, BOSS_DIR / "wrong" / "gates_share_weights.py", sandbox, seed=5)
    assert not wrong.won and not wrong.cases[0].passed
    lab_checks = load_checks("sequences-rnn", root=REPO / "bosses")
    passed = check_lab_sync(lab_checks, REFERENCE, sandbox)
    assert passed.all_passed, passed.message
    failed = check_lab_sync(lab_checks, STARTER, sandbox)
    assert failed.passed == 0
