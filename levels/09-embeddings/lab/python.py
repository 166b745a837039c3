"""Module 9 lab: one-hot codes, word2vec (skip-gram with negative sampling) in NumPy, cosine
neighbours, a 2-D projection; then the boss, `analogy`. Run this file to see what works so far."""
import numpy as np


def one_hot(ids, V):
    """(len(ids), V) array: row r is all zeros except a 1 in column ids[r]."""
    raise NotImplementedError("one_hot: start from np.zeros((len(ids), V)) and set one entry per row")


def cosine(u, v):
    """Cosine similarity of two 1-D vectors u, v (same length): a float in [-1, 1]."""
    raise NotImplementedError("cosine: the dot product, divided by the two lengths")


def skipgram_pairs(ids, window):
    """ids: list of token ids. Every (centre, context) pair of positions i != j with |i - j| <= window."""
    raise NotImplementedError("skipgram_pairs: each position, then each neighbour inside the window")


def noise_distribution(counts, power=0.75):
    """counts[w]: how often word w occurs. Returns P(w) proportional to counts[w] ** power (sums to 1)."""
    raise NotImplementedError("noise_distribution: flatten the counts with the power, then normalise")


def sample_negatives(p, n, rng):
    """n word ids drawn independently from the distribution p, using the generator rng."""
    raise NotImplementedError("sample_negatives: rng.choice can draw with given probabilities")


def sgns_loss_grads(v, u_o, U_neg):
    """One centre vector v (d,), its true context vector u_o (d,), k negative vectors U_neg (k, d).
    Loss = -log σ(u_o·v) - Σ_j log σ(-u_j·v).
    Returns (loss, dL/dv, dL/du_o, dL/dU_neg), the last one with one row per negative."""
    raise NotImplementedError("sgns_loss_grads: dL/ds is σ(s) - 1 for the true pair, σ(s) for a negative")


def sgns_step(W_in, W_out, c, o, neg, lr):
    """One SGD step of skip-gram with negative sampling.
    W_in: (V, d) centre vectors v;  W_out: (V, d) context vectors u.
    c: centre id, o: true context id, neg: list of k negative ids (one may repeat).
    Gradients come from the rows as they are; then both matrices change in place.
    Returns the loss before the step."""
    raise NotImplementedError("sgns_step: sgns_loss_grads on the rows, then W -= lr * gradient")


def train_sgns(ids, V, d=32, window=2, k=5, epochs=3, lr=0.025, seed=0):
    """Train skip-gram with negative sampling on the token ids `ids` (vocabulary size V).
    Start W_in small and random (uniform in ±0.5/d) and W_out at zero, with
    rng = np.random.default_rng(seed). Each epoch: every pair once, in a random order, with k
    negatives from the noise distribution of the ids' counts.
    Returns (W_in, W_out, losses), losses[e] the mean loss of epoch e."""
    raise NotImplementedError("train_sgns: pairs, noise distribution, then epochs of sgns_step")


def nearest(W, query, k, exclude=()):
    """Ids of the k rows of W (V, d) with the highest cosine to query (d,), best first, skipping exclude."""
    raise NotImplementedError("nearest: normalise the rows once, then one matrix-vector product gives every cosine")


def pca_2d(W):
    """(V, 2): the rows of W, centred, projected on their two directions of largest variance."""
    raise NotImplementedError("pca_2d: subtract the mean row, then np.linalg.svd")


def analogy(W, vocab, a, b, c, k=5):
    """The boss. a is to b as c is to ?: the k words (with their cosines) closest to
    ŵ_b - ŵ_a + ŵ_c, where ŵ is a row of W divided by its length; the three query words
    never count. Returns [(word, cosine), ...], best first."""
    raise NotImplementedError("analogy: normalise, combine, rank by cosine, leave out a, b and c")


def _try(label, show):
    try:
        print(f"{label:30} {show()}")
    except NotImplementedError as todo:
        print(f"{label:30} not written yet: {todo}")


if __name__ == "__main__":
    text = "the king spoke to the queen and the queen spoke to the king".split()
    vocab = sorted(set(text))
    ids = np.array([vocab.index(w) for w in text])
    king = vocab.index("king")
    _try("one-hot of 'king'", lambda: one_hot([king], len(vocab))[0])
    _try("cosine((1, 2, 2), (2, 1, 2))", lambda: cosine([1, 2, 2], [2, 1, 2]))
    _try("pairs of the first 4, window 1", lambda: skipgram_pairs(ids[:4], 1))
    _try("noise distribution", lambda: np.round(noise_distribution(np.bincount(ids)), 3))
    try:
        W_in, W_out, losses = train_sgns(ids, len(vocab), d=8, epochs=50, lr=0.1)
        print(f"{'loss, first and last epoch':30} {losses[0]:.3f} {losses[-1]:.3f}")
        _try("nearest to 'king'", lambda: [vocab[i] for i in nearest(W_in, W_in[king], 3, exclude={king})])
        _try("2-D projection, first rows", lambda: np.round(pca_2d(W_in)[:2], 3))
    except NotImplementedError as todo:
        print(f"{'training':30} not written yet: {todo}")
    print("Check your work: F5 in the Lab part, or neuralforge lab 9 --check")
