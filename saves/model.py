"""Data model of a saved run: dataclasses, validation, and (de)serialisation.

Standard library only: this module is on the game's start-up path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Sequence

SCHEMA_VERSION = 2

FLAVOR_IDS: tuple[str, ...] = ("hacker", "mathematician", "linguist", "artist", "scientist", "builder")
from forge_tui.languages import LANGUAGE_IDS  # noqa: E402 - the one table of lab languages (stdlib only)

NAME_MAX = 40
MAX_HINTS = 3
_SLUG_MAX = 32
_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62})$")


# --------------------------------------------------------------------------- errors


class SaveError(Exception):
    """Anything that went wrong with saved runs; ``str()`` is a one-line message for a player."""

    def __init__(self, message: str) -> None:
        message = " ".join(str(message).split())  # always a single line
        super().__init__(message)


class RunBusy(SaveError):
    """Another process held the run's write lock for longer than the store waits."""


class RunNotFound(SaveError):
    """No run matches the id or name asked for."""


class SaveFormatError(ValueError):
    """A save file's contents are not a valid run (internal: turned into recovery or SaveError)."""


# --------------------------------------------------------------------------- time helpers


def utc_now_iso() -> str:
    """Current time as ISO-8601 UTC with milliseconds, e.g. ``2026-11-23T14:02:00.123Z``."""
    return iso_from_datetime(datetime.now(timezone.utc))


