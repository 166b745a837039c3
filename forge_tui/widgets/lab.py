"""The Lab part: an editor over the run's real lab file.

Edits are written to disk (atomically) moments after they are made, so a crash or a
dropped connection loses at most the last keystrokes. A change made by any other editor
is picked up within a second; `$EDITOR` opens the same file with the app suspended.

At 80x24 the editor gets the room: the brief starts folded once the lab is no longer the
starter, the status is one line, and the output (or the plot) takes space only when a run
or a check has written to it; the level screen's keys hide and show it (F3) and walk the
hints of the last verdict (F2).

A module whose lab comes in several languages shows them on a row of their own, with the file
its boss judges and the ones its checks judge; F8 saves the file on show and opens the next
(made from its starter the first time). The run's language picks the file opened first.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Collapsible, Log, Markdown, Static, TextArea

from forge_tui.content import Module
from forge_tui.labs import LabFiles, ensure_lab, lab_language, write_atomic
from forge_tui.languages import BY_ID, missing_tool
from forge_tui.widgets.editor import CodeEditor
from forge_tui.widgets.text import clean, markup

EDITOR_LANGUAGES = {"python": "python", "triton": "python", "rust": "rust", "c": None}
SAVE_DELAY_S = 0.4
POLL_S = 1.0


def highlighting(language: str) -> str | None:
    """The editor's syntax highlighting for a lab in `language`, None where this install has none."""
    highlight = EDITOR_LANGUAGES.get(language)
    return highlight if highlight in TextArea().available_languages else None


