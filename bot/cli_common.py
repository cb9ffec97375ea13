"""What every `salesbot` command module shares: the exit codes and how a refusal ends.

Its own module so that `bot.cli` (which registers the command modules) and the command
modules (which refuse) need not import each other.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

# docs/INTERFACES.md: 0 done; 1 the command ran and refused; 2 usage error.
EXIT_REFUSED = 1
EXIT_USAGE = 2


def fail(message: str) -> NoReturn:
    """Print a refusal to stderr and exit 1."""
    click.echo(message, err=True)
    sys.exit(EXIT_REFUSED)
