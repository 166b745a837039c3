"""Module 10 lab: a vanilla RNN and an LSTM in NumPy, backpropagation through time, and an LSTM
trained to count and to add binary numbers.

Shapes, batch first: xs (B, T, d) inputs, h0 and c0 (B, H) starting states, hs (B, T, H) hidden
states. The LSTM's W (4H, H + d) acts on [h; x] with its rows in gate order i, f, g, o; b (4H,).
A step also takes a single sequence: x (d,), h (H,). NumPy only, every gradient by hand.
Run this file to see how far you are; `neuralforge lab 10 --check` tests each function.
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------- the vanilla RNN

def rnn_step(x, h, W_xh, W_hh, b):
    """h_new = tanh(W_hh h + W_xh x + b). W_xh (H, d), W_hh (H, H), b (H,); x (B, d) or (d,)."""
    raise NotImplementedError("for rows of h and x, W_hh h is h @ W_hh.T")


def rnn_forward(xs, h0, W_xh, W_hh, b):
    """Run rnn_step over the T steps of xs. Returns (hs, cache): hs (B, T, H), and in the cache
    whatever rnn_backward needs (the inputs, the states, the weights)."""
    raise NotImplementedError("loop over t, feed each new h into the next step, stack the states on axis 1")


def rnn_backward(dhs, cache):
    """Backpropagation through time. dhs (B, T, H) is the gradient of the loss on each h_t from
    outside the recurrence. Returns {"W_xh", "W_hh", "b", "h0"}, each of its parameter's shape."""
    raise NotImplementedError("walk t backwards: the gradient on h_t is dhs[:, t] plus what step "
                              "t + 1 sent back; then through tanh, into the weights, and on to h_{t-1}")


def jacobian_norms(hs, W_hh):
    """For one sequence's states hs (T, H): the Frobenius norm of ∂h_t/∂h_0 for t = 1..T, an
    array of T numbers. Each step's Jacobian ∂h_t/∂h_{t-1} is diag(1 - h_t²) W_hh."""
    raise NotImplementedError("keep a running product of the step Jacobians, starting from the identity")


# ---------------------------------------------------------------- the LSTM

def lstm_step(x, h, c, W, b):
    """One LSTM step: i, f, o = sigmoid, g = tanh of their blocks of W [h; x] + b;
    c_new = f·c + i·g, h_new = o·tanh(c_new). Returns (h_new, c_new)."""
    raise NotImplementedError("concatenate [h, x] on the last axis, one product with W.T, then "
                              "split into four blocks of H in the order i, f, g, o")


def lstm_forward(xs, h0, c0, W, b):
    """Run the LSTM over xs. Returns (hs, cache): hs (B, T, H), and in the cache what
    lstm_backward needs at each step (the input [h; x], the four gates, c before and after)."""
    raise NotImplementedError("lstm_step's arithmetic in a loop, keeping every step's gates")


def lstm_backward(dhs, cache):
    """Backpropagation through time for lstm_forward. Returns {"W", "b", "h0", "c0"}."""
    raise NotImplementedError("walk t backwards carrying dh and dc; the cell hands dc·f to step t - 1")


def lstm_param_count(H, d):
    """Parameters of one LSTM cell with one bias vector per gate."""
    raise NotImplementedError("four gates, each acting on [h; x]")


# ---------------------------------------------------------------- training

def lstm_init(H, d, k, seed=0):
    """An LSTM of H units on d inputs with a readout to k classes: {"W" (4H, H + d), "b" (4H,),
    "W_y" (k, H), "b_y" (k,)}. Weights drawn from np.random.default_rng(seed) (uniform in
    ±1/√H works well); every bias 0 except the forget gate's."""
    raise NotImplementedError("which value should the forget gate's bias start at, and why?")


def sequence_loss(params, xs, ys):
    """Mean cross-entropy of logits_t = W_y h_t + b_y against the classes ys (B, T), running the
    LSTM from zero states. Returns (loss, grads) with grads keyed like params."""
    raise NotImplementedError("softmax per step; d logits = (p - one-hot) / (B*T); dhs = dlogits @ W_y")


def clip_by_global_norm(grads, max_norm):
    """Returns (clipped grads, the norm before clipping). The norm is √(Σ g²) over every array;
    over max_norm, every array is scaled by max_norm / norm; otherwise nothing changes."""
    raise NotImplementedError("one norm for all the arrays together")


def train_step(params, xs, ys, lr, max_norm):
    """One step of gradient descent with clipping. Returns (new params, loss, norm before clipping)."""
    raise NotImplementedError("sequence_loss, then clip_by_global_norm, then p - lr * g for each parameter")


