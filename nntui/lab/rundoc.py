"""The run document: what `nntui run --json` prints and what a saved run file holds.

A run file outlives the program that wrote it, so it says which layout it uses (`schema`)
and every reader checks it before trusting it: `validate_document` turns any JSON value
into a `RunDocument` or raises `RunFileError` saying exactly what is wrong. Files written
before the schema number existed are read as schema 1 when they otherwise validate.

Schema 1 (docs/design.md §5 plus `schema`, `network` and, for a saved run, `run`):

    schema 1 | nntui "0.1.0" | config {option: value} | status "ok"|"diverged"|"stopped"
    epochs_run int | diverged_at_epoch int|null | history {train_loss, test_loss, lr}
    initial_params, params {name: number|null} | metrics {train, test} of mse mae rmse r2 mape
    data {n_train, n_test, features, target, dropped_rows} | network {inputs, hidden, activation}
    run {id, finished_at, origin, label}        (saved runs only)

`stopped` (added within schema 1) is a run left unfinished in the app (a reset, a new
setting, quit); older files said "ok" with the label "stopped at epoch N" and still load.
Numbers are finite (a non-finite one is written as null); every key above is required.
Keys this version does not know are kept, so a file survives a load and an export intact.
"""

from __future__ import annotations

import math
from typing import Any, Literal, NoReturn, NotRequired, TypedDict, cast

from nntui.errors import UserError

#: The layout this nntui writes, and the newest it can read. Schema 2 added
#: `divergence_reason`, `metric_units`, `metric_notes` and `training`; schema 3 added
#: `task` and, for a classification run, `metrics.<part>.accuracy`, `.log_loss` and
#: `.confusion` ({tn, fp, fn, tp}), `data.classes` (the target's values for 0 and 1) and,
#: when the kernel declined, `training.kernel_note`. Schema 1 and 2 files still load.
SCHEMA = 3
CLASS_METRIC_KEYS = ("accuracy", "log_loss")
CONFUSION_KEYS = ("tn", "fp", "fn", "tp")
STATUSES = ("ok", "diverged", "stopped")
METRIC_KEYS = ("mse", "mae", "rmse", "r2", "mape")

#: Metric name -> value (null when there are no rows or the value is not finite).
Metrics = dict[str, float | None]
#: Parameter name (w1.., b1..) -> value.
Params = dict[str, float | None]


class History(TypedDict):
    """Per-epoch values: losses are MSE on the scaled target; lr is the rate in force."""

    train_loss: list[float]
    test_loss: list[float]  # empty when the run has no test rows
    lr: list[float]


class MetricsPair(TypedDict):
    train: Metrics
    test: Metrics


class DataInfo(TypedDict):
    n_train: int
    n_test: int
    features: list[str]
    target: str
    dropped_rows: int


class NetworkInfo(TypedDict):
    inputs: int
    hidden: int
    activation: str


class RunInfo(TypedDict):
    """Where a saved run came from: its id, finishing time, origin (run/app/sweep), label."""

    id: str
    finished_at: str
    origin: str
    label: str


class RunDocument(TypedDict):
    """One run, as printed by `nntui run --json` and stored as a run file."""

    schema: int
    nntui: str
    config: dict[str, Any]
    status: Literal["ok", "diverged", "stopped"]
    epochs_run: int
    diverged_at_epoch: int | None
    history: History
    initial_params: Params
    params: Params
    metrics: MetricsPair
    data: DataInfo
    network: NetworkInfo
    divergence_reason: NotRequired[str | None]  # schema 2: why it diverged, else null
    metric_units: NotRequired[dict[str, str]]  # schema 2: "scaled", "original", ...
    metric_notes: NotRequired[dict[str, dict[str, str]]]  # schema 2: why a metric is null
    training: NotRequired[dict[str, str | None]]  # schema 2: {"path": "compiled"|"python"}
    task: NotRequired[str]  # schema 3: "regress" | "classify"
    run: NotRequired[RunInfo]


def metric_units(scale: str | None, task: str = "regress") -> dict[str, str]:
    """The units of each metric: MSE in the space the network trains in, the rest original.

    `mape` is a fraction (0.05 = 5%); the text and the app show it as a percentage.
    Classification adds accuracy (a fraction), log_loss (nats) and confusion (rows).
    """
    space = "original" if scale == "none" else "scaled"
    units = {"mse": space, "mae": "original", "rmse": "original", "r2": "unitless",
             "mape": "fraction"}
    if task == "classify":
        units.update(accuracy="fraction", log_loss="nats", confusion="rows")
    return units


