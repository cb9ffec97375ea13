"""Slack's published rules for what an app sends, checked on the Web API calls the local
stand-in recorded: every block parses and validates with slack_sdk's Block Kit models,
action_ids are unique within a block, block_ids within a message or view, a message has at
most 50 blocks and a view at most 100, and a message with blocks has a `text` fallback.

slack_sdk's models check each element's own limits (text and value lengths, option counts);
the per-block and per-message rules are checked here, since Slack refuses a message that
breaks them (`invalid_blocks`) and the models do not look across elements."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.localslack import Call

MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update",
                   "chat.scheduleMessage", "respond")
VIEW_METHODS = ("views.open", "views.push", "views.update", "views.publish")
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 40_000


def _action_ids(block: dict[str, Any]) -> list[str]:
    """The action_ids of the interactive elements one block holds."""
    elements = list(block.get("elements") or [])
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            elements.append(block[key])
    return [e["action_id"] for e in elements
            if isinstance(e, dict) and isinstance(e.get("action_id"), str)]


def block_problems(blocks: list[dict[str, Any]], limit: int) -> list[str]:
    """What Slack would refuse in one message's or one view's blocks."""
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks (at most {limit})")
    block_ids = Counter(b.get("block_id") for b in blocks if b.get("block_id"))
    problems += [f"block_id {bid!r} used {n} times" for bid, n in block_ids.items() if n > 1]
    for index, raw in enumerate(blocks):
        parsed = Block.parse(raw)
        if parsed is None:
            problems.append(f"block {index}: unknown type {raw.get('type')!r}")
            continue
        try:
            parsed.validate_json()
        except SlackObjectFormationError as exc:
            problems.append(f"block {index} ({raw.get('type')}): {exc}")
        repeated = [a for a, n in Counter(_action_ids(raw)).items() if n > 1]
        problems += [f"block {index}: action_id {a!r} used twice" for a in repeated]
    return problems


def call_problems(call: Call) -> list[str]:
    """What Slack would refuse in one recorded call (empty when it is fine)."""
    args = call.args
    if call.method in MESSAGE_METHODS:
        blocks = args.get("blocks")
        problems = []
        if blocks:
            problems += block_problems(list(blocks), MAX_MESSAGE_BLOCKS)
            if not str(args.get("text") or "").strip():
                problems.append("blocks without a text fallback")
        if len(str(args.get("text") or "")) > MAX_TEXT:
            problems.append(f"text of {len(str(args['text']))} characters")
        return problems
    if call.method in VIEW_METHODS and isinstance(args.get("view"), dict):
        view = dict(args["view"])
        problems = block_problems(list(view.get("blocks") or []), MAX_VIEW_BLOCKS)
        try:
            View(**view).validate_json()
        except (SlackObjectFormationError, TypeError) as exc:
            problems.append(f"view: {exc}")
        return problems
    return []


def rule_breaks(calls: Iterable[Call]) -> list[str]:
    """Every problem in `calls`, each named by its method and a short excerpt."""
    found = []
    for call in calls:
        for problem in call_problems(call):
            text = str(call.args.get("text") or (call.args.get("view") or {}).get(
                "callback_id") or "")[:60]
            found.append(f"{call.method} “{text}”: {problem}")
    return found
