"""What the player-facing tests share: a run that has reached a module.

The gates before it are passed (nothing else: no boss fought, no lab written), as a player who
answered each Forge Gate would have them."""

from __future__ import annotations


def run_open_at(game, order: int, language: str = "python"):
    """A new run "ada" in `language` whose gates before module `order` are passed, and that module."""
    run = game.store.create_run("ada", ["hacker", "artist"], language)
    for module in game.catalog.modules[: order - 1]:
        run = game.store.update(run.id, lambda s, m=module: setattr(s.progress(m.id), "gate_passed", True))
    return run, game.catalog.module(order)
