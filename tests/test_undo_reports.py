"""What Undo takes back is gone from every report: the export, the pipeline, its movement."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from click.testing import CliRunner

from bot.chat import Chat
from bot.cli import cli
from store.db import Store
from store.services import Services


def _cli(store: Store, *args: str) -> list[dict[str, str]]:
    env = {"DATABASE_URL": store.url, "SALESBOT_TIMEZONE": "UTC", "SALESBOT_CURRENCY": "USD"}
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_an_undone_new_deal_leaves_the_export_and_the_pipeline_alike(
        chat: Chat, services: Services, store: Store) -> None:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    services.accounts.create(ana.id, "Acme")
    services.opportunities.create(ana.id, "Renewal", account="Acme", amount=Decimal(84000))
    [reply] = chat.say("new deal for acme: expansion, 50k, closing end of march")
    assert "Created *Acme — Expansion*" in reply.text
    chat.click(action_id="undo")
    deals = _cli(store, "export", "opportunities")
    pipeline = _cli(store, "export", "pipeline")
    [total] = [r for r in pipeline if r["section"] == "total"]
    exported = (len(deals), sum(Decimal(d["amount"]) for d in deals))
    assert exported == (int(total["count"]), Decimal(total["amount"])) == (1, Decimal(84000))
    assert [d["name"] for d in deals] == ["Renewal"]
