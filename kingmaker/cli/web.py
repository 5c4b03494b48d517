"""``kingmaker serve`` (the coalition page) and ``kingmaker live`` (results night)."""

from __future__ import annotations

import errno
import ipaddress
import os
import secrets
import socket
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


def check_base(base: str) -> None:
    """Refuse at once a ``--base`` that is neither a data set name nor a file (before any port or
    database is opened)."""
    from kingmaker.datasets import DATASETS

    if base not in DATASETS and not Path(base).is_file():
        raise InputError(f"--base: {base!r} is neither a known data set ({', '.join(DATASETS)}) nor a file")


def load_base(base: str, data_dir: Path | None) -> Any:
    """A base VoteTable from a data set name or a results file (given by the operator, never a client)."""
    from kingmaker.datasets import DATASETS, load_dataset

    check_base(base)
    if base in DATASETS:
        return load_dataset(base, data_dir=data_dir)
    path = Path(base)
    from kingmaker.io.hoc import read_results

    return read_results(path)


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port``, bound before the server starts, so a port in use
    is one clear error (uvicorn's own message comes after start-up and exits 1)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"--host: cannot resolve {host!r} ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: TIME_WAIT is fine
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InputError(f"port {port} is in use") from None
        if exc.errno == errno.EACCES:
            raise InputError(f"port {port} needs privileges to listen on (use one above 1023)") from None
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def is_loopback(host: str) -> bool:
    """Whether ``host`` keeps the server on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def warn_exposed(host: str, what: str) -> None:
    """A warning on stderr when ``host`` is reachable from other machines over plain HTTP."""
    if not is_loopback(host):
        typer.echo(
            f"warning: --host {host} is not a loopback address: {what} are then exposed over plain HTTP "
            "(unencrypted) to every machine that can reach this one; serve it behind an HTTPS proxy, "
            "or keep the default 127.0.0.1",
            err=True,
        )


def _run_server(app: Any, sock: socket.socket) -> None:
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])


def _url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def tokens_from_environment() -> tuple[dict[str, str], str]:
    """The write tokens and where they came from: ``KINGMAKER_TOKENS`` (``label=token,...``: one per
    desk, each label kept in the audit trail), else ``KINGMAKER_TOKEN`` (labelled ``operator``),
    else a new random one for this run."""
    from kingmaker.web.live import DEFAULT_ACTOR

    tokens: dict[str, str] = {}
    named = os.environ.get("KINGMAKER_TOKENS", "").strip()
    if named:
        for item in named.split(","):
            label, sep, token = item.partition("=")
            if not sep or not label.strip() or not token.strip():
                raise InputError("KINGMAKER_TOKENS must be label=token pairs separated by commas")
            tokens[label.strip()] = token.strip()
        source = "from KINGMAKER_TOKENS"
    elif os.environ.get("KINGMAKER_TOKEN"):
        tokens[DEFAULT_ACTOR] = os.environ["KINGMAKER_TOKEN"]
        source = "from KINGMAKER_TOKEN"
    else:
        tokens[DEFAULT_ACTOR] = secrets.token_urlsafe(32)
        source = "new for this run"
    short = [label for label, token in tokens.items() if len(token) < 16]
    if short:
        raise InputError(f"write tokens must be at least 16 characters (too short: {', '.join(short)})")
    if len(set(tokens.values())) < len(tokens):
        raise InputError("KINGMAKER_TOKENS: each label needs its own token")
    return tokens, source


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
    if base:
        check_base(base)
    sock = listen(host, port)
    try:
        table = load_base(base, data_dir) if base else None
    except BaseException:
        sock.close()
        raise
    warn_exposed(host, "the page and the ballot-count upload")
    gate = ReadGate(processes=read_processes)
    app = create_app(parliament, base=table, allowed_hosts=_allowed_hosts(host), gate=gate)
    typer.echo(
        f"kingmaker: serving {parliament.title or parliament.name} on {_url(host, sock)} (Ctrl-C stops)"
    )
    _run_server(app, sock)


def live_command(
    base: Annotated[str, typer.Option("--base", help="Previous results: data set name or results file.")],
    db: Annotated[Path, typer.Option("--db", help="DuckDB file keeping every declared result.")] = Path(
        "results.duckdb"
    ),
    preset: PresetOption = None,
    data_dir: DataDirOption = None,
    watch: Annotated[
        Path | None,
        typer.Option(
            "--watch",
            help="A CSV (constituency,party,votes[,total][,winner]) to poll for declared results; a "
            "constituency is taken once complete: its votes add up to its total, or (no total column) "
            "another constituency follows it.",
        ),
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
    check_base(base)
    tokens, source = tokens_from_environment()
    sock = listen(host, port)
    new_file = not db.exists()
    try:
        store = ResultStore(db)
    except InputError:
        sock.close()
        raise
    try:
        table = load_base(base, data_dir)
        service = LiveService(table, store, token=tokens, preset=preset, simulations=simulations)
    except BaseException:
        store.close()
        sock.close()
        if new_file:  # a failed start leaves no empty results file behind
            for leftover in (db, db.with_name(db.name + ".wal")):
                leftover.unlink(missing_ok=True)
        raise
    warn_exposed(host, "the page, the ballot-count upload, the result uploads and the write token")
    gate = ReadGate(processes=read_processes)
    app = create_app(service.parliament, live=service, allowed_hosts=_allowed_hosts(host), gate=gate)
    if watch is not None:
        service.watch_csv(watch, report=lambda message: typer.echo(message, err=True))
    typer.echo(f"kingmaker live: {store.count()} results already stored in {db}")
    for label, token in tokens.items():
        typer.echo(f"write token {label} ({source}): {token}")
    typer.echo(f"serving on {_url(host, sock)} (Ctrl-C stops)", err=False)
    try:
        _run_server(app, sock)
    finally:
        service.close()


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``live`` to the CLI."""
    app.command("serve")(serve_command)
    app.command("live")(live_command)
