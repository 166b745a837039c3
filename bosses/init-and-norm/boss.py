"""Boss of module 8, The Twenty-Layer Tower: make a 20-block MLP trainable, then train it.

The player's lab gives the tower (see levels/08-init-and-norm/level.toml, [boss]):
  build(depth, n_in, width, n_out, rng) -> params, a dict of arrays with fixed names and shapes:
      W_in (n_in, width), b_in (width,), gamma, beta, b (depth, width), W (depth, width, width),
      W_out (width, n_out), b_out (n_out,); block l owns gamma[l], beta[l], W[l], b[l]
  tower_forward(params, X) -> (logits, cache);  tower_backward(params, cache, dlogits) -> grads
What a block does with its four arrays is the player's choice: initialisation, normalisation and
a residual path. Every fight draws fresh cases:
  layer_norm   the player's layer_norm on hidden rows (one tiny, one far from 0, one constant),
               every output within 1e-6 of the float64 formula here;
  at init      build on a hidden seed, one forward and backward of the mean cross-entropy on a
               hidden batch; each block's ‖∂L/∂W[l]‖ must lie in [GRAD_LOW, GRAD_HIGH] and the
               largest be at most GRAD_RATIO times the smallest: at depth 20 (width 32) and at
               depth 32 (width 24, 3 inputs, 4 classes), so nothing may be fixed at 20;
  backward     ∂L/∂p from tower_backward against central differences of tower_forward's loss
               on 24 entries spread over every array (a probe whose two step sizes disagree
               sits on a ReLU's kink and is skipped; at least 12 must be checked);
  training     a trusted script in the sandbox builds the tower (depth 20, width 32) from a
               hidden seed and trains it on hidden spirals (two arms, 1 to 1.4 turns, turned by
               a hidden angle, 800 points) with the loop written here: SGD with momentum 0.9,
               rate 0.02, batches of 64, 300 steps; then it sends the logits of the 800 training
               points and of 400 held-out points. The judge computes both numbers itself: the
               cross-entropy over the training set must be at most LOSS_TARGET and the held-out
               accuracy at least ACCURACY. The held-out labels never leave this process.
Everything the sandbox computes with the player's code could be forged by a lab that patches
its own process; the held-out accuracy cannot, since the labels are here.

Measured on the reference (LayerNorm, a residual path, He init, an output layer a tenth of He's)
with benchmarks/boss_init_and_norm.py and the same loop on this 2-core VM while other work ran
(load average 10-18), 2026-11-28. Training, seeds 0-99: the cross-entropy over the training set
at most 0.055 (median 0.0005), the held-out accuracy at least 0.9725 (at rate 0.03 one seed in
200 did not train, hence 0.02). At init, seeds 0-199: ‖∂L/∂W[l]‖ from 0.031 to 1.7 at depth 20
(the largest at most 12× the smallest) and from 0.041 to 0.98 at depth 32 (at most 9.1×); at
least 21 of the 24 probes checked, relative error below 2.4e-7. The training case takes 0.9-1.5 s
of CPU; a whole fight in the sandbox 2.8 s of wall time at load 5 and 8-9 s at load 18 (C: 4.3 s
at load 5, gcc included), a fight that counts (two rounds) 9.5 s in Python and 17 s in C at load 18. Thresholds: training
cross-entropy 0.15, held-out accuracy 0.9, band [0.001, 1000] and 30×, TIME_LIMIT_S 30 per round.
Other towers under the same loop: a plain stack with He init alone passes the training in 2 of
40 seeds, with nn.Linear's default init never (its gradients are about 1e-9, out of the band);
LayerNorm without a residual path in 0 of 10; a residual path whose He branches are shrunk by
1/√depth, without normalisation, in 39 of 40.
"""

from __future__ import annotations

import math

import numpy as np

from forge_tui.bossapi import compare

