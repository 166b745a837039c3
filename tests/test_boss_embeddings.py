"""Module 9 (Embeddings): the lab checks and the boss, The Royal Analogy.

The reference passes every check and wins the boss on several seeds; the starter fails every check
and loses every case; each wrong solution loses the case planted for its slip; a small change to any
function of the reference fails a check or loses the boss; the shipped table answers the classic
analogy and every analogy of the boss's pools; the judges hold against garbage and the cases carry
inputs only. Most of it runs in-process the way the sandboxed child runs a case; one fight and one
check run go through the real sandbox.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from bosskit import BossKit, decode, encode, lab_at, lab_from, lost, sandbox, verdicts  # noqa: F401 - sandbox is a fixture
from conftest import REPO
from forge_tui.boss import child_case, fight_sync, load_boss
from forge_tui.labcheck import check_lab_sync, load_checks

BOSS_DIR = REPO / "bosses" / "embeddings"
REFERENCE = BOSS_DIR / "reference.py"
STARTER = REPO / "levels" / "09-embeddings" / "lab" / "python.py"
WRONG = sorted(path.stem for path in (BOSS_DIR / "wrong").glob("*.py"))
SEEDS = (0, 1, 2)


KIT = BossKit(BOSS_DIR, draw_once=True)
boss, checks, check_list, cases, fight = KIT.boss, KIT.checks, KIT.check_list, KIT.cases, KIT.fight
run_checks = KIT.run_checks


def first_failed_check(lab) -> str | None:
    """The first check the lab fails, the training check (a second of work) tried last."""
    ordered = sorted(check_list(), key=lambda c: "train_sgns" in c.get("script", ""))
    for case in ordered:
        (name, passed, _), = verdicts(checks().judge, lab, [case])
        if not passed:
            return name
    return None


# ---------------------------------------------------------------- the shipped table answers

def test_the_shipped_table_puts_queen_in_the_top_5_for_king_minus_man_plus_woman():
    reference = lab_at(REFERENCE)
    vocab, W = boss().shipped()
    words = [w for w, _ in reference.analogy(W, list(vocab), "man", "king", "woman", k=5)]
    assert words[:2] == ["henry", "queen"], words  # as the boss brief and DATA.md say


@pytest.mark.parametrize("pool", sorted(boss().POOLS))
def test_every_pool_analogy_has_its_answer_in_the_top_5(pool):
    vocab, W = boss().shipped()
    for a, b, c, d in boss().POOLS[pool]:
        words = [w for w, _ in boss().ranking(W, list(vocab), a, b, c, 5)]
        assert d in words, (a, b, c, d, words)


def test_a_turned_table_gives_the_same_answers():
    vocab, W = boss().shipped()
    turned_vocab, turned = boss()._turned(np.random.default_rng(3))
    assert sorted(turned_vocab) == sorted(vocab) and turned_vocab != list(vocab)
    plain = boss().ranking(W, list(vocab), "lord", "lady", "man", 5)
    again = boss().ranking(turned, turned_vocab, "lord", "lady", "man", 5)
    assert [w for w, _ in plain] == [w for w, _ in again]
    assert np.allclose([s for _, s in plain], [s for _, s in again], atol=1e-12)


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
    for seed in SEEDS:
        assert any(not passed for _, passed, _ in fight(lab, seed)), f"{name} won with seed {seed}"


PLANTED_FOR = {  # each slip, and the planted table drawn until it tells that slip from the right search
    "query_words_kept": "the query words are the closest",
    "top_k_then_exclude": "the query words are the closest",
    "euclidean_distance": "lengths from 0.05 to 20",
    "dot_product_ranking": "lengths from 0.05 to 20",
    "unnormalised_rows": "one long query word",
    "a_minus_b_plus_c": "one long query word",
    "columns_normalised": "k = 8, uneven columns",
    "k_fixed_at_five": "k = 8, uneven columns",
    "query_words_scored_zero": "words facing away",
}


def test_each_wrong_solution_loses_the_table_planted_for_it():
    assert set(PLANTED_FOR) <= set(WRONG)
    for name, planted in PLANTED_FOR.items():
        lab = lab_at(BOSS_DIR / "wrong" / f"{name}.py")
        for seed in (5, 6):
            lost = {case for case, passed, _ in fight(lab, seed) if not passed}
            assert planted in lost, (name, seed, lost)


def test_a_cosine_not_divided_by_the_target_length_loses_every_case():
    lab = lab_at(BOSS_DIR / "wrong" / "cosine_not_divided_by_target.py")
    results = fight(lab, 1)
    assert not any(passed for _, passed, _ in results)
    assert all(message.startswith("the cosine of") for _, _, message in results)


# ---------------------------------------------------------------- the cases and the judge

def _signature(case_list) -> list:
    """What tells one fight's cases from another's, without serialising five 4,000-row tables."""
    return [(c["name"], c["call"]["args"][2:], c["call"]["kwargs"], c["call"]["args"][1][:5],
             c["call"]["args"][0]["__ndarray__"][0][:3]) for c in case_list]


def test_cases_are_well_formed_and_fresh_per_seed():
    drawn = cases(0)
    assert len(drawn) >= 8 and len({case["name"] for case in drawn}) == len(drawn)
    for case in drawn:
        assert all(isinstance(case[key], str) and case[key] for key in ("name", "summary", "hint"))
        assert case["call"]["function"] == boss().ENTRY
        W, vocab, a, b, c = case["call"]["args"]
        assert np.array(W["__ndarray__"]).shape[0] == len(vocab) == len(set(vocab))
        assert {a, b, c} <= set(vocab) and len({a, b, c}) == 3
    assert _signature(boss().cases(np.random.default_rng(0))) == _signature(drawn)
    assert _signature(cases(1)) != _signature(drawn)


def test_the_child_gets_inputs_only():
    for case in cases(0):
        sent = child_case(case)
        assert set(sent) == {"call"} and set(sent["call"]) == {"function", "args", "kwargs"}
        assert "must" not in json.dumps(sent["call"]["kwargs"])


def test_the_classic_case_needs_queen():
    case = cases(0)[0]
    assert case["must"] == "queen" and case["call"]["args"][2:] == ["man", "king", "woman"]
    W, vocab, a, b, c, k = boss()._inputs(case)
    right = boss().ranking(W, vocab, a, b, c, k)
    without_queen = [pair for pair in right if pair[0] != "queen"] + [boss().ranking(W, vocab, a, b, c, 6)[-1]]
    passed, _, message = boss().judge(case, without_queen)
    assert not passed and "'queen' is not in your top 5" in message


GARBAGE = [None, "x", 0, 1.5, float("nan"), [], [None], [["queen"]], {"a": 1}, [["queen", "0.5"]] * 5,
           [["queen", float("nan")]] * 5, [[1.0, 2.0]] * 5, [["queen", True]] * 5]


def test_judge_holds_against_garbage():
    case = cases(0)[5]
    for junk in GARBAGE:
        passed, _, message = boss().judge(case, junk)
        assert not passed and message


def test_judge_reads_the_cosines_to_the_tolerance():
    case = cases(0)[6]
    W, vocab, a, b, c, k = boss()._inputs(case)
    right = boss().ranking(W, vocab, a, b, c, k)
    assert boss().judge(case, right)[0]
    nudged = [(w, s + 5e-7) for w, s in right]
    assert boss().judge(case, nudged)[0]
    nudged[2] = (nudged[2][0], nudged[2][1] + 1e-5)
    passed, _, message = boss().judge(case, nudged)
    assert not passed and message.startswith(f"the cosine of {right[2][0]!r} is")
    passed, _, message = boss().judge(case, right[::-1])
    assert not passed and "not best first" in message


# ---------------------------------------------------------------- the lab checks

FUNCTIONS = ("one_hot", "cosine", "skipgram_pairs", "noise_distribution", "sample_negatives",
             "sgns_loss_grads", "sgns_step", "train_sgns", "nearest", "pca_2d", "analogy")


def test_checks_are_many_deterministic_and_cover_every_function():
    listed = check_list()
    assert len(listed) >= 5 and json.dumps(listed) == json.dumps(checks().checks())
    used = " ".join(c["call"]["function"] if "call" in c else c["script"] for c in listed)
    for function in FUNCTIONS:
        assert re.search(rf"\b{function}\b", used), function


def test_reference_passes_every_check():
    failed = [v for v in run_checks(lab_at(REFERENCE)) if not v[1]]
    assert not failed, failed


def test_starter_fails_every_check():
    assert not any(passed for _, passed, _ in run_checks(lab_at(STARTER)))


def test_starter_names_every_function_the_brief_asks_for():
    starter = lab_at(STARTER)
    for function in FUNCTIONS:
        assert callable(getattr(starter, function, None)), function


def _check(name: str) -> dict:
    return next(c for c in check_list() if c["name"] == name)


def test_gradient_check_is_against_central_differences_not_a_formula():
    case = _check("SGNS gradient vs central differences")
    v, u_o, U_neg = (decode(a) for a in case["call"]["args"])
    numeric = checks()._central_differences(v, u_o, U_neg)
    s = u_o @ v
    assert np.allclose(numeric[1], (1 / (1 + np.exp(-s)) - 1) * v, atol=1e-9)  # σ(s) - 1 times v
    flipped = [0.0, *(-g for g in numeric)]
    passed, _, message = checks().judge(case, encode(flipped))
    assert not passed and message.startswith("dL/dv")


def test_sampler_check_tells_raw_counts_and_uniform_draws_from_the_power():
    case = _check("negatives follow unigram^0.75")
    counts = np.array(checks().SAMPLER_COUNTS, dtype=float)
    for p in (counts / counts.sum(), np.full(len(counts), 1 / len(counts))):
        draws = np.random.default_rng(0).choice(len(p), size=checks().SAMPLES, p=p)
        got = {"size": int(draws.size), "low": int(draws.min()), "high": int(draws.max()),
               "counts": np.bincount(draws, minlength=len(p)).tolist()}
        passed, _, message = checks().judge(case, got)
        assert not passed and "standard errors" in message


def test_training_check_refuses_summed_losses_and_a_loss_that_stalls():
    case = _check("training on the corpus lowers the loss")
    V = len(checks().corpus_ids()[1])
    good = {"losses": [3.9, 3.0, 2.7], "trained": 2.6, "shapes": [[V, 16], [V, 16]]}
    assert checks().judge(case, good)[0]
    for bad in ({**good, "losses": [39000.0, 30000.0, 27000.0]}, {**good, "losses": [3.9, 3.95, 3.0]},
                {**good, "trained": 4.1}, {**good, "shapes": [[V, 32], [V, 16]]}, {**good, "losses": [3.9, 3.0]}):
        assert not checks().judge(case, bad)[0], bad


# Each (function, text in the reference, replacement): a small slip a learner makes.
MUTATIONS = [
    ("one_hot", "codes[np.arange(len(ids)), ids] = 1.0", "codes[np.arange(len(ids)), ids] += 2.0"),
    ("one_hot", "np.zeros((len(ids), V))", "np.zeros((len(ids), V + 1))"),
    ("one_hot", "codes[np.arange(len(ids)), ids]", "codes[np.arange(len(ids)), ids - 1]"),
    ("cosine", "np.linalg.norm(u) * np.linalg.norm(v)", "np.linalg.norm(u) ** 2"),
    ("cosine", "float(u @ v", "float(abs(u @ v)"),
    ("skipgram_pairs", "i + window + 1", "i + window"),
    ("skipgram_pairs", "max(0, i - window)", "max(1, i - window)"),
    ("skipgram_pairs", "if j != i:", "if True:"),
    ("skipgram_pairs", "(int(centre), int(ids[j]))", "(int(ids[j]), int(ids[j]))"),
    ("noise_distribution", "power=0.75", "power=1.0"),
    ("noise_distribution", "weights / weights.sum()", "weights / weights.max()"),
    ("sample_negatives", "size=n, p=p", "size=n"),
    ("sample_negatives", "size=n, p=p", "size=n - 1, p=p"),
    ("log_sigmoid", "np.logaddexp(0.0, -s)", "np.logaddexp(0.0, s)"),
    ("sgns_loss_grads", "sigmoid(s_o) - 1.0", "sigmoid(s_o)"),
    ("sgns_loss_grads", "log_sigmoid(-s_neg).sum()", "log_sigmoid(s_neg).sum()"),
    ("sgns_loss_grads", "g_o * v, np.outer", "g_o * u_o, np.outer"),
    ("sgns_loss_grads", "np.outer(g_neg, v)", "np.outer(v, g_neg).T[::-1]"),
    ("sgns_loss_grads", "g_o * u_o + g_neg @ U_neg", "g_o * u_o"),
    ("sgns_step", "np.add.at(W_out, neg, -lr * grad_U_neg)", "W_out[neg] -= lr * grad_U_neg"),
    ("sgns_step", "W_in[c] -= lr * grad_v", "W_in[c] += lr * grad_v"),
    ("sgns_step", "W_out[o] -= lr * grad_u_o", "W_out[o] -= grad_u_o"),
    ("sgns_step", "return loss", "return sgns_loss_grads(W_in[c], W_out[o], W_out[neg])[0]"),
    ("train_sgns", "W_in = rng.uniform(-0.5 / d, 0.5 / d, (V, d))", "W_in = np.zeros((V, d))"),
    ("train_sgns", "losses.append(total / len(pairs))", "losses.append(total)"),
    ("train_sgns", "for _ in range(epochs):", "for _ in range(epochs - 1):"),
    ("train_sgns", "sgns_step(W_in, W_out, c, o, row, lr)", "sgns_step(W_in, W_out, c, o, row, -lr)"),
    ("unit_rows", "axis=1, keepdims=True", "axis=0, keepdims=True"),
    ("nearest", "scores[list(exclude)] = -np.inf", "pass"),
    ("nearest", "unit_rows(W) @", "np.asarray(W, dtype=float) @"),
    ("nearest", "kind=\"stable\")[:k]]", "kind=\"stable\")[:k + 1]]"),
    ("nearest", "np.argsort(-scores", "np.argsort(scores"),
    ("pca_2d", "X = X - X.mean(axis=0)", "X = X - X.mean()"),
    ("pca_2d", "X @ Vt[:2].T", "X @ Vt[-2:].T"),
    ("pca_2d", "X @ Vt[:2].T", "X @ Vt[:, :2]"),
    ("analogy", "U[index[b]] - U[index[a]]", "U[index[a]] - U[index[b]]"),
    ("analogy", "U @ t / np.linalg.norm(t)", "U @ t"),
    ("analogy", "for word in (a, b, c):", "for word in (a, b):"),
    ("analogy", "kind=\"stable\")[:k]", "kind=\"stable\")[:5]"),
    ("analogy", "U = unit_rows(W)", "U = np.asarray(W, dtype=float)"),
    ("analogy", "scores[index[word]] = -np.inf", "scores[index[word]] = 0.0"),
]


def mutated_reference(function: str, old: str, new: str) -> str:
    """The reference with `old` replaced by `new` once, inside `function` only."""
    source = REFERENCE.read_text()
    start = source.index(f"\ndef {function}(")
    end_match = re.compile(r"\n(def |if __name__|# ---)").search(source, start + 1)
    end = end_match.start() if end_match else len(source)
    body = source[start:end]
    assert body.count(old) == 1, (function, old)
    return source[:start] + body.replace(old, new) + source[end:]


@pytest.mark.parametrize(("function", "old", "new"), MUTATIONS, ids=[f"{f}:{o}" for f, o, _ in MUTATIONS])
def test_a_small_change_to_the_reference_is_caught(function, old, new):
    lab = lab_from(mutated_reference(function, old, new), f"_mutant_{function}")
    caught = first_failed_check(lab)
    if not caught:
        caught = [name for name, passed, _ in fight(lab, 0) if not passed]
    assert caught, f"{function}: {old!r} -> {new!r} passed every check and won the boss"


# ---------------------------------------------------------------- through the sandbox

def test_the_sandboxed_fight_and_checks_agree(sandbox):
    real = load_boss("embeddings", root=REPO / "bosses")
    report = fight_sync(real, REFERENCE, sandbox, seed=5)
    assert report.won, report.message
    starter = fight_sync(real, STARTER, sandbox, seed=5)
    assert not starter.won and starter.passed == 0
    lab_checks = load_checks("embeddings", root=REPO / "bosses")
    passed = check_lab_sync(lab_checks, REFERENCE, sandbox)
    assert passed.all_passed, passed.message
    failed = check_lab_sync(lab_checks, STARTER, sandbox)
    assert not failed.all_passed and failed.passed == 0


# ---------------------------------------------------------------- the level says what is judged

def test_the_briefs_state_what_is_judged():
    import tomllib

    level = tomllib.loads((REPO / "levels" / "09-embeddings" / "level.toml").read_text(encoding="utf-8"))
    lab, fight_brief = level["lab"]["brief"], level["boss"]["brief"]
    words = {9: "Nine", 10: "Ten", 11: "Eleven", 15: "Fifteen", 16: "Sixteen", 17: "Seventeen"}
    assert f"{words[len(cases(0))]} hidden cases" in fight_brief
    assert f"{words[len(check_list())]} checks" in lab
    assert boss().TOLERANCE == 1e-6 and "**1e-6**" in fight_brief
    assert f"first {checks().TRAIN_WORDS:,} words" in lab and f"at most {checks().TRAINED_LOSS_AT_MOST}" in lab
    assert f"{checks().SAMPLES:,} negatives" in lab and str(checks().SAMPLER_COUNTS) in lab
    for function in FUNCTIONS[:-1]:
        assert f"`{function}(" in lab, function
    assert f"`{boss().ENTRY}(" in fight_brief
    vocab, W = boss().shipped()
    assert f"{len(vocab):,} words × {W.shape[1]} dimensions" in fight_brief
