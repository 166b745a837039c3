"""The trusted driver: the first code that runs in a sandboxed child, after the layers are on.

Self-contained: the zygote loads it by path (no `forge_tui` import is possible in the child).
Two modes:
  script  run a Python file as `__main__` (a lab run), exit code as the file leaves it;
  boss    read the fight's cases from stdin (JSON), import the player's `lab.py` from the run's
          working directory, run each case in its own try/except and send, per case,
          {"case": i, "ok": bool, "value": ..., "error": "..."} on the result channel.
Expected answers never come here: the judge runs in the game's process.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys


def _child():
    return sys.modules["neuralforge_child"]


def run_script(script: str, args: list[str]) -> int:
    import runpy

    sys.argv = [script, *args]
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:
        code = stop.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code & 0xFF
        print(code, file=sys.stderr)
        return 1
    except BaseException:
        import traceback

        traceback.print_exc()
        return 1
    return 0


def _import_lab(path: str):
    spec = importlib.util.spec_from_file_location("lab", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["lab"] = module
    spec.loader.exec_module(module)
    return module


def _run_case(lab, case: dict):
    child = _child()
    if "script" in case:
        import numpy as np

        namespace = {"lab": lab, "np": np, "__name__": "__case__"}
        exec(compile(case["script"], "<case>", "exec"), namespace)
        if "result" not in namespace:
            raise NameError("the case script did not set `result`")
        return namespace["result"]
    call = case["call"]
    function = getattr(lab, call["function"], None)
    if function is None:
        raise AttributeError(f"your lab has no `{call['function']}`")
    args = child.decode(call.get("args", []))
    kwargs = child.decode(call.get("kwargs", {}))
    return function(*args, **kwargs)


def run_boss(lab_path: str) -> int:
    child = _child()
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    sys.stdin = open(os.devnull)
    cases = request["cases"]
    try:
        lab = _import_lab(lab_path)
    except BaseException as exc:  # noqa: BLE001 - SystemExit at import is the player's code too
        reason = f"your lab failed to import: {child.one_line(exc)}"
        for index in range(len(cases)):
            child.send({"case": index, "ok": False, "value": None, "error": reason})
        return 0
    for index, case in enumerate(cases):
        try:
            value = _run_case(lab, case)
            message = {"case": index, "ok": True, "value": child.encode(value, packed=True), "error": ""}
            data = child.dumps(message)
        except BaseException as exc:  # noqa: BLE001 - each case fails on its own
            data = child.dumps({"case": index, "ok": False, "value": None, "error": child.one_line(exc)})
        sys.stdout.flush()
        view = memoryview(data)
        while view:
            view = view[os.write(child.RESULT_FD, view):]
    return 0


def main(request: dict) -> int:
    if request["mode"] == "boss":
        return run_boss(request["lab"])
    return run_script(request["script"], request.get("args", []))
