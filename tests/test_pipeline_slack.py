"""Pipeline reports through signed requests: what each person saw, what was uploaded, and a
scheduled report posted once by the reminder runner."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from PIL import Image

from bot.chat import APP_ID, Chat
from bot.localslack import TEAM_ID, Failure, LocalSlack
from bot.reminders import ReminderRunner
from handlers.deps import Deps
from handlers.language.intents import Intent
from handlers.pipeline.flow import PipelineFlow
from store.clock import ManualClock
from store.models import Team
from store.services import Services
from store.services.people.directory import Directory
from store.services.pipeline.export import summary_csv
from store.services.pipeline.figures import Scope
from store.services.pipeline.quotas import QuotaService
from store.services.pipeline.summary import PipelineService
from tests.conftest import add_users


@pytest.fixture
def team(services: Services) -> dict[str, int]:
    with services.store.transaction() as s:
        people = add_users(s, {
            "U0MO": ("U0MO", "Mo Manager", "manager"),
            "U0ANA": ("U0ANA", "Ana Rep", "rep"),
            "U0DANA": ("U0DANA", "Dana Kim", "rep"),
            "U0ADA": ("U0ADA", "Ada Admin", "admin"),
        })
        sales = Team(name="Sales", manager_id=people["U0MO"].id)
        s.add(sales)
        s.flush()
        for sid in ("U0ANA", "U0DANA"):
            people[sid].team_id = sales.id
            people[sid].manager_id = people["U0MO"].id
        ids = {k: u.id for k, u in people.items()}
    opps = services.opportunities
    # an admin sets the accounts up for their reps: a rep's deals go on accounts they may see
    for account, owner in (("Acme", "U0ANA"), ("Globex", "U0ANA"), ("Initech", "U0DANA")):
        services.accounts.create(ids["U0ADA"], account, owner_id=ids[owner])
    opps.create(ids["U0ANA"], "Renewal", account="Acme", amount=Decimal("84000.10"),
                stage="Proposal/Price Review", close_date=date(2026, 12, 15))
    opps.create(ids["U0ANA"], "Pilot", account="Globex", amount=Decimal("12000"),
                currency="EUR", close_date=date(2027, 2, 1))
    opps.create(ids["U0DANA"], "Platform", account="Initech", amount=Decimal("56000"),
                stage="Negotiation/Review", close_date=date(2026, 12, 1))
    return ids


def uploads(slack: LocalSlack) -> list[tuple[dict, bytes]]:
    """(completeUploadExternal args, uploaded bytes) of every file the app sent."""
    done = []
    for call in slack.calls_of("files.completeUploadExternal"):
        file_id = call.args["files"][0]["id"] if isinstance(call.args["files"], list) else None
        done.append((call.args, slack._state.uploads[file_id]))
    return done


def test_a_rep_gets_their_own_pipeline_with_a_chart(chat: Chat, slack: LocalSlack,
                                                    team) -> None:
    [reply] = chat.say("pipeline", user="U0ANA")
    text = reply.render()
    assert "Pipeline · Ana Rep · all close dates" in text
    assert "Proposal/Price Review (75%): 1 deal · $84,000.10 (weighted $63,000.08)" in text
    assert "€12,000.00" in text and "$56,000.00" not in text  # Dana's deal is not hers
    assert ("Total open:* 1 deal · €12,000.00 (weighted €1,200.00) | 1 deal · $84,000.10 "
            "(weighted $63,000.08)") in text  # currencies side by side, never added
    [(args, png)] = uploads(slack)
    assert args["channel_id"] == "D0ANA" and args["files"][0]["title"] == "Pipeline · Ana Rep"
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (900, 900)  # two currencies, two panels
    assert [c.method for c in slack.calls][-4:-1] == [
        "conversations.open", "files.getUploadURLExternal", "files.completeUploadExternal"]


def test_a_rep_is_refused_a_colleagues_pipeline_and_a_manager_sees_it(
        chat: Chat, slack: LocalSlack, team) -> None:
    [refused] = chat.say("pipeline for dana", user="U0ANA")
    assert refused.render() == ("You can see only your own pipeline; Dana Kim's is for their "
                                "manager or an admin.")
    assert uploads(slack) == []
    [reply] = chat.say("pipeline for dana", user="U0MO")
    assert "Pipeline · Dana Kim" in reply.render() and "$56,000.00" in reply.render()
    assert "$84,000.10" not in reply.render()


def test_a_manager_sees_the_team_this_quarter(chat: Chat, services: Services, team) -> None:
    [reply] = chat.say("pipeline for my team this quarter", user="U0MO")
    text = reply.render()
    assert "Pipeline · Mo Manager's team · closing in Q4 2026 (Thu, Oct 1, 2026 – Thu, Dec 31, " \
           "2026)" in text
    assert "Total open:* 2 deals · $140,000.10 (weighted $113,400.08)" in text
    assert "€" not in text.split("By owner")[0]  # the February deal is next quarter
    assert "• Ana Rep: 1 deal · $84,000.10" in text and "• Dana Kim: 1 deal · $56,000.00" in text
    [rep_view] = chat.say("pipeline for my team", user="U0ANA")
    assert "Team pipelines are for managers" in rep_view.render()


def test_pipeline_csv_uploads_the_same_figures(chat: Chat, slack: LocalSlack, services,
                                               team) -> None:
    [reply] = chat.command("/sales pipeline csv", user="U0MO")
    assert reply.ephemeral and "as CSV is in our DM: `pipeline-open.csv`" in reply.render()
    [(args, content)] = uploads(slack)
    assert args["channel_id"] == "D0MO"
    expected = summary_csv(PipelineService(services.store).summary(team["U0MO"]))
    assert content.decode("utf-8") == expected
    assert "total,open pipeline,USD,2,140000.10,113400.08," in expected.splitlines()


def test_share_in_channel_posts_for_everyone(chat: Chat, slack: LocalSlack, team) -> None:
    [ephemeral] = chat.mention("pipeline", user="U0MO", channel="C0SALES")
    assert ephemeral.ephemeral and ephemeral.recipient == "U0MO"
    chat.click(action_id="pipeline_share", user="U0MO")
    shared = [m for m in chat.transcript if m.channel == "C0SALES" and m.recipient is None]
    assert len(shared) == 1 and "Shared by @U0MO" in shared[0].render()
    assert shared[0].controls == []  # no buttons for the whole channel
    assert [a["channel_id"] for a, _ in uploads(slack)] == ["D0MO", "C0SALES"]


def test_the_text_stays_whole_when_images_fail_or_are_off(chat: Chat, slack: LocalSlack,
                                                          team) -> None:
    slack.fail_next("files.getUploadURLExternal", Failure(error="internal_error"))
    [reply] = chat.say("pipeline", user="U0MO")
    assert "The chart couldn't be sent; every figure is in the text above." in reply.render()
    assert "Total open:* 1 deal · €12,000.00 (weighted €1,200.00) | 2 deals" in reply.render()
    asked = len(slack.calls_of("files.getUploadURLExternal"))
    [text_only] = chat.say("pipeline text only", user="U0MO")
    assert len(slack.calls_of("files.getUploadURLExternal")) == asked
    assert "| 2 deals · $140,000.10 (weighted $113,400.08)" in text_only.render()


def test_forecast_for_the_quarter(chat: Chat, services: Services, team) -> None:
    [refused] = chat.say("forecast quota dana 2026-Q4 100k", user="U0MO")
    assert refused.render() == "Only an admin can set quotas."
    [done] = chat.say("forecast quota dana 2026-Q4 100k", user="U0ADA")
    assert done.render() == "Dana Kim's quota for 2026-Q4 is $100,000.00."
    assert QuotaService(services.store).for_period(team["U0MO"], "2026-Q4")[0].amount == \
        Decimal("100000.00")
    [reply] = chat.say("forecast", user="U0MO")
    text = reply.render()
    assert "Forecast · Mo Manager's team · Q4 2026" in text
    assert ("• Dana Kim: commit $56,000.00 · best case $56,000.00 · pipeline $56,000.00 · "
            "won $0.00 of quota $100,000.00 (0.0%)") in text
    assert "• Ana Rep: commit $0.00 · best case $84,000.10 · pipeline $84,000.10" in text


def test_a_scheduled_report_is_posted_once_a_week(chat: Chat, slack: LocalSlack,
                                                  services: Services, app, clock: ManualClock,
                                                  team) -> None:
    [refused] = chat.say("pipeline to <#C0SALES|sales> every monday 8am", user="U0ANA")
    assert "for managers and admins" in refused.render()
    # a bare channel name (not a mention Slack resolved) gets a channel picker
    [question] = chat.say("pipeline for my team to #sales every monday 8am", user="U0MO")
    assert "I can't find #sales; pick the channel for the report:" in question.render()
    picker = question.blocks[-1]
    chat.dispatch(urlencode({"payload": json.dumps({
        "type": "block_actions", "user": {"id": "U0MO", "team_id": TEAM_ID},
        "team": {"id": TEAM_ID}, "api_app_id": APP_ID, "trigger_id": "1.t",
        "response_url": slack.response_url("U0MO-pick"),
        "container": {"type": "message", "message_ts": question.ts,
                      "channel_id": question.channel, "is_ephemeral": False},
        "channel": {"id": question.channel}, "message": {"ts": question.ts, "blocks": []},
        "actions": [{"type": "conversations_select", "action_id": "pipeline_subscribe_channel",
                     "block_id": picker["block_id"], "selected_conversation": "C0SALES"}],
    })}), "application/x-www-form-urlencoded")
    assert question.render().startswith(
        "I'll post the pipeline of Mo Manager's team to <#C0SALES> every Monday at 08:00 (UTC).")
    [again] = chat.say("pipeline for my team to <#C0SALES|sales> every mondays at 8",
                       user="U0MO")
    assert "to <#C0SALES> every Monday at 08:00" in again.render()  # the same one, not twice
    runners = [ReminderRunner(services, app.client, clock, "UTC", worker=w) for w in "ab"]

    def posted() -> list[dict]:
        return [c.args for c in slack.calls_of("chat.postMessage")
                if c.args.get("channel") == "C0SALES"]

    for runner in runners:  # Monday 15:00: this morning's slot was before the subscription
        runner.run_once()
    assert posted() == []
    clock.set(datetime(2026, 11, 30, 7, 59, tzinfo=UTC))
    runners[0].run_once()
    assert posted() == []
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    for runner in runners * 2:
        runner.run_once()
    [report] = posted()
    assert report["text"] == ("Weekly Pipeline · Mo Manager's team: 1 deal · €12,000.00 "
                              "(weighted €1,200.00) | 2 deals · $140,000.10 (weighted "
                              "$113,400.08)")
    clock.advance(timedelta(days=3))
    runners[1].run_once()
    assert len(posted()) == 1
    clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    runners[1].run_once()
    assert len(posted()) == 2
    chat.say("pipeline subscriptions", user="U0MO")
    chat.click(action_id="pipeline_unsubscribe", user="U0MO")
    assert "No scheduled pipeline reports" in chat.latest("U0MO").render()
    clock.set(datetime(2026, 12, 14, 9, 0, tzinfo=UTC))
    runners[0].run_once()
    assert len(posted()) == 2


def test_a_report_scope_follows_the_store_rules(services: Services, team) -> None:
    service = PipelineService(services.store)
    assert service.scope_label(team["U0ADA"], Scope()) == "Everyone"
    assert service.scope_label(team["U0MO"], Scope()) == "Mo Manager's team"


def test_the_whole_sentence_schedules_a_report(services: Services, app, clock, team) -> None:
    """"post the team pipeline to #sales every monday 8am", once `handlers.intents` routes
    such sentences to the pipeline (today `pipeline …` and `/sales pipeline …` do)."""
    flow = PipelineFlow(Deps(services=services, directory=Directory(services.store),
                             clock=clock))
    flow.client = app.client
    mo = services.users.get("U0MO")
    text = "post the team pipeline to <#C0SALES|sales> every friday at 16"
    answer = flow.pipeline(Intent("pipeline", text, detail=text), mo)
    assert answer.text.startswith("I'll post the pipeline of Mo Manager's team to <#C0SALES> "
                                  "every Friday at 16:00 (UTC).")
    [view] = flow.subscriptions.mine(team["U0MO"])
    assert (view.scope, view.owner_id, view.weekday, view.hour) == ("team", team["U0MO"], 4, 16)


def test_sales_pipeline_subscribe_by_command(chat: Chat, team) -> None:
    """A bare `#sales` (Slack escapes a channel it recognises to <#C…>; one it doesn't stays
    plain): Slack is asked for the channel by name, and when it can't say, a channel picker
    is offered."""
    [reply] = chat.command("/sales pipeline subscribe #sales monday 8am", user="U0MO")
    assert reply.ephemeral and "I can't find #sales; pick the channel" in reply.render()
    [listing] = chat.command("/sales pipeline subscriptions", user="U0MO")
    assert "No scheduled pipeline reports" in listing.render()


def test_post_the_team_pipeline_sentence(chat: Chat, team) -> None:
    [reply] = chat.say("post the team pipeline to <#C0SALES|sales> every monday 8am",
                       user="U0MO")
    assert "to <#C0SALES> every Monday at 08:00" in reply.render()


def test_a_weekly_report_uses_the_fiscal_year_like_every_summary(
        slack: LocalSlack, services: Services, app, clock: ManualClock, team) -> None:
    """SALESBOT_FISCAL_YEAR_START=4 (April): the weekly post's quarters are fiscal ones."""
    fiscal = Services(services.store, fiscal_year_start=4)
    mo = team["U0MO"]
    fiscal.report_subscriptions.subscribe(mo, "C0SALES", scope=Scope("team", mo), weekday=0,
                                          hour=8)
    asked = fiscal.pipeline.summary(mo, Scope("team", mo))
    calendar = services.pipeline.summary(mo, Scope("team", mo))
    assert asked.closed_period.label != calendar.closed_period.label
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
    ReminderRunner(fiscal, app.client, clock, "UTC", worker="t").run_once()
    [report] = [c.args for c in slack.calls_of("chat.postMessage")
                if c.args.get("channel") == "C0SALES"]
    posted = json.dumps(report["blocks"], ensure_ascii=False)
    assert asked.closed_period.label in posted  # "Closed in Q3 FY2026", as when asked
    assert calendar.closed_period.label not in posted