class LabPanel(Vertical):
    """Brief, language row, status line, editor and output for one module's lab."""

    DEFAULT_CSS = """
    #lab-languages {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        display: none;
    }
    """

    class Saved(Message):
        """The lab file on disk changed (our save or another editor's): watch mode listens."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, home: Path, run_id: str, module: Module, language: str) -> None:
        super().__init__(id="lab-panel")
        self.home, self.run_id, self.module = home, run_id, module
        self.language = lab_language(module, language)
        self.wanted_language = language
        self.path: Path | None = None
        self.disk_text = ""
        self.disk_mtime = 0.0
        self._save_timer = None
        self.series = None  # what the last run sent for plotting (forge_tui.series.Collected)
        self.hints: list[tuple[str, str]] = []  # (check or case, hint) of the last verdict's failures
        self.hint_index = -1  # the hint on show, -1 for none
        self.verdict_seen = False  # whether a check run (or fight) has given hints yet
        self.plot_wanted = False  # whether F3 brings back the plot (True) or the output
        self.highlight = highlighting(self.language)
        self.files: LabFiles | None = None  # the module's lab files and their judges, once loaded
        self.views: dict[str, tuple] = {}  # each file left: (its cursor, its scroll offset)

    def compose(self) -> ComposeResult:
        with Collapsible(title="Brief", collapsed=False, id="lab-brief"):
            yield Markdown(self.module.lab_brief)
        yield Static(id="lab-languages")
        yield Static(id="lab-status")
        yield Static(id="lab-hint")
        yield CodeEditor.code_editor(
            "",
            language=self.highlight,
            id="lab-editor",
            soft_wrap=False,
            show_line_numbers=True,
        )
        yield Log(id="lab-output", max_lines=2000)

    def on_mount(self) -> None:
        self.editor = self.query_one("#lab-editor", TextArea)
        try:
            self.path = ensure_lab(self.home, self.run_id, self.module, self.wanted_language)
        except (OSError, FileNotFoundError) as err:
            self.status(markup("[red]Cannot open the lab file: $error[/]", error=err))
            self.editor.disabled = True
            return
        self.load_from_disk()
        self.query_one("#lab-brief", Collapsible).collapsed = not self.is_starter()
        self.query_one("#lab-output", Log).border_title = "F3 hides the output"
        self.set_interval(POLL_S, self.poll_disk)
        notes = []
        if self.language != self.wanted_language:
            notes.append(f"no {self.wanted_language} starter for this module: Python lab")
        if self.highlight is None:
            notes.append(f"no syntax highlighting for {self.language} here")
        self.status(self._describe(" · ".join(notes)))

    def is_starter(self) -> bool:
        """Whether the lab is still the starter as shipped: then the brief opens unfolded."""
        starter = self.module.starter_path(self.language)
        try:
            return starter is not None and starter.read_text(encoding="utf-8", errors="replace") == self.disk_text
        except OSError:
            return False

    # --- disk <-> editor --------------------------------------------------------------
    def load_from_disk(self) -> None:
        assert self.path is not None
        text = self.path.read_text(encoding="utf-8", errors="replace")
        self.disk_text, self.disk_mtime = text, self.path.stat().st_mtime
        if self.editor.text != text:
            self.editor.load_text(text)

    def poll_disk(self) -> None:
        """Pick up a save made by another editor (vim in another pane, an IDE)."""
        if self.path is None:
            return
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            return
        if mtime != self.disk_mtime:
            self.flush()
            text = self.path.read_text(encoding="utf-8", errors="replace")
            self.disk_mtime = mtime
            if text != self.disk_text:
                self.load_from_disk()
                self.status(self._describe("reloaded: the file changed on disk"))
                self.post_message(self.Saved(self.path))

    @on(TextArea.Changed, "#lab-editor")
    def edited(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY_S, self.flush)

    def flush(self) -> bool:
        """Write the editor's text if it differs from the file. True when the file on disk now
        holds what the editor shows."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if self.path is None:
            return False
        text = self.editor.text
        if text == self.disk_text:
            return True
        try:
            write_atomic(self.path, text)
        except OSError as err:
            self.status(markup("[red]Not saved: $error[/]", error=err))
            return False
        self.disk_text, self.disk_mtime = text, self.path.stat().st_mtime
        self.status(self._describe("saved"))
        if self.is_attached:
            self.post_message(self.Saved(self.path))
        return True

    def on_unmount(self) -> None:
        self.flush()

    # --- the module's lab files: the language row and F8 -----------------------------------
    def set_files(self, files: LabFiles) -> None:
        """The module's lab files and their judges (the level screen loads them off the UI thread)."""
        self.files = files
        self.paint_languages()

    def switchable(self) -> bool:
        """Whether this module's lab comes in more than one file to switch between."""
        return self.files is not None and len(self.files.offered) > 1 and self.path is not None

    def paint_languages(self) -> None:
        """The row: the module's lab files (the open one highlighted), F8, what the judges read."""
        row = self.query_one("#lab-languages", Static)
        files = self.files
        row.display = self.switchable() or (files is not None and files.boss_language not in (None, self.language))
        if files is None:
            return
        names = Content(" ⇄ ").join(
            markup("[b reverse] $file [/]" if language == self.language else "$file", file=files.file(language))
            for language in files.offered)
        parts = [names + (" (F8)" if self.switchable() else "")]
        parts.append(markup("boss judges [b]$file[/]", file=files.file(files.boss_language))
                     if files.boss_language else Content("no boss yet"))
        parts.append(self._checks_part(files))
        row.update(Content(" · ").join(parts))

    @staticmethod
    def _checks_part(files: LabFiles) -> Content:
        if not files.checks:
            return Content("no lab checks yet")
        judged = [files.file(language) for language in files.offered if language in files.checks]
        if len(judged) > 1 and len(judged) == len(files.offered):
            return Content("checks judge each")
        return markup("checks judge $files", files=" and ".join(judged))

    def switch_next(self) -> bool:
        """F8: save the file on show, then open the module's next lab file. True if it switched."""
        return self.files is not None and self.switch_to(self.files.after(self.language))

    def switch_to(self, language: str) -> bool:
        """Save the file on show, then open the `language` lab (from its starter the first time).
        Nothing switches while the file on show cannot be saved: no edit is ever lost."""
        if language == self.language and self.path is not None:
            return True
        if self.path is not None and not self.flush():
            self.app.notify(f"{self.path.name} could not be saved, so it stays open: nothing is lost.",
                            severity="error", timeout=8, markup=False)
            return False
        try:
            path = ensure_lab(self.home, self.run_id, self.module, language)
        except (OSError, FileNotFoundError) as err:
            self.status(markup("[red]Cannot open the $name lab: $error[/]", name=BY_ID[language].name, error=err))
            return False
        if self.path is not None:
            self.views[self.language] = (self.editor.cursor_location, self.editor.scroll_offset)
        self.language, self.path = language, path
        self.highlight = highlighting(language)
        self.editor.language = self.highlight
        self.load_from_disk()
        self.call_after_refresh(self._restore_view, language)  # once laid out (the Lab part may be hidden now)
        self.editor.disabled = False
        self.paint_languages()
        self.status(self._describe(self._switched_note(language)))
        return True

    def _restore_view(self, language: str) -> None:
        """The cursor and scroll the `language` file was left with (the top, the first time)."""
        if language != self.language:  # switched on again before this file was laid out
            return
        cursor, (x, y) = self.views.get(language, ((0, 0), (0, 0)))
        self.editor.move_cursor(cursor)
        self.editor.scroll_to(x, y, animate=False, immediate=True)

    def _switched_note(self, language: str) -> str:
        """What the status line says on opening the `language` lab: a missing toolchain first."""
        missing = missing_tool(BY_ID[language])
        if missing:
            self.app.notify(f"{BY_ID[language].name} cannot be built or run here: {missing}.",
                            severity="warning", timeout=10, markup=False)
            return f"{BY_ID[language].name}: {missing}"
        notes = [f"{BY_ID[language].name} lab opened"]
        if self.files is not None and self.files.why_unchecked(language) and self.files.checks:
            notes.append("the F5 checks do not judge it")
        if self.highlight is None:
            notes.append(f"no syntax highlighting for {language} here")
        return " · ".join(notes)

    # --- actions ----------------------------------------------------------------------
    def open_external_editor(self) -> None:
        """$EDITOR (or $VISUAL) on the same file, the app suspended meanwhile."""
        if self.path is None:
            return
        self.flush()
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not command:
            self.status(self._describe("set $EDITOR (e.g. export EDITOR=vim) to edit outside"))
            return
        try:
            with self.app.suspend():
                subprocess.call([*shlex.split(command), str(self.path)])
        except (OSError, ValueError) as err:
            self.status(markup("[red]Could not start $command: $error[/]", command=command, error=err))
            return
        except Exception as err:  # SuspendNotSupported (e.g. headless or some SSH setups)
            self.status(markup("[red]Cannot suspend here ($kind); edit the file directly: $path[/]",
                               kind=type(err).__name__, path=self.path))
            return
        self.poll_disk()
        self.status(self._describe("back from the external editor"))

    def reset_to_starter(self, reset: Callable[[], Path]) -> Path | None:
        """Save, then `reset()` (the session puts the starter back and returns the backup)."""
        self.flush()
        backup = reset()
        self.load_from_disk()
        self.status(self._describe(f"reset to the starter; your version is kept as {backup.name}"))
        return backup

    def show_output(self, title: str) -> None:
        """Clear the output and show it, `title` on its own first line."""
        # at 80x24 the brief, the editor and the output do not all fit: fold the brief (one
        # line; the player can open it again) so the output is seen
        self.query_one("#lab-brief", Collapsible).collapsed = True
        log = self.query_one("#lab-output", Log)
        log.clear()
        log.write(clean(title) + "\n")  # what the lab prints next starts on a line of its own
        self._show_plot(False)

    def write_output(self, text: str) -> None:
        """Append what a lab printed, as text: its control sequences never reach the terminal."""
        self.query_one("#lab-output", Log).write(clean(text))

    def write_check(self, result) -> None:
        """One line of the checklist: ✓ or ✗, the check's name; for a failure, why and a hint."""
        lines = [f"{'✓' if result.passed else '✗'} {result.name}" + (f": {result.summary}" if result.summary else ""),
                 *result.failure_lines(" " * 4)]
        log = self.query_one("#lab-output", Log)
        if log.lines and log.lines[-1]:
            log.write("\n")  # the lab printed a line with no end: the checklist starts below it
        log.write("".join(clean(line) + "\n" for line in lines))

    def has_output(self) -> bool:
        return bool(self.series) or any(self.query_one("#lab-output", Log).lines)

    def output_shown(self) -> bool:
        return self.query_one("#lab-output", Log).display or any(v.display for v in self.query("#lab-series"))

    def toggle_output(self) -> None:
        """F3: hide the output (the editor takes its lines) or show it again."""
        if self.output_shown():
            for widget in (self.query_one("#lab-output", Log), *self.query("#lab-series")):
                widget.display = False
            self.status(self._describe("output hidden: F3 shows it again"))
        elif self.has_output():
            self._show_plot(self.plot_wanted)
        else:
            self.status(self._describe("no output yet: ctrl+r runs the lab, F5 runs the checks"))

    # --- series a run sent (forge_tui.series): plotted in place of the output, F4 switches ---
    async def show_series(self, messages) -> None:
        """After a run: plot the series among its result `messages`, if it sent any."""
        from forge_tui.series import collect, summary

        self.series = collect(messages)
        if not self.series:
            return
        self.write_output(summary(self.series) + "\n")
        view = await self._series_view()
        view.show(self.series)
        self._show_plot(True)
        self.status(self._describe(f"plotted {len(self.series.series)} series · F4: output or plot"))

    async def _series_view(self):
        from forge_tui.widgets.series import SeriesView  # textual-plot (and numpy) only once a lab plots

        found = self.query(SeriesView)
        if found:
            return found.first()
        view = SeriesView(id="lab-series")
        await self.mount(view, after="#lab-output")
        return view

    def _show_plot(self, on: bool) -> None:
        views = list(self.query("#lab-series"))
        on = on and bool(views)
        self.plot_wanted = on
        for view in views:
            view.display = on
        self.query_one("#lab-output", Log).display = not on

    def action_toggle_plot(self) -> None:
        """F4: the plot of the last run's series, or its output."""
        views = list(self.query("#lab-series"))
        if not self.series or not views:
            self.status(self._describe('no plot: the last run sent no series (send({"series": name, "step": t, '
                                       '"loss": x}) from neuralforge_child)'))
            return
        self._show_plot(not views[0].display)

    def show_checks(self, report) -> None:
        """After a check run: the count in the status line; its failures' hints for F2."""
        passed, total = report.passed, report.total
        self.status(self._describe(f"checks {passed}/{total} pass" + (" ✓" if passed == total else "")
                                   + (" · F2: a hint" if passed < total else "")))
        self.set_hints([(r.name, r.hint) for r in report.results if not r.passed and r.hint])

    # --- hints: F2 walks the hints of the last verdict's failures, one at a time -----------
    def set_hints(self, hints: list[tuple[str, str]]) -> None:
        """The hints the last verdict gave, first failure first; none on show yet."""
        self.hints, self.hint_index, self.verdict_seen = list(hints), -1, True
        self.query_one("#lab-hint", Static).display = False

    def next_hint(self, without_verdict: str) -> None:
        """Show the next hint; after the last, hide the line (the next press starts again).
        `without_verdict` is what to say before any verdict has given hints."""
        line = self.query_one("#lab-hint", Static)
        if not self.hints:
            line.update(markup("[dim]$note[/]", note=without_verdict if not self.verdict_seen
                               else "No hint: nothing failed in the last verdict."))
            line.display = True
            return
        self.hint_index += 1
        if self.hint_index >= len(self.hints):
            self.hint_index = -1
            line.display = False
            return
        name, hint = self.hints[self.hint_index]
        line.update(markup("[b $warning]Hint $i/$n[/] [dim]($name)[/] $hint [dim]· F2: next[/]",
                           i=self.hint_index + 1, n=len(self.hints), name=name, hint=hint))
        line.display = True

    def note(self, note: str) -> None:
        """The status line: the lab file's name, `note`, its folder."""
        self.status(self._describe(note))

    def status(self, text: str | Content) -> None:
        # a query, not query_one: on unmount (a last save as the app closes) the line is gone
        for line in self.query("#lab-status").results(Static):
            line.update(text)

    def _describe(self, note: str = "") -> Content:
        """One line: the lab file's name, a note, then its folder (cut first when too long)."""
        name = self.path.name if self.path else "lab"
        folder = str(self.path.parent) if self.path else ""
        return markup("[b]$name[/]" + (" · $note" if note else "") + "  [dim]$folder[/]",
                      name=name, folder=folder, note=note)
