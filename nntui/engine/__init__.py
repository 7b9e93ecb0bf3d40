"""The engine: pure computation with numpy only (docs/design.md §4).

Network, activations, the fast per-sample loop, the trainer, initialisation, scaling and
metrics. No files, no processes, no pandas, no textual: everything here is a function of
its arguments, so it can be read in one sitting and tested on its own.
"""
