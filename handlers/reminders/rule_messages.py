"""What a workflow rule's notification says (see store/services/workflow/workflow_rules.yml)."""

from __future__ import annotations

from handlers.slack import blocks as ui
from handlers.slack.answer import Answer
from handlers.slack.text import escape
from store.services import Services
from store.services.reminders.reminders import DueReminder


def rule_message(services: Services, due: DueReminder) -> Answer | None:
    found = services.workflow.message(due.key, due.subject_type, due.subject_id)
    if found is None:
        return None  # the rule was removed from the file since
    rule, text = found
    return Answer(text=escape(text), blocks=[ui.mrkdwn(f":gear: {escape(text)}"),
                                             ui.context(f"Rule: {escape(rule)}")])
