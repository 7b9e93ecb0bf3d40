"""From a configuration to data, network and trainer, and from a trained run to its results.

This is the one place where settings become numbers, so the CLI and the app cannot disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from nntui import __version__
from nntui.engine.initialization import apply_overrides, initial_params
from nntui.engine.metrics import classification_metrics, regression_metrics
from nntui.engine.network import Architecture
from nntui.engine.scaling import Scaler
from nntui.engine.trainer import Trainer
from nntui.errors import UserError
from nntui.lab import data
from nntui.lab.config import ExperimentConfig, validate


def load_table(cfg: ExperimentConfig) -> data.Table:
    """The raw table the configuration names (before splitting and scaling).

    Under --task classify the target becomes 0/1 (`Table.classes` says which value is 1);
    a target without exactly two values is a UserError.
    """
    classify = cfg.task == "classify"
    if cfg.dataset in ("generated", "blobs", "circle"):
        table = data.generated(cfg.generated_rows, cfg.n1_range, cfg.n2_range,
                               cfg.noise_range, cfg.seed) if cfg.dataset == "generated" \
            else data.two_class(cfg.dataset, cfg.generated_rows, cfg.spread, cfg.seed)
        if classify and table.classes is None:
            table.y, table.classes = data.binary_target(table.y, table.target,
                                                        f"the {cfg.dataset} data")
        return table
    if cfg.dataset == "diabetes":
        features = cfg.features or list(data.DIABETES_FEATURES)
        return data.from_frame(data.diabetes_frame(), features,
                               cfg.target or data.DIABETES_TARGET, cfg.rows,
                               "the diabetes table", classify)
    return data.from_frame(data.read_csv(cfg.csv or ""), cfg.features, cfg.target, cfg.rows,
                           str(cfg.csv), classify)


def split_indices(n: int, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/test split; both index lists keep the table's row order."""
    n_test = int(round(test_size * n))
    n_test = min(n_test, n - 1)
    chosen = np.random.default_rng([seed, 4]).permutation(n)[:n_test]
    mask = np.zeros(n, dtype=bool)
    mask[chosen] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


