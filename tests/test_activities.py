"""Logging activities and the follow-ups they leave behind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store.errors import Conflict, InvalidInput
from store.services import Services
from tests.conftest import START


def test_logging_on_a_deal_fills_the_account_and_touches_the_deal(services: Services, rep) -> None:
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme")
    logged = services.activities.log(rep.id, kind="call", subject="pricing call",
                                     opportunity_id=opp.id, occurred_at=START)
    assert logged.account_name == "Acme" and logged.done is True
    assert services.opportunities.get(rep.id, opp.id).last_activity_at == START


def test_follow_ups_are_due_until_done(services: Services, rep) -> None:
    acme = services.accounts.get("acme")
    due = START + timedelta(days=2)
    logged = services.activities.log(rep.id, kind="call", subject="wants pricing",
                                     account_id=acme.id, follow_up_at=due)
    assert logged.done is False
    assert services.activities.due_follow_ups(rep.id, START) == []
    assert [a.id for a in services.activities.due_follow_ups(rep.id, due)] == [logged.id]
    services.activities.set_follow_up_done(rep.id, logged.id)
    assert services.activities.due_follow_ups(rep.id, due) == []


def test_the_same_slack_message_is_logged_once(services: Services, rep) -> None:
    acme = services.accounts.get("acme")
    services.activities.log(rep.id, kind="note", subject="x", account_id=acme.id,
                            slack_event_key="T1:C1:1.2")
    with pytest.raises(Conflict):
        services.activities.log(rep.id, kind="note", subject="x", account_id=acme.id,
                                slack_event_key="T1:C1:1.2")
    assert len(services.activities.list_for(rep.id, account_id=acme.id)) == 1


def test_an_activity_needs_a_kind_and_a_subject(services: Services, rep) -> None:
    acme = services.accounts.get("acme")
    with pytest.raises(InvalidInput):
        services.activities.log(rep.id, kind="lunch", subject="x", account_id=acme.id)
    with pytest.raises(InvalidInput):
        services.activities.log(rep.id, kind="call", subject="  ", account_id=acme.id)
    with pytest.raises(InvalidInput):
        services.activities.log(rep.id, kind="call", subject="about nothing")
