"""The sidebar: every setting in the Data, Initial weights and Learning panels, drawn as
one widget with a cursor, and one editor that opens on the row being edited.

One widget per field cost ~230 widgets, most of the first screen's time and of every
relayout while training; drawn as lines (settings_rows.SheetModel) it costs five. Keys:
up/down move, enter edits a value (enter again applies it, tab goes on to the next), opens
a choice list or a panel; escape gives the keys back to the app. A click does the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Region
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label

from nntui.lab.config import OPTIONS, ExperimentConfig
from nntui.ui.ascii import spell
from nntui.ui.widgets.settings_rows import LABEL_WIDTH, Line, Row, SheetModel

CSV_HINT = "Now type the CSV file's path in the field below and press Enter."


def in_sidebar_words(message: str) -> str:
    """The lab's messages name options as flags (`--dataset`); the sidebar names them as
    its rows do (`source`)."""
    message = re.sub(r"--set (\S+?):", r"\1:", message)  # a parameter's row: its name
    for opt in sorted(OPTIONS.values(), key=lambda o: -len(o.flag)):
        message = re.sub(re.escape(opt.flag) + r"(?![\w-])", f"'{opt.label}'", message)
    return message


class SheetPart(Widget):
    """A run of the sidebar's lines: all of them, or those above or below the editor."""

    COMPONENT_CLASSES = {"sheet--label", "sheet--panel", "sheet--cursor", "sheet--error",
                         "sheet--hint", "sheet--note", "sheet--blank", "sheet--refused"}
    DEFAULT_CSS = """
    SheetPart { height: auto; }
    SheetPart > .sheet--label { color: $text-muted; }
    SheetPart > .sheet--panel { text-style: bold; }
    SheetPart > .sheet--cursor { background: $block-cursor-background;
                                 color: $block-cursor-foreground; }
    SheetPart > .sheet--error { color: $error; }
    SheetPart > .sheet--hint { color: $text-accent; }
    SheetPart > .sheet--note { color: $text-muted; text-style: italic; }
    SheetPart > .sheet--blank { color: $text-disabled; }
    SheetPart > .sheet--refused { background: $error 25%; }
    """

    def __init__(self, id: str) -> None:
        super().__init__(id=id)
        self.lines: list[Line] = []
        self.first = 0  # the sidebar's line number of this part's first line

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self.lines)

    def render(self) -> Text:
        sidebar = self.parent
        assert isinstance(sidebar, Sidebar)
        styles = {name: self.get_component_rich_style(f"sheet--{name}")
                  for name in ("label", "panel", "cursor", "error", "hint", "note", "blank",
                               "refused")}
        width = self.size.width or 30
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for n, line in enumerate(self.lines):
            if n:
                text.append("\n")
            text.append_text(sidebar.draw(line, width, styles))
        return text

    def on_click(self, event: events.Click) -> None:
        sidebar = self.parent
        if isinstance(sidebar, Sidebar) and 0 <= event.y < len(self.lines):
            sidebar.clicked(self.lines[event.y])

    def on_resize(self) -> None:
        """A scrollbar came or went: the lines are wrapped again for the new width."""
        sidebar = self.parent
        if isinstance(sidebar, Sidebar) and self.size.width != sidebar.laid_width:
            sidebar.redraw()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        sidebar = self.parent
        if isinstance(sidebar, Sidebar) and 0 <= event.y < len(self.lines):
            self.tooltip = sidebar.model.rows[self.lines[event.y].row].help or None


