"""The one exception family of kingmaker.

Every error a user can cause (bad input, an impossible request, a rule that cannot be applied)
is a :class:`KingmakerError`. The command line turns any of them into a one-line message and
exit code 2; the library raises them so that callers can catch one type.
"""

from __future__ import annotations


class KingmakerError(Exception):
    """Base class of every error kingmaker raises on purpose."""


class InputError(KingmakerError, ValueError):
    """Malformed or invalid input: a file, a table, a command-line value.

    Where the problem is in a file, the message names the file and the line.
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.source = source
        self.line = line
        where = ""
        if source is not None:
            where = f"{source}:{line}: " if line is not None else f"{source}: "
        super().__init__(f"{where}{message}")


class UnknownNameError(InputError, KeyError):
    """A party, candidate, preset or method name that is not known."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class RuleError(KingmakerError):
    """A counting or allocation rule cannot be applied to the given input."""


class TooLargeError(KingmakerError):
    """A request that would take too long or too much memory, refused with the documented limit."""


class KingmakerWarning(UserWarning):
    """Something suspicious but computable, e.g. a quota at or below half of the total weight.

    The command line prints it as ``warning: ...`` on stderr and goes on (exit code 0).
    """
