"""Hosting Neural Forge over SSH (`neuralforge serve`) and the teacher's class view.

Modules:
- ``identity``: roster parsing, key fingerprints, the host's folders (stdlib only)
- ``session``: one game process per SSH session on its own PTY (stdlib only)
- ``server``: the asyncssh server (imports asyncssh; only `neuralforge serve` loads it)
- ``classroom``: the class table and its CSV (reads saves through the public API)
- ``play``: the game process's entry point (`python -m forge_tui.host.play`)

This module holds the one decision the host makes about player code: whether labs may run
for several identities on this machine, given the protections the sandboxed runner reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

# Protections (as named in the runner's report) that keep a lab inside its own workspace.
FILESYSTEM_ISOLATION = ("landlock", "mount_namespace", "mountns", "mount_ns", "bubblewrap")
_OFF_WORDS = ("no", "off", "unavailable", "missing", "absent", "disabled", "false", "✗", "not ")


@dataclass(frozen=True)
class LabPolicy:
    allowed: bool  # may labs run on this host for the identities it serves?
    isolation: tuple[str, ...]  # the filesystem protections found active
    reason: str  # one line for the serve banner


def _active(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        return bool(text) and not text.startswith(_OFF_WORDS)
    return bool(value)


def lab_policy(
    protections: Mapping[str, object] | None,
    *,
    multiple_identities: bool,
    allow_unisolated: bool = False,
) -> LabPolicy:
    """Decide whether labs may run, from the runner's reported protections.

    ``protections`` is the runner's report (``Sandbox.protections()``: name -> bool or a short
    text); ``None`` means no runner could be asked. Labs of several identities need at least one
    filesystem isolation layer (Landlock or a mount namespace) so one player's lab cannot read
    another's saves or the host key; without one, only ``allow_unisolated`` (the teacher's
    explicit ``--allow-unisolated-labs``) lets them run.
    """
    found = tuple(
        name for name, value in (protections or {}).items() if name.lower() in FILESYSTEM_ISOLATION and _active(value)
    )
    if found:
        return LabPolicy(True, found, f"labs run confined to their workspace ({', '.join(found)})")
    what = "no sandboxed runner found" if protections is None else "no filesystem isolation (Landlock, mount namespace)"
    if not multiple_identities:
        return LabPolicy(True, (), f"{what}; labs allowed: one identity only")
    if allow_unisolated:
        return LabPolicy(True, (), f"{what}; labs allowed by --allow-unisolated-labs: players' labs can read each other's files")
    return LabPolicy(False, (), f"{what}; labs are OFF for this class (pass --allow-unisolated-labs to run them anyway)")


def runner_protections() -> Mapping[str, object] | None:
    """Ask the sandboxed runner (forge_tui.runner) what it can enforce here, without starting it.

    Returns None when there is no runner (yet) or it cannot report.
    """
    try:
        from forge_tui import runner  # type: ignore[attr-defined]
    except ImportError:
        return None
    sandbox = getattr(runner, "Sandbox", None)
    for probe in (getattr(sandbox, "probe_only", None), getattr(runner, "probe_only", None), getattr(runner, "protections", None)):
        if callable(probe):
            try:
                report = probe()
            except Exception:  # a broken probe means: nothing is known to be active
                return None
            report = getattr(report, "protections", report)
            if callable(report):
                report = report()
            if not isinstance(report, Mapping):
                return None
            # probe_only() gives the raw report: the layers are under "enabled"
            layers = report.get("enabled")
            return {str(k): bool(v) for k, v in layers.items()} if isinstance(layers, Mapping) else dict(report)
    return None
