"""Wrong on purpose: reports ŵ·t as the similarity without dividing by |t|, so the ranking is
right but every "cosine" is off by the factor |t|."""

import numpy as np


def analogy(W, vocab, a, b, c, k=5):
    """a is to b as c is to ?: the k words closest by cosine to ŵ_b - ŵ_a + ŵ_c."""
    index = {word: i for i, word in enumerate(vocab)}
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    t = U[index[b]] - U[index[a]] + U[index[c]]
    scores = U @ t
    for word in (a, b, c):
        scores[index[word]] = -np.inf
    best = np.argsort(-scores)[:k]
    return [(vocab[i], float(scores[i])) for i in best]
