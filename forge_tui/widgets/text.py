"""Small formatting helpers for screens, and the one way player and lab text reaches them.

Text a player or a lab chose (run names, lab output, case reports, file names, typed answers)
is shown as text, never parsed as markup: a run named ``[x=1+ y`` or ``[/]`` would otherwise
crash the screen, and ``[link=...]`` would make a link. It also loses its terminal control
sequences (forge_tui.safetext): Textual passes ESC through to the terminal as it is.

- ``literal(text)``: the text as it reads, for ``Static(...)``, ``update(...)``, ``Option(...)``.
- ``markup(template, **parts)``: the game's own markup with parts filled in as text:
  ``markup("[b]$name[/] · $gates gates", name=run.name, gates=3)``.
- ``notify`` and ``Log`` take plain strings: ``notify(..., markup=False)``, ``log.write(clean(text))``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from textual.content import Content

from forge_tui.safetext import strip_controls as clean

__all__ = ["ago", "clean", "literal", "markup"]


def literal(text: object) -> Content:
    """``text`` shown exactly as it reads: no markup, no control sequences."""
    return Content(clean(str(text)))


def markup(template: str, **parts: object) -> Content:
    """The game's markup ``template`` with each ``$part`` filled in as literal text."""
    return Content.from_markup(template, **{name: clean(str(value)) for name, value in parts.items()})


def ago(iso: str, now: datetime | None = None) -> str:
    """'2026-11-23T14:02:00+00:00' -> '3 h ago'."""
    try:
        then = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return "unknown"
    if then.tzinfo is None:
        then = then.replace(tzinfo=timezone.utc)
    seconds = max(0, int(((now or datetime.now(timezone.utc)) - then).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"
