"""The sandboxed runner: outcomes, the result channel, streaming, cancelling, and each layer."""

from __future__ import annotations

import asyncio
import os
import shutil
import textwrap
import time
from pathlib import Path

import pytest

import forge_tui
from forge_tui.locations import bosses_directory
from forge_tui.runner import Limits, Sandbox, probe_only


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


def script(tmp_path: Path, body: str, name: str = "main.py") -> Path:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    path = work / name
    path.write_text(textwrap.dedent(body))
    return path


def run(sandbox, path: Path, **kwargs):
    return sandbox.run_python_sync(path, workdir=path.parent, **kwargs)


def test_start_is_quick_and_every_layer_is_probed(sandbox):
    started = time.perf_counter()
    box = Sandbox.start()
    assert time.perf_counter() - started < 0.5  # numpy loads in the zygote, not here
    try:
        protections = box.protections()
        for key in ("rlimits", "netns", "seccomp", "landlock", "cgroups", "uid"):
            assert key in protections
        assert protections["rlimits"] is True
        assert "rlimits ✓" in box.describe()
    finally:
        box.close()


def test_probe_only_reports_without_a_zygote():
    report = probe_only()
    assert report["enabled"]["rlimits"] is True
    assert set(report["enabled"]) >= {"netns", "seccomp", "landlock", "cgroups", "uid"}


def test_ok_output_and_results(sandbox, tmp_path):
    path = script(tmp_path, """
        import sys, numpy as np
        from neuralforge_child import send
        print("hello", sys.argv[1:])
        send({"sum": np.arange(4).sum(), "arr": np.eye(2), "nan": float("nan")})
        send([1, (2, 3)])
    """)
    result = run(sandbox, path, args=["x", "y"])
    assert result.outcome == "ok", result
    assert result.output == "hello ['x', 'y']\n"
    assert result.results[0]["sum"] == 6 and result.results[0]["arr"] == [[1.0, 0.0], [0.0, 1.0]]
    assert result.results[0]["nan"] != result.results[0]["nan"]
    assert result.results[1] == [1, [2, 3]]


