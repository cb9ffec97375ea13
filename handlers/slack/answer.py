"""What a conversation turn produces, before a surface delivers it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from handlers.slack import blocks as ui


@dataclass
class Answer:
    """What to show: fallback text, blocks, and whether only the asker should see it."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    private: bool = False


@dataclass(frozen=True)
class MessageLink:
    """The Slack message an activity came from (kept as a permalink; logged once)."""

    permalink: str
    event_key: str


def say_text(text: str, *, private: bool = False) -> Answer:
    return Answer(text=text, blocks=[ui.mrkdwn(text)], private=private)
