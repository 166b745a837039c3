"""The boss engine: load a module's boss, make a fight, run it in the sandbox, judge each case.

A boss lives in `bosses/<module-id>/`:
  boss.py       ENTRY, TIME_LIMIT_S, cases(rng) -> [case], judge(case, got) -> (passed, expected, message)
  reference.py  a lab that wins;  wrong/*.py  plausible labs that must lose.
  c/            optional C path: boss.py names C_DRIVER (a trusted C main compiled with the
                player's lab.c), C_HEADER (the entry's signature), c_stdin(cases) and
                c_answer(case, value); c/reference.c wins, c/wrong_*.c must lose.
  rust/         optional Rust path: boss.py names RUST_DRIVER (a trusted driver.rs that has the
                player's lab.rs as its module `lab`) and uses the same c_stdin and c_answer;
                rust/reference.rs wins, rust/wrong_*.rs must lose. Each compiled language is one
                entry of COMPILED: its compiler, build command, limits and error reading.
                Optional for these paths: c_files(cases) -> {name: Path or bytes}, files (model
                weights, data) put in the fight's folder beside the built lab.
  LANGUAGES     optional: the lab languages the boss judges, when not all it has a path for
                (module 12's boss is fought in C or Rust only); the first is the one a run whose
                language is not among them fights with.
  WALL_LIMIT_S  optional: the run's wall-clock limit when it must differ from TIME_LIMIT_S
                (the CPU limit), for a lab that computes for seconds on loaded cores.
`boss.py` is trusted and imported here, in the game's process; the player's lab runs in a
sandboxed child that receives only the cases' inputs (never the expected values) and sends one
JSON message per case. The judge decides: a missing or malformed answer, a crash, a non-zero
exit or a time-out loses that case and every case after it; an answer over the bounds of
`runner/answers.py` loses its case. A fight that counts draws secret cases, and its victory is
confirmed on fresh secret cases before it may be recorded; a fixed seed is practice (`fight`).
A compiled lab is built once per fight, and both rounds run that build (`LabBuild`).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Awaitable, Callable, ClassVar, Protocol

from forge_tui.languages import BY_ID, LanguageSpec
from forge_tui.runner import Limits, RunResult, Sandbox
from forge_tui.runner.answers import PACKED_DTYPES, AnswerRefused, RefusedLine, unpack_answer


@dataclass(frozen=True)
class Boss:
    id: str
    directory: Path
    module: ModuleType
    entry: str
    time_limit_s: float
    who_calls: ClassVar[str] = "the boss calls"

    @property
    def reference_path(self) -> Path:
        return self.directory / "reference.py"

    @property
    def wrong_paths(self) -> list[Path]:
        return sorted((self.directory / "wrong").glob("*.py"))

    @property
    def languages(self) -> tuple[str, ...]:
        """The lab languages this boss can fight (`judged_languages`)."""
        return judged_languages(self.module)

    def lab_language(self, language: str) -> str:
        """Which of the run's labs this boss judges (`judged_lab_language`)."""
        return judged_lab_language(self.languages, language)

    @property
    def c_reference_path(self) -> Path:
        return self.directory / "c" / "reference.c"

    @property
    def c_wrong_paths(self) -> list[Path]:
        return sorted((self.directory / "c").glob("wrong_*.c"))

    def native_reference_path(self, language: str) -> Path:
        """The reference lab of a compiled language: c/reference.c, rust/reference.rs."""
        return self.directory / language / f"reference{_suffix(language)}"

    def native_wrong_paths(self, language: str) -> list[Path]:
        return sorted((self.directory / language).glob(f"wrong_*{_suffix(language)}"))


def judged_languages(module: ModuleType) -> tuple[str, ...]:
    """The lab languages a trusted boss.py or checks.py judges: Python, and a compiled one when it
    names that language's driver (C_DRIVER, RUST_DRIVER); only those of LANGUAGES when it is set."""
    paths = ("python",) + tuple(spec.language for spec in COMPILED.values() if getattr(module, spec.driver, None))
    declared = getattr(module, "LANGUAGES", None)
    return paths if declared is None else tuple(language for language in paths if language in declared)


