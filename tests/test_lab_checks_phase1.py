"""Phase I lab checks (modules 1–4, `bosses/<id>/checks.py`): many small public wins per lab.

The reference passes every check; the starter fails some; every function the starter leaves to the
player is exercised by a check; each wrong solution fails a check or the boss, and so does a small
change (an operator, a constant, an index) to any function of the reference. The checks are the
same every time and their judge holds against garbage.

Checks run in-process here, the way the sandboxed child runs them (the harness of
test_bosses_phase1); one run per module goes through the real sandbox and the lab-check engine.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO
from forge_tui.labcheck import check_lab_sync, load_checks
from forge_tui.runner import Sandbox
from test_bosses_phase1 import MODULES, WRONG, fight, lab_at, reference, run_case, starter, wrong


@functools.cache
def checks(module: str):
    path = REPO / "bosses" / module / "checks.py"
    spec = importlib.util.spec_from_file_location(f"_test_checks_{module.replace('-', '_')}", path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


def run_checks(module: str, lab, stop_at_first_failure: bool = False) -> list[tuple[str, bool, str]]:
    """(name, passed, message) per check, judged by the module's checks.py."""
    verdicts = []
    with np.errstate(all="ignore"):
        for check in checks(module).checks():
            ran, got = run_case(lab, check)
            passed, expected, message = checks(module).judge(check, got) if ran else (False, "", got)
            assert isinstance(passed, bool) and isinstance(expected, str) and isinstance(message, str)
            verdicts.append((check["name"], passed, message))
            if stop_at_first_failure and not passed:
                break
    return verdicts


def failed(verdicts) -> list:
    return [verdict for verdict in verdicts if not verdict[1]]


def lab_from(source: str, name: str):
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def functions_to_write(module: str) -> list[str]:
    """What the starter leaves to the player: every function or method whose body raises
    NotImplementedError, as "name" or "Class.method"."""
    tree = ast.parse((REPO / "levels" / MODULES[module] / "lab" / "python.py").read_text())

    def raises(node) -> bool:
        return any(isinstance(n, ast.Raise) and "NotImplementedError" in ast.unparse(n) for n in ast.walk(node))

    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and raises(n)]
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        names += [f"{cls.name}.{m.name}" for m in cls.body if isinstance(m, ast.FunctionDef) and raises(m)]
    return names


# ---------------------------------------------------------------- the checks themselves

@pytest.mark.parametrize("module", MODULES)
def test_the_checks_are_many_well_formed_and_the_same_every_time(module):
    first, second = checks(module).checks(), checks(module).checks()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert len(first) >= 4 and len({c["name"] for c in first}) == len(first)
    assert 0 < getattr(checks(module), "TIME_LIMIT_S", 10.0) <= 20
    for check in first:
        assert all(isinstance(check[key], str) and check[key] for key in ("name", "summary", "hint"))
        assert ("call" in check) != ("script" in check)
        if "script" in check:
            assert "result =" in check["script"] and "lab." in check["script"]
        json.dumps(check, allow_nan=False)  # strict JSON, as boss cases


@pytest.mark.parametrize("module", MODULES)
def test_every_function_the_starter_leaves_is_checked(module):
    """Break one function of the reference (it raises) and some check fails: the checks exercise
    every function the lab asks for, the ones the boss never calls included."""
    names = functions_to_write(module)
    assert len(names) >= 3
    for name in names:
        lab = reference(module)
        owner, attribute = (getattr(lab, name.split(".")[0]), name.split(".")[1]) if "." in name else (lab, name)

        def broken(*args, **kwargs):
            raise NotImplementedError("broken on purpose")

        setattr(owner, attribute, broken)
        assert failed(run_checks(module, lab)), f"no check calls {name}"


@pytest.mark.parametrize("module", MODULES)
def test_hints_nudge_first_and_never_hand_over_code(module):
    """The first check's hint points the way without a formula; no hint is code to paste."""
    listed = checks(module).checks()
    assert "=" not in listed[0]["hint"], listed[0]["hint"]
    for check in listed:
        assert not any(token in check["hint"] for token in ("np.", "[:", "-=", "+=", "==", "keepdims")), check


