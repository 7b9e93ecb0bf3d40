"""`nntui drill`: randomized exercise sheets of one SGD step, for a teacher to hand out.

Light at import (the parser is built for every command): the lab is imported by the
command itself. The sheet's answers are the engine's own step on the drawn numbers.
"""

from __future__ import annotations

import argparse

from nntui.engine.losses import TASKS
from nntui.engine.naming import ACTIVATIONS
from nntui.engine.optimizers import OPTIMIZERS
from nntui.errors import UserError

#: Inputs a sheet may have: beyond a few, nobody works a step by hand.
MAX_SHEET_INPUTS = 8
#: The update rule's constants a sheet takes (parsed and checked by the option registry).
UPDATE_CONSTANTS = (("--momentum", "BETA", "momentum β (default 0.9)"),
                    ("--beta1", "B1", "Adam's β1 (default 0.9)"),
                    ("--beta2", "B2", "Adam's β2 (default 0.999)"),
                    ("--eps", "EPS", "Adam's ε (default 1e-08)"),
                    ("--l2", "LAMBDA", "L2 weight decay λ on the weights (default 0)"))


def drill_arguments(drill: argparse.ArgumentParser) -> None:
    """`nntui drill`'s own options (registered in cli/subcommands.py)."""
    drill.add_argument("--seed", metavar="S", default="0", help="which sheet (default 0)")
    drill.add_argument("--activation", metavar="|".join(ACTIVATIONS), default="relu",
                       help="hidden-layer activation (default relu)")
    drill.add_argument("--hidden", metavar="K", default="2",
                       help="hidden units, or the widths of several hidden layers: 3,2 "
                       "(default 2)")
    drill.add_argument("--inputs", metavar="N", default="2", help="inputs (default 2)")
    drill.add_argument("--lr", metavar="LR", default=None,
                       help="learning rate (default 0.1, so each update shows)")
    drill.add_argument("--task", metavar="|".join(TASKS), default="regress",
                       help="regress (linear output, squared error) or classify (sigmoid "
                       "output, cross-entropy, a 0/1 target) (default regress)")
    drill.add_argument("--optimizer", metavar="|".join(OPTIMIZERS), default="sgd",
                       help="update rule of the step, its first update: momentum's v and "
                       "Adam's m, v start at 0 (default sgd)")
    for flag, metavar, what in UPDATE_CONSTANTS:
        drill.add_argument(flag, metavar=metavar, default=None, help=what)
    drill.add_argument("--part", metavar="PART", default="all",
                       help="all, forward, backward, unitJ, or layerN with several hidden "
                       "layers (default all)")
    drill.add_argument("--answers", action="store_true", help="add the answer key")
    out = drill.add_mutually_exclusive_group()
    out.add_argument("--markdown", action="store_true", help="print Markdown")
    out.add_argument("--json", action="store_true",
                     help="print one JSON object (with the answers)")


def cmd_drill(ns: argparse.Namespace) -> int:
    import json

    from nntui.cli.parser import printable
    from nntui.lab.config import OPTIONS, ExperimentConfig, parse_int
    from nntui.lab.drill import SHEET_LR, exercise
    from nntui.lab.drill_text import sheet, sheet_json

    seed = OPTIONS["seed"].parse(ns.seed)
    activation = OPTIONS["activation"].parse(ns.activation)
    hidden = OPTIONS["hidden"].parse(ns.hidden)
    lr = SHEET_LR if ns.lr is None else OPTIONS["lr"].parse(ns.lr)
    inputs = parse_int("--inputs", ns.inputs)
    if not 1 <= inputs <= MAX_SHEET_INPUTS:
        raise UserError(f"--inputs must be between 1 and {MAX_SHEET_INPUTS}, got {inputs}")
    task = OPTIONS["task"].parse(ns.task)
    rule = {"optimizer": OPTIONS["optimizer"].parse(ns.optimizer)}
    for flag, _, _ in UPDATE_CONSTANTS:
        key = flag[2:]
        if getattr(ns, key) is not None:
            rule[key] = OPTIONS[key].parse(getattr(ns, key))
    optimizer = ExperimentConfig().replace(**rule).optimizer_settings
    ws = exercise(seed, activation, hidden, inputs, lr, task, optimizer)
    part = ns.part.strip().lower()
    if ns.json:
        print(json.dumps(sheet_json(ws, seed, part), indent=2, allow_nan=False))
    else:
        print(printable(sheet(ws, seed, part, ns.answers, ns.markdown)))
    return 0
