from __future__ import annotations

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.color import Color
from textual.events import Click, MouseScrollDown, MouseScrollUp
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from forge_tui.content import Module
from forge_tui.game import ModuleState
from forge_tui.widgets.text import markup

GLYPHS = {ModuleState.LOCKED: "·", ModuleState.OPEN: "○", ModuleState.GATE_PASSED: "◐", ModuleState.FORGED: "●"}
LABELS = {ModuleState.GATE_PASSED: "passed"}  # the node is 16 columns wide
HEIGHT = 4  # a node's rows: its border's two and its text's two
EDGES = {"selected": "double"}  # a node's border type; "round" unless listed
BOXES = {"round": ("╭─╮", "│ │", "╰─╯"), "double": ("╔═╗", "║ ║", "╚═╝")}  # Textual's border characters


def box_segments(edge: str, style: RichStyle) -> tuple[tuple[Segment, Segment, Segment], ...]:
    """The top, middle and bottom rows of a border, each (left, middle, right), all in `style`
    (what Textual's own round and double borders draw: every cell in the inner style)."""
    return tuple(tuple(Segment(char, style) for char in row) for row in BOXES[edge])


class ModuleNode:
    """One module on the map: number, state, side-quest markers, short title. Drawn by the
    phase's PhaseColumn (one widget a phase, not one per node: a move then repaints the two
    nodes it changes, not the whole map)."""

    def __init__(self, module: Module, column: int, row: int) -> None:
        self.module = module
        self.column = column
        self.row = row
        self.state = ModuleState.LOCKED
        self.markers = ""
        self.selected = False

    @property
    def classes(self) -> frozenset[str]:
        """The classes the node would have as a widget: "node", its state, "selected"."""
        names = {"node", self.state.replace(" ", "-")}
        return frozenset(names | {"selected"} if self.selected else names)

    def lines(self, width: int) -> list:
        """The node's two lines of text for a content area `width` columns wide: the full title
        where it fits, else the short one."""
        state = self.state
        title = self.module.title if len(self.module.title) <= width else self.module.short
        label = state if len(state) + 12 <= width else LABELS.get(state, state)
        text = markup("$number $glyph [i]$label[/]  [b]$markers[/]\n$title", number=self.module.number,
                      glyph=GLYPHS.get(state, "?"), label=label, markers=self.markers, title=title)
        return text.split("\n")


