"""``kingmaker serve`` (the coalition page) and ``kingmaker live`` (results night)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from kingmaker.cli.common import FileOption, PresetOption, SeatsOption, load_parliament
from kingmaker.errors import InputError

#: Worker processes for the expensive reads by default (see ``--read-processes``). Measured with
#: benchmarks/serve_load.py (45 worst-case readers, 4 writers, 2 cores): with 2 processes the
#: write p99 was 190 ms, with the reads on threads of the server 263 ms (they share its GIL).
READ_PROCESSES = 2

HostOption = Annotated[
    str,
    typer.Option(help="Address to bind. The default 127.0.0.1 keeps the page on this machine."),
]
PortOption = Annotated[int, typer.Option(min=0, max=65535, help="TCP port (0 = any free port).")]
BaseOption = Annotated[
    str | None,
    typer.Option(
        "--base",
        help="Base constituency results: a data set name (e.g. uk-2010-results) or a results file.",
    ),
]
ReadProcessesOption = Annotated[
    int,
    typer.Option(
        "--read-processes",
        min=0,
        max=8,
        help="Run the expensive reads (coalitions, power, projections) in this many worker processes; "
        "0 runs them on threads of the server process.",
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder holding the data set's files (else the cache or a download)."),
]


def load_base(base: str, data_dir: Path | None) -> Any:
    """A base VoteTable from a data set name or a results file (given by the operator, never a client)."""
    from kingmaker.datasets import DATASETS, load_dataset

    if base in DATASETS:
        return load_dataset(base, data_dir=data_dir)
    path = Path(base)
    if not path.is_file():
        raise InputError(f"--base: {base!r} is neither a known data set ({', '.join(DATASETS)}) nor a file")
    from kingmaker.io.hoc import read_results

    return read_results(path)


def _run_server(app: Any, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,
    )


def _allowed_hosts(host: str) -> tuple[str, ...] | None:
    from kingmaker.web.app import LOOPBACK_HOSTS

    return LOOPBACK_HOSTS if host in ("127.0.0.1", "localhost", "::1") else None


def serve_command(
    preset: PresetOption = None,
    file: FileOption = None,
    seats: SeatsOption = None,
    base: BaseOption = None,
    data_dir: DataDirOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    read_processes: ReadProcessesOption = READ_PROCESSES,
) -> None:
    """Serve the coalition page: hemicycle, coalition builder, governments, power, sliders, ballot counts."""
    from kingmaker.web.app import create_app
    from kingmaker.web.gate import ReadGate

    parliament = load_parliament(preset, file, seats)
    table = load_base(base, data_dir) if base else None
    gate = ReadGate(processes=read_processes)
    app = create_app(parliament, base=table, allowed_hosts=_allowed_hosts(host), gate=gate)
    typer.echo(
        f"kingmaker: serving {parliament.title or parliament.name} on http://{host}:{port}/ (Ctrl-C stops)"
    )
    _run_server(app, host, port)


def live_command(
    base: Annotated[str, typer.Option("--base", help="Previous results: data set name or results file.")],
    db: Annotated[Path, typer.Option("--db", help="DuckDB file keeping every declared result.")] = Path(
        "results.duckdb"
    ),
    preset: PresetOption = None,
    data_dir: DataDirOption = None,
    watch: Annotated[
        Path | None,
        typer.Option("--watch", help="A CSV (constituency,party,votes) to poll for newly declared results."),
    ] = None,
    simulations: Annotated[
        int, typer.Option(min=0, help="Monte Carlo draws behind the coalition probabilities.")
    ] = 500,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    read_processes: ReadProcessesOption = READ_PROCESSES,
) -> None:
    """Results night: accept declared results (token-protected), keep them in DuckDB, project the rest live."""
    from kingmaker.web.app import create_app
    from kingmaker.web.gate import ReadGate
    from kingmaker.web.live import LiveService, ResultStore
    from kingmaker.web.models import MAX_SIMULATIONS

    if simulations > MAX_SIMULATIONS:
        raise InputError(f"--simulations: at most {MAX_SIMULATIONS}")
    token = os.environ.get("KINGMAKER_TOKEN") or secrets.token_urlsafe(32)
    if len(token) < 16:
        raise InputError("KINGMAKER_TOKEN must be at least 16 characters")
    table = load_base(base, data_dir)
    store = ResultStore(db)
    service = LiveService(table, store, token=token, preset=preset, simulations=simulations)
    gate = ReadGate(processes=read_processes)
    app = create_app(service.parliament, live=service, allowed_hosts=_allowed_hosts(host), gate=gate)
    if watch is not None:
        service.watch_csv(watch)
    source = "from KINGMAKER_TOKEN" if os.environ.get("KINGMAKER_TOKEN") else "new for this run"
    typer.echo(f"kingmaker live: {store.count()} results already stored in {db}")
    typer.echo(f"write token ({source}): {token}")
    typer.echo(f"serving on http://{host}:{port}/ (Ctrl-C stops)", err=False)
    try:
        _run_server(app, host, port)
    finally:
        service.close()


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``live`` to the CLI."""
    app.command("serve")(serve_command)
    app.command("live")(live_command)
