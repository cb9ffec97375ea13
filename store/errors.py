"""Typed errors raised by store services.

Their messages are written for the person who caused them, so the Slack and CLI
edges can show `str(error)` as it is.
"""


class StoreError(Exception):
    """Base of every error a service raises on purpose.

    `field` names the input the error is about ("amount", "owner"…), when the code that
    raised it knows, so a form can show the message next to that input.
    """

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(StoreError):
    """The thing named does not exist (or is not visible to the actor)."""


class InvalidInput(StoreError):
    """The input breaks a rule: bad amount, unknown stage, missing lost reason…"""


class NotAllowed(StoreError):
    """The actor's role does not allow this action."""


class Conflict(StoreError):
    """The action collides with the current state (duplicate, already decided…)."""


class Stale(Conflict):
    """A button was pressed on a card that no longer shows the current state."""
