"""SpectraScope, the unlock of module 3 (Matrix Souls)."""

from .registry import UnlockSpec


def _screen():
    from .screens.spectrascope import SpectraScopeScreen

    return SpectraScopeScreen()


UNLOCK = UnlockSpec(
    id="spectrascope",
    module_id="matrix-souls",
    name="SpectraScope",
    description="Type any matrix and watch its eigenvalues, singular values and stability heatmap live.",
    screen_factory=_screen,
)
