"""The host's one hook for playing another app than the game (NEURALFORGE_PLAY_APP), and the
bare app `benchmarks/ssh_load.py` serves through it as the baseline for the game's latency."""

from __future__ import annotations

import sys
import types

import pytest

from forge_tui.host import play

BARE = "benchmarks.bare_app:make_app"


def test_play_app_is_a_host_setting_never_a_clients(tmp_path, monkeypatch):
    from forge_tui.host.session import session_env

    monkeypatch.delenv(play.PLAY_APP, raising=False)
    assert play.PLAY_APP not in session_env(tmp_path, "xterm", {play.PLAY_APP: "os:system"})
    monkeypatch.setenv(play.PLAY_APP, BARE)
    assert session_env(tmp_path, "xterm", {play.PLAY_APP: "os:system"})[play.PLAY_APP] == BARE


def test_a_session_plays_the_named_app_instead_of_the_game(monkeypatch):
    played = []

    class Recorder:
        def run(self, mouse):
            played.append(mouse)

    module = types.ModuleType("nf_test_apps")
    module.make = Recorder
    monkeypatch.setitem(sys.modules, "nf_test_apps", module)
    monkeypatch.setenv(play.PLAY_APP, "nf_test_apps:make")
    monkeypatch.delenv("NEURALFORGE_MOUSE", raising=False)
    assert play.main([]) == 0
    assert played == [False]  # mouse reporting stays off, as for the game


def test_a_malformed_name_says_what_is_expected():
    with pytest.raises(ValueError, match="module:function"):
        play.named_app_factory("benchmarks.bare_app")


async def test_the_bare_app_moves_its_highlight_with_the_arrow_keys():
    app = play.named_app_factory(BARE)()

    def highlighted() -> list[str]:
        return [cell.id for cell in app.query(".highlight")]

    async with app.run_test() as pilot:
        assert highlighted() == ["cell-0-0"]
        await pilot.press("right", "down")
        assert highlighted() == ["cell-1-1"]
        await pilot.press("left", "left", "up", "up")  # wraps at the edges: every key moves it
        assert highlighted() == ["cell-3-3"]
