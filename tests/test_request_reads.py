"""One request reads what it repeats once (issue 14): the actor's row and visibility, the
names' version, the stage list and an open-deals query are remembered for the request
(`Directory.turn`), never across requests, and forgotten whenever the request writes.

Statement counts are what these pin: they do not depend on the machine's load. Before
this change a "show acme" DM ran 23 statements in 14 transactions (then 15 in
11), "pipeline" 18 in 8, "note on acme: …" 20 in 8; an Undo click 8 in 2; a card's Next
stage click 13 in 5."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.chat import Chat
from store.db import Store
from store.models import Account
from store.services import Services
from store.services.people import name_changes
from store.services.people.directory import Directory
from store.statement_count import Statements, counting


def _count(seen: Statements, pattern: str) -> int:
    return sum(1 for s in seen if re.search(pattern, s))


ACTOR_ROW = r"^\s*SELECT users\.id, users\.slack_user_id"
NAMES_VERSION = r"FROM names_version"
OPEN_DEALS = (r"^\s*SELECT opportunities\.id, opportunities\.name, opportunities\.account_id, "
              r"accounts\.name")
STAGE_LIST = r"^\s*SELECT stages\.id"
VISIBLE_ACCOUNTS = r"SELECT accounts\.id\s+FROM accounts\s+WHERE accounts\.owner_id IN"


@pytest.fixture
def ana(chat: Chat, services: Services) -> int:
    ana = services.users.get_or_create("U0ANA", name="Ana Rep")
    services.accounts.create(ana.id, "Acme")
    services.opportunities.create(ana.id, "Renewal", account="Acme")
    for warm in ("show acme", "pipeline", "note on acme: warm"):
        chat.say(warm)  # nothing cold left to count
    return ana.id


def test_a_dm_read_reads_the_actor_visibility_and_names_once(
        chat: Chat, services: Services, ana: int) -> None:
    with counting(services.store.engine) as seen:
        replies = chat.say("show acme")
    assert "Renewal" in replies[-1].text
    assert len(seen) <= 11 and seen.transactions <= 10  # was 15 in 11
    assert _count(seen, NAMES_VERSION) == 1 and _count(seen, VISIBLE_ACCOUNTS) == 1
    # the request's own user, once by Slack id; the deal's service no longer reads it again
    assert _count(seen, ACTOR_ROW) == 1
    # the deal is resolved once (was once more to find it by id among all open deals), and
    # read with its account and stage in one statement; the card's stage list once
    assert _count(seen, OPEN_DEALS) == 1
    assert _count(seen, r"^\s*SELECT accounts\.id, accounts\.name") == 0
    assert _count(seen, STAGE_LIST) == 1  # was 2: the deal's own stage in a statement of its own


def test_a_pipeline_question_costs_no_repeated_reads(
        chat: Chat, services: Services, ana: int) -> None:
    with counting(services.store.engine) as seen:
        replies = chat.say("pipeline")
    assert "Ana Rep: 1 deal" in replies[-1].text
    assert len(seen) <= 17 and seen.transactions <= 8
    assert _count(seen, NAMES_VERSION) == 1 and _count(seen, VISIBLE_ACCOUNTS) == 1


def test_a_dm_note_and_its_undo(chat: Chat, services: Services, ana: int) -> None:
    with counting(services.store.engine) as seen:
        chat.say("note on acme: champion left")
    assert len(seen) <= 13 and seen.transactions <= 8  # was 15 in 8
    # the deal is written with its account and stage read in the same statement
    assert _count(seen, r"^\s*SELECT accounts\.id, accounts\.name") == 0
    assert _count(seen, STAGE_LIST) <= 1  # no stage of its own: at most the stage list
    assert _count(seen, NAMES_VERSION) == 1 and _count(seen, VISIBLE_ACCOUNTS) == 1
    acme = services.accounts.get("Acme")
    assert "Champion left" in [a.subject for a in services.activities.list_for(
        ana, account_id=acme.id)]
    with counting(services.store.engine) as undo:
        chat.click(1)  # Undo
    assert len(undo) <= 8 and undo.transactions <= 2
    assert "Champion left" not in [a.subject for a in services.activities.list_for(
        ana, account_id=acme.id)]


def test_a_rename_between_two_requests_is_seen_by_the_second(
        chat: Chat, services: Services, ana: int, database_url: str, clock: Any) -> None:
    other = Store(database_url, clock)  # another process on the same database
    try:
        with other.transaction() as s:
            acme = s.query(Account).filter_by(name="Acme").one()
            acme.name, acme.name_key = "Apex Robotics", "apex robotics"
            name_changes.changed(s, "account", acme.id)
        assert "Apex Robotics" in chat.say("show apex robotics")[-1].text
    finally:
        other.dispose()


def test_a_visibility_change_between_two_requests_is_seen_by_the_second(
        chat: Chat, services: Services, ana: int, admin: int) -> None:
    ben = services.users.get_or_create("U0BEN", name="Ben Oduya")
    services.accounts.create(ben.id, "Globex")
    deal = services.opportunities.create(ben.id, "Expansion", account="Globex")
    assert "Expansion" not in chat.say("show globex")[-1].text  # not Ana's to see
    services.opportunities.update(admin, deal.id, owner_id=ana)  # now her deal
    assert "Expansion" in chat.say("show globex")[-1].text
    services.opportunities.update(admin, deal.id, owner_id=ben.id)  # and back
    assert "Expansion" not in chat.say("show globex")[-1].text


def test_what_a_request_writes_is_seen_by_its_own_next_read(
        services: Services, ana: int) -> None:
    directory = Directory(services.store)
    with directory.turn():
        before = directory.visible_accounts(ana) or set()
        assert directory.visible_accounts(ana) == before
        created = services.accounts.create(ana, "Initech")  # commits: the memo is dropped
        assert directory.visible_accounts(ana) == before | {created.id}
        assert created.id in [m.id for m in directory.accounts(ana).search("initech")]
    with counting(services.store.engine) as seen, directory.turn():
        directory.visible_accounts(ana)
        directory.visible_accounts(ana)
        directory.stages()
        directory.stages()
    # the actor's row, the accounts they own, their deals' accounts, the stages: once each
    assert len(seen.work) == 4


def test_a_card_click_reads_the_stages_once(chat: Chat, services: Services, ana: int) -> None:
    [card] = chat.say("show acme")
    with counting(services.store.engine) as seen:
        chat.click(action_id="opp_next_stage")
    assert "Next: Value Proposition" in chat.transcript[card.id - 1].render()
    assert [d.stage.name for d in services.opportunities.visible(ana)] == ["Needs Analysis"]
    assert len(seen) <= 12 and seen.transactions <= 4  # was 13 in 5
    assert _count(seen, r"FROM stages") <= 3  # the move's own two, and the card's one (was 2)
