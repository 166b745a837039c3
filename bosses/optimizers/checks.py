"""Lab checks for module 7 (Optimizers): each step function on fixed gradients, the warm-up +
cosine schedule, clipping by global norm, and the spirals MLP trained with them.

Every check is a script run in the sandbox with the player's `lab` and `np` bound, on inputs
written into the script. The judge here recomputes the expected numbers with the boss's own
algorithms (`boss.step`, `boss.lr_at`) and the given MLP of the reference lab, so a check compares
the player's code with the level's equations, not with a copy of the player's code.

The C lab is checked on the step-function checks alone (`native_checks`: the same θ, gradients and
rates, one or more per function), built with c/checks_driver.c and the boss's c/optimizers.h.
"""

from __future__ import annotations

import functools
import importlib.util
import math
from pathlib import Path

import numpy as np

from forge_tui.bossapi import compare

TIME_LIMIT_S = 10.0  # the whole list in the sandbox: 0.57 s for the reference (median of 5, 0.62 s at most,
#                     measured 2026-11-28 on this 2-core VM at a load average of 11)
TOLERANCE = 1e-9  # a few steps on fixed inputs leave no room for anything but rounding
HERE = Path(__file__).resolve().parent
BOWL_STEPS = 300
BOWL_RADIUS = 0.05  # "reaches the minimum": within this distance of (0, 0) after BOWL_STEPS
BOWL_RATES = {"sgd": 0.05, "momentum": 0.02, "rmsprop": 0.01, "adam": 0.1, "adamw": 0.1}
SPIRALS_LOSS = 0.05  # Adam's final loss on the spirals (η = 0.1, 200 steps); the reference reaches 0.014


