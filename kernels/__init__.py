"""Triton kernels (reference and player starters) and the harness that judges and times them.

Reference kernels, written to be read: `softmax`, `norms` (RMSNorm, LayerNorm), `matmul`,
`attention` (FlashAttention-style forward) and `decode` (GQA decode over a KV cache); the
player's starting points are in `starters/`. Every kernel writes into an `out` tensor the
harness allocates and poisons with NaN.

`harness` checks (and on a CUDA GPU times) them: `python -m forge_tui.kernels.harness` or
`neuralforge bench kernels`. `judge` runs a player's file in a separate process through
`child.py`; `common` holds what both sides share. Nothing here is imported at game start-up,
and nothing here needs more than torch, triton, numpy and the standard library.
"""
