"""Wrong on purpose: a zero vector gets similarity 0 instead of no similarity, so its pairs are
listed (with 0) when fewer than k other pairs exist.
"""

import math


def dot(u, v):
    """u·v = sum of u[i] * v[i]."""
    total = 0.0
    for u_i, v_i in zip(u, v):
        total += u_i * v_i
    return total


def norm(v):
    """The Euclidean length sqrt(v·v)."""
    return math.sqrt(dot(v, v))


def cosine_similarity(u, v):
    """u·v / (|u| |v|): the cosine of the angle between u and v."""
    length_u, length_v = norm(u), norm(v)
    if length_u == 0 or length_v == 0:
        return 0.0                                   # "no similarity", scored as 0
    return dot(u, v) / (length_u * length_v)


def project(v, u):
    """The projection of v onto the line through u: (u·v / u·u) u."""
    uu = dot(u, u)
    if uu == 0:
        raise ValueError("cannot project onto the zero vector")
    coefficient = dot(u, v) / uu
    return [coefficient * u_i for u_i in u]


def closest_pairs(words, vectors, k=5):
    """The k most similar pairs of distinct words, as (word_a, word_b, similarity), best first.

    A zero vector scores 0 with everything.
    """
    pairs = []
    for i in range(len(vectors)):
        for j in range(i + 1, len(vectors)):
            pairs.append((words[i], words[j], cosine_similarity(vectors[i], vectors[j])))
    pairs.sort(key=lambda pair: pair[2], reverse=True)
    return pairs[:k]
