"""`neuralforge bench kernels [NAME ...] [--file F] [--json [PATH]]`: check (and, on a GPU, time)
the Triton kernels. torch and triton are imported only when the command runs."""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "bench",
        help="check and time the Triton kernels",
        description=(
            "Judge the reference Triton kernels, or a kernel of yours with --file: correctness on fresh "
            "random inputs against a float64 reference and, on a CUDA GPU, CUDA-event timings against the "
            "roofline measured in the same run and the PyTorch op. Without a GPU, Triton's interpreter "
            "checks correctness on small shapes and no timing is taken."
        ),
    )
    what = parser.add_subparsers(dest="bench_target", metavar="TARGET", required=True)
    kernels = what.add_parser("kernels", help="the Triton kernels (softmax, norms, matmul, attention, decode)")
    from forge_tui.kernels.harness import add_arguments

    add_arguments(kernels)
    parser.set_defaults(handler=run)
    return parser


def run(args) -> int:
    from importlib.util import find_spec

    # found, not imported: the harness chooses Triton's interpreter (no GPU) before triton loads
    missing = [name for name in ("torch", "triton") if find_spec(name) is None]
    if missing:
        print(f"neuralforge bench: needs torch and triton ({' and '.join(missing)} not installed); on a CPU "
              "machine: pip install torch==2.13.0 triton", file=sys.stderr)
        return 2
    from forge_tui.kernels.harness import run_args

    return run_args(args)
