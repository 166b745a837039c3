"""LossLab, the unlock of module 4 (Probability & Loss)."""

from .registry import UnlockSpec


def _screen():
    from .screens.losslab import LossLabScreen

    return LossLabScreen()


UNLOCK = UnlockSpec(
    id="losslab",
    module_id="probability-loss",
    name="LossLab",
    description="Pick any loss, prediction and target; see the value and the gradient flow back live.",
    screen_factory=_screen,
)
