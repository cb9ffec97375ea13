"""A conversation with the real app, through real signed requests.

`salesbot shell`, `salesbot demo` and the tests all talk to the bot through this
class: each line becomes the exact request Slack would send (signed with the app's
secret), goes through `App.dispatch`, and the Web API calls the app makes land on
the local stand-in, from which the transcript is rebuilt: what each user now sees.
"""

from __future__ import annotations

import itertools
import json
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.localslack import BOT_USER_ID, TEAM_ID, Call, LocalSlack
from bot.render import Control, controls, render, render_view

APP_ID = "A0SALESBOT"


_TOKEN = re.compile(r"(<(?:@[UW][A-Z0-9]+|#C[A-Z0-9]+|!(?:channel|here|everyone))(?:\|[^<>]*)?>)")


def as_slack_sends(text: str) -> str:
    """Text as Slack delivers it: `&`, `<`, `>` escaped, mention tokens kept."""
    parts = _TOKEN.split(text)
    return "".join(part if i % 2 else part.replace("&", "&amp;").replace("<", "&lt;")
                   .replace(">", "&gt;") for i, part in enumerate(parts))


def dm_channel(user_id: str) -> str:
    """The DM channel between a user and the bot (the stand-in uses the same rule)."""
    return "D" + user_id.lstrip("UW")


@dataclass
class Message:
    id: int
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    recipient: str | None  # None: everyone in the channel sees it
    ephemeral: bool = False
    thread_ts: str | None = None

    def render(self) -> str:
        return render(self.text, self.blocks)

    @property
    def controls(self) -> list[Control]:
        return controls(self.blocks)


@dataclass
class Modal:
    view_id: str
    user: str
    view: dict[str, Any]


@dataclass
class _Origin:
    user: str
    message_id: int | None = None


