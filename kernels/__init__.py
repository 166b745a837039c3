"""Triton kernels (reference and player starters) and the harness that judges and times them."""
