"""Boss of module 1, The Nearest Neighbours: the k closest pairs among embeddings by cosine similarity.

Trusted side only: the judge recomputes every expected answer here with NumPy, from the
inputs in the case. The player's `closest_pairs(words, vectors, k=5)` gets the words (a
list of distinct strings) and the vectors (a list of equal-length lists of floats) and
must return the k most similar pairs of distinct words as (word_a, word_b, similarity),
best first, each pair once, skipping zero vectors. Similarities must agree to 1e-6.
"""

from __future__ import annotations

import math

import numpy as np

from forge_tui.bossapi import compare

ENTRY = "closest_pairs"
TIME_LIMIT_S = 5.0
TOLERANCE = 1e-6
_GAP = 1e-4  # every case keeps its k-th and (k+1)-th similarities this far apart, so the set is unambiguous

VOCABULARY = (
    "king queen man woman prince princess cat dog cow horse sheep goat wolf fox bear lion tiger "
    "apple pear plum grape lemon peach cherry bread cheese butter honey salt pepper river lake "
    "ocean mountain valley forest desert island city village castle bridge tower road train ship "
    "plane bicycle engine wheel hammer needle thread paper pencil book letter poem song dance "
    "music drum violin piano red green blue yellow purple silver gold iron copper stone glass "
    "winter summer spring autumn morning evening night storm cloud rain snow thunder sun moon "
    "star planet comet atom cell gene brain heart lung bone blood doctor nurse teacher student"
).split()


# ---------------------------------------------------------------- inputs

def _round(vectors: np.ndarray) -> list[list[float]]:
    """Six decimals keep the case readable; the judge works from exactly these numbers."""
    return np.round(vectors, 6).tolist()


def _words(rng: np.random.Generator, n: int) -> list[str]:
    return [str(word) for word in rng.choice(VOCABULARY, size=n, replace=False)]


def _random_vectors(rng: np.random.Generator, n: int, d: int, shortest=0.2, longest=5.0) -> np.ndarray:
    """n random directions in d dimensions, each with its own length."""
    directions = rng.standard_normal((n, d))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    return directions * rng.uniform(shortest, longest, size=(n, 1))


def _plant_pairs(rng: np.random.Generator, vectors: np.ndarray, count: int) -> None:
    """Turn `count` disjoint rows into noisy copies of other rows (at their own lengths)."""
    n, d = vectors.shape
    rows = rng.permutation(n)[: 2 * count]
    for a, b in zip(rows[:count], rows[count:]):
        unit = vectors[a] / np.linalg.norm(vectors[a])
        noisy = unit + rng.uniform(0.1, 0.6) * rng.standard_normal(d) / math.sqrt(d)
        vectors[b] = noisy / np.linalg.norm(noisy) * np.linalg.norm(vectors[b])


def _ranked(vectors) -> list[tuple[float, int, int]]:
    """Every pair i < j of nonzero rows as (similarity, i, j), most similar first."""
    matrix = np.asarray(vectors, dtype=float)
    lengths = np.linalg.norm(matrix, axis=1)
    usable = np.flatnonzero(lengths > 0)
    units = matrix[usable] / lengths[usable, None]
    similarity = units @ units.T
    pairs = [
        (float(similarity[a, b]), int(usable[a]), int(usable[b]))
        for a in range(len(usable))
        for b in range(a + 1, len(usable))
    ]
    pairs.sort(key=lambda pair: (-pair[0], pair[1], pair[2]))
    return pairs


def _well_separated(vectors, k: int) -> bool:
    ranked = _ranked(vectors)
    return len(ranked) <= k or ranked[k - 1][0] - ranked[k][0] > _GAP


def _draw(rng: np.random.Generator, k: int, make) -> list[list[float]]:
    """Draw vectors with `make(rng)` until the top k pairs are unambiguous."""
    for _ in range(200):
        vectors = _round(make(rng))
        if _well_separated(vectors, k):
            return vectors
    raise RuntimeError("could not draw well-separated embeddings")  # pragma: no cover


def _case(name: str, summary: str, hint: str, words, vectors, k: int = 5) -> dict:
    return {
        "name": name,
        "summary": summary,
        "hint": hint,
        "call": {"function": ENTRY, "args": [words, vectors], "kwargs": {"k": k}},
    }


