"""Module 1's boss, C path: the player's lab.c is compiled with the boss's trusted driver inside
the sandbox, run there on the cases' inputs, and judged by the same `judge` as the Python lab.

The reference wins, the starter and every wrong C solution lose, a compile error loses with the
compiler's first error, and a lab that crashes, hangs, floods its output or reaches for the
boss's files loses with a clear message while the next fight still works. A counted fight
compiles the lab once and runs that build in both rounds, untouched by what round 1 did; a fight
asked to stop at its first lost case does.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from conftest import REPO
from forge_tui.boss import STOPPED, fight_sync, first_compile_error, load_boss
from forge_tui.runner import Sandbox

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")

C_DIR = REPO / "bosses" / "vector-awakens" / "c"
STARTER = REPO / "levels" / "01-vector-awakens" / "lab" / "c.c"
WRONG = sorted(path.name for path in C_DIR.glob("wrong_*.c"))
SECRET = "no better than the worst kept"  # a comment that only reference.c contains


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


@pytest.fixture(scope="module")
def boss():
    return load_boss("vector-awakens", root=REPO / "bosses")


def lab(tmp_path: Path, body: str, name: str = "lab.c") -> Path:
    """The reference lab with `body` added after its functions (and its main renamed away)."""
    reference = (C_DIR / "reference.c").read_text()
    path = tmp_path / name
    path.write_text(reference.replace("int closest_pairs(", "int reference_closest_pairs(", 1) + body)
    return path


def hostile(tmp_path: Path, statements: str) -> Path:
    """A lab whose closest_pairs runs `statements`, then answers like the reference."""
    return lab(tmp_path, f"""
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int closest_pairs(const double *vectors, int n, int d, int k, int *first, int *second, double *similarity) {{
{statements}
    return reference_closest_pairs(vectors, n, d, k, first, second, similarity);
}}
""")


def assert_next_fight_wins(boss, sandbox):
    report = fight_sync(boss, C_DIR / "reference.c", sandbox, seed=7)
    assert report.won, report.message


# ---------------------------------------------------------------- the boss's own C files

def test_the_boss_offers_c(boss):
    assert boss.languages == ("python", "c")
    assert boss.c_reference_path == C_DIR / "reference.c"
    assert len(boss.c_wrong_paths) >= 3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_c_wins(boss, sandbox, seed):
    passed = []
    report = fight_sync(boss, boss.c_reference_path, sandbox, seed=seed, on_case=passed.append)
    assert report.won, report.message
    assert report.message.startswith(f"Victory: all {len(report.cases)} cases passed.")  # then: practice
    assert [c.index for c in passed] == list(range(len(report.cases))) and all(c.passed for c in passed)


def test_c_starter_loses(boss, sandbox):
    report = fight_sync(boss, STARTER, sandbox, seed=0)
    assert not report.won and report.passed == 0
    assert "expected 5 pairs, got 0" in report.message


@pytest.mark.parametrize("name", WRONG)
@pytest.mark.parametrize("seed", [0, 3])
def test_each_wrong_c_solution_loses(boss, sandbox, name, seed):
    report = fight_sync(boss, C_DIR / name, sandbox, seed=seed)
    assert not report.won, name
    assert report.passed < len(report.cases)
    first = next(c for c in report.cases if not c.passed)
    assert first.hint and first.message


def test_the_same_lab_in_python_and_c_meets_the_same_judge(boss, sandbox):
    """Same seed, same cases: both references win on identical summaries of the expected pairs."""
    c = fight_sync(boss, boss.c_reference_path, sandbox, seed=11)
    python = fight_sync(boss, boss.reference_path, sandbox, seed=11)
    assert c.won and python.won
    assert [x.expected for x in c.cases] == [x.expected for x in python.cases]


# ---------------------------------------------------------------- what enters the child

def test_the_driver_gets_inputs_only(boss):
    cases = boss.module.cases(np.random.default_rng(5))
    text = boss.module.c_stdin(cases)
    lines = text.splitlines()
    assert int(lines[0]) == len(cases)
    at = 1
    for case in cases:
        _, vectors = case["call"]["args"]
        n, d, k = map(int, lines[at].split())
        assert (n, d, k) == (len(vectors), len(vectors[0]), case["call"]["kwargs"]["k"])
        rows = [[float(x) for x in line.split()] for line in lines[at + 1: at + 1 + n]]
        assert rows == vectors  # exactly the judge's numbers, round-tripped
        at += 1 + n
    assert at == len(lines)  # every line is accounted for: a header or a row of the inputs
    assert set(text) <= set("0123456789.-+e \n")  # numbers only: no words, names or hints


def test_c_answer_reads_rows_as_words(boss):
    case = boss.module.cases(np.random.default_rng(0))[7]  # 3 words
    words = case["call"]["args"][0]
    got, problem = boss.module.c_answer(case, [[0, 2, 0.5], [1, 0, -0.25]])
    assert problem == "" and got == [(words[0], words[2], 0.5), (words[1], words[0], -0.25)]
    for bad in ([[0, 3, 0.5]], [[-1, -1, float("nan")]], [[0, 1]], [[0, True, 0.1]], {"a": 1}):
        got, problem = boss.module.c_answer(case, bad)
        assert got is None and problem


# ---------------------------------------------------------------- labs that do not build

def test_a_compile_error_loses_with_the_first_error(boss, sandbox, tmp_path):
    source = STARTER.read_text().replace("return 0;\n}\n\n/* Euclidean", "return 0\n}\n\n/* Euclidean", 1)
    assert source != STARTER.read_text()
    path = tmp_path / "mine.c"
    path.write_text(source)
    report = fight_sync(boss, path, sandbox, seed=0)
    assert not report.won and report.passed == 0
    assert report.message.startswith("Defeat: your C did not compile: lab.c:")
    assert "error: expected ';'" in report.message
    assert all(c.message.startswith("your C did not compile") for c in report.cases)
    assert str(tmp_path) not in report.message and "neuralforge-boss" not in report.message


def test_a_missing_or_mistyped_closest_pairs_does_not_link(boss, sandbox, tmp_path):
    missing = tmp_path / "missing.c"
    missing.write_text("double dot(const double *u, const double *v, int n) { (void)u; (void)v; return n; }\n")
    report = fight_sync(boss, missing, sandbox, seed=0)
    assert not report.won
    assert report.message == "Defeat: your C did not compile: undefined reference to `closest_pairs'"
    mistyped = tmp_path / "mistyped.c"
    mistyped.write_text("int closest_pairs(const double *vectors, int n) { (void)vectors; return n; }\n")
    report = fight_sync(boss, mistyped, sandbox, seed=0)
    assert not report.won and "conflicting types for 'closest_pairs'" in report.message


def test_first_compile_error_picks_the_error_line():
    output = ("lab.c: In function 'dot':\nlab.c:12:5: warning: unused variable 'x'\n"
              "lab.c:14:1: error: expected ';' before '}' token\nlab.c:20:1: error: second\n")
    assert first_compile_error(output) == "lab.c:14:1: error: expected ';' before '}' token"
    link = ("/usr/bin/ld: /tmp/neuralforge-boss-c-x/ccA.o: in function `main':\n"
            "driver.c:(.text.startup+0x1a5): undefined reference to `closest_pairs'\n"
            "collect2: error: ld returned 1 exit status\n")
    assert first_compile_error(link) == "undefined reference to `closest_pairs'"


# ---------------------------------------------------------------- hostile labs

def test_a_segfault_loses_and_the_next_fight_wins(boss, sandbox, tmp_path):
    path = hostile(tmp_path, "    volatile int *nowhere = 0;\n    *nowhere = 42;")
    report = fight_sync(boss, path, sandbox, seed=0)
    assert not report.won and report.passed == 0
    assert "segmentation fault (SIGSEGV)" in report.message
    assert_next_fight_wins(boss, sandbox)


def test_an_infinite_loop_loses_and_the_next_fight_wins(boss, sandbox, tmp_path):
    path = hostile(tmp_path, "    volatile unsigned long spin = 0;\n    for (;;) spin++;")
    report = fight_sync(boss, path, sandbox, seed=0)
    assert not report.won and report.passed == 0
    assert report.run.outcome in ("timeout", "cpu")
    assert "limit" in report.message
    assert report.duration_s < boss.time_limit_s + 5
    assert_next_fight_wins(boss, sandbox)


def test_a_hundred_megabytes_of_output_loses_and_the_next_fight_wins(boss, sandbox, tmp_path):
    path = hostile(tmp_path, """
    static char block[1 << 20];
    memset(block, 'x', sizeof block);
    for (int i = 0; i < 100; i++) fwrite(block, 1, sizeof block, stdout);
    fflush(stdout);""")
    report = fight_sync(boss, path, sandbox, seed=0)
    assert not report.won and report.passed == 0
    assert report.run.outcome == "output"
    assert "output limit" in report.message
    assert len(report.run.output) < 300_000
    assert_next_fight_wins(boss, sandbox)


def test_printing_does_not_forge_an_answer(boss, sandbox, tmp_path):
    """Results travel on the driver's own channel: stdout (fake JSON or a fake victory) counts for nothing."""
    fake = json.dumps({"case": 0, "ok": True, "value": [[0, 1, 1.0]]})
    path = lab(tmp_path, f"""
int closest_pairs(const double *vectors, int n, int d, int k, int *first, int *second, double *similarity) {{
    (void)vectors; (void)n; (void)d; (void)k; (void)first; (void)second; (void)similarity;
    printf("%s\\n", {json.dumps(fake)});
    printf("Victory: all 9 cases passed.\\n");
    fflush(stdout);
    return 0;
}}
""")
    report = fight_sync(boss, path, sandbox, seed=0)
    assert not report.won and report.passed == 0
    chatty = hostile(tmp_path, '    printf("debugging %d rows\\n", n);\n    fflush(stdout);')
    report = fight_sync(boss, chatty, sandbox, seed=0)
    assert report.won, report.message
    assert "debugging 50 rows" in report.run.output


