"""The safety net every outgoing text passes: no one pings @channel or forges a link
through the bot, even where a renderer forgot `escape`.

Every Web API call goes through `GuardedWebClient.api_call` (the app's client is one,
`bot/slack_client.py: web_client`, and `guard_context` swaps Bolt's per-request client and
`respond` for guarded ones before any listener runs). For `chat.*`, `views.*` and
`files.*` calls, and every `respond`, the top-level `text` / `initial_comment` and
every mrkdwn text object in `blocks`, `view` and `attachments` are checked.

How the guard tells our own control sequences from injected ones:

* renderers escape user text (`handlers/slack/text.py: escape`), so in correct output
  every `<` starts a sequence the bot built;
* of those, a bare mention of a person or channel by id (`<@U…>`, `<@W…>`, `<#C…>`,
  `<#G…>`, no label) is the only form our builders emit from ids they looked up, and
  it passes as it is;
* a link (`<https://…|label>`, `<mailto:…|label>`) passes only when its builder marked
  it (`text.py: link`, which puts `LINK_MARK` in front); the guard removes the mark;
* anything else that starts with `<` (`<!channel>`, `<!here>`, `<!subteam^…>`,
  `<@U…|label>`, an unmarked link, a lone `<`) is user text that slipped through: it is
  escaped there, exactly as `escape` would have, and a warning is logged without the
  text.

Already-escaped text holds no `<`, so it passes unchanged (never `&amp;lt;`); a `>` on
its own (a mrkdwn quote) is left alone.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookResponse

from handlers.slack.text import LINK_MARK

log = logging.getLogger(__name__)

_SEQUENCE = re.compile(rf"(?P<mark>{LINK_MARK})?<(?:(?P<inner>[^<>]*)>)?")
_MENTION = re.compile(r"@[UW][A-Z0-9]+|#[CG][A-Z0-9]+")
_LINK = re.compile(r"(?:https?://|mailto:)[^\s<>|]+\|[^<>|]*")
_BARE_AMP = re.compile(r"&(?!(?:amp|lt|gt);)")
_GUARDED = ("chat.", "views.", "files.")
_TOP_LEVEL = ("text", "initial_comment")
_NESTED = ("blocks", "view", "attachments")


def neutralise(text: str) -> tuple[str, bool]:
    """TEXT with every control sequence the bot did not build escaped, and whether there
    was one. Marks on allowed links are removed."""
    found = False

    def check(match: re.Match[str]) -> str:
        nonlocal found
        inner = match["inner"]
        if inner is not None and (_MENTION.fullmatch(inner)
                                  or (match["mark"] and _LINK.fullmatch(inner))):
            return f"<{inner}>"
        found = True
        if inner is None:
            return "&lt;"
        return f"&lt;{_BARE_AMP.sub('&amp;', inner)}&gt;"

    cleaned = _SEQUENCE.sub(check, text).replace(LINK_MARK, "")
    return cleaned, found


class _Check:
    """One payload's check: what was neutralised, for the warning."""

    def __init__(self) -> None:
        self.where: list[str] = []

    def text(self, value: str, where: str) -> str:
        cleaned, found = neutralise(value)
        if found:
            self.where.append(where)
        return cleaned

    def walk(self, value: Any, where: str) -> Any:
        if isinstance(value, str) and value[:1] in "[{":
            try:
                parsed = json.loads(value)
            except ValueError:
                return value
            walked = self.walk(parsed, where)
            return value if walked == parsed else json.dumps(walked)
        if isinstance(value, list):
            return [self.walk(v, where) for v in value]
        if not isinstance(value, dict):
            return value
        out = {k: self.walk(v, where) for k, v in value.items()}
        if out.get("type") == "mrkdwn" and isinstance(out.get("text"), str):
            out["text"] = self.text(out["text"], where)
        return out


def guard_payload(method: str, payload: dict[str, Any] | None) -> dict[str, Any] | None:
    """PAYLOAD with its texts checked: a copy when anything changed (a sequence neutralised,
    a link's mark removed), else PAYLOAD itself."""
    if not payload or not method.startswith(_GUARDED):
        return payload
    check = _Check()
    out = dict(payload)
    for key in _TOP_LEVEL:
        if isinstance(out.get(key), str):
            out[key] = check.text(out[key], key)
    for key in _NESTED:
        if key in out and out[key] is not None:
            out[key] = check.walk(out[key], key)
    if check.where:
        log.warning("unescaped Slack control sequence neutralised in %s (%s)", method,
                    ", ".join(sorted(set(check.where))))
    return payload if out == payload else out


class GuardedWebClient(WebClient):
    """A `WebClient` whose every call passes `guard_payload`."""

    def api_call(self, api_method: str, *, http_verb: str = "POST",
                 files: dict[str, Any] | None = None, data: dict[str, Any] | None = None,
                 params: dict[str, Any] | None = None, json: dict[str, Any] | None = None,
                 headers: dict[str, Any] | None = None,
                 auth: dict[str, Any] | None = None) -> SlackResponse:
        return super().api_call(
            api_method, http_verb=http_verb, files=files,
            data=guard_payload(api_method, data), params=guard_payload(api_method, params),
            json=guard_payload(api_method, json), headers=headers, auth=auth)


C = TypeVar("C", bound="GuardedWebClient")
R = TypeVar("R", bound="GuardedRespond")


def guarded_client(client: WebClient) -> GuardedWebClient:
    """The same client (token, URL, retries, team), guarded."""
    return _rebuilt(client, GuardedWebClient)


def _rebuilt(client: WebClient, kind: type[C]) -> C:
    """CLIENT as a `kind` (a guarded client class), with the same token, URL, retries, team."""
    if isinstance(client, kind):
        return client
    return kind(
        token=client.token, base_url=client.base_url, timeout=client.timeout,
        ssl=client.ssl, proxy=client.proxy, headers=client.headers,
        team_id=client.default_params.get("team_id"), logger=client.logger,
        retry_handlers=list(client.retry_handlers))


class GuardedRespond(Respond):
    """Bolt's `respond` (the response URL), its message passing `guard_payload`."""

    def __call__(self, text: str | dict[str, Any] = "",  # type: ignore[override]
                 blocks: Sequence[dict[str, Any]] | None = None,
                 **options: Any) -> WebhookResponse:
        if isinstance(text, dict):
            return super().__call__(guard_payload("chat.respond", text) or text, **options)
        message = guard_payload("chat.respond", {"text": text, "blocks": blocks}) or {}
        return super().__call__(message["text"], message["blocks"], **options)


def guard_context(context: BoltContext) -> None:
    """Before any listener: Bolt's per-request client and `respond` become guarded ones."""
    swap_clients(context, GuardedWebClient, GuardedRespond)


def swap_clients(context: BoltContext, client_kind: type[C],
                 respond_kind: type[R]) -> tuple[C, R | None]:
    """This request's client and `respond` (when it has a response URL) rebuilt as the
    given guarded kinds, and returned for their caller to configure
    (`handlers/slack/owed.py: keep_replies` makes them keep refused replies).
    Bolt builds `say`, `complete` and `fail` for every middleware's arguments, with the
    client it had: they are dropped, and built again from the new client when used."""
    client = _rebuilt(context.client, client_kind)
    context["client"] = client
    for built_with_the_old_client in ("say", "complete", "fail"):
        context.pop(built_with_the_old_client, None)
    respond = None
    if context.response_url:
        respond = respond_kind(response_url=context.response_url, proxy=client.proxy,
                               ssl=client.ssl)
        context["respond"] = respond
    return client, respond
