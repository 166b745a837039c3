"""Wrong on purpose: subtracts the max only when some logit is large enough to overflow, so a
batch of very negative logits underflows: every exp is 0 and each row sums to 0.
"""

import numpy as np

OVERFLOW = 700.0   # exp(x) is inf in float64 past x = 709.78


def softmax(z, T=1.0):
    """Probabilities along the last axis: exp(z/T) / sum exp(z/T), shifted by the max if it is large."""
    z = np.asarray(z, dtype=float) / T
    if z.max() > OVERFLOW:                           # shift only where exp would overflow
        z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def logsumexp(z):
    """log sum_j exp(z_j) along the last axis; m + log sum exp(z - m) when exp would overflow."""
    z = np.asarray(z, dtype=float)
    if z.max() <= OVERFLOW:
        return np.log(np.exp(z).sum(axis=-1))
    m = z.max(axis=-1)
    return m + np.log(np.exp(z - m[..., None]).sum(axis=-1))


def cross_entropy(z, y):
    """Mean over the batch of -log softmax(z)[b, y[b]] = logsumexp(z[b]) - z[b, y[b]]."""
    z = np.asarray(z, dtype=float)
    rows = np.arange(z.shape[0])
    return float(np.mean(logsumexp(z) - z[rows, y]))


def kl_divergence(p, q):
    """KL(p || q) = sum p log(p / q); terms with p = 0 count 0."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    keep = p > 0
    return float(np.sum(p[keep] * np.log(p[keep] / q[keep])))


def softmax_ce_grad(z, y):
    """Gradient of cross_entropy(z, y) with respect to z: (softmax(z) - onehot(y)) / B."""
    p = softmax(z)
    rows = np.arange(p.shape[0])
    p[rows, y] -= 1.0                                # subtract the one-hot target, row by row
    return p / p.shape[0]


def softmax_cross_entropy(z, y):
    """The boss: the loss and its gradient together, (loss, dz)."""
    return cross_entropy(z, y), softmax_ce_grad(z, y)
