"""A victory cannot be replayed: only fresh secret cases, won twice, defeat a boss.

The attack: fight module 1 once with a fixed seed (`neuralforge boss 1 --seed 7`), copy the
expected answers the report prints, and write a lab that does no search at all, only a lookup
(it recognises a recorded case by the recorded pairs' cosines on its own input). That lab wins
the practice fight, which records nothing, and loses every fight that counts.
"""

from __future__ import annotations

import argparse
import ast
import json
import secrets

import numpy as np
import pytest

from forge_tui.boss import PRACTICE, child_case, fight_sync, load_boss
from forge_tui.commands import boss as boss_command
from forge_tui.game import Game
from forge_tui.locations import bosses_directory
from forge_tui.runner import Sandbox

MODULE = "vector-awakens"

LOOKUP_LAB = '''
import math

ANSWERS = {answers!r}  # every case's expected pairs, copied from a practice fight's report


def cosine(u, v):
    lengths = math.sqrt(sum(a * a for a in u) * sum(b * b for b in v))
    return sum(a * b for a, b in zip(u, v)) / lengths if lengths else 2.0  # 2: matches no cosine


def closest_pairs(words, vectors, k=5):
    """No search: the recorded case whose pairs have the recorded cosines on this input."""
    row = {{word: i for i, word in enumerate(words)}}
    for pairs in ANSWERS:
        if all(a in row and b in row and abs(cosine(vectors[row[a]], vectors[row[b]]) - s) < 1e-6
               for a, b, s in pairs):
            return pairs
    return []
'''


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="neuralforge")
    boss_command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return args.handler(args)


@pytest.fixture
def run_state(isolated_home):
    return Game().store.create_run("Ada", ["hacker", "mathematician"], "python")


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


def defeated(run_state) -> bool:
    return Game().store.load(run_state.id).progress(MODULE).boss_defeated


def expected_answers(output: str) -> list[list]:
    """What an attacker copies from a report: each failed case's expected pairs."""
    return [ast.literal_eval(f"[{line.split('expected: ', 1)[1]}]")
            for line in output.splitlines() if line.strip().startswith("expected: ")]


def lookup_lab(tmp_path, capsys) -> str:
    """The attack's lab, built from a practice fight of a lab that answers nothing."""
    empty = tmp_path / "empty.py"
    empty.write_text("def closest_pairs(words, vectors, k=5):\n    return []\n")
    assert cli("boss", "1", "--seed", "7", "--file", str(empty)) == 1
    answers = expected_answers(capsys.readouterr().out)
    import numpy as np

    from forge_tui.boss import load_boss

    cases = load_boss("vector-awakens").module.cases(np.random.default_rng(7))
    assert len(answers) == len(cases) and all(len(pairs) >= 3 for pairs in answers)
    path = tmp_path / "lookup.py"
    path.write_text(LOOKUP_LAB.format(answers=answers))
    return str(path)


def test_the_starter_shows_no_answers_an_empty_answer_shows_them_all(run_state, tmp_path, capsys):
    assert cli("boss", "1", "--seed", "7") == 1  # the run's lab, made from the starter: it raises
    assert expected_answers(capsys.readouterr().out) == []
    lookup_lab(tmp_path, capsys)


def test_a_replayed_victory_is_practice_only(run_state, tmp_path, capsys):
    lab = lookup_lab(tmp_path, capsys)
    assert cli("boss", "1", "--seed", "7", "--file", lab) == 0  # the practice fight: won by lookup
    out = capsys.readouterr().out
    assert "Victory" in out and PRACTICE in out
    assert PRACTICE == "practice fight with a fixed seed: a victory here is not recorded"
    assert not defeated(run_state)

    assert cli("boss", "1", "--file", lab) == 1  # a fight that counts: fresh secret cases
    out = capsys.readouterr().out
    assert "Defeat" in out and "Victory" not in out and "expected: " in out
    assert not defeated(run_state)


def test_a_lab_that_knows_the_first_fights_cases_loses_the_confirmation(run_state, tmp_path, capsys,
                                                                          sandbox, monkeypatch):
    lab = lookup_lab(tmp_path, capsys)
    seeds = iter([7])  # as if the first secret fight had drawn the very cases the attacker saw
    monkeypatch.setattr("forge_tui.boss._secret_seed", lambda: next(seeds, secrets.randbits(64)))
    seen = []
    report = fight_sync(load_boss(MODULE), lab, sandbox, on_case=seen.append)
    first = [case for case in seen if case.round == 1]
    assert first and all(case.passed for case in first)  # the first fight was won by lookup
    assert not report.won and not report.counts
    assert report.message.startswith("Defeat in the confirmation fight on fresh secret cases")
    game = Game()
    assert game.record_fight(run_state, game.catalog.module(MODULE), report) == run_state
    assert not defeated(run_state)


def test_a_real_victory_is_confirmed_on_fresh_cases_then_recorded(run_state, sandbox):
    boss = load_boss(MODULE)
    seen = []
    report = fight_sync(boss, boss.reference_path, sandbox, on_case=seen.append)
    assert report.won and report.confirmed and report.counts and not report.practice
    count = len(report.cases)
    assert [(c.round, c.index) for c in seen] == [(r, i) for r in (1, 2) for i in range(count)]
    assert report.message == f"Victory: all {count} cases passed, and all {count} fresh secret cases " \
                             "of the confirmation fight."
    assert [c.summary for c in seen[:count]] == [c.summary for c in seen[count:]]  # same kinds of case
    game = Game()
    game.record_fight(run_state, game.catalog.module(MODULE), report)
    assert defeated(run_state)


def test_a_practice_victory_is_never_recorded(run_state, sandbox):
    boss = load_boss(MODULE)
    report = fight_sync(boss, boss.reference_path, sandbox, seed=7)
    assert report.won and report.practice and not report.counts
    assert report.message.endswith(f"({PRACTICE})")
    game = Game()
    game.record_fight(run_state, game.catalog.module(MODULE), report)
    assert not defeated(run_state)


def boss_ids() -> list[str]:
    return sorted(p.parent.name for p in bosses_directory().glob("*/boss.py"))


@pytest.mark.parametrize("module", boss_ids())
def test_every_fight_has_cases_no_practice_fight_showed(module):
    """A lookup table filled from 20 practice fights answers some of a boss's cases at most
    (a case with few variants can repeat), never all of a fight that counts."""
    boss = load_boss(module)

    def inputs(seed: int) -> list[str]:
        return [json.dumps(child_case(case), sort_keys=True) for case in boss.module.cases(np.random.default_rng(seed))]

    table = {payload for seed in range(20) for payload in inputs(seed)}
    fresh = [payload not in table for payload in inputs(secrets.randbits(64))]
    assert any(fresh), f"{module}: every case of a secret fight was seen in practice"