class RunFileError(UserError):
    """A run document that cannot be used; `source` names it, `problem` says why."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


def validate_document(data: Any, source: str, stored: bool = False) -> RunDocument:
    """Check a parsed run document (types, required keys, schema); return it as schema 1.

    `source` names the document in messages (a file name); `stored=True` also requires the
    `run` entry of a saved run. Raises RunFileError. The result is a new dict with `schema`
    first; a missing `origin` or `label` of an older run entry reads as "".
    """
    check = _Checker(source)
    if not isinstance(data, dict):
        check.fail(f"not an nntui run file (the JSON is {_kind(data)}, not an object)")
    if "nntui" not in data and "schema" not in data:
        check.fail("not an nntui run file (it has neither an 'nntui' nor a 'schema' key)")
    schema = data.get("schema", 1)  # files from before the number existed
    if not _is_int(schema) or schema < 1:
        check.fail(f"schema is not a positive whole number: {schema!r}")
    if schema > SCHEMA:
        check.fail(f"schema {schema} is newer than this nntui understands (it reads schema "
                   f"{SCHEMA}); update nntui to read this run")
    check.finite(data, "")
    check.string(data, "nntui")
    check.config(check.mapping(data, "config"))
    if check.key(data, "status") not in STATUSES:
        check.fail(f"status is not one of {', '.join(STATUSES)}: {data['status']!r}")
    check.integer(data, "epochs_run")
    if data.get("diverged_at_epoch") is not None:
        check.integer(data, "diverged_at_epoch")
    else:
        check.key(data, "diverged_at_epoch")
    history = check.mapping(data, "history")
    for key in ("train_loss", "test_loss", "lr"):
        check.numbers(history, f"history.{key}")
    for key in ("initial_params", "params"):
        check.number_map(data, key)
    metrics = check.mapping(data, "metrics")
    for part in ("train", "test"):
        values = check.mapping(metrics, f"metrics.{part}")
        for name in METRIC_KEYS:
            check.number(values, f"metrics.{part}.{name}", nullable=True)
    info = check.mapping(data, "data")
    for key in ("n_train", "n_test", "dropped_rows"):
        check.integer(info, f"data.{key}")
    check.strings(info, "data.features")
    check.string(info, "data.target")
    network = check.mapping(data, "network")
    check.integer(network, "network.inputs")
    check.integer(network, "network.hidden")
    check.string(network, "network.activation")
    if schema >= 2:
        if data.get("divergence_reason") is not None:
            check.string(data, "divergence_reason")
        else:
            check.key(data, "divergence_reason")
        units = check.mapping(data, "metric_units")
        for name in METRIC_KEYS:
            check.string(units, f"metric_units.{name}")
        notes = check.mapping(data, "metric_notes")
        for part in ("train", "test"):
            reasons = check.mapping(notes, f"metric_notes.{part}")
            for name in reasons:
                check.string(reasons, f"metric_notes.{part}.{name}")
        check.string(check.mapping(data, "training"), "training.path")
    if schema >= 3 and check.key(data, "task") == "classify":
        for part in ("train", "test"):
            values = metrics[part]
            for name in CLASS_METRIC_KEYS:
                check.number(values, f"metrics.{part}.{name}", nullable=True)
            if values.get("confusion") is not None:
                counts = check.mapping(values, f"metrics.{part}.confusion")
                for name in CONFUSION_KEYS:
                    check.integer(counts, f"metrics.{part}.confusion.{name}")
            else:
                check.key(values, f"metrics.{part}.confusion")
    doc: dict[str, Any] = {"schema": schema, **data}
    if stored or "run" in data:
        run = check.mapping(data, "run")
        check.string(run, "run.id")
        check.string(run, "run.finished_at")
        normal: dict[str, Any] = {**run}
        for key in ("origin", "label"):
            normal.setdefault(key, "")
            check.string(normal, f"run.{key}")
        doc["run"] = normal
    return cast(RunDocument, doc)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    for types, name in ((bool, "true/false"), (dict, "an object"), (list, "a list"),
                        (str, "a string"), (int | float, "a number")):
        if isinstance(value, types):
            return name
    return type(value).__name__


class _Checker:
    """Type checks on dotted paths ("history.train_loss") that fail with one clear line."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, problem: str) -> NoReturn:
        raise RunFileError(self.source, problem)

    def key(self, parent: dict[str, Any], path: str) -> Any:
        name = path.rpartition(".")[2]
        if name not in parent:
            self.fail(f"missing key {path}")
        return parent[name]

    def wrong(self, path: str, what: str, value: Any) -> NoReturn:
        self.fail(f"{path} is not {what} (it is {_kind(value)})")

    def mapping(self, parent: dict[str, Any], path: str) -> dict[str, Any]:
        value = self.key(parent, path)
        if not isinstance(value, dict):
            self.wrong(path, "an object", value)
        return value

    def string(self, parent: dict[str, Any], path: str) -> None:
        value = self.key(parent, path)
        if not isinstance(value, str):
            self.wrong(path, "a string", value)

    def integer(self, parent: dict[str, Any], path: str) -> None:
        value = self.key(parent, path)
        if not _is_int(value) or value < 0:
            self.wrong(path, "a whole number of 0 or more", value)

    def number(self, parent: dict[str, Any], path: str, nullable: bool = False) -> None:
        value = self.key(parent, path)
        if not (_is_number(value) or (nullable and value is None)):
            self.wrong(path, "a number or null" if nullable else "a number", value)

    def numbers(self, parent: dict[str, Any], path: str) -> None:
        value = self.key(parent, path)
        if not isinstance(value, list) or not all(map(_is_number, value)):
            self.wrong(path, "a list of numbers", value)

    def strings(self, parent: dict[str, Any], path: str) -> None:
        value = self.key(parent, path)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.wrong(path, "a list of strings", value)

    def number_map(self, parent: dict[str, Any], path: str) -> None:
        value = self.mapping(parent, path)
        for name in value:
            self.number(value, f"{path}.{name}", nullable=True)

    def config(self, values: dict[str, Any]) -> None:
        """The settings must still make a valid configuration (what a re-run needs)."""
        from nntui.lab.config import from_mapping

        try:
            from_mapping(values, origin="config")
        except (UserError, TypeError, ValueError, AttributeError, KeyError) as exc:
            message = str(exc)
            self.fail(message if message.startswith("config:") else f"config: {message}")

    def finite(self, value: Any, path: str) -> None:
        """No NaN or infinity anywhere: run files and exports are strict JSON."""
        if isinstance(value, float) and not math.isfinite(value):
            self.fail(f"{path} is not a finite number ({value!r})")
        if isinstance(value, dict):
            for key, item in value.items():
                self.finite(item, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.finite(item, f"{path}[{i}]")
