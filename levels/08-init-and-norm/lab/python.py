"""Module 8 lab: watch signals die in a deep ReLU net, then keep them alive.

Weights are (fan_in, fan_out) and batches are rows, so a layer is h = relu(x @ W).
"""

import numpy as np


def he_init(fan_in, fan_out, rng):
    """Weights of shape (fan_in, fan_out) drawn from N(0, 2 / fan_in)."""
    raise NotImplementedError("rng.standard_normal(...) times the right standard deviation")


def signal_stats(depth, width, weight_std, seed=0):
    """Forward a (256, width) batch of N(0, 1) inputs through `depth` ReLU layers.

    Returns (act_stds, grad_norms): two lists of length depth. act_stds[l] is the
    std of layer l's activations; grad_norms[l] is the norm of dL/dh at layer l
    after backpropagating a random N(0, 1) gradient from the top.
    """
    rng = np.random.default_rng(seed)
    Ws = [rng.standard_normal((width, width)) * weight_std for _ in range(depth)]
    raise NotImplementedError("keep each pre-activation z for the ReLU mask on the way back")


def layer_norm(x, gamma, beta, eps=1e-5):
    """Normalize over the last axis: gamma * (x - mean) / sqrt(var + eps) + beta."""
    raise NotImplementedError("mean and var with axis=-1, keepdims=True; var is the biased (1/n) one")


def rms_norm(x, gamma, eps=1e-6):
    """gamma * x / sqrt(mean(x^2) + eps), over the last axis. No mean subtraction."""
    raise NotImplementedError


if __name__ == "__main__":
    depth, width = 50, 256
    for name, std in [("1/n (too small)", np.sqrt(1 / width)), ("2/n (He)", np.sqrt(2 / width))]:
        acts, grads = signal_stats(depth, width, std)
        print(f"{name:16s} act std layer 1 {acts[0]:.3g} -> layer {depth} {acts[-1]:.3g};"
              f" grad norm {grads[-1]:.3g} -> {grads[0]:.3g}")
    x = np.array([[1.0, 2.0, 6.0]])
    y = layer_norm(x, np.ones(3), np.zeros(3), eps=0.0)
    print("layer_norm", y, "want", np.sqrt(3 / 14) * np.array([-2, -1, 3]))
    print("rms_norm  ", rms_norm(np.array([[3.0, 4.0]]), np.ones(2), eps=0.0))   # [0.8485, 1.1314]
    print("He std for fan_in 256:", he_init(256, 4, np.random.default_rng(0)).std())   # about 0.088
