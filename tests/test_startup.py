"""CLI start-up: help lists every command without importing them, and nothing heavy is imported."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import typer
import typer.main

from kingmaker.cli.main import COMMAND_MODULES, COMMANDS, load_command
from tests.cli_runner import invoke

HEAVY = ("pandas", "scipy", "matplotlib")


def _modules_after(code: str) -> list[str]:
    """The heavy modules loaded once ``code`` has run in a fresh interpreter."""
    probe = code + textwrap.dedent(f"""
        import json, sys
        print(json.dumps([m for m in {(*HEAVY, "numpy")!r} if m in sys.modules]))
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_cli_imports_nothing_heavy() -> None:
    assert _modules_after("import kingmaker.cli.main") == []


_QUIET = textwrap.dedent("""
    import contextlib, io
    from kingmaker.cli.main import run
    def quiet(args):
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                run(args)
            except SystemExit:
                pass
""")


def test_help_imports_not_even_numpy() -> None:
    assert _modules_after(_QUIET + "quiet(['--help'])\n") == []


def test_each_command_help_imports_no_pandas_scipy_matplotlib() -> None:
    names = [name for name, _, _ in COMMANDS]
    loaded = _modules_after(_QUIET + f"for name in {names!r}:\n    quiet([name, '--help'])\n")
    assert not set(loaded) & set(HEAVY), loaded


def test_each_command_help_imports_no_pydantic_nor_click() -> None:
    """Typer coerces a flag left unset (the group's ``--help`` when a command's is asked for)
    through Pydantic; the group's default of False avoids that. Typer >= 0.26 carries its own
    click, so the real one is not needed either (older Typer imports it itself)."""
    names = [name for name, _, _ in COMMANDS]
    probe = "import sys\nimport typer\nTYPER_CLICK = 'click' in sys.modules\n" + _QUIET
    probe += f"for name in {names!r}:\n    quiet([name, '--help'])\n"
    probe += "import json\nprint(json.dumps([m for m in ('pydantic', 'click') if m in sys.modules"
    probe += " and not (m == 'click' and TYPER_CLICK)]))\n"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_a_command_that_needs_no_parliament_does_not_load_one() -> None:
    """``kingmaker.cli.common`` makes ``PresetOption`` (whose help lists the presets) on first use."""

    def parliament_after(name: str) -> str:
        probe = (
            _QUIET
            + f"quiet([{name!r}, '--help'])\nimport sys\nprint('kingmaker.parliament' in sys.modules)\n"
        )
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()[-1]

    assert parliament_after("odds") == "False"
    assert parliament_after("coalitions") == "True"  # its --preset help lists the presets


def test_the_listed_commands_are_the_registered_ones() -> None:
    """COMMANDS (name, module, help) matches what the modules register, in full."""
    eager = typer.Typer()
    for module in COMMAND_MODULES:
        __import__(f"kingmaker.cli.{module}", fromlist=["register"]).register(eager)
    real = typer.main.get_group(eager).commands
    assert {name for name, _, _ in COMMANDS} == set(real)
    for name, module, help_text in COMMANDS:
        assert module in COMMAND_MODULES
        assert real[name].help == help_text, name
        assert load_command(name).help == help_text


def test_help_lists_every_command_and_commands_still_run() -> None:
    res = invoke("--help")
    assert res.exit_code == 0
    for name, _, _ in COMMANDS:
        assert f" {name} " in res.stdout
    res = invoke("coalitions", "--seats", "A=40,B=35,C=25", "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["coalitions"][0]["parties"] == ["B", "C"]
    res = invoke("nosuch")
    assert res.exit_code == 2 and "No such command" in res.stderr