@pytest.mark.parametrize("module", MODULES)
def test_the_starters_own_hints_hand_over_no_code(module):
    """The starter's NotImplementedError messages are the lab's first hints: a nudge or the method,
    never the line to type."""
    tree = ast.parse((REPO / "levels" / MODULES[module] / "lab" / "python.py").read_text())
    messages = [ast.literal_eval(node.exc.args[0]) for node in ast.walk(tree)
                if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args]
    assert messages
    for message in messages:
        assert not any(token in message for token in ("np.", "[:", "-=", "+=", "/=", "==", " = ", "keepdims")), message


# ---------------------------------------------------------------- who passes

@pytest.mark.parametrize("module", MODULES)
def test_the_reference_passes_every_check(module):
    assert not failed(run_checks(module, reference(module)))


@pytest.mark.parametrize("module", MODULES)
def test_the_starter_fails_the_checks(module):
    verdicts = run_checks(module, starter(module))
    assert verdicts and not any(passed for _, passed, _ in verdicts)


@pytest.mark.parametrize(("module", "name"), WRONG, ids=[f"{m}/{n}" for m, n in WRONG])
def test_each_wrong_solution_fails_a_check_or_the_boss(module, name):
    lab = wrong(module, name)
    assert failed(run_checks(module, lab)) or failed(fight(module, lab, 0))


# Small changes to each function of a reference: (module, function, what is changed, replacement).
MUTATIONS = [
    ("vector-awakens", "dot", "total += u_i * v_i", "total += u_i + v_i"),
    ("vector-awakens", "dot", "total = 0.0", "total = 1.0"),
    ("vector-awakens", "dot", "zip(u, v)", "zip(u[1:], v[1:])"),
    ("vector-awakens", "norm", "return math.sqrt(dot(v, v))", "return dot(v, v)"),
    ("vector-awakens", "norm", "return math.sqrt(dot(v, v))", "return math.sqrt(abs(sum(v)))"),
    ("vector-awakens", "cosine_similarity", "/ (length_u * length_v)", "/ length_u"),
    ("vector-awakens", "cosine_similarity", "if length_u == 0 or length_v == 0:", "if length_v == 0:"),
    ("vector-awakens", "project", "coefficient = dot(u, v) / uu", "coefficient = dot(u, v) / math.sqrt(uu)"),
    ("vector-awakens", "project", "return [coefficient * u_i for u_i in u]", "return [coefficient * v_i for v_i in v]"),
    ("vector-awakens", "project", "if uu == 0:", "if uu < 0:"),
    ("vector-awakens", "closest_pairs", "reverse=True", "reverse=False"),
    ("vector-awakens", "closest_pairs", "return pairs[:k]", "return pairs[:5]"),
    ("vector-awakens", "closest_pairs", "if norm(v) > 0]", "if norm(v) >= 0]"),
    ("calculus-of-slopes", "numerical_grad", "up[i] += h", "up[i] += 2 * h"),
    ("calculus-of-slopes", "numerical_grad", "down[i] -= h", "down[i] -= 0"),
    ("calculus-of-slopes", "numerical_grad", "/ (2 * h)", "/ h"),
    ("calculus-of-slopes", "__add__", 'Value(self.data + other.data, (self, other), "+")',
     'Value(self.data - other.data, (self, other), "+")'),
    ("calculus-of-slopes", "__add__", "            other.grad += out.grad\n", "            other.grad = out.grad\n"),
    ("calculus-of-slopes", "__mul__", "self.grad += other.data * out.grad", "self.grad += self.data * out.grad"),
    ("calculus-of-slopes", "exp", "self.grad += out.data * out.grad", "self.grad += self.data * out.grad"),
    ("calculus-of-slopes", "log", "self.grad += out.grad / self.data", "self.grad += out.grad / out.data"),
    ("calculus-of-slopes", "sin", "math.cos(self.data) * out.grad", "-math.cos(self.data) * out.grad"),
    ("calculus-of-slopes", "backward", "self.grad = 1.0", "self.grad = 0.5"),
    ("calculus-of-slopes", "backward", "for node in reversed(order):", "for node in order:"),
    ("matrix-souls", "power_iteration", "v = w / np.linalg.norm(w)", "v = w / np.abs(w).max()"),
    ("matrix-souls", "power_iteration", "return float(v @ A @ v), v", "return float(np.linalg.norm(A @ v)), v"),
    ("matrix-souls", "power_iteration", "for _ in range(iters):", "for _ in range(iters + 1):"),
    ("matrix-souls", "svd_2x2", "- (a * c - b * b)", "- (a * c + b * b)"),
    ("matrix-souls", "svd_2x2", "v1 = np.array([b, lam1 - a])", "v1 = np.array([lam1 - a, b])"),
    ("matrix-souls", "svd_2x2", "v2 = np.array([-v1[1], v1[0]])", "v2 = np.array([v1[1], v1[0]])"),
    ("matrix-souls", "svd_2x2", "s = np.sqrt([max(lam1, 0.0), max(lam2, 0.0)])", "s = np.array([lam1, lam2])"),
    ("matrix-souls", "svd_2x2", "return np.column_stack([u1, u2]), s,", "return np.vstack([u1, u2]), s,"),
    ("matrix-souls", "svd", "order = np.argsort(lam)[::-1]", "order = np.argsort(lam)"),
    ("matrix-souls", "svd", "U.append(u / np.linalg.norm(u))", "U.append(u)"),
    ("matrix-souls", "svd", "V = V @ J", "V = V @ J.T"),
    ("probability-loss", "softmax", "z = np.asarray(z, dtype=float) / T", "z = np.asarray(z, dtype=float) * T"),
    ("probability-loss", "softmax", "return e / e.sum(axis=-1, keepdims=True)", "return e / e.sum()"),
    ("probability-loss", "softmax", "z = z - z.max(axis=-1, keepdims=True)", "z = z - z.max()"),
    ("probability-loss", "cross_entropy", "np.mean(logsumexp(z) - z[rows, y])", "np.sum(logsumexp(z) - z[rows, y])"),
    ("probability-loss", "cross_entropy", "return m + np.log(", "return np.log("),
    ("probability-loss", "kl_divergence", "keep = p > 0", "keep = p >= 0"),
    ("probability-loss", "kl_divergence", "np.log(p[keep] / q[keep])", "np.log(q[keep] / p[keep])"),
    ("probability-loss", "softmax_ce_grad", "p[rows, y] -= 1.0", "p[:, y] -= 1.0"),
    ("probability-loss", "softmax_ce_grad", "return p / p.shape[0]", "return p"),
    ("probability-loss", "softmax_cross_entropy", "return cross_entropy(z, y), softmax_ce_grad(z, y)",
     "return cross_entropy(z, y), softmax(z)"),
]


