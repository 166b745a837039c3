"""On a system that is not Linux (a learner's Mac), the runner applies no Linux layer and still
plays every Phase I lab, check and boss to a verdict: the protocol, rlimits, the wall timer and
process-group cleanup carry it. NEURALFORGE_PLATFORM=darwin makes the zygote behave as on a Mac,
with a C library that raises on any Linux-only call (so a Linux layer applied by mistake fails)."""

from __future__ import annotations

import asyncio
import textwrap

import pytest

from forge_tui.boss import fight, load_boss
from forge_tui.content import catalog
from forge_tui.labcheck import check_lab, load_checks
from forge_tui.runner import Limits, Sandbox

PHASE_ONE = [m for m in catalog().modules if m.phase == 1]
LINUX_LAYERS = ("netns", "uid", "landlock", "seccomp", "cgroups", "sockets", "ipc", "pidns")


@pytest.fixture(scope="module")
def mac():
    patch = pytest.MonkeyPatch()
    patch.setenv("NEURALFORGE_PLATFORM", "darwin")
    box = Sandbox.start()
    yield box
    box.close()
    patch.undo()


def test_only_the_portable_layers_hold_and_play_is_practice(mac):
    report = mac._wait_ready()
    assert report["platform"] == "darwin"
    assert report["enabled"]["rlimits"] is True
    for name in LINUX_LAYERS:
        assert report["enabled"][name] is False
        assert report["reasons"][name] == "not Linux (darwin)"
    text = mac.describe()
    assert "not Linux (darwin)" in text and "practice mode" in text


def test_a_lab_runs_and_a_loop_is_stopped_by_the_wall_timer(mac, tmp_path):
    lab = tmp_path / "lab.py"
    lab.write_text("print('hello from a mac')\n")
    assert mac.run_python_sync(lab, workdir=tmp_path).output.strip() == "hello from a mac"
    lab.write_text(textwrap.dedent("""
        import os, time
        if os.fork() == 0:
            time.sleep(60)
        while True:
            pass
    """))
    result = mac.run_python_sync(lab, workdir=tmp_path, limits=Limits(wall_s=1.0, cpu_s=5.0))
    assert result.outcome == "timeout"


@pytest.mark.parametrize("module", PHASE_ONE, ids=lambda m: m.number)
def test_phase_one_plays_to_a_verdict(mac, module):
    boss = load_boss(module.id)
    checks = load_checks(module.id)
    starter = module.starter_path("python")

    async def play():
        won = await fight(boss, boss.reference_path, mac)
        lost = await fight(boss, starter, mac)
        passed = await check_lab(checks, boss.reference_path, mac)
        failed = await check_lab(checks, starter, mac)
        return won, lost, passed, failed

    won, lost, passed, failed = asyncio.run(play())
    assert won.won and won.counts, won.message
    assert not lost.won
    assert passed.all_passed, passed.message
    assert not failed.all_passed
