"""Train the tiny character-level GPT on the shipped Shakespeare corpus, and export its weights.

    python datasets/tinygpt/train.py [--steps 2000] [--seed 1337] [--threads 1] [--out DIR]

Needs PyTorch (an optional extra: `pip install torch==2.13.0` on CPU). Runs on the CPU in minutes:
the model and the recipe are nanoGPT's CPU configuration for Shakespeare (4 layers, d = 128,
4 heads, a 64-character context, batches of 12, 2,000 steps of AdamW at 1e-3 decaying to 1e-4),
with biases and the tanh GELU of GPT-2. Every random choice comes from --seed, so a run with the
same seed, thread count and torch version gives the same weights. Progress is printed; Ctrl-C
stops early and still writes the weights and the log of the steps done.

Writes into --out (default: beside this script):
  weights.bin    every tensor, float32 little-endian, one after another (layout in manifest.json)
  manifest.json  the configuration, the vocabulary, and each tensor's name, shape and offset
  train_log.txt  step, train loss, validation loss, elapsed seconds
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # run from a checkout: the corpus loader is in forge_tui
from forge_tui import corpus  # noqa: E402

CONFIG = {"n_layer": 4, "n_head": 4, "d_model": 128, "context": 64, "gelu": "tanh",
          "layer_norm_eps": 1e-5, "tied_unembedding": True}
BATCH, LR, MIN_LR, WARMUP, WEIGHT_DECAY = 12, 1e-3, 1e-4, 100, 0.1
EVAL_EVERY, EVAL_BATCHES = 250, 20


class Block(nn.Module):
    """Pre-LN transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x))."""

    def __init__(self, d: int, n_head: int):
        super().__init__()
        self.n_head = n_head
        self.ln_1 = nn.LayerNorm(d, eps=CONFIG["layer_norm_eps"])
        self.c_attn = nn.Linear(d, 3 * d)  # q, k, v packed: columns [q | k | v]
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=CONFIG["layer_norm_eps"])
        self.c_fc = nn.Linear(d, 4 * d)
        self.c_proj_mlp = nn.Linear(4 * d, d)

    def attend(self, x: torch.Tensor) -> torch.Tensor:
        B, T, d = x.shape
        q, k, v = self.c_attn(x).split(d, dim=2)
        heads = lambda t: t.view(B, T, self.n_head, d // self.n_head).transpose(1, 2)  # noqa: E731
        y = F.scaled_dot_product_attention(heads(q), heads(k), heads(v), is_causal=True)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attend(self.ln_1(x))
        return x + self.c_proj_mlp(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class TinyGPT(nn.Module):
    """Token and position embeddings, pre-LN blocks, a final LayerNorm, unembedding tied to wte."""

    def __init__(self, vocab_size: int, n_layer: int, n_head: int, d_model: int, context: int, **_):
        super().__init__()
        self.context = context
        self.wte = nn.Embedding(vocab_size, d_model)
        self.wpe = nn.Embedding(context, d_model)
        self.h = nn.ModuleList(Block(d_model, n_head) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(d_model, eps=CONFIG["layer_norm_eps"])
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear):
            nn.init.zeros_(module.bias)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        T = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(T))
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.T


# --- Export: name -> array in the layout the NumPy model reads (y = x @ W + b, W is (in, out)) ---

def exported_tensors(model: TinyGPT) -> dict[str, torch.Tensor]:
    """Every parameter once, linear weights transposed to (in, out)."""
    out = {"wte": model.wte.weight, "wpe": model.wpe.weight}
    for i, block in enumerate(model.h):
        p = f"h.{i}."
        out |= {p + "ln_1.weight": block.ln_1.weight, p + "ln_1.bias": block.ln_1.bias,
                p + "attn.c_attn.weight": block.c_attn.weight.T, p + "attn.c_attn.bias": block.c_attn.bias,
                p + "attn.c_proj.weight": block.c_proj.weight.T, p + "attn.c_proj.bias": block.c_proj.bias,
                p + "ln_2.weight": block.ln_2.weight, p + "ln_2.bias": block.ln_2.bias,
                p + "mlp.c_fc.weight": block.c_fc.weight.T, p + "mlp.c_fc.bias": block.c_fc.bias,
                p + "mlp.c_proj.weight": block.c_proj_mlp.weight.T, p + "mlp.c_proj.bias": block.c_proj_mlp.bias}
    return out | {"ln_f.weight": model.ln_f.weight, "ln_f.bias": model.ln_f.bias}


def export(model: TinyGPT, vocabulary: str, training: dict, out: Path) -> None:
    """Write weights.bin (float32 little-endian) and manifest.json (offsets in float32 elements)."""
    tensors, blobs, offset = [], [], 0
    for name, tensor in exported_tensors(model).items():
        array = tensor.detach().to(torch.float32).contiguous().numpy().astype("<f4")
        tensors.append({"name": name, "shape": list(array.shape), "offset": offset})
        blobs.append(array.tobytes())
        offset += array.size
    (out / "weights.bin").write_bytes(b"".join(blobs))
    manifest = {"format": "float32 little-endian, tensors one after another; offset counts float32 elements",
                "linear_layout": "y = x @ W + b with W stored (in, out); attn.c_attn packs [q | k | v] "
                                 "along its columns, each split into n_head contiguous blocks of d_model/n_head",
                "config": CONFIG | {"vocab_size": len(vocabulary)}, "vocabulary": vocabulary,
                "parameters": offset, "training": training, "tensors": tensors}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def load_exported(folder: Path) -> TinyGPT:
    """A torch TinyGPT holding the weights written by `export` (for tests against the NumPy model)."""
    import numpy as np

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    flat = np.fromfile(folder / "weights.bin", dtype="<f4")
    model = TinyGPT(**manifest["config"])
    for name, target in exported_tensors(model).items():
        entry = next(t for t in manifest["tensors"] if t["name"] == name)
        size = math.prod(entry["shape"])
        values = torch.from_numpy(flat[entry["offset"]: entry["offset"] + size].reshape(entry["shape"]).copy())
        with torch.no_grad():
            target.copy_(values)  # target may be a transposed view: copy_ writes through it
    return model


# --- Training ---

def encode(text: str, vocabulary: str) -> torch.Tensor:
    index = {ch: i for i, ch in enumerate(vocabulary)}
    return torch.tensor([index[ch] for ch in text], dtype=torch.long)


def batch(data: torch.Tensor, context: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """BATCH random windows of `context` characters and the same windows shifted by one."""
    starts = torch.randint(len(data) - context - 1, (BATCH,), generator=generator)
    x = torch.stack([data[s: s + context] for s in starts])
    y = torch.stack([data[s + 1: s + context + 1] for s in starts])
    return x, y


def learning_rate(step: int, steps: int) -> float:
    """Linear warm-up for WARMUP steps, then cosine decay from LR to MIN_LR at `steps`."""
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    progress = min(1.0, (step - WARMUP) / max(1, steps - WARMUP))
    return MIN_LR + 0.5 * (LR - MIN_LR) * (1 + math.cos(math.pi * progress))


@torch.no_grad()
def estimate_loss(model: TinyGPT, data: torch.Tensor, seed: int) -> float:
    """Mean loss over EVAL_BATCHES batches drawn from a fixed seed (the same windows every time)."""
    generator = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(EVAL_BATCHES):
        x, y = batch(data, model.context, generator)
        losses.append(F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item())
    return sum(losses) / len(losses)


@torch.no_grad()
def full_loss(model: TinyGPT, data: torch.Tensor) -> float:
    """Mean loss over every disjoint `context`-character window of `data` (the benchmark figure)."""
    n = (len(data) - 1) // model.context
    x = data[: n * model.context].view(n, model.context)
    y = data[1: n * model.context + 1].view(n, model.context)
    losses = [F.cross_entropy(model(x[i: i + 256]).flatten(0, 1), y[i: i + 256].flatten(), reduction="sum")
              for i in range(0, n, 256)]
    return (sum(losses) / y.numel()).item()


def optimizer_for(model: TinyGPT) -> torch.optim.AdamW:
    """AdamW with weight decay on matrices only (not on biases and LayerNorm gains)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": rest, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=LR, betas=(0.9, 0.99))


