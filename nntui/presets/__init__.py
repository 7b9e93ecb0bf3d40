"""The ready experiments: TOML files shipped inside the package (`nntui presets`).

Package data, found as importlib.resources finds it (lab/config.py), so they are found by
name however nntui is installed: from a checkout, a wheel, `pip install --user` or pipx. The
first comment line of each file is its one-line description.
"""
