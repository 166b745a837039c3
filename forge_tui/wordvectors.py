"""The shipped word vectors of module 9: 4,000 words × 100 dimensions from an SVD of the PPMI
matrix of Shakespeare's spoken lines (`datasets/wordvectors/`, built by its `build.py`;
provenance in DATA.md). The boss's analogy search and EmbedExplorer read them here.
"""

from __future__ import annotations

from functools import lru_cache

from forge_tui.locations import datasets_directory

DIMENSIONS = 100


def folder():
    return datasets_directory() / "wordvectors"


@lru_cache(maxsize=1)
def _load():
    import numpy as np

    vocab = tuple(folder().joinpath("vocab.txt").read_text(encoding="ascii").split())
    table = np.frombuffer(folder().joinpath("vectors.bin").read_bytes(), dtype="<f4")
    table = table.reshape(len(vocab), DIMENSIONS).astype(np.float64)
    table.setflags(write=False)
    return vocab, table


def load():
    """(vocab, W): the words, most frequent first, and a read-only float64 (V, 100) array whose
    row i is the vector of vocab[i] (the float32 file's numbers, exactly)."""
    return _load()
