"""OptiTrack, the unlock of module 7 (Optimizers)."""

from .registry import UnlockTool


def _screen():
    from .screens.optitrack import OptiTrackScreen

    return OptiTrackScreen()


UNLOCK = UnlockTool(module_id="optimizers", screen_factory=_screen)
