"""The game's screens. They reach the engine through `forge_tui.game` only."""