def judged_lab_language(languages: tuple[str, ...], language: str) -> str:
    """Which of the run's labs is judged: the run's language if it can be, else Python, else the
    first language judged."""
    if language in languages:
        return language
    return "python" if "python" in languages else languages[0]


@dataclass(frozen=True)
class CaseReport:
    index: int
    name: str
    summary: str
    passed: bool
    expected: str
    got_summary: str
    message: str
    hint: str
    total: int = 0  # how many cases the fight has: a health bar's full length
    round: int = 1  # 1, or 2 for the confirmation fight that follows a victory that counts

    def failure_lines(self, indent: str) -> list[str]:
        """Why a case or check failed, as plain lines: the verdict, expected, got and the hint
        (empty when it passed). The CLI and the Lab part print these; the text comes from a lab."""
        if self.passed:
            return []
        lines = [f"{indent}{self.message}"]
        if self.expected:
            lines.append(f"{indent}expected: {self.expected}")
        lines.append(f"{indent}got: {self.got_summary}")
        if self.hint:
            lines.append(f"{indent}hint: {self.hint}")
        return lines


@dataclass(frozen=True)
class FightReport:
    won: bool
    cases: list[CaseReport]  # the deciding fight's cases: the confirmation's, when there was one
    message: str
    protections: str
    duration_s: float  # both fights, when a victory was confirmed
    seed: int = 0  # the first fight's
    run: RunResult | None = None
    practice: bool = False  # a fixed seed: cases a player may have seen before
    confirmed: bool = False  # won again on fresh secret cases
    language: str = "python"  # the language of the lab this fight judged: "python", "c", "rust"

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.cases)

    @property
    def counts(self) -> bool:
        """Whether this fight defeats the boss for the record: won on secret cases, then confirmed."""
        return self.won and self.confirmed and not self.practice


def load_boss(module_id: str, root: Path | None = None) -> Boss | None:
    """The boss of `module_id`, or None when that module has no boss yet."""
    if root is None:
        from forge_tui.locations import bosses_directory

        root = bosses_directory()
    directory = Path(root) / module_id
    path = directory / "boss.py"
    if not path.is_file():
        return None
    from forge_tui.bossapi import load_trusted

    module = load_trusted(path, "boss")
    return Boss(id=module_id, directory=directory, module=module, entry=str(module.ENTRY),
                time_limit_s=float(getattr(module, "TIME_LIMIT_S", 10.0)))


