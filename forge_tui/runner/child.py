"""What the sandboxed child uses to talk to the game: JSON values on the result channel.

Self-contained (standard library, numpy only if already imported): the zygote loads this file
by path, and a lab can use the same calls through the `neuralforge_child` module the driver
provides, without importing `forge_tui` (which the sandbox cannot read).

    from neuralforge_child import send
    send({"loss": 0.25})

Messages are single lines of JSON (NaN and infinities allowed), never pickle. The game caps the
channel's total size; past the cap the run is stopped.
"""

from __future__ import annotations

import json
import math
import os
import sys

RESULT_FD = 3


PACKED_DTYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8",
                 "uint64", "uint32", "uint16", "uint8", "bool")


def pack(array) -> dict:
    """A numeric ndarray as raw little-endian bytes in base64: much faster than JSON numbers.
    The game unpacks it back to nested lists before any judge sees it."""
    import base64

    array = array.astype(array.dtype.newbyteorder("<"), copy=False)
    return {"__nd__": base64.b64encode(array.tobytes(order="C")).decode("ascii"),
            "dtype": str(array.dtype.name), "shape": list(array.shape)}


def encode(value, _depth: int = 0, packed: bool = False):
    """A JSON-able copy of `value`: ndarrays become nested lists (or, with `packed`, a base64
    block for numeric arrays), tuples lists, numpy scalars Python numbers, dict keys strings.
    Anything else raises TypeError."""
    if _depth > 100:
        raise TypeError("value nested more than 100 levels deep")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, (list, tuple)):
        return [encode(v, _depth + 1, packed) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v, _depth + 1, packed) for k, v in value.items()}
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "biufc" and value.dtype != object:
                raise TypeError(f"an array of {value.dtype} cannot be sent")
            if value.dtype.kind == "c":
                raise TypeError("complex arrays cannot be sent")
            if packed and value.dtype.name in PACKED_DTYPES and value.size >= 16:
                return pack(value)
            return encode(value.tolist(), _depth + 1)
        if isinstance(value, np.generic):
            return encode(value.item(), _depth + 1)
    if isinstance(value, complex):
        raise TypeError("complex numbers cannot be sent")
    raise TypeError(f"a {type(value).__name__} cannot be sent as data")


def decode(value):
    """Inverse of the boss's input encoding: {"__ndarray__": lists, "dtype": d} -> ndarray."""
    if isinstance(value, dict):
        if "__ndarray__" in value:
            import numpy as np

            return np.array(value["__ndarray__"], dtype=value.get("dtype", "float64"))
        if "__nd__" in value:
            import base64

            import numpy as np

            raw = base64.b64decode(value["__nd__"])
            dtype = np.dtype(value["dtype"]).newbyteorder("<")
            return np.frombuffer(raw, dtype=dtype).reshape(value["shape"]).copy()
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def dumps(obj) -> bytes:
    return (json.dumps(encode(obj), allow_nan=True, separators=(",", ":")) + "\n").encode()


def send(obj) -> None:
    """Send one message to the game on the result channel (fd 3)."""
    data = dumps(obj)
    view = memoryview(data)
    while view:
        written = os.write(RESULT_FD, view)
        view = view[written:]


def one_line(exc: BaseException, limit: int = 300) -> str:
    """`TypeError: bad operand` — the player's own exception, one line, no traceback."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)
