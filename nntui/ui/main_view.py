"""Everything below the title: settings sidebar, tabs (loss, results, data) and status.

Imported only after the app's first paint, with numpy and plotext behind it. The view
never computes: it is handed a Session and shows what core has already worked out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane

from nntui.lab.report import loss_label, metric_labels, undefined_notes
from nntui.lab.session import Session
from nntui.ui.widgets.data_preview import DataPreview
from nntui.ui.widgets.loss_plot import LossPlot
from nntui.ui.widgets.results import ResultsView
from nntui.ui.widgets.settings import Sidebar
from nntui.ui.widgets.status import StatusLine

if TYPE_CHECKING:
    from textual.widget import Widget

    from nntui.ui.widgets.fit_view import FitView
    from nntui.ui.widgets.landscape_view import LandscapeView
    from nntui.ui.widgets.runs_view import RunsView

#: Tabs whose view is made (and its module imported) when first shown: none of them is
#: on the first screen, and together they cost ~20 ms of its time.
LATER = ("tab-runs", "tab-fit", "tab-landscape")


class MainView(Horizontal):
    """The app's body for one Session (data goes down; edits go up as messages)."""

    def __init__(self, session: Session) -> None:
        super().__init__(id="body")
        self.session = session

    def compose(self) -> ComposeResult:
        yield Sidebar(self.session.config, self.session.trainer.initial_params)
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
                for title in ("Runs", "Fit", "Landscape"):
                    yield TabPane(title, id=f"tab-{title.lower()}")  # filled when shown
            yield StatusLine(id="status")

    def show_data(self) -> None:
        self.query_one(DataPreview).show(self.session.experiment.dataset)

    def show_training(self, state: str, rate: float | None) -> None:
        """Redraw what follows the trainer: curve, status, banner, and the results views
        on screen (a hidden one is drawn when it is shown: `show_results`)."""
        session = self.session
        t = session.trainer
        plot = self.query_one("#plot", LossPlot)
        plot.title = loss_label(session.config.scale, session.config.task)
        plot.show({"train": t.train_loss, "test": t.test_loss}, session.config.epochs)
        self.query_one("#status", StatusLine).render_status(
            state=state, epoch=t.epochs_done, epochs=session.config.epochs,
            update=t.pos // t.batch_size, lr=session.lr, rate=rate,
            train=t.train_loss[-1] if t.train_loss else t.initial_loss,
            test=t.test_loss[-1] if t.test_loss else t.initial_test_loss,
        )
        for view in self.results_views():
            view.stale = True
        self.show_results()
        banner = self.query_one("#banner", Static)
        banner.display = t.diverged
        if t.diverged:
            banner.update(Text(f"DIVERGED in epoch {t.diverged_at}: {t.divergence_reason}. "
                               "Last finite weights kept; - lowers lr, u undoes, r resets."))
        self.follow_views()

    def follow_views(self) -> None:
        """The fit and landscape tabs follow the weights only while shown (cheap when not)."""
        active = self.query_one("#tabs", TabbedContent).active
        if active == "tab-fit" and self.fit is not None:
            self.fit.follow(self.session.experiment, self.session.running)
        elif active == "tab-landscape" and self.landscape is not None:
            self.landscape.follow(self.session)

    async def show_tab(self, tab: str) -> None:
        """Show a tab, its view made first if it is one of the LATER ones."""
        await self.make_view(tab)
        self.query_one("#tabs", TabbedContent).active = tab

    async def make_view(self, tab: str) -> None:
        pane = self.query_one(f"#{tab}", TabPane)
        if tab not in LATER or pane.children:
            return
        view: Widget
        if tab == "tab-runs":
            from nntui.ui.widgets.runs_view import RunsView

            view = RunsView(self.session.history)
            view.log_scale = self.query_one("#plot", LossPlot).log_scale
        elif tab == "tab-fit":
            from nntui.ui.widgets.fit_view import FitView

            view = FitView(id="fit")
        else:
            from nntui.ui.widgets.landscape_view import LandscapeView

            view = LandscapeView(id="landscape")
        await pane.mount(view)

    def results_views(self) -> tuple[ResultsView, ResultsView]:
        return self.query_one("#results", ResultsView), self.query_one("#results-side",
                                                                       ResultsView)

    def show_results(self) -> None:
        """Draw the stale results views that are on screen (the Results tab, or the side
        panel of the Loss tab when wide): a hidden table is not redrawn 10 times a second."""
        tabs = self.query_one("#tabs", TabbedContent)
        main, side = self.results_views()
        shown = [main] if tabs.active == "tab-results" else \
            [side] if tabs.active == "tab-loss" and self.query_one("#side-results").display \
            else []
        stale = [view for view in shown if view.stale]
        if not stale:
            return
        exp, t = self.session.experiment, self.session.trainer
        metrics = {"train": exp.metrics("train"), "test": exp.metrics("test")}
        labels, notes = metric_labels(self.session.config.scale), undefined_notes(exp)
        for view in stale:
            view.show(metrics, t.initial_params, t.params, t.epochs_done, labels, notes)

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A tab just shown (a key, a click) draws what it missed while hidden."""
        await self.make_view(event.pane.id or "")
        self.show_results()
        self.follow_views()

    def on_resize(self) -> None:
        self.show_results()  # a terminal made wide shows the side results

    def sync_settings(self) -> None:
        """Show the session's settings in the sidebar (after keys or a rebuild)."""
        self.sidebar.sync(self.session.config, self.session.trainer.initial_params)

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    def _view(self, selector: str) -> Widget | None:
        found = self.query(selector)
        return found.first() if found else None

    @property
    def runs(self) -> RunsView | None:
        """The Runs tab's view, once the tab has been shown."""
        return self._view("#runs")  # type: ignore[return-value]

    @property
    def fit(self) -> FitView | None:
        return self._view("#fit")  # type: ignore[return-value]

    @property
    def landscape(self) -> LandscapeView | None:
        return self._view("#landscape")  # type: ignore[return-value]

    def toggle_log_scale(self) -> None:
        plot = self.query_one("#plot", LossPlot)
        plot.log_scale = not plot.log_scale
        plot.refresh()
        if self.runs is not None:
            self.runs.log_scale = plot.log_scale
            self.runs.show_selection()
