"""Lab checks for module 12 (The Transformer Block): LayerNorm, GELU, the FFN, causal multi-head
attention, the pre-LN block, parameter counts (GPT-2 small and the tiny GPT), the whole decoder on
a random model and on the shipped weights, and the sampler and generation loop the boss asks for.

Every input is fixed (drawn here from fixed seeds), so the list is the same every time. The parts
are recomputed here by a second, deliberately plain implementation (loops over rows and heads);
the whole decoder by datasets/tinygpt/model.py, the NumPy reference the boss also judges with.
Tolerance 1e-9 on the parts (float64 on numbers of order 1; the reference errs by about 1e-15)
and 1e-8 on logits (the reference is within 1e-14 of model.py). The PyTorch training of the lab
is not checked: the sandbox that runs labs offers NumPy only.

The C and Rust labs (the ones the boss fights) share their own list, `native_checks`: layer_norm,
gelu, the given linear, attention, the block (private in Rust, and taking the lab's own Block in C,
so judged through gpt_forward on a one-layer model), gpt_forward on a small model and on the
shipped weights, sample, and gpt_generate; built with c/checks_driver.c or rust/checks_driver.rs,
the models handed over as files (c_files), judged against the same plain implementation and
model.py. Their tolerances, measured on both references, are beside NATIVE_TOLERANCE.
"""

from __future__ import annotations

import math

import numpy as np

from forge_tui.bossapi import call, compare, decode_array, encode_array

TIME_LIMIT_S = 20.0  # the whole list: about 1 s for the reference, most of it the shipped weights
TOLERANCE = 1e-9
LOGITS_TOLERANCE = 1e-8
GPT2_SMALL = (50257, 1024, 768, 12)
TINY_GPT = (76, 64, 128, 4)


# ---------------------------------------------------------------- the math, done plainly here

def _layer_norm(x, g, b, eps=1e-5) -> np.ndarray:
    out = np.zeros_like(x)
    for t, row in enumerate(x):
        mean = sum(row) / len(row)
        var = sum((v - mean) ** 2 for v in row) / len(row)
        out[t] = [(v - mean) / math.sqrt(var + eps) * gi + bi for v, gi, bi in zip(row, g, b)]
    return out


def _gelu(x) -> np.ndarray:
    c = math.sqrt(2 / math.pi)
    return np.vectorize(lambda v: 0.5 * v * (1 + math.tanh(c * (v + 0.044715 * v ** 3))))(x)


def _ffn(x, W1, b1, W2, b2) -> np.ndarray:
    return _gelu(x @ W1 + b1) @ W2 + b2


def _attention(x, W_qkv, b_qkv, W_o, b_o, n_head) -> np.ndarray:
    return _heads(x @ W_qkv + b_qkv, n_head) @ W_o + b_o


def _heads(qkv, n_head) -> np.ndarray:
    """Head by head, row by row: scores against rows 0..t only, softmax, weighted values; the
    heads side by side (T x d, from qkv of T x 3d)."""
    T, d = qkv.shape[0], qkv.shape[1] // 3
    d_k = d // n_head
    out = np.zeros((T, d))
    for h in range(n_head):
        q, k, v = (qkv[:, part * d + h * d_k: part * d + (h + 1) * d_k] for part in range(3))
        for t in range(T):
            scores = [float(q[t] @ k[s]) / math.sqrt(d_k) for s in range(t + 1)]
            top = max(scores)
            weights = [math.exp(s - top) for s in scores]
            out[t, h * d_k:(h + 1) * d_k] = sum(w * v[s] for s, w in enumerate(weights)) / sum(weights)
    return out


def _block(x, p, n_head) -> np.ndarray:
    h = x + _attention(_layer_norm(x, p["ln1_g"], p["ln1_b"]), p["W_qkv"], p["b_qkv"], p["W_o"], p["b_o"], n_head)
    return h + _ffn(_layer_norm(h, p["ln2_g"], p["ln2_b"]), p["W1"], p["b1"], p["W2"], p["b2"])


