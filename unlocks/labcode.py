"""Your code beside the reference: an unlock tool runs the player's own lab functions.

Press ``y`` in a tool and it asks the player's lab (the module's ``lab.py`` in the current
run) for the same numbers the tool computes, and shows both side by side, a difference marked
✗. The lab runs in the game's sandbox (``Sandbox.run_cases``, one child per request), never in
the game's process; the request is a list of boss-style cases::

    {"call": {"function": "dot", "args": [[1.0, 2.0], [3.0, 4.0]]}}
    {"call": {"function": "svd", "args": [{"__ndarray__": [[1, 2], [3, 4]], "dtype": "float64"}]}}
    {"script": "...; result = ..."}           # runs with `lab` and `np` in scope

``LabCode`` does the asking for one tool screen: asynchronously (a Textual worker; the UI never
waits), debounced (a burst of key presses runs the lab once, for the last inputs) and newest
first (a new request cancels the one in flight, which kills its child). Each answer carries
the key of the inputs it was computed for, so a tool never compares a stale answer with fresh
numbers. The lab file is watched: saving it re-runs the last request.

``Check`` and ``render_checks`` draw the comparison the same way in every tool.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from rich.text import Text

from forge_tui.runner import Limits, SandboxError
from forge_tui.safetext import strip_controls

DEBOUNCE_S = 0.25
POLL_S = 1.0
LIMITS = Limits(wall_s=3.0, cpu_s=3.0, memory_mb=512, output_bytes=64_000, result_bytes=1_000_000)
LANGUAGE_NAMES = {"python": "Python", "c": "C", "rust": "Rust", "triton": "Triton"}


# --- where the player's lab is ------------------------------------------------------------------
@dataclass(frozen=True)
class LabFile:
    path: Path | None  # the lab to run; None when there is none to run
    problem: str  # "" when `path` can run; else one sentence for the player
    module_label: str  # "module 1 (The Vector Awakens)"
    number: int = 0  # the module's number


def _game(app):
    game = getattr(app, "game", None)
    if game is None:
        from forge_tui.game import Game

        game = Game()
    return game


def current_run(screen, game):
    """The run the tool works for: the screen's own ``run`` (a tool opened by
    `neuralforge unlock --run`), else the game's session (the run being played), else the latest
    played run."""
    run = getattr(screen, "run", None)
    if run is not None:
        return run
    session = getattr(getattr(screen, "app", None), "session", None)
    if session is not None:
        return session.run
    try:
        return game.store.resolve(None)
    except Exception:  # noqa: BLE001 - no readable run: there is no lab either
        return None


def find_lab(screen, module_id: str) -> LabFile:
    from forge_tui.labs import lab_language, lab_path

    game = _game(screen.app)
    module = game.catalog.module(module_id)
    number = int(module.number)
    label = f"module {number} ({module.title})"
    run = current_run(screen, game)
    if run is None:
        return LabFile(None, "no run yet: start one, then write your lab", label, number)
    language = lab_language(module, run.language)
    if language != "python":
        name = LANGUAGE_NAMES.get(language, language)
        return LabFile(None, f"your lab for {label} is in {name}; your-code mode runs Python labs only",
                       label, number)
    path = lab_path(game.store.home, run.id, module, run.language)
    if not path.is_file():
        return LabFile(None, f"no lab yet for {label}: open its Lab part to start one", label, number)
    return LabFile(path, "", label, number)


# --- what came back -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """One case: the value the lab returned, or why there is none."""

    ok: bool
    value: Any = None
    error: str = ""  # one line for the player when not ok


@dataclass(frozen=True)
class Answer:
    key: Any  # the inputs it was computed for (the tool's key)
    outcomes: list[Outcome] = field(default_factory=list)
    problem: str = ""  # the whole request failed (no lab, import error, time-out): one line
    duration_s: float = 0.0


def explain(error: str, *, long: bool = False) -> str:
    """The child's one-line error as a phrase for the panel: short for a row, long for a line."""
    if not error:
        return "no answer"
    kind, _, detail = error.partition(": ")
    if kind == "AttributeError" and detail.startswith("your lab has no"):
        return detail + " yet"
    limit = 120 if long else 60
    if kind == "NotImplementedError":
        if not long:
            return "unfinished"
        error = f"unfinished ({error})"
    else:
        error = f"raised {error}"
    return error if len(error) <= limit else error[: limit - 1] + "…"


def _lost(run) -> str:
    if run is None:
        return "the sandbox could not run your lab"
    if run.outcome == "timeout":
        return f"your lab was stopped: {run.message} (an endless loop?)"
    if run.outcome in ("cpu", "memory", "output", "signal"):
        return f"your lab was stopped: {run.message}"
    if run.outcome == "exit":
        return f"your lab {run.message}"
    if run.outcome == "ok":
        return "your lab stopped before answering (did it call exit()?)"
    return f"your lab did not answer: {run.message}"


