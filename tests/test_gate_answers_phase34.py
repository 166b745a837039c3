"""Phase III and IV content (modules 9-16): each Forge Gate answer is recomputed here from
first principles, typed the way a player would type it, and must pass the game's checker;
a plausible wrong answer must not. Also checks the shape of every module's content."""

from __future__ import annotations

import py_compile
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from forge_tui.checker import GateSpec, check_gate, steps_equal

LEVELS = Path(__file__).resolve().parents[1] / "levels"
FOLDERS = [
    "09-embeddings",
    "10-sequences-rnn",
    "11-attention",
    "12-transformer-block",
    "13-scaling-laws",
    "14-efficient-attention",
    "15-training-real-lm",
    "16-capstone",
]
FLAVORS = {"hacker", "mathematician", "linguist", "artist", "scientist", "builder"}


def load(folder: str) -> dict:
    return tomllib.loads((LEVELS / folder / "level.toml").read_text(encoding="utf-8"))


def spec(folder: str) -> GateSpec:
    g = load(folder)["gate"]
    return GateSpec(
        kind=g["kind"],
        answer=g.get("answer", ""),
        places=g.get("places"),
        symbols=tuple(g.get("symbols", "").split()),
    )


def accepted(folder: str, text: str) -> bool:
    return check_gate(spec(folder), text).accepted


# --------------------------------------------------------------------------- gates


def test_09_embedding_table_size():
    vocab, d_model = 50257, 768
    table = np.zeros((vocab, d_model), dtype=np.uint8)  # one learned number per entry
    typed = str(table.size)
    assert typed == "38597376"
    assert accepted("09-embeddings", typed)
    assert accepted("09-embeddings", "38,597,376".replace(",", ""))
    assert not accepted("09-embeddings", str(2 * table.size))  # counted input and output tables
    assert not accepted("09-embeddings", str(vocab + d_model))


def _lstm_count(h: int, d: int) -> int:
    """Count a real LSTM's arrays: 4 gates, each W (h, h+d) on [h_prev; x] and one bias (h,)."""
    gates = [(np.zeros((h, h + d)), np.zeros(h)) for _ in range(4)]
    return sum(W.size + b.size for W, b in gates)


def test_10_lstm_parameter_expression():
    h, d = sp.symbols("h d", positive=True)
    # fit the polynomial a*h^2 + b*h*d + c*h to real counts at a few sizes
    a, b, c = sp.symbols("a b c")
    eqs = [sp.Eq(a * hh**2 + b * hh * dd + c * hh, _lstm_count(hh, dd)) for hh, dd in [(1, 1), (2, 1), (1, 2)]]
    sol = sp.solve(eqs, [a, b, c])
    expr = sol[a] * h**2 + sol[b] * h * d + sol[c] * h
    for hh, dd in [(3, 5), (7, 2), (128, 64)]:
        assert expr.subs({h: hh, d: dd}) == _lstm_count(hh, dd)
    typed = str(sp.expand(expr)).replace("**", "^")  # e.g. "4*d*h + 4*h^2 + 4*h"
    assert accepted("10-sequences-rnn", typed)
    for alt in ["4h^2+4hd+4h", "4*(h*(h+d)+h)", "4h(h+d+1)", "4*h*(h + d) + 4*h", "4 h^2 + 4 h d + 4 h"]:
        assert accepted("10-sequences-rnn", alt), alt
    assert not accepted("10-sequences-rnn", "4*(h*(h+d)+2*h)")  # PyTorch's two biases per gate
    assert not accepted("10-sequences-rnn", "4*h*(h+d)")  # forgot the biases
    assert not accepted("10-sequences-rnn", "98816")  # a number, not an expression in h and d


def test_10_check_value_lives_in_a_derivation_not_the_prompt():
    level = load("10-sequences-rnn")
    assert _lstm_count(128, 64) == 98816
    assert "98816" not in level["gate"]["prompt"].replace(",", "")
    finals = [dv["steps"][-1]["expr"] for dv in level["math"]["derivations"]]
    assert "98816" in finals
    assert "4" in level["gate"]["prompt"] and "[h_prev; x]" in level["gate"]["prompt"]