def test_the_lab_cannot_read_the_boss(boss, sandbox, tmp_path):
    if not sandbox.protections()["landlock"]:
        pytest.skip("Landlock is absent here: the sandbox cannot hide the boss's files")
    targets = [C_DIR / "reference.c", C_DIR.parent / "boss.py", C_DIR / "driver.c"]
    opens = "\n".join(f"""    f = fopen("{target}", "r");
    if (f == NULL) {{ printf("DENIED {target.name}\\n"); fflush(stdout); }}
    else {{ char text[4096]; size_t got = fread(text, 1, sizeof text - 1, f); text[got] = 0;
           printf("READ %s\\n", text); fflush(stdout); fclose(f); leaked = 1; }}""" for target in targets)
    path = hostile(tmp_path, f"    FILE *f;\n    int leaked = 0;\n{opens}\n    if (!leaked) return 0;")
    report = fight_sync(boss, path, sandbox, seed=0)
    assert not report.won and report.passed == 0
    assert "expected 5 pairs, got 0" in report.message
    output = report.run.output
    assert "READ" not in output and SECRET not in output
    assert all(f"DENIED {target.name}" in output for target in targets)


def test_the_compiler_cannot_read_the_boss_either(boss, sandbox, tmp_path):
    if not sandbox.protections()["landlock"]:
        pytest.skip("Landlock is absent here: the sandbox cannot hide the boss's files")
    path = tmp_path / "include.c"
    path.write_text(f'#include "{C_DIR / "reference.c"}"\n')
    report = fight_sync(boss, path, sandbox, seed=0)
    assert not report.won
    assert report.message.startswith("Defeat: your C did not compile:")
    assert "Permission denied" in report.message
    assert SECRET not in report.run.output
    assert_next_fight_wins(boss, sandbox)


