"""SpectraScope, the unlock of module 3 (Matrix Souls)."""

from .registry import UnlockTool


def _screen():
    from .screens.spectrascope import SpectraScopeScreen

    return SpectraScopeScreen()


UNLOCK = UnlockTool(module_id="matrix-souls", screen_factory=_screen)
