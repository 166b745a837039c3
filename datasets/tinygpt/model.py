"""The tiny character-level GPT in NumPy: load the shipped weights, run the forward pass, look at
attention, generate text. No torch needed.

    import model
    gpt = model.load()                      # weights.bin + manifest.json beside this file
    logits = model.forward(model.encode("To be"))          # (T, vocab_size)
    weights = model.attention(model.encode("To be"))       # (n_layer, n_head, T, T)
    q, k, v = model.qkv(model.encode("To be"), layer=0)    # (n_head, T, d_head) each
    print(model.generate("ROMEO.\n", 200, seed=0))

The network (trained by train.py): x = wte[ids] + wpe[0..T-1]; per block, pre-LN:
x = x + attn(ln_1(x)), x = x + mlp(ln_2(x)); logits = ln_f(x) @ wte.T (unembedding tied to wte).
attn: causal multi-head self-attention, q, k, v = split(x @ c_attn.weight + c_attn.bias), heads of
d_model / n_head contiguous columns each, softmax(q k^T / sqrt(d_head)) v, heads concatenated,
then @ c_proj.weight + c_proj.bias. mlp: GELU (tanh form) of x @ c_fc.weight + c_fc.bias, then
@ mlp.c_proj.weight + mlp.c_proj.bias. LayerNorm: (x - mean) / sqrt(var + eps) * weight + bias with
the biased variance. Every matrix is stored (in, out). Computation is in float64.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class TinyGPT:
    config: dict
    vocabulary: str
    params: dict  # name -> float64 array

    @property
    def context(self) -> int:
        return self.config["context"]


def load(folder: Path | str | None = None) -> TinyGPT:
    """The model whose weights.bin and manifest.json are in `folder` (default: the shipped one, cached)."""
    if folder is None:
        return _shipped()
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    flat = np.fromfile(folder / "weights.bin", dtype="<f4")
    params = {t["name"]: flat[t["offset"]: t["offset"] + math.prod(t["shape"])].reshape(t["shape"]).astype(np.float64)
              for t in manifest["tensors"]}
    return TinyGPT(manifest["config"], manifest["vocabulary"], params)


@lru_cache(maxsize=1)
def _shipped() -> TinyGPT:
    return load(HERE)


def encode(text: str, model: TinyGPT | None = None) -> np.ndarray:
    """Character ids; a character outside the vocabulary raises ValueError naming it."""
    vocabulary = (model or load()).vocabulary
    unknown = sorted(set(text) - set(vocabulary))
    if unknown:
        raise ValueError(f"characters the model never saw: {''.join(unknown)!r}")
    return np.array([vocabulary.index(ch) for ch in text], dtype=np.int64)


def decode(ids, model: TinyGPT | None = None) -> str:
    vocabulary = (model or load()).vocabulary
    return "".join(vocabulary[int(i)] for i in ids)


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh form (GPT-2's): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def project_qkv(x: np.ndarray, p: dict, prefix: str, n_head: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """q, k, v of one block for x (..., T, d), each split into heads: (..., n_head, T, d_head)."""
    *batch, T, d = x.shape
    q, k, v = np.split(x @ p[prefix + "c_attn.weight"] + p[prefix + "c_attn.bias"], 3, axis=-1)
    return tuple(t.reshape(*batch, T, n_head, d // n_head).swapaxes(-2, -3) for t in (q, k, v))


def causal_attention(x: np.ndarray, p: dict, prefix: str, n_head: int) -> tuple[np.ndarray, np.ndarray]:
    """One block's attention on x (..., T, d): the output (..., T, d) and the weights (..., n_head, T, T)."""
    q, k, v = project_qkv(x, p, prefix, n_head)
    T = x.shape[-2]
    scores = q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1])
    scores = np.where(np.tril(np.ones((T, T), dtype=bool)), scores, -np.inf)  # no looking ahead
    weights = softmax(scores)
    y = (weights @ v).swapaxes(-2, -3).reshape(x.shape)  # heads side by side again
    return y @ p[prefix + "c_proj.weight"] + p[prefix + "c_proj.bias"], weights


