"""Boss of module 7, The Optimizer Gauntlet: the player's step functions, replayed on hidden surfaces.

Each case runs one of the player's optimizers (`sgd`, `momentum`, `rmsprop`, `adam`, `adamw`)
for hundreds of steps on a hidden 2-D surface (an ill-conditioned rotated quadratic, a
Rosenbrock valley, a saddle, Beale's function) from a hidden start with hidden hyperparameters,
some under a warm-up + cosine schedule. The loop is the boss's: its script computes the
surface's gradient in the sandbox, calls the player's step function with the state it returned
last time, and sends the whole trajectory back. The judge replays the same loop here with the
algorithms as the level states them and requires every iterate to agree to 1e-8 (relative to
the coordinate's size once it is above 1). One case moves a (2, 3)-shaped θ, to hold the rules
to "any shape".

Every case is drawn until it is steady (`steady`): replayed with ±1e-14 of noise on every
iterate, it stays within 1e-10 of itself, so rounding cannot decide it (RMSProp bouncing
around a minimum at a constant rate is chaotic: about one RMSProp draw in eight is drawn again).

Measured 2026-11-28 on this 2-core VM at a load average of about 11 (seeds 0-199, in process;
the tests replay seeds 0-2): the reference lab agrees with this judge bit for bit (same
operations, same order); the same algorithms rewritten to round differently (m += (1 − β₁)(g − m),
β₁ᵗ as a running product, η folded into the correction, the decay as θ·(1 − ηλ), η inside the
velocity at a constant rate) stayed within 2.2e-11; each of the nine wrong solutions in wrong/
lost all 200 fights, missing by at least 4.4e-5 (ε inside the root; the others by 7e-4 or more)
in at least two cases of every fight. Drawing the cases takes 0.2 s; a practice fight in the
sandbox took 1.23 s (reference, median of 10, 1.40 s at most), 1.95 s for the C reference with
its compilation (2.36 s at most). Tolerance 1e-8 as the brief states; time limit 10 s.
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from forge_tui.bossapi import compare

ENTRY = "adam"
TIME_LIMIT_S = 10.0
TOLERANCE = 1e-8
JITTER = 1e-14  # the noise of `steady`'s replay, per step
STEADY = 1e-10  # how far that replay may drift: 100 times below the tolerance
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam", "adamw")


# ---------------------------------------------------------------- the surfaces (sent to the child as source)

def quadratic(p, c):
    """∇ of ½ pᵀAp with A = [[c0, c1], [c1, c2]]: an ill-conditioned bowl, turned."""
    return np.array([c[0] * p[0] + c[1] * p[1], c[1] * p[0] + c[2] * p[1]])


def rosenbrock(p, c):
    """∇ of (a − x)² + b(y − x²)², with (a, b) = (c0, c1): a curved valley, minimum (a, a²)."""
    x, y = p[0], p[1]
    return np.array([-2.0 * (c[0] - x) - 4.0 * c[1] * x * (y - x * x), 2.0 * c[1] * (y - x * x)])


def saddle(p, c):
    """∇ of (a/2)x² − (b/2)y² + (b/4)y⁴, with (a, b) = (c0, c1): a saddle at 0, minima at y = ±1."""
    x, y = p[0], p[1]
    return np.array([c[0] * x, c[1] * (y * y * y - y)])


def beale(p, c):
    """∇ of Beale's (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; c is unused."""
    x, y = p[0], p[1]
    t1, t2, t3 = 1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y * y * y
    return np.array([2.0 * t1 * (y - 1.0) + 2.0 * t2 * (y * y - 1.0) + 2.0 * t3 * (y * y * y - 1.0),
                     2.0 * t1 * x + 4.0 * t2 * x * y + 6.0 * t3 * x * y * y])


def bowl(p, c):
    """∇ of ½ Σ c ⊙ p², for a θ of any shape: every entry its own curvature."""
    return c * p


SURFACES = {f.__name__: f for f in (quadratic, rosenbrock, saddle, beale, bowl)}


