"""The loss landscape: the training loss over a grid of two parameters, the others fixed.

The grid is centred on the current parameters, and its middle cell IS the current point,
so its value is the loss the trainer reports there (after an epoch: the epoch's training
loss, bit for bit). Every cell runs the network's forward in the engine's order of
operations (`Architecture._forward`: w1*x1 + w2*x2 + b1 left to right, sequential sums)
and the trainer's loss convention (`Architecture.mean_losses`: the mean of (y_hat - y)²
summed in row order), vectorised over the cells by broadcasting, in blocks that bound the
memory. The path is the parameters before each step or epoch that can still be undone
(`Trainer.param_path`), so undo and reset shorten it as they should.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np

from nntui.engine.network import Architecture
from nntui.engine.trainer import Trainer
from nntui.lab.fit import evenly

#: Floats per intermediate array of one block (rows x units x cells): ~16 MB.
BLOCK_VALUES = 2**21
#: Cells x rows x `cell_cost` of one exact landscape, at most: about a third of a second
#: of numpy. A large table gets a coarser grid (every cell still exact).
WORK_BUDGET = 2**27
#: While a run trains: a preview of at most this many (evenly spaced) training rows and
#: this budget (tens of milliseconds), so that the landscape never slows training down;
#: the exact grid follows when training stops.
PREVIEW_ROWS = 2000
PREVIEW_BUDGET = 2**24
#: Points of the path kept (evenly spaced, the current one always).
PATH_LIMIT = 4000
#: The shading ramp, lowest loss first.
RAMP = " .:-=+*#%@"


def layer_of(arch: Architecture, index: int) -> int:
    """The weight layer (0..depth) that parameter `index` belongs to."""
    s = arch.sizes
    for layer in range(arch.depth + 1):
        w0, b0 = arch.weight(layer, 0, 0), arch.bias(layer, 0)
        if w0 <= index < w0 + s[layer] * s[layer + 1] or b0 <= index < b0 + s[layer + 1]:
            return layer
    raise IndexError(f"no parameter {index} in a {arch.shape} network")


def cell_cost(arch: Architecture, pair: tuple[int, int]) -> int:
    """The work per row of one cell, in about 2 ns units (measured): each layer from the
    lowest of `pair` on costs 20 (numpy's passes over small arrays) plus its products; the
    squared error 10. The layers below are the same in every cell and computed once."""
    s, first = arch.sizes, min(layer_of(arch, pair[0]), layer_of(arch, pair[1]))
    return 10 + sum(20 + s[layer] * s[layer + 1] for layer in range(first, arch.depth + 1))


def batch_forward(arch: Architecture, thetas: np.ndarray, x: np.ndarray,
                  first: int = 0) -> np.ndarray:
    """y_hat (cells x rows) for every parameter vector (cells x params) and row of x.

    The same elementwise operations in the same order as `Architecture.forward`, with a
    leading axis of cells: each cell's values equal `forward(theta, x)` bit for bit. With
    `first` > 0, x is what weight layer `first` multiplies (the h of hidden layer `first`,
    the same in every cell: the cells differ only in that layer or above).
    """
    s, g = arch.sizes, len(thetas)
    a = x[None]  # (1 or cells, rows, fan-in): shared by every cell until a layer varies
    with np.errstate(all="ignore"):
        for layer in range(first, arch.depth + 1):
            w0, b0 = arch.weight(layer, 0, 0), arch.bias(layer, 0)
            fan_in, units = s[layer], s[layer + 1]
            w = thetas[:, w0 : w0 + fan_in * units].reshape(g, units, fan_in)
            b = thetas[:, b0 : b0 + units]
            if layer == arch.depth:  # the output: products summed left to right, then c
                return np.cumsum(a * w[:, None, 0, :], axis=2)[..., -1] + b[:, 0, None]
            z = a[..., :1] * w[:, None, :, 0]
            for i in range(1, fan_in):
                z += a[..., i : i + 1] * w[:, None, :, i]
            z += b[:, None, :]
            a = arch.spec.array_value(z)
    raise AssertionError("unreachable: the output layer returns")


def batch_mean_loss(arch: Architecture, thetas: np.ndarray, x: np.ndarray,
                    y: np.ndarray, first: int = 0) -> np.ndarray:
    """The training loss of every parameter vector, as `Architecture.mean_loss` sums it
    (`first` and x as in `batch_forward`)."""
    out = np.empty(len(thetas))
    widest = max(a * b for a, b in zip(arch.sizes, arch.sizes[1:]))
    block = max(1, BLOCK_VALUES // max(1, len(y) * widest))
    with np.errstate(all="ignore"):
        for start in range(0, len(thetas), block):
            err = batch_forward(arch, thetas[start : start + block], x, first) - y[None, :]
            sq = err * err
            out[start : start + block] = np.cumsum(sq, axis=1)[:, -1] / len(y)
    return out


def offsets(count: int, span: float) -> np.ndarray:
    """`count` (odd) offsets from -span to +span; the middle one is exactly 0."""
    half = count // 2
    return span * (np.arange(count) - half) / max(half, 1)


def grid_losses(arch: Architecture, theta: np.ndarray, x: np.ndarray, y: np.ndarray,
                i: int, j: int, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Loss (len(ys) rows x len(xs) columns) with parameter i = xs[c], j = ys[r].

    The hidden layers below both parameters' layer are the same in every cell: they are
    computed once, by the engine's own forward (the output weights' grid costs one
    product per unit and row).
    """
    theta = np.asarray(theta, dtype=float)
    first = min(layer_of(arch, i), layer_of(arch, j))
    below = x if first == 0 else arch.layer_values(theta, x)[1][first - 1]
    thetas = np.broadcast_to(theta, (len(ys), len(xs), len(theta))).copy()
    thetas[:, :, i] = xs[None, :]
    thetas[:, :, j] = ys[:, None]
    return batch_mean_loss(arch, thetas.reshape(-1, len(theta)), below, y, first).reshape(
        len(ys), len(xs))


@dataclass
class Landscape:
    """The grid, the path through it and the current point."""

    names: tuple[str, str]  # the parameters on the x and y axes
    xs: np.ndarray  # values of the x parameter (columns, increasing)
    ys: np.ndarray  # values of the y parameter (rows, increasing)
    loss: np.ndarray  # len(ys) x len(xs)
    path: np.ndarray  # (points, 2): the two parameters, oldest first, current last
    span: float
    coarse: bool = False  # fewer cells than asked for (`grid_shape`: a large table)
    rows_used: int = 0  # training rows summed in each cell (0: all of them)
    rows_total: int = 0
    mid_epoch: bool = False  # the current weights are not an epoch's end (after steps)

    @property
    def preview(self) -> bool:
        """A preview on fewer rows than the training set: not the training loss itself."""
        return self.rows_used < self.rows_total

    @property
    def center(self) -> tuple[int, int]:
        """(row, column) of the current point."""
        return len(self.ys) // 2, len(self.xs) // 2

    @property
    def center_loss(self) -> float:
        r, c = self.center
        return float(self.loss[r, c])

    def cell(self, a: float, b: float, cols: int | None = None,
             rows: int | None = None) -> tuple[int, int] | None:
        """(row, column) nearest to parameters (a, b) on a raster of `cols` x `rows` over
        the grid's extent (default: the grid's own cells); None outside it."""
        cols = len(self.xs) if cols is None else cols
        rows = len(self.ys) if rows is None else rows
        if not (np.isfinite(a) and np.isfinite(b)):
            return None
        col = round((a - self.xs[0]) / (self.xs[-1] - self.xs[0]) * (cols - 1)) \
            if cols > 1 else 0
        row = round((b - self.ys[0]) / (self.ys[-1] - self.ys[0]) * (rows - 1)) \
            if rows > 1 else 0
        return (row, col) if 0 <= col < cols and 0 <= row < rows else None

    def path_cells(self, cols: int | None = None,
                   rows: int | None = None) -> tuple[list[tuple[int, int]], int]:
        """The path's cells (as `cell`) inside the grid, oldest first (repeats dropped),
        and how many of its points lie outside."""
        cells: list[tuple[int, int]] = []
        outside = 0
        for a, b in self.path:
            cell = self.cell(float(a), float(b), cols, rows)
            if cell is None:
                outside += 1
            elif not cells or cells[-1] != cell:
                cells.append(cell)
        return cells, outside

    def shades(self, levels: int = len(RAMP)) -> np.ndarray:
        """Each cell's shade 0..levels-1 on a log scale from the lowest to the highest
        finite loss; -1 for a non-finite loss."""
        finite = np.isfinite(self.loss)
        out = np.full(self.loss.shape, -1, dtype=int)
        if not finite.any():
            return out
        logs = np.log10(np.maximum(self.loss[finite], np.finfo(float).tiny))
        lo, hi = logs.min(), logs.max()
        scaled = (logs - lo) / (hi - lo) if hi > lo else np.zeros_like(logs)
        out[finite] = np.minimum((scaled * levels).astype(int), levels - 1)
        return out

    @property
    def loss_range(self) -> tuple[float, float] | None:
        finite = self.loss[np.isfinite(self.loss)]
        return (float(finite.min()), float(finite.max())) if finite.size else None


def grid_shape(cols: int, rows: int, n_rows: int, cost: int,
               budget: int | None = None) -> tuple[int, int]:
    """`cols` x `rows` cells (made odd), or fewer, about in the same proportion, when
    their losses over `n_rows` rows at `cost` per row (`cell_cost`) exceed `budget`
    (default WORK_BUDGET; never fewer than 5 x 3)."""
    cols, rows = cols | 1, rows | 1
    allowed = (WORK_BUDGET if budget is None else budget) // max(1, n_rows * cost)
    if cols * rows <= allowed:
        return cols, rows
    fewer_rows = max(3, int(rows * (allowed / (cols * rows)) ** 0.5))
    fewer_rows -= 1 - fewer_rows % 2  # odd, not more
    fewer_cols = min(cols, max(5, allowed // max(fewer_rows, 3)))
    fewer_cols -= 1 - fewer_cols % 2
    return max(5, fewer_cols), max(3, fewer_rows)


def default_pair(arch: Architecture) -> tuple[int, int]:
    """The first two output weights (w5, w6 for 2-2-1; W3[1,1], W3[1,2] for 2-3-2-1): a
    dead unit's axis is flat."""
    if arch.widths[-1] >= 2:
        return arch.output_weight(0), arch.output_weight(1)
    return arch.output_weight(0), arch.output_bias


def path_points(path: list[np.ndarray], pair: tuple[int, int]) -> np.ndarray:
    """The two parameters of (at most PATH_LIMIT evenly spaced) path points, (m, 2)."""
    i, j = pair
    keep = evenly(len(path), PATH_LIMIT)
    return np.array([[path[k][i], path[k][j]] for k in keep], dtype=float).reshape(-1, 2)


def nice_span(points: np.ndarray, center: tuple[float, float]) -> float:
    """A span (1, 2 or 5 x 10^k, at least 0.01) that holds the path's points around the
    current point with a margin; 1 when there is no path yet."""
    finite = points[np.all(np.isfinite(points), axis=1)]
    reach = float(np.max(np.abs(finite - np.array(center)), initial=0.0))
    if not np.isfinite(reach) or reach == 0.0:
        return 1.0
    want = max(1.15 * reach, 0.01)
    step = 10.0 ** np.floor(np.log10(want))
    return float(next(m * step for m in (1, 2, 5, 10) if m * step >= want))


def landscape(arch: Architecture, theta: np.ndarray, points: np.ndarray, x: np.ndarray,
              y: np.ndarray, pair: tuple[int, int], span: float, cols: int,
              rows: int) -> Landscape:
    """The loss over `cols` x `rows` cells (made odd) within ±span of `theta` in the two
    parameters of `pair`, with the path's `points` (see `path_points`)."""
    i, j = pair
    cols, rows = cols | 1, rows | 1
    xs, ys = theta[i] + offsets(cols, span), theta[j] + offsets(rows, span)
    xs[cols // 2], ys[rows // 2] = theta[i], theta[j]  # exactly the current point
    loss = grid_losses(arch, theta, x, y, i, j, xs, ys)
    return Landscape((arch.names[i], arch.names[j]), xs, ys, loss, points, span)


def of_trainer(t: Trainer, pair: tuple[int, int], span: float | None, cols: int, rows: int,
               lock: AbstractContextManager[object] | None = None,
               preview: bool = False) -> Landscape:
    """The landscape around the trainer's current parameters, on its training rows;
    `span` None: `nice_span` of the path; `cols` x `rows` cells at most (`grid_shape`).

    `preview` (while a run trains): at most PREVIEW_ROWS evenly spaced training rows and
    PREVIEW_BUDGET of work, labelled as such (`Landscape.preview`). Otherwise every row:
    the centre is the reported training loss.

    While a thread trains, pass the session's lock: it is held only to copy the current
    parameters and the path (the path's arrays are never changed in place), not while the
    grid is computed.
    """
    with lock if lock is not None else nullcontext():
        theta, path, mid_epoch = t.theta.copy(), t.param_path(), t.pos > 0
    points = path_points(path, pair)
    if span is None:
        span = nice_span(points, (theta[pair[0]], theta[pair[1]]))
    x, y = t.x_train, t.y_train
    if preview and len(y) > PREVIEW_ROWS:
        keep = evenly(len(y), PREVIEW_ROWS)
        x, y = x[keep], y[keep]
    shape = grid_shape(cols, rows, len(y), cell_cost(t.arch, pair),
                       PREVIEW_BUDGET if preview else WORK_BUDGET)
    ls = landscape(t.arch, theta, points, x, y, pair, span, *shape)
    ls.coarse = shape != (cols | 1, rows | 1)
    ls.rows_used, ls.rows_total, ls.mid_epoch = len(y), len(t.y_train), mid_epoch
    return ls
