"""Wrong on purpose: ranks by the dot product of the raw rows with the target (only the target is
normalised), so long rows win whatever their direction."""

import numpy as np


def analogy(W, vocab, a, b, c, k=5):
    """a is to b as c is to ?: the k words scoring highest against ŵ_b - ŵ_a + ŵ_c."""
    index = {word: i for i, word in enumerate(vocab)}
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    t = U[index[b]] - U[index[a]] + U[index[c]]
    scores = W @ t
    for word in (a, b, c):
        scores[index[word]] = -np.inf
    best = np.argsort(-scores)[:k]
    return [(vocab[i], float(U[i] @ t / np.linalg.norm(t))) for i in best]
