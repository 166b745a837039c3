"""Boss of module 12, The Polyglot Decoder: the tiny GPT's whole forward pass and its sampler,
written in C or Rust, from the shipped weights.

The player's lab.c (or lab.rs) defines `gpt_forward` and `gpt_generate` (signatures in c/gpt.h
and RUST_SIGNATURE below), compiled with the trusted driver in c/ (or rust/) and run in the
sandbox, in a folder that holds the model files the cases name: tinygpt.bin is the shipped
datasets/tinygpt/weights.bin, and every fight adds two small models with fresh random weights and
shapes in the same format (float32, tensors in the manifest's order), so nothing about the shipped
model's size can be hard-coded. Python labs do not fight this boss (LANGUAGES).

Cases, all drawn from the fight's seed: 16 prompts cut from the corpus's validation text (one
character, the full context of 64, and 14 lengths between), 2 prompts on each random model (20
prompts in all), every position's logits judged to 1e-4 against datasets/tinygpt/model.py (the
NumPy reference, float64); then two generations with uniform numbers the driver hands over
(token k is the smallest i with u[k] < p[0] + ... + p[i], p = softmax(logits / temperature) of
the last `context` tokens): 3 x context tokens on a small random model, every step judged, and
500 characters from the shipped model at a hidden temperature, 16 of its steps judged (the
first, the ones where the window fills and first slides, the last, and 12 drawn at random),
within GENERATION_CPU_S of CPU as the driver measures it in the lab's process (a lab could fool
that clock; the sandbox's CPU limit on the whole run, TIME_LIMIT_S, is the bound no code moves).

Measured 2026-11-28 with benchmarks/boss_transformer_block.py on this 2-core VM under a load
average of 11-13 from other work (a 10^7-step Python loop took 1.3-1.4 s), seeds 0-5, every case
of every seed: both references win 6/6; the largest gap between their logits and this judge's is
5.2e-14 (c/reference.c and rust/reference.rs alike), and every judged token matches. The 500
characters took the C reference 12.4-13.3 s of CPU (median 12.7 s; gcc -O2, the fight's own
build) and the Rust one 7.4-7.8 s (median 7.6 s; rustc -O), about 4 times that in wall time at
that load; the judge spends about 0.5 s of CPU per fight. Thresholds: 1e-4 as the curriculum
states (NumPy's float32 forward pass errs by 1.8e-5 over 20 prompts of 64, so float32 can pass;
the brief asks for double); 30 s of CPU for the 500 characters, 2.3 times the slower reference
here (the curriculum's 10 s on one core assumed an idle one); the whole run gets TIME_LIMIT_S of
CPU and WALL_LIMIT_S of wall time.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from forge_tui.bossapi import compare

ENTRY = "gpt_forward"
LANGUAGES = ("c", "rust")  # the point of the boss: no Python lab fights it
TOLERANCE = 1e-4
GENERATED = 500  # characters of the long generation
GENERATION_CPU_S = 30.0
TIME_LIMIT_S = 60.0  # CPU seconds for the lab's whole run
WALL_LIMIT_S = 240.0  # wall seconds for it, on 2 loaded cores
SHIPPED_FILE = "tinygpt.bin"
SHIPPED_PROMPTS = 16
CHECKED_STEPS = 16

C_DRIVER = "c/driver.c"  # compiled with the player's lab.c; reads c_stdin(cases), answers on fd 3
C_HEADER = "c/gpt.h"
RUST_DRIVER = "rust/driver.rs"  # has the player's lab.rs as `mod lab`; same stdin, same answers
RUST_SIGNATURE = ("pub fn gpt_forward(c: &Config, weights: &[f32], ids: &[usize]) -> Vec<f64>\n"
                  "pub fn gpt_generate(c: &Config, weights: &[f32], prompt: &[usize], n: usize, temperature: f64, "
                  "u: &[f64]) -> Vec<usize>\n"
                  "pub struct Config { pub n_layer: usize, pub n_head: usize, pub d_model: usize, "
                  "pub context: usize, pub vocab_size: usize, pub eps: f64 }")


# ---------------------------------------------------------------- the models

def _gpt():
    from forge_tui.tinygpt import model_module

    return model_module()


def tensor_shapes(config: dict) -> list[tuple[str, tuple[int, ...]]]:
    """Every tensor of a model with this config, in the order weights.bin stores them."""
    d, out = config["d_model"], [("wte", (config["vocab_size"], config["d_model"])),
                                 ("wpe", (config["context"], config["d_model"]))]
    for i in range(config["n_layer"]):
        h = f"h.{i}."
        out += [(h + "ln_1.weight", (d,)), (h + "ln_1.bias", (d,)),
                (h + "attn.c_attn.weight", (d, 3 * d)), (h + "attn.c_attn.bias", (3 * d,)),
                (h + "attn.c_proj.weight", (d, d)), (h + "attn.c_proj.bias", (d,)),
                (h + "ln_2.weight", (d,)), (h + "ln_2.bias", (d,)),
                (h + "mlp.c_fc.weight", (d, 4 * d)), (h + "mlp.c_fc.bias", (4 * d,)),
                (h + "mlp.c_proj.weight", (4 * d, d)), (h + "mlp.c_proj.bias", (d,))]
    return out + [("ln_f.weight", (d,)), ("ln_f.bias", (d,))]


def _random_tensor(rng: np.random.Generator, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Weights that keep activations of order 1 and make every mistake visible at 1e-4."""
    if name in ("wte", "wpe"):  # logits of spread about 1.5: sampling is not just the argmax
        return rng.standard_normal(shape) * (1.5 / math.sqrt(shape[1]))
    if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name == "ln_f.weight":
        return 1.0 + 0.25 * rng.standard_normal(shape)
    if len(shape) == 1:
        return 0.1 * rng.standard_normal(shape)
    return rng.standard_normal(shape) * (1.5 / math.sqrt(shape[0]))