@dataclass
class Dataset:
    """A split, scaled table and the scalers that map it back to original units."""

    table: data.Table
    train_idx: np.ndarray
    test_idx: np.ndarray
    x_scaler: Scaler
    y_scaler: Scaler

    @classmethod
    def build(cls, table: data.Table, cfg: ExperimentConfig) -> Dataset:
        train_idx, test_idx = split_indices(len(table), cfg.test_size, cfg.seed)
        # a class (0 or 1) is not scaled: the sigmoid output and the cross-entropy need it
        y_scale = "none" if cfg.task == "classify" else cfg.scale
        return cls(table, train_idx, test_idx,
                   Scaler.fit(cfg.scale, table.x[train_idx]),
                   Scaler.fit(y_scale, table.y[train_idx]))

    def part(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        """Scaled (x, y) of the "train" or "test" rows."""
        idx = self.train_idx if which == "train" else self.test_idx
        return self.x_scaler.transform(self.table.x[idx]), self.y_scaler.transform(
            self.table.y[idx])

    def raw(self, which: str) -> tuple[np.ndarray, np.ndarray]:
        idx = self.train_idx if which == "train" else self.test_idx
        return self.table.x[idx], self.table.y[idx]


@dataclass
class Experiment:
    """Everything one run needs: its config, data, network and trainer."""

    config: ExperimentConfig
    dataset: Dataset
    arch: Architecture
    trainer: Trainer

    @classmethod
    def build(cls, cfg: ExperimentConfig, table: data.Table | None = None) -> Experiment:
        """Build from a config; pass `table` to reuse data already loaded."""
        validate(cfg)
        table = table if table is not None else load_table(cfg)
        require_rows(table)
        dataset = Dataset.build(table, cfg)
        arch = Architecture.of(len(table.features), cfg.hidden, cfg.activation, cfg.task)
        theta0 = initial_params(arch, cfg.init, cfg.effective_init_seed, cfg.sigma)
        apply_overrides(arch, theta0, cfg.set)
        x_tr, y_tr = dataset.part("train")
        x_te, y_te = dataset.part("test")
        trainer = Trainer(arch, theta0, x_tr, y_tr, x_te, y_te, lr=cfg.lr,
                          batch_size=cfg.batch_size, shuffle=cfg.shuffle, seed=cfg.seed,
                          optimizer=cfg.optimizer_settings)
        return cls(cfg, dataset, arch, trainer)

    def metrics(self, which: str, theta: np.ndarray | None = None) -> dict[str, Any]:
        """The metrics of the "train" or "test" rows: regression's, or under classify
        accuracy, log_loss and the confusion counts (the regression keys then null)."""
        theta = self.trainer.theta if theta is None else theta
        x, y = self.dataset.part(which)
        _, y_raw = self.dataset.raw(which)
        pred = self.arch.predict(theta, x)
        if self.arch.task == "classify":
            return classification_metrics(y, pred, self.arch.losses(theta, x, y))
        return regression_metrics(y, pred, y_raw, self.dataset.y_scaler.inverse(pred))

    def run(self) -> str:
        """Train for the configured number of epochs."""
        return self.trainer.run(self.config.epochs)

    def document(self, stopped: bool = False) -> dict[str, Any]:
        """The `nntui run --json` document (docs/design.md §5); non-finite numbers become null.

        `stopped`: the run was left unfinished on purpose (status "stopped", unless it
        diverged).

        Its layout is `rundoc.RunDocument` of schema `rundoc.SCHEMA`: saved run files and
        exports read it back through `rundoc.validate_document`.
        """
        from nntui.engine.metrics import undefined_reasons
        from nntui.lab.rundoc import SCHEMA, metric_units

        classify = self.arch.task == "classify"
        t = self.trainer
        table = self.dataset.table
        doc = {
            "schema": SCHEMA,
            "nntui": __version__,
            "config": self.config.to_dict(),
            "status": "stopped" if stopped and not t.diverged else t.status,
            "epochs_run": t.epochs_done,
            "diverged_at_epoch": t.diverged_at,
            "history": {"train_loss": list(t.train_loss), "test_loss": list(t.test_loss),
                        "lr": list(t.lr_history)},
            "initial_params": t.initial_params,
            "params": t.params,
            "metrics": {"train": self.metrics("train"), "test": self.metrics("test")},
            "data": {
                "n_train": len(self.dataset.train_idx),
                "n_test": len(self.dataset.test_idx),
                "features": list(table.features),
                "target": table.target,
                "dropped_rows": table.dropped_rows,
                **({"classes": list(table.classes or [])} if classify else {}),
            },
            # hidden: the first hidden layer's units; layers: every hidden layer's
            "network": {"inputs": self.arch.n_inputs, "hidden": self.arch.n_hidden,
                        "layers": list(self.arch.widths), "shape": self.arch.shape,
                        "activation": self.arch.activation},
            # schema 2: what each number means, and how it was computed
            "divergence_reason": t.divergence_reason or None,
            "metric_units": metric_units(self.config.scale, self.arch.task),
            "metric_notes": {part: classification_notes() if classify else
                             undefined_reasons(self.dataset.raw(part)[1])
                             for part in ("train", "test")},
            # schema 3: the task, and why the kernel did not train (if it did not)
            "task": self.arch.task,
            "training": {"path": t.path,
                         **({"kernel_note": t.kernel_note} if t.kernel_note else {})},
        }
        return finite_or_null(doc)


def classification_notes() -> dict[str, str]:
    """Why the regression metrics of a classification run are null."""
    from nntui.engine.metrics import METRICS

    return dict.fromkeys(METRICS, "a classification run: see accuracy, log_loss, confusion")


def finite_or_null(value: Any) -> Any:
    """Replace NaN and infinities by None so that the output is strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_or_null(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_null(v) for v in value]
    return value


def require_rows(table: data.Table) -> None:
    """At least two rows are needed to scale and train meaningfully."""
    if len(table) < 2:
        raise UserError(f"only {len(table)} usable row(s); at least 2 are needed")