@dataclass
class Chat:
    """Say things as a user; read what they see."""

    app: App
    slack: LocalSlack
    signing_secret: str
    user: str = "U0DEMO"
    channel_id: str = "C0SALES"
    transcript: list[Message] = field(default_factory=list)
    modals: dict[str, list[Modal]] = field(default_factory=dict)
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_response: BoltResponse | None = None

    def __post_init__(self) -> None:
        self._seq = itertools.count(1)
        self._seen = len(self.slack.calls)
        self._origins: dict[str, _Origin] = {}
        self._triggers: dict[str, str] = {}
        self._verifier = SignatureVerifier(self.signing_secret)

    # -- raw requests -----------------------------------------------------------------
    def signed_headers(self, body: str, content_type: str,
                       timestamp: int | None = None) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = self._verifier.generate_signature(timestamp=ts, body=body)
        assert signature is not None  # None only when no timestamp is given
        return {
            "content-type": content_type,
            "x-slack-request-timestamp": ts,
            "x-slack-signature": signature,
        }

    def dispatch(self, body: str, content_type: str) -> BoltResponse:
        """Send one signed request through the app, then read what it made users see."""
        headers: dict[str, str | Sequence[str]] = {**self.signed_headers(body, content_type)}
        request = BoltRequest(body=body, headers=headers)
        response = self.app.dispatch(request)
        self.last_response = response
        self._absorb()
        return response

    def new_calls(self) -> list[Call]:
        """Web API calls made since the last time this was asked (for `--json`)."""
        calls = self.slack.calls
        start = getattr(self, "_printed", 0)
        self._printed = len(calls)
        return calls[start:]

    # -- what a user does ---------------------------------------------------------------
    def event(self, event: dict[str, Any], *, event_id: str | None = None) -> BoltResponse:
        body = {
            "token": "legacy-token-unused", "team_id": TEAM_ID, "api_app_id": APP_ID,
            "event": event, "type": "event_callback",
            # unique across runs: the store remembers processed ids (retries run once)
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:16].upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        return self.dispatch(json.dumps(body), "application/json")

    def say(self, text: str, *, user: str | None = None, thread_ts: str | None = None,
            event_id: str | None = None) -> list[Message]:
        """A direct message to the bot."""
        user = user or self.user
        ts = self._ts()
        before = len(self.transcript)
        event = {"type": "message", "channel_type": "im", "channel": dm_channel(user),
                 "user": user, "text": as_slack_sends(text), "ts": ts, "event_ts": ts}
        if thread_ts:
            event["thread_ts"] = thread_ts
        self.event(event, event_id=event_id)
        return self.transcript[before:]

    def mention(self, text: str, *, user: str | None = None,
                channel: str | None = None) -> list[Message]:
        user = user or self.user
        ts = self._ts()
        before = len(self.transcript)
        self.event({"type": "app_mention", "channel": channel or self.channel_id, "user": user,
                    "text": f"<@{BOT_USER_ID}> {as_slack_sends(text)}", "ts": ts,
                    "event_ts": ts})
        return self.transcript[before:]

    def command(self, line: str, *, user: str | None = None) -> list[Message]:
        """A slash command line such as `/sales deal acme`."""
        user = user or self.user
        name, _, text = line.strip().partition(" ")
        key = self._origin(user)
        form = {
            "token": "legacy-token-unused", "team_id": TEAM_ID, "team_domain": "local",
            "channel_id": dm_channel(user), "channel_name": "directmessage", "user_id": user,
            "user_name": user.lower(), "command": name, "text": as_slack_sends(text),
            "api_app_id": APP_ID,
            "response_url": self.slack.response_url(key), "trigger_id": self._trigger(user),
        }
        before = len(self.transcript)
        self.dispatch(urlencode(form), "application/x-www-form-urlencoded")
        return self.transcript[before:]

    def click(self, number: int | None = None, *, action_id: str | None = None,
              option: str | None = None, user: str | None = None) -> list[Message]:
        """Press control `number` (or the one with `action_id`) of the latest message."""
        user = user or self.user
        message = self.latest(user, with_controls=True)
        if message is None:
            raise LookupError("there is no message with buttons to click")
        control = self._control(message, number, action_id)
        action: dict[str, Any] = {"action_id": control.action_id, "block_id": control.block_id,
                                  "action_ts": self._ts(), "type": control.kind}
        if control.kind == "button":
            action["value"] = control.value
        elif control.kind == "datepicker":
            if option is None:
                raise LookupError(f"[{control.number}] takes a date: :click N YYYY-MM-DD")
            action["selected_date"] = option
        else:
            chosen = self._option(control, option)
            action["selected_option"] = {"text": {"type": "plain_text", "text": chosen[0]},
                                         "value": chosen[1]}
        key = self._origin(user, message.id)
        payload = {
            "type": "block_actions", "user": {"id": user, "team_id": TEAM_ID},
            "team": {"id": TEAM_ID}, "api_app_id": APP_ID, "trigger_id": self._trigger(user),
            "response_url": self.slack.response_url(key),
            "container": {"type": "message", "message_ts": message.ts,
                          "channel_id": message.channel, "is_ephemeral": message.ephemeral},
            "channel": {"id": message.channel},
            "message": {"ts": message.ts, "text": message.text, "blocks": message.blocks},
            "actions": [action],
        }
        before = len(self.transcript)
        self.dispatch(urlencode({"payload": json.dumps(payload)}),
                      "application/x-www-form-urlencoded")
        return self.transcript[before:]

    def submit(self, values: dict[str, str], *, user: str | None = None) -> BoltResponse:
        """Submit the user's open modal with `values` keyed by field label or block id."""
        user = user or self.user
        modal = self.open_modal(user)
        if modal is None:
            raise LookupError("there is no open form to submit")
        state = form_state(modal.view, values)
        view = {**modal.view, "id": modal.view_id, "state": {"values": state}}
        payload = {"type": "view_submission", "user": {"id": user, "team_id": TEAM_ID},
                   "team": {"id": TEAM_ID}, "api_app_id": APP_ID,
                   "trigger_id": self._trigger(user), "view": view}
        response = self.dispatch(urlencode({"payload": json.dumps(payload)}),
                                 "application/x-www-form-urlencoded")
        if not _has_errors(response):
            self.modals.get(user, []).pop() if self.modals.get(user) else None
        return response

    def shortcut(self, callback_id: str, *, message: Message | None = None,
                 user: str | None = None) -> None:
        user = user or self.user
        payload: dict[str, Any] = {
            "type": "message_action" if message else "shortcut", "callback_id": callback_id,
            "user": {"id": user, "team_id": TEAM_ID}, "team": {"id": TEAM_ID},
            "api_app_id": APP_ID, "trigger_id": self._trigger(user), "action_ts": self._ts(),
        }
        if message is not None:
            payload.update({
                "channel": {"id": message.channel}, "message_ts": message.ts,
                "message": {"type": "message", "ts": message.ts,
                            "text": as_slack_sends(message.text),
                            "user": message.recipient or user},
                "response_url": self.slack.response_url(self._origin(user)),
            })
        self.dispatch(urlencode({"payload": json.dumps(payload)}),
                      "application/x-www-form-urlencoded")

    def open_home(self, *, user: str | None = None) -> str:
        user = user or self.user
        self.event({"type": "app_home_opened", "user": user, "channel": dm_channel(user),
                    "tab": "home", "event_ts": self._ts()})
        home = self.homes.get(user)
        return render_view(home) if home else "(no home tab published)"

    # -- what a user sees ----------------------------------------------------------------
    def visible_to(self, user: str) -> list[Message]:
        return [m for m in self.transcript if m.recipient in (None, user)]

    def latest(self, user: str | None = None, *, with_controls: bool = False) -> Message | None:
        for message in reversed(self.visible_to(user or self.user)):
            if not with_controls or message.controls:
                return message
        return None

    def open_modal(self, user: str | None = None) -> Modal | None:
        stack = self.modals.get(user or self.user) or []
        return stack[-1] if stack else None

    # -- bookkeeping ----------------------------------------------------------------------
    def _ts(self) -> str:
        return f"{int(time.time())}.{next(self._seq):06d}"

    def _origin(self, user: str, message_id: int | None = None) -> str:
        key = f"{user}-{next(self._seq)}"
        self._origins[key] = _Origin(user, message_id)
        return key

    def _trigger(self, user: str) -> str:
        trigger = f"{next(self._seq)}.trigger"
        self._triggers[trigger] = user
        return trigger

    @staticmethod
    def _control(message: Message, number: int | None, action_id: str | None) -> Control:
        for control in message.controls:
            if (number is not None and control.number == number) or (
                    action_id is not None and control.action_id == action_id):
                return control
        raise LookupError(f"there is no button {number or action_id} on the latest message")

    @staticmethod
    def _option(control: Control, option: str | None) -> tuple[str, str]:
        if option is None:
            raise LookupError(f"[{control.number}] is a menu: say which option")
        for label, value in control.options:
            if option.lower() in (label.lower(), value.lower()):
                return label, value
        if option.isdigit() and 1 <= int(option) <= len(control.options):
            return control.options[int(option) - 1]
        raise LookupError(f"no option {option!r} in [{control.number}]")

    def _recipient(self, channel: str) -> str | None:
        if channel.startswith(("U", "W")):
            return channel
        if channel.startswith("D"):
            return "U" + channel[1:]
        return None

    def absorb(self) -> None:
        """Read Web API calls made outside a request (the scheduler's reminders)."""
        self._absorb()

    def _absorb(self) -> None:
        calls = self.slack.calls
        for call in calls[self._seen:]:
            self._apply(call)
        self._seen = len(calls)

    def _add(self, **fields: Any) -> None:
        self.transcript.append(Message(id=len(self.transcript) + 1, **fields))

    def _find(self, channel: str | None, ts: str | None) -> Message | None:
        for message in self.transcript:
            if message.ts == ts and (channel is None or message.channel in (
                    channel, dm_channel(channel))):
                return message
        return None

    def _apply(self, call: Call) -> None:
        args = call.args
        blocks = args.get("blocks") or []
        if call.method == "chat.postMessage":
            channel = str(args["channel"])
            recipient = self._recipient(channel)
            if recipient and channel.startswith("U"):
                channel = dm_channel(recipient)
            ts = str(call.response.get("ts") or self._ts())
            self._add(channel=channel, ts=ts, text=args.get("text") or "", blocks=blocks,
                      recipient=recipient, thread_ts=args.get("thread_ts"))
        elif call.method == "chat.postEphemeral":
            self._add(channel=str(args["channel"]), ts=self._ts(), text=args.get("text") or "",
                      blocks=blocks, recipient=str(args["user"]), ephemeral=True)
        elif call.method == "chat.update":
            target = self._find(args.get("channel"), args.get("ts"))
            if target is not None:
                target.text, target.blocks = args.get("text") or "", blocks
        elif call.method == "respond":
            self._respond(args)
        elif call.method in ("views.open", "views.push"):
            user = self._triggers.get(str(args.get("trigger_id")), self.user)
            view_id = f"V{next(self._seq):08d}"
            stack = self.modals.setdefault(user, [])
            if call.method == "views.open":
                stack.clear()
            stack.append(Modal(view_id, user, dict(args.get("view") or {})))
        elif call.method == "views.update":
            for stack in self.modals.values():
                for modal in stack:
                    if modal.view_id == args.get("view_id"):
                        modal.view = dict(args.get("view") or {})
        elif call.method == "views.publish":
            self.homes[str(args["user_id"])] = dict(args.get("view") or {})

    def _respond(self, args: dict[str, Any]) -> None:
        origin = self._origins.get(str(args.get("response_url_key")))
        if origin is None:
            return
        original = next((m for m in self.transcript if m.id == origin.message_id), None)
        if args.get("delete_original") and original is not None:
            self.transcript.remove(original)
            return
        if args.get("replace_original") and original is not None:
            original.text, original.blocks = args.get("text") or "", args.get("blocks") or []
            return
        public = args.get("response_type") == "in_channel"
        self._add(channel=original.channel if original else dm_channel(origin.user),
                  ts=self._ts(), text=args.get("text") or "", blocks=args.get("blocks") or [],
                  recipient=None if public else origin.user, ephemeral=not public)


