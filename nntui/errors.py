"""The one exception type for user mistakes: its message is shown as is, never a traceback."""


class UserError(Exception):
    """Bad input from the user (a flag, a config file, a data file, a field in the app)."""