def _count(vocab, ctx, d, n_layer) -> int:
    """Every tensor of the model, counted from its shape (the tied unembedding is wte itself)."""
    per_block = [(d,), (d,), (d, 3 * d), (3 * d,), (d, d), (d,), (d,), (d,), (d, 4 * d), (4 * d,), (4 * d, d), (d,)]
    shapes = [(vocab, d), (ctx, d)] + per_block * n_layer + [(d,), (d,)]
    return sum(math.prod(s) for s in shapes)


def _gpt():
    from forge_tui.tinygpt import model_module

    return model_module()


def _model(config: dict, params: dict):
    """model.py's TinyGPT holding these weights, to run its forward pass."""
    vocabulary = "".join(chr(0x100 + i) for i in range(config["vocab_size"]))
    return _gpt().TinyGPT(config, vocabulary, params)


def _sample(logits, temperature, u) -> int:
    z = [v / temperature for v in logits]
    top = max(z)
    e = [math.exp(v - top) for v in z]
    running = 0.0
    for i, v in enumerate(e):
        running += v / sum(e)
        if u < running:
            return i
    return len(e) - 1


def _generate(ids, n, params, config, temperature, u) -> list[int]:
    model, ids = _model(config, params), list(ids)
    for k in range(n):
        logits = _gpt().forward(np.array(ids[-config["context"]:]), model)[-1]
        ids.append(_sample(logits, temperature, u[k]))
    return ids[-n:]


# ---------------------------------------------------------------- inputs

def _block_weights(rng, d) -> dict:
    w = lambda *s: rng.normal(0, 1 / math.sqrt(s[0]), s)  # noqa: E731
    return {"ln1_g": 1 + 0.2 * rng.normal(size=d), "ln1_b": 0.1 * rng.normal(size=d), "W_qkv": 2 * w(d, 3 * d),
            "b_qkv": 0.1 * rng.normal(size=3 * d), "W_o": w(d, d), "b_o": 0.1 * rng.normal(size=d),
            "ln2_g": 1 + 0.2 * rng.normal(size=d), "ln2_b": 0.1 * rng.normal(size=d), "W1": w(d, 4 * d),
            "b1": 0.1 * rng.normal(size=4 * d), "W2": w(4 * d, d), "b2": 0.1 * rng.normal(size=d)}


SMALL = {"n_layer": 2, "n_head": 2, "d_model": 8, "context": 6, "vocab_size": 7, "layer_norm_eps": 1e-5}


def _small_params(config: dict = SMALL, seed: int = 1212) -> dict:
    """A small model with random weights, under the shipped names, in weights.bin's order."""
    rng = np.random.default_rng(seed)
    d, params = config["d_model"], {}
    params["wte"] = rng.normal(0, 0.6, (config["vocab_size"], d))
    params["wpe"] = rng.normal(0, 0.6, (config["context"], d))
    names = {"ln1_g": "ln_1.weight", "ln1_b": "ln_1.bias", "W_qkv": "attn.c_attn.weight", "b_qkv": "attn.c_attn.bias",
             "W_o": "attn.c_proj.weight", "b_o": "attn.c_proj.bias", "ln2_g": "ln_2.weight", "ln2_b": "ln_2.bias",
             "W1": "mlp.c_fc.weight", "b1": "mlp.c_fc.bias", "W2": "mlp.c_proj.weight", "b2": "mlp.c_proj.bias"}
    for i in range(config["n_layer"]):
        for short, value in _block_weights(rng, d).items():
            params[f"h.{i}.{names[short]}"] = value
    params["ln_f.weight"], params["ln_f.bias"] = 1 + 0.2 * rng.normal(size=d), 0.1 * rng.normal(size=d)
    return params


def _encoded(params: dict) -> dict:
    return {name: encode_array(value) for name, value in params.items()}


def _check(kind: str, case: dict) -> dict:
    return {**case, "kind": kind}


FUTURE_SCRIPT = """
rng = np.random.default_rng(7)
x = rng.normal(size=(5, 8))
W_qkv, b_qkv, W_o, b_o = rng.normal(0, 0.5, (8, 24)), rng.normal(0, 0.1, 24), rng.normal(0, 0.4, (8, 8)), np.zeros(8)
later = x.copy()
later[3:] = rng.normal(size=(2, 8))
a = lab.causal_self_attention(x, W_qkv, b_qkv, W_o, b_o, 2)
b = lab.causal_self_attention(later, W_qkv, b_qkv, W_o, b_o, 2)
result = float(np.abs(np.asarray(a)[:3] - np.asarray(b)[:3]).max())
"""


