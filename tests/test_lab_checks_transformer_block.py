"""Module 12's lab checks: the NumPy decoder the boss is written after.

The reference lab passes every check, the starter fails them, every function the lab asks for
has a check, a small change to each function of the reference fails one, and the parameter
counts the curriculum states are recomputed here from the tensors' shapes.
"""

from __future__ import annotations

import functools
import json
import math
import re

import pytest

from conftest import REPO
from forge_tui.labcheck import check_lab_sync, load_checks
from forge_tui.runner import Sandbox

REFERENCE = REPO / "bosses" / "transformer-block" / "reference.py"
STARTER = REPO / "levels" / "12-transformer-block" / "lab" / "python.py"


@functools.cache
def checks():
    return load_checks("transformer-block", root=REPO / "bosses")


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox.start()
    yield box
    box.close()


def test_the_reference_passes_every_check_and_the_starter_none(sandbox):
    report = check_lab_sync(checks(), REFERENCE, sandbox)
    assert report.all_passed, report.message
    assert report.total >= 5
    starter = check_lab_sync(checks(), STARTER, sandbox)
    assert starter.passed == 0 and "NotImplementedError" in starter.results[0].message


def test_the_checks_are_the_same_every_time():
    assert json.dumps(checks().cases(), sort_keys=True) == json.dumps(checks().cases(), sort_keys=True)


def test_every_function_the_lab_asks_for_has_a_check():
    asked = set(re.findall(r"^- `(\w+)\(", (REPO / "levels" / "12-transformer-block" / "level.toml").read_text(),
                           re.MULTILINE))
    called = {case["call"]["function"] for case in checks().cases() if "call" in case}
    scripted = {name for case in checks().cases() if "script" in case
                for name in re.findall(r"lab\.(\w+)\(", case["script"])}
    assert {"layer_norm", "gelu", "ffn", "causal_self_attention", "block", "count_params", "gpt_forward",
            "sample", "generate"} <= asked
    assert asked <= called | scripted


def test_gpt2_small_and_the_tiny_gpt_counts_are_the_curriculums():
    module = checks().module
    assert module._count(50257, 1024, 768, 12) == 124_439_808  # GPT-2 small, tied embeddings
    manifest = json.loads((REPO / "datasets" / "tinygpt" / "manifest.json").read_text())
    assert module._count(*module.TINY_GPT) == manifest["parameters"] == 811_264
    floats = (REPO / "datasets" / "tinygpt" / "weights.bin").stat().st_size // 4
    assert floats == 811_264
    block = sum(math.prod(t["shape"]) for t in manifest["tensors"] if t["name"].startswith("h.0."))
    assert block == 12 * 128 * 128 + 13 * 128


# Small changes to each function of the reference lab: (function, what is changed, replacement).
MUTATIONS = [
    ("layer_norm", "mu = x.mean(axis=-1, keepdims=True)", "mu = x.mean()"),
    ("layer_norm", "np.sqrt(var + eps)", "(np.sqrt(var) + eps)"),
    ("layer_norm", "var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)",
     "var = ((x - mu) ** 2).sum(axis=-1, keepdims=True) / (x.shape[-1] - 1)"),
    ("gelu", "(x + 0.044715 * x**3)", "(x + 0.04 * x**3)"),
    ("gelu", "math.sqrt(2 / math.pi)", "math.sqrt(2 * math.pi)"),
    ("ffn", "return gelu(x @ W1 + b1) @ W2 + b2", "return gelu(x @ W1) @ W2 + b2"),
    ("causal_self_attention", "/ math.sqrt(d_k)", "/ d_k"),
    ("causal_self_attention", "np.where(np.tril(", "np.where(np.triu("),
    ("causal_self_attention", "cols = slice(h * d_k, (h + 1) * d_k)", "cols = slice(h, None, n_head)"),
    ("block", 'h = x + causal_self_attention(layer_norm(x, p["ln1_g"], p["ln1_b"])',
     'h = causal_self_attention(layer_norm(x, p["ln1_g"], p["ln1_b"])'),
    ("block", 'return h + ffn(layer_norm(h, p["ln2_g"], p["ln2_b"])', 'return h + ffn(layer_norm(x, p["ln2_g"], p["ln2_b"])'),
    ("count_params", "mlp = d * 4 * d + 4 * d + 4 * d * d + d", "mlp = d * 4 * d + 4 * d * d + d"),
    ("count_params", "return vocab * d + ctx * d + n_layer * (attention + mlp + norms) + 2 * d",
     "return 2 * vocab * d + ctx * d + n_layer * (attention + mlp + norms) + 2 * d"),
    ("gpt_forward", 'x = params["wte"][ids] + params["wpe"][: len(ids)]', 'x = params["wte"][ids]'),
    ("gpt_forward", 'params["ln_f.bias"], config["layer_norm_eps"]) @ params["wte"].T',
     'params["ln_f.bias"], 1e-3) @ params["wte"].T'),
    ("sample", 'side="right"', 'side="left"'),
    ("sample", "p = softmax(np.asarray(logits) / temperature)", "p = softmax(np.asarray(logits) * temperature)"),
    ("generate", 'logits = gpt_forward(np.array(ids[-config["context"]:]), params, config)',
     'logits = gpt_forward(np.array(ids[:config["context"]]), params, config)'),
    ("generate", "ids.append(sample(logits[-1], temperature, u[k]))", "ids.append(sample(logits[-1], temperature, u[0]))"),
]


@pytest.mark.parametrize(("function", "old", "new"), MUTATIONS, ids=[f"{m[0]}-{i}" for i, m in enumerate(MUTATIONS)])
def test_a_small_change_to_the_reference_fails_a_check(function, old, new, sandbox, tmp_path):
    source = REFERENCE.read_text()
    assert source.count(old) == 1, old
    lab = tmp_path / "lab.py"
    lab.write_text(source.replace(old, new))
    report = check_lab_sync(checks(), lab, sandbox)
    assert not report.all_passed, f"{function}: {new!r} passed every check"
