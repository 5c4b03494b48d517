"""Run the real ``kingmaker`` entry point in-process and capture what it prints."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from kingmaker.cli.main import run


@dataclass(frozen=True)
class CliResult:
    """Exit code and captured streams of one CLI call."""

    exit_code: int
    stdout: str
    stderr: str


def invoke(*args: str) -> CliResult:
    """Call ``kingmaker ARGS...`` exactly as the console script does."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            run(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return CliResult(code, out.getvalue(), err.getvalue())
