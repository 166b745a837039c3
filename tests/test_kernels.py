"""The Triton kernels and their harness, on the CPU path (Triton's interpreter, small shapes).

Reference kernels must be correct; starters and hostile kernels must lose, each for its own
reason; the CLI prints a table and writes JSON. No timing is taken here.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="torch is not installed (pip install torch==2.13.0)")
pytest.importorskip("numpy", reason="numpy is not installed")
from forge_tui.kernels import harness  # noqa: E402

harness._prepare_environment()  # the interpreter when there is no GPU; before triton loads
pytest.importorskip("triton", reason="triton is not installed (pip install triton)")

from forge_tui.kernels import common, judge  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
KERNELS = REPO / "kernels"
pytestmark = pytest.mark.skipif(common.device() == "cuda", reason="these tests pin the interpreter path; the GPU path runs from the harness")


@pytest.fixture(scope="module", autouse=True)
def _interpreter_fix():
    common.patch_interpreter_bf16_dot()


# --- reference kernels and starters (in process: trusted code) ----------------------------------


@pytest.mark.parametrize("name", harness.NAMES)
def test_reference_kernel_is_correct_on_ragged_shapes_and_every_dtype(name):
    spec = common.SPECS[name]
    checks = harness.check_kernel(spec, harness.reference_kernel(name), "cpu")
    assert len(checks) == len(spec.check_shapes) * len(spec.check_dtypes)
    assert all(c["ok"] for c in checks), [c["detail"] for c in checks if not c["ok"]]
    # Non-power-of-two shapes are among those checked.
    assert any(any(d & (d - 1) for d in shape if isinstance(d, int) and not isinstance(d, bool) and d > 1) for shape in spec.check_shapes)


@pytest.mark.parametrize("name", harness.NAMES)
def test_starter_loses(name):
    import importlib

    starter = getattr(importlib.import_module(f"forge_tui.kernels.starters.{name}"), name)
    spec = common.SPECS[name]
    checks = harness.check_kernel(spec, starter, "cpu", dtypes=spec.check_dtypes[:1])
    assert not any(c["ok"] for c in checks)
    assert judge.static_check((KERNELS / "starters" / f"{name}.py").read_text(), name) == []


def test_compare_catches_nan_and_states_tolerances():
    import torch

    ref = torch.randn(4, 5, dtype=torch.float64)
    out = ref.clone().float()
    assert common.compare(out, ref, "fp32").ok
    out[2, 3] = float("nan")
    result = common.compare(out, ref, "fp32")
    assert not result.ok and result.bad == 1 and result.first_bad == (2, 3)
    assert common.TOLERANCES["fp32"][0] == 1e-5 and common.TOLERANCES["tf32"][0] == 1e-3 and common.TOLERANCES["bf16"][0] == 1e-2


def test_inputs_are_fresh_random_and_never_constant():
    spec = common.SPECS["softmax"]
    a = spec.make_inputs((4, 33), common.DTYPES["fp32"], 1, "cpu")["x"]
    b = spec.make_inputs((4, 33), common.DTYPES["fp32"], 2, "cpu")["x"]
    again = spec.make_inputs((4, 33), common.DTYPES["fp32"], 1, "cpu")["x"]
    assert not a.eq(b).all() and a.equal(again)
    assert a.unique().numel() == a.numel()


def test_decode_cache_past_each_sequence_is_poisoned():
    inputs = common.decode_inputs((3, 4, 2, 50, 16), common.DTYPES["fp32"], 7, "cpu")
    for b, n in enumerate(inputs["seq_lens"].tolist()):
        assert not inputs["k_cache"][b, :, :n].isnan().any()
        assert inputs["k_cache"][b, :, n:].isnan().all()


# --- player kernels through the judge (a separate process) -------------------------------------

REFERENCE_SOFTMAX = (KERNELS / "softmax.py").read_text()
WRAPPER = '''
def softmax(x, out):
    n_rows, n_cols = x.shape
    softmax_kernel[(n_rows,)](x, out, n_cols, x.stride(0), out.stride(0), BLOCK=triton.next_power_of_2(n_cols))
'''
HEADER = "import torch\nimport triton\nimport triton.language as tl\n"


def kernel_source(body: str, wrapper: str = WRAPPER, header: str = HEADER) -> str:
    return header + textwrap.dedent(body) + textwrap.dedent(wrapper)


GOOD_KERNEL = '''
@triton.jit
def softmax_kernel(x_ptr, out_ptr, n_cols, xs, os_, BLOCK: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + row * xs + cols, mask=cols < n_cols, other=float("-inf")).to(tl.float32)
    e = tl.exp(x - tl.max(x, axis=0))
    tl.store(out_ptr + row * os_ + cols, (e / tl.sum(e, axis=0)).to(out_ptr.dtype.element_ty), mask=cols < n_cols)
'''


def judged(tmp_path, source: str, name: str = "softmax") -> dict:
    path = tmp_path / "mine.py"
    path.write_text(source)
    return judge.judge_file(path, name, timeout=120)


def test_reference_softmax_wins_through_the_child(tmp_path):
    entry = judged(tmp_path, REFERENCE_SOFTMAX)
    assert entry["verdict"] == "pass", entry
    assert "no timing was taken" in entry["note"]
    assert any(c.get("after_timing") for c in entry["checks"])  # the recheck with a fresh seed ran
    assert len({c["seed"] for c in entry["checks"]}) == len(entry["checks"])  # every check, its own seed


def test_kernel_that_leaves_outputs_unwritten_loses(tmp_path):
    wrapper = WRAPPER.replace("(n_rows,)", "(n_rows - 1,)")  # forgets the last row
    entry = judged(tmp_path, kernel_source(GOOD_KERNEL, wrapper))
    assert entry["verdict"] == "fail"
    assert any("got nan" in c["detail"] for c in entry["checks"] if not c["ok"])


def test_kernel_wrong_only_on_ragged_shapes_loses(tmp_path):
    body = GOOD_KERNEL.replace('other=float("-inf")', "other=0.0")  # padding joins the sum
    entry = judged(tmp_path, kernel_source(body))
    assert entry["verdict"] == "fail"
    by_shape = {tuple(c["shape"]): c["ok"] for c in entry["checks"] if c["dtype"] == "fp32"}
    assert by_shape[(5, 128)] is True and by_shape[(7, 33)] is False and by_shape[(3, 1000)] is False


def test_kernel_right_only_on_zeros_loses(tmp_path):
    body = '''
    @triton.jit
    def softmax_kernel(x_ptr, out_ptr, n_cols, xs, os_, BLOCK: tl.constexpr):
        row = tl.program_id(0)
        cols = tl.arange(0, BLOCK)
        uniform = tl.full((BLOCK,), 1.0, tl.float32) / n_cols  # softmax of a constant row
        tl.store(out_ptr + row * os_ + cols, uniform.to(out_ptr.dtype.element_ty), mask=cols < n_cols)
    '''
    import torch

    # It is right on zeros, which is why the harness never uses them.
    x = torch.zeros(3, 10)
    out = torch.full_like(x, float("nan"))
    namespace: dict = {}
    exec(compile(kernel_source(body), "zeros_kernel", "exec"), namespace)  # noqa: S102 - a test's own fixture
    namespace["softmax"](x, out)
    assert torch.allclose(out, torch.softmax(x, -1))
    assert judged(tmp_path, kernel_source(body))["verdict"] == "fail"


def test_kernel_that_caches_its_result_loses(tmp_path):
    wrapper = '''
    _results = {}

    def softmax(x, out):
        key = (tuple(x.shape), x.dtype)
        if key in _results:
            out.copy_(_results[key])
            return
        n_rows, n_cols = x.shape
        softmax_kernel[(n_rows,)](x, out, n_cols, x.stride(0), out.stride(0), BLOCK=triton.next_power_of_2(n_cols))
        _results[key] = out.clone()
    '''
    entry = judged(tmp_path, kernel_source(GOOD_KERNEL, wrapper))
    assert entry["verdict"] == "fail"
    failed = [c for c in entry["checks"] if not c["ok"]]
    assert failed and all(c.get("after_timing") for c in failed)  # right the first time, caught by the fresh seed


def test_kernel_that_patches_the_timer_is_refused_statically(tmp_path):
    source = kernel_source(GOOD_KERNEL) + "\nimport time\ntime.perf_counter = lambda: 0.0\n"
    entry = judged(tmp_path, source)
    assert entry["verdict"] == "rejected"
    assert any("time.perf_counter" in r for r in entry["rejections"])


def test_kernel_that_patches_the_timer_behind_the_static_check_is_caught_at_run_time(tmp_path):
    source = kernel_source(GOOD_KERNEL) + "\nimport time\nclock = time.__dict__\nclock['perf_counter'] = lambda: 0.0\n"
    assert judge.static_check(source, "softmax") == []
    entry = judged(tmp_path, source)
    assert entry["verdict"] == "rejected"
    assert any("patched the timer (time.perf_counter)" in r for r in entry["rejections"])


def test_kernel_that_falls_back_to_torch_is_refused_statically(tmp_path):
    wrapper = "\ndef softmax(x, out):\n    out.copy_(torch.softmax(x.float(), dim=-1))\n"
    entry = judged(tmp_path, kernel_source(GOOD_KERNEL, wrapper))
    assert entry["verdict"] == "rejected"
    assert any("torch.softmax" in r and "fall back" in r for r in entry["rejections"])


def test_kernel_that_falls_back_to_torch_behind_the_static_check_is_caught_at_run_time(tmp_path):
    wrapper = '''
    import torch.nn.functional as F
    op = F.__dict__["soft" + "max"]

    def softmax(x, out):
        out.copy_(op(x.float(), dim=-1))
    '''
    source = kernel_source(GOOD_KERNEL, wrapper)
    assert judge.static_check(source, "softmax") == []
    entry = judged(tmp_path, source)
    assert entry["verdict"] == "rejected"
    assert any("aten._softmax" in r for r in entry["rejections"]), entry["rejections"]


def test_kernel_on_another_stream_is_refused(tmp_path):
    wrapper = WRAPPER.replace("    n_rows, n_cols = x.shape\n", "    n_rows, n_cols = x.shape\n    side = torch.cuda.Stream()\n")
    assert judged(tmp_path, kernel_source(GOOD_KERNEL, wrapper))["verdict"] == "rejected"
    # and behind the static check: the trap on torch.cuda's stream constructors fires at run time
    wrapper = WRAPPER.replace("    n_rows, n_cols = x.shape\n", "    n_rows, n_cols = x.shape\n    side = torch.cuda.__dict__['Str' + 'eam']()\n")
    source = kernel_source(GOOD_KERNEL, wrapper)
    assert judge.static_check(source, "softmax") == []
    entry = judged(tmp_path, source)
    assert entry["verdict"] == "rejected"
    assert any("torch.cuda.Stream" in r for r in entry["rejections"])


def test_kernel_that_writes_its_output_late_is_refused(tmp_path):
    wrapper = '''
    import sys

    def softmax(x, out):
        n_rows, n_cols = x.shape
        launch = lambda: softmax_kernel[(n_rows,)](x, out, n_cols, x.stride(0), out.stride(0), BLOCK=triton.next_power_of_2(n_cols))
        sys.modules["thread" + "ing"].Timer(0.01, launch).start()  # lazy: the result arrives after the call
    '''
    source = kernel_source(GOOD_KERNEL, wrapper)
    assert judge.static_check(source, "softmax") == []
    entry = judged(tmp_path, source)
    assert entry["verdict"] == "rejected"
    assert any("thread" in r for r in entry["rejections"])


def test_kernel_that_sends_a_deep_line_loses_with_a_clear_message(tmp_path):
    """A line nested 100,000 deep would make `json.loads` recurse until it fails (in the thread
    that reads the results, silently); the bounded parser refuses it unread and the kernel loses."""
    deep = '\nimport os\nos.write(int(os.environ["NEURALFORGE_RESULT_FD"]), b"[" * 100_000 + b"]" * 100_000 + b"\\n")\n'
    source = kernel_source(GOOD_KERNEL) + deep
    assert judge.static_check(source, "softmax") == []
    entry = judged(tmp_path, source)
    assert entry["verdict"] == "rejected"
    assert any("nested deeper than 64 levels" in r for r in entry["rejections"]), entry["rejections"]


FLOOD = """
import os, time
fd = int(os.environ["NEURALFORGE_RESULT_FD"])

