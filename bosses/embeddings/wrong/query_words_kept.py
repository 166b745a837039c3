"""Wrong on purpose: the query words are never left out, so b or c itself (often king) comes back
as the answer."""

import numpy as np


def analogy(W, vocab, a, b, c, k=5):
    """a is to b as c is to ?: the k words closest by cosine to ŵ_b - ŵ_a + ŵ_c."""
    index = {word: i for i, word in enumerate(vocab)}
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    t = U[index[b]] - U[index[a]] + U[index[c]]
    scores = U @ t / np.linalg.norm(t)
    best = np.argsort(-scores)[:k]
    return [(vocab[i], float(scores[i])) for i in best]
