"""GradientScope, the unlock of module 2 (The Calculus of Slopes)."""

from .registry import UnlockSpec


def _screen():
    from .screens.gradientscope import GradientScopeScreen

    return GradientScopeScreen()


UNLOCK = UnlockSpec(
    id="gradientscope",
    module_id="calculus-of-slopes",
    name="GradientScope",
    description="Explore any 2D loss surface with live gradient arrows and a draggable descent path.",
    screen_factory=_screen,
)
