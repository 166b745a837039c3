"""Rebuild digits.csv.gz, the 8x8 UCI handwritten digits module 6 trains on.

    python levels/06-backprop-step/data/build_digits.py

Downloads the scikit-learn 1.9.1 wheel from the package index into a temporary folder with pip
(build time only: the game never downloads anything), takes `sklearn/datasets/data/digits.csv.gz`
out of it byte for byte, checks its SHA-256 against the one recorded in DATA.md, and writes it
beside this script. The same file sits in scikit-learn's sdist at the same path.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "scikit-learn==1.9.1"
MEMBER = "sklearn/datasets/data/digits.csv.gz"
SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
TARGET = Path(__file__).resolve().parent / "digits.csv.gz"


def download_wheel(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
                    PACKAGE, "-d", str(folder)], check=True)
    (wheel,) = folder.glob("scikit_learn-*.whl")
    return wheel


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        data = zipfile.ZipFile(download_wheel(Path(folder))).read(MEMBER)
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        print(f"{MEMBER} has SHA-256 {digest}, not the recorded {SHA256}", file=sys.stderr)
        return 1
    TARGET.write_bytes(data)
    print(f"wrote {TARGET} ({len(data)} bytes, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
