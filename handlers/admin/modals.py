"""The admin forms: one person's role, manager, team or departure; one pipeline stage."""

from __future__ import annotations

from typing import Any

from handlers.slack.modals import View, input_block, modal, select, text_input


def people_admin(users: list[tuple[str, str]], roles: tuple[str, ...]) -> View:
    """Role, manager and team of one person; or their departure and who takes over."""
    nobody = [("— nobody —", "-")]
    return modal("admin_people", "People", "Save", [
        input_block("user", "Person", select(users)),
        input_block("role", "Role", select([(r, r) for r in roles]), optional=True),
        input_block("manager", "Manager", select(nobody + users), optional=True),
        input_block("team", "Team", text_input(max_length=120), optional=True),
        input_block("successor", "Deactivate, handing everything to", select(users),
                    optional=True, hint="Leave empty unless the person is leaving."),
    ])


def stage_form(stage: Any | None) -> View:
    """Add a stage (None) or change one; deactivating keeps its history."""
    kinds = [("Open", "open"), ("Won", "won"), ("Lost", "lost")]
    active = [("Active", "yes"), ("Deactivated", "no")]
    return modal("stage_edit", "Stage", "Save", [
        input_block("name", "Name", text_input(stage.name if stage else None, max_length=100)),
        input_block("probability", "Probability %",
                    text_input(str(stage.probability) if stage else None, max_length=3)),
        input_block("kind", "Kind", select(kinds, stage.kind if stage else "open")),
        input_block("quiet_days", "Gone quiet after (days)",
                    text_input(str(stage.quiet_days) if stage and stage.quiet_days else None,
                               max_length=4), optional=True),
        input_block("active", "In use", select(active, "yes" if not stage or stage.is_active
                                               else "no")),
    ], {"stage": stage.id if stage else None})