# ---------------------------------------------------------------- the algorithms, as the level states them

def step(name: str, theta: np.ndarray, g: np.ndarray, state: dict, hp: dict) -> np.ndarray:
    """One step of optimizer `name`; `state` is updated in place."""
    lr = hp["lr"]
    if name == "sgd":
        return theta - lr * g
    if name == "momentum":
        state["v"] = hp["beta"] * state.get("v", np.zeros_like(theta)) + g
        return theta - lr * state["v"]
    if name == "rmsprop":
        beta = hp["beta"]
        state["s"] = beta * state.get("s", np.zeros_like(theta)) + (1 - beta) * g**2
        return theta - lr * g / (np.sqrt(state["s"]) + hp["eps"])
    if name == "adamw":
        theta = theta - lr * hp["weight_decay"] * theta
    beta1, beta2 = hp["beta1"], hp["beta2"]
    t = state.get("t", 0) + 1
    m = beta1 * state.get("m", np.zeros_like(theta)) + (1 - beta1) * g
    v = beta2 * state.get("v", np.zeros_like(theta)) + (1 - beta2) * g**2
    state.update(t=t, m=m, v=v)
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + hp["eps"])


def lr_at(t: int, lr_max: float, warmup: int, total: int, lr_min: float) -> float:
    """Linear warm-up over `warmup` steps, then cosine decay to lr_min at step `total`."""
    if t <= warmup:
        return lr_max * t / warmup
    s = (t - warmup) / (total - warmup)
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * s))


def rates(case: dict) -> list[float]:
    """The learning rate of every step: the schedule's, or the constant lr."""
    if case["lrs"] is not None:
        return case["lrs"]
    return [case["hp"]["lr"]] * case["steps"]


def trajectory(case: dict, jitter: np.random.Generator | None = None) -> np.ndarray:
    """The reference trajectory of a case, shape (steps + 1, *θ's shape). With `jitter`, every
    iterate is also nudged by ±1e-14 of itself: rounding noise, a hundred times too loud."""
    grad, c = SURFACES[case["surface"]], _constants(case)
    theta = np.array(case["theta0"], dtype=np.float64)
    state, path = {}, [theta]
    for lr in rates(case):
        theta = step(case["optimizer"], theta, grad(theta, c), state, dict(case["hp"], lr=lr))
        if jitter is not None:
            theta = theta * (1 + JITTER * jitter.choice([-1.0, 1.0], size=theta.shape))
        path.append(theta)
    return np.array(path)


def gap(mine: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Each coordinate's distance, relative once the reference's coordinate is above 1."""
    return np.abs(mine - want) / np.maximum(1.0, np.abs(want))


def departure(mine: np.ndarray, want: np.ndarray, tolerance: float) -> tuple[int, str]:
    """The first step whose θ misses the reference's by more than `tolerance` (relative once a
    coordinate is above 1) and what differs there; (-1, "") when every step matches."""
    for t, (theta, right) in enumerate(zip(mine, want)):
        ok, problem = compare(theta, right, atol=tolerance, relative=True, name="θ")
        if not ok:
            return t, problem
    return -1, ""


def steady(case: dict, rng: np.random.Generator) -> bool:
    """Whether rounding cannot decide this case: the jittered replay stays within STEADY of the
    reference (RMSProp bouncing around a minimum at a constant rate, for one, is chaotic)."""
    want = trajectory(case)
    return bool(np.all(np.isfinite(want)) and gap(trajectory(case, rng), want).max() <= STEADY)


def _constants(case: dict):
    c = case["constants"]
    return np.array(c, dtype=np.float64) if case["surface"] == "bowl" else [float(x) for x in c]


# ---------------------------------------------------------------- the script the child runs

SCRIPT = """{source}
c = {constants}
theta = np.array({theta0!r}, dtype=np.float64)
lrs = {lrs!r}
hp = {hp!r}
state = {{}}
path = [theta.copy()]
for t in range({steps}):
    if lrs is not None:
        hp["lr"] = lrs[t]
    theta, state = lab.{optimizer}(theta, {surface}(theta, c), state, **hp)
    theta = np.array(theta, dtype=np.float64)
    path.append(theta)
