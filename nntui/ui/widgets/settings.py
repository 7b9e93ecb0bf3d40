"""The sidebar: collapsible Data, Initial weights and Learning panels of setting fields."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Collapsible, Static

from nntui.engine.initialization import PRESET_HELP
from nntui.engine.naming import ACTIVATIONS, DATASETS, PRESETS, SCALINGS
from nntui.lab.config import ExperimentConfig
from nntui.lab.session import config_text
from nntui.ui.widgets.fields import SettingField

# (config key, label, choices, tooltip)
FieldSpec = tuple[str, str, tuple[str, ...], str]
DATA_FIELDS: list[FieldSpec] = [
    ("dataset", "source", DATASETS, "generated, scikit-learn's diabetes table, or a CSV"),
    ("csv", "CSV path", (), "path of a CSV file; Enter loads it"),
    ("features", "features", (), "comma-separated feature columns (empty: default)"),
    ("target", "target", (), "target column (empty: default)"),
    ("rows", "rows", (), "rows to draw (generated) or first rows to keep; empty = default"),
    ("n1_range", "n1 range", (), "integer range LO,HI of n1 (HI excluded)"),
    ("n2_range", "n2 range", (), "integer range LO,HI of n2 (HI excluded)"),
    ("noise_range", "noise", (), "uniform noise range LO,HI"),
    ("seed", "seed", (), "seed of data, split and shuffling"),
    ("scale", "scaling", SCALINGS, "fitted on the training rows"),
    ("test_size", "test frac", (), "fraction of rows held out, in [0, 1)"),
]
INIT_FIELDS: list[FieldSpec] = [
    ("init", "preset", PRESETS, "; ".join(f"{k}: {v}" for k, v in PRESET_HELP.items())),
    ("sigma", "sigma", (), "spread of the normal and uniform presets"),
    ("init_seed", "init seed", (), "seed of random presets (empty: the data seed)"),
]
LEARN_FIELDS: list[FieldSpec] = [
    ("lr", "lr", (), "learning rate; + - multiply/divide by 10, * / by 2"),
    ("epochs", "epochs", (), "epochs to train"),
    ("batch_size", "batch", (), "samples per update (1 = per-sample SGD)"),
    ("shuffle", "shuffle", ("off", "on"), "shuffle rows each epoch (seeded)"),
    ("hidden", "hidden", (), "hidden units"),
    ("activation", "activation", ACTIVATIONS, "hidden-layer activation"),
]
MAX_PARAM_FIELDS = 60  # beyond this the sidebar would drown in fields
GENERATED_ONLY = ("n1_range", "n2_range", "noise_range")
TABLE_ONLY = ("features", "target")


PLACEHOLDERS = {"rows": "all / 100", "features": "default", "target": "default",
                "init_seed": "= data seed", "csv": "path/to/file.csv"}


def field_for(spec: FieldSpec, cfg: ExperimentConfig) -> SettingField:
    key, label, choices, tooltip = spec
    return SettingField(key, label, config_text(cfg, key), choices, tooltip,
                        PLACEHOLDERS.get(key, ""))


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
            self.query_one(f"#field-param-{name}", SettingField).set_value(f"{value:.6g}")


class Sidebar(VerticalScroll):
    """All settings, grouped; reports edits as SettingField.Committed messages."""

    def __init__(self, cfg: ExperimentConfig, params: dict[str, float]) -> None:
        super().__init__(id="sidebar")
        self.cfg = cfg
        self.params = params

    def compose(self) -> ComposeResult:
        with Collapsible(title="Data", id="panel-data", collapsed=False):
            for spec in DATA_FIELDS:
                yield field_for(spec, self.cfg)
        with Collapsible(title="Initial weights", id="panel-init", collapsed=True):
            for spec in INIT_FIELDS:
                yield field_for(spec, self.cfg)
            yield ParamFields(self.params)
        with Collapsible(title="Learning", id="panel-learn", collapsed=False):
            for spec in LEARN_FIELDS:
                yield field_for(spec, self.cfg)

    def on_mount(self) -> None:
        self._show_source_fields(self.cfg)

    def _show_source_fields(self, cfg: ExperimentConfig) -> None:
        for key in GENERATED_ONLY:
            self.field(key).display = cfg.dataset == "generated"
        for key in TABLE_ONLY:
            self.field(key).display = cfg.dataset != "generated"
        self.field("csv").display = cfg.dataset == "csv"

    def field(self, key: str) -> SettingField:
        return self.query_one(f"#field-{key.replace(':', '-').replace('_', '-')}",
                              SettingField)

    async def sync(self, cfg: ExperimentConfig, params: dict[str, float]) -> None:
        """Show a config and initial parameters that changed elsewhere (keys, a rebuild)."""
        self.cfg = cfg
        for key, *_ in DATA_FIELDS + INIT_FIELDS + LEARN_FIELDS:
            field = self.field(key)
            if not field.has_class("-error"):
                field.set_value(config_text(cfg, key))
        self._show_source_fields(cfg)
        await self.query_one(ParamFields).show(params)
