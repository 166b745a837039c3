"""BackpropArena, the unlock of module 6 (Backprop, Step by Step)."""

from .registry import UnlockTool


def _screen():
    from .screens.backproparena import BackpropArenaScreen

    return BackpropArenaScreen()


UNLOCK = UnlockTool(module_id="backprop-step", screen_factory=_screen)
