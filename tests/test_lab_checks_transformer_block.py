"""Module 12's lab checks: the NumPy decoder the boss is written after.

The reference lab passes every check, the starter fails them, every function the lab asks for
has a check, a small change to each function of the reference fails one, and the parameter
counts the curriculum states are recomputed here from the tensors' shapes. The C and Rust labs
(the ones the boss fights) have checks of their own: a small change to each function of the C
reference, and to several of the Rust one's, fails the check named for that function (the
references pass and the starters fail in tests/test_lab_checks_native.py).
"""

from __future__ import annotations

import functools
import json
import math
import re
import shutil

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
    native = json.dumps(checks().cases("c"), sort_keys=True)
    assert native == json.dumps(checks().cases("c"), sort_keys=True) == json.dumps(checks().cases("rust"), sort_keys=True)


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


# ---------------------------------------------------------------- the C and Rust labs

C_REFERENCE = REPO / "bosses" / "transformer-block" / "c" / "reference.c"
RUST_REFERENCE = REPO / "bosses" / "transformer-block" / "rust" / "reference.rs"


def needs(tool: str):
    return pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed: no lab in it builds here")


# Small changes to each function of the C reference: (the check it must fail, what is changed, replacement).
C_MUTATIONS = [
    ("layer_norm:", "var /= d;", "var /= d - 1;"),
    ("layer_norm:", "1.0 / sqrt(var + eps)", "1.0 / (sqrt(var) + eps)"),
    ("gelu:", "0.044715 * x * x * x", "0.04 * x * x * x"),
    ("linear:", "for (int j = 0; j < n_out; j++) yt[j] = b[j];", "for (int j = 0; j < n_out; j++) yt[j] = 0;"),
    ("attention:", "w[s] = dot / sqrt((double)d_head);", "w[s] = dot / d_head;"),
    ("attention:", "const double *v = qkv + (size_t)s * 3 * d + 2 * d + h * d_head;",
     "const double *v = qkv + (size_t)s * 3 * d + d + h * d_head;"),
    ("attention:", "for (int s = 0; s <= t; s++) total += (w[s] = exp(w[s] - top));",
     "for (int s = 0; s <= t; s++) total += (w[s] = exp(w[s]));"),
    ("block:", "layer_norm(x, b.ln_2_w, b.ln_2_b, c->eps, T, d, h);", "layer_norm(x, b.ln_1_w, b.ln_1_b, c->eps, T, d, h);"),
    ("block:", "for (int k = 0; k < T * 4 * d; k++) wide[k] = gelu(wide[k]);", ""),
    ("gpt_forward:", "layer_norm(x, ln_f, ln_f + d, c->eps, T, d, h);", "layer_norm(x, ln_f + d, ln_f, c->eps, T, d, h);"),
    ("gpt_forward:", "+ wpe[(size_t)t * d + i];", "+ wpe[(size_t)ids[t] * d + i];"),
    ("sample:", "if (u < running) return v;", "if (u <= running) return v;"),
    ("sample:", "total += exp((logits[v] - top) / temperature);", "total += exp(logits[v] - top);"),
    ("gpt_generate:", "gpt_forward(c, weights, ids + length - T, T, logits);", "gpt_forward(c, weights, ids, T, logits);"),
    ("gpt_generate:", "temperature, u[k]);", "temperature, u[0]);"),
]


def failed_checks(lab, sandbox) -> list[str]:
    return [r.name for r in check_lab_sync(checks(), lab, sandbox).results if not r.passed]


@needs("gcc")
@pytest.mark.parametrize(("check", "old", "new"), C_MUTATIONS, ids=[f"{m[0][:-1]}-{i}" for i, m in enumerate(C_MUTATIONS)])
def test_a_small_change_to_the_c_reference_fails_that_functions_check(check, old, new, sandbox, tmp_path):
    source = C_REFERENCE.read_text()
    assert source.count(old) == 1, old
    lab = tmp_path / "lab.c"
    lab.write_text(source.replace(old, new))
    failed = failed_checks(lab, sandbox)
    assert any(name.startswith(check) for name in failed), f"{new!r} failed only {failed}"


RUST_MUTATIONS = [
    ("layer_norm:", ".sum::<f64>() / d as f64;\n        let scale", ".sum::<f64>() / (d - 1) as f64;\n        let scale"),
    ("attention:", "/ (d_head as f64).sqrt();", "/ d_head as f64;"),
    ("block:", "layer_norm(x, b.ln_2_w, b.ln_2_b, c.eps, d)", "layer_norm(x, b.ln_1_w, b.ln_1_b, c.eps, d)"),
    ("sample:", "if u < running {", "if u <= running {"),
    ("gpt_generate:", "let window = &ids[ids.len().saturating_sub(c.context)..];",
     "let window = &ids[..ids.len().min(c.context)];"),
]


@needs("rustc")
@pytest.mark.parametrize(("check", "old", "new"), RUST_MUTATIONS, ids=[f"{m[0][:-1]}-{i}" for i, m in enumerate(RUST_MUTATIONS)])
def test_a_small_change_to_the_rust_reference_fails_that_functions_check(check, old, new, sandbox, tmp_path):
    source = RUST_REFERENCE.read_text()
    assert source.count(old) == 1, old
    lab = tmp_path / "lab.rs"
    lab.write_text(source.replace(old, new))
    failed = failed_checks(lab, sandbox)
    assert any(name.startswith(check) for name in failed), f"{new!r} failed only {failed}"


def test_the_compiled_checks_get_inputs_only_and_the_models_they_name():
    native = checks().cases("c")
    text = checks().module.c_stdin(native)
    assert set(text) <= set("abcdefghijklmnopqrstuvwxyz0123456789.-+e \n"), "the drivers get inputs only"
    named = {check["inputs"]["model"]["file"] for check in native if "model" in check["inputs"]}
    files = checks().module.c_files(native)
    assert set(files) == named == {"small.bin", "onelayer.bin", "tinygpt.bin"}
    assert files["tinygpt.bin"] == REPO / "datasets" / "tinygpt" / "weights.bin"
    small = next(c for c in native if c["inputs"].get("model", {}).get("file") == "small.bin")["inputs"]["model"]
    d, n_layer = small["config"]["d_model"], small["config"]["n_layer"]
    floats = (small["config"]["vocab_size"] + small["config"]["context"]) * d + n_layer * (12 * d * d + 13 * d) + 2 * d
    assert len(files["small.bin"]) == 4 * floats
