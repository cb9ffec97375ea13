"""The manifest asks for exactly the scopes the app needs: derived from the Web API methods
the code calls (checked against what the stand-in recorded in a session over every kind of
surface) and the events it subscribes to; and its settings agree with what the code reads."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.chat import Chat
from bot.localslack import LocalSlack
from store.db import Store
from store.demo import load_demo

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((ROOT / "app_manifest.yml").read_text())

# Slack's Web API reference: the bot scopes each method needs (none for views.* and
# chat.getPermalink; conversations.list needs the read scope of each type it lists).
METHOD_SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    "chat.postMessage": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.getPermalink": set(),
    "conversations.open": {"im:write"},
    "conversations.list": {"channels:read", "groups:read"},  # public and private channels
    "users.info": {"users:read", "users:read.email"},  # the profile's email is read
    "views.open": set(), "views.push": set(), "views.update": set(), "views.publish": set(),
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
    "assistant.threads.setStatus": {"assistant:write"},
    "assistant.threads.setSuggestedPrompts": {"assistant:write"},
    "assistant.threads.setTitle": {"assistant:write"},
}
# Events API: the scope each subscribed event needs.
EVENT_SCOPES: dict[str, set[str]] = {
    "app_home_opened": set(), "app_uninstalled": set(), "tokens_revoked": set(),
    "app_mention": {"app_mentions:read"}, "message.im": {"im:history"},
    "assistant_thread_started": {"assistant:write"},
    "assistant_thread_context_changed": {"assistant:write"},
    "team_join": {"users:read"}, "user_change": {"users:read"},
}
# Features and needs no method shows: /sales and the shortcuts; scheduled reports post to
# public channels the bot has not joined.
FEATURE_SCOPES = {"commands", "chat:write.public"}
# Bolt's helpers and the SDK's composite calls, by the Web API methods they make.
HELPERS = {
    "say": {"chat.postMessage"},
    "set_status": {"assistant.threads.setStatus"},
    "set_suggested_prompts": {"assistant.threads.setSuggestedPrompts"},
    "set_title": {"assistant.threads.setTitle"},
    "client.files_upload_v2": {"files.getUploadURLExternal", "files.completeUploadExternal"},
}
_CLIENT_CALL = re.compile(r"\bclient\.([a-z]+)_([a-zA-Z]+)\(")
_HELPER_CALL = re.compile(r"(?<![.\w])(say|set_status|set_suggested_prompts|set_title)\(")
# The harness and the stand-in play Slack's part; they are not the app.
NOT_THE_APP = {"chat.py", "localslack.py", "shell.py", "render.py"}


def methods_in_code() -> set[str]:
    found = {"auth.test"}  # Bolt checks its token on start
    for path in [*ROOT.glob("handlers/**/*.py"), *ROOT.glob("bot/*.py")]:
        if path.name in NOT_THE_APP:
            continue
        source = path.read_text()
        if "client.files_upload_v2(" in source:
            found |= HELPERS["client.files_upload_v2"]
        for family, method in _CLIENT_CALL.findall(source.replace("files_upload_v2", "")):
            if family != "api":  # client.api_call resends a kept reply: a method seen here
                found.add(f"{family}.{method}")
        for helper in _HELPER_CALL.findall(source):
            found |= HELPERS[helper]
    return found


def test_the_scopes_are_exactly_what_the_methods_and_events_need(
        store: Store, chat: Chat, slack: LocalSlack) -> None:
    methods = methods_in_code()
    unknown = methods - METHOD_SCOPES.keys()
    assert not unknown, f"add the scopes of {unknown} from Slack's Web API reference"
    # the methods the app really called in a session over its surfaces are all seen in code
    load_demo(store)
    for line in ("help", "pipeline", "pipeline csv", "show acme",
                 "pipeline to #sales every monday 8am", "approvals"):
        chat.say(line, user="U0MORGAN")
    chat.command("/sales stages", user="U0PRIYA")
    chat.command("/sales new", user="U0ALEX")
    chat.open_home(user="U0ALEX")
    chat.event({"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "U0ALEX", "channel_id": "D0ALEX", "thread_ts": "9.1", "context": {}},
        "event_ts": "9.2"})
    chat.event({"type": "team_join", "user": {"id": "U0NEW", "name": "new"}})
    recorded = {c.method for c in slack.calls} - {"respond"}
    assert {"conversations.list", "files.getUploadURLExternal", "views.open",
            "views.publish", "assistant.threads.setSuggestedPrompts"} <= recorded
    assert recorded <= methods, f"called but not found in the code: {recorded - methods}"
    settings = MANIFEST["settings"]
    needed = set(FEATURE_SCOPES)
    for method in methods:
        needed |= METHOD_SCOPES[method]
    for event in settings["event_subscriptions"]["bot_events"]:
        needed |= EVENT_SCOPES[event]
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed


def test_the_manifest_agrees_with_itself_and_the_code() -> None:
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["should_escape"] is True  # `/sales delegate @dana` arrives as <@U…>
    header = (ROOT / "app_manifest.yml").read_text().split("display_information:")[0]
    socket_mode = MANIFEST["settings"]["socket_mode_enabled"]
    assert f"socket_mode_enabled: {str(not socket_mode).lower()}" in header  # how to switch
    assert f"keep socket_mode_enabled: {str(socket_mode).lower()}" not in header
    assert "HTTP mode" in header if not socket_mode else "Socket Mode" in header


def test_delegate_reads_an_escaped_mention_or_a_plain_name(chat: Chat, services) -> None:
    for slack_id, name in (("U0MO", "Mo Manager"), ("U0OLI", "Oli Other"),
                           ("U0DANA", "Dana Kim")):
        services.users.get_or_create(slack_id, name=name)
    services.users.set_role("U0MO", "manager")
    [escaped] = chat.command("/sales delegate <@U0OLI|oli>", user="U0MO")
    assert "Oli Other can now decide your approvals" in escaped.render()
    [plain] = chat.command("/sales delegate @dana", user="U0MO")
    assert "Dana Kim can now decide your approvals" in plain.render()
    [unknown] = chat.command("/sales delegate @zed", user="U0MO")
    assert "I don't know anyone called “zed”" in unknown.render()
    mo = services.users.get("U0MO")
    assert services.approvals.delegate(mo.id, "U0DANA") == "Dana Kim"
