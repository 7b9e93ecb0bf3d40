"""Everything below the title: settings sidebar, tabs (loss, results, data) and status.

Imported only after the app's first paint, with numpy and plotext behind it. The view
never computes: it is handed a Session and shows what core has already worked out.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.lazy import Lazy
from textual.widgets import Static, TabbedContent, TabPane

from nntui.lab.report import loss_label, metric_labels, undefined_notes
from nntui.lab.session import Session
from nntui.ui.widgets.data_preview import DataPreview
from nntui.ui.widgets.loss_plot import LossPlot
from nntui.ui.widgets.results import ResultsView
from nntui.ui.widgets.runs_view import RunsView
from nntui.ui.widgets.settings import Sidebar
from nntui.ui.widgets.status import StatusLine


class MainView(Horizontal):
    """The app's body for one Session (data goes down; edits go up as messages)."""

    def __init__(self, session: Session) -> None:
        super().__init__(id="body")
        self.session = session

    def compose(self) -> ComposeResult:
        # The sidebar's ~150 small widgets are mounted just after the body's first paint.
        yield Lazy(Sidebar(self.session.config, self.session.trainer.initial_params))
        with Vertical(id="main"):
            yield Static("", id="banner")
            with TabbedContent(id="tabs"):
                with TabPane("Loss", id="tab-loss"), Horizontal(id="loss-row"):
                    yield LossPlot(id="plot")
                    with VerticalScroll(id="side-results"):
                        yield ResultsView(id="results-side")
                with TabPane("Results", id="tab-results"), VerticalScroll(id="results-scroll"):
                    yield ResultsView(id="results")
                with TabPane("Data", id="tab-data"), VerticalScroll(id="data-scroll"):
                    yield DataPreview(id="preview")
                with TabPane("Runs", id="tab-runs"):
                    yield RunsView(self.session.history)
            yield StatusLine(id="status")

    def show_data(self) -> None:
        self.query_one(DataPreview).show(self.session.experiment.dataset)

    def show_training(self, state: str, rate: float | None) -> None:
        """Redraw everything that follows the trainer: curve, status, results, banner."""
        session = self.session
        exp, t = session.experiment, session.trainer
        cfg = session.config
        self.query_one("#plot", LossPlot).title = loss_label(cfg.scale, cfg.task)
        self.query_one("#plot", LossPlot).show({"train": t.train_loss, "test": t.test_loss},
                                               session.config.epochs)
        self.query_one(StatusLine).render_status(
            state=state, epoch=t.epochs_done, epochs=session.config.epochs,
            update=t.pos // t.batch_size, lr=session.lr, rate=rate,
            train=t.train_loss[-1] if t.train_loss else t.initial_loss,
            test=t.test_loss[-1] if t.test_loss else t.initial_test_loss,
        )
        metrics = {"train": exp.metrics("train"), "test": exp.metrics("test")}
        labels, notes = metric_labels(session.config.scale), undefined_notes(exp)
        for view in self.query(ResultsView):
            view.show(metrics, t.initial_params, t.params, t.epochs_done, labels, notes)
        banner = self.query_one("#banner", Static)
        banner.display = t.diverged
        if t.diverged:
            banner.update(Text(f"DIVERGED in epoch {t.diverged_at}: {t.divergence_reason}. "
                               "Last finite weights kept; - lowers lr, u undoes, r resets."))

    async def sync_settings(self) -> None:
        """Show the session's settings in the sidebar (after keys or a rebuild)."""
        for sidebar in self.query(Sidebar):
            await sidebar.sync(self.session.config, self.session.trainer.initial_params)

    @property
    def runs(self) -> RunsView:
        return self.query_one(RunsView)

    def toggle_log_scale(self) -> None:
        plot = self.query_one("#plot", LossPlot)
        plot.log_scale = not plot.log_scale
        plot.refresh()
        self.runs.log_scale = plot.log_scale
        self.runs.show_selection()