result = np.array(path)
"""


def script(case: dict) -> str:
    """The child's loop: the surface's gradient, then the player's step, `steps` times."""
    constants = case["constants"]
    constants = f"np.array({constants!r}, dtype=np.float64)" if case["surface"] == "bowl" else repr(constants)
    return SCRIPT.format(source=inspect.getsource(SURFACES[case["surface"]]), constants=constants,
                         theta0=case["theta0"], lrs=case["lrs"], hp=case["hp"], steps=case["steps"],
                         optimizer=case["optimizer"], surface=case["surface"])


# ---------------------------------------------------------------- hidden hyperparameters

def _log_uniform(rng, low: float, high: float) -> float:
    return float(math.exp(rng.uniform(math.log(low), math.log(high))))


def _hyperparameters(rng, optimizer: str, lr: float) -> dict:
    """Hidden hyperparameters around the usual values, with `lr` scaled for the surface."""
    hp = {"lr": lr}
    if optimizer == "momentum":
        hp["beta"] = round(float(rng.uniform(0.8, 0.95)), 4)
    elif optimizer == "rmsprop":
        hp.update(beta=round(float(rng.uniform(0.9, 0.99)), 4), eps=_log_uniform(rng, 1e-8, 1e-2))
    elif optimizer in ("adam", "adamw"):
        hp.update(beta1=round(float(rng.uniform(0.8, 0.95)), 4), beta2=round(float(rng.uniform(0.95, 0.999)), 4),
                  eps=_log_uniform(rng, 1e-8, 1e-2))
        if optimizer == "adamw":
            hp["weight_decay"] = round(float(rng.uniform(0.05, 0.5)), 4)
    return hp


def _schedule(rng, lr_max: float, steps: int) -> list[float]:
    """A warm-up + cosine schedule of hidden shape: 5-20% warm-up, floor 0-20% of the peak."""
    warmup = int(rng.integers(steps // 20, steps // 5 + 1))
    lr_min = lr_max * float(rng.uniform(0.0, 0.2))
    return [lr_at(t, lr_max, warmup, steps, lr_min) for t in range(1, steps + 1)]


def _rotation(angle: float) -> np.ndarray:
    return np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])


# Per surface and optimizer, the peak learning rate's range: every one converges or settles
# without diverging (tests/test_boss_optimizers.py replays 200 seeds).
def _quadratic(rng) -> tuple[list[float], list[float], float, str]:
    """A, the start, the largest curvature and a summary."""
    kappa = float(rng.uniform(20.0, 100.0))
    R = _rotation(float(rng.uniform(0, math.pi)))
    A = R @ np.diag([1.0, kappa]) @ R.T
    start = _rotation(float(rng.uniform(0, 2 * math.pi))) @ np.array([float(rng.uniform(1.0, 2.0)), 0.0])
    return [float(A[0, 0]), float(A[0, 1]), float(A[1, 1])], start.tolist(), kappa, f"condition number {kappa:.0f}"


SURFACE_NAMES = {"quadratic": "an ill-conditioned bowl", "rosenbrock": "the Rosenbrock valley",
                 "saddle": "a saddle", "beale": "Beale's function", "bowl": "a (2, 3)-shaped θ"}

HINTS = {
    "sgd": "θ ← θ − η·g, nothing more: the step's size is the learning rate times the gradient.",
    "momentum": "v ← β·v + g sums gradients (lr stays outside: θ ← θ − η·v, with this step's η); "
                "v starts at zero and lives in state[\"v\"] between calls.",
    "rmsprop": "s ← β·s + (1 − β)·g², then θ ← θ − η·g / (√s + ε): ε is added after the square root.",
    "adam": "Count t from 1 before using it; m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ); then "
            "θ ← θ − η·m̂ / (√v̂ + ε), ε outside the root.",
    "adamw": "Decay the old θ by η·λ·θ outside the adaptive step, then take Adam's step on g alone: "
             "λθ never enters m or v.",
}


