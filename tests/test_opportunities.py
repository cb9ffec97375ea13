"""Stage moves and field changes through the one write path, and what history holds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from store.clock import ManualClock
from store.errors import Conflict, InvalidInput, NotAllowed
from store.services import Services


@pytest.fixture
def team(services: Services):
    services.users.get_or_create("UM", name="Mo Manager")
    manager = services.users.set_role("UM", "manager")
    rep = services.users.get_or_create("UR", name="Ria Rep", timezone="America/New_York")
    other = services.users.get_or_create("UO", name="Oli Other")
    with services.store.transaction() as s:
        from store.models import User

        s.get(User, rep.id).manager_id = manager.id
    services.accounts.create(rep.id, "Acme")
    return manager, rep, other


def test_create_writes_the_first_history_row(services: Services, team) -> None:
    _, rep, _ = team
    opp = services.opportunities.create(rep.id, "Renewal", account="ACME", amount=Decimal("84000"))
    assert opp.amount == Decimal("84000.00") and opp.probability == 10
    [row] = services.opportunities.history(rep.id, opp.id)
    assert (row.from_stage, row.to_stage, row.amount) == (None, "Prospecting", Decimal("84000.00"))


def test_each_move_writes_one_row_with_from_and_to(services: Services, team, clock) -> None:
    _, rep, _ = team
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme", amount=100)
    clock.advance(timedelta(days=1))
    services.opportunities.move_stage(rep.id, opp.id, "value proposition")
    clock.advance(timedelta(days=1))
    moved = services.opportunities.advance(rep.id, opp.id)
    assert moved.stage.name == "Proposal/Price Review" and moved.probability == 75
    rows = services.opportunities.history(rep.id, opp.id)
    assert [(r.from_stage, r.to_stage, r.probability) for r in rows] == [
        (None, "Prospecting", 10),
        ("Prospecting", "Value Proposition", 50),
        ("Value Proposition", "Proposal/Price Review", 75),
    ]
    assert rows[1].changed_at < rows[2].changed_at


def test_closing_lost_needs_a_reason_and_writes_nothing_without(services: Services, team) -> None:
    _, rep, _ = team
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme")
    with pytest.raises(InvalidInput, match="reason"):
        services.opportunities.move_stage(rep.id, opp.id, "Closed Lost")
    assert len(services.opportunities.history(rep.id, opp.id)) == 1
    assert services.opportunities.get(rep.id, opp.id).stage.name == "Prospecting"
    lost = services.opportunities.move_stage(rep.id, opp.id, "closed lost",
                                             lost_reason="went with a competitor")
    assert (lost.probability, lost.lost_reason) == (0, "went with a competitor")


def test_closing_sets_the_close_date_to_today_in_the_owners_zone(
    services: Services, team, clock: ManualClock
) -> None:
    _, rep, _ = team
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme",
                                        close_date=date(2027, 3, 31))
    # 02:00 UTC on the 25th is still the 24th in New York.
    clock.set(clock.now().replace(day=25, hour=2))
    won = services.opportunities.move_stage(rep.id, opp.id, "Closed Won")
    assert won.close_date == date(2026, 11, 24) and won.probability == 100


def test_reopening_a_closed_deal_is_for_managers(services: Services, team) -> None:
    manager, rep, _ = team
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme")
    services.opportunities.move_stage(rep.id, opp.id, "Closed Won")
    with pytest.raises(NotAllowed):
        services.opportunities.move_stage(rep.id, opp.id, "Negotiation/Review")
    reopened = services.opportunities.move_stage(manager.id, opp.id, "Negotiation/Review")
    assert reopened.stage.name == "Negotiation/Review" and reopened.probability == 90


def test_field_change_writes_a_row_with_the_same_stage(services: Services, team) -> None:
    _, rep, _ = team
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme", amount=100)
    services.opportunities.update(rep.id, opp.id, amount=Decimal("120000"), probability=35)
    rows = services.opportunities.history(rep.id, opp.id)
    assert (rows[-1].from_stage, rows[-1].to_stage) == ("Prospecting", "Prospecting")
    assert (rows[-1].amount, rows[-1].probability) == (Decimal("120000.00"), 35)
    # an explicit probability survives nothing but a stage move
    moved = services.opportunities.advance(rep.id, opp.id)
    assert moved.probability == 20


def test_next_step_alone_writes_no_history_row(services: Services, team) -> None:
    _, rep, _ = team
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme")
    updated = services.opportunities.update(rep.id, opp.id, next_step="legal review")
    assert updated.next_step == "legal review"
    assert len(services.opportunities.history(rep.id, opp.id)) == 1


def test_a_rep_cannot_touch_a_colleagues_deal(services: Services, team) -> None:
    manager, rep, other = team
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme")
    with pytest.raises(NotAllowed):
        services.opportunities.advance(other.id, opp.id)
    with pytest.raises(NotAllowed):
        services.opportunities.get(other.id, opp.id)
    assert services.opportunities.advance(manager.id, opp.id).stage.name == "Needs Analysis"


def test_bad_inputs_are_refused_with_words(services: Services, team) -> None:
    _, rep, _ = team
    opp = services.opportunities.create(rep.id, "Renewal", account="Acme")
    with pytest.raises(InvalidInput, match="negative"):
        services.opportunities.update(rep.id, opp.id, amount=Decimal("-5"))
    with pytest.raises(InvalidInput, match="between 0 and 100"):
        services.opportunities.update(rep.id, opp.id, probability=120)
    with pytest.raises(InvalidInput, match="no stage"):
        services.opportunities.move_stage(rep.id, opp.id, "Party")
    with pytest.raises(Conflict):
        services.opportunities.create(rep.id, "renewal ".title().strip(), account="acme")
    assert len(services.opportunities.history(rep.id, opp.id)) == 1
