"""BackpropArena, the unlock of module 6 (Backprop, Step by Step)."""

from .registry import UnlockSpec


def _screen():
    from .screens.backproparena import BackpropArenaScreen

    return BackpropArenaScreen()


UNLOCK = UnlockSpec(
    id="backproparena",
    module_id="backprop-step",
    name="BackpropArena",
    description="A step debugger that walks backprop one node at a time through a graph you draw.",
    screen_factory=_screen,
)
