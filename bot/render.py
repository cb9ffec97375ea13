"""Block Kit → readable terminal text, for `salesbot shell`.

Buttons and menu options are numbered in the order a person reads them, so
`:click N` presses what the screen shows as `[N]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_USER = re.compile(r"<@([A-Z0-9]+)>")


@dataclass(frozen=True)
class Control:
    """One pressable thing: a button, or a select menu with its options."""

    number: int
    action_id: str
    block_id: str | None
    kind: str  # "button", "static_select" or "datepicker"
    label: str
    value: str | None
    options: tuple[tuple[str, str], ...] = ()


def unescape(text: str) -> str:
    text = _LINK.sub(r"\2 (\1)", text)
    text = _USER.sub(r"@\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text_of(obj: dict[str, Any] | None) -> str:
    return unescape((obj or {}).get("text", "")) if obj else ""


def controls(blocks: list[dict[str, Any]]) -> list[Control]:
    found: list[Control] = []
    for block in blocks or []:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        if block.get("type") == "section" and block.get("accessory"):
            elements = [block["accessory"]]
        for element in elements:
            if element.get("type") == "button":
                found.append(Control(len(found) + 1, element["action_id"], block.get("block_id"),
                                     "button", _text_of(element.get("text")),
                                     element.get("value")))
            elif element.get("type") == "datepicker":
                found.append(Control(len(found) + 1, element["action_id"], block.get("block_id"),
                                     "datepicker",
                                     _text_of(element.get("placeholder")) or "Pick a date",
                                     None))
            elif element.get("type") == "static_select":
                options = tuple((_text_of(o["text"]), o["value"])
                                for o in element.get("options", []))
                found.append(Control(len(found) + 1, element["action_id"], block.get("block_id"),
                                     "static_select",
                                     _text_of(element.get("placeholder")) or "Choose", None,
                                     options))
    return found


def render(text: str | None, blocks: list[dict[str, Any]] | None) -> str:
    """The message as a person would read it, buttons as `[1] Approve  [2] Reject`."""
    if not blocks:
        return unescape(text or "")
    lines: list[str] = []
    numbered = iter(controls(blocks))
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"== {_text_of(block.get('text'))} ==")
        elif kind == "section":
            if block.get("text"):
                lines.append(_text_of(block["text"]))
            fields = block.get("fields") or []
            for field in fields:
                lines.append("  " + _text_of(field).replace("\n", ": ", 1))
            if block.get("accessory"):
                control = next(numbered)
                lines.append(f"[{control.number}] {control.label}")
        elif kind == "context":
            lines.append("  " + " ".join(_text_of(e) for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            parts = []
            for element in block.get("elements", []):
                if element.get("type") not in ("button", "static_select", "datepicker"):
                    continue
                control = next(numbered)
                if control.kind == "button":
                    parts.append(f"[{control.number}] {control.label}")
                elif control.kind == "datepicker":
                    parts.append(f"[{control.number}] {control.label} (YYYY-MM-DD)")
                else:
                    names = " | ".join(label for label, _ in control.options)
                    parts.append(f"[{control.number}] {control.label} ({names})")
            lines.append("  ".join(parts))
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
    return "\n".join(line for line in lines if line is not None)


def render_view(view: dict[str, Any]) -> str:
    """A modal or the Home tab, as text."""
    title = _text_of(view.get("title"))
    lines = [f"┌ {title} ┐"] if title else []
    for block in view.get("blocks", []):
        if block.get("type") == "input":
            optional = " (optional)" if block.get("optional") else ""
            lines.append(f"  {_text_of(block.get('label'))}{optional}: ____")
        else:
            lines.append(render(None, [block]))
    return "\n".join(lines)