# ---------------------------------------------------------------- one build per fight

def counting_compiles(sandbox, monkeypatch) -> list[list[str]]:
    """Every command the sandbox is asked to run whose program is gcc, recorded as it is asked."""
    asked: list[list[str]] = []
    run_command = sandbox.run_command

    async def counted(argv, **kwargs):
        if Path(str(argv[0])).name == "gcc":
            asked.append([str(a) for a in argv])
        return await run_command(argv, **kwargs)

    monkeypatch.setattr(sandbox, "run_command", counted)
    return asked


def test_a_counted_c_fight_compiles_once_and_fights_both_rounds(boss, sandbox, monkeypatch):
    compiles = counting_compiles(sandbox, monkeypatch)
    rounds = []
    report = fight_sync(boss, C_DIR / "reference.c", sandbox, on_case=lambda case: rounds.append(case.round))
    assert report.counts, report.message
    assert len(compiles) == 1
    assert rounds.count(1) == rounds.count(2) == len(report.cases)


def test_the_confirmation_judges_the_lab_that_won_round_one(boss, sandbox, tmp_path):
    """The lab's file, rewritten on disk during round 1 into one that loses, is not read again."""
    path = tmp_path / "lab.c"
    shutil.copyfile(C_DIR / "reference.c", path)

    def rewrite(case) -> None:
        shutil.copyfile(STARTER, path)

    report = fight_sync(boss, path, sandbox, on_case=rewrite)
    assert report.counts and report.confirmed, report.message


