"""Reading what was clicked: the value of the button or menu option in an action payload."""

from __future__ import annotations

from typing import Any


def clicked_value(body: dict[str, Any]) -> str:
    """The clicked button's value, or the chosen option's value of a static menu."""
    action = body["actions"][0]
    if action.get("type") == "static_select":
        return action["selected_option"]["value"]
    return action.get("value", "")
