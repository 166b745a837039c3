"""Wrong on purpose: the inner loop starts at i itself, so every word is paired with itself
(similarity 1).
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
        raise ValueError("cosine similarity is undefined for a zero vector")
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

    Zero vectors have no direction, so they take no part in the search.
    """
    usable = [i for i, v in enumerate(vectors) if norm(v) > 0]
    pairs = []
    for position, i in enumerate(usable):
        for j in usable[position:]:
            pairs.append((words[i], words[j], cosine_similarity(vectors[i], vectors[j])))
    pairs.sort(key=lambda pair: pair[2], reverse=True)
    return pairs[:k]

