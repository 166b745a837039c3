"""Boss verdict latency: the warm sandbox against a fresh `python -m pytest` of the same cases.

    python benchmarks/boss_latency.py [--repeats 30] [--pytest-repeats 10]

A NumPy-level boss (10 cases of `add` on 50×64 arrays plus one script case) is judged through
the warm zygote `--repeats` times (median after the first, which is reported apart), and, side
by side in the same run, the same cases run as a pytest file in a fresh interpreter. Goal: a
median under 50 ms and at least 15× faster than pytest (issue 10).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BOSS = '''
import numpy as np

ENTRY = "add"
TIME_LIMIT_S = 10.0


def _encode(array):
    return {"__ndarray__": array.tolist(), "dtype": str(array.dtype)}


def cases(rng):
    out = []
    for i in range(10):
        a, b = rng.standard_normal((50, 64)), rng.standard_normal((50, 64))
        out.append({"name": f"random {i + 1}", "summary": "two 50x64 arrays", "hint": "",
                    "call": {"function": "add", "args": [_encode(a), _encode(b)], "kwargs": {}}})
    return out


def judge(case, got):
    a, b = (np.array(x["__ndarray__"], dtype=x["dtype"]) for x in case["call"]["args"])
    got = np.asarray(got, dtype=float)
    ok = got.shape == a.shape and bool(np.allclose(got, a + b))
    return ok, "a + b", "ok" if ok else "differs"
'''

PYTEST_FILE = '''
import sys
import numpy as np
import pytest

sys.path.insert(0, {folder!r})
import boss
import lab

CASES = boss.cases(np.random.default_rng(1234))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    args = [np.array(x["__ndarray__"], dtype=x["dtype"]) for x in case["call"]["args"]]
    got = getattr(lab, case["call"]["function"])(*args)
    passed, expected, message = boss.judge(case, got)
    assert passed, message
'''


def machine() -> str:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}, {cpu or platform.processor()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--pytest-repeats", type=int, default=10)
    args = parser.parse_args()

    from forge_tui.boss import fight_sync, load_boss
    from forge_tui.runner import Sandbox

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bosses"
        folder = root / "bench"
        folder.mkdir(parents=True)
        (folder / "boss.py").write_text(BOSS)
        lab = folder / "lab.py"
        lab.write_text("def add(a, b):\n    return a + b\n")
        boss = load_boss("bench", root=root)

        sandbox = Sandbox.start()
        try:
            print(f"machine: {machine()}")
            print(f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
            print(f"sandbox: {sandbox.describe()}")
            sandbox_times, pytest_times = [], []
            for i in range(max(args.repeats, args.pytest_repeats) + 1):
                if i < args.repeats + 1:
                    started = time.perf_counter()
                    report = fight_sync(boss, lab, sandbox, seed=1234)
                    sandbox_times.append(time.perf_counter() - started)
                    assert report.won, report.message
                if 0 < i <= args.pytest_repeats:  # side by side, interleaved
                    (folder / "test_boss.py").write_text(PYTEST_FILE.format(folder=str(folder)))
                    started = time.perf_counter()
                    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                           str(folder / "test_boss.py")], capture_output=True, text=True,
                                          cwd=tmp)
                    pytest_times.append(time.perf_counter() - started)
                    assert done.returncode == 0, done.stdout + done.stderr
        finally:
            sandbox.close()

    first, warm = sandbox_times[0], sandbox_times[1:]
    sandbox_median = statistics.median(warm)
    pytest_median = statistics.median(pytest_times)
    ratio = pytest_median / sandbox_median
    print("cases: 10 x add on 50x64 float64 arrays, judged in the game process")
    print(f"warm sandbox: first {first * 1000:.1f} ms; median of {len(warm)} after it "
          f"{sandbox_median * 1000:.1f} ms (min {min(warm) * 1000:.1f}, max {max(warm) * 1000:.1f})")
    print(f"fresh pytest: median of {len(pytest_times)} {pytest_median * 1000:.1f} ms "
          f"(min {min(pytest_times) * 1000:.1f}, max {max(pytest_times) * 1000:.1f})")
    met = sandbox_median < 0.050 and ratio >= 15
    print(f"ratio: {ratio:.1f}x faster; goal (< 50 ms and >= 15x): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
