"""The sidebar: collapsible Data, Initial weights and Learning panels of setting fields."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Collapsible, Input, Static

from nntui.lab.config import OPTIONS, ExperimentConfig, blank_text
from nntui.lab.options import Option
from nntui.ui.widgets.fields import SettingField, field_id

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


def tooltip(opt: Option) -> str:
    if opt.key == "init":
        from nntui.engine.initialization import PRESET_HELP

        return "; ".join(f"{k}: {v}" for k, v in PRESET_HELP.items())
    hint = "; empty = default" if opt.blankable else ""
    keys = "; + - multiply/divide by 10, * / by 2" if opt.key == "lr" else ""
    return f"{opt.help}{hint}{keys}"


def field_for(opt: Option, cfg: ExperimentConfig) -> SettingField:
    return SettingField(opt.key, opt.label, opt.format(getattr(cfg, opt.key)), opt.choices,
                        tooltip(opt), placeholder(opt, cfg.dataset))


def placeholder(opt: Option, dataset: str) -> str:
    """The hint of a blank field: blank rows mean all of a table's rows but 100 generated
    ones, so that hint follows the source (lab.config.blank_text)."""
    return blank_text(opt.key, dataset) if opt.key == "rows" else opt.placeholder


class ParamFields(Vertical):
    """One field per network parameter (w1..., b1...), showing the initial values."""

    def __init__(self, values: dict[str, float]) -> None:
        super().__init__(id="params")
        self.values = dict(values)

    def compose(self) -> ComposeResult:
        yield Static("initial parameters (edit any)", classes="panel-note")
        for name, value in list(self.values.items())[:MAX_PARAM_FIELDS]:
            yield SettingField(f"param:{name}", name, f"{value:.6g}",
                               tooltip=f"initial value of {name}")
        hidden = len(self.values) - MAX_PARAM_FIELDS
        if hidden > 0:
            yield Static(f"{hidden} more: set them with --set NAME=VALUE or a TOML "
                         "`set` table", classes="panel-note")

    async def show(self, values: dict[str, float]) -> None:
        """Show new initial values; rebuild the fields if the names changed."""
        if list(values) != list(self.values):
            self.values = dict(values)
            await self.recompose()
            return
        self.values = dict(values)
        for name, value in list(values.items())[:MAX_PARAM_FIELDS]:
            self.query_one(f"#{field_id('param:' + name)}", SettingField).set_value(
                f"{value:.6g}")


class Sidebar(VerticalScroll):
    """All settings, grouped; reports edits as SettingField.Committed messages."""

    def __init__(self, cfg: ExperimentConfig, params: dict[str, float]) -> None:
        super().__init__(id="sidebar")
        self.cfg = cfg
        self.params = params

    def compose(self) -> ComposeResult:
        for panel, title, collapsed in PANELS:
            with Collapsible(title=title, id=f"panel-{panel}", collapsed=collapsed):
                for opt in FIELD_OPTIONS:
                    if opt.panel == panel:
                        yield field_for(opt, self.cfg)
                if panel == "init":
                    yield ParamFields(self.params)

    def on_mount(self) -> None:
        self._show_source_fields()

    def _show_source_fields(self) -> None:
        """The fields of the chosen source (csv: its path field even before a path is set)."""
        source = self.field("dataset").text
        for key in GENERATED_ONLY:
            self.field(key).display = source == "generated"
        for key in TABLE_ONLY:
            self.field(key).display = source in ("diabetes", "csv")
        for key in TWO_CLASS_ONLY:
            self.field(key).display = source in ("blobs", "circle")
        self.field("csv").display = source == "csv"
        optimizer = self.field("optimizer").text
        for name, keys in OPTIMIZER_ONLY.items():
            for key in keys:
                self.field(key).display = optimizer == name
        self.field("rows").query_one(Input).placeholder = placeholder(OPTIONS["rows"], source)

    def on_setting_field_committed(self, message: SettingField.Committed) -> None:
        """A new source shows its own fields at once (the app applies the change)."""
        if message.key in ("dataset", "optimizer"):
            self._show_source_fields()

    def ask_for_csv(self) -> None:
        """`source = csv` chosen without a file: show the path field, focused, and say so."""
        self.field("dataset").show_hint("Now type the CSV file's path in the field below "
                                        "and press Enter.")
        self._show_source_fields()
        path = self.field("csv")
        path.query_one(Input).focus()
        path.scroll_visible()

    def field(self, key: str) -> SettingField:
        return self.query_one(f"#{field_id(key)}", SettingField)

    async def sync(self, cfg: ExperimentConfig, params: dict[str, float]) -> None:
        """Show a config and initial parameters that changed elsewhere (keys, a rebuild)."""
        self.cfg = cfg
        for opt in FIELD_OPTIONS:
            field = self.field(opt.key)
            if not field.has_class("-error"):
                field.set_value(opt.format(getattr(cfg, opt.key)))
        self._show_source_fields()
        await self.query_one(ParamFields).show(params)
