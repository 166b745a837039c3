"""DeepStack, the unlock of module 8 (Regularization, Initialization, Normalization)."""

from .registry import UnlockTool


def _screen():
    from .screens.deepstack import DeepStackScreen

    return DeepStackScreen()


UNLOCK = UnlockTool(module_id="init-and-norm", screen_factory=_screen)
