"""Wrong on purpose: combines the rows as they are, W[b] - W[a] + W[c], without normalising them
first, so one long query word drags the target onto itself."""

import numpy as np


def analogy(W, vocab, a, b, c, k=5):
    """a is to b as c is to ?: the k words closest by cosine to W[b] - W[a] + W[c]."""
    index = {word: i for i, word in enumerate(vocab)}
    t = W[index[b]] - W[index[a]] + W[index[c]]
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    scores = U @ t / np.linalg.norm(t)
    for word in (a, b, c):
        scores[index[word]] = -np.inf
    best = np.argsort(-scores)[:k]
    return [(vocab[i], float(scores[i])) for i in best]