def test_11_head_dimension():
    d_model, n_head = 512, 8
    heads = np.split(np.zeros(d_model), n_head)
    typed = str(heads[0].size)
    assert accepted("11-attention", typed)
    assert not accepted("11-attention", str(d_model * n_head))
    assert not accepted("11-attention", "8")


def test_12_gpt2_ffn_weights_of_one_block():
    d_model = 768
    W1 = np.zeros((d_model, 4 * d_model))  # expand
    W2 = np.zeros((4 * d_model, d_model))  # project back
    typed = str(W1.size + W2.size)
    assert typed == "4718592"
    assert accepted("12-transformer-block", typed)
    assert not accepted("12-transformer-block", str(W1.size))  # only one of the two matrices
    assert not accepted("12-transformer-block", str(12 * (W1.size + W2.size)))  # all 12 layers


def test_13_chinchilla_tokens_per_parameter():
    params, tokens = 70e9, 1.4e12  # Chinchilla: 70B parameters, 1.4T tokens
    typed = str(round(tokens / params))
    assert typed == "20"
    assert accepted("13-scaling-laws", typed)
    assert not accepted("13-scaling-laws", str(round(params / tokens * 1000)))  # upside down
    assert not accepted("13-scaling-laws", "2")  # ~GPT-3's ratio


def _kv_cache_bytes(n_layer: int, n_kv: int, d_head: int, t: int, nbytes: int = 2) -> int:
    k = np.zeros((n_layer, n_kv, t, d_head))
    v = np.zeros_like(k)
    return (k.size + v.size) * nbytes


