"""The lab: everything around an experiment (docs/design.md §4).

The option registry and config files, data loading (pandas and scikit-learn imported
lazily), the run lifecycle, run documents and their storage, sweeps, exports, the
framework check and the worked example. It builds on the engine and never imports ui.
"""
