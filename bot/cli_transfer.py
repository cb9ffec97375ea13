"""`salesbot import` and `salesbot export` (filled in by the CSV import/export work)."""

from __future__ import annotations

from typing import Any

import click


def register(cli: click.Group, pass_context: Any) -> None:
    """Add the import/export commands to the `salesbot` group."""