def test_14_gqa_kv_cache_compression():
    mha = _kv_cache_bytes(96, 96, 128, 16)  # GPT-3: 96 layers, 96 heads of size 128
    gqa = _kv_cache_bytes(96, 8, 128, 16)
    assert mha % gqa == 0
    typed = str(mha // gqa)
    assert typed == "12"
    assert accepted("14-efficient-attention", typed)
    assert not accepted("14-efficient-attention", "8")  # the number of KV heads
    assert not accepted("14-efficient-attention", "96")


def test_14_gpt3_cache_per_token_matches_the_derivation():
    per_token = _kv_cache_bytes(96, 96, 128, 1)
    assert per_token == 4718592 == 9 * 2**19  # 4.5 MiB
    exprs = [s["expr"] for dv in load("14-efficient-attention")["math"]["derivations"] for s in dv["steps"]]
    assert str(per_token) in exprs


def test_15_dpo_loss_of_one_pair():
    # beta = 0.1 is the paper's default (Rafailov et al. 2023, Appendix B: "Unless noted
    # otherwise, we use beta = 0.1"); the loss itself is computed here from the definition.
    beta, r_w, r_l = 0.1, 2.0, -3.0
    loss = float(np.logaddexp(0.0, -beta * (r_w - r_l)))  # -log sigmoid(z) = log(1 + e^-z)
    typed = f"{loss:.3f}"
    assert typed == "0.474"
    assert accepted("15-training-real-lm", typed)
    assert accepted("15-training-real-lm", "-log(sigmoid(0.5))")
    assert not accepted("15-training-real-lm", f"{np.logaddexp(0.0, beta * (r_w - r_l)):.3f}")  # sign flipped
    assert not accepted("15-training-real-lm", f"{np.logaddexp(0.0, -(r_w - r_l)):.3f}")  # beta forgotten
    assert not accepted("15-training-real-lm", f"{np.logaddexp(0.0, -beta * (r_w + r_l)):.3f}")  # r_w + r_l
    prompt = load("15-training-real-lm")["gate"]["prompt"]
    assert "unless noted otherwise" in prompt and "3 decimal places" in prompt


def test_15_dpo_loss_at_start_is_log_2():
    # sanity of the math the module teaches: policy == reference gives -log sigmoid(0) = log 2
    z = 0.1 * ((0.0 - 0.0) - (0.0 - 0.0))
    assert np.isclose(np.logaddexp(0.0, -z), np.log(2.0))


@pytest.mark.parametrize("text", ["", "42", "0.1", "ResearchLab", "k/m", "yes"])
def test_16_capstone_has_no_password(text):
    s = spec("16-capstone")
    assert s.kind == "none"
    assert not check_gate(s, text).accepted


def test_16_prompt_explains_the_deliverables():
    prompt = load("16-capstone")["gate"]["prompt"].lower()
    assert "no password" in prompt and "deliverables" in prompt
    hints = " ".join(load("16-capstone")["gate"]["hints"]).lower()
    for word in ("question", "ablation", "baseline"):
        assert word in hints


# --------------------------------------------------------------------------- content shape


@pytest.mark.parametrize("folder", FOLDERS)
def test_module_shape(folder):
    level = load(folder)
    number = int(folder[:2])
    assert level["order"] == number
    assert level["phase"] == (3 if number <= 12 else 4)
    assert level["id"] == folder[3:]
    assert len(level["short"]) <= 14
    assert len(level["summary"]) <= 90
    words = len(level["hook"]["text"].split())
    assert 180 <= words <= 260, f"hook is {words} words"
    intro = len(level["math"]["intro"].split())
    assert 150 <= intro <= 350, f"math intro is {intro} words"
    derivations = level["math"]["derivations"]
    assert len(derivations) >= 2
    assert any(step.get("typed") for dv in derivations for step in dv["steps"])
    for dv in derivations:
        assert 3 <= len(dv["steps"]) <= 6, dv["title"]
        assert all(step.get("why") for step in dv["steps"][1:]), dv["title"]
    gate = level["gate"]
    assert len(gate["hints"]) == 3
    assert gate["prompt"].strip()
    assert set(level["side_quests"]) == FLAVORS
    assert all(0 < len(line) <= 90 for line in level["side_quests"].values())
    assert level["lab"]["brief"].strip() and level["boss"]["name"] and level["boss"]["brief"].strip()
    assert level["unlock"]["name"] and level["unlock"]["description"]


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_step_equals_the_last(folder):
    for dv in load(folder)["math"]["derivations"]:
        syms, assume = dv.get("symbols", ""), dv.get("assume", "real")
        for before, step in zip(dv["steps"], dv["steps"][1:]):
            assert steps_equal(before["expr"], step["expr"], syms, assume, at=step.get("at") or None), (
                f"{folder} '{dv['title']}': {before['expr']!r} -> {step['expr']!r}"
            )


def test_unlock_names_follow_the_curriculum():
    names = [load(f)["unlock"]["name"] for f in FOLDERS]
    assert names == ["EmbedExplorer", "SeqLab", "AttentionMap", "BlockBuilder",
                     "ScaleScope", "KernelLab", "TrainerHub", "ResearchLab"]


@pytest.mark.parametrize("folder", FOLDERS)
def test_python_starter_compiles_and_names_the_brief_functions(folder, tmp_path):
    starter = LEVELS / folder / "lab" / "python.py"
    py_compile.compile(str(starter), cfile=str(tmp_path / "s.pyc"), doraise=True)
    source = starter.read_text(encoding="utf-8")
    assert 30 <= len(source.splitlines()) <= 250  # a starting point, not a solution to read
    assert 'if __name__ == "__main__":' in source
    brief = load(folder)["lab"]["brief"]
    named = set(re.findall(r"^- `([A-Za-z_][A-Za-z_0-9]*)[(`]", brief, re.M))  # the listed functions
    assert named, folder
    for name in named:
        assert re.search(rf"^(def|class) {name}\b|^    def {name}\b", source, re.M), f"{folder}: {name}"
