"""Settings from the environment (and `.env`), validated once at start-up.

pydantic validates them so that a typo in a value fails loudly at start rather than deep
inside a request. Secrets are `SecretStr` so they never show up in a log line or a
traceback by accident.

Start-up cost: the environment is read here (`_sources`), as pydantic-settings read it
(names matched ignoring case; the environment over `.env`; arguments over both), because
importing pydantic-settings alone cost more than most commands' own work.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, field_validator

from store.money import currency_precision
from store.working_time import DEFAULT_WORKING_HOURS, parse_hours

if TYPE_CHECKING:
    from store.services.quotes.document_facts import Letterhead


ENV_FILE = ".env"


class Settings(BaseModel):
    """Everything salesbot reads from its environment; names are pinned in docs/INTERFACES.md.

    `Settings()` reads the environment and `.env`; keyword arguments, by field name or by
    environment name, win over both; `_env_file=None` reads no file.
    """

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    def __init__(self, _env_file: str | Path | None = ENV_FILE, **given: Any) -> None:
        super().__init__(**_sources(type(self), _env_file, given))

    database_url: str = Field(
        default="sqlite:///./salesbot.db", validation_alias=AliasChoices("DATABASE_URL")
    )
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN")
    )
    slack_api_url: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_API_URL"))
    index_dir: Path = Field(
        default=Path("./salesbot-index"), validation_alias=AliasChoices("SALESBOT_INDEX_DIR")
    )
    # the knowledge-base search engine (knowledge/engine.py); switching rebuilds the index
    kb_engine: Literal["whoosh", "fts5"] = Field(
        default="fts5", validation_alias=AliasChoices("SALESBOT_KB_ENGINE")
    )
    timezone: str = Field(default="UTC", validation_alias=AliasChoices("SALESBOT_TIMEZONE"))
    currency: str = Field(default="USD", validation_alias=AliasChoices("SALESBOT_CURRENCY"))
    working_hours: str = Field(
        default=DEFAULT_WORKING_HOURS, validation_alias=AliasChoices("SALESBOT_WORKING_HOURS")
    )
    fiscal_year_start: int = Field(
        default=1, ge=1, le=12, validation_alias=AliasChoices("SALESBOT_FISCAL_YEAR_START")
    )
    approval_policy: Path | None = Field(
        default=None, validation_alias=AliasChoices("SALESBOT_APPROVAL_POLICY")
    )
    rules: Path | None = Field(default=None, validation_alias=AliasChoices("SALESBOT_RULES"))
    renewal_alert_value: int | None = Field(
        default=None, validation_alias=AliasChoices("SALESBOT_RENEWAL_ALERT_VALUE")
    )
    log_format: str = Field(default="text", validation_alias=AliasChoices("SALESBOT_LOG_FORMAT"))
    # `serve` over HTTP: sized for Slack's traffic (README: Capacity, benchmarks/load.py)
    listener_threads: int | None = Field(
        default=None, ge=1, le=256, validation_alias=AliasChoices("SALESBOT_LISTENER_THREADS")
    )
    http_connection_limit: int = Field(
        default=1000, ge=10, le=10000,
        validation_alias=AliasChoices("SALESBOT_HTTP_CONNECTION_LIMIT"),
    )
    http_backlog: int = Field(
        default=2048, ge=16, le=65535, validation_alias=AliasChoices("SALESBOT_HTTP_BACKLOG")
    )
    http_channel_timeout: int = Field(
        default=30, ge=1, le=3600, validation_alias=AliasChoices("SALESBOT_HTTP_CHANNEL_TIMEOUT")
    )

    # the quote document (README: "The quote document")
    company_name: str = Field(
        default="Salesbot", min_length=1, max_length=200,
        validation_alias=AliasChoices("SALESBOT_COMPANY_NAME"),
    )
    company_address: str | None = Field(
        default=None, max_length=1000, validation_alias=AliasChoices("SALESBOT_COMPANY_ADDRESS")
    )
    company_logo: Path | None = Field(
        default=None, validation_alias=AliasChoices("SALESBOT_COMPANY_LOGO")
    )
    quote_terms: str | None = Field(
        default=None, max_length=5000, validation_alias=AliasChoices("SALESBOT_QUOTE_TERMS")
    )
    quote_tax: str | None = Field(default=None, validation_alias=AliasChoices("SALESBOT_QUOTE_TAX"))
    quote_locale: str = Field(
        default="en_US", validation_alias=AliasChoices("SALESBOT_QUOTE_LOCALE")
    )
    quote_template: Path | None = Field(
        default=None, validation_alias=AliasChoices("SALESBOT_QUOTE_TEMPLATE")
    )
    quote_accepted_stage: str = Field(
        default="Negotiation/Review", max_length=100,
        validation_alias=AliasChoices("SALESBOT_QUOTE_ACCEPTED_STAGE"),
    )
    quote_sent_stage: str = Field(
        default="Proposal/Price Review", max_length=100,
        validation_alias=AliasChoices("SALESBOT_QUOTE_SENT_STAGE"),
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name such as Europe/Paris)"
            ) from exc
        return value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        value = value.upper()
        currency_precision(value)
        return value

    @field_validator("working_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        parse_hours(value)  # raises ValueError saying what is expected
        return value

    @field_validator("company_logo")
    @classmethod
    def _logo(cls, value: Path | None) -> Path | None:
        if value is not None and (not value.is_file()
                                  or value.suffix.lower() not in (".png", ".jpg", ".jpeg")):
            raise ValueError(f"{value} is not a PNG or JPEG file")
        return value

    @field_validator("quote_tax")
    @classmethod
    def _tax(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            split_tax(value)  # raises ValueError saying what is expected
            return value.strip()
        return None

    @field_validator("quote_template")
    @classmethod
    def _template(cls, value: Path | None) -> Path | None:
        """A bad layout stops start-up (exit 2, naming the key), not a rep's Send."""
        if value is not None:
            from store.services.quotes.document_template import load_template

            load_template(value)  # PolicyError is a ValueError: pydantic reports it
        return value

    @field_validator("quote_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"unknown locale {value!r} (use a code such as en_US or fr_FR)"
                             ) from exc
        return value

    def letterhead(self) -> Letterhead:
        """The seller's side of the quote document."""
        from store.services.quotes.document_facts import Letterhead

        name, percent = split_tax(self.quote_tax) if self.quote_tax else (None, None)
        extra = {"terms": self.quote_terms.replace("\\n", "\n")} if self.quote_terms else {}
        return Letterhead(company_name=self.company_name,
                          company_address=(self.company_address or "").replace("\\n", "\n")
                          or None, logo=self.company_logo, tax_name=name,
                          tax_percent=percent, locale=self.quote_locale,
                          template=self.quote_template, **extra)