def block(x: np.ndarray, model: TinyGPT, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Block i on x (..., T, d): x + attn(ln_1(x)), then + mlp(ln_2(x)); and the attention weights."""
    p, c, h = model.params, model.config, f"h.{i}."
    y, weights = causal_attention(layer_norm(x, p[h + "ln_1.weight"], p[h + "ln_1.bias"], c["layer_norm_eps"]),
                                  p, h + "attn.", c["n_head"])
    x = x + y
    z = layer_norm(x, p[h + "ln_2.weight"], p[h + "ln_2.bias"], c["layer_norm_eps"])
    return x + gelu(z @ p[h + "mlp.c_fc.weight"] + p[h + "mlp.c_fc.bias"]) @ p[h + "mlp.c_proj.weight"] \
        + p[h + "mlp.c_proj.bias"], weights


def _check_ids(ids, model: TinyGPT) -> np.ndarray:
    ids = np.asarray(ids, dtype=np.int64)
    if ids.ndim not in (1, 2) or not 1 <= ids.shape[-1] <= model.context:
        raise ValueError(f"ids must be (T,) or (B, T) with T from 1 to {model.context}, got shape {ids.shape}")
    if ids.min() < 0 or ids.max() >= len(model.vocabulary):
        raise ValueError(f"token ids must be in 0..{len(model.vocabulary) - 1}")
    return ids


def embed(ids, model: TinyGPT) -> np.ndarray:
    """wte[ids] + wpe[0..T-1] for ids (T,) or (B, T), after checking them."""
    ids = _check_ids(ids, model)
    return model.params["wte"][ids] + model.params["wpe"][: ids.shape[-1]]


def run(ids, model: TinyGPT | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The forward pass on ids (T,) or a batch (B, T): logits (..., T, vocab_size) and attention
    weights (..., n_layer, n_head, T, T)."""
    model = model or load()
    p, x, maps = model.params, embed(ids, model), []
    for i in range(model.config["n_layer"]):
        x, weights = block(x, model, i)
        maps.append(weights)
    logits = layer_norm(x, p["ln_f.weight"], p["ln_f.bias"], model.config["layer_norm_eps"]) @ p["wte"].T
    return logits, np.stack(maps, axis=-4)


def qkv(ids, layer: int, model: TinyGPT | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The queries, keys and values that block `layer` computes for ids (T,): (n_head, T, d_head)
    each, so that attention weights[layer, h] = softmax(q[h] k[h]^T / sqrt(d_head) + causal mask)."""
    model = model or load()
    x = embed(ids, model)
    for i in range(layer):
        x, _ = block(x, model, i)
    p, h = model.params, f"h.{layer}."
    x = layer_norm(x, p[h + "ln_1.weight"], p[h + "ln_1.bias"], model.config["layer_norm_eps"])
    return project_qkv(x, p, h + "attn.", model.config["n_head"])


def forward(ids, model: TinyGPT | None = None) -> np.ndarray:
    """Logits (T, vocab_size), or (B, T, vocab_size) for a batch: row t scores the character
    that follows ids[: t + 1]."""
    return run(ids, model)[0]


def attention(ids, model: TinyGPT | None = None) -> np.ndarray:
    """Attention weights (n_layer, n_head, T, T) (with a leading B for a batch): [l, h, t] is
    where position t looks, a row summing to 1."""
    return run(ids, model)[1]


def generate(prompt: str, n: int, seed: int, model: TinyGPT | None = None, temperature: float = 1.0) -> str:
    """`prompt` followed by `n` sampled characters (the context is the last `context` characters)."""
    model = model or load()
    rng = np.random.default_rng(seed)
    ids = list(encode(prompt, model)) or [model.vocabulary.index("\n")]
    for _ in range(n):
        logits = forward(ids[-model.context:], model)[-1] / temperature
        ids.append(int(rng.choice(len(logits), p=softmax(logits))))
    return prompt + decode(ids[len(prompt):] if prompt else ids[1:], model)


def loss(text: str, model: TinyGPT | None = None) -> float:
    """Mean cross-entropy (nats per character) of predicting each character of `text` from the
    ones before it, over its disjoint windows of `context` + 1 characters (a ragged end dropped)."""
    model = model or load()
    ids = encode(text, model)
    n = (len(ids) - 1) // model.context
    if n == 0:
        raise ValueError(f"the text needs at least {model.context + 1} characters")
    x = ids[: n * model.context].reshape(n, model.context)
    y = ids[1: n * model.context + 1].reshape(n, model.context)
    logits = forward(x, model)
    top = logits.max(axis=-1, keepdims=True)
    log_total = (top + np.log(np.exp(logits - top).sum(axis=-1, keepdims=True)))[..., 0]
    picked = np.take_along_axis(logits, y[..., None], axis=-1)[..., 0]
    return float(np.mean(log_total - picked))
