"""Wrong on purpose: takes the top k first and drops the query words afterwards, so fewer than k
words come back whenever a query word was among the best."""

import numpy as np


def analogy(W, vocab, a, b, c, k=5):
    """a is to b as c is to ?: the k words closest by cosine to ŵ_b - ŵ_a + ŵ_c."""
    index = {word: i for i, word in enumerate(vocab)}
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    t = U[index[b]] - U[index[a]] + U[index[c]]
    scores = U @ t / np.linalg.norm(t)
    best = np.argsort(-scores)[:k]
    return [(vocab[i], float(scores[i])) for i in best if vocab[i] not in (a, b, c)]