def checks() -> list[dict]:
    rng = np.random.default_rng(12)
    x = rng.normal(size=(4, 8)) * 3 + 1
    g, b = 1 + 0.3 * rng.normal(size=8), 0.2 * rng.normal(size=8)
    flat = np.vstack([x[:2], np.full((1, 8), 2.5)])  # a constant row: variance 0
    ffn_in = (rng.normal(size=(3, 6)), rng.normal(0, 0.4, (6, 24)), 0.1 * rng.normal(size=24),
              rng.normal(0, 0.2, (24, 6)), 0.1 * rng.normal(size=6))
    block_p = _block_weights(rng, 8)
    xb = rng.normal(size=(5, 8))
    shipped = _gpt().load()
    prompt = _gpt().encode("ROMEO.\nWhat say you, my lord?", shipped)
    small = _small_params()
    return [
        _check("array", call("layer_norm, plain rows", "layer_norm(x (4, 8), g = 1, b = 0)",
                             "Normalise along the last axis, each row on its own: subtract the row's mean, "
                             "divide by its standard deviation.", "layer_norm",
                             encode_array(x), encode_array(np.ones(8)), encode_array(np.zeros(8)))),
        _check("array", call("layer_norm, gain, bias and a flat row", "rows of x with g, b; the last row is "
                             "constant (variance 0)", "The variance divides by d (the biased one), and eps "
                             "sits under the square root, so a constant row gives b, not NaN.", "layer_norm",
                             encode_array(flat), encode_array(g), encode_array(b))),
        _check("array", call("gelu, the tanh form", "gelu at -3, -1, -0.5, 0, 0.5, 1, 2, 3",
                             "GPT-2 was trained with the tanh approximation; the exact erf form differs "
                             "by up to about 5e-4 and fails here.", "gelu",
                             encode_array(np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0])))),
        _check("array", call("ffn", "x (3, 6), W1 (6, 24), W2 (24, 6), with biases",
                             "Two linear layers with GELU between: the first widens d to 4d, the second "
                             "brings it back.", "ffn", *(encode_array(a) for a in ffn_in))),
        _check("array", call("causal self-attention", "x (5, 8), 2 heads of 4, with biases",
                             "Split x @ W_qkv + b_qkv into q, k, v; head h owns contiguous columns; scale by "
                             "sqrt(d_k); mask the future before the softmax; heads side by side, then W_o.",
                             "causal_self_attention", encode_array(xb), encode_array(block_p["W_qkv"]),
                             encode_array(block_p["b_qkv"]), encode_array(block_p["W_o"]),
                             encode_array(block_p["b_o"]), 2)),
        _check("future", {"name": "no looking ahead", "summary": "changing tokens 3 and 4 leaves rows 0-2 "
                          "of the attention's output unchanged", "hint": "Row t of the scores may only use "
                          "columns 0..t: set the others to -inf before the softmax.", "script": FUTURE_SCRIPT}),
        _check("array", call("pre-LN block", "block(x (5, 8), p, 2 heads) on random weights",
                             "Normalise the input of each sublayer, not its output: h = x + attn(LN1(x)), "
                             "then h + ffn(LN2(h)).", "block", encode_array(xb),
                             {k: encode_array(v) for k, v in block_p.items()}, 2)),
        _check("count", call("GPT-2 small's parameters", "count_params(50257, 1024, 768, 12)",
                             "Per block: the qkv and output projections with their biases, the FFN's two "
                             "matrices with biases, two LayerNorms of 2d each. Then the embeddings and the "
                             "final LayerNorm; the tied unembedding adds nothing.", "count_params", *GPT2_SMALL)),
        _check("count", call("the tiny GPT's parameters", "count_params(76, 64, 128, 4): the shipped model",
                             "The same count at vocabulary 76, context 64, d = 128, 4 blocks: the shipped "
                             "weights.bin holds exactly that many floats.", "count_params", *TINY_GPT)),
        _check("logits", call("the decoder on a small model", "gpt_forward of 6 tokens on a random 2-layer "
                              "model, d = 8, 2 heads", "Embed tokens plus positions, run every block, a final "
                              "LayerNorm (ln_f), then multiply by wte transposed.", "gpt_forward",
                              encode_array(np.array([3, 1, 4, 1, 5, 6])), _encoded(small), SMALL)),
        _check("logits", call("the decoder on the shipped weights", "gpt_forward of a 29-character prompt "
                              "with datasets/tinygpt's weights (what the boss loads)", "The same decoder at "
                              "full size: if the small model passes and this does not, look for a width or "
                              "a count fixed at the small model's.", "gpt_forward", encode_array(prompt),
                              _encoded(shipped.params), shipped.config)),
        _check("tokens", {"name": "sample", "summary": "sample at temperatures 1, 0.5 and 2, u near 0, in the "
                          "middle, near 1, and exactly on a running sum", "hint": "p = softmax(logits / "
                          "temperature); add p[0], p[1], ... and stop at the first running sum strictly greater "
                          "than u.", "script": SAMPLE_SCRIPT}),
        _check("tokens", call("generate", "12 tokens after 3 on the small model (context 6: the window "
                              "slides)", "Append each sampled token and feed the model only the last "
                              "context tokens.", "generate", [2, 0, 5], 12, _encoded(small), SMALL, 0.8,
                              [float(u) for u in np.random.default_rng(4).random(12)])),
    ]


