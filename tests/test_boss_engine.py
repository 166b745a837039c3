"""The boss engine end to end: a tiny test boss (`add` on 50×64 arrays) fought in the sandbox.

The reference wins, the wrong solutions lose, and every hostile lab in tests/hostile/ loses with
a clear message while this process (the game) and the zygote stay unharmed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from forge_tui.boss import STOPPED, fight_sync, load_boss
from forge_tui.runner import Sandbox

HOSTILE = Path(__file__).resolve().parent / "hostile"

BOSS_PY = '''
import numpy as np

ENTRY = "add"
TIME_LIMIT_S = {limit}


def _decode(value):
    return np.array(value["__ndarray__"], dtype=value["dtype"])


def _encode(array):
    return {{"__ndarray__": array.tolist(), "dtype": str(array.dtype)}}


def cases(rng):
    out = []
    for i in range({count}):
        a, b = rng.standard_normal((50, 64)), rng.standard_normal((50, 64))
        out.append({{"name": f"random {{i + 1}}", "summary": "two 50×64 arrays",
                    "hint": "add element by element",
                    "call": {{"function": "add", "args": [_encode(a), _encode(b)], "kwargs": {{}}}}}})
    out.append({{"name": "script", "summary": "add(2, 3) through a script", "hint": "plain numbers too",
                "script": "result = lab.add(np.float64(2.0), 3)"}})
    return out


def judge(case, got):
    if "script" in case:
        return got == 5, "5", "ok" if got == 5 else f"expected 5"
    a, b = (_decode(x) for x in case["call"]["args"])
    expected = a + b
    got = np.asarray(got, dtype=float)
    if got.shape != expected.shape:
        return False, f"an array of shape {{expected.shape}}", f"wrong shape {{got.shape}}"
    ok = bool(np.allclose(got, expected))
    return ok, "a + b", "matches" if ok else "values differ from a + b"
'''


def make_boss(root: Path, *, limit: float = 3.0, count: int = 3) -> Path:
    folder = root / "adder"
    (folder / "wrong").mkdir(parents=True)
    (folder / "boss.py").write_text(BOSS_PY.format(limit=limit, count=count))
    (folder / "reference.py").write_text("def add(a, b):\n    return a + b\n")
    (folder / "wrong" / "subtract.py").write_text("def add(a, b):\n    return a - b\n")
    (folder / "wrong" / "transposed.py").write_text("def add(a, b):\n    return (a + b).T\n")
    (folder / "wrong" / "off_by_one.py").write_text("def add(a, b):\n    return a + b + 1e-3\n")
    return folder


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


@pytest.fixture
def boss(tmp_path):
    folder = make_boss(tmp_path / "bosses")
    return load_boss("adder", root=folder.parent)


def hostile(name: str, tmp_path: Path, **values) -> Path:
    text = (HOSTILE / f"{name}.py").read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    return path


def assert_alive(pid: int) -> None:
    os.kill(pid, 0)


def assert_dead(pid: int) -> None:
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                state = handle.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.02)
    raise AssertionError(f"process {pid} outlived its run")


# --- the engine -------------------------------------------------------------------------------------
def test_load_boss_without_a_boss_is_none(tmp_path):
    assert load_boss("no-such-module", root=tmp_path) is None


def test_reference_wins(sandbox, boss):
    seen = []
    report = fight_sync(boss, boss.reference_path, sandbox, on_case=seen.append)
    assert report.won, report.message
    count = len(report.cases)  # a victory that counts is fought again on fresh secret cases
    assert [(c.round, c.index) for c in seen] == [(r, i) for r in (1, 2) for i in range(count)]
    assert report.confirmed and report.counts
    assert all(c.passed for c in report.cases)
    assert "Landlock" in report.protections


@pytest.mark.parametrize("wrong", ["subtract", "transposed", "off_by_one"])
def test_wrong_solutions_lose(sandbox, boss, wrong):
    report = fight_sync(boss, boss.directory / "wrong" / f"{wrong}.py", sandbox)
    assert not report.won
    failed = [c for c in report.cases if not c.passed]
    assert failed and all(c.hint for c in failed)


def test_starter_loses(sandbox, boss, tmp_path):
    starter = tmp_path / "starter.py"
    starter.write_text("def add(a, b):\n    raise NotImplementedError('write add')\n")
    report = fight_sync(boss, starter, sandbox)
    assert not report.won
    assert "NotImplementedError: write add" in report.cases[0].message
    assert "Traceback" not in report.message


def test_seed_is_secret_and_varies_unless_given(sandbox, boss):
    a = fight_sync(boss, boss.reference_path, sandbox)
    b = fight_sync(boss, boss.reference_path, sandbox)
    assert a.seed != b.seed
    c = fight_sync(boss, boss.reference_path, sandbox, seed=7)
    assert c.seed == 7 and c.won and c.practice and not c.counts


def test_judge_crash_is_a_loss_without_traceback(sandbox, boss, tmp_path):
    lab = tmp_path / "lab.py"
    lab.write_text("def add(a, b):\n    return 'not an array'\n")
    report = fight_sync(boss, lab, sandbox)
    assert not report.won
    assert "malformed" in report.cases[0].message
    assert "Traceback" not in report.cases[0].message



def test_stop_at_loss_ends_a_python_run_at_its_first_lost_case(sandbox, boss, tmp_path):
    """Wrong on the first case, then hanging: with stop_at_loss the fight ends with that loss
    and the later cases lose unrun, not at the wall-time limit."""
    lab = tmp_path / "lab.py"
    lab.write_text("import time\ncalls = []\n\n\ndef add(a, b):\n    calls.append(1)\n"
                   "    if len(calls) > 1:\n        time.sleep(60)\n    return a - b\n")
    report = fight_sync(boss, lab, sandbox, stop_at_loss=True)
    assert not report.won and report.passed == 0
    assert report.run.message == STOPPED
    assert "values differ" in report.cases[0].message
    assert all(STOPPED in case.message for case in report.cases[1:])

# --- hostile labs: each loses, the game and the zygote survive --------------------------------------
def fight_hostile(sandbox, boss, path):
    report = fight_sync(boss, path, sandbox)
    assert not report.won, report.message
    assert report.message.startswith("Defeat")
    assert report.cases[0].message  # a clear reason for the first case
    assert_alive(sandbox._proc.pid)  # the zygote lives on
    return report


def test_hostile_exit_at_import(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("exit_at_import", tmp_path))
    assert "no answer" in report.cases[0].message


def test_hostile_sys_exit(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("sys_exit", tmp_path))
    assert "failed to import: SystemExit" in report.cases[0].message


def test_hostile_fake_pass_line(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("fake_pass", tmp_path))
    assert "VICTORY" in report.run.output  # printed, and ignored
    assert report.passed == 0


def test_hostile_monkeypatches_numpy(sandbox, boss, tmp_path):
    real = np.allclose
    report = fight_hostile(sandbox, boss, hostile("monkeypatch_numpy", tmp_path))
    assert np.allclose is real
    assert "values differ" in report.cases[0].message


def test_hostile_reads_the_reference(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("steal_reference", tmp_path, BOSS_DIR=boss.directory))
    assert "PermissionError" in report.cases[0].message


def test_hostile_reads_another_runs_save(sandbox, boss, tmp_path, isolated_home):
    save = isolated_home / "runs" / "other" / "state.json"
    save.parent.mkdir(parents=True)
    save.write_text('{"secret": "other player"}')
    report = fight_hostile(sandbox, boss, hostile("read_save", tmp_path, SAVE_FILE=save))
    assert "PermissionError" in report.cases[0].message
    assert "other player" not in report.run.output + str(report.run.results)


def test_hostile_writes_outside_its_directory(sandbox, boss, tmp_path):
    outside = tmp_path / "escaped.txt"
    report = fight_hostile(sandbox, boss, hostile("write_outside", tmp_path, OUTSIDE=outside))
    assert "PermissionError" in report.cases[0].message
    assert not outside.exists()


def test_hostile_infinite_loop(sandbox, boss, tmp_path):
    started = time.monotonic()
    report = fight_hostile(sandbox, boss, hostile("infinite_loop", tmp_path))
    assert report.run.outcome in ("timeout", "cpu")
    assert "limit" in report.cases[0].message
    assert time.monotonic() - started < boss.time_limit_s + 3


def test_hostile_sleeps_past_the_limit(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("sleep_forever", tmp_path))
    assert report.run.outcome == "timeout"
    assert "wall-time limit" in report.cases[0].message


def test_hostile_memory_bomb(sandbox, tmp_path):
    # The subject is the memory limit, not time: a 15 s limit, because zero-filling hundreds of MB
    # took more than the usual 3 s on a machine at load > 10 and the run ended as a timeout first.
    boss = load_boss("adder", root=make_boss(tmp_path / "bosses", limit=15.0).parent)
    report = fight_hostile(sandbox, boss, hostile("memory_bomb", tmp_path))
    assert "MemoryError" in report.cases[0].message


def test_hostile_fork_bomb_is_contained(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("fork_bomb", tmp_path))
    children = [int(line.split()[1]) for line in report.run.output.splitlines() if line.startswith("CHILD ")]
    assert 0 < len(children) < 40  # the process limit held
    for pid in children:
        assert_dead(pid)
    assert fight_sync(boss, boss.reference_path, sandbox).won  # the machine is still usable


def test_hostile_output_flood(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("output_flood", tmp_path))
    assert report.run.outcome == "output"
    assert "output limit" in report.cases[0].message
    assert len(report.run.output) < 300_000


def test_hostile_segfault(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("segfault", tmp_path))
    assert "segmentation fault (SIGSEGV)" in report.cases[0].message


def test_hostile_unbounded_recursion(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("recursion", tmp_path))
    assert "RecursionError" in report.cases[0].message


def test_hostile_opens_a_network_socket(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("network", tmp_path))
    assert "PermissionError" in report.cases[0].message or "unreachable" in report.cases[0].message


def test_hostile_signals_the_parent_and_the_game(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("signal_parent", tmp_path, GAME_PID=os.getpid()))
    assert "signal attempts refused" in report.run.output
    first = report.run.output.splitlines()[0]
    # Refused by Landlock's signal scope, or not even visible from the run's PID namespace.
    assert first.count("Operation not permitted") + first.count("No such process") == 2, first
    assert fight_sync(boss, boss.reference_path, sandbox).won


def test_hostile_daemon_is_killed(sandbox, boss, tmp_path):
    report = fight_hostile(sandbox, boss, hostile("daemon", tmp_path))
    pids = [int(line.split()[1]) for line in report.run.output.splitlines() if line.startswith("DAEMON ")]
    assert len(pids) == 1
    assert_dead(pids[0])
