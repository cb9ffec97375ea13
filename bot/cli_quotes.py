"""`salesbot quotes pdf Q-… [FILE]`: the customer's quote document from the command line.

Exit codes (docs/INTERFACES.md): 0 written; 1 refused (no such quote or version, a bad
template or unwritable file); 2 usage. The PDF is the one "Send to customer" uploads:
same letterhead settings, same template, same figures.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bot.cli_common import fail


def register(cli: click.Group, pass_context: Any) -> None:
    @cli.group()
    def quotes() -> None:
        """Quote documents."""

    @quotes.command("pdf")
    @click.argument("number")
    @click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--version", "version", type=click.IntRange(min=1), default=None,
                  help="A version other than the current one.")
    @pass_context
    def quotes_pdf(context: Any, number: str, file: Path | None, version: int | None) -> None:
        """Write quote NUMBER as PDF to FILE (default NUMBER-vN.pdf here; - for stdout)."""
        from store.config_files import PolicyError
        from store.errors import StoreError
        from store.services.quotes.documents import QuoteDocuments

        try:
            documents = QuoteDocuments(context.store(), context.settings.letterhead())
            rendered = documents.render_version(number, version)
        except (StoreError, PolicyError) as exc:
            fail(str(exc))
        if file is not None and str(file) == "-":
            sys.stdout.buffer.write(rendered.content)
            return
        target = file or Path(rendered.filename)
        try:
            target.write_bytes(rendered.content)
        except OSError as exc:
            fail(f"{target}: cannot write the PDF ({exc.strerror})")
        click.echo(f"{rendered.label} ({rendered.facts.quote.status.replace('_', ' ')}): "
                   f"{target} ({len(rendered.content):,} bytes)")
