"""MatrixLab, the unlock of module 1 (The Vector Awakens)."""

from .registry import UnlockTool


def _screen():
    from .screens.matrixlab import MatrixLabScreen

    return MatrixLabScreen()


UNLOCK = UnlockTool(module_id="vector-awakens", screen_factory=_screen)