def send(data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]

send(b'{"event": "output", "id": 0, "file": "out_0.npy"}\\n')
send(b"[" + b"0," * 300_000 + b"0]\\n")  # 600 KB, but 300,001 values once parsed
send(b"x" * 5_000_000)  # past the channel's cap, with no end of line
time.sleep(600)  # killed once over the cap, long before its time limit
"""


def test_result_channel_refuses_huge_lines_and_stops_a_flood(tmp_path):
    script = tmp_path / "flood.py"
    script.write_text(FLOOD)
    run = judge.subprocess_runner(script, tmp_path, [], [], timeout=120)
    assert not run.timed_out
    assert run.results[0]["event"] == "output" and "_received" in run.results[0]
    refused = [m.reason for m in run.results[1:]]
    assert len(refused) == 2 and "more than 250,000 values" in refused[0] and "bytes of results" in refused[1]
    report = judge.RunReport(0, run.results, "", 0.0)
    entry = judge.judge_file(KERNELS / "softmax.py", "softmax", runner=lambda *args: report)
    assert entry["verdict"] == "rejected"
    assert any("will not read: more than 4,000,000 bytes" in r for r in entry["rejections"])


@pytest.mark.parametrize("name", harness.NAMES)
def test_reference_kernels_pass_the_static_check(name):
    source = (KERNELS / f"{harness.REFERENCE[name][0]}.py").read_text()
    assert judge.static_check(source, name) == []


def test_static_check_allows_triton_math_and_refuses_torch_math():
    ok = HEADER + "@triton.jit\ndef k(x):\n    y = tl.exp(x)\n    z = tl.dot(y, y)\n    w = y @ y\n"
    assert judge.static_check(ok, "matmul") == []
    bad = HEADER + "def matmul(a, b, out):\n    out.copy_(a @ b)\n"
    assert any("@ operator" in f for f in judge.static_check(bad, "matmul"))
    assert any("x.exp" in f for f in judge.static_check(HEADER + "def softmax(x, out):\n    out.copy_(x.exp())\n", "softmax"))


# --- the spec carries what varies per kernel ---------------------------------------------------

SHARED_FILES = ("common.py", "harness.py", "judge.py", "child.py")


def functions_naming_a_kernel(source: str) -> list[str]:
    """`function: 'name'` for every kernel name written as a string inside a function."""
    found = []
    for function in ast.walk(ast.parse(source)):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.Constant) and node.value in harness.NAMES:
                    found.append(f"{function.name}, line {node.lineno}: {node.value!r}")
    return found


@pytest.mark.parametrize("file", SHARED_FILES)
def test_no_shared_function_asks_which_kernel_it_holds(file):
    """No `if spec.name == "attention"`: a function of the shared code reads the spec's fields,
    so adding a kernel is adding its spec, and nothing else changes."""
    assert functions_naming_a_kernel((KERNELS / file).read_text()) == []
    planted = 'def work(spec):\n    if spec.name == "decode":\n        return 1\n'
    assert functions_naming_a_kernel(planted) == ["work, line 2: 'decode'"]


@pytest.mark.parametrize("name", harness.NAMES)
def test_each_spec_declares_its_call(name):
    """The output shape, the flags after `out` and the work model come from the spec, and agree
    with the inputs the spec makes."""
    spec = common.SPECS[name]
    shape = spec.check_shapes[0]
    inputs = spec.make_inputs(shape, common.DTYPES["fp32"], 3, "cpu")
    out = common.reference(spec, inputs, shape)
    assert tuple(out.shape) == common.out_shape(spec, shape)
    args = common.call_args(spec, inputs, shape, out)
    assert len(args) == len(spec.args) + 1 + len(spec.flags(shape))
    assert tuple(common.torch_call(spec, inputs, shape)().shape)[-1] == common.out_shape(spec, shape)[-1]
    nbytes, flops = common.work(spec, inputs, shape, common.DTYPES["fp32"])
    assert nbytes > 0 and flops > 0


# --- GPU timing cross-check: the trusted side's logic, fed the messages a run would send ----------


def test_wall_clock_cross_check_rejects_a_forged_timing():
    assert judge.timing_consistent(median_ms=1.0, calls=50, wall_s=0.055, overhead_s=20e-6)
    assert not judge.timing_consistent(median_ms=0.01, calls=50, wall_s=0.5, overhead_s=20e-6)

    def run(reported_ms: float, wall_s: float) -> list[str]:
        messages = [
            {"event": "wall-start", "id": "baseline", "calls": 50, "_received": 10.0},
            {"event": "wall-end", "id": "baseline", "_received": 10.001},
            {"event": "timing", "id": "t0", "median_ms": reported_ms, "min_ms": reported_ms, "reps": 100},
            {"event": "wall-start", "id": "t0", "calls": 50, "_received": 11.0},
            {"event": "wall-end", "id": "t0", "_received": 11.0 + wall_s},
        ]
        rejections: list[str] = []
        rows = judge._timings(messages, [{"id": "t0", "shape": [4096, 4096], "dtype": "bf16"}], rejections)
        assert rows[0]["ms"] == reported_ms
        return rejections

    assert run(reported_ms=2.0, wall_s=0.11) == []  # honest: 50 calls of 2 ms took 110 ms
    assert any("wall clock" in r for r in run(reported_ms=0.2, wall_s=0.11))  # claims 10x faster than it ran


# --- the CLI -------------------------------------------------------------------------------------


def _bench_parser() -> argparse.ArgumentParser:
    from forge_tui.commands import bench

    parser = argparse.ArgumentParser(prog="neuralforge")
    bench.add_parser(parser.add_subparsers(dest="command"))
    return parser


def test_cli_prints_a_table_and_writes_json(tmp_path, capsys):
    report = tmp_path / "report.json"
    args = _bench_parser().parse_args(["bench", "kernels", "softmax", "rmsnorm", "--json", str(report)])
    assert args.handler(args) == 0
    table = capsys.readouterr().out
    assert "softmax (reference): PASS" in table and "rmsnorm (reference): PASS" in table
    assert "no timing was taken" in table
    data = json.loads(report.read_text())
    assert data["environment"]["timed"] is False and data["roofline"] is None
    assert [k["name"] for k in data["kernels"]] == ["softmax", "rmsnorm"]
    assert all(c["ok"] for k in data["kernels"] for c in k["checks"])


def test_cli_judges_a_file_and_json_goes_to_stdout(tmp_path, capsys):
    args = _bench_parser().parse_args(["bench", "kernels", "--file", str(KERNELS / "starters" / "softmax.py"), "--json"])
    assert args.handler(args) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["kernels"][0]["name"] == "softmax" and data["kernels"][0]["verdict"] == "fail"
    args = _bench_parser().parse_args(["bench", "kernels", "nonsense"])
    assert args.handler(args) == 2


BLOCKER = """
import importlib.abc, runpy, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"textual", "rich", "sympy", "platformdirs", "pygments"}:
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
sys.argv = ["harness", "softmax", "--json"]
runpy.run_module("forge_tui.kernels.harness", run_name="__main__")
"""


def test_harness_runs_as_a_module_without_the_tui_dependencies():
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRITON_INTERPRET": "1"}
    done = subprocess.run([sys.executable, "-c", BLOCKER], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert data["kernels"][0]["verdict"] == "pass"
    assert "no timing was taken" in data["environment"]["note"]
