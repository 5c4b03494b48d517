"""The public API re-exported from ``kingmaker``."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kingmaker


@pytest.mark.parametrize("name", [n for n in kingmaker.__all__ if not n.startswith("__")])
def test_every_export_resolves(name):
    assert getattr(kingmaker, name) is not None


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        kingmaker.no_such_thing  # noqa: B018


def test_import_is_light():
    """``import kingmaker`` must not drag in pandas or scipy."""
    code = "import sys, kingmaker; print('pandas' in sys.modules, 'scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_notebook_flow():
    commons = kingmaker.Parliament.preset("uk-2010")
    assert commons.coalitions().find(["Con", "LD"]).majority == 76
    ss = kingmaker.shapley_shubik(commons.weights(), commons.quota())
    assert abs(sum(ss.values()) - 1) < 1e-12
