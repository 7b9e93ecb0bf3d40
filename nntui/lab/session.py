"""What the app edits: the current config, its table and experiment, and how a change lands.

Kept free of textual so that the rules ("the learning rate applies at the next step, a
data change rebuilds the run") are plain functions with plain tests.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from nntui.engine.naming import RANDOM_PRESETS
from nntui.engine.trainer import Trainer
from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig, parse_value, validate
from nntui.lab.data import Table
from nntui.lab.experiment import Experiment, load_table

#: Changing these reloads or re-splits the data and starts the run again.
DATA_KEYS = frozenset({"dataset", "csv", "features", "target", "rows", "n1_range", "n2_range",
                       "noise_range", "seed", "scale", "test_size"})
#: These apply to the running trainer without a restart.
LIVE_KEYS = frozenset({"lr", "epochs"})
# Everything else (network, initial weights, batching) restarts from new initial weights.


@dataclass
class Change:
    """A validated change: the new config and how much of the run it invalidates."""

    config: ExperimentConfig
    kind: str  # "none", "live", "model" or "data"
    key: str


def config_text(cfg: ExperimentConfig, key: str) -> str:
    """A config value as the text a field shows (the inverse of `parse_value`)."""
    value = getattr(cfg, key)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple | list):
        return ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class Session:
    """The app's current experiment, rebuilt as settings change."""

    def __init__(self, cfg: ExperimentConfig, table: Table | None = None) -> None:
        validate(cfg)
        self.config = cfg
        self.experiment = Experiment.build(cfg, table)
        self.generation = 0  # bumped on every rebuild, to ignore stale worker reports

    @property
    def table(self) -> Table:
        return self.experiment.dataset.table

    @property
    def trainer(self) -> Trainer:
        return self.experiment.trainer

    def propose(self, key: str, text: str) -> Change:
        """Parse and validate one field's text; raises UserError with a message to show."""
        if key.startswith("param:"):
            name = key.split(":", 1)[1]
            value = parse_value("set", f"{name}={text}")[name]
            return Change(replace(self.config, set={**self.config.set, name: value}),
                          "model", key)
        if text.strip() == "" and key in ("rows", "features", "target", "init_seed", "csv"):
            value: Any = None
        else:
            value = parse_value(key, text)
        changes: dict[str, Any] = {key: value}
        if key == "dataset" and value != self.config.dataset:
            changes.update(features=None, target=None)  # each source has its own columns
        if key == "csv" and value:
            changes.update(dataset="csv", features=None, target=None)
        cfg = replace(self.config, **changes)
        validate(cfg)
        if cfg == self.config:
            return Change(cfg, "none", key)
        if key in ("hidden",) or (key == "features"):
            cfg = replace(cfg, set={})  # parameter names change with the architecture
        kind = "data" if key in DATA_KEYS else "live" if key in LIVE_KEYS else "model"
        return Change(cfg, kind, key)

    def load(self, cfg: ExperimentConfig) -> Table:
        """Load the table a data change needs (slow for CSV/diabetes: call off the UI)."""
        return load_table(cfg)

    def apply(self, change: Change, table: Table | None = None) -> None:
        """Adopt a change: live keys update the trainer, others rebuild the experiment."""
        if change.kind == "live":
            # The run's document reports the settings in force now (the last lr used).
            self.config = self.experiment.config = change.config
            self.trainer.lr = change.config.lr
            return
        if change.kind == "none":
            return
        if change.kind == "data" and table is None:
            table = self.load(change.config)
        new = Experiment.build(change.config, table if change.kind == "data" else self.table)
        self.config, self.experiment = change.config, new
        self.generation += 1

    def redraw_weights(self) -> Change:
        """A new draw of a random preset (next init seed); fixed presets cannot re-draw."""
        cfg = self.config
        if cfg.init not in RANDOM_PRESETS:
            raise UserError(f"init preset {cfg.init!r} is fixed; choose normal, uniform, "
                            "xavier or he to draw random weights")
        return Change(replace(cfg, init_seed=cfg.effective_init_seed + 1, set={}), "model",
                      "init_seed")

    def regenerate(self) -> Change:
        """New data (generated) or a new split (tables): the next seed."""
        return Change(replace(self.config, seed=self.config.seed + 1), "data", "seed")
