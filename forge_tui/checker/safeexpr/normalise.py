"""Stage 2: Unicode normalisation. What people type from phones and word processors
(``−``, ``×``, ``²``, ``√``, ``π``, ``β``, ``{}``) becomes the plain ASCII the lexer reads, with a tag
per character saying whether the person typed it; and declared symbol names get the same
treatment, so ``β₁`` in a level file and ``beta_1`` typed by a player are one name."""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from .vocabulary import CONSTANTS, FUNCTIONS, InputError

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho",
    "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi",
    "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
SIMPLE = {
    "−": "-", "–": "-", "—": "-", "‐": "-", "‒": "-", "﹣": "-", "－": "-",
    "×": "*", "·": "*", "⋅": "*", "∗": "*", "•": "*", "✕": "*",
    "÷": "/", "∕": "/", "⁄": "/",
    "{": "(", "}": ")",  # {8, 9} is a list and {h + d} a group, as (8, 9) and (h + d) are
}
SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7",
    "⁸": "8", "⁹": "9", "⁺": "+", "⁻": "-", "⁽": "(", "⁾": ")", "ᵀ": "T",
}
SUBSCRIPTS = {
    "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7",
    "₈": "8", "₉": "9",
}
SYNTH = -1  # meta value: a character the normaliser inserted (spaces here are not "typed")


def normalise(text: str) -> tuple[str, list[int]]:
    """Return the normalised string and, per character, a meta tag.

    meta 0: typed by the person; -1: inserted by the normaliser; k > 0: part of the
    k-th Greek letter expanded into its name (used to split names like ``βx``).
    """
    chars: list[str] = []
    meta: list[int] = []
    group = 0

    def emit(s: str, m: int) -> None:
        chars.extend(s)
        meta.extend([m] * len(s))

    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in SUPERSCRIPTS:
            j = i
            while j < n and text[j] in SUPERSCRIPTS:
                j += 1
            run = "".join(SUPERSCRIPTS[ch] for ch in text[i:j])
            if run == "T":
                emit(" ", SYNTH)  # Aᵀ: not supported as an operator; refuse clearly below
                raise InputError("write transpose(A) instead of a superscript T")
            emit("^" + run if run.isdigit() else "^(" + run + ")", SYNTH)
            i = j
            continue
        if c in SUBSCRIPTS:
            j = i
            while j < n and text[j] in SUBSCRIPTS:
                j += 1
            emit("_" + "".join(SUBSCRIPTS[ch] for ch in text[i:j]), 0)
            i = j
            continue
        if c == "√":
            emit(" sqrt ", SYNTH)
            i += 1
            continue
        if c in SIMPLE:
            emit(SIMPLE[c], 0)
            i += 1
            continue
        if c.isspace():
            emit(" ", 0)
            i += 1
            continue
        for ch in unicodedata.normalize("NFKC", c):
            if ch in GREEK:
                group += 1
                emit(GREEK[ch], group)
            elif ch in SIMPLE:
                emit(SIMPLE[ch], 0)
            elif ch.isspace():
                emit(" ", 0)
            else:
                cat = unicodedata.category(ch)
                if cat == "Cf":  # zero-width joiners, soft hyphens: drop silently
                    continue
                if cat.startswith("C") or ch == "\\":
                    raise InputError(f"the character {show_char(ch)} is not allowed here")
                emit(ch, 0)
        i += 1
    # strip surrounding spaces
    start, end = 0, len(chars)
    while start < end and chars[start] == " ":
        start += 1
    while end > start and chars[end - 1] == " ":
        end -= 1
    return "".join(chars[start:end]), meta[start:end]


def show_char(ch: str) -> str:
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}'"
    return f"U+{ord(ch):04X}"


def clip(s: str, limit: int = 24) -> str:
    return s if len(s) <= limit else s[: limit - 1] + "…"


# ----------------------------------------------------------------------------------------
# symbols

_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def normalise_symbols(symbols: Sequence[str] | str | None) -> tuple[str, ...]:
    """Declared symbol names, normalised (Greek letters → names); constants and function
    names are dropped (``e`` and ``pi`` are always constants)."""
    if symbols is None:
        return ()
    if isinstance(symbols, str):
        symbols = symbols.replace(",", " ").split()
    out: list[str] = []
    for raw in symbols:
        name = "".join(GREEK.get(ch, ch) for ch in unicodedata.normalize("NFKC", str(raw).strip()))
        name = "".join("_" + SUBSCRIPTS[ch] if ch in SUBSCRIPTS else ch for ch in name)
        if not name or name in CONSTANTS or name in FUNCTIONS:
            continue
        if not _IDENT.match(name):
            raise InputError(f"the symbol name '{clip(name)}' is not valid")
        if name not in out:
            out.append(name)
    return tuple(out)
