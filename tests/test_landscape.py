"""The loss landscape (lab/landscape.py): the grid, its current point and the path."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from nntui.engine import kernel
from nntui.engine.network import Architecture
from nntui.engine.trainer import Trainer
from nntui.lab import landscape as core

PATHS = [False, True] if kernel.BUILT is not None else [False]


def trainer(act: str = "relu", n: int = 2, k: int = 3, rows: int = 50,
            deeper: tuple[int, ...] = (), **kw: Any) -> Trainer:
    arch = Architecture(n, k, act, deeper)
    rng = np.random.default_rng(11)
    x, y = rng.random((rows, n)), rng.random(rows)
    theta = rng.normal(0, 0.6, arch.n_params)
    return Trainer(arch, theta, x[:40], y[:40], x[40:], y[40:], **kw)


DEPTHS = [(), (2,), (3, 2)]  # one, two and three hidden layers


@pytest.mark.parametrize("compiled", PATHS)
@pytest.mark.parametrize("deeper", DEPTHS)
@pytest.mark.parametrize(("act", "batch", "shuffle"), [
    ("relu", 1, False), ("sigmoid", 1, True), ("tanh", 4, True), ("linear", 3, False)])
def test_the_current_point_is_the_reported_training_loss_bit_for_bit(
        compiled: bool, deeper: tuple[int, ...], act: str, batch: int, shuffle: bool) -> None:
    """Trial B1: with `--hidden 3,2` the centre was 0.0794 against a reported 0.1511."""
    t = trainer(act, lr=0.05, batch_size=batch, shuffle=shuffle, compiled=compiled,
                deeper=deeper)
    last = t.arch.n_params - 1
    for pair in [(0, 5), (t.arch.output_weight(0), t.arch.output_weight(1)), (3, last)]:
        assert core.of_trainer(t, pair, None, 9, 7).center_loss == t.initial_loss
    t.epochs(7, 0.0)
    t.epochs(7 - t.epochs_done, 10.0)
    assert t.epochs_done == 7
    for pair in [(1, last), (t.arch.output_weight(0), t.arch.hidden_bias(1)), (7, 2)]:
        ls = core.of_trainer(t, pair, None, 11, 9)
        assert ls.center_loss == t.train_loss[-1]
        assert ls.xs[5] == t.theta[pair[0]] and ls.ys[4] == t.theta[pair[1]]


def test_mid_epoch_the_current_point_is_the_trainer_loss_convention() -> None:
    """After single steps no epoch loss is reported yet: the centre is then the mean of
    L over the training rows at the current weights, summed as the trainer sums it."""
    t = trainer()
    t.step()
    t.step()
    ls = core.of_trainer(t, (2, 3), 0.5, 7, 7)
    assert ls.center_loss == t.arch.mean_loss(t.theta, t.x_train, t.y_train)


@pytest.mark.parametrize("deeper", DEPTHS)
@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh"])
def test_the_vectorised_grid_equals_a_loop_over_cells(act: str, deeper: tuple[int, ...],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    t = trainer(act, n=3, k=4, deeper=deeper)
    theta, arch = t.theta, t.arch
    # parameters of the first layer, of two different layers, of the output layer alone
    pairs = [(2, 9), (2, arch.output_bias), (arch.output_weight(0), arch.output_bias),
             (arch.hidden_bias(1), arch.output_weight(1))]
    for i, j in pairs:
        xs, ys = theta[i] + np.linspace(-2, 2, 7), theta[j] + np.linspace(-1, 3, 5)
        expected = np.empty((5, 7))
        for r, b in enumerate(ys):
            for c, a in enumerate(xs):
                cell = theta.copy()
                cell[i], cell[j] = a, b
                expected[r, c] = arch.mean_loss(cell, t.x_train, t.y_train)
        got = core.grid_losses(arch, theta, t.x_train, t.y_train, i, j, xs, ys)
        assert got.tobytes() == expected.tobytes()
        assert np.ptp(got) > 0  # not flat: every parameter moves the loss here
        # in blocks of a few cells (a large table's grid is computed so): the same values
        with monkeypatch.context() as m:
            m.setattr(core, "BLOCK_VALUES", 3 * 40 * 12)
            blocked = core.grid_losses(arch, theta, t.x_train, t.y_train, i, j, xs, ys)
        assert blocked.tobytes() == expected.tobytes()


@pytest.mark.parametrize("deeper", DEPTHS)
def test_batch_forward_is_the_engines_forward_for_each_parameter_vector(
        deeper: tuple[int, ...]) -> None:
    arch = Architecture(3, 5, "tanh", deeper)
    rng = np.random.default_rng(3)
    thetas, x = rng.normal(0, 2, (6, arch.n_params)), rng.normal(0, 1, (30, 3))
    got = core.batch_forward(arch, thetas, x)
    for g, theta in enumerate(thetas):
        assert got[g].tobytes() == arch.forward(theta, x)[2].tobytes()


def test_layer_of_names_each_parameters_weight_layer() -> None:
    arch = Architecture(2, 3, "relu", (2,))  # 2-3-2-1: W1 6, W2 6, W3 2, b1 3, b2 2, b3 1
    layers = [core.layer_of(arch, p) for p in range(arch.n_params)]
    assert layers == [0] * 6 + [1] * 6 + [2] * 2 + [0] * 3 + [1] * 2 + [2]
    assert [arch.names[p] for p in range(arch.n_params) if layers[p] == 2] == [
        "W3[1,1]", "W3[1,2]", "b3[1]"]


def test_the_grid_is_centred_on_the_current_point_and_spans_both_ways() -> None:
    t = trainer()
    ls = core.of_trainer(t, (0, 4), 0.5, 10, 4)  # even sizes become odd
    assert ls.loss.shape == (5, 11)
    assert ls.xs[0] == pytest.approx(t.theta[0] - 0.5) and ls.xs[-1] == pytest.approx(
        t.theta[0] + 0.5)
    assert ls.center == (2, 5) and ls.cell(t.theta[0], t.theta[4]) == (2, 5)
    assert ls.cell(t.theta[0] + 0.6, t.theta[4]) is None
    assert ls.names == ("w1", "w5")


def test_the_path_is_every_step_and_epoch_that_can_be_undone_then_now() -> None:
    t = trainer()
    i, j = 0, 6
    t.epochs(3, 10.0)
    t.step()
    snapshots_then_now = core.of_trainer(t, (i, j), None, 5, 5).path
    assert len(snapshots_then_now) == 3 + 1 + 1
    assert snapshots_then_now[0].tolist() == [t.theta0[i], t.theta0[j]]
    assert snapshots_then_now[-1].tolist() == [t.theta[i], t.theta[j]]
    t.undo()
    assert len(core.of_trainer(t, (i, j), None, 5, 5).path) == 4
    t.reset()
    assert len(core.of_trainer(t, (i, j), None, 5, 5).path) == 1


def test_the_automatic_span_holds_the_whole_path() -> None:
    t = trainer(lr=0.1)
    assert core.of_trainer(t, (0, 1), None, 5, 5).span == 1.0  # no path yet
    t.epochs(20, 10.0)
    ls = core.of_trainer(t, (6, 7), None, 41, 21)
    cells, outside = ls.path_cells()
    assert outside == 0 and len(cells) > 1
    reach = np.max(np.abs(ls.path - ls.path[-1]))
    assert reach < ls.span <= 2.5 * reach + 0.01


def test_shades_run_from_the_lowest_to_the_highest_loss_and_mark_non_finite() -> None:
    ls = core.Landscape(("w1", "w2"), np.arange(3.0), np.arange(2.0),
                        np.array([[1e-4, 1e-2, 1.0], [np.inf, 1e-3, np.nan]]),
                        np.zeros((1, 2)), 1.0)
    shades = ls.shades()
    assert shades[0, 0] == 0 and shades[0, 2] == len(core.RAMP) - 1
    assert shades[1, 0] == shades[1, 2] == -1
    assert ls.loss_range == (1e-4, 1.0)


def test_the_default_pair_is_the_output_weights() -> None:
    assert core.default_pair(Architecture(2, 2)) == (4, 5)  # w5, w6
    assert core.default_pair(Architecture(3, 1)) == (3, 5)  # w4, b2
    deep = Architecture(2, 3, "relu", (2,))  # the last hidden layer's output weights
    assert [deep.names[p] for p in core.default_pair(deep)] == ["W3[1,1]", "W3[1,2]"]
    narrow = Architecture(2, 3, "relu", (1,))
    assert [narrow.names[p] for p in core.default_pair(narrow)] == ["W3[1,1]", "b3[1]"]


def test_a_large_table_gets_a_coarser_grid_whose_centre_is_still_exact(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert core.grid_shape(41, 13, 80, 2) == (41, 13)
    cols, rows = core.grid_shape(41, 13, 100_000, 16, budget=2**25)
    assert (cols, rows) < (41, 13) and cols % 2 == rows % 2 == 1
    assert cols * rows * 100_000 * 16 <= 2**25 or (cols, rows) == (5, 3)
    cols, rows = core.grid_shape(41, 13, 10_000, 16, budget=2**25)
    assert (cols, rows) == (29, 7) and cols * rows * 10_000 * 16 <= 2**25
    t = trainer()
    t.epochs(5, 10.0)
    assert core.cell_cost(t.arch, (0, 1)) == 10 + 20 + 2 * 3 + 20 + 3  # 2-3-1: both layers
    monkeypatch.setattr(core, "WORK_BUDGET", 9 * 5 * 40 * 59)  # 45 cells of 40 rows
    ls = core.of_trainer(t, (0, 1), None, 41, 13)
    assert ls.coarse and ls.loss.shape == (3, 15)  # 45 cells, about in proportion
    assert ls.center_loss == t.train_loss[-1]


def test_a_grid_of_upper_layers_costs_only_those_layers() -> None:
    """The layers below the pair are computed once: the output weights' grid of a deep
    network costs its output layer only, so a large table keeps a fine grid there."""
    arch = Architecture(2, 3, "relu", (2,))
    out = core.default_pair(arch)
    assert core.cell_cost(arch, out) == 10 + 20 + 2
    assert core.cell_cost(arch, (0, out[0])) == 10 + (20 + 6) + (20 + 6) + (20 + 2)
    assert core.grid_shape(41, 11, 8_000, core.cell_cost(arch, out)) == (41, 11)
    assert core.grid_shape(41, 11, 8_000, core.cell_cost(arch, (0, 1))) < (41, 11)


def test_while_training_a_preview_sums_fewer_rows_and_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Trial C4: a large table's grid kept the tab on "computing" and halved training.
    A preview uses evenly spaced rows (its centre is their mean loss, not the reported
    loss); the exact grid uses them all, and its centre is the reported loss."""
    monkeypatch.setattr(core, "PREVIEW_ROWS", 10)
    t = trainer(rows=60)  # 40 training rows
    t.epochs(3, 10.0)
    preview = core.of_trainer(t, (0, 1), None, 9, 7, preview=True)
    keep = core.evenly(40, 10)
    assert preview.preview and (preview.rows_used, preview.rows_total) == (10, 40)
    assert preview.center_loss == t.arch.mean_loss(t.theta, t.x_train[keep], t.y_train[keep])
    assert preview.center_loss != t.train_loss[-1]
    exact = core.of_trainer(t, (0, 1), None, 9, 7)
    assert not exact.preview and exact.rows_used == exact.rows_total == 40
    assert exact.center_loss == t.train_loss[-1]
    monkeypatch.setattr(core, "PREVIEW_ROWS", 40)
    small = core.of_trainer(t, (0, 1), None, 9, 7, preview=True)
    assert not small.preview  # 40 rows <= PREVIEW_ROWS: every row, exact
    assert small.center_loss == t.train_loss[-1]


def test_after_single_steps_the_landscape_says_it_is_mid_epoch() -> None:
    """Trial B9: the centre (loss at the current weights) differs from the status line
    (the last finished epoch's loss) after a step; the landscape knows which it is."""
    t = trainer()
    assert not core.of_trainer(t, (0, 1), None, 5, 3).mid_epoch
    t.step()
    ls = core.of_trainer(t, (0, 1), None, 5, 3)
    assert ls.mid_epoch and ls.center_loss != t.initial_loss
    t.epoch()
    ls = core.of_trainer(t, (0, 1), None, 5, 3)
    assert not ls.mid_epoch and ls.center_loss == t.train_loss[-1]
