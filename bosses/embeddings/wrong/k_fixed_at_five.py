"""Wrong on purpose: always returns the 5 best words, whatever k the caller asks for."""

import numpy as np


def analogy(W, vocab, a, b, c, k=5):
    """a is to b as c is to ?: the best words by cosine with ŵ_b - ŵ_a + ŵ_c."""
    index = {word: i for i, word in enumerate(vocab)}
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    t = U[index[b]] - U[index[a]] + U[index[c]]
    scores = U @ t / np.linalg.norm(t)
    for word in (a, b, c):
        scores[index[word]] = -np.inf
    best = np.argsort(-scores)[:5]
    return [(vocab[i], float(scores[i])) for i in best]
