"""`python -m nntui` is the same as `nntui`."""

from nntui.cli import entry

entry()
