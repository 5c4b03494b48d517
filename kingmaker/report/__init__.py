"""Presentation: plots and printed reports built from library results (no counting logic here)."""
