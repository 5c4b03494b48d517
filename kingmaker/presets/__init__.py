"""Embedded presets: small facts (parliaments with their sources) shipped as TOML package data."""