SAMPLES = [([0.5, 2.0, -1.0, 1.0], 1.0, 0.05), ([0.5, 2.0, -1.0, 1.0], 1.0, 0.45),
           ([0.5, 2.0, -1.0, 1.0], 1.0, 0.999), ([0.5, 2.0, -1.0, 1.0], 0.5, 0.3),
           ([0.5, 2.0, -1.0, 1.0], 2.0, 0.3), ([3.0, 3.0, 3.0], 1.0, 0.5),
           ([0.0, 0.0, 0.0, 0.0], 1.0, 0.5)]  # running sums 0.25, 0.5, ... exactly: u = 0.5 draws token 2
SAMPLE_SCRIPT = f"""
result = [int(lab.sample(np.array(logits), temperature, u)) for logits, temperature, u in {SAMPLES!r}]
"""


# ---------------------------------------------------------------- the C and Rust labs' checks

C_DRIVER = "c/checks_driver.c"  # compiled with the player's lab.c; reads c_stdin(checks), answers on fd 3
C_HEADER = "c/checks.h"  # the signatures lab.c must match, forced into the build
RUST_DRIVER = "rust/checks_driver.rs"  # has the player's lab.rs as `mod lab`; same stdin, same answers
RUST_SIGNATURE = """\
pub fn layer_norm(x: &[f64], g: &[f32], b: &[f32], eps: f64, d: usize) -> Vec<f64>
pub fn gelu(x: f64) -> f64
pub fn linear(x: &[f64], w: &[f32], b: &[f32], n_in: usize, n_out: usize) -> Vec<f64>
pub fn attention(qkv: &[f64], d: usize, n_head: usize) -> Vec<f64>
pub fn gpt_forward(c: &Config, weights: &[f32], ids: &[usize]) -> Vec<f64>
pub fn sample(logits: &[f64], temperature: f64, u: f64) -> usize
pub fn gpt_generate(c: &Config, weights: &[f32], prompt: &[usize], n: usize, temperature: f64, u: &[f64]) -> Vec<usize>
pub struct Config { pub n_layer: usize, pub n_head: usize, pub d_model: usize, pub context: usize, pub vocab_size: usize, pub eps: f64 }"""
# Measured 2026-11-29 through the checks themselves (the sandbox, these drivers; gcc -O2, rustc -O),
# c/reference.c and rust/reference.rs alike: the largest gap to the values computed here is 8.9e-16
# on the parts (linear; layer_norm 2.2e-16, attention 4.4e-16, gelu 0), 4.9e-15 on the one-layer
# model's logits, 1.3e-15 on the small model's and 1.1e-14 on the shipped weights'; every token matches.
NATIVE_TOLERANCE = 1e-9  # the parts: 1.1e6 times the references' largest gap, far below any mistake
NATIVE_LOGITS_TOLERANCE = 1e-8  # logits: 9e5 times the references' largest gap
ONE_LAYER = {**SMALL, "n_layer": 1}
NATIVE_SAMPLES = [([0.5, 2.0, -1.0, 1.0], 1.0, 0.05), ([0.5, 2.0, -1.0, 1.0], 1.0, 0.45),
                  ([0.5, 2.0, -1.0, 1.0], 1.0, 0.999), ([0.5, 2.0, -1.0, 1.0], 0.5, 0.3),
                  ([0.5, 2.0, -1.0, 1.0], 2.0, 0.3), ([0.5, 2.0, -1.0, 1.0], 0.5, 0.75),
                  ([0.5, 2.0, -1.0, 1.0], 2.0, 0.9)]
