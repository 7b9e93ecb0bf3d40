"""The sidebar's rows as plain data: which settings show, their text, errors and hints,
and the screen lines they take.

The sidebar is drawn as one widget (`settings.Sidebar`), not one widget per field: ~40
rows cost ~5 widgets instead of ~230, which is what makes the first screen and every
relayout (a tab switch while training) fast. This module holds no Textual code, so the
rules (what a source or an optimizer shows, where the cursor may go) are tested alone.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from nntui.lab.config import OPTIONS, ExperimentConfig, blank_text
from nntui.lab.options import Option

PANELS = (("data", "Data", False), ("init", "Initial weights", True),
          ("learn", "Learning", False))  # (panel, title, collapsed at start)
MAX_PARAM_FIELDS = 60  # beyond this the sidebar would drown in fields
GENERATED_ONLY = ("n1_range", "n2_range", "noise_range")
TABLE_ONLY = ("features", "target")
TWO_CLASS_ONLY = ("spread",)  # blobs and circle
#: Fields that only the named optimizer uses.
OPTIMIZER_ONLY = {"momentum": ("momentum",), "adam": ("beta1", "beta2", "eps")}
#: Options with a field: all but `set`, which has one field per parameter below.
FIELD_OPTIONS = [opt for opt in OPTIONS.values() if opt.kind != "assignments"]
LABEL_WIDTH = 11


def tooltip(opt: Option) -> str:
    """A field's help: the option's own, what a blank means, and the lr keys."""
    if opt.key == "init":
        from nntui.engine.initialization import PRESET_HELP

        return "; ".join(f"{k}: {v}" for k, v in PRESET_HELP.items())
    hint = "; empty = default" if opt.blankable else ""
    keys = "; + - multiply/divide by 10, * / by 2" if opt.key == "lr" else ""
    return f"{opt.help}{hint}{keys}"


def placeholder(opt: Option, dataset: str) -> str:
    """The hint of a blank field: blank rows mean all of a table's rows but 100 generated
    ones, so that hint follows the source (lab.config.blank_text)."""
    return blank_text(opt.key, dataset) if opt.key == "rows" else opt.placeholder


@dataclass
class Row:
    """One line of the sidebar: a panel's title, a setting, a parameter, or a note."""

    key: str  # an option's key, "param:w1", "panel:data" or "note:..."
    label: str
    text: str = ""  # what the field holds (as typed, until it is accepted)
    choices: tuple[str, ...] = ()
    help: str = ""
    placeholder: str = ""
    panel: str = ""
    error: str = ""  # a refused value's message, shown under the row
    hint: str = ""  # what to do next (not an error), shown under the row
    shown: bool = True  # the chosen source or optimizer uses this setting
    committed: str = ""  # the text last reported, so an unchanged field says nothing
    applied: str = ""  # the value in effect (what a refused text goes back to)

    @property
    def is_panel(self) -> bool:
        return self.key.startswith("panel:")

    @property
    def is_note(self) -> bool:
        return self.key.startswith("note:")

    @property
    def selectable(self) -> bool:
        return not self.is_note


@dataclass(frozen=True)
class Line:
    """One screen line: the row it belongs to and what it shows there."""

    row: int  # index into SheetModel.rows
    kind: str  # "row", "note", "error", "hint" or "choice"
    text: str = ""  # an error's or hint's wrapped text; a choice's value


