"""``python -m kingmaker`` runs the command line."""

from kingmaker.cli.main import run

run()