def test_a_work_folder_below_a_private_folder(sandbox, tmp_path):
    """A home or pytest's tmp is private (0700): a run with its own uid (as root) still reaches
    its work folder there, and writes in it, without seeing the rest of the private folder."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (private / "secret.txt").write_text("secret")
    path = script(private, f"""
        import os
        with open("made.txt", "w") as handle:
            handle.write("made")
        print("uid", os.getuid())
        try:
            print("READ", open({str(private / "secret.txt")!r}).read())
        except OSError as err:
            print("denied", type(err).__name__)
    """)
    result = run(sandbox, path)
    assert result.outcome == "ok", result
    assert (path.parent / "made.txt").read_text() == "made"
    assert "READ" not in result.output and "denied" in result.output
    if sandbox.protections()["identity"] == "uid":  # root: a uid of the run's own
        assert f"uid {os.getuid()}\n" not in result.output


def test_exit_code_and_last_line_in_message(sandbox, tmp_path):
    result = run(sandbox, script(tmp_path, "raise ValueError('bad shape')\n"))
    assert result.outcome == "exit" and result.exit_code == 1
    assert "ValueError: bad shape" in result.message
    result = run(sandbox, script(tmp_path, "import sys; sys.exit(3)\n"))
    assert (result.outcome, result.exit_code) == ("exit", 3)


def test_stdin_reaches_the_child(sandbox, tmp_path):
    path = script(tmp_path, "import sys; print(sys.stdin.read().upper())\n")
    assert run(sandbox, path, stdin=b"abc" * 50_000).output.strip() == "ABC" * 50_000


def test_environment_is_scrubbed(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_TOKEN", "hunter2")
    path = script(tmp_path, "import os; print(sorted(os.environ)); print(os.environ['HOME'] == os.getcwd())\n")
    result = run(sandbox, path)
    assert "SECRET_TOKEN" not in result.output and "NEURALFORGE_HOME" not in result.output
    assert result.output.splitlines()[1] == "True"


def test_output_streams_as_it_is_produced(sandbox, tmp_path):
    path = script(tmp_path, """
        import time
        for i in range(3):
            print("tick", i, flush=True)
            time.sleep(0.15)
    """)
    seen: list[tuple[float, str]] = []

    async def go():
        start = time.monotonic()
        result = await sandbox.run_python(path, workdir=path.parent,
                                          on_output=lambda text: seen.append((time.monotonic() - start, text)))
        return result

    result = asyncio.run(go())
    assert result.outcome == "ok"
    assert "".join(t for _, t in seen) == result.output
    assert seen[0][0] < result.duration_s - 0.2  # the first tick arrived well before the end


def test_cancelling_kills_the_whole_tree(sandbox, tmp_path):
    path = script(tmp_path, """
        import os, time
        if os.fork() == 0:
            os.setsid()
            print("GRANDCHILD", os.getpid(), flush=True)
            time.sleep(60)
        time.sleep(60)
    """)
    lines: list[str] = []

    async def go():
        task = asyncio.create_task(sandbox.run_python(path, workdir=path.parent, on_output=lines.append))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if "GRANDCHILD" in "".join(lines):
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    started = time.monotonic()
    asyncio.run(go())
    assert time.monotonic() - started < 4
    pid = int("".join(lines).split()[1])
    deadline = time.monotonic() + 2
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] if os.path.exists(f"/proc/{pid}") else "X"
        if state in "ZX":
            break
        time.sleep(0.02)
    else:
        assert not os.path.exists(f"/proc/{pid}")


def test_cpu_limit(sandbox, tmp_path):
    result = run(sandbox, script(tmp_path, "while True: pass\n"), limits=Limits(wall_s=10, cpu_s=1))
    assert result.outcome == "cpu", result
    assert "CPU-time limit" in result.message


def test_file_size_limit(sandbox, tmp_path):
    path = script(tmp_path, "open('big', 'wb').write(b'x' * (3 * 1024 * 1024))\n")
    result = run(sandbox, path, limits=Limits(file_mb=1))
    assert result.outcome != "ok"
    assert os.path.getsize(path.parent / "big") <= 1024 * 1024


def test_reads_stdlib_and_numpy_lazily_but_not_the_game(sandbox, tmp_path, isolated_home):
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "save.json").write_text("{}")
    targets = [Path(forge_tui.__file__), bosses_directory() / "__init__.py", isolated_home / "save.json"]
    path = script(tmp_path, f"""
        import fractions, statistics, json, numpy.linalg, numpy.fft
        print("imports ok", statistics.mean([1, 2, 3]))
        for target in {[str(t) for t in targets]!r}:
            try:
                open(target).read()
                print("READ", target)
            except OSError as err:
                print("denied", type(err).__name__)
        try:
            import forge_tui
            print("IMPORTED forge_tui")
        except ImportError:
            print("no forge_tui")
    """)
    result = run(sandbox, path)
    assert result.outcome == "ok", result.output
    assert "imports ok 2" in result.output
    assert "READ" not in result.output and "IMPORTED" not in result.output
    # Landlock refuses (PermissionError); as a separate uid, a private folder is not even there.
    denials = result.output.count("denied PermissionError") + result.output.count("denied FileNotFoundError")
    assert denials == 3, result.output


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
def test_run_command_compiles_and_runs_c(sandbox, tmp_path):
    work = tmp_path / "c"
    work.mkdir()
    (work / "lab.c").write_text('#include <stdio.h>\nint main(void){printf("%d\\n", 6*7);return 0;}\n')
    result = sandbox.run_command_sync(["gcc", "-O1", "-o", "lab", "lab.c"], workdir=work,
                                      limits=Limits(wall_s=30, cpu_s=30, processes=16))
    assert result.outcome == "ok", result.output
    result = sandbox.run_command_sync(["./lab"], workdir=work)
    assert (result.outcome, result.output) == ("ok", "42\n")
    crash = work / "crash.c"
    crash.write_text("int main(void){ volatile int *p = 0; return *p; }\n")
    assert sandbox.run_command_sync(["gcc", "-o", "crash", "crash.c"], workdir=work,
                                    limits=Limits(wall_s=30, cpu_s=30)).ok
    result = sandbox.run_command_sync(["./crash"], workdir=work)
    assert result.outcome == "signal" and "SIGSEGV" in result.message


def test_missing_program_is_a_clear_exit(sandbox, tmp_path):
    result = sandbox.run_command_sync(["no-such-program-here"], workdir=tmp_path)
    assert result.outcome == "exit" and result.exit_code == 127
    assert "could not start" in result.message


def test_concurrent_runs(sandbox, tmp_path):
    paths = [script(tmp_path, f"import time; time.sleep(0.3); print({i})\n", name=f"s{i}.py") for i in range(3)]

    async def go():
        return await asyncio.gather(*(sandbox.run_python(p, workdir=p.parent) for p in paths))

    started = time.monotonic()
    results = asyncio.run(go())
    assert [r.output.strip() for r in results] == ["0", "1", "2"]
    assert time.monotonic() - started < 1.5


def test_memory_limit(sandbox, tmp_path):
    path = script(tmp_path, "hoard = []\nwhile True:\n    hoard.append(bytearray(32 * 1024 * 1024))\n")
    result = run(sandbox, path, limits=Limits(memory_mb=256))
    assert result.outcome == "memory", result
    assert "256 MB" in result.message


def test_output_limit(sandbox, tmp_path):
    path = script(tmp_path, "while True:\n    print('x' * 1000)\n")
    result = run(sandbox, path, limits=Limits(output_bytes=50_000))
    assert result.outcome == "output"
    assert len(result.output) < 51_000 + 100
