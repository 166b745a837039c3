"""Module 12 reference lab: a GPT-style decoder from parts in NumPy, the prototype of the boss
written again in C or Rust. x is (T, d), a row per token; a linear layer is x @ W + b with W
stored (in, out), as in the shipped weights (datasets/tinygpt)."""
import math

import numpy as np

NAMES = {"ln1_g": "ln_1.weight", "ln1_b": "ln_1.bias", "W_qkv": "attn.c_attn.weight", "b_qkv": "attn.c_attn.bias",
         "W_o": "attn.c_proj.weight", "b_o": "attn.c_proj.bias", "ln2_g": "ln_2.weight", "ln2_b": "ln_2.bias",
         "W1": "mlp.c_fc.weight", "b1": "mlp.c_fc.bias", "W2": "mlp.c_proj.weight", "b2": "mlp.c_proj.bias"}


def layer_norm(x, g, b, eps=1e-5):
    """Each row of x (T, d) to mean 0 and variance 1 (the biased variance), then * g + b."""
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def gelu(x):
    """GPT-2's tanh approximation of GELU."""
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def ffn(x, W1, b1, W2, b2):
    """Position-wise feed-forward: expand d -> 4d, GELU, project back. x (T, d) -> (T, d)."""
    return gelu(x @ W1 + b1) @ W2 + b2


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def causal_self_attention(x, W_qkv, b_qkv, W_o, b_o, n_head):
    """Multi-head self-attention where token t sees tokens 0..t. x (T, d) -> (T, d)."""
    T, d = x.shape
    d_k = d // n_head
    q, k, v = np.split(x @ W_qkv + b_qkv, 3, axis=-1)
    heads = []
    for h in range(n_head):  # head h owns columns h*d_k .. (h+1)*d_k - 1
        cols = slice(h * d_k, (h + 1) * d_k)
        scores = q[:, cols] @ k[:, cols].T / math.sqrt(d_k)
        scores = np.where(np.tril(np.ones((T, T), dtype=bool)), scores, -np.inf)  # no looking ahead
        heads.append(softmax(scores) @ v[:, cols])
    return np.concatenate(heads, axis=-1) @ W_o + b_o


def block(x, p, n_head):
    """Pre-LN block: h = x + attn(LN1(x)); y = h + ffn(LN2(h))."""
    h = x + causal_self_attention(layer_norm(x, p["ln1_g"], p["ln1_b"]), p["W_qkv"], p["b_qkv"],
                                  p["W_o"], p["b_o"], n_head)
    return h + ffn(layer_norm(h, p["ln2_g"], p["ln2_b"]), p["W1"], p["b1"], p["W2"], p["b2"])


def count_params(vocab, ctx, d, n_layer):
    """Token and position embeddings, n_layer blocks (weights, biases, two LayerNorms each), a final
    LayerNorm; the unembedding is tied to the token embedding, so it adds nothing."""
    attention = d * 3 * d + 3 * d + d * d + d
    mlp = d * 4 * d + 4 * d + 4 * d * d + d
    norms = 2 * 2 * d
    return vocab * d + ctx * d + n_layer * (attention + mlp + norms) + 2 * d


def gpt_forward(ids, params, config):
    """Logits (T, vocab) for token ids (T,): embeddings, the blocks, a final LayerNorm and the
    tied unembedding. Row t scores the token that follows ids[: t + 1]."""
    x = params["wte"][ids] + params["wpe"][: len(ids)]
    for i in range(config["n_layer"]):
        x = block(x, {short: params[f"h.{i}.{name}"] for short, name in NAMES.items()}, config["n_head"])
    return layer_norm(x, params["ln_f.weight"], params["ln_f.bias"], config["layer_norm_eps"]) @ params["wte"].T


def sample(logits, temperature, u):
    """The smallest token i with u < p[0] + ... + p[i], p = softmax(logits / temperature)."""
    p = softmax(np.asarray(logits) / temperature)
    return min(int(np.searchsorted(np.cumsum(p), u, side="right")), len(p) - 1)


def generate(ids, n, params, config, temperature, u):
    """n new tokens after ids, token k drawn with u[k]; the model sees the last `context` tokens."""
    ids = list(ids)
    for k in range(n):
        logits = gpt_forward(np.array(ids[-config["context"]:]), params, config)
        ids.append(sample(logits[-1], temperature, u[k]))
    return ids[len(ids) - n:]


def _try(label, show):
    try:
        print(f"{label:30} {show()}")
    except NotImplementedError as todo:
        print(f"{label:30} not written yet: {todo}")


if __name__ == "__main__":
    x = np.random.default_rng(0).normal(size=(4, 8)) * 3
    _try("layer_norm: row variances", lambda: layer_norm(x, np.ones(8), np.zeros(8)).var(-1).round(4))
    _try("gelu(-1, 0, 1)", lambda: gelu(np.array([-1.0, 0.0, 1.0])).round(6))
    _try("GPT-2 small's parameters", lambda: f"{count_params(50257, 1024, 768, 12):,} (124,439,808)")
    _try("sample([0, 1, 2], 1.0, u=0.5)", lambda: sample(np.array([0.0, 1.0, 2.0]), 1.0, 0.5))
    print("The boss is this decoder in C or Rust (lab.c, lab.rs), on the shipped weights.")
