"""The guided lab's pages: the course's experiments, in the course's order, as data.

Each page says what to change and why, the settings that do it (option names and values
as in a TOML experiment, checked by the option registry), one question for the student
and what to look at. The settings apply on top of the lab's base (the defaults, or the
options given to `nntui lab`); a page leaves everything it does not name at the base.
The texts are templates: `{epochs}`, `{lr}`, `{base_lr}`, `{test_rows}`, ... are filled
from the page's effective configuration and the base (guided.text_values), so
`nntui lab --epochs 20` says 20 epochs. Results quoted in words (R² about 0.3) are what
the default data gives; the screen shows each run's own numbers beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: The ranges of the notebook's "wide data" experiment (also the ready one, wide-range).
WIDE = {"n1-range": [0, 20], "n2-range": [0, 50], "noise-range": [0.0, 10.0]}


@dataclass(frozen=True)
class Page:
    """One experiment of the course: what to change, the settings, a question, a hint."""

    id: str  # stable: answers and runs are saved under it
    title: str
    text: str  # what to change and why
    question: str
    look_at: str  # what the student should notice (dead units, R² near 0, divergence)
    settings: dict[str, Any] = field(default_factory=dict)  # option name -> value


PAGES: tuple[Page, ...] = (
    Page("baseline", "The notebook's network",
         "Start where the notebook starts: generated data n3 = n1² + n2 + noise ({inputs}, "
         "noise in [{noise_lo}, {noise_hi})), a {net} {activation_name} network from "
         "{init_text}, learning rate {lr}, {epochs} epochs of {sgd}. This run is the "
         "reference the next pages are compared with.",
         "The loss falls fast and then slowly: what is the network still learning in the "
         "slow part?",
         "The two phases of the curve; R² close to 1; how often each hidden unit is 0 "
         "(a unit that is 0 on some rows only still learns)."),
    Page("wide-ranges", "Wider data ranges",
         "Widen the inputs ({inputs}) and the noise ([{noise_lo}, {noise_hi})), with "
         "{rows} rows. The target now spans about 0..{target_hi} instead of "
         "0..{base_target_hi}, and the network still sees everything scaled to [0, 1].",
         "Why did the loss fall when the ranges widened?",
         "The scaled MSE against the previous page's; the noise is now a smaller share "
         "of the target's range. MAE (Results tab) is in original units: it grows.",
         {**WIDE, "rows": 300}),
    Page("more-noise", "More noise",
         "Back to the narrow ranges, but with noise in [{noise_lo}, {noise_hi}): the noise "
         "is now larger than the signal n1² + n2 (at most {signal_hi}).",
         "Why is R² close to 0 although the training loss went down?",
         "R² near 0: the predictions explain almost none of the target's spread; the "
         "curve flattens early at a high loss.",
         {"noise-range": [0.0, 50.0]}),
    Page("init-large", "Large initial weights",
         "Start from weights of size 2-3 with mixed signs (preset large) instead of the "
         "notebook's moderate ones.",
         "Why does one hidden unit stop changing after the first few updates?",
         "The first loss (try the log scale, l); a dead unit: once a ReLU unit is 0 on "
         "every row it gets no gradient, so its input weights stop where they are "
         "(compare w1, w2 and b1 with their start in the Results tab).",
         {"init": "large"}),
    Page("init-small", "Tiny initial weights",
         "Start from the same pattern divided by 1000 (preset small, weights about "
         "0.002).",
         "Why does training start slowly from tiny weights?",
         "The flat beginning of the curve: every gradient through a hidden unit is "
         "multiplied by a tiny output weight. Look for a dead unit as well.",
         {"init": "small"}),
    Page("init-ones", "All weights 1",
         "Set every weight and bias to 1 (preset ones).",
         "At the end, compare w1 with w3 and w2 with w4: why are they equal?",
         "The final weights (o): both hidden units get the same gradients from the same "
         "start, so they stay copies of each other, and the network has one unit's "
         "worth of shapes.",
         {"init": "ones"}),
    Page("init-normal", "Random normal weights",
         "Draw every weight and bias from a normal distribution N(0, {sigma}²) (preset "
         "normal; "
         "the draw is seeded, so the same seed gives the same start).",
         "How does the random start compare with the notebook's fixed one?",
         "The final loss and R² against the first page; whether a unit starts (and "
         "stays) dead.",
         {"init": "normal"}),
    Page("lr-tiny", "A tiny learning rate",
         "Lower the learning rate from {base_lr} to {lr} ({base_lr_ratio} times smaller).",
         "Why has the loss barely moved after {epochs} epochs?",
         "The curve still falling at the last epoch; R² well below the first page's.",
         {"lr": 0.00005}),
    Page("lr-large", "A larger learning rate",
         "Raise the learning rate to {lr} ({lr_ratio} times the base's {base_lr}).",
         "The curve drops within a few epochs: why does the final loss not get much "
         "lower than at {base_lr}?",
         "How many epochs the drop takes; the final loss against the first page's (the "
         "noise sets a floor no rate can go below).",
         {"lr": 0.1}),
    Page("lr-diverge", "Learning rate 1: divergence",
         "Use learning rate {lr} on the wide data: each update now overshoots.",
         "What happened to the loss and the weights, and why does a large rate make "
         "every step overshoot?",
         "Divergence: the run stops at the epoch where the loss exploded and keeps the "
         "last finite weights; use the log scale (l) to see the other curves beside it.",
         {**WIDE, "lr": 1.0}),
    Page("rows-30", "30 rows",
         "Train on {rows} generated rows instead of {base_rows} ({train_rows} for training, "
         "{test_rows} for testing).",
         "How far apart are the training and the test loss, and why can {test_rows} test "
         "rows mislead?",
         "The test curve against the training curve; the test R² from only {test_rows} "
         "rows.",
         {"rows": 30}),
    Page("rows-1000", "1000 rows",
         "Train on {rows} generated rows ({train_rows} for training, {test_rows} for "
         "testing).",
         "Did more rows lower the loss? What else did they change?",
         "A smoother curve, the same floor as with {base_rows} rows; each epoch now takes "
         "{updates} updates instead of {base_updates}.",
         {"rows": 1000}),
    Page("real-data", "R² and MAPE on real data",
         "Switch to scikit-learn's diabetes table (442 patients; inputs bmi and blood "
         "pressure, target the disease progression after a year), learning rate {lr}, "
         "{epochs} epochs.",
         "Why is R² only about 0.3 here when it was close to 1 on generated data, and "
         "what does a MAPE of about 40% mean for one patient?",
         "R² and MAPE (Results tab): two inputs explain a third of the spread; MAPE is "
         "the mean error as a percentage of each patient's value.",
         {"dataset": "diabetes", "features": ["bmi", "bp"], "lr": 0.01, "epochs": 200}),
    Page("framework", "A framework comparison",
         "The notebook's network once more, {epochs} epochs. Then press k: scikit-learn's "
         "MLPRegressor trains the same network from the same initial weights.",
         "scikit-learn reports a different loss for epoch 1: why, and what learning rate "
         "does it need to make the same updates?",
         "The weights side by side (they agree); epoch 1 as each tool reports it (before "
         "or after the updates, L or ½L).",
         {"epochs": 50}),
    Page("deeper", "A deeper network",
         "Give the network two hidden layers of 4 {activation_name} units: {net} instead "
         "of {base_net}, the same data, learning rate {lr} and {epochs} epochs. Every δ now "
         "flows back one layer more: δ1 = (W2ᵀ δ2) ⊙ relu'(z1), each gradient is a δ times "
         "the input it multiplies.",
         "Which hidden units ended up dead, and what does a dead unit of layer 2 pass back "
         "to the units of layer 1?",
         "The notes under the run (a unit such as h2[3] that is 0 on every row is dead); "
         "in the inspector (i, then . and , turn the layer pages) a dead unit's δ is 0, so "
         "δ1 sums over the live units of layer 2 only. The final loss against the first "
         "page's {base_net} network.",
         {"hidden": [4, 4], "set": {}}),
    Page("classify", "Classification",
         "Switch to two classes: {rows} points, a circle inside a ring (spread {spread}). "
         "The output is now y_hat = sigmoid(z_out), the probability of class 1, and the "
         "loss the cross-entropy L = -(y ln y_hat + (1 - y) ln(1 - y_hat)); a {net} "
         "network, learning rate {lr}, {epochs} epochs.",
         "Why is the output's δ simply y_hat - y, and what do the accuracy and the "
         "log-loss each tell that the other does not?",
         "Accuracy and log-loss (Results tab; R² is n/a for classes) and the confusion "
         "table; in the inspector the output's δ: dL/dy_hat * dy_hat/dz_out = (y_hat - y)/"
         "(y_hat(1 - y_hat)) * y_hat(1 - y_hat) = y_hat - y.",
         {"task": "classify", "dataset": "circle", "rows": 200, "hidden": 4, "lr": 0.05,
          "epochs": 200}),
    Page("optimizers", "Optimizers",
         "Keep the first page's network, data and learning rate {lr}, and change only the "
         "update rule to Adam (β1 {beta1}, β2 {beta2}, ε {eps}): each step is lr·m̂/(√v̂ + "
         "ε), about lr in size whatever the gradient. Plain SGD is the first page's run; "
         "momentum (v <- {momentum}v - lr·g; p <- p + v) is `nntui run --optimizer "
         "momentum`, and `nntui sweep --config optimizers` runs all three.",
         "At the same learning rate, which rule gets the loss down fastest in the first "
         "epochs, and why does Adam's step not shrink with a small gradient?",
         "The curve against the first page's (o, l: the log scale); in the inspector's "
         "Update section the terms with numbers: m, v, their corrections m̂ and v̂, and "
         "the step.",
         {"optimizer": "adam"}),
)
