"""The series a lab run sent, drawn as curves (textual-plot, braille) under a one-line legend.

The Lab part shows it in place of the output log after a run that sent series
(`forge_tui.series`); F4 switches between the two. The legend is the game's own text widget, so
series names (the lab's) are shown as text, never as markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual_plot import HiResMode, PlotWidget

from forge_tui.safetext import strip_controls
from forge_tui.series import Collected

COLOURS = ("#ff4b6b", "#4dabf7", "#51cf46", "#fcc419", "#cc5de8", "#ff922b",
           "#22b8cf", "#f06595", "#94d82d", "#e9ecef", "#845ef7", "#20c997")


class SeriesPlot(PlotWidget):
    """The curves: no focus, no panning or zooming (the editor keeps the keys)."""

    can_focus = False

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_pan_and_zoom=False, **kwargs)

    def on_mount(self) -> None:
        self.margin_top = 0
        self.margin_bottom = 1  # the steps' tick labels; the legend says what is plotted


class SeriesView(Vertical):
    """A legend line and the plot of every series in a `Collected`."""

    DEFAULT_CSS = """
    SeriesView { height: 1fr; min-height: 8; display: none; }
    SeriesView #series-legend { height: 1; padding: 0 1; }
    SeriesView SeriesPlot { height: 1fr; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.collected = Collected()

    def compose(self) -> ComposeResult:
        yield Static(id="series-legend", markup=False)
        yield SeriesPlot(id="series-plot")

    def show(self, collected: Collected) -> None:
        """Draw `collected` (replacing what was drawn before)."""
        self.collected = collected
        plot = self.query_one(SeriesPlot)
        plot.clear()
        one_quantity = len(collected.quantities) == 1
        legend = Text()
        if one_quantity:
            legend.append(f"{collected.quantities[0]} by step ", style="dim")
        for index, series in enumerate(collected.series):
            colour = COLOURS[index % len(COLOURS)]
            plot.plot(series.steps, series.values, line_style=colour, hires_mode=HiResMode.BRAILLE)
            legend.append("━", style=f"bold {colour}")
            legend.append(strip_controls(f"{series.name if one_quantity else series.label} "))
        self.query_one("#series-legend", Static).update(legend)

    @property
    def legend_text(self) -> str:
        return str(self.query_one("#series-legend", Static).content)
