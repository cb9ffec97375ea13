"""Payload shapes Slack really sends, learned from Slack's own SDK test suites and kept as
fixtures in tests/fixtures/slack_payloads/ (each names where its shape came from): message
subtypes, edits and deletions, bot messages, the assistant pane, Enterprise Grid fields and
view_closed. Each goes through the real app as a signed request, and again as Slack's retry
(`X-Slack-Retry-Num`): none fails, none is answered twice, bots are never answered."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import BoltRequest, BoltResponse

from bot.chat import Chat
from bot.localslack import LocalSlack, Member
from store.services import Services

FIXTURES = Path(__file__).parent / "fixtures" / "slack_payloads"
REPLIES = ("chat.postMessage", "chat.postEphemeral", "chat.update", "respond")

# What each shape must make people see: nothing at all, or exactly one reply.
SILENT = {
    "message_bot_profile", "message_bot_message_classic", "message_bot_message_own",
    "message_changed", "message_deleted", "message_channel_join", "message_file_share_no_text",
    "assistant_thread_context_changed", "assistant_title_changed",
    "assistant_channel_message_changed", "assistant_bot_reply", "grid_org_install_app_home_opened",
    "grid_org_install_app_home_messages_tab", "view_closed",
}
ANSWERED_ONCE = {
    "message_user_dm", "message_file_share", "message_thread_broadcast",
    "assistant_thread_started", "assistant_user_message", "assistant_user_message_action_token",
    "assistant_user_message_unknown_thread_keys", "assistant_file_share",
    "grid_org_install_message", "grid_shared_channel_app_mention",
}
GRID_USER = Member("W0GRID", "gail", "Gail Grid", email="gail@example.test",
                   tz="America/Chicago")


def load(name: str) -> dict[str, Any]:
    data = json.loads((FIXTURES / f"{name}.json").read_text())
    data.pop("_source")
    return data


def send(chat: Chat, body: dict[str, Any], *, retry: int = 0) -> BoltResponse:
    """`body` as Slack posts it, signed; `retry` > 0 adds the headers of Slack's retries."""
    if body.get("type") == "event_callback":
        raw, content_type = json.dumps(body), "application/json"
    else:  # interactivity: a form with one `payload` field
        raw = urlencode({"payload": json.dumps(body)})
        content_type = "application/x-www-form-urlencoded"
    headers: dict[str, Any] = chat.signed_headers(raw, content_type)
    if retry:
        headers |= {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
    response = chat.app.dispatch(BoltRequest(body=raw, headers=headers))
    chat.absorb()
    return response


def replies(slack: LocalSlack) -> list[str]:
    return [call.method for call in slack.calls if call.method in REPLIES]


def words(value: Any) -> set[str]:
    """Every text a person wrote in a payload (the `text` fields, however deep)."""
    if isinstance(value, dict):
        found = {value["text"]} if isinstance(value.get("text"), str) else set()
        return found.union(*(words(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(words(v) for v in value))
    return set()


def trouble(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Log lines that say something broke: errors, tracebacks, Bolt's 'unhandled request'."""
    return [f"{r.name}: {r.getMessage()[:200]}" for r in caplog.records
            if r.levelno >= logging.WARNING or r.exc_info]


def test_every_fixture_has_an_expectation_and_a_source() -> None:
    names = {path.stem for path in FIXTURES.glob("*.json")}
    assert names == SILENT | ANSWERED_ONCE and not SILENT & ANSWERED_ONCE
    for name in names:
        source = json.loads((FIXTURES / f"{name}.json").read_text())["_source"]
        assert source.startswith("slackapi/"), name


@pytest.fixture
def workspace(book: dict[str, int], slack: LocalSlack) -> dict[str, int]:
    """Ana's book, and Gail, a member Slack knows only by her Enterprise Grid id (W…)."""
    slack.add_member(GRID_USER)
    return book


@pytest.mark.parametrize("name", sorted(SILENT | ANSWERED_ONCE))
def test_a_real_shape_is_acknowledged_and_answered_at_most_once(
        name: str, chat: Chat, slack: LocalSlack, workspace: dict[str, int],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    body = load(name)
    first = send(chat, body)
    assert first.status == 200, (first.status, first.body)
    seen = replies(slack)
    assert len(seen) == (0 if name in SILENT else 1), seen
    again = send(chat, body, retry=1)
    assert again.status == 200, (again.status, again.body)
    assert replies(slack) == seen, "a retry was answered again"
    assert trouble(caplog) == []
    logged = caplog.text
    assert [text for text in words(body) if len(text) > 8 and text in logged] == []


@pytest.mark.parametrize("name", ["message_bot_profile", "message_bot_message_classic",
                                  "message_bot_message_own", "assistant_bot_reply"])
def test_bots_are_never_answered_nor_made_users(name: str, chat: Chat, slack: LocalSlack,
                                                services: Services,
                                                workspace: dict[str, int]) -> None:
    users = {u.slack_user_id for u in services.users.list()}
    assert send(chat, load(name)).status == 200
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []
    assert {u.slack_user_id for u in services.users.list()} == users
    assert services.activities.list_for(workspace["ana"]) == []


@pytest.mark.parametrize("name", ["message_changed", "message_deleted", "message_channel_join",
                                  "assistant_title_changed"])
def test_edits_deletions_and_joins_change_nothing(name: str, chat: Chat, slack: LocalSlack,
                                                  services: Services,
                                                  workspace: dict[str, int]) -> None:
    """The edited text reads like a request ("note on acme: …"): it must not be acted on."""
    assert send(chat, load(name)).status == 200
    assert replies(slack) == []
    assert services.activities.list_for(workspace["ana"]) == []


def test_a_user_message_is_acted_on_once_though_slack_retries_it(
        chat: Chat, slack: LocalSlack, services: Services, workspace: dict[str, int]) -> None:
    body = load("message_user_dm")
    for retry in (0, 1, 2):
        assert send(chat, body, retry=retry).status == 200
    [activity] = services.activities.list_for(workspace["ana"])
    assert activity.subject == "They want pricing by friday"
    [reply] = slack.calls_of("chat.postMessage")
    assert reply.args["channel"] == "D0ANA"


@pytest.mark.parametrize("name", ["message_file_share", "message_thread_broadcast"])
def test_a_file_or_a_broadcast_with_words_is_read(name: str, chat: Chat, slack: LocalSlack,
                                                  services: Services,
                                                  workspace: dict[str, int]) -> None:
    send(chat, load(name))
    [activity] = services.activities.list_for(workspace["ana"])
    assert activity.subject.lower().startswith(("pricing sheet", "broadcast from"))


@pytest.mark.parametrize("name", ["assistant_user_message", "assistant_user_message_action_token",
                                  "assistant_user_message_unknown_thread_keys",
                                  "assistant_file_share"])
def test_the_assistant_pane_answers_in_its_thread(name: str, chat: Chat, slack: LocalSlack,
                                                  services: Services,
                                                  workspace: dict[str, int]) -> None:
    send(chat, load(name))
    assert len(services.activities.list_for(workspace["ana"])) == 1
    [reply] = slack.calls_of("chat.postMessage")
    assert (reply.args["channel"], reply.args.get("thread_ts")) == ("D0ANA",
                                                                    "1726133698.626339")


def test_the_assistant_greets_a_new_thread_once(chat: Chat, slack: LocalSlack,
                                                workspace: dict[str, int]) -> None:
    body = load("assistant_thread_started")
    send(chat, body)
    send(chat, body, retry=1)
    [greeting] = slack.calls_of("chat.postMessage")
    assert greeting.args.get("thread_ts") == "1726133698.626339"
    assert len(slack.calls_of("assistant.threads.setSuggestedPrompts")) == 1


def test_an_enterprise_grid_member_is_looked_up_and_answered(
        chat: Chat, slack: LocalSlack, services: Services, workspace: dict[str, int]) -> None:
    """An org-wide install (no team in `authorizations`), a W… user id."""
    assert send(chat, load("grid_org_install_message")).status == 200
    gail = services.users.find("W0GRID")
    assert gail is not None
    assert (gail.name, gail.email, gail.timezone) == ("Gail Grid", "gail@example.test",
                                                      "America/Chicago")
    [reply] = slack.calls_of("chat.postMessage")
    assert reply.args["channel"] == "D0GRID"


def test_an_enterprise_grid_mention_is_answered_privately(
        chat: Chat, slack: LocalSlack, services: Services, workspace: dict[str, int]) -> None:
    send(chat, load("grid_shared_channel_app_mention"))
    [reply] = slack.calls_of("chat.postEphemeral")
    assert (reply.args["channel"], reply.args["user"]) == ("C0SALES", "W0GRID")
    assert services.users.find("W0GRID") is not None


def test_an_enterprise_grid_home_opens(chat: Chat, slack: LocalSlack,
                                       workspace: dict[str, int]) -> None:
    send(chat, load("grid_org_install_app_home_opened"))
    [home] = slack.calls_of("views.publish")
    assert home.args["user_id"] == "W0GRID"


def test_a_closed_modal_is_acknowledged_quietly(chat: Chat, slack: LocalSlack,
                                                workspace: dict[str, int],
                                                caplog: pytest.LogCaptureFixture) -> None:
    response = send(chat, load("view_closed"))
    assert response.status == 200
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []
    assert trouble(caplog) == []
