"""Stages as data: CSV round trip and reorder, admin form, deactivation rules."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.chat import Chat
from bot.cli import cli
from store.errors import Conflict, NotAllowed
from store.services import Services
from tests.block_kit import rule_breaks
from tests.conftest import reset_database


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(cli, list(args), **kw)


def test_stage_csv_round_trip_and_reorder(run, store, tmp_path) -> None:
    exported = run("export", "stages").stdout
    assert exported.splitlines()[0] == "name,position,probability,kind,quiet_days"
    swap = tmp_path / "swap.csv"
    swap.write_text("name,position,probability,kind,quiet_days\n"
                    "Negotiation/Review,4,85,open,5\nProposal/Price Review,5,75,open,10\n")
    result = run("import", "stages", str(swap))
    assert result.exit_code == 0, result.stderr
    after = run("export", "stages").stdout
    assert "Negotiation/Review,4,85,open,5" in after
    reset_database(store)
    (tmp_path / "all.csv").write_text(after)
    assert run("import", "stages", str(tmp_path / "all.csv")).exit_code == 0
    assert run("export", "stages").stdout == after


def test_a_taken_position_is_a_bad_row(run, store, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,position,probability,kind,quiet_days\nLegal,6,95,open,\n"
                   "Won twice,9,80,won,\n")
    result = run("import", "stages", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:2: position: position 6 is Closed Won's" in result.stderr
    assert f"{bad}:3: probability: A won stage is 100%." in result.stderr


def test_deactivate_only_an_empty_stage(services: Services) -> None:
    admin = services.users.get_or_create("U0ADM", name="Ada")
    services.users.set_role("U0ADM", "admin")
    rep = services.users.get_or_create("U0REP", name="Rep")
    services.accounts.create(rep.id, "Acme")
    opp = services.opportunities.create(rep.id, "Deal", account="Acme")
    stages = {s.name: s for s in services.stages.all()}
    with pytest.raises(NotAllowed):
        services.stages.save(rep.id, stages["Needs Analysis"].id, name="Discovery",
                             probability=20, kind="open", quiet_days=14)
    with pytest.raises(Conflict, match="still has 1 deal"):
        services.stages.save(admin.id, stages["Prospecting"].id, name="Prospecting",
                             probability=10, kind="open", quiet_days=14, active=False)
    services.opportunities.advance(rep.id, opp.id)
    gone = services.stages.save(admin.id, stages["Prospecting"].id, name="Prospecting",
                                probability=10, kind="open", quiet_days=14, active=False)
    assert gone.is_active is False
    history = services.opportunities.history(rep.id, opp.id)
    assert history[0].to_stage == "Prospecting"  # history still points at it


def test_admin_renames_a_stage_in_slack(chat: Chat, services: Services) -> None:
    services.users.get_or_create("U0ADM", name="Ada")
    services.users.set_role("U0ADM", "admin")
    [listing] = chat.command("/sales stages", user="U0ADM")
    edit = next(c for c in listing.controls if c.action_id == "stage_edit")
    chat.click(edit.number, user="U0ADM")
    chat.submit({"Name": "Discovery", "Probability %": "15"}, user="U0ADM")
    names = [s.name for s in services.stages.all()]
    assert names[0] == "Discovery" and services.stages.all()[0].probability == 15


def test_sixty_stages_fit_one_message_and_each_can_be_edited(chat: Chat, services: Services,
                                                             slack) -> None:
    """Slack refuses a message of more than 50 blocks: many stages are listed compactly,
    with Edit menus instead of a button each."""
    services.users.get_or_create("U0ADM", name="Ada")
    admin = services.users.set_role("U0ADM", "admin")
    for n in range(60):
        services.stages.save(admin.id, None, name=f"Step {n:02d}", probability=50,
                             kind="open", quiet_days=None, active=True)
    [listing] = chat.command("/sales stages", user="U0ADM")
    assert len(listing.blocks) <= 50
    rendered = listing.render()
    assert "*Prospecting*" in rendered and "*Step 59*" in rendered
    [menu] = [c for c in listing.controls if c.action_id == "stage_edit"]
    assert len(menu.options) == len(services.stages.all())
    last = next(label for label, _ in menu.options if label.endswith("Step 59"))
    chat.click(menu.number, option=last, user="U0ADM")
    chat.submit({"Name": "Last step", "Probability %": "55"}, user="U0ADM")
    assert "Last step" in [s.name for s in services.stages.all()]
    assert rule_breaks(slack.calls) == []
