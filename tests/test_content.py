"""Content is correct by construction: it loads, every derivation step is checked by
sympy through the game's own safe parser, and the engine picks up new folders."""

from __future__ import annotations

import shutil

import pytest

from forge_tui.checker import check_gate, steps_equal, to_sympy
from forge_tui.content import PARTS, load_catalog
from forge_tui.flavors import BY_ID

CATALOG = load_catalog()
MODULES = CATALOG.modules
DERIVATIONS = [
    pytest.param(module, d_index, id=f"{module.number}-{d_index + 1}")
    for module in MODULES
    for d_index in range(len(module.derivations))
]


def test_modules_are_numbered_in_order_and_every_phase_has_some():
    """No count is pinned here: a 17th level folder must not fail the suite."""
    assert [m.order for m in MODULES] == list(range(1, len(MODULES) + 1))
    assert [p.number for p in CATALOG.phases] == list(range(1, len(CATALOG.phases) + 1))
    assert all(p.modules for p in CATALOG.phases)
    assert sum(len(p.modules) for p in CATALOG.phases) == len(MODULES)
    assert len({m.id for m in MODULES}) == len(MODULES)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.number)
def test_module_is_complete(module):
    assert len(module.short) <= 14
    assert len(module.derivations) >= 2
    assert any(step.typed for d in module.derivations for step in d.steps)
    assert len(module.gate.hints) == 3
    assert set(module.side_quests) == set(BY_ID)
    assert module.starter_path("python") is not None
    assert module.unlock_name and module.boss_brief and module.lab_brief
    words = len(module.hook.split())
    assert 150 <= words <= 300, f"hook is {words} words; about 90 seconds of reading is 180-260"


@pytest.mark.parametrize("module, d_index", DERIVATIONS)
def test_every_derivation_step_follows_from_the_last(module, d_index):
    derivation = module.derivations[d_index]
    for before, step in zip(derivation.steps, derivation.steps[1:]):
        assert steps_equal(
            before.expr, step.expr, derivation.symbols, derivation.assume, at=step.at or None
        ), f"{module.number} '{derivation.title}': {before.expr!r} does not equal {step.expr!r} (at {step.at!r})"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.number)
def test_gate_answer_parses_with_the_safe_parser_and_is_accepted(module):
    gate = module.gate
    if not gate.has_password:
        assert not check_gate(gate.spec(), "42").accepted
        return
    to_sympy(gate.answer, gate.symbols)
    assert check_gate(gate.spec(), gate.answer).accepted


def test_a_dropped_in_module_appears_on_the_map_and_in_the_cli(tmp_path, monkeypatch, capsys):
    from forge_tui.cli import main

    content = tmp_path / "levels"
    shutil.copytree(MODULES[0].folder.parent, content)
    extra = content / "17-bonus-round"
    shutil.copytree(content / MODULES[0].folder.name, extra)
    toml = (extra / "level.toml").read_text(encoding="utf-8")
    toml = toml.replace(f'id = "{MODULES[0].id}"', 'id = "bonus-round"', 1)
    toml = toml.replace("order = 1\n", "order = 17\n", 1).replace("phase = 1\n", "phase = 4\n", 1)
    toml = toml.replace(f'short = "{MODULES[0].short}"', 'short = "Bonus"', 1)
    (extra / "level.toml").write_text(toml, encoding="utf-8")
    monkeypatch.setenv("NEURALFORGE_CONTENT", str(content))

    catalog = load_catalog()
    assert catalog.module("17").id == "bonus-round"
    assert catalog.phases[3].modules[-1].id == "bonus-round"

    assert main(["new", "--name", "ada", "--flavors", "hacker,artist"]) == 0
    assert main(["status"]) == 0
    assert "17 " in capsys.readouterr().out
    assert main(["gate", "17", "1"]) == 2  # known to the CLI, and locked


def test_parts_are_the_six_of_the_design():
    assert PARTS == ("hook", "math", "lab", "boss", "gate", "unlock")
