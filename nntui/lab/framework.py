"""The framework check: scikit-learn's MLPRegressor (or MLPClassifier under --task
classify) trained from nntui's initial weights, with the same optimizer.

How nntui's settings map onto scikit-learn's (`sklearn_params`; docs/design.md §2):
- MLPRegressor minimises half the squared error, so its gradients are half of nntui's: its
  learning rate is 2 x lr for the same updates (sgd, momentum). MLPClassifier's log-loss
  is nntui's cross-entropy: the same lr.
- momentum: scikit-learn's SGDOptimizer with nesterovs_momentum=False is nntui's rule.
- adam: Adam does not depend on the gradient's scale except through ε, so the learning
  rate stays lr and a regressor's ε is halved. scikit-learn adds ε to the uncorrected √v
  (its bias correction is folded into the learning rate), nntui to √v̂: the same update
  with ε·√(1-β2^t) in place of ε, so the two agree only as far as ε is negligible.
- L2: scikit-learn adds alpha·W / n to the gradient of a batch of n rows, nntui λ·W:
  alpha = λ·B/2 for a regressor (whose gradient is halved), λ·B for a classifier. A last,
  shorter batch gets a larger share in scikit-learn, so with L2 they agree when the batch
  size divides the training rows.
Mini-batches are taken in order (shuffle=False), exactly like nntui without --shuffle.
scikit-learn is imported only here, inside the functions.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from nntui.engine.network import Architecture
from nntui.engine.optimizers import Settings
from nntui.errors import UserError

if TYPE_CHECKING:
    from nntui.lab.experiment import Experiment

#: Weights closer than this count as the same: float64 SGD in a different operation order
#: drifts apart by ~1e-16 per update, so 1e-9 leaves room for long runs and no more.
AGREE_TOLERANCE = 1e-9


@dataclass
class FrameworkRun:
    """Per-epoch losses (nntui's definition) and final parameters from scikit-learn."""

    train_loss: list[float]
    test_loss: list[float]
    theta: np.ndarray
    reported: list[float] = field(default_factory=list)  # its own loss_curve_, per epoch


def to_sklearn(arch: Architecture, theta: np.ndarray) -> tuple[list[np.ndarray],
                                                                 list[np.ndarray]]:
    """nntui's parameter vector as MLPRegressor's coefs_ and intercepts_, one per layer.

    scikit-learn keeps each layer's weights as fan-in x units, nntui unit by unit: the
    transpose of the same numbers.
    """
    layers = arch.layer_params(np.asarray(theta, dtype=float))
    return [w.T.copy() for w, _ in layers], [b.copy() for _, b in layers]


def from_sklearn(coefs: list[np.ndarray], intercepts: list[np.ndarray]) -> np.ndarray:
    """The parameter vector of MLPRegressor's layers: every layer's weights, then biases."""
    return np.concatenate([c.T.ravel() for c in coefs] + [b.ravel() for b in intercepts])


def sklearn_params(arch: Architecture, opt: Settings, lr: float,
                   batch_size: int) -> dict[str, object]:
    """The MLPRegressor/MLPClassifier settings that make nntui's updates (module docstring)."""
    scale = 2.0 if arch.loss_spec.halved_by_sklearn else 1.0
    params: dict[str, object] = dict(
        solver="adam" if opt.name == "adam" else "sgd", alpha=opt.l2 * batch_size / scale,
        momentum=opt.momentum if opt.name == "momentum" else 0.0, nesterovs_momentum=False,
        learning_rate_init=lr if opt.name == "adam" else scale * lr)
    if opt.name == "adam":
        params.update(beta_1=opt.beta1, beta_2=opt.beta2, epsilon=opt.eps / scale)
    return params


def train_sklearn(
    arch: Architecture,
    theta0: np.ndarray,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    lr: float,
    epochs: int,
    batch_size: int = 1,
    cancelled: Callable[[], bool] | None = None,
    optimizer: Settings | None = None,
) -> FrameworkRun:
    """Train scikit-learn's MLP epoch by epoch from theta0; losses are nntui's (its L)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    classify = arch.task == "classify"
    model = MLPClassifier if classify else MLPRegressor
    mlp = model(
        hidden_layer_sizes=arch.widths, activation=arch.spec.sklearn_name,
        batch_size=batch_size, shuffle=False, learning_rate="constant",
        max_iter=1, tol=0.0, n_iter_no_change=10**9, random_state=0,
        **sklearn_params(arch, optimizer or Settings(), lr, batch_size),
    )
    labels = y_train.astype(int) if classify else y_train
    first: dict[str, object] = {"classes": np.array([0, 1])} if classify else {}
    train_loss: list[float] = []
    test_loss: list[float] = []
    reported: list[float] = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)  # batch larger than the 1-row warm-up
        # The first partial_fit builds the model and its optimizer; its weights are then
        # replaced in place, so the optimizer's references stay valid.
        mlp.partial_fit(x_train[:1], labels[:1], **first)
        coefs, intercepts = to_sklearn(arch, theta0)
        for mine, new in zip([*mlp.coefs_, *mlp.intercepts_], [*coefs, *intercepts]):
            mine[...] = new
        reset_optimizer(mlp._optimizer)  # the warm-up step moved its velocity or moments
        for _ in range(epochs):
            if cancelled is not None and cancelled():
                break
            try:
                mlp.partial_fit(x_train, labels)
            except ValueError:  # scikit-learn refuses non-finite weights: diverged
                break
            reported.append(float(mlp.loss_curve_[-1]))
            theta = from_sklearn(mlp.coefs_, mlp.intercepts_)
            train_loss.append(float(np.mean(arch.losses(theta, x_train, y_train))))
            if len(y_test):
                test_loss.append(float(np.mean(arch.losses(theta, x_test, y_test))))
    return FrameworkRun(train_loss, test_loss, from_sklearn(mlp.coefs_, mlp.intercepts_),
                        reported)


def reset_optimizer(optimizer: object) -> None:
    """scikit-learn's optimizer state back to its start: velocities, or Adam's t, m and v."""
    for name in ("velocities", "ms", "vs"):
        if hasattr(optimizer, name):
            setattr(optimizer, name, [np.zeros_like(v) for v in getattr(optimizer, name)])
    if hasattr(optimizer, "t"):
        optimizer.t = 0


@dataclass
class FrameworkCheck:
    """nntui and scikit-learn trained from the same start: losses, weights, differences."""

    names: list[str]
    epochs: int
    ours_train: list[float]
    ours_test: list[float]
    theirs: FrameworkRun
    ours_params: np.ndarray
    #: How far nntui's own final weights move when w1 starts one ulp away: a chaotic run
    #: (e.g. unscaled data with sigmoid) amplifies rounding, so no two codes can agree.
    sensitivity: float = 0.0
    optimizer: str = "sgd"

    @property
    def weight_differences(self) -> np.ndarray:
        n = min(len(self.ours_params), len(self.theirs.theta))
        with np.errstate(all="ignore"):
            return np.abs(self.ours_params[:n] - self.theirs.theta[:n])

    @property
    def agree(self) -> bool:
        """Whether the two trainings ended on the same weights (within AGREE_TOLERANCE)."""
        return self.largest_weight_difference < AGREE_TOLERANCE

    @property
    def too_sensitive(self) -> bool:
        """One ulp at the start moves nntui's own result beyond the agreement tolerance."""
        return not math.isfinite(self.sensitivity) or self.sensitivity >= AGREE_TOLERANCE

    @property
    def verdict(self) -> str:
        """One sentence: they agree, the run is too sensitive to compare, or they differ."""
        if self.agree:
            return "they agree."
        if self.optimizer == "adam":
            return ("they differ: scikit-learn's Adam adds ε to the uncorrected √v, nntui's "
                    "to √v̂ (the same update with ε·√(1-β2^t) for ε); with a tiny ε "
                    "(--eps 1e-14) they agree.")
        if self.too_sensitive:
            return (f"this run is too sensitive to compare: moving w1 by one ulp at the "
                    f"start changes nntui's own final weights by {self.sensitivity:.2g}, "
                    "so no two implementations can agree (try scaled data or a smaller lr).")
        return "they differ (see the table)."

    @property
    def largest_weight_difference(self) -> float:
        return float(np.max(self.weight_differences))

    @property
    def largest_loss_difference(self) -> float:
        n = min(len(self.ours_train), len(self.theirs.train_loss))
        if n == 0:
            return 0.0
        return float(np.max(np.abs(np.subtract(self.ours_train[:n],
                                               self.theirs.train_loss[:n]))))


def framework_check(exp: Experiment, epochs: int | None = None,
                    cancelled: Callable[[], bool] | None = None) -> FrameworkCheck:
    """Train the experiment from its initial weights in nntui and in scikit-learn."""
    from nntui.engine.trainer import Trainer

    cfg = exp.config
    if cfg.shuffle:
        raise UserError("the framework check needs rows in order: use --no-shuffle "
                        "(scikit-learn shuffles with its own generator)")
    epochs = cfg.epochs if epochs is None else epochs
    t = exp.trainer
    fresh = Trainer(exp.arch, t.theta0, t.x_train, t.y_train, t.x_test, t.y_test, lr=cfg.lr,
                    batch_size=cfg.batch_size, optimizer=t.optimizer)
    fresh.run(epochs)
    nudged_start = t.theta0.copy()
    nudged_start[0] = np.nextafter(nudged_start[0], np.inf)
    nudged = Trainer(exp.arch, nudged_start, t.x_train, t.y_train, t.x_test, t.y_test,
                     lr=cfg.lr, batch_size=cfg.batch_size, optimizer=t.optimizer)
    nudged.run(epochs)
    with np.errstate(all="ignore"):
        sensitivity = float(np.max(np.abs(nudged.theta - fresh.theta)))
    theirs = train_sklearn(exp.arch, t.theta0, t.x_train, t.y_train, t.x_test, t.y_test,
                           cfg.lr, epochs, cfg.batch_size, cancelled, t.optimizer)
    return FrameworkCheck(exp.arch.names, epochs, fresh.train_loss, fresh.test_loss, theirs,
                          fresh.theta, sensitivity if math.isfinite(sensitivity) else math.inf,
                          t.optimizer.name)


def sklearn_call(exp: Experiment) -> str:
    """The scikit-learn model the check trains, with the settings that matter, as code."""
    cfg, arch = exp.config, exp.arch
    model = arch.loss_spec.sklearn_class
    args = ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v:g}"
                     for k, v in sklearn_params(arch, exp.trainer.optimizer, cfg.lr,
                                                cfg.batch_size).items()
                     if not isinstance(v, bool))
    halved = " (its loss is ½ L: 2 x lr)" if arch.loss_spec.halved_by_sklearn else ""
    return f"{model}({args}, batch_size={cfg.batch_size}, shuffle=False){halved}"
