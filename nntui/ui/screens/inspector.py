"""The backprop inspector: one sample, every number, one step at a time.

It works on the app's Session while training is stopped: `preview()` shows the step that
would be applied, `step()` applies exactly that record, `undo()` restores it bit for bit.
Looking at another sample (n, p, g, w) is a preview only: it never changes which sample
training uses next.

The finite-difference column costs two forward passes per parameter (O(params²) for one
sample, ~0.5 s at 4 x 16 hidden units), so beyond a small network it is computed in a
thread worker, the current layer page first: the step shows at once with "checking…",
each layer's checks as they come. Every result carries the key of the step it belongs to
(`check_key`); one for another step (the user moved on) is dropped, and moving on cancels
the worker.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Label, Static
from textual.worker import get_current_worker

from nntui.errors import UserError
from nntui.lab.config import parse_int
from nntui.lab.session import Session
from nntui.lab.worked import (
    UnitActivity,
    WorkedStep,
    check_chunks,
    check_key,
    fmt,
    numeric_partials,
    unit_activity,
    with_numeric,
    worked_step,
    worst_sample,
)
from nntui.ui.widgets.keybar import KeyBar
from nntui.ui.widgets.layer_pages import LayerPages
from nntui.ui.widgets.worked_view import WorkedView

SPEEDS = (0.5, 1.0, 2.0, 5.0, 10.0, 25.0)  # automatic steps per second
CHECK_GROUP = "inspector-check"  # the finite-difference worker's group


class InspectorScreen(Screen[None]):
    """Step through SGD one sample at a time; `escape` returns to the loss curve."""

    BINDINGS = [
        Binding("s,enter", "apply", "Apply step", tooltip="apply this step, go to the next "
                "sample"),
        Binding("u,backspace", "undo", "Undo", tooltip="undo the last step (bit for bit)"),
        Binding("n,right", "move(1)", "Next", tooltip="look at the next sample (a preview: "
                "training keeps its order)"),
        Binding("p,left", "move(-1)", "Prev", tooltip="look at the previous sample (a "
                "preview)"),
        Binding("w", "worst", "Worst", tooltip="look at the worst-predicted sample"),
        Binding("g", "goto", "Go to #", tooltip="type a sample index to look at"),
        Binding("space", "play", "Play/pause", tooltip="apply steps automatically"),
        Binding("right_square_bracket", "speed(1)", "Faster", tooltip="play faster"),
        Binding("left_square_bracket", "speed(-1)", "Slower", tooltip="play slower"),
        Binding("full_stop", "layer(1)", "Next layer", key_display=".",
                tooltip="next layer's page (networks with several hidden layers)"),
        Binding("comma", "layer(-1)", "Prev layer", key_display=",",
                tooltip="previous layer's page (networks with several hidden layers)"),
        Binding("d", "drill", "Drill", tooltip="drill: type each number of the next step "
                "yourself; it is applied when the drill is done"),
        Binding("escape,i", "close", "Back", tooltip="back to the loss curve"),
        Binding("question_mark", "help", "Help", tooltip="keys of the inspector"),
    ]

    #: Networks with at most this many parameters are checked at once (~5 ms at 80: no
    #: "checking…" flashing by while playing); larger ones in the worker.
    INLINE_CHECK = 80

    class Checked(Message):
        """Finite differences from the worker, for the step with key `key`."""

        def __init__(self, key: Hashable, layer: int, numeric: dict[int, float]) -> None:
            super().__init__()
            self.key = key
            self.layer = layer  # the weight layer (page) they are of
            self.numeric = numeric

    def __init__(self, session: Session) -> None:
        super().__init__(id="inspector")
        self.session = session
        self.speed = 2
        self.timer: Timer | None = None
        self.message = ""
        self.index: int | None = None  # a sample looked at; None: the next one in training
        self.shown: tuple[WorkedStep, list[UnitActivity], str] | None = None
        self.check_for: Hashable = None  # the key of the shown step's finite differences
        self.checked: dict[int, float] = {}  # those known so far

    def compose(self) -> ComposeResult:
        with Horizontal(id="inspector-bar"):
            yield Static("", id="inspector-status")
            yield Label("sample #", classes="field-label")
            yield Input(placeholder="index", id="goto", compact=True)
        with VerticalScroll(id="inspector-body"):
            yield WorkedView(id="worked")
            yield LayerPages(id="layer-pages")
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_view()
        self.query_one("#inspector-body").focus()

    @property
    def playing(self) -> bool:
        return self.timer is not None

    def refresh_view(self) -> None:
        """Show the step that would be applied next, or a preview on the chosen sample."""
        exp, t = self.session.experiment, self.session.trainer
        record = self.session.preview(self.index)
        ws = worked_step(exp, record, numeric=False)
        note = self.message
        following = t.next_indices()  # empty only after a non-finite epoch loss
        next_index = following[0] if following else None
        if t.diverged:
            note = f"This run diverged in epoch {t.diverged_at}: undo (u) to go back."
        elif self.index is not None and self.index != next_index:
            note = (f"Preview of sample {self.index}: training is not moved. The next step "
                    f"trains sample {next_index} (s applies it). " + note).strip()
        elif len(record.indices) > 1:
            note = (f"Mini-batch of {len(record.indices)}: the chain rule is shown for its "
                    "first sample; the update uses the mean gradient of the batch.")
        units = unit_activity(exp.arch, t.theta, t.x_train)
        self.show_step(self.with_checks(ws), units, note)
        last = f"epoch loss {fmt(t.train_loss[-1])}" if t.train_loss else "no epoch yet"
        play = f" · playing {SPEEDS[self.speed]:g}/s" if self.playing else ""
        following_record = record if self.index is None else self.session.preview()
        looking = "" if self.index is None else f" · looking at {ws.index}"
        self.query_one("#inspector-status", Static).update(
            f"epoch {following_record.epoch} · update {following_record.update} · sample "
            f"{following_record.indices[0]}/{t.n_train - 1}{looking} · {last}{play}")

    def show_step(self, ws: WorkedStep, units: list[UnitActivity], note: str,
                  layer: int | None = None) -> None:
        """Show `ws`; with `layer`, only that layer's checks are new (only its page is
        redrawn: a deep network's pages take ~40 ms each)."""
        self.shown = (ws, units, note)
        if ws.exp.arch.depth > 1 and layer is not None:
            self.query_one(LayerPages).show(ws, units, only=layer)
            return
        self.query_one(WorkedView).show(ws, units, note)
        self.query_one(LayerPages).show(ws, units)

    # -- the finite-difference check -----------------------------------------------------------
    def with_checks(self, ws: WorkedStep) -> WorkedStep:
        """`ws` with the finite differences known for its step; the rest are computed now
        (a small network) or by the worker, which is (re)started only for a new step."""
        key = check_key(ws)
        if key != self.check_for:  # another step: what was known or coming is not its
            self.workers.cancel_group(self, CHECK_GROUP)
            self.check_for, self.checked = key, {}
            n = ws.exp.arch.n_params
            if n <= self.INLINE_CHECK:
                self.checked = numeric_partials(ws, range(n)) or {}
            else:
                first = self.query_one(LayerPages).current
                self.run_worker(lambda: self.check_in_thread(ws, key, first), thread=True,
                                exclusive=True, group=CHECK_GROUP, name="finite differences")
        return with_numeric(ws, self.checked)

    def check_in_thread(self, ws: WorkedStep, key: Hashable, first: int) -> None:
        """The worker: one weight layer at a time (the current page first), each posted
        as it is done; stops as soon as the worker is cancelled (the user moved on)."""
        worker = get_current_worker()
        for layer, chunk in check_chunks(ws.exp.arch, first):
            found = numeric_partials(ws, chunk, lambda: worker.is_cancelled)
            if found is None or worker.is_cancelled:
                return
            self.post_message(self.Checked(key, layer, found))

    @on(Checked)
    def checked_arrived(self, event: Checked) -> None:
        """Show the worker's numbers if they are the shown step's; drop them otherwise."""
        if event.key != self.check_for or self.shown is None:
            return
        self.checked.update(event.numeric)
        ws, units, note = self.shown
        self.show_step(with_numeric(ws, event.numeric), units, note, event.layer)

    # -- actions -----------------------------------------------------------------------------
    def action_apply(self) -> None:
        """Apply the next step of training (after a preview, the view follows it again)."""
        record = self.session.step()
        self.message = ""
        self.index = None
        if record is None or record.diverged:
            self.stop_playing()
        self.refresh_view()

    def action_undo(self) -> None:
        self.stop_playing()
        self.message = "" if self.session.undo() else "Nothing to undo."
        self.index = None
        self.refresh_view()

    def action_move(self, delta: int) -> None:
        shown = self.session.preview(self.index).indices[0]
        self.look_at((shown + delta) % self.session.trainer.n_train)

    def action_worst(self) -> None:
        index, loss = worst_sample(self.session.trainer)
        self.look_at(index)
        self.message = f"Worst-predicted sample: loss {fmt(loss)}."
        self.refresh_view()

    def look_at(self, index: int) -> None:
        """Preview sample `index` (training still goes on in its own order)."""
        self.index = index
        self.message = ""
        self.refresh_view()

    def action_goto(self) -> None:
        self.query_one("#goto", Input).focus()

    @on(Input.Submitted, "#goto")
    def goto_submitted(self, event: Input.Submitted) -> None:
        n = self.session.trainer.n_train
        index: int | None
        try:
            index = parse_int("sample", event.value)
            if not 0 <= index < n:
                raise UserError(f"sample {index} is out of range 0..{n - 1}")
        except UserError as exc:
            self.message = f"{exc} (g: type another)"
            index = None
        event.input.value = ""  # refused or not, the keys work again: g, n, p, ...
        self.query_one("#inspector-body").focus()
        if index is None:
            self.refresh_view()
        else:
            self.look_at(index)

    def action_play(self) -> None:
        if self.playing:
            self.stop_playing()
        else:
            self.timer = self.set_interval(1 / SPEEDS[self.speed], self.play_tick)
        self.refresh_view()

    def play_tick(self) -> None:
        """One step of auto-play (the timer calls this)."""
        self.action_apply()

    def stop_playing(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def action_speed(self, delta: int) -> None:
        self.speed = max(0, min(len(SPEEDS) - 1, self.speed + delta))
        if self.playing:
            self.stop_playing()
            self.action_play()
        else:
            self.refresh_view()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The layer keys exist only for a network with several hidden layers."""
        return action != "layer" or self.session.experiment.arch.depth > 1

    def action_layer(self, delta: int) -> None:
        """Turn to the next or previous layer's page (from its top)."""
        self.query_one(LayerPages).turn(delta)
        self.query_one("#inspector-body", VerticalScroll).scroll_home(animate=False)

    def action_drill(self) -> None:
        from nntui.ui.screens.drill import DrillScreen

        self.stop_playing()
        self.index = None
        self.app.push_screen(DrillScreen(self.session), lambda _: self.refresh_view())

    def action_close(self) -> None:
        if self.focused is self.query_one("#goto"):
            self.query_one("#inspector-body").focus()  # escape leaves the index field first
            return
        self.stop_playing()
        self.dismiss()

    def action_help(self) -> None:
        from nntui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(
            [b for b in self.BINDINGS if isinstance(b, Binding)],
            "Up/Down and PgUp/PgDn scroll the worked example. Each step shows the forward "
            "pass, dL/dp for every parameter as a chain-rule product (with a central "
            "finite-difference check; a large network's fills in while you keep working), "
            "and the update p <- p - lr * dL/dp. With several hidden "
            "layers: one page per layer (. next, , previous; side by side when wide), δ of "
            "each layer from the layer above, every gradient as δ times its input."))
