"""ASCII mode spells every formula at its source: `n1^2`, `R^2`, `beta1`, `lr*m_hat`,
`sqrt(v_hat)`; the cell filter (ui/ascii.py) is left only the drawing (borders, blocks,
braille) and punctuation, never a symbol of the mathematics, which it could only turn
into a look-alike (`n1²` into `n12`, `λ` into `?`, `lr·g` into `lr.g`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from app_helpers import hit, make_app, plain, running, screen_text, settle
from nntui.lab.config import ExperimentConfig
from nntui.lab.drill import questions
from nntui.lab.guided import page_words
from nntui.lab.guided_pages import PAGES
from nntui.lab.session import Session
from nntui.lab.worked import worked_step
from nntui.lab.worked_optim import optimizer_lines
from nntui.ui.ascii import AsciiFilter, spelled
from nntui.ui.widgets.worked_view import WorkedView


def maths(text: str) -> set[str]:
    """The symbols of mathematics in `text`: Greek letters, operators and arrows,
    superscripts, combining accents (m̂), fractions, and a middle dot between two operands
    (a product; spaced, it separates: `epoch 3 · update 7`)."""
    found = set()
    for i, c in enumerate(text):
        if c.isascii():
            continue
        if c == "·":
            before, after = text[i - 1 : i], text[i + 1 : i + 2]
            if (before.isalnum() or before in ")]'") and (after.isalnum() or after in "(["):
                found.add(c)
            continue
        if unicodedata.category(c) in ("Sm", "No", "Mn", "Lm") or \
                unicodedata.name(c, "").startswith("GREEK"):
            found.add(c)
    return found


@pytest.mark.parametrize(("text", "ascii"), [
    ("n3 = n1² + n2", "n3 = n1^2 + n2"),
    ("test R²", "test R^2"),
    ("p <- p - lr·m̂/(√v̂ + ε)", "p <- p - lr*m_hat/(sqrt(v_hat) + eps)"),
    ("ε·√(1-β2^t), L2 λ 0.01", "eps*sqrt(1-beta2^t), L2 lambda 0.01"),
    ("δ1 = (W2ᵀ δ2) ⊙ relu'(z1)", "delta1 = (W2^T delta2) (*) relu'(z1)"),
    ("(W2[1,1]·δ2[1] + W2[2,1]·δ2[2]) * g", "(W2[1,1]*delta2[1] + W2[2,1]*delta2[2]) * g"),
    ("½ x mean L, N(0, σ²)", "1/2 x mean L, N(0, sigma^2)"),
    ("epoch 3 · update 7", "epoch 3 · update 7"),  # a separator: the filter draws `.`
    ("0.12 ·.:-=+*#%@ 3.4", "0.12 ·.:-=+*#%@ 3.4"),  # the landscape's ramp is no product
])
def test_spellings(text: str, ascii: str) -> None:
    assert spelled(text) == ascii


def lab_texts() -> Iterator[str]:
    """What the guided lab, the update lines and the drill say, in every variant."""
    for page in PAGES:
        words = page_words(page)
        yield from (page.title, words.text, words.question, words.look_at, words.command)
    for cfg in ({"optimizer": "adam", "l2": 0.01}, {"optimizer": "momentum", "l2": 0.1},
                {"task": "classify", "dataset": "blobs", "hidden": (3, 2)}):
        session = Session(ExperimentConfig(**cfg))  # type: ignore[arg-type]
        session.step()
        ws = worked_step(session.experiment, session.preview(), numeric=False)
        if ws.record.optimizer is not None:
            yield from optimizer_lines(ws)
        for q in questions(ws):
            yield q.hint


def test_every_text_of_the_lab_spells_to_ascii() -> None:
    for text in lab_texts():
        assert spelled(text).isascii(), (text, spelled(text))


class Witness:
    """What reaches the cell filter: the line and the mathematical symbols in it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.where = "start"
        self.found: list[tuple[str, str, str]] = []
        apply = AsciiFilter.apply

        def witnessed(filt: AsciiFilter, segments: list, background: object) -> list:
            line = "".join(s.text for s in segments if not s.control)
            self.found += [(self.where, c, line.strip()) for c in sorted(maths(line))]
            return apply(filt, segments, background)  # type: ignore[arg-type]

        monkeypatch.setattr(AsciiFilter, "apply", witnessed)
        self.screens: dict[str, str] = {}

    async def look(self, pilot: Pilot, where: str) -> None:
        """Draw the whole screen as `where` and keep what the terminal shows."""
        await settle(pilot)
        self.where = where
        for widget in pilot.app.screen.walk_children(with_self=True):
            widget._styles_cache.clear()  # noqa: SLF001 - lines are cached filtered
        self.screens[where] = screen_text(pilot.app)

    def start(self) -> None:
        """From now on (the sidebar hidden: its field labels are not checked here)."""
        self.found.clear()

    def check(self) -> None:
        for where, text in self.screens.items():
            assert text.isascii(), (where, sorted({c for c in text if not c.isascii()}))
        assert not self.found, self.found[:10]


