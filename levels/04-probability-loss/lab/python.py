"""Module 4 lab: softmax, cross-entropy, KL, and the gradient p - y.

z: logits, shape (B, V) or (V,). y: integer class ids, shape (B,).
Natural log throughout, so losses are in nats.
"""

import numpy as np


def softmax(z, T=1.0):
    """Probabilities along the last axis: exp(z/T) / sum exp(z/T). Same shape as z.

    Subtract the row max before exp so large logits do not overflow.
    """
    raise NotImplementedError("divide by T, shift each row so that its largest logit is 0, "
                              "then exponentiate and normalise")


def cross_entropy(z, y):
    """Mean over the batch of -log softmax(z)[b, y[b]]. z: (B, V), y: (B,). Returns a float.

    Use log-sum-exp: -log p_y = logsumexp(z) - z_y.
    """
    raise NotImplementedError("write -log p_y with the logits: the row's log-sum-exp minus "
                              "the target's logit")


def kl_divergence(p, q):
    """KL(p || q) = sum p * log(p / q) for two distributions of shape (V,). Terms with p = 0 count 0."""
    raise NotImplementedError("leave out the terms where p is 0 before taking logs")


def softmax_ce_grad(z, y):
    """Gradient of cross_entropy(z, y) with respect to z, shape (B, V): (softmax(z) - onehot(y)) / B."""
    raise NotImplementedError("start from softmax(z), subtract 1 at each target, divide by B")


def softmax_cross_entropy(z, y):
    """The boss fight: (loss, dz) for logits z of shape (B, V) and targets y of shape (B,).

    loss = cross_entropy(z, y), a float; dz = softmax_ce_grad(z, y), shape (B, V).
    Both must stay finite for logits of +-1000 and for targets whose probability is 0.
    """
    raise NotImplementedError("return the loss (through log-sum-exp) and the gradient (p - onehot) / B")


if __name__ == "__main__":
    z = np.array([[1.0, 2.0, 3.0]])
    print("softmax      ", softmax(z))                 # [0.090, 0.245, 0.665]
    print("T = 0.5      ", softmax(z, T=0.5))           # sharper
    print("T = 5        ", softmax(z, T=5.0))           # flatter
    print("CE, target 2 ", cross_entropy(z, np.array([2])))   # about 0.408
    print("grad         ", softmax_ce_grad(z, np.array([2])))
    p_data = np.array([0.0, 0.0, 1.0])
    q = softmax(z)[0]
    print("KL(data||q)  ", kl_divergence(p_data, q))    # equals the CE above: H(one-hot) = 0
    print("stable?      ", softmax(np.array([1000.0, 1001.0])))
    z_big = np.array([[1000.0, -1000.0]])
    print("boss         ", softmax_cross_entropy(z_big, np.array([1])))   # (2000.0, [[1, -1]])