async def run_lab(sandbox, path: Path, key: Any, cases: Sequence[dict], limits: Limits = LIMITS) -> Answer:
    """Run `cases` against a copy of the lab at `path` in one sandboxed child."""
    from forge_tui.boss import child_case, unpack_answer

    got: dict[int, Outcome] = {}

    def on_result(message) -> None:
        if not isinstance(message, dict):
            return
        index = message.get("case")
        if not isinstance(index, int) or not 0 <= index < len(cases) or index in got:
            return
        if not message.get("ok"):
            got[index] = Outcome(False, error=str(message.get("error", "the case failed"))[:300])
            return
        try:
            got[index] = Outcome(True, unpack_answer(message.get("value")))
        except (ValueError, TypeError):
            got[index] = Outcome(False, error="sent back a malformed answer")

    workdir = Path(tempfile.mkdtemp(prefix="neuralforge-unlock-"))
    loop = asyncio.get_running_loop()
    started = loop.time()
    run = None
    try:
        run = await sandbox.run_cases(path, [child_case(c) for c in cases], workdir=workdir, limits=limits,
                                      on_result=on_result)
    except SandboxError as err:
        return Answer(key, [], f"the sandbox could not run your lab: {err}", loop.time() - started)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    errors = {o.error for o in got.values() if not o.ok}
    if len(got) == len(cases) and len(errors) == 1 and all(not o.ok for o in got.values()):
        only = errors.pop()
        if only.startswith("your lab failed to import"):
            return Answer(key, [], only, loop.time() - started)
    if len(got) < len(cases):
        return Answer(key, [got.get(i, Outcome(False)) for i in range(len(cases))],
                      _lost(run), loop.time() - started)
    return Answer(key, [got[i] for i in range(len(cases))], "", loop.time() - started)


# --- asking, for one screen ------------------------------------------------------------------
class LabCode:
    """A tool's "your code" mode: on/off, the latest answer, and the runs behind it."""

    def __init__(self, screen, module_id: str, on_change: Callable[[], None], *,
                 debounce_s: float = DEBOUNCE_S, limits: Limits = LIMITS) -> None:
        self.screen = screen
        self.module_id = module_id
        self.on_change = on_change  # called when an answer arrives or the lab appears or goes
        self.debounce_s = debounce_s
        self.limits = limits
        self.on = False
        self.lab: LabFile | None = None
        self.answer: Answer | None = None
        self.pending = False
        self.runs = 0  # requests that reached the sandbox (tests check the debounce with it)
        self._asked: Any = None  # (key, lab stamp) of the request in flight or answered
        self._last: tuple[Any, list[dict]] | None = None
        self._own_sandbox = None
        self._timer = None

    # the switch
    def toggle(self) -> bool:
        self.on = not self.on
        self.answer, self._asked, self.pending = None, None, False
        if self.on:
            self.lab = find_lab(self.screen, self.module_id)
            if self._timer is None:
                self._timer = self.screen.set_interval(POLL_S, self._poll)
        else:
            self.screen.workers.cancel_group(self.screen, "labcode")
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
        return self.on

    @property
    def problem(self) -> str:
        """Why the lab cannot run at all (no lab, not Python), or ""."""
        return self.lab.problem if self.lab is not None else ""

    def fresh(self, key: Any) -> Answer | None:
        """The answer for exactly these inputs, or None while it is being computed."""
        if self.answer is not None and self.answer.key == key:
            return self.answer
        return None

    def latest(self) -> Answer | None:
        return self.answer

    # asking
    def _stamp(self) -> tuple | None:
        if self.lab is None or self.lab.path is None:
            return None
        try:
            stat = self.lab.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def request(self, key: Any, cases: list[dict]) -> None:
        """Ask the lab about these inputs (no-op when off, unchanged, or the lab cannot run)."""
        if not self.on:
            return
        self._last = (key, cases)
        if self.lab is None or self.lab.path is None:
            return
        stamp = self._stamp()
        if stamp is None:  # the lab was deleted: the poll finds out what to say
            return
        asked = (key, stamp)
        if asked == self._asked:
            return
        self._asked = asked
        self.pending = True
        self.screen.run_worker(self._work(key, list(cases), self.lab.path), group="labcode", exclusive=True,
                               exit_on_error=False)

    def _poll(self) -> None:
        """Saving the lab re-runs the last request; a lab that appears is picked up."""
        if not self.on or self._last is None:
            return
        if self.lab is None or self.lab.path is None or self._stamp() is None:
            before = self.lab
            self.lab = find_lab(self.screen, self.module_id)
            if self.lab != before:
                self.on_change()
            if self.lab.path is None:
                return
        if self._asked is None or self._asked[1] != self._stamp():
            self.request(*self._last)

    async def _work(self, key: Any, cases: list[dict], path: Path) -> None:
        await asyncio.sleep(self.debounce_s)  # a newer request cancels this one while it waits
        self.runs += 1
        try:
            sandbox = self._sandbox()
        except (SandboxError, OSError) as err:
            answer = Answer(key, [], f"the sandbox could not start: {err}")
        else:
            try:
                answer = await run_lab(sandbox, path, key, cases, self.limits)
            except OSError as err:  # the lab vanished between the check and the copy, say
                answer = Answer(key, [], f"could not run your lab: {err.strerror or err}")
        self.answer = answer
        self.pending = False
        self.on_change()

    def _sandbox(self):
        app = self.screen.app
        if hasattr(app, "sandbox"):
            return app.sandbox
        if self._own_sandbox is None:  # a bare app (the shell's `neuralforge unlock`): start one
            from forge_tui.runner import Sandbox

            self._own_sandbox = Sandbox.start()
        return self._own_sandbox

    def close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._own_sandbox is not None:
            self._own_sandbox.close()
            self._own_sandbox = None