@dataclass
class SheetModel:
    """Every row of the sidebar, which panels are open, the cursor and an open choice list."""

    rows: list[Row] = field(default_factory=list)
    collapsed: dict[str, bool] = field(default_factory=dict)
    cursor: int = 0  # index into rows (always a selectable, visible row)
    choosing: int | None = None  # index into the cursor row's choices while its list is open

    @classmethod
    def build(cls, cfg: ExperimentConfig, params: dict[str, float]) -> SheetModel:
        model = cls(collapsed={panel: collapsed for panel, _, collapsed in PANELS})
        model.rows = model._make_rows(cfg, params)
        model.cursor = 0
        model.apply_rules()
        return model

    def _make_rows(self, cfg: ExperimentConfig, params: dict[str, float]) -> list[Row]:
        rows: list[Row] = []
        for panel, title, _ in PANELS:
            rows.append(Row(f"panel:{panel}", title, panel=panel))
            for opt in FIELD_OPTIONS:
                if opt.panel == panel:
                    text = opt.format(getattr(cfg, opt.key))
                    rows.append(Row(opt.key, opt.label, text, opt.choices, tooltip(opt),
                                    placeholder(opt, cfg.dataset), panel, committed=text,
                                    applied=text))
            if panel == "init":
                rows.extend(param_rows(params))
        return rows

    # -- lookups -----------------------------------------------------------------------------
    def index(self, key: str) -> int:
        for i, row in enumerate(self.rows):
            if row.key == key:
                return i
        raise KeyError(key)

    def row(self, key: str) -> Row:
        return self.rows[self.index(key)]

    @property
    def current(self) -> Row:
        return self.rows[self.cursor]

    def visible(self, i: int) -> bool:
        row = self.rows[i]
        return row.is_panel or (row.shown and not self.collapsed.get(row.panel, False))

    def selectable(self) -> list[int]:
        return [i for i, row in enumerate(self.rows) if row.selectable and self.visible(i)]

    # -- the rules of what shows -------------------------------------------------------------
    def apply_rules(self) -> None:
        """The fields of the chosen source and optimizer (csv: its path field even before
        a path is set); a cursor on a field that went away moves to its panel."""
        source = self.row("dataset").text
        for key in GENERATED_ONLY:
            self.row(key).shown = source == "generated"
        for key in TABLE_ONLY:
            self.row(key).shown = source in ("diabetes", "csv")
        for key in TWO_CLASS_ONLY:
            self.row(key).shown = source in ("blobs", "circle")
        self.row("csv").shown = source == "csv"
        optimizer = self.row("optimizer").text
        for name, keys in OPTIMIZER_ONLY.items():
            for key in keys:
                self.row(key).shown = optimizer == name
        self.row("rows").placeholder = placeholder(OPTIONS["rows"], source)
        self.keep_cursor_visible()

    def keep_cursor_visible(self) -> None:
        if not self.visible(self.cursor) or not self.current.selectable:
            self.cursor = self.index(f"panel:{self.current.panel}")
            self.choosing = None

    # -- changes from elsewhere --------------------------------------------------------------
    def sync(self, cfg: ExperimentConfig, params: dict[str, float]) -> None:
        """Show the config and initial parameters in effect after a change (keys, a field,
        a file): every row, a refused one too, shows what is in effect."""
        for opt in FIELD_OPTIONS:
            row = self.row(opt.key)
            row.text = row.committed = row.applied = opt.format(getattr(cfg, opt.key))
            row.error = row.hint = ""
        names = [row.key for row in self.rows if row.key.startswith("param:")]
        if names != [f"param:{name}" for name in list(params)[:MAX_PARAM_FIELDS]] \
                or len(params) > MAX_PARAM_FIELDS:
            key = self.current.key
            block = [i for i, row in enumerate(self.rows)
                     if row.key.startswith(("param:", "note:"))]
            self.rows[block[0]:block[-1] + 1] = param_rows(params)
            keys = [row.key for row in self.rows]
            self.cursor = keys.index(key) if key in keys else self.index("panel:init")
            self.choosing = None
        else:
            for name, value in params.items():
                row = self.row(f"param:{name}")
                row.text = row.committed = row.applied = f"{value:.6g}"
                row.error = ""
        self.apply_rules()

    def revert_refused(self) -> None:
        """Leaving the sidebar: refused texts give way to the values in effect (the
        message was shown, and a toast said so), hints and an open list go."""
        for row in self.rows:
            if row.error:
                row.text = row.committed = row.applied
            row.error = row.hint = ""
        self.choosing = None
        self.apply_rules()

    def next_text(self, steps: int) -> bool:
        """Tab in the editor: the cursor to the next (or previous) setting that is typed,
        past panel titles and choices; False at the end of the list."""
        order = [i for i in self.selectable()
                 if not self.rows[i].is_panel and not self.rows[i].choices]
        later = [i for i in order if (i - self.cursor) * steps > 0]
        if not later:
            return False
        self.cursor = later[0] if steps > 0 else later[-1]
        return True

    # -- the cursor --------------------------------------------------------------------------
    def move(self, steps: int) -> None:
        """Up/down (and page keys): a choice list's cursor while it is open, else the
        sidebar's, over the rows that can be selected."""
        if self.choosing is not None:
            last = len(self.current.choices) - 1
            self.choosing = max(0, min(last, self.choosing + steps))
            return
        order = self.selectable()
        at = order.index(self.cursor) if self.cursor in order else 0
        self.cursor = order[max(0, min(len(order) - 1, at + steps))]

    def go_to(self, key: str) -> None:
        """Put the cursor on a row, opening the panel of a field."""
        i = self.index(key)
        if not self.rows[i].is_panel:
            self.collapsed[self.rows[i].panel] = False
        self.cursor = i
        self.choosing = None

    def toggle_panel(self, panel: str, collapsed: bool | None = None) -> None:
        self.collapsed[panel] = not self.collapsed[panel] if collapsed is None else collapsed
        self.keep_cursor_visible()

    def open_choices(self) -> None:
        row = self.current
        self.choosing = row.choices.index(row.text) if row.text in row.choices else 0

    # -- screen lines ------------------------------------------------------------------------
    def lines(self, width: int) -> list[Line]:
        """Every screen line at this width: each visible row, then its open choice list,
        its error or hint (wrapped)."""
        out: list[Line] = []
        wrap = max(8, width - 2)
        for i, row in enumerate(self.rows):
            if not self.visible(i):
                continue
            if row.is_note:
                out.extend(Line(i, "note", part) for part in textwrap.wrap(row.label, wrap))
                continue
            out.append(Line(i, "row"))
            if i == self.cursor and self.choosing is not None:
                out.extend(Line(i, "choice", choice) for choice in row.choices)
            for kind, message in (("error", row.error), ("hint", row.hint)):
                if message:
                    out.extend(Line(i, kind, part) for part in textwrap.wrap(message, wrap))
        return out


def param_rows(params: dict[str, float]) -> list[Row]:
    """One row per network parameter (w1..., b1...), showing the initial value; beyond
    MAX_PARAM_FIELDS a note says how to set the rest."""
    rows = [Row("note:params", "initial parameters (edit any)", panel="init")]
    for name, value in list(params.items())[:MAX_PARAM_FIELDS]:
        text = f"{value:.6g}"
        rows.append(Row(f"param:{name}", name, text, help=f"initial value of {name}",
                        panel="init", committed=text, applied=text))
    hidden = len(params) - MAX_PARAM_FIELDS
    if hidden > 0:
        rows.append(Row("note:more", f"{hidden} more: set them with --set NAME=VALUE or a "
                        "TOML `set` table", panel="init"))
    return rows
