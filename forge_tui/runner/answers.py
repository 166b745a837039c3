"""What the game agrees to decode from a lab: every bound in one place, with its reason.

A lab is untrusted, and what it sends on the result channel is decoded in the game's own process.
A few bytes can describe something huge: a packed array of shape [N] + [1] * 31 is N bytes, but
N * 31 Python lists once it becomes nested lists; a shape of [10**9, 0] is no bytes at all and a
billion empty lists; JSON nested 100,000 deep makes `json.loads` recurse until it fails. So a line
is measured before it is parsed and a packed array before it is unpacked. Over a bound, the
answer is refused with a message for the player (its case is lost) and nothing big is allocated.

The largest real answers (every Phase I boss's reference, 2026-11): module 4's full batch, a 64×50
array (3,200 numbers, 3,267 values in all, 34 KB of JSON); the deepest nest 4 levels; the most
dimensions 2. The bounds leave room for the modules to come (attention's (batch, head, T, T)
scores, a small model's logits) while keeping what one answer can cost the game to about 20 MB.
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass
from itertools import accumulate, count
from operator import sub

MAX_DEPTH = 64
"""Nesting of one answer's JSON. `json.loads` recurses once per level; real answers nest 4 deep."""

MAX_DIMENSIONS = 8
"""Dimensions of one packed array. Real answers have at most 2; attention's scores have 4."""

MAX_VALUES = 250_000
"""Python objects one answer may become: lists, dicts, numbers, strings, each counts one. A
(N, 1, ..., 1) array makes far more lists than numbers, so lists are counted too. Real answers
make at most 3,267; 250,000 objects cost the game at most about 20 MB."""

# The bytes of one answer are bounded by the result channel's cap (`Limits.result_bytes`, 4 MB
# for the whole run) and, for a packed array, by its shape: its length is checked against
# MAX_VALUES before the base64 text is decoded.

PACKED_DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8",
                 "uint64", "uint32", "uint16", "uint8", "bool")
"""The dtypes a packed array may have (the child's `pack` sends exactly these)."""


class AnswerRefused(ValueError):
    """An answer over a bound; its text says which, for the player."""


@dataclass(frozen=True)
class RefusedLine:
    """Stands in a run's results for a result-channel line that was not parsed, and why.
    A lab cannot forge one: JSON only ever parses to dicts, lists and scalars."""

    reason: str


# ---------------------------------------------------------------- a line, before it is parsed

_STRING = re.compile(rb'"[^"]*"')  # once escaped backslashes and quotes are gone
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")  # opening 2, closing 0


def _too_many() -> str:
    return (f"the answer has more than {MAX_VALUES:,} values (every list and number counts one); "
            f"at most {MAX_VALUES:,} are accepted")


def _depth(structure: bytes) -> int:
    """The deepest nesting of the brackets in `structure`: after k brackets of which o open,
    the depth is o - (k - o) = 2o - k, the running sum of 2 per opening bracket minus k."""
    steps = structure.translate(_BRACKET_STEPS, _NOT_BRACKETS)
    return max(map(sub, accumulate(steps), count(1)), default=0)


def line_problem(line: bytes) -> str:
    """Why a result-channel line must not be parsed, or "" when it is within the bounds.
    Escaped backslashes and quotes go first, then strings (their brackets and commas are text);
    what remains bounds the values `json.loads` would make (one per comma, colon and container,
    plus one) and their depth. Costs at most about 0.2 s, for a 4 MB line of short strings."""
    unescaped = line.replace(b"\\\\", b"").replace(b'\\"', b"")
    if unescaped.count(b'"') // 2 > MAX_VALUES:  # every string is a value
        return _too_many()
    structure = _STRING.sub(b'""', unescaped)
    opening = structure.count(b"[") + structure.count(b"{")
    values = 1 + opening + structure.count(b",") + structure.count(b":")
    if values > MAX_VALUES:
        return _too_many()
    # the line is {"case": i, "value": answer, ...}: the answer sits one level down
    if opening > MAX_DEPTH and _depth(structure) > MAX_DEPTH + 1:
        return f"the answer is nested deeper than {MAX_DEPTH} levels"
    return ""


def parse_line(line: bytes):
    """One result-channel line as a JSON value (NaN and infinities allowed), or a RefusedLine
    when it is over a bound. Raises ValueError when it is not JSON."""
    import json

    problem = line_problem(line)
    if problem:
        return RefusedLine(problem)
    return json.loads(line)


# ---------------------------------------------------------------- an answer, after it is parsed

def _check_shape(shape) -> None:
    """A shape is a short list of whole numbers; a long one is refused, a wrong one malformed."""
    if isinstance(shape, list) and len(shape) > MAX_DIMENSIONS:
        raise AnswerRefused(f"the answer has {len(shape)} dimensions; at most {MAX_DIMENSIONS} are accepted")
    if not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        raise ValueError("the array's shape must be a list of whole numbers, none negative")


def unpacked_values(shape: list[int]) -> int:
    """How many Python objects `.tolist()` makes of an array of this shape: its numbers plus
    its lists (one, then shape[0], then shape[0] * shape[1], ...)."""
    lists, rows = 0, 1
    for n in shape:
        lists += rows
        rows *= n
    return lists + rows


class _Budget:
    """What is left of MAX_VALUES while one answer is unpacked."""

    def __init__(self) -> None:
        self.left = MAX_VALUES

    def spend(self, values: int) -> None:
        if values > self.left:
            raise AnswerRefused(_too_many())
        self.left -= values


def _unpack_array(value: dict, budget: _Budget):
    import numpy as np

    dtype_name, shape, text = value.get("dtype"), value.get("shape"), value.get("__nd__")
    if dtype_name not in PACKED_DTYPES or not isinstance(text, str):
        raise ValueError("malformed array")
    _check_shape(shape)
    values = unpacked_values(shape)
    if values > MAX_VALUES:
        raise AnswerRefused(f"the answer's array of shape {tuple(shape)} would be {values:,} lists and "
                            f"numbers; at most {MAX_VALUES:,} are accepted")
    budget.spend(values)
    dtype = np.dtype(dtype_name).newbyteorder("<")
    size = math.prod(shape) * dtype.itemsize
    mismatch = f"the array's bytes do not match its shape {tuple(shape)} of {dtype_name}"
    if len(text) != 4 * ((size + 2) // 3):  # checked before decoding: no bytes are made
        raise ValueError(mismatch)
    raw = base64.b64decode(text, validate=True)
    if len(raw) != size:
        raise ValueError(mismatch)
    return np.frombuffer(raw, dtype=dtype).reshape(shape).tolist()


def _unpack(value, budget: _Budget, depth: int):
    if depth > MAX_DEPTH:
        raise AnswerRefused(f"the answer is nested deeper than {MAX_DEPTH} levels")
    budget.spend(1)
    if isinstance(value, dict):
        if "__nd__" in value:
            return _unpack_array(value, budget)
        return {k: _unpack(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_unpack(v, budget, depth + 1) for v in value]
    return value


def unpack_answer(value):
    """The child's answer as a judge expects it: packed arrays become nested lists. Each array's
    dtype, shape and bytes are checked, and the whole answer is held to MAX_VALUES objects and
    MAX_DEPTH levels before anything is made. Raises AnswerRefused over a bound and ValueError
    when the answer is malformed."""
    return _unpack(value, _Budget(), 0)
