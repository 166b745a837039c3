"""GradientScope, the unlock of module 2 (The Calculus of Slopes)."""

from .registry import UnlockTool


def _screen():
    from .screens.gradientscope import GradientScopeScreen

    return GradientScopeScreen()


UNLOCK = UnlockTool(module_id="calculus-of-slopes", screen_factory=_screen)
