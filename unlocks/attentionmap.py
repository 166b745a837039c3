"""AttentionMap, the unlock of module 11 (Attention Is All You Need)."""

from .registry import UnlockSpec


def _screen():
    from .screens.attentionmap import AttentionMapScreen

    return AttentionMapScreen()


UNLOCK = UnlockSpec(
    id="attentionmap",
    module_id="attention",
    name="AttentionMap",
    description="Feed in any text and see live attention patterns for every head in every layer.",
    screen_factory=_screen,
)
