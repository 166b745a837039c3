from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from forge_tui.flavors import BY_ID
from forge_tui.game import GameError, ModuleState
from forge_tui.messages import RunChanged
from forge_tui.saves import RunState
from forge_tui.widgets.footer import Footer
from forge_tui.widgets.node import ModuleNode, PhaseColumn
from forge_tui.widgets.text import literal, markup


class MapScreen(Screen):
    """The progression map: phases as columns, modules as nodes, a detail panel below."""

    BINDINGS = [
        Binding("left,h", "move(-1, 0)", "←", show=False),
        Binding("right,l", "move(1, 0)", "→", show=False),
        Binding("up,k", "move(0, -1)", "↑", show=False),
        Binding("down,j", "move(0, 1)", "↓", show=False),
        Binding("enter", "open", "Open"),
        Binding("u", "unlock", "Unlock"),
        Binding("escape", "back", "Runs"),
        Binding("q", "app.quit", "Quit"),
    ]

    RELOAD_S = 2.0  # how often the map looks for changes saved by another process (the CLI)

    def __init__(self, run: RunState) -> None:
        super().__init__()
        self._opened_with = run
        self.cursor = (0, 0)
        self._by_cursor: dict[tuple[int, int], ModuleNode] | None = None
        self._columns: list[PhaseColumn] = []  # by phase; filled with the nodes

    @property
    def session(self):
        """The app's session, opened on this map's run if the app plays another one."""
        session = self.app.session
        if session is None or session.run.id != self._opened_with.id:
            session = self.app.open_run(self._opened_with)
        return session

    @property
    def run(self) -> RunState:
        return self.session.run

    def compose(self) -> ComposeResult:
        game = self.app.game
        yield Static(id="map-bar")
        with Horizontal(id="phases"):
            for column, phase in enumerate(game.catalog.phases):
                yield PhaseColumn(markup("[b]$name[/]", name=phase.name),
                                  [ModuleNode(module, column, row) for row, module in enumerate(phase.modules)])
        yield Static(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        current = self.app.game.current_module(self.run)
        for node in self.nodes().values():
            if node.module.id == current.id:
                self.cursor = (node.column, node.row)
        self.redraw()
        self.set_interval(self.RELOAD_S, self.reload_if_changed)

    def reload_if_changed(self) -> None:
        """A gate passed or a boss beaten from the shell shows here within RELOAD_S."""
        try:
            changed = self.session.reload_if_changed()
        except GameError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        if changed and self.is_current:
            self.redraw()

    def on_screen_resume(self) -> None:
        self.reload_if_changed()
        self.redraw()

    @on(RunChanged)
    def run_changed(self) -> None:
        if self.is_current:
            self.redraw()

    def nodes(self) -> dict[tuple[int, int], ModuleNode]:
        """The nodes by (column, row); composed once, so looked up once (a query on every
        keystroke cost about a tenth of a move's CPU)."""
        if self._by_cursor is None:
            self._columns = list(self.query(PhaseColumn))
            self._by_cursor = {(node.column, node.row): node for column in self._columns for node in column.nodes}
        return self._by_cursor

    def selected(self) -> ModuleNode:
        return self.nodes()[self.cursor]

    def redraw(self) -> None:
        game = self.app.game
        markers = "".join(BY_ID[f].glyph for f in self.run.flavors if f in BY_ID)
        for node in self.nodes().values():
            quests = "".join(
                BY_ID[f].glyph for f in self.run.flavors if node.module.side_quests.get(f)
            )
            node.state = game.module_state(self.run, node.module)
            node.markers = f"◆{quests}" if quests else ""
            node.selected = (node.column, node.row) == self.cursor
        for column in self._columns:
            column.refresh()
        self._columns[self.cursor[0]].show_node(self.selected())
        gates, forged = game.counts(self.run)
        flavors = " + ".join(BY_ID[f].name for f in self.run.flavors if f in BY_ID)
        self.query_one("#map-bar", Static).update(
            markup(
                "[b]$name[/] · $flavors ($markers) · $language · $gates/$total gates · $forged forged",
                name=self.run.name, flavors=flavors, markers=markers, language=self.run.language,
                gates=gates, total=len(game.catalog.modules), forged=forged,
            )
        )
        self.describe(self.selected().module)

    def describe(self, module) -> None:
        game = self.app.game
        state = game.module_state(self.run, module)
        lines = [markup("[b]$number $title[/]  [i]$state[/]", number=module.number, title=module.title, state=state),
                 literal(module.summary)]
        if state == ModuleState.LOCKED:
            before = game.catalog.previous(module)
            lines.insert(1, markup("[dim]Locked until the gate of $number ($short) is passed.[/]",
                                   number=before.number, short=before.short))
        for flavor in self.run.flavors:
            quest = module.side_quests.get(flavor)
            if quest and flavor in BY_ID:
                lines.append(literal(f"◆{BY_ID[flavor].glyph} {BY_ID[flavor].name}: {quest}"))
        # Below the fold at 80x24; a taller terminal shows them.
        progress = self.run.modules.get(module.id)
        attempts = f" · {progress.gate_attempts} attempts · {progress.hints_revealed}/3 hints" if progress else ""
        lines += [
            literal(""),
            markup("[b]Boss:[/] $boss   [b]Unlock:[/] $unlock: $about", boss=module.boss_name,
                   unlock=module.unlock_name, about=module.unlock_description),
            markup("[b]Gate:[/] $gate$attempts",
                   gate="passed" if progress and progress.gate_passed else "not yet passed", attempts=attempts),
        ]
        # #detail's height comes from the stylesheet (1fr), never from its text: no relayout of
        # the whole map on every keystroke (over SSH each one costs the host CPU).
        self.query_one("#detail", Static).update(Content("\n").join(lines), layout=False)

    def action_move(self, dx: int, dy: int) -> None:
        nodes = self.nodes()
        column, row = self.cursor
        if dx:
            columns = sorted({c for c, _ in nodes})
            index = columns.index(column) + dx
            if not 0 <= index < len(columns):
                return
            column = columns[index]
            row = min(row, max(r for c, r in nodes if c == column))
        else:
            row += dy
            if (column, row) not in nodes:
                return
        self.select((column, row))

    def select(self, cursor: tuple[int, int]) -> None:
        """Move the highlight: restyle the two nodes involved, not the whole map (over SSH
        every keystroke's repaint costs the host CPU)."""
        nodes = self.nodes()
        for node in (nodes[self.cursor], nodes[cursor]):
            node.selected = node is nodes[cursor]
            self._columns[node.column].show(node)
        self.cursor = cursor
        self._columns[cursor[0]].show_node(nodes[cursor])
        self.describe(nodes[cursor].module)

    def action_open(self) -> None:
        from forge_tui.screens.level import LevelScreen

        module = self.selected().module
        game = self.app.game
        try:
            game.require_playable(self.run, module)
        except GameError as err:
            reason = str(err)
            self.notify(f"{reason[:1].upper()}{reason[1:]}.", severity="warning", markup=False)
            return
        self.app.push_screen(LevelScreen(self.run, module))

    def action_unlock(self) -> None:
        from forge_tui.unlocks import EARNED, find_unlock

        module = self.selected().module
        spec = find_unlock(module.id, self.app.game.catalog)
        state = self.session.unlock_state(spec)
        if state == EARNED:
            self.app.push_screen(spec.open())
        else:
            self.notify(f"{spec.name}: {state}. Forge {module.number} {module.short} to earn it.", severity="warning",
                        markup=False)

    @on(PhaseColumn.Clicked)
    def clicked(self, event: PhaseColumn.Clicked) -> None:
        self.select((event.node.column, event.node.row))
        self.action_open()

    def action_back(self) -> None:
        self.app.pop_screen()
