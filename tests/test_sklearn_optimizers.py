"""scikit-learn agreement for 2-3 hidden layers: both tasks, sgd/momentum/adam, with L2,
and the classification metrics against scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest

from nntui.engine.metrics import classification_metrics
from nntui.engine.network import Architecture
from nntui.engine.optimizers import Settings
from nntui.engine.trainer import Trainer
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.framework import AGREE_TOLERANCE, framework_check, train_sklearn


def _data(task: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, (24, 2))
    y = (x[:, 0] + x[:, 1] > 1).astype(float) if task == "classify" else x[:, 0] ** 2 + x[:, 1]
    return x, y


@pytest.mark.parametrize("task", ["regress", "classify"])
@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize(("hidden", "l2", "batch"), [((3, 2), 0.0, 1), ((3, 3, 2), 0.01, 4)])
def test_agrees_with_scikit_learn(task: str, name: str, hidden: tuple[int, ...], l2: float,
                                  batch: int) -> None:
    """MLPRegressor / MLPClassifier from the same start end on the same weights (1e-9).

    Adam with ε = 1e-14: scikit-learn adds ε to the uncorrected √v, nntui to √v̂, so
    they agree only while ε is negligible (docs/design.md §2).
    """
    x, y = _data(task)
    arch = Architecture.of(2, hidden, "tanh", task)
    theta = np.random.default_rng(len(hidden)).normal(0, 0.7, arch.n_params)
    opt = Settings(name, l2=l2, eps=1e-14)
    ours = Trainer(arch, theta, x, y, x[:5], y[:5], lr=0.02, batch_size=batch, optimizer=opt)
    ours.run(15)
    theirs = train_sklearn(arch, theta, x, y, x[:5], y[:5], 0.02, 15, batch, optimizer=opt)
    assert np.max(np.abs(theirs.theta - ours.theta)) < AGREE_TOLERANCE
    np.testing.assert_allclose(theirs.train_loss, ours.train_loss, rtol=1e-9)
    np.testing.assert_allclose(theirs.test_loss, ours.test_loss, rtol=1e-9)


def test_adams_epsilon_conventions_differ_measurably() -> None:
    """With the default ε = 1e-8 the two Adams drift apart: the documented difference."""
    x, y = _data("regress")
    arch = Architecture.of(2, (3, 2), "tanh")
    theta = np.random.default_rng(2).normal(0, 0.7, arch.n_params)
    ours = Trainer(arch, theta, x, y, x[:0], y[:0], lr=0.02, optimizer=Settings("adam"))
    ours.run(15)
    theirs = train_sklearn(arch, theta, x, y, x[:0], y[:0], 0.02, 15,
                           optimizer=Settings("adam"))
    gap = np.max(np.abs(theirs.theta - ours.theta))
    assert AGREE_TOLERANCE < gap < 1e-3


def test_framework_check_of_a_classification_experiment() -> None:
    cfg = ExperimentConfig(dataset="blobs", task="classify", hidden=(3, 2),
                           activation="tanh", optimizer="momentum", l2=0.01, lr=0.05,
                           epochs=10, rows=40)
    check = framework_check(Experiment.build(cfg))
    assert check.agree, check.largest_weight_difference


def test_classification_metrics_match_scikit_learn() -> None:
    from sklearn.metrics import accuracy_score, confusion_matrix, log_loss

    cfg = ExperimentConfig(dataset="circle", task="classify", hidden=4, activation="tanh",
                           optimizer="adam", lr=0.02, epochs=20, spread=0.4, rows=120)
    exp = Experiment.build(cfg)
    exp.run()
    for part in ("train", "test"):
        x, y = exp.dataset.part(part)
        prob = exp.arch.predict(exp.trainer.theta, x)
        mine = exp.metrics(part)
        assert mine["accuracy"] == accuracy_score(y, prob > 0.5)
        assert mine["log_loss"] == pytest.approx(log_loss(y, prob), rel=1e-12)
        tn, fp, fn, tp = confusion_matrix(y, prob > 0.5).ravel()
        assert mine["confusion"] == {"tn": tn, "fp": fp, "fn": fn, "tp": tp}
        assert mine["r2"] is None and mine["mse"] is None
    assert 0.5 < exp.metrics("train")["accuracy"] <= 1.0


def test_metrics_of_no_rows_are_null() -> None:
    empty = np.array([])
    values = classification_metrics(empty, empty, empty)
    assert values["accuracy"] is None and values["confusion"] is None
