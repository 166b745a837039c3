"""Lab checks in C and Rust: a module's checks.py declares a compiled path as its boss does, and
a C or Rust lab is built with the checks' trusted driver through the boss engine's compiled path.

For each module with a C (or Rust) starter and checks for it: the reference passes every check,
the starter fails at least one, every function the starter asks for has a check of its own, and
the reference with that one function emptied fails that function's check. The Session, the CLI
and the Lab part (F5) check the lab of the run's language where the checks judge it.
"""

from __future__ import annotations

import asyncio
import functools
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from forge_tui.boss import COMPILED, first_rust_error, rust_signature
from forge_tui.bossapi import ContractError
from forge_tui.content import catalog
from forge_tui.labcheck import check_lab_sync, load_checks
from forge_tui.languages import BY_ID
from forge_tui.runner import Sandbox

BOSSES = REPO / "bosses"
# (boss folder, language): every module whose checks judge a compiled lab
NATIVE = [("vector-awakens", "c"), ("perceptron-reborn", "c"), ("backprop-step", "c"), ("backprop-step", "rust"),
          ("optimizers", "c"), ("init-and-norm", "c"), ("transformer-block", "c"), ("transformer-block", "rust")]
# Functions a starter asks for that no driver can call, each judged through a function that uses
# it, by checks named after it: module 12's block takes the lab's own Block struct in C and is
# private to the lab in Rust, so its check runs gpt_forward on a one-layer model.
JUDGED_THROUGH = {"transformer-block": {"block": "gpt_forward"}}
TOOL = {"c": "gcc", "rust": "rustc"}


def needs(language: str):
    tool = TOOL[language]
    return pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed: no {language} lab builds here")


NATIVE_PARAMS = [pytest.param(module, language, marks=needs(language), id=f"{module}-{language}")
                 for module, language in NATIVE]


@functools.cache
def checks(module_id: str):
    return load_checks(module_id, BOSSES)


def reference(module_id: str, language: str) -> Path:
    return BOSSES / module_id / language / f"reference{COMPILED_SUFFIX[language]}"


COMPILED_SUFFIX = {entry.language: entry.suffix for entry in COMPILED.values()}


def starter(module_id: str, language: str) -> Path:
    module = next(m for m in catalog().modules if m.id == module_id)
    return module.folder / "lab" / BY_ID[language].starter


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


# ---------------------------------------------------------------- reading C and Rust sources

def definitions(source: str, language: str) -> dict[str, tuple[int, int, str]]:
    """Each function defined in `source`: name -> (start of its body's "{", end after "}", return type)."""
    pattern = (r"^(?:pub )?fn (\w+)\s*\([^{;]*?\)\s*(?:->\s*([^{]+?))?\s*\{" if language == "rust"
               else r"^(?!static)(\w[\w \*]*?)\b(\w+)\s*\([^;{]*\)\s*\{")
    found = {}
    for match in re.finditer(pattern, source, re.M):
        name, returns = (match[1], (match[2] or "").strip()) if language == "rust" else (match[2], match[1].strip())
        start = match.end() - 1
        depth, at = 0, start
        while True:
            depth += {"{": 1, "}": -1}.get(source[at], 0)
            at += 1
            if depth == 0:
                break
        found[name] = (start, at, returns)
    return found


def asked_for(path: Path, language: str) -> set[str]:
    """The functions the starter asks the player to write: those with a TODO in their body."""
    source = path.read_text()
    return {name for name, (start, end, _) in definitions(source, language).items() if "TODO" in source[start:end]}


def called(module_id: str, language: str) -> list[str]:
    """The functions the checks' driver calls: the C header's declarations, or RUST_SIGNATURE's."""
    if language == "rust":
        return re.findall(r"fn (\w+)\(", checks(module_id).module.RUST_SIGNATURE)
    header = (BOSSES / module_id / checks(module_id).module.C_HEADER).read_text()
    return re.findall(r"^\w[\w \*]*?\b(\w+)\(", header, re.M)


