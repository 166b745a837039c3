"""Module 12 lab: a GPT-style pre-LN transformer block in NumPy."""
import numpy as np


def layer_norm(x, g, b, eps=1e-5):
    """x: (T, d). Normalise each row to mean 0, variance 1, then scale by g (d,) and shift by b (d,)."""
    raise NotImplementedError("mu = x.mean(-1, keepdims=True); var likewise; (x - mu) / sqrt(var + eps)")


def gelu(x):
    """GPT-2's tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    raise NotImplementedError("elementwise, straight from the formula")


def ffn(x, W1, b1, W2, b2):
    """x: (T, d), W1: (d, 4d), W2: (4d, d). Returns (T, d)."""
    raise NotImplementedError("expand, gelu, project back")


def causal_self_attention(x, W_qkv, b_qkv, W_o, b_o, n_head):
    """x: (T, d), W_qkv: (d, 3d), W_o: (d, d). Paste or import your Module 11 multi-head attention."""
    raise NotImplementedError("split x @ W_qkv + b_qkv into q, k, v; causal multi-head attention; @ W_o + b_o")


def block(x, p, n_head):
    """Pre-LN block: h = x + attn(LN1(x)); y = h + ffn(LN2(h)). p holds ln1_g, ln1_b, W_qkv, b_qkv,
    W_o, b_o, ln2_g, ln2_b, W1, b1, W2, b2. Returns (T, d)."""
    raise NotImplementedError("two residual additions, each around a normalised sublayer")


def count_params(vocab, ctx, d, n_layer):
    """Total parameters of a GPT-2-style model: token + position embeddings, n_layer blocks with
    biases and LayerNorms, a final LayerNorm, and an unembedding tied to the token embedding."""
    raise NotImplementedError("count one block carefully, multiply, add the rest")


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    T, d, n_head = 4, 8, 2
    w = lambda *s: rng.normal(0, 0.02, s)
    p = dict(ln1_g=np.ones(d), ln1_b=np.zeros(d), W_qkv=w(d, 3 * d), b_qkv=np.zeros(3 * d),
             W_o=w(d, d), b_o=np.zeros(d), ln2_g=np.ones(d), ln2_b=np.zeros(d),
             W1=w(d, 4 * d), b1=np.zeros(4 * d), W2=w(4 * d, d), b2=np.zeros(d))
    x = rng.normal(size=(T, d))
    y = block(x, p, n_head)
    print("block out:", y.shape, "change from input:", np.abs(y - x).max().round(4))
    print("GPT-2 small params:", count_params(50257, 1024, 768, 12), "(expect 124439808)")