@lru_cache(maxsize=8)
def random_model(seed: int, n_layer: int, n_head: int, d_model: int, context: int, vocab_size: int):
    """A TinyGPT (model.py's) with random float32 weights of this shape, the same for the same seed."""
    config = {"n_layer": n_layer, "n_head": n_head, "d_model": d_model, "context": context,
              "vocab_size": vocab_size, "layer_norm_eps": 1e-5}
    rng = np.random.default_rng(seed)
    params = {name: _random_tensor(rng, name, shape).astype("<f4").astype(np.float64)
              for name, shape in tensor_shapes(config)}
    vocabulary = "".join(chr(0x100 + i) for i in range(vocab_size))
    return _gpt().TinyGPT(config, vocabulary, params)


def model_of(spec: dict):
    """The model a case names: the shipped one, or a random one rebuilt from its seed."""
    if spec["seed"] is None:
        return _gpt().load()
    c = spec["config"]
    return random_model(spec["seed"], c["n_layer"], c["n_head"], c["d_model"], c["context"], c["vocab_size"])


def weights_bytes(model) -> bytes:
    """The model as weights.bin stores it: float32 little-endian, tensors one after another."""
    return b"".join(model.params[name].astype("<f4").tobytes() for name, _ in tensor_shapes(model.config))


def shipped_weights_path() -> Path:
    from forge_tui.locations import datasets_directory

    return datasets_directory() / "tinygpt" / "weights.bin"


# ---------------------------------------------------------------- cases

def _spec(file: str, seed: int | None, config: dict) -> dict:
    keys = ("n_layer", "n_head", "d_model", "context", "vocab_size", "layer_norm_eps")
    return {"file": file, "seed": seed, "config": {k: config[k] for k in keys}}


def _random_spec(rng: np.random.Generator, index: int, heads: tuple[int, int]) -> dict:
    n_head = int(rng.integers(heads[0], heads[1] + 1))
    config = {"n_layer": int(rng.integers(1, 4)), "n_head": n_head, "d_model": n_head * int(rng.integers(4, 11)),
              "context": int(rng.integers(8, 21)), "vocab_size": int(rng.integers(5, 41)), "layer_norm_eps": 1e-5}
    return _spec(f"random_{index}.bin", int(rng.integers(2**31)), config)


def _forward_case(name: str, summary: str, hint: str, spec: dict, ids) -> dict:
    return {"name": name, "summary": summary, "hint": hint, "kind": "forward",
            "call": {"function": "gpt_forward", "args": [spec, [int(i) for i in ids]], "kwargs": {}}}


def _generate_case(name: str, summary: str, hint: str, spec: dict, prompt, n: int, temperature: float,
                   u: np.ndarray, steps: list[int]) -> dict:
    return {"name": name, "summary": summary, "hint": hint, "kind": "generate", "steps": steps,
            "call": {"function": "gpt_generate", "args": [spec, [int(i) for i in prompt], n, temperature,
                                                          [float(x) for x in u]], "kwargs": {}}}


def _prompt(rng: np.random.Generator, length: int) -> str:
    from forge_tui.corpus import valid_text

    text = valid_text()
    start = int(rng.integers(0, len(text) - length))
    return text[start:start + length]


HINT_FORWARD = ("x = wte[ids] + wpe[0..T-1]; per block x += attn(ln_1(x)), then x += mlp(ln_2(x)); "
                "logits = ln_f(x) wte^T. Compare with datasets/tinygpt/model.py one step at a time.")
HINT_ONE = ("One token attends only to itself, so attention hands on its value row: check the embeddings, "
            "the LayerNorms (biased variance, eps inside the square root), GELU's tanh form, the tied unembedding.")
