"""EmbedExplorer, the unlock of module 9 (Embeddings — Words Become Vectors)."""

from .registry import UnlockTool


def _screen():
    from .screens.embedexplorer import EmbedExplorerScreen

    return EmbedExplorerScreen()


UNLOCK = UnlockTool(module_id="embeddings", screen_factory=_screen)
