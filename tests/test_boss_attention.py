"""Module 11 (Attention): the lab checks and the boss, The Mirror Head.

The reference passes every check and wins the boss on several seeds; the starter fails the checks
and loses every case; each wrong solution loses; a small change to any function of the reference
fails a check or loses the boss; the judge's NumPy semantics equal torch.nn.MultiheadAttention's
(when torch is installed); the judges hold against garbage and the cases carry inputs only.
Most of it runs in-process the way the sandboxed child runs a case; one fight and one check run
go through the real sandbox.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from bosskit import BossKit, lab_at, lab_from, run_case, sandbox  # noqa: F401 - sandbox is a fixture
from conftest import REPO
from forge_tui.boss import fight_sync, load_boss
from forge_tui.labcheck import check_lab_sync, load_checks

BOSS_DIR = REPO / "bosses" / "attention"
REFERENCE = BOSS_DIR / "reference.py"
STARTER = REPO / "levels" / "11-attention" / "lab" / "python.py"
WRONG = sorted(path.stem for path in (BOSS_DIR / "wrong").glob("*.py"))
SEEDS = (0, 1, 2, 3)


KIT = BossKit(BOSS_DIR)
boss, checks, fight, run_checks = KIT.boss, KIT.checks, KIT.fight, KIT.run_checks


# ---------------------------------------------------------------- the boss: wins and losses

def test_reference_wins_every_case():
    lab = lab_at(REFERENCE)
    for seed in SEEDS:
        lost = [v for v in fight(lab, seed) if not v[1]]
        assert not lost, f"seed {seed}: {lost}"


def test_starter_loses_every_case():
    results = fight(lab_at(STARTER), 0)
    assert results and not any(passed for _, passed, _ in results)


def test_at_least_five_wrong_solutions_each_naming_its_mistake():
    assert len(WRONG) >= 5
    for name in WRONG:
        first = (BOSS_DIR / "wrong" / f"{name}.py").read_text().splitlines()[0]
        assert first.startswith('"""Wrong on purpose: '), name


@pytest.mark.parametrize("name", WRONG)
def test_wrong_solution_loses(name):
    lab = lab_at(BOSS_DIR / "wrong" / f"{name}.py")
    for seed in SEEDS[:3]:
        assert any(not passed for _, passed, _ in fight(lab, seed)), f"{name} won with seed {seed}"


def test_each_wrong_solution_loses_the_case_made_for_it():
    lost = {name: {case for case, passed, _ in fight(lab_at(BOSS_DIR / "wrong" / f"{name}.py"), 4) if not passed}
            for name in WRONG}
    assert "causal mask" in lost["attn_mask_true_means_attend"]
    assert "key padding" in lost["mask_after_softmax"]
    assert lost["weights_always_averaged"] == {"causal and padding, per head", "float mask"}
    assert lost["softmax_without_max"] == {"large scores"}
    assert "self-attention" in lost["no_scale"] and "self-attention" in lost["heads_interleaved"]


# ---------------------------------------------------------------- the cases and the judge

def test_cases_are_well_formed_and_fresh_per_seed():
    cases = boss().cases(np.random.default_rng(5))
    assert len(cases) >= 8 and len({case["name"] for case in cases}) == len(cases)
    for case in cases:
        assert all(isinstance(case[key], str) and case[key] for key in ("name", "summary", "hint"))
        assert case["call"]["function"] == boss().ENTRY
        json.dumps(case, allow_nan=False)
        assert not {"expected", "answer", "solution"} & set(case)

    def draw(seed):
        return json.dumps(boss().cases(np.random.default_rng(seed)), sort_keys=True)

    assert draw(7) == draw(7) and draw(7) != draw(8)


def test_no_answer_in_the_cases():
    lab = lab_at(REFERENCE)
    for case in boss().cases(np.random.default_rng(3)):
        shipped = json.dumps(case)
        _, (out, _) = run_case(lab, case)
        for number in np.ravel(out)[:50]:
            assert repr(float(number)) not in shipped, case["name"]