def summarize(value, limit: int = 120) -> str:
    """A short, one-line description of a value that came back from the lab."""
    if isinstance(value, list):
        shape = []
        probe = value
        while isinstance(probe, list):
            shape.append(len(probe))
            probe = probe[0] if probe else None
        if len(shape) > 1 or len(value) > 8:
            text = json.dumps(value, allow_nan=True)
            if len(text) <= limit:
                return text
            return f"a list of shape {tuple(shape)}"
    try:
        text = json.dumps(value, allow_nan=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pack_inputs(value):
    """Inputs for the child: each {"__ndarray__": lists} becomes a base64 block of raw bytes
    (parsing megabytes of JSON numbers would cost more than the whole fight)."""
    import numpy as np

    from forge_tui.runner.child import pack

    if isinstance(value, dict):
        if "__ndarray__" in value:
            array = np.asarray(value["__ndarray__"], dtype=value.get("dtype", "float64"))
            return pack(array) if array.dtype.name in PACKED_DTYPES else value
        return {k: _pack_inputs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pack_inputs(v) for v in value]
    return value


def child_case(case: dict) -> dict:
    """Only what the child needs: the call or the script; never names, hints or expected values."""
    if "script" in case:
        return {"script": case["script"]}
    call = case["call"]
    return {"call": {"function": call["function"], "args": _pack_inputs(call.get("args", [])),
                     "kwargs": _pack_inputs(call.get("kwargs", {}))}}


def _lost_reason(run: RunResult) -> str:
    if run.outcome == "ok":
        return "no answer came back for this case (the lab stopped before answering)"
    if run.outcome == "exit":
        return f"no answer: the lab {run.message}"
    return f"no answer: {run.message}"


class _Tally:
    """The reports of one fight, filled as answers stream in and closed by `finish`."""

    def __init__(self, cases: list[dict], on_case: Callable[[CaseReport], None] | None, fight_round: int = 1):
        self.cases = cases
        self.on_case = on_case
        self.round = fight_round
        self.reports: dict[int, CaseReport] = {}
        # The sandbox calls on_result, and so on_case, from its event loop and swallows what
        # they raise (a UI callback must not break the run): a screen that failed to draw a
        # case would then hide it without a word. The first such error is kept and raised
        # once the verdict is in (`raise_display_error`).
        self.display_error: Exception | None = None

    def report(self, index: int, passed: bool, expected: str, got: str, message: str) -> None:
        case = self.cases[index]
        item = CaseReport(index, str(case.get("name", f"case {index + 1}")), str(case.get("summary", "")),
                          passed, expected, got, message, str(case.get("hint", "")) if not passed else "",
                          len(self.cases), self.round)
        self.reports[index] = item
        if self.on_case and self.display_error is None:
            try:
                self.on_case(item)
            except Exception as exc:  # noqa: BLE001 - raised again by raise_display_error
                self.display_error = exc

    def raise_display_error(self) -> None:
        """Raise what `on_case` raised, if anything: the player is told, the case is not hidden."""
        if self.display_error is not None:
            raise self.display_error

    def on_result(self, boss: Boss, message, *, read=None, raised: str = "your code raised ") -> None:
        """Judge one message from the result channel. `read(case, value)` turns the raw value
        into what the judge expects, returning (got, problem)."""
        cases, reports = self.cases, self.reports
        if isinstance(message, RefusedLine):  # a line over the bounds stands for the next answer
            index = next((i for i in range(len(cases)) if i not in reports), None)
            if index is not None:
                self.report(index, False, "", "an answer too large to read", message.reason)
            return
        if not isinstance(message, dict):
            return
        index = message.get("case")
        if not isinstance(index, int) or not 0 <= index < len(cases) or index in reports:
            return
        if any(i not in reports for i in range(index)):
            return  # answers arrive in order; one that skips ahead is not trusted
        if not message.get("ok"):
            error = str(message.get("error", "the case failed"))[:300]
            # the driver words an import failure itself ("your lab failed to import: ...")
            prefix = "" if error.startswith("your lab") else raised
            self.report(index, False, "", "an error", f"{prefix}{error}")
            return
        got, came, why = self._read(cases[index], message.get("value"), read)
        if why:
            self.report(index, False, "", came, why)
            return
        try:
            passed, expected, verdict = boss.module.judge(cases[index], got)
        except Exception as exc:  # noqa: BLE001 - a judge that cannot read the answer: malformed
            passed, expected, verdict = False, "", f"the answer could not be checked ({type(exc).__name__}: malformed)"
        self.report(index, bool(passed), str(expected), summarize(got), str(verdict))

    @staticmethod
    def _read(case: dict, value, read) -> tuple[object, str, str]:
        """(the answer as the judge expects it, "", "") or (None, what came, why it cannot be read)."""
        try:
            got = unpack_answer(value)
        except AnswerRefused as refused:
            return None, "an answer too large to read", str(refused)
        except ValueError as malformed:
            return None, "a malformed answer", f"the answer that came back was malformed: {malformed}"
        if read is None:
            return got, "", ""
        try:
            got, problem = read(case, got)
        except (ValueError, TypeError, KeyError, IndexError):
            return None, "a malformed answer", "the answer that came back was malformed"
        return (None, "a malformed answer", str(problem)) if problem else (got, "", "")

    @property
    def lost(self) -> bool:
        """Whether a case has lost already."""
        return any(not report.passed for report in self.reports.values())

    def lose_the_rest(self, message: str) -> None:
        for index in range(len(self.cases)):
            if index not in self.reports:
                self.report(index, False, "", "nothing", message)

    def finish(self, run: RunResult, sandbox: Sandbox, started: float, seed: int,
               defeat: str | None = None) -> FightReport:
        self.lose_the_rest(_lost_reason(run))
        self.raise_display_error()
        ordered = [self.reports[i] for i in range(len(self.cases))]
        passed = sum(c.passed for c in ordered)
        won = passed == len(ordered) and run.outcome == "ok" and defeat is None
        if won:
            message = f"Victory: all {len(ordered)} cases passed."
        elif defeat is not None:
            message = f"Defeat: {defeat}"
        elif passed == len(ordered):
            message = f"Defeat: every case passed, but the lab then {run.message}."
        else:
            first = next(c for c in ordered if not c.passed)
            message = f"Defeat: {passed}/{len(ordered)} cases passed; first failure: {first.name}: {first.message}"
        return FightReport(won, ordered, message, sandbox.describe(), time.monotonic() - started, seed, run)


PRACTICE = "practice fight with a fixed seed: a victory here is not recorded"


def _secret_seed() -> int:
    """A seed no one has seen: every fight that counts draws its cases from a fresh one."""
    return secrets.randbits(64)


async def fight(boss: Boss, lab_path: Path, sandbox: Sandbox, *, seed: int | None = None,
                on_case: Callable[[CaseReport], None] | None = None,
                on_output: Callable[[str], None] | None = None, stop_at_loss: bool = False) -> FightReport:
    """Fight `boss` with the lab at `lab_path`: a `.c` or `.rs` lab takes its compiled path
    (when the boss has one), anything else the Python path.

    Without `seed` the fight counts: its cases come from a fresh secret seed, and a victory is
    fought again on fresh secret cases (round 2 of `on_case`) before `report.counts`, so answers
    copied from an earlier report win nothing. A compiled lab is built once for both rounds
    (`LabBuild`). With `seed` it is practice: the same cases every time, one round, and its
    victory never counts (its message says so). With `stop_at_loss` each round ends at its first
    lost case (the rest lose unrun): enough for a verdict, as dev check needs; a player sees all."""
    build = LabBuild()
    if seed is not None:
        report = await _fight_once(boss, lab_path, sandbox, seed, 1, on_case, on_output, build, stop_at_loss)
        return replace(report, practice=True,
                       message=f"{report.message} ({PRACTICE})" if report.won else report.message)
    first = await _fight_once(boss, lab_path, sandbox, _secret_seed(), 1, on_case, on_output, build, stop_at_loss)
    if not first.won:
        return first
    second = await _fight_once(boss, lab_path, sandbox, _secret_seed(), 2, on_case, on_output, build, stop_at_loss)
    return _confirmation(first, second)


def _confirmation(first: FightReport, second: FightReport) -> FightReport:
    """A won fight and the fight that confirms it, as one verdict: the second one decides."""
    if second.won:
        message = (f"Victory: all {len(first.cases)} cases passed, and all {len(second.cases)} "
                   "fresh secret cases of the confirmation fight.")
    else:
        message = ("Defeat in the confirmation fight on fresh secret cases: "
                   + second.message.removeprefix("Defeat: "))
    return replace(second, message=message, confirmed=second.won, seed=first.seed,
                   duration_s=first.duration_s + second.duration_s)


async def _fight_once(boss: Boss, lab_path: Path, sandbox: Sandbox, seed: int, fight_round: int,
                      on_case, on_output, build: "LabBuild | None" = None, stop_at_loss: bool = False) -> FightReport:
    """One fight on the cases of `seed`; a compiled lab is built into `build` unless it holds a build."""
    import numpy as np

    started = time.monotonic()
    cases = boss.module.cases(np.random.default_rng(seed))
    tally = _Tally(cases, on_case, fight_round)
    compiled = COMPILED.get(Path(lab_path).suffix)
    if compiled is not None:
        return await _fight_compiled(compiled, boss, Path(lab_path), sandbox, tally, started, seed, on_output,
                                     build=build, stop_at_loss=stop_at_loss)
    if "python" not in boss.languages:
        names = " or ".join(spec.name for spec in COMPILED.values() if spec.language in boss.languages)
        defeat = f"this boss is fought in {names}, not Python: fight it with your {names} lab"
        tally.lose_the_rest(defeat)
        return tally.finish(RunResult("error", None, None, defeat, ""), sandbox, started, seed, defeat=defeat)

    workdir = Path(tempfile.mkdtemp(prefix="neuralforge-boss-"))
    limits = fight_limits(boss)
    try:
        run = await _judged_run(
            lambda on_result: sandbox.run_cases(Path(lab_path), [child_case(c) for c in cases], workdir=workdir,
                                                limits=limits, on_output=on_output, on_result=on_result),
            lambda message: tally.on_result(boss, message), tally, stop_at_loss)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return tally.finish(run, sandbox, started, seed)


STOPPED = "the fight stopped at its first lost case"


async def _judged_run(start: Callable[[Callable], Awaitable[RunResult]], judge: Callable[[object], None],
                      tally: "_Tally", stop_at_loss: bool) -> RunResult:
    """Run `start(on_result)`, judging each message with `judge` as it arrives. With
    `stop_at_loss` the first lost case ends the run (its result says so); a cancellation that
    comes from outside is passed on."""
    task: asyncio.Task | None = None

    def on_result(message) -> None:
        judge(message)
        if stop_at_loss and tally.lost and task is not None and not task.done():
            task.cancel()

    task = asyncio.ensure_future(start(on_result))
    try:
        return await task
    except asyncio.CancelledError:
        if not (stop_at_loss and tally.lost) or asyncio.current_task().cancelling():
            raise
        return RunResult("error", None, None, STOPPED, "")


def fight_limits(boss: Boss) -> Limits:
    """The lab's run: TIME_LIMIT_S of CPU, and as much wall time unless the boss sets WALL_LIMIT_S."""
    return Limits(wall_s=float(getattr(boss.module, "WALL_LIMIT_S", boss.time_limit_s)), cpu_s=boss.time_limit_s)


# ---------------------------------------------------------------- compiled labs: C and Rust

C_EXECUTABLE = "fight"
C_LAB_MAIN = "neuralforge_lab_main"  # the lab's own main is renamed to this; the driver's main runs
COMPILE_LIMITS = Limits(wall_s=30, cpu_s=20, memory_mb=2048, processes=32, output_bytes=64_000, file_mb=64)
# rustc -O on module 6's driver and lab, on this 2-core VM under a load average of 10-14
# (2026-11-28): 1.0 s CPU / 3.5 s wall (rustc 1.95), 2.4 s CPU / 7-10 s wall (Debian's rustc 1.63),
# 200 MB at most. Twice the headroom gcc gets.
RUST_COMPILE_LIMITS = Limits(wall_s=60, cpu_s=40, memory_mb=2048, processes=32, output_bytes=64_000, file_mb=64)
SYSTEM_PREFIXES = ("/usr", "/usr/local")  # a compiler installed here is readable in the sandbox already


@dataclass(frozen=True)
class Toolchain:
    """What builds a compiled lab on this machine: the compiler to run in the sandbox, and the
    folders it must read there beyond the system's own."""

    compiler: str
    readable: tuple[Path, ...] = ()


class Judged(Protocol):
    """What a compiled lab is built and judged against: a `Boss`, or a module's `LabChecks`."""

    id: str
    directory: Path  # where the trusted file's driver and header names are found
    module: ModuleType  # boss.py or checks.py: its driver's name, c_stdin, c_answer and judge
    time_limit_s: float  # the built lab's own run
    who_calls: ClassVar[str]  # for the player: "the boss calls" (your code), "the checks call"

    @property
    def languages(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Compiled:
    """One compiled lab language the judges can build: one entry of COMPILED. Its name, lab file
    and tools are its row of the language table (`forge_tui.languages`); the rest only a judge needs."""

    spec: LanguageSpec  # the language's row: id ("c", "rust", also the boss's folder), name, lab_file, tools
    driver: str  # the attribute of boss.py or checks.py naming its trusted driver
    toolchain: Callable[[LanguageSpec], Awaitable["Toolchain | str"]]  # the compiler here, or why there is none
    command: Callable[[Judged, Toolchain], list[str]]  # the build, run in the build folder
    first_error: Callable[[Judged, str], str]  # the compiler's output as one line for the player
    limits: Limits

    @property
    def language(self) -> str:
        return self.spec.id

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def lab_file(self) -> str:
        return self.spec.lab_file

    @property
    def suffix(self) -> str:
        return Path(self.spec.lab_file).suffix

    async def find_toolchain(self) -> "Toolchain | str":
        """This machine's compiler for the language, or why there is none (for the player)."""
        return await self.toolchain(self.spec)


def _needs(spec: LanguageSpec, tool: str) -> str:
    return f"{spec.name} labs need {tool} ({spec.install})"


async def gcc_toolchain(spec: LanguageSpec = BY_ID["c"]) -> Toolchain | str:
    """The C compiler the language table names, from PATH (the sandbox reads the system's folders)."""
    compiler = spec.tools[0]
    return Toolchain(compiler) if shutil.which(compiler) else _needs(spec, compiler)


def c_compile_command(boss: Judged, toolchain: Toolchain = Toolchain("gcc")) -> list[str]:
    """gcc, run in the fight's working folder on lab.c plus the boss's trusted driver."""
    command = [toolchain.compiler, "-std=c11", "-O2", "-fdiagnostics-color=never", "-fmax-errors=10",
               f"-Dmain={C_LAB_MAIN}"]
    header = getattr(boss.module, "C_HEADER", None)
    if header:
        command += ["-include", Path(header).name]
    return command + ["-o", C_EXECUTABLE, "lab.c", Path(boss.module.C_DRIVER).name, "-lm"]


def first_compile_error(output: str) -> str:
    """The compiler's first error as one line (the file's own name, never the sandbox's folders)."""
    output = output.replace("\u2018", "'").replace("\u2019", "'")  # gcc's UTF-8 quotes, as plain ones
    lines = [" ".join(line.split()) for line in output.splitlines()]
    for line in lines:
        if "undefined reference to" in line:
            return "undefined reference to " + line.split("undefined reference to", 1)[1].strip()
        if "error:" in line or "Error:" in line:
            text = line
            break
    else:
        text = next((line for line in lines if line), "")
    text = text.replace("collect2: ", "")
    return text if len(text) <= 200 else text[:199] + "…"


async def rust_toolchain(spec: LanguageSpec = BY_ID["rust"]) -> Toolchain | str:
    """The rustc on PATH, as the real compiler of its toolchain (a rustup proxy needs a home the
    sandbox does not have), with its sysroot readable when it lives outside the system folders.
    Fights, lab checks and the Lab part's own build all use it."""
    found = shutil.which(spec.tools[0])
    if found is None:
        return _needs(spec, spec.tools[0])
    try:
        asked = await asyncio.create_subprocess_exec(found, "--print", "sysroot", stdin=asyncio.subprocess.DEVNULL,
                                                     stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(asked.communicate(), timeout=30)
    except (OSError, asyncio.TimeoutError) as problem:
        return f"rustc was found at {found} but did not answer ({problem or 'no answer in 30 s'})"
    sysroot = Path(out.decode(errors="replace").strip())
    compiler = sysroot / "bin" / "rustc"
    if asked.returncode != 0 or not compiler.is_file():
        detail = " ".join(err.decode(errors="replace").split())[:160]
        return f"rustc was found at {found} but names no toolchain ({detail or 'rustc --print sysroot failed'})"
    readable = () if str(sysroot) in SYSTEM_PREFIXES else (sysroot,)
    return Toolchain(str(compiler), readable)


def rust_compile_command(boss: Judged, toolchain: Toolchain) -> list[str]:
    """rustc on the boss's trusted driver.rs, which has the player's lab.rs as its module `lab`."""
    return [toolchain.compiler, "--edition", "2021", "-O", "--color", "never", "--crate-name", "fight",
            "-o", C_EXECUTABLE, Path(boss.module.RUST_DRIVER).name]


def first_rust_error(judged: Judged, output: str) -> str:
    """rustc's first error as one line: where it is in lab.rs, or, when it is in the trusted
    driver, the signature the driver calls (a wrong or private mlp_backward shows up there)."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("error"):
            continue
        text = " ".join(line.split())
        place = next((" ".join(below.split()).removeprefix("--> ") for below in lines[index + 1:index + 3]
                      if below.strip().startswith("-->")), "")
        if place.startswith("lab.rs"):
            text = f"{place}: {text}"
        elif place:
            signature = rust_signature(judged, "\n".join(lines[index:index + 10]))
            text += f" (where {judged.who_calls} your code{': it needs ' + signature if signature else ''})"
        return text if len(text) <= 300 else text[:299] + "…"
    return next((" ".join(line.split()) for line in lines if line.strip()), "")[:200]


def rust_signature(judged: Judged, error: str) -> str:
    """The signature the driver needs, from RUST_SIGNATURE (one per line when the driver calls
    several functions): the one whose function `error` names, or the only one; else ""."""
    import re

    signatures = [line.strip() for line in getattr(judged.module, "RUST_SIGNATURE", "").splitlines() if line.strip()]
    if len(signatures) == 1:
        return signatures[0]
    for signature in signatures:
        name = signature.split("fn ", 1)[-1].split("(", 1)[0].strip()
        if name and re.search(rf"\b{re.escape(name)}\b", error):
            return signature
    return ""


COMPILED: dict[str, Compiled] = {entry.suffix: entry for entry in (
    Compiled(BY_ID["c"], "C_DRIVER", gcc_toolchain, c_compile_command,
             lambda judged, output: first_compile_error(output), COMPILE_LIMITS),
    Compiled(BY_ID["rust"], "RUST_DRIVER", rust_toolchain, rust_compile_command,
             first_rust_error, RUST_COMPILE_LIMITS),
)}


def compiled(language: str) -> Compiled | None:
    """The compiled path of a language id ("c", "rust"), or None for an interpreted one."""
    return next((entry for entry in COMPILED.values() if entry.language == language), None)


def _suffix(language: str) -> str:
    return compiled(language).suffix


class LabBuild:
    """A compiled lab, built once for a whole fight: the binary the compiler made from the lab's
    source bytes, read once, with the trusted driver. Both rounds of a counted fight run it, so
    the confirmation judges the very program the first round judged, and saves a second build
    (seconds of CPU for rustc -O).

    Why reusing it cannot change the second verdict: the build runs in a folder of its own, and
    the binary's bytes are read into this object (the game's memory) as soon as the compiler
    exits, before the lab has ever run. Each round then runs in a fresh folder, made after the
    round before has ended (where the machine has them, Landlock keeps a run's writes inside its
    own folder and a PID namespace takes any stray process down with it), holding only those bytes (written read-only) and the
    boss's files for that round's cases. Whatever a round's run does to its
    folder (rewrite or replace the binary, leave a file behind) is deleted with that folder and
    never reaches the next round; a lab file edited on disk during the fight is not read again.
    Nothing the binary holds is trusted: the driver and the lab share one process, so everything
    it sends is judged as any answer is, against cases drawn fresh for each round."""

    def __init__(self) -> None:
        self.binary: bytes | None = None


async def _fight_compiled(spec: Compiled, boss: Judged, lab: Path, sandbox: Sandbox, tally: _Tally,
                          started: float, seed: int, on_output, *, build: LabBuild | None = None,
                          stop_at_loss: bool = False) -> FightReport:
    """Build the lab with the trusted driver of `boss` (a boss, or a module's lab checks) in the
    sandbox, unless `build` holds its binary already, then run it on the inputs of `tally.cases`
    there and judge each message of the result channel as it arrives."""
    def lost(run: RunResult, defeat: str) -> FightReport:
        tally.lose_the_rest(defeat)
        return replace(tally.finish(run, sandbox, started, seed, defeat=defeat), language=spec.language)

    if spec.language not in boss.languages:
        nothing = RunResult("error", None, None, "", "")
        return lost(nothing, f"there is no {spec.name} path here yet: use the Python lab")
    build = build if build is not None else LabBuild()
    if build.binary is None:
        failure = await _build(spec, boss, lab, sandbox, build, on_output)
        if failure is not None:
            return lost(*failure)
    workdir = Path(tempfile.mkdtemp(prefix=f"neuralforge-boss-{spec.language}-"))
    try:
        executable = workdir / C_EXECUTABLE
        executable.write_bytes(build.binary)
        executable.chmod(0o555)
        if hasattr(boss.module, "c_files"):
            place_files(workdir, boss.module.c_files(tally.cases))
        run = await _judged_run(
            lambda on_result: sandbox.run_command([f"./{C_EXECUTABLE}"], workdir=workdir,
                                                  stdin=boss.module.c_stdin(tally.cases).encode(),
                                                  limits=fight_limits(boss), on_output=on_output,
                                                  on_result=on_result),
            lambda message: tally.on_result(boss, message, read=boss.module.c_answer, raised=""),
            tally, stop_at_loss)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return replace(tally.finish(run, sandbox, started, seed), language=spec.language)


async def _build(spec: Compiled, boss: Judged, lab: Path, sandbox: Sandbox, build: LabBuild,
                 on_output) -> tuple[RunResult, str] | None:
    """Compile `lab` with the boss's driver in a build folder of its own and keep the binary's
    bytes in `build`; None when it built, else (the compiler's run, why the lab lost)."""
    nothing = RunResult("error", None, None, "", "")
    toolchain = await spec.find_toolchain()
    if isinstance(toolchain, str):
        return nothing, toolchain
    folder = Path(tempfile.mkdtemp(prefix=f"neuralforge-build-{spec.language}-"))
    try:
        (folder / spec.lab_file).write_bytes(Path(lab).read_bytes())
        for name in (getattr(boss.module, spec.driver), getattr(boss.module, "C_HEADER", None)):
            if name:
                shutil.copyfile(boss.directory / name, folder / Path(name).name)
        built = await sandbox.run_command(spec.command(boss, toolchain), workdir=folder, limits=spec.limits,
                                          readable=toolchain.readable, on_output=on_output)
        if not built.ok:
            return built, f"your {spec.name} did not compile: {_compile_failure(spec, boss, built)}"
        try:
            build.binary = (folder / C_EXECUTABLE).read_bytes()
        except OSError:
            return built, f"your {spec.name} did not compile: the compiler left no program"
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _compile_failure(spec: Compiled, boss: Judged, built: RunResult) -> str:
    """Why the build failed, in one line: the compiler's first error, or why it was stopped."""
    error = spec.first_error(boss, built.output)
    if built.outcome == "exit":
        return error or built.message
    return f"the compiler stopped ({built.message})" + (f"; first error: {error}" if error else "")


def place_files(workdir: Path, files: dict) -> None:
    """A boss's files for a compiled fight's folder: a Path is copied, bytes are written. Names
    are plain file names (a name with a folder in it is the boss's bug)."""
    for name, content in files.items():
        if not name or Path(name).name != name or name in (".", ".."):
            raise ValueError(f"c_files names {name!r}; a plain file name is needed")
        if isinstance(content, bytes):
            (workdir / name).write_bytes(content)
        else:
            shutil.copyfile(content, workdir / name)


def fight_sync(boss: Boss, lab_path: Path, sandbox: Sandbox, **kwargs) -> FightReport:
    return asyncio.run(fight(boss, lab_path, sandbox, **kwargs))
