"""NeuronForge, the unlock of module 5 (The Perceptron, Reborn)."""

from .registry import UnlockTool


def _screen():
    from .screens.neuronforge import NeuronForgeScreen

    return NeuronForgeScreen()


UNLOCK = UnlockTool(module_id="perceptron-reborn", screen_factory=_screen)
