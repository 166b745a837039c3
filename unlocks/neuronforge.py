"""NeuronForge, the unlock of module 5 (The Perceptron, Reborn)."""

from .registry import UnlockSpec


def _screen():
    from .screens.neuronforge import NeuronForgeScreen

    return NeuronForgeScreen()


UNLOCK = UnlockSpec(
    id="neuronforge",
    module_id="perceptron-reborn",
    name="NeuronForge",
    description="A neuron playground: place points or pick a preset, and watch the decision boundary bend in braille as your own network trains.",
    screen_factory=_screen,
)