def iso_from_datetime(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_from_epoch(seconds: float) -> str:
    return iso_from_datetime(datetime.fromtimestamp(seconds, timezone.utc))


def parse_iso(text: str) -> datetime:
    """Parse an ISO-8601 timestamp; naive values are taken as UTC. Raises ValueError."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


# --------------------------------------------------------------------------- validation


def validate_name(name: object) -> str:
    """Return the stripped name, or raise SaveError explaining what is wrong."""
    if not isinstance(name, str):
        raise SaveError("A run's name must be text.")
    cleaned = name.strip()
    if not cleaned:
        raise SaveError(f"A run needs a name (1 to {NAME_MAX} characters).")
    if len(cleaned) > NAME_MAX:
        raise SaveError(f"The name is {len(cleaned)} characters long; the limit is {NAME_MAX}.")
    if not cleaned.isprintable():
        raise SaveError("The name can only contain printable characters (no tabs, line breaks or control codes).")
    return cleaned


def validate_flavors(flavors: object) -> list[str]:
    """Return exactly two distinct, lower-case flavor ids, or raise SaveError."""
    choices = ", ".join(FLAVOR_IDS)
    if isinstance(flavors, str):
        flavors = [part for part in flavors.split(",") if part.strip()]
    if not isinstance(flavors, Sequence) or not all(isinstance(f, str) for f in flavors):
        raise SaveError(f"Flavors must be a list of two names chosen from: {choices}.")
    cleaned = [f.strip().lower() for f in flavors]
    if len(cleaned) != 2:
        raise SaveError(f"Pick exactly two flavors (you gave {len(cleaned)}); choose from: {choices}.")
    for flavor in cleaned:
        if flavor not in FLAVOR_IDS:
            raise SaveError(f"Unknown flavor '{flavor}'; choose two of: {choices}.")
    if cleaned[0] == cleaned[1]:
        raise SaveError(f"Pick two different flavors (you gave '{cleaned[0]}' twice); choose from: {choices}.")
    return cleaned


def validate_language(language: object) -> str:
    """Return the lower-case language id, or raise SaveError."""
    choices = ", ".join(LANGUAGE_IDS)
    if not isinstance(language, str):
        raise SaveError(f"The language must be one of: {choices}.")
    cleaned = language.strip().lower()
    if cleaned not in LANGUAGE_IDS:
        raise SaveError(f"Unknown language '{language.strip()}'; choose one of: {choices}.")
    return cleaned


def is_valid_run_id(run_id: object) -> bool:
    return isinstance(run_id, str) and bool(_ID_RE.match(run_id))


def slugify(name: str) -> str:
    """Turn a player's name into a run id: lower-case ASCII letters, digits and dashes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    slug = slug[:_SLUG_MAX].strip("-")
    return slug or "run"


# --------------------------------------------------------------------------- dataclasses


@dataclass
class ModuleProgress:
    """The player's progress in one module.

    ``hints_revealed`` never decreases: assigning a smaller value than the current one
    keeps the current value (a hint once seen stays seen); values outside 0..3 raise
    ValueError. The rule is enforced here, so callers can simply assign the number of
    the hint just shown.
    """

    gate_passed: bool = False
    gate_passed_at: str | None = None  # ISO-8601 UTC
    boss_defeated: bool = False
    gate_attempts: int = 0
    hints_revealed: int = 0  # 0..3; never decreases
    steps_solved: list[str] = field(default_factory=list)  # keys of typed derivation steps solved, e.g. "0.2"
    hook_seen: bool = False
    checks_passed: list[str] = field(default_factory=list)  # lab checks that passed at the latest check
    checks_total: int = 0  # how many checks that latest check ran (0: never checked)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "hints_revealed":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_HINTS:
                raise ValueError(f"hints_revealed must be an integer from 0 to {MAX_HINTS}, not {value!r}")
            value = max(value, self.__dict__.get("hints_revealed", 0))
        object.__setattr__(self, name, value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "gate_passed": self.gate_passed,
            "gate_passed_at": self.gate_passed_at,
            "boss_defeated": self.boss_defeated,
            "gate_attempts": self.gate_attempts,
            "hints_revealed": self.hints_revealed,
            "steps_solved": list(self.steps_solved),
            "hook_seen": self.hook_seen,
            "checks_passed": list(self.checks_passed),
            "checks_total": self.checks_total,
        }

    @classmethod
    def from_dict(cls, data: object, where: str = "module") -> "ModuleProgress":
        """Strictly check and build; missing keys take their defaults; raises SaveFormatError."""
        if not isinstance(data, dict):
            raise SaveFormatError(f"{where} should be an object, not {_kind(data)}")
        progress = cls()
        for key in ("gate_passed", "boss_defeated", "hook_seen"):
            if key in data:
                setattr(progress, key, _expect(data[key], bool, f"{where}.{key}"))
        if "gate_passed_at" in data:
            stamp = data["gate_passed_at"]
            if stamp is not None:
                _expect_iso(stamp, f"{where}.gate_passed_at")
            progress.gate_passed_at = stamp
        if "gate_attempts" in data:
            attempts = _expect(data["gate_attempts"], int, f"{where}.gate_attempts")
            if attempts < 0:
                raise SaveFormatError(f"{where}.gate_attempts is negative")
            progress.gate_attempts = attempts
        if "hints_revealed" in data:
            hints = _expect(data["hints_revealed"], int, f"{where}.hints_revealed")
            if not 0 <= hints <= MAX_HINTS:
                raise SaveFormatError(f"{where}.hints_revealed should be 0 to {MAX_HINTS}, not {hints}")
            progress.hints_revealed = hints
        for key in ("steps_solved", "checks_passed"):
            if key in data:
                names = _expect(data[key], list, f"{where}.{key}")
                if not all(isinstance(name, str) for name in names):
                    raise SaveFormatError(f"{where}.{key} should only hold text")
                setattr(progress, key, list(names))
        if "checks_total" in data:
            total = _expect(data["checks_total"], int, f"{where}.checks_total")
            if total < 0:
                raise SaveFormatError(f"{where}.checks_total is negative")
            progress.checks_total = total
        return progress


@dataclass
class RunState:
    """One playthrough: who, which flavors and language, and progress per module."""

    id: str  # slug of the name, unique in the store ("ada", "ada-2")
    name: str
    flavors: list[str]  # exactly two, lower-case ids, e.g. ["hacker", "artist"]
    language: str  # "python" | "c" | "rust" | "triton"
    created: str  # ISO-8601 UTC
    last_played: str
    modules: dict[str, ModuleProgress]  # keyed by module id; missing = untouched
    position: dict  # {"module": str | None, "part": str | None}
    schema: int = SCHEMA_VERSION

    def progress(self, module_id: str) -> ModuleProgress:
        """The entry for ``module_id``, created (untouched defaults) if absent."""
        entry = self.modules.get(module_id)
        if entry is None:
            entry = self.modules[module_id] = ModuleProgress()
        return entry

    @property
    def gates_passed(self) -> int:
        return sum(1 for p in self.modules.values() if p.gate_passed)

    @property
    def bosses_defeated(self) -> int:
        return sum(1 for p in self.modules.values() if p.boss_defeated)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "id": self.id,
            "name": self.name,
            "flavors": list(self.flavors),
            "language": self.language,
            "created": self.created,
            "last_played": self.last_played,
            "modules": {key: progress.to_dict() for key, progress in self.modules.items()},
            "position": dict(self.position),
        }

    @classmethod
    def from_dict(cls, data: object, run_id: str | None = None) -> "RunState":
        """Strictly check a current-schema dict and build a RunState; raises SaveFormatError.

        ``run_id`` (the folder name) overrides the ``id`` stored in the file.
        """
        if not isinstance(data, dict):
            raise SaveFormatError(f"the file should hold an object, not {_kind(data)}")
        schema = data.get("schema")
        if schema != SCHEMA_VERSION or isinstance(schema, bool):
            raise SaveFormatError(f"unexpected save format {schema!r} (expected {SCHEMA_VERSION})")
        for key in ("name", "flavors", "language", "created", "last_played", "modules", "position"):
            if key not in data:
                raise SaveFormatError(f"the '{key}' entry is missing")
        stored_id = data.get("id")
        if run_id is None:
            if not is_valid_run_id(stored_id):
                raise SaveFormatError(f"'id' is not a valid run id: {stored_id!r}")
            run_id = stored_id
        try:
            name = validate_name(data["name"])
            flavors = validate_flavors(_expect(data["flavors"], list, "flavors"))
            language = validate_language(_expect(data["language"], str, "language"))
        except SaveError as exc:
            raise SaveFormatError(str(exc).rstrip(".")) from None
        created = _expect_iso(data["created"], "created")
        last_played = _expect_iso(data["last_played"], "last_played")
        raw_modules = _expect(data["modules"], dict, "modules")
        modules = {
            key: ModuleProgress.from_dict(value, where=f"modules[{key!r}]") for key, value in raw_modules.items()
        }
        position = dict(_expect(data["position"], dict, "position"))
        for key in ("module", "part"):
            value = position.setdefault(key, None)
            if value is not None and not isinstance(value, str):
                raise SaveFormatError(f"position.{key} should be text or null, not {_kind(value)}")
        return cls(
            id=run_id,
            name=name,
            flavors=flavors,
            language=language,
            created=created,
            last_played=last_played,
            modules=modules,
            position=position,
            schema=SCHEMA_VERSION,
        )


@dataclass
class RunSummary:
    """What the run picker shows; ``problem`` is set when the run was damaged or unreadable."""

    id: str
    name: str
    flavors: list[str]
    language: str
    created: str
    last_played: str
    gates_passed: int
    bosses_defeated: int
    problem: str | None = None


@dataclass
class LoadNote:
    """Set when loading a run had to recover (e.g. restored the backup)."""

    message: str


# --------------------------------------------------------------------------- helpers


def _kind(value: object) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _expect(value: object, kind: type, where: str) -> Any:
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        wanted = _kind(kind()) if kind in (dict, list, str, bool, int) else kind.__name__
        raise SaveFormatError(f"'{where}' should be {wanted}, not {_kind(value)}")
    return value


def _expect_iso(value: object, where: str) -> str:
    _expect(value, str, where)
    try:
        parse_iso(value)  # type: ignore[arg-type]
    except ValueError:
        raise SaveFormatError(f"'{where}' is not a valid date: {value!r}") from None
    return value  # type: ignore[return-value]