class FieldEditor(Horizontal):
    """The one text box of the sidebar, shown in place of the row being edited."""

    DEFAULT_CSS = f"""
    FieldEditor {{ height: 1; padding-left: 1; }}
    FieldEditor .field-label {{ width: {LABEL_WIDTH}; color: $text-muted; }}
    FieldEditor Input {{ width: 1fr; }}
    FieldEditor Input.-refused {{ background: $error 25%; }}
    """

    BINDINGS = [
        Binding("escape", "done", "Done", tooltip="field: apply it and go back to the list"),
        Binding("tab", "next(1)", "Next field", show=False),
        Binding("shift+tab", "next(-1)", "Previous field", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Label("", classes="field-label")
        yield Input(compact=True, select_on_focus=True)

    @property
    def sidebar(self) -> Sidebar:
        assert isinstance(self.parent, Sidebar)
        return self.parent

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.sidebar.finish_edit()

    def on_input_blurred(self, event: Input.Blurred) -> None:
        """Leaving the box applies it (the keys, a click elsewhere): no edit is lost."""
        event.stop()
        if not self.query_one(Input).has_focus:
            self.sidebar.finish_edit(refocus=False)

    def action_done(self) -> None:
        self.sidebar.finish_edit()

    def action_next(self, steps: int) -> None:
        """Tab: apply this one and edit the next typed setting (past titles and lists)."""
        sidebar = self.sidebar
        sidebar.finish_edit()
        if sidebar.model.next_text(steps):
            sidebar.start_edit()


class Sidebar(VerticalScroll, can_focus=True):
    """All settings, grouped; reports edits as Sidebar.Committed messages."""

    BINDINGS = [
        Binding("enter", "activate", "Edit/choose", tooltip="settings (tab goes there): "
                "edit the value under the cursor (enter applies it, tab goes on to the next "
                "one), choose from a list, open or close a panel; up/down move, left/right "
                "close/open a panel"),
        Binding("escape", "leave", "Back", tooltip="settings: close a list, or give the "
                "keys back to the app"),
        Binding("tab", "app.focus_next", "Leave", show=False),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "move(-10)", "Page up", show=False),
        Binding("pagedown", "move(10)", "Page down", show=False),
        Binding("home", "move(-1000)", "First", show=False),
        Binding("end", "move(1000)", "Last", show=False),
        Binding("left", "fold(True)", "Close panel", show=False),
        Binding("right", "fold(False)", "Open panel", show=False),
    ]

    @dataclass
    class Committed(Message):
        """The user finished editing a setting: `text` is as typed (or the choice)."""

        key: str
        text: str

    def __init__(self, cfg: ExperimentConfig, params: dict[str, float]) -> None:
        super().__init__(id="sidebar")
        self.model = SheetModel.build(cfg, params)
        self.editing: int | None = None  # the row whose value the editor holds
        self.laid_width = 0  # the width the lines were last wrapped for

    def compose(self) -> ComposeResult:
        yield SheetPart("sheet-top")
        yield FieldEditor(id="sheet-editor")
        yield SheetPart("sheet-bottom")

    def on_mount(self) -> None:
        self.query_one(FieldEditor).display = False
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def on_focus(self) -> None:
        self.redraw()

    def on_blur(self) -> None:
        self.redraw()
        self.call_after_refresh(self._left)

    def _left(self) -> None:
        """The keys went elsewhere (not to the editor): what was refused is forgotten."""
        if self.is_attached and not self.has_focus_within:
            self.model.revert_refused()
            self.redraw()

    # -- what tests, the controller and the app ask for -----------------------------------
    def row(self, key: str) -> Row:
        return self.model.row(key)

    def show_error(self, key: str, message: str) -> None:
        """Refuse a value in place; the message wraps under the row."""
        row = self.model.row(key)
        row.error, row.hint = in_sidebar_words(message), ""
        self.redraw()

    def clear_error(self, key: str) -> None:
        row = self.model.row(key)
        row.error = row.hint = ""
        self.redraw()

    def ask_for_csv(self) -> None:
        """`source = csv` chosen without a file: show the path field, open, and say so."""
        self.model.row("dataset").hint = CSV_HINT
        self.model.apply_rules()
        self.model.go_to("csv")
        self.start_edit()

    def sync(self, cfg: ExperimentConfig, params: dict[str, float]) -> None:
        """Show a config and initial parameters that changed elsewhere (keys, a rebuild)."""
        self.model.sync(cfg, params)
        self.redraw()

    # -- drawing -----------------------------------------------------------------------------
    def redraw(self) -> None:
        """Lay the lines out again; the editor sits in place of the row it edits."""
        if not self.is_mounted:
            return
        width = self.laid_width = self.scrollable_content_region.width or 30
        lines = self.model.lines(width)
        top, bottom = self.query_one("#sheet-top", SheetPart), self.query_one("#sheet-bottom",
                                                                            SheetPart)
        editor = self.query_one(FieldEditor)
        at = next((n for n, line in enumerate(lines)
                   if line.row == self.editing and line.kind == "row"), None)
        if at is None:
            top.lines, bottom.lines = lines, []
        else:
            top.lines, bottom.lines = lines[:at], lines[at + 1:]
        bottom.first = len(top.lines) + (at is not None)
        editor.display = at is not None
        bottom.display = bool(bottom.lines)
        top.refresh(layout=True)
        bottom.refresh(layout=True)
        self.call_after_refresh(self.show_cursor, lines)

    def show_cursor(self, lines: list[Line]) -> None:
        """Scroll so that the cursor's row, its open list and its message are in view."""
        mine = [n for n, line in enumerate(lines) if line.row == self.model.cursor]
        if mine:
            self.scroll_to_region(Region(0, mine[0], 1, mine[-1] - mine[0] + 1),
                                  animate=False, immediate=True)

    def draw(self, line: Line, width: int, styles: dict[str, Style]) -> Text:
        """One line as the sidebar shows it."""
        model = self.model
        row = model.rows[line.row]
        focused = self.has_focus
        on_cursor = focused and line.row == model.cursor
        if line.kind == "choice":
            chosen = row.choices.index(line.text) == model.choosing
            out = Text(f"   {'●' if line.text == row.text else ' '} {line.text}")
            if chosen and focused:
                out.stylize(styles["cursor"])
        elif line.kind in ("error", "hint", "note"):
            out = Text(f"  {line.text}" if line.kind != "note" else f" {line.text}",
                       style=styles[line.kind])
        elif row.is_panel:
            arrow = "▶" if model.collapsed[row.panel] else "▼"
            out = Text(f" {arrow} {row.label}", style=styles["panel"])
        else:
            out = Text(" ")
            label = spell(self.app, row.label)
            out.append(f"{label:<{LABEL_WIDTH}}"[:LABEL_WIDTH], style=styles["label"])
            room = max(1, width - LABEL_WIDTH - 1)
            if row.choices:
                value = Text(f"{row.text:<{room - 2}}"[:room - 2] + "▼ ")
            elif row.text:
                value = Text(row.text[:room])
            else:
                value = Text(row.placeholder[:room], style=styles["blank"])
            if row.error:
                value.pad_right(room - value.cell_len)
                value.stylize(styles["refused"])
            out.append_text(value)
        out.pad_right(max(0, width - out.cell_len))
        if on_cursor and line.kind == "row":
            out.stylize(styles["cursor"])
        return out

    # -- keys and clicks ---------------------------------------------------------------------
    def action_move(self, steps: int) -> None:
        self.model.move(steps)
        self.redraw()

    def action_fold(self, collapse: bool) -> None:
        row = self.model.current
        if row.is_panel or collapse:
            self.model.toggle_panel(row.panel, collapse)
            self.redraw()

    def action_leave(self) -> None:
        if self.model.choosing is not None:
            self.model.choosing = None
            self.redraw()
            return
        self.screen.set_focus(None)

    def action_activate(self) -> None:
        """Enter: open a panel, open or pick from a choice list, or edit a value."""
        model = self.model
        row = model.current
        if row.is_panel:
            model.toggle_panel(row.panel)
        elif model.choosing is not None:
            self.pick(row.choices[model.choosing])
        elif row.choices:
            model.open_choices()
        else:
            self.start_edit()
            return
        self.redraw()

    def clicked(self, line: Line) -> None:
        """A click: the row under it gets the cursor and opens, as enter would."""
        self.finish_edit(refocus=False)
        self.focus()
        model = self.model
        if line.kind == "choice":
            self.pick(line.text)
        elif model.rows[line.row].selectable:
            model.cursor, model.choosing = line.row, None
            self.action_activate()
            return
        self.redraw()

    # -- editing -----------------------------------------------------------------------------
    def pick(self, choice: str) -> None:
        row = self.model.current
        self.model.choosing = None
        row.text = choice
        self.commit(row)

    def start_edit(self) -> None:
        """Open the editor on the cursor's row, holding its text, and focus it."""
        row = self.model.current
        self.editing = self.model.cursor
        editor = self.query_one(FieldEditor)
        editor.query_one(Label).update(f"{spell(self.app, row.label):<{LABEL_WIDTH}}"
                                       [:LABEL_WIDTH])
        box = editor.query_one(Input)
        with box.prevent(Input.Changed):
            box.value = row.text
        box.placeholder = row.placeholder
        box.tooltip = row.help or None
        box.set_class(bool(row.error), "-refused")
        self.redraw()
        box.focus()

    def finish_edit(self, refocus: bool = True) -> None:
        """Close the editor: its text becomes the row's and is reported if it changed."""
        if self.editing is None:
            return
        row = self.model.rows[self.editing]
        row.text = self.query_one(FieldEditor).query_one(Input).value
        self.editing = None
        if refocus:
            self.focus()
        self.commit(row)

    def commit(self, row: Row) -> None:
        for other in self.model.rows:
            other.hint = ""  # a hint says what to do next: this was it
        if row.text != row.committed or row.error:
            row.committed = row.text
            self.post_message(self.Committed(row.key, row.text))
        if row.key in ("dataset", "optimizer"):
            self.model.apply_rules()  # a new source shows its own fields at once
        self.redraw()
