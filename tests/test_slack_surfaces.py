"""Every Slack surface through signed requests: signatures, retries, commands, mentions,
modals, shortcuts, the assistant thread, the App Home, and failures shown kindly."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from slack_bolt import BoltRequest

from bot.chat import Chat, dm_channel
from bot.localslack import LocalSlack
from store.services import Services

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def ana(services: Services):
    ana = services.users.get_or_create("U0ANA", name="Ana Rep", timezone="Europe/Paris")
    services.accounts.create(ana.id, "Acme")
    services.opportunities.create(ana.id, "Renewal", account="Acme", amount=Decimal(84000))
    return ana


def _command_body(text: str) -> str:
    return urlencode({"command": "/sales", "text": text, "user_id": "U0ANA",
                      "team_id": "T0SALES", "channel_id": "D0ANA",
                      "response_url": "http://127.0.0.1:9/unused", "trigger_id": "1.t"})


def test_unsigned_request_is_refused(chat: Chat, ana) -> None:
    body = _command_body("help")
    response = chat.app.dispatch(BoltRequest(body=body, headers={
        "content-type": "application/x-www-form-urlencoded"}))
    assert response.status == 401


def test_stale_timestamp_is_refused(chat: Chat, ana) -> None:
    body = _command_body("help")
    headers = chat.signed_headers(body, "application/x-www-form-urlencoded",
                                  timestamp=int(time.time()) - 600)
    assert chat.app.dispatch(BoltRequest(body=body, headers=headers)).status == 401


def test_wrong_secret_is_refused(chat: Chat, ana) -> None:
    body = _command_body("help")
    forger = Chat(app=chat.app, slack=chat.slack, signing_secret="not-the-secret")
    headers = forger.signed_headers(body, "application/x-www-form-urlencoded")
    assert chat.app.dispatch(BoltRequest(body=body, headers=headers)).status == 401


def test_a_retried_event_is_processed_once(chat: Chat, services: Services, ana) -> None:
    chat.say("note on acme: first", event_id="Ev000RETRY")
    chat.say("note on acme: first", event_id="Ev000RETRY")
    assert len(services.activities.list_for(ana.id)) == 1


def test_slash_command_answers_privately(chat: Chat, slack: LocalSlack, ana) -> None:
    [reply] = chat.command("/sales deal acme")
    assert reply.ephemeral and "Acme — Renewal" in reply.render()
    assert slack.calls_of("respond")[-1].args["response_type"] == "ephemeral"


def test_slash_log_and_move(chat: Chat, services: Services, ana) -> None:
    chat.command("/sales log call Acme: asked for a quote")
    [activity] = services.activities.list_for(ana.id)
    assert (activity.kind, activity.subject) == ("call", "Asked for a quote")
    chat.command('/sales move "Acme renewal" negotiation')
    [opp] = services.opportunities.visible(ana.id)
    assert opp.stage.name == "Negotiation/Review"


def test_slash_log_without_text_opens_the_form(chat: Chat, services: Services, ana) -> None:
    chat.command("/sales log")
    assert chat.open_modal() is not None
    response = chat.submit({"Kind": "meeting", "Account, contact or deal": "acme",
                            "What happened": "demo went well", "Follow up on": "2026-12-01"})
    assert response.status == 200
    [activity] = services.activities.list_for(ana.id)
    assert activity.kind == "meeting" and activity.follow_up_at is not None
    assert "Logged a meeting" in chat.latest().text


def test_new_deal_form_validates_on_the_field(chat: Chat, services: Services, ana) -> None:
    chat.command("/sales new")
    response = chat.submit({"Account": "Acme", "Deal name": "Upsell", "Amount": "lots"})
    assert json.loads(response.body)["errors"]["amount"].startswith("“lots” is not an amount")
    response = chat.submit({"Account": "Acme", "Deal name": "Upsell", "Amount": "12.5k"})
    assert response.status == 200
    amounts = {o.name: o.amount for o in services.opportunities.visible(ana.id)}
    assert amounts["Upsell"] == Decimal("12500.00")


def test_mention_in_a_channel_answers_ephemerally(chat: Chat, slack: LocalSlack, ana) -> None:
    slack.clear()
    chat.mention("show acme", channel="C0PUBLIC")
    assert slack.calls_of("chat.postEphemeral")
    assert not slack.calls_of("chat.postMessage")


def test_assistant_thread_greets_and_answers(chat: Chat, slack: LocalSlack, services,
                                             ana) -> None:
    channel = dm_channel("U0ANA")
    chat.event({"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "U0ANA", "channel_id": channel, "thread_ts": "1.000001",
        "context": {}}, "event_ts": "1.000002"})
    assert slack.calls_of("assistant.threads.setSuggestedPrompts")
    chat.say("note on acme: from the assistant", thread_ts="1.000001")
    assert services.activities.list_for(ana.id)[0].subject == "From the assistant"
    assert slack.calls_of("chat.postMessage")[-1].args.get("thread_ts") == "1.000001"


def test_a_user_message_carrying_an_action_token_is_answered(chat: Chat, slack: LocalSlack,
                                                             services, ana) -> None:
    """Slack's shape for a message typed in the assistant pane (bolt-python's assistant
    tests): `assistant_thread` holds only an action token, the sender is `user`."""
    channel = dm_channel("U0ANA")
    slack.clear()
    chat.event({"type": "message", "channel_type": "im", "channel": channel, "user": "U0ANA",
                "text": "note on acme: typed in the pane", "ts": "2.000001",
                "event_ts": "2.000001", "thread_ts": "1.000001", "parent_user_id": "U0ANA",
                "assistant_thread": {"action_token": "10647138185092.960436384805.afce3599"}})
    assert services.activities.list_for(ana.id)[0].subject == "Typed in the pane"
    assert slack.calls_of("chat.postMessage")[-1].args.get("thread_ts") == "1.000001"


def test_message_shortcut_logs_with_permalink_once(chat: Chat, services: Services,
                                                   ana) -> None:
    [reply] = chat.say("help")
    chat.shortcut("log_message_as_activity", message=reply)
    chat.submit({"Kind": "note", "Account, contact or deal": "acme",
                 "What happened": "good answer"})
    [activity] = services.activities.list_for(ana.id)
    assert activity.slack_permalink.startswith("https://salesbot-local.slack.com/archives/")
    chat.shortcut("log_message_as_activity", message=reply)
    chat.submit({"Kind": "note", "Account, contact or deal": "acme",
                 "What happened": "good answer"})
    assert len(services.activities.list_for(ana.id)) == 1
    assert "already logged" in chat.latest().text


def test_global_shortcut_opens_the_form(chat: Chat, ana) -> None:
    chat.shortcut("log_activity")
    assert chat.open_modal().view["callback_id"] == "log_activity"


def test_app_home_shows_my_deals(chat: Chat, ana) -> None:
    home = chat.open_home()
    assert "My open deals" in home and "Acme — Renewal" in home


@pytest.mark.failure_expected
def test_a_failure_is_a_short_private_message(chat: Chat, slack: LocalSlack,
                                              services: Services, ana, monkeypatch) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("database exploded: password=hunter2")

    monkeypatch.setattr(services.opportunities, "advance", broken)
    monkeypatch.setattr(services.plans, "apply", broken)  # the language layer's write path
    [reply] = chat.say("advance acme renewal")
    assert "something went wrong" in reply.text
    assert "hunter2" not in reply.text and "Traceback" not in reply.text


def test_manifest_declares_exactly_what_the_app_handles(chat: Chat, slack: LocalSlack,
                                                        ana) -> None:
    manifest = yaml.safe_load((ROOT / "app_manifest.yml").read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == ["/sales"]
    shortcuts = {s["callback_id"] for s in features["shortcuts"]}
    assert shortcuts == {"log_message_as_activity", "log_activity", "save_to_kb"}
    events = set(settings["event_subscriptions"]["bot_events"])
    assert events == {"app_home_opened", "app_mention", "assistant_thread_context_changed",
                      "assistant_thread_started", "message.im", "app_uninstalled",
                      "team_join", "tokens_revoked", "user_change"}
    assert settings["interactivity"]["is_enabled"]
    urls = {c["url"] for c in features["slash_commands"]} | {
        settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]}
    assert all(u.endswith("/slack/events") for u in urls)
    # and the app really answers each of them
    for callback_id in shortcuts - {"save_to_kb"}:  # admins only: tested in test_kb_slack
        before = len(slack.calls_of("views.open"))
        message = chat.latest() if callback_id == "log_message_as_activity" else None
        if callback_id == "log_message_as_activity" and message is None:
            chat.say("help")
            message = chat.latest()
        chat.shortcut(callback_id, message=message)
        assert len(slack.calls_of("views.open")) == before + 1
    answered = {
        "app_home_opened": ("views.publish", lambda: chat.open_home()),
        "app_mention": ("chat.postEphemeral", lambda: chat.mention("help")),
        "message.im": ("chat.postMessage", lambda: chat.say("help")),
        "assistant_thread_started": ("assistant.threads.setSuggestedPrompts", lambda: chat.event(
            {"type": "assistant_thread_started", "assistant_thread": {
                "user_id": "U0ANA", "channel_id": "D0ANA", "thread_ts": "9.1", "context": {}},
             "event_ts": "9.2"})),
    }
    for event, (method, trigger) in answered.items():
        before = len(slack.calls_of(method))
        trigger()
        assert len(slack.calls_of(method)) == before + 1, event


def test_share_in_channel_posts_without_buttons(chat: Chat, slack: LocalSlack, ana) -> None:
    slack.clear()
    chat.mention("show acme", channel="C0PUBLIC")
    [private] = chat.visible_to("U0ANA")
    assert private.ephemeral and "Share in channel" in private.render()
    chat.click(action_id="share_in_channel")
    [shared] = slack.calls_of("chat.postMessage")
    assert shared.args["channel"] == "C0PUBLIC" and "Acme — Renewal" in str(shared.args)
    assert '"actions"' not in str(shared.args["blocks"]).replace("'", '"')
    assert "Shared by <@U0ANA>" in str(shared.args["blocks"])
