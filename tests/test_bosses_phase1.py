"""Phase I bosses (modules 1–4): the reference wins, the starter and every wrong solution lose,
and the judge holds against garbage and keeps expected answers out of the cases.

Cases run in-process here, the way the sandboxed child runs them (decode the arrays, call the
function or exec the script with `lab` and `np` bound, round-trip the result through JSON);
the engine's own tests cover the sandbox itself.
"""

from __future__ import annotations

import copy
import inspect
import json
import math
from pathlib import Path

import numpy as np
import pytest

from bosskit import BossKit, decode, encode, load_module, run_case
from conftest import REPO

MODULES = {
    "vector-awakens": "01-vector-awakens",
    "calculus-of-slopes": "02-calculus-of-slopes",
    "matrix-souls": "03-matrix-souls",
    "probability-loss": "04-probability-loss",
}
SEEDS = (0, 1, 2, 3)
WRONG = sorted(
    (module, path.stem) for module in MODULES for path in (REPO / "bosses" / module / "wrong").glob("*.py")
)


# ---------------------------------------------------------------- a tiny in-process harness

KITS = {module: BossKit(REPO / "bosses" / module) for module in MODULES}


def boss(module: str):
    return KITS[module].boss()


def lab_at(path: Path):
    return load_module(path, f"_test_lab_{abs(hash(str(path)))}")


def reference(module: str):
    return lab_at(REPO / "bosses" / module / "reference.py")


def starter(module: str):
    return lab_at(REPO / "levels" / MODULES[module] / "lab" / "python.py")


def wrong(module: str, name: str):
    return lab_at(REPO / "bosses" / module / "wrong" / f"{name}.py")


def fight(module: str, lab, seed: int) -> list[tuple[str, bool, str]]:
    return KITS[module].fight(lab, seed)


# ---------------------------------------------------------------- wins and losses

@pytest.mark.parametrize("module", MODULES)
def test_reference_wins_every_case(module):
    lab = reference(module)
    for seed in SEEDS:
        lost = [verdict for verdict in fight(module, lab, seed) if not verdict[1]]
        assert not lost, f"seed {seed}: {lost}"


@pytest.mark.parametrize("module", MODULES)
def test_starter_loses_every_case(module):
    verdicts = fight(module, starter(module), 0)
    assert verdicts and not any(passed for _, passed, _ in verdicts)


@pytest.mark.parametrize("module", MODULES)
def test_each_module_has_three_wrong_solutions(module):
    assert sum(1 for m, _ in WRONG if m == module) >= 3


@pytest.mark.parametrize(("module", "name"), WRONG, ids=[f"{m}/{n}" for m, n in WRONG])
def test_wrong_solution_loses(module, name):
    lab = wrong(module, name)
    for seed in SEEDS[:3]:
        verdicts = fight(module, lab, seed)
        assert any(not passed for _, passed, _ in verdicts), f"{name} won every case with seed {seed}"


# Mistakes that only one kind of case can catch, and that case: it must be in every fight.
CAUGHT_IN_EVERY_FIGHT = [
    ("vector-awakens", "zero_vectors_scored_zero", "zeros among few"),
    ("calculus-of-slopes", "breadth_first_backward", "skip connection"),
    ("calculus-of-slopes", "breadth_first_backward", "residual blocks"),
    ("matrix-souls", "power_iteration_fixed_steps", "two nearly equal pairs"),
    ("probability-loss", "shift_only_when_large", "all very negative"),
]


@pytest.mark.parametrize(("module", "name", "case_name"), CAUGHT_IN_EVERY_FIGHT,
                         ids=[f"{m}/{n}/{c}" for m, n, c in CAUGHT_IN_EVERY_FIGHT])
def test_the_case_that_catches_a_mistake_catches_it_in_every_fight(module, name, case_name):
    lab, fighter = wrong(module, name), boss(module)
    with np.errstate(all="ignore"):
        for seed in range(25):
            case = next(c for c in fighter.cases(np.random.default_rng(seed)) if c["name"] == case_name)
            ran, got = run_case(lab, case)
            assert not (ran and fighter.judge(case, got)[0]), f"{name} won {case_name!r} with seed {seed}"


# ---------------------------------------------------------------- the cases themselves

