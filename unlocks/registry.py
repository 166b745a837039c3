"""The unlock registry: which tool belongs to which module, and whether a run has earned it.

Discovery imports every top-level module of ``forge_tui.unlocks`` (not the ``screens``
subpackage, not ``registry``/``palette``/``labcode``, not names starting with ``_``) and keeps those
that define ``UNLOCK = UnlockSpec(...)``. Those modules are tiny: their screen factory
imports the screen (and numpy) only when called, so listing unlocks stays cheap.

Names and one-line descriptions come from the curriculum (``[unlock]`` in each
``level.toml``): the content is the single source of truth, and a module whose tool is not
built yet is still listed, honestly, as "not yet built".
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover
    from forge_tui.content import Catalog, Module
    from forge_tui.game import Game

EARNED, NOT_EARNED, NOT_BUILT = "earned", "not earned", "not yet built"
_SKIP = {"registry", "palette", "screens", "labcode"}


@dataclass(frozen=True)
class UnlockTool:
    """What a tool's file declares, and all it declares: the module whose forging earns it, and
    its screen. The tool's name and one-line description are the module's `[unlock]` in
    level.toml, so they are written once, in the curriculum."""

    module_id: str  # "vector-awakens"
    screen_factory: Callable[[], Any]  # () -> a textual Screen


@dataclass(frozen=True)
class UnlockSpec:
    id: str  # slug of the name: "matrixlab"
    module_id: str  # the module whose forging earns it: "vector-awakens"
    name: str  # "MatrixLab"
    description: str  # one line, from the level content
    screen_factory: Callable[[], Any] | None = None  # () -> a textual Screen; None: not yet built

    @property
    def built(self) -> bool:
        return self.screen_factory is not None

    def open(self) -> Any:
        """A fresh screen for this tool. Raises LookupError when the tool is not built yet."""
        if self.screen_factory is None:
            raise LookupError(f"{self.name} is not built yet")
        return self.screen_factory()


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower())


@lru_cache(maxsize=1)
def _discovered() -> dict[str, UnlockTool]:
    """module_id -> the built tool's spec, from the modules of this package."""
    package = importlib.import_module(__package__)
    found: dict[str, UnlockSpec] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg or info.name in _SKIP or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        tool = getattr(module, "UNLOCK", None)
        if isinstance(tool, UnlockSpec) and tool.screen_factory is not None:  # an older declaration
            tool = UnlockTool(tool.module_id, tool.screen_factory)
        if isinstance(tool, UnlockTool):
            if tool.module_id in found:
                raise RuntimeError(f"two unlock tools claim module {tool.module_id!r}")
            found[tool.module_id] = tool
    return found


def built_unlocks(content: "Catalog | None" = None) -> list[UnlockSpec]:
    """The tools this package provides, named by the curriculum (for tests and tooling)."""
    return [spec for spec in all_unlocks(content) if spec.built]


def all_unlocks(content: "Catalog | None" = None) -> list[UnlockSpec]:
    """Every unlock of the curriculum, in module order: built ones carry their screen."""
    if content is None:
        from forge_tui.content import catalog

        content = catalog()
    built = _discovered()
    out: list[UnlockSpec] = []
    for module in content.modules:
        listed = UnlockSpec(
            id=slug(module.unlock_name) or module.id,
            module_id=module.id,
            name=module.unlock_name or f"Unlock of {module.title}",
            description=module.unlock_description,
        )
        tool = built.get(module.id)
        out.append(replace(listed, screen_factory=tool.screen_factory) if tool else listed)
    return out


def find_unlock(key: str, content: "Catalog | None" = None) -> UnlockSpec:
    """By id or name (any case, spaces ignored), module id or module number. KeyError if none."""
    unlocks = all_unlocks(content)
    wanted = slug(str(key))
    text = str(key).strip().lower()
    for spec in unlocks:
        if wanted and wanted == spec.id:
            return spec
    for index, spec in enumerate(unlocks, 1):
        if text == spec.module_id or (text.isdigit() and int(text) == index):
            return spec
    names = ", ".join(spec.name for spec in unlocks)
    raise KeyError(f"no unlock named {key!r}; unlocks are {names}")


def is_earned(run, module: "Module", game: "Game | None" = None) -> bool:
    """Earned when the module is forged (its gate passed and its boss defeated)."""
    if game is None:
        from forge_tui.game import Game

        game = Game()
    from forge_tui.game import ModuleState

    return game.module_state(run, module) == ModuleState.FORGED


def unlock_state(spec: UnlockSpec, run, game: "Game") -> str:
    """EARNED, NOT_EARNED or NOT_BUILT for this run (``run`` may be None: nothing earned)."""
    if not spec.built:
        return NOT_BUILT
    if run is None:
        return NOT_EARNED
    module = game.catalog.module(spec.module_id)
    return EARNED if is_earned(run, module, game) else NOT_EARNED
