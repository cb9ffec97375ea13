"""PlanService.apply_all: a message about several deals is written whole or not at all,
with one Undo for every part."""

from __future__ import annotations

from decimal import Decimal

import pytest

from store.errors import Conflict
from store.services import Services
from store.services.deals.plans import ActivitySpec, DealChangeSpec, Part


def test_every_part_or_none(services: Services, book) -> None:
    ana = book["ana"]
    services.opportunities.move_stage(ana, book["umbrella"], "Closed Won")
    with pytest.raises(Conflict):  # the second part fails: the first is not kept either
        services.plans.apply_all(ana, [
            Part(book["hooli"], activity=ActivitySpec("call", "Pilot scope"),
                 deal=DealChangeSpec(amount=Decimal(30000))),
            Part(book["umbrella"], deal=DealChangeSpec(advance=True))])
    assert services.opportunities.get(ana, book["hooli"]).amount == Decimal(20000)
    assert services.activities.list_for(ana) == []


def test_one_undo_for_every_part(services: Services, book) -> None:
    ana = book["ana"]
    done, token = services.plans.apply_all(ana, [
        Part(book["hooli"], deal=DealChangeSpec(amount=Decimal(30000))),
        Part(book["initech"], activity=ActivitySpec("meeting", "Kickoff"),
             deal=DealChangeSpec(advance=True))])
    assert [p.opportunity.id for p in done if p.opportunity] == [book["hooli"], book["initech"]]
    assert services.opportunities.get(ana, book["initech"]).stage.name == "Value Proposition"
    services.undo.undo(ana, token)
    assert services.opportunities.get(ana, book["hooli"]).amount == Decimal(20000)
    assert services.opportunities.get(ana, book["initech"]).stage.name == "Needs Analysis"
    assert services.activities.list_for(ana) == []