@pytest.mark.parametrize("module", MODULES)
def test_cases_are_well_formed(module):
    fighter = boss(module)
    assert isinstance(fighter.ENTRY, str) and fighter.ENTRY in starter(module).__dict__
    assert 0 < fighter.TIME_LIMIT_S <= 10
    cases = fighter.cases(np.random.default_rng(5))
    assert len(cases) >= 8
    assert len({case["name"] for case in cases}) == len(cases)
    for case in cases:
        assert all(isinstance(case[key], str) and case[key] for key in ("name", "summary", "hint"))
        assert ("call" in case) != ("script" in case)
        if "call" in case:
            assert case["call"]["function"] == fighter.ENTRY
            assert isinstance(case["call"]["args"], list) and isinstance(case["call"]["kwargs"], dict)
        else:
            assert "result =" in case["script"] and "lab." in case["script"]
        json.dumps(case, allow_nan=False)  # strict JSON: no nan or inf in the inputs


@pytest.mark.parametrize("module", MODULES)
def test_cases_are_deterministic_per_seed_and_differ_across_seeds(module):
    def draw(seed):
        return json.dumps(boss(module).cases(np.random.default_rng(seed)), sort_keys=True)

    assert draw(7) == draw(7)
    assert draw(7) != draw(8)


def _floats(value):
    if isinstance(value, float):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _floats(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _floats(item)


def _answer_numbers(module: str, answer):
    """The numbers a leak would give away (M3's U and Vt may legitimately equal the input)."""
    if module == "matrix-souls":
        return list(_floats(answer[1]))
    return list(_floats(answer))


@pytest.mark.parametrize("module", MODULES)
def test_no_expected_value_in_the_cases(module):
    lab = reference(module)
    for case in boss(module).cases(np.random.default_rng(3)):
        shipped = json.dumps(case)
        ran, answer = run_case(lab, case)
        assert ran
        assert json.dumps(answer) not in shipped
        for number in _answer_numbers(module, answer):
            if len(repr(number)) >= 10:  # short numbers such as 1.0 or 2.5 match by coincidence
                assert repr(number) not in shipped, (case["name"], number)
        assert not {"expected", "answer", "solution"} & set(case)


CODE = ("np.", "[:", "-=", "+=", "==", "keepdims")


@pytest.mark.parametrize("module", MODULES)
def test_hints_nudge_first_and_never_hand_over_code(module):
    """The first case's hint, the one a learner meets first, points the way without a formula (no "=");
    no hint is code to paste."""
    cases = boss(module).cases(np.random.default_rng(0))
    assert "=" not in cases[0]["hint"], cases[0]["hint"]
    for case in cases:
        assert not any(token in case["hint"] for token in CODE), (case["name"], case["hint"])


@pytest.mark.parametrize("module", MODULES)
def test_gate_hints_nudge_first(module):
    """The gate's three hints escalate: the first names the idea in words, with no equation yet."""
    import tomllib

    hints = tomllib.loads((REPO / "levels" / MODULES[module] / "level.toml").read_text())["gate"]["hints"]
    assert len(hints) == 3 and "=" not in hints[0], hints[0]


# ---------------------------------------------------------------- the judge holds

GARBAGE = [
    None, "x", "", 0, -1, 1.5, float("nan"), float("inf"), True, 10**400,
    [], [None], [[["junk"]]], ["a", "b"], [["a", "b", "c"]], [1, [2, [3]]],
    {}, {"a": 1}, {"value": "x", "grads": None}, {"loss": float("nan")},
    {"__ndarray__": [1.0], "dtype": "float64"}, [[1.0] * 4] * 3, [float("nan")] * 3,
]


def _mutants(answer):
    """Copies of a correct answer with one leaf broken (nan, None, a string) or one list cut short."""
    paths = []

    def walk(value, path):
        if isinstance(value, list):
            if value:
                paths.append(("cut", path))
            for index, item in enumerate(value):
                walk(item, path + (index,))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, path + (key,))
        else:
            paths.append(("leaf", path))

    walk(answer, ())
    leaves = [path for kind, path in paths if kind == "leaf"]
    cuts = [path for kind, path in paths if kind == "cut"]
    chosen = leaves[:3] + leaves[len(leaves) // 2: len(leaves) // 2 + 1] + leaves[-2:]
    for path in chosen:
        for broken in (float("nan"), None, "x", float("inf")):
            mutant = copy.deepcopy(answer)
            target = mutant
            for step in path[:-1]:
                target = target[step]
            if path:
                target[path[-1]] = broken
                yield mutant
    for path in cuts[:3]:
        mutant = copy.deepcopy(answer)
        target = mutant
        for step in path:
            target = target[step]
        target.pop()
        yield mutant


@pytest.mark.parametrize("module", MODULES)
def test_judge_never_raises_and_never_passes_garbage(module):
    fighter = boss(module)
    lab = reference(module)
    with np.errstate(all="ignore"):
        for case in fighter.cases(np.random.default_rng(11)):
            for got in GARBAGE:
                verdict = fighter.judge(case, got)
                assert verdict[0] is False, (case["name"], got)
                assert isinstance(verdict[1], str) and isinstance(verdict[2], str) and verdict[2]
            ran, answer = run_case(lab, case)
            assert ran
            for got in _mutants(answer):
                passed, _, message = fighter.judge(case, got)
                assert passed is False, (case["name"], got if len(repr(got)) < 300 else "...")
                assert message


@pytest.mark.parametrize("module", MODULES)
def test_failure_messages_are_for_learners(module):
    """A lost case says what went wrong in plain terms: no traceback, no judge internals."""
    fighter = boss(module)
    name = next(n for m, n in WRONG if m == module)
    lab = wrong(module, name)
    with np.errstate(all="ignore"):
        for case in fighter.cases(np.random.default_rng(2)):
            ran, got = run_case(lab, case)
            if not ran:
                continue
            passed, expected, message = fighter.judge(case, got)
            if not passed:
                assert "Traceback" not in message and "File \"" not in message
                assert expected and expected != "?"
                assert len(message) < 400


# ---------------------------------------------------------------- module by module

def test_vector_judge_accepts_either_word_order():
    fighter = boss("vector-awakens")
    case = fighter.cases(np.random.default_rng(4))[0]
    ran, answer = run_case(reference("vector-awakens"), case)
    assert ran
    swapped = [[b, a, similarity] for a, b, similarity in answer]
    assert fighter.judge(case, swapped)[0]
    off = [list(pair) for pair in answer]
    off[2][2] += 2e-6
    passed, _, message = fighter.judge(case, off)
    assert not passed and "pair 3" in message


def test_vector_cases_include_zero_vectors_and_a_clear_top_k():
    fighter = boss("vector-awakens")
    cases = fighter.cases(np.random.default_rng(9))
    zero_rows = [sum(1 for row in case["call"]["args"][1] if not any(row)) for case in cases]
    assert max(zero_rows) >= 2 and sum(1 for count in zero_rows if count) >= 2
    for case in cases:
        ranked = fighter._ranked(case["call"]["args"][1])
        k = case["call"]["kwargs"]["k"]
        if len(ranked) > k:
            assert ranked[k - 1][0] - ranked[k][0] > 1e-4


def test_vector_reference_meets_the_lab_brief():
    lab = reference("vector-awakens")
    assert lab.dot([1, 2, 3], [4, 5, 6]) == 32
    assert lab.norm([3, 4]) == 5
    assert lab.cosine_similarity([1, 0], [0, 1]) == 0
    assert np.allclose(lab.project([2, 1], [3, 4]), [1.2, 1.6])
    with pytest.raises(ValueError):
        lab.cosine_similarity([0, 0], [1, 2])


class _Float:
    """A plain number with the Value methods, to evaluate a trial without any autodiff."""

    def __init__(self, x):
        self.x = float(x)

    def _other(self, other):
        return other.x if isinstance(other, _Float) else float(other)

    def __add__(self, other):
        return _Float(self.x + self._other(other))

    def __mul__(self, other):
        return _Float(self.x * self._other(other))

    __radd__, __rmul__ = __add__, __mul__

    def exp(self):
        return _Float(math.exp(self.x))

    def log(self):
        return _Float(math.log(self.x))

    def sin(self):
        return _Float(math.sin(self.x))


def test_calculus_expected_gradients_match_central_differences():
    """The judge's expected values (from the reference autograd) agree with plain central differences."""
    fighter = boss("calculus-of-slopes")
    trials = {trial.__name__: trial for trial in fighter.TRIALS}
    assert len(trials) >= 6
    for case in fighter.cases(np.random.default_rng(6)):
        trial, inputs = trials[case["trial"]], case["inputs"]
        value, grads = fighter.expected_result(case)
        assert value == pytest.approx(trial(*map(_Float, inputs)).x, rel=1e-12, abs=1e-12)
        h = 1e-6
        for i, grad in enumerate(grads):
            up = [x + h * (j == i) for j, x in enumerate(inputs)]
            down = [x - h * (j == i) for j, x in enumerate(inputs)]
            numeric = (trial(*map(_Float, up)).x - trial(*map(_Float, down)).x) / (2 * h)
            assert grad == pytest.approx(numeric, rel=1e-6, abs=1e-7), (case["trial"], i)


def test_calculus_reference_meets_the_lab_brief():
    lab = reference("calculus-of-slopes")
    x, y = lab.Value(1.0), lab.Value(2.0)
    out = x * y + x.exp()
    out.backward()
    assert x.grad == pytest.approx(2 + math.e) and y.grad == pytest.approx(1.0)
    numeric = lab.numerical_grad(lambda p: p[0] * p[1] + math.exp(p[0]), [1.0, 2.0])
    assert numeric == pytest.approx([2 + math.e, 1.0], abs=1e-6)


def test_calculus_breadth_first_order_is_wrong_where_paths_differ_in_length():
    """t = x*y; t + log(exp(0.5 sin t) + 1) at (0.9, 1.1): t reaches the output along paths of
    lengths 1 and 6, so a breadth-first backward() runs t before the long path has reached it."""
    def f(x, y):
        t = x * y
        return t + ((t.sin() * 0.5).exp() + 1).log()

    def x_grad(lab):
        x, y = lab.Value(0.9), lab.Value(1.1)
        f(x, y).backward()
        return x.grad

    numeric = (f(_Float(0.9 + 1e-6), _Float(1.1)).x - f(_Float(0.9 - 1e-6), _Float(1.1)).x) / 2e-6
    assert x_grad(reference("calculus-of-slopes")) == pytest.approx(numeric, rel=1e-8)
    assert numeric == pytest.approx(1.28198, abs=1e-5)
    assert x_grad(wrong("calculus-of-slopes", "breadth_first_backward")) == pytest.approx(1.1)


def test_calculus_trials_are_shipped_self_contained():
    fighter = boss("calculus-of-slopes")
    for trial in fighter.TRIALS:
        source = inspect.getsource(trial)
        assert "import" not in source and "fighter" not in source
        assert set(trial.__code__.co_names) <= {"log", "exp", "sin", "range"}


def _valid_svd_variants(A, rng):
    """np.linalg.svd's answer with column signs flipped, and rotated inside a repeated singular value."""
    U, s, Vt = np.linalg.svd(A)
    signs = rng.choice([-1.0, 1.0], size=4)
    yield U * signs, s, (Vt.T * signs).T
    if abs(s[0] - s[1]) < 1e-9:
        angle = rng.uniform(0, 2 * np.pi)
        R = np.eye(4)
        R[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
        yield U @ R, s, R.T @ Vt


def test_matrix_judge_accepts_any_valid_svd_and_insists_on_order():
    fighter = boss("matrix-souls")
    rng = np.random.default_rng(0)
    rotated = unsorted = 0
    for case in fighter.cases(np.random.default_rng(1)):
        A = decode(case["call"]["args"][0])
        for U, s, Vt in _valid_svd_variants(A, rng):
            rotated += 1
            assert fighter.judge(case, json.loads(json.dumps(encode([U, s, Vt]))))[0], case["name"]
        U, s, Vt = np.linalg.svd(A)
        gaps = [i for i in range(3) if s[i] - s[i + 1] > 1e-3]
        if gaps:  # swap two distinct singular values: still a factorisation, but not sorted
            order = [0, 1, 2, 3]
            order[gaps[0]], order[gaps[0] + 1] = order[gaps[0] + 1], order[gaps[0]]
            passed, _, message = fighter.judge(case, encode([U[:, order], s[order], Vt[order]]))
            assert not passed and "sorted" in message
            unsorted += 1
    assert rotated > len(fighter.cases(np.random.default_rng(1))) and unsorted >= 8


def test_matrix_cases_cover_the_brief():
    fighter = boss("matrix-souls")
    cases = fighter.cases(np.random.default_rng(2))
    matrices = {case["name"]: decode(case["call"]["args"][0]) for case in cases}
    s = {name: np.linalg.svd(A, compute_uv=False) for name, A in matrices.items()}
    assert np.linalg.det(matrices["negative determinant"]) < 0
    assert np.allclose(matrices["symmetric"], matrices["symmetric"].T)
    assert np.linalg.matrix_rank(matrices["rank 2"]) == 2 and np.linalg.matrix_rank(matrices["rank 1"]) == 1
    assert s["equal top pair"][0] - s["equal top pair"][1] < 1e-9
    assert np.allclose(s["orthogonal"], 1.0)
    ill = s["ill-conditioned"]
    assert ill[0] >= 2 and np.allclose(ill[1:] / ill[0], [1e-2, 1e-4, 1e-6])
    assert ill[2] > 2 * fighter.TOLERANCE  # a solution that rounds it to 0 loses
    pairs = s["two nearly equal pairs"]
    for top, low in ((pairs[0], pairs[1]), (pairs[2], pairs[3])):
        assert 0.002 <= 1 - low / top <= 0.005


def test_matrix_reference_wins_200_fights_with_a_wide_margin():
    """Every check of the judge (s, UᵀU, Vt·Vtᵀ, the rebuild) holds at 1/100 of the tolerance or better,
    over 200 fights; the ill-conditioned case once cost the reference about 1 fight in 70."""
    fighter, lab = boss("matrix-souls"), reference("matrix-souls")
    worst = 0.0
    for seed in range(200):
        for case in fighter.cases(np.random.default_rng(seed)):
            A = decode(case["call"]["args"][0])
            U, s, Vt = lab.svd(A)
            assert fighter.judge(case, encode([U, s, Vt]))[0], (seed, case["name"])
            eye = np.eye(4)
            worst = max(worst, np.abs(s - np.linalg.svd(A, compute_uv=False)).max(),
                        np.abs(U.T @ U - eye).max(), np.abs(Vt @ Vt.T - eye).max(),
                        np.abs(U @ np.diag(s) @ Vt - A).max())
    assert worst < fighter.TOLERANCE / 100


def test_matrix_jacobi_measures_the_off_diagonal_part_itself():
    """sum(S**2) - sum(diag(S)**2) rounds to 0 or below long before the off-diagonal part is small
    next to the smallest eigenvalue: measured directly, it is driven to rounding level."""
    lab = reference("matrix-souls")
    fighter = boss("matrix-souls")
    for seed in range(20):
        A = fighter._with_singular_values(np.random.default_rng(seed), [2.0, 2e-2, 2e-4, 2e-6])
        lam, V = lab.jacobi_eigen(A.T @ A)
        assert np.sort(np.sqrt(np.clip(lam, 0, None)))[::-1] == pytest.approx(
            np.linalg.svd(A, compute_uv=False), abs=1e-9), seed
        assert np.abs(V.T @ (A.T @ A) @ V - np.diag(lam)).max() < 1e-14, seed


def test_matrix_reference_meets_the_lab_brief():
    lab = reference("matrix-souls")
    lam, v = lab.power_iteration(np.array([[2.0, 1.0], [1.0, 2.0]]))
    assert lam == pytest.approx(3.0) and abs(v[0]) == pytest.approx(abs(v[1]))
    rng = np.random.default_rng(0)
    for _ in range(20):
        A = rng.standard_normal((2, 2))
        U, s, Vt = lab.svd_2x2(A)
        assert np.allclose(s, np.linalg.svd(A)[1], atol=1e-10)
        assert np.allclose(U @ np.diag(s) @ Vt, A, atol=1e-10)


def test_probability_expected_gradient_matches_central_differences():
    fighter = boss("probability-loss")
    case = fighter.cases(np.random.default_rng(1))[1]
    z, y = decode(case["call"]["args"][0]), decode(case["call"]["args"][1])
    _, dz = fighter.expected(z, y)
    h = 1e-6
    for b, v in [(0, 0), (3, 5), (7, 9), (2, int(y[2]))]:
        up, down = z.copy(), z.copy()
        up[b, v] += h
        down[b, v] -= h
        numeric = (fighter.expected(up, y)[0] - fighter.expected(down, y)[0]) / (2 * h)
        assert dz[b, v] == pytest.approx(numeric, abs=1e-8)


def test_probability_big_case_script_draws_the_judges_logits():
    fighter = boss("probability-loss")
    case = next(c for c in fighter.cases(np.random.default_rng(4)) if "script" in c)
    namespace = {"np": np}
    exec(case["script"].splitlines()[0], namespace)
    assert np.array_equal(namespace["z"], fighter.big_logits(case["seed"]))
    assert namespace["z"].shape == (2, 50257)


def test_probability_reference_meets_the_lab_brief():
    lab = reference("probability-loss")
    z = np.array([[1.0, 2.0, 3.0]])
    assert lab.softmax(z).sum() == pytest.approx(1.0)
    assert np.all(np.isfinite(lab.softmax(np.array([1000.0, 1001.0]))))
    p = np.array([0.2, 0.3, 0.5])
    assert lab.kl_divergence(p, p) == 0
    # cross-entropy against a data distribution = H(p_data) + KL(p_data || q)
    p_data = np.array([0.5, 0.25, 0.25])
    q = lab.softmax(z)[0]
    targets = np.array([0, 0, 1, 2])  # empirical distribution p_data
    entropy = -np.sum(p_data * np.log(p_data))
    assert lab.cross_entropy(np.repeat(z, 4, axis=0), targets) == pytest.approx(
        entropy + lab.kl_divergence(p_data, q))
