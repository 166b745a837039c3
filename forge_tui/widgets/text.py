"""Small formatting helpers for screens."""

from __future__ import annotations

from datetime import datetime, timezone


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