def _case(rng, surface: str, optimizer: str, steps: int, scheduled: bool) -> dict:
    """A case that rounding cannot decide: drawn again until `steady` holds."""
    for _ in range(100):
        case = _draw(rng, surface, optimizer, steps, scheduled)
        if steady(case, rng):
            return case
    raise RuntimeError(f"could not draw a steady case for {optimizer} on {surface}")  # pragma: no cover


def _draw(rng, surface: str, optimizer: str, steps: int, scheduled: bool) -> dict:
    if surface == "quadratic":
        constants, start, kappa, detail = _quadratic(rng)
        lr = {"sgd": rng.uniform(0.5, 1.8) / kappa, "momentum": rng.uniform(0.2, 1.0) / kappa}.get(optimizer)
    elif surface == "rosenbrock":
        a, b = round(float(rng.uniform(0.5, 1.5)), 4), round(float(rng.uniform(5.0, 30.0)), 4)
        constants, detail = [a, b], f"a = {a:g}, b = {b:g}"
        start = [float(rng.uniform(-1.5, -0.5)), float(rng.uniform(0.5, 2.0))]
        lr = {"sgd": rng.uniform(0.2, 0.8) / (40 * b), "momentum": rng.uniform(0.1, 0.4) / (40 * b)}.get(optimizer)
    elif surface == "saddle":
        a, b = round(float(rng.uniform(0.5, 2.0)), 4), round(float(rng.uniform(0.5, 2.0)), 4)
        constants, detail = [a, b], f"a = {a:g}, b = {b:g}"
        start = [float(rng.uniform(1.0, 2.0)) * float(rng.choice([-1, 1])), float(rng.uniform(1e-3, 1e-2))]
        lr = {"sgd": rng.uniform(0.05, 0.3), "momentum": rng.uniform(0.02, 0.1)}.get(optimizer)
    elif surface == "beale":
        constants, detail = [0.0], "minimum at (3, 0.5)"
        start = [float(rng.uniform(0.5, 1.5)), float(rng.uniform(-0.5, 1.0))]
        lr = {"sgd": rng.uniform(0.002, 0.01), "momentum": rng.uniform(0.0005, 0.002)}.get(optimizer)
    else:  # bowl: θ of shape (2, 3)
        constants = np.round(rng.uniform(0.5, 5.0, size=(2, 3)), 4).tolist()
        detail, start = "curvatures 0.5 to 5", np.round(rng.uniform(-2, 2, size=(2, 3)), 4).tolist()
        lr = {"sgd": rng.uniform(0.05, 0.3), "momentum": rng.uniform(0.02, 0.1)}.get(optimizer)
    if optimizer == "rmsprop":  # it bounces around a minimum at about lr: kept small
        lr = _log_uniform(rng, 0.002, 0.01)
    elif lr is None:  # Adam and AdamW: steps of about lr in every coordinate
        lr = _log_uniform(rng, 0.005, 0.05) if surface != "beale" else _log_uniform(rng, 0.005, 0.02)
    hp = _hyperparameters(rng, optimizer, float(lr))
    lrs = _schedule(rng, hp["lr"], steps) if scheduled else None
    how = "warm-up + cosine schedule" if scheduled else "constant learning rate"
    case = {"name": f"{optimizer} on {SURFACE_NAMES[surface]}",
            "summary": f"{steps} steps, {detail}, {how}, hidden hyperparameters",
            "hint": HINTS[optimizer], "surface": surface, "constants": constants, "theta0": start,
            "optimizer": optimizer, "hp": hp, "lrs": lrs, "steps": steps}
    case["script"] = script(case)
    return case