# --- reading values that came back ---------------------------------------------------------------
class Garbage(ValueError):
    """The lab returned something that is not what the function promises."""


def short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Garbage(f"returned {short(value, 24)}, not a number")
    return float(value)


def as_array(value: Any, shape: tuple[int, ...]):
    import numpy as np

    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Garbage(f"returned {short(value, 24)}, not numbers") from None
    if array.shape != tuple(shape):
        raise Garbage(f"returned shape {array.shape}, not {tuple(shape)}")
    return array


def close(yours, tool, rtol: float = 1e-7, atol: float = 1e-9) -> bool:
    """Equal up to rounding (nan equals nan: both undefined)."""
    import numpy as np

    a, b = np.asarray(yours, dtype=float), np.asarray(tool, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


# --- showing the comparison ----------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    """One number (or vector) the lab computed beside the tool's."""

    label: str
    yours: str  # the player's value as shown, or why there is none
    tool: str  # the tool's value as shown
    agree: bool | None  # True ✓, False ✗ (a difference), None: nothing to compare (raised, garbage)


def number_check(label: str, outcome: Outcome, tool: float, fmt: Callable, *, rtol: float = 1e-7,
                 atol: float = 1e-9) -> Check:
    """A scalar the lab returned (`outcome`) beside the tool's."""
    if not outcome.ok:
        return Check(label, explain(outcome.error), fmt(tool), None)
    try:
        mine = as_number(outcome.value)
    except Garbage as err:
        return Check(label, str(err), fmt(tool), None)
    agree = close(mine, tool, rtol, atol)
    digits = 4 if agree else 7
    return Check(label, fmt(mine, digits), fmt(tool, digits), agree)


def vector_text(values, fmt: Callable, digits: int = 3) -> str:
    return "(" + ", ".join(fmt(float(x), digits) for x in values) + ")"


SCALAR_WIDTH = 10
MARKS = {True: ("✓", "bold green"), False: ("✗", "bold red"), None: ("!", "bold red")}


def render_checks(t: Text, title: str, checks: Sequence[Check], *, status: str = "", stale: bool = False,
                  problem: str = "", note: str = "") -> None:
    """Append the your-code block to a panel: a header, then one row per check.

    A row with short values is `label  yours  tool  ✓`; a longer one gives the player's value a
    line of its own, and the tool's the line below it when the two differ. What the lab sent
    (a problem, a value) is appended as text without its terminal control sequences."""
    problem, note = strip_controls(problem), strip_controls(note)
    t.append(title, style="bold yellow")
    if status:
        t.append(f"  {status}", style="dim")
    t.append("\n")
    if problem:
        t.append(f" {problem}\n", style="dim" if stale else "bold red")
        return
    if note:
        t.append(f" {note}\n", style="yellow")
        return
    if not checks:
        return
    t.append(f"{'':<8} {'yours':>{SCALAR_WIDTH}} {'tool':>{SCALAR_WIDTH}}\n", style="dim")
    for check in checks:
        check = Check(check.label, strip_controls(check.yours), strip_controls(check.tool), check.agree)
        mark, mark_style = MARKS[check.agree]
        style = "dim" if stale else ("green" if check.agree else "bold red")
        short_row = max(len(check.yours), SCALAR_WIDTH) + max(len(check.tool), SCALAR_WIDTH) <= 2 * SCALAR_WIDTH + 4
        t.append(f"{check.label:<8} ", style="dim" if stale else "")
        if short_row:
            t.append(f"{check.yours:>{SCALAR_WIDTH}}", style=style)
            t.append(f" {check.tool:>{SCALAR_WIDTH}} ")
            t.append(mark + "\n", style="dim" if stale else mark_style)
            continue
        t.append("\n  yours ", style="dim")
        t.append(check.yours, style=style)
        t.append(" " + mark + "\n", style="dim" if stale else mark_style)
        if check.agree is not True:
            t.append(f"  tool  {check.tool}\n", style="dim")