def emptied(source: str, name: str, language: str) -> str:
    """`source` with the body of function `name` replaced by one that computes nothing."""
    start, end, returns = definitions(source, language)[name]
    if language == "rust":
        body = "{ 0.0 }" if returns == "f64" else "{}"
    else:
        body = "{}" if returns.endswith("void") else "{ return 0; }"
    return source[:start] + body + source[end:]


# ---------------------------------------------------------------- the modules' checks

@pytest.mark.parametrize(("module_id", "language"), [pytest.param(m, lang, id=f"{m}-{lang}") for m, lang in NATIVE])
def test_the_checks_judge_the_language_and_cover_every_function_asked_for(module_id, language):
    lab_checks = checks(module_id)
    assert language in lab_checks.languages and lab_checks.lab_language(language) == language
    native = lab_checks.cases(language)
    assert len(native) >= 4
    names = [check["name"] for check in native]
    assert len(set(names)) == len(names)
    functions = called(module_id, language)
    todo = asked_for(starter(module_id, language), language)
    through = JUDGED_THROUGH.get(module_id, {})
    assert set(through.values()) <= set(functions)
    assert todo and todo <= set(functions) | set(through), f"the starter asks for {todo - set(functions)}, which no check calls"
    for function in [*functions, *through]:
        assert any(name.startswith(f"{function}:") for name in names), f"no check of {function}"
    text = lab_checks.module.c_stdin(native)
    assert set(text) <= set("abcdefghijklmnopqrstuvwxyz0123456789.-+e \n"), "the driver gets inputs only"


@pytest.mark.parametrize(("module_id", "language"), NATIVE_PARAMS)
def test_the_reference_passes_every_check_and_the_starter_fails_one(module_id, language, sandbox):
    seen = []
    passed = check_lab_sync(checks(module_id), reference(module_id, language), sandbox, on_check=seen.append)
    assert passed.all_passed, passed.message
    assert passed.message == f"All {passed.total} checks pass."
    assert [r.name for r in seen] == [c["name"] for c in checks(module_id).cases(language)]
    failed = check_lab_sync(checks(module_id), starter(module_id, language), sandbox)
    assert failed.total == passed.total and not failed.all_passed
    first = next(r for r in failed.results if not r.passed)
    assert first.hint and first.message and "first failure: " + first.name in failed.message


@pytest.mark.parametrize(("module_id", "function"), [
    pytest.param(module_id, function, marks=needs("c"), id=f"{module_id}-{function}")
    for module_id, language in NATIVE if language == "c" for function in called(module_id, "c")])
def test_the_c_reference_with_one_function_emptied_fails_that_functions_check(module_id, function, sandbox, tmp_path):
    lab = tmp_path / "lab.c"
    lab.write_text(emptied(reference(module_id, "c").read_text(), function, "c"))
    report = check_lab_sync(checks(module_id), lab, sandbox)
    failed = [r.name for r in report.results if not r.passed]
    assert any(name.startswith(f"{function}:") for name in failed), f"emptying {function} failed only {failed}"


# Small changes to each function of module 8's C reference: (the check it must fail, what is
# changed, replacement). tower_forward's work is done by the static forward it calls.
INIT_AND_NORM_MUTATIONS = [
    ("layer_norm:", "1.0 / sqrt(var + eps);", "1.0 / (sqrt(var) + eps);"),
    ("layer_norm:", "* (xr[j] - mean) * inv + beta[j];", "* (xr[j] - mean) * inv;"),
    ("layer_norm_backward:", "(dyr[j] * gamma[j] - m1 - x_hat * m2) * inv", "(dyr[j] * gamma[j] - m1) * inv"),
    ("layer_norm_backward: adds to", "dgamma[j] += dyr[j] * x_hat;", "dgamma[j] = dyr[j] * x_hat;"),
    ("tower_build: every parameter written", "for (long k = 0; k < at[PARTS]; k++) params[k] = 0.0;",
     "for (long k = 0; k < at[B_OUT]; k++) params[k] = 0.0;"),
    ("tower_build: gradients at init", "for (long k = at[GAMMA]; k < at[BETA]; k++) params[k] = 1.0;",
     "for (long k = at[GAMMA]; k < at[BETA]; k++) params[k] = 0.0;"),
    ("tower_forward: every logit written", "params + at[B_OUT], logits, batch, width, n_out);",
     "params + at[B_OUT], logits, batch - 1, width, n_out);"),
    ("tower_backward: against central differences", "dh[k] += dx[k];", "dh[k] = dx[k];"),
    ("tower_backward: every gradient written", "for (long k = 0; k < at[PARTS]; k++) grads[k] = 0.0;",
     "for (long k = 0; k < at[GAMMA]; k++) grads[k] = 0.0;"),
]