def test_judge_semantics_equal_torch_multihead_attention():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    for seed in (0, 1):
        for case in boss().cases(np.random.default_rng(seed)):
            args, kwargs = boss()._inputs(case)
            query, key, value, heads, w_in, b_in, w_out, b_out = args
            E = query.shape[-1]
            layer = torch.nn.MultiheadAttention(E, heads, batch_first=kwargs["batch_first"]).double().eval()
            with torch.no_grad():
                for parameter, array in zip((layer.in_proj_weight, layer.in_proj_bias, layer.out_proj.weight,
                                             layer.out_proj.bias), (w_in, b_in, w_out, b_out)):
                    parameter.copy_(torch.from_numpy(array))
                masks = {name: torch.from_numpy(kwargs[name]) for name in ("key_padding_mask", "attn_mask")
                         if name in kwargs}
                out, weights = layer(*(torch.from_numpy(t) for t in (query, key, value)), need_weights=True,
                                     average_attn_weights=kwargs["average_attn_weights"], **masks)
            want_out, want_weights = boss().expected(case)
            assert np.abs(out.numpy() - want_out).max() < 1e-10, case["name"]  # values up to ~30: float64 rounding
            assert np.abs(weights.numpy() - want_weights).max() < 1e-10, case["name"]


GARBAGE = [None, "x", 0, 1.5, float("nan"), [], [None], [[1.0]], {"a": 1}, [[1.0, 2.0], [3.0]],
           ["out", "weights"], [[[["x"]]], [[1.0]]], [float("inf")] * 2]


def test_judge_holds_against_garbage():
    case = boss().cases(np.random.default_rng(0))[0]
    for junk in GARBAGE:
        passed, _, message = boss().judge(case, junk)
        assert not passed and message


def test_judge_names_the_worst_entry_and_accepts_within_tolerance():
    case = boss().cases(np.random.default_rng(0))[0]
    out, weights = boss().expected(case)
    nudged = out.copy()
    nudged[1, 0, 3] += 1e-4
    passed, _, message = boss().judge(case, [nudged.tolist(), weights.tolist()])
    assert not passed and message.startswith("out[1, 0, 3]")
    nudged[1, 0, 3] = out[1, 0, 3] + 5e-7
    assert boss().judge(case, [nudged.tolist(), weights.tolist()])[0]
    passed, _, message = boss().judge(case, [out.tolist(), weights[:, :, :-1].tolist()])
    assert not passed and "shape" in message


# ---------------------------------------------------------------- the lab checks

def test_checks_are_many_deterministic_and_cover_every_function():
    listed = checks().checks()
    assert len(listed) >= 5 and json.dumps(listed) == json.dumps(checks().checks())
    called = {c["call"]["function"] for c in listed if "call" in c}
    assert {"softmax", "attention", "causal_mask", "multi_head_attention", "sinusoidal_positions", "rope"} <= called
    assert any("lab.rope" in c.get("script", "") for c in listed)


def test_reference_passes_every_check():
    failed = [v for v in run_checks(lab_at(REFERENCE)) if not v[1]]
    assert not failed, failed


def test_starter_fails_the_checks():
    assert not any(passed for _, passed, _ in run_checks(lab_at(STARTER)))


def test_rope_check_tells_a_shift_invariant_fake_from_a_rotation():
    case = next(c for c in checks().checks() if c["name"] == "RoPE sees only relative position")
    reference = lab_at(REFERENCE)
    fake = lab_from("import numpy as np\ndef rope(x, pos, base=10000.0):\n    return np.asarray(x, float)\n", "fake")
    ran, got = run_case(fake, case)
    passed, _, message = checks().judge(case, got)
    assert ran and not passed and "not the rotated ones" in message
    assert checks().judge(case, run_case(reference, case)[1])[0]