class PhaseColumn(Widget):
    """One phase of the map: its title, then its modules, each a bordered box HEIGHT rows tall,
    drawn line by line by this one widget, so that a move repaints the two nodes' rows and not
    a widget per node. A column taller than the map scrolls (`show_node`, the mouse wheel). The
    styles are the component classes below (screens.tcss)."""

    COMPONENT_CLASSES = {
        "phase-column--title", "phase-column--locked", "phase-column--open", "phase-column--gate-passed",
        "phase-column--forged", "phase-column--selected", "phase-column--edge-locked",
        "phase-column--edge-open", "phase-column--edge-gate-passed", "phase-column--edge-forged",
        "phase-column--edge-selected",
    }

    class Clicked(Message):
        def __init__(self, node: ModuleNode) -> None:
            super().__init__()
            self.node = node

    def __init__(self, title, nodes: list[ModuleNode]) -> None:
        super().__init__(classes="phase")
        self.title = title
        self.nodes = nodes
        self.scrolled = 0  # the rows of nodes scrolled above the first row shown below the title
        self._strips: dict[tuple, list[Strip]] = {}

    def region_of(self, node: ModuleNode) -> Region:
        """The node's rows in this widget (the part outside it is clipped when refreshed)."""
        return Region(0, 1 + node.row * HEIGHT - self.scrolled, self.size.width, HEIGHT)

    def show(self, node: ModuleNode) -> None:
        """Repaint one node's rows (after its state, markers or selection changed)."""
        self.refresh(self.region_of(node))

    def show_node(self, node: ModuleNode) -> None:
        """Scroll, if need be, so that the whole node shows (once laid out, if not yet)."""
        if not self.size.height:
            self.call_after_refresh(self.show_node, node)
            return
        view = max(self.size.height - 1, HEIGHT)
        top = node.row * HEIGHT
        self.scroll_nodes(max(min(self.scrolled, top), top + HEIGHT - view))

    def scroll_nodes(self, scrolled: int) -> None:
        """Scroll the nodes (never past the first or the last) and repaint them if they moved."""
        most = max(HEIGHT * len(self.nodes) - (self.size.height - 1), 0)
        scrolled = min(max(scrolled, 0), most)
        if scrolled != self.scrolled:
            self.scrolled = scrolled
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._title(width)
        row, line = divmod(y - 1 + self.scrolled, HEIGHT)
        if row >= len(self.nodes):
            return Strip.blank(width, self.get_component_rich_style("phase-column--title").background_style)
        return self._node_strips(self.nodes[row], width)[line]

    def _title(self, width: int) -> Strip:
        """The phase's name in bold, one cell in from each side."""
        key = ("title", width)
        if key not in self._strips:
            style = self.get_component_rich_style("phase-column--title")
            text = self.title.render_segments(Style.from_rich_style(style))
            blank = style.background_style
            inner = Strip(text).adjust_cell_length(max(width - 2, 0), blank)
            self._strips[key] = [Strip([Segment(" ", blank), *inner, Segment(" ", blank)]).crop(0, width)]
        return self._strips[key][0]

    def _node_strips(self, node: ModuleNode, width: int) -> list[Strip]:
        """The node's HEIGHT strips, cached by everything they show."""
        key = (node.module.id, node.state, node.markers, node.selected, width)
        if key not in self._strips:
            self._strips[key] = self._draw(node, width)
        return self._strips[key]

    def node_at(self, y: int) -> ModuleNode | None:
        """The node drawn on this widget's row y, if any (row 0 is the title)."""
        row = (y - 1 + self.scrolled) // HEIGHT
        return self.nodes[row] if y >= 1 and row < len(self.nodes) else None

    def _draw(self, node: ModuleNode, width: int) -> list[Strip]:
        state = node.state.replace(" ", "-")
        names = [f"phase-column--{state}"] + (["phase-column--selected"] if node.selected else [])
        base = self.background_colors[1]
        text_style = self._text_style(names, base)
        inner = Style(background=Color.from_rich_color(text_style.bgcolor))
        edge = "selected" if node.selected else state
        edge_color = base + self.get_component_styles(f"phase-column--edge-{edge}").color
        box = box_segments(EDGES.get(edge, "round"), (inner + Style(foreground=edge_color)).rich_style)
        inner_rich = inner.rich_style
        content_width = max(width - 4, 0)
        strips = [self._edge_row(box[0], width)]
        for text in node.lines(content_width):
            segments = text.render_segments(Style.from_rich_style(text_style))
            strip = Strip(segments).adjust_cell_length(content_width, inner_rich)
            pad = Segment(" ", inner_rich)
            strips.append(Strip([box[1][0], pad, *strip, pad, box[1][2]]).simplify())
        strips.append(self._edge_row(box[2], width))
        return strips

    def _text_style(self, names: list[str], base: Color) -> RichStyle:
        """The node's text style: its background over `base`, its color over that (an "auto"
        color, like $text-disabled, is a contrast color of the background it lands on)."""
        styles = self.get_component_styles(*names)
        if not styles.auto_color:
            return self.get_component_rich_style(*names)
        background = base + styles.background if styles.has_rule("background") else base
        color = background.get_contrast_text(styles.color.a)
        return RichStyle(color=(background + color).rich_color, bgcolor=background.rich_color)

    @staticmethod
    def _edge_row(row, width: int) -> Strip:
        left, middle, right = row
        return Strip([left, Segment(middle.text * max(width - 2, 0), middle.style), right])

    def on_resize(self) -> None:
        self._strips.clear()

    def notify_style_update(self) -> None:
        """A new theme or stylesheet: the cached strips have the old colors."""
        super().notify_style_update()
        self._strips.clear()

    def on_click(self, event: Click) -> None:
        node = self.node_at(event.y)
        if node is not None:
            self.post_message(self.Clicked(node))

    def on_mouse_scroll_down(self, event: MouseScrollDown) -> None:
        self.scroll_nodes(self.scrolled + HEIGHT)

    def on_mouse_scroll_up(self, event: MouseScrollUp) -> None:
        self.scroll_nodes(self.scrolled - HEIGHT)