def split_tax(value: str) -> tuple[str, Decimal]:
    """`VAT 20` or `Sales tax 8.875%` → (name, percent)."""
    name, _, rate = value.strip().rpartition(" ")
    try:
        percent = Decimal(rate.rstrip("%"))
    except InvalidOperation:
        percent = Decimal(-1)
    if not name.strip() or not percent.is_finite() or not 0 <= percent <= 100 or (
            percent * 10_000 != (percent * 10_000).to_integral_value()):
        raise ValueError(f"{value!r} is not a tax such as 'VAT 20' (a name, then a percentage "
                         "from 0 to 100 with at most four decimals)")
    return name.strip(), percent


def _env_names(model: type[BaseModel]) -> dict[str, str]:
    """Field name → the environment variable it is read from (its alias, else its name)."""
    names: dict[str, str] = {}
    for name, field in model.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            alias = next((c for c in alias.choices if isinstance(c, str)), None)
        names[name] = alias if isinstance(alias, str) else name
    return names


def _sources(model: type[BaseModel], env_file: str | Path | None, given: dict[str, Any]
             ) -> dict[str, Any]:
    """The values to validate, keyed by environment name (so errors name the variable):
    the environment (any case) over the `.env` file, and `given` over both."""
    found: dict[str, str | None] = {}
    if env_file is not None and Path(env_file).is_file():
        from dotenv import dotenv_values

        found.update((k.lower(), v) for k, v in dotenv_values(env_file).items())
    found.update((k.lower(), v) for k, v in os.environ.items())
    names = _env_names(model)
    values: dict[str, Any] = {env: found[env.lower()] for env in names.values()
                              if found.get(env.lower()) is not None}
    for key, value in given.items():
        values[names.get(key, key)] = value
    return values
