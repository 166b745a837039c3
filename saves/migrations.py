"""Upgrades of old save files, one function per format step.

A save file says which format it uses: version 1 files carry ``"version": 1``,
version 2 and later carry ``"schema": N``. :func:`migrate` applies the steps in
order until the data is in the current format (``SCHEMA_VERSION``). Each step
takes a dict and returns a new dict; it never touches the disk (the store keeps
a copy of the original file aside as ``state.json.v<N>`` and writes the result).

To add format 3: write ``v2_to_v3``, add it to ``STEPS``, bump ``SCHEMA_VERSION``
in ``model.py``, and add a fixture + test.
"""

from __future__ import annotations

import copy
import math
from typing import Any, Callable

from .model import SCHEMA_VERSION, SaveFormatError, iso_from_epoch, slugify


class MigrationError(SaveFormatError):
    """An old save file could not be upgraded (its contents are not what that format had)."""


def file_version(data: object) -> int:
    """The save format a parsed file claims to use; raises MigrationError if it says none."""
    if not isinstance(data, dict):
        raise MigrationError("the file should hold an object")
    version = data["schema"] if "schema" in data else data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise MigrationError("the file does not say which save format it uses")
    return version


def v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Format 1 (first prototype) -> format 2.

    Format 1::

        {"version": 1, "player": "Ada", "flavours": "hacker,artist", "lang": "python",
         "created": 1763900000.0, "passed": ["vector-awakens"], "bosses": ["vector-awakens"]}

    ``created`` is epoch seconds; ``passed`` lists modules whose gate was passed and
    ``bosses`` the defeated bosses. Format 1 had no run id (it is the folder name: the
    store puts it in), no last-played time (taken as ``created``), no gate times, attempt
    counts, hints or position.
    """
    player = data.get("player")
    if not isinstance(player, str):
        raise MigrationError("format 1: 'player' should be text")
    flavours = data.get("flavours")
    if isinstance(flavours, str):
        flavors = [part.strip().lower() for part in flavours.split(",") if part.strip()]
    elif isinstance(flavours, list) and all(isinstance(f, str) for f in flavours):
        flavors = [f.strip().lower() for f in flavours]
    else:
        raise MigrationError("format 1: 'flavours' should be text like 'hacker,artist'")
    lang = data.get("lang")
    if not isinstance(lang, str):
        raise MigrationError("format 1: 'lang' should be text")
    created = data.get("created")
    if isinstance(created, bool) or not isinstance(created, (int, float)) or not math.isfinite(created):
        raise MigrationError("format 1: 'created' should be a number of seconds")
    try:
        created_iso = iso_from_epoch(float(created))
    except (OverflowError, OSError, ValueError):
        raise MigrationError("format 1: 'created' is not a usable time") from None
    last = data.get("last_played", created)
    try:
        last_iso = iso_from_epoch(float(last)) if isinstance(last, (int, float)) and not isinstance(last, bool) else created_iso
    except (OverflowError, OSError, ValueError):
        last_iso = created_iso

    modules: dict[str, dict[str, Any]] = {}
    for key, flag in (("passed", "gate_passed"), ("bosses", "boss_defeated")):
        listed = data.get(key, [])
        if not isinstance(listed, list) or not all(isinstance(m, str) for m in listed):
            raise MigrationError(f"format 1: '{key}' should be a list of module ids")
        for module_id in listed:
            modules.setdefault(module_id, {})[flag] = True

    return {
        "schema": 2,
        "id": slugify(player),
        "name": player.strip(),
        "flavors": flavors,
        "language": lang.strip().lower(),
        "created": created_iso,
        "last_played": last_iso,
        "modules": modules,
        "position": {"module": None, "part": None},
    }


# STEPS[n] upgrades format n to format n + 1.
STEPS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: v1_to_v2,
}


def migrate(data: dict) -> dict:
    """Return ``data`` upgraded to the current format (a new dict; the input is not changed).

    Raises MigrationError when the format is unknown, newer than this version of the
    game reads, or the contents do not match what that format had.
    """
    version = file_version(data)
    if version > SCHEMA_VERSION:
        raise MigrationError(
            f"it was written by a newer version of Neural Forge (save format {version}; "
            f"this version reads up to {SCHEMA_VERSION})"
        )
    if version < 1:
        raise MigrationError(f"unknown save format {version}")
    data = copy.deepcopy(data)
    while version < SCHEMA_VERSION:
        step = STEPS.get(version)
        if step is None:  # pragma: no cover - a missing step is a programming error
            raise MigrationError(f"no upgrade from save format {version}")
        data = step(data)
        new_version = file_version(data)
        if new_version <= version:  # pragma: no cover - guards against a step that forgets to bump
            raise MigrationError(f"upgrade from save format {version} did not advance")
        version = new_version
    return data
