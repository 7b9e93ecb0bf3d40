"""The drill screen: the student types each number of the next SGD step, and it is checked.

Opened with `d` from the inspector. It reads the session's preview (the step training
makes next) and moves nothing until the drill is done or skipped with ctrl+s: then it
applies exactly that step (`Session.step`), and Enter drills the next one. Escape goes
back without applying. Every number, answer and hint comes from `lab.drill`.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Static

from nntui.errors import UserError
from nntui.lab.drill import (
    HINTED,
    REVEALED,
    RIGHT,
    RULE,
    SKIPPED,
    Drill,
    Outcome,
    Result,
    subsets,
)
from nntui.lab.drill_text import DEFINITIONS, given_lines
from nntui.lab.report import space
from nntui.lab.session import Session
from nntui.lab.worked import worked_step
from nntui.ui.ascii import spell_text
from nntui.ui.widgets.keybar import KeyBar

MARK = {RIGHT: ("✓", "green"), HINTED: ("✓", "yellow"), REVEALED: ("✗", "red"),
        SKIPPED: ("–", "dim")}
FEEDBACK_STYLE = {RIGHT: "green", "wrong": "yellow", REVEALED: "red", SKIPPED: "dim",
                  "invalid": "bold yellow"}
#: The checking rule in one line of an 80-column screen (the help has it in full).
SHORT_RULE = "right: within a relative 1e-3 or the same 3 digits (0: 1e-9); new p: new - old"


def pack(items: list[str], width: int) -> list[str]:
    """`name = value` items on lines of at most `width`, broken between items only."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + 2 + len(item) <= width:
            lines[-1] += "  " + item
        else:
            lines.append(item)
    return lines


def result_text(result: Result) -> Text:
    """One line of the log: the mark, the answer, and for a miss the worked solution."""
    q = result.question
    mark, style = MARK[result.status]
    tries = ", ".join(f"{v:g}" for v in result.typed)
    if result.status == RIGHT:
        return Text(f"{mark} {q.quantity} = {q.shown}", style=style)
    if result.status == HINTED:
        return Text(f"{mark} {q.quantity} = {q.shown} after the hint (first {tries})",
                    style=style)
    how = "skipped" if result.status == SKIPPED else (
        f"missed ({tries})" if result.typed else "shown")
    return Text(f"{mark} {q.quantity} {how}: {q.solution}", style=style)


