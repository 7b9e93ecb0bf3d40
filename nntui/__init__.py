"""nntui: single-step the mathematics of a small neural network in a terminal."""

__version__ = "0.1.0"
