"""LossLab, the unlock of module 4 (Probability & Loss)."""

from .registry import UnlockTool


def _screen():
    from .screens.losslab import LossLabScreen

    return LossLabScreen()


UNLOCK = UnlockTool(module_id="probability-loss", screen_factory=_screen)
