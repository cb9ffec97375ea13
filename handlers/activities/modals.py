"""The form for logging a call, meeting, email or note by hand."""

from __future__ import annotations

from typing import Any

from handlers.slack.modals import View, input_block, modal, select, text_input
from store.models import ACTIVITY_KINDS


def log_activity(*, about: str | None = None, text: str | None = None,
                 metadata: dict[str, Any] | None = None) -> View:
    """`about` names the account, contact or deal; `metadata` may carry the deal id and
    the message the activity came from."""
    kinds = [(k.capitalize(), k) for k in ACTIVITY_KINDS]
    return modal("log_activity", "Log activity", "Log", [
        input_block("kind", "Kind", select(kinds, "call")),
        input_block("about", "Account, contact or deal", text_input(about, max_length=200)),
        input_block("subject", "What happened", text_input(text, multiline=True)),
        input_block("follow_up", "Follow up on", {"type": "datepicker"}, optional=True),
    ], metadata)