ENTRY = "build"
TIME_LIMIT_S = 30.0
LN_TOLERANCE = 1e-6
GRAD_LOW, GRAD_HIGH, GRAD_RATIO = 1e-3, 1e3, 30.0
GRADIENT_TOLERANCE = 1e-4  # relative, on top of an absolute 1e-7
KINK_TOLERANCE = 1e-4  # two step sizes that disagree by more than this (relative): a kink
MIN_PROBES = 12
LOSS_TARGET = 0.15
ACCURACY = 0.9
DEPTH, WIDTH = 20, 32
STEPS, BATCH, RATE, MOMENTUM = 300, 64, 0.02, 0.9
TRAIN_PER_ARM, TEST_PER_ARM = 400, 200
NAMES = ("W_in", "b_in", "gamma", "beta", "W", "b", "W_out", "b_out")


def shapes(depth: int, n_in: int, width: int, n_out: int) -> dict[str, tuple[int, ...]]:
    """The shape of every parameter of a tower."""
    return {"W_in": (n_in, width), "b_in": (width,), "gamma": (depth, width), "beta": (depth, width),
            "W": (depth, width, width), "b": (depth, width), "W_out": (width, n_out), "b_out": (n_out,)}


# ---------------------------------------------------------------- the math, done here

def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean softmax cross-entropy through log-sum-exp (finite for any finite logits)."""
    top = logits.max(axis=1, keepdims=True)
    log_total = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return float(np.mean(log_total - logits[np.arange(len(labels)), labels]))


def spirals(rng: np.random.Generator, per_arm: int, arms: int, turn: float,
            turns: float = 1.25, noise: float = 0.04) -> tuple[np.ndarray, np.ndarray]:
    """`arms` interleaved spiral arms labelled 0 .. arms-1, turned by `turn`, shuffled."""
    t = rng.uniform(0.0, 1.0, size=arms * per_arm)
    arm = np.repeat(np.arange(arms), per_arm)
    angle = 2 * np.pi * turns * t + 2 * np.pi * arm / arms + turn
    radius = 0.15 + 0.85 * t
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(X))
    return np.round(X[order], 6), arm[order]


def batches(seed: int, n: int) -> np.ndarray:
    """The rows of every training step: (STEPS, BATCH), drawn as the training script draws them."""
    order = np.random.default_rng(seed)
    return np.array([order.choice(n, BATCH, replace=False) for _ in range(STEPS)])


# ---------------------------------------------------------------- the scripts the sandbox runs

PRELUDE = """def cross_entropy(logits, labels):
    logits = np.asarray(logits, dtype=float)
    if logits.shape != (len(labels), N_OUT):
        raise ValueError(f"tower_forward returned logits of shape {{logits.shape}}, expected {{(len(labels), N_OUT)}}")
    top = logits.max(axis=1, keepdims=True)
    p = np.exp(logits - top)
    total = p.sum(axis=1)
    loss = float(np.mean(top[:, 0] + np.log(total) - logits[np.arange(len(labels)), labels]))
    p /= total[:, None]
    p[np.arange(len(labels)), labels] -= 1.0
    return loss, p / len(labels)

def checked(arrays, what):
    if not isinstance(arrays, dict):
        raise TypeError(f"{{what}} must return a dict of arrays keyed {{', '.join(SHAPES)}}, not {{type(arrays).__name__}}")
    out = {{}}
    for name, shape in SHAPES.items():
        if name not in arrays:
            raise KeyError(f"{{what}} returned no {{name!r}}")
        out[name] = np.array(arrays[name], dtype=float)
        if out[name].shape != shape:
            raise ValueError(f"{{what}}: {{name}} has shape {{out[name].shape}}, expected {{shape}}")
    return out

