"""The content loader: every module the map shows comes from a folder under `levels/`.

The engine knows no module by name. Adding a module is adding a folder with a
`level.toml` (see `levels/SCHEMA.md`); the map, the level screen and the CLI follow.
Loading parses TOML only (fast, standard library); expressions in the content are
checked by the same safe parser as player input, in the tests and on demand.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from forge_tui.checker.kinds import GateKind  # light: the checker package loads lazily
from forge_tui.languages import LANGUAGES
from forge_tui.locations import levels_directory

PARTS = ("hook", "math", "lab", "boss", "gate", "unlock")
STARTER_FILES = {spec.id: spec.starter for spec in LANGUAGES}


class ContentError(Exception):
    """A level folder that cannot be loaded; the message names the file and the field."""


@dataclass(frozen=True)
class Step:
    expr: str
    why: str = ""
    lhs: str = ""
    show: str = ""
    at: str = ""
    typed: bool = False


@dataclass(frozen=True)
class Derivation:
    title: str
    prose: str
    symbols: tuple[str, ...]
    assume: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Gate:
    prompt: str
    kind: GateKind
    answer: str
    places: int | None
    symbols: tuple[str, ...]
    hints: tuple[str, ...]

    @property
    def has_password(self) -> bool:
        return self.kind != GateKind.NONE

    def spec(self):
        from forge_tui.checker import GateSpec

        return GateSpec(kind=self.kind, answer=self.answer, places=self.places, symbols=self.symbols)


@dataclass(frozen=True)
class Module:
    id: str
    order: int
    phase: int
    title: str
    short: str
    summary: str
    hook: str
    math_intro: str
    derivations: tuple[Derivation, ...]
    gate: Gate
    lab_brief: str
    boss_name: str
    boss_brief: str
    unlock_name: str
    unlock_description: str
    side_quests: dict[str, str]
    folder: Path

    @property
    def number(self) -> str:
        return f"{self.order:02d}"

    def starter_path(self, language: str) -> Path | None:
        path = self.folder / "lab" / STARTER_FILES.get(language, "")
        return path if path.is_file() else None

    def starter_languages(self) -> list[str]:
        return [lang for lang in STARTER_FILES if self.starter_path(lang)]


@dataclass(frozen=True)
class Phase:
    number: int
    name: str
    tagline: str
    modules: tuple[Module, ...] = field(default=())


@dataclass(frozen=True)
class Catalog:
    phases: tuple[Phase, ...]
    modules: tuple[Module, ...]  # in map order

    def module(self, key: str | int) -> Module:
        """By id ('vector-awakens'), number ('1', '01') or folder name ('01-vector-awakens')."""
        text = str(key).strip().lower()
        for module in self.modules:
            if text in (module.id, module.folder.name):
                return module
            if text.isdigit() and int(text) == module.order:
                return module
        known = ", ".join(f"{m.order} ({m.id})" for m in self.modules)
        raise KeyError(f"no module {key!r}; modules are {known}")

    def previous(self, module: Module) -> Module | None:
        index = self.modules.index(module)
        return self.modules[index - 1] if index else None

    def next(self, module: Module) -> Module | None:
        index = self.modules.index(module)
        return self.modules[index + 1] if index + 1 < len(self.modules) else None


def _require(table: dict, key: str, where: str, kind: type = str):
    if key not in table:
        raise ContentError(f"{where}: missing field {key!r}")
    value = table[key]
    if not isinstance(value, kind):
        raise ContentError(f"{where}: field {key!r} should be {kind.__name__}")
    return value


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.replace(",", " ").split())


def _load_derivation(data: dict, where: str) -> Derivation:
    steps = tuple(
        Step(
            expr=_require(step, "expr", f"{where} step {i + 1}"),
            why=step.get("why", ""),
            lhs=step.get("lhs", ""),
            show=step.get("show", ""),
            at=step.get("at", ""),
            typed=bool(step.get("typed", False)),
        )
        for i, step in enumerate(data.get("steps", []))
    )
    if len(steps) < 2:
        raise ContentError(f"{where}: a derivation needs at least two steps")
    assume = data.get("assume", "real")
    if assume not in ("real", "positive"):
        raise ContentError(f"{where}: assume must be 'real' or 'positive'")
    return Derivation(
        title=_require(data, "title", where),
        prose=data.get("prose", ""),
        symbols=_words(data.get("symbols", "")),
        assume=assume,
        steps=steps,
    )


def _load_gate(data: dict, where: str) -> Gate:
    try:
        kind = GateKind(_require(data, "kind", where))
    except ValueError:
        raise ContentError(f"{where}: kind must be one of {', '.join(GateKind)}") from None
    hints = tuple(data.get("hints", []))
    if len(hints) != 3:
        raise ContentError(f"{where}: a gate needs exactly three hints")
    places = data.get("places")
    return Gate(
        prompt=_require(data, "prompt", where),
        kind=kind,
        answer=data.get("answer", "") if kind is GateKind.NONE else _require(data, "answer", where),
        places=int(places) if places is not None else None,
        symbols=_words(data.get("symbols", "")),
        hints=hints,
    )


def load_module(folder: Path) -> Module:
    path = folder / "level.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ContentError(f"{path}: {err}") from err
    where = str(path)
    math = data.get("math", {})
    derivations = tuple(
        _load_derivation(d, f"{where} [math.derivations #{i + 1}]")
        for i, d in enumerate(math.get("derivations", []))
    )
    lab, boss, unlock = data.get("lab", {}), data.get("boss", {}), data.get("unlock", {})
    return Module(
        id=_require(data, "id", where),
        order=_require(data, "order", where, int),
        phase=_require(data, "phase", where, int),
        title=_require(data, "title", where),
        short=_require(data, "short", where),
        summary=data.get("summary", ""),
        hook=_require(data.get("hook", {}), "text", f"{where} [hook]"),
        math_intro=math.get("intro", ""),
        derivations=derivations,
        gate=_load_gate(data.get("gate", {}), f"{where} [gate]"),
        lab_brief=_require(lab, "brief", f"{where} [lab]"),
        boss_name=boss.get("name", "The Boss"),
        boss_brief=_require(boss, "brief", f"{where} [boss]"),
        unlock_name=_require(unlock, "name", f"{where} [unlock]"),
        unlock_description=unlock.get("description", ""),
        side_quests=dict(data.get("side_quests", {})),
        folder=folder,
    )


def load_catalog(root: Path | None = None) -> Catalog:
    root = root or levels_directory()
    if not root.is_dir():
        raise ContentError(f"no level content at {root}")
    phase_data = tomllib.loads((root / "phases.toml").read_text(encoding="utf-8")).get("phase", [])
    modules = sorted(
        (load_module(folder) for folder in root.iterdir() if (folder / "level.toml").is_file()),
        key=lambda m: m.order,
    )
    seen: dict[str, Module] = {}
    for module in modules:
        clash = seen.get(module.id) or next((m for m in seen.values() if m.order == module.order), None)
        if clash:
            raise ContentError(f"{module.folder} and {clash.folder} share an id or an order number")
        seen[module.id] = module
    phases = tuple(
        Phase(
            number=p["number"],
            name=p["name"],
            tagline=p.get("tagline", ""),
            modules=tuple(m for m in modules if m.phase == p["number"]),
        )
        for p in sorted(phase_data, key=lambda p: p["number"])
    )
    stray = [m for m in modules if m.phase not in {p.number for p in phases}]
    if stray:
        raise ContentError(f"{stray[0].folder}: phase {stray[0].phase} is not named in phases.toml")
    return Catalog(phases=phases, modules=tuple(modules))


@lru_cache(maxsize=4)
def cached_catalog(root: Path) -> Catalog:
    return load_catalog(root)


def catalog() -> Catalog:
    """The catalog for the current content directory, loaded once per process."""
    return cached_catalog(levels_directory())