async def walk(pilot: Pilot, w: Witness, keys: list[tuple[str, str]],
               first: bool = True) -> None:
    """Hide the sidebar (`first`), then press each key and look at the screen it leads to."""
    if first:
        await hit(pilot, "b")
        await w.look(pilot, "main")
        w.start()
    for key, where in keys:
        await hit(pilot, key)
        await w.look(pilot, where)


def ascii_app(**cfg: object):  # noqa: ANN201
    app = make_app(**cfg)
    return type(app)(app.session, ascii_only=True)


# The sidebar's field labels (`L2 λ`, `adam β1`) are the settings widgets' (being rewritten
# elsewhere): `b` hides the sidebar, so what is checked here is every other screen.
MAIN = [("f", "loss"), ("2", "results"), ("3", "data"), ("4", "runs"),
        ("5", "fit"), ("p", "fit curve"), ("6", "landscape"), ("1", "loss again"),
        ("question_mark", "help"), ("escape", "main again")]


async def test_main_tabs_inspector_and_drill_spell_their_maths(
        monkeypatch: pytest.MonkeyPatch) -> None:
    w = Witness(monkeypatch)
    app = ascii_app(epochs=3, optimizer="momentum", l2=0.01)
    async with running(app, (100, 40)) as pilot:
        await walk(pilot, w, [*MAIN, ("i", "inspector")])
        worked = plain(app.screen.query_one(WorkedView))
        await walk(pilot, w, [("n", "inspector, next sample"),
                              ("question_mark", "inspector help"), ("escape", "inspector"),
                              ("d", "drill"), ("question_mark", "drill help"),
                              ("escape", "drill again")], first=False)
    w.check()
    assert "R^2" in w.screens["results"] and not maths(worked)  # the chain, even off screen
    assert "dL/dy_hat * dy_hat/dh1 * dh1/dz1 * dz1/dw1" in worked  # the product sign
    assert "v <- beta*v - lr*g" in worked and "g = dL/dp + lambda*p" in worked


async def test_layered_inspector_under_adam_spells_its_maths(
        monkeypatch: pytest.MonkeyPatch) -> None:
    w = Witness(monkeypatch)
    app = ascii_app(epochs=3, hidden=(3, 2), optimizer="adam", l2=0.01, task="classify",
                    dataset="blobs")
    async with running(app, (160, 50)) as pilot:
        await walk(pilot, w, [("f", "loss"), ("4", "runs"),
                              ("i", "inspector"), ("full_stop", "layer 2"),
                              ("full_stop", "output layer"), ("question_mark", "help")])
    w.check()
    assert "delta2[1]" in w.screens["inspector"] and "m_hat" in w.screens["output layer"]


async def test_guided_lab_pages_spell_their_maths(monkeypatch: pytest.MonkeyPatch) -> None:
    w = Witness(monkeypatch)
    app = ascii_app(epochs=3)
    async with running(app, (100, 40)) as pilot:
        await walk(pilot, w, [("L", "page 1"),
                              *(("n", f"page {n}") for n in range(2, len(PAGES) + 1)),
                              ("question_mark", "guided lab help")])
    w.check()
    pages = "".join(w.screens[f"page {n}"] for n in range(1, len(PAGES) + 1))
    assert "n1^2" in pages and "R^2" in pages and "beta1" in pages