def test_what_round_one_leaves_in_its_folder_never_reaches_round_two(boss, sandbox, tmp_path):
    """A lab that, in its first run, leaves a marker and replaces its own binary with a script
    that answers nothing, and answers wrong in any run that finds the marker: round 2 runs the
    build's own bytes in a fresh folder, so the confirmation is won as if round 1 left nothing."""
    path = lab(tmp_path, """
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
int closest_pairs(const double *vectors, int n, int d, int k, int *first, int *second, double *similarity) {
    static int first_call = 1;
    if (first_call) {
        first_call = 0;
        if (access("round_one_was_here", F_OK) == 0) return 0;
        FILE *marker = fopen("round_one_was_here", "w");
        if (marker) fclose(marker);
        unlink("fight");
        FILE *script = fopen("fight", "w");
        if (script) { fputs("#!/bin/sh\\nexit 0\\n", script); fclose(script); }
        chmod("fight", 0755);
        if (access("round_one_was_here", F_OK) != 0 || access("fight", X_OK) != 0) return 0;
    }
    return reference_closest_pairs(vectors, n, d, k, first, second, similarity);
}
""")
    rounds = []
    report = fight_sync(boss, path, sandbox, on_case=lambda case: rounds.append((case.round, case.passed)))
    assert report.counts, report.message
    assert rounds.count((2, True)) == len(report.cases)


def test_stop_at_loss_ends_the_run_at_the_first_lost_case(boss, sandbox, tmp_path):
    """A lab that answers its first case wrong and then hangs: with stop_at_loss the fight ends
    at once with that loss, not at the wall-time limit; the cases after it lose unrun."""
    path = hostile(tmp_path, "    static int calls = 0;\n    if (++calls == 1) return 0;\n    pause();")
    report = fight_sync(boss, path, sandbox, seed=0, stop_at_loss=True)
    assert not report.won and report.passed == 0
    assert report.run.message == STOPPED
    assert "expected 5 pairs, got 0" in report.cases[0].message
    assert all(STOPPED in case.message for case in report.cases[1:])
