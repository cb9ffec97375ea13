"""Modal views: the shared builders every feature's forms are made of, and the readers of
a submitted view. Field block ids are what submissions read; each input's action id is
"value", so `values` finds it without knowing the form."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack

from handlers.slack.text import LINK_MARK, clip
from store.errors import InvalidInput

View = dict[str, Any]
Block = dict[str, Any]


def plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, 75)}


def input_block(block_id: str, label: str, element: dict[str, Any], *,
                optional: bool = False, hint: str | None = None) -> Block:
    """A labelled form field; `element` is a `text_input`, a `select` or a datepicker."""
    block: Block = {"type": "input", "block_id": block_id, "label": plain_text(label),
                    "element": {**element, "action_id": "value"}, "optional": optional}
    if hint:
        block["hint"] = plain_text(hint)
    return block


def text_input(initial: str | None = None, *, multiline: bool = False,
               max_length: int = 3000) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline,
                               "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def select(options: list[tuple[str, str]], initial: str | None = None) -> dict[str, Any]:
    """A menu of (label, value) pairs, at most 100 as Slack allows."""
    opts = [{"text": plain_text(label), "value": value} for label, value in options[:100]]
    element: dict[str, Any] = {"type": "static_select", "options": opts}
    chosen = next((o for o in opts if o["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return element


def modal(callback_id: str, title: str, submit: str, blocks: list[Block],
          metadata: dict[str, Any] | None = None) -> View:
    """`metadata` comes back on submit as the view's private_metadata (see `metadata`)."""
    return {
        "type": "modal", "callback_id": callback_id, "title": plain_text(title[:24]),
        "submit": plain_text(submit), "close": plain_text("Cancel"), "blocks": blocks,
        "private_metadata": json.dumps(metadata or {})[:3000],
    }


def values(view: dict[str, Any]) -> dict[str, str | None]:
    """Flatten a submitted view's state to {block_id: value}."""
    out: dict[str, str | None] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element: dict[str, Any] = actions.get("value") or next(iter(actions.values()), {})
        kind = element.get("type")
        if kind == "static_select":
            option = element.get("selected_option")
            out[block_id] = option["value"] if option else None
        elif kind == "datepicker":
            out[block_id] = element.get("selected_date")
        else:
            value = element.get("value")
            # a typed link mark would pass the outgoing guard as one of our own links
            out[block_id] = value.replace(LINK_MARK, "") if isinstance(value, str) else value
    return out


def required_text(ack: Ack, view: dict[str, Any], block_id: str, missing: str) -> str | None:
    """The field's text, trimmed; when it is empty, the form shows `missing` on the field
    (the submission is acknowledged with the error) and None comes back."""
    text = (values(view).get(block_id) or "").strip()
    if not text:
        ack(response_action="errors", errors={block_id: missing})
        return None
    return text


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """The form's private_metadata; {} when it is not a JSON object (it can be forged)."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def parse_day(value: str | None) -> date | None:
    """A datepicker's value; InvalidInput when it is not a date (a forged submission)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"“{value}” is not a date.", field="close_date") from exc
