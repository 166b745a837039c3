"""Wrong on purpose: ranks words by Euclidean distance from W[b] - W[a] + W[c] instead of by
cosine, so a row's length decides as much as its direction."""

import numpy as np


def analogy(W, vocab, a, b, c, k=5):
    """a is to b as c is to ?: the k words nearest to W[b] - W[a] + W[c]."""
    index = {word: i for i, word in enumerate(vocab)}
    t = W[index[b]] - W[index[a]] + W[index[c]]
    distance = np.linalg.norm(W - t, axis=1)
    for word in (a, b, c):
        distance[index[word]] = np.inf
    best = np.argsort(distance)[:k]
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    return [(vocab[i], float(U[i] @ t / np.linalg.norm(t))) for i in best]