NATIVE_TIES = [([0.0, 0.0, 0.0, 0.0], 1.0, 0.5),  # running sums 0.25, 0.5, 0.75 exactly: u = 0.5 draws 2
               ([3.0, 3.0, 3.0, 3.0], 2.0, 0.25), ([1.0, 2.0, 3.0, 4.0], 1.0, 0.0)]


def _f32(array) -> np.ndarray:
    """What the lab reads for a float: the number rounded to float32, held exactly in float64."""
    return np.asarray(array, dtype=np.float64).astype("<f4").astype(np.float64)


def _model_file(name: str, config: dict, seed: int | None) -> dict:
    """A model a check names: the shipped weights (seed None) or a small random one of this config."""
    keys = ("n_layer", "n_head", "d_model", "context", "vocab_size", "layer_norm_eps")
    return {"file": name, "seed": seed, "config": {key: config[key] for key in keys}}


def _native_params(model: dict) -> dict:
    """The model's weights as the lab reads them (float32), in weights.bin's order."""
    if model["seed"] is None:
        return _gpt().load().params
    return {name: _f32(value) for name, value in _small_params(model["config"], model["seed"]).items()}


def _shipped_weights():
    from forge_tui.locations import datasets_directory

    return datasets_directory() / "tinygpt" / "weights.bin"


def _native(name: str, summary: str, hint: str, kind: str, **inputs) -> dict:
    return {"name": name, "summary": summary, "hint": hint, "kind": kind,
            "inputs": {key: value.tolist() if isinstance(value, np.ndarray) else value
                       for key, value in inputs.items()}}


