"""OptiTrack, the unlock of module 7 (Optimizers)."""

from .registry import UnlockSpec


def _screen():
    from .screens.optitrack import OptiTrackScreen

    return OptiTrackScreen()


UNLOCK = UnlockSpec(
    id="optitrack",
    module_id="optimizers",
    name="OptiTrack",
    description="Sketch any loss surface and race SGD, momentum and Adam across it side by side.",
    screen_factory=_screen,
)