@pytest.mark.parametrize(("module", "function", "old", "new"), MUTATIONS,
                         ids=[f"{m[0]}/{m[1]}-{i}" for i, m in enumerate(MUTATIONS)])
def test_a_small_change_to_the_reference_is_caught(module, function, old, new):
    source = (REPO / "bosses" / module / "reference.py").read_text()
    assert source.count(old) == 1, old
    mutant = lab_from(source.replace(old, new), f"_mutant_{function}")
    assert failed(run_checks(module, mutant, stop_at_first_failure=True)) or failed(fight(module, mutant, 0)), \
        f"{function}: {new!r} passed every check and won the boss"


@pytest.mark.parametrize("module", MODULES)
def test_every_function_of_the_reference_has_a_mutation(module):
    named = {function for m, function, _, _ in MUTATIONS if m == module}
    assert {name.split(".")[-1] for name in functions_to_write(module)} <= named


# ---------------------------------------------------------------- the judge holds

GARBAGE = [None, "x", "", float("nan"), float("inf"), True, 10**400, [], [None], [[["junk"]]], [1, [2, [3]]],
           {}, {"data": "x", "grads": None}, [float("nan")] * 3, "ValueError ", {"returned": None}]


@pytest.mark.parametrize("module", MODULES)
def test_the_check_judge_never_raises_and_never_passes_garbage(module):
    with np.errstate(all="ignore"):
        for check in checks(module).checks():
            for got in GARBAGE:
                passed, expected, message = checks(module).judge(check, got)
                assert passed is False, (check["name"], got)
                assert isinstance(expected, str) and isinstance(message, str) and message


# ---------------------------------------------------------------- through the real engine

@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


@pytest.mark.parametrize("module", MODULES)
def test_the_engine_runs_the_checks_in_the_sandbox(sandbox, module):
    listed = load_checks(module, REPO / "bosses")
    assert listed is not None
    report = check_lab_sync(listed, REPO / "bosses" / module / "reference.py", sandbox)
    assert report.all_passed, report.message
    report = check_lab_sync(listed, REPO / "levels" / MODULES[module] / "lab" / "python.py", sandbox)
    assert report.passed == 0 and report.total >= 4
    first = report.results[0]
    assert "NotImplementedError" in first.message and first.hint and first.summary