def native_checks() -> list[dict]:
    """Fourteen small wins for the C and Rust labs, the same every time (inputs from a fixed seed)."""
    rng = np.random.default_rng(1213)
    x = rng.normal(size=(4, 8)) * 3 + 1
    flat = np.vstack([x[:2], np.full((1, 8), 2.5)])  # a constant row: variance 0
    g, b = _f32(1 + 0.3 * rng.normal(size=8)), _f32(0.2 * rng.normal(size=8))
    shipped = _gpt().load()
    small, one = _model_file("small.bin", SMALL, 1212), _model_file("onelayer.bin", ONE_LAYER, 1214)
    tinygpt = _model_file("tinygpt.bin", shipped.config, None)
    return [
        _native("layer_norm: plain rows", "layer_norm of x (4 x 8), g = 1, b = 0",
                "Normalise each row on its own: subtract the row's mean, divide by its standard "
                "deviation.", "native_layernorm", x=x, g=np.ones(8), b=np.zeros(8)),
        _native("layer_norm: gain, bias and a flat row", "rows of x with g, b; the last row is constant "
                "(variance 0)", "The variance divides by d (the biased one), and eps sits under the "
                "square root, so a constant row gives b, not NaN.", "native_layernorm", x=flat, g=g, b=b),
        _native("gelu: the tanh form", "gelu at -3, -1, -0.5, 0, 0.5, 1, 2, 3",
                "GPT-2 was trained with the tanh approximation; the exact erf form differs by up to "
                "about 5e-4 and fails here.", "native_gelu", x=np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0])),
        _native("linear: given in the starter", "x (3 x 5) W (5 x 4) + b",
                "This one is given in the starter: if it fails, compare yours with the starter's "
                "(row t of y is row t of x times W, plus b).", "native_linear",
                x=rng.normal(size=(3, 5)), W=_f32(rng.normal(size=(5, 4))), b=_f32(rng.normal(size=4))),
        _native("attention: two heads of four, five positions", "attention on qkv (5 x 24), d = 8, 2 heads",
                "q, k and v are the three thirds of each row; head h owns columns h*d_head.. of each; "
                "scale the scores by sqrt(d_head) and let position t see positions 0..t only.",
                "native_attention", qkv=1.5 * rng.normal(size=(5, 24)), n_head=2),
        _native("attention: three heads of two, four positions", "attention on qkv (4 x 18), d = 6, 3 heads",
                "Every width comes from d and n_head: d_head = d / n_head, and the heads sit side by "
                "side in the output, head h in columns h*d_head...", "native_attention",
                qkv=1.5 * rng.normal(size=(4, 18)), n_head=3),
        _native("attention: scores in the thousands", "attention on qkv (3 x 12), d = 4, 1 head, k = q = "
                "40 times a random row: each position scores itself 1,000 to 3,000",
                "exp(1000) overflows a double: the softmax does not change when a constant is subtracted "
                "from every score, so subtract the largest score first.", "native_attention",
                qkv=_large_scores(rng), n_head=1),
        _native("block: one layer, seen through gpt_forward", "gpt_forward of 6 tokens on a random "
                "1-layer model, d = 8, 2 heads", "Normalise the input of each sublayer, not its output, "
                "and add each sublayer's output to x: x += attn(ln_1(x)), then x += mlp(ln_2(x)).",
                "native_forward", model=one, ids=[4, 0, 6, 2, 2, 5]),
        _native("gpt_forward: a small two-layer model", "gpt_forward of 6 tokens on a random 2-layer "
                "model, d = 8, 2 heads", "Embed tokens plus positions, run every block, a final LayerNorm "
                "(ln_f), then multiply by wte transposed.", "native_forward", model=small, ids=[3, 1, 4, 1, 5, 6]),
        _native("gpt_forward: the shipped weights", "gpt_forward of a 29-character prompt with "
                "datasets/tinygpt's weights (what the boss loads)", "The same decoder at full size: if the "
                "small model passes and this does not, look for a width or a count fixed at the small "
                "model's.", "native_forward", model=tinygpt,
                ids=[int(i) for i in _gpt().encode("ROMEO.\nWhat say you, my lord?", shipped)]),
        _native("sample: temperatures 1, 0.5 and 2", "seven draws from the logits [0.5, 2, -1, 1]",
                "p = softmax(logits / temperature), the largest logit subtracted first; add p[0], p[1], "
                "... and stop at the first running sum greater than u.", "native_sample", draws=NATIVE_SAMPLES),
        _native("sample: ties and u exactly on a running sum", "equal logits (running sums 0.25, 0.5, "
                "...) with u = 0.5 and 0.25, and u = 0", "The running sum must pass u, not just reach it: "
                "when u equals a running sum exactly, the draw is the token after.", "native_sample", draws=NATIVE_TIES),
        _native("gpt_generate: the window slides", "12 tokens after [2, 0, 5] on the small model (context 6) "
                "at temperature 0.8", "Append each sampled token and feed the model only the last "
                "context tokens; token k uses u[k].", "native_generate", model=small, prompt=[2, 0, 5],
                temperature=0.8, u=[float(u) for u in np.random.default_rng(4).random(12)]),
        _native("gpt_generate: a prompt longer than the context", "5 tokens after an 8-token prompt on the "
                "small model (context 6) at temperature 1.3", "The model sees at most the last context "
                "tokens, the prompt's included: start from the end of the text, not its beginning.",
                "native_generate", model=small, prompt=[1, 6, 6, 0, 3, 2, 5, 4], temperature=1.3,
                u=[float(u) for u in np.random.default_rng(5).random(5)]),
    ]


def _large_scores(rng) -> np.ndarray:
    """qkv (3 x 12) whose keys are its queries, 40 times a random row: q.k / 2 from 1,000 to 3,000 at s = t."""
    q = 40 * rng.normal(size=(3, 4))
    return np.hstack([q, q, rng.normal(size=(3, 4))])


def _line(values) -> str:
    return " ".join(repr(float(v)) for v in np.ravel(values)) + "\n"


def _model_line(model: dict) -> str:
    c = model["config"]
    return (f"{model['file']} {c['n_layer']} {c['n_head']} {c['d_model']} {c['context']} {c['vocab_size']} "
            f"{c['layer_norm_eps']!r}")


