"""One run's loss under each framework's convention, computed from the run itself.

The same epoch reports different "losses" in different tools, and the same updates need
different learning rates. nntui reports the mean of L = (y_hat - y)^2 over the training
rows *after* the epoch's last update. scikit-learn's `loss_curve_` is half the mean of the
losses *before* each update (its loss is ½(y_hat - y)²). Keras, and a typical PyTorch loop,
report the running mean of the batch losses before each update. Here epoch 1 is replayed
from the run's initial weights and every one of those numbers is computed, with the
learning rate each tool needs for exactly nntui's updates and the mean-vs-sum rule for
mini-batches.

Under --task classify L is the binary cross-entropy, which every tool writes the same way
(no ½ factor): scikit-learn's log-loss (MLPClassifier), Keras' BinaryCrossentropy and
PyTorch's BCEWithLogitsLoss (which, like nntui, takes the output's z and is stable), so
only the mean-vs-sum rule changes the learning rate. Adam ignores the gradient's scale:
its learning rate stays lr (only ε scales). L2: scikit-learn's alpha = λ·B/2 (regression)
or λ·B (classification); its loss_curve_ also adds the penalty alpha/(2n)·ΣW².
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nntui.engine.trainer import Trainer
from nntui.lab.experiment import Experiment
from nntui.lab.numbers import num


@dataclass(frozen=True)
class Convention:
    """How one tool reports epoch 1 and which learning rate gives nntui's updates."""

    tool: str
    loss_per_sample: str  # the tool's L
    reported: str  # how the epoch's number is formed
    value: float  # that number for this run's epoch 1
    lr: float  # the learning rate the tool needs for the same updates
    lr_rule: str


@dataclass(frozen=True)
class Conventions:
    """Epoch 1 of a run under every convention, and the mini-batch rule with numbers."""

    rows: list[Convention]
    batch_size: int
    first_batch_mean: float  # dL/db_out over the first batch: mean of the sample gradients
    first_batch_sum: float  # ... and their sum (what reduction='sum' would give)


def conventions(exp: Experiment) -> Conventions:
    """Replay epoch 1 from the initial weights, keeping each update's pre-update losses."""
    t = exp.trainer
    replay = Trainer(t.arch, t.theta0, t.x_train, t.y_train, t.x_test, t.y_test, lr=t.lr,
                     batch_size=t.batch_size, optimizer=t.optimizer)
    batch_losses: list[float] = []  # mean L of each batch, before its update
    sizes: list[int] = []
    first_mean = first_sum = 0.0
    while replay.epochs_done < 1 and not replay.diverged:
        record = replay.peek()
        losses = [trace.loss for trace in record.traces]
        if not sizes:
            grads = [trace.grads[-1] for trace in record.traces]  # dL/db_out per sample
            first_sum = float(np.sum(grads))
            first_mean = record.grads[-1]
        batch_losses.append(float(np.mean(losses)))
        sizes.append(len(losses))
        if replay.step() is None:
            break
    weights = np.array(sizes, dtype=float)
    before = float(np.average(batch_losses, weights=weights)) if sizes else float("nan")
    per_batch = float(np.mean(batch_losses)) if sizes else float("nan")
    after = replay.train_loss[0] if replay.train_loss else float("nan")
    lr, b = t.lr, t.batch_size
    if t.arch.task == "classify" or t.optimizer.name == "adam":
        return Conventions(scale_free_rows(t, after, before, per_batch), b, first_mean,
                           first_sum)
    rows = [
        Convention("nntui", "(y_hat - y)²", "mean L after the epoch's last update",
                   after, lr, "lr"),
        Convention("scikit-learn", "½(y_hat - y)²", "loss_curve_, mean L before each update",
                   before / 2.0, 2.0 * lr, "2 x lr: L is halved"),
        Convention("Keras", "(y_hat - y)², 'mse'", "running mean of L before each update",
                   before, lr, "lr"),
        Convention("PyTorch, reduction='mean'", "MSELoss, batch mean",
                   "mean of loss.item() over the batches", per_batch, lr, "lr"),
        Convention("PyTorch, reduction='sum'", "MSELoss, batch sum",
                   "mean of loss.item() over the batches", per_batch * b, lr / b,
                   f"lr / {b}: sums are {b}x"),
    ]
    return Conventions(rows, b, first_mean, first_sum)


def scale_free_rows(t: Trainer, after: float, before: float,
                    per_batch: float) -> list[Convention]:
    """The rows when the tools need no lr factor: cross-entropy (no ½ anywhere) or Adam
    (which divides the gradient's scale away; only ε follows it)."""
    lr, b = t.lr, t.batch_size
    adam = t.optimizer.name == "adam"
    if t.arch.task == "classify":
        names = ("-(y log y_hat + (1-y) log(1-y_hat))", "log_loss (MLPClassifier)",
                 "BinaryCrossentropy", "BCEWithLogitsLoss")
        sk_value, sk_rule = before, "lr: the same loss, no ½"
    else:
        names = ("(y_hat - y)²", "½(y_hat - y)²", "'mse'", "MSELoss")
        sk_value, sk_rule = before / 2.0, "lr: Adam ignores the ½ (ε halved)"
    sum_lr, sum_rule = (lr, f"lr: Adam ignores the {b}x (ε x {b})") if adam else (
        lr / b, f"lr / {b}: sums are {b}x")
    return [
        Convention("nntui", names[0], "mean L after the epoch's last update", after, lr, "lr"),
        Convention("scikit-learn", names[1], "loss_curve_, mean L before each update",
                   sk_value, lr, sk_rule),
        Convention("Keras", names[2], "running mean of L before each update", before, lr,
                   "lr"),
        Convention("PyTorch, reduction='mean'", f"{names[3]}, batch mean",
                   "mean of loss.item() over the batches", per_batch, lr, "lr"),
        Convention("PyTorch, reduction='sum'", f"{names[3]}, batch sum",
                   "mean of loss.item() over the batches", per_batch * b, sum_lr, sum_rule),
    ]


def conventions_text(conv: Conventions) -> str:
    """The conventions as a plain table, for `nntui conventions` and the framework check."""
    lines = [f"  {'tool':<26}{'epoch-1 loss':>13}  lr for the same updates"]
    for c in conv.rows:
        lines.append(f"  {c.tool:<26}{num(c.value):>13}  {num(c.lr)} ({c.lr_rule})")
        lines.append(f"      L = {c.loss_per_sample}; reported: {c.reported}")
    b = conv.batch_size
    lines += ["", f"Mini-batches: the gradient of a batch is the mean of its {b} per-sample",
              "gradients (nntui, Keras, PyTorch 'mean'). Over the first batch",
              f"dL/db_out = {num(conv.first_batch_mean)} (mean) vs "
              f"{num(conv.first_batch_sum)} (sum).",
              "With batch size 1 they are the same." if b == 1 else
              f"A sum is {b}x larger: it needs lr / {b}."]
    return "\n".join(lines)
