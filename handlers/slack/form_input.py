"""Reading what a person typed into a form, and what a form carried, without trusting it.

A view submission must be acknowledged within three seconds, with errors if it is wrong;
an exception before the ack answers Slack with a 500 and the person sees "We had some
trouble connecting". So numbers typed by people and ids carried in `private_metadata`
(which a client can forge) are checked here first, and a bad one becomes an ack with errors.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from handlers.slack.modals import metadata

# Ids are INTEGER columns: PostgreSQL refuses a larger number outright.
MAX_ROW_ID = 2**31 - 1
STALE_FORM = "This form can't be read any more; close it and open it again."


def whole_number(text: str | None, low: int, high: int) -> int | None:
    """`text` as a whole number from `low` to `high`, else None.

    ASCII digits only: '²'.isdigit() is True, yet int('²') raises.
    """
    text = (text or "").strip()
    if not (text.isascii() and text.isdecimal()) or len(text) > 20:
        return None
    number = int(text)
    return number if low <= number <= high else None


def first_input(view: dict[str, Any]) -> str:
    """The block id to hang a whole-form error on: the first input of the form."""
    for block in view.get("blocks") or []:
        if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return "value"


def refuse(ack: Ack, view: dict[str, Any], message: str = STALE_FORM) -> None:
    """Acknowledge the submission with `message` on the form's first input."""
    ack(response_action="errors", errors={first_input(view): message})


def metadata_id(view: dict[str, Any], key: str) -> int | None:
    """The id `key` the form carried, when it is one; None when absent or forged."""
    value = metadata(view).get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ROW_ID else None
    return whole_number(value if isinstance(value, str) else None, 1, MAX_ROW_ID)


def required_ids(ack: Ack, view: dict[str, Any], *keys: str) -> dict[str, int] | None:
    """The ids the form must carry; when one is missing or forged, the submission is
    acknowledged with an error on the form and None comes back."""
    ids = {key: metadata_id(view, key) for key in keys}
    if any(v is None for v in ids.values()):
        refuse(ack, view)
        return None
    return {k: v for k, v in ids.items() if v is not None}


def text_metadata(view: dict[str, Any], *keys: str) -> dict[str, str]:
    """The string values the form carried under `keys`; anything else is left out."""
    meta = metadata(view)
    return {k: meta[k] if isinstance(meta[k], str) else str(meta[k])
            for k in keys if isinstance(meta.get(k), str | int) and meta.get(k) != ""}


def message_ref(view: dict[str, Any], key: str) -> dict[str, str] | None:
    """A {channel, ts} the form carried (the message it came from), when well formed."""
    ref = metadata(view).get(key)
    if isinstance(ref, dict) and all(isinstance(ref.get(k), str) for k in ("channel", "ts")):
        return {"channel": ref["channel"], "ts": ref["ts"]}
    return None
