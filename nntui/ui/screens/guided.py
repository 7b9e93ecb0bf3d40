"""The guided lab: the course's experiments as pages, each run through the app's own run
lifecycle, overlaid on the runs of the pages before, with the student's answer.

The pages and the student's progress are lab objects (lab/guided_pages.py, lab/guided.py);
this screen only shows them and turns keys into calls. A page's settings reach the
Session through the app's SettingsController (as a loaded TOML file does) and training
starts with the app's own `start_training`; the app records the run, and the screen
follows it through the app's `training_shown` signal, then files the new run under the
page. The answer is saved as typed, atomically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Static

from nntui.errors import UserError
from nntui.lab.config import ExperimentConfig
from nntui.lab.guided import (
    MAX_ANSWER,
    GuidedLab,
    LabRun,
    observations,
    page_config,
    page_words,
    settings_text,
    state_path,
)
from nntui.lab.guided_pages import PAGES, Page
from nntui.lab.history import MAX_SELECTED
from nntui.lab.options import DATA
from nntui.lab.report import headline
from nntui.lab.session import Change, RunState, Session
from nntui.ui.ascii import spell, spell_renderable, spell_text
from nntui.ui.widgets.keybar import KeyBar
from nntui.ui.widgets.loss_plot import LossPlot
from nntui.ui.widgets.runs_view import weights_table

if TYPE_CHECKING:
    from nntui.lab.runs import StoredRun
    from nntui.ui.app import NNApp

#: The lab of each app, so that leaving and reopening it (or --no-save) loses nothing.
LABS: WeakKeyDictionary[App[None], GuidedLab] = WeakKeyDictionary()

HELP = ("Each page is one experiment of the course. r applies the page's settings (on top "
        "of the lab's base: the defaults, or the options given to nntui lab) and trains "
        "to the last epoch; the run is saved like any other and overlaid on the newest "
        "run of each page before. a types the answer (saved as you type; enter or esc "
        "returns to the keys). Up/Down and PgUp/PgDn scroll the page's text. x writes the "
        "lab report (also nntui export --format md).")


@dataclass
class PageRun:
    """A run asked for from a page: its settings, and the runs known before it started."""

    page: Page
    config: ExperimentConfig
    started: bool = False
    known: set[str] = field(default_factory=set)


class GuidedScreen(Screen[None]):
    """One page at a time: text, settings, overlay, question and answer, what to look at."""

    BINDINGS = [
        Binding("r", "run", "Run page", tooltip="apply this page's settings and train to "
                "the last epoch"),
        Binding("n,right", "move(1)", "Next", tooltip="next page"),
        Binding("p,left", "move(-1)", "Prev", tooltip="previous page"),
        Binding("a", "answer", "Answer", tooltip="type the answer to the page's question "
                "(saved as typed; enter or esc: back to the keys)"),
        Binding("o", "toggle_weights", "Curves/weights", tooltip="the overlaid curves or "
                "the final weights side by side (both on a wide terminal)"),
        Binding("l", "toggle_log", "Log", tooltip="log scale for the overlay"),
        Binding("k", "framework_check", "sklearn", tooltip="framework check of the current "
                "run (the last page's comparison)"),
        Binding("x", "report", "Report", tooltip="write the lab report (Markdown) with "
                "the answers and every page's runs"),
        Binding("escape", "close", "Back", tooltip="back to the app (the lab is kept)"),
        Binding("question_mark", "help", "Help", tooltip="keys of the guided lab"),
    ]

    def __init__(self, session: Session, base: ExperimentConfig | None = None,
                 lab: GuidedLab | None = None) -> None:
        """`base`: the settings every page starts from (default: the defaults); `lab`:
        the student's progress (default: the one saved beside the app's runs)."""
        super().__init__(id="guided")
        self.session = session
        self.base = base or ExperimentConfig()
        self.lab = lab
        self.pending: PageRun | None = None

    @property
    def nnapp(self) -> NNApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static("", id="guided-title")
        with Horizontal(id="guided-row"):
            with VerticalScroll(id="guided-text"):
                yield Static("", id="guided-what")
                yield Static("", id="guided-settings")
                yield Static("", id="guided-look")
                yield Static("", id="guided-seen")
            with Vertical(id="guided-right"):
                yield LossPlot(id="guided-overlay")
                with VerticalScroll(id="guided-weights-box"):
                    yield Static("", id="guided-weights")
        yield Static("", id="guided-question")
        yield Input(id="guided-answer", max_length=MAX_ANSWER, compact=True,
                    placeholder="a: type your answer here")
        yield Static("", id="guided-status")
        yield KeyBar()

    def on_mount(self) -> None:
        if self.lab is None:
            self.lab = LABS.get(self.app)
        if self.lab is None:  # the first time in this app: the saved one, if any
            store = self.nnapp.store
            directory = store.directory if store is not None and store.persist else None
            self.lab = LABS[self.app] = GuidedLab.load(state_path(directory))
        self.state.base = self.base.to_dict()  # saved with the next change (the report's)
        self.nnapp.training_shown.subscribe(self, self.follow)
        plot = self.query_one("#guided-overlay", LossPlot)
        plot.empty_text = "r runs this page"
        self.show_page()
        self.query_one("#guided-text").focus()
        self.show_warnings()

    @property
    def state(self) -> GuidedLab:
        assert self.lab is not None
        return self.lab

    # -- showing -----------------------------------------------------------------------------
    def show_page(self) -> None:
        """Everything that depends on the page (its answer goes into the field)."""
        lab, page = self.state, self.state.page
        n = lab.index + 1
        self.query_one("#guided-title", Static).update(Text(spell(
            self.app, f"Guided lab · page {n} of {len(PAGES)} · {page.title}")))
        words = page_words(page, self.base)  # maths spelled in ASCII mode (`n1^2`)
        self.query_one("#guided-what", Static).update(Text(spell(self.app, words.text)))
        settings = Text("Settings: ", style="bold")
        settings.append(spell(self.app, settings_text(page)), style="not bold")
        settings.append(f"\n{spell(self.app, words.command)}", style="dim not bold")
        self.query_one("#guided-settings", Static).update(settings)
        look = Text("Look at: ", style="bold")
        look.append(spell(self.app, words.look_at), style="not bold")
        self.query_one("#guided-look", Static).update(look)
        question = Text(f"Q{n}. ", style="bold")
        question.append(spell(self.app, words.question))
        self.query_one("#guided-question", Static).update(question)
        box = self.query_one("#guided-answer", Input)
        answer = lab.answers.get(page.id, "")
        if box.value != answer:
            with box.prevent(Input.Changed):
                box.value = answer
        self.show_runs()

    def page_runs(self) -> list[tuple[str, StoredRun]]:
        """(label, run) of the newest run of each page before this one, then this page's
        runs; at most MAX_SELECTED, the newest kept."""
        by_id = {r.id: r for r in self.session.history.runs}
        lab, n = self.state, self.state.index + 1
        shown = [(f"p{PAGES.index(p) + 1}", by_id[e.id]) for p, e in lab.previous_runs()
                 if e.id in by_id]
        own = [e for e in lab.runs.get(lab.page.id, []) if e.id in by_id]
        shown += [(f"p{n}" + (f" #{k}" if k > 1 else ""), by_id[e.id])
                  for k, e in enumerate(own, start=1)]
        return shown[-MAX_SELECTED:]

    def show_runs(self) -> None:
        """The overlay (and, while training, the run so far), weights, notes and status."""
        runs = self.page_runs()
        series = {label: r.doc["history"]["train_loss"] for label, r in runs}
        live = self.pending is not None and self.pending.started and self.session.running
        t = self.session.trainer
        if live:
            series[f"p{self.state.index + 1} now"] = list(t.train_loss)
        self.query_one("#guided-overlay", LossPlot).show(series, self.session.config.epochs
                                                        if live else 0)
        self.query_one("#guided-weights", Static).update(spell_renderable(
            self.app, weights_table([(label, r.doc) for label, r in runs])))
        entries = self.state.runs.get(self.state.page.id, [])
        seen = Text("")
        if entries and entries[-1].notes:
            seen.append("This page's last run: ", style="bold")
            seen.append("; ".join(entries[-1].notes) + ".")
        widget = self.query_one("#guided-seen", Static)
        widget.update(spell_text(self.app, seen))
        before, self._seen = getattr(self, "_seen", None), (self.state.index, seen.plain)
        text = self.query_one("#guided-text", VerticalScroll)
        if before is None or before[0] != self.state.index:
            text.anchor(False)  # another page: read from its top
        elif seen.plain and before[1] != seen.plain:
            text.anchor()  # this page's run just ended: its whole note in view
            # (and once the note is laid out: anchoring alone missed it when the layout
            # had already run)
            text.call_after_refresh(text.scroll_end, animate=False, immediate=True)
        self.query_one("#guided-status", Static).update(
            Text(spell(self.app, self.status_text(entries))))

    def status_text(self, entries: list[LabRun]) -> str:
        p, t = self.pending, self.session.trainer
        if p is not None and not p.started:
            return "Loading the data for this page…"
        if p is not None:
            return f"Training this page's run: epoch {t.epochs_done}/{p.config.epochs}…"
        if not entries:
            return "No run from this page yet: r applies its settings and runs it."
        run = next((r for r in self.session.history.runs if r.id == entries[-1].id), None)
        runs = f"{len(entries)} run{'s' if len(entries) > 1 else ''} from this page"
        if run is None:
            return f"{runs}; the newest is not among the saved runs."
        d = run.doc
        label, shown = headline(d.get("task", "regress"), d["metrics"]["test"])
        return (f"{runs} · newest #{self.session.history.number(run.id)}: {d['status']}, "
                f"{d['epochs_run']} epochs, test {label} {shown}")

    def show_warnings(self) -> None:
        """A damaged lab file or a failed save, each shown once."""
        for warning in self.state.warnings:
            self.app.notify(warning, severity="warning", timeout=10)
        self.state.warnings.clear()

    # -- running a page ----------------------------------------------------------------------
    def action_run(self) -> None:
        if self.pending is not None and self.pending.started:
            self.app.notify("This page's run is still training.")
            return
        page = self.state.page
        try:
            cfg = page_config(page, self.base)
        except UserError as exc:
            self.app.notify(str(exc), severity="error")
            return
        self.pending = PageRun(page, cfg)
        session = self.session
        if session.config == cfg:
            self.nnapp.stop_training()
            if session.state is not RunState.READY:
                session.new_run()
            self.start()
        else:  # as a loaded TOML file: generated data is adopted at once, tables load
            self.nnapp.controller.apply(Change(cfg, DATA, "guided lab"), None)
            if session.config == cfg and not session.running:
                self.start()
        self.show_runs()

    def start(self) -> None:
        assert self.pending is not None
        self.pending.started = True
        self.pending.known = {r.id for r in self.session.history.runs}
        self.nnapp.rate = None
        self.nnapp.start_training(live=True)

    def follow(self, _: None) -> None:
        """The app redrew its training view: start a page's run once its data is in,
        file a finished one under its page, or show the run so far."""
        p, session = self.pending, self.session
        if p is not None and not p.started and session.config == p.config \
                and not session.running:
            self.start()
        elif p is not None and p.started and not session.running:
            self.file_run(p)
        if self.is_attached:
            self.show_runs()

    def file_run(self, p: PageRun) -> None:
        """The page's run ended: the run the app recorded since it started is the page's."""
        self.pending = None
        new = [r for r in self.session.history.runs if r.id not in p.known
               and r.origin == "app"]
        if not new or self.session.config != p.config:
            self.app.notify("The page's run was not recorded (no whole epoch).",
                            severity="warning")
            return
        self.state.attach(p.page.id, new[-1].id, observations(self.session.experiment))
        self.state.save()
        self.show_warnings()

    # -- the answer --------------------------------------------------------------------------
    def action_answer(self) -> None:
        self.query_one("#guided-answer", Input).focus()

    @on(Input.Changed, "#guided-answer")
    def answer_changed(self, event: Input.Changed) -> None:
        page = self.state.page
        if self.state.answers.get(page.id, "") != event.value:
            if self.state.path is None and not self.state.answers:  # said once, when it matters
                self.app.notify("Runs are not saved (--no-save): the answers are kept in "
                                "this session only.", severity="warning")
            self.state.answer(page.id, event.value)
            self.state.save()
            self.show_warnings()

    @on(Input.Submitted, "#guided-answer")
    def answer_done(self) -> None:
        self.query_one("#guided-text").focus()

    # -- other keys --------------------------------------------------------------------------
    def action_move(self, delta: int) -> None:
        if self.state.go(delta):
            self.state.save()
            self.show_warnings()
            self.show_page()
            self.query_one("#guided-text").scroll_home(animate=False)

    def action_toggle_weights(self) -> None:
        self.query_one("#guided-right").toggle_class("-weights")

    def action_toggle_log(self) -> None:
        plot = self.query_one("#guided-overlay", LossPlot)
        plot.log_scale = not plot.log_scale
        plot.refresh()

    def action_framework_check(self) -> None:
        if self.pending is not None:
            self.app.notify("Wait for this page's run to finish first.")
            return
        self.nnapp.action_framework_check()

    def action_report(self) -> None:
        from nntui.lab.export import guided_report
        from nntui.lab.storage import atomic_write, problem

        store = self.nnapp.store
        folder = store.directory if store is not None else Path(".")
        path = folder / "exports" / "guided-lab-report.md"
        try:
            atomic_write(str(path), guided_report(self.state, self.session.history.runs))
        except (OSError, ValueError) as exc:
            self.app.notify(f"Report not written: {problem(exc)}", severity="error")
            return
        self.app.notify(f"Lab report written to {path}", timeout=10)

    def action_close(self) -> None:
        if self.focused is self.query_one("#guided-answer"):
            self.query_one("#guided-text").focus()  # esc leaves the answer first
            return
        if self.pending is not None and self.pending.started and self.session.running:
            self.nnapp.stop_training()
            self.app.notify("The page's run was paused; r on the page runs it again.")
        self.pending = None
        self.dismiss()

    def action_help(self) -> None:
        from nntui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(
            [b for b in self.BINDINGS if isinstance(b, Binding)], HELP))
