"""What Undo takes back is gone from every report: the export, the pipeline, its movement."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from decimal import Decimal

from click.testing import CliRunner
from sqlalchemy import select

from bot.chat import Chat
from bot.cli import cli
from store.db import Store
from store.models import AuditEntry
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


def test_an_undone_win_and_an_undone_slip_are_not_counted_since_last_week(
        chat: Chat, services: Services, store: Store, clock) -> None:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    services.accounts.create(ana.id, "Acme")
    services.opportunities.create(ana.id, "Renewal", account="Acme", amount=Decimal(84000))
    services.opportunities.create(ana.id, "Upsell", account="Acme", amount=Decimal(10000))
    clock.advance(timedelta(days=8))  # the deals' creation is before the "Since…" window
    [before] = chat.command("/sales pipeline")
    assert "Since" in before.render() and "no changes" in before.render()
    [won] = chat.command("/sales won acme renewal")
    assert "Won" in won.render() or "won" in won.render()
    chat.click(action_id="undo")
    [slipped] = chat.say("push the acme upsell close date to next month")
    assert "Upsell" in slipped.render()
    chat.click(action_id="undo")
    [after] = chat.command("/sales pipeline")
    since = next(line for line in after.render().splitlines() if "Since" in line)
    assert "no changes" in since, since
    with store.transaction() as s:  # undo entries kept before they named their history row
        for entry in s.scalars(select(AuditEntry).where(AuditEntry.action.like("undo:%"))):
            detail = json.loads(entry.detail)
            assert detail.pop("history_id")
            entry.detail = json.dumps(detail)
    [legacy] = chat.command("/sales pipeline")
    assert next(line for line in legacy.render().splitlines() if "Since" in line) == since
    chat.command("/sales won acme renewal")  # won for real, once
    [real] = chat.command("/sales pipeline")
    since = next(line for line in real.render().splitlines() if "Since" in line)
    assert since.endswith(":* won 1 ($84,000.00)"), since
