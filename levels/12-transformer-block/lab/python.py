"""Module 12 lab: a GPT-style decoder from parts in NumPy, the prototype of the boss you then write
in C or Rust. x is (T, d), a row per token; a linear layer is x @ W + b with W stored (in, out), as
in the shipped weights (datasets/tinygpt). Run this file to see what works; F5 runs the checks."""
import numpy as np

NAMES = {"ln1_g": "ln_1.weight", "ln1_b": "ln_1.bias", "W_qkv": "attn.c_attn.weight", "b_qkv": "attn.c_attn.bias",
         "W_o": "attn.c_proj.weight", "b_o": "attn.c_proj.bias", "ln2_g": "ln_2.weight", "ln2_b": "ln_2.bias",
         "W1": "mlp.c_fc.weight", "b1": "mlp.c_fc.bias", "W2": "mlp.c_proj.weight", "b2": "mlp.c_proj.bias"}


def layer_norm(x, g, b, eps=1e-5):
    """Each row of x to mean 0, variance 1 (divide by d; eps inside the root), then * g + b."""
    raise NotImplementedError("layer_norm: a mean and a variance per row, along the last axis")


def gelu(x):
    """GPT-2's tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    raise NotImplementedError("gelu: elementwise, from the docstring's formula")


def ffn(x, W1, b1, W2, b2):
    """x (T, d), W1 (d, 4d), W2 (4d, d) -> (T, d)."""
    raise NotImplementedError("ffn: widen, GELU, narrow")


def causal_self_attention(x, W_qkv, b_qkv, W_o, b_o, n_head):
    """W_qkv (d, 3d) packs [q | k | v]; head h owns columns h*d_k..(h+1)*d_k-1 of each; token t
    sees tokens 0..t; heads side by side, then @ W_o + b_o. Bring your Module 11 code."""
    raise NotImplementedError("causal_self_attention: project, split heads, mask, softmax, merge")


def block(x, p, n_head):
    """Pre-LN: h = x + attn(LN1(x)); y = h + ffn(LN2(h)). p has the keys of NAMES."""
    raise NotImplementedError("block: two residual additions, each around a normalised sublayer")


def count_params(vocab, ctx, d, n_layer):
    """Embeddings, n_layer blocks (with biases and two LayerNorms each), a final LayerNorm; the
    unembedding is tied to the token embedding, so it adds nothing."""
    raise NotImplementedError("count_params: one block's weights and biases, then the rest")


def gpt_forward(ids, params, config):
    """Logits (T, vocab) for ids (T,). params has the shipped names: wte, wpe, h.{i}.<a value of
    NAMES>, ln_f.weight, ln_f.bias; config: n_layer, n_head, layer_norm_eps. No output matrix:
    the unembedding is wte itself."""
    raise NotImplementedError("gpt_forward: embed tokens and positions, every block, ln_f, unembed")


def sample(logits, temperature, u):
    """The smallest i with u < p[0] + ... + p[i], p = softmax(logits / temperature)."""
    raise NotImplementedError("sample: probabilities at this temperature, then their running sum")


def generate(ids, n, params, config, temperature, u):
    """n new tokens after ids, token k drawn with u[k]; the model sees the last config["context"]."""
    raise NotImplementedError("generate: forward, sample the last position, append, repeat")


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
