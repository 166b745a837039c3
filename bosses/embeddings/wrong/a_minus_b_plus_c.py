"""Wrong on purpose: builds ŵ_a - ŵ_b + ŵ_c, the offset turned around, so man - king + woman
looks for a "woman without royalty" instead of queen."""

import numpy as np


def analogy(W, vocab, a, b, c, k=5):
    """a is to b as c is to ?: the k words closest by cosine to the target."""
    index = {word: i for i, word in enumerate(vocab)}
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    t = U[index[a]] - U[index[b]] + U[index[c]]
    scores = U @ t / np.linalg.norm(t)
    for word in (a, b, c):
        scores[index[word]] = -np.inf
    best = np.argsort(-scores)[:k]
    return [(vocab[i], float(scores[i])) for i in best]
