"""AttentionMap, the unlock of module 11 (Attention Is All You Need)."""

from .registry import UnlockTool


def _screen():
    from .screens.attentionmap import AttentionMapScreen

    return AttentionMapScreen()


UNLOCK = UnlockTool(module_id="attention", screen_factory=_screen)
