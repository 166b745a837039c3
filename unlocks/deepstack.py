"""DeepStack, the unlock of module 8 (Regularization, Initialization, Normalization)."""

from .registry import UnlockSpec


def _screen():
    from .screens.deepstack import DeepStackScreen

    return DeepStackScreen()


UNLOCK = UnlockSpec(
    id="deepstack",
    module_id="init-and-norm",
    name="DeepStack",
    description="Watch gradient norms layer by layer as you change depth, init and normalization.",
    screen_factory=_screen,
)
