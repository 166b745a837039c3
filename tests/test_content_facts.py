"""The claims the levels make in prose, checked in code: each number a sentence states is
recomputed here, each derivation that backs a claim is found by its title and its result
recomputed independently, and each brief promises only what the game can judge offline.

The fact-check these tests guard is ../shared/reviews/content-2026-11.md (issue 15)."""

from __future__ import annotations

import math
import os
import tomllib
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from forge_tui.checker import to_sympy

ROOT = Path(__file__).resolve().parents[1]
LEVELS = Path(os.environ.get("NEURALFORGE_CONTENT") or ROOT / "levels")  # as the engine finds them
BOSSES = ROOT / "bosses"


def level(number: int) -> dict:
    """The parsed level.toml of module `number`."""
    (folder,) = LEVELS.glob(f"{number:02d}-*")
    return tomllib.loads((folder / "level.toml").read_text(encoding="utf-8"))


def derivation(number: int, title: str) -> dict:
    """The derivation of module `number` with this exact title."""
    found = [d for d in level(number)["math"]["derivations"] if d["title"] == title]
    assert len(found) == 1, f"module {number} has no derivation titled {title!r}"
    return found[0]


def final_value(d: dict) -> float:
    """The last step of a derivation, as a number (it must have no free symbols left)."""
    return float(to_sympy(d["steps"][-1]["expr"], d.get("symbols", "")))


def all_text(number: int) -> str:
    """Every player-facing string of a module, joined: for claims that must appear nowhere."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(level(number))
    return "\n".join(out)


# --------------------------------------------------------------------------- module 2


def test_02_one_sided_error_ratio_is_3x_over_h_not_a_million():
    x, h = Fraction(1), Fraction(1, 10**5)
    one_sided = ((x + h) ** 3 - x**3) / h - 3 * x**2
    central = ((x + h) ** 3 - (x - h) ** 3) / (2 * h) - 3 * x**2
    ratio = one_sided / central
    assert ratio == 3 * x / h + 1 == 300001
    d = derivation(2, "How much worse the one-sided difference is")
    assert d["steps"][-1]["at"].replace(" ", "") == "x=1,h=1/100000"
    assert final_value(d) == float(ratio)
    assert "million times" not in derivation(2, "Why the central difference is so accurate")["prose"]


def test_02_brief_says_both_add_and_mul_wrap_plain_numbers():
    # The boss's stress trial mixes plain numbers into + and * (x + 1 and 2 * y).
    boss = (BOSSES / "calculus-of-slopes" / "boss.py").read_text(encoding="utf-8")
    assert "x + 1" in boss and "2 * y" in boss
    brief = level(2)["lab"]["brief"]
    assert "`__add__` and `__mul__` (both accept a plain number" in brief
    starter = (LEVELS / "02-calculus-of-slopes" / "lab" / "python.py").read_text(encoding="utf-8")
    add_doc = starter.split("def __add__", 1)[1].split('"""')[1]
    assert "plain number" in add_doc
