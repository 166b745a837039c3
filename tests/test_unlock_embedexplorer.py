"""EmbedExplorer (module 9's unlock): a word's 50 nearest neighbours by cosine in the game's word
vectors, or in the player's own, and a map of them walked with the keys.

The neighbours are the game's table's own cosines; the map is the principal plane of the centre and
its neighbours; arrows move to the nearest word in their direction, n and p along the ranks, enter
re-centres and b goes back; typed words are refused in place when the table lacks them and are shown
as text; with y the player's train_sgns trains in the sandbox and its vectors replace the game's (a
starter's error is shown and the game's table stays); snapshots at 80×24 and 120×40.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from textual.app import App

from conftest import REPO
from forge_tui import wordvectors
from forge_tui.corpus import train_text
from forge_tui.game import Game
from forge_tui.runner import Sandbox
from forge_tui.unlocks import find_unlock
from forge_tui.unlocks.screens.embedexplorer import (NEIGHBOURS, YOUR_MIN_COUNT, YOUR_WORDS, nearest_words,
                                                     principal_plane, shipped_table, step_towards, your_words)
from test_unlocks_labcode import LabHost, new_run, put_lab

SIZE = (80, 24)
REFERENCE = REPO / "bosses" / "embeddings" / "reference.py"
STARTER = REPO / "levels" / "09-embeddings" / "lab" / "python.py"


class Host(App):
    def on_mount(self) -> None:
        self.push_screen(find_unlock("EmbedExplorer").open())


def panel(pilot) -> str:
    return str(pilot.app.screen.query_one("#panel").content)


def the_map(pilot) -> str:
    return str(pilot.app.screen.query_one("#map").content)


async def typed(pilot, text: str) -> None:
    await pilot.press("t")
    pilot.app.screen.query_one("#tool-entry-input").value = text
    await pilot.press("enter")
    await pilot.pause()


def test_registered_for_module_9():
    spec = find_unlock("EmbedExplorer")
    assert spec.built and spec.module_id == "embeddings" and find_unlock("9").name == "EmbedExplorer"


def test_neighbours_are_the_tables_cosines_best_first():
    vocab, W = wordvectors.load()
    table = shipped_table()
    king = vocab.index("king")
    found = nearest_words(table, king)
    unit = W / np.linalg.norm(W, axis=1, keepdims=True)
    cosines = unit @ unit[king]
    assert len(found) == NEIGHBOURS and king not in [i for i, _ in found]
    assert [c for _, c in found] == sorted((c for _, c in found), reverse=True)
    assert all(abs(c - cosines[i]) < 1e-12 for i, c in found)
    assert min(c for _, c in found) >= np.sort(np.delete(cosines, king))[-NEIGHBOURS]


def test_principal_plane_is_numpys_two_largest_directions():
    X = np.random.default_rng(0).normal(size=(20, 6)) * np.array([4.0, 1.0, 0.5, 3.0, 0.1, 0.2])
    coords, share = principal_plane(X)
    centred = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred)
    for axis in range(2):
        want = centred @ vectors[:, -1 - axis]
        assert np.allclose(np.abs(coords[:, axis]), np.abs(want))
    assert np.allclose(share, values[::-1][:2] / values.sum())


def test_step_towards_picks_the_nearest_word_in_that_direction():
    cells = [(10.0, 5.0), (14.0, 5.0), (30.0, 5.0), (10.0, 2.0), (6.0, 9.0)]
    assert step_towards(cells, 0, (1.0, 0.0)) == 1
    assert step_towards(cells, 1, (1.0, 0.0)) == 2
    assert step_towards(cells, 0, (0.0, -1.0)) == 3
    assert step_towards(cells, 0, (0.0, 1.0)) == 4
    assert step_towards(cells, 2, (1.0, 0.0)) is None


def test_the_lab_brief_says_what_y_trains_on():
    import tomllib

    level = tomllib.loads((REPO / "levels" / "09-embeddings" / "level.toml").read_text(encoding="utf-8"))
    assert f"first {YOUR_WORDS:,} words of the corpus" in level["lab"]["brief"]


def test_your_words_keep_the_frequent_words_of_the_corpus_start():
    ids, vocab = your_words(train_text())
    assert vocab == sorted(vocab) and "king" in vocab and len(ids) <= YOUR_WORDS
    counts = np.bincount(ids, minlength=len(vocab))
    assert counts.min() >= YOUR_MIN_COUNT


async def test_keys_walk_the_ranks_and_the_map_and_enter_recentres():
    vocab = wordvectors.load()[0]
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert screen.word == "king" and screen.selected == 0
        first = vocab[screen.neighbours[0][0]]
        assert panel(pilot).splitlines()[3].split()[1] == first
        await pilot.press("n", "n", "p")
        assert screen.selected == 1 and f"▶ {first} #1" in panel(pilot)
        await pilot.press("p")
        assert screen.selected == 0
        before = screen.selected
        await pilot.press("right")
        x0 = screen._cells[before][0]
        assert screen.selected != before and screen._cells[screen.selected][0] > x0
        chosen = screen.points[screen.selected][0]
        await pilot.press("enter")
        assert screen.word == chosen and screen.selected == 0 and screen.history == ["king"]
        assert panel(pilot).startswith(chosen)
        await pilot.press("b")
        assert screen.word == "king" and screen.history == []


async def test_typed_words_are_checked_and_shown_as_text():
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await typed(pilot, "  Queen ")
        assert screen.word == "queen" and screen.history == ["king"]
        await typed(pilot, "[bold]x[/bold]")
        assert screen.status_text.startswith("Not applied: '[bold]x[/bold]' is not one of the 4,000 words")
        assert screen.word == "queen"
        await pilot.press("escape")
        assert "the game's 4,000 × 100 table" in panel(pilot)
        assert "principal plane of queen" in the_map(pilot) or "PCA of queen" in the_map(pilot)


async def test_opens_at_120x40_with_the_whole_caption():
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert the_map(pilot).startswith("principal plane of king and its 50 neighbours")
        assert "◆king" in the_map(pilot)


# --- your vectors: the player's train_sgns in the sandbox ------------------------------------------------
@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


async def shows(pilot, text: str, timeout: float = 120.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        await pilot.pause(0.1)
        if text in panel(pilot):
            return panel(pilot)
    raise AssertionError(f"{text!r} never showed; panel:\n{panel(pilot)}")


async def test_your_vectors_replace_the_games_and_y_brings_them_back(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "embeddings", REFERENCE)
    app = LabHost("EmbedExplorer", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("y")
        assert "training in the sandbox" in panel(pilot)
        text = await shows(pilot, "your losses")
        ids, vocab = your_words(train_text())
        assert f"your {len(vocab):,} × 32 vectors" in text and screen.table.vocab == tuple(vocab)
        assert screen.word == "king" and len(screen.neighbours) == NEIGHBOURS
        assert all(vocab[i] != "king" for i, _ in screen.neighbours)
        await pilot.press("y")
        assert screen.table is screen.shipped and "the game's 4,000 × 100 table" in panel(pilot)


async def test_an_unfinished_lab_says_so_and_the_games_table_stays(sandbox):
    game = Game()
    run = new_run(game)
    put_lab(game, run, "embeddings", STARTER)
    app = LabHost("EmbedExplorer", game, sandbox, run)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("y")
        text = await shows(pilot, "unfinished", timeout=30.0)
        assert "train_sgns" in text and app.screen.table is app.screen.shipped


# --- snapshots ------------------------------------------------------------------------------------------
def _still(pilot):
    return pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(snap_compare, size):
    assert snap_compare(Host(), terminal_size=size, press=["n", "n", "right"], run_before=_still)