def c_check_text(check: dict) -> str:
    """One check as the C and Rust drivers read it: a word and its sizes, then the inputs."""
    kind, inputs = check["kind"], check["inputs"]
    if kind == "native_layernorm":
        T, d = np.shape(inputs["x"])
        return f"layernorm {T} {d} 1e-05\n" + _line(inputs["x"]) + _line(inputs["g"]) + _line(inputs["b"])
    if kind == "native_gelu":
        return f"gelu {len(inputs['x'])}\n" + _line(inputs["x"])
    if kind == "native_linear":
        (T, n_in), n_out = np.shape(inputs["x"]), len(inputs["b"])
        return f"linear {T} {n_in} {n_out}\n" + _line(inputs["x"]) + _line(inputs["W"]) + _line(inputs["b"])
    if kind == "native_attention":
        T, width = np.shape(inputs["qkv"])
        return f"attention {T} {width // 3} {inputs['n_head']}\n" + _line(inputs["qkv"])
    if kind == "native_sample":
        draws = inputs["draws"]
        return f"sample {len(draws)} {len(draws[0][0])}\n" + "".join(
            f"{temperature!r} {u!r} " + _line(logits) for logits, temperature, u in draws)
    ids = inputs["ids"] if kind == "native_forward" else inputs["prompt"]
    head = f"forward {_model_line(inputs['model'])} {len(ids)}\n" if kind == "native_forward" else \
        f"generate {_model_line(inputs['model'])} {len(ids)} {len(inputs['u'])} {inputs['temperature']!r}\n"
    tail = "" if kind == "native_forward" else _line(inputs["u"])
    return head + " ".join(map(str, ids)) + "\n" + tail


def c_stdin(cases: list[dict]) -> str:
    """Everything the C or Rust driver reads on stdin: the number of checks, then each check."""
    return f"{len(cases)}\n" + "".join(c_check_text(check) for check in cases)


def c_files(cases: list[dict]) -> dict:
    """The model files the checks name, for the build's folder: the shipped weights by path, the
    small random models as bytes."""
    files: dict = {}
    for check in cases:
        model = check["inputs"].get("model")
        if model and model["file"] not in files:
            files[model["file"]] = _shipped_weights() if model["seed"] is None else b"".join(
                value.astype("<f4").tobytes() for value in _native_params(model).values())
    return files


def c_answer(check: dict, value):
    """A driver's flat {"out": [...]} in the shape the judge reads, or its {"tokens": [...]}; or
    (None, problem)."""
    key = "tokens" if check["kind"] in ("native_sample", "native_generate") else "out"
    if not isinstance(value, dict) or key not in value:
        return None, f"the driver sent {_show(value)}, not the {key}"
    got = value[key]
    shape = np.shape(_native_expected(check)) if key == "out" else None
    if shape and isinstance(got, list) and len(got) == math.prod(shape):
        got = np.array(got, dtype=np.float64).reshape(shape).tolist()
    return got, ""


def _native_expected(check: dict):
    """What a native check must send back, computed here by the plain implementation above (the
    decoder by datasets/tinygpt/model.py)."""
    kind, inputs = check["kind"], check["inputs"]
    if kind == "native_layernorm":
        return _layer_norm(np.array(inputs["x"]), np.array(inputs["g"]), np.array(inputs["b"]))
    if kind == "native_gelu":
        return _gelu(np.array(inputs["x"]))
    if kind == "native_linear":
        return np.array(inputs["x"]) @ np.array(inputs["W"]) + np.array(inputs["b"])
    if kind == "native_attention":
        return _heads(np.array(inputs["qkv"]), inputs["n_head"])
    if kind == "native_sample":
        return [_sample(*draw) for draw in inputs["draws"]]
    model = inputs["model"]
    config, params = model["config"], _native_params(model)
    if kind == "native_forward":
        return _gpt().forward(np.array(inputs["ids"]), _model(config, params))
    return _generate(inputs["prompt"], len(inputs["u"]), params, config, inputs["temperature"], inputs["u"])


