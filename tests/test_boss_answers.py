"""A lab's answer is decoded within bounds: a few bytes that describe something huge lose their
case with a clear message, and the game (this process) never allocates much for them.

Each hostile lab below sends its bomb for the first case only, then answers honestly: the bomb's
case is lost, the rest are judged as usual, and the fight ends well within its time limit.
"""

from __future__ import annotations

import base64
import json
import logging
import textwrap
import time
import tracemalloc

import pytest

from bosskit import sandbox  # noqa: F401 - the fixture
from forge_tui.boss import fight_sync, load_boss
from forge_tui.runner.answers import (MAX_DEPTH, MAX_DIMENSIONS, MAX_VALUES, AnswerRefused, RefusedLine,
                                      line_problem, unpack_answer)
from tests.test_boss_engine import make_boss

GAME_MB = 40  # what the game may allocate while it judges one of these fights (the 4 MB line included)


@pytest.fixture
def boss(tmp_path):
    return load_boss("adder", root=make_boss(tmp_path / "bosses").parent)


def lab(tmp_path, source: str):
    path = tmp_path / "lab" / "lab.py"  # a folder of its own: tmp_path holds the game's saves
    path.parent.mkdir(exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def fight_measured(boss, path, sandbox):
    """The fight's report, its duration and the game's peak traced allocation in MB."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        report = fight_sync(boss, path, sandbox)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return report, time.monotonic() - started, peak / 2**20


def assert_first_case_refused(report, words: str):
    assert not report.won
    first, *rest = report.cases
    assert not first.passed and words in first.message, first.message
    assert all(case.passed for case in rest), [case.message for case in rest]


# --- packed arrays whose shape is a bomb ----------------------------------------------------------------
@pytest.mark.parametrize("ones, words", [(31, "the answer has 32 dimensions; at most 8 are accepted"),
                                         (7, f"at most {MAX_VALUES:,} are accepted")])
def test_a_small_packed_answer_that_unpacks_into_millions_of_lists(sandbox, boss, tmp_path, ones, words):
    path = lab(tmp_path, f"""
        import numpy as np
        sent = []

        def add(a, b):
            sent.append(1)
            if len(sent) == 1:  # 1 MB of bytes; as nested lists, {ones} lists per byte
                return np.zeros((1_000_000,) + (1,) * {ones}, dtype=np.uint8)
            return a + b
    """)
    report, seconds, peak_mb = fight_measured(boss, path, sandbox)
    assert_first_case_refused(report, words)
    assert peak_mb < GAME_MB, f"the game allocated {peak_mb:.0f} MB"
    assert seconds < boss.time_limit_s


BOMB_LINE = 'import os\nos.write(3, {line!r} + b"\\n")\n\ndef add(a, b):\n    return a + b\n'


@pytest.mark.parametrize("shape", [[10**12], [10**9, 0], [2**32, 2**32]])
def test_a_shape_that_claims_more_values_than_the_bytes_sent(sandbox, boss, tmp_path, shape):
    message = f'{{"case": 0, "ok": true, "value": {{"__nd__": "", "dtype": "uint8", "shape": {shape}}}}}'
    report, seconds, peak_mb = fight_measured(boss, lab(tmp_path, BOMB_LINE.format(line=message.encode())),
                                              sandbox)
    assert_first_case_refused(report, f"at most {MAX_VALUES:,} are accepted")
    assert peak_mb < GAME_MB and seconds < boss.time_limit_s


def test_bytes_that_do_not_match_the_shape_are_malformed(sandbox, boss, tmp_path):
    message = b'{"case": 0, "ok": true, "value": {"__nd__": "AAAA", "dtype": "uint8", "shape": [100]}}'
    report = fight_sync(boss, lab(tmp_path, BOMB_LINE.format(line=message)), sandbox)
    assert_first_case_refused(report, "the array's bytes do not match its shape (100,) of uint8")


# --- JSON on the result channel -----------------------------------------------------------------------
def test_a_result_line_nested_100000_deep(sandbox, boss, tmp_path, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    path = lab(tmp_path, """
        import os
        print("before the bomb", flush=True)
        os.write(3, b"[" * 100_000 + b"]" * 100_000 + b"\\n")
        print("after the bomb", flush=True)

        def add(a, b):
            return a + b
    """)
    report, seconds, peak_mb = fight_measured(boss, path, sandbox)
    assert_first_case_refused(report, f"the answer is nested deeper than {MAX_DEPTH} levels")
    assert report.run.output == "before the bomb\nafter the bomb\n"
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert "Traceback" not in capfd.readouterr().err
    assert peak_mb < GAME_MB and seconds < boss.time_limit_s


def test_huge_nested_lists_that_are_not_packed(sandbox, boss, tmp_path):
    path = lab(tmp_path, """
        import os
        # 3.6 MB of JSON that json.loads would turn into 1.2 million lists
        os.write(3, b'{"case": 0, "ok": true, "value": [' + b"[]," * 1_200_000 + b'[]]}\\n')

        def add(a, b):
            return a + b
    """)
    report, seconds, peak_mb = fight_measured(boss, path, sandbox)
    assert_first_case_refused(report, f"the answer has more than {MAX_VALUES:,} values")
    assert peak_mb < GAME_MB and seconds < boss.time_limit_s


def test_a_refused_line_keeps_its_place_among_the_results(sandbox, tmp_path):
    path = lab(tmp_path, """
        import os
        from neuralforge_child import send
        send({"before": 1})
        os.write(3, b"[" * 100_000 + b"\\n")
        print("still running")
        send({"after": 2})
    """)
    result = sandbox.run_python_sync(path, workdir=path.parent)
    assert result.outcome == "ok" and result.output == "still running\n", result
    assert result.results[0] == {"before": 1} and result.results[2] == {"after": 2}
    assert result.results[1] == RefusedLine(f"the answer is nested deeper than {MAX_DEPTH} levels")


# --- the bounds themselves, without a sandbox -----------------------------------------------------------
def envelope(value: str) -> bytes:
    return f'{{"case": 0, "ok": true, "value": {value}, "error": ""}}'.encode()


def test_line_bounds():
    assert line_problem(envelope("[" * MAX_DEPTH + "]" * MAX_DEPTH)) == ""
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    assert line_problem(envelope(deep)) == f"the answer is nested deeper than {MAX_DEPTH} levels"
    brackets_in_a_string = '"' + "[" * 10_000 + '\\" {{{"'  # an escaped quote does not end it
    assert line_problem(envelope(brackets_in_a_string)) == ""
    after_an_escaped_backslash = '["\\\\", ' + deep + "]"  # the string ends: the brackets are structure
    assert json.loads(envelope(after_an_escaped_backslash))
    assert line_problem(envelope(after_an_escaped_backslash)).startswith("the answer is nested deeper")
    assert line_problem(envelope("[" + "0," * MAX_VALUES + "0]")).startswith("the answer has more than")
    assert line_problem(envelope("[" + "0," * 1000 + "0]")) == ""


def packed(shape, data: str = "", dtype: str = "uint8") -> dict:
    return {"__nd__": data, "dtype": dtype, "shape": shape}


def test_unpack_bounds():
    assert unpack_answer({"x": packed([2, 2], "AAECAw==")}) == {"x": [[0, 1], [2, 3]]}
    with pytest.raises(AnswerRefused, match=f"at most {MAX_DIMENSIONS} are accepted"):
        unpack_answer(packed([1] * (MAX_DIMENSIONS + 1), "AA=="))
    with pytest.raises(AnswerRefused, match=f"would be {2 * MAX_VALUES + 1:,} lists and numbers"):
        unpack_answer(packed([MAX_VALUES, 1]))
    thousand = packed([1000], base64.b64encode(bytes(1000)).decode())
    assert len(unpack_answer([thousand] * (MAX_VALUES // 2000))) == MAX_VALUES // 2000
    with pytest.raises(AnswerRefused, match="the answer has more than"):  # many small arrays add up
        unpack_answer([thousand] * (MAX_VALUES // 1000 + 1))
    for shape in ([-1], [True], ["3"], [1.5], "3"):
        with pytest.raises(ValueError):
            unpack_answer(packed(shape))
