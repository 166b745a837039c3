"""Wrong on purpose: each gradient array is clipped by its own length instead of the
length of all of them together, which changes the direction of the step.

Otherwise the module-10 reference lab.
"""


import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ---------------------------------------------------------------- the vanilla RNN

def rnn_step(x, h, W_xh, W_hh, b):
    """h_new = tanh(W_hh h + W_xh x + b), written for rows: h @ W_hh.T is W_hh h for each row."""
    return np.tanh(h @ W_hh.T + x @ W_xh.T + b)


def rnn_forward(xs, h0, W_xh, W_hh, b):
    """Run rnn_step over the T steps of xs. Returns (hs, cache) with hs (B, T, H)."""
    h, hs = h0, []
    for t in range(xs.shape[1]):
        h = rnn_step(xs[:, t], h, W_xh, W_hh, b)
        hs.append(h)
    hs = np.stack(hs, axis=1)
    return hs, (xs, h0, hs, W_xh, W_hh)


def rnn_backward(dhs, cache):
    """Backpropagation through time. dhs (B, T, H) is ∂L/∂h_t from outside the recurrence
    (the readout); the gradient from step t + 1 is added to it on the way back.
    Returns {"W_xh", "W_hh", "b", "h0"}."""
    xs, h0, hs, W_xh, W_hh = cache
    dW_xh, dW_hh, db = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(W_hh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(xs.shape[1])):
        h_prev = hs[:, t - 1] if t > 0 else h0
        da = (dhs[:, t] + dh_next) * (1 - hs[:, t] ** 2)   # through tanh
        dW_xh += da.T @ xs[:, t]
        dW_hh += da.T @ h_prev
        db += da.sum(axis=0)
        dh_next = da @ W_hh                                  # the carry to step t − 1
    return {"W_xh": dW_xh, "W_hh": dW_hh, "b": db, "h0": dh_next}


def jacobian_norms(hs, W_hh):
    """‖∂h_t/∂h_0‖ (Frobenius) for t = 1..T of one sequence, hs (T, H).

    ∂h_t/∂h_{t−1} = diag(1 − h_t²) W_hh, so ∂h_t/∂h_0 is the product of t such factors."""
    J = np.eye(W_hh.shape[0])
    norms = []
    for h in hs:
        J = ((1 - h ** 2)[:, None] * W_hh) @ J
        norms.append(np.linalg.norm(J))
    return np.array(norms)


# ---------------------------------------------------------------- the LSTM

def lstm_step(x, h, c, W, b):
    """One LSTM step. Returns (h_new, c_new)."""
    H = h.shape[-1]
    z = np.concatenate([h, x], axis=-1) @ W.T + b
    i = sigmoid(z[..., :H])
    f = sigmoid(z[..., H:2 * H])
    g = np.tanh(z[..., 2 * H:3 * H])
    o = sigmoid(z[..., 3 * H:])
    c_new = f * c + i * g
    return o * np.tanh(c_new), c_new


def lstm_forward(xs, h0, c0, W, b):
    """Run the LSTM over xs. Returns (hs, cache), hs (B, T, H); the cache keeps what the
    backward pass needs at each step: the input [h; x], the four gates, c before and after."""
    H = h0.shape[-1]
    h, c, hs, steps = h0, c0, [], []
    for t in range(xs.shape[1]):
        hx = np.concatenate([h, xs[:, t]], axis=-1)
        z = hx @ W.T + b
        i, f, o = sigmoid(z[:, :H]), sigmoid(z[:, H:2 * H]), sigmoid(z[:, 3 * H:])
        g = np.tanh(z[:, 2 * H:3 * H])
        c_prev, c = c, f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
        steps.append((hx, i, f, g, o, c_prev, c))
    return np.stack(hs, axis=1), (steps, W)