# Each (function, text in the reference, replacement): a small slip a learner makes.
MUTATIONS = [
    ("softmax", "x.max(axis=axis, keepdims=True)", "x.max()"),
    ("softmax", "e.sum(axis=axis, keepdims=True)", "e.sum(axis=0, keepdims=True)"),
    ("softmax", "np.exp(x - x.max", "np.exp(x + x.max"),
    ("attention", "/ np.sqrt(d_k)", "/ d_k"),
    ("attention", "np.where(mask, scores, -np.inf)", "np.where(mask, scores, 0.0)"),
    ("attention", "d_k = q.shape[-1]", "d_k = q.shape[0]"),
    ("attention", "axis=-1)", "axis=-2)"),
    ("causal_mask", "np.tril(", "np.triu("),
    ("causal_mask", "dtype=bool))", "dtype=bool), -1)"),
    ("multi_head_attention", "m.reshape(T, n_head, d_k).transpose(1, 0, 2)", "m.reshape(n_head, T, d_k)"),
    ("multi_head_attention", "@ W_o", "@ W_o.T"),
    ("multi_head_attention", "mask = causal_mask(T) if causal else None", "mask = None"),
    ("multi_head_attention", "out.transpose(1, 0, 2)", "out.transpose(0, 1, 2)"),
    ("sinusoidal_positions", "pe[:, 0::2] = np.sin(angles)", "pe[:, 0::2] = np.cos(angles)"),
    ("sinusoidal_positions", "np.arange(0, d, 2) / d", "np.arange(0, d, 1)[: d // 2] / d"),
    ("sinusoidal_positions", "base ** (-", "base ** (+"),
    ("rope", "x1 * cos - x2 * sin", "x1 * cos + x2 * sin"),
    ("rope", "x1 * sin + x2 * cos", "x2 * sin + x1 * cos"),
    ("rope", "np.arange(0, d, 2) / d", "np.arange(0, d, 2) / (d - 1)"),
    ("rope", "x[:, 0::2], x[:, 1::2]", "x[:, 1::2], x[:, 0::2]"),
    ("torch_mha", "/ np.sqrt(d_k)", ""),
    ("torch_mha", "W_q.T + b_q", "W_q + b_q"),
    ("torch_mha", "W_k.T + b_k", "W_k + b_k"),
    ("torch_mha", "W_v.T + b_v", "W_v"),
    ("torch_mha", "np.where(attn_mask, -np.inf, scores)", "np.where(attn_mask, scores, -np.inf)"),
    ("torch_mha", "else scores + attn_mask", "else scores - attn_mask"),
    ("torch_mha", "[:, None, None, :], -np.inf", "[None, :, None, :], -np.inf"),
    ("torch_mha", "weights.mean(axis=1)", "weights.mean(axis=0)"),
    ("torch_mha", "@ np.asarray(out_proj_weight).T + out_proj_bias", "@ np.asarray(out_proj_weight).T"),
    ("torch_mha", "transpose(2, 0, 1, 3).reshape(L, N, E)", "transpose(2, 0, 3, 1).reshape(L, N, E)"),
    ("torch_mha", "t.reshape(t.shape[0], N, num_heads, d_k)", "t.reshape(t.shape[0], N, d_k, num_heads)"),
    ("torch_mha", "out = np.swapaxes(out, 0, 1)", "out = out"),
]


def mutated_reference(function: str, old: str, new: str) -> str:
    """The reference with `old` replaced by `new` once, inside `function` only."""
    source = REFERENCE.read_text()
    start = source.index(f"\ndef {function}(")
    end_match = re.compile(r"\n(def |if __name__)").search(source, start + 1)
    end = end_match.start() if end_match else len(source)
    body = source[start:end]
    assert body.count(old) == 1, (function, old)
    return source[:start] + body.replace(old, new) + source[end:]


@pytest.mark.parametrize(("function", "old", "new"), MUTATIONS, ids=[f"{f}:{o}" for f, o, _ in MUTATIONS])
def test_a_small_change_to_the_reference_is_caught(function, old, new):
    lab = lab_from(mutated_reference(function, old, new), f"_mutant_{function}")
    assert KIT.catches(lab), f"{function}: {old!r} -> {new!r} passed every check and won the boss"


# ---------------------------------------------------------------- through the sandbox

def test_the_sandboxed_fight_and_checks_agree(sandbox):
    real = load_boss("attention", root=REPO / "bosses")
    report = fight_sync(real, REFERENCE, sandbox, seed=5)
    assert report.won, report.message
    starter = fight_sync(real, STARTER, sandbox, seed=5)
    assert not starter.won and starter.passed == 0
    lab_checks = load_checks("attention", root=REPO / "bosses")
    passed = check_lab_sync(lab_checks, REFERENCE, sandbox)
    assert passed.all_passed, passed.message
    failed = check_lab_sync(lab_checks, STARTER, sandbox)
    assert not failed.all_passed and failed.passed == 0


# ---------------------------------------------------------------- the level says what is judged

def test_the_briefs_state_what_is_judged():
    import tomllib

    level = tomllib.loads((REPO / "levels" / "11-attention" / "level.toml").read_text(encoding="utf-8"))
    words = {10: "Ten", 11: "Eleven"}
    assert f"{words[len(boss().cases(np.random.default_rng(0)))]} hidden cases" in level["boss"]["brief"]
    assert boss().TOLERANCE == 1e-6 and "**1e-6**" in level["boss"]["brief"]
    assert f"{words[len(checks().checks())]} checks" in level["lab"]["brief"]
    for function in ("softmax", "attention", "causal_mask", "multi_head_attention", "sinusoidal_positions", "rope"):
        assert f"`{function}(" in level["lab"]["brief"]
    assert f"`{boss().ENTRY}(" in level["boss"]["brief"]