N_OUT = {n_out}
SHAPES = {shapes!r}
params = checked(lab.build({depth}, {n_in}, {width}, {n_out}, np.random.default_rng({seed})), "build")
"""

HEALTH = """X = {X}
y = {y}
logits, cache = lab.tower_forward(params, X)
loss, dlogits = cross_entropy(logits, y)
grads = checked(lab.tower_backward(params, cache, dlogits), "tower_backward")
result = {{"norms": [float(np.linalg.norm(g)) for g in grads["W"]], "loss": loss}}
"""

PROBE = """X = {X}
y = {y}
probes = {probes!r}
logits, cache = lab.tower_forward(params, X)
loss, dlogits = cross_entropy(logits, y)
grads = checked(lab.tower_backward(params, cache, dlogits), "tower_backward")
rows = []
for name, index in probes:
    index = tuple(index)
    keep = params[name][index]
    row = [float(grads[name][index])]
    for step in (1e-5, 1e-6):
        params[name][index] = keep + step
        up = cross_entropy(lab.tower_forward(params, X)[0], y)[0]
        params[name][index] = keep - step
        down = cross_entropy(lab.tower_forward(params, X)[0], y)[0]
        params[name][index] = keep
        row.append((up - down) / (2 * step))
    rows.append(row)
result = np.array(rows)
"""

TRAIN = """X = {X}
y = {y}
X_test = {X_test}
order = np.random.default_rng({batch_seed})
velocity = {{name: np.zeros_like(value) for name, value in params.items()}}
losses = []
for step in range({steps}):
    rows = order.choice(len(X), {batch}, replace=False)
    logits, cache = lab.tower_forward(params, X[rows])
    loss, dlogits = cross_entropy(logits, y[rows])
    grads = checked(lab.tower_backward(params, cache, dlogits), "tower_backward")
    for name in params:
        velocity[name] = {momentum} * velocity[name] + grads[name]
        params[name] = params[name] - {rate} * velocity[name]
    losses.append(loss)
result = {{"train_logits": np.asarray(lab.tower_forward(params, X)[0], dtype=float),
          "logits": np.asarray(lab.tower_forward(params, X_test)[0], dtype=float),
          "losses": np.array(losses[::10] + losses[-1:])}}
"""


def _literal(array) -> str:
    """An array as Python source the child's script reads back exactly."""
    array = np.asarray(array)
    dtype = "int" if array.dtype.kind in "iu" else "float"
    return f"np.array({array.tolist()!r}, dtype={dtype})"


def _tower(depth: int, n_in: int, width: int, n_out: int, seed: int) -> dict:
    """What every tower case carries for the scripts (and the C driver)."""
    return {"depth": depth, "n_in": n_in, "width": width, "n_out": n_out, "seed": seed}


def _prelude(tower: dict) -> str:
    return PRELUDE.format(shapes=shapes(tower["depth"], tower["n_in"], tower["width"], tower["n_out"]), **tower)


def _health_case(rng, name: str, summary: str, hint: str, depth: int, n_in: int, width: int, n_out: int,
                 X: np.ndarray, y: np.ndarray) -> dict:
    tower = _tower(depth, n_in, width, n_out, int(rng.integers(2**31)))
    return {"name": name, "summary": summary, "hint": hint, "kind": "health", "tower": tower,
            "X": X.tolist(), "y": y.tolist(),
            "script": _prelude(tower) + HEALTH.format(X=_literal(X), y=_literal(y))}