def cases(rng: np.random.Generator) -> list[dict]:
    """Ten fights: random and planted embeddings, zero vectors (among many and among few), copies,
    other k, a tiny input."""
    out = []

    vectors = _draw(rng, 5, lambda r: _random_vectors(r, 50, 64))
    out.append(_case(
        "random embeddings", "50 random 64-d vectors of mixed lengths",
        "Score every pair of distinct words by how nearly their vectors point the same way, "
        "then keep the k best, best first.",
        _words(rng, 50), vectors))

    def planted(r):
        v = _random_vectors(r, 50, 64, shortest=0.1, longest=10.0)
        _plant_pairs(r, v, 6)
        return v
    vectors = _draw(rng, 5, planted)
    out.append(_case(
        "hidden near-duplicates", "50 vectors, lengths 0.1 to 10, six near-duplicate pairs planted",
        "Similarity is about direction only: divide the dot product by both lengths, "
        "or the longest vectors win every comparison.",
        _words(rng, 50), vectors))

    def one_zero(r):
        v = _random_vectors(r, 50, 64)
        _plant_pairs(r, v, 3)
        v[r.integers(50)] = 0.0
        return v
    out.append(_case(
        "a zero vector", "50 vectors, one of them all zeros",
        "A zero vector has no direction: leave it out of the search instead of letting "
        "cosine_similarity raise.",
        _words(rng, 50), _draw(rng, 5, one_zero)))

    def two_zeros(r):
        v = _random_vectors(r, 50, 64)
        v[r.permutation(50)[:2]] = 0.0
        return v
    out.append(_case(
        "two zero vectors", "50 random vectors, two of them all zeros",
        "Skip every zero vector, including a pair of two zero vectors.",
        _words(rng, 50), _draw(rng, 5, two_zeros)))

    def copies(r):
        v = _random_vectors(r, 50, 64)
        rows = r.permutation(50)
        v[rows[1]] = v[rows[0]]          # an exact copy: similarity 1
        v[rows[3]] = 7.0 * v[rows[2]]    # a scaled copy: similarity 1
        v[rows[5]] = -v[rows[4]]         # a negated copy: similarity -1
        return v
    out.append(_case(
        "copies and opposites", "50 vectors: one exact copy, one 7x scaled copy, one negated copy",
        "Never pair a word with itself, list each pair once, and remember -1 means opposite.",
        _words(rng, 50), _draw(rng, 5, copies)))

    out.append(_case(
        "k = 8", "50 random 64-d vectors, k = 8",
        "Return k pairs, using the k you are given rather than a fixed 5.",
        _words(rng, 50), _draw(rng, 8, lambda r: _random_vectors(r, 50, 64)), k=8))

    out.append(_case(
        "k = 3, small vectors", "20 random 16-d vectors, k = 3",
        "Work for any number of words and any dimension; nothing is fixed at 50 or 64.",
        _words(rng, 20), _draw(rng, 3, lambda r: _random_vectors(r, 20, 16)), k=3))

    out.append(_case(
        "fewer pairs than k", "3 words in 3-d, k = 5: only 3 pairs exist",
        "When there are fewer than k pairs, return all of them, still best first.",
        _words(rng, 3), _draw(rng, 5, lambda r: _random_vectors(r, 3, 3))))

    def few_with_zeros(r):
        v = _random_vectors(r, 5, 4)
        v[r.permutation(5)[:2]] = 0.0
        return v
    out.append(_case(
        "zeros among few", "5 words in 4-d, two of them zero vectors, k = 5: only 3 pairs count",
        "A zero vector has no direction, so it has no similarity with anything, not even 0: "
        "a pair that includes one does not count, however few pairs are left.",
        _words(rng, 5), _draw(rng, 5, few_with_zeros)))

    def wide(r):
        v = _random_vectors(r, 50, 128)
        _plant_pairs(r, v, 2)
        return v
    out.append(_case(
        "wide embeddings", "50 random 128-d vectors, two near-duplicate pairs",
        "Loop over the whole length of each vector.",
        _words(rng, 50), _draw(rng, 5, wide)))
    return out


# ---------------------------------------------------------------- the C path

C_DRIVER = "c/driver.c"  # compiled with the player's lab.c; reads c_stdin(cases), answers on fd 3
C_HEADER = "c/closest_pairs.h"  # the signature lab.c must match, forced into the build
C_SIGNATURE = ("int closest_pairs(const double *vectors, int n, int d, int k, "
               "int *first, int *second, double *similarity)")


def c_case_text(case: dict) -> str:
    """One case as the C driver reads it: "n d k", then one line of d numbers per row.
    Only the inputs: no words (the driver works in row numbers) and nothing expected."""
    _, vectors = case["call"]["args"]
    k = case["call"]["kwargs"].get("k", 5)
    d = len(vectors[0]) if vectors else 1
    rows = [" ".join(repr(float(x)) for x in row) for row in vectors]
    return "\n".join([f"{len(vectors)} {d} {k}", *rows]) + "\n"


def c_stdin(cases: list[dict]) -> str:
    """Everything the C driver reads on stdin: the number of cases, then each case."""
    return f"{len(cases)}\n" + "".join(c_case_text(case) for case in cases)