HINT_GENERATE = ("p = softmax(logits of the last position / temperature); token k is the first i where "
                 "u[k] < p[0] + ... + p[i]. Feed the model only the last `context` tokens.")


def cases(rng: np.random.Generator) -> list[dict]:
    """20 prompts' logits (16 on the shipped model, 2 on each of two fresh random models), a short
    generation on a random model judged at every step, and 500 characters from the shipped one."""
    gpt = _gpt()
    model = gpt.load()
    shipped = _spec(SHIPPED_FILE, None, model.config)
    ctx = model.context
    lengths = [1, ctx] + [int(n) for n in rng.integers(2, ctx, SHIPPED_PROMPTS - 2)]
    out = []
    for i, length in enumerate(lengths):
        text = _prompt(rng, length)
        hint = HINT_ONE if length == 1 else HINT_FORWARD
        out.append(_forward_case(f"hidden prompt {i + 1}", f"the shipped model on {length} character"
                                 f"{'s' if length > 1 else ''} of the validation text: every position's logits",
                                 hint, shipped, gpt.encode(text, model)))
    small = [_random_spec(rng, 1, (2, 4)), _random_spec(rng, 2, (1, 3))]
    for index, spec in enumerate(small, start=1):
        c = spec["config"]
        for length in (c["context"], int(rng.integers(2, c["context"]))):
            out.append(_forward_case(
                f"random model {index}, {length} tokens",
                f"fresh random weights: {c['n_layer']} layers, {c['n_head']} heads, d = {c['d_model']}, "
                f"context {c['context']}, {c['vocab_size']} tokens",
                "Nothing may be fixed at the shipped model's size: take every width from the Config.",
                spec, rng.integers(0, c["vocab_size"], length)))
    spec = small[1]
    c = spec["config"]
    n = 3 * c["context"]
    out.append(_generate_case(
        "a short generation", f"{n} tokens from random model 2 (context {c['context']}) at temperature 0.8, "
        "every step judged", HINT_GENERATE, spec, rng.integers(0, c["vocab_size"], 3), n, 0.8,
        rng.random(n), list(range(n))))
    prompt = gpt.encode(_prompt(rng, int(rng.integers(8, 41))), model)
    temperature = round(float(rng.uniform(0.6, 1.1)), 2)
    full = ctx - len(prompt)  # the first step whose window holds `context` tokens
    steps = {0, full - 1, full, full + 1, GENERATED - 1}
    steps |= {int(k) for k in rng.choice(GENERATED, CHECKED_STEPS - len(steps), replace=False)}
    while len(steps) < CHECKED_STEPS:
        steps.add(int(rng.integers(GENERATED)))
    out.append(_generate_case(
        f"{GENERATED} characters", f"{GENERATED} characters from the shipped model after a {len(prompt)}-character "
        f"prompt at temperature {temperature}, in at most {GENERATION_CPU_S:g} s of CPU",
        HINT_GENERATE + f" Each step runs the whole model on up to {ctx} tokens: keep the inner loops "
        "running along rows of W (W[i * n_out + j] with j innermost).",
        shipped, prompt, GENERATED, temperature, rng.random(GENERATED), sorted(steps)))
    return out


# ---------------------------------------------------------------- the compiled paths' input and output

def _config_line(spec: dict) -> str:
    c = spec["config"]
    return (f"{spec['file']} {c['n_layer']} {c['n_head']} {c['d_model']} {c['context']} {c['vocab_size']} "
            f"{c['layer_norm_eps']!r}")


def c_case_text(case: dict) -> str:
    """One case as the drivers read it (see c/driver.c). Inputs only, nothing expected."""
    args = case["call"]["args"]
    if case["kind"] == "forward":
        spec, ids = args
        return f"forward {_config_line(spec)} {len(ids)}\n{' '.join(map(str, ids))}\n"
    spec, prompt, n, temperature, u = args
    return (f"generate {_config_line(spec)} {len(prompt)} {n} {temperature!r}\n{' '.join(map(str, prompt))}\n"
            f"{' '.join(repr(float(x)) for x in u)}\n")


def c_stdin(cases: list[dict]) -> str:
    """Everything a driver reads on stdin: the number of cases, then each case."""
    return f"{len(cases)}\n" + "".join(c_case_text(case) for case in cases)


def c_files(cases: list[dict]) -> dict[str, Path | bytes]:
    """The model files the cases name, for the fight's folder: the shipped weights by path, the
    random models as bytes."""
    files: dict[str, Path | bytes] = {}
    for case in cases:
        spec = case["call"]["args"][0]
        if spec["file"] not in files:
            files[spec["file"]] = shipped_weights_path() if spec["seed"] is None else weights_bytes(model_of(spec))
    return files