@functools.cache
def _trusted(name: str):
    """boss.py or reference.py of this folder, loaded by path (both are trusted)."""
    spec = importlib.util.spec_from_file_location(f"_optimizers_{name}_for_checks", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def literal(array) -> str:
    """An array as Python source that rebuilds it exactly (repr of a float round-trips)."""
    return f"np.array({np.asarray(array, dtype=np.float64).tolist()!r})"


# ---------------------------------------------------------------- the optimizers on fixed gradients

STEPS_SCRIPT = """theta = {theta0}
grads = [{grads}]
lrs = {lrs!r}
state = {{}}
path = [theta.copy()]
for g, lr in zip(grads, lrs):
    theta, state = lab.{optimizer}(theta, g, state, lr=lr, **{hp!r})
    theta = np.array(theta, dtype=np.float64)
    path.append(theta)
result = np.array(path)
"""


def _steps(name, summary, hint, optimizer, theta0, grads, lrs, **hp) -> dict:
    """Call the player's `optimizer` on these gradients, one learning rate per step."""
    grads = [np.asarray(g, dtype=np.float64) for g in grads]
    script = STEPS_SCRIPT.format(theta0=literal(theta0), grads=", ".join(literal(g) for g in grads),
                                 lrs=[float(x) for x in lrs], optimizer=optimizer, hp=hp)
    return {"name": name, "summary": summary, "hint": hint, "kind": "steps", "script": script,
            "optimizer": optimizer, "theta0": np.asarray(theta0, dtype=np.float64).tolist(),
            "grads": [g.tolist() for g in grads], "lrs": [float(x) for x in lrs], "hp": hp}


def expected_path(check: dict) -> np.ndarray:
    boss = _trusted("boss")
    theta, state = np.array(check["theta0"], dtype=np.float64), {}
    path = [theta]
    for g, lr in zip(check["grads"], check["lrs"]):
        theta = boss.step(check["optimizer"], theta, np.array(g, dtype=np.float64), state, dict(check["hp"], lr=lr))
        path.append(theta)
    return np.array(path)


# ---------------------------------------------------------------- the recipe: schedule, clipping, run, train

def _script(name, summary, hint, kind, script, **notes) -> dict:
    return {"name": name, "summary": summary, "hint": hint, "kind": kind, "script": script, **notes}


SCHEDULE = {"lr_max": 0.6, "warmup": 4, "total": 12, "lr_min": 0.06}
WARMUP_T = [1, 2, 3, 4]
DECAY_T = [4, 5, 8, 12, 15]
CLIP_LONG = [[[3.0, 0.0], [0.0, 4.0]], [12.0]]  # joint length 13
CLIP_SHORT = [[[0.1, -0.2]], [0.2, 0.0, -0.1]]  # joint length √0.1


def _clip_script(grads, max_norm) -> str:
    arrays = ", ".join(literal(g) for g in grads)
    return (f"clipped, norm = lab.clip_by_global_norm([{arrays}], {max_norm!r})\n"
            "result = {'clipped': [np.asarray(g, dtype=np.float64) for g in clipped], 'norm': float(norm)}\n")


BOWL_SCRIPT = """result = {{}}
for name, lr in {rates!r}.items():
    theta, state = np.array([-1.5, 2.0]), {{}}
    for _ in range({steps}):
        theta, state = getattr(lab, name)(theta, np.array([theta[0], 10.0 * theta[1]]), state, lr=lr)
        theta = np.array(theta, dtype=np.float64)
    result[name] = theta
"""

TRAIN_SCRIPT = """result = [float(x) for x in lab.train(lab.{optimizer}, lr={lr!r}, steps={steps}, warmup={warmup},
                                        max_norm={max_norm!r})]
"""

RACE_SCRIPT = """result = {"sgd": float(lab.train(lab.sgd, lr=1.0)[-1]), "adam": float(lab.train(lab.adam, lr=0.1)[-1])}
"""


def expected_losses(optimizer: str, lr: float, steps: int, warmup: int, max_norm: float) -> list[float]:
    """The spirals MLP trained as `train` says, with the level's algorithms."""
    boss, reference = _trusted("boss"), _trusted("reference")
    X, y, params = reference.spirals_and_mlp(0)
    states = [{} for _ in params]
    losses = []
    for t in range(1, steps + 1):
        loss, grads = reference.loss_and_grads(params, X, y)
        norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
        if norm > max_norm:
            grads = [g * (max_norm / norm) for g in grads]
        rate = boss.lr_at(t, lr, warmup, steps, lr / 10)
        params = [boss.step(optimizer, p, g, s, {"lr": rate}) for p, g, s in zip(params, grads, states)]
        losses.append(loss)
    return losses


# ---------------------------------------------------------------- the list

def checks() -> list[dict]:
    """Nineteen checks, the same every time: each optimizer, then the recipe around them."""
    g3 = [[0.5, 1.0, -4.0]]
    out = [
        _steps("sgd: one step", "θ = (1, −2, 0.5), g = (0.5, 1, −4), η = 0.1",
               "Move against the gradient, scaled by the learning rate; return the new θ and the state.",
               "sgd", [1.0, -2.0, 0.5], g3, [0.1]),
        _steps("momentum: the first step", "one step from v = 0: the same as an SGD step",
               "Before the first call there is no velocity yet: start it at zeros shaped like θ.",
               "momentum", [1.0, -2.0, 0.5], g3, [0.1], beta=0.9),
        _steps("momentum: the velocity builds up", "three steps with the same g, β = 0.9",
               "The velocity remembers every past gradient, each older one multiplied by β once more.",
               "momentum", [1.0, -2.0, 0.5], g3 * 3, [0.1] * 3, beta=0.9),
        _steps("momentum: η changes between steps", "three steps at η = 0.1, 0.05, 0.2",
               "v ← β·v + g sums gradients; this step's η multiplies the whole v. Putting η inside v "
               "gives the same path only while η never changes.",
               "momentum", [1.0, -2.0, 0.5], [[0.5, 1.0, -4.0], [1.0, -1.0, 2.0], [-0.5, 0.5, 1.0]],
               [0.1, 0.05, 0.2], beta=0.9),
        _steps("rmsprop: two steps", "g = (0.5, 1, −4) then (1, −1, 2), β = 0.9, ε = 1e-8",
               "Keep a running average of the squared gradient, mixing in (1 − β) of the new g²; "
               "divide each coordinate of the step by the root of its own average.",
               "rmsprop", [1.0, -2.0, 0.5], [[0.5, 1.0, -4.0], [1.0, -1.0, 2.0]], [0.01, 0.01], beta=0.9, eps=1e-8),
        _steps("rmsprop: where ε goes", "one step with ε = 0.5, large enough to matter",
               "ε keeps the division safe and is added after the square root: √s + ε.",
               "rmsprop", [1.0, -2.0, 0.5], [[0.5, 1.0, -4.0]], [0.1], beta=0.9, eps=0.5),
        _steps("adam: the first step has size η", "g = (1e-6, −1, 1e6): three scales, one step size",
               "At t = 1 the bias correction divides m by (1 − β₁) and v by (1 − β₂): "
               "m̂ = g and v̂ = g², so every coordinate moves by about η.",
               "adam", [1.0, -2.0, 0.5], [[1e-6, -1.0, 1e6]], [0.1], beta1=0.9, beta2=0.999, eps=1e-8),
        _steps("adam: bias correction at every step", "five steps with changing g, β₁ = 0.8, β₂ = 0.9",
               "Count the step first, so the first correction uses t = 1, and correct with the current t: "
               "m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ).",
               "adam", [1.0, -2.0, 0.5],
               [[0.5, 1.0, -4.0], [1.0, -1.0, 2.0], [-0.5, 0.5, 1.0], [2.0, 0.0, -1.0], [0.1, 0.2, 0.3]],
               [0.1] * 5, beta1=0.8, beta2=0.9, eps=1e-8),
        _steps("adam: where ε goes", "two steps with ε = 0.5",
               "ε is added to √v̂, after the square root, as in the paper's Algorithm 1.",
               "adam", [1.0, -2.0, 0.5], [[0.5, 1.0, -4.0], [1.0, -1.0, 2.0]], [0.1, 0.1],
               beta1=0.9, beta2=0.999, eps=0.5),
        _steps("adam: θ of any shape", "θ is a 2 × 3 array, three steps",
               "Write every operation for whole arrays (np.sqrt, **, *) so any shape works.",
               "adam", [[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]],
               [[[0.5, 1.0, -4.0], [1.0, 0.0, 2.0]]] * 3, [0.05] * 3, beta1=0.9, beta2=0.99, eps=1e-8),
        _steps("adamw: no gradient, still decay", "g = 0 everywhere: only the decay moves θ",
               "The decay is not part of the gradient: shrink θ by η·λ·θ outside the adaptive step, "
               "so a weight with no gradient shrinks by exactly that.",
               "adamw", [1.0, -2.0, 0.5], [[0.0, 0.0, 0.0]] * 2, [0.1, 0.1],
               beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.5),
        _steps("adamw: three steps", "changing g, λ = 0.1",
               "Decay the old θ: θ ← θ − η·λ·θ − η·m̂ / (√v̂ + ε), with m and v built from g alone.",
               "adamw", [1.0, -2.0, 0.5], [[0.5, 1.0, -4.0], [1.0, -1.0, 2.0], [-0.5, 0.5, 1.0]], [0.1] * 3,
               beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1),
        _script("the bowl: every optimizer reaches the minimum",
                f"{BOWL_STEPS} steps of each on ½(x² + 10y²) from (−1.5, 2); each must end within {BOWL_RADIUS} of 0",
                "An optimizer that wanders off here has a sign or a factor wrong: compare its first "
                "step with what the update rule says by hand.",
                "bowl", BOWL_SCRIPT.format(rates=BOWL_RATES, steps=BOWL_STEPS)),
    ]
    s = SCHEDULE
    out += [
        _script("lr_at: the warm-up", "η_max = 0.6 over 4 warm-up steps: steps 1 to 4",
                "During warm-up the rate climbs in a straight line and reaches η_max at the last warm-up step.",
                "schedule", f"result = [float(lab.lr_at(t, {s['lr_max']!r}, {s['warmup']}, {s['total']}, "
                f"{s['lr_min']!r})) for t in {WARMUP_T!r}]\n", steps=WARMUP_T),
        _script("lr_at: the cosine decay", "steps 4, 5, 8, 12 and 15 of 12 (floor 0.06)",
                "After warm-up, s = (t − warmup)/(total − warmup) runs from 0 to 1 and the rate is "
                "η_min + ½(η_max − η_min)(1 + cos πs); past the last step it stays at η_min.",
                "schedule", f"result = [float(lab.lr_at(t, {s['lr_max']!r}, {s['warmup']}, {s['total']}, "
                f"{s['lr_min']!r})) for t in {DECAY_T!r}]\n", steps=DECAY_T),
        _script("clip_by_global_norm: a long gradient", "two arrays of joint length 13, max_norm 6.5",
                "Measure all the arrays together as one long vector; when that length is above max_norm, "
                "multiply every array by the same factor max_norm / length.",
                "clip", _clip_script(CLIP_LONG, 6.5), grads=CLIP_LONG, max_norm=6.5),
        _script("clip_by_global_norm: a short gradient", "joint length √0.1, below max_norm 1: nothing changes",
                "A gradient already shorter than max_norm keeps its length; still return its norm.",
                "clip", _clip_script(CLIP_SHORT, 1.0), grads=CLIP_SHORT, max_norm=1.0),
        _script("train: the loss curve", "40 steps of SGD (η = 0.5, 5 warm-up steps, clipped at 0.1)",
                "Each step: the loss and gradients, clip them together, the rate of step t from lr_at, "
                "then every parameter moves with its own state.",
                "train", TRAIN_SCRIPT.format(optimizer="sgd", lr=0.5, steps=40, warmup=5, max_norm=0.1),
                optimizer="sgd", lr=0.5, steps=40, warmup=5, max_norm=0.1),
        _script("train: Adam wins the race", f"200 steps each: Adam (η = 0.1) must end below {SPIRALS_LOSS} "
                "and below SGD (η = 1)",
                "If every other check passes, look at how train keeps one state per parameter array.",
                "race", RACE_SCRIPT),
    ]
    return out


# ---------------------------------------------------------------- the C path

C_DRIVER = "c/checks_driver.c"  # compiled with the player's lab.c; reads c_stdin(checks), answers on fd 3
C_HEADER = "c/optimizers.h"  # the boss's: the five signatures lab.c must match, forced into the build
C_HYPERPARAMETERS = ("beta", "eps", "beta1", "beta2", "weight_decay")


C_WORDING = {  # where the C lab's contract reads differently: θ and the state change in place
    "sgd: one step": {"hint": "Move each coordinate against its gradient, scaled by the learning rate, "
                              "in place in theta."},
    "momentum: the first step": {"hint": "Before the first call v holds zeros, so the first step is an SGD step."},
    "adam: θ of any shape": {"summary": "θ is a 2 × 3 array, given as 6 doubles in a row; three steps",
                             "hint": "Loop over all n entries: a θ of any shape arrives as n doubles in a row."},
}


def native_checks() -> list[dict]:
    """The C lab's checks: every step-function check of `checks()` (the C lab has no schedule,
    clipping or training loop to check)."""
    return [dict(check, **C_WORDING.get(check["name"], {})) for check in checks() if check["kind"] == "steps"]


def c_check_text(check: dict) -> str:
    """One check as the C driver reads it: the optimizer, θ's size and the number of steps, the
    hyperparameters, θ₀, then each step's rate and gradient."""
    theta0 = np.ravel(check["theta0"])
    hp = " ".join(repr(float(check["hp"].get(name, 0.0))) for name in C_HYPERPARAMETERS)
    steps = "".join(f"{lr!r} " + " ".join(repr(float(x)) for x in np.ravel(g)) + "\n"
                    for lr, g in zip(check["lrs"], check["grads"]))
    return (f"{check['optimizer']} {theta0.size} {len(check['lrs'])}\n{hp}\n"
            + " ".join(repr(float(x)) for x in theta0) + "\n" + steps)


def c_stdin(cases: list[dict]) -> str:
    """Everything the C driver reads on stdin: the number of checks, then each check."""
    return f"{len(cases)}\n" + "".join(c_check_text(check) for check in cases)


def c_answer(check: dict, value):
    """The driver's flat path as the trajectory the judge reads ((steps + 1) × θ's shape)."""
    path = value.get("path") if isinstance(value, dict) else None
    shape = (len(check["lrs"]) + 1, *np.shape(check["theta0"]))
    if not isinstance(path, list) or len(path) != int(np.prod(shape)):
        return None, f"the driver sent {_show(value)}, not a path of {int(np.prod(shape))} numbers"
    return np.array(path, dtype=np.float64).reshape(shape).tolist(), ""


# ---------------------------------------------------------------- judge

def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _numbers(values) -> str:
    return "(" + ", ".join(f"{x:.6g}" for x in np.ravel(values)) + ")"


class Wrong(Exception):
    """What is wrong with an answer, as one line for the learner."""


def _array(got, shape, what: str) -> np.ndarray:
    try:
        array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise Wrong(f"{what} should be numbers, got {_show(got)}") from None
    if array.shape != tuple(shape):
        raise Wrong(f"{what} has shape {array.shape}, expected {tuple(shape)}")
    return array


def _judge_path(check, got, said: dict) -> str:
    want = expected_path(check)
    said["expected"] = f"θ after each step: {', '.join(_numbers(row) for row in want[1:3])}" + ("…" if len(want) > 3 else "")
    mine = _array(got, want.shape, "the trajectory")
    t, problem = _trusted("boss").departure(mine, want, TOLERANCE)
    if t >= 0:
        raise Wrong(f"after step {t} θ is {_numbers(mine[t])}, expected {_numbers(want[t])}: {problem}")
    return f"all {len(want) - 1} steps match"


def _judge_schedule(check, got, said: dict) -> str:
    boss, s = _trusted("boss"), SCHEDULE
    want = np.array([boss.lr_at(min(t, s["total"]), s["lr_max"], s["warmup"], s["total"], s["lr_min"])
                     for t in check["steps"]])
    said["expected"] = ", ".join(f"η({t}) = {x:.6g}" for t, x in zip(check["steps"], want))
    mine = _array(got, want.shape, "the rates")
    for t, a, b in zip(check["steps"], mine, want):
        ok, problem = compare(a, b, atol=TOLERANCE, relative=True, name=f"lr_at({t})")
        if not ok:
            raise Wrong(problem)
    return "every rate matches"


def _judge_clip(check, got, said: dict) -> str:
    grads = [np.asarray(g, dtype=np.float64) for g in check["grads"]]
    norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    scale = min(1.0, check["max_norm"] / norm)
    said["expected"] = f"norm {norm:.6g}, every array times {scale:.6g}"
    if not isinstance(got, dict) or not isinstance(got.get("clipped"), list):
        raise Wrong(f"expected (clipped gradients, norm), got {_show(got)}")
    if len(got["clipped"]) != len(grads):
        raise Wrong(f"{len(grads)} arrays went in and {len(got['clipped'])} came back")
    ok, problem = compare(_array(got["norm"], (), "the norm"), norm, atol=TOLERANCE, relative=True,
                          name="the norm before clipping")
    if not ok:
        raise Wrong(problem)
    for index, (mine, g) in enumerate(zip(got["clipped"], grads)):
        ok, problem = compare(_array(mine, g.shape, f"array {index}"), g * scale, atol=TOLERANCE, relative=True,
                              name=f"array {index}")
        if not ok:
            raise Wrong(f"{problem}: array {index} is {_numbers(mine)}, expected {_numbers(g * scale)}")
    return "the norm and every clipped array match"


def _judge_bowl(check, got, said: dict) -> str:
    said["expected"] = f"each optimizer within {BOWL_RADIUS} of (0, 0) after {BOWL_STEPS} steps"
    if not isinstance(got, dict):
        raise Wrong(f"expected the end point of each optimizer, got {_show(got)}")
    for name in BOWL_RATES:
        end = _array(got.get(name), (2,), f"{name}'s end point")
        if not np.hypot(*end) <= BOWL_RADIUS:
            raise Wrong(f"{name} ends at {_numbers(end)}, not within {BOWL_RADIUS} of the minimum (0, 0)")
    return "all five reach the minimum"


def _judge_train(check, got, said: dict) -> str:
    want = np.array(expected_losses(check["optimizer"], check["lr"], check["steps"], check["warmup"],
                                    check["max_norm"]))
    said["expected"] = f"{len(want)} losses from {want[0]:.6f} to {want[-1]:.6f}"
    mine = _array(got, want.shape, "the list of losses")
    for t, (loss, right) in enumerate(zip(mine, want), start=1):
        ok, problem = compare(loss, right, atol=1e-6, relative=True, name=f"the loss before step {t}")
        if not ok:
            raise Wrong(problem)
    return "every loss matches"


def _judge_race(check, got, said: dict) -> str:
    said["expected"] = f"Adam's final loss below {SPIRALS_LOSS} and below SGD's"
    if not isinstance(got, dict):
        raise Wrong(f"expected the two final losses, got {_show(got)}")
    adam, sgd = float(_array(got.get("adam"), (), "Adam's loss")), float(_array(got.get("sgd"), (), "SGD's loss"))
    if not adam < SPIRALS_LOSS:
        raise Wrong(f"Adam ends at loss {adam:.4f}, not below {SPIRALS_LOSS}")
    if not adam < sgd:
        raise Wrong(f"Adam ends at {adam:.4f}, SGD at {sgd:.4f}: Adam should win this race")
    return f"Adam {adam:.4f}, SGD {sgd:.4f}"


JUDGES = {"steps": _judge_path, "schedule": _judge_schedule, "clip": _judge_clip, "bowl": _judge_bowl,
          "train": _judge_train, "race": _judge_race}


def judge(check: dict, got) -> tuple[bool, str, str]:
    """(passed, expected as text, one line for the learner). Each check's judge writes the
    expected answer into `said` before it reads `got`, so a failure still shows it."""
    said = {"expected": check["summary"]}
    try:
        verdict = JUDGES[check["kind"]](check, got, said)
    except Wrong as wrong:
        return False, said["expected"], str(wrong)
    except Exception as error:  # noqa: BLE001 - an answer the judge cannot read loses
        return False, said["expected"], f"could not read the result ({type(error).__name__}): got {_show(got)}"
    return True, said["expected"], verdict
