"""Module 4 reference lab: softmax, cross-entropy, KL, and the gradient p - y.

z: logits, shape (B, V). y: integer class ids, shape (B,). Natural log throughout.
"""

import numpy as np


def softmax(z, T=1.0):
    """Probabilities along the last axis: exp(z/T) / sum exp(z/T), shifted by the max first."""
    z = np.asarray(z, dtype=float) / T
    z = z - z.max(axis=-1, keepdims=True)            # the largest exponent is now e^0 = 1
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def logsumexp(z):
    """log sum_j exp(z_j) along the last axis, without overflow: m + log sum exp(z - m)."""
    z = np.asarray(z, dtype=float)
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


if __name__ == "__main__":
    z = np.array([[1.0, 2.0, 3.0]])
    print("softmax      ", softmax(z))                 # [0.090, 0.245, 0.665]
    print("CE, target 2 ", cross_entropy(z, np.array([2])))   # about 0.408
    print("grad         ", softmax_ce_grad(z, np.array([2])))
    print("KL(data||q)  ", kl_divergence(np.array([0.0, 0.0, 1.0]), softmax(z)[0]))
    print("stable?      ", softmax(np.array([1000.0, 1001.0])))
    print("boss         ", softmax_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([1])))
