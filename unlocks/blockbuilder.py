"""BlockBuilder, the unlock of module 12 (The Transformer Block, Built From Parts)."""

from .registry import UnlockTool


def _screen():
    from .screens.blockbuilder import BlockBuilderScreen

    return BlockBuilderScreen()


UNLOCK = UnlockTool(module_id="transformer-block", screen_factory=_screen)
