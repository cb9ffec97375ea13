"""Undo reverses exactly the action it was offered for, once, for the person who did it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from store.errors import Conflict, NotAllowed
from store.services import Services


def test_undo_a_stage_move(services: Services, rep) -> None:
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme", amount=100)
    moved = services.opportunities.move_stage(rep.id, opp.id, "Closed Won")
    assert moved.undo_token is not None
    services.undo.undo(rep.id, moved.undo_token)
    back = services.opportunities.get(rep.id, opp.id)
    assert (back.stage.name, back.probability, back.close_date) == (
        "Prospecting", 10, opp.close_date)
    stages = [(h.from_stage, h.to_stage) for h in services.opportunities.history(rep.id, opp.id)]
    assert stages == [(None, "Prospecting"), ("Prospecting", "Closed Won"),
                      ("Closed Won", "Prospecting")]
    with pytest.raises(Conflict):
        services.undo.undo(rep.id, moved.undo_token)


def test_undo_a_field_edit_restores_only_that(services: Services, rep) -> None:
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme", amount=100)
    edited = services.opportunities.update(rep.id, opp.id, amount=Decimal(250), next_step="demo")
    services.undo.undo(rep.id, edited.undo_token)
    back = services.opportunities.get(rep.id, opp.id)
    assert (back.amount, back.next_step) == (Decimal("100.00"), None)


def test_only_the_actor_can_undo(services: Services, rep) -> None:
    other = services.users.get_or_create("UO", name="Oli")
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme")
    moved = services.opportunities.advance(rep.id, opp.id)
    with pytest.raises(NotAllowed):
        services.undo.undo(other.id, moved.undo_token)
    assert services.opportunities.get(rep.id, opp.id).stage.name == "Needs Analysis"


def test_undo_a_logged_activity(services: Services, rep) -> None:
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme")
    logged = services.activities.log(rep.id, kind="call", subject="x", opportunity_id=opp.id)
    services.undo.undo(rep.id, logged.undo_token)
    assert services.activities.list_for(rep.id, opportunity_id=opp.id) == []
    assert services.opportunities.get(rep.id, opp.id).last_activity_at is None
