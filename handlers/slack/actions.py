"""Reading what was clicked: the value of the button or menu option in an action payload."""

from __future__ import annotations

import json
from typing import Any

from handlers.language.intents import Intent
from handlers.slack.form_input import MAX_ROW_ID, whole_number
from store.errors import InvalidInput


def clicked_value(body: dict[str, Any]) -> str:
    """The clicked button's value, or the chosen option's value of a static menu."""
    action = body["actions"][0]
    if action.get("type") == "static_select":
        return str((action.get("selected_option") or {}).get("value") or "")
    value = action.get("value", "")
    return value if isinstance(value, str) else ""


STALE_BUTTON = "This button can't be read any more; ask me again for a fresh one."


def clicked_ids(body: dict[str, Any], count: int) -> tuple[int, ...]:
    """The `count` row ids a value such as `12` or `12:3` carries; InvalidInput when the
    value is not that (a forged or mangled click), never a ValueError or an overflow."""
    parts = clicked_value(body).split(":")
    ids = tuple(whole_number(part, 1, MAX_ROW_ID) for part in parts)
    if len(ids) != count or any(i is None for i in ids):
        raise InvalidInput(STALE_BUTTON)
    return tuple(i for i in ids if i is not None)


def clicked_id(body: dict[str, Any]) -> int:
    """The one row id the clicked value carries (see `clicked_ids`)."""
    return clicked_ids(body, 1)[0]


def clicked_json(body: dict[str, Any]) -> dict[str, Any]:
    """The clicked value as the JSON object the bot put there; InvalidInput otherwise."""
    try:
        data = json.loads(clicked_value(body))
    except ValueError as exc:
        raise InvalidInput(STALE_BUTTON) from exc
    if not isinstance(data, dict):
        raise InvalidInput(STALE_BUTTON)
    return data


def clicked_numbers(body: dict[str, Any], *keys: str,
                    value: dict[str, Any] | None = None) -> tuple[int, ...]:
    """The whole numbers a JSON value such as `{"id": 12, "page": 2}` carries under `keys`,
    each between 1 and MAX_ROW_ID; InvalidInput when one is missing or is not that.
    `value`: the clicked value already read with `clicked_json`, so it is read once."""
    data = clicked_json(body) if value is None else value
    numbers = tuple(whole_number(str(data.get(key)), 1, MAX_ROW_ID) for key in keys)
    if any(n is None for n in numbers):
        raise InvalidInput(STALE_BUTTON)
    return tuple(n for n in numbers if n is not None)


def clicked_intent(data: object) -> Intent:
    """The intent a button carries (what the rep asked, kept for the answer to a question);
    InvalidInput when the value is not one the bot wrote (`Intent.from_dict` decides)."""
    try:
        return Intent.from_dict(data)
    except ValueError as exc:
        raise InvalidInput(STALE_BUTTON) from exc
