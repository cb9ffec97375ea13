"""Modal views, built by pure functions; field block ids are what submissions read."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from handlers.slack.text import clip
from store.models import ACTIVITY_KINDS
from store.schemas import StageView

View = dict[str, Any]


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, 75)}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": _text(label),
                             "element": {**element, "action_id": "value"},
                             "optional": optional}
    if hint:
        block["hint"] = _text(hint)
    return block


def _plain(initial: str | None = None, *, multiline: bool = False,
           max_length: int = 3000) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline,
                               "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def _select(options: list[tuple[str, str]], initial: str | None = None) -> dict[str, Any]:
    opts = [{"text": _text(label), "value": value} for label, value in options[:100]]
    element: dict[str, Any] = {"type": "static_select", "options": opts}
    chosen = next((o for o in opts if o["value"] == initial), None)
    if chosen:
        element["initial_option"] = chosen
    return element


def _modal(callback_id: str, title: str, submit: str, blocks: list[dict[str, Any]],
           metadata: dict[str, Any] | None = None) -> View:
    return {
        "type": "modal", "callback_id": callback_id, "title": _text(title[:24]),
        "submit": _text(submit), "close": _text("Cancel"), "blocks": blocks,
        "private_metadata": json.dumps(metadata or {})[:3000],
    }


def log_activity(*, about: str | None = None, text: str | None = None,
                 metadata: dict[str, Any] | None = None) -> View:
    kinds = [(k.capitalize(), k) for k in ACTIVITY_KINDS]
    return _modal("log_activity", "Log activity", "Log", [
        _input("kind", "Kind", _select(kinds, "call")),
        _input("about", "Account, contact or deal", _plain(about, max_length=200)),
        _input("subject", "What happened", _plain(text, multiline=True)),
        _input("follow_up", "Follow up on", {"type": "datepicker"}, optional=True),
    ], metadata)


def new_opportunity(stages: list[StageView], *, name: str | None = None,
                    account: str | None = None) -> View:
    open_stages = [(s.name, s.name) for s in stages if s.kind == "open"]
    return _modal("new_opportunity", "New deal", "Create", [
        _input("account", "Account", _plain(account, max_length=200)),
        _input("name", "Deal name", _plain(name, max_length=200)),
        _input("amount", "Amount", _plain(), optional=True, hint="e.g. 84000 or 84k"),
        _input("close_date", "Close date", {"type": "datepicker"}, optional=True),
        _input("stage", "Stage", _select(open_stages, open_stages[0][1] if open_stages else None)),
    ])


def close_lost(opp_id: int, title: str, *, card: dict[str, str] | None = None) -> View:
    """`card` is the message the form was opened from; it is replaced on submit."""
    return _modal("close_lost", "Close lost", "Close lost", [
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*{title}*", 3000)}},
        _input("reason", "Why was it lost?", _plain(multiline=True, max_length=1000)),
    ], {"opp": opp_id, "card": card})


def values(view: dict[str, Any]) -> dict[str, str | None]:
    """Flatten a submitted view's state to {block_id: value}."""
    out: dict[str, str | None] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element = actions.get("value") or next(iter(actions.values()), {})
        kind = element.get("type")
        if kind == "static_select":
            option = element.get("selected_option")
            out[block_id] = option["value"] if option else None
        elif kind == "datepicker":
            out[block_id] = element.get("selected_date")
        else:
            out[block_id] = element.get("value")
    return out


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        return json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}


def parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


QUOTE_ROWS = 5


