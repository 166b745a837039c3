"""Module 10 lab: a vanilla RNN and an LSTM cell in NumPy."""
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def rnn_step(x, h, W_xh, W_hh, b):
    """One tanh recurrence step. x: (d,), h: (H,), W_xh: (H, d), W_hh: (H, H), b: (H,). Returns (H,)."""
    raise NotImplementedError("h_new = tanh(W_hh h + W_xh x + b)")


def lstm_step(x, h, c, W, b):
    """One LSTM step. x: (d,), h, c: (H,), W: (4H, H + d) acting on [h; x], b: (4H,).

    Gate order in the rows of W: i, f, g, o. Returns (h_new, c_new), each (H,).
    """
    raise NotImplementedError("z = W @ concat([h, x]) + b; split into 4 chunks of H; c = f*c + i*g; h = o*tanh(c)")


def lstm_forward(xs, h0, c0, W, b):
    """Run lstm_step over xs: (T, d). Returns the hidden states as a (T, H) array."""
    raise NotImplementedError("loop over t, carry (h, c), collect each h")


def lstm_param_count(H, d):
    """Parameters of one LSTM cell with one bias vector per gate."""
    raise NotImplementedError("four gates, each an H x (H + d) matrix plus an H-vector")


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    d, H, T = 3, 4, 6
    xs = rng.normal(size=(T, d))
    W_xh, W_hh, b = rng.normal(0, 0.5, (H, d)), rng.normal(0, 0.5, (H, H)), np.zeros(H)
    h = np.zeros(H)
    for x in xs:
        h = rnn_step(x, h, W_xh, W_hh, b)
    print("RNN final h:", np.round(h, 3))
    W, bl = rng.normal(0, 0.5, (4 * H, H + d)), np.zeros(4 * H)
    hs = lstm_forward(xs, np.zeros(H), np.zeros(H), W, bl)
    print("LSTM hidden states:", hs.shape, "last:", np.round(hs[-1], 3))
    print("params at H=128, d=64:", lstm_param_count(128, 64))
