"""`nntui lab [OPTIONS]`: the app, opened on the guided lab (ui/screens/guided.py).

The options are the lab's base: every page starts from them and changes what it names
(`nntui lab --epochs 50` shortens every page that keeps the default epochs). The same
checks as the app: no terminal, a bad option or data: one error line, status 2.
"""

from __future__ import annotations

import argparse

from nntui.lab.config import ExperimentConfig


def cmd_lab(cfg: ExperimentConfig, ns: argparse.Namespace) -> int:
    """Check that every page's settings hold on this base, then open the app on the lab."""
    from nntui.cli.commands import cmd_app
    from nntui.lab.guided import page_config
    from nntui.lab.guided_pages import PAGES

    for page in PAGES:  # e.g. a base that a page's settings cannot be combined with
        page_config(page, cfg)
    return cmd_app(cfg, ns, lab=True)