def _has_errors(response: BoltResponse) -> bool:
    if not response.body:
        return False
    try:
        return json.loads(response.body).get("response_action") == "errors"
    except ValueError:
        return False


def form_errors(response: BoltResponse) -> dict[str, str]:
    if not _has_errors(response):
        return {}
    return json.loads(response.body).get("errors", {})


def input_blocks(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in view.get("blocks", []) if b.get("type") == "input"]


def form_state(view: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """The `state.values` Slack would send for `values` (keys: label or block id)."""
    lowered = {k.lower(): v for k, v in values.items()}
    state: dict[str, Any] = {}
    for block in input_blocks(view):
        element = block["element"]
        label = block["label"]["text"].lower()
        raw = lowered.get(label, lowered.get(block["block_id"].lower()))
        kind = element["type"]
        action_id = element.get("action_id", "value")
        if kind == "static_select":
            selected = None
            if raw is None and element.get("initial_option"):
                selected = element["initial_option"]
            for option in element.get("options", []):
                if raw is not None and raw.lower() in (option["value"].lower(),
                                                       option["text"]["text"].lower()):
                    selected = option
            state[block["block_id"]] = {action_id: {"type": kind, "selected_option": selected}}
        elif kind == "datepicker":
            state[block["block_id"]] = {action_id: {"type": kind, "selected_date": raw}}
        else:
            value = raw if raw is not None else element.get("initial_value")
            state[block["block_id"]] = {action_id: {"type": kind, "value": value}}
    return state
