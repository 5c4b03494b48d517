"""Tables that fit the terminal.

Every command prints through one :class:`TerminalConsole`, whose width is read when it prints:
``$COLUMNS`` if set, else the terminal's width, else :data:`PIPE_WIDTH` (output to a pipe or file
is not squeezed to 80 columns). A table built with :func:`fitted_table` declares, per column, a
drop priority: while the table's natural width exceeds the console's, the column with the highest
priority goes (ties: the rightmost first), and the command says which went and that ``--wide``
shows them. Whatever still does not fit is wrapped by Rich inside its cells. ``--wide``
(:func:`console_for`) prints every column at its natural width, however wide.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import typer
from rich.console import Console, ConsoleDimensions
from rich.measure import Measurement
from rich.table import Table

#: Width when stdout is neither a terminal nor sized by ``$COLUMNS`` (a pipe or a file).
PIPE_WIDTH = 160
#: Width of the ``--wide`` console: in effect unbounded.
WIDE_WIDTH = 10_000

WideOption = Annotated[
    bool,
    typer.Option(
        "--wide", help="Show every column at its full width (default: fit the terminal, dropping columns)."
    ),
]

Justify = Literal["left", "center", "right"]


def terminal_width() -> int:
    """``$COLUMNS``, else the terminal's width, else :data:`PIPE_WIDTH`."""
    return shutil.get_terminal_size((PIPE_WIDTH, 25)).columns or PIPE_WIDTH


class TerminalConsole(Console):
    """A Rich console whose width is the terminal's at print time (see :func:`terminal_width`),
    or a fixed ``width`` when one is given."""

    def __init__(self, *args: Any, fixed_width: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fixed_width = fixed_width

    @property
    def size(self) -> ConsoleDimensions:
        return ConsoleDimensions(self._fixed_width or terminal_width(), 25)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._fixed_width = new_size[0]


#: The console every command prints through.
console = TerminalConsole(highlight=False, soft_wrap=False)
_wide_console = TerminalConsole(highlight=False, soft_wrap=False, fixed_width=WIDE_WIDTH)


def console_for(wide: bool = False) -> TerminalConsole:
    """The console to print through: the terminal-wide one, or with ``wide`` an unbounded one."""
    return _wide_console if wide else console


@dataclass(frozen=True)
class Column:
    """A table column: its header, justification, and ``drop`` priority (0: always kept; the
    higher, the sooner it is dropped when the table is too wide); ``overflow="fold"`` breaks a
    word too long for the column (an address) over lines instead of cutting it short."""

    header: str
    justify: Justify = "left"
    drop: int = 0
    no_wrap: bool = False
    overflow: Literal["fold", "ellipsis"] = "ellipsis"


def natural_width(table: Table, out: Console) -> int:
    """The width ``table`` would take with no limit."""
    return Measurement.get(out, out.options.update_width(WIDE_WIDTH), table).maximum


def fitted_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    out: Console,
    **table_options: Any,
) -> tuple[Table, list[str]]:
    """A Rich table of ``rows`` that fits ``out``'s width, and the headers of the columns dropped to
    make it fit (highest ``drop`` first; among equals the rightmost), in column order."""
    keep = list(range(len(columns)))

    def build() -> Table:
        table = Table(**table_options)
        for i in keep:
            c = columns[i]
            table.add_column(c.header, justify=c.justify, no_wrap=c.no_wrap, overflow=c.overflow)
        for row in rows:
            table.add_row(*(row[i] for i in keep))
        return table

    table = build()
    width = out.width
    droppable = sorted((i for i in keep if columns[i].drop > 0), key=lambda i: (columns[i].drop, i))
    while droppable and natural_width(table, out) > width:
        keep.remove(droppable.pop())
        table = build()
    dropped = [columns[i].header for i in range(len(columns)) if i not in keep]
    return table, dropped


def print_fitted(table: Table, dropped: Sequence[str], out: Console) -> None:
    """Print ``table`` and, if columns were dropped to fit, one line naming them."""
    out.print(table)
    if dropped:
        out.print(f"Left out to fit {out.width} columns: {', '.join(dropped)} (--wide shows all).")


def column_blocks(table: Table, out: Console, keep: int = 1) -> list[Table]:
    """``table`` as it is where it fits ``out``'s width; else split into blocks of columns printed
    one under the other, each repeating the first ``keep`` columns (the row labels), as a printed
    count sheet runs over pages: every cell is shown whole, none truncated. The title goes on the
    first block (later ones say "continued"), the caption on the last."""
    width = out.width
    if natural_width(table, out) <= width or len(table.columns) <= keep + 1:
        return [table]
    head = list(range(keep))
    rest = list(range(keep, len(table.columns)))
    groups: list[list[int]] = []
    while rest:
        chosen = [rest.pop(0)]
        while rest and natural_width(_subset(table, head + chosen + rest[:1]), out) <= width:
            chosen.append(rest.pop(0))
        groups.append(chosen)
    blocks = []
    for n, chosen in enumerate(groups):
        block = _subset(table, head + chosen)
        if n:
            block.title = f"{table.title} (continued)" if table.title else None
        if n < len(groups) - 1:
            block.caption = None
        blocks.append(block)
    return blocks


def _subset(table: Table, indices: Sequence[int]) -> Table:
    """A copy of ``table`` with only the columns ``indices`` (their cells, rows and styles kept)."""
    from copy import copy
    from dataclasses import replace

    out = copy(table)
    out.columns = [replace(table.columns[i], _index=k) for k, i in enumerate(indices)]
    out.rows = list(table.rows)
    return out


def print_table(table: Table, out: Console, keep: int = 1) -> None:
    """Print ``table`` whole when it fits the terminal, else as :func:`column_blocks`."""
    for block in column_blocks(table, out, keep):
        out.print(block)
