"""MatrixLab, the unlock of module 1 (The Vector Awakens)."""

from .registry import UnlockSpec


def _screen():
    from .screens.matrixlab import MatrixLabScreen

    return MatrixLabScreen()


UNLOCK = UnlockSpec(
    id="matrixlab",
    module_id="vector-awakens",
    name="MatrixLab",
    description="A live matrix–vector visualizer: drag the basis vectors and watch every Mv move with them.",
    screen_factory=_screen,
)
