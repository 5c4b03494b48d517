"""Packaging metadata in its current form (PEP 639), so installing prints no deprecation warning."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_licence_is_an_spdx_expression_with_its_file() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"  # a string, not the deprecated {text = ...} table
    for name in project["license-files"]:
        assert (REPO / name).read_text(encoding="utf-8").startswith("MIT License")
