"""Button values longer than Slack allows: kept in the store, referenced from the button.

Slack refuses a button whose value is over 2,000 characters, and cutting the value would
leave half a JSON document that no listener can read. So `fit` keeps such a value in the
store (`ButtonValueService`) and returns a short reference; the middleware puts the kept
value back into the click before any listener reads it (`restore`).

Blocks are built by pure functions all over `handlers/`, far from the services, so the
store is plugged in once, when the app registers its listeners (`use`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

from store.errors import NotFound

VALUE_LIMIT = 2000
_REF = re.compile(r"^parked:(\d{1,10}):([0-9a-f]{32})$")

_park: Callable[[str], int] | None = None


def use(park: Callable[[str], int]) -> None:
    """Where long values are kept: the app's `services.button_values.park`."""
    global _park
    _park = park


def fit(value: str) -> str:
    """`value` itself when Slack takes it, else a reference to it kept in the store."""
    if len(value) <= VALUE_LIMIT:
        return value
    if _park is None:  # no store (a block built outside the app): refuse, never cut
        raise ValueError("a button value over 2,000 characters needs the store")
    return f"parked:{_park(value)}:{_digest(value)}"


def _digest(value: str) -> str:
    """Ties a reference to its value: ids are sequential, so without it anyone could
    click a forged `parked:N` and read back someone else's kept request."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def restore(body: dict[str, Any], get: Callable[[int], str]) -> None:
    """Put kept values back into a click's actions, in place."""
    for action in body.get("actions") or []:
        if isinstance(action, dict) and isinstance(action.get("value"), str):
            match = _REF.match(action["value"])
            if match:
                kept = get(int(match[1]))
                if not hmac.compare_digest(_digest(kept), match[2]):
                    raise NotFound("That button no longer works; ask me again.")
                action["value"] = kept
