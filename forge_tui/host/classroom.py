"""The teacher's view: every player's progress on this host, as a table and as CSV.

Reads each player's saves through the public API only: ``Store(path).list_runs()`` /
``.load()`` and ``Game(home).module_state(run, module)``. Nothing here writes a save.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TextIO

from forge_tui.host.identity import HostPaths

COLUMNS = (
    ("player", "Player"),
    ("run", "Run"),
    ("modules_forged", "Forged"),
    ("gates_passed", "Gates"),
    ("bosses_defeated", "Bosses"),
    ("current_module", "Current module"),
    ("last_active", "Last active"),
    ("note", "Note"),
)


@dataclass(frozen=True)
class ClassRow:
    player: str  # the roster name (or key-… for an identity seen in --open mode)
    run: str  # the run's name ("" when the player has not signed up yet)
    modules_forged: int
    gates_passed: int
    bosses_defeated: int
    current_module: str  # "03 Eigen & SVD"
    last_active: str  # ISO-8601 UTC of the run's last change, else when the player last connected
    note: str = ""  # a damaged save, a player with no run yet


def class_rows(data: Path, content=None) -> list[ClassRow]:
    """One row per run of every player under the host's data directory, players in name order."""
    from forge_tui.content import catalog
    from forge_tui.game import FORGED, GATE_PASSED, Game
    from forge_tui.saves import SaveError

    paths = HostPaths(data)
    content = content or catalog()
    rows: list[ClassRow] = []
    for identity_id, record in sorted(paths.known_identities().items(), key=lambda item: (item[1]["name"], item[0])):
        player = record["name"]
        game = Game(paths.player_home(identity_id), content)
        summaries = game.store.list_runs()
        if not summaries:
            rows.append(ClassRow(player, "", 0, 0, 0, "", record.get("last_seen", ""), "no run yet"))
            continue
        for summary in summaries:
            if summary.problem:
                rows.append(ClassRow(player, summary.id, 0, 0, 0, "", summary.last_played or "", summary.problem))
                continue
            try:
                run = game.store.load(summary.id)
            except SaveError as err:
                rows.append(ClassRow(player, summary.name, 0, 0, 0, "", summary.last_played, str(err)))
                continue
            states = [game.module_state(run, module) for module in content.modules]
            current = game.current_module(run)
            rows.append(
                ClassRow(
                    player=player,
                    run=run.name,
                    modules_forged=sum(state == FORGED for state in states),
                    gates_passed=sum(state in (GATE_PASSED, FORGED) for state in states),
                    bosses_defeated=run.bosses_defeated,
                    current_module=f"{current.number} {current.title}",
                    last_active=run.last_played,
                )
            )
    return rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a text cell that starts like a formula (``=``,
    ``+``, ``-``, ``@``, tab, carriage return) gets a leading ``'``, as OWASP advises against
    CSV injection (a run named ``=HYPERLINK(...)`` would be a live formula). Numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: list[ClassRow], out: TextIO) -> None:
    """The class table as CSV, one row per run; every text cell safe to open in a spreadsheet."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    for row in rows:
        values = asdict(row)
        writer.writerow([spreadsheet_cell(values[name]) for name, _ in COLUMNS])


def csv_text(rows: list[ClassRow]) -> str:
    out = io.StringIO()
    write_csv(rows, out)
    return out.getvalue()


def _shown(row: ClassRow, name: str) -> str:
    value = getattr(row, name)
    if name == "last_active" and value:
        return str(value)[:16].replace("T", " ")
    return str(value)


def render_table(rows: list[ClassRow], total_modules: int | None = None) -> str:
    """The class table as aligned plain text (for `neuralforge class`)."""
    if not rows:
        return "No players yet: nobody has connected to this host."
    headers = [title for _, title in COLUMNS]
    cells = [[_shown(row, name) for name, _ in COLUMNS] for row in rows]
    if total_modules:
        for line in cells:
            line[2] = f"{line[2]}/{total_modules}"
            line[3] = f"{line[3]}/{total_modules}"
    widths = [max(len(h), *(len(line[i]) for line in cells)) for i, h in enumerate(headers)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in cells]
    players = len({row.player for row in rows})
    out.append(f"\n{players} player{'s' if players != 1 else ''}, {len(rows)} row{'s' if len(rows) != 1 else ''}.")
    return "\n".join(out)


assert [f.name for f in fields(ClassRow)] == [name for name, _ in COLUMNS]


def ClassApp(data: Path):  # noqa: N802 - a factory that reads like the class it returns
    """The teacher's class table as a Textual app (what a teacher's SSH session shows)."""
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.widgets import DataTable, Footer, Static

    from forge_tui.content import catalog
    from forge_tui.safetext import strip_controls

    class _ClassApp(App):
        TITLE = "Neural Forge: the class"
        BINDINGS = [
            Binding("r", "reload", "Refresh"),
            Binding("q", "quit", "Quit"),
            Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
        ]

        def compose(self) -> ComposeResult:
            yield Static("", id="class-title")
            yield DataTable(id="class-table", zebra_stripes=True, cursor_type="row")
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns(*(title for _, title in COLUMNS))
            self.action_reload()
            self.set_interval(30, self.action_reload)

        def action_reload(self) -> None:
            total = len(catalog().modules)
            rows = class_rows(data)
            table = self.query_one(DataTable)
            table.clear()
            for row in rows:
                # Text cells, not strings: a DataTable parses a string cell as markup
                table.add_row(*(Text(strip_controls(_shown(row, name))) for name, _ in COLUMNS))
            players = len({row.player for row in rows})
            self.query_one("#class-title", Static).update(
                f" [b]The class[/b] · {players} players · {total} modules · r refresh · q quit"
            )

    return _ClassApp()
