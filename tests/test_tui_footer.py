"""The game's key footer (forge_tui/widgets/footer.py) rebuilds only when the keys it shows change."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from forge_tui.widgets.footer import Footer


class TwoInputs(App):
    BINDINGS = [Binding("ctrl+r", "ring", "Ring")]

    def __init__(self) -> None:
        super().__init__()
        self.ringing = True

    def compose(self):
        yield Input(id="first")
        yield Input(id="second")
        yield Footer()

    def check_action(self, action, parameters):
        return (True if self.ringing else None) if action == "ring" else True  # None: shown, disabled

    def action_ring(self) -> None:
        self.bell()


async def test_footer_rebuilds_only_when_its_keys_change():
    app = TwoInputs()
    async with app.run_test() as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        rebuilt = []
        rebuild = footer.recompose

        async def counted() -> None:
            rebuilt.append(True)
            await rebuild()

        footer.recompose = counted
        app.query_one("#second", Input).focus()  # the screen refreshes its bindings; the keys stay
        await pilot.pause()
        app.query_one("#first", Input).focus()
        await pilot.pause()
        assert rebuilt == []
        app.ringing = False
        app.refresh_bindings()  # ctrl+r is now disabled: that shows
        await pilot.pause()
        await pilot.pause()
        assert rebuilt == [True]
        ring = [key for key in footer.query(FooterKey) if key.action == "ring"]
        assert ring and ring[0].has_class("-disabled")
