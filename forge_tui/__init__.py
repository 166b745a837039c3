"""Neural Forge: learn how large language models work by building them.

In the installed wheel, the content and sibling packages of the repository
(`levels/`, `bosses/`, `unlocks/`, `kernels/`, `saves/`) live inside this
package. In a source checkout they sit beside it; extending ``__path__``
makes ``forge_tui.saves`` and friends resolve the same way in both.
"""

from __future__ import annotations

from pathlib import Path

__version__ = "0.1.0"

_here = Path(__file__).resolve().parent
_checkout = _here.parent
if not (_here / "saves").is_dir() and (_checkout / "saves" / "__init__.py").is_file():
    __path__.append(str(_checkout))  # type: ignore[name-defined]