def c_answer(case: dict, value):
    """A driver's {"logits": [[...]]} or {"tokens": [...], "cpu_s": s} as the judge expects it,
    or (None, problem)."""
    key = "logits" if case["kind"] == "forward" else "tokens"
    if not isinstance(value, dict) or key not in value:
        return None, f"the driver sent {_show(value)}, not the {key}"
    return value, ""


# ---------------------------------------------------------------- judge

def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def probabilities(model, ids, temperature: float) -> np.ndarray:
    """softmax(the last position's logits / temperature) for the last `context` of ids."""
    logits = _gpt().forward(np.asarray(ids[-model.context:]), model)[-1] / temperature
    e = np.exp(logits - logits.max())
    return e / e.sum()


def expected_token(p: np.ndarray, u: float) -> tuple[int, float]:
    """The token u draws from p, and how far u is from the nearest boundary of the cumulative sum."""
    running = np.cumsum(p)
    token = int(np.searchsorted(running, u, side="right"))
    return min(token, len(p) - 1), float(np.min(np.abs(running[:-1] - u))) if len(p) > 1 else 1.0


def _judge_forward(case: dict, got) -> tuple[bool, str, str]:
    spec, ids = case["call"]["args"]
    model = model_of(spec)
    want = _gpt().forward(np.asarray(ids), model)
    summary = f"logits of shape {want.shape}, each within {TOLERANCE:g} of the NumPy reference"
    try:
        mine = np.asarray(got["logits"], dtype=np.float64)
    except (TypeError, ValueError):
        return False, summary, "the logits are not an array of numbers"
    if mine.shape != want.shape:
        return False, summary, f"logits of shape {mine.shape}, expected {want.shape} (tokens x vocabulary)"
    if not np.all(np.isfinite(mine)):
        return False, summary, ("the logits hold NaN or inf: one never written, or a read past the end of "
                                "the weights (there is no separate unembedding: it is wte, tied)")
    ok, where = compare(mine, want, atol=TOLERANCE, name="logits")
    if ok:
        return True, summary, f"every logit matches (largest gap {np.abs(mine - want).max():.1e})"
    rows = [t for t in range(len(want)) if not compare(mine[t], want[t], atol=TOLERANCE)[0]]
    if rows[0] > 0:
        why = f"; positions 0-{rows[0] - 1} match and position {rows[0]} is the first off: what mixes positions?"
    elif len(ids) > 1 and rows[-1] < len(ids) - 1:
        why = "; the last position matches but earlier ones do not: can a position see the tokens after it?"
    else:
        why = f"; {len(rows)} of {len(ids)} positions are off, position 0 among them" if len(ids) > 1 else ""
    return False, summary, where + why


def _judge_generate(case: dict, got) -> tuple[bool, str, str]:
    spec, prompt, n, temperature, u = case["call"]["args"]
    model = model_of(spec)
    summary = f"{n} tokens, each the one u[k] draws from the reference's probabilities"
    tokens = got.get("tokens")
    if not isinstance(tokens, list) or len(tokens) != n:
        return False, summary, f"expected a list of {n} tokens, got {_show(tokens)}"
    if not all(type(t) is int and 0 <= t < model.config["vocab_size"] for t in tokens):
        k = next(k for k, t in enumerate(tokens) if not (type(t) is int and 0 <= t < model.config["vocab_size"]))
        return False, summary, f"token {k} is {tokens[k]!r}: never written, or not a token id"
    for k in case["steps"]:
        ids = list(prompt) + tokens[:k]
        p = probabilities(model, ids, temperature)
        want, margin = expected_token(p, u[k])
        if tokens[k] != want and not (margin < 1e-7 and abs(tokens[k] - want) == 1):
            window = min(len(ids), model.context)
            return False, summary, (f"token {k} is {tokens[k]}, expected {want} (u = {u[k]:.4f}; the reference "
                                    f"gives it p = {p[tokens[k]]:.4f}, and {p[want]:.4f} to token {want}; "
                                    f"the window held the last {window} tokens)")
    cpu = got.get("cpu_s")
    if isinstance(cpu, bool) or not isinstance(cpu, (int, float)) or not math.isfinite(cpu):
        return False, summary, "the driver sent no CPU time"
    if cpu > GENERATION_CPU_S:
        return False, summary, (f"every token checked is right, but generating them took {cpu:.1f} s of CPU; "
                                f"the budget is {GENERATION_CPU_S:g} s")
    return True, summary, f"every token checked matches ({len(case['steps'])} of {n}), in {cpu:.2f} s of CPU"


def judge(case: dict, got) -> tuple[bool, str, str]:
    """Forward cases: every logit within TOLERANCE. Generations: the tokens u draws, in time."""
    if not isinstance(got, dict):
        return False, "", f"expected the driver's answer, got {_show(got)}"
    if case["kind"] == "forward":
        return _judge_forward(case, got)
    return _judge_generate(case, got)
