"""Rules that used to be written in several places now live once in the store; these tests
pin the behaviour every surface gets from them: working hours, what "this week" holds for
follow-ups, the closing stages of a pipeline an admin renamed, and what each role may do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.chat import Chat
from bot.settings import Settings
from store.clock import ManualClock
from store.errors import NotAllowed
from store.roles import ROLES, is_admin, leads_a_team, reads_all_quotes, supervises
from store.services import Services
from store.working_time import follow_up_horizon, parse_hours

NEW_YORK = "America/New_York"


@pytest.mark.parametrize("hours", ["nine to six", "18:00-09:00", "9-18", "09:00-24:00"])
def test_bad_working_hours_stop_start_up_with_what_is_expected(hours: str) -> None:
    with pytest.raises(ValidationError, match="look like 09:00-18:00"):
        Settings(working_hours=hours)


def test_working_hours_are_read_the_same_way_everywhere() -> None:
    assert Settings(working_hours="08:30-17:00").working_hours == "08:30-17:00"
    assert [t.isoformat("minutes") for t in parse_hours("08:30-17:00")] == ["08:30", "17:00"]


def test_this_week_ends_with_the_local_day_a_week_from_today() -> None:
    # Monday 23 November, 22:30 in New York is already Tuesday in UTC
    now = datetime(2026, 11, 24, 3, 30, tzinfo=UTC)
    horizon = follow_up_horizon(now, NEW_YORK).astimezone(ZoneInfo(NEW_YORK))
    assert (horizon.date().isoformat(), horizon.strftime("%H:%M:%S")) == ("2026-11-30",
                                                                          "23:59:59")


def _follow_up(services: Services, owner: int, subject: str, at: datetime) -> None:
    account = services.accounts.create(owner, subject.title())
    services.activities.log(owner, kind="task", subject=subject, follow_up_at=at,
                            account_id=account.id)


def test_follow_ups_and_app_home_agree_on_this_week(chat: Chat, services: Services,
                                                    clock: ManualClock) -> None:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep", timezone=NEW_YORK)
    zone = ZoneInfo(NEW_YORK)
    today = clock.now().astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    _follow_up(services, ana.id, "send the overdue deck", clock.now() - timedelta(days=2))
    _follow_up(services, ana.id, "late call next week", today + timedelta(days=7, hours=20))
    _follow_up(services, ana.id, "too far out", today + timedelta(days=8, hours=9))
    [reply] = chat.say("my follow-ups")
    home = chat.open_home()
    home_follow_ups = home.split("Follow-ups due")[1].split("Recent activity")[0]
    for seen in (reply.text, home_follow_ups):
        assert "send the overdue deck" in seen and "late call next week" in seen
        assert "too far out" not in seen


@pytest.fixture
def renamed_pipeline(services: Services, admin: int) -> dict[str, int]:
    """An admin renamed the closing stages; a rep has one open deal."""
    stages = {s.name: s for s in services.stages.all()}
    for old, new in [("Closed Won", "Signed"), ("Closed Lost", "Walked away")]:
        stage = stages[old]
        services.stages.save(admin, stage.id, name=new, probability=stage.probability,
                             kind=stage.kind, quiet_days=stage.quiet_days)
    ana = services.users.get_or_create("U0ANA", name="Ana Rep", timezone=NEW_YORK)
    services.accounts.create(ana.id, "Acme")
    services.accounts.create(ana.id, "Globex")
    acme = services.opportunities.create(ana.id, "Renewal", account="Acme",
                                         amount=Decimal(84000))
    globex = services.opportunities.create(ana.id, "Expansion", account="Globex",
                                           amount=Decimal(120000))
    return {"ana": ana.id, "acme": acme.id, "globex": globex.id}


def test_won_and_lost_follow_a_renamed_pipeline(chat: Chat, services: Services,
                                                renamed_pipeline: dict[str, int]) -> None:
    ids = renamed_pipeline
    [won] = chat.say("closed won on acme!")
    assert "Signed" in won.text
    assert services.opportunities.get(ids["ana"], ids["acme"]).stage.name == "Signed"
    chat.say("we lost globex, they went with a competitor")
    lost = services.opportunities.get(ids["ana"], ids["globex"])
    assert (lost.stage.name, lost.lost_reason) == ("Walked away", "they went with a competitor")


def test_the_close_lost_form_uses_the_pipelines_lost_stage(
        chat: Chat, services: Services, renamed_pipeline: dict[str, int]) -> None:
    ids = renamed_pipeline
    [question] = chat.say("we lost acme")
    assert "Why was" in question.text
    chat.click(action_id="opp_close_lost")
    chat.submit({"reason": "no budget this year"})
    deal = services.opportunities.get(ids["ana"], ids["acme"])
    assert (deal.stage.name, deal.lost_reason) == ("Walked away", "no budget this year")


def test_what_each_role_may_do_beyond_its_own_records() -> None:
    table = {role: (is_admin(_Person(role)), supervises(_Person(role)),
                    leads_a_team(_Person(role)), reads_all_quotes(_Person(role)))
             for role in ROLES}
    assert table == {
        "rep": (False, False, False, False),
        "manager": (False, True, True, False),
        "director": (False, True, True, False),
        "finance": (False, False, False, True),
        "admin": (True, False, True, True),
    }


def test_only_admins_change_stages(services: Services, admin: int) -> None:
    manager = services.users.get_or_create("U0MO", name="Mo Manager")
    services.users.set_role("U0MO", "manager")
    stage = services.stages.all()[0]
    with pytest.raises(NotAllowed):
        services.stages.save(manager.id, stage.id, name="Leads", probability=stage.probability,
                             kind=stage.kind, quiet_days=stage.quiet_days)
    assert services.stages.all()[0].name == stage.name


class _Person:
    def __init__(self, role: str) -> None:
        self.role = role
