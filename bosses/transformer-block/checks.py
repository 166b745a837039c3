"""Lab checks for module 12 (The Transformer Block): LayerNorm, GELU, the FFN, causal multi-head
attention, the pre-LN block, parameter counts (GPT-2 small and the tiny GPT), the whole decoder on
a random model and on the shipped weights, and the sampler and generation loop the boss asks for.

Every input is fixed (drawn here from fixed seeds), so the list is the same every time. The parts
are recomputed here by a second, deliberately plain implementation (loops over rows and heads);
the whole decoder by datasets/tinygpt/model.py, the NumPy reference the boss also judges with.
Tolerance 1e-9 on the parts (float64 on numbers of order 1; the reference errs by about 1e-15)
and 1e-8 on logits (the reference is within 1e-14 of model.py). The PyTorch training of the lab
is not checked: the sandbox that runs labs offers NumPy only.
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
    """Head by head, row by row: scores against rows 0..t only, softmax, weighted values."""
    T, d = x.shape
    d_k = d // n_head
    qkv = x @ W_qkv + b_qkv
    out = np.zeros((T, d))
    for h in range(n_head):
        q, k, v = (qkv[:, part * d + h * d_k: part * d + (h + 1) * d_k] for part in range(3))
        for t in range(T):
            scores = [float(q[t] @ k[s]) / math.sqrt(d_k) for s in range(t + 1)]
            top = max(scores)
            weights = [math.exp(s - top) for s in scores]
            out[t, h * d_k:(h + 1) * d_k] = sum(w * v[s] for s, w in enumerate(weights)) / sum(weights)
    return out @ W_o + b_o


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


def _small_params() -> dict:
    """A 2-layer model of width 8 with random weights, under the shipped names."""
    rng = np.random.default_rng(1212)
    d, params = SMALL["d_model"], {}
    params["wte"] = rng.normal(0, 0.6, (SMALL["vocab_size"], d))
    params["wpe"] = rng.normal(0, 0.6, (SMALL["context"], d))
    names = {"ln1_g": "ln_1.weight", "ln1_b": "ln_1.bias", "W_qkv": "attn.c_attn.weight", "b_qkv": "attn.c_attn.bias",
             "W_o": "attn.c_proj.weight", "b_o": "attn.c_proj.bias", "ln2_g": "ln_2.weight", "ln2_b": "ln_2.bias",
             "W1": "mlp.c_fc.weight", "b1": "mlp.c_fc.bias", "W2": "mlp.c_proj.weight", "b2": "mlp.c_proj.bias"}
    for i in range(SMALL["n_layer"]):
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
    want = expected(check)
    kind = check["kind"]
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
