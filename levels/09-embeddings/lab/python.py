"""Module 9 lab: word2vec (skip-gram with negative sampling) in NumPy."""
import numpy as np


def cosine(u, v):
    """Cosine similarity of two 1-D vectors u, v (same length). Returns a float in [-1, 1]."""
    raise NotImplementedError("dot product divided by the product of the two norms")


def skipgram_pairs(ids, window):
    """ids: list of token ids. Returns every (centre, context) pair with 0 < |i - j| <= window."""
    raise NotImplementedError("two loops: each position, then each neighbour inside the window")


def sgns_step(W_in, W_out, c, o, neg, lr):
    """One SGD step of skip-gram with negative sampling.

    W_in:  (V, d) centre-word vectors v;  W_out: (V, d) context-word vectors u.
    c: centre id, o: true context id, neg: list of k negative ids.
    Loss = -log sigmoid(u_o . v_c) - sum_j log sigmoid(-u_j . v_c).
    Updates W_in and W_out in place; returns the loss (float).
    """
    raise NotImplementedError("dL/ds is sigmoid(s) - 1 for the real pair and sigmoid(s) for negatives")


def nearest(W, query, k, exclude=()):
    """Ids of the k rows of W (V, d) with highest cosine to query (d,), skipping ids in exclude."""
    raise NotImplementedError("normalise the rows once, then one matrix-vector product gives every cosine")


if __name__ == "__main__":
    text = "the cat sat on the mat the dog sat on the rug the cat saw the dog".split()
    vocab = sorted(set(text))
    idx = {w: i for i, w in enumerate(vocab)}
    ids = [idx[w] for w in text]
    V, d = len(vocab), 8
    rng = np.random.default_rng(0)
    W_in = rng.normal(0, 0.1, (V, d))
    W_out = np.zeros((V, d))
    pairs = skipgram_pairs(ids, window=2)
    for epoch in range(200):
        total = 0.0
        for c, o in pairs:
            neg = list(rng.integers(0, V, size=3))
            total += sgns_step(W_in, W_out, c, o, neg, lr=0.05)
        if epoch % 50 == 0:
            print(f"epoch {epoch:3d}  loss {total / len(pairs):.4f}")
    print("cos(cat, dog) =", round(cosine(W_in[idx["cat"]], W_in[idx["dog"]]), 3))
    print("near cat:", [vocab[i] for i in nearest(W_in, W_in[idx["cat"]], 3, exclude={idx["cat"]})])
