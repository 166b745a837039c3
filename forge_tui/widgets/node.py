from __future__ import annotations

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual._border import get_box
from textual.color import Color
from textual.events import Click
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


class ModuleNode:
    """One module on the map: number, state, side-quest markers, short title. Drawn by its
    phase's NodeColumn (one widget per column, not one per node: a move then repaints the two
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


class NodeColumn(Widget):
    """A phase's modules, each a bordered box HEIGHT rows tall, drawn line by line. The styles
    are the component classes below (the rules of a node, in screens.tcss)."""

    COMPONENT_CLASSES = {
        "node-column--locked", "node-column--open", "node-column--gate-passed", "node-column--forged",
        "node-column--selected", "node-column--edge-locked", "node-column--edge-open",
        "node-column--edge-gate-passed", "node-column--edge-forged", "node-column--edge-selected",
    }

    class Clicked(Message):
        def __init__(self, node: ModuleNode) -> None:
            super().__init__()
            self.node = node

    def __init__(self, nodes: list[ModuleNode]) -> None:
        super().__init__(classes="node-column")
        self.nodes = nodes
        self.styles.height = HEIGHT * len(nodes)
        self._strips: dict[tuple, list[Strip]] = {}

    def show(self, node: ModuleNode) -> None:
        """Repaint one node's rows (after its state, markers or selection changed)."""
        self.refresh(self.region_of(node))

    def region_of(self, node: ModuleNode) -> Region:
        """The node's rows, in this widget's coordinates."""
        return Region(0, node.row * HEIGHT, self.size.width, HEIGHT)

    def render_line(self, y: int) -> Strip:
        row, line = divmod(y, HEIGHT)
        if row >= len(self.nodes):
            return Strip.blank(self.size.width)
        return self._node_strips(self.nodes[row])[line]

    def _node_strips(self, node: ModuleNode) -> list[Strip]:
        """The node's HEIGHT strips, cached by everything they show."""
        width = self.size.width
        key = (node.module.id, node.state, node.markers, node.selected, width)
        if key not in self._strips:
            self._strips[key] = self._draw(node, width)
        return self._strips[key]

    def _draw(self, node: ModuleNode, width: int) -> list[Strip]:
        state = node.state.replace(" ", "-")
        names = [f"node-column--{state}"] + (["node-column--selected"] if node.selected else [])
        base = self.background_colors[1]
        text_style = self._text_style(names, base)
        inner = Style(background=Color.from_rich_color(text_style.bgcolor))
        outer = Style(background=base)
        edge = "selected" if node.selected else state
        edge_color = base + self.get_component_styles(f"node-column--edge-{edge}").color
        box = get_box(EDGES.get(edge, "round"), inner, outer, Style(foreground=edge_color))
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
        row = event.y // HEIGHT
        if 0 <= row < len(self.nodes):
            self.post_message(self.Clicked(self.nodes[row]))