@needs("c")
@pytest.mark.parametrize(("check", "old", "new"), INIT_AND_NORM_MUTATIONS,
                         ids=[f"{m[0].split(':')[0]}-{i}" for i, m in enumerate(INIT_AND_NORM_MUTATIONS)])
def test_a_small_change_to_module_8s_c_reference_fails_that_functions_check(check, old, new, sandbox, tmp_path):
    source = reference("init-and-norm", "c").read_text()
    assert source.count(old) == 1, old
    lab = tmp_path / "lab.c"
    lab.write_text(source.replace(old, new))
    failed = [r.name for r in check_lab_sync(checks("init-and-norm"), lab, sandbox).results if not r.passed]
    assert any(name.startswith(check) for name in failed), f"{new!r} failed only {failed}"


@needs("rust")
def test_the_rust_reference_with_relu_backward_emptied_fails_its_check(sandbox, tmp_path):
    lab = tmp_path / "lab.rs"
    lab.write_text(emptied(reference("backprop-step", "rust").read_text(), "relu_backward", "rust"))
    report = check_lab_sync(checks("backprop-step"), lab, sandbox)
    failed = [r.name for r in report.results if not r.passed]
    assert "relu_backward: the mask" in failed and "softmax_xent: loss and gradient" not in failed


@needs("rust")
def test_a_rust_panic_fails_its_check_and_the_next_checks_still_run(sandbox, tmp_path):
    source = reference("backprop-step", "rust").read_text()
    start, _, _ = definitions(source, "rust")["relu_backward"]
    lab = tmp_path / "lab.rs"
    lab.write_text(source[:start + 1] + '\n    panic!("not today");' + source[start + 1:])
    report = check_lab_sync(checks("backprop-step"), lab, sandbox)
    results = {r.name: r for r in report.results}
    assert results["relu_backward: the mask"].message == "your code panicked: not today"
    assert results["softmax_xent: loss and gradient"].passed


@needs("c")
def test_a_c_compile_error_fails_every_check_with_the_compilers_first_error(sandbox, tmp_path):
    lab = tmp_path / "lab.c"
    lab.write_text(reference("vector-awakens", "c").read_text().replace("double total = 0;", "double total = 0", 1))
    report = check_lab_sync(checks("vector-awakens"), lab, sandbox)
    assert report.passed == 0
    assert all("your C did not compile: lab.c:" in r.message for r in report.results)
    assert str(tmp_path) not in report.message and "neuralforge-boss" not in report.message


@needs("c")
def test_a_c_lab_with_another_signature_does_not_build(sandbox, tmp_path):
    lab = tmp_path / "lab.c"
    lab.write_text(reference("vector-awakens", "c").read_text().replace(
        "double norm(const double *v, int n) {", "double norm(const double *v, long n) {", 1))
    report = check_lab_sync(checks("vector-awakens"), lab, sandbox)
    assert report.passed == 0 and "conflicting types for 'norm'" in report.results[0].message


