"""Wrong on purpose: divides by the norms along axis=0, the columns, instead of each row's
length, so the words are not unit vectors and the cosines are not cosines."""

import numpy as np


def analogy(W, vocab, a, b, c, k=5):
    """a is to b as c is to ?: the k words closest by cosine to ŵ_b - ŵ_a + ŵ_c."""
    index = {word: i for i, word in enumerate(vocab)}
    U = W / np.linalg.norm(W, axis=0, keepdims=True)
    t = U[index[b]] - U[index[a]] + U[index[c]]
    scores = U @ t / (np.linalg.norm(U, axis=1) * np.linalg.norm(t))
    for word in (a, b, c):
        scores[index[word]] = -np.inf
    best = np.argsort(-scores)[:k]
    return [(vocab[i], float(scores[i])) for i in best]
