"""Wrong on purpose: "leaves out" the query words by setting their scores to 0, so they still come
back whenever fewer than k words have a positive cosine."""

import numpy as np


def analogy(W, vocab, a, b, c, k=5):
    """a is to b as c is to ?: the k words closest by cosine to ŵ_b - ŵ_a + ŵ_c."""
    index = {word: i for i, word in enumerate(vocab)}
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    t = U[index[b]] - U[index[a]] + U[index[c]]
    scores = U @ t / np.linalg.norm(t)
    for word in (a, b, c):
        scores[index[word]] = 0.0
    best = np.argsort(-scores)[:k]
    return [(vocab[i], float(scores[i])) for i in best]
