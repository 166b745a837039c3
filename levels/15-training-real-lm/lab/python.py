"""Module 15 lab: a byte-level BPE tokenizer, next-token cross-entropy and the DPO loss."""
import numpy as np


def bpe_train(text, n_merges):
    """Learn n_merges merges over the UTF-8 bytes of text. Returns [(a, b), ...]; merge i creates id 256 + i.
    Each round: count adjacent pairs, merge the most frequent (ties: the smallest pair)."""
    raise NotImplementedError("ids = list(text.encode()); count pairs; replace every (a, b) with the new id")


def bpe_encode(text, merges):
    """Apply the merges, in the order they were learned, to the bytes of text. Returns a list of ids."""
    raise NotImplementedError("same replacement loop as training, one merge at a time")


def bpe_decode(ids, merges):
    """Inverse of bpe_encode: expand each id back to bytes, then decode UTF-8."""
    raise NotImplementedError("build vocab[id] -> bytes: vocab[256 + i] = vocab[a] + vocab[b]")


def cross_entropy(logits, targets):
    """logits: (T, V), targets: (T,) int. Mean of -log softmax(logits)[t, targets[t]]."""
    raise NotImplementedError("log-sum-exp with the max subtracted, minus the target logit")


def dpo_loss(pi_w, pi_l, ref_w, ref_l, beta=0.1):
    """Arrays (B,) of summed log-probs of the chosen (w) and rejected (l) answers under the policy and
    the frozen reference. Returns mean of -log sigmoid(beta * ((pi_w - ref_w) - (pi_l - ref_l)))."""
    raise NotImplementedError("-log sigmoid(z) = log(1 + exp(-z)); use np.logaddexp(0, -z)")


if __name__ == "__main__":
    text = "the cat sat on the mat. the cat ate the rat. " * 20
    merges = bpe_train(text, 20)
    ids = bpe_encode(text, merges)
    print(f"{len(text.encode())} bytes -> {len(ids)} tokens; round trip ok: {bpe_decode(ids, merges) == text}")
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 10))
    print("cross-entropy:", round(cross_entropy(logits, np.array([1, 2, 3, 4, 5])), 4))
    lp = rng.normal(-20, 2, size=(4, 2))
    print("DPO loss at start:", round(dpo_loss(lp[:, 0], lp[:, 1], lp[:, 0], lp[:, 1]), 6), "(log 2 = 0.693147)")
