"""kingmaker: the numbers of elections, parliaments and coalitions."""

from kingmaker.errors import InputError, KingmakerError, RuleError, TooLargeError, UnknownNameError

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "KingmakerError",
    "RuleError",
    "TooLargeError",
    "UnknownNameError",
    "__version__",
]
