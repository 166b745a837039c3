"""The six flavor tracks a player picks two of at signup."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flavor:
    id: str
    name: str
    glyph: str
    blurb: str


FLAVORS: tuple[Flavor, ...] = (
    Flavor("hacker", "Hacker", "H", "C, Rust and Triton: kernels tuned until they sing."),
    Flavor("mathematician", "Mathematician", "M", "Proofs, and the theory under optimisation."),
    Flavor("linguist", "Linguist", "L", "Tokenizers, many languages, few resources."),
    Flavor("artist", "Artist", "A", "Poetry, music, images: models that make."),
    Flavor("scientist", "Scientist", "S", "Benchmarks, ablations, results that reproduce."),
    Flavor("builder", "Builder", "B", "Deployment, quantisation, inference on the edge."),
)

BY_ID = {flavor.id: flavor for flavor in FLAVORS}


def parse_flavors(text: str) -> list[str]:
    """'Hacker, artist' -> ['hacker', 'artist']; raises ValueError with a clear reason."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in BY_ID]
    if unknown:
        raise ValueError(f"unknown flavor {unknown[0]!r}; choose two of: {', '.join(BY_ID)}")
    if len(set(names)) != 2:
        raise ValueError(f"pick exactly two different flavors (got {len(set(names))})")
    return names