def test_a_rust_error_in_the_driver_names_the_signature_of_the_function_it_calls():
    output = ("error[E0061]: this function takes 2 arguments but 4 arguments were supplied\n"
              "   --> checks_driver.rs:160:17\n    |\n160 |                 lab::relu_backward(&z, &mut dh);\n")
    text = first_rust_error(checks("backprop-step"), output)
    assert text.startswith("error[E0061]") and "(where the checks call your code: it needs " in text
    assert text.endswith("pub fn relu_backward(z: &[f64], dh: &mut [f64]))")
    assert rust_signature(checks("backprop-step"), "error: something else entirely") == ""


# ---------------------------------------------------------------- the engine

TOY_C_CHECKS = '''
C_DRIVER = "c/driver.c"

def checks():
    return [{"name": "twice", "summary": "", "hint": "", "call": {"function": "twice", "args": [2]}}]

def judge(check, got):
    return got == 4, "4", "right" if got == 4 else "wrong"
'''


def test_checks_that_name_a_driver_must_declare_their_native_list(tmp_path):
    folder = tmp_path / "toy"
    folder.mkdir()
    (folder / "checks.py").write_text(TOY_C_CHECKS)
    with pytest.raises(ContractError, match="does not define native_checks; does not define c_stdin"):
        load_checks("toy", tmp_path)


def test_a_compiled_lab_the_checks_do_not_judge_fails_with_a_way_out(sandbox, tmp_path):
    lab = tmp_path / "lab.c"
    lab.write_text("int main(void) { return 0; }\n")
    python_only = checks("calculus-of-slopes")
    assert python_only.languages == ("python",) and python_only.lab_language("c") == "python"
    report = check_lab_sync(python_only, lab, sandbox)
    assert report.passed == 0 and report.total == len(python_only.cases())
    assert report.results[0].message == ("this module's checks do not judge C labs yet; switch the lab to "
                                         "Python to run them")


# ---------------------------------------------------------------- the session, the CLI and the Lab part

def open_run(language: str, module_order: int):
    """A run in `language` where module `module_order` is open."""
    from forge_tui.game import Game

    game = Game()
    run = game.new_run("ada", ["hacker", "artist"], language)
    for earlier in game.catalog.modules[: module_order - 1]:
        run = game.store.update(run.id, lambda s, m=earlier: setattr(s.progress(m.id), "gate_passed", True))
    return game, game.catalog.module(module_order)


@needs("c")
def test_the_session_checks_the_c_lab_of_a_c_run_and_saves_the_verdict(sandbox):
    from forge_tui.session import Session

    game, module = open_run("c", 1)
    session = Session.open(game, "ada", sandbox=lambda: sandbox)
    lab = session.lab_path(module, "c")
    lab.write_text(reference(module.id, "c").read_text())
    report = asyncio.run(session.check_lab(module))
    assert report.all_passed and report.total == len(checks(module.id).cases("c"))
    saved = game.store.load("ada").modules[module.id]
    assert saved.checks_total == report.total and len(saved.checks_passed) == report.total


async def test_f5_in_the_lab_part_checks_a_c_run_s_c_lab(tmp_path):
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed: no C lab builds here")
    from forge_tui.app import NeuralForgeApp
    from forge_tui.labs import ensure_lab
    from forge_tui.screens import level

    app = NeuralForgeApp()
    async with app.run_test(size=(80, 24)) as pilot:
        run = app.game.store.create_run("ada", ["hacker", "artist"], "c")
        module = app.game.catalog.modules[0]
        ensure_lab(app.game.store.home, run.id, module, "c").write_text(reference(module.id, "c").read_text())
        app.push_screen(level.LevelScreen(run, module, "lab"))
        await pilot.pause()
        await pilot.press("f5")
        saved = None
        for _ in range(300):
            await pilot.pause(0.05)
            saved = app.game.store.load(run.id).modules.get(module.id)
            if saved and saved.checks_total:
                break
        total = len(checks(module.id).cases("c"))
        log = "\n".join(str(line) for line in app.screen.query_one("#lab-output").lines)
        assert f"All {total} checks pass." in log and "✓ dot: the brief's example" in log
        assert saved.checks_total == total and len(saved.checks_passed) == total
