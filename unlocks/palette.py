"""Command-palette provider: "Open unlock: <name>" for every tool the current run has earned.

Unearned and unbuilt unlocks are listed too, with the reason, and opening one only says why
it is closed. The run is the one on the screen the palette was opened from (``screen.run``),
else the most recently played run. The lead wires this into the app's ``COMMANDS``.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from .registry import EARNED, NOT_BUILT, all_unlocks, unlock_state


class UnlockCommands(Provider):
    def _entries(self) -> list[tuple[str, str, object]]:
        """(label, help, spec) for every unlock, with its state for the current run."""
        game = getattr(self.app, "game", None)
        run = getattr(self.screen, "run", None)
        if game is None:
            from forge_tui.game import Game

            game = Game()
        if run is None:
            try:
                run = game.store.resolve(None)
            except Exception:
                run = None
        entries = []
        for spec in all_unlocks(game.catalog):
            state = unlock_state(spec, run, game)
            module = game.catalog.module(spec.module_id)
            if state == EARNED:
                label, help_text = f"Open unlock: {spec.name}", spec.description
            elif state == NOT_BUILT:
                label, help_text = f"Unlock {spec.name} (not yet built)", f"module {module.number}: {spec.description}"
            else:
                label = f"Unlock {spec.name} (locked)"
                help_text = f"forge module {module.number} ({module.title}) to earn it: {spec.description}"
            entries.append((label, help_text, spec, state))
        return entries

    def _open(self, spec, state: str) -> None:
        if state == EARNED:
            self.app.push_screen(spec.open())
        elif state == NOT_BUILT:
            self.app.notify(f"{spec.name} is not built yet.", title="Unlock")
        else:
            module = self.app.game.catalog.module(spec.module_id) if hasattr(self.app, "game") else None
            where = f"module {module.number} ({module.title})" if module else "its module"
            self.app.notify(f"Forge {where} to earn {spec.name}.", title="Unlock")

    async def discover(self) -> Hits:
        for label, help_text, spec, state in self._entries():
            yield DiscoveryHit(label, partial(self._open, spec, state), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, spec, state in self._entries():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), partial(self._open, spec, state), help=help_text)
