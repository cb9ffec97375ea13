"""Settings read from the environment and `.env` as pydantic-settings read them (bot/settings.py
now reads them itself): names in any case, the environment over the file, arguments over
both, and an error naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.settings import Settings


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("SALESBOT_CURRENCY", "SALESBOT_TIMEZONE", "SALESBOT_FISCAL_YEAR_START",
                 "DATABASE_URL", "SLACK_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_the_env_file_is_read_and_the_environment_wins(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / ".env").write_text("SALESBOT_CURRENCY=eur\nSALESBOT_TIMEZONE=Europe/Paris\n"
                                 "SLACK_BOT_TOKEN='xoxb-from-file'\nUNRELATED=1\n")
    monkeypatch.setenv("SALESBOT_TIMEZONE", "Asia/Tokyo")
    settings = Settings()
    assert settings.currency == "EUR"
    assert settings.timezone == "Asia/Tokyo"
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-from-file"
    assert Settings(_env_file=None).currency == "USD"


def test_names_match_in_any_case(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("salesbot_fiscal_year_start", "4")
    assert Settings().fiscal_year_start == 4


def test_arguments_win_by_field_name_or_by_variable_name(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESBOT_CURRENCY", "chf")
    assert Settings(currency="gbp").currency == "GBP"
    assert Settings(SALESBOT_CURRENCY="jpy").currency == "JPY"
    assert Settings().currency == "CHF"


def test_a_bad_value_names_its_variable_and_exits_2(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / ".env").write_text("SALESBOT_FISCAL_YEAR_START=13\n")
    result = CliRunner().invoke(cli, ["export", "accounts"], prog_name="salesbot")
    assert result.exit_code == 2
    assert "settings: SALESBOT_FISCAL_YEAR_START: Input should be less than or equal to 12" \
        in result.output
