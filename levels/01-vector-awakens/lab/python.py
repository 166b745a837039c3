"""Module 1 lab: the four vector operations, from scratch.

Plain Python lists and loops only: no numpy.dot, no math.dist. Every function
takes sequences of floats of the same length n.
"""

import math


def dot(u, v):
    """Return u·v = sum of u[i] * v[i]. u and v have the same length n."""
    raise NotImplementedError("loop over the pairs (u[i], v[i]) and add their products")


def norm(v):
    """Return the Euclidean length of v: sqrt(v·v)."""
    raise NotImplementedError("reuse dot, then take math.sqrt")


def cosine_similarity(u, v):
    """Return u·v / (|u| |v|), a float in [-1, 1].

    Raise ValueError if u or v has zero length: the angle is undefined.
    """
    raise NotImplementedError("divide the dot product by both norms; guard against zero")


def project(v, u):
    """Return the projection of v onto the line through u, as a list of n floats.

    proj = (u·v / u·u) * u. Raise ValueError if u is all zeros.
    """
    raise NotImplementedError("compute the scalar coefficient once, then scale each entry of u")


def closest_pairs(words, vectors, k=5):
    """The boss fight: the k most similar pairs of distinct words, best first.

    words: a list of distinct strings; vectors: one list of floats per word.
    Return a list of (word_a, word_b, similarity) tuples sorted from most to
    least similar, each pair once, at most k of them. Zero vectors have no
    direction: skip them. Build the similarity from your own functions above.
    """
    raise NotImplementedError("score every pair i < j with cosine_similarity, sort, keep the first k")


if __name__ == "__main__":
    u, v = [1.0, 2.0, 2.0], [2.0, 0.0, 1.0]
    print("dot     ", dot(u, v))                    # 4.0
    print("norm    ", norm(u))                      # 3.0
    print("cosine  ", cosine_similarity(u, v))      # about 0.5963
    p = project([2.0, 1.0], [3.0, 4.0])
    print("project ", p)                            # [1.2, 1.6]
    r = [2.0 - p[0], 1.0 - p[1]]
    print("residual·u", dot(r, [3.0, 4.0]))         # 0 (up to rounding)
    print("angle deg", math.degrees(math.acos(cosine_similarity(u, v))))
    words = ["king", "queen", "apple", "pear"]
    vectors = [[0.9, 0.1, 0.0], [0.8, 0.2, 0.1], [0.0, 0.9, 0.4], [0.1, 0.8, 0.5]]
    print("closest ", closest_pairs(words, vectors, k=2))   # apple-pear (0.985), then king-queen (0.984)
