"""What a workflow rule's notification says (see store/workflow_rules.yml)."""

from __future__ import annotations

from handlers import blocks as ui
from handlers.answer import Answer
from handlers.text import escape
from store.services import Services
from store.services.reminders import DueReminder


def rule_message(services: Services, due: DueReminder) -> Answer | None:
    found = services.workflow.message(due.key, due.subject_type, due.subject_id)
    if found is None:
        return None  # the rule was removed from the file since
    rule, text = found
    return Answer(text=escape(text), blocks=[ui.mrkdwn(f":gear: {escape(text)}"),
                                             ui.context(f"Rule: {escape(rule)}")])
