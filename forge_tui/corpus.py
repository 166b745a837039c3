"""The shipped Shakespeare corpus: eight plays as one ASCII text, split once for training.

`datasets/shakespeare/corpus.txt.gz` is built by `datasets/shakespeare/build.py` (provenance in
DATA.md). Training text is the first 90% of the characters, validation text the last 10%; every
module, the tiny GPT included, uses this same split.
"""

from __future__ import annotations

import gzip
from functools import lru_cache

from forge_tui.locations import datasets_directory

TRAIN_FRACTION = 0.9


@lru_cache(maxsize=1)
def load_text() -> str:
    """The whole corpus (about 1 MB of text)."""
    path = datasets_directory() / "shakespeare" / "corpus.txt.gz"
    return gzip.decompress(path.read_bytes()).decode("ascii")


def split_index() -> int:
    """Where validation begins: the character at int(0.9 * len(text))."""
    return int(len(load_text()) * TRAIN_FRACTION)


def train_text() -> str:
    """The first 90% of the corpus."""
    return load_text()[: split_index()]


def valid_text() -> str:
    """The last 10% of the corpus (the end of A Midsummer Night's Dream and The Tempest)."""
    return load_text()[split_index():]


def vocabulary() -> str:
    """Every character of the corpus once, sorted: position i is token id i for character models."""
    return "".join(sorted(set(load_text())))