def _tokens_problem(check: dict, got, want: list[int]) -> str:
    """Which token is the first off, and how many are."""
    if not isinstance(got, list) or len(got) != len(want):
        return f"expected {len(want)} tokens, got {_show(got)}"
    wrong = [k for k, (mine, right) in enumerate(zip(got, want)) if mine != right]
    what = "draw" if check["kind"] == "native_sample" else "token"
    unwritten = " (-1: never written)" if got[wrong[0]] == -1 else ""
    return (f"{what} {wrong[0]} is {got[wrong[0]]}{unwritten}, expected {want[wrong[0]]}; "
            f"{len(wrong)} of {len(want)} differ")


def _judge_native(check: dict, got) -> tuple[bool, str, str]:
    """Tokens exactly; arrays within the tolerance, saying where the first one is off."""
    want = _native_expected(check)
    if check["kind"] in ("native_sample", "native_generate"):
        ok = isinstance(got, list) and got == want
        return ok, str(want), "every token matches" if ok else _tokens_problem(check, got, want)
    logits = check["kind"] == "native_forward"
    tolerance = NATIVE_LOGITS_TOLERANCE if logits else NATIVE_TOLERANCE
    name = "the logits" if logits else f"{check['name'].split(':')[0]}'s output"
    expected_text = f"an array of shape {np.shape(want)}, each number within {tolerance:g}"
    if not isinstance(got, list) or np.shape(got) != np.shape(want):
        return False, expected_text, f"{name}: got {_show(got)}"
    array = np.array(got, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        return False, expected_text, (f"{name} {'hold' if logits else 'holds'} NaN or inf: a number never "
                                      "written, a division by zero, or a read past the end of an array")
    ok, problem = compare(array, want, atol=tolerance, name=name)
    return ok, expected_text, f"matches (largest gap {np.abs(array - want).max():.1e})" if ok else problem


# ---------------------------------------------------------------- judge

def expected(check: dict):
    """What the check's call should return, computed here."""
    if check["kind"] == "future":
        return 0.0
    if check["name"] == "sample":
        return [_sample(*args) for args in SAMPLES]
    args = [decode_array(a) if isinstance(a, dict) and "__ndarray__" in a else a for a in check["call"]["args"]]
    function = check["call"]["function"]
    if function == "layer_norm":
        return _layer_norm(*args)
    if function == "gelu":
        return _gelu(args[0])
    if function == "ffn":
        return _ffn(*args)
    if function == "causal_self_attention":
        return _attention(*args)
    if function == "block":
        return _block(args[0], {k: decode_array(v) for k, v in args[1].items()}, args[2])
    if function == "count_params":
        return _count(*args)
    params = {k: decode_array(v) for k, v in args[1 if function == "gpt_forward" else 2].items()}
    if function == "gpt_forward":
        return _gpt().forward(args[0], _model(args[2], params))
    ids, n, _, config, temperature, u = args
    return _generate(ids, n, params, config, temperature, u)


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def judge(check: dict, got) -> tuple[bool, str, str]:
    """Arrays within the tolerance, counts and tokens exactly, the future check at exactly 0."""
    kind = check["kind"]
    if kind.startswith("native_"):
        return _judge_native(check, got)
    want = expected(check)
    if kind == "count":
        if isinstance(got, bool) or not isinstance(got, int):
            return False, f"{want:,}", f"expected a whole number, got {_show(got)}"
        verdict = "right" if got == want else f"{got:,}, off by {got - want:+,}"
        return got == want, f"{want:,}", verdict
    if kind == "tokens":
        ok = isinstance(got, list) and got == want
        return ok, str(want), "every token matches" if ok else f"got {_show(got)}"
    if kind == "future":
        if isinstance(got, bool) or not isinstance(got, (int, float)) or not math.isfinite(got):
            return False, "0", f"the outputs could not be compared ({_show(got)})"
        return got == 0.0, "0", ("rows 0-2 are untouched" if got == 0.0
                                 else f"rows 0-2 moved by up to {got:.3g} when only tokens 3 and 4 changed")
    tolerance = LOGITS_TOLERANCE if kind == "logits" else TOLERANCE
    ok, problem = compare(got, want, atol=tolerance, name=f"{check['call']['function']}'s output")
    shape = np.shape(want)
    return ok, f"an array of shape {shape}, each number within {tolerance:g}", "matches" if ok else problem
