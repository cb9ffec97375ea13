"""Replies Slack refused for now are kept and delivered later, never reported as failures.

A listener saves the change first and confirms it after; when the confirmation cannot be
sent (rate limited past the client's retries, a 5xx, a timeout, a dropped connection),
telling the person "something went wrong" would be false — the change stands — and
telling them nothing would lose the confirmation. So the per-request client and
`respond` keep such a reply in the store (`OwedReplies`) and raise `ReplyKept`; the
error handler then stays quiet, and the reminder sweep delivers the reply
(`bot/replies.py`). Permanent refusals (`channel_not_found`, `not_in_channel`…) are not
kept, since no retry would change them: `ReplyRefused` is logged, and nobody is told the
saved change failed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import BoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookResponse

from handlers.slack.outgoing import GuardedRespond, GuardedWebClient, swap_clients

Keep = Callable[[str, dict[str, Any], str], int]
KEPT_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update")
LASTING_ERRORS = frozenset({
    "user_not_found", "channel_not_found", "account_inactive", "user_disabled", "is_archived",
    "not_in_channel", "cannot_dm_bot", "invalid_auth", "not_authed", "token_revoked",
    "missing_scope", "user_is_deactivated", "invalid_blocks", "invalid_blocks_format",
    "msg_too_long", "no_text", "channel_is_archived", "restricted_action",
    "invalid_arguments", "message_not_found", "cant_update_message", "edit_window_closed",
})
"""Slack's answers that no retry will change: the one list behind both the sweep's reminders
(marked failed, shown to admins) and the replies kept after a saved change (not kept).
Any other refusal (rate limited, a 5xx, an error Slack added since) is tried again later:
losing a reminder or a confirmation costs more than a few needless retries, which the
sweep's backoff and `OwedReplies`' attempt limit bound."""


class ReplyNotDelivered(SlackApiError):
    """A reply Slack did not take, after the change it confirms was saved: the error
    handler must not say "something went wrong" about it. A `SlackApiError`, so code that
    already carries on after a failed post (`except SlackApiError`) still does."""

    def __init__(self, method: str, cause: Exception) -> None:
        response = cause.response if isinstance(cause, SlackApiError) else SlackResponse(
            client=None, http_verb="POST", api_url=method, req_args={},
            data={"ok": False, "error": type(cause).__name__}, headers={}, status_code=0)
        super().__init__(f"{method}: Slack did not take the reply", response)


class ReplyKept(ReplyNotDelivered):
    """Slack refused it for now; it is kept and the next sweep delivers it."""


class ReplyRefused(ReplyNotDelivered):
    """Slack refused it for good (`channel_not_found`, `not_in_channel`…): logged."""


def slack_error(exc: SlackApiError) -> str:
    """Slack's word for a refusal (`channel_not_found`), else the HTTP status."""
    return str(exc.response.get("error") or exc.response.status_code)


def transient(exc: Exception) -> str | None:
    """What went wrong, when trying again later can help (a Slack refusal not in
    `LASTING_ERRORS`, a timeout or dropped connection); None when it cannot."""
    if isinstance(exc, SlackApiError):
        error = slack_error(exc)
        return None if error in LASTING_ERRORS else error
    return type(exc).__name__ if isinstance(exc, OSError) else None  # timeouts, resets


class KeepingWebClient(GuardedWebClient):
    """The per-request client: guarded, and keeping the replies Slack refused for now."""

    keep: Keep | None = None

    def api_call(self, api_method: str, *, http_verb: str = "POST",
                 files: dict[str, Any] | None = None, data: dict[str, Any] | None = None,
                 params: dict[str, Any] | None = None, json: dict[str, Any] | None = None,
                 headers: dict[str, Any] | None = None,
                 auth: dict[str, Any] | None = None) -> SlackResponse:
        try:
            return super().api_call(api_method, http_verb=http_verb, files=files, data=data,
                                    params=params, json=json, headers=headers, auth=auth)
        except (SlackApiError, OSError) as exc:
            if self.keep is None or api_method not in KEPT_METHODS:
                raise
            error = transient(exc)
            if error is None:
                raise ReplyRefused(api_method, exc) from exc
            self.keep(api_method, dict(json or data or {}), error)
            raise ReplyKept(api_method, exc) from exc


class KeepingRespond(GuardedRespond):
    """`respond`, guarded, keeping what the response URL refused for now."""

    keep: Keep | None = None

    def __call__(self, text: str | dict[str, Any] = "",  # type: ignore[override]
                 blocks: Sequence[dict[str, Any]] | None = None,
                 **options: Any) -> WebhookResponse:
        message = dict(text) if isinstance(text, dict) else {"text": text, "blocks": blocks,
                                                               **options}
        try:
            response = super().__call__(text, blocks, **options)
        except OSError as exc:
            self._keep(message, type(exc).__name__)
            raise ReplyKept("respond", exc) from exc
        if response.status_code == 429 or response.status_code >= 500:
            self._keep(message, str(response.status_code))
            raise ReplyKept("respond", OSError(f"response URL answered {response.status_code}"))
        return response

    def _keep(self, message: dict[str, Any], error: str) -> None:
        """Kept as built (our links still marked): the sweep sends it through the guard."""
        if self.keep is None:
            return
        self.keep("respond", {"url": self.response_url,
                              "message": {k: v for k, v in message.items() if v is not None}},
                  error)


def keep_replies(context: BoltContext, keep: Keep) -> None:
    """Make this request's client and `respond` keep refused replies (after the guard)."""
    client, respond = swap_clients(context, KeepingWebClient, KeepingRespond)
    client.keep = keep
    if respond is not None:
        respond.keep = keep
