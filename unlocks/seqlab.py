"""SeqLab, the unlock of module 10 (Sequences — RNNs, LSTMs, and Why They Lost)."""

from .registry import UnlockTool


def _screen():
    from .screens.seqlab import SeqLabScreen

    return SeqLabScreen()


UNLOCK = UnlockTool(module_id="sequences-rnn", screen_factory=_screen)