def _probes(rng, depth: int, n_in: int, width: int, n_out: int) -> list:
    """24 entries spread over every array: the ends of the stack and its middle."""
    where = [("W_in", (n_in, width)), ("b_in", (width,)), ("W_out", (width, n_out)), ("b_out", (n_out,))]
    for block in (0, depth // 2, depth - 1):
        where += [("W", (block, width, width)), ("b", (block, width)), ("gamma", (block, width)),
                  ("beta", (block, width))]
    probes = []
    for name, shape in where:
        fixed = [shape[0]] if name in ("W", "b", "gamma", "beta") else []
        free = shape[1:] if fixed else shape
        index = [int(rng.integers(n)) for n in free]
        probes.append([name, ([fixed[0]] if fixed else []) + index])
    probes += [["W", [int(rng.integers(depth)), int(rng.integers(width)), int(rng.integers(width))]]
               for _ in range(24 - len(probes))]
    return probes


def _probe_case(rng) -> dict:
    depth, n_in, width, n_out, batch = DEPTH, 3, 12, 3, 8
    tower = _tower(depth, n_in, width, n_out, int(rng.integers(2**31)))
    X = np.round(rng.standard_normal((batch, n_in)), 6)
    y = rng.integers(0, n_out, batch)
    probes = _probes(rng, depth, n_in, width, n_out)
    return {"name": "backward against central differences",
            "summary": f"depth {depth}, width {width}, a batch of {batch}: 24 entries of ∂L/∂p",
            "hint": "tower_backward must be the exact derivative of tower_forward: check each block's "
                    "parts on their own (layer_norm_backward against central differences first), "
                    "and remember the residual path: dh leaves a block as dh plus what the block sends.",
            "kind": "probe", "tower": tower, "X": X.tolist(), "y": y.tolist(), "probes": probes,
            "script": _prelude(tower) + PROBE.format(X=_literal(X), y=_literal(y), probes=probes)}


def _train_case(rng) -> dict:
    arms, turn, turns = 2, float(rng.uniform(0, 2 * np.pi)), float(rng.uniform(1.0, 1.4))
    X, y = spirals(rng, TRAIN_PER_ARM, arms, turn, turns)
    X_test, y_test = spirals(rng, TEST_PER_ARM, arms, turn, turns)
    tower = _tower(DEPTH, 2, WIDTH, arms, int(rng.integers(2**31)))
    batch_seed = int(rng.integers(2**31))
    script = _prelude(tower) + TRAIN.format(X=_literal(X), y=_literal(y), X_test=_literal(X_test),
                                            batch_seed=batch_seed, steps=STEPS, batch=BATCH,
                                            momentum=MOMENTUM, rate=RATE)
    return {"name": "training on hidden spirals",
            "summary": f"{arms} spiral arms, {DEPTH} blocks of width {WIDTH}: SGD with momentum {MOMENTUM}, "
                       f"rate {RATE}, batches of {BATCH}, {STEPS} steps; then the cross-entropy over all {2 * TRAIN_PER_ARM} "
                       f"training points at most {LOSS_TARGET}, held-out accuracy at least {ACCURACY:.0%}",
            "hint": "If the loss does not move, the gradient is not reaching the lower blocks: look at "
                    "‖∂L/∂W[l]‖ per block at init. If it turns into nan, something grows block after "
                    "block: a residual path adds variance at every block unless something keeps it in check.",
            "kind": "train", "tower": tower, "X": X.tolist(), "y": y.tolist(), "X_test": X_test.tolist(),
            "batch_seed": batch_seed, "labels": y_test.tolist(), "script": script}


def _layer_norm_case(rng) -> dict:
    rows, n = 8, 24
    x = rng.standard_normal((rows, n)) * rng.uniform(0.5, 3.0, (rows, 1)) + rng.uniform(-2, 2, (rows, 1))
    x[1] = 0.01 * rng.standard_normal(n)  # tiny: eps matters here
    x[2] = 1000.0 + rng.standard_normal(n)  # far from 0
    x[3] = rng.uniform(-1, 1)  # constant: variance 0
    gamma, beta = rng.uniform(0.5, 1.5, n), rng.uniform(-0.5, 0.5, n)
    args = [np.round(a, 6) for a in (x, gamma, beta)]
    return {"name": "layer_norm on hidden rows",
            "summary": f"{rows} rows of {n}: ordinary, tiny (std 0.01), near 1000, constant; eps 1e-5",
            "hint": "Per row: subtract the mean, divide by sqrt(var + eps) with the biased variance "
                    "(divide by n), then gamma * that + beta. eps goes inside the square root.",
            "kind": "layer_norm",
            "call": {"function": "layer_norm", "args": [encode_array(a) for a in args], "kwargs": {"eps": 1e-5}}}


def encode_array(array) -> dict:
    array = np.asarray(array)
    return {"__ndarray__": array.tolist(), "dtype": str(array.dtype)}


def cases(rng: np.random.Generator) -> list[dict]:
    """Five trials, each on fresh inputs: layer_norm, the tower at init twice, its backward, training."""
    spiral_X, spiral_y = spirals(rng, 128, 2, float(rng.uniform(0, 2 * np.pi)))
    wide_X = np.round(rng.standard_normal((256, 3)), 6)
    return [
        _layer_norm_case(rng),
        _health_case(rng, "the tower at init: depth 20",
                     "build(20, 2, 32, 2): ‖∂L/∂W[l]‖ of each block on 256 spiral points",
                     "Every block's weight gradient must be within [0.001, 1000] and within a factor of 30 "
                     "of every other: a signal that shrinks or grows layer after layer fails here.",
                     DEPTH, 2, WIDTH, 2, spiral_X, spiral_y),
        _health_case(rng, "the tower at init: depth 32",
                     "build(32, 3, 24, 4) on 256 Gaussian points: the same band, deeper and narrower",
                     "Nothing may be fixed at 20 blocks or width 32: take every size from build's arguments.",
                     32, 3, 24, 4, wide_X, rng.integers(0, 4, 256)),
        _probe_case(rng),
        _train_case(rng),
    ]


# ---------------------------------------------------------------- the C path

C_DRIVER = "c/driver.c"  # compiled with the player's lab.c; reads c_stdin(cases), answers on fd 3
C_HEADER = "c/tower.h"


def offset(tower: dict, name: str, index) -> int:
    """Where params[name][index] sits in the C path's one flat array."""
    sizes = shapes(tower["depth"], tower["n_in"], tower["width"], tower["n_out"])
    start = 0
    for part, shape in sizes.items():
        if part == name:
            return start + int(np.ravel_multi_index(tuple(index), shape))
        start += math.prod(shape)
    raise KeyError(name)


def _numbers(array) -> str:
    return " ".join(repr(float(x)) for x in np.ravel(array))


def _integers(array) -> str:
    return " ".join(str(int(x)) for x in np.ravel(array))


def _tower_line(letter: str, case: dict, *more) -> str:
    t = case["tower"]
    return " ".join(map(str, (letter, t["depth"], t["n_in"], t["width"], t["n_out"], t["seed"], *more)))


def c_case_text(case: dict) -> str:
    """One case as the driver reads it (see c/driver.c): inputs only, nothing expected."""
    kind = case["kind"]
    if kind == "layer_norm":
        x, gamma, beta = (np.array(a["__ndarray__"], dtype=float) for a in case["call"]["args"])
        lines = [f"L {x.shape[0]} {x.shape[1]} {case['call']['kwargs']['eps']!r}", *map(_numbers, x),
                 _numbers(gamma), _numbers(beta)]
    elif kind in ("health", "probe"):
        X = np.array(case["X"], dtype=float)
        lines = [_tower_line(kind[0].upper(), case, len(X)), *map(_numbers, X), _integers(case["y"])]
        if kind == "probe":
            lines += [str(len(case["probes"])), " ".join(str(offset(case["tower"], n, i)) for n, i in case["probes"])]
    elif kind == "train":
        X, X_test = np.array(case["X"], dtype=float), np.array(case["X_test"], dtype=float)
        lines = [_tower_line("T", case, len(X), len(X_test), STEPS, BATCH, RATE, MOMENTUM), *map(_numbers, X),
                 _integers(case["y"]), *map(_numbers, X_test), *map(_integers, batches(case["batch_seed"], len(X)))]
    else:
        raise ValueError(f"no C form for a {kind!r} case")
    return "\n".join(lines) + "\n"


def c_stdin(cases: list[dict]) -> str:
    """Everything the driver reads on stdin: the number of cases, then each case."""
    return f"{len(cases)}\n" + "".join(c_case_text(case) for case in cases)


def c_answer(case: dict, value):
    """The driver's flat arrays in the shapes the judge reads, or (None, problem)."""
    kind = case["kind"]
    if kind == "layer_norm":
        rows, n = np.shape(case["call"]["args"][0]["__ndarray__"])
        return np.reshape(np.asarray(value, dtype=float), (rows, n)).tolist(), ""
    if kind == "probe":
        return np.reshape(np.asarray(value, dtype=float), (len(case["probes"]), 3)).tolist(), ""
    if not isinstance(value, dict):
        return None, f"the driver sent {_show(value)}"
    if kind == "train":
        classes = case["tower"]["n_out"]
        logits = np.reshape(np.asarray(value["logits"], dtype=float), (len(case["labels"]), classes))
        train = np.reshape(np.asarray(value["train_logits"], dtype=float), (len(case["y"]), classes))
        return {"train_logits": train.tolist(), "logits": logits.tolist(),
                "losses": np.asarray(value["losses"], dtype=float).tolist()}, ""
    return {"norms": np.asarray(value["norms"], dtype=float).tolist(), "loss": value.get("loss")}, ""


# ---------------------------------------------------------------- judge

def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _judge_layer_norm(case, got) -> tuple[bool, str, str]:
    x, gamma, beta = (np.array(a["__ndarray__"], dtype=float) for a in case["call"]["args"])
    want = layer_norm(x, gamma, beta, case["call"]["kwargs"]["eps"])
    summary = f"an array of shape {want.shape}, each entry within {LN_TOLERANCE:g}"
    mine = np.asarray(got, dtype=float)
    if mine.shape != want.shape:
        return False, summary, f"layer_norm returned shape {mine.shape}, expected {want.shape}"
    if not np.any(np.isfinite(mine)):
        return False, summary, "every entry is nan or inf (from C: an entry never written stays NaN)"
    if not np.all(np.isfinite(mine)):
        row = int(np.argwhere(~np.isfinite(mine))[0][0])
        return False, summary, f"row {row} holds nan or inf (a constant row has variance 0: is eps in the root?)"
    ok, problem = compare(mine, want, atol=LN_TOLERANCE, name="layer_norm's output")
    if not ok:
        return False, summary, problem
    return True, summary, "every entry matches"


def _judge_health(case, got) -> tuple[bool, str, str]:
    depth = case["tower"]["depth"]
    summary = f"{depth} norms, each in [{GRAD_LOW:g}, {GRAD_HIGH:g}], largest/smallest ≤ {GRAD_RATIO:g}"
    if not isinstance(got, dict):
        return False, summary, f"expected the norms, got {_show(got)}"
    norms = np.asarray(got.get("norms"), dtype=float)
    if norms.shape != (depth,):
        return False, summary, f"{norms.size} block norms came back, expected {depth}"
    if not np.all(np.isfinite(norms)):
        first = int(np.argwhere(~np.isfinite(norms))[0][0])
        return False, summary, f"‖∂L/∂W[{first}]‖ is {norms[first]}: the signal overflowed on its way up or down"
    low, high = int(np.argmin(norms)), int(np.argmax(norms))
    span = f"‖∂L/∂W[l]‖ from {norms[low]:.3g} (block {low}) to {norms[high]:.3g} (block {high})"
    if norms[low] < GRAD_LOW:
        return False, summary, f"{span}: block {low}'s gradient has vanished"
    if norms[high] > GRAD_HIGH:
        return False, summary, f"{span}: block {high}'s gradient has exploded"
    if norms[high] > GRAD_RATIO * norms[low]:
        return False, summary, f"{span}: a factor of {norms[high] / norms[low]:.3g} between blocks"
    return True, summary, span


def _judge_probe(case, got) -> tuple[bool, str, str]:
    probes = case["probes"]
    summary = f"each checked entry within {GRADIENT_TOLERANCE:g} (relative) of central differences"
    rows = np.asarray(got, dtype=float)
    if rows.shape != (len(probes), 3):
        return False, summary, f"expected {len(probes)} rows of (analytic, two differences), got shape {rows.shape}"
    if not np.all(np.isfinite(rows)):
        return False, summary, "a gradient or a loss came back as nan or inf"
    analytic, coarse, fine = rows.T
    smooth = np.abs(coarse - fine) <= 1e-7 + KINK_TOLERANCE * np.abs(fine)
    if smooth.sum() < MIN_PROBES:
        return False, summary, (f"only {int(smooth.sum())} of {len(probes)} entries could be checked: the loss "
                                "jumps when a weight moves by 1e-5 (is tower_forward deterministic?)")
    for (name, index), a, f, ok in zip(probes, analytic, fine, smooth):
        close, problem = compare(a, f, rtol=GRADIENT_TOLERANCE, atol=1e-7,
                                 name=f"∂L/∂{name}[{', '.join(map(str, index))}]")
        if ok and not close:
            return False, summary, problem + ": from tower_backward, against the loss's central differences"
    return True, summary, f"{int(smooth.sum())} entries checked, every one matches"


def _logits(got, key: str, rows: int, classes: int) -> np.ndarray:
    logits = np.asarray(got.get(key), dtype=float)
    if logits.shape != (rows, classes):
        raise ValueError(f"logits of shape {logits.shape}, expected {(rows, classes)}")
    return logits


def _judge_train(case, got) -> tuple[bool, str, str]:
    """The training loss over the whole training set at the end, and the held-out accuracy, both
    computed here from logits; the held-out labels never left this process."""
    y, labels = np.array(case["y"]), np.array(case["labels"])
    classes = case["tower"]["n_out"]
    summary = (f"training cross-entropy ≤ {LOSS_TARGET} on all {len(y)} points after {STEPS} steps, "
               f"held-out accuracy ≥ {ACCURACY:.0%}")
    if not isinstance(got, dict):
        return False, summary, f"expected the trained tower's logits, got {_show(got)}"
    try:
        train, test = _logits(got, "train_logits", len(y), classes), _logits(got, "logits", len(labels), classes)
    except ValueError as wrong:
        return False, summary, str(wrong)
    if not (np.all(np.isfinite(train)) and np.all(np.isfinite(test))):
        return False, summary, "the trained tower's logits hold nan or inf: the training diverged"
    loss, accuracy = cross_entropy(train, y), float(np.mean(test.argmax(axis=1) == labels))
    verdict = f"training cross-entropy {loss:.4f} (target {LOSS_TARGET}), held-out accuracy {accuracy:.3f}"
    losses = np.asarray(got.get("losses", []), dtype=float).ravel()
    if losses.size > 1 and loss > LOSS_TARGET:
        verdict += f"; batch loss {losses[0]:.3g} at the first step, {losses[-1]:.3g} at the last"
    return loss <= LOSS_TARGET and accuracy >= ACCURACY, summary, verdict


JUDGES = {"layer_norm": _judge_layer_norm, "health": _judge_health, "probe": _judge_probe, "train": _judge_train}


def judge(case: dict, got) -> tuple[bool, str, str]:
    try:
        judge_kind = JUDGES[case["kind"]]
    except Exception as error:  # a malformed case is the boss's bug, never the player's win
        return False, "?", f"the boss could not read this case ({type(error).__name__})"
    try:
        with np.errstate(all="ignore"):
            return judge_kind(case, got)
    except Exception as error:  # noqa: BLE001 - an answer the judge cannot read loses
        return False, "", f"could not read the result ({type(error).__name__}): got {_show(got)}"
