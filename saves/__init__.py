"""The save store: one JSON file per run, safe against crashes and concurrent processes.

Import it as ``forge_tui.saves`` (in a source checkout this folder sits beside
``forge_tui/``; in the wheel it lives inside it). Standard library only.

Usage::

    store = Store(home)                               # home = the game's data directory
    run = store.create_run("Ada", ["hacker", "artist"], "python")
    store.update(run.id, lambda s: setattr(s.progress("vector-awakens"), "hook_seen", True))
    run = store.load(run.id)
    if (note := store.last_note(run.id)):             # the load had to recover: tell the player
        print(note.message)

Guarantees
----------
* Files: ``home/runs/<id>/state.json`` (indent=2, sorted keys) plus ``state.json.bak``, the
  previous good version. Every write goes to ``state.json.tmp`` (fsynced) and is renamed into
  place; at every instant a complete ``state.json`` exists (and a complete backup after the
  second save), so a killed game never leaves a half-written save.
* ``update`` takes the run's write lock (``flock`` on ``home/runs/<id>/lock``; waits up to
  ``lock_timeout`` seconds, 3 by default, then raises ``RunBusy``), re-reads the latest state
  from disk, applies ``change(state)``, stamps ``last_played`` and writes. Two game processes
  updating the same run never lose each other's changes. If ``change`` raises, nothing is
  written. ``change`` must not call ``update`` on the same run (SaveError).
* ``load`` takes no lock. A damaged ``state.json`` (empty, truncated, not JSON, wrong shape,
  from a newer game version) is moved aside as ``state.json.damaged-<UTC stamp>``, the backup
  is restored, and ``last_note(run_id)`` explains what happened. If the backup is unusable too,
  SaveError names both files and nothing is deleted.
* Old formats are upgraded on load (see ``migrations.py``); the original file is kept as
  ``state.json.v<N>``. An upgrade is not a recovery: it sets no LoadNote.
* ``ModuleProgress.hints_revealed`` never decreases: assigning a smaller value keeps the current
  one, so callers may simply assign the number of the hint just shown (0..3, else ValueError).
* ``resolve(name_or_id)``: an id, else an exact name, else a case-insensitive name; ``None`` is
  the most recently played run. Several runs with that name raise SaveError (ids are unique,
  names need not be).
* Every SaveError's ``str()`` is a one-line message fit to show a player.
"""

from __future__ import annotations

from .migrations import migrate
from .model import (
    FLAVOR_IDS,
    LANGUAGE_IDS,
    SCHEMA_VERSION,
    LoadNote,
    ModuleProgress,
    RunBusy,
    RunNotFound,
    RunState,
    RunSummary,
    SaveError,
)
from .store import Store

__all__ = [
    "FLAVOR_IDS",
    "LANGUAGE_IDS",
    "SCHEMA_VERSION",
    "LoadNote",
    "ModuleProgress",
    "RunBusy",
    "RunNotFound",
    "RunState",
    "RunSummary",
    "SaveError",
    "Store",
    "migrate",
]