def c_answer(case: dict, value):
    """The C driver's answer ([[i, j, similarity], ...] in row numbers) as the judge's
    (word_a, word_b, similarity) tuples, or (None, problem) when it cannot be read."""
    words, _ = case["call"]["args"]
    if not isinstance(value, list):
        return None, f"the driver sent {_show_any(value)}, not a list of pairs"
    pairs = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, list) or len(item) != 3:
            return None, f"pair {index} is not (first, second, similarity): got {_show_any(item)}"
        i, j, similarity = item
        for row in (i, j):
            if isinstance(row, bool) or not isinstance(row, int) or not 0 <= row < len(words):
                return None, (f"pair {index} names row {_show_any(row)}, but the rows are 0 to "
                              f"{len(words) - 1}: was this pair ever written?")
        pairs.append((words[i], words[j], similarity))
    return pairs, ""


# ---------------------------------------------------------------- judge

def _show(word_a, word_b, similarity) -> str:
    return f"({word_a!r}, {word_b!r}, {similarity:.6f})"


def _show_any(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def expected_pairs(case: dict) -> list[tuple[str, str, float]]:
    """The reference answer for a case, computed here from its inputs."""
    words, vectors = case["call"]["args"]
    k = case["call"]["kwargs"].get("k", 5)
    return [(words[i], words[j], similarity) for similarity, i, j in _ranked(vectors)[:k]]


def _read_pair(item, index: int):
    """(word_a, word_b, similarity) from one returned item, or a message saying what is wrong."""
    if not isinstance(item, (list, tuple)) or len(item) != 3:
        return None, f"pair {index} is not a (word_a, word_b, similarity) tuple: got {_show_any(item)}"
    word_a, word_b, similarity = item
    if not isinstance(word_a, str) or not isinstance(word_b, str):
        return None, f"pair {index} should start with two words (strings): got {_show_any(item)}"
    if isinstance(similarity, bool) or not isinstance(similarity, (int, float)):
        return None, f"pair {index} should end with a number: got {_show_any(item)}"
    if not math.isfinite(similarity):
        return None, f"pair {index} has similarity {similarity}: a cosine is a finite number in [-1, 1]"
    return (word_a, word_b, float(similarity)), ""


def judge(case: dict, got) -> tuple[bool, str, str]:
    try:
        expected = expected_pairs(case)
    except Exception as error:  # a malformed case is the boss's bug, never the player's win
        return False, "?", f"the boss could not compute this case ({type(error).__name__})"
    summary = ", ".join(_show(*pair) for pair in expected)
    try:
        return _judge(case, expected, got, summary)
    except Exception as error:
        return False, summary, f"could not read the result ({type(error).__name__}): got {_show_any(got)}"


def _judge(case: dict, expected, got, summary: str) -> tuple[bool, str, str]:
    words, vectors = case["call"]["args"]
    if not isinstance(got, (list, tuple)):
        return False, summary, f"expected a list of (word_a, word_b, similarity) tuples, got {_show_any(got)}"
    if len(got) != len(expected):
        return False, summary, f"expected {len(expected)} pairs, got {len(got)}"

    pairs = []
    for index, item in enumerate(got, start=1):
        pair, problem = _read_pair(item, index)
        if problem:
            return False, summary, problem
        pairs.append(pair)

    index_of = {word: i for i, word in enumerate(words)}
    expected_keys = [frozenset((a, b)) for a, b, _ in expected]
    seen = set()
    for index, (word_a, word_b, similarity) in enumerate(pairs, start=1):
        for word in (word_a, word_b):
            if word not in index_of:
                return False, summary, f"pair {index} names {word!r}, which is not one of the input words"
        if word_a == word_b:
            return False, summary, (
                f"pair {index} pairs {word_a!r} with itself: only pairs of distinct words count")
        key = frozenset((word_a, word_b))
        if key in seen:
            return False, summary, f"pair {index} repeats ({word_a!r}, {word_b!r}): list each pair once"
        seen.add(key)
        if key not in expected_keys:
            position = min(index, len(expected)) - 1
            return False, summary, (
                f"pair {index} differs: expected {_show(*expected[position])} "
                f"got {_show(word_a, word_b, similarity)}")

    matrix = np.asarray(vectors, dtype=float)
    for index, (word_a, word_b, similarity) in enumerate(pairs, start=1):
        u, v = matrix[index_of[word_a]], matrix[index_of[word_b]]
        true = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
        ok, problem = compare(similarity, true, atol=TOLERANCE,
                              name=f"the similarity of pair {index} ({word_a!r}, {word_b!r})")
        if not ok:
            return False, summary, problem

    for index in range(1, len(pairs)):
        if pairs[index][2] > pairs[index - 1][2] + TOLERANCE:
            return False, summary, (
                f"not sorted from most to least similar: pair {index} ({pairs[index - 1][2]:.6f}) "
                f"comes before pair {index + 1} ({pairs[index][2]:.6f})")
    return True, summary, "all pairs and similarities match"
