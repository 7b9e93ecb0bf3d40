"""The framework check: the same start trained by nntui and by scikit-learn, side by side."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from nntui.errors import UserError
from nntui.lab.conventions import Conventions, conventions
from nntui.lab.experiment import Experiment
from nntui.lab.framework import AGREE_TOLERANCE, FrameworkCheck, framework_check
from nntui.lab.numbers import num
from nntui.ui.ascii import spell, spell_renderable, spell_text
from nntui.ui.widgets.keybar import KeyBar
from nntui.ui.widgets.loss_plot import LossPlot


def conventions_table(conv: Conventions) -> Table:
    """Epoch 1 as each tool reports it, and the lr each needs (lab/conventions.py)."""
    table = Table(box=None, padding=(0, 1), header_style="bold", title_justify="left",
                  title="epoch 1 as each tool reports it")
    for name in ("tool", "loss", "lr"):
        table.add_column(name, justify="left" if name == "tool" else "right")
    for row in conv.rows:
        table.add_row(row.tool, num(row.value), num(row.lr))
    return table


def conventions_note(conv: Conventions) -> Text:
    """Why the tools' epoch-1 losses differ: a line under the side panel, the screen's
    whole width (in the 50 columns of the panel it ran off the bottom at 80x24)."""
    b = conv.batch_size
    note = ("nntui: mean L after the epoch; scikit-learn: ½ x mean L before each update "
            "(its L is halved, so 2 x lr); Keras and PyTorch: mean L before each update. "
            f"Batches of {b}: the mean gradient "
            + ("(the same as the sum for one row)." if b == 1 else
               f"(a sum would be {b}x: lr / {b})."))
    return Text(note, style="dim")


class FrameworkScreen(Screen[None]):
    """Runs the check in a thread worker (scikit-learn takes a second to import)."""

    BINDINGS = [Binding("escape,k", "close", "Back", tooltip="back to the app"),
                Binding("l", "toggle_log", "Log y", tooltip="log scale for the curves")]

    def __init__(self, experiment: Experiment) -> None:
        super().__init__(id="framework")
        self.experiment = experiment
        self.result: FrameworkCheck | None = None

    def compose(self) -> ComposeResult:
        yield Static(spell(self.app, "Framework check: training scikit-learn's "
                           "MLPRegressor from the same initial weights…"),
                     id="framework-status")
        with Horizontal(id="framework-row"):
            yield LossPlot(id="framework-plot")
            with VerticalScroll(id="framework-side"):
                yield Static(id="framework-weights")
                yield Static(id="framework-conventions")
        yield Static(id="framework-note")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(LossPlot).title = "train loss: nntui vs scikit-learn"
        self.check()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def check(self) -> None:
        worker = get_current_worker()
        try:
            result = framework_check(self.experiment,
                                     cancelled=lambda: worker.is_cancelled)
            conv = conventions(self.experiment)
        except UserError as exc:
            self.app.call_from_thread(self.show_error, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show, result, conv)

    def show_error(self, message: str) -> None:
        self.query_one("#framework-status", Static).update(
            spell_text(self.app, Text(message, style="bold red")))

    def show(self, result: FrameworkCheck, conv: Conventions | None = None) -> None:
        self.result = result
        cfg = self.experiment.config
        status = Text(f"MLPRegressor(sgd, batch_size={cfg.batch_size}, momentum=0, alpha=0, "
                      f"shuffle=False, learning_rate_init=2*lr={num(2 * cfg.lr)}), "
                      f"{result.epochs} epochs. Largest difference: weights "
                      f"{result.largest_weight_difference:.1e}, loss "
                      f"{result.largest_loss_difference:.1e}: ")
        status.append(result.verdict, style="bold green" if result.agree else
                      "bold cyan" if result.too_sensitive else "bold yellow")
        self.query_one("#framework-status", Static).update(spell_text(self.app, status))
        self.query_one(LossPlot).show({"nntui": result.ours_train,
                                       "scikit-learn": result.theirs.train_loss},
                                      result.epochs)
        table = Table(box=None, padding=(0, 1), header_style="bold")
        for name in ("param", "nntui", "scikit-learn", "|diff|"):
            table.add_column(name, justify="left" if name == "param" else "right")
        for name, a, b, d in zip(result.names, result.ours_params, result.theirs.theta,
                                 result.weight_differences):
            close = d < AGREE_TOLERANCE
            table.add_row(name, num(a), num(b),
                          Text(f"{d:.1e}", style="green" if close else "yellow"))
        self.query_one("#framework-weights", Static).update(table)
        if conv is not None:
            self.query_one("#framework-conventions", Static).update(
                spell_renderable(self.app, conventions_table(conv)))
            self.query_one("#framework-note", Static).update(
                spell_text(self.app, conventions_note(conv)))

    def action_toggle_log(self) -> None:
        plot = self.query_one(LossPlot)
        plot.log_scale = not plot.log_scale
        plot.refresh()

    def action_close(self) -> None:
        self.workers.cancel_all()  # scikit-learn stops at its next epoch
        self.dismiss()