def train(steps: int, seed: int, log) -> tuple[TinyGPT, dict]:
    """Train for `steps` steps (fewer if stopped with Ctrl-C); `log(line)` receives each log line."""
    torch.manual_seed(seed)
    vocabulary = corpus.vocabulary()
    train_data, valid_data = encode(corpus.train_text(), vocabulary), encode(corpus.valid_text(), vocabulary)
    model = TinyGPT(len(vocabulary), **CONFIG)
    optimizer, generator = optimizer_for(model), torch.Generator().manual_seed(seed)
    log("step train_loss val_loss elapsed_s")
    start, step = time.perf_counter(), 0
    try:
        for step in range(steps + 1):
            if step % EVAL_EVERY == 0 or step == steps:
                model.eval()
                losses = estimate_loss(model, train_data, seed + 1), estimate_loss(model, valid_data, seed + 2)
                log(f"{step} {losses[0]:.4f} {losses[1]:.4f} {time.perf_counter() - start:.1f}")
                model.train()
            if step == steps:
                break
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, steps)
            x, y = batch(train_data, model.context, generator)
            loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
    except KeyboardInterrupt:
        log(f"# stopped by the user at step {step}")
    seconds = time.perf_counter() - start
    model.eval()
    result = {"steps": step, "seed": seed, "threads": torch.get_num_threads(), "seconds": round(seconds, 1),
              "torch": torch.__version__, "val_loss_full": round(full_loss(model, valid_data), 4)}
    log(f"# final: {json.dumps(result)}")
    return model, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (1: on a shared 2-core machine two threads ran 8x slower)")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    args.out.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []

    def log(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    model, training = train(args.steps, args.seed, log)
    export(model, corpus.vocabulary(), training, args.out)
    (args.out / "train_log.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'weights.bin'}, manifest.json and train_log.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