PLAN = [  # (surface, scheduled): every optimizer meets each surface, half of them under a schedule
    ("quadratic", False), ("rosenbrock", True), ("saddle", False), ("beale", True),
]


def cases(rng: np.random.Generator) -> list[dict]:
    """Twenty-one fights: five optimizers on four hidden surfaces, then Adam on a (2, 3)-shaped θ."""
    out = []
    for surface, scheduled in PLAN:
        for optimizer in OPTIMIZERS:
            out.append(_case(rng, surface, optimizer, int(rng.integers(200, 301)), scheduled))
    out.append(_case(rng, "bowl", "adamw", 150, True))
    return out


# ---------------------------------------------------------------- the C path

C_DRIVER = "c/driver.c"  # compiled with the player's lab.c; reads c_stdin(cases), answers on fd 3
C_HEADER = "c/optimizers.h"  # the five signatures lab.c must match, forced into the build
C_OPTIMIZERS = OPTIMIZERS  # the driver's numbering: 0 sgd ... 4 adamw
C_SURFACES = ("quadratic", "rosenbrock", "saddle", "beale", "bowl")


def _numbers(values) -> str:
    return " ".join(repr(float(x)) for x in np.ravel(values))


def c_case_text(case: dict) -> str:
    """One case as the driver reads it: "optimizer surface steps n", the constants, the five
    hyperparameters (β, β₁, β₂, ε, λ; 0 where unused), θ₀, and every step's learning rate.
    repr() of a float reads back as the same double, so the C loop starts from the same numbers."""
    hp, theta0 = case["hp"], np.ravel(np.array(case["theta0"], dtype=np.float64))
    head = (f"{C_OPTIMIZERS.index(case['optimizer'])} {C_SURFACES.index(case['surface'])} "
            f"{case['steps']} {theta0.size}")
    extra = [hp.get(key, 0.0) for key in ("beta", "beta1", "beta2", "eps", "weight_decay")]
    return "\n".join([head, _numbers(case["constants"]), _numbers(extra), _numbers(theta0),
                      _numbers(rates(case))]) + "\n"


def c_stdin(cases: list[dict]) -> str:
    """Everything the driver reads on stdin: the number of cases, then each case."""
    return f"{len(cases)}\n" + "".join(c_case_text(case) for case in cases)


def c_answer(case: dict, value):
    """The driver's trajectory (steps + 1, n) in θ's own shape, or (None, problem)."""
    shape = (case["steps"] + 1, *np.shape(case["theta0"]))
    try:
        path = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None, "the driver sent something that is not a trajectory"
    if path.size != math.prod(shape):
        return None, f"the driver sent {path.size} numbers, expected {math.prod(shape)}"
    return path.reshape(shape).tolist(), ""


# ---------------------------------------------------------------- judge

def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _coordinates(theta: np.ndarray) -> str:
    return "(" + ", ".join(f"{x:.10g}" for x in np.ravel(theta)) + ")"


def judge(case: dict, got) -> tuple[bool, str, str]:
    """Every iterate within 1e-8 of the reference's (relative once a coordinate is above 1)."""
    try:
        want = trajectory(case)
    except Exception as error:  # a malformed case is the boss's bug, never the player's win
        return False, "?", f"the boss could not compute this case ({type(error).__name__})"
    summary = f"{len(want) - 1} steps ending at {_coordinates(want[-1])}, every iterate within {TOLERANCE:g}"
    try:
        mine = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False, summary, f"the trajectory should be an array of numbers, got {_show(got)}"
    if mine.shape != want.shape:
        return False, summary, f"the trajectory has shape {mine.shape}, expected {want.shape}"
    first, problem = departure(mine, want, TOLERANCE)
    if first < 0:
        return True, summary, f"all {len(want) - 1} steps match (largest gap {float(gap(mine, want).max()):.1e})"
    return False, summary, (f"step {first} departs: θ is {_coordinates(mine[first])}, expected "
                            f"{_coordinates(want[first])}" + (" (the very first step)" if first == 1 else "")
                            + f"; {problem}")