def lstm_backward(dhs, cache):
    """Backpropagation through time for lstm_forward. Returns {"W", "b", "h0", "c0"}."""
    steps, W = cache
    H = W.shape[0] // 4
    dW, db = np.zeros_like(W), np.zeros(W.shape[0])
    dh_next, dc_next = np.zeros_like(dhs[:, 0]), np.zeros_like(dhs[:, 0])
    for t in reversed(range(len(steps))):
        hx, i, f, g, o, c_prev, c = steps[t]
        dh = dhs[:, t] + dh_next
        tc = np.tanh(c)
        dc = dc_next + dh * o * (1 - tc ** 2)
        dz = np.concatenate([dc * g * i * (1 - i),          # input gate
                             dc * c_prev * f * (1 - f),     # forget gate
                             dc * i * (1 - g ** 2),         # candidate
                             dh * tc * o * (1 - o)], axis=1)  # output gate
        dW += dz.T @ hx
        db += dz.sum(axis=0)
        dhx = dz @ W
        dh_next, dc_next = dhx[:, :H], dc * f               # the carry to step t − 1
    return {"W": dW, "b": db, "h0": dh_next, "c0": dc_next}


def lstm_param_count(H, d):
    """Four gates, each an H × (H + d) matrix and one bias vector of length H."""
    return 4 * (H * (H + d) + H)


# ---------------------------------------------------------------- training

def lstm_init(H, d, k, seed=0):
    """An LSTM of H units on d inputs with a readout to k classes. Weights uniform in ±1/√H;
    biases zero except the forget gate's, which start at 1: σ(1) ≈ 0.73, so a new cell
    keeps most of its memory until training says otherwise."""
    rng = np.random.default_rng(seed)
    scale = 1 / np.sqrt(H)
    b = np.zeros(4 * H)
    b[H:2 * H] = 1.0
    return {"W": rng.uniform(-scale, scale, (4 * H, H + d)), "b": b,
            "W_y": rng.uniform(-scale, scale, (k, H)), "b_y": np.zeros(k)}


def sequence_loss(params, xs, ys):
    """Mean cross-entropy of the readout logits_t = W_y h_t + b_y against the classes ys (B, T),
    from zero starting states. Returns (loss, grads) with one gradient per parameter."""
    B, T = ys.shape
    H = params["W"].shape[0] // 4
    h0 = np.zeros((B, H))
    hs, cache = lstm_forward(xs, h0, h0, params["W"], params["b"])
    logits = hs @ params["W_y"].T + params["b_y"]
    logits -= logits.max(axis=-1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=-1, keepdims=True)
    picked = np.take_along_axis(p, ys[..., None], axis=-1)
    loss = -np.mean(np.log(picked))
    dlogits = p
    np.put_along_axis(dlogits, ys[..., None], picked - 1, axis=-1)
    dlogits /= B * T
    grads = lstm_backward(dlogits @ params["W_y"], cache)
    return float(loss), {"W": grads["W"], "b": grads["b"],
                         "W_y": np.einsum("btk,bth->kh", dlogits, hs), "b_y": dlogits.sum(axis=(0, 1))}


def clip_by_global_norm(grads, max_norm):
    """(every gradient times one factor so their joint length is at most max_norm, the length before)."""
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    return {name: g * min(1.0, max_norm / np.linalg.norm(g)) for name, g in grads.items()}, norm


def train_step(params, xs, ys, lr, max_norm):
    """One step of gradient descent with the gradient clipped by global norm.
    Returns (new params, the loss, the gradient's norm before clipping)."""
    loss, grads = sequence_loss(params, xs, ys)
    grads, norm = clip_by_global_norm(grads, max_norm)
    return {name: p - lr * grads[name] for name, p in params.items()}, loss, norm


def fit(X, Y, seed=0, H=16, steps=1200, batch=32, lr=3.0, max_norm=1.0):
    """Train an LSTM classifier on sequences X (N, T, d) with classes Y (N, T), from `seed`:
    train_step on random minibatches. Returns the trained params."""
    rng = np.random.default_rng(seed)
    params = lstm_init(H, X.shape[2], int(Y.max()) + 1, seed)
    for _ in range(steps):
        rows = rng.integers(0, len(X), batch)
        params, _, _ = train_step(params, X[rows], Y[rows], lr, max_norm)
    return params


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