def quote_form(products: list[tuple[str, str]], *, title: str, metadata: dict[str, Any],
               lines: list[tuple[str, int, str]] | None = None,
               discount: str | None = None) -> View:
    """Up to five lines from the catalog, a quote discount, and the reason for it.

    `products` are (label, sku); `lines` pre-fill (sku, quantity, discount percent).
    """
    lines = lines or []
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*{title}*", 3000)}}]
    for row in range(1, QUOTE_ROWS + 1):
        sku, quantity, off = lines[row - 1] if row <= len(lines) else (None, None, None)
        optional = row > 1
        blocks += [
            _input(f"product_{row}", f"Product {row}", _select(products, sku),
                   optional=optional),
            _input(f"qty_{row}", f"Quantity {row}",
                   _plain(str(quantity) if quantity else None, max_length=9),
                   optional=optional),
            _input(f"disc_{row}", f"Line {row} discount %", _plain(off or None, max_length=6),
                   optional=True),
        ]
    blocks += [
        _input("quote_discount", "Quote discount %", _plain(discount, max_length=6),
               optional=True),
        _input("justification", "Why this price?", _plain(multiline=True, max_length=1000),
               optional=True),
    ]
    return _modal("quote", "Quote", "Save quote", blocks[:100], metadata)


def request_approval(quote_label: str, quote_id: int, version: int) -> View:
    return _modal("quote_request", "Request approval", "Request", [
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*{quote_label}*", 3000)}},
        _input("justification", "Why this discount?", _plain(multiline=True, max_length=1000),
               optional=True, hint="Approvers see this next to the numbers."),
    ], {"quote": quote_id, "version": version})


def reject_approval(label: str, step_id: int, version: int) -> View:
    return _modal("approval_reject", "Reject", "Reject", [
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*{label}*", 3000)}},
        _input("reason", "Reason for the rep", _plain(multiline=True, max_length=1000)),
    ], {"step": step_id, "version": version})


def edit_opportunity(opp: Any, owners: list[tuple[str, str]]) -> View:
    """Amount, currency, close date, probability, next step and owner of one deal."""
    close = {"type": "datepicker", "initial_date": opp.close_date.isoformat()}
    return _modal("opp_edit", "Edit deal", "Save", [
        {"type": "section", "text": {"type": "mrkdwn", "text": clip(f"*{opp.title}*", 3000)}},
        _input("amount", "Amount", _plain(f"{opp.amount}", max_length=20)),
        _input("currency", "Currency", _plain(opp.currency, max_length=3)),
        _input("close_date", "Close date", close),
        _input("probability", "Probability %", _plain(str(opp.probability), max_length=3)),
        _input("next_step", "Next step", _plain(opp.next_step, max_length=500), optional=True),
        _input("owner", "Owner", _select(owners, str(opp.owner_id))),
    ], {"opp": opp.id})


def people_admin(users: list[tuple[str, str]], roles: tuple[str, ...]) -> View:
    """Role, manager and team of one person; or their departure and who takes over."""
    nobody = [("— nobody —", "-")]
    return _modal("admin_people", "People", "Save", [
        _input("user", "Person", _select(users)),
        _input("role", "Role", _select([(r, r) for r in roles]), optional=True),
        _input("manager", "Manager", _select(nobody + users), optional=True),
        _input("team", "Team", _plain(max_length=120), optional=True),
        _input("successor", "Deactivate, handing everything to", _select(users),
               optional=True, hint="Leave empty unless the person is leaving."),
    ])


def stage_form(stage: Any | None) -> View:
    """Add a stage (None) or change one; deactivating keeps its history."""
    kinds = [("Open", "open"), ("Won", "won"), ("Lost", "lost")]
    active = [("Active", "yes"), ("Deactivated", "no")]
    return _modal("stage_edit", "Stage", "Save", [
        _input("name", "Name", _plain(stage.name if stage else None, max_length=100)),
        _input("probability", "Probability %",
               _plain(str(stage.probability) if stage else None, max_length=3)),
        _input("kind", "Kind", _select(kinds, stage.kind if stage else "open")),
        _input("quiet_days", "Gone quiet after (days)",
               _plain(str(stage.quiet_days) if stage and stage.quiet_days else None,
                      max_length=4), optional=True),
        _input("active", "In use", _select(active, "yes" if not stage or stage.is_active
                                           else "no")),
    ], {"stage": stage.id if stage else None})
