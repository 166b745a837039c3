"""Module 9 reference: one-hot codes, skip-gram with negative sampling (word2vec) in NumPy,
cosine neighbours, a 2-D projection, and the boss, analogy search."""

import numpy as np


# ---------------------------------------------------------------- one-hot and cosine

def one_hot(ids, V):
    """(len(ids), V): row r is all zeros except a 1 in column ids[r]."""
    ids = np.asarray(ids, dtype=int)
    codes = np.zeros((len(ids), V))
    codes[np.arange(len(ids)), ids] = 1.0
    return codes


def cosine(u, v):
    """u·v / (|u| |v|): the cosine of the angle between u and v."""
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


# ---------------------------------------------------------------- skip-gram with negative sampling

def skipgram_pairs(ids, window):
    """Every (centre, context) pair of ids at positions i != j with |i - j| <= window."""
    pairs = []
    for i, centre in enumerate(ids):
        for j in range(max(0, i - window), min(len(ids), i + window + 1)):
            if j != i:
                pairs.append((int(centre), int(ids[j])))
    return pairs


def noise_distribution(counts, power=0.75):
    """P(w) = count(w)^power / sum of count^power: the unigram distribution, flattened."""
    weights = np.asarray(counts, dtype=float) ** power
    return weights / weights.sum()


def sample_negatives(p, n, rng):
    """n word ids drawn independently from the distribution p, with the generator rng."""
    return rng.choice(len(p), size=n, p=p)


def log_sigmoid(s):
    """log σ(s) = -log(1 + e^(-s)), without overflow for large |s|."""
    return -np.logaddexp(0.0, -s)


def sigmoid(s):
    return np.exp(log_sigmoid(s))


def sgns_loss_grads(v, u_o, U_neg):
    """Loss and gradients for one centre vector v, its true context u_o and k negatives U_neg (k, d):

    L = -log σ(u_o·v) - Σ_j log σ(-u_j·v)
    dL/ds is σ(s) - 1 for the true pair and σ(s) for each negative ("prediction minus label").
    Returns (loss, dL/dv, dL/du_o, dL/dU_neg) with dL/dU_neg one row per negative."""
    s_o = u_o @ v
    s_neg = U_neg @ v
    loss = -log_sigmoid(s_o) - log_sigmoid(-s_neg).sum()
    g_o = sigmoid(s_o) - 1.0  # dL/ds_o
    g_neg = sigmoid(s_neg)  # dL/ds_j
    grad_v = g_o * u_o + g_neg @ U_neg
    return float(loss), grad_v, g_o * v, np.outer(g_neg, v)


def sgns_step(W_in, W_out, c, o, neg, lr):
    """One SGD step on one (centre c, context o) pair and the negative ids `neg`.
    Every gradient is computed from the old rows, then W_in and W_out change in place.
    Returns the loss before the step."""
    neg = np.asarray(neg, dtype=int)
    loss, grad_v, grad_u_o, grad_U_neg = sgns_loss_grads(W_in[c], W_out[o], W_out[neg])
    W_in[c] -= lr * grad_v
    W_out[o] -= lr * grad_u_o
    np.add.at(W_out, neg, -lr * grad_U_neg)  # a negative drawn twice is pushed twice
    return loss


def train_sgns(ids, V, d=32, window=2, k=5, epochs=3, lr=0.025, seed=0):
    """Skip-gram with negative sampling on the token ids `ids` (vocabulary size V).
    W_in starts small and random, W_out at zero (as word2vec does); each epoch visits every
    pair once in a fresh random order with k fresh negatives per pair.
    Returns (W_in, W_out, losses): losses[e] is the mean loss of epoch e."""
    rng = np.random.default_rng(seed)
    W_in = rng.uniform(-0.5 / d, 0.5 / d, (V, d))
    W_out = np.zeros((V, d))
    pairs = skipgram_pairs(ids, window)
    p = noise_distribution(np.bincount(ids, minlength=V))
    losses = []
    for _ in range(epochs):
        negatives = sample_negatives(p, len(pairs) * k, rng).reshape(len(pairs), k)
        total = 0.0
        for index, row in zip(rng.permutation(len(pairs)), negatives):
            c, o = pairs[index]
            total += sgns_step(W_in, W_out, c, o, row, lr)
        losses.append(total / len(pairs))
    return W_in, W_out, losses


# ---------------------------------------------------------------- looking at what was learned

def unit_rows(W):
    """Each row divided by its length (a zero row stays zero)."""
    W = np.asarray(W, dtype=float)
    lengths = np.linalg.norm(W, axis=1, keepdims=True)
    return W / np.where(lengths == 0, 1.0, lengths)


def nearest(W, query, k, exclude=()):
    """Ids of the k rows of W with the highest cosine to `query`, best first, skipping `exclude`."""
    query = np.asarray(query, dtype=float)
    scores = unit_rows(W) @ (query / np.linalg.norm(query))
    scores[list(exclude)] = -np.inf
    return [int(i) for i in np.argsort(-scores, kind="stable")[:k]]


def pca_2d(W):
    """(V, 2): the rows of W, centred, in the coordinates of their two principal directions
    (the first column has the larger variance)."""
    X = np.asarray(W, dtype=float)
    X = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(X, full_matrices=False)
    return X @ Vt[:2].T


# ---------------------------------------------------------------- the boss

def analogy(W, vocab, a, b, c, k=5):
    """a is to b as c is to ?: the k words whose unit vectors have the highest cosine with
    t = ŵ_b - ŵ_a + ŵ_c (ŵ: a row divided by its length), the three query words left out.
    Returns [(word, cosine), ...], best first."""
    index = {word: i for i, word in enumerate(vocab)}
    U = unit_rows(W)
    t = U[index[b]] - U[index[a]] + U[index[c]]
    scores = U @ t / np.linalg.norm(t)
    for word in (a, b, c):
        scores[index[word]] = -np.inf
    best = np.argsort(-scores, kind="stable")[:k]
    return [(vocab[i], float(scores[i])) for i in best]


if __name__ == "__main__":
    words = "the king spoke to the queen and the queen spoke to the king".split()
    vocab = sorted(set(words))
    ids = np.array([vocab.index(w) for w in words])
    print("one-hot of 'king':", one_hot([vocab.index("king")], len(vocab))[0])
    print("pairs, window 1:", skipgram_pairs(ids[:4], 1))
    print("noise distribution:", noise_distribution(np.bincount(ids)).round(3))
    W_in, W_out, losses = train_sgns(ids, len(vocab), d=8, epochs=50, lr=0.1)
    print("loss, first and last epoch:", round(losses[0], 3), round(losses[-1], 3))
    king = vocab.index("king")
    print("nearest to 'king':", [vocab[i] for i in nearest(W_in, W_in[king], 3, exclude={king})])
    print("2-D projection, first rows:", pca_2d(W_in)[:2].round(3))
