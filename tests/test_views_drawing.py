"""What the Fit and Landscape tabs draw, checked on their drawing functions (no app):
every series its own marker and colour, titles and lines that fit, labels aligned, and
the landscape saying what its numbers are (issue 12's new-user trial, B6, B9, C3)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from nntui.lab import fit
from nntui.lab.config import ExperimentConfig
from nntui.lab.experiment import Experiment
from nntui.lab.landscape import Landscape
from nntui.ui.widgets import fit_view
from nntui.ui.widgets.landscape_view import BELOW, LABEL_WIDTH, draw, tick_labels


def distinct(values: list[object]) -> bool:
    return all(a != b for a, b in combinations(values, 2))


@pytest.mark.parametrize("ascii_only", [False, True], ids=["unicode", "ascii"])
@pytest.mark.parametrize("hidden", [2, 16, (3, 2)])
def test_every_series_of_the_fit_has_its_own_marker_and_colour(
        ascii_only: bool, hidden: int | tuple[int, ...]) -> None:
    """Trial B6: the diagonal and `train` were both `••`; `w5·h1`, `w6·h2` and `b3` all
    `⢕⢕`. Pairwise distinct markers (what NO_COLOR and --ascii leave) and colours."""
    exp = Experiment.build(ExperimentConfig(hidden=hidden))
    panels = [fit_view.scatter_series(fit.scatter(exp), ascii_only),
              fit_view.curve_series(fit.along_input(exp, 0), ascii_only)]
    for series in panels:
        keys = [key for key, *_ in series]
        assert distinct([marker for _, marker, _ in keys]), keys
        assert distinct([colour for _, _, colour in keys]), keys
        if ascii_only:
            assert all(marker.isascii() and len(marker) == 1 for _, marker, _ in keys)
    curve = [key[0] for key, *_ in panels[1]]
    assert curve[0].startswith("target") and curve[-1] == "ŷ"
    units = min(fit_view.MAX_UNIT_CURVES, exp.arch.widths[-1])
    assert len(curve) == 1 + units + 1 + 1  # target, units, bias, ŷ


def test_a_title_is_shortened_to_what_the_plot_shows() -> None:
    """Trial C3: `predicted vs actual progression (original) — p: curve` was dropped."""
    assert fit_view.fitting(40, "predicted vs actual progression (original)",
                            "ŷ vs y: progression (original)") == "ŷ vs y: progression (original)"
    assert fit_view.fitting(8, "a long title", "shorter one") == "shorter…"
    assert fit_view.fitting(80, "fits") == "fits"


def landscape(ys: tuple[float, float, float] = (-0.5, 0.0005493, 0.5), **kw: object
              ) -> Landscape:
    loss = np.arange(35.0).reshape(5, 7) + 1.0
    ls = Landscape(("W3[1,1]", "W3[1,2]"), np.linspace(-1, 1, 7),
                   np.array([ys[0], (ys[0] + ys[1]) / 2, ys[1], (ys[1] + ys[2]) / 2, ys[2]]),
                   loss, np.array([[-1.0, -0.5], [0.0, ys[1]]]), 1.0)
    for key, value in kw.items():
        setattr(ls, key, value)
    return ls


def test_the_y_labels_share_one_width_so_the_grid_is_one_column() -> None:
    """Trial C3: the middle tick `0.0005493` was wider than the others and moved its row
    one column right."""
    assert tick_labels([-0.5, 0.0005493, 0.5], 8) == ["    -0.5", "0.000549", "     0.5"]
    # fewer digits only while they still tell the values apart
    assert tick_labels([0.5, 0.5004, 0.5008], 5) == ["   0.5", "0.5004", "0.5008"]
    lines = draw(landscape(), auto=True, cols=21, rows=9).plain.splitlines()
    grid = lines[1:10]
    assert all(len(line) == LABEL_WIDTH + 21 and line[LABEL_WIDTH - 1] == " "
               for line in grid), grid
    assert grid[4].startswith("0.000549 ") and grid[4][LABEL_WIDTH + 10] == "X"


@pytest.mark.parametrize("kw", [{}, {"coarse": True, "rows_used": 2000, "rows_total": 16000,
                                     "mid_epoch": True}])
def test_every_line_fits_the_width_and_the_height(kw: dict[str, object]) -> None:
    """Trial C3: a long title wrapped and pushed the `X` line out of an 80x24 screen.
    Title, grid, x labels and the legend: ABOVE + rows + BELOW lines, none wider."""
    cols, rows = 37, 11  # the grid of the tab at 80x24 (beside the sidebar)
    text = draw(landscape(**kw), auto=True, cols=cols, rows=rows).plain
    lines = text.split("\n")
    assert len(lines) == 1 + rows + BELOW
    assert all(len(line) <= LABEL_WIDTH + cols for line in lines), lines
    assert lines[-2].startswith("X ")


def test_the_landscape_says_what_its_loss_is() -> None:
    """Trial B9: after one step the landscape showed 0.1392 and the status 0.1508 with
    nothing to tell why; a preview (while training) must not pass for the training loss."""
    plain = draw(landscape(), auto=True, cols=61).plain
    assert "X loss at the current weights 18" in plain  # the centre cell: 2 * 7 + 3 + 1
    assert "status" not in plain and "preview" not in plain
    mid = draw(landscape(mid_epoch=True), auto=True, cols=61).plain
    assert "(the status shows the last finished epoch's)" in mid
    preview = draw(landscape(rows_used=2000, rows_total=16000), auto=True, cols=61).plain
    assert preview.startswith("preview loss: W3[1,1] → W3[1,2]")
    assert "X preview loss at the current weights" in preview
    assert "preview: 2000 of 16000 rows" in preview
