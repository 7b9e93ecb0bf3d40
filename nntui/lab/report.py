"""Plain-text summaries of a run, for `nntui run` and for lab reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nntui.lab.experiment import Experiment
from nntui.lab.numbers import num

__all__ = ["CLASS_LABELS", "METRIC_LABELS", "describe", "headline", "headline_cell",
           "loss_label", "metric_labels", "metric_text", "num", "params_table",
           "run_conventions", "summary", "undefined_notes"]


def space(scale: str | None) -> str:
    """The units the network trains in: scaled, or the original units (`--scale none`)."""
    return {"none": "original units", "mixed": "each run's training units"}.get(
        scale or "minmax", "scaled")


def metric_labels(scale: str | None = "minmax") -> dict[str, str]:
    """Each metric's label with its units: MSE in the training space, the rest original."""
    return {"mse": f"MSE ({space(scale)})", "mae": "MAE (original)",
            "rmse": "RMSE (original)", "r2": "R²", "mape": "MAPE (%)"}


METRIC_LABELS = metric_labels()
#: The metrics of a classification run (--task classify), with their labels.
CLASS_LABELS = {"accuracy": "accuracy", "log_loss": "log-loss",
                "confusion": "tn/fp/fn/tp"}


def loss_label(scale: str | None = "minmax", task: str = "regress") -> str:
    """What the loss curve shows: the epoch's mean L on the training-space target (under
    classify: the mean cross-entropy, the log-loss)."""
    if task == "classify":
        return "loss (log-loss, cross-entropy)"
    return f"loss (MSE, {space(scale)})"


def class_metric_lines(exp: Experiment) -> list[str]:
    """Accuracy, log-loss and the confusion table (threshold 0.5) of a classification run."""
    train, test = exp.metrics("train"), exp.metrics("test")
    classes = exp.dataset.table.classes or ["0", "1"]
    out = [f"  {'metric':<18}{'train':>14}{'test':>14}"]
    for key, label in (("accuracy", "accuracy"), ("log_loss", "log-loss")):
        out.append(f"  {label:<18}{metric_text(key, train[key]):>14}"
                   f"{metric_text(key, test[key]):>14}")
    out.append(f"  class 1 is {exp.dataset.table.target} = {classes[1]} "
               f"(0 is {classes[0]}); predicted 1 when y_hat > 0.5")
    for part, values in (("train", train), ("test", test)):
        c = values["confusion"]
        if c is None:
            continue
        out += [f"  {f'confusion ({part})':<18}{'predicted 0':>14}{'predicted 1':>14}",
                f"  {'  actual 0':<18}{c['tn']:>14}{c['fp']:>14}",
                f"  {'  actual 1':<18}{c['fn']:>14}{c['tp']:>14}"]
    return out


def run_conventions(exp: Experiment) -> str:
    """The conventions of the run actually configured, for the help screen."""
    from nntui.engine.initialization import PRESET_HELP

    cfg, arch = exp.config, exp.arch
    g = arch.activation
    if cfg.batch_size == 1:
        sgd = ("Per-sample SGD: after each training row every parameter p <- p - lr * dL/dp "
               f"(lr = {num(cfg.lr)}).")
    else:
        sgd = (f"Mini-batch SGD: batches of {cfg.batch_size} rows; the gradient is the mean of "
               f"the per-sample gradients; p <- p - lr * mean dL/dp (lr = {num(cfg.lr)}).")
    order = ("Each epoch visits the rows in a new order drawn from the run's seeded generator."
             if cfg.shuffle else "Each epoch visits the training rows in file order.")
    kink = " ReLU'(0) = 0 by convention." if g == "relu" else ""
    output = ("y_hat = sum_j w*h_j + b_out, L = (y_hat - y)^2" if arch.task == "regress" else
              "z_out = sum_j w*h_j + b_out, y_hat = sigmoid(z_out), L = -(y log y_hat + "
              "(1-y) log(1-y_hat)), dL/dz_out = y_hat - y")
    rule = exp.trainer.optimizer
    if not rule.plain:
        sgd += (f" The update rule is {rule.describe()}: the inspector's Update section "
                "shows its terms.")
    return "\n".join([
        f"Network: z_j = sum_i w*x_i + b_j, h_j = {g}(z_j), {output}.{kink}",
        f"{sgd} {order}",
        f"Epoch loss: the mean of L over all training rows after the epoch's last update, "
        f"on the {space(cfg.scale)} target ({cfg.scale} scaling).",
        f"Metrics: MSE in the training space ({space(cfg.scale)}); MAE and RMSE in the "
        "target's original units; R² has no unit; MAPE is a percentage of each target "
        "(n/a when a target is 0).",
        f"Initial weights ({cfg.init}): {PRESET_HELP[cfg.init]}.",
        "Samples are numbered from 0: sample #3 is the fourth training row.",
    ])