class AnswerInput(Input):
    """The answer field. `?` is never part of a number: it opens the help instead."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character != "?" and super().check_consume_key(key, character)


class DrillScreen(Screen[None]):
    """Type each answer and press Enter; escape returns to the inspector."""

    BINDINGS = [
        Binding("ctrl+n", "skip", "Skip", tooltip="skip this question (its answer is shown)"),
        Binding("ctrl+r", "reveal", "Answer", tooltip="show the answer of this question"),
        Binding("ctrl+t", "part", "Part", tooltip="ask another part: all, forward, "
                "backward, one hidden unit (one layer with several hidden layers); each part "
                "keeps its answers and score on this step"),
        Binding("ctrl+s", "apply", "Apply step", tooltip="skip the rest: apply this step "
                "and drill the next one"),
        Binding("pageup", "scroll(-1)", "Scroll", tooltip="scroll the answers up",
                priority=True),
        Binding("pagedown", "scroll(1)", "Scroll", tooltip="scroll the answers down",
                priority=True),
        Binding("escape", "close", "Back", tooltip="back to the inspector (the step is "
                "applied only when the drill is done or skipped with ctrl+s)"),
        Binding("f1,question_mark", "help", "Help", tooltip="keys of the drill",
                priority=True),
    ]

    def __init__(self, session: Session, part: str = "all") -> None:
        super().__init__(id="drill")
        self.session = session
        self.part = part
        self.drill: Drill | None = None
        self.outcome: Outcome | None = None
        self.note = ""  # what happened to the step (applied, or why not)
        self.scores: list[tuple[Drill, str]] = []  # each applied drill's score, `20/25`
        self.parts: dict[str, Drill] = {}  # this step's drill of each part tried (ctrl+t)

    def compose(self) -> ComposeResult:
        yield Static("", id="drill-status")
        yield Static("", id="drill-given")
        with VerticalScroll(id="drill-log", can_focus=False):
            yield Static("", id="drill-results")
        yield Static("", id="drill-question")
        yield Static("", id="drill-feedback")
        yield AnswerInput(placeholder="your answer, e.g. -0.5, .5 or 1e-3; then Enter",
                    id="drill-answer", compact=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.start()
        self.query_one("#drill-answer").focus()

    # -- the drill of one step ---------------------------------------------------------------
    def start(self) -> None:
        """A drill of the step training makes next (a preview: nothing moves); a part
        already tried on this step comes back with its answers and score."""
        self.outcome = None
        if self.drill is not None and self.drill.done:
            self.parts.clear()  # a finished drill: the next one is of the next step
        try:
            self.drill = self.parts.get(self.part) or Drill(
                worked_step(self.session.experiment, self.session.preview(), numeric=False),
                self.part)
            self.parts[self.part] = self.drill
        except UserError as exc:
            self.drill = None
            self.note = f"{exc}."
        self.query_one("#drill-answer").display = self.drill is not None
        self.refresh_bindings()
        self.show()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Without a drill (a step it cannot drill) only back and help remain."""
        if action in ("skip", "reveal", "part", "apply", "scroll"):
            return self.drill is not None
        return True

    def apply_step(self) -> None:
        """Apply exactly the drilled step, if training is still where the drill began."""
        assert self.drill is not None
        r = self.drill.ws.record
        now = self.session.preview()
        if (now.indices, now.params_before, now.lr) != (r.indices, r.params_before, r.lr):
            self.note = "Training moved since the drill began: the step was not applied."
            return
        if self.session.step() is None:
            self.note = "This run has diverged: the step was not applied (undo in the inspector)."
            return
        done = self.drill.count(RIGHT, HINTED)
        self.parts.clear()  # the step moved: every part starts afresh on the next one
        self.scores.append((self.drill, f"{done}/{len(self.drill.questions)}"))
        following = self.session.preview()
        self.note = (f"Step applied (sample {r.indices[0]}). Enter: drill the next step "
                     f"(sample {following.indices[0]}); esc: back to the inspector.")

    def show(self) -> None:
        drill = self.drill
        status = self.query_one("#drill-status", Static)
        question = self.query_one("#drill-question", Static)
        feedback = self.query_one("#drill-feedback", Static)
        if drill is None:
            status.update("Drill")
            question.update(Text(self.note, style="bold yellow"))
            self.query_one("#drill-given", Static).update("")
            feedback.update(Text("esc: back to the inspector", style="dim"))
            return
        ws, r = drill.ws, drill.ws.record
        scores = [score for d, score in self.scores if d is not drill][-4:]
        earlier = f" · earlier {' '.join(scores)}" if scores else ""
        status.update(spell_text(self.app, Text(f"Drill ({self.part}) · {drill.score}{earlier}")))
        units = space(self.session.config.scale)  # the units the network trains in
        given = Text(f"Step: epoch {r.epoch}, update {r.update}, sample {r.indices[0]} "
                     f"({units}) · given:\n", style="bold")
        width = self.query_one("#drill-given", Static).content_size.width or 76
        packed = [part for line in given_lines(ws, self.part, drill.current)
                  for part in pack(line.split("  "), width)]
        given.append("\n".join(packed) + "\n")
        given.append(DEFINITIONS[ws.exp.arch.activation] + "\n" + SHORT_RULE, style="dim")
        self.query_one("#drill-given", Static).update(spell_text(self.app, given))
        self.query_one("#drill-results", Static).update(spell_text(self.app,
            Text("\n").join(result_text(res) for res in drill.results)
            or Text("Your answers appear here.", style="dim")))
        self.query_one("#drill-log", VerticalScroll).scroll_end(animate=False)
        q = drill.current
        if q is None:
            question.update(spell_text(self.app, Text(f"Done: {drill.score}. {self.note}",
                                                      style="bold")))
        else:
            change = "  (type enough digits to show the change)" if q.old is not None else ""
            question.update(spell_text(self.app, Text(
                f"Q{len(drill.results) + 1} of {len(drill.questions)}  {q.quantity} = "
                f"{q.formula} = ?{change}", style="bold")))
        kind = self.outcome.kind if self.outcome else ""
        lines = Text(self.outcome.message if self.outcome else "",
                     style=FEEDBACK_STYLE.get(kind, ""))
        if kind == "invalid" and q is not None and drill.hinted:  # the hint stays in view
            lines.append(f"\nHint: {q.hint}", style=FEEDBACK_STYLE["wrong"])
        feedback.update(spell_text(self.app, lines))

    def on_resize(self) -> None:
        if self.is_mounted:
            self.show()  # the givens are packed for the width

    def after(self, outcome: Outcome) -> None:
        """Show an outcome; the last question answered applies the step."""
        self.outcome = outcome
        if self.drill is not None and self.drill.done and outcome.kind != "invalid":
            self.apply_step()
        self.show()

    # -- keys --------------------------------------------------------------------------------
    @on(Input.Submitted, "#drill-answer")
    def submitted(self, event: Input.Submitted) -> None:
        if self.drill is None:
            return
        if self.drill.done:
            event.input.value = ""
            self.note = ""
            self.start()
            return
        outcome = self.drill.answer(event.value)
        if outcome.kind == "invalid":  # kept to fix, but selected: typing replaces it
            event.input.select_all()
        else:
            event.input.value = ""
        self.after(outcome)

    def action_skip(self) -> None:
        if self.drill is not None and not self.drill.done:
            self.after(self.drill.skip())

    def action_reveal(self) -> None:
        if self.drill is not None and not self.drill.done:
            self.after(self.drill.reveal())

    def action_apply(self) -> None:
        """Skip the rest of this drill: apply its step, then drill the next one."""
        if self.drill is None:
            return
        skipped = not self.drill.done
        if skipped:
            self.apply_step()
        note = self.note
        self.start()
        if skipped:
            self.outcome = Outcome(SKIPPED, f"Drill skipped. {note.split(' Enter:')[0]}")
            self.show()

    def action_part(self) -> None:
        """The next part (all, forward, backward, unit 1..K): each part of this step keeps
        its own answers and score (after a finished drill, the next step's)."""
        arch = self.session.experiment.arch
        names = subsets(arch.n_hidden, arch.depth)
        self.part = names[(names.index(self.part) + 1) % len(names)] \
            if self.part in names else names[0]
        self.start()

    def action_scroll(self, pages: int) -> None:
        log = self.query_one("#drill-log", VerticalScroll)
        (log.scroll_page_down if pages > 0 else log.scroll_page_up)(animate=False)

    def action_close(self) -> None:
        self.dismiss()

    def action_help(self) -> None:
        from nntui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(
            [b for b in self.BINDINGS if isinstance(b, Binding)],
            "Type each number of the step in order and press Enter. A wrong answer shows "
            "a hint (the formula with the known numbers filled in); a second wrong answer "
            f"shows the answer. {RULE} Type numbers as -0.5, .5 or 1e-3 (spaces are "
            "ignored). The step is applied to training only when the drill is done or "
            "skipped with ctrl+s; escape leaves it unapplied."))
