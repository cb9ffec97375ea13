"""`salesbot quotes pdf`, run as a user would, on the test database; and the letterhead
settings it reads."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError
from pypdf import PdfReader

from bot.cli import cli
from bot.settings import Settings
from store.services import Services
from tests.test_quote_document import CUSTOMER, lines, pdf_text
from tests.test_quote_document import team as team


def _run(services: Services, *args: str, **env: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["quotes", "pdf", *args],
                              env={"DATABASE_URL": services.store.url, **env})


def test_pdf_writes_the_current_version_with_the_letterhead(services: Services, team,
                                                            tmp_path: Path) -> None:
    quote = services.quotes.create(team["ana"], team["opp"], lines(3))
    services.quotes.revise(team["ana"], quote.id, discount_percent=Decimal("2"))
    target = tmp_path / "out.pdf"
    done = _run(services, quote.number.lower(), str(target),
                SALESBOT_COMPANY_NAME="Nordlicht GmbH", SALESBOT_QUOTE_TAX="MwSt 19",
                SALESBOT_QUOTE_TERMS="Zahlbar in 30 Tagen.\\nGerichtsstand Köln.")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"{quote.number} v2 (draft): {target}")
    text = pdf_text(target.read_bytes())
    assert "Version: 2" in text and "Nordlicht GmbH" in text and "MwSt (19%)" in text
    assert "Zahlbar in 30 Tagen.\nGerichtsstand Köln." in text and CUSTOMER in text
    old = _run(services, quote.number, str(tmp_path / "v1.pdf"), "--version", "1")
    assert old.exit_code == 0, old.output
    assert "SUPERSEDED" in pdf_text((tmp_path / "v1.pdf").read_bytes())


def test_pdf_to_stdout_and_refusals(services: Services, team, tmp_path: Path) -> None:
    quote = services.quotes.create(team["ana"], team["opp"], lines(1))
    out = _run(services, quote.number, "-")
    assert out.exit_code == 0
    assert len(PdfReader(io.BytesIO(out.stdout_bytes)).pages) == 1
    missing = _run(services, "Q-2026-9999")
    assert (missing.exit_code, missing.stderr.strip()) == (1, "There is no quote Q-2026-9999.")
    version = _run(services, quote.number, "--version", "7")
    assert (version.exit_code, version.stderr.strip()) == (
        1, f"{quote.number} has no version 7.")
    bad = tmp_path / "t.yml"
    bad.write_text("page:\n  size: A3\n")
    refused = _run(services, quote.number, str(tmp_path / "x.pdf"),
                   SALESBOT_QUOTE_TEMPLATE=str(bad))  # a bad setting: exit 2, as serve's
    assert refused.exit_code == 2 and "page.size" in refused.stderr


@pytest.mark.parametrize("tax", ["VAT", "VAT twenty", "VAT 120", "VAT 2.12345"])
def test_a_tax_setting_that_is_not_a_name_and_a_rate_is_refused(tax: str) -> None:
    with pytest.raises(ValidationError, match="is not a tax such as 'VAT 20'"):
        Settings(SALESBOT_QUOTE_TAX=tax, _env_file=None)


def test_locale_and_logo_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown locale"):
        Settings(SALESBOT_QUOTE_LOCALE="xx_YY", _env_file=None)
    with pytest.raises(ValidationError, match="not a PNG or JPEG file"):
        Settings(SALESBOT_COMPANY_LOGO=str(tmp_path / "none.png"), _env_file=None)
    letterhead = Settings(SALESBOT_QUOTE_TAX="Sales tax 8.875%", _env_file=None).letterhead()
    assert (letterhead.tax_name, letterhead.tax_percent) == ("Sales tax", Decimal("8.875"))


def test_the_renderer_loads_only_when_a_document_is_drawn() -> None:
    import subprocess
    import sys

    code = ("import sys, bot.cli, bot.cli_quotes, store.services.quotes.documents\n"
            "print('fpdf' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent.parent,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