def fit(X, Y, seed=0):
    """The boss's entry. Train an LSTM on sequences X (N, T, d) with classes Y (N, T), from
    lstm_init(H, d, Y.max() + 1, seed), with train_step on random minibatches drawn from a
    generator made from `seed`. Returns the trained params."""
    raise NotImplementedError("pick H, the number of steps, the batch size, lr and max_norm; "
                              "the lab's checks say what the reference uses")


# ---------------------------------------------------------------- given: data and predictions

def predict(params, xs):
    """The most likely class at every step: (B, T) integers."""
    h0 = np.zeros((len(xs), params["W"].shape[0] // 4))
    hs, _ = lstm_forward(np.asarray(xs, dtype=float), h0, h0, params["W"], params["b"])
    return np.argmax(hs @ params["W_y"].T + params["b_y"], axis=-1)


def counting_data(n, T, seed=0):
    """n random bit strings (n, T, 1) and the running count of 1s (n, T): classes 0..T."""
    bits = np.random.default_rng(seed).integers(0, 2, (n, T))
    return bits[..., None].astype(float), np.cumsum(bits, axis=1)


def adder_data(n, bits, seed=0):
    """n pairs of random `bits`-bit numbers, least significant bit first, one step per bit
    plus one for the last carry: inputs (n, bits + 1, 2) and the sum's bits (n, bits + 1)."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 2 ** bits, n), rng.integers(0, 2 ** bits, n)
    shifts = np.arange(bits + 1)
    X = np.stack([(a[:, None] >> shifts) & 1, (b[:, None] >> shifts) & 1], axis=-1)
    return X.astype(float), ((a + b)[:, None] >> shifts) & 1


def _try(what, run):
    """Run one part of the tour; say so when it is not written yet."""
    try:
        run()
    except NotImplementedError as todo:
        print(f"{what}: not written yet ({todo})")


def _vanishing():
    rng = np.random.default_rng(0)
    xs, W_xh, W_hh = rng.normal(size=(1, 30, 2)), rng.normal(0, 0.5, (4, 2)), rng.normal(0, 0.6, (4, 4))
    hs, _ = rnn_forward(xs, np.zeros((1, 4)), W_xh, W_hh, np.zeros(4))
    norms = jacobian_norms(hs[0], W_hh)
    print("RNN  ‖∂h_t/∂h_0‖ at t = 1, 10, 20, 30:", " ".join(f"{norms[t]:.2e}" for t in (0, 9, 19, 29)))
    W, b = rng.normal(0, 0.3, (16, 6)), np.r_[np.zeros(4), 4 * np.ones(4), np.zeros(8)]  # forget bias 4
    cells = []
    for T in range(1, 31):
        dhs = np.zeros((1, T, 4))
        dhs[0, -1] = 1.0
        _, cache = lstm_forward(xs[:, :T], np.zeros((1, 4)), np.zeros((1, 4)), W, b)
        cells.append(np.linalg.norm(lstm_backward(dhs, cache)["c0"]))
    print("LSTM ‖∂L/∂c_0‖  at T = 1, 10, 20, 30:", " ".join(f"{cells[t]:.2e}" for t in (0, 9, 19, 29)))
    try:
        from neuralforge_child import send  # in the game: the Lab part plots these series (F4)
    except ImportError:
        return
    for t, (rnn, cell) in enumerate(zip(norms, cells), start=1):
        send({"series": "rnn", "step": t, "log10 norm": float(np.log10(rnn))})
        send({"series": "lstm cell", "step": t, "log10 norm": float(np.log10(cell))})


def _add():
    """The boss's task, in about a second of training (counting is the last lab check)."""
    X, Y = adder_data(1000, 8, seed=3)
    params = fit(X, Y, seed=0)
    for bits in (8, 16, 32):
        X_test, Y_test = adder_data(1000, bits, seed=bits)
        print(f"adder: {bits}-bit sums exactly right: {np.mean(np.all(predict(params, X_test) == Y_test, axis=1)):.1%}")


if __name__ == "__main__":
    _try("one RNN step", lambda: print("rnn_step:", rnn_step(np.ones(2), np.zeros(3), np.ones((3, 2)), np.eye(3), np.zeros(3))))
    _try("one LSTM step", lambda: print("lstm_step:", lstm_step(np.ones(2), np.zeros(3), np.zeros(3),
                                                                  np.ones((12, 5)), np.zeros(12))))
    _try("LSTM parameters at H = 128, d = 64", lambda: print("lstm_param_count(128, 64):", lstm_param_count(128, 64)))
    _try("vanishing gradients", _vanishing)
    _try("training the adder", _add)