def metric_text(name: str, value: float | dict[str, int] | None) -> str:
    """A metric as shown; an undefined one is 'n/a' (the reason goes in a note)."""
    if value is None:
        return "n/a"
    if isinstance(value, dict):  # the confusion counts
        return "/".join(str(value[k]) for k in ("tn", "fp", "fn", "tp"))
    if name in ("mape", "accuracy"):
        return f"{100 * value:.4g}%"
    return num(value)


def headline(task: str, metrics: Mapping[str, Any]) -> tuple[str, str]:
    """A run's one headline metric of a part (`metrics` is its train or test mapping):
    (label, shown). R² for regression; accuracy for classification, whose R² is n/a.
    The runs list, the app's runs view and the guided lab's notes all pick it here."""
    key, label = ("accuracy", "accuracy") if task == "classify" else ("r2", "R²")
    return label, metric_text(key, metrics.get(key))


def headline_cell(task: str, metrics: Mapping[str, Any]) -> str:
    """The headline in a table column headed R² (the runs view): a classification run's
    cell names its metric, `acc 95%`, so it is never read as an R²."""
    shown = headline(task, metrics)[1]
    return shown if task != "classify" else f"acc {shown}"


def undefined_notes(exp: Experiment) -> list[str]:
    """'n/a' explained: one line per part and metric that is undefined, and why."""
    from nntui.engine.metrics import undefined_reasons

    labels = metric_labels(exp.config.scale)
    notes: list[str] = []
    if exp.arch.task == "classify":
        return notes
    for part in ("train", "test"):
        _, y_raw = exp.dataset.raw(part)
        for key, reason in undefined_reasons(y_raw).items():
            notes.append(f"n/a: {part} {labels[key]}: {reason}")
    return notes


def describe(exp: Experiment) -> str:
    """One line naming the data, network and training settings."""
    cfg, table, arch = exp.config, exp.dataset.table, exp.arch
    ds = exp.dataset
    source = {"generated": "generated data", "diabetes": "diabetes table",
              "blobs": f"two blobs (spread {num(cfg.spread)})",
              "circle": f"circle (spread {num(cfg.spread)})"}.get(cfg.dataset, f"CSV {cfg.csv}")
    shuffle = ", shuffled" if cfg.shuffle else ""
    batch = "" if cfg.batch_size == 1 else f", batch {cfg.batch_size}"
    if cfg.task == "classify":
        batch += ", classify (sigmoid output, cross-entropy)"
    if not exp.trainer.optimizer.plain:
        batch += f", {exp.trainer.optimizer.describe()}"
    return (
        f"{source}: {', '.join(table.features)} -> {table.target}; "
        f"{len(ds.train_idx)} train / {len(ds.test_idx)} test rows, {cfg.scale} scaling\n"
        f"network {arch.shape} {arch.activation}, init {cfg.init}, "
        f"lr {num(cfg.lr)}, {cfg.epochs} epochs{batch}{shuffle}"
    )


def params_table(names: list[str], before: dict[str, float], after: dict[str, float]) -> str:
    """The notebook's "new weights and biases" table: initial, final and the change."""
    lines = [f"  {'name':<6}{'initial':>14}{'final':>14}{'change':>14}"]
    for name in names:
        a, b = before[name], after[name]
        lines.append(f"  {name:<6}{num(a):>14}{num(b):>14}{num(b - a):>14}")
    return "\n".join(lines)


def summary(exp: Experiment) -> str:
    """The human-readable result of `nntui run`."""
    t = exp.trainer
    out = [describe(exp), ""]
    if t.diverged:
        out.append(
            f"status: DIVERGED in epoch {t.diverged_at}: {t.divergence_reason}.\n"
            f"Showing the last finite parameters. Try a smaller --lr."
        )
    else:
        out.append(f"status: ok, {t.epochs_done} epochs")
    if t.train_loss:
        tail = f", test {num(t.test_loss[-1])}" if t.test_loss else ""
        out.append(f"final {loss_label(exp.config.scale, exp.arch.task)}: train "
                   f"{num(t.train_loss[-1])}{tail}")
    if exp.dataset.table.dropped_rows:
        out.append(f"dropped {exp.dataset.table.dropped_rows} row(s) with missing values")
    if t.kernel_note:
        out.append(f"trained in Python: {t.kernel_note}")
    train, test = exp.metrics("train"), exp.metrics("test")
    if exp.arch.task == "classify":
        out += ["", *class_metric_lines(exp), "", "new weights and biases",
                params_table(exp.arch.names, t.initial_params, t.params)]
        return "\n".join(out)
    out += ["", f"  {'metric':<18}{'train':>14}{'test':>14}"]
    for key, label in metric_labels(exp.config.scale).items():
        out.append(f"  {label:<18}{metric_text(key, train[key]):>14}"
                   f"{metric_text(key, test[key]):>14}")
    out += [f"  {note}" for note in undefined_notes(exp)]
    out += ["", "new weights and biases",
            params_table(exp.arch.names, t.initial_params, t.params)]
    return "\n".join(out)
